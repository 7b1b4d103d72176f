//! Results per calendar period (`scenario.periods`): rows that add up to the window's, queueing
//! theory year by year, labels and partial periods, compare and merge period by period, and
//! the whole window's rows unchanged by periods.

use std::fs;

use corridor::engine::time::MS_PER_DAY;
use corridor::report::{ReplicationResult, Row};

use crate::support::{model, rows_text, run};
use crate::whatif::{CSVS, S, corridor, ok, same_files, stderr, text, workdir};

/// The value of a row of `period` (empty: the whole window).
fn at(rep: &ReplicationResult, period: &str, scope: &str, id: &str, metric: &str) -> f64 {
    rep.rows
        .iter()
        .find(|r| r.period == period && r.scope == scope && r.id == id && r.metric == metric)
        .unwrap_or_else(|| panic!("no {period} {scope}/{id}/{metric}"))
        .value
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// S with `periods`, no warm-up (so that the corridor's counts, which run from time zero, are
/// the window's) and a start in the middle of a month.
fn monthly() -> String {
    S.replace(
        "warmup = \"2d\"",
        "start = \"2024-01-15\"\nperiods = \"month\"",
    )
    .replace("horizon = \"40d\"", "horizon = \"75d\"")
    .replace("teu = 2\n", "teu = 2\ntarget_transit = \"6h\"\n")
}

#[test]
fn period_rows_add_up_to_the_window() {
    let m = model(&monthly());
    let periods = m.periods();
    let labels: Vec<&str> = periods.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["2024-01", "2024-02", "2024-03"]);
    let out = run(&m);
    let window_days = m.window().ms() as f64 / MS_PER_DAY as f64;
    for rep in &out.reps {
        let sum = |scope: &str, id: &str, metric: &str| -> f64 {
            labels.iter().map(|p| at(rep, p, scope, id, metric)).sum()
        };
        for metric in ["created", "delivered_consignments", "delivered"] {
            assert_eq!(
                sum("flow", "box", metric),
                at(rep, "", "flow", "box", metric),
                "{metric}"
            );
        }
        for metric in ["created", "delivered"] {
            assert_eq!(
                sum("corridor", "wi", metric),
                at(rep, "", "corridor", "wi", metric),
                "corridor {metric}"
            );
        }
        // Rates and levels weighted by the periods' lengths give the window's.
        for (scope, id, metric) in [
            ("flow", "box", "throughput"),
            ("flow", "box", "wip_mean"),
            ("node", "gate", "queue_mean"),
            ("node", "gate", "utilisation"),
            ("node", "yard", "wip_mean"),
        ] {
            let weighted: f64 = periods
                .iter()
                .map(|p| {
                    let days = (p.end.0 - p.start.0) as f64 / MS_PER_DAY as f64;
                    at(rep, &p.label, scope, id, metric) * days
                })
                .sum();
            let window = at(rep, "", scope, id, metric);
            assert!(
                close(weighted / window_days, window),
                "{scope} {id} {metric}: {} against {window}",
                weighted / window_days
            );
        }
        // Transit means weighted by the consignments delivered of each creation period.
        let weighted: f64 = labels
            .iter()
            .map(|p| {
                at(rep, p, "flow", "box", "transit_mean")
                    * at(rep, p, "flow", "box", "delivered_consignments")
            })
            .sum();
        let n = at(rep, "", "flow", "box", "delivered_consignments");
        assert!(close(
            weighted / n,
            at(rep, "", "flow", "box", "transit_mean")
        ));
        // On-time shares weighted by the consignments created in each period.
        let on_time: f64 = labels
            .iter()
            .map(|p| {
                at(rep, p, "flow", "box", "on_time_share") * at(rep, p, "flow", "box", "created")
            })
            .sum();
        let created = at(rep, "", "flow", "box", "created");
        let share = at(rep, "", "flow", "box", "on_time_share");
        assert!(share > 0.1 && share < 0.9, "{share}");
        assert!(close(on_time / created, share));
    }
}

#[test]
fn the_whole_window_rows_do_not_depend_on_periods() {
    let with = model(&monthly());
    let without = model(&monthly().replace("periods = \"month\"\n", ""));
    assert!(without.periods.is_none());
    let (a, b) = (run(&with), run(&without));
    for (x, y) in a.reps.iter().zip(&b.reps) {
        let n = y.rows.len();
        assert!(y.rows.iter().all(Row::is_window));
        // The same rows first, then only period rows.
        assert_eq!(rows_text(&x.rows[..n]), rows_text(&y.rows));
        assert!(x.rows[n..].iter().all(|r| !r.is_window()));
        assert!(x.rows.len() > n);
    }
}

/// M/M/1 at load 0.8 over three calendar years: each year's mean sojourn (1 / (mu - lambda) =
/// 5 h), mean number waiting (rho^2 / (1 - rho) = 3.2) and utilisation (0.8) hold theory
/// within their intervals over the replications, widened for nine checks at once (Bonferroni:
/// 1.6 times the 95% half-width of 10 replications, t(9) = 3.62 against 2.26, is the 99.44%
/// interval, a family-wise 5%).
#[test]
fn mm1_year_by_year_matches_theory() {
    let src = r#"[scenario]
name = "mm1-years"
start = "2023-12-02"
warmup = "30d"
horizon = "1126d"
replications = 10
seed = 3
periods = "year"

[[nodes]]
id = "q"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "1h" }

[[flows]]
id = "f"
route = ["q"]
arrivals = { dist = "exponential", mean = "75m" }
"#;
    let m = model(src);
    let labels: Vec<String> = m.periods().into_iter().map(|p| p.label).collect();
    assert_eq!(labels, ["2024", "2025", "2026"]);
    let out = run(&m);
    for year in &labels {
        for (scope, id, metric, theory) in [
            ("flow", "f", "transit_mean", 5.0),
            ("node", "q", "queue_mean", 3.2),
            ("node", "q", "utilisation", 0.8),
        ] {
            let s = &out
                .summary
                .iter()
                .find(|r| {
                    r.key.period() == year
                        && r.key.scope() == scope
                        && r.key.id() == id
                        && r.key.metric() == metric
                })
                .unwrap()
                .summary;
            assert_eq!(s.n, 10);
            assert!(
                (s.mean - theory).abs() <= 1.6 * s.ci95,
                "{year} {metric}: {} ±{} against {theory}",
                s.mean,
                s.ci95
            );
        }
    }
}

#[test]
fn quarter_and_month_labels_with_a_partial_first_period() {
    // Time zero on 2024-02-10, a 5-day warm-up: the window starts on 2024-02-15, inside Q1.
    let src = S
        .replace("warmup = \"2d\"", "warmup = \"5d\"\nstart = \"2024-02-10\"")
        .replace("horizon = \"40d\"", "horizon = \"200d\"");
    assert!(model(&src).periods().is_empty());
    let quarters = model(&src.replace("seed = 11", "seed = 11\nperiods = \"quarter\"")).periods();
    let labels: Vec<&str> = quarters.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["2024-Q1", "2024-Q2", "2024-Q3"]);
    // 2024-02-15 to 2024-04-01: 46 days (2024 is a leap year); the last ends at the horizon,
    // 2024-08-28.
    let days = |p: &corridor::engine::periods::Period| (p.end.0 - p.start.0) / MS_PER_DAY;
    assert_eq!(days(&quarters[0]), 46);
    assert_eq!(days(&quarters[1]), 91);
    assert_eq!(days(&quarters[2]), 58);
    let months = model(&src.replace("seed = 11", "seed = 11\nperiods = \"month\"")).periods();
    let labels: Vec<&str> = months.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"
        ]
    );
    assert_eq!(days(&months[0]), 15);
    // The rows carry the labels, from the command line's --periods too.
    let dir = workdir();
    let d = dir.path();
    fs::write(d.join("p.toml"), &src).unwrap();
    let o = ok(
        &[
            "run",
            "p.toml",
            "-r",
            "2",
            "--periods",
            "quarter",
            "--out",
            "o",
        ],
        d,
    );
    // The printed table per period: each flow's row and the most loaded resource.
    let printed = crate::whatif::stdout(&o);
    assert!(printed.contains("most loaded"), "{printed}");
    for l in ["2024-Q1", "2024-Q2", "2024-Q3"] {
        assert!(
            printed
                .lines()
                .any(|line| line.starts_with(l) && line.contains("box")),
            "{l}: {printed}"
        );
    }
    let summary = text(&d.join("o"), "summary.csv");
    assert!(summary.starts_with("scenario,scope,id,metric,unit,mean,ci95,std,min,max,n,period\n"));
    for l in ["2024-Q1", "2024-Q2", "2024-Q3"] {
        assert!(
            summary
                .lines()
                .any(|line| line.starts_with("wi,flow,box,throughput,") && line.ends_with(l)),
            "{l}"
        );
    }
}

#[test]
fn a_kind_of_period_not_known_is_refused() {
    let dir = workdir();
    let d = dir.path();
    fs::write(
        d.join("w.toml"),
        S.replace("seed = 11", "seed = 11\nperiods = \"week\""),
    )
    .unwrap();
    let o = corridor(&["run", "w.toml", "-q"], d);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for part in [
        "w.toml",
        "scenario.periods",
        "\"week\"",
        "\"year\", \"quarter\", \"month\"",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    let o = corridor(&["run", "s.toml", "-q", "--periods", "decade"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\"decade\""), "{}", stderr(&o));
}

#[test]
fn shards_merged_equal_a_single_run_with_periods() {
    let dir = workdir();
    let d = dir.path();
    let p = ["--periods", "month", "--set", "scenario.horizon=70d"];
    let mut a = vec!["run", "s.toml", "-q", "--out", "single"];
    a.extend(p);
    ok(&a, d);
    assert!(text(&d.join("single"), "summary.csv").contains(",2024-02\n"));
    for k in 0..3 {
        let (s, o) = (format!("{k}/3"), format!("sh/{k}"));
        let mut a = vec!["run", "s.toml", "-q", "--shard", &s, "--out", &o];
        a.extend(p);
        ok(&a, d);
    }
    ok(
        &["merge", "sh/2", "sh/0", "sh/1", "--out", "merged", "-q"],
        d,
    );
    same_files(&d.join("single"), &d.join("merged"), &CSVS);
}

/// comparison.csv pairs the rows of each period with the same period's; the base column is
/// the period's mean in the base's summary.csv. Folders written before the `period` column
/// (no such column) are read as whole-window rows.
#[test]
fn compare_pairs_rows_period_by_period() {
    let dir = workdir();
    let d = dir.path();
    crate::whatif::write_alt(d);
    let p = ["--periods", "month", "--set", "scenario.horizon=70d"];
    for (file, out) in [("s.toml", "base"), ("alt.toml", "alt")] {
        let mut a = vec!["run", file, "-q", "--out", out];
        a.extend(p);
        ok(&a, d);
    }
    ok(
        &["compare", "--results", "base", "alt", "--out", "cmp", "-q"],
        d,
    );
    let cmp = text(&d.join("cmp"), "comparison.csv");
    let header = cmp.lines().next().unwrap();
    assert!(header.ends_with(",significant_bh,period"), "{header}");
    let summary = text(&d.join("base"), "summary.csv");
    let mut periods = 0;
    for label in ["2024-01", "2024-02", "2024-03"] {
        let row = cmp
            .lines()
            .find(|l| {
                l.starts_with("flow,box,transit_mean,h,") && l.ends_with(&format!(",{label}"))
            })
            .unwrap_or_else(|| panic!("no {label} row: {cmp}"));
        let base: f64 = row.split(',').nth(4).unwrap().parse().unwrap();
        let mean: f64 = summary
            .lines()
            .find(|l| {
                l.starts_with("wi,flow,box,transit_mean,h,") && l.ends_with(&format!(",{label}"))
            })
            .unwrap()
            .split(',')
            .nth(5)
            .unwrap()
            .parse()
            .unwrap();
        assert!(close(base, mean), "{label}: {base} against {mean}");
        // The alternative's yard is faster: its transit is shorter in every period.
        let diff: f64 = row.split(',').nth(7).unwrap().parse().unwrap();
        assert!(diff < 0.0, "{row}");
        periods += 1;
    }
    assert_eq!(periods, 3);
    // The same folders without the `period` column and its rows: read as whole-window rows,
    // the comparison is the whole window's rows of the one above.
    for f in ["base", "alt"] {
        let path = d.join(f).join("replications.csv");
        let old: String = fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|l| l.ends_with(',') || l.ends_with(",period"))
            .map(|l| {
                let cut = l.rfind(',').unwrap();
                format!("{}\n", &l[..cut])
            })
            .collect();
        assert!(old.starts_with("scenario,replication,seed,scope,id,metric,unit,value\n"));
        fs::write(&path, old).unwrap();
    }
    ok(
        &["compare", "--results", "base", "alt", "--out", "old", "-q"],
        d,
    );
    let old = text(&d.join("old"), "comparison.csv");
    let window: Vec<&str> = cmp.lines().skip(1).filter(|l| l.ends_with(',')).collect();
    let got: Vec<&str> = old.lines().skip(1).collect();
    assert_eq!(got, window);
    // Running the scenarios, compare prints each flow's rows period by period.
    let mut a = vec!["compare", "s.toml", "alt.toml", "--out", "ran"];
    a.extend(p);
    let printed = crate::whatif::stdout(&ok(&a, d));
    for label in ["2024-01", "2024-02", "2024-03"] {
        assert!(
            printed
                .lines()
                .any(|l| l.starts_with(&format!("{label} box")) && l.contains("transit_mean")),
            "{label}: {printed}"
        );
    }
    assert_eq!(
        text(&d.join("ran"), "comparison.csv"),
        cmp,
        "running the scenarios or reading their folders"
    );
}

/// The period rows a scenario with every kind of element writes (stations, a border, services
/// with berths and yards) are those of the table in OUTPUTS.md, "Rows per calendar period".
#[test]
fn the_period_rows_are_those_outputs_md_lists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = fs::read_to_string(root.join("scenarios/OUTPUTS.md")).unwrap();
    let section = doc
        .split("## Rows per calendar period")
        .nth(1)
        .expect("the section");
    let mut listed: Vec<(String, String)> = section
        .lines()
        .skip_while(|l| !l.starts_with("| scope | metric |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let c: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
            (c[1].to_string(), c[2].to_string())
        })
        .collect();
    assert!(listed.len() > 10, "{listed:?}");
    let path = root.join("tests/golden/scenarios/features.toml");
    let src = fs::read_to_string(&path)
        .unwrap()
        .replace("[scenario]\n", "[scenario]\nperiods = \"quarter\"\n")
        .replacen("[[flows]]\n", "[[flows]]\ntarget_transit = \"20d\"\n", 1)
        // A flow choosing between two routes, for the route rows.
        + "[[flows]]\nid = \"chooser\"\narrivals = { dist = \"exponential\", mean = \"1d\" }\n\
           [[flows.routes]]\nid = \"one\"\nroute = [\"origin\"]\nshare = 0.5\n\
           [[flows.routes]]\nid = \"two\"\nroute = [\"inland\"]\nshare = 0.5\n";
    let mut m = corridor::scenario::parse(&path, &src).unwrap();
    m.replications = 1;
    let out = run(&m);
    let mut written: Vec<(String, String)> = Vec::new();
    for r in out.reps[0].rows.iter().filter(|r| !r.is_window()) {
        let k = (r.scope.to_string(), r.metric.to_string());
        if !written.contains(&k) {
            written.push(k);
        }
    }
    // Each listed row is written, and nothing else; the catalogue knows each with its unit.
    listed.sort();
    written.sort();
    assert_eq!(written, listed);
    for r in out.reps[0].rows.iter().filter(|r| !r.is_window()) {
        let known = corridor::sim::catalogue::CATALOGUE
            .iter()
            .flat_map(|s| s.iter())
            .any(|c| c.scope == r.scope && c.name == r.metric && c.unit == r.unit);
        assert!(known, "{} {} {}", r.scope, r.metric, r.unit);
    }
}

/// A dated change at a period boundary: each period's utilisation is over that period's
/// servers (2 in January, 3 after), and their busy times add up to the window's busy time
/// over its capacity time.
#[test]
fn period_utilisations_follow_a_dated_change_of_servers() {
    let src = format!(
        "{}\n[[changes]]\ndate = \"2024-02-01\"\nelement = \"gate\"\nset = {{ servers = 3 }}\n",
        monthly()
    );
    let m = model(&src);
    let periods = m.periods();
    let servers = [2.0, 3.0, 3.0];
    let out = run(&m);
    let window_days = m.window().ms() as f64 / MS_PER_DAY as f64;
    let days =
        |p: &corridor::engine::periods::Period| (p.end.0 - p.start.0) as f64 / MS_PER_DAY as f64;
    let capacity_days: f64 = periods.iter().zip(servers).map(|(p, s)| s * days(p)).sum();
    assert!(capacity_days < 3.0 * window_days && capacity_days > 2.0 * window_days);
    for rep in &out.reps {
        let busy_days: f64 = periods
            .iter()
            .zip(servers)
            .map(|(p, s)| at(rep, &p.label, "node", "gate", "utilisation") * s * days(p))
            .sum();
        let window = at(rep, "", "node", "gate", "utilisation");
        assert!(
            close(busy_days / capacity_days, window),
            "{} against {window}",
            busy_days / capacity_days
        );
        for p in &periods {
            let u = at(rep, &p.label, "node", "gate", "utilisation");
            assert!(u > 0.05 && u < 1.0, "{} {u}", p.label);
        }
    }
}

/// README "Year by year": the yearly table is what `corridor run` prints for the shipped
/// timeline scenario.
#[test]
fn readme_yearly_table_is_what_the_timeline_run_prints() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let section = &readme[readme
        .find("### Year by year: a corridor that changes over time")
        .unwrap()..];
    let block = section.split("```text\n").nth(1).unwrap();
    let block = &block[..block.find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args([
            "run",
            root.join("scenarios/middle-corridor-2024-2030.toml")
                .to_str()
                .unwrap(),
        ])
        .env("COLUMNS", "100")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let yearly = &out[out.find("period  flow").unwrap()..out.find("wrote ").unwrap()];
    assert_eq!(yearly.trim_end(), block.trim_end());
    // The fleet saturates first (2025), the Khorgos lanes later.
    assert!(yearly.contains("2025    service:caspian-feeder     fleet_utilisation  0.993"));
    assert!(yearly.contains("2028    node:BCP_KHORGOS_ALTYNKOL  utilisation        1.000"));
}
