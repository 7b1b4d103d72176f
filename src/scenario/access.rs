//! Which files besides itself a scenario may make corridor read (data files, `extends`
//! bases), and the check behind `--confine`.

use std::path::Path;

/// Which files besides itself a scenario may make corridor read: empirical data files and
/// `extends` bases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FileAccess {
    /// Any file the process can read, by a relative or an absolute path (the default).
    #[default]
    Open,
    /// Only files in the scenario file's folder or below it, after resolving `..` and symbolic
    /// links (`--confine`): for services that run scenarios from others.
    Confined,
}

/// With [`FileAccess::Confined`]: checks that `path` (a data file or an `extends` base) lies
/// in the folder of `scenario` or below it, both canonicalised. The error completes a
/// sentence that starts with the file's name as given.
pub(crate) fn confine(scenario: &Path, path: &Path) -> Result<(), String> {
    let dir = match scenario.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let root = std::fs::canonicalize(dir)
        .map_err(|e| format!("cannot be checked: the scenario's folder cannot be resolved: {e}"))?;
    let real = std::fs::canonicalize(path).map_err(|e| format!("cannot be opened: {e}"))?;
    if real.starts_with(&root) {
        return Ok(());
    }
    Err("is outside the scenario file's folder; with --confine, data files and `extends` bases must lie in that folder or below it (after resolving `..` and symbolic links)".into())
}
