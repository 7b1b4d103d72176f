//! `scenario.disruptions`: a CSV file of dated closures and capacity cuts, read like the
//! empirical data files (relative to the scenario's folder, confined with `--confine`, listed
//! in the manifest), and folded with the dated changes into the schedule the run applies.

use super::Ctx;
use super::changes::Parts;
use super::dist::EmpiricalCache;
use crate::engine::hours;
use crate::engine::time::{SimDur, SimTime};
use crate::error::{Error, Result};
use crate::scenario::access::{FileAccess, confine};
use crate::scenario::model::{Change, DisruptedElement, Disruption, NodeKind, Setting};

/// The columns a disruptions file must have (`note` may be added).
const COLUMNS: [&str; 4] = ["element", "from", "to", "factor"];

/// Reads the disruptions file `file` named by `scenario.disruptions`.
pub(super) fn read(
    ctx: &Ctx,
    file: &str,
    parts: &Parts,
    emp: &mut EmpiricalCache,
) -> Result<Vec<Disruption>> {
    const P: &str = "scenario.disruptions";
    let path = ctx.dir().join(file);
    if ctx.access == FileAccess::Confined {
        confine(ctx.file, &path)
            .map_err(|m| ctx.err(P, format!("disruptions file \"{file}\" {m}")))?;
    }
    let f = std::fs::File::open(&path).map_err(|e| {
        ctx.err(
            P,
            format!("cannot open disruptions file \"{}\": {e}", path.display()),
        )
    })?;
    let at = |line: usize, col: usize, msg: String| Error::Scenario {
        file: path.clone(),
        line_col: Some((line, col)),
        path: String::new(),
        message: format!("{msg} (disruptions of {})", ctx.file.display()),
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(f);
    let headers = rdr
        .headers()
        .map_err(|e| at(1, 1, format!("cannot read the header row: {e}")))?
        .clone();
    let mut ix = [0; 4];
    for (k, name) in COLUMNS.iter().enumerate() {
        ix[k] = headers.iter().position(|h| h.trim() == *name).ok_or_else(|| {
            at(
                1,
                1,
                format!(
                    "the header row has no column \"{name}\"; a disruptions file has the columns element, from, to, factor and optionally note"
                ),
            )
        })?;
    }
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            at(line, 1, format!("cannot read: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |k: usize| rec.get(ix[k]).unwrap_or("").trim();
        let bad = |k: usize, why: String| {
            at(
                line,
                ix[k] + 1,
                format!("{} \"{}\": {why}", COLUMNS[k], short(cell(k))),
            )
        };
        let element = element(cell(0), parts).map_err(|why| bad(0, why))?;
        let time =
            |k: usize| -> Result<SimTime> { date(cell(k), parts).map_err(|why| bad(k, why)) };
        let (from, to) = (time(1)?, time(2)?);
        if to <= from {
            return Err(bad(
                2,
                "is not after `from`; a disruption must end after it starts".into(),
            ));
        }
        // Past the horizon is the horizon.
        let (from, to) = (from.min(parts.horizon), to.min(parts.horizon));
        let factor: f64 = cell(3).parse().map_err(|_| {
            bad(
                3,
                "is not a number; a capacity factor is from 0 (closed) to 1".into(),
            )
        })?;
        if !(0.0..=1.0).contains(&factor) {
            return Err(bad(
                3,
                "is not allowed; a capacity factor is from 0 (closed) to 1".into(),
            ));
        }
        out.push(Disruption {
            element,
            from,
            to,
            factor,
        });
    }
    emp.note_file(path);
    Ok(out)
}

/// A station, a border or a service id.
fn element(text: &str, parts: &Parts) -> std::result::Result<DisruptedElement, String> {
    if let Some(i) = parts.nodes.iter().position(|n| n.id == text) {
        return match parts.nodes[i].kind {
            NodeKind::Station { servers: Some(_), .. } => Ok(DisruptedElement::Station(i)),
            NodeKind::Station { servers: None, .. } => Err(
                "is a station with unlimited servers, which a disruption cannot cut; give it a number of servers".into(),
            ),
            NodeKind::Border(_) => Ok(DisruptedElement::Border(i)),
        };
    }
    if let Some(i) = parts.services.iter().position(|s| s.id == text) {
        return Ok(DisruptedElement::Service(i));
    }
    Err(
        "is not a node or a service of the scenario; name a station, a border or a service id"
            .into(),
    )
}

/// A date or date-time (UTC) from the scenario's start.
fn date(text: &str, parts: &Parts) -> std::result::Result<SimTime, String> {
    let minutes = if text.len() <= 10 {
        hours::parse_date(text).map(|d| d * 1440)
    } else {
        hours::parse_datetime(text)
    }?;
    let since = minutes - parts.start_day * 1440;
    if since < 0 {
        return Err("is before scenario.start".into());
    }
    Ok(SimTime::ZERO + SimDur(since as u64 * 60_000))
}

/// A cell as a message quotes it: at most 24 characters.
fn short(cell: &str) -> String {
    match cell.char_indices().nth(24) {
        Some((i, _)) => format!("{}...", &cell[..i]),
        None => cell.to_string(),
    }
}

/// One capacity a disruption cuts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cap {
    Servers(usize),
    Berths(usize),
    Fleet(usize),
    Lanes(usize),
    Bays(usize),
}

impl Cap {
    /// Its value in the file, before any change.
    fn base(self, parts: &Parts) -> u32 {
        match self {
            Cap::Servers(n) => parts.nodes[n].servers().unwrap_or(0),
            Cap::Berths(n) => parts.nodes[n].berths.unwrap_or(0),
            Cap::Fleet(s) => parts.services[s].fleet,
            Cap::Lanes(n) => parts.nodes[n].border().map_or(0, |b| b.lanes),
            Cap::Bays(n) => parts.nodes[n].border().map_or(0, |b| b.bays),
        }
    }

    /// The value a setting gives it, if the setting is of it.
    fn set_by(self, s: &Setting) -> Option<u32> {
        match (self, s) {
            (Cap::Servers(n), Setting::Servers { node, servers }) if *node == n => Some(*servers),
            (Cap::Berths(n), Setting::Berths { node, berths }) if *node == n => Some(*berths),
            (Cap::Fleet(v), Setting::Fleet { service, fleet }) if *service == v => Some(*fleet),
            (Cap::Lanes(n), Setting::Lanes { node, lanes }) if *node == n => Some(*lanes),
            (Cap::Bays(n), Setting::Bays { node, bays }) if *node == n => Some(*bays),
            _ => None,
        }
    }

    fn setting(self, value: u32) -> Setting {
        match self {
            Cap::Servers(node) => Setting::Servers {
                node,
                servers: value,
            },
            Cap::Berths(node) => Setting::Berths {
                node,
                berths: value,
            },
            Cap::Fleet(service) => Setting::Fleet {
                service,
                fleet: value,
            },
            Cap::Lanes(node) => Setting::Lanes { node, lanes: value },
            Cap::Bays(node) => Setting::Bays { node, bays: value },
        }
    }
}

/// The changes the run applies: `changes`, where each capacity a disruption cuts is set at
/// every date either changes it to its dated value times the factors active then, rounded
/// down.
pub(super) fn schedule(
    changes: &[Change],
    disruptions: &[Disruption],
    parts: &Parts,
) -> Vec<Change> {
    let mut caps: Vec<(Cap, DisruptedElement)> = Vec::new();
    for d in disruptions {
        let of = match d.element {
            DisruptedElement::Station(n) => {
                let mut v = vec![Cap::Servers(n)];
                if parts.nodes[n].berths.is_some() {
                    v.push(Cap::Berths(n));
                }
                v
            }
            DisruptedElement::Service(s) => vec![Cap::Fleet(s)],
            DisruptedElement::Border(n) => {
                let mut v = vec![Cap::Lanes(n), Cap::Bays(n)];
                if parts.nodes[n].berths.is_some() {
                    v.push(Cap::Berths(n));
                }
                v
            }
        };
        for c in of {
            if !caps.iter().any(|(k, _)| *k == c) {
                caps.push((c, d.element));
            }
        }
    }
    let cut = |s: &Setting| caps.iter().any(|(c, _)| c.set_by(s).is_some());
    let mut out: Vec<Change> = changes
        .iter()
        .map(|c| Change {
            at: c.at,
            settings: c.settings.iter().filter(|s| !cut(s)).cloned().collect(),
        })
        .filter(|c| !c.settings.is_empty())
        .collect();
    for &(cap, element) in &caps {
        let mine: Vec<&Disruption> = disruptions
            .iter()
            .filter(|d| d.element == element)
            .collect();
        let mut times: Vec<SimTime> = mine.iter().flat_map(|d| [d.from, d.to]).collect();
        times.extend(
            changes
                .iter()
                .filter(|c| c.settings.iter().any(|s| cap.set_by(s).is_some()))
                .map(|c| c.at),
        );
        times.sort();
        times.dedup();
        let mut now = cap.base(parts);
        for t in times {
            let dated = changes
                .iter()
                .filter(|c| c.at <= t)
                .flat_map(|c| &c.settings)
                .filter_map(|s| cap.set_by(s))
                .next_back()
                .unwrap_or_else(|| cap.base(parts));
            let factor: f64 = mine
                .iter()
                .filter(|d| d.from <= t && t < d.to)
                .map(|d| d.factor)
                .product();
            let value = (dated as f64 * factor).floor() as u32;
            if value != now {
                out.push(Change {
                    at: t,
                    settings: vec![cap.setting(value)],
                });
                now = value;
            }
        }
    }
    out.sort_by_key(|c| c.at);
    out
}
