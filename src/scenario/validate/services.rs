//! `[[services]]`: carriers, their capacity, fleet and departure rule.

use super::dist::{EmpiricalCache, build_dist, random_closures};
use super::ids::{node_ref, valid_id_at};
use super::values::{
    closure_windows, headway_value, positive_duration, teu_per_wagon, utc_offset, whole,
};
use super::{Ctx, IdIndex};
use crate::engine::dist::Dist;
use crate::engine::hours;
use crate::engine::time::{SimDur, SimTime};
use crate::error::Result;
use crate::scenario::file::{DistSpec, ServiceSpec};
use crate::scenario::model::{DEPARTURE_RULES, Departure, SERVICE_MODES, ServiceModel};

pub(super) fn build_service(
    ctx: &Ctx,
    i: usize,
    sv: &ServiceSpec,
    node_ix: &IdIndex,
    service_ix: &mut IdIndex,
    emp: &mut EmpiricalCache,
    start_day: i64,
) -> Result<ServiceModel> {
    let p = format!("services[{i}]");
    valid_id_at(ctx, &p, &sv.id)?;
    if node_ix.contains_key(&sv.id) {
        return Err(ctx.err(&format!("{p}.id"), format!("\"{}\" is already a node id; services and nodes share one namespace because routes name both", sv.id)));
    }
    if service_ix.insert(sv.id.clone(), i).is_some() {
        return Err(ctx.err(
            &format!("{p}.id"),
            format!("duplicate service id \"{}\"", sv.id),
        ));
    }
    if !SERVICE_MODES.contains(&sv.mode.as_str()) {
        return Err(ctx.err(
            &format!("{p}.mode"),
            format!(
                "unknown mode \"{}\"; allowed: {}",
                sv.mode,
                SERVICE_MODES.join(", ")
            ),
        ));
    }
    let end = |field: &str, id: &str| node_ref(ctx, node_ix, &p, field, id);
    let from = end("from", &sv.from)?;
    let to = end("to", &sv.to)?;
    let capacity_teu = match (sv.capacity_teu, sv.wagons, sv.teu_per_wagon) {
        (Some(c), None, None) => {
            let rule = "capacity must be a whole number of TEU from 1 to 1000000";
            whole(
                ctx,
                format_args!("{p}.capacity_teu"),
                c,
                1..=1_000_000,
                rule,
            )? as u32
        }
        (None, Some(w), Some(t)) => {
            let rule = "wagons per carrier must be from 1 to 10000";
            whole(ctx, format_args!("{p}.wagons"), w, 1..=10_000, rule)?;
            let t = teu_per_wagon(ctx, &p, t)?;
            let c = (w as f64 * t).floor();
            if c < 1.0 {
                return Err(ctx.err(&p, format!("{w} wagons x {t} TEU is less than 1 TEU")));
            }
            c as u32
        }
        _ => {
            return Err(ctx.err(
                &p,
                "give the capacity either as `capacity_teu`, or as `wagons` and `teu_per_wagon`",
            ));
        }
    };
    let rule = "the fleet is a whole number of carriers from 1 to 100000";
    let fleet = whole(
        ctx,
        format_args!("{p}.fleet"),
        sv.fleet.unwrap_or(1),
        1..=100_000,
        rule,
    )? as u32;
    let only = |field: &str, given: bool, rule: &str| -> Result<()> {
        if given {
            Err(ctx.err(
                &format!("{p}.{field}"),
                format!("`{field}` is only used with departure = \"{rule}\""),
            ))
        } else {
            Ok(())
        }
    };
    let departure = match sv.departure.as_str() {
        "timetable" => {
            only("max_wait", sv.max_wait.is_some(), "when_full_or_max_wait")?;
            match (&sv.every, &sv.times) {
                (Some(e), None) => {
                    let period = positive_duration(ctx, &format!("{p}.every"), e)?;
                    Departure::Timetable {
                        offsets: vec![period],
                        period,
                    }
                }
                (None, Some(times)) if times.is_empty() => {
                    return Err(ctx.err(
                        &format!("{p}.times"),
                        "`times = []` lists no departure; list weekly times, e.g. [\"Tue 06:00\", \"Fri 18:00\"], or give `every` instead",
                    ));
                }
                (None, Some(times)) => {
                    let offset = utc_offset(ctx, &p, &sv.utc_offset)?;
                    let week = crate::engine::time::MS_PER_WEEK;
                    // Local minutes of the week at time zero (1970-01-01 was a Thursday).
                    let phase_min =
                        (start_day * 1440 + offset + 3 * 1440).rem_euclid(10_080) as u64;
                    let mut offsets = Vec::new();
                    for (j, t) in times.iter().enumerate() {
                        let m =
                            weekly_time(t).map_err(|e| ctx.err(&format!("{p}.times[{j}]"), e))?;
                        let ms = ((m + 10_080 - phase_min) % 10_080)
                            * crate::engine::time::MS_PER_MINUTE;
                        offsets.push(SimDur(if ms == 0 { week } else { ms }));
                    }
                    offsets.sort_unstable();
                    offsets.dedup();
                    Departure::Timetable {
                        offsets,
                        period: SimDur(week),
                    }
                }
                _ => {
                    return Err(ctx.err(&p, "a timetable needs either `every` (a duration, e.g. \"12h\") or `times` (weekly times, e.g. [\"Tue 06:00\", \"Fri 18:00\"]), not both"));
                }
            }
        }
        "when_full" => {
            only("max_wait", sv.max_wait.is_some(), "when_full_or_max_wait")?;
            only("every", sv.every.is_some(), "timetable")?;
            only("times", sv.times.is_some(), "timetable")?;
            Departure::WhenFull
        }
        "when_full_or_max_wait" => {
            only("every", sv.every.is_some(), "timetable")?;
            only("times", sv.times.is_some(), "timetable")?;
            let w = sv.max_wait.as_ref().ok_or_else(|| {
                ctx.err(
                    &p,
                    "departure = \"when_full_or_max_wait\" needs `max_wait` (a duration)",
                )
            })?;
            Departure::WhenFullOrMaxWait(positive_duration(ctx, &format!("{p}.max_wait"), w)?)
        }
        other => {
            return Err(ctx.err(
                &format!("{p}.departure"),
                format!(
                    "unknown departure rule \"{other}\"; allowed: {}",
                    DEPARTURE_RULES.join(", ")
                ),
            ));
        }
    };
    let opt =
        |field: &str, d: &Option<DistSpec>, emp: &mut EmpiricalCache| -> Result<Option<Dist>> {
            d.as_ref()
                .map(|d| build_dist(ctx, &format!("{p}.{field}"), d, emp))
                .transpose()
        };
    let headway = headway_value(ctx, &p, &sv.headway, sv.trains_per_day)?;
    let handling_per_teu = match sv.handling_per.as_deref() {
        None | Some("carrier") => false,
        Some("teu") => true,
        Some(other) => {
            return Err(ctx.err(
                &format!("{p}.handling_per"),
                format!(
                    "\"{other}\" is not allowed; handling_per is \"carrier\" (default) or \"teu\""
                ),
            ));
        }
    };
    let weather = random_closures(ctx, &format!("{p}.weather"), &sv.weather, emp, true)?;
    let weather_months = weather.as_ref().and_then(|w| w.2);
    let weather = weather.map(|(q, d, _)| (q, d));
    let offset = utc_offset(ctx, &p, &sv.utc_offset)?;
    let sim = |local_min: i64| {
        let ms =
            (local_min - offset - start_day * 1440) * crate::engine::time::MS_PER_MINUTE as i64;
        SimTime(ms.max(0) as u64)
    };
    let closures = closure_windows(ctx, &p, &sv.closures)?
        .into_iter()
        .map(|(a, b)| (sim(a), sim(b)))
        .collect();
    Ok(ServiceModel {
        id: sv.id.clone(),
        mode: sv.mode.clone(),
        from,
        to,
        capacity_teu,
        fleet,
        departure,
        loading: opt("loading", &sv.loading, emp)?,
        unloading: opt("unloading", &sv.unloading, emp)?,
        travel: build_dist(ctx, &format!("{p}.travel"), &sv.travel, emp)?,
        return_trip: opt("return_trip", &sv.return_trip, emp)?,
        handling_per_teu,
        headway,
        weather,
        weather_months,
        closures,
    })
}

/// Parses a weekly time `Tue 06:00` into minutes of the week (Monday 00:00 = 0).
pub(super) fn weekly_time(s: &str) -> std::result::Result<u64, String> {
    let bad = || {
        format!(
            "\"{s}\" is not a weekly time; write a day and a time like \"Tue 06:00\" (days: {})",
            hours::DAYS.join(", ")
        )
    };
    let (d, t) = s.trim().split_once(' ').ok_or_else(bad)?;
    let day = hours::DAYS
        .iter()
        .position(|x| *x == d.trim())
        .ok_or_else(bad)?;
    let m = hours::parse_clock(t).map_err(|_| bad())?;
    if m >= 1440 {
        return Err(bad());
    }
    Ok(day as u64 * 1440 + m)
}
