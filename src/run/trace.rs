//! `--trace N`: the event log of the first N replications, as `trace.jsonocel` (JSON-OCEL 2.0,
//! for process-mining tools) and `trace.csv` (one row per event), streamed into the results
//! folder.
//!
//! Each traced replication writes its events, its objects and its CSV rows to three scratch
//! files of its own as it runs (on whichever worker thread), so replications can run in
//! parallel; [`TraceStream::take`] then appends them, in replication order, to the two files,
//! the objects going to one more scratch file that [`TraceStream::finish`] copies after the
//! last event (a JSON-OCEL document lists its objects apart from its events). Memory holds no
//! event: it is bounded by the consignments and carriers in the world at once.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::report::{ResultsFolder, ScratchFile, StreamedFile};
use crate::scenario::Model;
use crate::sim::trace::{
    OCEL_TAIL, TRACE_CSV_HEADER, TraceWriters, Tracer, ocel_head, ocel_middle,
};

/// The JSON-OCEL 2.0 event log.
pub const TRACE_OCEL: &str = "trace.jsonocel";
/// The same events, one CSV row each.
pub const TRACE_CSV: &str = "trace.csv";

fn out_err(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

/// Which replications are traced, and where their scratch files go.
#[derive(Clone, Copy)]
pub struct Trace<'f> {
    folder: &'f ResultsFolder,
    n: u32,
}

/// The scratch files one traced replication wrote.
pub struct TraceParts {
    events: ScratchFile,
    objects: ScratchFile,
    csv: ScratchFile,
}

impl<'f> Trace<'f> {
    /// Traces replications `0..n`, with scratch files beside `folder`.
    pub fn new(folder: &'f ResultsFolder, n: u32) -> Trace<'f> {
        Trace { folder, n }
    }

    /// A tracer for replication `rep` of `model`, if it is traced, and the files it writes.
    pub(crate) fn tracer(&self, model: &Model, rep: u32) -> Result<Option<(Tracer, TraceParts)>> {
        if rep >= self.n {
            return Ok(None);
        }
        let mut parts = TraceParts {
            events: self.folder.scratch("trace-events")?,
            objects: self.folder.scratch("trace-objects")?,
            csv: self.folder.scratch("trace-csv")?,
        };
        let writer = |f: &mut ScratchFile| -> Result<Box<dyn Write + Send>> {
            let path = f.path().to_path_buf();
            let file = f.file().try_clone().map_err(out_err(&path))?;
            Ok(Box::new(BufWriter::with_capacity(1 << 16, file)))
        };
        let out = TraceWriters {
            events: writer(&mut parts.events)?,
            objects: writer(&mut parts.objects)?,
            csv: writer(&mut parts.csv)?,
        };
        Ok(Some((Tracer::new(model, rep, out), parts)))
    }
}

/// `trace.jsonocel` and `trace.csv`, written replication by replication.
pub struct TraceStream {
    dir: PathBuf,
    ocel: StreamedFile,
    csv: StreamedFile,
    objects: ScratchFile,
    /// Whether an event has been written (the next fragment keeps its leading comma).
    any_event: bool,
    middle: String,
}

/// Appends `from` (from its start, or its second byte with `skip_first`) to `to`; false if
/// `from` is empty.
fn append(from: &mut File, skip_first: bool, to: &mut impl Write) -> io::Result<bool> {
    let len = from.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(false);
    }
    from.seek(SeekFrom::Start(u64::from(skip_first)))?;
    io::copy(&mut BufReader::with_capacity(1 << 16, from), to)?;
    Ok(true)
}

/// [`append`] of a scratch file, with its path in the error.
fn copy(from: &mut ScratchFile, skip_first: bool, to: &mut impl Write) -> Result<bool> {
    let path = from.path().to_path_buf();
    append(from.file(), skip_first, to).map_err(out_err(&path))
}

impl TraceStream {
    /// Opens both files in `folder`, with the JSON-OCEL 2.0 head and the CSV header.
    pub fn new(folder: &ResultsFolder, model: &Model) -> Result<TraceStream> {
        let dir = folder.dir().to_path_buf();
        let mut ocel = folder.stream(TRACE_OCEL)?;
        let mut csv = folder.stream(TRACE_CSV)?;
        ocel.write_all(ocel_head().as_bytes())
            .map_err(out_err(&dir.join(TRACE_OCEL)))?;
        csv.write_all(TRACE_CSV_HEADER.as_bytes())
            .map_err(out_err(&dir.join(TRACE_CSV)))?;
        Ok(TraceStream {
            objects: folder.scratch("trace-objects-all")?,
            dir,
            ocel,
            csv,
            any_event: false,
            middle: ocel_middle(model),
        })
    }

    /// The next traced replication's files, in replication order.
    pub fn take(&mut self, mut parts: TraceParts) -> Result<()> {
        let skip = !self.any_event;
        let wrote = copy(&mut parts.events, skip, &mut self.ocel)?;
        self.any_event |= wrote;
        copy(&mut parts.csv, false, &mut self.csv)?;
        copy(&mut parts.objects, false, self.objects.file())?;
        Ok(())
    }

    /// Ends `trace.jsonocel` (the objects after the events) and adds both files to `folder`.
    pub fn finish(mut self, folder: &mut ResultsFolder) -> Result<()> {
        let path = self.dir.join(TRACE_OCEL);
        let err = out_err(&path);
        self.ocel.write_all(self.middle.as_bytes()).map_err(&err)?;
        append(self.objects.file(), false, &mut self.ocel).map_err(&err)?;
        self.ocel.write_all(OCEL_TAIL.as_bytes()).map_err(&err)?;
        folder.add_streamed(self.ocel)?;
        folder.add_streamed(self.csv)
    }
}
