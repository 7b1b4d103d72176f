//! Results folders under pressure: two commands on one folder, Ctrl-C, SIGTERM and SIGKILL in
//! the middle of a run, outputs inside or around their inputs, and the files a command did not
//! write (shard folders, notes) surviving a rerun.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::output::HEAVY;
use crate::robust_cli::words;
use crate::whatif::{corridor, ok, stderr, workdir, write_alt};

/// Everything in `dir`, sorted, hidden entries included.
pub(crate) fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Starts `corridor run heavy.toml --out OUT --force` and waits until it holds the lock of
/// OUT.
fn start_heavy(d: &Path, out: &str) -> Child {
    fs::write(d.join("heavy.toml"), HEAVY).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args([
            "run",
            "heavy.toml",
            "-q",
            "--jobs",
            "1",
            "--force",
            "--out",
            out,
        ])
        .current_dir(d)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = Path::new(out);
    let lock = d.join(out.parent().unwrap()).join(format!(
        ".{}.lock",
        out.file_name().unwrap().to_string_lossy()
    ));
    let start = Instant::now();
    while !lock.exists() {
        assert!(child.try_wait().unwrap().is_none(), "corridor ended early");
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no lock after 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn signal(child: &Child, sig: &str) {
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success()
    );
}

/// A second command on a folder being written fails at once (exit 1) naming the lock; Ctrl-C
/// then ends the first with exit code 130 and removes its lock and staging.
#[test]
fn a_second_command_fails_at_once_and_ctrl_c_cleans_up() {
    let dir = workdir();
    let d = dir.path();
    let heavy = start_heavy(d, "busy");
    let start = Instant::now();
    let o = corridor(&["run", "s.toml", "-q", "--out", "busy"], d);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("another corridor is writing this folder now")
            && stderr(&o).contains(".busy.lock"),
        "{}",
        stderr(&o)
    );
    signal(&heavy, "-INT");
    let o = heavy.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    assert_eq!(entries(d), ["heavy.toml", "s.toml"]);
}

/// SIGTERM during the run removes the lock and the parent folders created for it.
#[test]
fn sigterm_removes_the_lock_and_the_parents_it_created() {
    let dir = workdir();
    let d = dir.path();
    let heavy = start_heavy(d, "new/deeper/out");
    signal(&heavy, "-TERM");
    let o = heavy.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert_eq!(entries(d), ["heavy.toml", "s.toml"]);
}

/// SIGKILL leaves a stale lock (and the old folder untouched); the next command takes it over
/// with a warning and writes the folder.
#[test]
fn sigkill_leaves_a_stale_lock_that_the_next_command_takes_over() {
    let dir = workdir();
    let d = dir.path();
    ok(&["run", "s.toml", "-q", "-r", "2", "--out", "out"], d);
    let before = fs::read(d.join("out/summary.csv")).unwrap();
    let mut heavy = start_heavy(d, "out");
    heavy.kill().unwrap();
    heavy.wait().unwrap();
    assert!(d.join(".out.lock").exists());
    assert_eq!(fs::read(d.join("out/summary.csv")).unwrap(), before);
    let o = ok(&["run", "s.toml", "-q", "-r", "3", "--out", "out"], d);
    assert!(
        stderr(&o).contains("is no longer running; taking it over"),
        "{}",
        stderr(&o)
    );
    assert_eq!(entries(d), ["heavy.toml", "out", "s.toml"]);
    assert_ne!(fs::read(d.join("out/summary.csv")).unwrap(), before);
}

/// merge and compare --results refuse an --out inside one of their inputs or around one.
#[test]
fn an_out_inside_or_around_an_input_is_refused() {
    let dir = workdir();
    let d = dir.path();
    fs::create_dir(d.join("runs")).unwrap();
    for k in ["0", "1"] {
        ok(
            &words(&format!("run s.toml -q --shard {k}/2 --out runs/s{k}")),
            d,
        );
    }
    let before = entries(&d.join("runs"));
    for (line, says) in [
        (
            "merge runs/s0 runs/s1 --out runs/s0/m",
            "is inside the input folder runs/s0",
        ),
        (
            "merge runs/s0 runs/s1 --out runs",
            "contains the input folder runs/s0",
        ),
        (
            "compare --results runs/s0 runs/s1 --out .",
            "contains the input folder runs/s0",
        ),
    ] {
        let o = corridor(&words(line), d);
        assert_eq!(o.status.code(), Some(2), "{line}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{line}: {}", stderr(&o));
    }
    assert_eq!(entries(&d.join("runs")), before);
    assert_eq!(
        entries(&d.join("runs/s0")),
        ["manifest.json", "replications.csv"]
    );
}

/// The default shard folders live in the run's default folder: a run there replaces its own
/// results and keeps them, and a user's notes, by carrying them over.
#[test]
fn a_rerun_keeps_the_shard_folders_and_notes_beside_it() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    ok(&["run", "s.toml", "-q", "--shard", "0/2"], d);
    ok(&["run", "s.toml", "-q", "--shard", "1/2"], d);
    ok(&["run", "s.toml", "-q", "-r", "3"], d);
    fs::write(d.join("results/wi/notes.txt"), "mine").unwrap();
    ok(&["run", "s.toml", "-q"], d);
    assert_eq!(
        entries(&d.join("results/wi")),
        [
            "manifest.json",
            "notes.txt",
            "replications.csv",
            "shard-0-of-2",
            "shard-1-of-2",
            "summary.csv"
        ]
    );
    assert_eq!(entries(&d.join("results")), ["wi"]);
    let merge = "merge results/wi/shard-0-of-2 results/wi/shard-1-of-2 -q --out merged";
    ok(&words(merge), d);
    crate::whatif::same_files(
        &d.join("results/wi"),
        &d.join("merged"),
        &crate::whatif::CSVS,
    );
}
