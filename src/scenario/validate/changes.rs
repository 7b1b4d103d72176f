//! `[[changes]]`: dated changes of capacities. Each value is checked as it would be in the
//! element itself, with messages naming `changes[i].set.FIELD`.

use std::collections::HashMap;

use super::Ctx;
use super::dist::{EmpiricalCache, build_dist};
use super::ids::shown;
use super::values::{count_value, headway_value, positive_duration, whole};
use crate::engine::hours;
use crate::engine::time::{SimDur, SimTime};
use crate::error::Result;
use crate::scenario::file::{ChangeSpec, Servers};
use crate::scenario::model::{
    CHANGE_FIELDS, Change, Departure, FlowModel, LinkModel, NodeKind, NodeModel, ServiceModel,
    Setting,
};

/// What a change's `element` names.
#[derive(Clone, Copy)]
enum Element {
    Node(usize),
    Service(usize),
    Link(usize),
    Flow(usize),
}

/// The model's parts that changes refer to.
pub(super) struct Parts<'a> {
    pub nodes: &'a [NodeModel],
    pub services: &'a [ServiceModel],
    pub links: &'a [LinkModel],
    pub flows: &'a [FlowModel],
    pub start_day: i64,
    pub horizon: SimTime,
}

/// The dated changes, checked, in the order they apply: by time, file order at equal times.
pub(super) fn build_changes(
    ctx: &Ctx,
    specs: &[ChangeSpec],
    parts: &Parts,
    emp: &mut EmpiricalCache,
) -> Result<Vec<Change>> {
    let mut changes = Vec::with_capacity(specs.len());
    for (i, c) in specs.iter().enumerate() {
        let p = format!("changes[{i}]");
        let at = date(ctx, &format!("{p}.date"), &c.date, parts)?;
        let element = element(ctx, &format!("{p}.element"), &c.element, parts)?;
        let settings = settings(ctx, &p, c, element, parts, emp)?;
        // A change after the horizon is checked like any other and never applies: a timeline
        // scenario run over a shorter horizon (`--set scenario.horizon=...`) stays valid.
        if let Some(at) = at {
            changes.push(Change { at, settings });
        }
    }
    check_loads(ctx, &changes, parts)?;
    // A stable sort: file order at equal times.
    changes.sort_by_key(|c| c.at);
    Ok(changes)
}

/// A date (`YYYY-MM-DD`, midnight UTC) or date-time (`YYYY-MM-DD HH:MM`, UTC) from the start
/// on; `None` after the horizon.
fn date(ctx: &Ctx, p: &str, text: &str, parts: &Parts) -> Result<Option<SimTime>> {
    let minutes = if text.trim().len() <= 10 {
        hours::parse_date(text).map(|d| d * 1440)
    } else {
        hours::parse_datetime(text)
    }
    .map_err(|e| ctx.err(p, format!("{e} (or \"YYYY-MM-DD HH:MM\", UTC)")))?;
    let since_start = minutes - parts.start_day * 1440;
    let horizon_min = parts.horizon.ms() / 60_000;
    if since_start < 0 {
        return Err(ctx.err(
            p,
            format!(
                "\"{text}\" is before the run; a change must fall on or after scenario.start (a capacity in force from the start is the element's own field)"
            ),
        ));
    }
    if since_start as u64 > horizon_min {
        return Ok(None);
    }
    Ok(Some(SimTime::ZERO + SimDur(since_start as u64 * 60_000)))
}

/// A node id, a service id or a link `FROM->TO`.
fn element(ctx: &Ctx, p: &str, text: &str, parts: &Parts) -> Result<Element> {
    if let Some(i) = parts.nodes.iter().position(|n| n.id == text) {
        return Ok(Element::Node(i));
    }
    if let Some(i) = parts.services.iter().position(|s| s.id == text) {
        return Ok(Element::Service(i));
    }
    if let Some((from, to)) = text.split_once("->") {
        let id = |i: usize| parts.nodes[i].id.as_str();
        if let Some(i) = parts
            .links
            .iter()
            .position(|l| id(l.from) == from.trim() && id(l.to) == to.trim())
        {
            return Ok(Element::Link(i));
        }
    }
    if let Some(i) = parts.flows.iter().position(|f| f.id == text) {
        return Ok(Element::Flow(i));
    }
    Err(ctx.err(
        p,
        format!(
            "{} is not a node, a service, a link or a flow of the scenario; name a node, service or flow id, or a link as \"FROM->TO\"",
            shown(text)
        ),
    ))
}

/// The settings of change `p`, each checked for its element.
fn settings(
    ctx: &Ctx,
    p: &str,
    c: &ChangeSpec,
    element: Element,
    parts: &Parts,
    emp: &mut EmpiricalCache,
) -> Result<Vec<Setting>> {
    let set = &c.set;
    let at = |f: &str| format!("{p}.set.{f}");
    let what = match element {
        Element::Node(i) => match parts.nodes[i].kind {
            NodeKind::Station { .. } => "a station",
            NodeKind::Border(_) => "a border",
        },
        Element::Service(_) => "a service",
        Element::Link(_) => "a link",
        Element::Flow(_) => "a flow",
    };
    let wrong = |f: &str, allowed: &str| {
        ctx.err(
            &at(f),
            format!(
                "{} is {what}, which has no `{f}` to change; for {what}, `set` takes {allowed}",
                shown(&c.element)
            ),
        )
    };
    // The fields each kind of element takes; any other given is an error naming the first.
    let takes: &[&str] = match element {
        Element::Node(i) => match parts.nodes[i].kind {
            NodeKind::Station { .. } => &["servers", "berths", "yard_teu"],
            NodeKind::Border(_) => &[
                "lanes",
                "inspection_bays",
                "technical_tracks",
                "digitisation",
                "hours",
                "berths",
                "yard_teu",
            ],
        },
        Element::Service(_) => &[
            "fleet",
            "capacity_teu",
            "every",
            "headway",
            "trains_per_day",
        ],
        Element::Link(_) => &["time", "headway", "trains_per_day"],
        Element::Flow(_) => &["shares"],
    };
    let allowed = match element {
        Element::Node(i) => match parts.nodes[i].kind {
            NodeKind::Station { .. } => "`servers`, `berths` and `yard_teu`",
            NodeKind::Border(_) => {
                "`lanes`, `inspection_bays`, `technical_tracks`, `digitisation`, `hours`, `berths` and `yard_teu`"
            }
        },
        Element::Service(_) => {
            "`fleet`, `capacity_teu`, `every` (timetables), and `headway` or `trains_per_day`"
        }
        Element::Link(_) => "`time`, and `headway` or `trains_per_day`",
        Element::Flow(_) => "`shares` (of a flow with `choice = \"shares\"`)",
    };
    if let Some((f, _)) = set
        .given()
        .into_iter()
        .find(|(f, given)| *given && !takes.contains(f))
    {
        return Err(wrong(f, allowed));
    }
    let mut out = Vec::new();
    match element {
        Element::Node(node) => {
            let n = &parts.nodes[node];
            if let Some(h) = &set.hours {
                if h.is_empty() {
                    return Err(ctx.err(
                        &at("hours"),
                        "`hours = []` is not allowed; list weekly windows such as \"Mon-Fri 08:00-20:00\" (around the clock: \"Mon-Sun 00:00-24:00\")",
                    ));
                }
                let mut weekly = Vec::new();
                for (j, w) in h.iter().enumerate() {
                    weekly.extend(
                        hours::parse_window(w)
                            .map_err(|e| ctx.err(&at(&format!("hours[{j}]")), e))?,
                    );
                }
                out.push(Setting::Hours { node, weekly });
            }
            if let Some(l) = &set.digitisation {
                let level = crate::scenario::border::level_value(l)
                    .map_err(|e| ctx.err(&at("digitisation"), e))?;
                out.push(Setting::Digitisation { node, level });
            }
            if let Some(v) = set.lanes {
                let lanes = count_value(ctx, &at("lanes"), Some(v), 1, 1_000_000)?;
                out.push(Setting::Lanes { node, lanes });
            }
            if let Some(v) = set.inspection_bays {
                let bays = count_value(ctx, &at("inspection_bays"), Some(v), 1, 1_000_000)?;
                out.push(Setting::Bays { node, bays });
            }
            if let Some(v) = set.technical_tracks {
                let unlimited = n.border().is_some_and(|b| b.tracks.is_none());
                let rule = "must be a whole number from 1 to 1000000 (a change cannot make the tracks unlimited)";
                let tracks = match v {
                    _ if unlimited => {
                        return Err(ctx.err(
                            &at("technical_tracks"),
                            format!(
                                "{} has unlimited technical tracks, which a change cannot set; give it a number of tracks to change them",
                                shown(&c.element)
                            ),
                        ));
                    }
                    Servers::Unlimited => {
                        return Err(ctx.err(
                            &at("technical_tracks"),
                            format!("\"unlimited\" is not allowed; {rule}"),
                        ));
                    }
                    Servers::Count(v) => {
                        whole(ctx, at("technical_tracks"), v, 1..=1_000_000, rule)? as u32
                    }
                };
                out.push(Setting::Tracks { node, tracks });
            }
            if let Some(s) = set.servers {
                if n.servers().is_none() {
                    return Err(ctx.err(
                        &at("servers"),
                        format!(
                            "{} has unlimited servers, which a change cannot set; give it a number of servers to change it",
                            shown(&c.element)
                        ),
                    ));
                }
                let rule = "must be a whole number from 1 to 1000000 (a change cannot make the servers unlimited)";
                let Servers::Count(v) = s else {
                    return Err(ctx.err(
                        &at("servers"),
                        format!("\"unlimited\" is not allowed; {rule}"),
                    ));
                };
                let servers = whole(ctx, at("servers"), v, 1..=1_000_000, rule)? as u32;
                out.push(Setting::Servers { node, servers });
            }
            if let Some(b) = set.berths {
                if n.berths.is_none() {
                    return Err(ctx.err(
                        &at("berths"),
                        format!(
                            "{} has no berths (no limit), which a change cannot set; give it `berths` to change them",
                            shown(&c.element)
                        ),
                    ));
                }
                let berths = count_value(ctx, &at("berths"), Some(b), 1, 1_000_000)?;
                out.push(Setting::Berths { node, berths });
            }
            if let Some(y) = set.yard_teu {
                if n.yard_teu.is_none() {
                    return Err(ctx.err(
                        &at("yard_teu"),
                        format!(
                            "{} has no yard, which a change cannot add; give it `yard_teu` to change it",
                            shown(&c.element)
                        ),
                    ));
                }
                let teu = count_value(ctx, &at("yard_teu"), Some(y), 1, 1_000_000_000)?;
                out.push(Setting::YardTeu { node, teu });
            }
        }
        Element::Service(service) => {
            if let Some(f) = set.fleet {
                let rule = "the fleet is a whole number of carriers from 1 to 100000";
                let fleet = whole(ctx, at("fleet"), f, 1..=100_000, rule)? as u32;
                out.push(Setting::Fleet { service, fleet });
            }
            if let Some(t) = set.capacity_teu {
                let rule = "capacity must be a whole number of TEU from 1 to 1000000";
                let teu = whole(ctx, at("capacity_teu"), t, 1..=1_000_000, rule)? as u32;
                let sv = &parts.services[service];
                for f in parts.flows {
                    let boards = |(_, legs, _): &(&[usize], &[crate::scenario::Leg], f64)| {
                        legs.contains(&crate::scenario::Leg::Service(service))
                    };
                    if f.teu > teu && f.paths().iter().any(boards) {
                        return Err(ctx.err(
                            &at("capacity_teu"),
                            format!(
                                "{teu} TEU cannot carry one consignment of flow \"{}\" ({} TEU) on service \"{}\"; consignments are not split",
                                f.id, f.teu, sv.id
                            ),
                        ));
                    }
                }
                out.push(Setting::CapacityTeu { service, teu });
            }
            if let Some(e) = &set.every {
                if !matches!(
                    parts.services[service].departure,
                    Departure::Timetable { .. }
                ) {
                    return Err(ctx.err(
                        &at("every"),
                        format!(
                            "service {} does not run to a timetable; `every` changes a timetable (departure = \"timetable\")",
                            shown(&c.element)
                        ),
                    ));
                }
                let every = positive_duration(ctx, &at("every"), e)?;
                out.push(Setting::Every { service, every });
            }
            if let Some(headway) = headway_value(
                ctx,
                format_args!("{p}.set"),
                &set.headway,
                set.trains_per_day,
            )? {
                out.push(Setting::ServiceHeadway { service, headway });
            }
        }
        Element::Link(link) => {
            if let Some(t) = &set.time {
                let time = build_dist(ctx, &at("time"), t, emp)?;
                out.push(Setting::LinkTime { link, time });
            }
            if let Some(headway) = headway_value(
                ctx,
                format_args!("{p}.set"),
                &set.headway,
                set.trains_per_day,
            )? {
                if parts.links[link].headway.is_none() {
                    let f = if set.headway.is_some() {
                        "headway"
                    } else {
                        "trains_per_day"
                    };
                    return Err(ctx.err(
                        &at(f),
                        format!(
                            "link {} has no headway (no path limit), which a change cannot add; give the link a `headway` to change it",
                            shown(&c.element)
                        ),
                    ));
                }
                out.push(Setting::LinkHeadway { link, headway });
            }
        }
        Element::Flow(flow) => {
            if let Some(given) = &set.shares {
                let shares =
                    super::routes::dated_shares(ctx, &at("shares"), &parts.flows[flow], given)?;
                out.push(Setting::RouteShares { flow, shares });
            }
        }
    }
    if out.is_empty() {
        return Err(ctx.err(
            &format!("{p}.set"),
            format!(
                "sets nothing; give at least one of {}",
                CHANGE_FIELDS.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// Yards against carrier loads whatever the dates: every yard size a node ever has must hold
/// the largest consignment entering it and a full load of every capacity a service unloading
/// there ever has (else they would wait at its gate for ever).
fn check_loads(ctx: &Ctx, changes: &[Change], parts: &Parts) -> Result<()> {
    let mut largest_load: HashMap<usize, u32> = HashMap::new();
    for s in parts.services {
        let e = largest_load.entry(s.to).or_default();
        *e = (*e).max(s.capacity_teu);
    }
    for c in changes {
        for s in &c.settings {
            if let Setting::CapacityTeu { service, teu } = s {
                let e = largest_load.entry(parts.services[*service].to).or_default();
                *e = (*e).max(*teu);
            }
        }
    }
    let mut smallest_yard: HashMap<usize, u32> = HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        for s in &c.settings {
            if let Setting::YardTeu { node, teu } = s {
                let largest = parts
                    .flows
                    .iter()
                    .filter(|f| f.paths().iter().any(|(r, _, _)| r.contains(node)))
                    .map(|f| f.teu)
                    .max()
                    .unwrap_or(0)
                    .max(largest_load.get(node).copied().unwrap_or(0));
                if *teu < largest {
                    return Err(ctx.err(
                        &format!("changes[{i}].set.yard_teu"),
                        format!(
                            "{teu} TEU cannot hold the largest consignment or full carrier load entering {} ({largest} TEU, counting capacities set by changes); the yard must hold at least that",
                            shown(&parts.nodes[*node].id)
                        ),
                    ));
                }
                let e = smallest_yard.entry(*node).or_insert(u32::MAX);
                *e = (*e).min(*teu);
            }
        }
    }
    for (i, c) in changes.iter().enumerate() {
        for s in &c.settings {
            if let Setting::CapacityTeu { service, teu } = s {
                let to = parts.services[*service].to;
                let yard = parts.nodes[to]
                    .yard_teu
                    .unwrap_or(u32::MAX)
                    .min(smallest_yard.get(&to).copied().unwrap_or(u32::MAX));
                if *teu > yard {
                    return Err(ctx.err(
                        &format!("changes[{i}].set.capacity_teu"),
                        format!(
                            "{teu} TEU does not fit the yard of {} ({yard} TEU, counting sizes set by changes); the yard must hold at least one full load",
                            shown(&parts.nodes[to].id)
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
