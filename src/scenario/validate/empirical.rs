//! Empirical data: one column of a CSV file, read once per (file, column), and its values in
//! seconds, built once per (file, column, unit) and shared (an `Arc<[f64]>`) by every
//! distribution and every model validated with the same cache (a sweep's points: see
//! `loading::DataCache`). Messages quote at
//! most the offending cell (shortened), never a line of the file, since the file may be any
//! file the scenario names; with `--confine` ([`FileAccess::Confined`]) it must lie in the
//! scenario file's folder tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Ctx;
use crate::engine::dist::Dist;
use crate::error::{Error, Result};
use crate::scenario::access::{FileAccess, confine};

/// An empirical distribution in seconds and its values, shared by every use.
pub(super) type SharedDist = (Dist, Arc<[f64]>);

/// Empirical CSV columns, read once per (file, column), and their distributions, built once
/// per (file, column, unit). It may outlive one model: [`EmpiricalCache::take_files`] gives
/// the files the model just validated used, read now or before.
#[derive(Default)]
pub(crate) struct EmpiricalCache {
    loaded: HashMap<(PathBuf, String), Vec<f64>>,
    /// Per (file, column, unit scale's bits): the distribution and its values in seconds.
    dists: HashMap<(PathBuf, String, u64), SharedDist>,
    /// The files the model being validated uses, each once, in the order first used.
    files: Vec<PathBuf>,
}

impl EmpiricalCache {
    /// The distribution of `column` of `file` in seconds (values times `scale`) and its
    /// values, built by `build` from the values the first time, then shared.
    pub(super) fn dist(
        &mut self,
        ctx: &Ctx,
        p: &str,
        file: &str,
        column: &str,
        scale: f64,
        build: impl FnOnce(&[f64]) -> Result<SharedDist>,
    ) -> Result<SharedDist> {
        let key = (ctx.dir().join(file), column.to_string(), scale.to_bits());
        if let Some(d) = self.dists.get(&key) {
            let d = d.clone();
            // Checked and recorded for this model as when it was read.
            self.load(ctx, p, file, column)?;
            return Ok(d);
        }
        let built = build(self.load(ctx, p, file, column)?)?;
        self.dists.insert(key, built.clone());
        Ok(built)
    }

    /// The values of `column` of the CSV file `file` (relative to the scenario's folder) of
    /// the distribution at `p`.
    pub(super) fn load(
        &mut self,
        ctx: &Ctx,
        p: &str,
        file: &str,
        column: &str,
    ) -> Result<&Vec<f64>> {
        let path = ctx.dir().join(file);
        if ctx.access == FileAccess::Confined {
            confine(ctx.file, &path).map_err(|m| {
                ctx.err(
                    &format!("{p}.file"),
                    format!("empirical data file \"{file}\" {m}"),
                )
            })?;
        }
        let path = path.as_path();
        let key = (path.to_path_buf(), column.to_string());
        if !self.loaded.contains_key(&key) {
            let values = read_column(ctx, p, path, column)?;
            self.loaded.insert(key.clone(), values);
        }
        if !self.files.contains(&key.0) {
            self.files.push(key.0.clone());
        }
        Ok(&self.loaded[&key])
    }

    /// Records `path` as a file the model being validated reads (besides empirical data: the
    /// disruptions file), for the manifest.
    pub(super) fn note_file(&mut self, path: PathBuf) {
        if !self.files.contains(&path) {
            self.files.push(path);
        }
    }

    /// The files the model validated since the last call used (read now or before, when the
    /// cache is shared), each once, in the order first used; the cache keeps their data.
    pub(super) fn take_files(&mut self) -> Vec<PathBuf> {
        std::mem::take(&mut self.files)
    }
}

fn read_column(ctx: &Ctx, p: &str, path: &Path, column: &str) -> Result<Vec<f64>> {
    let file_err = |line: Option<usize>, msg: String| Error::Scenario {
        file: path.to_path_buf(),
        line_col: line.map(|l| (l, 1)),
        path: String::new(),
        message: format!("{msg} (empirical data for {p} in {})", ctx.file.display()),
    };
    let f = std::fs::File::open(path).map_err(|e| {
        ctx.err(
            &format!("{p}.file"),
            format!(
                "cannot open empirical data file \"{}\": {e}",
                path.display()
            ),
        )
    })?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(f);
    let headers = rdr
        .headers()
        .map_err(|e| file_err(Some(1), format!("cannot read the header row: {e}")))?
        .clone();
    let Some(ci) = headers.iter().position(|h| h.trim() == column) else {
        return Err(ctx.err(
            &format!("{p}.column"),
            format!(
                "column \"{column}\" is not in \"{}\": none of the {} names of its header row (line 1) is \"{column}\"",
                path.display(),
                headers.len()
            ),
        ));
    };
    let mut values = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            file_err(
                e.position().map(|pos| pos.line() as usize),
                format!("cannot read: {e}"),
            )
        })?;
        let line = rec.position().map_or(0, |pos| pos.line() as usize);
        let cell = rec.get(ci).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v: f64 = cell.parse().map_err(|_| {
            file_err(
                Some(line),
                format!(
                    "column \"{column}\" holds \"{}\", which is not a number",
                    short(cell)
                ),
            )
        })?;
        if !v.is_finite() || v < 0.0 {
            return Err(file_err(
                Some(line),
                format!(
                    "column \"{column}\" holds {}; durations must be finite and >= 0",
                    short(cell)
                ),
            ));
        }
        values.push(v);
    }
    if values.is_empty() {
        return Err(ctx.err(
            &format!("{p}.column"),
            format!(
                "column \"{column}\" of \"{}\" has no numeric values",
                path.display()
            ),
        ));
    }
    Ok(values)
}

/// A cell as a message quotes it: at most 24 characters.
fn short(cell: &str) -> String {
    match cell.char_indices().nth(24) {
        Some((i, _)) => format!("{}...", &cell[..i]),
        None => cell.to_string(),
    }
}
