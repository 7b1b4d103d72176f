//! The command line as a user meets it: outputs, reproducibility of files, and bad input.

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

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const GOOD: &str = r#"[scenario]
name = "cli-check"
horizon = "60d"
warmup = "5d"
replications = 3
seed = 7

[[nodes]]
id = "gate"
kind = "station"
servers = 2
service = { dist = "exponential", mean = "1.5h" }

[[nodes]]
id = "yard"
kind = "station"
servers = 1
service = { dist = "triangular", min = "10m", mode = "20m", max = "40m" }

[[links]]
from = "gate"
to = "yard"
time = { dist = "triangular", min = "20h", mode = "24h", max = "36h" }

[[flows]]
id = "box"
route = ["gate", "yard"]
arrivals = { dist = "exponential", mean = "1h" }
teu = 1
"#;

pub(crate) fn workdir(scenario: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(&file, scenario).unwrap();
    (dir, file)
}

#[test]
fn run_writes_both_files_with_the_documented_columns() {
    let (dir, _) = workdir(GOOD);
    let o = corridor(&["run", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("results/cli-check");
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    let reps = fs::read_to_string(out.join("replications.csv")).unwrap();
    assert!(summary.starts_with("scenario,scope,id,metric,unit,mean,ci95,std,min,max,n,period\n"));
    assert!(reps.starts_with("scenario,replication,seed,scope,id,metric,unit,value,period\n"));
    for needle in [
        "cli-check,corridor,cli-check,created,count,",
        "cli-check,corridor,cli-check,in_system_end,count,",
        "cli-check,corridor,cli-check,events,count,",
        "cli-check,flow,box,delivered,TEU,",
        "cli-check,flow,box,throughput,TEU/day,",
        "cli-check,flow,box,transit_p95,h,",
        "cli-check,node,gate,utilisation,ratio,",
        "cli-check,node,yard,queue_mean,count,",
        "cli-check,node,yard,throughput,1/day,",
    ] {
        assert!(summary.contains(needle), "summary.csv lacks {needle}");
    }
    // No temporary files left behind.
    let names: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    // summary.csv, bottlenecks.csv, replications.csv, timeseries.csv and manifest.json.
    assert_eq!(names.len(), 5, "{names:?}");
    let series = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(series.starts_with(
        "scenario,scope,id,metric,unit,t_start,t_end,date_start,date_end,mean,ci95,n\n"
    ));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("box") && stdout.contains("gate"),
        "{stdout}"
    );
    assert!(stderr(&o).contains("events"), "{}", stderr(&o));
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes_any_jobs() {
    let (dir, _) = workdir(GOOD);
    let files = |d: &str| {
        let p = dir.path().join(d);
        (
            fs::read(p.join("summary.csv")).unwrap(),
            fs::read(p.join("replications.csv")).unwrap(),
        )
    };
    for (out, extra) in [
        ("a", vec!["--jobs", "1"]),
        ("b", vec!["--jobs", "2"]),
        ("c", vec!["--jobs", "4"]),
    ] {
        let mut args = vec!["run", "s.toml", "-q", "--out", out];
        args.extend(extra);
        assert!(corridor(&args, dir.path()).status.success());
    }
    assert_eq!(files("a"), files("b"));
    assert_eq!(files("a"), files("c"));
    assert!(
        corridor(
            &["run", "s.toml", "-q", "--seed", "8", "--out", "d"],
            dir.path()
        )
        .status
        .success()
    );
    assert_ne!(files("a").0, files("d").0);
    // --replications overrides the file.
    assert!(
        corridor(
            &["run", "s.toml", "-q", "-r", "5", "--out", "e"],
            dir.path()
        )
        .status
        .success()
    );
    let reps = String::from_utf8(files("e").1).unwrap();
    assert!(reps.lines().any(|l| l.starts_with("cli-check,4,")));
    assert!(!reps.lines().any(|l| l.starts_with("cli-check,5,")));
}

#[test]
fn validate_runs_nothing_and_writes_nothing() {
    let (dir, _) = workdir(GOOD);
    let o = corridor(&["validate", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("valid"));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn help_has_examples() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["validate", "--help"],
    ] {
        let o = corridor(&args, dir.path());
        assert!(o.status.success());
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("Example"), "{args:?}: {text}");
    }
}

/// Runs `corridor run` on a broken scenario and checks: exit code 2, no panic, a message that
/// contains every expected fragment, and no results folder.
pub(crate) fn rejects(scenario: &str, expected: &[&str]) {
    let (dir, _) = workdir(scenario);
    for cmd in ["run", "validate"] {
        let o = corridor(&[cmd, "s.toml"], dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd}: exit code; stderr: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("s.toml"), "message lacks the file name: {err}");
        for e in expected {
            assert!(err.contains(e), "message lacks {e:?}: {err}");
        }
        assert!(
            !dir.path().join("results").exists(),
            "output written despite the error"
        );
    }
}

#[test]
fn toml_syntax_error_gives_line_and_column() {
    rejects(
        &GOOD.replace("servers = 2", "servers = = 2"),
        &["s.toml:11:"],
    );
}

#[test]
fn unknown_field() {
    rejects(
        &GOOD.replace("servers = 2", "servers = 2\nspeed = 3"),
        &["s.toml:12:1", "unknown field `speed`", "nodes[0]"],
    );
}

#[test]
fn duplicate_id() {
    rejects(
        &GOOD.replace("id = \"yard\"", "id = \"gate\""),
        &["nodes[1].id", "duplicate node id \"gate\"", ":15:"],
    );
}

#[test]
fn route_naming_a_missing_node() {
    rejects(
        &GOOD.replace(
            "route = [\"gate\", \"yard\"]",
            "route = [\"gate\", \"yrd\"]",
        ),
        &[
            "flows[0].route[1]",
            "\"yrd\"",
            "known nodes and services: gate, yard",
        ],
    );
}

#[test]
fn link_between_non_consecutive_nodes() {
    rejects(
        &GOOD.replace(
            "from = \"gate\"\nto = \"yard\"",
            "from = \"yard\"\nto = \"gate\"",
        ),
        &["links[0]", "not consecutive"],
    );
}

#[test]
fn non_positive_servers() {
    rejects(
        &GOOD.replace("servers = 2", "servers = 0"),
        &[
            "nodes[0].servers",
            "0 is not allowed",
            "\"unlimited\"",
            ":11:11",
        ],
    );
    rejects(
        &GOOD.replace("servers = 2", "servers = -3"),
        &["nodes[0].servers", "-3"],
    );
    rejects(
        &GOOD.replace("servers = 2", "servers = \"many\""),
        &["\"many\"", "unlimited"],
    );
}

#[test]
fn non_positive_mean() {
    rejects(
        &GOOD.replace("mean = \"1.5h\"", "mean = \"0h\""),
        &["nodes[0].service.mean", "\"0h\"", "> 0"],
    );
    rejects(
        &GOOD.replace("mean = \"1h\"", "mean = \"-1h\""),
        &["flows[0].arrivals.mean", "\"-1h\""],
    );
}

#[test]
fn negative_cv() {
    rejects(
        &GOOD.replace(
            "{ dist = \"exponential\", mean = \"1.5h\" }",
            "{ dist = \"lognormal\", mean = \"1.5h\", cv = -0.5 }",
        ),
        &["nodes[0].service.cv", "-0.5", ">= 0"],
    );
}

#[test]
fn mode_outside_min_max() {
    rejects(
        &GOOD.replace("mode = \"20m\"", "mode = \"50m\""),
        &["nodes[1].service.mode", "\"50m\"", "[\"10m\", \"40m\"]"],
    );
}

#[test]
fn warmup_not_shorter_than_horizon() {
    rejects(
        &GOOD.replace("warmup = \"5d\"", "warmup = \"60d\""),
        &["scenario.warmup", "\"60d\"", "not shorter than the horizon"],
    );
}

#[test]
fn unknown_unit() {
    rejects(
        &GOOD.replace("horizon = \"60d\"", "horizon = \"60y\""),
        &["unknown unit \"y\"", "d (days)", ":3:"],
    );
    rejects(
        &GOOD.replace("horizon = \"60d\"", "horizon = 60"),
        &["no unit", "\"60h\""],
    );
}

#[test]
fn unknown_distribution() {
    rejects(
        &GOOD.replace(
            "dist = \"exponential\", mean = \"1.5h\"",
            "dist = \"poisson\", mean = \"1.5h\"",
        ),
        &[
            "nodes[0].service.dist",
            "\"poisson\"",
            "exponential",
            "weibull",
        ],
    );
    rejects(
        &GOOD.replace(
            "dist = \"exponential\", mean = \"1.5h\"",
            "dist = \"exponential\", mean = \"1.5h\", cv = 1.0",
        ),
        &["`cv` is not a parameter of `exponential`"],
    );
    rejects(
        &GOOD.replace("mode = \"20m\", ", ""),
        &["nodes[1].service", "`triangular` needs `mode`"],
    );
}

#[test]
fn empirical_file_missing_or_not_numeric() {
    let emp = GOOD.replace(
        "{ dist = \"exponential\", mean = \"1.5h\" }",
        "{ dist = \"empirical\", file = \"obs.csv\", column = \"hours\" }",
    );
    rejects(&emp, &["nodes[0].service.file", "obs.csv"]);

    let (dir, _) = workdir(&emp);
    fs::write(dir.path().join("obs.csv"), "hours,note\n,empty\n,\n").unwrap();
    let o = corridor(&["run", "s.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no numeric values"),
        "{}",
        stderr(&o)
    );

    fs::write(dir.path().join("obs.csv"), "hours\n3.5\nlots\n").unwrap();
    let o = corridor(&["run", "s.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("obs.csv:3") && stderr(&o).contains("\"lots\""),
        "{}",
        stderr(&o)
    );

    fs::write(dir.path().join("obs.csv"), "minutes\n3.5\n").unwrap();
    let o = corridor(&["run", "s.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("column \"hours\" is not in"),
        "{}",
        stderr(&o)
    );

    // And a good file works, relative to the scenario's folder, not the working directory.
    fs::write(dir.path().join("obs.csv"), "hours\n1.0\n1.5\n2.0\n").unwrap();
    let o = corridor(
        &["validate", dir.path().join("s.toml").to_str().unwrap()],
        Path::new("/"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn missing_scenario_file_and_bad_options() {
    let dir = tempfile::tempdir().unwrap();
    let o = corridor(&["run", "nope.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.toml"));
    let (dir, _) = workdir(GOOD);
    let o = corridor(&["run", "s.toml", "--replications", "0"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--replications 0"));
    let o = corridor(&["run", "s.toml", "--jobs", "0"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn unwritable_output_is_an_error_not_a_panic() {
    let (dir, _) = workdir(GOOD);
    fs::write(
        dir.path().join("blocker"),
        "a file where a folder should be",
    )
    .unwrap();
    let o = corridor(&["run", "s.toml", "--out", "blocker/sub"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
}

#[test]
fn shipped_scenarios_validate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for e in fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let o = corridor(&["validate", p.to_str().unwrap()], &root);
            assert!(o.status.success(), "{}: {}", p.display(), stderr(&o));
            n += 1;
        }
    }
    assert!(n >= 2, "expected at least two shipped scenarios");
}

/// `extends`: an alternative is a base plus a few lines; same results as the equivalent full
/// file; cycles and missing bases are clear errors.
#[test]
fn extends_merges_a_base() {
    let (dir, _) = workdir(GOOD);
    let alt = "extends = \"s.toml\"\n\n[scenario]\nname = \"alt\"\n\n[[nodes]]\nid = \"gate\"\nservers = 3\n";
    fs::write(dir.path().join("alt.toml"), alt).unwrap();
    fs::write(
        dir.path().join("full.toml"),
        GOOD.replace("cli-check", "alt")
            .replace("servers = 2", "servers = 3"),
    )
    .unwrap();
    for f in ["alt.toml", "full.toml"] {
        let o = corridor(&["run", f, "-q", "--out", &format!("out-{f}")], dir.path());
        assert!(o.status.success(), "{f}: {}", stderr(&o));
    }
    let a = fs::read(dir.path().join("out-alt.toml/replications.csv")).unwrap();
    let b = fs::read(dir.path().join("out-full.toml/replications.csv")).unwrap();
    assert_eq!(a, b);

    fs::write(dir.path().join("c1.toml"), "extends = \"c2.toml\"\n").unwrap();
    fs::write(dir.path().join("c2.toml"), "extends = \"c1.toml\"\n").unwrap();
    let o = corridor(&["validate", "c1.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a cycle"), "{}", stderr(&o));
    fs::write(dir.path().join("c3.toml"), "extends = \"nowhere.toml\"\n").unwrap();
    let o = corridor(&["validate", "c3.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read the base scenario"),
        "{}",
        stderr(&o)
    );
    // A mistake in the extending file names the field.
    fs::write(
        dir.path().join("bad.toml"),
        "extends = \"s.toml\"\n[[nodes]]\nid = \"gate\"\nservers = 0\n",
    )
    .unwrap();
    let o = corridor(&["validate", "bad.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nodes[0].servers") && stderr(&o).contains("extends"),
        "{}",
        stderr(&o)
    );
}
