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
        [
            "manifest.json",
            "replications.csv",
            "timeseries-replications.csv"
        ]
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
            "bottlenecks.csv",
            "manifest.json",
            "notes.txt",
            "replications.csv",
            "shard-0-of-2",
            "shard-1-of-2",
            "summary.csv",
            "timeseries.csv"
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

/// Class 7: every empirical data file is hashed in the manifest; merge refuses shards run on
/// other data (the same file, as the scenario names it, with other bytes), whatever folder
/// they ran from; compare --results warns.
#[test]
fn data_files_are_hashed_and_shards_on_other_data_do_not_merge() {
    use corridor::report::manifest::sha256_hex;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("sc")).unwrap();
    fs::create_dir_all(d.join("data")).unwrap();
    let data = d.join("data/obs.csv");
    fs::write(&data, "hours\n1.0\n1.5\n2.0\n").unwrap();
    let s = crate::whatif::S.replace(
        "service = { dist = \"exponential\", mean = \"1.5h\" }",
        "service = { dist = \"empirical\", file = \"../data/obs.csv\", column = \"hours\" }",
    );
    fs::write(d.join("sc/s.toml"), s).unwrap();
    let shard = |k: &str, cwd: &Path, scenario: &str| {
        let out = d.join(format!("s{k}"));
        let out = out.to_str().unwrap();
        let line = format!("run {scenario} -q -r 4 --shard {k}/2 --out {out} --force");
        ok(&words(&line), cwd);
    };
    shard("0", d, "sc/s.toml");
    let m = crate::whatif::manifest(&d.join("s0"));
    let recorded = &m["scenarios"][0]["data_files"];
    let hash = sha256_hex(&fs::read(&data).unwrap());
    assert_eq!(recorded[0][0], "sc/../data/obs.csv", "{recorded}");
    assert_eq!(recorded[0][1], hash.as_str(), "{recorded}");
    // The other shard runs from the scenario's folder, on changed data: refused.
    fs::write(&data, "hours\n1.0\n1.5\n9.0\n").unwrap();
    shard("1", &d.join("sc"), "s.toml");
    let o = corridor(&["merge", "s0", "s1", "--out", "m"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("read the data file ../data/obs.csv with SHA-256")
            && stderr(&o).contains("merge only shards run on the same data"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("m").exists());
    // On the same data, from either folder, they merge, and the merged folder records it.
    fs::write(&data, "hours\n1.0\n1.5\n2.0\n").unwrap();
    shard("1", &d.join("sc"), "s.toml");
    ok(&["merge", "s0", "s1", "-q", "--out", "m"], d);
    let merged = crate::whatif::manifest(&d.join("m"));
    assert_eq!(merged["scenarios"][0]["data_files"][0][1], hash.as_str());
    // compare --results pairs runs on other data with a warning.
    ok(&["run", "sc/s.toml", "-q", "-r", "2", "--out", "before"], d);
    fs::write(&data, "hours\n3.0\n").unwrap();
    ok(&["run", "sc/s.toml", "-q", "-r", "2", "--out", "after"], d);
    let o = ok(&words("compare --results before after -q --out cmp"), d);
    assert!(
        stderr(&o).contains("read the data file sc/../data/obs.csv with other bytes"),
        "{}",
        stderr(&o)
    );
}
