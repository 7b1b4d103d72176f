//! timeseries.csv: bin means checked by hand on a deterministic queue, their time-average
//! against the summary's on M/M/1, independence of threads and shards, bounded bins.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::bounded::TWO_NODES;
use crate::cli::{corridor, stderr, workdir};
use crate::support::{model, summary};

/// One server, a consignment every 24 h (the first at 24 h) served for a fixed 36 h: the queue
/// grows by half a consignment a day, and every level is known at every instant (see
/// `the_bins_of_a_deterministic_queue_are_the_levels_worked_out_by_hand`).
const DETERMINISTIC: &str = r#"[scenario]
name = "by-hand"
horizon = "6d"
replications = 2
seed = 3
start = "2024-02-28"
period = "1d"

[[nodes]]
id = "s"
kind = "station"
servers = 1
service = { dist = "fixed", value = "36h" }

[[flows]]
id = "f"
route = ["s"]
arrivals = { dist = "fixed", value = "24h" }
"#;

/// The rows of a timeseries.csv: (scope, id, metric) -> [(t_start, t_end, date_start,
/// date_end, mean, ci95, n)], bins in order.
type Table = BTreeMap<(String, String, String), Vec<[String; 7]>>;

fn table(text: &str) -> Table {
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,scope,id,metric,unit,t_start,t_end,date_start,date_end,mean,ci95,n")
    );
    let mut t = Table::new();
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        assert_eq!(c.len(), 12, "{line}");
        t.entry((c[1].into(), c[2].into(), c[3].into()))
            .or_default()
            .push(std::array::from_fn(|i| c[5 + i].to_string()));
    }
    t
}

fn means(t: &Table, scope: &str, id: &str, metric: &str) -> Vec<f64> {
    t[&(scope.into(), id.into(), metric.into())]
        .iter()
        .map(|r| r[4].parse().unwrap())
        .collect()
}

fn run_ok(args: &[&str], dir: &Path) {
    let o = corridor(args, dir);
    assert!(o.status.success(), "corridor {args:?}: {}", stderr(&o));
}

#[test]
fn the_bins_of_a_deterministic_queue_are_the_levels_worked_out_by_hand() {
    // Arrivals at 24, 48, 72, 96, 120 h; services 24-60, 60-96, 96-132, 132-168 h. Waiting:
    // one in [48, 60), one in [72, 132) (the third, then the fourth), two in [120, 132), one
    // from 132 on. Busy from 24 h on.
    let (dir, _) = workdir(DETERMINISTIC);
    run_ok(&["run", "s.toml", "-q", "--out", "out"], dir.path());
    let text = fs::read_to_string(dir.path().join("out/timeseries.csv")).unwrap();
    let t = table(&text);
    assert_eq!(
        t.keys()
            .map(|(s, i, m)| format!("{s}/{i}/{m}"))
            .collect::<Vec<_>>(),
        [
            "flow/f/wip",
            "node/s/queue",
            "node/s/utilisation",
            "node/s/wip"
        ]
    );
    assert_eq!(
        means(&t, "node", "s", "queue"),
        [0.0, 0.0, 0.5, 1.0, 1.0, 1.5]
    );
    assert_eq!(
        means(&t, "node", "s", "utilisation"),
        [0.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    );
    let wip = [0.0, 1.0, 1.5, 2.0, 2.0, 2.5];
    assert_eq!(means(&t, "node", "s", "wip"), wip);
    // The flow's only node: its consignments in the system are the node's.
    assert_eq!(means(&t, "flow", "f", "wip"), wip);
    // Hours from time 0 and dates from 2024-02-28 (a leap year); two equal replications.
    let rows = &t[&("node".into(), "s".into(), "queue".into())];
    assert_eq!(
        rows[1],
        [
            "24",
            "48",
            "2024-02-29T00:00Z",
            "2024-03-01T00:00Z",
            "0",
            "0",
            "2"
        ]
    );
    assert_eq!(rows[5][1], "144");
    assert_eq!(rows[5][3], "2024-03-05T00:00Z");
    // The trend is fitted to the same daily bins: over days 3-5 the queue is 1, 1, 1.5, a
    // slope of 0.25 a day, a rise of 0.75 over the 3 days of the second half.
    let s = fs::read_to_string(dir.path().join("out/summary.csv")).unwrap();
    assert!(
        s.contains("by-hand,node,s,queue_trend,count,0.75,0,0,0.75,0.75,2,\n"),
        "{s}"
    );
    // The manifest records the bins.
    let m = fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&m).unwrap();
    assert_eq!(
        m["bins"],
        serde_json::json!({"start_day": 19781, "from_ms": 0, "to_ms": 518_400_000u64,
            "width_ms": 86_400_000u64})
    );
}

#[test]
fn the_period_is_checked_and_chosen_on_the_command_line() {
    let (dir, _) = workdir(DETERMINISTIC);
    // 12-hour bins: twice as many, each the level over its half day.
    run_ok(
        &["run", "s.toml", "-q", "--period", "12h", "--out", "half"],
        dir.path(),
    );
    let t = table(&fs::read_to_string(dir.path().join("half/timeseries.csv")).unwrap());
    assert_eq!(
        means(&t, "node", "s", "queue"),
        [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0]
    );
    // 5-day bins: the last one shorter, ending at the horizon.
    run_ok(
        &["run", "s.toml", "-q", "--period", "5d", "--out", "five"],
        dir.path(),
    );
    let t = table(&fs::read_to_string(dir.path().join("five/timeseries.csv")).unwrap());
    let rows = &t[&("node".into(), "s".into(), "queue".into())];
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[1][0].as_str(), rows[1][1].as_str()), ("120", "144"));
    assert_eq!(rows[1][4], "1.5");
    for (period, says) in [
        ("30m", "shorter than an hour"),
        ("7d", "longer than the statistics window"),
    ] {
        let o = corridor(&["run", "s.toml", "-q", "--period", period], dir.path());
        assert_eq!(o.status.code(), Some(2), "{period}");
        assert!(
            stderr(&o).contains("scenario.period") && stderr(&o).contains(says),
            "{}",
            stderr(&o)
        );
    }
    let o = corridor(
        &[
            "run",
            "s.toml",
            "-q",
            "--set",
            "scenario.horizon=3650d",
            "--period",
            "1d",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("into 3650 bins; at most 1000 are allowed: give at least \"4d\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn on_mm1_the_bins_average_to_the_summary_time_averages() {
    let mut m = model(
        r#"[scenario]
name = "mm1-bins"
horizon = "200d"
warmup = "20d"
replications = 3
seed = 5

[[nodes]]
id = "q"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "48m" }

[[flows]]
id = "f"
route = ["q"]
arrivals = { dist = "exponential", mean = "1h" }
"#,
    );
    m.replications = 3;
    let out = corridor::run::run_model(&m, Some(2)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    corridor::run::write(dir.path(), &m, &out).unwrap();
    let t = table(&fs::read_to_string(dir.path().join("timeseries.csv")).unwrap());
    // 180 daily bins of equal width: their plain mean is the window's time-average.
    for (metric, of) in [
        ("queue", "queue_mean"),
        ("wip", "wip_mean"),
        ("utilisation", "utilisation"),
    ] {
        let bins = means(&t, "node", "q", metric);
        assert_eq!(bins.len(), 180);
        let avg = bins.iter().sum::<f64>() / bins.len() as f64;
        let want = summary(&out.summary, "node", "q", of).mean;
        assert!(
            (avg - want).abs() <= 1e-6 * want.abs().max(1.0),
            "{metric}: bins average {avg}, summary {of} {want}"
        );
    }
    let avg = means(&t, "flow", "f", "wip").iter().sum::<f64>() / 180.0;
    let want = summary(&out.summary, "flow", "f", "wip_mean").mean;
    assert!((avg - want).abs() <= 1e-6 * want, "{avg} {want}");
}

#[test]
fn threads_and_shards_give_the_same_file_byte_for_byte() {
    // Berths, a yard, a service and a border: every kind of level.
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/middle-corridor.toml"
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = [
        "run",
        file,
        "-q",
        "-r",
        "5",
        "--set",
        "scenario.horizon=60d",
    ];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [base, extra].concat()
    }
    run_ok(&with(&base, &["-j", "1", "--out", "one"]), d);
    run_ok(&with(&base, &["-j", "2", "--out", "two"]), d);
    for k in 0..3 {
        let shard = format!("{k}/3");
        let out = format!("s{k}");
        run_ok(
            &with(&base, &["-j", "2", "--shard", &shard, "--out", &out]),
            d,
        );
    }
    run_ok(&["merge", "s2", "s0", "s1", "-q", "--out", "merged"], d);
    let one = fs::read(d.join("one/timeseries.csv")).unwrap();
    assert_eq!(one, fs::read(d.join("two/timeseries.csv")).unwrap());
    assert_eq!(one, fs::read(d.join("merged/timeseries.csv")).unwrap());
    let scopes: std::collections::BTreeSet<String> = table(&String::from_utf8(one).unwrap())
        .keys()
        .map(|k| format!("{}/{}", k.0, k.2))
        .collect();
    for s in [
        "berths/berth_utilisation",
        "berths/carriers_queued",
        "flow/wip",
        "node/queue",
        "node/utilisation",
        "node/wip",
        "service/fleet_utilisation",
        "service/queue_teu",
        "yard/blocked",
        "yard/occupancy",
    ] {
        assert!(scopes.contains(s), "{s} not in {scopes:?}");
    }
    // A shard keeps its replications' bins, one row per replication and level.
    let rows = fs::read_to_string(d.join("s1/timeseries-replications.csv")).unwrap();
    assert!(rows.starts_with("scenario,replication,seed,scope,id,metric,unit,bin_0,bin_1,"));
    assert!(
        rows.lines()
            .nth(1)
            .unwrap()
            .starts_with("middle-corridor,1,")
    );
    // A changed value is refused: the file no longer matches its manifest.
    fs::write(
        d.join("s1/timeseries-replications.csv"),
        rows.replacen(",1,", ",1 ,", 1),
    )
    .unwrap();
    let o = corridor(&["merge", "s0", "s1", "s2", "-q", "--out", "bad"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("timeseries-replications.csv"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ten_years_fit_in_at_most_a_thousand_bins() {
    let (dir, _) = workdir(TWO_NODES);
    run_ok(
        &[
            "run",
            "s.toml",
            "-q",
            "-r",
            "1",
            "--set",
            "scenario.horizon=3650d",
            "--out",
            "long",
        ],
        dir.path(),
    );
    let t = table(&fs::read_to_string(dir.path().join("long/timeseries.csv")).unwrap());
    assert_eq!(t.len(), 7, "{:?}", t.keys());
    for rows in t.values() {
        // Bins of 4 days: 912 of them and a last one of 2 days.
        assert_eq!(rows.len(), 913);
        assert_eq!(rows[0][..2], ["0".to_string(), "96".to_string()]);
        assert_eq!(rows[912][1], (3650 * 24).to_string());
        assert_eq!(rows[912][3], "2033-12-29T00:00Z");
    }
}
