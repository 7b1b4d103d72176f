//! `corridor capacity`: the demand factor at which a target breaks, against M/M/1 theory, its
//! errors and its independence of `--jobs`.

use std::fs;
use std::path::Path;

use crate::whatif::{corridor, ok, stderr, stdout, text};

/// An M/M/1 station `q` (service rate 1/h) fed by flow `f` at 0.5/h, and a quiet station `r`
/// (service 1 h) fed by flow `other` at 0.1/h.
const MM1: &str = r#"[scenario]
name = "cap-mm1"
horizon = "800d"
warmup = "20d"
replications = 16
seed = 5

[[nodes]]
id = "q"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "1h" }

[[nodes]]
id = "r"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "1h" }

[[flows]]
id = "f"
route = ["q"]
arrivals = { dist = "exponential", mean = "2h" }
teu = 1

[[flows]]
id = "other"
route = ["r"]
arrivals = { dist = "exponential", mean = "10h" }
teu = 1
"#;

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("mm1.toml"), MM1).unwrap();
    dir
}

/// capacity.csv's summary row: (mean, low, high, n, binding scope, binding id).
fn summary(dir: &Path) -> (f64, f64, f64, u64, String, String) {
    let csv = text(dir, "capacity.csv");
    let last = csv.lines().last().unwrap();
    let c: Vec<&str> = last.split(',').collect();
    assert_eq!(c[0], "mean", "{csv}");
    (
        c[2].parse().unwrap(),
        c[3].parse().unwrap(),
        c[4].parse().unwrap(),
        c[6].parse().unwrap(),
        c[8].to_string(),
        c[9].to_string(),
    )
}

#[test]
fn mm1_transit_limit_breaks_where_theory_says() {
    let dir = workdir();
    let d = dir.path();
    // W = 1 / (mu - f lambda) <= T  <=>  f <= (mu - 1/T) / lambda = (1 - 1/4) / 0.5 = 1.5.
    let o = ok(
        &[
            "capacity",
            "mm1.toml",
            "--flow",
            "f",
            "--max-transit",
            "4h",
            "--range",
            "0.5..1.9",
            "--tolerance",
            "0.002",
            "--out",
            "mean",
        ],
        d,
    );
    let (mean, low, high, n, scope, id) = summary(&d.join("mean"));
    assert_eq!(n, 16);
    assert!(low <= 1.5 && 1.5 <= high, "{low}..{high} misses 1.5");
    assert!(high - low < 0.1, "{low}..{high} is too wide to mean much");
    assert!((mean - 1.5).abs() < 0.05, "{mean}");
    assert_eq!((scope.as_str(), id.as_str()), ("node", "q"));
    let out = stdout(&o);
    assert!(
        out.contains("demand factor at which the target breaks: 1.")
            && out.contains("binding resource: node q servers (utilisation 0.7"),
        "{out}"
    );
    // Each replication: 2 ends and at most ceil(log2(ln(3.8) / ln(1.002))) = 10 midpoints.
    let csv = text(&d.join("mean"), "capacity.csv");
    assert_eq!(
        csv.lines().next().unwrap(),
        corridor::experiment::capacity::CAPACITY_HEADER.join(",")
    );
    for line in csv.lines().skip(1).take(16) {
        let c: Vec<&str> = line.split(',').collect();
        assert_eq!(c[1], "found", "{line}");
        let (lo, hi): (f64, f64) = (c[3].parse().unwrap(), c[4].parse().unwrap());
        assert!(hi / lo <= 1.002 + 1e-9 && c[2] == c[3], "{line}");
        assert!(c[7].parse::<u32>().unwrap() <= 12, "{line}");
    }
    assert_eq!(crate::whatif::manifest(&d.join("mean"))["kind"], "capacity");

    // The 95th percentile of an exponential sojourn: ln(20) / (mu - f lambda) <= 12 h
    // <=> f <= (1 - ln(20) / 12) / 0.5 = 1.5007.
    ok(
        &[
            "capacity",
            "mm1.toml",
            "--flow",
            "f",
            "--max-transit",
            "12h",
            "--p95",
            "--range",
            "0.5..1.9",
            "--out",
            "p95",
            "-r",
            "8",
        ],
        d,
    );
    let (mean, low, high, ..) = summary(&d.join("p95"));
    let theory = (1.0 - 20f64.ln() / 12.0) / 0.5;
    assert!(
        (mean - theory).abs() < 0.06,
        "{mean} vs {theory} ({low}..{high})"
    );
}

#[test]
fn utilisation_limit_scales_every_flow_or_one() {
    let dir = workdir();
    let d = dir.path();
    // Every flow: q's utilisation 0.5 f passes 0.6 at f = 1.2 (r's is 0.1 f).
    ok(
        &[
            "capacity",
            "mm1.toml",
            "--max-utilisation",
            "0.6",
            "-r",
            "4",
            "--out",
            "all",
            "--set",
            "scenario.horizon=300d",
        ],
        d,
    );
    let (mean, _, _, _, scope, id) = summary(&d.join("all"));
    assert!((mean - 1.2).abs() < 0.04, "{mean}");
    assert_eq!((scope.as_str(), id.as_str()), ("node", "q"));
    // Flow `other` only: its route's station r reaches 0.6 at f = 6; q is not watched.
    ok(
        &[
            "capacity",
            "mm1.toml",
            "--flow",
            "other",
            "--max-utilisation",
            "0.6",
            "-r",
            "4",
            "--out",
            "other",
            "--set",
            "scenario.horizon=300d",
        ],
        d,
    );
    let (mean, _, _, _, _, id) = summary(&d.join("other"));
    assert!((mean - 6.0).abs() < 0.3, "{mean}");
    assert_eq!(id, "r");
    // Met at the top of the range: censored, no number made up.
    let o = ok(
        &[
            "capacity",
            "mm1.toml",
            "--flow",
            "other",
            "--max-utilisation",
            "0.6",
            "--range",
            "0.5..2",
            "-r",
            "3",
            "--out",
            "above",
            "--set",
            "scenario.horizon=100d",
        ],
        d,
    );
    let out = stdout(&o);
    assert!(out.contains(">= 2"), "{out}");
    let csv = text(&d.join("above"), "capacity.csv");
    assert!(csv.contains("\n0,above_range,,2,,"), "{csv}");
    assert!(csv.contains("\nmean,t_interval_of_found,,,,,0,"), "{csv}");
}

#[test]
fn capacity_output_does_not_depend_on_jobs() {
    let dir = workdir();
    let d = dir.path();
    let mut outs = Vec::new();
    for j in ["1", "2"] {
        let o = ok(
            &[
                "capacity",
                "mm1.toml",
                "--flow",
                "f",
                "--max-transit",
                "4h",
                "-r",
                "5",
                "--set",
                "scenario.horizon=200d",
                "-j",
                j,
                "--out",
                j,
            ],
            d,
        );
        outs.push(stdout(&o).replace(&format!("wrote {j}/"), "wrote "));
    }
    assert_eq!(outs[0], outs[1]);
    assert_eq!(
        text(&d.join("1"), "capacity.csv"),
        text(&d.join("2"), "capacity.csv")
    );
}

#[test]
fn capacity_refuses_bad_input_and_writes_nothing() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--flow", "nope", "--max-transit", "4h"],
            &["--flow nope", "no flow has this id", "flows: f, other"],
        ),
        (
            &["--flow", "f", "--max-transit", "4x"],
            &["--max-transit 4x", "unknown unit"],
        ),
        (&["--flow", "f", "--max-transit", "0h"], &["longer than 0"]),
        (
            &["--flow", "f", "--max-transit", "4h", "--range", "2..1"],
            &["--range 2..1", "inverted"],
        ),
        (
            &["--flow", "f", "--max-transit", "4h", "--range", "0..1"],
            &["--range 0..1", "above 0"],
        ),
        (
            &["--flow", "f", "--max-transit", "4h", "--tolerance", "2"],
            &["--tolerance 2"],
        ),
        (&["--max-transit", "4h"], &["--max-transit needs --flow"]),
        (&["--flow", "f"], &["--max-transit"]),
        (
            &[
                "--flow",
                "f",
                "--max-transit",
                "4h",
                "--max-utilisation",
                "0.5",
            ],
            &["cannot be used with"],
        ),
        (&["--max-utilisation", "1.5"], &["--max-utilisation 1.5"]),
        (
            &["--flow", "f", "--max-transit", "4h", "--range", "1..2000"],
            &["demand factor 2000"],
        ),
    ];
    for (extra, expected) in cases {
        let dir = workdir();
        let d = dir.path();
        let mut args = vec!["capacity", "mm1.toml"];
        args.extend_from_slice(extra);
        let o = corridor(&args, d);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        for e in *expected {
            assert!(err.contains(e), "{args:?}: message lacks {e:?}: {err}");
        }
        let left: Vec<_> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "mm1.toml")
            .collect();
        assert!(left.is_empty(), "{args:?} wrote {left:?}");
    }
}

/// The worked example of README.md ("Where does it break") is this command's output, as
/// printed: a change of the model or of the scenario that moves it must update the README.
#[test]
fn readme_capacity_example_is_what_the_command_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("```text\ncapacity of \"middle-corridor\"")
        .expect("the README's capacity example");
    let block = &readme[start + "```text\n".len()..];
    let expected = &block[..block.find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args([
            "capacity",
            root.join("scenarios/middle-corridor.toml")
                .to_str()
                .unwrap(),
            "--flow",
            "xian-poti",
            "--max-transit",
            "20d",
        ])
        .env("COLUMNS", "100")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), expected);
}
