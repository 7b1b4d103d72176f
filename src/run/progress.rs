//! The progress bar on stderr: scenario, replications done, ETA.
//!
//! It stays hidden for work that finishes within half a second, when stderr is not a terminal
//! (redirected to a file or a pipe, as under a batch scheduler) and with `--quiet`, so logs and
//! tests never see it. Only stderr is touched: stdout and the files do not depend on it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Work shorter than this shows no bar.
const SHOW_AFTER: Duration = Duration::from_millis(500);

/// A progress bar over a known number of replications.
pub(super) struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
    shown: AtomicBool,
}

impl Progress {
    /// A bar labelled `label` (the scenario or the study) over `total` replications; inert when
    /// `quiet` or when stderr is not a terminal.
    pub(super) fn new(label: &str, total: usize, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:25}] {pos}/{len} replications, ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            let b = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
            b.set_style(style);
            b.set_prefix(label.to_string());
            b
        });
        Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    /// One more replication done (callable from any worker thread).
    pub(super) fn inc(&self) {
        let Some(b) = &self.bar else { return };
        b.inc(1);
        if self.start.elapsed() >= SHOW_AFTER && !self.shown.swap(true, Ordering::Relaxed) {
            b.set_draw_target(ProgressDrawTarget::stderr());
            b.enable_steady_tick(Duration::from_millis(250));
        }
    }

    /// Removes the bar.
    pub(super) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
