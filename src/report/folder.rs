//! [`ResultsFolder`]: the one way corridor writes a results folder.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::Export;
use super::manifest::{FILE as MANIFEST, Manifest};
use crate::error::{Error, Result};
pub use streamed::StreamedFile;
use streamed::{Staged, move_file};

mod streamed;

/// A results folder being written. Every command writes its files through one: create it
/// before the work ([`ResultsFolder::new`]), [`add`](ResultsFolder::add) each file, then
/// [`commit`](ResultsFolder::commit) them with the manifest.
///
/// What it guarantees:
///
/// - **Checked before the work.** [`ResultsFolder::new`] fails at once when the folder cannot be
///   written: it is a file, it lies under a file, or a new file cannot be created in it (when
///   it exists) or in its nearest existing parent. It finds out by creating and removing a
///   probe file there, and creates nothing else. An unwritable `--out` therefore fails before
///   any simulation runs.
/// - **All or nothing.** [`commit`](ResultsFolder::commit) writes every file into a hidden
///   staging folder, the manifest last (it records the SHA-256 of every other file in
///   `outputs`), fsyncs each file and the staging folder, and only then puts them in place:
///   - a folder that does not exist yet is created by renaming the staging folder, a sibling of
///     it, to its name: one atomic step, so the folder appears complete or not at all, even if
///     the process dies;
///   - in a folder that exists (its other files are kept), the staging folder is inside it and
///     each file is renamed over its old version, the manifest last; if one rename fails, those
///     done are undone and the old files are back. A crash between two renames can leave a mix
///     of old and new files, which the manifest's hashes reveal.
/// - **No debris.** On any error the staging folder and everything in it are removed.
/// - **One writer at a time.** While it commits, it holds a lock file, `.<name>.lock` beside the
///   folder, created exclusively: a second corridor committing to the same folder at the same
///   moment fails with a message naming the lock instead of mixing its files in. The lock is
///   held only while committing (milliseconds), so a process killed during its simulation
///   leaves none behind.
/// - **Durable.** Files are fsynced before they are renamed into place, and on Unix the folders
///   whose entries changed are fsynced after.
/// - **Inputs are safe.** [`refuse_inputs`](ResultsFolder::refuse_inputs) refuses an output
///   folder that is one of the command's input folders (a shard given to `merge`, a folder given
///   to `compare --results`).
#[derive(Debug)]
pub struct ResultsFolder {
    /// The folder as given (the paths returned and the messages use it).
    dir: PathBuf,
    /// The files added so far, in order.
    files: Vec<(&'static str, Vec<u8>)>,
    /// Files written as the work went ([`ResultsFolder::stream`]), complete, in order: they
    /// come after `files` and before the manifest.
    streamed: Vec<Staged>,
}

fn out_err(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

/// `.{name}{suffix}`: the name of a hidden entry of ours.
fn hidden(name: &OsStr, suffix: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(suffix);
    s
}

/// A suffix unique to this process and call, for temporary entries.
fn unique(what: &str) -> String {
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    format!(
        ".{what}-{}-{}",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    )
}

/// The folder's parent and name, absolute (`.` and `..` resolved when the folder exists).
fn locate(dir: &Path) -> io::Result<(PathBuf, OsString)> {
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

fn not_a_folder(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotADirectory,
        format!("{} is a file, not a folder", path.display()),
    )
}

/// Whether `dir` is an existing folder (`false`: it does not exist; an error: it is a file).
fn is_folder(dir: &Path) -> io::Result<bool> {
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

/// Fsyncs a folder, so that the entries just renamed in it survive a crash.
#[cfg(unix)]
fn sync_folder(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_: &Path) -> io::Result<()> {
    Ok(())
}

/// The lock file held while committing; removed when dropped.
struct Lock(PathBuf);

impl Lock {
    fn take(parent: &Path, name: &OsStr) -> io::Result<Lock> {
        let path = parent.join(hidden(name, ".lock"));
        match File::create_new(&path) {
            Ok(mut f) => {
                // The holder, for whoever finds a lock left by a killed process.
                let _ = writeln!(f, "corridor process {}", std::process::id());
                Ok(Lock(path))
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(io::Error::new(
                e.kind(),
                format!(
                    "another corridor is writing this folder now (lock file {}); if none is, remove that file",
                    path.display()
                ),
            )),
            Err(e) => Err(e),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// The staging folder; removed with its content when dropped, unless it became the results
/// folder.
struct Staging {
    path: PathBuf,
    keep: bool,
}

impl Staging {
    fn create(path: PathBuf) -> io::Result<Staging> {
        // A folder of this name can only be left by a killed process with the same id.
        let _ = fs::remove_dir_all(&path);
        fs::create_dir(&path)?;
        Ok(Staging { path, keep: false })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Renames the staged file `staging/name` over `target/name`, after keeping the old version
/// (if any) as `old`: a hard link, or a copy where the file system has none. Returns whether
/// there was an old version.
fn replace_one(staging: &Path, target: &Path, name: &str, old: &Path) -> io::Result<bool> {
    let dest = target.join(name);
    let had_old = match fs::symlink_metadata(&dest) {
        Ok(m) if m.is_dir() => {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{} is a folder, not a file", dest.display()),
            ));
        }
        Ok(_) => {
            if fs::hard_link(&dest, old).is_err() {
                fs::copy(&dest, old)?;
            }
            true
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    fs::rename(staging.join(name), &dest)?;
    Ok(had_old)
}

/// Moves the staged files `names` into the existing folder `target`, each over its old
/// version; on failure, undoes the moves done, so the old files are back.
fn replace_each(staging: &Path, target: &Path, names: &[&str]) -> io::Result<()> {
    let old = |n: &str| staging.join(format!("{n}.old"));
    let mut done = Vec::new();
    for &n in names {
        match replace_one(staging, target, n, &old(n)) {
            Ok(had_old) => done.push((n, had_old)),
            Err(e) => {
                for (n, had_old) in done.into_iter().rev() {
                    let dest = target.join(n);
                    let _ = if had_old {
                        fs::rename(old(n), &dest)
                    } else {
                        fs::remove_file(&dest)
                    };
                }
                return Err(e);
            }
        }
    }
    Ok(())
}

impl ResultsFolder {
    /// A results folder at `dir`, checked to be writable now, before any work (see the type's
    /// guarantees). Creates nothing.
    pub fn new(dir: impl Into<PathBuf>) -> Result<ResultsFolder> {
        let dir = dir.into();
        check_writable(&dir).map_err(out_err(&dir))?;
        Ok(ResultsFolder {
            dir,
            files: Vec::new(),
            streamed: Vec::new(),
        })
    }

    /// Refuses a folder that is one of `inputs` (the folders the command reads), so that
    /// writing cannot destroy what it was computed from.
    pub fn refuse_inputs<P: AsRef<Path>>(self, inputs: &[P]) -> Result<ResultsFolder> {
        let Ok(out) = self.dir.canonicalize() else {
            return Ok(self); // it does not exist yet, so it is none of them
        };
        for input in inputs {
            if input.as_ref().canonicalize().is_ok_and(|i| i == out) {
                return Err(Error::Usage(format!(
                    "--out {} is the input folder {}; write the results to another folder",
                    self.dir.display(),
                    input.as_ref().display()
                )));
            }
        }
        Ok(self)
    }

    /// Adds a file (serialised now, written by [`commit`](ResultsFolder::commit)).
    pub fn add(&mut self, file: &dyn Export) -> Result<()> {
        let name = file.file_name();
        debug_assert!(name != MANIFEST && self.files.iter().all(|f| f.0 != name));
        let bytes = file.serialize().map_err(out_err(&self.dir.join(name)))?;
        self.files.push((name, bytes));
        Ok(())
    }

    /// Writes the files added and `manifest.json` (with the SHA-256 of each of them in
    /// `outputs`), all or nothing. Returns the paths written, the manifest last.
    pub fn commit(mut self, manifest: &mut Manifest) -> Result<Vec<PathBuf>> {
        for f in &self.streamed {
            manifest
                .outputs
                .insert(f.name.to_string(), f.sha256.clone());
        }
        let bytes = manifest.to_bytes(&self.files)?;
        self.files.push((MANIFEST, bytes));
        self.write()
    }

    /// Writes the files added, without a manifest (library use: [`crate::run::write`]), with
    /// the same guarantees.
    pub fn commit_without_manifest(self) -> Result<Vec<PathBuf>> {
        self.write()
    }

    fn write(self) -> Result<Vec<PathBuf>> {
        let err = out_err(&self.dir);
        let (parent, name) = locate(&self.dir).map_err(&err)?;
        fs::create_dir_all(&parent).map_err(&err)?;
        let _lock = Lock::take(&parent, &name).map_err(&err)?;
        let target = parent.join(&name);
        let exists = is_folder(&target).map_err(&err)?;
        let mut staging = Staging::create(
            (if exists { &target } else { &parent }).join(hidden(&name, &unique("tmp"))),
        )
        .map_err(&err)?;
        for (file, bytes) in &self.files {
            write_synced(&staging.path.join(file), bytes).map_err(out_err(&self.dir.join(file)))?;
        }
        for f in &self.streamed {
            move_file(&f.temp.path, &staging.path.join(f.name))
                .map_err(out_err(&self.dir.join(f.name)))?;
        }
        sync_folder(&staging.path).map_err(&err)?;
        let mut names: Vec<&str> = self.files.iter().map(|f| f.0).collect();
        let before_manifest = names.iter().position(|n| *n == MANIFEST);
        let streamed = self.streamed.iter().map(|f| f.name);
        match before_manifest {
            Some(i) => drop(names.splice(i..i, streamed)),
            None => names.extend(streamed),
        }
        if exists {
            replace_each(&staging.path, &target, &names).map_err(&err)?;
            sync_folder(&target).map_err(&err)?;
        } else {
            fs::rename(&staging.path, &target).map_err(&err)?;
            staging.keep = true;
            sync_folder(&parent).map_err(&err)?;
        }
        Ok(names.iter().map(|n| self.dir.join(n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::manifest::sha256_hex;

    struct Text(&'static str, &'static str);

    impl Export for Text {
        fn file_name(&self) -> &'static str {
            self.0
        }
        fn serialize(&self) -> io::Result<Vec<u8>> {
            Ok(self.1.as_bytes().to_vec())
        }
    }

    fn manifest() -> Manifest {
        serde_json::from_str(
            r#"{"corridor_version": "0", "kind": "run", "command_line": [], "written_unix": 0,
                "scenarios": [], "seed": 1, "replications": 1, "jobs": 1, "wall_seconds": 0,
                "outputs": {}}"#,
        )
        .unwrap()
    }

    fn commit(dir: &Path, files: &[Text]) -> Result<Vec<PathBuf>> {
        let mut f = ResultsFolder::new(dir)?;
        for x in files {
            f.add(x)?;
        }
        f.commit(&mut manifest())
    }

    /// Everything in `dir`, sorted, hidden entries included.
    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_folder_gets_every_file_and_a_manifest_that_hashes_them() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        let written = commit(&dir, &[Text("x.csv", "1\n"), Text("y.csv", "2\n")]).unwrap();
        assert_eq!(
            written,
            ["x.csv", "y.csv", "manifest.json"].map(|f| dir.join(f))
        );
        assert_eq!(entries(&dir), ["manifest.json", "x.csv", "y.csv"]);
        assert_eq!(
            entries(&tmp.path().join("a")),
            ["b"],
            "no lock or staging left"
        );
        let (m, _) = Manifest::read(&dir).unwrap();
        assert_eq!(m.outputs["x.csv"], sha256_hex(b"1\n"));
        assert_eq!(m.outputs["y.csv"], sha256_hex(b"2\n"));
        assert_eq!(m.outputs.len(), 2);
    }

    #[test]
    fn an_existing_folder_keeps_its_other_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::write(dir.join("x.csv"), "old").unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        commit(dir, &[Text("x.csv", "new")]).unwrap();
        assert_eq!(entries(dir), ["manifest.json", "notes.txt", "x.csv"]);
        assert_eq!(fs::read_to_string(dir.join("x.csv")).unwrap(), "new");
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn a_failed_commit_restores_the_old_files_and_leaves_no_debris() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        commit(&dir, &[Text("x.csv", "old x"), Text("z.csv", "old z")]).unwrap();
        let before: Vec<Vec<u8>> = ["x.csv", "z.csv", "manifest.json"]
            .iter()
            .map(|f| fs::read(dir.join(f)).unwrap())
            .collect();
        // y.csv cannot be written: a folder has its name. x.csv was replaced before that.
        fs::create_dir(dir.join("y.csv")).unwrap();
        fs::write(dir.join("y.csv/keep"), "").unwrap();
        let files = [
            Text("x.csv", "new x"),
            Text("y.csv", "new y"),
            Text("z.csv", "new z"),
        ];
        let e = commit(&dir, &files).unwrap_err();
        assert!(e.to_string().contains("cannot write"), "{e}");
        let after: Vec<Vec<u8>> = ["x.csv", "z.csv", "manifest.json"]
            .iter()
            .map(|f| fs::read(dir.join(f)).unwrap())
            .collect();
        assert_eq!(before, after);
        assert_eq!(entries(&dir), ["manifest.json", "x.csv", "y.csv", "z.csv"]);
        assert_eq!(entries(&dir.join("y.csv")), ["keep"]);
        assert_eq!(entries(tmp.path()), ["out"], "no lock left");
    }

    #[test]
    fn an_unwritable_folder_is_refused_before_the_work() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, "").unwrap();
        for dir in [file.clone(), file.join("sub"), file.join("sub/deeper")] {
            let e = ResultsFolder::new(&dir).unwrap_err();
            assert!(e.to_string().contains("is a file, not a folder"), "{e}");
            assert_eq!(e.exit_code(), 1);
        }
        ResultsFolder::new(tmp.path().join("new/deeper")).unwrap();
        assert_eq!(entries(tmp.path()), ["f"], "the check creates nothing");
    }

    #[test]
    fn a_lock_held_by_another_writer_refuses_the_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let folder = ResultsFolder::new(&dir).unwrap();
        fs::write(tmp.path().join(".out.lock"), "").unwrap();
        let e = folder.commit(&mut manifest()).unwrap_err();
        assert!(e.to_string().contains("another corridor is writing"), "{e}");
        assert!(e.to_string().contains(".out.lock"), "{e}");
        assert_eq!(entries(tmp.path()), [".out.lock"], "nothing written");
    }

    #[test]
    fn an_input_folder_is_not_an_output() {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("shard");
        fs::create_dir(&input).unwrap();
        let e = ResultsFolder::new(tmp.path().join("shard/../shard"))
            .unwrap()
            .refuse_inputs(&[&input])
            .unwrap_err();
        assert!(e.to_string().contains("is the input folder"), "{e}");
        ResultsFolder::new(tmp.path().join("other"))
            .unwrap()
            .refuse_inputs(&[&input])
            .unwrap();
    }
}
