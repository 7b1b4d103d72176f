//! timeseries.csv written as replications complete, so that memory does not depend on how many
//! there are nor on the horizon: [`TimeseriesStream`] keeps the first pass of a summary (count,
//! sum, extremes) per level per bin, at most 1,000 bins, and each replication's bin values in
//! a scratch file beside the folder (4 bytes a value); the second pass reads them back. The
//! means and half-widths are [`crate::engine::summary::Summary::of`] of the replications' values
//! in replication order, bit for bit, so they depend neither on the thread count nor on
//! sharding: `merge` feeds the shards' values to the same stream in the same order.
//!
//! A shard does not average: [`SeriesReplicationStream`] writes its replications' bin values
//! to `timeseries-replications.csv` in its folder, which `merge` reads back.

use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::engine::summary::{FirstPass, SecondPass};
use crate::error::{Error, Result};
use crate::report::{
    ReplicationResult, ResultsFolder, ScratchFile, Series, StreamedFile,
    series_replications_header, write_series_replication, write_timeseries,
};
use crate::scenario::Model;

/// The file's name in a results folder.
pub const TIMESERIES: &str = "timeseries.csv";
/// The name of a shard's per-replication bin values.
pub const SERIES_REPLICATIONS: &str = "timeseries-replications.csv";

/// Bytes of one value in the scratch file.
const VALUE_BYTES: usize = 4;

fn out_err(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Output {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// timeseries.csv of one scenario, averaged over the replications taken in order.
pub struct TimeseriesStream {
    /// The file in the results folder (for messages).
    path: PathBuf,
    scenario: String,
    start_day: i64,
    /// The levels and bins of the first replication (its values are not kept).
    shape: Option<Series>,
    first: Vec<FirstPass>,
    /// Every replication's values, in order.
    scratch: ScratchFile,
    buf: Vec<u8>,
    replications: u64,
}

impl TimeseriesStream {
    /// A stream for the timeseries.csv of `scenario` in `folder`, with its scratch file;
    /// `start_day` (days since 1970-01-01 of time 0) dates the bins.
    pub fn new(folder: &ResultsFolder, scenario: &str, start_day: i64) -> Result<TimeseriesStream> {
        Ok(TimeseriesStream {
            path: folder.dir().join(TIMESERIES),
            scenario: scenario.to_string(),
            start_day,
            shape: None,
            first: Vec::new(),
            scratch: folder.scratch("timeseries-values")?,
            buf: Vec::new(),
            replications: 0,
        })
    }

    /// The next replication's series, in order.
    ///
    /// # Errors
    /// [`Error::Results`] when its levels or bins differ from the first replication's (shards
    /// of another study), or an error writing the scratch file.
    pub fn take(&mut self, series: &Series) -> Result<()> {
        match &self.shape {
            None => {
                self.shape = Some(Series {
                    values: Vec::new(),
                    ..series.clone()
                });
                self.first = vec![FirstPass::new(); series.values.len()];
            }
            Some(shape) if !shape.same_shape(series) => {
                return Err(Error::Results {
                    path: self.path.clone(),
                    message: "a replication has other levels or time bins than the first; merge only shards of one study".into(),
                });
            }
            Some(_) => {}
        }
        debug_assert_eq!(series.values.len(), self.first.len());
        self.buf.clear();
        for (f, &v) in self.first.iter_mut().zip(&series.values) {
            f.push(v as f64);
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        self.scratch
            .file()
            .write_all(&self.buf)
            .map_err(out_err(&self.path))?;
        self.replications += 1;
        Ok(())
    }

    /// Writes timeseries.csv into `folder` (streamed), its second pass read back from the
    /// scratch file, which goes.
    pub fn finish(self, folder: &mut ResultsFolder) -> Result<()> {
        let file = self.write(folder)?;
        folder.add_streamed(file)
    }

    /// Writes timeseries.csv, as [`finish`](Self::finish) does, without adding it to `folder`
    /// yet: the caller adds it ([`ResultsFolder::add_streamed`]) where the file's place among
    /// the others wants it, and the stream's memory (a first pass per level and bin) is given
    /// back before what comes next (`corridor run` writes it before the summary is built).
    pub fn write(mut self, folder: &ResultsFolder) -> Result<StreamedFile> {
        let err = out_err(&self.path);
        let mut second: Vec<SecondPass> = self.first.iter().map(FirstPass::second_pass).collect();
        let file = self.scratch.file();
        file.flush().map_err(&err)?;
        file.seek(SeekFrom::Start(0)).map_err(&err)?;
        let mut back = BufReader::with_capacity(1 << 16, file);
        let mut bytes = [0u8; VALUE_BYTES];
        for _ in 0..self.replications {
            for s in &mut second {
                back.read_exact(&mut bytes).map_err(&err)?;
                s.push(f32::from_le_bytes(bytes) as f64);
            }
        }
        drop(back);
        let mut csv = csv::Writer::from_writer(folder.stream(TIMESERIES)?);
        let cerr = csv_err(&self.path);
        csv.write_record(crate::report::TIMESERIES_HEADER)
            .map_err(&cerr)?;
        if let Some(shape) = &self.shape {
            let (first, second) = (&self.first, &second);
            write_timeseries(&mut csv, &self.scenario, self.start_day, shape, |i| {
                first[i].finish(&second[i])
            })
            .map_err(&cerr)?;
        }
        csv.into_inner().map_err(|e| cerr(e.into_error().into()))
    }
}

/// A shard's `timeseries-replications.csv`, written replication by replication.
pub struct SeriesReplicationStream {
    path: PathBuf,
    scenario: String,
    csv: csv::Writer<StreamedFile>,
}

impl SeriesReplicationStream {
    /// Opens the file in `folder` with its header (a column per bin of `model`).
    pub fn new(folder: &ResultsFolder, model: &Model) -> Result<SeriesReplicationStream> {
        let path = folder.dir().join(SERIES_REPLICATIONS);
        let mut csv = csv::Writer::from_writer(folder.stream(SERIES_REPLICATIONS)?);
        csv.write_record(series_replications_header(model.binning().count()))
            .map_err(csv_err(&path))?;
        Ok(SeriesReplicationStream {
            path,
            scenario: model.name.clone(),
            csv,
        })
    }

    /// The next replication, in order.
    pub fn take(&mut self, rep: &ReplicationResult) -> Result<()> {
        write_series_replication(
            &mut self.csv,
            &self.scenario,
            rep.replication,
            rep.seed,
            &rep.series,
        )
        .map_err(csv_err(&self.path))
    }

    /// Completes the file and adds it to `folder`.
    pub fn finish(self, folder: &mut ResultsFolder) -> Result<()> {
        let file = self
            .csv
            .into_inner()
            .map_err(|e| csv_err(&self.path)(e.into_error().into()))?;
        folder.add_streamed(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::bins::Binning;
    use crate::engine::summary::Summary;
    use crate::engine::time::{MS_PER_DAY, SimDur, SimTime};
    use crate::report::SeriesKey;

    fn series(values: Vec<f32>) -> Series {
        Series {
            keys: ["queue", "wip"]
                .map(|metric| SeriesKey {
                    scope: "node",
                    id: "a".into(),
                    metric,
                    unit: "count",
                })
                .to_vec(),
            binning: Binning {
                start: SimTime(MS_PER_DAY),
                end: SimTime(3 * MS_PER_DAY),
                width: SimDur(MS_PER_DAY),
            },
            values,
        }
    }

    #[test]
    fn each_bin_is_the_summary_of_the_replications_values_in_order() {
        let reps = [
            vec![0.1, 2.5, 3.0, 7.25],
            vec![0.7, 1.5, 3.0, f32::NAN],
            vec![0.3, 9.0, 3.0, 1.0],
        ];
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let mut folder = ResultsFolder::new(&dir).unwrap();
        let mut stream = TimeseriesStream::new(&folder, "s", 19_723).unwrap();
        for r in &reps {
            stream.take(&series(r.clone())).unwrap();
        }
        // Another shape is refused.
        let mut other = series(vec![0.0; 4]);
        other.keys[1].metric = "utilisation";
        assert!(stream.take(&other).is_err());
        stream.finish(&mut folder).unwrap();
        folder.commit_without_manifest().unwrap();
        let text = std::fs::read_to_string(dir.join(TIMESERIES)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        for (i, line) in lines[1..].iter().enumerate() {
            let values: Vec<f64> = reps.iter().map(|r| r[i] as f64).collect();
            let s = Summary::of(&values);
            let cell = |v: f64| format!("{}", v as f32);
            let want = format!("{},{},{}", cell(s.mean), cell(s.ci95), s.n);
            assert!(line.ends_with(&want), "{line} vs {want}");
        }
        assert_eq!(
            lines[1],
            "s,node,a,queue,count,24,48,2024-01-02T00:00Z,2024-01-03T00:00Z,0.36666667,0.75891656,3"
        );
        // The bin with a NaN in one replication summarises the other two; no scratch file left.
        assert!(lines[4].ends_with(",2"), "{}", lines[4]);
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }
}
