//! CSV exporter: `summary.csv` and `replications.csv` in long format.

use std::fs;
use std::path::{Path, PathBuf};

use super::{ReplicationResult, SummaryRow, fmt_value};
use crate::error::{Error, Result};

/// Column names of summary.csv.
pub const SUMMARY_HEADER: [&str; 11] = [
    "scenario", "scope", "id", "metric", "unit", "mean", "ci95", "std", "min", "max", "n",
];
/// Column names of replications.csv.
pub const REPLICATIONS_HEADER: [&str; 8] = [
    "scenario",
    "replication",
    "seed",
    "scope",
    "id",
    "metric",
    "unit",
    "value",
];

fn out_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Output {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

/// summary.csv as bytes (`path` names it in errors).
pub fn summary_bytes(scenario: &str, rows: &[SummaryRow], path: &Path) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SUMMARY_HEADER).map_err(csv_err(path))?;
    for r in rows {
        w.write_record(std::iter::once(scenario.to_string()).chain(r.fields()))
            .map_err(csv_err(path))?;
    }
    w.into_inner().map_err(|e| out_err(path)(e.into_error()))
}

/// replications.csv as bytes (`path` names it in errors).
pub fn replications_bytes(
    scenario: &str,
    reps: &[ReplicationResult],
    path: &Path,
) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(REPLICATIONS_HEADER).map_err(csv_err(path))?;
    for rep in reps {
        let (r, seed) = (rep.replication.to_string(), rep.seed.to_string());
        for row in &rep.rows {
            w.write_record([
                scenario,
                &r,
                &seed,
                row.scope,
                &row.id,
                row.metric,
                row.unit,
                &fmt_value(row.value),
            ])
            .map_err(csv_err(path))?;
        }
    }
    w.into_inner().map_err(|e| out_err(path)(e.into_error()))
}

/// Writes `files` (name, bytes) into `dir`: each goes to a hidden temporary file first, and only
/// when all are written are they renamed into place, so no file is ever half-written and a
/// failure while writing (disk full, permissions) leaves the folder as it was. The renames
/// themselves are atomic one by one, not as a group.
pub fn write_atomically(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).map_err(out_err(dir))?;
    let mut temps = Vec::new();
    for (name, bytes) in files {
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        if let Err(e) = fs::write(&tmp, bytes) {
            for (t, _) in &temps {
                let _ = fs::remove_file(t);
            }
            let _ = fs::remove_file(&tmp);
            return Err(out_err(&tmp)(e));
        }
        temps.push((tmp, dir.join(name)));
    }
    let mut done = Vec::new();
    for (tmp, target) in temps {
        fs::rename(&tmp, &target).map_err(out_err(&target))?;
        done.push(target);
    }
    Ok(done)
}

/// Writes summary.csv and replications.csv into `dir`, all or nothing.
pub fn write_results(
    dir: &Path,
    scenario: &str,
    summary: &[SummaryRow],
    reps: &[ReplicationResult],
) -> Result<Vec<PathBuf>> {
    let s = summary_bytes(scenario, summary, &dir.join("summary.csv"))?;
    let r = replications_bytes(scenario, reps, &dir.join("replications.csv"))?;
    write_atomically(dir, &[("summary.csv", s), ("replications.csv", r)])
}
