//! `manifest.json`: what produced a results folder. [`super::ResultsFolder`] writes it last,
//! with the SHA-256 of every other file of the folder in `outputs`.
//!
//! The CSV files of a folder are byte-identical whenever the same resolved scenario, seed and
//! replications are run; everything that varies from one invocation to the next (wall time,
//! command line, thread count, the time of day) lives here instead. The manifest also holds the
//! SHA-256 of every file written beside it and of every scenario file read, so results from
//! different scenarios cannot be mixed silently: `corridor merge` checks it, and anyone can with
//! `sha256sum`.
//!
//! The CSV files do not get a `scenario_hash` column: their columns stay as they are documented
//! (scripts that read them keep working), and a hash per row would repeat one value millions of
//! times. The manifest beside them is the reference.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::bins::Binning;
use crate::engine::time::{SimDur, SimTime};
use crate::error::{Error, Result};

/// The manifest's file name.
pub const FILE: &str = "manifest.json";

/// What a results folder holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// corridor's version (Cargo package version).
    pub corridor_version: String,
    /// `run`, `sweep` or `compare`: the kind of results in the folder (a merged folder has the
    /// kind of its shards).
    pub kind: String,
    /// The command line that wrote the folder, as given.
    pub command_line: Vec<String>,
    /// When the folder was written, seconds since 1970-01-01 UTC.
    pub written_unix: u64,
    /// Every scenario run (compare: base first, then the alternatives in order).
    pub scenarios: Vec<ScenarioEntry>,
    /// The scenario seed used by every scenario and point.
    pub seed: u64,
    /// Replications per scenario (or per sweep point): 0, 1, ..., `replications` - 1.
    pub replications: u32,
    /// Worker threads used (results do not depend on it).
    pub jobs: usize,
    /// Wall-clock seconds of the command, reading to writing.
    pub wall_seconds: f64,
    /// The precision target of `--precision`, and whether it was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionEntry>,
    /// Set on the folder of one shard: which slice it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardEntry>,
    /// Set for sweeps: the varied paths and every point of the grid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepEntry>,
    /// Set by `compare --results`: the folders compared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compared_folders: Vec<String>,
    /// Set by `merge`: the shard folders merged, with their own command lines and wall times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<MergedShard>,
    /// Set by `run` (and its shards, and `merge`): the time bins of timeseries.csv, which
    /// `merge` reads to write its time columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bins: Option<BinsEntry>,
    /// SHA-256 of every other file written in the folder, by file name.
    pub outputs: BTreeMap<String, String>,
    /// Set by `run` for `warmup = "auto"`: the warm-up MSER-5 chose and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_warmup: Option<AutoWarmupEntry>,
}

/// The warm-up chosen for `warmup = "auto"` (see `experiment/warmup.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutoWarmupEntry {
    /// `MSER-5`.
    pub method: String,
    /// The series MSER-5 was applied to, and how their truncations were combined.
    pub series: String,
    /// Replications of the pilot run (the run's own, with no warm-up).
    pub pilot_replications: u32,
    /// Width of the pilot's time bins, ms.
    pub bin_ms: u64,
    /// Time bins of the pilot (horizon / width, rounded up).
    pub bins: u64,
    /// Batches of 5 bins.
    pub batches: u64,
    /// The truncation, in bins (5 per batch).
    pub truncation_bins: u64,
    /// The warm-up used: `truncation_bins × bin_ms`.
    pub warmup_ms: u64,
    /// Whether every series has its MSER-5 minimum in the first half (false: no steady state
    /// found, and the best truncation in the first half was used).
    pub steady: bool,
}

/// The time bins of a run's timeseries.csv and trends: `[from_ms, to_ms]` cut into bins of
/// `width_ms` (the last one shorter if the width does not divide the window).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinsEntry {
    /// Days since 1970-01-01 of time 0 (the scenario's `start`, midnight UTC).
    pub start_day: i64,
    /// Start of the first bin, milliseconds from time 0 (the end of the warm-up).
    pub from_ms: u64,
    /// End of the last bin (the horizon).
    pub to_ms: u64,
    /// Width of every bin but possibly the last.
    pub width_ms: u64,
}

impl BinsEntry {
    /// The bins.
    pub fn binning(&self) -> Binning {
        Binning {
            start: SimTime(self.from_ms),
            end: SimTime(self.to_ms),
            width: SimDur(self.width_ms),
        }
    }
}

/// One scenario as run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioEntry {
    /// `scenario` for run and sweep; `base` or `alt` for compare.
    pub role: String,
    /// The file as given on the command line.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub file_sha256: String,
    /// The files it `extends`, base after base, each as `[path, SHA-256]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extends_files: Vec<(String, String)>,
    /// The data files it reads (`empirical` distributions), each as `[path, SHA-256]`, in the
    /// order first read; for a sweep, those of every point this folder ran too. `merge` refuses
    /// shards that read a file (same path relative to the scenario's folder) with other bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_files: Vec<(String, String)>,
    /// The scenario name.
    pub name: String,
    /// `--set` overrides applied, in order, as `PATH=VALUE`.
    pub overrides: Vec<String>,
    /// SHA-256 of `resolved` (what merge compares, with `model_options`).
    pub resolved_sha256: String,
    /// Options that change the model after validation rather than the TOML document
    /// (`--digitisation`), as given; merge requires them equal too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_options: Vec<String>,
    /// The scenario after overrides, as TOML text (`corridor run` on it reproduces the results;
    /// for a sweep, before the varied values are applied).
    pub resolved: String,
}

/// Which slice of the work a shard folder holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardEntry {
    /// K of `--shard K/N`.
    pub index: u32,
    /// N of `--shard K/N`.
    pub count: u32,
    /// Runs: the replication numbers in this shard (those r with r mod N = K).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replication_numbers: Vec<u32>,
    /// Sweeps: the point numbers in this shard (those p with p mod N = K).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<usize>,
}

/// The grid of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepEntry {
    /// The varied paths, as given, in order (the extra columns of sweep.csv).
    pub vary: Vec<String>,
    /// Every point of the grid, numbered from 0: the value of each varied path.
    pub points: Vec<Vec<String>>,
}

/// How a `--precision` run ended (`experiment::precision::Outcome`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrecisionEntry {
    /// The target as given (`METRIC:ID:REL`).
    pub target: String,
    /// The scope of the metric.
    pub scope: String,
    /// The metric.
    pub metric: String,
    /// The flow, node or scenario id.
    pub id: String,
    /// The target: half-width / |mean| <= rel.
    pub rel: f64,
    /// The cap.
    pub max_replications: u32,
    /// `target reached` or `replication cap reached`.
    pub stopped_because: String,
    /// True when the target was met.
    pub reached: bool,
    /// Replications run.
    pub replications: u32,
    /// Replications that gave the metric a value (the others observed nothing for it).
    #[serde(default)]
    pub values: u64,
    /// The metric's mean over them (null when it has no value).
    pub mean: Option<f64>,
    /// Its 95% half-width.
    pub half_width: Option<f64>,
    /// half-width / |mean|.
    pub rel_half_width: Option<f64>,
}

/// A shard folder that went into a merge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergedShard {
    /// The folder.
    pub folder: String,
    /// Its `--shard`, as K/N.
    pub shard: String,
    /// The command line that wrote it.
    pub command_line: Vec<String>,
    /// Its wall-clock seconds.
    pub wall_seconds: f64,
    /// SHA-256 of its manifest.json.
    pub manifest_sha256: String,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Manifest {
    /// The manifest as pretty JSON, after recording the hash of every file in `outputs`.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut v = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Usage(format!("cannot write manifest.json: {e}")))?;
        v.push(b'\n');
        Ok(v)
    }

    /// Reads `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<(Manifest, Vec<u8>)> {
        let path = dir.join(FILE);
        let bytes = std::fs::read(&path).map_err(|e| Error::Results {
            path: path.clone(),
            message: format!(
                "cannot read: {e}; every folder corridor writes has a manifest.json (was this folder written by corridor run, sweep or compare?)"
            ),
        })?;
        let m = serde_json::from_slice(&bytes).map_err(|e| Error::Results {
            path: path.clone(),
            message: format!(
                "line {}, column {}: not a corridor manifest: {e}",
                e.line(),
                e.column()
            ),
        })?;
        Ok((m, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_value() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
