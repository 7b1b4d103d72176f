//! [`Runner`]: the one place replications run, in parallel, results in task order.
//!
//! Results are handed over in task order as they complete ([`Runner::run_each`]): a task is
//! started only while fewer than two tasks per thread are started or waiting to be handed
//! over, so memory holds a few results per thread however many tasks there are.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::progress::Progress;
use super::{Trace, TraceParts, run_replication_traced};
use crate::error::{Error, Result};
use crate::report::ReplicationResult;
use crate::scenario::Model;

/// Tasks started or waiting to be handed over, per worker thread.
const WINDOW_PER_THREAD: usize = 2;

/// Runs replication tasks on a fixed number of threads; results come back in task order.
pub struct Runner {
    pool: Option<rayon::ThreadPool>,
    threads: usize,
    quiet: bool,
}

/// What became of one task.
enum Outcome {
    Done(ReplicationResult, Option<Box<TraceParts>>),
    Failed(Error),
    Panicked(Box<dyn std::any::Any + Send>),
}

/// The state the workers and the caller share.
struct Shared<I> {
    tasks: I,
    /// The number of the next task to start.
    next: usize,
    /// Results handed over so far.
    taken: usize,
    /// No more tasks start: none are left, one failed, or the caller stopped.
    stop: bool,
    /// Finished tasks not handed over yet, by number.
    done: BTreeMap<usize, Outcome>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding the lock (tasks run outside it, and their panics are
    // caught), so a poisoned lock still holds consistent state.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn run_one(model: &Model, rep: u32, trace: Option<&Trace>) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| {
        run_replication_traced(model, rep, trace)
    })) {
        Ok(Ok((r, parts))) => Outcome::Done(r, parts.map(Box::new)),
        Ok(Err(e)) => Outcome::Failed(e),
        Err(p) => Outcome::Panicked(p),
    }
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
        let mut out = Vec::with_capacity(tasks.len());
        let each = tasks.iter().map(|&t| Ok(t));
        self.run_each(label, tasks.len(), each, |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// Runs the `(model, replication)` tasks of `tasks` (`total` of them, for the progress
    /// bar labelled `label`) and hands each result to `take`, on the calling thread, in task
    /// order, as soon as it and every result before it are done. Tasks are drawn from `tasks`
    /// in order, one at a time, when a worker is free and fewer than two tasks per thread are
    /// started or waiting to be handed over, so the results held at once do not depend on the
    /// number of tasks.
    ///
    /// # Errors
    /// The first error in task order, from drawing a task, running it or `take`: no task
    /// starts after it, those running finish, and nothing more is handed over. A panic in a
    /// task is resumed on the calling thread at its turn.
    pub fn run_each<M, I>(
        &self,
        label: &str,
        total: usize,
        tasks: I,
        mut take: impl FnMut(ReplicationResult) -> Result<()>,
    ) -> Result<()>
    where
        M: Borrow<Model> + Send,
        I: Iterator<Item = Result<(M, u32)>> + Send,
    {
        self.run_each_traced(label, total, tasks, None, |r, _| take(r))
    }

    /// Like [`Runner::run_each`], tracing the replications that `trace` says (`--trace`):
    /// `take` gets each result with the files of its event log, if it was traced.
    ///
    /// # Errors
    /// As [`Runner::run_each`].
    pub fn run_each_traced<M, I>(
        &self,
        label: &str,
        total: usize,
        mut tasks: I,
        trace: Option<&Trace>,
        mut take: impl FnMut(ReplicationResult, Option<TraceParts>) -> Result<()>,
    ) -> Result<()>
    where
        M: Borrow<Model> + Send,
        I: Iterator<Item = Result<(M, u32)>> + Send,
    {
        let progress = Progress::new(label, total, self.quiet);
        let Some(pool) = &self.pool else {
            let each = tasks.try_for_each(|task| {
                let (m, rep) = task?;
                let (r, parts) = run_replication_traced(m.borrow(), rep, trace)?;
                progress.inc();
                take(r, parts)
            });
            progress.finish();
            return each;
        };
        let window = WINDOW_PER_THREAD * self.threads;
        let shared = Mutex::new(Shared {
            tasks,
            next: 0,
            taken: 0,
            stop: false,
            done: BTreeMap::new(),
        });
        let changed = Condvar::new();
        let worker = || {
            loop {
                let (i, task) = {
                    let mut s = lock(&shared);
                    while !s.stop && s.next >= s.taken + window {
                        s = changed.wait(s).unwrap_or_else(PoisonError::into_inner);
                    }
                    if s.stop {
                        return;
                    }
                    let Some(task) = s.tasks.next() else {
                        s.stop = true;
                        changed.notify_all();
                        return;
                    };
                    s.next += 1;
                    (s.next - 1, task)
                };
                let outcome = match task {
                    Ok((m, rep)) => run_one(m.borrow(), rep, trace),
                    Err(e) => Outcome::Failed(e),
                };
                let mut s = lock(&shared);
                if !matches!(outcome, Outcome::Done(..)) {
                    s.stop = true;
                }
                s.done.insert(i, outcome);
                changed.notify_all();
            }
        };
        let stop = || {
            lock(&shared).stop = true;
            changed.notify_all();
        };
        let handed = pool.in_place_scope(|scope| {
            for _ in 0..self.threads {
                scope.spawn(|_| worker());
            }
            loop {
                let outcome = {
                    let mut s = lock(&shared);
                    loop {
                        let taken = s.taken;
                        if let Some(o) = s.done.remove(&taken) {
                            break Some(o);
                        }
                        if s.stop && s.taken >= s.next {
                            break None;
                        }
                        s = changed.wait(s).unwrap_or_else(PoisonError::into_inner);
                    }
                };
                let result = match outcome {
                    None => return Ok(()),
                    Some(Outcome::Done(r, parts)) => {
                        progress.inc();
                        take(r, parts.map(|p| *p))
                    }
                    Some(Outcome::Failed(e)) => Err(e),
                    Some(Outcome::Panicked(p)) => {
                        stop();
                        resume_unwind(p)
                    }
                };
                if let Err(e) = result {
                    stop();
                    return Err(e);
                }
                lock(&shared).taken += 1;
                changed.notify_all();
            }
        });
        progress.finish();
        handed
    }
}
