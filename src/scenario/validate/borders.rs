//! Border nodes (`kind = "border"`) and the corridor-wide `[digitisation]` defaults.

use super::Ctx;
use super::dist::{EmpiricalCache, build_dist};
use super::values::{closure_windows, count_value, number, servers_value, utc_offset};
use crate::engine::dist::Dist;
use crate::engine::hours::{self, OpeningHours};
use crate::engine::time::SimTime;
use crate::error::Result;
use crate::scenario::border::{BorderModel, DigitisationParams, HoursParts, level_value};
use crate::scenario::file::SeasonSpec;
use crate::scenario::file::{DistSpec, NodeSpec, ScenarioFile};

/// Corridor-wide defaults for border nodes, from `[digitisation]`.
pub(super) struct CorridorDefaults {
    level: f64,
    params: DigitisationParams,
}

impl CorridorDefaults {
    pub(super) fn build(ctx: &Ctx, file: &ScenarioFile) -> Result<Self> {
        let Some(d) = &file.digitisation else {
            return Ok(CorridorDefaults {
                level: 0.0,
                params: DigitisationParams::default(),
            });
        };
        let level = match &d.level {
            None => 0.0,
            Some(l) => level_value(l).map_err(|e| ctx.err("digitisation.level", e))?,
        };
        let params = DigitisationParams::default().with(&d.params());
        check_params(ctx, "digitisation", &params)?;
        Ok(CorridorDefaults { level, params })
    }
}

pub(super) fn build_border(
    ctx: &Ctx,
    p: &str,
    n: &NodeSpec,
    emp: &mut EmpiricalCache,
    corridor: &CorridorDefaults,
    (start_day, horizon): (i64, SimTime),
) -> Result<BorderModel> {
    let lanes = match n.lanes {
        None => return Err(ctx.err(p, "a border needs `lanes` (officers or lanes doing document work, a positive whole number)")),
        l => count_value(ctx, &format!("{p}.lanes"), l, 1, 1_000_000)?,
    };
    let documents = n
        .documents
        .as_ref()
        .ok_or_else(|| ctx.err(p, "a border needs `documents` (document processing time per control on paper, a distribution)"))?;
    let documents = build_dist(ctx, &format!("{p}.documents"), documents, emp)?;
    let channels = match n.channels {
        None => [1.0, 0.0, 0.0],
        Some(c) => {
            for (name, v) in [("green", c.green), ("yellow", c.yellow), ("red", c.red)] {
                let ok = (0.0..=1.0).contains(&v);
                let rule = "a channel share must be in [0, 1]";
                number(ctx, format_args!("{p}.channels.{name}"), v, ok, rule)?;
            }
            let sum = c.green + c.yellow + c.red;
            if (sum - 1.0).abs() > 1e-9 {
                return Err(ctx.err(
                    &format!("{p}.channels"),
                    format!("green {} + yellow {} + red {} = {sum}; the channel shares must add up to 1", c.green, c.yellow, c.red),
                ));
            }
            [c.green, c.yellow, c.red]
        }
    };
    let opt_dist =
        |field: &str, d: &Option<DistSpec>, emp: &mut EmpiricalCache| -> Result<Option<Dist>> {
            d.as_ref()
                .map(|d| build_dist(ctx, &format!("{p}.{field}"), d, emp))
                .transpose()
        };
    let document_check = opt_dist("document_check", &n.document_check, emp)?;
    let inspection = opt_dist("inspection", &n.inspection, emp)?;
    let technical = opt_dist("technical", &n.technical, emp)?;
    if channels[1] > 0.0 && document_check.is_none() {
        return Err(ctx.err(p, "channels.yellow > 0 needs `document_check` (the yellow channel's check time, a distribution)"));
    }
    if channels[2] > 0.0 && inspection.is_none() {
        return Err(ctx.err(p, "channels.red > 0 needs `inspection` (the red channel's physical inspection time, a distribution)"));
    }
    let bays = count_value(
        ctx,
        &format!("{p}.inspection_bays"),
        n.inspection_bays,
        1,
        1_000_000,
    )?;
    let tracks = match n.technical_tracks {
        None => None,
        Some(s) => servers_value(ctx, &format!("{p}.technical_tracks"), s)?,
    };
    let controls = count_value(ctx, &format!("{p}.controls"), n.controls, 1, 10)?;

    if n.hours.as_ref().is_some_and(Vec::is_empty) {
        return Err(ctx.err(
            &format!("{p}.hours"),
            "`hours = []` is not allowed: an empty list could mean never open or always open; leave `hours` out for a border open around the clock, or list windows, e.g. [\"Mon-Sat 08:00-20:00\"]",
        ));
    }
    let mut weekly = Vec::new();
    for (j, w) in n.hours.iter().flatten().enumerate() {
        weekly.extend(hours::parse_window(w).map_err(|e| ctx.err(&format!("{p}.hours[{j}]"), e))?);
    }
    let offset = utc_offset(ctx, p, &n.utc_offset)?;
    let mut closed = Vec::new();
    for (j, d) in n.holidays.iter().flatten().enumerate() {
        let day = hours::parse_date(d).map_err(|e| ctx.err(&format!("{p}.holidays[{j}]"), e))?;
        closed.push(hours::holiday(day));
    }
    closed.extend(closure_windows(ctx, p, &n.closures)?);
    let mut hours_parts = HoursParts {
        by_month: vec![weekly.clone(); 12],
        offset,
        closed: closed.clone(),
    };
    let hours = match &n.seasons {
        None => OpeningHours::new(&weekly, start_day, offset, &closed),
        Some(seasons) => {
            let by_month = season_hours(ctx, p, seasons, &weekly)?;
            hours_parts.by_month = by_month.clone();
            // The weeks of each local month become closures of a border otherwise open.
            let first = start_day * 1440 + offset - 1440;
            let last = first + (horizon.ms() / 60_000) as i64 + 2 * 1440;
            closed.extend(seasonal_closures(&by_month, first, last));
            OpeningHours::new(&[], start_day, offset, &closed)
        }
    };

    let level = match &n.digitisation {
        None => corridor.level,
        Some(l) => level_value(l).map_err(|e| ctx.err(&format!("{p}.digitisation"), e))?,
    };
    let params = match &n.digitisation_model {
        None => corridor.params,
        Some(spec) => corridor.params.with(spec),
    };
    check_params(ctx, &format!("{p}.digitisation_model"), &params)?;
    Ok(BorderModel {
        lanes,
        documents,
        channels,
        document_check,
        inspection,
        bays,
        technical,
        tracks,
        controls,
        joint_control: n.joint_control.unwrap_or(false),
        hours,
        preemption: n.preemption.unwrap_or(false),
        level,
        hours_parts,
        params,
    })
}

/// Digitisation model parameters (at `{p}.NAME`) within their ranges.
fn check_params(ctx: &Ctx, p: &str, params: &DigitisationParams) -> Result<()> {
    match params.invalid() {
        Some((name, v, rule)) => number(
            ctx,
            format_args!("{p}.{name}"),
            v,
            false,
            &format!("{name} {rule}"),
        )
        .map(drop),
        None => Ok(()),
    }
}

/// The weekly windows of each calendar month (January first): a season's, or `hours`'.
fn season_hours(
    ctx: &Ctx,
    p: &str,
    seasons: &[SeasonSpec],
    weekly: &[(u64, u64)],
) -> Result<Vec<Vec<(u64, u64)>>> {
    let mut by_month: Vec<Option<Vec<(u64, u64)>>> = vec![None; 12];
    for (j, s) in seasons.iter().enumerate() {
        let at = format!("{p}.seasons[{j}]");
        if s.months.is_empty() {
            return Err(ctx.err(
                &format!("{at}.months"),
                "no month given; list months as numbers from 1 (January) to 12 (December)",
            ));
        }
        if s.hours.is_empty() {
            return Err(ctx.err(&format!("{at}.hours"), "`hours = []` is not allowed; list windows such as \"Mon-Fri 08:00-20:00\" (a season open around the clock: \"Mon-Sun 00:00-24:00\")"));
        }
        let mut w = Vec::new();
        for (k, h) in s.hours.iter().enumerate() {
            w.extend(hours::parse_window(h).map_err(|e| ctx.err(&format!("{at}.hours[{k}]"), e))?);
        }
        for (k, &m) in s.months.iter().enumerate() {
            let mp = format!("{at}.months[{k}]");
            if !(1..=12).contains(&m) {
                return Err(ctx.err(
                    &mp,
                    format!(
                        "{m} is not allowed; a month is a number from 1 (January) to 12 (December)"
                    ),
                ));
            }
            if by_month[m as usize - 1].is_some() {
                return Err(ctx.err(
                    &mp,
                    format!("month {m} is in two seasons; each month may be in one season only"),
                ));
            }
            by_month[m as usize - 1] = Some(w.clone());
        }
    }
    let base = if weekly.is_empty() {
        vec![(0, 10_080)]
    } else {
        weekly.to_vec()
    };
    Ok(by_month
        .into_iter()
        .map(|m| m.unwrap_or_else(|| base.clone()))
        .collect())
}

/// The closed stretches, in local minutes since 1970-01-01, of the local months overlapping
/// `[first, last)`, each month closed outside its weekly windows.
pub(super) fn seasonal_closures(
    by_month: &[Vec<(u64, u64)>],
    first: i64,
    last: i64,
) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut day = first.div_euclid(1440);
    // Back to the first of its month.
    while hours::month_of(day - 1) == hours::month_of(day) {
        day -= 1;
    }
    while day * 1440 < last {
        let month = hours::month_of(day);
        let mut end = day + 28;
        while hours::month_of(end) == month {
            end += 1;
        }
        // Local minutes since 1970-01-01 as the simulation time of a calendar that starts then.
        let week = OpeningHours::new(&by_month[month as usize - 1], 0, 0, &[]);
        let (a, b) = ((day * 1440 * 60_000) as u64, (end * 1440 * 60_000) as u64);
        let mut t = a;
        while t < b {
            let open = week.next_open(SimTime(t)).0.min(b);
            if open > t {
                out.push(((t / 60_000) as i64, (open / 60_000) as i64));
            }
            if open >= b {
                break;
            }
            t = week.next_close_after(SimTime(open)).0.min(b);
        }
        day = end;
    }
    out
}

/// The opening hours of a border whose weekly hours change on `switches` (times from the
/// start, in date order, each with its new weekly windows): its own hours (by month) up to the
/// first change, then each change's windows from its date, as closures of a border otherwise
/// open (as seasons are), over the run.
pub(super) fn dated_hours(
    b: &BorderModel,
    start_day: i64,
    horizon: SimTime,
    switches: &[(SimTime, Vec<(u64, u64)>)],
) -> OpeningHours {
    let hp = &b.hours_parts;
    let first = start_day * 1440 + hp.offset - 1440;
    let last = first + (horizon.ms() / 60_000) as i64 + 2 * 1440;
    let local = |t: SimTime| start_day * 1440 + hp.offset + (t.ms() / 60_000) as i64;
    let clip = |v: Vec<(i64, i64)>, a: i64, b: i64| -> Vec<(i64, i64)> {
        v.into_iter()
            .map(|(s, e)| (s.max(a), e.min(b)))
            .filter(|(s, e)| e > s)
            .collect()
    };
    let mut closed = hp.closed.clone();
    let mut from = first;
    let mut pattern = hp.by_month.clone();
    for (at, weekly) in switches {
        let to = local(*at).max(from);
        closed.extend(clip(seasonal_closures(&pattern, from, to), from, to));
        pattern = vec![weekly.clone(); 12];
        from = to;
    }
    closed.extend(clip(seasonal_closures(&pattern, from, last), from, last));
    OpeningHours::new(&[], start_day, hp.offset, &closed)
}
