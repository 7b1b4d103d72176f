//! Hostile and degenerate input, through the command line: each class of bad value exits with 2,
//! a message naming the field path, the value and what is allowed, and writes nothing.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::cli::{corridor, stderr, workdir};

/// One station and one flow: the scenario every test here (and `check_path`) starts from.
pub(crate) const BASE: &str = r#"[scenario]
name = "harden"
horizon = "20d"
warmup = "2d"
replications = 2
seed = 5

[[nodes]]
id = "gate"
kind = "station"
servers = 2
service = { dist = "exponential", mean = "1h" }

[[flows]]
id = "box"
route = ["gate"]
arrivals = { dist = "exponential", mean = "2h" }
"#;

/// A quay and a ferry to it from `gate`, for `BASE`.
const FERRY: &str = r#"
[[nodes]]
id = "quay"
kind = "station"
servers = 1
service = { dist = "fixed", value = "0s" }

[[services]]
id = "ferry"
mode = "sea"
from = "gate"
to = "quay"
capacity_teu = 10
departure = "when_full"
travel = { dist = "fixed", value = "1h" }
"#;

/// `BASE` with `from` replaced by `to` (which must occur).
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

fn listing(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        out.insert(e.file_name().to_string_lossy().into_owned());
        if e.path().is_dir() {
            for f in listing(&e.path()) {
                out.insert(format!("{}/{f}", e.file_name().to_string_lossy()));
            }
        }
    }
    out
}

/// `corridor validate` and `corridor run` on `src` (as `s.toml`, beside `files`) with `args`
/// both exit with 2 and a message holding every needle, and write nothing.
fn refused_with(src: &str, files: &[(&str, &str)], args: &[&str], needles: &[&str]) -> String {
    let (dir, _) = workdir(src);
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let before = listing(dir.path());
    let mut message = String::new();
    for command in ["validate", "run"] {
        let mut all = vec![command, "s.toml"];
        all.extend_from_slice(args);
        let o = corridor(&all, dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{all:?}: no {n:?} in {err}");
        }
        assert!(
            err.lines().count() <= 2 && err.len() < 1500,
            "{all:?}: {err}"
        );
        assert_eq!(listing(dir.path()), before, "{all:?} wrote something");
        message = err;
    }
    message
}

fn refused(src: &str, needles: &[&str]) -> String {
    refused_with(src, &[], &[], needles)
}

/// `corridor validate` accepts `src` (beside `files`) with `args`; returns its stdout.
fn accepted_with(src: &str, files: &[(&str, &str)], args: &[&str]) -> String {
    let (dir, _) = workdir(src);
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let mut all = vec!["validate", "s.toml"];
    all.extend_from_slice(args);
    let o = corridor(&all, dir.path());
    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn accepted(src: &str) -> String {
    accepted_with(src, &[], &[])
}

#[test]
fn times_that_must_be_positive_refuse_draws_under_one_millisecond() {
    let arrivals = r#"arrivals = { dist = "exponential", mean = "2h" }"#;
    let rule = "must be at least 1 ms";
    for (dist, needles) in [
        (
            r#"{ dist = "fixed", value = "0.0004s" }"#,
            vec!["flows[0].arrivals.value", "\"0.0004s\" is under 1 ms"],
        ),
        (
            r#"{ dist = "exponential", mean = "0.5s" }"#,
            vec!["flows[0].arrivals", "mean = \"0.5s\"", "probability 0.0020"],
        ),
        (
            r#"{ dist = "gamma", mean = "2h", cv = 40 }"#,
            vec!["flows[0].arrivals", "cv = 40", "probability 0.99"],
        ),
        (
            r#"{ dist = "uniform", min = "0s", max = "0.2s" }"#,
            vec!["max = \"0.2s\"", "probability 0.0050"],
        ),
        (
            r#"{ dist = "triangular", min = "0s", mode = "0s", max = "1s" }"#,
            vec!["probability 0.0020"],
        ),
        (
            r#"{ dist = "lognormal", mean = "1h", cv = 900 }"#,
            vec!["cv = 900", "probability"],
        ),
        (
            r#"{ dist = "weibull", shape = 0.2, scale = "1h" }"#,
            vec!["shape = 0.2", "probability"],
        ),
        (
            r#"{ dist = "erlang", k = 1, mean = "0.1s" }"#,
            vec!["k = 1", "probability 0.01"],
        ),
        (
            r#"{ dist = "normal", mean = "0.01s", sd = "0.01s" }"#,
            vec!["sd = \"0.01s\"", "probability 0.03"],
        ),
    ] {
        let mut n = needles.clone();
        n.push(rule);
        refused(&with(arrivals, &format!("arrivals = {dist}")), &n);
    }
    // Empirical data: the share of values under 1 ms counts.
    let csv = "gap_h\n0\n1\n2\n0.0000001\n";
    let emp = r#"arrivals = { dist = "empirical", file = "gaps.csv", column = "gap_h" }"#;
    refused_with(
        &with(arrivals, emp),
        &[("gaps.csv", csv)],
        &[],
        &["flows[0].arrivals", "2 of the 4 values", "\"gap_h\"", rule],
    );
    // A timetable's interval, and the horizon, must be at least 1 ms too.
    let timetable = BASE.replace(
        r#"route = ["gate"]"#,
        r#"route = ["gate", "ferry", "quay"]"#,
    ) + &FERRY.replace(
        r#"departure = "when_full""#,
        "departure = \"timetable\"\nevery = \"0.0004s\"",
    );
    refused(
        &timetable,
        &["services[0].every", "\"0.0004s\" is under 1 ms", rule],
    );
    accepted(&timetable.replace("0.0004s", "0.001s"));
    refused(
        &with(r#"horizon = "20d""#, r#"horizon = "0.0001s""#),
        &["scenario.horizon", "\"0.0001s\" is under 1 ms", rule],
    );
    // Planner-sized means pass; service times may still be 0 (no delay), as documented.
    accepted(&with(
        arrivals,
        r#"arrivals = { dist = "exponential", mean = "1s" }"#,
    ));
    accepted(&with(
        r#"service = { dist = "exponential", mean = "1h" }"#,
        r#"service = { dist = "fixed", value = "0s" }"#,
    ));
    accepted(&with(
        r#"service = { dist = "exponential", mean = "1h" }"#,
        r#"service = { dist = "gamma", mean = "1h", cv = 40 }"#,
    ));
}

#[test]
fn durations_beyond_a_thousand_years_are_refused_everywhere() {
    let max = "at most 1000 years (\"365250d\")";
    refused(
        &with(r#"horizon = "20d""#, r#"horizon = "1e300d""#),
        &["scenario.horizon", "\"1e300d\" is out of range", max],
    );
    refused(
        &with(r#"horizon = "20d""#, r#"horizon = "365251d""#),
        &["scenario.horizon", "\"365251d\"", max],
    );
    refused(
        &with(r#"warmup = "2d""#, r#"warmup = "1e20w""#),
        &["scenario.warmup", "\"1e20w\"", max],
    );
    refused(
        &with(r#"mean = "1h""#, r#"mean = "-1e300h""#),
        &["nodes[0].service.mean", "\"-1e300h\"", max],
    );
    // A distribution whose mean is beyond the limit, though its parameters are not.
    refused(
        &with(
            r#"service = { dist = "exponential", mean = "1h" }"#,
            r#"service = { dist = "weibull", shape = 0.01, scale = "1h" }"#,
        ),
        &[
            "nodes[0].service",
            "shape = 0.01",
            "mean of 3.360e161 s",
            max,
        ],
    );
    // So are durations computed from numbers, and empirical values.
    refused_with(
        &with(
            r#"arrivals = { dist = "exponential", mean = "2h" }"#,
            r#"arrivals = { dist = "empirical", file = "d.csv", column = "gap", unit = "w" }"#,
        ),
        &[("d.csv", "gap\n1\n1e9\n")],
        &[],
        &["flows[0].arrivals.column", "1000000000 w", max],
    );
    // Also when the value comes from the command line; the limit itself is allowed.
    refused_with(
        BASE,
        &[],
        &["--set", "scenario.horizon=400000d"],
        &[
            "scenario.horizon",
            "\"400000d\"",
            max,
            "--set scenario.horizon=400000d",
        ],
    );
    let out = accepted_with(BASE, &[], &["--set", "scenario.horizon=365250d"]);
    assert!(out.contains("horizon 365250d"), "{out}");
}

#[test]
fn ids_and_the_scenario_name_are_at_most_64_characters() {
    let rule = "at most 64 characters";
    let huge = "x".repeat(65_536);
    let long = "y".repeat(65);
    let pipeline = r#"
[[pipelines]]
id = "oil"
from = "Baku"
to = "Ceyhan"
unit = "bbl"
capacity_per_day = 1000
demand_per_day = 900
transit = "5d"
"#;
    let with_all = BASE.to_string() + pipeline + FERRY;
    for id in [&huge, &long] {
        for (from, path) in [
            (r#"name = "harden""#, "scenario.name"),
            (r#"id = "gate""#, "nodes[0].id"),
            (r#"id = "box""#, "flows[0].id"),
            (r#"id = "oil""#, "pipelines[0].id"),
            (r#"id = "ferry""#, "services[0].id"),
        ] {
            let to = from.replace(from.split('"').nth(1).unwrap(), id);
            let out = refused(&with_all.replacen(from, &to, 1), &[path, rule]);
            if id.len() > 64 * 2 {
                assert!(out.contains("(65536 characters)"), "{out}");
            }
        }
    }
    // A route naming a huge id that no node has: the message quotes its start only.
    refused(
        &with(r#"route = ["gate"]"#, &format!(r#"route = ["{huge}"]"#)),
        &[
            "flows[0].route[0]",
            "(65536 characters)",
            "no node or service",
        ],
    );
    // 64 characters work end to end, through the printed table and the results folder.
    let id = "z".repeat(64);
    let src = with_all
        .replacen(r#"name = "harden""#, &format!(r#"name = "{id}""#), 1)
        .replace(r#""gate""#, &format!(r#""{id}""#));
    let (dir, _) = workdir(&src);
    let o = corridor(&["run", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        dir.path()
            .join("results")
            .join(&id)
            .join("summary.csv")
            .exists()
    );
}

#[test]
fn unclear_messages_now_say_what_is_wrong_and_what_is_allowed() {
    // A huge cv: the range, in scientific notation (not "shape is not positive", not 300 digits).
    let out = refused(
        &with(
            r#"service = { dist = "exponential", mean = "1h" }"#,
            r#"service = { dist = "gamma", mean = "1h", cv = 1e300 }"#,
        ),
        &[
            "nodes[0].service.cv",
            "1e300 is not allowed",
            "at most 1000",
        ],
    );
    assert!(
        !out.contains("0000000000") && !out.contains("shape"),
        "{out}"
    );
    // Seeds beyond TOML's integers, in the file and from --set.
    for seed in ["18446744073709551615", "18446744073709551616"] {
        refused(
            &with("seed = 5", &format!("seed = {seed}")),
            &[
                "s.toml:6:8: scenario.seed",
                &format!("{seed} is out of range"),
                "9223372036854775807",
                "--seed",
            ],
        );
        refused_with(
            BASE,
            &[],
            &["--set", &format!("scenario.seed={seed}")],
            &[
                &format!("--set scenario.seed={seed}"),
                "out of range",
                "--seed",
            ],
        );
    }
    // Unquoted dates: TOML dates, which the format takes as quoted strings.
    let start = with(r#"warmup = "2d""#, "warmup = \"2d\"\nstart = 2024-01-01");
    refused(
        &start,
        &[
            "scenario.start",
            "2024-01-01 is a TOML date",
            "\"YYYY-MM-DD\"",
        ],
    );
    let out = accepted_with(BASE, &[], &["--set", "scenario.start=2024-03-01"]);
    assert!(out.contains("valid"), "{out}");
    // A horizon under the clock's resolution says so, not "warm-up 0 is not shorter".
    let out = refused(
        &with(r#"warmup = "2d""#, "").replace(r#""20d""#, r#""0.0001s""#),
        &["scenario.horizon", "\"0.0001s\" is under 1 ms"],
    );
    assert!(!out.contains("warm-up"), "{out}");
    // Empty timetables and empty opening hours.
    let border = r#"
[[nodes]]
id = "bcp"
kind = "border"
lanes = 1
documents = { dist = "fixed", value = "1h" }
hours = []

[[services]]
id = "train"
mode = "rail"
from = "gate"
to = "bcp"
capacity_teu = 10
departure = "timetable"
times = ["Tue 06:00"]
travel = { dist = "fixed", value = "1h" }
"#;
    let src = with(r#"route = ["gate"]"#, r#"route = ["gate", "train", "bcp"]"#) + border;
    refused(
        &src,
        &[
            "nodes[1].hours",
            "`hours = []` is not allowed",
            "leave `hours` out",
        ],
    );
    let src = src.replace("hours = []\n", "");
    accepted(&src);
    refused(
        &src.replace(r#"times = ["Tue 06:00"]"#, "times = []"),
        &[
            "services[0].times",
            "`times = []` lists no departure",
            "`every`",
        ],
    );
    // The offered-load warning: scientific notation for huge loads.
    let (dir, _) = workdir(&with(r#"mean = "1h""#, r#"mean = "300000d""#));
    let o = corridor(&["validate", "s.toml"], dir.path());
    let err = stderr(&o);
    assert!(
        o.status.success() && err.contains("offered 1.80e6 of its capacity"),
        "{err}"
    );
}

/// A scenario `in/s.toml` with `files` (paths relative to the temporary folder, outside `in/`
/// or inside it); returns the folder.
fn tree(src: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("in")).unwrap();
    fs::write(dir.path().join("in/s.toml"), src).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// Runs `args` in `dir/in`: exit code and stderr.
fn in_tree(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = corridor(args, &dir.join("in"));
    (o.status.code(), stderr(&o))
}

#[test]
fn confine_keeps_data_files_and_bases_in_the_scenario_folder() {
    let secret = "root:x:0:0:supersecret-line-of-a-private-file";
    let emp = |file: &str| {
        with(
            r#"service = { dist = "exponential", mean = "1h" }"#,
            &format!(r#"service = {{ dist = "empirical", file = "{file}", column = "h" }}"#),
        )
    };
    let files = [
        ("in/data/ok.csv", "h\n1\n2\n"),
        ("outside.csv", "h\n1\n2\n"),
        ("in/base.toml", BASE),
        ("base-outside.toml", BASE),
        ("secret.txt", secret),
    ];
    let outside = "is outside the scenario file's folder";
    let abs = |dir: &Path, f: &str| dir.join(f).display().to_string();

    // Relative paths inside the folder work, with and without --confine.
    let dir = tree(&emp("data/ok.csv"), &files);
    for args in [
        &["validate", "s.toml"][..],
        &["validate", "s.toml", "--confine"],
    ] {
        let (code, err) = in_tree(dir.path(), args);
        assert_eq!(code, Some(0), "{err}");
    }
    // `..`, absolute paths and symbolic links out of the folder: allowed by default, refused
    // with --confine by every command, naming the field and the path as written.
    let dir = tree("", &files);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("outside.csv"),
        dir.path().join("in/link.csv"),
    )
    .unwrap();
    let mut cases = vec!["../outside.csv".to_string(), abs(dir.path(), "outside.csv")];
    if cfg!(unix) {
        cases.push("link.csv".into());
    }
    for file in &cases {
        fs::write(dir.path().join("in/s.toml"), emp(file)).unwrap();
        let (code, err) = in_tree(dir.path(), &["validate", "s.toml"]);
        assert_eq!(code, Some(0), "{file}: {err}");
        for cmd in [
            &["validate", "s.toml", "--confine"][..],
            &["run", "s.toml", "--confine"],
            &[
                "compare",
                "s.toml",
                "--alt",
                "nodes.gate.servers=3",
                "--confine",
            ],
            &[
                "sweep",
                "s.toml",
                "--vary",
                "nodes.gate.servers=2,3",
                "--confine",
            ],
        ] {
            let (code, err) = in_tree(dir.path(), cmd);
            assert_eq!(code, Some(2), "{cmd:?} {file}: {err}");
            assert!(
                err.contains("nodes[0].service.file") && err.contains(file.as_str()),
                "{err}"
            );
            assert!(err.contains(outside) && err.contains("--confine"), "{err}");
        }
        assert!(!dir.path().join("in/results").exists());
    }
    // `extends` bases likewise, also a base's own base.
    for (base, ok) in [
        ("base.toml".to_string(), true),
        ("../base-outside.toml".to_string(), false),
        (abs(dir.path(), "base-outside.toml"), false),
    ] {
        let src = format!("extends = \"{base}\"\n[scenario]\nname = \"alt\"\n");
        fs::write(dir.path().join("in/s.toml"), &src).unwrap();
        let (code, err) = in_tree(dir.path(), &["validate", "s.toml", "--confine"]);
        match ok {
            true => assert_eq!(code, Some(0), "{err}"),
            false => assert!(code == Some(2) && err.contains("extends") && err.contains(outside)),
        }
    }
    fs::write(
        dir.path().join("in/mid.toml"),
        "extends = \"../base-outside.toml\"\n",
    )
    .unwrap();
    fs::write(dir.path().join("in/s.toml"), "extends = \"mid.toml\"\n").unwrap();
    let (code, err) = in_tree(dir.path(), &["validate", "s.toml", "--confine"]);
    assert!(
        code == Some(2) && err.contains("mid.toml") && err.contains(outside),
        "{err}"
    );
}

#[test]
fn messages_quote_no_more_of_a_data_file_than_the_offending_cell() {
    let dir = tree(
        "",
        &[("secret.txt", "root:x:0:0:supersecret\nline2,supersecret2\n")],
    );
    let emp = |column: &str| {
        with(
            r#"service = { dist = "exponential", mean = "1h" }"#,
            &format!(
                r#"service = {{ dist = "empirical", file = "../secret.txt", column = "{column}" }}"#
            ),
        )
    };
    // A column that is not there: the file's header row is not listed.
    fs::write(dir.path().join("in/s.toml"), emp("h")).unwrap();
    let (code, err) = in_tree(dir.path(), &["validate", "s.toml"]);
    assert!(
        code == Some(2) && err.contains("column \"h\" is not in"),
        "{err}"
    );
    assert!(!err.contains("supersecret"), "{err}");
    // A cell that is not a number: quoted, shortened.
    let long = "y".repeat(100);
    fs::write(dir.path().join("c.csv"), format!("h\n1\n{long}\n")).unwrap();
    fs::write(
        dir.path().join("in/s.toml"),
        emp("h").replace("../secret.txt", "../c.csv"),
    )
    .unwrap();
    let (code, err) = in_tree(dir.path(), &["validate", "s.toml"]);
    assert!(
        code == Some(2) && err.contains("c.csv:3") && err.contains("yyy..."),
        "{err}"
    );
    assert!(!err.contains(&long[..30]), "{err}");
    // A base that is not TOML: position and TOML's short reason only.
    fs::write(
        dir.path().join("in/s.toml"),
        "extends = \"../secret.txt\"\n",
    )
    .unwrap();
    let (code, err) = in_tree(dir.path(), &["validate", "s.toml"]);
    assert!(code == Some(2) && err.contains("secret.txt:1:"), "{err}");
    assert!(
        err.contains("not a TOML scenario") && !err.contains("supersecret"),
        "{err}"
    );
}
