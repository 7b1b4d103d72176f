//! Demand over time: `[profile]`, a flow's `profile`, `start` and `end`, into the flow's
//! [`Profile`] m(t) (see `engine/profile.rs`).

use super::{Ctx, MAX_DEMAND, values};
use crate::engine::hours;
use crate::engine::profile::{MS_PER_YEAR, Profile, Shape};
use crate::engine::time::MS_PER_DAY;
use crate::error::Result;
use crate::scenario::file::{FlowSpec, ProfileSpec};

/// Largest compound growth per year: +1000 % a year.
const MAX_GROWTH: f64 = 10.0;

/// A checked profile section, in simulation milliseconds.
#[derive(Clone, Debug, Default)]
pub(super) struct Parts {
    growth: f64,
    monthly: Option<[f64; 12]>,
    weekly: Option<[f64; 7]>,
    steps: Vec<(u64, f64)>,
    ramps: Vec<(i64, i64, f64)>,
}

/// A date at `path` as milliseconds from time zero (negative before it).
fn date_ms(ctx: &Ctx, path: &str, s: &str, start_day: i64) -> Result<i64> {
    let day = hours::parse_date(s).map_err(|e| ctx.err(path, e))?;
    Ok((day - start_day) * MS_PER_DAY as i64)
}

/// A factor of a profile: finite, from 0 to [`MAX_DEMAND`].
fn factor(ctx: &Ctx, path: &str, x: f64) -> Result<f64> {
    if !(0.0..=MAX_DEMAND).contains(&x) {
        return Err(ctx.err(
            path,
            format!(
                "{} is not allowed; a profile factor multiplies the arrival rate and must be from 0 to {MAX_DEMAND}",
                values::figure(x)
            ),
        ));
    }
    Ok(x)
}

/// `n` factors (12 months or 7 days) at `path`.
fn factors<const N: usize>(
    ctx: &Ctx,
    path: &str,
    v: &Option<Vec<f64>>,
    what: &str,
) -> Result<Option<[f64; N]>> {
    let Some(v) = v else { return Ok(None) };
    if v.len() != N {
        return Err(ctx.err(
            path,
            format!("{} values given; give exactly {N}, {what}", v.len()),
        ));
    }
    let mut out = [0.0; N];
    for (i, (o, x)) in out.iter_mut().zip(v).enumerate() {
        *o = factor(ctx, &format!("{path}[{i}]"), *x)?;
    }
    if out.iter().all(|x| *x == 0.0) {
        return Err(ctx.err(
            path,
            "every factor is 0, so no consignment would ever be created; give at least one > 0",
        ));
    }
    Ok(Some(out))
}

/// Checks a profile section at `p` (`profile` or `flows[i].profile`).
pub(super) fn parts(ctx: &Ctx, p: &str, s: &ProfileSpec, start_day: i64) -> Result<Parts> {
    let growth = match s.growth {
        None => 0.0,
        Some(g) => {
            if !(g > -1.0 && g <= MAX_GROWTH) {
                return Err(ctx.err(
                    &format!("{p}.growth"),
                    format!(
                        "{} is not allowed; growth is a fraction per year (0.1 = +10 % a year, compound), above -1 and at most {MAX_GROWTH}",
                        values::figure(g)
                    ),
                ));
            }
            g.ln_1p() / MS_PER_YEAR
        }
    };
    let monthly = factors::<12>(
        ctx,
        &format!("{p}.monthly"),
        &s.monthly,
        "one per month from January to December",
    )?;
    let weekly = factors::<7>(
        ctx,
        &format!("{p}.weekly"),
        &s.weekly,
        "one per day from Monday to Sunday",
    )?;
    let mut steps = Vec::with_capacity(s.steps.len());
    for (i, st) in s.steps.iter().enumerate() {
        let at = date_ms(ctx, &format!("{p}.steps[{i}].from"), &st.from, start_day)?;
        let f = factor(ctx, &format!("{p}.steps[{i}].factor"), st.factor)?;
        steps.push((at.max(0) as u64, f));
    }
    let mut ramps: Vec<(i64, i64, f64, usize)> = Vec::with_capacity(s.ramps.len());
    for (i, r) in s.ramps.iter().enumerate() {
        let q = format!("{p}.ramps[{i}]");
        let from = date_ms(ctx, &format!("{q}.from"), &r.from, start_day)?;
        let to = date_ms(ctx, &format!("{q}.to"), &r.to, start_day)?;
        if to <= from {
            return Err(ctx.err(
                &format!("{q}.to"),
                format!(
                    "\"{}\" is not after `from` (\"{}\"); a ramp needs a later end date",
                    r.to, r.from
                ),
            ));
        }
        let f = factor(ctx, &format!("{q}.factor"), r.factor)?;
        ramps.push((from, to, f, i));
    }
    ramps.sort_by_key(|r| (r.0, r.3));
    for w in ramps.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(ctx.err(
                &format!("{p}.ramps[{}]", w[1].3),
                format!(
                    "overlaps {p}.ramps[{}] (\"{}\" to \"{}\"); the ramps of one profile must not overlap: start one where the other ends",
                    w[0].3, s.ramps[w[0].3].from, s.ramps[w[0].3].to
                ),
            ));
        }
    }
    Ok(Parts {
        growth,
        monthly,
        weekly,
        steps,
        ramps: ramps.into_iter().map(|r| (r.0, r.1, r.2)).collect(),
    })
}

/// The scenario's `[profile]`, if any.
pub(super) fn scenario_parts(
    ctx: &Ctx,
    s: Option<&ProfileSpec>,
    start_day: i64,
) -> Result<Option<Parts>> {
    s.map(|s| parts(ctx, "profile", s, start_day)).transpose()
}

/// Flow `i`'s profile: the scenario's parts times its own, on its `start` to `end`; `None` when
/// it is 1 throughout. Also checks that the flow creates something and that the demand factor
/// times the profile's peak stays at most [`MAX_DEMAND`].
#[allow(clippy::too_many_arguments)]
pub(super) fn flow_profile(
    ctx: &Ctx,
    i: usize,
    f: &FlowSpec,
    scenario: Option<&Parts>,
    start_day: i64,
    horizon: u64,
    demand: f64,
) -> Result<Option<Profile>> {
    if scenario.is_none() && f.profile.is_none() && f.start.is_none() && f.end.is_none() {
        return Ok(None);
    }
    let p = format!("flows[{i}]");
    let own = f
        .profile
        .as_ref()
        .map(|s| parts(ctx, &format!("{p}.profile"), s, start_day))
        .transpose()?;
    let mut shape = Shape {
        on: (0, u64::MAX),
        ..Default::default()
    };
    for part in [scenario, own.as_ref()].into_iter().flatten() {
        shape.growth += part.growth;
        if let Some(m) = part.monthly {
            let cur = shape.monthly.get_or_insert([1.0; 12]);
            cur.iter_mut().zip(m).for_each(|(c, x)| *c *= x);
        }
        if let Some(w) = part.weekly {
            let cur = shape.weekly.get_or_insert([1.0; 7]);
            cur.iter_mut().zip(w).for_each(|(c, x)| *c *= x);
        }
        shape.steps.extend(&part.steps);
        shape.ramps.extend(&part.ramps);
    }
    let start = f
        .start
        .as_deref()
        .map(|s| date_ms(ctx, &format!("{p}.start"), s, start_day))
        .transpose()?;
    // `end` is the last day with consignments: m is 0 from the next midnight on.
    let end = f
        .end
        .as_deref()
        .map(|s| date_ms(ctx, &format!("{p}.end"), s, start_day).map(|e| e + MS_PER_DAY as i64))
        .transpose()?;
    if let (Some(a), Some(b)) = (start, end)
        && b - (MS_PER_DAY as i64) < a
    {
        return Err(ctx.err(
            &format!("{p}.end"),
            format!(
                "\"{}\" is before `start` (\"{}\"); `end` is the last day on which consignments are created, on or after `start`",
                f.end.as_deref().unwrap_or_default(),
                f.start.as_deref().unwrap_or_default()
            ),
        ));
    }
    if let Some(e) = end
        && e <= 0
    {
        return Err(ctx.err(
            &format!("{p}.end"),
            format!(
                "\"{}\" is before the scenario's start date; the flow would create nothing",
                f.end.as_deref().unwrap_or_default()
            ),
        ));
    }
    if let Some(s) = start
        && s >= horizon as i64
    {
        return Err(ctx.err(
            &format!("{p}.start"),
            format!(
                "\"{}\" is at or after the end of the horizon; the flow would create nothing",
                f.start.as_deref().unwrap_or_default()
            ),
        ));
    }
    shape.on = (
        start.unwrap_or(0).max(0) as u64,
        end.map_or(u64::MAX, |e| e as u64),
    );
    let profile = Profile::new(&shape, start_day, horizon);
    if profile.is_one() {
        return Ok(None);
    }
    if profile.total() <= 0.0 || profile.total().is_nan() {
        return Err(ctx.err(
            &p,
            "the demand profile (with `start` and `end`) is 0 over the whole horizon, so the flow would create nothing",
        ));
    }
    let peak = profile.peak() * demand;
    if peak > MAX_DEMAND || peak.is_nan() {
        return Err(ctx.err(
            &format!("{p}.profile"),
            format!(
                "the demand factor times the profile reaches {} before the horizon; it may be at most {MAX_DEMAND}",
                values::figure(peak)
            ),
        ));
    }
    Ok(Some(profile))
}
