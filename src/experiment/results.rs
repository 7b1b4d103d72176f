//! Reading results folders back: `replications.csv` (for `compare --results` and `merge`), the
//! rows of `sweep.csv` (for `merge`) and `summary.csv` (for `export`).
//!
//! Values were written in Rust's shortest round-trip form, so they read back as exactly the
//! same `f64`; an empty cell is NaN, as it was before writing. Summaries recomputed from them
//! are therefore bit-identical to those of the run that wrote them.
//!
//! `replications.csv` is read one replication at a time ([`ReplicationReader`]), so reading
//! it holds one replication's rows however many replications the file has.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::engine::summary::Summary;
use crate::error::{Error, Result};
use crate::report::{
    REPLICATIONS_HEADER, ReplicationResult, Row, SUMMARY_HEADER, SharedIds, SummaryKey, SummaryRow,
    intern,
};

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

/// The rows of a `summary.csv` (`bytes`, read from `path`), checked: corridor's header, one
/// scenario, and numbers or empty cells (NaN) where corridor writes them. Values read back as
/// the same `f64`s the run summarised.
pub(super) fn read_summary(path: &Path, bytes: &[u8]) -> Result<Vec<SummaryRow>> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = csv
        .headers()
        .map_err(|e| err(path, format!("cannot read the header: {e}")))?;
    // Folders written before the `period` column have the other columns only.
    let columns = match header.len() {
        11 => &SUMMARY_HEADER[..11],
        _ => &SUMMARY_HEADER[..],
    };
    if header.iter().ne(columns.iter().copied()) {
        return Err(err(
            path,
            format!(
                "line 1: the header is \"{}\"; corridor's summary.csv has \"{}\"",
                header.iter().collect::<Vec<_>>().join(","),
                SUMMARY_HEADER.join(",")
            ),
        ));
    }
    let mut rows = Vec::new();
    let mut ids = SharedIds::default();
    let mut name: Option<String> = None;
    for (i, record) in csv.records().enumerate() {
        let line = i as u64 + 2;
        let r = record.map_err(|e| err(path, format!("line {line}: {e}")))?;
        if r.len() != columns.len() {
            return Err(err(
                path,
                format!("line {line}: {} fields, not {}", r.len(), columns.len()),
            ));
        }
        match &name {
            Some(n) if n != &r[0] => {
                return Err(err(
                    path,
                    format!(
                        "line {line}: scenario \"{}\" after \"{n}\"; a summary.csv holds one scenario",
                        &r[0]
                    ),
                ));
            }
            Some(_) => {}
            None => name = Some(r[0].to_string()),
        }
        let value = |k: usize| parse_value(path, line, &r[k]);
        let n = r[10].parse().map_err(|_| {
            err(
                path,
                format!("line {line}: n = \"{}\" is not a count", &r[10]),
            )
        })?;
        rows.push(SummaryRow {
            key: SummaryKey::with_id(
                intern(&r[1]),
                ids.id(&r[2]),
                intern(&r[3]),
                intern(&r[4]),
                intern(r.get(11).unwrap_or("")),
            ),
            summary: Summary {
                mean: value(5)?,
                ci95: value(6)?,
                std: value(7)?,
                min: value(8)?,
                max: value(9)?,
                n,
            },
        });
    }
    Ok(rows)
}

/// A `replications.csv` read one replication at a time, checked as it is read: the header, one
/// scenario in the whole file, each replication's rows together and with one seed, each
/// replication once and in increasing order (as corridor writes them), and every replication
/// with the rows (scope, id, metric, unit) of the first.
pub(super) struct ReplicationReader<R> {
    /// The file (for messages).
    path: PathBuf,
    csv: csv::Reader<R>,
    record: csv::StringRecord,
    /// Whether `record` holds the first row of the next replication, read ahead.
    ahead: bool,
    /// The scenario of the rows read so far.
    name: Option<String>,
    /// The number and rows of the first replication, which every other repeats.
    first: Option<(u32, Vec<Row>)>,
    /// The replication handed out last.
    last: Option<u32>,
}

impl ReplicationReader<File> {
    /// Opens the `replications.csv` of the folder `dir` and checks its header.
    pub(super) fn open(dir: &Path) -> Result<Self> {
        let path = dir.join("replications.csv");
        let file = File::open(&path).map_err(|e| err(&path, format!("cannot read: {e}")))?;
        ReplicationReader::new(path, file)
    }
}

impl<R: Read> ReplicationReader<R> {
    /// Reads replications.csv from `reader` (`path` names it in messages) and checks its header.
    pub(super) fn new(path: PathBuf, reader: R) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .buffer_capacity(1 << 16)
            .from_reader(reader);
        let header = csv
            .headers()
            .map_err(|e| err(&path, format!("cannot read the header: {e}")))?;
        // Folders written before the `period` column have the other columns only.
        let columns = match header.len() {
            8 => &REPLICATIONS_HEADER[..8],
            _ => &REPLICATIONS_HEADER[..],
        };
        if header.iter().ne(columns.iter().copied()) {
            return Err(err(
                &path,
                format!(
                    "line 1: the header is \"{}\"; corridor's replications.csv has \"{}\"",
                    header.iter().collect::<Vec<_>>().join(","),
                    REPLICATIONS_HEADER.join(",")
                ),
            ));
        }
        Ok(ReplicationReader {
            path,
            csv,
            record: csv::StringRecord::new(),
            ahead: false,
            name: None,
            first: None,
            last: None,
        })
    }

    /// The file read (for messages).
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The scenario name of the rows read so far (`None` before the first).
    pub(super) fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Reads the next row of the file into `record`, checking its scenario; false at the end.
    fn read(&mut self) -> Result<bool> {
        let path = &self.path;
        let more = self
            .csv
            .read_record(&mut self.record)
            .map_err(|e| err(path, format!("cannot read: {e}")))?;
        if !more {
            return Ok(false);
        }
        let cell = self.record.get(0).unwrap_or("");
        match &self.name {
            None => self.name = Some(cell.to_string()),
            Some(n) if n != cell => {
                return Err(err(
                    path,
                    format!(
                        "line {}: scenario \"{cell}\" differs from \"{n}\" above; one folder holds one scenario",
                        self.line()
                    ),
                ));
            }
            Some(_) => {}
        }
        Ok(true)
    }

    /// The line of the row in `record`.
    fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// The replication and seed of the row in `record`.
    fn head(&self) -> Result<(u32, u64)> {
        let f = |i: usize| self.record.get(i).unwrap_or("");
        let line = self.line();
        let rep: u32 = f(1).parse().map_err(|_| {
            err(
                &self.path,
                format!(
                    "line {line}: replication \"{}\" is not a whole number",
                    f(1)
                ),
            )
        })?;
        let seed: u64 = f(2).parse().map_err(|_| {
            err(
                &self.path,
                format!("line {line}: seed \"{}\" is not a whole number", f(2)),
            )
        })?;
        Ok((rep, seed))
    }

    /// Puts the row in `record` at place `k` of `rows`: only its value when the row there has
    /// its scope, id, metric and unit (the usual case: a replication read into the last one's
    /// place), the whole row otherwise.
    fn put_row(&self, rows: &mut Vec<Row>, k: usize) -> Result<()> {
        let f = |i: usize| self.record.get(i).unwrap_or("");
        let value = parse_value(&self.path, self.line(), f(7))?;
        match rows.get_mut(k) {
            Some(row)
                if row.scope == f(3)
                    && row.id == f(4)
                    && row.metric == f(5)
                    && row.unit == f(6)
                    && row.period == f(8) =>
            {
                row.value = value;
            }
            place => {
                let row = Row {
                    scope: intern(f(3)),
                    id: f(4).to_string(),
                    metric: intern(f(5)),
                    unit: intern(f(6)),
                    value,
                    period: intern(f(8)),
                };
                match place {
                    Some(p) => *p = row,
                    None => rows.push(row),
                }
            }
        }
        Ok(())
    }

    /// Reads the next replication, in file order, into `out` (its rows reused where they are
    /// the same, so reading a file allocates little); false, and `out` as it was, at the end
    /// of the file.
    pub(super) fn next_into(&mut self, out: &mut ReplicationResult) -> Result<bool> {
        if !self.ahead && !self.read()? {
            return Ok(false);
        }
        self.ahead = false;
        let (rep, seed) = self.head()?;
        if let Some(last) = self.last
            && rep <= last
        {
            return Err(err(
                &self.path,
                format!(
                    "line {}: replication {rep} comes after replication {last}; corridor writes each replication once, in increasing order",
                    self.line()
                ),
            ));
        }
        (out.replication, out.seed) = (rep, seed);
        let mut k = 0;
        loop {
            self.put_row(&mut out.rows, k)?;
            k += 1;
            if !self.read()? {
                break;
            }
            let (r, s) = self.head()?;
            if r != rep {
                self.ahead = true;
                break;
            }
            if s != seed {
                return Err(err(
                    &self.path,
                    format!(
                        "line {}: replication {rep} has seeds {seed} and {s}",
                        self.line()
                    ),
                ));
            }
        }
        out.rows.truncate(k);
        match &self.first {
            None => {
                let keys = out.rows.iter().map(|r| Row {
                    value: 0.0,
                    ..r.clone()
                });
                self.first = Some((rep, keys.collect()));
            }
            Some((first, keys)) => {
                let same = out.rows.len() == keys.len()
                    && out.rows.iter().zip(keys).all(|(a, b)| {
                        a.scope == b.scope
                            && a.id == b.id
                            && a.metric == b.metric
                            && a.unit == b.unit
                            && a.period == b.period
                    });
                if !same {
                    return Err(err(
                        &self.path,
                        format!(
                            "replication {rep} has other metric rows than replication {first}; the file is not one run's output"
                        ),
                    ));
                }
            }
        }
        self.last = Some(rep);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "scenario,replication,seed,scope,id,metric,unit,value\n";

    fn reader(body: &str) -> ReplicationReader<std::io::Cursor<Vec<u8>>> {
        let text = format!("{HEADER}{body}");
        ReplicationReader::new("r.csv".into(), std::io::Cursor::new(text.into_bytes())).unwrap()
    }

    /// Every replication of the file, or the first error's message.
    fn read_all(body: &str) -> std::result::Result<Vec<(u32, Vec<f64>)>, String> {
        let mut r = reader(body);
        let mut rep = ReplicationResult {
            replication: 0,
            seed: 0,
            rows: Vec::new(),
            series: Default::default(),
        };
        let mut out = Vec::new();
        while r.next_into(&mut rep).map_err(|e| e.to_string())? {
            out.push((rep.replication, rep.rows.iter().map(|r| r.value).collect()));
        }
        Ok(out)
    }

    #[test]
    fn replications_one_at_a_time_with_their_checks() {
        let two =
            "s,0,1,node,a,m,h,1.5\ns,0,1,node,b,m,h,\ns,2,1,node,a,m,h,3\ns,2,1,node,b,m,h,4\n";
        let got = read_all(two).unwrap();
        assert_eq!(got[0].0, 0);
        assert_eq!(got[0].1[0], 1.5);
        assert!(got[0].1[1].is_nan());
        assert_eq!(got[1], (2, vec![3.0, 4.0]));
        assert_eq!(read_all("").unwrap(), []);
        for (body, message) in [
            (
                "s,1,1,node,a,m,h,1\ns,0,1,node,a,m,h,1\n",
                "line 3: replication 0 comes after replication 1",
            ),
            (
                "s,0,1,node,a,m,h,1\ns,1,1,node,a,m,h,1\ns,0,1,node,a,m,h,1\n",
                "line 4: replication 0 comes after replication 1",
            ),
            (
                "s,0,1,node,a,m,h,1\ns,0,2,node,b,m,h,1\n",
                "line 3: replication 0 has seeds 1 and 2",
            ),
            (
                "s,0,1,node,a,m,h,1\ns,1,1,node,c,m,h,1\n",
                "replication 1 has other metric rows than replication 0",
            ),
            (
                "s,0,1,node,a,m,h,1\nt,1,1,node,a,m,h,1\n",
                "line 3: scenario \"t\" differs from \"s\" above",
            ),
            ("s,0,1,node,a,m,h,x\n", "line 2: \"x\" is not a number"),
        ] {
            let e = read_all(body).unwrap_err();
            assert!(e.contains(message), "{body}: {e}");
        }
    }
}
