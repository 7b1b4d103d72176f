//! Results folders as every command writes them (through `report::ResultsFolder`): checked
//! before any work, never written over an input folder, no lock or temporary left behind, and
//! every output derived from per-replication values, so shards merged reproduce it.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cli::{corridor, stderr};
use crate::whatif::{ok, read, same_files, workdir, write_alt};

/// A busy station: 20 replications of 20,000 days (well over a billion events) would run for
/// minutes, so a command that fails at once did not start them.
pub(crate) const HEAVY: &str = r#"[scenario]
name = "heavy"
horizon = "20000d"
replications = 20
seed = 1

[[nodes]]
id = "q"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "30s" }

[[flows]]
id = "f"
route = ["q"]
arrivals = { dist = "exponential", mean = "1m" }
"#;

/// Hidden entries (lock files, staging folders, probes) in `dir`.
fn hidden(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn an_unwritable_out_fails_before_any_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("heavy.toml"), HEAVY).unwrap();
    fs::write(d.join("blocker"), "a file where a folder should be").unwrap();
    for out in ["blocker", "blocker/sub"] {
        for args in [
            vec!["run", "heavy.toml"],
            vec!["run", "heavy.toml", "--shard", "0/2"],
            vec!["run", "heavy.toml", "--precision", "wait_mean:q:0.0001"],
            vec!["compare", "heavy.toml", "--alt", "nodes.q.servers=2"],
            vec!["sweep", "heavy.toml", "--vary", "nodes.q.servers=1,2"],
        ] {
            let args: Vec<&str> = args.into_iter().chain(["-q", "--out", out]).collect();
            let start = Instant::now();
            let o = corridor(&args, d);
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{args:?} ran the simulation before finding that it cannot write"
            );
            assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("cannot write")
                    && stderr(&o).contains("is a file, not a folder"),
                "{args:?}: {}",
                stderr(&o)
            );
        }
    }
    assert_eq!(
        fs::read_to_string(d.join("blocker")).unwrap(),
        "a file where a folder should be"
    );
    assert!(hidden(d).is_empty(), "{:?}", hidden(d));
}

#[test]
fn merge_and_compare_results_refuse_to_write_over_their_inputs() {
    let dir = workdir();
    let d = dir.path();
    for k in ["0", "1"] {
        let shard = format!("{k}/2");
        ok(
            &[
                "run",
                "s.toml",
                "-q",
                "--shard",
                &shard,
                "--out",
                &format!("s{k}"),
            ],
            d,
        );
    }
    ok(&["run", "s.toml", "-q", "--out", "base"], d);
    let before = [
        read(&d.join("s0"), "manifest.json"),
        read(&d.join("base"), "manifest.json"),
    ];
    for (args, input) in [
        (vec!["merge", "s0", "s1", "--out", "s0"], "s0"),
        (vec!["merge", "s0", "s1", "--out", "./s1/"], "s1"),
        (
            vec!["compare", "--results", "base", "s0", "--out", "base"],
            "base",
        ),
    ] {
        let o = corridor(&args, d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("is the input folder {input}")),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let after = [
        read(&d.join("s0"), "manifest.json"),
        read(&d.join("base"), "manifest.json"),
    ];
    assert!(before == after, "an input folder was written");
    assert!(!d.join("s0/summary.csv").exists() && !d.join("base/comparison.csv").exists());
}

/// comparison.csv is derived from the replications' values, so comparing merged shard folders
/// gives the file `compare` writes from the scenarios.
#[test]
fn compare_of_merged_shards_equals_compare() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    ok(&["compare", "s.toml", "alt.toml", "-q", "--out", "cmp"], d);
    for (scenario, name) in [("s.toml", "base"), ("alt.toml", "alt")] {
        for k in 0..3 {
            let (shard, out) = (format!("{k}/3"), format!("{name}-{k}"));
            ok(
                &["run", scenario, "-q", "--shard", &shard, "--out", &out],
                d,
            );
        }
        let shards: Vec<String> = (0..3).map(|k| format!("{name}-{k}")).collect();
        let mut args = vec!["merge", "-q", "--out", name];
        args.extend(shards.iter().map(String::as_str));
        ok(&args, d);
    }
    ok(
        &["compare", "--results", "base", "alt", "-q", "--out", "cmp2"],
        d,
    );
    same_files(&d.join("cmp"), &d.join("cmp2"), &["comparison.csv"]);
    for folder in ["", "cmp", "cmp2", "base", "alt-2"] {
        let f = d.join(folder);
        assert!(hidden(&f).is_empty(), "{}: {:?}", f.display(), hidden(&f));
    }
}
