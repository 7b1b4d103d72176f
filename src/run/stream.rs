//! Results written as replications complete, so that memory does not depend on how many there
//! are: each replication's rows go to `replications.csv` (streamed into the results folder)
//! and into the first pass of the summary (count, sum and extremes per metric); the second pass
//! (squared deviations from the mean) reads the values back from that file. The summary is
//! [`crate::engine::summary::Summary::of`] of the same values in the same order, bit for bit:
//! every value is written as the shortest text that reads back as the same `f64`.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::engine::summary::{FirstPass, SecondPass};
use crate::error::{Error, Result};
use crate::report::{
    REPLICATIONS_HEADER, ReplicationResult, ResultsFolder, Row, StreamedFile, SummaryRow,
    write_replication,
};

/// The column of `value` in replications.csv.
const VALUE: usize = 7;

/// `replications.csv` of one scenario, written replication by replication, and the first pass
/// of its summary.
pub struct ReplicationStream {
    /// The file in the results folder (for messages).
    path: PathBuf,
    scenario: String,
    csv: csv::Writer<StreamedFile>,
    /// Scope, id, metric and unit of each row, from the first replication.
    keys: Vec<Row>,
    first: Vec<FirstPass>,
    replications: u32,
    events: u64,
}

/// An error writing or reading back `path`.
fn failed(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Output {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

impl ReplicationStream {
    /// Opens `replications.csv` in `folder` for streaming, with its header.
    pub fn new(folder: &ResultsFolder, scenario: &str) -> Result<ReplicationStream> {
        const NAME: &str = "replications.csv";
        let path = folder.dir().join(NAME);
        let mut csv = csv::Writer::from_writer(folder.stream(NAME)?);
        csv.write_record(REPLICATIONS_HEADER)
            .map_err(failed(&path))?;
        Ok(ReplicationStream {
            path,
            scenario: scenario.to_string(),
            csv,
            keys: Vec::new(),
            first: Vec::new(),
            replications: 0,
            events: 0,
        })
    }

    /// The next replication, in order: its rows are written and summed.
    pub fn take(&mut self, rep: &ReplicationResult) -> Result<()> {
        if self.keys.is_empty() {
            self.keys = rep.rows.clone();
        }
        self.sum(rep)
    }

    /// As [`take`](Self::take), keeping the first replication's rows as the keys of the
    /// summary instead of a copy of them (on a large network they are most of the memory at the
    /// end of a run).
    pub fn take_owned(&mut self, rep: ReplicationResult) -> Result<()> {
        self.sum(&rep)?;
        if self.keys.is_empty() {
            self.keys = rep.rows;
        }
        Ok(())
    }

    /// Writes and sums a replication's rows.
    fn sum(&mut self, rep: &ReplicationResult) -> Result<()> {
        write_replication(&mut self.csv, &self.scenario, rep).map_err(failed(&self.path))?;
        if self.first.is_empty() {
            self.first = vec![FirstPass::new(); rep.rows.len()];
        }
        debug_assert!(self.keys.is_empty() || rep.rows.len() == self.keys.len());
        debug_assert_eq!(rep.rows.len(), self.first.len());
        for (f, row) in self.first.iter_mut().zip(&rep.rows) {
            f.push(row.value);
            if row.scope == "corridor" && row.metric == "events" {
                self.events += row.value as u64;
            }
        }
        self.replications += 1;
        Ok(())
    }

    /// Replications taken so far.
    pub fn replications(&self) -> u32 {
        self.replications
    }

    /// Events simulated in the replications taken (their corridor-scope `events`, summed).
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Completes the file and adds it to `folder`; returns the summary of every metric, its
    /// second pass read back from the file.
    pub fn finish(self, folder: &mut ResultsFolder) -> Result<Vec<SummaryRow>> {
        let err = failed(&self.path);
        let mut file = self
            .csv
            .into_inner()
            .map_err(|e| err(e.into_error().into()))?;
        let mut second: Vec<SecondPass> = self.first.iter().map(FirstPass::second_pass).collect();
        let back = file.read_back().map_err(|e| err(e.into()))?;
        let mut rows = csv::Reader::from_reader(io::BufReader::with_capacity(1 << 16, back));
        let mut record = csv::StringRecord::new();
        let mut i = 0;
        while rows.read_record(&mut record).map_err(&err)? {
            let key = &self.keys[i];
            debug_assert!(record.get(5) == Some(key.metric) && record.get(4) == Some(&key.id));
            let text = record.get(VALUE).unwrap_or("");
            let value = if text.is_empty() {
                f64::NAN
            } else {
                text.parse::<f64>().map_err(|e| {
                    err(io::Error::new(io::ErrorKind::InvalidData, e.to_string()).into())
                })?
            };
            second[i].push(value);
            i = (i + 1) % self.keys.len();
        }
        folder.add_streamed(file)?;
        Ok(summarise(self.keys, self.first, second))
    }

    /// Completes the file without adding it to a folder: a scratch copy of the rows, to read
    /// back ([`StreamedFile::read_back`]) as often as needed, removed when dropped (`compare`
    /// pairs its scenarios' replications from such copies).
    pub fn into_scratch(self) -> Result<StreamedFile> {
        self.csv
            .into_inner()
            .map_err(|e| failed(&self.path)(e.into_error().into()))
    }

    /// Completes the file and adds it to `folder`, without a summary (a shard's folder).
    pub fn finish_rows(self, folder: &mut ResultsFolder) -> Result<()> {
        let file = self
            .csv
            .into_inner()
            .map_err(|e| failed(&self.path)(e.into_error().into()))?;
        folder.add_streamed(file)
    }
}

/// The summary rows of `keys` from their two passes, with a `stable` row after every trend
/// row (as [`crate::report::stability::with_stability`] gives them). Built from the last row
/// back, giving back the memory of the keys and passes as they are used (a large network has a
/// million rows: holding the keys and the summary at once was the peak of a run's memory).
fn summarise(
    mut keys: Vec<Row>,
    mut first: Vec<FirstPass>,
    mut second: Vec<SecondPass>,
) -> Vec<SummaryRow> {
    use crate::report::stability::{LEVELS, level_of, stable_row};
    // The level means the stable rows need, and how many there will be.
    let mut levels: HashMap<(&'static str, String, &'static str), f64> = HashMap::new();
    let mut trends = 0;
    for (i, k) in keys.iter().enumerate() {
        if k.is_window() && LEVELS.contains(&k.metric) {
            let mean = first[i].finish(&second[i]).mean;
            levels.insert((k.scope, k.id.clone(), k.metric), mean);
        }
        trends += usize::from(level_of(k.metric).is_some());
    }
    let mut out = Vec::with_capacity(keys.len() + trends);
    while let Some(key) = keys.pop() {
        let i = keys.len();
        let summary = first[i].finish(&second[i]);
        if let Some(level) = level_of(key.metric) {
            let mean = levels
                .get(&(key.scope, key.id.clone(), level))
                .copied()
                .unwrap_or(f64::NAN);
            out.push(stable_row(&key, &summary, mean));
        }
        out.push(SummaryRow { key, summary });
        if i.is_multiple_of(1 << 16) {
            keys.shrink_to_fit();
            first.truncate(i);
            first.shrink_to_fit();
            second.truncate(i);
            second.shrink_to_fit();
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stability::with_stability;

    /// Built from the back, the summary is the one `with_stability` gives from the front:
    /// stable rows after trends (settled, growing and without a level), period rows, more rows
    /// than one shrinking step.
    #[test]
    fn the_summary_from_the_back_is_the_summary_from_the_front() {
        let mut keys = Vec::new();
        for k in 0..30_000u32 {
            let id = format!("n{k}");
            keys.push(Row::new("node", &id, "utilisation", "ratio", 0.0));
            if k % 3 != 2 {
                keys.push(Row::new("node", &id, "queue_mean", "count", 0.0));
            }
            keys.push(Row::new("node", &id, "queue_trend", "count", 0.0));
            let mut p = Row::new("node", &id, "queue_mean", "count", 0.0);
            p.period = "2026";
            keys.push(p);
        }
        let values = |i: usize, rep: usize| -> f64 {
            match i % 4 {
                0 => 0.5,
                1 => 3.0 + rep as f64,
                2 => (i % 7) as f64 * (1.0 + rep as f64),
                _ => f64::NAN,
            }
        };
        let mut first = vec![FirstPass::new(); keys.len()];
        for rep in 0..4 {
            for (i, f) in first.iter_mut().enumerate() {
                f.push(values(i, rep));
            }
        }
        let mut second: Vec<SecondPass> = first.iter().map(FirstPass::second_pass).collect();
        for rep in 0..4 {
            for (i, s) in second.iter_mut().enumerate() {
                s.push(values(i, rep));
            }
        }
        let front = with_stability(keys.iter().zip(first.iter().zip(&second)).map(
            |(k, (f, s))| SummaryRow {
                key: k.clone(),
                summary: f.finish(s),
            },
        ));
        let back = summarise(keys, first, second);
        assert!(back.len() > 120_000);
        assert_eq!(back.len(), front.len());
        for (a, b) in back.iter().zip(&front) {
            let key = |r: &Row| {
                (
                    r.scope,
                    r.id.clone(),
                    r.metric,
                    r.unit,
                    r.period,
                    r.value.to_bits(),
                )
            };
            assert_eq!(key(&a.key), key(&b.key));
            let bits = |s: &crate::engine::summary::Summary| {
                [s.mean, s.ci95, s.std, s.min, s.max].map(f64::to_bits)
            };
            assert_eq!(
                (bits(&a.summary), a.summary.n),
                (bits(&b.summary), b.summary.n)
            );
        }
    }
}
