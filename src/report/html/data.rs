//! What the report reads from a results folder: its manifest, then the files of its kind
//! (summary.csv for a run, comparison.csv for a comparison, sweep.csv for a sweep) and, when
//! the folder has one, timeseries.csv. Columns are found by their header names, so files with
//! more columns than this version knows still read.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::summary::Summary;
use crate::error::{Error, Result};
use crate::report::manifest::{Manifest, sha256_hex};
use crate::report::{Comparison, SummaryKey, SummaryRow, intern};
use crate::scenario::{Model, Network};

/// A results folder, read.
pub(super) struct Folder {
    /// Its manifest.
    pub(super) manifest: Manifest,
    /// SHA-256 of its manifest.json.
    pub(super) manifest_sha256: String,
    /// The results of its kind.
    pub(super) body: Body,
    /// timeseries.csv, when the folder has one.
    pub(super) timeseries: Option<TimeSeries>,
    /// The first scenario of the manifest (the base of a comparison), loaded from its
    /// `resolved` text through the scenario pipeline; the message when that fails or the
    /// manifest records none.
    pub(super) model: std::result::Result<Model, String>,
    /// The network of the same scenario, read from its `resolved` text as `export geojson`
    /// reads it (no data file opened): what the map draws. `None` when the manifest records
    /// no scenario or the text does not read.
    pub(super) network: Option<Network>,
}

/// The results of one kind of folder.
pub(super) enum Body {
    /// `run` (or a merge of run shards): summary.csv.
    Run(Vec<SummaryRow>),
    /// `compare`: comparison.csv.
    Compare(Vec<Comparison>),
    /// `sweep`: the varied paths and the rows of sweep.csv, point by point.
    Sweep {
        /// The varied paths, in `--vary` order.
        vary: Vec<String>,
        /// Every point: its values and its summary rows.
        points: Vec<(Vec<String>, Vec<SummaryRow>)>,
    },
}

/// timeseries.csv, as far as the report uses it: per (scope, id), per metric in file order,
/// the bins.
pub(super) struct TimeSeries {
    /// Series in file order.
    pub(super) series: Vec<Series>,
    /// Why the file could not be used (its header lacks a column the report needs).
    pub(super) unreadable: Option<String>,
    /// Whether the times were durations with units (then in days) rather than plain numbers.
    pub(super) in_days: bool,
}

/// One metric of one resource over time.
pub(super) struct Series {
    pub(super) scope: String,
    pub(super) id: String,
    pub(super) metric: String,
    pub(super) unit: String,
    /// Bins: (start, end, mean, ci95).
    pub(super) bins: Vec<(f64, f64, f64, f64)>,
}

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::Results {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads a file the folder must have, checked against the SHA-256 its manifest records.
fn read_output(dir: &Path, manifest: &Manifest, file: &str) -> Result<Vec<u8>> {
    let path = dir.join(file);
    let bytes = fs::read(&path).map_err(|e| {
        bad(
            &path,
            format!(
                "cannot read: {e}; a {} folder written by corridor has {file}",
                manifest.kind
            ),
        )
    })?;
    if let Some(want) = manifest.outputs.get(file)
        && *want != sha256_hex(&bytes)
    {
        return Err(bad(
            &path,
            "its SHA-256 is not the one manifest.json records: the file was changed after corridor wrote it; rerun the command that made the folder",
        ));
    }
    Ok(bytes)
}

/// A CSV header's column positions by name; `need` must all be there.
fn columns(
    path: &Path,
    header: &csv::StringRecord,
    need: &[&str],
) -> Result<HashMap<String, usize>> {
    let at: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    let missing: Vec<&str> = need
        .iter()
        .copied()
        .filter(|n| !at.contains_key(*n))
        .collect();
    if !missing.is_empty() {
        return Err(bad(
            path,
            format!(
                "line 1: the header has no column {}; it is \"{}\"",
                missing.join(", "),
                header.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    Ok(at)
}

fn number(path: &Path, line: u64, cell: &str) -> Result<f64> {
    if cell.is_empty() {
        return Ok(f64::NAN);
    }
    cell.parse().map_err(|_| {
        bad(
            path,
            format!(
                "line {line}: \"{cell}\" is not a number (corridor writes numbers or empty cells)"
            ),
        )
    })
}

/// The summary columns every row needs.
const SUMMARY_COLUMNS: [&str; 6] = ["scope", "id", "metric", "unit", "mean", "ci95"];

/// A summary row from a record, by column names (std, min, max and n when present).
fn summary_row(
    path: &Path,
    at: &HashMap<String, usize>,
    rec: &csv::StringRecord,
) -> Result<SummaryRow> {
    let line = rec.position().map_or(0, |p| p.line());
    let cell = |name: &str| at.get(name).and_then(|&i| rec.get(i)).unwrap_or("");
    let num = |name: &str| number(path, line, cell(name));
    let n = cell("n");
    Ok(SummaryRow {
        key: SummaryKey::with_id(
            intern(cell("scope")),
            Arc::from(cell("id")),
            intern(cell("metric")),
            intern(cell("unit")),
            intern(cell("period")),
        ),
        summary: Summary {
            mean: num("mean")?,
            ci95: num("ci95")?,
            std: num("std")?,
            min: num("min")?,
            max: num("max")?,
            n: if n.is_empty() {
                0
            } else {
                n.parse().map_err(|_| {
                    bad(
                        path,
                        format!("line {line}: n \"{n}\" is not a whole number"),
                    )
                })?
            },
        },
    })
}

/// The whole window's rows of a summary.csv: the report shows the window; rows per calendar
/// period (a non-empty `period`) are left out.
fn read_summary(path: &Path, bytes: &[u8]) -> Result<Vec<SummaryRow>> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let header = rdr
        .headers()
        .map_err(|e| bad(path, format!("cannot read the header: {e}")))?
        .clone();
    let at = columns(path, &header, &SUMMARY_COLUMNS)?;
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(path, format!("cannot read: {e}")))?;
        let row = summary_row(path, &at, &rec)?;
        if row.key.is_window() {
            out.push(row);
        }
    }
    Ok(out)
}

fn read_sweep(path: &Path, bytes: &[u8], vary: &[String]) -> Result<Body> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let header = rdr
        .headers()
        .map_err(|e| bad(path, format!("cannot read the header: {e}")))?
        .clone();
    let mut need: Vec<&str> = SUMMARY_COLUMNS.to_vec();
    need.extend(vary.iter().map(String::as_str));
    let at = columns(path, &header, &need)?;
    let mut points: Vec<(Vec<String>, Vec<SummaryRow>)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(path, format!("cannot read: {e}")))?;
        let values: Vec<String> = vary
            .iter()
            .map(|v| {
                at.get(v)
                    .and_then(|&i| rec.get(i))
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let row = summary_row(path, &at, &rec)?;
        match points.last_mut() {
            Some((v, rows)) if *v == values => rows.push(row),
            _ => points.push((values, vec![row])),
        }
    }
    Ok(Body::Sweep {
        vary: vary.to_vec(),
        points,
    })
}

fn read_comparison(path: &Path, bytes: &[u8]) -> Result<Vec<Comparison>> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let header = rdr
        .headers()
        .map_err(|e| bad(path, format!("cannot read the header: {e}")))?
        .clone();
    let need = [
        "scope",
        "id",
        "metric",
        "unit",
        "base",
        "alt_scenario",
        "alt",
        "diff",
        "diff_ci95",
    ];
    let at = columns(path, &header, &need)?;
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(path, format!("cannot read: {e}")))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |name: &str| at.get(name).and_then(|&i| rec.get(i)).unwrap_or("");
        let num = |name: &str| number(path, line, cell(name));
        let flag = |name: &str| match cell(name) {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        // The report shows the whole window's comparisons.
        if !cell("period").is_empty() {
            continue;
        }
        out.push(Comparison {
            scope: cell("scope").to_string(),
            id: cell("id").to_string(),
            metric: cell("metric").to_string(),
            unit: cell("unit").to_string(),
            base: num("base")?,
            alt_scenario: cell("alt_scenario").to_string(),
            alt: num("alt")?,
            diff: num("diff")?,
            diff_ci95: num("diff_ci95")?,
            pct_change: num("pct_change")?,
            significant: flag("significant"),
            p_value: num("p_value")?,
            significant_bh: flag("significant_bh"),
            n: 0,
            period: cell("period").to_string(),
        });
    }
    Ok(out)
}

/// A time as timeseries.csv may write it: a number, or a duration with a unit (in days).
fn time_value(cell: &str) -> Option<(f64, bool)> {
    if let Ok(v) = cell.trim().parse::<f64>() {
        return Some((v, false));
    }
    crate::scenario::duration::parse_duration(cell)
        .ok()
        .map(|d| (d.secs / 86_400.0, true))
}

/// Reads timeseries.csv, tolerating columns it does not know; a header without the columns
/// the report needs gives a series list that says why.
fn read_timeseries(path: &Path, bytes: &[u8]) -> Result<TimeSeries> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let header = rdr
        .headers()
        .map_err(|e| bad(path, format!("cannot read the header: {e}")))?
        .clone();
    let need = [
        "scope", "id", "metric", "unit", "t_start", "t_end", "mean", "ci95",
    ];
    let at = match columns(path, &header, &need) {
        Ok(at) => at,
        Err(e) => {
            return Ok(TimeSeries {
                series: Vec::new(),
                unreadable: Some(e.to_string()),
                in_days: false,
            });
        }
    };
    let mut series: Vec<Series> = Vec::new();
    let mut index: HashMap<(String, String, String), usize> = HashMap::new();
    let mut in_days = false;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(path, format!("cannot read: {e}")))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |name: &str| at.get(name).and_then(|&i| rec.get(i)).unwrap_or("");
        let (Some((t0, d0)), Some((t1, _))) =
            (time_value(cell("t_start")), time_value(cell("t_end")))
        else {
            return Err(bad(
                path,
                format!(
                    "line {line}: t_start \"{}\" or t_end \"{}\" is not a time",
                    cell("t_start"),
                    cell("t_end")
                ),
            ));
        };
        in_days |= d0;
        let mean = number(path, line, cell("mean"))?;
        let ci = number(path, line, cell("ci95"))?;
        let key = (
            cell("scope").to_string(),
            cell("id").to_string(),
            cell("metric").to_string(),
        );
        let k = *index.entry(key).or_insert_with(|| {
            series.push(Series {
                scope: cell("scope").to_string(),
                id: cell("id").to_string(),
                metric: cell("metric").to_string(),
                unit: cell("unit").to_string(),
                bins: Vec::new(),
            });
            series.len() - 1
        });
        series[k].bins.push((t0, t1, mean, ci));
    }
    Ok(TimeSeries {
        series,
        unreadable: None,
        in_days,
    })
}

/// The model of the manifest's first scenario, from its `resolved` text.
fn first_model(manifest: &Manifest) -> std::result::Result<Model, String> {
    let Some(s) = manifest.scenarios.first() else {
        return Err("the manifest records no scenario (compare --results keeps the folders compared, not their scenarios)".into());
    };
    crate::scenario::resolve(Path::new(&s.file), &s.resolved, &[], &[])
        .map(|r| r.model)
        .map_err(|e| format!("the scenario recorded in manifest.json does not load here: {e}"))
}

/// Reads the results folder `dir` for the report.
pub(super) fn read(dir: &Path) -> Result<Folder> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(bad(
                dir,
                "is a file; give a results folder (one with manifest.json)",
            ));
        }
        Err(e) => return Err(bad(dir, format!("cannot read: {e}; give a results folder"))),
    }
    let (manifest, bytes) = Manifest::read(dir)?;
    let manifest_sha256 = sha256_hex(&bytes);
    if let Some(shard) = &manifest.shard {
        return Err(bad(
            dir,
            format!(
                "is shard {}/{} of a {}: it holds part of the work; merge the shards (corridor merge) and report the merged folder",
                shard.index, shard.count, manifest.kind
            ),
        ));
    }
    let path = |f: &str| -> PathBuf { dir.join(f) };
    let body = match manifest.kind.as_str() {
        "run" => {
            let b = read_output(dir, &manifest, "summary.csv")?;
            Body::Run(read_summary(&path("summary.csv"), &b)?)
        }
        "compare" => {
            let b = read_output(dir, &manifest, "comparison.csv")?;
            Body::Compare(read_comparison(&path("comparison.csv"), &b)?)
        }
        "sweep" => {
            let b = read_output(dir, &manifest, "sweep.csv")?;
            let vary = manifest
                .sweep
                .as_ref()
                .map(|s| s.vary.clone())
                .unwrap_or_default();
            read_sweep(&path("sweep.csv"), &b, &vary)?
        }
        other => {
            return Err(bad(
                dir,
                format!(
                    "holds results of kind \"{other}\"; corridor report draws run, compare and sweep folders"
                ),
            ));
        }
    };
    let ts = path("timeseries.csv");
    let timeseries = if ts.exists() {
        let b = read_output(dir, &manifest, "timeseries.csv")?;
        Some(read_timeseries(&ts, &b)?)
    } else {
        None
    };
    let model = first_model(&manifest);
    let network = manifest
        .scenarios
        .first()
        .and_then(|s| Network::from_resolved(Path::new(&s.file), &s.resolved).ok());
    Ok(Folder {
        manifest,
        manifest_sha256,
        body,
        timeseries,
        model,
        network,
    })
}
