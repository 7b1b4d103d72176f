//! `corridor sweep SCENARIO --vary PATH=v1,v2,... [--vary ...]`: run every point of a grid and
//! write one `sweep.csv`, the long format of summary.csv with a column per varied path.
//!
//! - Values are a list (`nodes.PORT_POTI.servers=2,3,4`) or a range
//!   `start..end:step` of numbers (`flows.f.teu=10..50:10`) or of durations with one unit
//!   (`scenario.horizon=100d..400d:100d`). A range runs from start up to end in exact decimal
//!   steps (no floating-point drift: `0.1..0.3:0.1` gives 0.1, 0.2, 0.3). Only numbers make a
//!   range: `../data/x.csv` is one value.
//! - `demand` is short for `scenario.demand` (the demand factor of every flow, as `--demand`)
//!   and `demand.FLOW` for `flows.FLOW.demand` ([`field_path`]); the column keeps the path as
//!   written.
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
use crate::scenario::{DataCache, Model, resolve_cached};
use table::{point_cells, points_table};
use tasks::PointTasks;

mod table;
mod tasks;
mod vary;

pub use vary::{MAX_POINTS, MAX_VALUES, Vary, field_path, grid, zip};
use vary::{bad, grid_size, point, zip_size};

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
    /// `--report`: also write `report.html` (see [`crate::report::html`]) into the folder once
    /// its results are committed.
    pub report: bool,
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
        let field = field_path(&v.path);
        if opts.vary[..i]
            .iter()
            .any(|w| w.path == v.path || field_path(&w.path) == field)
        {
            return Err(bad(
                &v.path,
                "this path is varied twice; give its values in one --vary",
            ));
        }
        if let Some(s) = c.sets.iter().find(|s| s.path == v.path || s.path == field) {
            return Err(bad(
                &v.path,
                format!("this path is both {} and --vary; drop one", s.flag),
            ));
        }
    }
    let mut base = load(&opts.scenario, &c.sets, &c.digitisation, c.access)?;
    super::no_auto_warmup(base.model(), "sweep")?;
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
    e.in_context(format_args!("[sweep point {n}: {at}]"))
}

/// Runs `corridor sweep`; returns what to print.
pub fn sweep(opts: &SweepOptions) -> Result<Printout> {
    let start = Instant::now();
    let c = &opts.common;
    if opts.report && opts.shard.is_some() {
        return Err(Error::Usage(
            "--report and --shard cannot be combined: a shard holds part of the points; merge the shards, then run corridor report on the merged folder".into(),
        ));
    }
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
    let mut written = folder.commit(&mut m)?;
    if opts.report {
        written.push(report::html::write(&dir, None)?);
    }
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
