//! Putting a staged folder in place of a results folder, and putting things right after a
//! process that was killed while it did.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::Path;

use super::lock::{debris, may_run};
use super::{MANIFEST, Manifest, hidden, is_folder, sync_folder, unique};

/// The names of the old results in `dir`: its manifest and the files the manifest lists. They
/// are replaced; everything else in the folder is carried over.
fn old_results(dir: &Path) -> HashSet<OsString> {
    let mut names = HashSet::from([OsString::from(MANIFEST)]);
    if let Ok((m, _)) = Manifest::read(dir) {
        names.extend(m.outputs.keys().map(OsString::from));
    }
    names
}

/// Moves every entry of `from` that is not one of the old results and that `to` does not hold
/// into `to`. Returns the entries that could not be moved, with why.
fn carry_over(from: &Path, to: &Path) -> Vec<(OsString, io::Error)> {
    let replaced = old_results(from);
    let mut failed = Vec::new();
    let Ok(entries) = fs::read_dir(from) else {
        return failed;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if replaced.contains(&name) || fs::symlink_metadata(to.join(&name)).is_ok() {
            continue;
        }
        if let Err(err) = fs::rename(e.path(), to.join(&name)) {
            failed.push((name, err));
        }
    }
    failed
}

/// Carries the entries of the folder set aside `aside` over into `target`, then deletes it;
/// keeps it, with a warning, if some entry could not be moved.
fn finish(aside: &Path, target: &Path) {
    let failed = carry_over(aside, target);
    let _ = sync_folder(target);
    if failed.is_empty() {
        let _ = fs::remove_dir_all(aside);
    } else {
        for (name, e) in failed {
            eprintln!(
                "warning: could not carry {} over into {} ({e}); it is in {}",
                name.to_string_lossy(),
                target.display(),
                aside.display()
            );
        }
    }
}

/// Swaps the complete staging folder (ticket `ticket` on the interruption list) in as
/// `target`, whose new files are `names`. Holds the interruption list throughout, so that an
/// interruption waits for the swap.
pub(super) fn swap_in(
    staging: &Path,
    ticket: u64,
    target: &Path,
    names: &[&str],
) -> io::Result<()> {
    let mut d = debris();
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(io::Error::other("a results folder needs a parent"));
    };
    if !is_folder(target)? {
        fs::rename(staging, target)?;
        d.keep(ticket);
        return sync_folder(parent);
    }
    for n in names {
        let dest = target.join(n);
        if fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{} is a folder, not a file", dest.display()),
            ));
        }
    }
    if let Ok(m) = fs::metadata(target) {
        let _ = fs::set_permissions(staging, m.permissions());
    }
    let aside = parent.join(hidden(name, &unique("old")));
    fs::rename(target, &aside)?;
    if let Err(e) = fs::rename(staging, target) {
        let _ = fs::rename(&aside, target);
        return Err(e);
    }
    d.keep(ticket);
    let synced = sync_folder(parent);
    finish(&aside, target);
    synced.and_then(|()| sync_folder(parent))
}

/// What a hidden sibling of the folder `name` is, if it is one of ours: `tmp` (a staging
/// folder), `old` (a folder set aside), `lock` or `lock-stale` (temporary lock files), with
/// the process id that made it.
fn ours<'a>(entry: &'a OsStr, name: &OsStr) -> Option<(&'a str, u32)> {
    let rest = entry
        .as_encoded_bytes()
        .strip_prefix(b".")?
        .strip_prefix(name.as_encoded_bytes())?
        .strip_prefix(b".")?;
    let rest = std::str::from_utf8(rest).ok()?;
    let (kind, numbers) = ["tmp-", "old-", "lock-stale-", "lock-"]
        .iter()
        .find_map(|k| rest.strip_prefix(k).map(|n| (&k[..k.len() - 1], n)))
        // A file streamed as the work went: `.<name>.<file>.stream-<pid>-<n>`.
        .or_else(|| rest.rsplit_once(".stream-").map(|(_, n)| ("stream", n)))?;
    let (pid, serial) = numbers.split_once('-')?;
    serial.parse::<u64>().ok()?;
    Some((kind, pid.parse().ok()?))
}

/// Under the lock of the folder `name` in `parent`: removes the staging folders of processes
/// that were killed while they wrote it, and puts a folder they had set aside back (or, if
/// their new folder was already in place, finishes carrying its entries over).
pub(super) fn recover(parent: &Path, name: &OsStr) -> io::Result<()> {
    let target = parent.join(name);
    for e in fs::read_dir(parent)?.flatten() {
        let entry = e.file_name();
        let Some((kind, pid)) = ours(&entry, name) else {
            continue;
        };
        let path = e.path();
        match kind {
            // Only the holder of the lock makes these, and the lock is ours now.
            "stream" => {
                fs::remove_file(&path)?;
                eprintln!(
                    "warning: removed {}, left by an interrupted corridor",
                    path.display()
                );
            }
            "tmp" => {
                fs::remove_dir_all(&path)?;
                eprintln!(
                    "warning: removed {}, left by an interrupted corridor",
                    path.display()
                );
            }
            "old" if !target.exists() => {
                fs::rename(&path, &target)?;
                eprintln!(
                    "warning: put {} back: an interrupted corridor had set it aside",
                    target.display()
                );
            }
            "old" => {
                finish(&path, &target);
                eprintln!(
                    "warning: finished the commit of {} that an interrupted corridor began",
                    target.display()
                );
            }
            _ if !may_run(pid) => {
                let _ = fs::remove_file(&path);
            }
            _ => {}
        }
    }
    sync_folder(parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_hidden_entries_are_recognised_and_nothing_else() {
        let n = OsStr::new("out");
        assert_eq!(ours(OsStr::new(".out.tmp-12-0"), n), Some(("tmp", 12)));
        assert_eq!(ours(OsStr::new(".out.old-7-3"), n), Some(("old", 7)));
        assert_eq!(ours(OsStr::new(".out.lock-7-3"), n), Some(("lock", 7)));
        assert_eq!(
            ours(OsStr::new(".out.lock-stale-7-3"), n),
            Some(("lock-stale", 7))
        );
        for other in [
            ".out.lock",
            "out",
            ".out.tmp-12",
            ".outx.tmp-1-2",
            ".out.tmp-1-2.lock",
        ] {
            assert_eq!(ours(OsStr::new(other), n), None, "{other}");
        }
        // The folder `out.tmp-1-2` has its own lock and staging names.
        assert_eq!(
            ours(OsStr::new(".out.tmp-1-2.lock"), OsStr::new("out.tmp-1-2")),
            None
        );
    }
}
