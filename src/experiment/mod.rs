//! What-if experiments on top of [`crate::run`]: the commands `run` (with `--set`, `--shard`
//! and `--precision`), `compare`, `sweep`, `merge` and `capacity`.
//!
//! - [`crate::run::Runner`] runs any list of (scenario, replication) tasks on a thread pool and
//!   gathers the results in task order, so output never depends on the thread count. A sweep
//!   or a comparison is one flat list of tasks, so all cores stay busy even with few
//!   replications.
//! - Scenarios are loaded through `scenario/loading.rs`, which applies `--set` (and
//!   each sweep point's values) and `--digitisation` to the TOML document before validation.
//! - Every command writes its folder through one [`crate::report::ResultsFolder`], with a
//!   [`manifest::Manifest`], and returns what to print as a [`Printout`].
//! - [`shard`] picks a deterministic slice of the work; [`merge`] puts slices back together
//!   into exactly the files one run writes.

pub mod capacity;
pub mod compare;
pub mod export;
pub mod manifest;
pub mod merge;
mod outdir;
pub mod precision;
pub mod printout;
pub mod replicate;
mod results;
pub mod shard;
pub mod sweep;
mod warmup;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::report::{CorridorGeojson, GEOJSON_FILE, ResultsFolder, SummaryRow};
use crate::scenario::Model;
use crate::scenario::network::Network;
use crate::scenario::overrides::Override;
use crate::scenario::{FileAccess, Resolved, read, resolve_with};
use manifest::{ScenarioEntry, sha256_hex};
pub use printout::Printout;

/// Whether the options change the scenario (`--set`, `--digitisation`), so that the default
/// folder carries the resolved scenario's hash.
fn changes_scenario(common: &Common) -> bool {
    !common.sets.is_empty() || !common.digitisation.is_empty()
}

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
    /// `--force`: replace an output folder that holds other results or files corridor did not
    /// write.
    pub force: bool,
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
    /// The data files the model read, with their SHA-256 (see [`ScenarioEntry::data_files`]).
    pub data_files: Vec<(String, String)>,
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
            data_files: self.data_files.clone(),
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
/// `scenario/loading.rs`).
pub fn load(
    file: &Path,
    overrides: &[Override],
    digitisation: &[String],
    access: FileAccess,
) -> Result<Loaded> {
    let (bytes, src) = read(file)?;
    let resolved = resolve_with(file, &src, overrides, digitisation, access)?;
    let mut data_files = Vec::new();
    add_data_files(&mut data_files, &resolved.model.data_files)?;
    Ok(Loaded {
        file: file.to_path_buf(),
        file_sha256: sha256_hex(&bytes),
        overrides: overrides.iter().map(Override::arg).collect(),
        digitisation: digitisation.to_vec(),
        data_files,
        resolved,
    })
}

/// Reads `file` and validates it as [`load`] does, for `corridor validate`: the model only,
/// without the file's hash, its data files' hashes or (when no option changes it) the
/// scenario written back as canonical TOML, which only results folders record.
pub fn check(
    file: &Path,
    overrides: &[Override],
    digitisation: &[String],
    access: FileAccess,
) -> Result<Model> {
    let (_, src) = read(file)?;
    crate::scenario::check(file, &src, overrides, digitisation, access)
}

/// Adds to `hashed` (`[path, SHA-256]` pairs) the files of `paths` it does not hold yet, hashed
/// now, just after validation read them.
pub(crate) fn add_data_files(hashed: &mut Vec<(String, String)>, paths: &[PathBuf]) -> Result<()> {
    for p in paths {
        let name = p.display().to_string();
        if hashed.iter().any(|h| h.0 == name) {
            continue;
        }
        let bytes = std::fs::read(p).map_err(|source| crate::error::Error::Read {
            file: p.clone(),
            source,
        })?;
        hashed.push((name, sha256_hex(&bytes)));
    }
    Ok(())
}

/// A data file's name for comparisons between folders of one scenario run from different
/// working folders: its path relative to the scenario file's folder (as written in the
/// scenario), or the path as recorded.
pub(crate) fn data_key(scenario: &ScenarioEntry, data: &str) -> String {
    let dir = Path::new(&scenario.file).parent().unwrap_or(Path::new(""));
    Path::new(data)
        .strip_prefix(dir)
        .map_or(data.to_string(), |p| p.display().to_string())
}

/// Applies `--replications` and `--seed` to a model.
pub fn apply_counts(model: &mut Model, common: &Common) -> Result<()> {
    crate::run::apply_overrides(model, common.replications, common.seed)
}

/// Warns about every capacity offered as much work as it can do or more (see
/// `scenario/capacity.rs`): its queue grows without bound, and its statistics depend on the
/// horizon.
pub fn warn_unstable(model: &Model) {
    warn_unstable_at(model, "");
}

/// [`warn_unstable`], each warning prefixed with `at` (e.g. the sweep point).
pub fn warn_unstable_at(model: &Model, at: &str) {
    let loads = model.offered_loads();
    for l in loads.iter().filter(|l| l.load >= 1.0) {
        eprintln!(
            "warning: {at}{} is offered {} of its capacity ({} >= 1); its queue will grow without bound",
            l.resource,
            load_text(l.load),
            l.rule
        );
    }
    // With demand profiles: a resource that copes on average but not in its busiest month.
    let peaks = model.peak_month_loads().unwrap_or_default();
    for (l, (p, month)) in loads.iter().zip(&peaks) {
        if l.load < 1.0 && p.load >= 1.0 {
            eprintln!(
                "warning: {at}{} is offered {} of its capacity over the window but {} in the month from {month} ({} >= 1); its queue grows while the demand is that high",
                l.resource,
                load_text(l.load),
                load_text(p.load),
                l.rule
            );
        }
    }
}

/// A load as printed: two decimals, or scientific notation beyond a million.
pub fn load_text(load: f64) -> String {
    if load < 1e6 {
        format!("{load:.2}")
    } else {
        format!("{load:.2e}")
    }
}

/// Adds corridor.geojson (the network with the summary's results) to `folder` if some node of
/// `network` has a position; returns a warning naming the nodes left off the map when only some
/// have one.
pub(crate) fn add_map(
    folder: &mut ResultsFolder,
    network: &Network,
    rows: &[SummaryRow],
) -> Result<Option<String>> {
    if !network.has_positions() {
        return Ok(None);
    }
    folder.add(&CorridorGeojson {
        network,
        rows: Some(rows),
    })?;
    Ok(unplaced_warning(network))
}

/// The warning for a map of `network` that leaves out the nodes without a position (and the
/// links and services that end at one), if any.
pub(crate) fn unplaced_warning(network: &Network) -> Option<String> {
    let unplaced = network.unplaced();
    if unplaced.is_empty() {
        return None;
    }
    Some(format!(
        "warning: {GEOJSON_FILE} leaves out {} node(s) without `lat` and `lon` ({}) and the links and services that end there\n",
        unplaced.len(),
        unplaced.join(", ")
    ))
}

/// `warmup = "auto"` is for `corridor run` only: the other commands refuse it (exit code 2).
pub(crate) fn no_auto_warmup(model: &Model, command: &str) -> Result<()> {
    if model.warmup_auto {
        return Err(crate::error::Error::Usage(format!(
            "scenario \"{}\" has warmup = \"auto\", which only `corridor run` supports; `corridor {command}` needs a warm-up duration: run it once with `corridor run` (the manifest and stderr give the warm-up MSER-5 chose) and pass it with --set scenario.warmup=DURATION",
            model.name
        )));
    }
    Ok(())
}
