//! Reading results folders back: `replications.csv` (for `compare --results` and `merge`) and
//! the rows of `sweep.csv` (for `merge`).
//!
//! Values were written in Rust's shortest round-trip form, so they read back as exactly the
//! same `f64`; an empty cell is NaN, as it was before writing. Summaries recomputed from them
//! are therefore bit-identical to those of the run that wrote them.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use crate::error::{Error, Result};
use crate::report::{REPLICATIONS_HEADER, ReplicationResult, Row};

/// A `&'static str` equal to `s`. Metric rows hold static names (scope, metric, unit); rows
/// read back from a file get theirs from this table. It holds each distinct name once, so it
/// grows with the number of distinct scopes, metrics and units (tens), not with the rows.
pub(super) fn intern(s: &str) -> &'static str {
    static TABLE: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut t = TABLE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(hit) = t.get(s) {
        return hit;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    t.insert(leaked);
    leaked
}

fn err(path: &Path, message: impl Into<String>) -> Error {
    Error::Results {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Parses a CSV cell written by corridor: empty is NaN.
pub(super) fn parse_value(path: &Path, line: u64, cell: &str) -> Result<f64> {
    if cell.is_empty() {
        return Ok(f64::NAN);
    }
    cell.parse().map_err(|_| {
        err(
            path,
            format!(
                "line {line}: \"{cell}\" is not a number (corridor writes numbers or empty cells)"
            ),
        )
    })
}

/// The replications of a folder's `replications.csv`: the scenario name and the replications
/// in file order, each with its rows. Checks the header, that each replication's rows are
/// contiguous, and that every replication has the same rows.
pub(super) fn read_replications(dir: &Path) -> Result<(String, Vec<ReplicationResult>)> {
    let path = dir.join("replications.csv");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&path)
        .map_err(|e| err(&path, format!("cannot read: {e}")))?;
    let header = rdr
        .headers()
        .map_err(|e| err(&path, format!("cannot read the header: {e}")))?
        .clone();
    if header.iter().ne(REPLICATIONS_HEADER) {
        return Err(err(
            &path,
            format!(
                "line 1: the header is \"{}\"; corridor's replications.csv has \"{}\"",
                header.iter().collect::<Vec<_>>().join(","),
                REPLICATIONS_HEADER.join(",")
            ),
        ));
    }
    let mut name: Option<String> = None;
    let mut reps: Vec<ReplicationResult> = Vec::new();
    let mut seen = HashSet::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(&path, format!("cannot read: {e}")))?;
        let line = rec.position().map_or(0, |p| p.line());
        let f = |i: usize| rec.get(i).unwrap_or("");
        match &name {
            None => name = Some(f(0).to_string()),
            Some(n) if n != f(0) => {
                return Err(err(
                    &path,
                    format!(
                        "line {line}: scenario \"{}\" differs from \"{n}\" above; one folder holds one scenario",
                        f(0)
                    ),
                ));
            }
            Some(_) => {}
        }
        let rep: u32 = f(1).parse().map_err(|_| {
            err(
                &path,
                format!(
                    "line {line}: replication \"{}\" is not a whole number",
                    f(1)
                ),
            )
        })?;
        let seed: u64 = f(2).parse().map_err(|_| {
            err(
                &path,
                format!("line {line}: seed \"{}\" is not a whole number", f(2)),
            )
        })?;
        let row = Row {
            scope: intern(f(3)),
            id: f(4).to_string(),
            metric: intern(f(5)),
            unit: intern(f(6)),
            value: parse_value(&path, line, f(7))?,
        };
        match reps.last_mut() {
            Some(last) if last.replication == rep => {
                if last.seed != seed {
                    return Err(err(
                        &path,
                        format!(
                            "line {line}: replication {rep} has seeds {} and {seed}",
                            last.seed
                        ),
                    ));
                }
                last.rows.push(row);
            }
            _ => {
                if !seen.insert(rep) {
                    return Err(err(
                        &path,
                        format!("line {line}: replication {rep} appears twice"),
                    ));
                }
                reps.push(ReplicationResult {
                    replication: rep,
                    seed,
                    rows: vec![row],
                });
            }
        }
    }
    if let Some(first) = reps.first() {
        for r in &reps[1..] {
            let same = r.rows.len() == first.rows.len()
                && r.rows.iter().zip(&first.rows).all(|(a, b)| {
                    a.scope == b.scope && a.id == b.id && a.metric == b.metric && a.unit == b.unit
                });
            if !same {
                return Err(err(
                    &path,
                    format!(
                        "replication {} has other metric rows than replication {}; the file is not one run's output",
                        r.replication, first.replication
                    ),
                ));
            }
        }
    }
    Ok((name.unwrap_or_default(), reps))
}
