//! Results written as replications complete, so that memory does not depend on how many there
//! are: each replication's rows go to `replications.csv` (streamed into the results folder)
//! and into the first pass of the summary (count, sum and extremes per metric); the second pass
//! (squared deviations from the mean) reads the values back from that file. The summary is
//! [`crate::engine::summary::Summary::of`] of the same values in the same order, bit for bit:
//! every value is written as the shortest text that reads back as the same `f64`.

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
        let rows = self
            .keys
            .into_iter()
            .zip(self.first.iter().zip(&second))
            .map(|(key, (f, s))| SummaryRow {
                key,
                summary: f.finish(s),
            });
        Ok(crate::report::stability::with_stability(rows))
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
