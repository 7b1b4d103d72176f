//! The lock file of a results folder, and the list of what an interruption must remove.
//!
//! The lock is `.<name>.lock` in the folder's parent, created exclusively (a hard link of a
//! file already holding the holder's identity, so a lock is never seen empty). It records who
//! holds it: process id, host name, boot id, PID namespace and the process's start time. A lock
//! whose holder is on this machine (same host, boot and PID namespace) and no longer running
//! (no `/proc/<pid>`, or another process with its id) is stale: it is taken over, with a
//! warning. Anywhere else it is held, and the message names the file to remove by hand.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::{hidden, unique};

/// What an entry on the list is, so that it is removed the right way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    /// A lock file.
    File,
    /// A staging folder and everything in it.
    Tree,
    /// A parent folder this process created; removed only if empty.
    EmptyDir,
}

/// Entries on disk that exist only while a results folder is being written.
pub(super) struct Debris {
    items: Vec<(u64, PathBuf, Kind)>,
    serial: u64,
}

static DEBRIS: Mutex<Debris> = Mutex::new(Debris {
    items: Vec::new(),
    serial: 0,
});

/// The list, locked. Whoever holds it may change the entries on it: an interruption waits for
/// it, so that it never removes an entry in the middle of a swap.
pub(super) fn debris() -> MutexGuard<'static, Debris> {
    DEBRIS.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Debris {
    /// Puts `path` on the list; returns its ticket.
    pub(super) fn add(&mut self, path: PathBuf, kind: Kind) -> u64 {
        self.serial += 1;
        self.items.push((self.serial, path, kind));
        self.serial
    }

    /// Takes an entry off the list (it is kept on disk).
    pub(super) fn keep(&mut self, ticket: u64) {
        self.items.retain(|i| i.0 != ticket);
    }

    /// Removes an entry from disk and from the list.
    pub(super) fn remove(&mut self, ticket: u64) {
        if let Some(k) = self.items.iter().position(|i| i.0 == ticket) {
            let (_, path, kind) = self.items.remove(k);
            remove(&path, kind);
        }
    }
}

fn remove(path: &Path, kind: Kind) {
    let _ = match kind {
        Kind::File => fs::remove_file(path),
        Kind::Tree => fs::remove_dir_all(path),
        Kind::EmptyDir => fs::remove_dir(path),
    };
}

/// For a signal handler that is about to end the process: removes every staging folder, lock
/// file and parent folder created by the results folders being written, newest first, and
/// keeps the list locked, so that no commit starts or goes on. A commit already swapping its
/// folder in finishes first. Returns whether anything was removed.
pub fn abandon() -> bool {
    let mut d = debris();
    let any = !d.items.is_empty();
    for (_, path, kind) in d.items.drain(..).rev() {
        remove(&path, kind);
    }
    // Held until the process exits.
    std::mem::forget(d);
    any
}

/// Who holds a lock.
#[derive(Clone, Debug, Default, PartialEq)]
struct Holder {
    pid: u32,
    host: Option<String>,
    boot: Option<String>,
    pid_ns: Option<String>,
    started: Option<String>,
}

fn read_trimmed(path: &str) -> Option<String> {
    fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The start time of process `pid` (field 22 of `/proc/<pid>/stat`), in clock ticks since boot.
fn start_time(pid: &str) -> Option<String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    after_name.split_whitespace().nth(19).map(str::to_string)
}

impl Holder {
    fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            host: read_trimmed("/proc/sys/kernel/hostname"),
            boot: read_trimmed("/proc/sys/kernel/random/boot_id"),
            pid_ns: fs::read_link("/proc/self/ns/pid")
                .ok()
                .map(|p| p.to_string_lossy().into_owned()),
            started: start_time("self"),
        }
    }

    fn text(&self) -> String {
        let mut s = format!("corridor process {}\n", self.pid);
        let mut line = |key: &str, v: &Option<String>| {
            if let Some(v) = v {
                s.push_str(&format!("{key} {v}\n"));
            }
        };
        line("host", &self.host);
        line("boot", &self.boot);
        line("pid_namespace", &self.pid_ns);
        line("started", &self.started);
        s
    }

    fn parse(text: &str) -> Option<Holder> {
        let mut lines = text.lines();
        let pid = lines
            .next()?
            .strip_prefix("corridor process ")?
            .parse()
            .ok()?;
        let mut h = Holder {
            pid,
            ..Holder::default()
        };
        for l in lines {
            let (key, value) = l.split_once(' ').unwrap_or((l, ""));
            let value = Some(value.to_string());
            match key {
                "host" => h.host = value,
                "boot" => h.boot = value,
                "pid_namespace" => h.pid_ns = value,
                "started" => h.started = value,
                _ => {}
            }
        }
        Some(h)
    }

    /// Whether this holder has certainly ended: it ran on this machine, in this PID namespace,
    /// and its process is gone (or its id now belongs to another process, or the machine has
    /// rebooted since). Anything that cannot be told (another host, no `/proc`) is alive.
    fn is_gone(&self) -> bool {
        let me = Holder::me();
        if me.host.is_none() || self.host != me.host || self.pid_ns != me.pid_ns {
            return false;
        }
        if self.boot.is_some() && self.boot != me.boot {
            return true;
        }
        match start_time(&self.pid.to_string()) {
            None => !Path::new(&format!("/proc/{}", self.pid)).exists(),
            Some(now) => self.started.as_ref().is_some_and(|s| *s != now),
        }
    }

    fn describe(&self) -> String {
        match &self.host {
            Some(h) => format!("process {} on {h}", self.pid),
            None => format!("process {}", self.pid),
        }
    }
}

/// The lock file, held from before the work to the end of the commit; removed when dropped,
/// with the parent folders created for it if they are still empty (unless
/// [`Lock::keep_parents`]).
#[derive(Debug)]
pub(super) struct Lock {
    ticket: u64,
    parents: Vec<u64>,
}

fn busy(path: &Path, holder: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::WouldBlock,
        format!(
            "another corridor is writing this folder now ({holder}, lock file {}); wait for it to finish, or remove that file if no corridor is running",
            path.display()
        ),
    )
}

/// Links a new file holding `text` to `path`, failing if `path` exists. Where the file system
/// has no hard links, creates `path` exclusively and writes it.
fn create_exclusive(
    path: &Path,
    parent: &Path,
    name: &std::ffi::OsStr,
    text: &str,
) -> io::Result<()> {
    let tmp = parent.join(hidden(name, &unique("lock")));
    let mut f = File::create_new(&tmp)?;
    let made = f.write_all(text.as_bytes()).and_then(|()| f.sync_all());
    let linked = made.and_then(|()| fs::hard_link(&tmp, path));
    let _ = fs::remove_file(&tmp);
    match linked {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            let mut f = File::create_new(path)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()
        }
        other => other,
    }
}

impl Lock {
    /// Takes the lock of the folder `name` in `parent`; `parents` are the folders created for
    /// it (their tickets on the list), removed again if the lock cannot be had.
    pub(super) fn take(
        parent: &Path,
        name: &std::ffi::OsStr,
        parents: Vec<u64>,
    ) -> io::Result<Lock> {
        let path = parent.join(hidden(name, ".lock"));
        let me = Holder::me().text();
        let mut taken_over = false;
        let result = loop {
            let mut d = debris();
            match create_exclusive(&path, parent, name, &me) {
                Ok(()) => {
                    let ticket = d.add(path.clone(), Kind::File);
                    break Ok(Lock {
                        ticket,
                        parents: parents.clone(),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => break Err(e),
            }
            drop(d);
            let text = fs::read_to_string(&path).unwrap_or_default();
            let holder = Holder::parse(&text);
            let who = holder
                .as_ref()
                .map_or("holder unknown".to_string(), Holder::describe);
            if taken_over || !holder.as_ref().is_some_and(Holder::is_gone) {
                break Err(busy(&path, &who));
            }
            // Move the stale lock aside and check that it is still the one judged stale: a
            // lock another process took over meanwhile is put back.
            let aside = parent.join(hidden(name, &unique("lock-stale")));
            if fs::rename(&path, &aside).is_ok() {
                if fs::read_to_string(&aside).unwrap_or_default() == text {
                    eprintln!(
                        "warning: {}: the corridor {who} that held this lock is no longer running; taking it over",
                        path.display()
                    );
                } else {
                    let _ = fs::hard_link(&aside, &path);
                    let _ = fs::remove_file(&aside);
                    break Err(busy(&path, "another process took it over"));
                }
                let _ = fs::remove_file(&aside);
            }
            taken_over = true;
        };
        if result.is_err() {
            let mut d = debris();
            for &p in parents.iter().rev() {
                d.remove(p);
            }
        }
        result
    }

    /// Keeps the parent folders created for the lock (the results folder is in them now).
    pub(super) fn keep_parents(&mut self) {
        let mut d = debris();
        for p in self.parents.drain(..) {
            d.keep(p);
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let mut d = debris();
        d.remove(self.ticket);
        for &p in self.parents.iter().rev() {
            d.remove(p);
        }
    }
}

/// Whether the process `pid` may still be running (`false` only when it certainly is not).
pub(super) fn may_run(pid: u32) -> bool {
    !Path::new("/proc/self").exists() || Path::new(&format!("/proc/{pid}")).exists()
}

/// The lock text of process `pid` on this machine (for the folder's tests).
#[cfg(test)]
pub(super) fn tests_holder_text(pid: u32) -> String {
    Holder {
        pid,
        ..Holder::me()
    }
    .text()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_reads_back_and_this_process_is_alive() {
        let me = Holder::me();
        assert_eq!(Holder::parse(&me.text()), Some(me.clone()));
        assert!(!me.is_gone());
        assert_eq!(Holder::parse("corridor process 12\n").unwrap().pid, 12);
        assert_eq!(Holder::parse("something else"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_holder_whose_process_ended_is_gone() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let gone = Holder {
            pid,
            ..Holder::me()
        };
        assert!(gone.is_gone());
        let elsewhere = Holder {
            host: Some("another-host".into()),
            ..gone.clone()
        };
        assert!(
            !elsewhere.is_gone(),
            "another host's processes cannot be seen"
        );
        let rebooted = Holder {
            pid: std::process::id(),
            boot: Some("another-boot".into()),
            ..Holder::me()
        };
        assert!(rebooted.is_gone());
    }
}
