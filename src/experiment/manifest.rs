//! The manifest of an experiment's results folder: its file format is
//! [`crate::report::manifest`] (re-exported here); this module builds one for a command.

use std::time::Instant;

pub use crate::report::manifest::*;

use super::Common;
use crate::scenario::Model;

/// The manifest's record of `model`'s time bins.
pub(crate) fn bins_of(model: &Model) -> BinsEntry {
    let b = model.binning();
    BinsEntry {
        start_day: model.start_day,
        from_ms: b.start.0,
        to_ms: b.end.0,
        width_ms: b.width.0,
    }
}

/// A manifest for `kind` (`run`, `sweep` or `compare`) of the scenarios `scenarios`, run with
/// `seed` and `replications` on `jobs` threads since `start`; the other fields empty.
pub(crate) fn new(
    kind: &str,
    common: &Common,
    scenarios: Vec<ScenarioEntry>,
    (seed, replications): (u64, u32),
    jobs: usize,
    start: Instant,
) -> Manifest {
    Manifest {
        corridor_version: env!("CARGO_PKG_VERSION").to_string(),
        kind: kind.to_string(),
        command_line: common.command_line.clone(),
        written_unix: now_unix(),
        scenarios,
        seed,
        replications,
        jobs,
        wall_seconds: start.elapsed().as_secs_f64(),
        precision: None,
        shard: None,
        sweep: None,
        compared_folders: Vec::new(),
        merged_from: Vec::new(),
        bins: None,
        auto_warmup: None,
        outputs: Default::default(),
    }
}
