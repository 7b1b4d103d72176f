//! One way in: `--digitisation` is an override of the TOML document, so `run`, `compare`, `sweep`
//! and `validate` all take it, and each gives what the same change made by editing the file
//! gives. A corridor-wide level from the command line sets every border, including one that has
//! a level of its own in the file.

use std::fs;
use std::path::Path;

use crate::cli::{corridor, stderr};
use crate::whatif::{manifest, ok, read};

/// Two borders; `bcp1` has a level of its own (electronic documents). On paper `bcp1` is offered
/// more than its capacity (2.2 h of documents every 2 h on one lane), digitised it is not.
const S: &str = r#"[scenario]
name = "ld"
horizon = "60d"
warmup = "5d"
replications = 3
seed = 11

[[nodes]]
id = "yard"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "30m" }

[[nodes]]
id = "bcp1"
kind = "border"
lanes = 1
documents = { dist = "gamma", mean = "2.2h", cv = 0.5 }
digitisation = "electronic_documents"

[[nodes]]
id = "bcp2"
kind = "border"
lanes = 2
documents = { dist = "gamma", mean = "3h", cv = 0.5 }

[[links]]
from = "yard"
to = "bcp1"
time = { dist = "fixed", value = "5h" }

[[links]]
from = "bcp1"
to = "bcp2"
time = { dist = "fixed", value = "10h" }

[[flows]]
id = "f"
route = ["yard", "bcp1", "bcp2"]
arrivals = { dist = "exponential", mean = "2h" }
"#;

/// A folder with `s.toml` and `edited.toml`: `S` with these levels written into the file, for
/// bcp1 (replacing its own) and for bcp2.
fn files(bcp1: &str, bcp2: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("s.toml"), S).unwrap();
    let edited = S
        .replace(
            "digitisation = \"electronic_documents\"",
            &format!("digitisation = {bcp1}"),
        )
        .replace(
            "mean = \"3h\", cv = 0.5 }\n",
            &format!("mean = \"3h\", cv = 0.5 }}\ndigitisation = {bcp2}\n"),
        );
    assert_ne!(edited, S);
    fs::write(dir.path().join("edited.toml"), edited).unwrap();
    dir
}

fn same(a: &Path, b: &Path, file: &str) {
    assert!(
        read(a, file) == read(b, file),
        "{file} differs between {} and {}",
        a.display(),
        b.display()
    );
}

#[test]
fn run_with_a_corridor_wide_level_sets_every_border_even_one_with_its_own() {
    let dir = files("0.5", "0.5");
    let d = dir.path();
    ok(
        &[
            "run",
            "s.toml",
            "-q",
            "--digitisation",
            "0.5",
            "--out",
            "cli",
        ],
        d,
    );
    ok(&["run", "edited.toml", "-q", "--out", "file"], d);
    ok(&["run", "s.toml", "-q", "--out", "own"], d);
    same(&d.join("cli"), &d.join("file"), "summary.csv");
    same(&d.join("cli"), &d.join("file"), "replications.csv");
    assert!(read(&d.join("cli"), "summary.csv") != read(&d.join("own"), "summary.csv"));
    let summary = String::from_utf8(read(&d.join("cli"), "summary.csv")).unwrap();
    for bcp in ["bcp1", "bcp2"] {
        let row = summary
            .lines()
            .find(|l| l.contains(&format!(",{bcp},digitisation_level,")))
            .unwrap_or_else(|| panic!("no digitisation_level of {bcp}:\n{summary}"));
        assert!(row.contains(",ratio,0.5,"), "{row}");
    }
}

#[test]
fn compare_takes_digitisation_for_every_scenario() {
    let dir = files("0.5", "\"pre_arrival\"");
    let d = dir.path();
    let alt = ["--alt", "nodes.yard.servers=2", "-r", "3", "-q"];
    let cli = [
        "--digitisation",
        "0.5",
        "--digitisation",
        "bcp2=pre_arrival",
        "--out",
        "cli",
    ];
    ok(&[&["compare", "s.toml"][..], &alt, &cli].concat(), d);
    ok(
        &[&["compare", "edited.toml"][..], &alt, &["--out", "file"]].concat(),
        d,
    );
    same(&d.join("cli"), &d.join("file"), "comparison.csv");
    let m = manifest(&d.join("cli"));
    for sc in m["scenarios"].as_array().unwrap() {
        assert_eq!(
            sc["model_options"],
            serde_json::json!(["--digitisation 0.5", "--digitisation bcp2=pre_arrival"])
        );
    }
    // compare --results runs nothing, so a level does not apply.
    let o = corridor(
        &["compare", "--results", "cli", "file", "--digitisation", "1"],
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--digitisation does not apply"));
}

#[test]
fn sweep_takes_digitisation_at_every_point() {
    let dir = files("\"single_window\"", "\"single_window\"");
    let d = dir.path();
    let vary = ["--vary", "nodes.yard.servers=1,2", "-r", "2", "-q"];
    let cli = ["--digitisation", "single_window", "--out", "cli"];
    ok(&[&["sweep", "s.toml"][..], &vary, &cli].concat(), d);
    ok(
        &[&["sweep", "edited.toml"][..], &vary, &["--out", "file"]].concat(),
        d,
    );
    same(&d.join("cli"), &d.join("file"), "sweep.csv");
    assert_eq!(
        manifest(&d.join("cli"))["scenarios"][0]["model_options"][0],
        "--digitisation single_window"
    );
}

#[test]
fn validate_takes_digitisation() {
    let dir = files("\"paper\"", "\"paper\"");
    let d = dir.path();
    let cli = ok(&["validate", "s.toml", "--digitisation", "paper"], d);
    let file = ok(&["validate", "edited.toml"], d);
    let own = ok(&["validate", "s.toml"], d);
    let out = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).replace("edited", "s");
    assert_eq!(out(&cli), out(&file));
    // On paper bcp1 is overloaded, at its own level it is not: the command-line level won.
    assert_eq!(stderr(&cli), stderr(&file));
    assert!(
        stderr(&cli).contains("node \"bcp1\" is offered"),
        "{}",
        stderr(&cli)
    );
    assert!(!stderr(&own).contains("bcp1"), "{}", stderr(&own));
    // The messages of run's --digitisation, from validate.
    for (arg, msg) in [
        ("2", "outside [0, 1]"),
        (
            "nope=0.5",
            "no border node has id \"nope\"; borders: bcp1, bcp2",
        ),
        ("yard=0.5", "node \"yard\" is a station, not a border"),
        ("digital", "unknown digitisation level"),
    ] {
        let o = corridor(&["validate", "s.toml", "--digitisation", arg], d);
        assert_eq!(o.status.code(), Some(2), "{arg}");
        assert!(stderr(&o).contains(msg), "{arg}: {}", stderr(&o));
    }
    // An error of the file comes first, as when the level was set after validation.
    fs::write(d.join("bad.toml"), S.replace("lanes = 2", "lanes = 0")).unwrap();
    let o = corridor(&["validate", "bad.toml", "--digitisation", "nope=1"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nodes[2].lanes"), "{}", stderr(&o));
}
