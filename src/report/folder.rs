//! [`ResultsFolder`]: the one way corridor writes a results folder.

mod lock;
mod swap;
#[cfg(test)]
mod tests;

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::Export;
use super::manifest::{FILE as MANIFEST, Manifest};
use crate::error::{Error, Result};
use lock::{Kind, Lock, debris};

pub use lock::abandon;
pub use streamed::{ScratchFile, StreamedFile};
use streamed::{Staged, move_file};

mod streamed;

/// A results folder being written. Every command writes its files through one: create it
/// before the work ([`ResultsFolder::new`]), [`add`](ResultsFolder::add) each file, then
/// [`commit`](ResultsFolder::commit) them with the manifest.
///
/// What it guarantees:
///
/// - **Checked and locked before the work.** [`ResultsFolder::new`] fails at once when the
///   folder cannot be written: it is a file, it lies under a file, or a new file cannot be
///   created in it (when it exists) or in its nearest existing parent (checked with a probe
///   file, created and removed). It then creates the missing parent folders and takes the lock
///   file `.<name>.lock` beside the folder, created exclusively and held until the commit ends
///   or the value is dropped: a second command on the same folder fails at once with a message
///   naming the holder and the lock file. A lock whose holder has ended (see `lock.rs`: same
///   host, boot and PID namespace, and no such process) is taken over with a warning, after
///   which whatever that process left (a staging folder, a folder set aside) is cleaned up or
///   put back. Dropped without a commit, it removes the lock and the parent folders it created.
/// - **All or nothing.** [`commit`](ResultsFolder::commit) writes every file into a new hidden
///   sibling folder, `.<name>.tmp-<pid>-<n>`, the manifest last (it records the SHA-256 of every
///   other file in `outputs`), and fsyncs each file and that folder. Then it swaps it in: a new
///   folder is one rename; an existing folder is first renamed aside (`.<name>.old-<pid>-<n>`),
///   the new one renamed in (if that fails, the old one is renamed back), the parent fsynced,
///   and the old one deleted. Readers see the old complete folder, then (after at most a moment
///   with no folder) the new complete one, never a mix.
/// - **What the old folder held.** The files of the old results (its `manifest.json` and the
///   files its manifest lists in `outputs`) are replaced. Every other entry (the default shard
///   folders `shard-K-of-N`, a user's notes) is carried over into the new folder by renaming;
///   one that cannot be moved stays in the folder set aside, with a warning. A folder in the
///   way of a file to write fails the commit before anything is moved.
/// - **Interruptions.** [`abandon`] (called by the command line on Ctrl-C, SIGTERM or SIGHUP)
///   removes the staging folders, locks and created parents; a swap in progress finishes first.
///   A process killed outright (SIGKILL, power cut) leaves at most the hidden staging folder or
///   the folder set aside, and a stale lock: the next command on the folder takes the lock over,
///   deletes the staging folder, and puts a folder set aside back (or finishes carrying its
///   entries over, if the new folder was already in place).
/// - **Durable.** Files and the staging folder are fsynced before the swap, and on Unix the
///   parent and the new folder after it, so a folder that appeared survives a power cut.
/// - **Inputs are safe.** [`refuse_inputs`](ResultsFolder::refuse_inputs) refuses an output
///   folder that is one of the command's input folders, lies inside one, or contains one (a
///   shard given to `merge`, a folder given to `compare --results`).
#[derive(Debug)]
pub struct ResultsFolder {
    /// The folder as given (the paths returned and the messages use it).
    dir: PathBuf,
    /// Its parent, canonical, and its name: where the lock and the staging folder go.
    parent: PathBuf,
    name: OsString,
    /// The files added so far, in order, each already written to a hidden file beside the
    /// folder (so that no file's bytes are held in memory until the commit).
    files: Vec<Staged>,
    /// Files written as the work went ([`ResultsFolder::stream`]), complete, in order: they
    /// come after `files` and before the manifest. Declared before `lock` so that, dropped
    /// without a commit, their hidden files go before the lock removes the folders it made.
    streamed: Vec<Staged>,
    /// Held from [`ResultsFolder::new`] to the end of the commit.
    lock: Lock,
}

/// What a folder held before a command writes it ([`ResultsFolder::previous`]).
#[derive(Debug)]
pub enum Previous {
    /// Nothing: no folder, an empty one, or one holding only hidden entries and other results
    /// folders (such as the default shard folders).
    Nothing,
    /// Results written by corridor: its manifest.
    Results(Box<Manifest>),
    /// Something else (files, or a manifest that cannot be read), in words.
    Other(String),
}

fn out_err(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

/// `.{name}{suffix}`: the name of a hidden entry of ours.
pub(super) fn hidden(name: &OsStr, suffix: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(suffix);
    s
}

/// A suffix unique to this process and call, for temporary entries.
pub(super) fn unique(what: &str) -> String {
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    format!(
        ".{what}-{}-{}",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    )
}

/// The folder's parent and name, absolute (`.` and `..` resolved when the folder exists).
pub(super) fn locate(dir: &Path) -> io::Result<(PathBuf, OsString)> {
    let abs = if dir.exists() {
        dir.canonicalize()?
    } else {
        std::path::absolute(dir)?
    };
    match (abs.parent(), abs.file_name()) {
        (Some(p), Some(n)) => Ok((p.to_path_buf(), n.to_os_string())),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "give a folder with a name to write the results into",
        )),
    }
}

pub(super) fn not_a_folder(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotADirectory,
        format!("{} is a file, not a folder", path.display()),
    )
}

/// Whether `dir` is an existing folder (`false`: it does not exist; an error: it is a file).
pub(super) fn is_folder(dir: &Path) -> io::Result<bool> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(true),
        Ok(_) => Err(not_a_folder(dir)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Creates and removes a file in `folder`.
fn probe(folder: &Path) -> io::Result<()> {
    let p = folder.join(hidden(OsStr::new("corridor"), &unique("probe")));
    File::create_new(&p)?;
    fs::remove_file(&p)
}

/// Checks that the folder `dir` can be written, creating nothing that stays: its nearest
/// existing ancestor (or itself) must be a folder that takes a new file, and so must its
/// parent when it exists (the lock file goes there).
fn check_writable(dir: &Path) -> io::Result<()> {
    let (parent, name) = locate(dir)?;
    let target = parent.join(name);
    let mut a = target.as_path();
    loop {
        match fs::metadata(a) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => return Err(not_a_folder(a)),
            Err(_) => a = a.parent().ok_or_else(|| not_a_folder(a))?,
        }
    }
    probe(a)?;
    if a == target { probe(&parent) } else { Ok(()) }
}

/// Writes `bytes` to the new file `path` and fsyncs it.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = File::create_new(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Writes one file whole, atomically: the bytes go to a new hidden file beside it
/// (`.<name>.tmp-<pid>-<n>`), which is fsynced and renamed over `path`, then the folder is
/// fsynced. A reader sees the old file or the new one, never a part; an error or an
/// interruption (Ctrl-C, SIGTERM: [`abandon`]) leaves the old file as it was and no hidden
/// file. For single files outside a results folder's own files, such as `report.html`.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = out_err(path);
    let name = path.file_name().ok_or_else(|| {
        err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "give a file name",
        ))
    })?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder; give a file name, such as report.html",
        )));
    }
    let temp = parent.join(hidden(name, &unique("tmp")));
    let written = {
        // Held while the file is written and renamed, so that an interruption does not race it.
        let mut d = debris();
        let ticket = d.add(temp.clone(), Kind::File);
        let r = write_synced(&temp, bytes).and_then(|()| fs::rename(&temp, path));
        match &r {
            Ok(()) => d.keep(ticket),
            Err(_) => d.remove(ticket),
        }
        r
    };
    written.map_err(&err)?;
    sync_folder(&parent).map_err(&err)
}

/// Fsyncs a folder, so that the entries just renamed in it survive a crash.
#[cfg(unix)]
pub(super) fn sync_folder(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
pub(super) fn sync_folder(_: &Path) -> io::Result<()> {
    Ok(())
}

/// Creates the missing folders down to `dir`, each put on the interruption list; returns their
/// tickets, outermost first.
fn create_parents(dir: &Path) -> io::Result<Vec<u64>> {
    let mut missing = Vec::new();
    let mut a = dir;
    while !a.exists() {
        missing.push(a.to_path_buf());
        match a.parent() {
            Some(p) => a = p,
            None => break,
        }
    }
    let mut made = Vec::new();
    for m in missing.into_iter().rev() {
        let mut d = debris();
        match fs::create_dir(&m) {
            Ok(()) => made.push(d.add(m, Kind::EmptyDir)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                for &t in made.iter().rev() {
                    d.remove(t);
                }
                return Err(e);
            }
        }
    }
    Ok(made)
}

/// The staging folder; removed with its content when dropped, unless it was swapped in.
struct Staging {
    path: PathBuf,
    ticket: u64,
}

impl Staging {
    fn create(path: PathBuf) -> io::Result<Staging> {
        let mut d = debris();
        fs::create_dir(&path)?;
        let ticket = d.add(path.clone(), Kind::Tree);
        Ok(Staging { path, ticket })
    }

    /// Writes and fsyncs one file, holding the interruption list so that an interruption
    /// does not remove the folder while a file is being created in it.
    fn write(&self, file: &str, bytes: &[u8]) -> io::Result<()> {
        let _d = debris();
        write_synced(&self.path.join(file), bytes)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        debris().remove(self.ticket);
    }
}

impl ResultsFolder {
    /// A results folder at `dir`, checked to be writable and locked now, before any work (see
    /// the type's guarantees). Creates the missing parent folders and the lock file, nothing
    /// else; both go again when the value is dropped without a commit.
    pub fn new(dir: impl Into<PathBuf>) -> Result<ResultsFolder> {
        let dir = dir.into();
        let err = out_err(&dir);
        check_writable(&dir).map_err(&err)?;
        let (parent, name) = locate(&dir).map_err(&err)?;
        let made = create_parents(&parent).map_err(&err)?;
        let parent = match parent.canonicalize() {
            Ok(p) => p,
            Err(e) => {
                let mut d = debris();
                for &t in made.iter().rev() {
                    d.remove(t);
                }
                return Err(err(e));
            }
        };
        let lock = Lock::take(&parent, &name, made).map_err(&err)?;
        swap::recover(&parent, &name).map_err(&err)?;
        drop(err);
        Ok(ResultsFolder {
            dir,
            parent,
            name,
            files: Vec::new(),
            lock,
            streamed: Vec::new(),
        })
    }

    /// The folder's absolute path (its parent canonical).
    fn target(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// Refuses a folder that is one of `inputs` (the folders the command reads), lies inside
    /// one or contains one, so that writing cannot destroy or move what it was computed from.
    pub fn refuse_inputs<P: AsRef<Path>>(self, inputs: &[P]) -> Result<ResultsFolder> {
        let out = self.target();
        for input in inputs {
            let Ok(i) = input.as_ref().canonicalize() else {
                continue; // it does not exist: reading it fails, writing cannot harm it
            };
            let relation = if i == out {
                "is"
            } else if out.starts_with(&i) {
                "is inside"
            } else if i.starts_with(&out) {
                "contains"
            } else {
                continue;
            };
            return Err(Error::Usage(format!(
                "--out {} {relation} the input folder {}; write the results to another folder",
                self.dir.display(),
                input.as_ref().display()
            )));
        }
        Ok(self)
    }

    /// What the folder holds now, before this command writes it (read under the lock).
    pub fn previous(&self) -> Previous {
        let target = self.target();
        let entries = match fs::read_dir(&target) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Previous::Nothing,
            Err(e) => return Previous::Other(format!("it cannot be read: {e}")),
        };
        if target.join(MANIFEST).exists() {
            return match Manifest::read(&target) {
                Ok((m, _)) => Previous::Results(Box::new(m)),
                Err(e) => Previous::Other(format!("{e}")),
            };
        }
        let foreign = entries.flatten().find(|e| {
            let hidden = e.file_name().as_encoded_bytes().starts_with(b".");
            !hidden && !e.path().join(MANIFEST).is_file()
        });
        match foreign {
            None => Previous::Nothing,
            Some(e) => Previous::Other(format!(
                "it holds {} and no {MANIFEST}, so corridor did not write it",
                e.file_name().to_string_lossy()
            )),
        }
    }

    /// Adds a file: written now to a hidden file beside the folder (as a
    /// [`stream`](ResultsFolder::stream)ed one is, through [`Export::write_to`], so its bytes
    /// are never all in memory), moved into the folder by [`commit`](ResultsFolder::commit).
    pub fn add(&mut self, file: &dyn Export) -> Result<()> {
        let name = file.file_name();
        debug_assert!(name != MANIFEST && self.files.iter().all(|f| f.name != name));
        let mut out = self.stream(name)?;
        file.write_to(&mut out)
            .map_err(out_err(&self.dir.join(name)))?;
        let staged = self.complete(out)?;
        self.files.push(staged);
        Ok(())
    }

    /// Writes the files added and `manifest.json` (with the SHA-256 of each of them in
    /// `outputs`), all or nothing. Returns the paths written, the manifest last.
    pub fn commit(self, manifest: &mut Manifest) -> Result<Vec<PathBuf>> {
        for f in self.files.iter().chain(&self.streamed) {
            manifest
                .outputs
                .insert(f.name.to_string(), f.sha256.clone());
        }
        let bytes = manifest.to_bytes()?;
        self.write(Some(bytes))
    }

    /// Writes the files added, without a manifest (library use: [`crate::run::write`]), with
    /// the same guarantees.
    pub fn commit_without_manifest(self) -> Result<Vec<PathBuf>> {
        self.write(None)
    }

    fn write(mut self, manifest: Option<Vec<u8>>) -> Result<Vec<PathBuf>> {
        let err = out_err(&self.dir);
        let staging =
            Staging::create(self.parent.join(hidden(&self.name, &unique("tmp")))).map_err(&err)?;
        for f in self.files.iter().chain(&self.streamed) {
            move_file(&f.temp.path, &staging.path.join(f.name))
                .map_err(out_err(&self.dir.join(f.name)))?;
        }
        if let Some(bytes) = &manifest {
            staging
                .write(MANIFEST, bytes)
                .map_err(out_err(&self.dir.join(MANIFEST)))?;
        }
        sync_folder(&staging.path).map_err(&err)?;
        let mut names: Vec<&str> = self
            .files
            .iter()
            .chain(&self.streamed)
            .map(|f| f.name)
            .collect();
        if manifest.is_some() {
            names.push(MANIFEST);
        }
        swap::swap_in(&staging.path, staging.ticket, &self.target(), &names).map_err(&err)?;
        self.lock.keep_parents();
        Ok(names.iter().map(|n| self.dir.join(n)).collect())
    }
}
