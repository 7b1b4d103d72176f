//! What a command tells its user once its files are written. The library returns it; the
//! command line (`src/main.rs`) prints it, unless `--quiet`.

use std::fmt::{Display, Write};
use std::path::PathBuf;
use std::time::Duration;

/// The text a command prints when it is done.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Printout {
    /// For stdout: tables, outcomes and the `wrote PATH` lines.
    pub stdout: String,
    /// For stderr: the events-per-second line.
    pub stderr: String,
}

impl Printout {
    /// Appends a line to stdout.
    pub fn line(&mut self, text: impl Display) {
        let _ = writeln!(self.stdout, "{text}");
    }

    /// Appends `wrote PATH` for each file to stdout.
    pub fn written(&mut self, paths: &[PathBuf]) {
        for p in paths {
            self.line(format_args!("wrote {}", p.display()));
        }
    }

    /// Appends the events-per-second line to stderr.
    pub fn speed(&mut self, events: u64, wall: Duration, what: &str) {
        let secs = wall.as_secs_f64();
        let _ = writeln!(
            self.stderr,
            "simulated {events} events in {secs:.3} s ({:.2} million events/s over {what})",
            events as f64 / secs.max(1e-9) / 1e6,
        );
    }
}
