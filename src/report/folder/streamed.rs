//! Files of a results folder written as the work goes ([`ResultsFolder::stream`]), for output
//! too large to hold in memory (`replications.csv` of many replications).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::lock::{Kind, debris};
use super::{ResultsFolder, hidden, locate, out_err, unique};
use crate::error::Result;
use crate::report::manifest::FILE as MANIFEST;

/// A hidden file of ours beside a results folder; removed when dropped (if it is still
/// there: once moved into place it is not), with the folders created for it, if empty.
#[derive(Debug)]
pub(super) struct TempFile {
    pub(super) path: PathBuf,
    /// Folders created for it, deepest first.
    created: Vec<PathBuf>,
    /// Its entry on the list an interruption clears (`lock::abandon`).
    ticket: Option<u64>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(t) = self.ticket {
            debris().remove(t);
        }
        let _ = fs::remove_file(&self.path);
        for d in &self.created {
            let _ = fs::remove_dir(d);
        }
    }
}

/// A streamed file, complete, waiting for the commit.
#[derive(Debug)]
pub(super) struct Staged {
    pub(super) name: &'static str,
    pub(super) sha256: String,
    pub(super) temp: TempFile,
}

/// Moves a file, by renaming it, or by copying it where a rename cannot (another file system).
pub(super) fn move_file(from: &Path, to: &Path) -> io::Result<()> {
    if fs::rename(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to)?;
    File::open(to)?.sync_all()?;
    fs::remove_file(from)
}

/// A file of a results folder written as the work goes: see [`ResultsFolder::stream`].
#[derive(Debug)]
pub struct StreamedFile {
    name: &'static str,
    out: io::BufWriter<File>,
    hasher: Sha256,
    temp: TempFile,
}

/// A scratch file beside a results folder: see [`ResultsFolder::scratch`].
#[derive(Debug)]
pub struct ScratchFile {
    file: File,
    temp: TempFile,
}

impl ScratchFile {
    /// The file, open for reading and writing.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Where it is (for messages).
    pub fn path(&self) -> &Path {
        &self.temp.path
    }
}

impl StreamedFile {
    /// The hidden file the bytes go to until the commit.
    pub fn path(&self) -> &Path {
        &self.temp.path
    }

    /// Reads back what was written so far (flushed first).
    pub fn read_back(&mut self) -> io::Result<File> {
        self.out.flush()?;
        File::open(&self.temp.path)
    }
}

impl Write for StreamedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl ResultsFolder {
    /// The folder as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Opens the file `name` to be written as the work goes, for output too large to hold in
    /// memory: the bytes go to a hidden file beside the folder (`.<folder>.<name>.stream-...`,
    /// in the folder's parent, created if needed), hashed as they are written. When complete,
    /// [`add_streamed`](ResultsFolder::add_streamed) adds it to the files to commit, after
    /// those [`add`](ResultsFolder::add)ed and before the manifest, with the same guarantees.
    /// Dropped before it is committed (on any error), the hidden file is removed, and so are
    /// the folders created for it if they are empty; only a process killed while writing
    /// leaves it behind.
    pub fn stream(&self, name: &'static str) -> Result<StreamedFile> {
        debug_assert!(name != MANIFEST);
        let (file, temp) = self.hidden_file(name)?;
        Ok(StreamedFile {
            name,
            out: io::BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
            temp,
        })
    }

    /// Opens a scratch file for the work of a command, never committed: a hidden file beside
    /// the folder (`.<folder>.<what>.stream-...`), open for reading and writing anywhere in it,
    /// cleaned up as a [`stream`](ResultsFolder::stream)ed file is: removed when dropped, by
    /// Ctrl-C, or by the next command on the folder after a process was killed. `merge` puts
    /// the shards' values in replication order there.
    pub fn scratch(&self, what: &str) -> Result<ScratchFile> {
        let (file, temp) = self.hidden_file(what)?;
        Ok(ScratchFile { file, temp })
    }

    /// Creates the hidden file `.<folder>.<name>.stream-<pid>-<n>` beside the folder, open for
    /// reading and writing, on the interruption list.
    fn hidden_file(&self, name: &str) -> Result<(File, TempFile)> {
        let err = out_err(&self.dir);
        let (parent, folder) = locate(&self.dir).map_err(&err)?;
        let mut created = Vec::new();
        let mut a = parent.as_path();
        while !a.exists() {
            created.push(a.to_path_buf());
            a = a.parent().unwrap_or(Path::new("/"));
        }
        let mut temp = TempFile {
            path: parent.join(hidden(&folder, &format!(".{name}{}", unique("stream")))),
            created,
            ticket: None,
        };
        fs::create_dir_all(&parent).map_err(&err)?;
        let file = {
            // On the interruption list from the moment it exists (Ctrl-C removes it).
            let mut d = debris();
            let file = File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&temp.path)
                .map_err(out_err(&self.dir.join(name)))?;
            temp.ticket = Some(d.add(temp.path.clone(), Kind::File));
            file
        };
        temp.created.retain(|d| d.is_dir());
        Ok((file, temp))
    }

    /// Adds a streamed file, complete: flushed, synced to disk, its SHA-256 kept for the
    /// manifest (see [`stream`](ResultsFolder::stream)).
    pub fn add_streamed(&mut self, file: StreamedFile) -> Result<()> {
        debug_assert!(
            self.files.iter().all(|f| f.name != file.name)
                && self.streamed.iter().all(|f| f.name != file.name)
        );
        let staged = self.complete(file)?;
        self.streamed.push(staged);
        Ok(())
    }

    /// A streamed file complete: flushed, synced to disk, its SHA-256 taken.
    pub(super) fn complete(&self, mut file: StreamedFile) -> Result<Staged> {
        let path = self.dir.join(file.name);
        file.out.flush().map_err(out_err(&path))?;
        file.out.get_ref().sync_all().map_err(out_err(&path))?;
        let digest = file.hasher.finalize();
        Ok(Staged {
            name: file.name,
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
            temp: file.temp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::folder::tests::{Text, entries, manifest};
    use crate::report::manifest::{Manifest, sha256_hex};

    #[test]
    fn a_streamed_file_is_committed_with_the_others_and_hashed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/out");
        let mut folder = ResultsFolder::new(&dir).unwrap();
        let mut f = folder.stream("replications.csv").unwrap();
        f.write_all(b"x,y\n1,2\n").unwrap();
        let mut back = String::new();
        io::Read::read_to_string(&mut f.read_back().unwrap(), &mut back).unwrap();
        assert_eq!(back, "x,y\n1,2\n");
        let hidden = |d: &Path| {
            entries(d)
                .into_iter()
                .filter(|e| !e.ends_with(".lock"))
                .count()
        };
        assert_eq!(
            hidden(&tmp.path().join("a")),
            1,
            "one hidden file beside the lock"
        );
        folder.add_streamed(f).unwrap();
        folder.add(&Text("summary.csv", "s\n")).unwrap();
        let written = folder.commit(&mut manifest()).unwrap();
        assert_eq!(
            written,
            ["summary.csv", "replications.csv", "manifest.json"].map(|n| dir.join(n))
        );
        assert_eq!(
            fs::read(dir.join("replications.csv")).unwrap(),
            b"x,y\n1,2\n"
        );
        assert_eq!(
            entries(&tmp.path().join("a")),
            ["out"],
            "no hidden file left"
        );
        let (m, _) = Manifest::read(&dir).unwrap();
        assert_eq!(m.outputs["replications.csv"], sha256_hex(b"x,y\n1,2\n"));
        assert_eq!(m.outputs["summary.csv"], sha256_hex(b"s\n"));
    }

    #[test]
    fn a_scratch_file_is_read_and_written_anywhere_and_removed_when_dropped() {
        use std::io::{Read, Seek, SeekFrom};
        let tmp = tempfile::tempdir().unwrap();
        let folder = ResultsFolder::new(tmp.path().join("out")).unwrap();
        let mut s = folder.scratch("values").unwrap();
        assert!(s.path().to_string_lossy().contains(".out.values.stream-"));
        s.file().seek(SeekFrom::Start(4)).unwrap();
        s.file().write_all(b"tail").unwrap();
        s.file().seek(SeekFrom::Start(0)).unwrap();
        s.file().write_all(b"head").unwrap();
        s.file().seek(SeekFrom::Start(0)).unwrap();
        let mut back = String::new();
        s.file().read_to_string(&mut back).unwrap();
        assert_eq!(back, "headtail");
        drop(s);
        drop(folder);
        assert!(entries(tmp.path()).is_empty());
    }

    #[test]
    fn a_folder_dropped_before_its_commit_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        // Folders created for the hidden file go too.
        let mut folder = ResultsFolder::new(tmp.path().join("a/b/out")).unwrap();
        let mut f = folder.stream("replications.csv").unwrap();
        f.write_all(b"data").unwrap();
        folder.add_streamed(f).unwrap();
        drop(folder);
        assert!(entries(tmp.path()).is_empty());
        // A streamed file dropped before it is added, beside an existing folder.
        fs::create_dir(tmp.path().join("out")).unwrap();
        let folder = ResultsFolder::new(tmp.path().join("out")).unwrap();
        let f = folder.stream("replications.csv").unwrap();
        assert_eq!(
            entries(tmp.path()).len(),
            3,
            "the folder, its lock, the hidden file"
        );
        drop(f);
        drop(folder);
        assert_eq!(entries(tmp.path()), ["out"]);
    }
}
