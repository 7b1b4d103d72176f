//! `sweep.csv`: summary.csv's long format with one column per varied path, between `scenario`
//! and `scope`; one group of rows per point. Written by `sweep`, read back (a shard's rows) and
//! written again by `merge`.

use std::path::Path;

use super::{Export, SUMMARY_HEADER, SummaryRow, finish};
use crate::error::{Error, Result};

/// The header of sweep.csv: `scenario`, one column per varied path, then summary.csv's columns.
pub fn sweep_header(vary: &[String]) -> Vec<String> {
    let mut h = vec![SUMMARY_HEADER[0].to_string()];
    h.extend(vary.iter().cloned());
    // Without `period`: sweep.csv holds the whole window's rows only.
    h.extend(SUMMARY_HEADER[1..11].iter().map(|s| s.to_string()));
    h
}

/// The records of one point: its summary rows with the point's values (the whole window's
/// rows only: a sweep compares points over the window, not period by period).
pub fn point_records(name: &str, values: &[String], rows: &[SummaryRow]) -> Vec<csv::StringRecord> {
    rows.iter()
        .filter(|r| r.key.is_window())
        .map(|r| {
            let mut rec = csv::StringRecord::new();
            rec.push_field(name);
            for v in values {
                rec.push_field(v);
            }
            for f in r.fields() {
                rec.push_field(&f);
            }
            rec
        })
        .collect()
}

/// sweep.csv: the header for the varied paths, then the records of every point, in order.
pub struct SweepCsv<'a> {
    /// The varied paths, in `--vary` order.
    pub vary: &'a [String],
    /// The records of every point (see [`point_records`]).
    pub records: &'a [csv::StringRecord],
}

impl Export for SweepCsv<'_> {
    fn file_name(&self) -> &'static str {
        "sweep.csv"
    }

    fn serialize(&self) -> std::io::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(sweep_header(self.vary))?;
        for r in self.records {
            w.write_record(r)?;
        }
        finish(w)
    }
}

/// One point's values and its rows of sweep.csv.
pub type PointRows = (Vec<String>, Vec<csv::StringRecord>);

/// Reads a sweep.csv written by corridor with columns for `vary`: its header and its rows
/// grouped by point (consecutive rows with the same values), each group with its values.
pub fn read_sweep_rows(
    path: &Path,
    bytes: &[u8],
    vary: &[String],
) -> Result<(csv::StringRecord, Vec<PointRows>)> {
    let err = |m: String| Error::Results {
        path: path.to_path_buf(),
        message: m,
    };
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let h = rdr
        .headers()
        .map_err(|e| err(format!("cannot read the header: {e}")))?
        .clone();
    let want = sweep_header(vary);
    if h.iter().ne(want.iter().map(String::as_str)) {
        return Err(err(format!(
            "line 1: the header is \"{}\", expected \"{}\"",
            h.iter().collect::<Vec<_>>().join(","),
            want.join(",")
        )));
    }
    let mut groups: Vec<PointRows> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(format!("cannot read: {e}")))?;
        let values: Vec<String> = (1..=vary.len())
            .map(|i| rec.get(i).unwrap_or("").to_string())
            .collect();
        match groups.last_mut() {
            Some((v, rows)) if *v == values => rows.push(rec),
            _ => groups.push((values, vec![rec])),
        }
    }
    Ok((h, groups))
}
