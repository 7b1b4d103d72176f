//! What-if studies end to end: --set, compare, sweep, precision, shards and merge, manifests,
//! and the errors of each option. The command line is run as a user runs it (the built
//! binary); the statistics of pairing are checked at library level.
//!
//! This module holds the helpers and scenario the what-if modules share (`whatif_compare`,
//! `whatif_sweep`, `whatif_precision`, `whatif_shards`, `whatif_errors`) and the tests of
//! `--set`, `--jobs`, `--digitisation`, `extends` and the manifest.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn corridor(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run corridor")
}

pub(crate) fn ok(args: &[&str], cwd: &Path) -> Output {
    let o = corridor(args, cwd);
    assert!(
        o.status.success(),
        "corridor {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn read(dir: &Path, file: &str) -> Vec<u8> {
    fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

pub(crate) fn text(dir: &Path, file: &str) -> String {
    String::from_utf8(read(dir, file)).unwrap()
}

pub(crate) fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(dir, "manifest.json")).unwrap()
}

/// Two stations and a link; small enough for many runs.
pub(crate) const S: &str = r#"[scenario]
name = "wi"
horizon = "40d"
warmup = "2d"
replications = 10
seed = 11

[[nodes]]
id = "gate"
kind = "station"
servers = 2
service = { dist = "exponential", mean = "1.5h" }

[[nodes]]
id = "yard"
kind = "station"
servers = 1
service = { dist = "gamma", mean = "40m", cv = 0.5 }

[[links]]
from = "gate"
to = "yard"
time = { dist = "uniform", min = "2h", max = "4h" }

[[flows]]
id = "box"
route = ["gate", "yard"]
arrivals = { dist = "exponential", mean = "1h" }
teu = 2
"#;

pub(crate) fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("s.toml"), S).unwrap();
    dir
}

/// The alternative used by compare tests: a faster yard, its own name.
pub(crate) fn write_alt(dir: &Path) {
    fs::write(
        dir.join("alt.toml"),
        S.replace("name = \"wi\"", "name = \"wi-alt\"")
            .replace("mean = \"40m\"", "mean = \"30m\""),
    )
    .unwrap();
}

pub(crate) const CSVS: [&str; 4] = [
    "summary.csv",
    "bottlenecks.csv",
    "replications.csv",
    "timeseries.csv",
];

pub(crate) fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(
            read(a, f) == read(b, f),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Runs a command that must fail on bad input: exit code 2, the expected fragments in the
/// message, no panic, nothing written.
pub(crate) fn refuses(args: &[&str], expected: &[&str]) {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    let o = corridor(args, d);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for e in expected {
        assert!(err.contains(e), "{args:?}: message lacks {e:?}: {err}");
    }
    let left: Vec<PathBuf> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("s.toml") && !p.ends_with("alt.toml"))
        .collect();
    assert!(left.is_empty(), "{args:?} wrote {left:?}");
}

#[test]
fn jobs_do_not_change_any_file_of_run_compare_or_sweep() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    for j in ["1", "2", "4"] {
        ok(
            &["run", "s.toml", "-q", "-j", j, "--out", &format!("run{j}")],
            d,
        );
        ok(
            &[
                "compare",
                "s.toml",
                "alt.toml",
                "-q",
                "-j",
                j,
                "--out",
                &format!("cmp{j}"),
            ],
            d,
        );
        ok(
            &[
                "sweep",
                "s.toml",
                "-q",
                "-j",
                j,
                "-r",
                "3",
                "--out",
                &format!("sw{j}"),
                "--vary",
                "nodes.gate.servers=2,3",
                "--vary",
                "flows.box.arrivals.mean=50m,1h",
            ],
            d,
        );
    }
    for j in ["2", "4"] {
        same_files(&d.join("run1"), &d.join(format!("run{j}")), &CSVS);
        same_files(
            &d.join("cmp1"),
            &d.join(format!("cmp{j}")),
            &["comparison.csv"],
        );
        same_files(&d.join("sw1"), &d.join(format!("sw{j}")), &["sweep.csv"]);
    }
    // The manifest records the thread count; the files do not depend on it. (--jobs is capped
    // at the processors available.)
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(manifest(&d.join("run4"))["jobs"], 4.min(cores));
    assert_eq!(manifest(&d.join("run1"))["jobs"], 1);
}

#[test]
fn manifest_records_what_made_the_folder() {
    let dir = workdir();
    let d = dir.path();
    let o = ok(
        &[
            "run",
            "s.toml",
            "-r",
            "4",
            "--set",
            "nodes.gate.servers=3",
            "--out",
            "o",
            "-j",
            "2",
        ],
        d,
    );
    assert!(
        stdout(&o).contains("wrote o/manifest.json"),
        "{}",
        stdout(&o)
    );
    let m = manifest(&d.join("o"));
    assert_eq!(m["corridor_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["kind"], "run");
    let cl: Vec<&str> = m["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(&cl[1..4], ["run", "s.toml", "-r"]);
    assert!(cl.contains(&"nodes.gate.servers=3"));
    let sc = &m["scenarios"][0];
    assert_eq!(sc["file"], "s.toml");
    assert_eq!(sc["name"], "wi");
    assert_eq!(sc["overrides"][0], "nodes.gate.servers=3");
    let file_hash = corridor::experiment::manifest::sha256_hex(S.as_bytes());
    assert_eq!(sc["file_sha256"], file_hash.as_str());
    let resolved = sc["resolved"].as_str().unwrap();
    assert_eq!(
        sc["resolved_sha256"],
        corridor::experiment::manifest::sha256_hex(resolved.as_bytes()).as_str()
    );
    assert_eq!(m["seed"], 11);
    assert_eq!(m["replications"], 4);
    assert_eq!(m["jobs"], 2);
    assert!(m["wall_seconds"].as_f64().unwrap() > 0.0);
    assert!(m["shard"].is_null() && m["precision"].is_null());
    for f in CSVS {
        assert_eq!(
            m["outputs"][f],
            corridor::experiment::manifest::sha256_hex(&read(&d.join("o"), f)).as_str()
        );
    }
    // The resolved scenario reproduces the run on its own.
    fs::write(d.join("resolved.toml"), resolved).unwrap();
    ok(
        &["run", "resolved.toml", "-r", "4", "-q", "--out", "again"],
        d,
    );
    same_files(&d.join("o"), &d.join("again"), &CSVS);
    // No progress bar when stderr is not a terminal.
    assert!(
        !stderr(&o).contains("ETA") && !stderr(&o).contains('\r'),
        "{}",
        stderr(&o)
    );
}

#[test]
fn set_changes_exactly_the_named_field() {
    let dir = workdir();
    let d = dir.path();
    let edited = [
        ("nodes.gate.servers=3", "servers = 2", "servers = 3"),
        ("nodes[0].servers=3", "servers = 2", "servers = 3"),
        ("links[0].time.max=5h", "max = \"4h\"", "max = \"5h\""),
        ("nodes.yard.service.cv=0.8", "cv = 0.5", "cv = 0.8"),
        ("flows.box.teu=5", "teu = 2", "teu = 5"),
        (
            "scenario.horizon=30d",
            "horizon = \"40d\"",
            "horizon = \"30d\"",
        ),
        (
            "scenario.horizon=\"30d\"",
            "horizon = \"40d\"",
            "horizon = \"30d\"",
        ),
        (
            "nodes.yard.servers=unlimited",
            "servers = 1",
            "servers = \"unlimited\"",
        ),
    ];
    let original: toml::Table = S.parse().unwrap();
    for (i, (set, from, to)) in edited.iter().enumerate() {
        let file = format!("e{i}.toml");
        assert_eq!(S.matches(from).count(), 1, "{from}");
        fs::write(d.join(&file), S.replace(from, to)).unwrap();
        let (a, b) = (format!("set{i}"), format!("edit{i}"));
        ok(
            &["run", "s.toml", "-r", "3", "-q", "--set", set, "--out", &a],
            d,
        );
        ok(&["run", &file, "-r", "3", "-q", "--out", &b], d);
        same_files(&d.join(&a), &d.join(&b), &CSVS);
        // The resolved document differs from the file in that one value only.
        let resolved: toml::Table = manifest(&d.join(&a))["scenarios"][0]["resolved"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let edited: toml::Table = S.replace(from, to).parse().unwrap();
        assert_eq!(resolved, edited, "{set}");
        assert_ne!(resolved, original, "{set}");
    }
    // And the results do change (the override is not ignored).
    assert_ne!(read(&d.join("set0"), "summary.csv"), {
        ok(&["run", "s.toml", "-r", "3", "-q", "--out", "plain"], d);
        read(&d.join("plain"), "summary.csv")
    });
}

#[test]
fn help_of_new_commands_has_examples() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["compare", "sweep", "merge", "run"] {
        let o = ok(&[cmd, "--help"], dir.path());
        let t = stdout(&o);
        assert!(t.contains("Examples:"), "{cmd}: {t}");
    }
    let t = stdout(&ok(&["run", "--help"], dir.path()));
    for opt in [
        "--set",
        "--shard",
        "--precision",
        "--max-replications",
        "--jobs",
    ] {
        assert!(t.contains(opt), "run --help lacks {opt}");
    }
}

/// `--digitisation` is applied to the TOML document before validation: the manifest records it
/// (in `model_options`, and in the resolved scenario), and merge refuses shards run with
/// different levels.
#[test]
fn digitisation_is_recorded_and_checked_by_merge() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/digitisation.toml");
    let s = scenario.to_str().unwrap();
    let shard = |k: &str, out: &str, extra: &[&str]| {
        let mut a = vec!["run", s, "-q", "-r", "4", "--shard", k, "--out", out];
        a.extend(extra);
        ok(&a, d);
    };
    shard("0/2", "a0", &["--digitisation", "single_window"]);
    shard("1/2", "a1", &["--digitisation", "single_window"]);
    shard("1/2", "paper", &["--digitisation", "paper"]);
    assert_eq!(
        manifest(&d.join("a0"))["scenarios"][0]["model_options"][0],
        "--digitisation single_window"
    );
    ok(&["merge", "a0", "a1", "--out", "m", "-q"], d);
    ok(
        &[
            "run",
            s,
            "-q",
            "-r",
            "4",
            "--digitisation",
            "single_window",
            "--out",
            "single",
        ],
        d,
    );
    same_files(&d.join("single"), &d.join("m"), &CSVS);
    let o = corridor(&["merge", "a0", "paper", "--out", "bad"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--digitisation) differs"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("bad").exists());
}

/// A file that `extends` a base: --set reaches the nodes only the base declares, and the
/// resolved scenario in the manifest stands alone (no `extends`), reproducing the run.
#[test]
fn set_reaches_through_extends() {
    let dir = workdir();
    let d = dir.path();
    fs::write(
        d.join("child.toml"),
        "extends = \"s.toml\"\n\n[scenario]\nname = \"child\"\n",
    )
    .unwrap();
    ok(
        &[
            "run",
            "child.toml",
            "-q",
            "-r",
            "3",
            "--set",
            "nodes.yard.servers=2",
            "--out",
            "c",
        ],
        d,
    );
    fs::write(
        d.join("full.toml"),
        S.replace("name = \"wi\"", "name = \"child\"")
            .replace("servers = 1", "servers = 2"),
    )
    .unwrap();
    ok(&["run", "full.toml", "-q", "-r", "3", "--out", "f"], d);
    same_files(&d.join("c"), &d.join("f"), &CSVS);
    let resolved = manifest(&d.join("c"))["scenarios"][0]["resolved"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!resolved.contains("extends"), "{resolved}");
    let base = &manifest(&d.join("c"))["scenarios"][0]["extends_files"][0];
    assert_eq!(base[0], "s.toml");
    assert_eq!(
        base[1],
        corridor::experiment::manifest::sha256_hex(S.as_bytes()).as_str()
    );
    fs::write(d.join("resolved.toml"), resolved).unwrap();
    ok(&["run", "resolved.toml", "-q", "-r", "3", "--out", "r"], d);
    same_files(&d.join("c"), &d.join("r"), &CSVS);
}
