//! Distributions: the families and their parameters, and empirical data read from CSV files.

use std::fmt::Display;
use std::sync::Arc;

use super::Ctx;
pub(crate) use super::empirical::EmpiricalCache;
use super::resolution::{Family, MAX_SHARE_UNDER, RESOLUTION_SECS};
use super::values::{self, number, whole};
use crate::engine::dist::Dist;
use crate::error::Result;
use crate::scenario::duration::{Duration, MAX_SECS, MAX_TEXT};
use crate::scenario::file::{DistSpec, WeatherSpec};

/// The parameters each distribution family takes, in the order they are documented.
pub const FAMILIES: &[(&str, &[&str])] = &[
    ("fixed", &["value"]),
    ("exponential", &["mean"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["mean", "cv"]),
    ("gamma", &["mean", "cv"]),
    ("erlang", &["k", "mean"]),
    ("weibull", &["shape", "scale"]),
    ("empirical", &["file", "column", "unit"]),
];

pub(super) fn given(d: &DistSpec) -> Vec<&'static str> {
    let mut v = Vec::new();
    let mut add = |present: bool, name: &'static str| {
        if present {
            v.push(name)
        }
    };
    add(d.value.is_some(), "value");
    add(d.mean.is_some(), "mean");
    add(d.min.is_some(), "min");
    add(d.mode.is_some(), "mode");
    add(d.max.is_some(), "max");
    add(d.sd.is_some(), "sd");
    add(d.scale.is_some(), "scale");
    add(d.cv.is_some(), "cv");
    add(d.k.is_some(), "k");
    add(d.shape.is_some(), "shape");
    add(d.file.is_some(), "file");
    add(d.column.is_some(), "column");
    add(d.unit.is_some(), "unit");
    v
}

/// The largest coefficient of variation of `lognormal` and `gamma`: far beyond any real
/// duration (the gamma's shape 1/cv² stays a normal number).
pub(crate) const MAX_CV: f64 = 1000.0;

pub(super) fn build_dist(
    ctx: &Ctx,
    p: impl Display + Copy,
    d: &DistSpec,
    emp: &mut EmpiricalCache,
) -> Result<Dist> {
    build_family(ctx, p, d, emp).map(|(dist, _)| dist)
}

/// A distribution of times that must be positive (times between arrivals): as [`build_dist`],
/// and a draw under 1 ms (which the clock rounds to 0 ms or 1 ms) must have a chance of at most
/// 1 in 1000, or consignments would pile up at one instant.
pub(super) fn build_positive_dist(
    ctx: &Ctx,
    p: impl Display + Copy,
    d: &DistSpec,
    emp: &mut EmpiricalCache,
    what: &str,
    speedup: f64,
) -> Result<Dist> {
    let (dist, family) = build_family(ctx, p, d, emp)?;
    // Draws are divided by `speedup` (a demand factor): a draw under `speedup` ms gives one
    // under 1 ms.
    let share = family.cdf(RESOLUTION_SECS * speedup);
    if share <= MAX_SHARE_UNDER {
        return Ok(dist);
    }
    let rule = format!(
        "{what} must be at least 1 ms (the clock's resolution) in all but at most 1 in 1000 draws, or draws that round to 0 ms put many at the same instant"
    );
    let message = match (&family, &d.value) {
        (Family::Fixed(_), Some(v)) => {
            return Err(ctx.err(
                &format!("{p}.value"),
                format!("\"{}\" is under 1 ms; {rule}", v.text),
            ));
        }
        (Family::Empirical(v), _) => format!(
            "{} of the {} values of column \"{}\" are under 1 ms; {rule}",
            (share * v.len() as f64).round(),
            v.len(),
            d.column.as_deref().unwrap_or_default()
        ),
        _ => {
            let share = if share >= 0.01 {
                format!("{share:.2}")
            } else {
                format!("{share:.4}")
            };
            format!(
                "{} draws a time under 1 ms with probability {share}; {rule}",
                inline(d)
            )
        }
    };
    Err(ctx.err(&p.to_string(), message))
}

/// A distribution as an inline table, for messages: `{ dist = "exponential", mean = "0.5s" }`.
fn inline(d: &DistSpec) -> String {
    let dur = |v: &Option<Duration>| v.as_ref().map(|x| format!("\"{}\"", x.text));
    let fields = [
        ("value", dur(&d.value)),
        ("mean", dur(&d.mean)),
        ("min", dur(&d.min)),
        ("mode", dur(&d.mode)),
        ("max", dur(&d.max)),
        ("sd", dur(&d.sd)),
        ("scale", dur(&d.scale)),
        ("cv", d.cv.map(|x| x.to_string())),
        ("k", d.k.map(|x| x.to_string())),
        ("shape", d.shape.map(|x| x.to_string())),
    ];
    let mut s = format!("{{ dist = \"{}\"", d.dist);
    for (name, v) in fields {
        if let Some(v) = v {
            s.push_str(&format!(", {name} = {v}"));
        }
    }
    s + " }"
}

/// The distribution and its family with parameters in seconds.
fn build_family(
    ctx: &Ctx,
    p: impl Display + Copy,
    d: &DistSpec,
    emp: &mut EmpiricalCache,
) -> Result<(Dist, Family)> {
    let Some(&(family_name, params)) = FAMILIES.iter().find(|(f, _)| *f == d.dist) else {
        let names: Vec<&str> = FAMILIES.iter().map(|(f, _)| *f).collect();
        return Err(ctx.err(
            &format!("{p}.dist"),
            format!(
                "unknown distribution \"{}\"; allowed: {}",
                d.dist,
                names.join(", ")
            ),
        ));
    };
    for g in given(d) {
        if !params.contains(&g) {
            return Err(ctx.err(
                &format!("{p}.{g}"),
                format!(
                    "`{g}` is not a parameter of `{family_name}`; it takes: {}",
                    params.join(", ")
                ),
            ));
        }
    }
    let need = |name: &str| {
        ctx.err(
            &p.to_string(),
            format!(
                "`{family_name}` needs `{name}` (it takes: {})",
                params.join(", ")
            ),
        )
    };
    let dur = |name: &str, v: &Option<Duration>| -> Result<f64> {
        v.as_ref().map(|d| d.secs).ok_or_else(|| need(name))
    };
    let text = |v: &Option<Duration>| v.as_ref().map_or(String::new(), |d| d.text.clone());
    let positive = |name: &str, v: &Option<Duration>| -> Result<f64> {
        let x = dur(name, v)?;
        if x <= 0.0 {
            return Err(ctx.err(
                &format!("{p}.{name}"),
                format!("\"{}\" is not allowed; `{name}` must be > 0", text(v)),
            ));
        }
        Ok(x)
    };
    let non_negative = |name: &str, v: &Option<Duration>| -> Result<f64> {
        let x = dur(name, v)?;
        if x < 0.0 {
            return Err(ctx.err(
                &format!("{p}.{name}"),
                format!("\"{}\" is not allowed; `{name}` must be >= 0", text(v)),
            ));
        }
        Ok(x)
    };
    let cv = |positive_only: bool| -> Result<f64> {
        let c = d.cv.ok_or_else(|| need("cv"))?;
        let ok = c <= MAX_CV && if positive_only { c > 0.0 } else { c >= 0.0 };
        let rule = if positive_only { "> 0" } else { ">= 0" };
        let rule = format!("the coefficient of variation must be {rule} and at most {MAX_CV}");
        number(ctx, format_args!("{p}.cv"), c, ok, &rule)
    };
    let family;
    let built = match family_name {
        "fixed" => {
            let v = non_negative("value", &d.value)?;
            family = Family::Fixed(v);
            Dist::fixed(v)
        }
        "exponential" => {
            let mean = positive("mean", &d.mean)?;
            family = Family::Exponential { mean };
            Dist::exponential(mean)
        }
        "uniform" => {
            let min = non_negative("min", &d.min)?;
            let max = non_negative("max", &d.max)?;
            if max < min {
                return Err(ctx.err(
                    &format!("{p}.max"),
                    format!(
                        "max \"{}\" is less than min \"{}\"; need min <= max",
                        text(&d.max),
                        text(&d.min)
                    ),
                ));
            }
            family = Family::Uniform { min, max };
            Dist::uniform(min, max)
        }
        "triangular" => {
            let min = non_negative("min", &d.min)?;
            let mode = non_negative("mode", &d.mode)?;
            let max = non_negative("max", &d.max)?;
            if max <= min {
                return Err(ctx.err(
                    &format!("{p}.max"),
                    format!(
                        "max \"{}\" is not greater than min \"{}\"; need min < max",
                        text(&d.max),
                        text(&d.min)
                    ),
                ));
            }
            if !(min..=max).contains(&mode) {
                return Err(ctx.err(
                    &format!("{p}.mode"),
                    format!(
                        "mode \"{}\" lies outside [min, max] = [\"{}\", \"{}\"]",
                        text(&d.mode),
                        text(&d.min),
                        text(&d.max)
                    ),
                ));
            }
            family = Family::Triangular { min, mode, max };
            Dist::triangular(min, mode, max)
        }
        "normal" => {
            let (mean, sd) = (positive("mean", &d.mean)?, non_negative("sd", &d.sd)?);
            family = Family::Normal { mean, sd };
            Dist::normal(mean, sd)
        }
        "lognormal" => {
            let (mean, cv) = (positive("mean", &d.mean)?, cv(false)?);
            family = Family::LogNormal { mean, cv };
            Dist::lognormal(mean, cv)
        }
        "gamma" => {
            let (mean, cv) = (positive("mean", &d.mean)?, cv(true)?);
            let shape = 1.0 / (cv * cv);
            family = Family::Gamma {
                shape,
                scale: mean / shape,
            };
            Dist::gamma(mean, cv)
        }
        "erlang" => {
            let k = d.k.ok_or_else(|| need("k"))?;
            let rule = "the number of phases k must be a whole number from 1 to 1000";
            whole(ctx, format_args!("{p}.k"), k, 1..=1000, rule)?;
            let mean = positive("mean", &d.mean)?;
            family = Family::Gamma {
                shape: k as f64,
                scale: mean / k as f64,
            };
            Dist::erlang(k as u32, mean)
        }
        "weibull" => {
            let shape = d.shape.ok_or_else(|| need("shape"))?;
            values::positive(ctx, format_args!("{p}.shape"), shape, "shape must be > 0")?;
            let scale = positive("scale", &d.scale)?;
            family = Family::Weibull { shape, scale };
            Dist::weibull(shape, scale)
        }
        "empirical" => {
            let file = d.file.as_ref().ok_or_else(|| need("file"))?;
            let column = d.column.as_ref().ok_or_else(|| need("column"))?;
            let unit = d.unit.as_deref().unwrap_or("h");
            let scale = match unit {
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3_600.0,
                "d" => 86_400.0,
                "w" => 604_800.0,
                other => {
                    return Err(ctx.err(
                        &format!("{p}.unit"),
                        format!(
                            "unknown unit \"{other}\"; allowed: {}",
                            crate::scenario::duration::UNITS
                        ),
                    ));
                }
            };
            let (dist, secs) = emp.dist(ctx, &p.to_string(), file, column, scale, |values| {
                let secs: Arc<[f64]> = values.iter().map(|v| v * scale).collect();
                if let Some(&v) = secs.iter().find(|&&v| v > MAX_SECS) {
                    return Err(ctx.err(
                        &format!("{p}.column"),
                        format!(
                            "column \"{column}\" holds {} {unit}; a duration is at most {MAX_TEXT}",
                            v / scale
                        ),
                    ));
                }
                let dist = Dist::empirical_shared(secs.clone())
                    .map_err(|e| ctx.err(&p.to_string(), e.0))?;
                Ok((dist, secs))
            })?;
            family = Family::Empirical(secs);
            Ok(dist)
        }
        _ => unreachable!("every family in FAMILIES is handled"),
    };
    let built = built.map_err(|e| ctx.err(&p.to_string(), e.0))?;
    let mean = built.mean_secs();
    if mean.is_nan() || mean > MAX_SECS {
        let mean = match mean.is_finite() {
            true => format!("a mean of {mean:.3e} s"),
            false => "a mean too large to compute".into(),
        };
        return Err(ctx.err(
            &p.to_string(),
            format!("{} has {mean}; a duration is at most {MAX_TEXT}", inline(d)),
        ));
    }
    Ok((built, family))
}

/// Random closures as validated: the (mean) daily probability, the duration, and the
/// probabilities per month if given.
pub(super) type RandomClosures = (f64, Dist, Option<[f64; 12]>);

/// Random closures at `p` (a sea leg's `weather`, a pipeline's `outages`): the daily probability,
/// in [0, 1], and the duration distribution. With `seasonal`, `monthly_probability` (twelve
/// probabilities, January first) may replace `daily_probability`: they come back as the
/// second value, and the first is their mean.
pub(super) fn random_closures(
    ctx: &Ctx,
    p: &str,
    spec: &Option<WeatherSpec>,
    emp: &mut EmpiricalCache,
    seasonal: bool,
) -> Result<Option<RandomClosures>> {
    let Some(w) = spec else {
        return Ok(None);
    };
    let rule = "a probability must be in [0, 1]";
    let (q, months) = match (w.daily_probability, &w.monthly_probability) {
        (Some(q), None) => {
            number(
                ctx,
                format_args!("{p}.daily_probability"),
                q,
                (0.0..=1.0).contains(&q),
                rule,
            )?;
            (q, None)
        }
        (None, Some(m)) if seasonal => {
            let at = format!("{p}.monthly_probability");
            if m.len() != 12 {
                return Err(ctx.err(
                    &at,
                    format!(
                        "{} values given; give twelve daily probabilities, one per month from January to December",
                        m.len()
                    ),
                ));
            }
            let mut months = [0.0; 12];
            for (k, &q) in m.iter().enumerate() {
                months[k] = number(
                    ctx,
                    format_args!("{at}[{k}]"),
                    q,
                    (0.0..=1.0).contains(&q),
                    rule,
                )?;
            }
            (months.iter().sum::<f64>() / 12.0, Some(months))
        }
        (None, Some(_)) => {
            return Err(ctx.err(
                &format!("{p}.monthly_probability"),
                "monthly probabilities are for services' weather only; give `daily_probability`",
            ));
        }
        (None, None) => {
            return Err(ctx.err(
                p,
                if seasonal {
                    "give `daily_probability` (or `monthly_probability`, twelve values)"
                } else {
                    "give `daily_probability`"
                },
            ));
        }
        (Some(_), Some(_)) => {
            return Err(ctx.err(
                p,
                "give `daily_probability` or `monthly_probability`, not both",
            ));
        }
    };
    let duration = build_dist(ctx, &format!("{p}.duration"), &w.duration, emp)?;
    Ok(Some((q, duration, months)))
}
