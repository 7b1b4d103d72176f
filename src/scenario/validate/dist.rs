//! Distributions: the families and their parameters, and empirical data read from CSV files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Ctx;
use super::values::{self, number, whole};
use crate::engine::dist::Dist;
use crate::error::{Error, Result};
use crate::scenario::duration::Duration;
use crate::scenario::file::DistSpec;

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

pub(super) fn build_dist(
    ctx: &Ctx,
    p: &str,
    d: &DistSpec,
    emp: &mut EmpiricalCache,
) -> Result<Dist> {
    let Some(&(family, params)) = FAMILIES.iter().find(|(f, _)| *f == d.dist) else {
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
                    "`{g}` is not a parameter of `{family}`; it takes: {}",
                    params.join(", ")
                ),
            ));
        }
    }
    let need = |name: &str| {
        ctx.err(
            p,
            format!(
                "`{family}` needs `{name}` (it takes: {})",
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
        let ok = c.is_finite() && if positive_only { c > 0.0 } else { c >= 0.0 };
        let rule = if positive_only { "> 0" } else { ">= 0" };
        let rule = format!("the coefficient of variation must be {rule}");
        number(ctx, &format!("{p}.cv"), c, ok, &rule)
    };
    let built = match family {
        "fixed" => Dist::fixed(non_negative("value", &d.value)?),
        "exponential" => Dist::exponential(positive("mean", &d.mean)?),
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
            Dist::triangular(min, mode, max)
        }
        "normal" => Dist::normal(positive("mean", &d.mean)?, non_negative("sd", &d.sd)?),
        "lognormal" => Dist::lognormal(positive("mean", &d.mean)?, cv(false)?),
        "gamma" => Dist::gamma(positive("mean", &d.mean)?, cv(true)?),
        "erlang" => {
            let k = d.k.ok_or_else(|| need("k"))?;
            let rule = "the number of phases k must be a whole number from 1 to 1000";
            whole(ctx, &format!("{p}.k"), k, 1..=1000, rule)?;
            Dist::erlang(k as u32, positive("mean", &d.mean)?)
        }
        "weibull" => {
            let shape = d.shape.ok_or_else(|| need("shape"))?;
            values::positive(ctx, &format!("{p}.shape"), shape, "shape must be > 0")?;
            Dist::weibull(shape, positive("scale", &d.scale)?)
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
            let values = emp.load(ctx, p, &ctx.dir().join(file), column)?;
            Dist::empirical(values.iter().map(|v| v * scale).collect())
        }
        _ => unreachable!("every family in FAMILIES is handled"),
    };
    built.map_err(|e| ctx.err(p, e.0))
}

/// Empirical CSV columns, read once per (file, column).
#[derive(Default)]
pub(crate) struct EmpiricalCache {
    loaded: HashMap<(PathBuf, String), Vec<f64>>,
    /// The files read, each once, in order.
    files: Vec<PathBuf>,
}

impl EmpiricalCache {
    pub(super) fn load(
        &mut self,
        ctx: &Ctx,
        p: &str,
        path: &Path,
        column: &str,
    ) -> Result<&Vec<f64>> {
        let key = (path.to_path_buf(), column.to_string());
        if !self.loaded.contains_key(&key) {
            let values = read_column(ctx, p, path, column)?;
            self.loaded.insert(key.clone(), values);
            if !self.files.contains(&key.0) {
                self.files.push(key.0.clone());
            }
        }
        Ok(&self.loaded[&key])
    }

    /// The files read, each once, in the order first read.
    pub(super) fn into_files(self) -> Vec<PathBuf> {
        self.files
    }
}

pub(super) fn read_column(ctx: &Ctx, p: &str, path: &Path, column: &str) -> Result<Vec<f64>> {
    let file_err = |line: Option<usize>, msg: String| Error::Scenario {
        file: path.to_path_buf(),
        line_col: line.map(|l| (l, 1)),
        path: String::new(),
        message: format!("{msg} (empirical data for {p} in {})", ctx.file.display()),
    };
    let f = std::fs::File::open(path).map_err(|e| {
        ctx.err(
            &format!("{p}.file"),
            format!(
                "cannot open empirical data file \"{}\": {e}",
                path.display()
            ),
        )
    })?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(f);
    let headers = rdr
        .headers()
        .map_err(|e| file_err(Some(1), format!("cannot read the header row: {e}")))?
        .clone();
    let Some(ci) = headers.iter().position(|h| h.trim() == column) else {
        let names: Vec<&str> = headers.iter().collect();
        return Err(ctx.err(
            &format!("{p}.column"),
            format!(
                "column \"{column}\" is not in \"{}\"; its columns are: {}",
                path.display(),
                names.join(", ")
            ),
        ));
    };
    let mut values = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            file_err(
                e.position().map(|pos| pos.line() as usize),
                format!("cannot read: {e}"),
            )
        })?;
        let line = rec.position().map_or(0, |pos| pos.line() as usize);
        let cell = rec.get(ci).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v: f64 = cell.parse().map_err(|_| {
            file_err(
                Some(line),
                format!("column \"{column}\" holds \"{cell}\", which is not a number"),
            )
        })?;
        if !v.is_finite() || v < 0.0 {
            return Err(file_err(
                Some(line),
                format!("column \"{column}\" holds {cell}; durations must be finite and >= 0"),
            ));
        }
        values.push(v);
    }
    if values.is_empty() {
        return Err(ctx.err(
            &format!("{p}.column"),
            format!(
                "column \"{column}\" of \"{}\" has no numeric values",
                path.display()
            ),
        ));
    }
    Ok(values)
}
