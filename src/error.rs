//! Typed errors. Every input error names the file, the position (line:column when the file gives
//! one) or the field path, the offending value and what is allowed.

use std::io;
use std::path::PathBuf;

/// Errors from loading, validating, running and writing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario (or a file it refers to) could not be read.
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The scenario is not valid: syntax, type, or a rule of the model.
    #[error("{}", located(file, *line_col, path, message))]
    Scenario {
        /// The scenario file (or the data file that is at fault).
        file: PathBuf,
        /// 1-based line and column, where known.
        line_col: Option<(usize, usize)>,
        /// Field path such as `nodes[2].service.cv` (empty for syntax errors).
        path: String,
        /// What is wrong, with the value and what is allowed.
        message: String,
    },
    /// A command-line value is not valid.
    #[error("{0}")]
    Usage(String),
    /// A value given to an experiment option (`--set`, `--vary`, `--shard`, `--precision`, ...)
    /// is not valid: names the option, the value as given and what is allowed.
    #[error("{flag} {arg}: {message}")]
    Param {
        /// The option, e.g. `--set`.
        flag: &'static str,
        /// The value as given on the command line.
        arg: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A results folder given to `compare --results` or `merge` is missing a file, is not in the
    /// format corridor writes, or does not fit with the other folders.
    #[error("{}: {message}", path.display())]
    Results {
        /// The folder or file at fault.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A replication of the scenario cannot be completed (its simulated clock stopped, say):
    /// a property of the scenario, so an input error.
    #[error("scenario \"{scenario}\", replication {replication} (seed {seed}): {message}")]
    Replication {
        /// The scenario name.
        scenario: String,
        /// The replication number.
        replication: u32,
        /// The scenario seed (with the replication, it reproduces the run).
        seed: u64,
        /// What happened.
        message: String,
    },
    /// Output could not be written.
    #[error("{}: cannot write: {source}", path.display())]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

fn located(file: &std::path::Path, lc: Option<(usize, usize)>, path: &str, msg: &str) -> String {
    let mut s = file.display().to_string();
    if let Some((l, c)) = lc {
        s.push_str(&format!(":{l}:{c}"));
    }
    s.push_str(": ");
    if !path.is_empty() {
        s.push_str(path);
        s.push_str(": ");
    }
    s.push_str(msg);
    s
}

impl Error {
    /// A scenario error with `context` appended to its message (which sweep point, which
    /// demand factor, which merged file); any other error as it is.
    pub fn in_context(self, context: impl std::fmt::Display) -> Error {
        match self {
            Error::Scenario {
                file,
                line_col,
                path,
                message,
            } => Error::Scenario {
                file,
                line_col,
                path,
                message: format!("{message} {context}"),
            },
            other => other,
        }
    }

    /// Process exit code: 2 for bad input (scenario or command line, including a scenario that
    /// cannot be simulated to its horizon), 1 for anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Read { .. }
            | Error::Scenario { .. }
            | Error::Usage(_)
            | Error::Param { .. }
            | Error::Results { .. }
            | Error::Replication { .. } => 2,
            Error::Output { .. } => 1,
        }
    }
}

/// Result with this crate's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
