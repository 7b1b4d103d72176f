//! The planner's answer: comparisons a person can read. Named alternatives, quoted commas,
//! Benjamini-Hochberg and the percentage rule of comparison.csv, tables that fit the terminal
//! and never panic on long ids, links named `from->to`, `*` wildcards and `sweep --zip`.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use corridor::engine::significance::benjamini_hochberg;
use corridor::experiment::compare::{Comparison, headline, parse_alt};
use corridor::report::layout::{Col, render};
use corridor::report::write_table;

use crate::support::{model, run};
use crate::whatif::{CSVS, S, manifest, ok, refuses, same_files, stdout, text, workdir, write_alt};

/// Display width of a line as the tables count it (every character here is one column wide).
fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The resolved scenario of the manifest's `k`-th scenario.
fn resolved(dir: &Path, k: usize) -> toml::Table {
    manifest(dir)["scenarios"][k]["resolved"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// comparison.csv as records keyed by column name.
fn comparison(dir: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("comparison.csv")).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// corridor with `COLUMNS` set (or unset).
fn corridor_cols(args: &[&str], cwd: &Path, columns: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_corridor"));
    c.args(args).current_dir(cwd);
    match columns {
        Some(w) => c.env("COLUMNS", w),
        None => c.env_remove("COLUMNS"),
    };
    let o = c.output().expect("run corridor");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

#[test]
fn alternatives_are_named_by_flag_or_by_their_file() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    let alt = "nodes.yard.service.mean=30m";
    ok(
        &["compare", "s.toml", "--alt", alt, "-q", "--out", "plain"],
        d,
    );
    let o = ok(
        &[
            "compare",
            "s.toml",
            "--alt",
            &format!("fast:{alt}"),
            "--out",
            "named",
        ],
        d,
    );
    // The name is the label: in comparison.csv, in the printed headline, in the manifest.
    assert_eq!(
        text(&d.join("named"), "comparison.csv"),
        text(&d.join("plain"), "comparison.csv").replace(&format!(",{alt},"), ",fast,")
    );
    assert!(stdout(&o).contains("fast against wi"), "{}", stdout(&o));
    let m = manifest(&d.join("named"));
    assert_eq!(m["scenarios"][1]["name"], "fast");
    assert_eq!(m["scenarios"][1]["overrides"][0], alt);
    // Unnamed, the label stays the text given.
    assert_eq!(manifest(&d.join("plain"))["scenarios"][1]["name"], alt);
    // A file's alternative is named by its [scenario] name.
    let o = ok(&["compare", "s.toml", "alt.toml", "--out", "file"], d);
    assert!(stdout(&o).contains("wi-alt against wi"), "{}", stdout(&o));
    assert_eq!(manifest(&d.join("file"))["scenarios"][1]["name"], "wi-alt");
    assert!(
        comparison(&d.join("file"))
            .iter()
            .all(|r| r["alt_scenario"] == "wi-alt")
    );

    // NAME is the text before a ':' that comes before the first '=' and holds no '.'.
    let (label, ovs) = parse_alt(" fast : nodes.gate.servers=3, nodes.yard.servers=2").unwrap();
    assert_eq!((label.as_str(), ovs.len()), ("fast", 2));
    let (label, ovs) = parse_alt("scenario.description=08:00").unwrap();
    assert_eq!(label, "scenario.description=08:00");
    assert_eq!(ovs[0].raw, "08:00");
    let (label, ovs) = parse_alt("nodes.a:b.servers=2").unwrap();
    assert_eq!(
        (label.as_str(), ovs[0].path.as_str()),
        ("nodes.a:b.servers=2", "nodes.a:b.servers")
    );
    assert!(parse_alt(":nodes.gate.servers=3").is_err());
    refuses(
        &[
            "compare",
            "s.toml",
            "--alt",
            "a:nodes.gate.servers=3",
            "--alt",
            "a:nodes.gate.servers=4",
        ],
        &["both named \"a\""],
    );
}

#[test]
fn a_quoted_value_may_hold_a_comma() {
    let dir = workdir();
    let d = dir.path();
    ok(
        &[
            "compare",
            "s.toml",
            "--alt",
            r#"q:scenario.description="a, b",nodes.yard.servers=2"#,
            "-r",
            "2",
            "-q",
            "--out",
            "cmp",
        ],
        d,
    );
    let alt = resolved(&d.join("cmp"), 1);
    assert_eq!(alt["scenario"]["description"].as_str(), Some("a, b"));
    assert_eq!(alt["nodes"][1]["servers"].as_integer(), Some(2));
    ok(
        &[
            "run",
            "s.toml",
            "--set",
            r#"scenario.description="a, b""#,
            "-r",
            "2",
            "-q",
            "--out",
            "run",
        ],
        d,
    );
    let run = resolved(&d.join("run"), 0);
    assert_eq!(run["scenario"]["description"].as_str(), Some("a, b"));
    ok(
        &[
            "sweep",
            "s.toml",
            "--vary",
            r#"scenario.description="a, b",'c,d',e"#,
            "-r",
            "2",
            "-q",
            "--out",
            "sw",
        ],
        d,
    );
    let points = &manifest(&d.join("sw"))["sweep"]["points"];
    assert_eq!(points.as_array().unwrap().len(), 3);
    assert_eq!(points[0][0], "a, b");
    assert_eq!(points[1][0], "c,d");
    assert!(text(&d.join("sw"), "sweep.csv").contains("wi,\"a, b\",corridor,"));
    refuses(
        &[
            "compare",
            "s.toml",
            "--alt",
            r#"scenario.description="a, b"#,
        ],
        &["not closed"],
    );
}

#[test]
fn significant_bh_is_benjamini_hochberg_over_each_alternative() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    ok(
        &[
            "compare",
            "s.toml",
            "alt.toml",
            "--alt",
            "gate3:nodes.gate.servers=3",
            "-q",
            "--out",
            "cmp",
        ],
        d,
    );
    let rows = comparison(&d.join("cmp"));
    let flag = |b: Option<bool>| match b {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    };
    let mut found = 0;
    for alt in ["wi-alt", "gate3"] {
        let mine: Vec<&HashMap<String, String>> =
            rows.iter().filter(|r| r["alt_scenario"] == alt).collect();
        let p: Vec<f64> = mine
            .iter()
            .map(|r| r["p_value"].parse().unwrap_or(f64::NAN))
            .collect();
        let bh = benjamini_hochberg(&p, 0.05);
        for (r, s) in mine.iter().zip(&bh) {
            assert_eq!(r["significant_bh"], flag(*s), "{r:?}");
            // The p-value and the paired 95% interval agree: p < 0.05 exactly when the
            // interval excludes 0.
            let p: f64 = r["p_value"].parse().unwrap();
            assert_eq!(p < 0.05, r["significant"] == "true", "{r:?}");
        }
        found += bh.iter().filter(|s| **s == Some(true)).count();
        // Benjamini-Hochberg never calls more than the unadjusted intervals.
        let raw = mine.iter().filter(|r| r["significant"] == "true").count();
        assert!(bh.iter().filter(|s| **s == Some(true)).count() <= raw);
    }
    assert!(
        found > 0,
        "the faster yard and the third gate server change something"
    );
}

#[test]
fn pct_change_is_empty_when_the_base_interval_includes_zero() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    // Three replications: wide intervals (t = 4.30), some of which include 0.
    ok(&["run", "s.toml", "-r", "3", "-q", "--out", "base"], d);
    ok(
        &[
            "compare", "s.toml", "alt.toml", "-r", "3", "-q", "--out", "cmp",
        ],
        d,
    );
    let mut summary = HashMap::new();
    for line in text(&d.join("base"), "summary.csv").lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let key = (f[1].to_string(), f[2].to_string(), f[3].to_string());
        summary.insert(key, (f[5].to_string(), f[6].to_string(), f[10].to_string()));
    }
    let (mut empty_nonzero, mut kept) = (0, 0);
    for r in comparison(&d.join("cmp")) {
        let key = (r["scope"].clone(), r["id"].clone(), r["metric"].clone());
        let (mean, ci, n) = &summary[&key];
        // Rows whose every replication has a value: the paired base is the summary's.
        if n != "3" || *mean != r["base"] {
            continue;
        }
        let (base, ci): (f64, f64) = (mean.parse().unwrap(), ci.parse().unwrap());
        if base == 0.0 || base.abs() <= ci {
            assert_eq!(r["pct_change"], "", "{r:?}");
            if base != 0.0 {
                empty_nonzero += 1;
            }
        } else {
            let diff: f64 = r["diff"].parse().unwrap();
            let pct: f64 = r["pct_change"].parse().unwrap();
            assert!((pct - 100.0 * diff / base.abs()).abs() < 1e-9, "{r:?}");
            kept += 1;
        }
    }
    assert!(empty_nonzero > 0 && kept > 0, "{empty_nonzero} {kept}");
}

#[test]
fn tables_fit_the_width_and_never_panic_on_long_ids() {
    let long = "x".repeat(100_000);
    // The table function itself, with a 100,000-character id.
    let t = render(
        &[Col::Name, Col::Number, Col::Name],
        &["id", "value", "label"],
        &[
            vec![long.clone(), "1.50 ±0.20".into(), "short".into()],
            vec!["a".into(), "12.00".into(), long.clone()],
        ],
        100,
    );
    assert!(widest(&t) <= 100 && t.contains('…'), "{t}");
    // run's table, with the ids of a model made longer than validation allows.
    let m = model(S);
    let out = run(&m);
    let mut m = m;
    m.name = long.clone();
    m.flows[0].id = long.clone();
    m.nodes[0].id = long.clone();
    for width in [100, 80] {
        let mut buf = Vec::new();
        write_table(&mut buf, &m, &out.summary, width).unwrap();
        let t = String::from_utf8(buf).unwrap();
        assert!(widest(&t) <= width, "{t}");
    }
    // compare's headline, with a long flow id, base name and alternative label.
    let c = |scope: &str, metric: &str, alt: &str| Comparison {
        scope: scope.into(),
        id: long.clone(),
        metric: metric.into(),
        unit: "h".into(),
        base: 10.0,
        alt_scenario: alt.into(),
        alt: 5.0,
        diff: -5.0,
        diff_ci95: 0.5,
        pct_change: -50.0,
        significant: Some(true),
        p_value: 0.001,
        significant_bh: Some(true),
        n: 10,
        period: String::new(),
    };
    let rows = [
        c("flow", "transit_mean", &long),
        c("flow", "throughput", &long),
        c("node", "wait_mean", &long),
        c("node", "utilisation", "b"),
    ];
    let t = headline(&rows, 10, &long, Some(1.0), 100);
    assert!(widest(&t) <= 100, "{t}");
    assert!(t.contains("changed significantly by at least 1%"), "{t}");

    // From the command line: $COLUMNS, or 100 when it is not set.
    let dir = workdir();
    let d = dir.path();
    let name = "y".repeat(70_000);
    let alt = format!("{name}:nodes.yard.service.mean=30m");
    let o = corridor_cols(
        &["compare", "s.toml", "--alt", &alt, "-o", "c"],
        d,
        Some("80"),
    );
    assert!(widest(&stdout(&o)) <= 80, "{}", stdout(&o));
    let o = corridor_cols(&["compare", "s.toml", "--alt", &alt, "-o", "c2"], d, None);
    assert!(widest(&stdout(&o)) <= 100);
    let vary = format!("scenario.description={name},b");
    let o = corridor_cols(
        &["sweep", "s.toml", "--vary", &vary, "-r", "2", "-o", "sw"],
        d,
        Some("70"),
    );
    assert!(widest(&stdout(&o)) <= 70, "{}", stdout(&o));
    let o = corridor_cols(&["run", "s.toml", "-r", "2", "-o", "r"], d, Some("80"));
    assert!(widest(&stdout(&o)) <= 80, "{}", stdout(&o));
}

#[test]
fn links_named_from_to_equal_their_index() {
    let dir = workdir();
    let d = dir.path();
    for (out, set) in [
        ("byname", "links.gate->yard.time.max=5h"),
        ("byindex", "links[0].time.max=5h"),
    ] {
        ok(
            &["run", "s.toml", "-r", "3", "-q", "--set", set, "--out", out],
            d,
        );
    }
    same_files(&d.join("byname"), &d.join("byindex"), &CSVS);
    assert_eq!(
        resolved(&d.join("byname"), 0),
        resolved(&d.join("byindex"), 0)
    );
    refuses(
        &["run", "s.toml", "--set", "links.gate->dock.time.max=5h"],
        &["no link is \"gate->dock\"", "gate->yard", "links[0]"],
    );
    // On a shipped scenario, as its outputs name the link.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("scenarios/middle-corridor-simple.toml");
    let doc: toml::Table = fs::read_to_string(&file).unwrap().parse().unwrap();
    let k = doc["links"]
        .as_array()
        .unwrap()
        .iter()
        .position(|l| {
            l["from"].as_str() == Some("PORT_ALAT")
                && l["to"].as_str() == Some("BCP_BOYUK_KESIK_GARDABANI")
        })
        .unwrap();
    let f = file.to_str().unwrap();
    for (out, set) in [
        (
            "mc-name",
            "links.PORT_ALAT->BCP_BOYUK_KESIK_GARDABANI.time.mean=20h".to_string(),
        ),
        ("mc-index", format!("links[{k}].time.mean=20h")),
    ] {
        let args = [
            "run",
            f,
            "-r",
            "2",
            "-q",
            "--set",
            "scenario.horizon=40d",
            "--set",
            &set,
        ];
        ok(&[&args[..], &["--out", out]].concat(), d);
    }
    same_files(&d.join("mc-name"), &d.join("mc-index"), &CSVS);
}

/// Two flows, so that a wildcard has more than one element to match.
fn two_flows() -> String {
    format!(
        "{S}\n[[flows]]\nid = \"box2\"\nroute = [\"gate\", \"yard\"]\narrivals = {{ dist = \"exponential\", mean = \"3h\" }}\n"
    )
}

#[test]
fn a_wildcard_equals_setting_each_element() {
    let dir = workdir();
    let d = dir.path();
    fs::write(d.join("s.toml"), two_flows()).unwrap();
    let base = ["run", "s.toml", "-r", "3", "-q"];
    ok(
        &[&base[..], &["--set", "flows.*.teu=3", "--out", "star"]].concat(),
        d,
    );
    ok(
        &[
            &base[..],
            &[
                "--set",
                "flows.box.teu=3",
                "--set",
                "flows.box2.teu=3",
                "--out",
                "each",
            ],
        ]
        .concat(),
        d,
    );
    same_files(&d.join("star"), &d.join("each"), &CSVS);
    assert_eq!(resolved(&d.join("star"), 0), resolved(&d.join("each"), 0));
    assert_ne!(text(&d.join("star"), "summary.csv"), {
        ok(&[&base[..], &["--out", "plain"]].concat(), d);
        text(&d.join("plain"), "summary.csv")
    });
    // A bad value reached through the wildcard names the --set it came from.
    refuses(
        &["run", "s.toml", "--set", "nodes.*.servers=0"],
        &["nodes[0].servers", "--set nodes.*.servers=0"],
    );
    refuses(
        &["run", "s.toml", "--set", "pipelines.*.capacity=1"],
        &["`*` matches nothing"],
    );
}

#[test]
fn zip_points_equal_separate_runs() {
    let dir = workdir();
    let d = dir.path();
    fs::write(d.join("s.toml"), two_flows()).unwrap();
    ok(
        &[
            "sweep",
            "s.toml",
            "--zip",
            "--vary",
            "nodes.gate.servers=2,3,4",
            "--vary",
            "flows.*.teu=1,2,5",
            "-r",
            "3",
            "-q",
            "--out",
            "zip",
        ],
        d,
    );
    let csv = text(&d.join("zip"), "sweep.csv");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(
        csv.lines().next().unwrap(),
        "scenario,nodes.gate.servers,flows.*.teu,scope,id,metric,unit,mean,ci95,std,min,max,n"
    );
    let points = [("2", "1"), ("3", "2"), ("4", "5")];
    let mut metrics = 0;
    for (p, (servers, teu)) in points.iter().enumerate() {
        let out = format!("p{p}");
        ok(
            &[
                "run",
                "s.toml",
                "-r",
                "3",
                "-q",
                "--set",
                &format!("nodes.gate.servers={servers}"),
                "--set",
                &format!("flows.*.teu={teu}"),
                "--out",
                &out,
            ],
            d,
        );
        let expected: Vec<String> = text(&d.join(&out), "summary.csv")
            .lines()
            .skip(1)
            // sweep.csv has no `period` column: summary.csv's last (empty) field goes.
            .map(|l| l.strip_suffix(',').unwrap_or(l))
            .map(|l| l.replacen("wi,", &format!("wi,{servers},{teu},"), 1))
            .collect();
        metrics = expected.len();
        assert_eq!(
            &rows[p * metrics..(p + 1) * metrics],
            expected.as_slice(),
            "point {p}"
        );
    }
    assert_eq!(rows.len(), 3 * metrics, "three points, not a grid of nine");
    let m = manifest(&d.join("zip"));
    assert_eq!(m["sweep"]["points"][2][1], "5");
    refuses(
        &[
            "sweep",
            "s.toml",
            "--zip",
            "--vary",
            "nodes.gate.servers=2,3",
            "--vary",
            "flows.box.teu=1,2,5",
        ],
        &["--zip", "nodes.gate.servers has 2", "flows.box.teu has 3"],
    );
}
