//! `corridor sweep SCENARIO --vary PATH=v1,v2,... [--vary ...]`: run every point of a grid and
//! write one `sweep.csv`, the long format of summary.csv with a column per varied path.
//!
//! - Values are a list (`nodes.PORT_POTI.servers=2,3,4`) or a range
//!   `start..end:step` of numbers (`flows.f.teu=10..50:10`) or of durations with one unit
//!   (`scenario.horizon=100d..400d:100d`). A range runs from start up to end in exact decimal
//!   steps (no floating-point drift: `0.1..0.3:0.1` gives 0.1, 0.2, 0.3). Only numbers make a
//!   range: `../data/x.csv` is one value.
//! - The grid is the cartesian product, numbered in the order of nested loops: the first
//!   `--vary` is the outermost (changes slowest), the last the innermost (changes fastest).
//!   With `--zip`, parameters change together instead: point k takes the k-th value of every
//!   `--vary`, which must all give as many values.
//! - Every point runs with the same seed and replication numbers: common random numbers across
//!   points, so differences between points are not drowned by sampling noise.
//! - Every point is validated before anything runs; a bad point is reported with the value
//!   that makes it bad, and nothing is written.
//! - All (point, replication) pairs form one task list on the worker threads, drawn lazily
//!   (`sweep/tasks.rs`): a point's model is built again when its first replication is drawn and
//!   dropped after its last, each point is summarised as soon as its replications are in and
//!   only its rows and table cells are kept, and empirical data is read once for all points
//!   ([`DataCache`]). A large grid holds one or two points' models at a time.

use std::path::PathBuf;
use std::time::Instant;

use std::path::Path;

use super::manifest::{self, ShardEntry, SweepEntry};
use super::outdir::{check_replace, default_dir};
use super::printout::Printout;
use super::shard::Shard;
use super::{Common, Loaded, apply_counts, changes_scenario, load, warn_unstable_at};
use crate::error::{Error, Result};
use crate::report::{self, ResultsFolder, SweepCsv, point_records};
use crate::run::{Runner, events};
use crate::scenario::overrides::{Override, split_list};
use crate::scenario::{DataCache, Model, resolve_cached};
use table::{point_cells, points_table};
use tasks::PointTasks;

mod table;
mod tasks;

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
        // Commas inside a quoted value do not separate values: "a, b","c".
        let raws: Vec<String> = if is_range(list) {
            range(list).map_err(|m| bad(arg, m))?
        } else {
            split_list(list).map_err(|m| bad(arg, m))?
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

/// Whether the values of a `--vary` are a range: `start..end` (and `:step`, which [`range`]
/// checks) where start and end are plain numbers, each with an optional unit (`2..10:2`,
/// `100d..400d:100d`). Any other text with `..` in it, such as the parent-folder path
/// `../data/x.csv` or a list `a..b,c`, is a list of values.
fn is_range(list: &str) -> bool {
    let number = |s: &str| {
        let s = s.trim();
        let s = s.strip_prefix('-').unwrap_or(s);
        let n = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let (int, frac) = n.split_once('.').unwrap_or((n, ""));
        !int.is_empty()
            && int.chars().all(|c| c.is_ascii_digit())
            && frac.chars().all(|c| c.is_ascii_digit())
    };
    match list.split_once("..") {
        Some((start, rest)) if !list.contains(',') => {
            number(start) && number(rest.split_once(':').map_or(rest, |(end, _)| end))
        }
        _ => false,
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

/// The number of points of the grid (at most [`MAX_POINTS`]).
fn grid_size(varies: &[Vary]) -> Result<usize> {
    varies
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
        })
}

/// Point `n` of the grid: the index of its value in each `Vary`, the first `Vary` being the
/// outermost loop.
fn grid_point(varies: &[Vary], mut n: usize) -> Vec<usize> {
    let mut p = vec![0; varies.len()];
    for (k, v) in varies.iter().enumerate().rev() {
        p[k] = n % v.values.len();
        n /= v.values.len();
    }
    p
}

/// The points of the grid: for each point, the index of its value in each `Vary`. The first
/// `Vary` is the outermost loop.
pub fn grid(varies: &[Vary]) -> Result<Vec<Vec<usize>>> {
    Ok((0..grid_size(varies)?)
        .map(|n| grid_point(varies, n))
        .collect())
}

/// The number of points of `--zip` (every `Vary` must give as many values).
fn zip_size(varies: &[Vary]) -> Result<usize> {
    let n = varies.first().map_or(0, |v| v.values.len());
    if varies.iter().any(|v| v.values.len() != n) {
        return Err(Error::Usage(format!(
            "--zip pairs the values of every --vary by position, so each must give as many; here {}",
            varies
                .iter()
                .map(|v| format!("{} has {}", v.path, v.values.len()))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(n)
}

/// `--zip`: the points pair the values of every `Vary` by position (point k takes the k-th
/// value of each), so every `Vary` must give as many values.
pub fn zip(varies: &[Vary]) -> Result<Vec<Vec<usize>>> {
    Ok((0..zip_size(varies)?)
        .map(|k| vec![k; varies.len()])
        .collect())
}

/// Point `n`: the index of its value in each `Vary`, of the grid or, with `zip`, of the list.
fn point(varies: &[Vary], zip: bool, n: usize) -> Vec<usize> {
    match zip {
        true => vec![n; varies.len()],
        false => grid_point(varies, n),
    }
}

/// Options of `corridor sweep`.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The `--vary` options, in order.
    pub vary: Vec<Vary>,
    /// `--out` (default `results/<name>-sweep`, `results/<name>-<hash>-sweep` with `--set` or
    /// `--digitisation`, or `.../shard-K-of-N` inside it).
    pub out: Option<PathBuf>,
    /// `--shard K/N`: this process runs the points p with p mod N = K.
    pub shard: Option<Shard>,
    /// `--zip`: the `--vary` lists form a list of points ([`zip`]) rather than a grid.
    pub zip: bool,
    /// Shared options.
    pub common: Common,
}

/// A sweep's points, checked. Their models are not kept: each is built again when it runs
/// ([`Plan::model`]), so a large grid holds one or two models at a time, and empirical data
/// is read once for all of them ([`DataCache`]).
pub struct Plan {
    /// The scenario without the varied values (its `data_files` list those of every point
    /// this process runs).
    pub base: Loaded,
    /// Every point's values (display form), numbered from 0.
    pub points: Vec<Vec<String>>,
    /// The points this process runs, in order.
    pub runs: Vec<PointRun>,
    /// The scenario's text, and `--set`, `--digitisation`, `--replications`, `--seed`,
    /// `--confine`, `--vary`, `--zip`.
    src: String,
    common: Common,
    vary: Vec<Vary>,
    zip: bool,
}

/// What a sweep needs to know of a point it runs, beside its model.
#[derive(Clone, Debug)]
pub struct PointRun {
    /// The point's number.
    pub number: usize,
    /// Its scenario name.
    pub name: String,
    /// Its flows' ids.
    pub flows: Vec<String>,
    /// Its replications.
    pub replications: u32,
}

impl Plan {
    /// The model of point `n`, resolved and validated again (as [`plan`] did), reading
    /// empirical data through `cache`.
    pub fn model(&self, n: usize, cache: &mut DataCache) -> Result<Model> {
        let at = Point {
            vary: &self.vary,
            zip: self.zip,
            n,
        };
        resolve_point(&self.base.file, &self.src, &self.common, at, cache)
            .map_err(|e| point_error(e, n, &self.points[n], &self.vary))
    }
}

/// Point `n` of the `--vary` options `vary` (a list with `--zip`, else a grid).
#[derive(Clone, Copy)]
struct Point<'a> {
    vary: &'a [Vary],
    zip: bool,
    n: usize,
}

/// Resolves a point (`--set`, then the point's values, then `--digitisation`) and applies
/// `--replications` and `--seed`.
fn resolve_point(
    file: &Path,
    src: &str,
    c: &Common,
    at: Point,
    cache: &mut DataCache,
) -> Result<Model> {
    let mut ovs = c.sets.clone();
    ovs.extend(
        point(at.vary, at.zip, at.n)
            .iter()
            .zip(at.vary)
            .map(|(&i, v)| v.values[i].clone()),
    );
    let r = resolve_cached(file, src, &ovs, &c.digitisation, c.access, cache)?;
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
    Ok(m)
}

/// Loads the scenario and checks every point of the grid; runs nothing.
pub fn plan(opts: &SweepOptions) -> Result<Plan> {
    plan_visiting(opts, |_, _| {})
}

/// [`plan`], calling `visit` with each point this process runs and its model, in order, as
/// it is checked (the model is dropped after).
fn plan_visiting(opts: &SweepOptions, mut visit: impl FnMut(usize, &Model)) -> Result<Plan> {
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
    let mut base = load(&opts.scenario, &c.sets, &c.digitisation, c.access)?;
    let src = std::fs::read_to_string(&opts.scenario).map_err(|source| Error::Read {
        file: opts.scenario.clone(),
        source,
    })?;
    let total = if opts.zip {
        zip_size(&opts.vary)?
    } else {
        grid_size(&opts.vary)?
    };
    let points: Vec<Vec<String>> = (0..total)
        .map(|n| {
            point(&opts.vary, opts.zip, n)
                .iter()
                .zip(&opts.vary)
                .map(|(&i, v)| v.values[i].display_value())
                .collect()
        })
        .collect();
    let mut cache = DataCache::default();
    let mut runs = Vec::new();
    for (n, values) in points.iter().enumerate() {
        if opts.shard.is_some_and(|s| !s.takes(n as u64)) {
            continue;
        }
        let at = Point {
            vary: &opts.vary,
            zip: opts.zip,
            n,
        };
        let m = resolve_point(&opts.scenario, &src, c, at, &mut cache)
            .map_err(|e| point_error(e, n, values, &opts.vary))?;
        super::add_data_files(&mut base.data_files, &m.data_files)?;
        visit(n, &m);
        runs.push(PointRun {
            number: n,
            name: m.name.clone(),
            flows: m.flows.iter().map(|f| f.id.clone()).collect(),
            replications: m.replications,
        });
    }
    Ok(Plan {
        base,
        points,
        runs,
        src,
        common: c.clone(),
        vary: opts.vary.clone(),
        zip: opts.zip,
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
    // Offered-load warnings print as each point is checked.
    let plan = plan_visiting(opts, |n, m| {
        let at = opts
            .vary
            .iter()
            .zip(point(&opts.vary, opts.zip, n))
            .map(|(v, i)| format!("{}={}", v.path, v.values[i].display_value()))
            .collect::<Vec<_>>()
            .join(" ");
        warn_unstable_at(m, &format!("sweep point {n} ({at}): "));
    })?;
    let runner = Runner::new(c.jobs, c.quiet)?;
    let mut base_model = plan.base.model().clone();
    apply_counts(&mut base_model, c)?;
    let entry = plan.base.entry("scenario");
    let dir = opts.out.clone().unwrap_or_else(|| {
        let d = default_dir(
            &base_model.name,
            "-sweep",
            changes_scenario(c),
            std::slice::from_ref(&entry),
        );
        match opts.shard {
            Some(s) => d.join(s.folder_name()),
            None => d,
        }
    });
    let mut folder = ResultsFolder::new(&dir)?;
    check_replace(
        &folder,
        &dir,
        "sweep",
        std::slice::from_ref(&entry),
        &[],
        c.force,
    )?;
    let label = format!("{} sweep, {} point(s)", base_model.name, plan.runs.len());
    let total = plan.runs.iter().map(|r| r.replications as usize).sum();
    // Each point is summarised as soon as its replications are in, and only its rows kept.
    let (mut records, mut cells) = (Vec::new(), Vec::new());
    let (mut current, mut at, mut simulated) = (Vec::new(), 0, 0);
    runner.run_each(&label, total, PointTasks::new(&plan), |rep| {
        simulated += events(std::slice::from_ref(&rep));
        current.push(rep);
        let run = &plan.runs[at];
        if current.len() == run.replications as usize {
            let summary = report::summarise(&current);
            records.extend(point_records(&run.name, &plan.points[run.number], &summary));
            cells.push((run.number, point_cells(&run.flows, &summary)));
            current.clear();
            at += 1;
        }
        Ok(())
    })?;
    let wall = start.elapsed();

    let paths: Vec<String> = opts.vary.iter().map(|v| v.path.clone()).collect();
    let mut m = manifest::new(
        "sweep",
        c,
        vec![entry],
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
        points: plan.runs.iter().map(|r| r.number).collect(),
    });
    folder.add(&SweepCsv {
        vary: &paths,
        records: &records,
    })?;
    let written = folder.commit(&mut m)?;
    let mut p = Printout {
        stdout: points_table(&paths, &plan.points, &cells),
        stderr: String::new(),
    };
    if let Some(s) = opts.shard {
        p.line(format_args!(
            "shard {s}: ran {} of {} point(s); merge all {} shard folders with: corridor merge DIR... --out RESULTS",
            plan.runs.len(),
            plan.points.len(),
            s.count
        ));
    }
    p.written(&written);
    p.speed(
        simulated,
        wall,
        &format!("{} point(s) x replications", plan.runs.len()),
    );
    Ok(p)
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

    #[test]
    fn only_numbers_make_a_range() {
        let values = |arg: &str| -> Vec<String> {
            Vary::parse(arg)
                .unwrap()
                .values
                .iter()
                .map(Override::display_value)
                .collect()
        };
        assert_eq!(values("x=1..3:1"), ["1", "2", "3"]);
        assert_eq!(values("x=-1.5..-0.5:0.5"), ["-1.5", "-1.0", "-0.5"]);
        assert_eq!(values("x=100d..300d:100d"), ["100d", "200d", "300d"]);
        assert_eq!(values("f=../data/x.csv"), ["../data/x.csv"]);
        assert_eq!(
            values("f=../a.csv,data/v1..v2.csv"),
            ["../a.csv", "data/v1..v2.csv"]
        );
        for range in ["x=1..4", "x=4..1:1", "x=1..4:0", "x=10d..20h:1d"] {
            assert!(Vary::parse(range).is_err(), "{range}");
        }
    }
}
