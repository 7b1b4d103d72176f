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
    REPLICATIONS_HEADER, ReplicationResult, ResultsFolder, SharedIds, StreamedFile, SummaryKey,
    SummaryRow, write_replication,
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
    /// Each row's key, from the first replication, and the passes of its summary.
    rows: Vec<Pass>,
    /// Where the corridor's `events` rows are among them.
    events_at: Vec<usize>,
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
            rows: Vec::new(),
            events_at: Vec::new(),
            replications: 0,
            events: 0,
        })
    }

    /// The next replication, in order: its rows are written and summed.
    pub fn take(&mut self, rep: &ReplicationResult) -> Result<()> {
        self.write(rep)?;
        if self.replications == 0 {
            let mut ids = SharedIds::default();
            self.rows = rep.rows.iter().map(|r| Pass::new(ids.key(r))).collect();
        }
        self.sum(rep.rows.iter().map(|r| r.value))
    }

    /// As [`take`](Self::take), giving back the memory of the replication's rows before the
    /// first pass is made (on a large network they are most of the memory at the end of a
    /// run): the first replication's rows become the keys from the last back, their vector
    /// shrunk as it goes.
    pub fn take_owned(&mut self, rep: ReplicationResult) -> Result<()> {
        self.write(&rep)?;
        if self.replications > 0 {
            return self.sum(rep.rows.iter().map(|r| r.value));
        }
        let mut rows = rep.rows;
        let mut passes = Vec::with_capacity(rows.len());
        let mut ids = SharedIds::default();
        while let Some(row) = rows.pop() {
            let mut p = Pass::new(ids.key(&row));
            p.first.push(row.value);
            passes.push(p);
            if rows.len().is_multiple_of(1 << 16) {
                rows.shrink_to_fit();
            }
        }
        passes.reverse();
        self.rows = passes;
        self.replications += 1;
        Ok(())
    }

    /// Writes a replication's rows to the file and counts its events.
    fn write(&mut self, rep: &ReplicationResult) -> Result<()> {
        debug_assert!(self.replications == 0 || rep.rows.len() == self.rows.len());
        if self.replications == 0 {
            self.events_at = (rep.rows.iter().enumerate())
                .filter(|(_, r)| r.scope == "corridor" && r.metric == "events")
                .map(|(i, _)| i)
                .collect();
        }
        for &i in &self.events_at {
            self.events += rep.rows.get(i).map_or(0, |r| r.value as u64);
        }
        write_replication(&mut self.csv, &self.scenario, rep).map_err(failed(&self.path))
    }

    /// Sums a replication's values (one per row, in order).
    fn sum(&mut self, values: impl Iterator<Item = f64>) -> Result<()> {
        let mut n = 0;
        for (p, v) in self.rows.iter_mut().zip(values) {
            p.first.push(v);
            n += 1;
        }
        debug_assert_eq!(n, self.rows.len());
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
        let mut passes = self.rows;
        for p in &mut passes {
            p.second = p.first.second_pass();
        }
        let back = file.read_back().map_err(|e| err(e.into()))?;
        let mut rows = csv::Reader::from_reader(io::BufReader::with_capacity(1 << 16, back));
        let mut record = csv::StringRecord::new();
        let mut i = 0;
        while rows.read_record(&mut record).map_err(&err)? {
            let p = &mut passes[i];
            debug_assert!(
                record.get(5) == Some(p.key.metric()) && record.get(4) == Some(p.key.id())
            );
            let text = record.get(VALUE).unwrap_or("");
            let value = if text.is_empty() {
                f64::NAN
            } else {
                text.parse::<f64>().map_err(|e| {
                    err(io::Error::new(io::ErrorKind::InvalidData, e.to_string()).into())
                })?
            };
            p.second.push(value);
            i = (i + 1) % passes.len();
        }
        folder.add_streamed(file)?;
        Ok(summarise(passes))
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

/// A row of the summary being made: its key and the two passes over its values. The three
/// side by side in one vector (72 bytes a row) rather than three vectors: on a large network it
/// is large enough (68 MB for 950,000 rows) that the allocator maps it on its own, so what
/// [`summarise`] shrinks it by goes back to the system at once (freed vectors of 15 to 30 MB
/// stayed in the process).
#[derive(Clone, Debug)]
struct Pass {
    key: SummaryKey,
    first: FirstPass,
    /// Made from `first` once every replication is in it.
    second: SecondPass,
}

impl Pass {
    /// Nothing summed yet.
    fn new(key: SummaryKey) -> Pass {
        let first = FirstPass::new();
        Pass {
            key,
            second: first.second_pass(),
            first,
        }
    }
}

/// The summary rows of `passes`, with a `stable` row after every trend row (as
/// [`crate::report::stability::with_stability`] gives them). Built from the last row back,
/// giving back the memory of the passes as they are used (a large network has a million rows:
/// holding the keys and the summary at once was the peak of a run's memory).
fn summarise(mut passes: Vec<Pass>) -> Vec<SummaryRow> {
    use crate::report::stability::{LEVELS, level_of, stable_row};
    // The level mean of each trend row, in order, as `with_stability` finds them: the level's
    // row comes before its trend.
    let mut means = Vec::new();
    {
        let mut levels: HashMap<(&'static str, &str, &'static str), f64> = HashMap::new();
        for p in &passes {
            let k = &p.key;
            if k.is_window() && LEVELS.contains(&k.metric()) {
                let mean = p.first.finish(&p.second).mean;
                levels.insert((k.scope(), k.id(), k.metric()), mean);
            }
            if let Some(level) = level_of(k.metric()) {
                let mean = levels.get(&(k.scope(), k.id(), level));
                means.push(mean.copied().unwrap_or(f64::NAN));
            }
        }
    }
    let mut out = Vec::with_capacity(passes.len() + means.len());
    while let Some(Pass { key, first, second }) = passes.pop() {
        let summary = first.finish(&second);
        if level_of(key.metric()).is_some() {
            let mean = means.pop().unwrap_or(f64::NAN);
            out.push(stable_row(&key, &summary, mean));
        }
        out.push(SummaryRow { key, summary });
        if passes.len().is_multiple_of(1 << 16) {
            passes.shrink_to_fit();
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Row;
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
        let mut passes: Vec<Pass> = keys.iter().map(|k| Pass::new(SummaryKey::of(k))).collect();
        for rep in 0..4 {
            for (i, p) in passes.iter_mut().enumerate() {
                p.first.push(values(i, rep));
            }
        }
        for p in &mut passes {
            p.second = p.first.second_pass();
        }
        for rep in 0..4 {
            for (i, p) in passes.iter_mut().enumerate() {
                p.second.push(values(i, rep));
            }
        }
        let front = with_stability(passes.iter().map(|p| SummaryRow {
            key: p.key.clone(),
            summary: p.first.finish(&p.second),
        }));
        let back = summarise(passes);
        assert!(back.len() > 120_000);
        assert_eq!(back.len(), front.len());
        for (a, b) in back.iter().zip(&front) {
            let key = |r: &SummaryKey| {
                (
                    r.scope(),
                    r.id().to_string(),
                    r.metric(),
                    r.unit(),
                    r.period(),
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
    /// The stream's summary, from rows written to replications.csv and read back, taken owned
    /// or lent, is `report::summarise` of the replications held in memory (the summary before
    /// the stream kept its rows as shared keys and passes), bit for bit, and its events are
    /// those of the corridor's `events` rows.
    #[test]
    fn the_streamed_summary_is_the_summary_of_the_replications_in_memory() {
        let rep = |r: u32| {
            let mut rows = vec![Row::new(
                "corridor",
                "c",
                "events",
                "count",
                100.0 + r as f64,
            )];
            for k in 0..200u32 {
                let id = format!("n{k}");
                let v = |x: f64| {
                    if (k + r).is_multiple_of(17) {
                        f64::NAN
                    } else {
                        x
                    }
                };
                rows.push(Row::new(
                    "node",
                    &id,
                    "utilisation",
                    "ratio",
                    v(0.01 * k as f64),
                ));
                rows.push(Row::new(
                    "node",
                    &id,
                    "queue_mean",
                    "count",
                    2.0 + r as f64 / 3.0,
                ));
                rows.push(Row::new(
                    "node",
                    &id,
                    "queue_trend",
                    "count",
                    v(k as f64 * 0.1 * r as f64),
                ));
                let mut p = Row::new("node", &id, "queue_mean", "count", r as f64);
                p.period = "2026";
                rows.push(p);
            }
            ReplicationResult {
                replication: r,
                seed: 7,
                rows,
                series: Default::default(),
            }
        };
        let reps: Vec<ReplicationResult> = (0..5).map(rep).collect();
        let want = crate::report::summarise(&reps);
        for owned in [false, true] {
            let tmp = tempfile::tempdir().unwrap();
            let mut folder = ResultsFolder::new(tmp.path().join("out")).unwrap();
            let mut stream = ReplicationStream::new(&folder, "c").unwrap();
            for r in &reps {
                if owned {
                    stream.take_owned(r.clone()).unwrap();
                } else {
                    stream.take(r).unwrap();
                }
            }
            assert_eq!(stream.replications(), 5);
            assert_eq!(stream.events(), 100 + 101 + 102 + 103 + 104);
            let got = stream.finish(&mut folder).unwrap();
            assert_eq!(got.len(), want.len());
            assert_eq!(got.len(), 1 + 5 * 200);
            for (a, b) in got.iter().zip(&want) {
                assert_eq!(a.key, b.key);
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
}
