//! timeseries.csv from shards: each shard's `timeseries-replications.csv` is checked and read
//! through once, one replication at a time, its bin values put at their replication's place
//! in a scratch file beside the folder (4 bytes a value); that file is then read in
//! replication order into the same [`TimeseriesStream`] a run uses, so the file is the run's,
//! byte for byte. Memory holds one replication's bins.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{Held, check_hash_streamed, results_err};
use crate::error::{Error, Result};
use crate::report::intern;
use crate::report::{ResultsFolder, SERIES_REPLICATIONS_HEADER, Series, SeriesKey};
use crate::run::{SERIES_REPLICATIONS, TIMESERIES, TimeseriesStream};

/// Bytes of one value in the scratch file.
const VALUE_BYTES: usize = 4;

/// One replication of a shard's file, as read.
struct Replication {
    number: u32,
    seed: u64,
    keys: Vec<SeriesKey>,
    values: Vec<f32>,
}

/// Reads a shard's `timeseries-replications.csv` one replication at a time.
struct Reader<'a> {
    path: &'a Path,
    csv: csv::Reader<BufReader<File>>,
    record: csv::StringRecord,
    /// Whether `record` holds the first row of the next replication, read ahead.
    ahead: bool,
    name: &'a str,
}

impl<'a> Reader<'a> {
    /// Opens the file and checks its header: the key columns, then `bin_0` to `bin_{bins-1}`.
    fn open(path: &'a Path, name: &'a str, bins: usize) -> Result<Reader<'a>> {
        let file = File::open(path).map_err(|e| results_err(path, format!("cannot read: {e}")))?;
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(BufReader::with_capacity(1 << 16, file));
        let header = csv
            .headers()
            .map_err(|e| results_err(path, format!("cannot read the header: {e}")))?;
        let expected = crate::report::series_replications_header(bins);
        if header.iter().ne(expected.iter().map(String::as_str)) {
            return Err(results_err(
                path,
                format!(
                    "line 1: the header does not have the columns {} and one bin_K per time bin ({bins}, as its manifest's bins give)",
                    SERIES_REPLICATIONS_HEADER.join(",")
                ),
            ));
        }
        Ok(Reader {
            path,
            csv,
            record: csv::StringRecord::new(),
            ahead: false,
            name,
        })
    }

    fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// Reads the next row into `record`; false at the end.
    fn read(&mut self) -> Result<bool> {
        let path = self.path;
        self.csv
            .read_record(&mut self.record)
            .map_err(|e| results_err(path, format!("cannot read: {e}")))
    }

    /// The replication and seed of the row in `record`, its scenario checked.
    fn head(&self) -> Result<(u32, u64)> {
        let f = |i: usize| self.record.get(i).unwrap_or("");
        let line = self.line();
        if f(0) != self.name {
            return Err(results_err(
                self.path,
                format!("line {line}: scenario \"{}\", not \"{}\"", f(0), self.name),
            ));
        }
        let whole = |i: usize, what: &str| {
            f(i).parse::<u64>().map_err(|_| {
                results_err(
                    self.path,
                    format!("line {line}: {what} \"{}\" is not a whole number", f(i)),
                )
            })
        };
        let rep = whole(1, "replication")?;
        let rep = u32::try_from(rep).map_err(|_| {
            results_err(
                self.path,
                format!("line {line}: replication {rep} is too large"),
            )
        })?;
        Ok((rep, whole(2, "seed")?))
    }

    /// A bin value: an `f32` as written (shortest text that reads back as it), or empty (NaN).
    fn value(&self, cell: &str) -> Result<f32> {
        if cell.is_empty() {
            return Ok(f32::NAN);
        }
        cell.parse().map_err(|_| {
            results_err(
                self.path,
                format!(
                    "line {}: \"{cell}\" is not a number (corridor writes numbers or empty cells)",
                    self.line()
                ),
            )
        })
    }

    /// Reads the next replication into `out` (its keys and values replaced); false at the end.
    fn next_into(&mut self, out: &mut Replication) -> Result<bool> {
        if !self.ahead && !self.read()? {
            return Ok(false);
        }
        self.ahead = false;
        (out.number, out.seed) = self.head()?;
        out.keys.clear();
        out.values.clear();
        loop {
            let f = |i: usize| self.record.get(i).unwrap_or("");
            let key = SeriesKey {
                scope: intern(f(3)),
                id: f(4).to_string(),
                metric: intern(f(5)),
                unit: intern(f(6)),
            };
            out.keys.push(key);
            for cell in self.record.iter().skip(SERIES_REPLICATIONS_HEADER.len()) {
                out.values.push(self.value(cell)?);
            }
            if !self.read()? {
                break;
            }
            let (rep, seed) = self.head()?;
            if rep != out.number {
                self.ahead = true;
                break;
            }
            if seed != out.seed {
                return Err(results_err(
                    self.path,
                    format!(
                        "line {}: replication {rep} has two seeds, {} and {seed}",
                        self.line(),
                        out.seed
                    ),
                ));
            }
        }
        Ok(true)
    }
}

/// Writes timeseries.csv into `folder` from the shards' `timeseries-replications.csv` (see the
/// module documentation). The shards' replications.csv were checked first: each shard holds the
/// replications its manifest lists, and together they hold each replication once.
pub(super) fn merge_series(
    shards: &[Held],
    name: &str,
    total: usize,
    folder: &mut ResultsFolder,
) -> Result<()> {
    let first = &shards[0].1;
    let Some(bins) = first.bins else {
        return Err(results_err(
            &shards[0].0.join(super::MANIFEST),
            "has no \"bins\": the shard was written by a corridor without timeseries.csv; run the shards again with this version",
        ));
    };
    let binning = bins.binning();
    let count = binning.count();
    let mut scratch = folder.scratch("merge-series")?;
    let out_path = folder.dir().join(TIMESERIES);
    let scratch_err = |e: io::Error| Error::Output {
        path: out_path.clone(),
        source: e,
    };
    // The levels of the first replication read, which every other repeats.
    let mut keys: Option<Vec<SeriesKey>> = None;
    let mut rep = Replication {
        number: 0,
        seed: 0,
        keys: Vec::new(),
        values: Vec::new(),
    };
    let mut buf = Vec::new();
    for (d, m, s, _) in shards {
        if m.bins != first.bins {
            return Err(results_err(
                d,
                format!(
                    "has other time bins than {} (its manifest's \"bins\"); merge only shards of one study",
                    shards[0].0.display()
                ),
            ));
        }
        check_hash_streamed(d, m, SERIES_REPLICATIONS)?;
        let path = d.join(SERIES_REPLICATIONS);
        let mut reader = Reader::open(&path, name, count)?;
        let mut listed = s.replication_numbers.iter();
        while reader.next_into(&mut rep)? {
            if listed.next() != Some(&rep.number) {
                return Err(results_err(
                    &path,
                    "holds other replications than its manifest lists",
                ));
            }
            if rep.seed != first.seed {
                return Err(results_err(
                    &path,
                    format!(
                        "replication {} has seed {}, not {}",
                        rep.number, rep.seed, first.seed
                    ),
                ));
            }
            let levels = match &keys {
                None => keys.insert(rep.keys.clone()).len(),
                Some(k) if *k != rep.keys => {
                    return Err(results_err(
                        &path,
                        format!(
                            "replication {} has other levels than the first replication read; merge only shards of one study",
                            rep.number
                        ),
                    ));
                }
                Some(k) => k.len(),
            };
            if (rep.number as usize) < total {
                buf.clear();
                rep.values
                    .iter()
                    .for_each(|v| buf.extend_from_slice(&v.to_le_bytes()));
                let at = rep.number as u64 * (levels * count * VALUE_BYTES) as u64;
                let f = scratch.file();
                f.seek(SeekFrom::Start(at)).map_err(scratch_err)?;
                f.write_all(&buf).map_err(scratch_err)?;
            }
        }
        if listed.next().is_some() {
            return Err(results_err(
                &path,
                "holds other replications than its manifest lists",
            ));
        }
    }
    let mut stream = TimeseriesStream::new(folder, name, bins.start_day)?;
    if let Some(keys) = keys {
        let mut series = Series {
            values: vec![0.0; keys.len() * count],
            keys,
            binning,
        };
        let file = scratch.file();
        file.seek(SeekFrom::Start(0)).map_err(scratch_err)?;
        let mut back = BufReader::with_capacity(1 << 16, file);
        let mut bytes = [0u8; VALUE_BYTES];
        for _ in 0..total {
            for v in &mut series.values {
                back.read_exact(&mut bytes).map_err(scratch_err)?;
                *v = f32::from_le_bytes(bytes);
            }
            stream.take(&series)?;
        }
    }
    drop(scratch);
    stream.finish(folder)
}
