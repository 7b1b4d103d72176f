//! Where a command writes by default, and when it may replace the folder that is there.
//!
//! - **Default folders.** A command that leaves the scenario as its file says writes to
//!   `results/<name>` (`<name>-sweep` for a sweep, `compare-<base name>` for a comparison). One
//!   that changes it (`--set`, `--digitisation`, `--alt`) adds 8 hex digits of the resolved
//!   scenario's SHA-256: `results/<name>-1a2b3c4d`, so that it never lands on the folder of
//!   the unmodified scenario, and the same overrides land on the same folder again. `--seed`,
//!   `--replications` and `--jobs` are not part of the scenario and change no folder name.
//! - **Replacing.** A folder is replaced only by a rerun of what made it (see [`same_study`]);
//!   anything else needs `--force`.

use std::path::{Path, PathBuf};

use super::manifest::{Manifest, ScenarioEntry, sha256_hex};
use crate::error::{Error, Result};
use crate::report::{Previous, ResultsFolder};

/// 8 hex digits that name the resolved scenarios: for one scenario, the first 8 of its
/// `resolved_sha256`; for several (a comparison), the first 8 of the SHA-256 of their
/// `resolved_sha256`, one per line, in order.
pub(crate) fn short_hash(scenarios: &[ScenarioEntry]) -> String {
    let full = match scenarios {
        [one] => one.resolved_sha256.clone(),
        many => {
            let lines: String = many
                .iter()
                .map(|s| format!("{}\n", s.resolved_sha256))
                .collect();
            sha256_hex(lines.as_bytes())
        }
    };
    full.chars().take(8).collect()
}

/// The default folder `results/<stem>`, or `results/<stem>-<short hash><suffix>` when the
/// command changed the scenarios (`changed`); `suffix` (such as `-sweep`) follows either.
pub(crate) fn default_dir(
    stem: &str,
    suffix: &str,
    changed: bool,
    scenarios: &[ScenarioEntry],
) -> PathBuf {
    let name = if changed {
        format!("{stem}-{}{suffix}", short_hash(scenarios))
    } else {
        format!("{stem}{suffix}")
    };
    Path::new("results").join(name)
}

/// Whether two paths name the same file (as written, or once resolved from here).
fn same_file(a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (Path::new(a).canonicalize(), Path::new(b).canonicalize()),
            (Ok(x), Ok(y)) if x == y
        )
}

/// The folders of `compare --results`, without their manifests' hashes.
fn folders(compared: &[String]) -> Vec<&str> {
    compared
        .iter()
        .map(|c| c.rsplit_once(" (").map_or(c.as_str(), |(f, _)| f))
        .collect()
}

/// Whether the folder whose manifest is `old` was made by the same study as this command: the
/// same kind and, scenario by scenario, the same resolved scenario or the same file with the
/// same overrides (so a rerun of an edited file is the same study), and for
/// `compare --results` the same folders. A sweep is known by its base scenario: its grid may
/// change.
pub(crate) fn same_study(
    old: &Manifest,
    kind: &str,
    scenarios: &[ScenarioEntry],
    compared: &[String],
) -> bool {
    let same = |a: &ScenarioEntry, b: &ScenarioEntry| {
        a.model_options == b.model_options
            && (a.resolved_sha256 == b.resolved_sha256
                || (a.overrides == b.overrides && same_file(&a.file, &b.file)))
    };
    old.kind == kind
        && old.scenarios.len() == scenarios.len()
        && old.scenarios.iter().zip(scenarios).all(|(a, b)| same(a, b))
        && folders(&old.compared_folders) == folders(compared)
}

fn describe(s: &[ScenarioEntry], compared: &[&str]) -> String {
    let one = |e: &ScenarioEntry| {
        let mut t = format!("\"{}\" from {}", e.name, e.file);
        let changes: Vec<&String> = e.overrides.iter().chain(&e.model_options).collect();
        if !changes.is_empty() {
            let changes: Vec<&str> = changes.iter().map(|c| c.as_str()).collect();
            t.push_str(&format!(" with {}", changes.join(" ")));
        }
        format!(
            "{t} (resolved scenario {})",
            short_hash(std::slice::from_ref(e))
        )
    };
    if s.is_empty() {
        format!("the folders {}", compared.join(", "))
    } else {
        s.iter().map(one).collect::<Vec<_>>().join(", ")
    }
}

/// Refuses to replace `folder` (given as `dir`) unless it is empty, `force` is set, or it holds
/// results of the same study ([`same_study`]). Called under the folder's lock, before the work.
pub(crate) fn check_replace(
    folder: &ResultsFolder,
    dir: &Path,
    kind: &str,
    scenarios: &[ScenarioEntry],
    compared: &[String],
    force: bool,
) -> Result<()> {
    let why = match folder.previous() {
        Previous::Nothing => return Ok(()),
        _ if force => return Ok(()),
        Previous::Results(m) if same_study(&m, kind, scenarios, compared) => return Ok(()),
        Previous::Results(m) => format!(
            "it holds the {} results of {}, not of {}",
            m.kind,
            describe(&m.scenarios, &folders(&m.compared_folders)),
            describe(scenarios, &folders(compared))
        ),
        Previous::Other(why) => why,
    };
    Err(Error::Usage(format!(
        "{}: {why}. corridor replaces a results folder only with a rerun of what made it (the same kind of command and resolved scenario, or the same file with the same overrides): give another --out, or --force to replace it (entries other than its old results are kept)",
        dir.display()
    )))
}
