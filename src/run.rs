//! Running a model: replications (in parallel, results in replication order), summaries, output.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::report::{self, ReplicationResult, SummaryRow};
use crate::scenario::Model;
use crate::sim::Replication;

/// Runs replication `rep` of `model` and returns its metrics.
pub fn run_replication(model: &Model, rep: u32) -> ReplicationResult {
    let mut r = Replication::new(model, rep);
    r.run();
    ReplicationResult {
        replication: rep,
        seed: model.seed,
        rows: r.metrics(),
    }
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

/// Runs every replication of `model`, on `jobs` threads (all cores when `None`). The result does
/// not depend on the thread count: each replication has its own streams and results are
/// gathered in replication order.
pub fn run_model(model: &Model, jobs: Option<usize>) -> Result<RunOutput> {
    let start = Instant::now();
    let reps: Vec<ReplicationResult> = match jobs {
        Some(1) => (0..model.replications)
            .map(|r| run_replication(model, r))
            .collect(),
        _ => {
            let mut b = rayon::ThreadPoolBuilder::new();
            if let Some(j) = jobs {
                b = b.num_threads(j);
            }
            let pool = b
                .build()
                .map_err(|e| Error::Usage(format!("cannot start {jobs:?} worker threads: {e}")))?;
            pool.install(|| {
                (0..model.replications)
                    .into_par_iter()
                    .map(|r| run_replication(model, r))
                    .collect()
            })
        }
    };
    let wall = start.elapsed();
    let events = reps
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|row| row.scope == "corridor" && row.metric == "events")
        .map(|row| row.value as u64)
        .sum();
    let summary = report::summarise(&reps);
    Ok(RunOutput {
        reps,
        summary,
        events,
        wall,
    })
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

/// Writes the run's CSV files into `dir`, all or nothing.
pub fn write(dir: &Path, model: &Model, out: &RunOutput) -> Result<Vec<PathBuf>> {
    report::write_results(dir, &model.name, &out.summary, &out.reps)
}
