//! `corridor sweep SCENARIO --vary PATH=v1,v2,... [--vary ...]`: run every point of a grid and
//! write one `sweep.csv`, the long format of summary.csv with a column per varied path.
//!
//! - Values are a list (`nodes.PORT_POTI.servers=2,3,4`) or a range
//!   `start..end:step` of numbers (`flows.f.teu=10..50:10`) or of durations with one unit
//!   (`scenario.horizon=100d..400d:100d`). A range runs from start up to end in exact decimal
//!   steps (no floating-point drift: `0.1..0.3:0.1` gives 0.1, 0.2, 0.3).
//! - The grid is the cartesian product, numbered in the order of nested loops: the first
//!   `--vary` is the outermost (changes slowest), the last the innermost (changes fastest).
//! - Every point runs with the same seed and replication numbers: common random numbers across
//!   points, so differences between points are not drowned by sampling noise.
//! - Every point is validated before anything runs; a bad point is reported with the value
//!   that makes it bad, and nothing is written.
//! - All (point, replication) pairs form one task list on the worker threads.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::manifest::{self, ShardEntry, SweepEntry};
use super::printout::Printout;
use super::shard::Shard;
use super::{Common, Loaded, apply_counts, load, warn_unstable_at};
use crate::error::{Error, Result};
use crate::report::{self, ReplicationResult, ResultsFolder, SummaryRow, SweepCsv, point_records};
use crate::run::{Runner, events};
use crate::scenario::Model;
use crate::scenario::overrides::Override;
use crate::scenario::resolve;

/// The most values one `--vary` may give.
pub const MAX_VALUES: usize = 10_000;
/// The most points a grid may have.
pub const MAX_POINTS: usize = 1_000_000;

/// One `--vary PATH=VALUES`.
#[derive(Clone, Debug)]
pub struct Vary {
    /// The path as written (the name of its sweep.csv column).
    pub path: String,
    /// Its values, in order, each as an override of the path.
    pub values: Vec<Override>,
}

fn bad(arg: &str, message: impl Into<String>) -> Error {
    Error::Param {
        flag: "--vary",
        arg: arg.to_string(),
        message: message.into(),
    }
}

impl Vary {
    /// Parses `PATH=v1,v2,...` or `PATH=start..end:step`.
    pub fn parse(arg: &str) -> Result<Vary> {
        let Some((path, list)) = arg.split_once('=') else {
            return Err(bad(
                arg,
                "expected PATH=v1,v2,... or PATH=start..end:step, e.g. nodes.PORT_POTI.servers=2,3,4",
            ));
        };
        let (path, list) = (path.trim(), list.trim());
        let raws: Vec<String> = if list.contains("..") {
            range(list).map_err(|m| bad(arg, m))?
        } else {
            list.split(',').map(|v| v.trim().to_string()).collect()
        };
        if raws.iter().any(String::is_empty) {
            return Err(bad(
                arg,
                "a value is empty; separate values with single commas, e.g. 2,3,4",
            ));
        }
        if raws.len() > MAX_VALUES {
            return Err(bad(
                arg,
                format!("gives {} values; at most {MAX_VALUES}", raws.len()),
            ));
        }
        let mut values = Vec::with_capacity(raws.len());
        for raw in &raws {
            let ov = Override::new("--vary", path, raw)?;
            if values
                .iter()
                .any(|v: &Override| v.display_value() == ov.display_value())
            {
                return Err(bad(
                    arg,
                    format!("gives the value {raw} twice; each point must differ"),
                ));
            }
            values.push(ov);
        }
        Ok(Vary {
            path: path.to_string(),
            values,
        })
    }
}

/// A decimal as (integer of units of 10^-decimals, decimals).
fn decimal(s: &str) -> std::result::Result<(i128, u32), String> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && int.len() + frac.len() <= 30;
    if !ok {
        return Err(format!(
            "\"{s}\" is not a plain decimal number (digits, an optional '-' and '.'), as ranges need"
        ));
    }
    let v: i128 = format!("{int}{frac}")
        .parse()
        .map_err(|_| format!("\"{s}\" is too long"))?;
    Ok((if neg { -v } else { v }, frac.len() as u32))
}

/// Expands `start..end:step` into value texts.
fn range(spec: &str) -> std::result::Result<Vec<String>, String> {
    const FORM: &str = "a range is start..end:step, e.g. 2..10:2, 0.5..1.5:0.25 or 100d..400d:100d";
    let (span, step) = spec
        .rsplit_once(':')
        .ok_or(format!("\"{spec}\" has no :step; {FORM}"))?;
    let (start, end) = span.split_once("..").ok_or(format!("\"{spec}\": {FORM}"))?;
    let split_unit = |s: &str| {
        let s = s.trim();
        let n = s.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
        (s[..n].trim().to_string(), s[n..].to_string())
    };
    let parts = [split_unit(start), split_unit(end), split_unit(step)];
    let unit = parts[0].1.clone();
    if parts.iter().any(|p| p.1 != unit) {
        return Err(format!(
            "start, end and step carry different units ({}, {}, {}); use one unit for all three, e.g. 100d..400d:100d",
            if parts[0].1.is_empty() {
                "none"
            } else {
                &parts[0].1
            },
            if parts[1].1.is_empty() {
                "none"
            } else {
                &parts[1].1
            },
            if parts[2].1.is_empty() {
                "none"
            } else {
                &parts[2].1
            },
        ));
    }
    let nums: Vec<(i128, u32)> = parts
        .iter()
        .map(|p| decimal(&p.0))
        .collect::<std::result::Result<_, _>>()?;
    let d = nums.iter().map(|n| n.1).max().unwrap_or(0);
    let scaled: Vec<i128> = nums.iter().map(|&(v, k)| v * 10i128.pow(d - k)).collect();
    let (a, b, s) = (scaled[0], scaled[1], scaled[2]);
    if s <= 0 {
        return Err(format!("the step must be > 0; {FORM}"));
    }
    if b < a {
        return Err(format!("the end is below the start; {FORM}"));
    }
    let count = (b - a) / s + 1;
    if count > MAX_VALUES as i128 {
        return Err(format!(
            "the range has {count} values; at most {MAX_VALUES}"
        ));
    }
    Ok((0..count)
        .map(|i| {
            let v = a + i * s;
            let text = if d == 0 {
                v.to_string()
            } else {
                let p = 10i128.pow(d);
                let sign = if v < 0 { "-" } else { "" };
                let frac = format!("{:0width$}", (v.abs() % p), width = d as usize);
                let frac = frac.trim_end_matches('0');
                let frac = if frac.is_empty() { "0" } else { frac };
                format!("{sign}{}.{frac}", v.abs() / p)
            };
            format!("{text}{unit}")
        })
        .collect())
}

/// The points of the grid: for each point, the index of its value in each `Vary`. The first
/// `Vary` is the outermost loop.
pub fn grid(varies: &[Vary]) -> Result<Vec<Vec<usize>>> {
    let total = varies
        .iter()
        .try_fold(1usize, |acc, v| acc.checked_mul(v.values.len()))
        .filter(|&t| t <= MAX_POINTS)
        .ok_or_else(|| {
            Error::Usage(format!(
                "the grid of {} has more than {MAX_POINTS} points; split the study",
                varies
                    .iter()
                    .map(|v| format!("{} values of {}", v.values.len(), v.path))
                    .collect::<Vec<_>>()
                    .join(" x ")
            ))
        })?;
    let mut points = Vec::with_capacity(total);
    for mut i in 0..total {
        let mut p = vec![0; varies.len()];
        for (k, v) in varies.iter().enumerate().rev() {
            p[k] = i % v.values.len();
            i /= v.values.len();
        }
        points.push(p);
    }
    Ok(points)
}

/// Options of `corridor sweep`.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The `--vary` options, in order.
    pub vary: Vec<Vary>,
    /// `--out` (default `results/<name>-sweep`, or `.../shard-K-of-N`).
    pub out: Option<PathBuf>,
    /// `--shard K/N`: this process runs the points p with p mod N = K.
    pub shard: Option<Shard>,
    /// Shared options.
    pub common: Common,
}

/// A sweep's points, resolved and validated.
pub struct Plan {
    /// The scenario without the varied values.
    pub base: Loaded,
    /// Every point's values (display form), numbered from 0.
    pub points: Vec<Vec<String>>,
    /// The models of the points this process runs, with their numbers.
    pub models: Vec<(usize, Model)>,
}

/// Loads the scenario and resolves every point of the grid; runs nothing.
pub fn plan(opts: &SweepOptions) -> Result<Plan> {
    let c = &opts.common;
    if opts.vary.is_empty() {
        return Err(Error::Usage(
            "sweep needs at least one --vary PATH=v1,v2,... (e.g. --vary nodes.PORT_POTI.servers=2,3,4)".into(),
        ));
    }
    for (i, v) in opts.vary.iter().enumerate() {
        if opts.vary[..i].iter().any(|w| w.path == v.path) {
            return Err(bad(
                &v.path,
                "this path is varied twice; give its values in one --vary",
            ));
        }
        if c.sets.iter().any(|s| s.path == v.path) {
            return Err(bad(&v.path, "this path is both --set and --vary; drop one"));
        }
    }
    let base = load(&opts.scenario, &c.sets, &c.digitisation)?;
    let src = std::fs::read_to_string(&opts.scenario).map_err(|source| Error::Read {
        file: opts.scenario.clone(),
        source,
    })?;
    let grid = grid(&opts.vary)?;
    let points: Vec<Vec<String>> = grid
        .iter()
        .map(|p| {
            p.iter()
                .zip(&opts.vary)
                .map(|(&i, v)| v.values[i].display_value())
                .collect()
        })
        .collect();
    let mut models = Vec::new();
    for (n, p) in grid.iter().enumerate() {
        if opts.shard.is_some_and(|s| !s.takes(n as u64)) {
            continue;
        }
        let mut ovs = c.sets.clone();
        ovs.extend(p.iter().zip(&opts.vary).map(|(&i, v)| v.values[i].clone()));
        let r = resolve(&opts.scenario, &src, &ovs, &c.digitisation)
            .map_err(|e| point_error(e, n, &points[n], &opts.vary))?;
        // The same field named two ways (`nodes.X.servers` and `nodes[3].servers`).
        for (i, path) in r.changed.iter().enumerate().skip(c.sets.len()) {
            if let Some(j) = r.changed[..i].iter().position(|p| p == path) {
                return Err(bad(
                    &ovs[i].path,
                    format!(
                        "names the same field ({path}) as {} {}; vary each field once",
                        ovs[j].flag, ovs[j].path
                    ),
                ));
            }
        }
        let mut m = r.model;
        apply_counts(&mut m, c)?;
        models.push((n, m));
    }
    Ok(Plan {
        base,
        points,
        models,
    })
}

fn point_error(e: Error, n: usize, values: &[String], vary: &[Vary]) -> Error {
    let at = vary
        .iter()
        .zip(values)
        .map(|(v, x)| format!("{}={x}", v.path))
        .collect::<Vec<_>>()
        .join(", ");
    match e {
        Error::Scenario {
            file,
            line_col,
            path,
            message,
        } => Error::Scenario {
            file,
            line_col,
            path,
            message: format!("{message} [sweep point {n}: {at}]"),
        },
        other => other,
    }
}

/// Runs `corridor sweep`; returns what to print.
pub fn sweep(opts: &SweepOptions) -> Result<Printout> {
    let start = Instant::now();
    let c = &opts.common;
    let plan = plan(opts)?;
    let runner = Runner::new(c.jobs, c.quiet)?;
    let mut base_model = plan.base.model().clone();
    apply_counts(&mut base_model, c)?;
    for (n, m) in &plan.models {
        let at = opts
            .vary
            .iter()
            .zip(&plan.points[*n])
            .map(|(v, x)| format!("{}={x}", v.path))
            .collect::<Vec<_>>()
            .join(" ");
        warn_unstable_at(m, &format!("sweep point {n} ({at}): "));
    }
    let mut folder = ResultsFolder::new(opts.out.clone().unwrap_or_else(|| {
        let d = Path::new("results").join(format!("{}-sweep", base_model.name));
        match opts.shard {
            Some(s) => d.join(s.folder_name()),
            None => d,
        }
    }))?;
    let tasks: Vec<(&Model, u32)> = plan
        .models
        .iter()
        .flat_map(|(_, m)| (0..m.replications).map(move |r| (m, r)))
        .collect();
    let label = format!("{} sweep, {} point(s)", base_model.name, plan.models.len());
    let results = runner.run(&label, &tasks)?;
    let wall = start.elapsed();

    let paths: Vec<String> = opts.vary.iter().map(|v| v.path.clone()).collect();
    let mut rest: &[ReplicationResult] = &results;
    let mut records = Vec::new();
    let mut summaries = Vec::new();
    for (n, m) in &plan.models {
        let (mine, tail) = rest.split_at(m.replications as usize);
        rest = tail;
        let summary = report::summarise(mine);
        records.extend(point_records(&m.name, &plan.points[*n], &summary));
        summaries.push((*n, m, summary));
    }
    let mut m = manifest::new(
        "sweep",
        c,
        vec![plan.base.entry("scenario")],
        (base_model.seed, base_model.replications),
        runner.threads(),
        start,
    );
    m.sweep = Some(SweepEntry {
        vary: paths.clone(),
        points: plan.points.clone(),
    });
    m.shard = opts.shard.map(|s| ShardEntry {
        index: s.index,
        count: s.count,
        replication_numbers: Vec::new(),
        points: plan.models.iter().map(|(n, _)| *n).collect(),
    });
    folder.add(&SweepCsv {
        vary: &paths,
        records: &records,
    })?;
    let written = folder.commit(&mut m)?;
    let mut p = Printout {
        stdout: points_table(&paths, &plan.points, &summaries),
        stderr: String::new(),
    };
    if let Some(s) = opts.shard {
        p.line(format_args!(
            "shard {s}: ran {} of {} point(s); merge all {} shard folders with: corridor merge DIR... --out RESULTS",
            plan.models.len(),
            plan.points.len(),
            s.count
        ));
    }
    p.written(&written);
    p.speed(
        events(&results),
        wall,
        &format!("{} point(s) x replications", plan.models.len()),
    );
    Ok(p)
}

/// A short table: per point and flow, transit mean and throughput.
fn points_table(
    paths: &[String],
    points: &[Vec<String>],
    summaries: &[(usize, &Model, Vec<SummaryRow>)],
) -> String {
    let mut out = String::new();
    let cell = |rows: &[SummaryRow], id: &str, metric: &str| match report::find(
        rows, "flow", id, metric,
    ) {
        Some(s) if s.mean.is_finite() && s.ci95.is_finite() => {
            format!("{:.2} ±{:.2}", s.mean, s.ci95)
        }
        Some(s) if s.mean.is_finite() => format!("{:.2}", s.mean),
        _ => "-".into(),
    };
    let labels: Vec<String> = summaries
        .iter()
        .map(|(n, _, _)| {
            paths
                .iter()
                .zip(&points[*n])
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let w = labels.iter().map(String::len).max().unwrap_or(5).max(5);
    let fw = summaries
        .iter()
        .flat_map(|(_, m, _)| m.flows.iter().map(|f| f.id.len()))
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:>5}  {:<w$}  {:<fw$}  {:>18}  {:>18}",
        "point", "values", "flow", "transit mean h", "TEU/day"
    );
    for ((n, m, rows), label) in summaries.iter().zip(&labels) {
        for f in &m.flows {
            let _ = writeln!(
                out,
                "{:>5}  {:<w$}  {:<fw$}  {:>18}  {:>18}",
                n,
                label,
                f.id,
                cell(rows, &f.id, "transit_mean"),
                cell(rows, &f.id, "throughput"),
            );
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_exact() {
        assert_eq!(range("2..10:2").unwrap(), ["2", "4", "6", "8", "10"]);
        assert_eq!(range("0.1..0.3:0.1").unwrap(), ["0.1", "0.2", "0.3"]);
        assert_eq!(
            range("0.5..1.5:0.25").unwrap(),
            ["0.5", "0.75", "1.0", "1.25", "1.5"]
        );
        assert_eq!(
            range("100d..400d:100d").unwrap(),
            ["100d", "200d", "300d", "400d"]
        );
        assert_eq!(range("1..10:4").unwrap(), ["1", "5", "9"]);
        assert_eq!(range("-1..1:1").unwrap(), ["-1", "0", "1"]);
        for bad in [
            "1..5",
            "5..1:1",
            "1..5:0",
            "1d..5h:1d",
            "1e3..2e3:1",
            "a..b:1",
            "1..5:-1",
        ] {
            assert!(range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn grid_order_first_vary_outermost() {
        let a = Vary::parse("x=1,2").unwrap();
        let b = Vary::parse("y=a,b,c").unwrap();
        let g = grid(&[a, b]).unwrap();
        assert_eq!(g, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
        assert!(Vary::parse("x=1,1").is_err());
        assert!(Vary::parse("x=1,,2").is_err());
        assert!(Vary::parse("x").is_err());
    }
}
