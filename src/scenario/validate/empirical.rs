//! Empirical data: one column of a CSV file, read once per (file, column). Messages quote at
//! most the offending cell (shortened), never a line of the file, since the file may be any
//! file the scenario names; with `--confine` ([`FileAccess::Confined`]) it must lie in the
//! scenario file's folder tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Ctx;
use crate::error::{Error, Result};
use crate::scenario::access::{FileAccess, confine};

/// Empirical CSV columns, read once per (file, column).
#[derive(Default)]
pub(crate) struct EmpiricalCache {
    loaded: HashMap<(PathBuf, String), Vec<f64>>,
    /// The files read, each once, in order.
    files: Vec<PathBuf>,
}

impl EmpiricalCache {
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
            if !self.files.contains(&key.0) {
                self.files.push(key.0.clone());
            }
        }
        Ok(&self.loaded[&key])
    }

    /// The files read, each once, in the order first read.
    pub(super) fn into_files(self) -> Vec<PathBuf> {
        self.files
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
