//! Running a model: replications (in parallel, results in replication order), summaries, output.
//!
//! [`Runner`] is the one place replications run; [`run_model`] is its shortcut for all the
//! replications of one model, as the tests and benchmarks use it.

mod progress;
mod runner;
mod stream;
mod timeseries;
mod trace;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::report::{
    self, BottlenecksCsv, ReplicationResult, ReplicationsCsv, ResultsFolder, SummaryCsv, SummaryRow,
};
use crate::scenario::Model;
use crate::sim::Replication;

pub use runner::Runner;
pub use stream::ReplicationStream;
pub use timeseries::{SERIES_REPLICATIONS, SeriesReplicationStream, TIMESERIES, TimeseriesStream};
pub use trace::{TRACE_CSV, TRACE_OCEL, Trace, TraceParts, TraceStream};

/// Runs replication `rep` of `model` and returns its metrics.
///
/// # Errors
/// [`Error::Replication`] when the replication cannot reach its horizon (its clock stopped:
/// see [`crate::sim::Stall`]).
pub fn run_replication(model: &Model, rep: u32) -> Result<ReplicationResult> {
    run_replication_traced(model, rep, None).map(|(r, _)| r)
}

/// Like [`run_replication`], writing the replication's event log too if `trace` says it is
/// traced (`--trace`).
///
/// # Errors
/// As [`run_replication`], and an error writing the log.
pub fn run_replication_traced(
    model: &Model,
    rep: u32,
    trace: Option<&Trace>,
) -> Result<(ReplicationResult, Option<TraceParts>)> {
    let mut r = Replication::new(model, rep);
    let mut parts = None;
    if let Some(t) = trace
        && let Some((tracer, p)) = t.tracer(model, rep)?
    {
        r.set_tracer(tracer);
        parts = Some(p);
    }
    r.run().map_err(|stall| Error::Replication {
        scenario: model.name.clone(),
        replication: rep,
        seed: model.seed,
        message: stall.to_string(),
    })?;
    if let Some(tracer) = r.take_tracer() {
        tracer.finish().map_err(|source| Error::Output {
            path: PathBuf::from(TRACE_OCEL),
            source,
        })?;
    }
    let result = ReplicationResult {
        replication: rep,
        seed: model.seed,
        rows: r.metrics(),
        series: r.series(),
    };
    Ok((result, parts))
}

/// Everything a run produced.
pub struct RunOutput {
    /// Per-replication metrics, in replication order.
    pub reps: Vec<ReplicationResult>,
    /// Metrics summarised over replications.
    pub summary: Vec<SummaryRow>,
    /// Events processed over all replications.
    pub events: u64,
    /// Wall-clock time of the simulation (not of writing).
    pub wall: Duration,
}

/// Runs every replication of `model`, on `jobs` threads (all cores when `None`), without a
/// progress bar. The result does not depend on the thread count: each replication has its own
/// streams and results are gathered in replication order.
pub fn run_model(model: &Model, jobs: Option<usize>) -> Result<RunOutput> {
    let start = Instant::now();
    let runner = Runner::new(jobs, true)?;
    let tasks: Vec<(&Model, u32)> = (0..model.replications).map(|r| (model, r)).collect();
    let reps = runner.run(&model.name, &tasks)?;
    let wall = start.elapsed();
    let summary = report::summarise(&reps);
    Ok(RunOutput {
        events: events(&reps),
        reps,
        summary,
        wall,
    })
}

/// Total events simulated (the corridor-scope `events` metric, summed).
pub fn events(reps: &[ReplicationResult]) -> u64 {
    reps.iter()
        .flat_map(|r| &r.rows)
        .filter(|row| row.scope == "corridor" && row.metric == "events")
        .map(|row| row.value as u64)
        .sum()
}

/// Applies command-line overrides of the replication count and the seed.
pub fn apply_overrides(
    model: &mut Model,
    replications: Option<u32>,
    seed: Option<u64>,
) -> Result<()> {
    if let Some(r) = replications {
        if !(1..=1_000_000).contains(&r) {
            return Err(Error::Usage(format!(
                "--replications {r} is not allowed; must be a whole number from 1 to 1000000"
            )));
        }
        model.replications = r;
    }
    if let Some(s) = seed {
        model.seed = s;
    }
    Ok(())
}

/// The default results folder of a scenario: `results/<name>`.
pub fn default_out_dir(model: &Model) -> PathBuf {
    Path::new("results").join(&model.name)
}

/// Writes the run's CSV files (summary.csv, bottlenecks.csv, replications.csv,
/// timeseries.csv) into `dir`, all or nothing, without a manifest (the commands write one:
/// [`crate::experiment::replicate::run`]).
pub fn write(dir: &Path, model: &Model, out: &RunOutput) -> Result<Vec<PathBuf>> {
    let mut folder = ResultsFolder::new(dir)?;
    let mut series = TimeseriesStream::new(&folder, &model.name, model.start_day)?;
    for r in &out.reps {
        series.take(&r.series)?;
    }
    folder.add(&SummaryCsv {
        scenario: &model.name,
        rows: &out.summary,
    })?;
    folder.add(&BottlenecksCsv {
        scenario: &model.name,
        rows: &out.summary,
        index: None,
    })?;
    folder.add(&ReplicationsCsv {
        scenario: &model.name,
        reps: &out.reps,
    })?;
    series.finish(&mut folder)?;
    folder.commit_without_manifest()
}
