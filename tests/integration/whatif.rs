//! What-if studies end to end: --set, compare, sweep, precision, shards and merge, manifests,
//! and the errors of each option. The command line is run as a user runs it (the built
//! binary); the statistics of pairing are checked at library level.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use corridor::experiment::compare::paired;
use corridor::run::run_model;

use crate::support::model;

fn corridor(args: &[&str], cwd: &Path) -> Output {
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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn read(dir: &Path, file: &str) -> Vec<u8> {
    fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

fn text(dir: &Path, file: &str) -> String {
    String::from_utf8(read(dir, file)).unwrap()
}

pub(crate) fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(dir, "manifest.json")).unwrap()
}

/// Two stations and a link; small enough for many runs.
const S: &str = r#"[scenario]
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

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("s.toml"), S).unwrap();
    dir
}

/// The alternative used by compare tests: a faster yard, its own name.
fn write_alt(dir: &Path) {
    fs::write(
        dir.join("alt.toml"),
        S.replace("name = \"wi\"", "name = \"wi-alt\"")
            .replace("mean = \"40m\"", "mean = \"30m\""),
    )
    .unwrap();
}

const CSVS: [&str; 2] = ["summary.csv", "replications.csv"];

fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(
            read(a, f) == read(b, f),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
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
    // The manifest records the thread count; the files do not depend on it.
    assert_eq!(manifest(&d.join("run4"))["jobs"], 4);
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
fn compare_writes_paired_differences_and_a_table() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    let o = ok(&["compare", "s.toml", "alt.toml", "--out", "cmp"], d);
    let csv = text(&d.join("cmp"), "comparison.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scope,id,metric,unit,base,alt_scenario,alt,diff,diff_ci95,pct_change,significant"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // Every metric of the base is compared (the alternative has the same nodes and flows);
    // corridor-scope rows match although the scenario names differ.
    ok(&["run", "s.toml", "-q", "--out", "base"], d);
    let metrics = text(&d.join("base"), "summary.csv").lines().count() - 1;
    assert_eq!(rows.len(), metrics);
    let row = |scope: &str, id: &str, metric: &str| {
        rows.iter()
            .find(|r| r[0] == scope && r[1] == id && r[2] == metric)
            .unwrap_or_else(|| panic!("no {scope},{id},{metric}"))
            .clone()
    };
    // Arrivals are common random numbers: exactly the same consignments are created.
    let created = row("flow", "box", "created");
    assert_eq!((created[7], created[8], created[10]), ("0", "0", "false"));
    assert_eq!(row("corridor", "wi", "created")[7], "0");
    // A faster yard: its wait falls, significantly, and the numbers add up.
    let wait = row("node", "yard", "wait_mean");
    assert_eq!(wait[5], "wi-alt");
    let f = |s: &str| s.parse::<f64>().unwrap();
    assert!(f(wait[7]) < 0.0 && wait[10] == "true", "{wait:?}");
    assert!((f(wait[6]) - f(wait[4]) - f(wait[7])).abs() < 1e-9);
    assert!((f(wait[9]) - 100.0 * f(wait[7]) / f(wait[4])).abs() < 1e-9);
    let table = stdout(&o);
    assert!(table.contains("changed significantly"), "{table}");
    assert!(
        table.contains("wait_mean") && table.contains("wi-alt"),
        "{table}"
    );
    assert!(
        !table.contains("created (count)"),
        "unchanged metrics are not listed: {table}"
    );

    // --alt: the base with one change is the same alternative as the edited file.
    ok(
        &[
            "compare",
            "s.toml",
            "--alt",
            "nodes.yard.service.mean=30m",
            "-q",
            "--out",
            "cmp3",
        ],
        d,
    );
    assert_eq!(
        text(&d.join("cmp3"), "comparison.csv"),
        csv.replace(",wi-alt,", ",nodes.yard.service.mean=30m,")
    );

    // From existing folders: the same comparison, without running.
    ok(&["run", "alt.toml", "-q", "--out", "alt"], d);
    ok(
        &["compare", "--results", "base", "alt", "-q", "--out", "cmp2"],
        d,
    );
    same_files(&d.join("cmp"), &d.join("cmp2"), &["comparison.csv"]);
    // ... and it refuses folders that cannot be paired.
    ok(
        &["run", "alt.toml", "-q", "--seed", "12", "--out", "alt-seed"],
        d,
    );
    ok(&["run", "alt.toml", "-q", "-r", "6", "--out", "alt-six"], d);
    for other in ["alt-seed", "alt-six"] {
        let o = corridor(&["compare", "--results", "base", other, "--out", "bad"], d);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("cannot be paired"), "{}", stderr(&o));
        assert!(!d.join("bad").exists());
    }
    let o = corridor(
        &["compare", "--results", "base", "nowhere", "--out", "bad"],
        d,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nowhere/replications.csv"),
        "{}",
        stderr(&o)
    );
}

/// Pairing on common random numbers narrows the interval of a difference: the same
/// alternative run with an independent seed gives a much wider one.
#[test]
fn pairing_narrows_the_interval_of_the_difference() {
    let base = model(&S.replace("replications = 10", "replications = 20"));
    let alt = model(
        &S.replace("replications = 10", "replications = 20")
            .replace("mean = \"40m\"", "mean = \"35m\""),
    );
    let mut alt_independent = alt.clone();
    alt_independent.seed = 1_000_003;
    let b = run_model(&base, Some(2)).unwrap();
    let a = run_model(&alt, Some(2)).unwrap();
    let ai = run_model(&alt_independent, Some(2)).unwrap();
    let crn = paired(&b.reps, &a.reps, "alt");
    let ind = paired(&b.reps, &ai.reps, "alt");
    for (scope, id, metric) in [
        ("node", "yard", "wait_mean"),
        ("node", "yard", "sojourn_mean"),
        ("node", "yard", "utilisation"),
        ("flow", "box", "transit_mean"),
    ] {
        let pick = |rows: &[corridor::experiment::compare::Comparison]| {
            rows.iter()
                .find(|c| c.scope == scope && c.id == id && c.metric == metric)
                .unwrap()
                .clone()
        };
        let (p, i) = (pick(&crn), pick(&ind));
        assert!(
            p.diff_ci95 * 2.0 < i.diff_ci95,
            "{scope} {id} {metric}: paired half-width {} is not well below the independent {}",
            p.diff_ci95,
            i.diff_ci95
        );
        // Also against the usual unpaired (Welch) interval of two independent runs.
        let sa = corridor::report::find(&ai.summary, scope, id, metric).unwrap();
        let sb = corridor::report::find(&b.summary, scope, id, metric).unwrap();
        let welch = 1.96 * (sa.std.powi(2) / sa.n as f64 + sb.std.powi(2) / sb.n as f64).sqrt();
        assert!(
            p.diff_ci95 < welch,
            "{metric}: {} vs Welch {welch}",
            p.diff_ci95
        );
        assert_eq!(p.significant, Some(true), "{metric}: {p:?}");
    }
}

#[test]
fn sweep_has_one_row_per_point_per_metric_in_grid_order() {
    let dir = workdir();
    let d = dir.path();
    ok(
        &[
            "sweep",
            "s.toml",
            "-q",
            "-r",
            "3",
            "--out",
            "sw",
            "--vary",
            "nodes.gate.servers=2..4:1",
            "--vary",
            "scenario.horizon=20d..40d:20d",
        ],
        d,
    );
    ok(&["run", "s.toml", "-q", "-r", "3", "--out", "plain"], d);
    let summary = text(&d.join("plain"), "summary.csv");
    let metrics = summary.lines().count() - 1;
    let csv = text(&d.join("sw"), "sweep.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,nodes.gate.servers,scenario.horizon,scope,id,metric,unit,mean,ci95,std,min,max,n"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 6 * metrics);
    // Points in nested-loop order, the first --vary outermost; each point is exactly a run
    // with those values set (same seed: common random numbers across points).
    let points = [
        ("2", "20d"),
        ("2", "40d"),
        ("3", "20d"),
        ("3", "40d"),
        ("4", "20d"),
        ("4", "40d"),
    ];
    for (p, (servers, horizon)) in points.iter().enumerate() {
        let out = format!("p{p}");
        ok(
            &[
                "run",
                "s.toml",
                "-q",
                "-r",
                "3",
                "--out",
                &out,
                "--set",
                &format!("nodes.gate.servers={servers}"),
                "--set",
                &format!("scenario.horizon={horizon}"),
            ],
            d,
        );
        let expected: Vec<String> = text(&d.join(&out), "summary.csv")
            .lines()
            .skip(1)
            .map(|l| l.replacen("wi,", &format!("wi,{servers},{horizon},"), 1))
            .collect();
        let got = &rows[p * metrics..(p + 1) * metrics];
        assert_eq!(got, expected.as_slice(), "point {p}");
    }
    let m = manifest(&d.join("sw"));
    assert_eq!(m["kind"], "sweep");
    assert_eq!(m["sweep"]["vary"][1], "scenario.horizon");
    assert_eq!(m["sweep"]["points"][5][1], "40d");
}

/// Shards run as separate processes (as a batch scheduler would start them) and merged give
/// the files of one run, byte for byte, for any number of shards.
#[test]
fn shards_merged_equal_a_single_run() {
    let dir = workdir();
    let d = dir.path();
    ok(&["run", "s.toml", "-q", "--out", "single"], d);
    for n in [1u32, 2, 3, 7, 12] {
        let shards: Vec<String> = (0..n).map(|k| format!("n{n}/shard-{k}")).collect();
        // Start all N at once, like the tasks of a job array.
        let children: Vec<_> = (0..n)
            .map(|k| {
                Command::new(env!("CARGO_BIN_EXE_corridor"))
                    .args([
                        "run",
                        "s.toml",
                        "-q",
                        "-j",
                        "1",
                        "--shard",
                        &format!("{k}/{n}"),
                    ])
                    .args(["--out", &shards[k as usize]])
                    .current_dir(d)
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        // Merge in any order.
        let mut args = vec!["merge".to_string()];
        args.extend(shards.iter().rev().cloned());
        args.extend(["--out".into(), format!("merged{n}"), "-q".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&args, d);
        same_files(&d.join("single"), &d.join(format!("merged{n}")), &CSVS);
        let m = manifest(&d.join(format!("merged{n}")));
        assert_eq!(m["merged_from"].as_array().unwrap().len(), n as usize);
        assert!(m["shard"].is_null());
    }
    // Empty cells (NaN: the utilisation of an unlimited node) survive the round trip.
    let unlimited = ["--set", "nodes.yard.servers=unlimited"];
    let mut a = vec!["run", "s.toml", "-q", "--out", "single-u"];
    a.extend(unlimited);
    ok(&a, d);
    for k in 0..3 {
        let (s, o) = (format!("{k}/3"), format!("u/shard-{k}"));
        let mut a = vec!["run", "s.toml", "-q", "--shard", &s, "--out", &o];
        a.extend(unlimited);
        ok(&a, d);
    }
    ok(
        &[
            "merge",
            "u/shard-2",
            "u/shard-0",
            "u/shard-1",
            "--out",
            "merged-u",
            "-q",
        ],
        d,
    );
    same_files(&d.join("single-u"), &d.join("merged-u"), &CSVS);
    assert!(
        text(&d.join("merged-u"), "summary.csv").contains("node,yard,utilisation,ratio,,,,,,0")
    );

    // A shard holds r mod N = K.
    let reps = text(&d.join("n3/shard-1"), "replications.csv");
    let numbers: std::collections::BTreeSet<&str> = reps
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(numbers.into_iter().collect::<Vec<_>>(), ["1", "4", "7"]);
    assert_eq!(
        manifest(&d.join("n3/shard-1"))["shard"]["replication_numbers"][2],
        7
    );
}

#[test]
fn sweep_shards_merged_equal_a_single_sweep() {
    let dir = workdir();
    let d = dir.path();
    let sweep = [
        "sweep",
        "s.toml",
        "-q",
        "-r",
        "2",
        "--vary",
        "nodes.gate.servers=2,3,4",
        "--vary",
        "flows.box.teu=1,2",
    ];
    let mut single = sweep.to_vec();
    single.extend(["--out", "single"]);
    ok(&single, d);
    // 8 shards of 6 points: two shards are empty.
    for n in [2u32, 4, 8] {
        let mut dirs = Vec::new();
        for k in 0..n {
            let out = format!("n{n}-{k}");
            let shard = format!("{k}/{n}");
            let mut a = sweep.to_vec();
            a.extend(["--shard", &shard, "--out", &out]);
            ok(&a, d);
            dirs.push(out);
        }
        let merged = format!("merged{n}");
        let mut a = vec!["merge", "-q", "--out", &merged];
        a.extend(dirs.iter().map(String::as_str));
        ok(&a, d);
        same_files(&d.join("single"), &d.join(&merged), &["sweep.csv"]);
    }
}

/// The README recipes: N tasks that know only their index from the environment (Slurm's
/// SLURM_ARRAY_TASK_ID, Kubernetes' JOB_COMPLETION_INDEX), each running the documented command
/// line through a shell, then the merge.
#[test]
fn readme_recipes_run_locally() {
    let dir = workdir();
    let d = dir.path();
    ok(&["run", "s.toml", "-q", "--out", "single"], d);
    let recipes = [
        (
            "SLURM_ARRAY_TASK_ID",
            r#""$CORRIDOR" run s.toml --jobs 1 --quiet --shard "$SLURM_ARRAY_TASK_ID/$N" --out "slurm/shard-$SLURM_ARRAY_TASK_ID""#,
            "slurm",
        ),
        (
            "JOB_COMPLETION_INDEX",
            r#""$CORRIDOR" run s.toml --jobs 1 --quiet --shard "${JOB_COMPLETION_INDEX}/${N}" --out "k8s/shard-${JOB_COMPLETION_INDEX}""#,
            "k8s",
        ),
    ];
    for (var, line, folder) in recipes {
        let n = 4;
        let tasks: Vec<_> = (0..n)
            .map(|k| {
                Command::new("sh")
                    .args(["-c", line])
                    .env("CORRIDOR", env!("CARGO_BIN_EXE_corridor"))
                    .env("N", n.to_string())
                    .env(var, k.to_string())
                    .current_dir(d)
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut t in tasks {
            assert!(t.wait().unwrap().success(), "{folder}");
        }
        let o = Command::new("sh")
            .args([
                "-c",
                &format!(r#""$CORRIDOR" merge {folder}/shard-* --out {folder}/merged --quiet"#),
            ])
            .env("CORRIDOR", env!("CARGO_BIN_EXE_corridor"))
            .current_dir(d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        same_files(&d.join("single"), &d.join(folder).join("merged"), &CSVS);
    }
}

#[test]
fn merge_refuses_shards_that_do_not_fit() {
    let dir = workdir();
    let d = dir.path();
    let shard = |k: u32, n: u32, out: &str, extra: &[&str]| {
        let s = format!("{k}/{n}");
        let mut a = vec!["run", "s.toml", "-q", "--shard", &s, "--out", out];
        a.extend(extra);
        ok(&a, d);
    };
    shard(0, 3, "a0", &[]);
    shard(1, 3, "a1", &[]);
    shard(2, 3, "a2", &[]);
    shard(2, 3, "seed", &["--seed", "5"]);
    shard(2, 3, "set", &["--set", "nodes.gate.servers=3"]);
    shard(2, 3, "reps", &["-r", "9"]);
    shard(1, 2, "other-n", &[]);
    ok(&["run", "s.toml", "-q", "--out", "plain"], d);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["a0", "a1"],
            "2, 5, 8 of 0-9 are in none of the folders given",
        ),
        (vec!["a0", "a1", "a1", "a2"], "given twice"),
        (vec!["a0", "a1", "seed"], "seed differs"),
        (
            vec!["a0", "a1", "set"],
            "resolved scenario (after --set and --digitisation) differs",
        ),
        (vec!["a0", "a1", "reps"], "replication count differs"),
        (vec!["a0", "a1", "a2", "other-n"], "which a1 holds too"),
        (vec!["a0", "plain"], "is not the manifest of a shard"),
        (vec!["a0", "nowhere"], "nowhere/manifest.json: cannot read"),
    ];
    for (dirs, expected) in cases {
        let mut a = vec!["merge"];
        a.extend(&dirs);
        a.extend(["--out", "m"]);
        let o = corridor(&a, d);
        assert_eq!(o.status.code(), Some(2), "{dirs:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{dirs:?}: {}", stderr(&o));
        assert!(!d.join("m").exists(), "{dirs:?} wrote output");
    }
    // A shard file changed after it was written is caught by its hash.
    let p = d.join("a1/replications.csv");
    let changed = fs::read_to_string(&p).unwrap() + "\n";
    fs::write(&p, changed).unwrap();
    let o = corridor(&["merge", "a0", "a1", "a2", "--out", "m"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("does not match the SHA-256"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("m").exists());
}

#[test]
fn precision_stops_when_the_target_is_met() {
    let dir = workdir();
    let d = dir.path();
    let o = ok(
        &[
            "run",
            "s.toml",
            "-r",
            "3",
            "--precision",
            "transit_mean:box:0.02",
            "--max-replications",
            "200",
            "--out",
            "p",
        ],
        d,
    );
    let m = manifest(&d.join("p"));
    let p = &m["precision"];
    assert_eq!(p["stopped_because"], "target reached", "{p}");
    assert_eq!(p["reached"], true);
    let n = p["replications"].as_u64().unwrap();
    assert!(
        n > 3 && n < 200,
        "{n}: the target should need more than the first 3 replications"
    );
    assert!(p["rel_half_width"].as_f64().unwrap() <= 0.02);
    assert_eq!(m["replications"], n);
    assert!(stdout(&o).contains("target reached"), "{}", stdout(&o));
    // The result is a plain run with the final count, and it does not depend on --jobs.
    let r = n.to_string();
    ok(&["run", "s.toml", "-q", "-r", &r, "--out", "plain"], d);
    same_files(&d.join("p"), &d.join("plain"), &CSVS);
    ok(
        &[
            "run",
            "s.toml",
            "-q",
            "-r",
            "3",
            "-j",
            "1",
            "--precision",
            "transit_mean:box:0.02",
            "--max-replications",
            "200",
            "--out",
            "p1",
        ],
        d,
    );
    same_files(&d.join("p"), &d.join("p1"), &CSVS);
}

#[test]
fn precision_stops_at_the_cap() {
    let dir = workdir();
    let d = dir.path();
    let o = ok(
        &[
            "run",
            "s.toml",
            "--precision",
            "node.wait_mean:yard:0.0001",
            "--max-replications",
            "12",
            "--out",
            "p",
        ],
        d,
    );
    let p = &manifest(&d.join("p"))["precision"];
    assert_eq!(p["stopped_because"], "replication cap reached", "{p}");
    assert_eq!(p["reached"], false);
    assert_eq!(p["replications"], 12);
    assert!(p["rel_half_width"].as_f64().unwrap() > 0.0001);
    assert!(
        stdout(&o).contains("replication cap reached"),
        "{}",
        stdout(&o)
    );
    ok(&["run", "s.toml", "-q", "-r", "12", "--out", "plain"], d);
    same_files(&d.join("p"), &d.join("plain"), &CSVS);
}

/// Runs a command that must fail on bad input: exit code 2, the expected fragments in the
/// message, no panic, nothing written.
fn refuses(args: &[&str], expected: &[&str]) {
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
fn bad_set_is_a_clear_error() {
    for cmd in [
        &["run", "s.toml"][..],
        &["compare", "s.toml", "alt.toml"],
        &["sweep", "s.toml", "--vary", "flows.box.teu=1,2"],
        &["validate", "s.toml"],
    ] {
        let with = |set: &str| {
            let mut a = cmd.to_vec();
            a.extend(["--set", set]);
            a.into_iter().map(String::from).collect::<Vec<_>>()
        };
        let check = |set: &str, expected: &[&str]| {
            let a = with(set);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            refuses(&a, expected);
        };
        check(
            "nodes.gat.servers=3",
            &[
                "--set nodes.gat.servers=3",
                "no element of `nodes` has id \"gat\"",
                "gate, yard",
            ],
        );
        check(
            "nodes[5].servers=3",
            &["`nodes` has 2 element(s)", "nodes[0] to nodes[1]"],
        );
        check("links.gate.time.max=1h", &["have no `id`", "links[0]"]);
        check(
            "scenery.horizon=1d",
            &[
                "unknown field `scenery`",
                "`scenario`, `nodes`",
                "--set scenery.horizon=1d",
            ],
        );
        check(
            "nodes.gate.servce.mean=1h",
            &[
                "nodes[0].servce",
                "unknown field `servce`",
                "`service`",
                "--set nodes.gate.servce.mean=1h",
            ],
        );
        check(
            "nodes.gate.service=1h",
            &["is a table", "only single values"],
        );
        check("nodes.gate.servers=[1,2]", &["only single values"]);
        check("nodes.gate.servers", &["expected PATH=VALUE"]);
        check(
            "nodes.gate.servers=2.5",
            &[
                "nodes[0].servers",
                "floating point `2.5`",
                "comes from --set nodes.gate.servers=2.5",
            ],
        );
        check(
            "nodes.gate.servers=0",
            &[
                "nodes[0].servers",
                "0 is not allowed",
                "--set nodes.gate.servers=0",
            ],
        );
        check(
            "scenario.horizon=10",
            &["scenario.horizon", "no unit", "--set scenario.horizon=10"],
        );
        check(
            "nodes.gate.speed=3",
            &[
                "unknown field `speed`",
                "`servers`",
                "--set nodes.gate.speed=3",
            ],
        );
        check(
            "nodes.gate.service.cv=0.5",
            &[
                "nodes[0].service.cv",
                "`cv` is not a parameter of `exponential`",
            ],
        );
    }
}

#[test]
fn bad_vary_shard_precision_and_merge_are_clear_errors() {
    fn sweep(vary: &str) -> Vec<&str> {
        vec!["sweep", "s.toml", "--vary", vary]
    }
    refuses(
        &sweep("nodes.gate.servers"),
        &["--vary nodes.gate.servers", "PATH=v1,v2"],
    );
    refuses(&sweep("nodes.gate.servers=1,,2"), &["a value is empty"]);
    refuses(&sweep("nodes.gate.servers=2,2"), &["twice"]);
    refuses(
        &sweep("nodes.gate.servers=4..1:1"),
        &["end is below the start"],
    );
    refuses(&sweep("nodes.gate.servers=1..4:0"), &["step must be > 0"]);
    refuses(&sweep("nodes.gate.servers=1..4"), &["no :step"]);
    refuses(&sweep("scenario.horizon=10d..20h:1d"), &["different units"]);
    refuses(
        &sweep("nodes.nope.servers=1,2"),
        &["no element of `nodes` has id \"nope\""],
    );
    // A bad point is found before anything runs, and named.
    refuses(
        &sweep("nodes.gate.servers=2,0"),
        &[
            "nodes[0].servers",
            "0 is not allowed",
            "--vary nodes.gate.servers=0",
            "sweep point 1",
        ],
    );
    refuses(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "flows.box.teu=1,2",
            "--vary",
            "flows.box.teu=3",
        ],
        &["varied twice"],
    );
    refuses(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "flows.box.teu=1,2",
            "--set",
            "flows.box.teu=3",
        ],
        &["both --set and --vary"],
    );
    refuses(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "nodes.gate.servers=2,3",
            "--vary",
            "nodes[0].servers=4,5",
        ],
        &["names the same field (nodes[0].servers) as --vary nodes.gate.servers"],
    );
    for shard in ["3/3", "1/0", "x/2", "2", "-1/3"] {
        refuses(&["run", "s.toml", "--shard", shard], &["--shard", shard]);
        refuses(
            &[
                "sweep",
                "s.toml",
                "--vary",
                "flows.box.teu=1,2",
                "--shard",
                shard,
            ],
            &["--shard"],
        );
    }
    refuses(
        &["run", "s.toml", "--precision", "transit_mean:nobox:0.05"],
        &[
            "--precision transit_mean:nobox:0.05",
            "no id \"nobox\"",
            "box",
        ],
    );
    refuses(
        &["run", "s.toml", "--precision", "transit_man:box:0.05"],
        &["no metric \"transit_man\"", "transit_mean"],
    );
    refuses(
        &["run", "s.toml", "--precision", "transit_mean:box:0"],
        &["must be > 0"],
    );
    refuses(
        &["run", "s.toml", "--precision", "transit_mean:box"],
        &["METRIC:ID:REL"],
    );
    refuses(
        &[
            "run",
            "s.toml",
            "--precision",
            "throughput:gate:0.1",
            "--max-replications",
            "2",
        ],
        &["--max-replications 2", "at least 3"],
    );
    refuses(
        &["run", "s.toml", "--max-replications", "20"],
        &["only applies with --precision"],
    );
    refuses(
        &[
            "run",
            "s.toml",
            "--precision",
            "transit_mean:box:0.1",
            "--shard",
            "0/2",
        ],
        &["cannot be combined"],
    );
    refuses(
        &["compare", "s.toml", "s.toml", "alt.toml", "alt.toml"],
        &["both named \"wi-alt\""],
    );
    refuses(&["merge", "--out", "m"], &["required"]);
    refuses(&["compare", "s.toml"], &["at least one alternative"]);
    refuses(
        &["compare", "s.toml", "--alt", "nodes.nope.servers=1"],
        &[
            "--alt nodes.nope.servers=1",
            "no element of `nodes` has id \"nope\"",
        ],
    );
    refuses(
        &["compare", "s.toml", "--alt", "nodes.gate.servers=0"],
        &["nodes[0].servers", "comes from --alt nodes.gate.servers=0"],
    );
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
