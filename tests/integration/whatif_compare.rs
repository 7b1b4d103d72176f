//! What-if studies: `compare` (paired differences on common random numbers).

use corridor::experiment::compare::paired;
use corridor::run::run_model;

use crate::support::model;
use crate::whatif::{S, corridor, ok, same_files, stderr, stdout, text, workdir, write_alt};

#[test]
fn compare_writes_paired_differences_and_a_table() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    let o = ok(&["compare", "s.toml", "alt.toml", "--out", "cmp"], d);
    let csv = text(&d.join("cmp"), "comparison.csv");
    let mut lines = csv.lines();
    // The first eleven columns as they always were; p_value and significant_bh, then period,
    // were added at the end.
    assert_eq!(
        lines.next().unwrap(),
        "scope,id,metric,unit,base,alt_scenario,alt,diff,diff_ci95,pct_change,significant,p_value,significant_bh,period"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // Every metric of the base is compared (the alternative has the same nodes and flows);
    // corridor-scope rows match although the scenario names differ.
    ok(&["run", "s.toml", "-q", "--out", "base"], d);
    // Every metric but `stable`, which is judged over replications, not per replication.
    let metrics = text(&d.join("base"), "summary.csv")
        .lines()
        .skip(1)
        .filter(|l| !l.contains(",stable,flag,"))
        .count();
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

/// An alternative that overloads a station says so after the headline: the station no longer
/// settles and its flow's transit depends on the run's length; the base settles.
#[test]
fn compare_says_which_queues_no_longer_settle() {
    let dir = workdir();
    let d = dir.path();
    let o = corridor(
        &[
            "compare",
            "s.toml",
            "--alt",
            "busy:scenario.demand=3",
            "-r",
            "4",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Does it settle?"), "{out}");
    let line = out.lines().find(|l| l.starts_with("busy:")).unwrap();
    assert!(line.contains("no longer settle"), "{line}");
    assert!(line.contains("now depends on the run's length"), "{line}");
    // Its load warning names the alternative it is about.
    let err = stderr(&o);
    assert!(
        err.lines()
            .any(|l| l.starts_with("warning: busy: node \"yard\" is offered")),
        "{err}"
    );
}

/// README's compare example (the first alternative of its first command) is what the command
/// prints.
#[test]
fn readme_compare_example_is_what_the_command_prints() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("```text\naktau3 against middle-corridor-simple")
        .expect("the README's compare example");
    let block = &readme[start + "```text\n".len()..];
    let expected = &block[..block.find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args([
            "compare",
            root.join("scenarios/middle-corridor-simple.toml")
                .to_str()
                .unwrap(),
            "--alt",
            "aktau3:nodes.PORT_AKTAU.servers=3",
            "--alt",
            "alat4:nodes.PORT_ALAT.servers=4",
        ])
        .env("COLUMNS", "100")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(expected),
        "README:\n{expected}\nprinted:\n{out}"
    );
}
