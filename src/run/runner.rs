//! [`Runner`]: the one place replications run, in parallel, results in task order.

use rayon::prelude::*;

use super::progress::Progress;
use super::run_replication;
use crate::error::{Error, Result};
use crate::report::ReplicationResult;
use crate::scenario::Model;

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
    ///
    /// # Errors
    /// The error of the first task, in task order, that failed.
    pub fn run(&self, label: &str, tasks: &[(&Model, u32)]) -> Result<Vec<ReplicationResult>> {
        let progress = Progress::new(label, tasks.len(), self.quiet);
        let one = |&(m, r): &(&Model, u32)| {
            let res = run_replication(m, r);
            progress.inc();
            res
        };
        let out: Vec<Result<ReplicationResult>> = match &self.pool {
            None => tasks.iter().map(one).collect(),
            Some(p) => p.install(|| tasks.par_iter().map(one).collect()),
        };
        progress.finish();
        out.into_iter().collect()
    }
}
