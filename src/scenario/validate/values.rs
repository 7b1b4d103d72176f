//! Checks of single values that several parts of the format share: durations, counts, server
//! numbers, UTC offsets, dated closures, random closures, path capacities and positions.

use std::fmt::Display;
use std::ops::RangeInclusive;

use super::Ctx;
use crate::engine::hours;
use crate::engine::time::SimDur;
use crate::error::Result;
use crate::scenario::duration::{Duration, MAX_SECS, MAX_TEXT};
use crate::scenario::file::{ClosureSpec, Servers};
use crate::scenario::model::Position;

/// A duration that must be positive: at least 1 ms, the clock's resolution (a shorter one
/// would round to 0 ms, or to 1 ms, and is a mistake either way).
pub(super) fn positive_duration(ctx: &Ctx, path: &str, d: &Duration) -> Result<SimDur> {
    if d.secs <= 0.0 {
        return Err(ctx.err(path, format!("\"{}\" must be > 0", d.text)));
    }
    if d.secs < MIN_POSITIVE_SECS {
        return Err(ctx.err(
            path,
            format!(
                "\"{}\" is under 1 ms, the clock's resolution; must be at least 1 ms (\"0.001s\")",
                d.text
            ),
        ));
    }
    Ok(SimDur::from_secs_f64(d.secs))
}

/// The shortest positive duration: 1 ms.
const MIN_POSITIVE_SECS: f64 = 0.001;

pub(super) fn servers_value(ctx: &Ctx, path: &str, s: Servers) -> Result<Option<u32>> {
    match s {
        Servers::Unlimited => Ok(None),
        Servers::Count(c) => {
            let rule = "must be a whole number from 1 to 1000000, or \"unlimited\"";
            Ok(Some(whole(ctx, path, c, 1..=1_000_000, rule)? as u32))
        }
    }
}

pub(super) fn count_value(
    ctx: &Ctx,
    path: &str,
    v: Option<i64>,
    default: i64,
    max: i64,
) -> Result<u32> {
    let rule = format!("must be a whole number from 1 to {max}");
    Ok(whole(ctx, path, v.unwrap_or(default), 1..=max, &rule)? as u32)
}

/// A UTC offset field (`+HH:MM`), in minutes; zero when absent.
pub(super) fn utc_offset(ctx: &Ctx, p: &str, o: &Option<String>) -> Result<i64> {
    match o {
        None => Ok(0),
        Some(o) => hours::parse_offset(o).map_err(|e| ctx.err(&format!("{p}.utc_offset"), e)),
    }
}

/// Dated closure windows `{ from, to }` in local minutes since 1970-01-01, each ending after it
/// starts.
pub(super) fn closure_windows(
    ctx: &Ctx,
    p: &str,
    closures: &Option<Vec<ClosureSpec>>,
) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for (j, c) in closures.iter().flatten().enumerate() {
        let at = |f: &str| format!("{p}.closures[{j}].{f}");
        let from = hours::parse_datetime(&c.from).map_err(|e| ctx.err(&at("from"), e))?;
        let to = hours::parse_datetime(&c.to).map_err(|e| ctx.err(&at("to"), e))?;
        if to <= from {
            return Err(ctx.err(
                &at("to"),
                format!(
                    "\"{}\" is not after \"{}\"; a closure must end after it starts",
                    c.to, c.from
                ),
            ));
        }
        out.push((from, to));
    }
    Ok(out)
}

/// A path capacity: `headway` (a duration) or `trains_per_day` (headway = 24 h / N).
pub(super) fn headway_value(
    ctx: &Ctx,
    p: impl Display,
    headway: &Option<Duration>,
    per_day: Option<f64>,
) -> Result<Option<SimDur>> {
    match (headway, per_day) {
        (None, None) => Ok(None),
        (Some(h), None) => Ok(Some(positive_duration(ctx, &format!("{p}.headway"), h)?)),
        (None, Some(n)) => {
            // The headway, 24 h / n, must lie within [1 ms, the longest duration].
            let (least, most) = (86_400.0 / MAX_SECS, 86_400.0 / MIN_POSITIVE_SECS);
            let rule = format!(
                "trains per day must be > 0, from {least:.3e} (a headway of at most {MAX_TEXT}) to {most} (a headway of at least 1 ms)"
            );
            let ok = n.is_finite() && n > 0.0 && (least..=most).contains(&n);
            let n = number(ctx, format_args!("{p}.trains_per_day"), n, ok, &rule)?;
            Ok(Some(SimDur::from_secs_f64(86_400.0 / n)))
        }
        (Some(_), Some(_)) => Err(ctx.err(
            &p.to_string(),
            "give the path capacity as `headway` or as `trains_per_day`, not both",
        )),
    }
}

/// A whole number at `path` within `range`; else "`v` is not allowed; `rule`". The path and
/// the rule are written out for the message only (`format_args!` costs nothing until then).
pub(super) fn whole(
    ctx: &Ctx,
    path: impl Display,
    v: i64,
    range: RangeInclusive<i64>,
    rule: impl Display,
) -> Result<i64> {
    if range.contains(&v) {
        return Ok(v);
    }
    Err(ctx.err(&path.to_string(), format!("{v} is not allowed; {rule}")))
}

/// A finite number > 0 at `path`; else "`v` is not allowed; `rule`".
pub(super) fn positive(ctx: &Ctx, path: impl Display, v: f64, rule: &str) -> Result<f64> {
    number(ctx, path, v, v.is_finite() && v > 0.0, rule)
}

/// A number at `path` that must satisfy `ok`; else "`v` is not allowed; `rule`" (the path is
/// written out for the message only).
pub(super) fn number(ctx: &Ctx, path: impl Display, v: f64, ok: bool, rule: &str) -> Result<f64> {
    if ok {
        return Ok(v);
    }
    Err(ctx.err(
        &path.to_string(),
        format!("{} is not allowed; {rule}", figure(v)),
    ))
}

/// A number as a message shows it: as written for everyday sizes, in scientific notation
/// beyond them (`1e300`, not 301 digits).
pub(crate) fn figure(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// TEU per wagon (`{p}.teu_per_wagon`) of a station with service per wagon or of a service with
/// its capacity in wagons: > 0 and <= 10.
pub(super) fn teu_per_wagon(ctx: &Ctx, p: &str, t: f64) -> Result<f64> {
    let ok = t.is_finite() && t > 0.0 && t <= 10.0;
    let rule = "TEU per wagon must be > 0 and <= 10";
    number(ctx, format_args!("{p}.teu_per_wagon"), t, ok, rule)
}

/// A node's position (`{p}.lat`, `{p}.lon`): both or neither, each a finite number of degrees
/// in its range (WGS 84).
pub(crate) fn position(
    ctx: &Ctx,
    p: &str,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Result<Option<Position>> {
    let (lat, lon) = match (lat, lon) {
        (None, None) => return Ok(None),
        (Some(lat), Some(lon)) => (lat, lon),
        (Some(_), None) | (None, Some(_)) => {
            let (given, missing) = if lat.is_some() {
                ("lat", "lon")
            } else {
                ("lon", "lat")
            };
            return Err(ctx.err(
                &format!("{p}.{missing}"),
                format!(
                    "`{given}` is given without `{missing}`; give both (degrees, WGS 84) or neither"
                ),
            ));
        }
    };
    let check = |field: &str, v: f64, max: f64, what: &str| {
        let ok = v.is_finite() && (-max..=max).contains(&v);
        let rule = format!("{what} must be a number of degrees from -{max} to {max} (WGS 84)");
        number(ctx, format_args!("{p}.{field}"), v, ok, &rule)
    };
    Ok(Some(Position {
        lat: check("lat", lat, 90.0, "latitude")?,
        lon: check("lon", lon, 180.0, "longitude")?,
    }))
}
