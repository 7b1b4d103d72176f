//! What-if experiments on top of [`crate::run`]: the commands `run` (with `--set`, `--shard`
//! and `--precision`), `compare`, `sweep` and `merge`.
//!
//! - [`Runner`] runs any list of (scenario, replication) tasks on a thread pool and gathers the
//!   results in task order, so output never depends on the thread count. A sweep or a
//!   comparison is one flat list of tasks, so all cores stay busy even with few replications.
//! - Scenarios are loaded through [`crate::scenario::loading`], which applies `--set` (and
//!   each sweep point's values) and `--digitisation` to the TOML document before validation.
//! - Every results folder gets a [`manifest::Manifest`].
//! - [`shard`] runs a deterministic slice of the work and merges slices back into exactly the
//!   files one run writes.

pub mod compare;
pub mod manifest;
pub mod precision;
pub mod progress;
pub mod replicate;
pub mod results;
pub mod shard;
pub mod sweep;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::report::ReplicationResult;
use crate::scenario::Model;
use crate::scenario::overrides::Override;
use crate::scenario::{FileAccess, Resolved, read, resolve_with};
use manifest::{ScenarioEntry, sha256_hex};
use progress::Progress;

/// Options every experiment command shares.
#[derive(Clone, Debug, Default)]
pub struct Common {
    /// `--set PATH=VALUE`, in order.
    pub sets: Vec<Override>,
    /// `--digitisation [NODE=]LEVEL`, in order, applied to the document after `--set`.
    pub digitisation: Vec<String>,
    /// `--confine`: data files and `extends` bases only from the scenario's folder tree.
    pub access: FileAccess,
    /// `--replications`: overrides the scenario's count.
    pub replications: Option<u32>,
    /// `--seed`: overrides the scenario's seed.
    pub seed: Option<u64>,
    /// `--jobs`: worker threads (all cores when `None`).
    pub jobs: Option<usize>,
    /// `--quiet`: nothing on stdout, no progress bar, no timing line.
    pub quiet: bool,
    /// The command line, for the manifest.
    pub command_line: Vec<String>,
}

/// A scenario file read, overridden and validated.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The file as given.
    pub file: PathBuf,
    /// SHA-256 of its bytes.
    pub file_sha256: String,
    /// The overrides applied, as written.
    pub overrides: Vec<String>,
    /// The `--digitisation` settings applied, as written.
    pub digitisation: Vec<String>,
    /// The model and the resolved TOML text.
    pub resolved: Resolved,
}

impl Loaded {
    /// The validated model.
    pub fn model(&self) -> &Model {
        &self.resolved.model
    }

    /// The manifest entry of this scenario.
    pub fn entry(&self, role: &str) -> ScenarioEntry {
        ScenarioEntry {
            role: role.to_string(),
            file: self.file.display().to_string(),
            file_sha256: self.file_sha256.clone(),
            extends_files: extends_chain(&self.file),
            name: self.resolved.model.name.clone(),
            overrides: self.overrides.clone(),
            resolved_sha256: sha256_hex(self.resolved.text.as_bytes()),
            model_options: self
                .digitisation
                .iter()
                .map(|d| format!("--digitisation {d}"))
                .collect(),
            resolved: self.resolved.text.clone(),
        }
    }
}

/// The files `file` extends (its base, the base's base, ...), with their SHA-256. Stops at the
/// first file that cannot be read or parsed, or at a repeat (validation reports those).
fn extends_chain(file: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut seen = vec![file.to_path_buf()];
    let mut cur = file.to_path_buf();
    while let Ok(text) = std::fs::read_to_string(&cur) {
        let Ok(doc) = text.parse::<toml::Table>() else {
            break;
        };
        let Some(base) = doc.get("extends").and_then(toml::Value::as_str) else {
            break;
        };
        let next = cur.parent().unwrap_or(Path::new("")).join(base);
        if seen.contains(&next) {
            break;
        }
        let Ok(bytes) = std::fs::read(&next) else {
            break;
        };
        out.push((next.display().to_string(), sha256_hex(&bytes)));
        seen.push(next.clone());
        cur = next;
    }
    out
}

/// Reads `file`, applies `overrides` and then the `--digitisation` settings `digitisation`, and
/// validates the result, reading data files and bases as `access` allows (see
/// [`crate::scenario::loading`]).
pub fn load(
    file: &Path,
    overrides: &[Override],
    digitisation: &[String],
    access: FileAccess,
) -> Result<Loaded> {
    let (bytes, src) = read(file)?;
    let resolved = resolve_with(file, &src, overrides, digitisation, access)?;
    Ok(Loaded {
        file: file.to_path_buf(),
        file_sha256: sha256_hex(&bytes),
        overrides: overrides.iter().map(Override::arg).collect(),
        digitisation: digitisation.to_vec(),
        resolved,
    })
}

/// Applies `--replications` and `--seed` to a model.
pub fn apply_counts(model: &mut Model, common: &Common) -> Result<()> {
    crate::run::apply_overrides(model, common.replications, common.seed)
}

/// Runs replication tasks on a fixed number of threads; results come back in task order.
pub struct Runner {
    pool: Option<rayon::ThreadPool>,
    threads: usize,
    quiet: bool,
}

impl Runner {
    /// A runner on `jobs` threads (all cores when `None`); `quiet` hides the progress bar.
    pub fn new(jobs: Option<usize>, quiet: bool) -> Result<Runner> {
        match jobs {
            Some(0) => Err(Error::Usage(
                "--jobs 0 is not allowed; give at least 1".into(),
            )),
            Some(1) => Ok(Runner {
                pool: None,
                threads: 1,
                quiet,
            }),
            _ => {
                let mut b = rayon::ThreadPoolBuilder::new();
                if let Some(j) = jobs {
                    b = b.num_threads(j);
                }
                let pool = b.build().map_err(|e| {
                    Error::Usage(format!("cannot start {jobs:?} worker threads: {e}"))
                })?;
                Ok(Runner {
                    threads: pool.current_num_threads(),
                    pool: Some(pool),
                    quiet,
                })
            }
        }
    }

    /// Worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs every `(model, replication)` task and returns the results in task order, showing
    /// a progress bar labelled `label`.
    pub fn run(&self, label: &str, tasks: &[(&Model, u32)]) -> Vec<ReplicationResult> {
        let progress = Progress::new(label, tasks.len(), self.quiet);
        let one = |&(m, r): &(&Model, u32)| {
            let res = crate::run::run_replication(m, r);
            progress.inc();
            res
        };
        let out = match &self.pool {
            None => tasks.iter().map(one).collect(),
            Some(p) => p.install(|| tasks.par_iter().map(one).collect()),
        };
        progress.finish();
        out
    }
}

/// Warns about stations whose offered load per server is at least 1: their queues grow without
/// bound, and their statistics depend on the horizon.
pub fn warn_unstable(model: &Model) {
    warn_unstable_at(model, "");
}

/// [`warn_unstable`], each warning prefixed with `at` (e.g. the sweep point).
pub fn warn_unstable_at(model: &Model, at: &str) {
    for (n, load) in model.nodes.iter().zip(model.offered_load()) {
        if let Some(rho) = load.filter(|r| *r >= 1.0) {
            eprintln!(
                "warning: {at}node \"{}\" is offered {} of its capacity (arrival rate x mean service / servers >= 1); its queue will grow without bound",
                n.id,
                if rho < 1e6 {
                    format!("{rho:.2}")
                } else {
                    format!("{rho:.2e}")
                }
            );
        }
    }
}

/// Total events simulated (the corridor-scope `events` metric, summed).
pub fn events(reps: &[ReplicationResult]) -> u64 {
    reps.iter()
        .flat_map(|r| &r.rows)
        .filter(|row| row.scope == "corridor" && row.metric == "events")
        .map(|row| row.value as u64)
        .sum()
}

/// Prints the events-per-second line on stderr.
pub fn report_speed(events: u64, wall: std::time::Duration, what: &str) {
    let secs = wall.as_secs_f64();
    eprintln!(
        "simulated {events} events in {secs:.3} s ({:.2} million events/s over {what})",
        events as f64 / secs.max(1e-9) / 1e6,
    );
}

/// Prints `wrote PATH` for each file on stdout.
pub fn print_written(paths: &[PathBuf]) {
    for p in paths {
        println!("wrote {}", p.display());
    }
}
