//! No hang, flat memory: an instant that never ends is stopped with a clear error, at the
//! engine, in a replication and on the command line.

use std::fs;
use std::path::Path;
use std::process::Command;

use corridor::engine::instant::{CHECK_EVERY, EVENTS_PER_ENTITY, MIN_EVENTS};
use corridor::engine::{Calendar, Dist, InstantGuard, SimDur, SimTime};
use corridor::scenario::{DataCache, FileAccess, resolve_cached};
use corridor::sim::Replication;

use crate::cli::workdir;
use crate::support::model;

/// Two stations; consignments every hour.
pub(crate) const TWO_NODES: &str = r#"[scenario]
name = "two-nodes"
horizon = "30d"
replications = 3
seed = 11

[[nodes]]
id = "a"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "30m" }

[[nodes]]
id = "b"
kind = "station"
servers = 2
service = { dist = "exponential", mean = "50m" }

[[flows]]
id = "ab"
route = ["a", "b"]
arrivals = { dist = "exponential", mean = "1h" }
"#;

/// Runs a synthetic event source on the engine alone: every event schedules `fanout` events at
/// the same instant while `budget` lasts, then one a millisecond later until time 10. Returns
/// the instant and the event count at which the guard stopped it, or `None` if the calendar ran
/// dry.
fn synthetic(entities: u64, fanout: u64, mut budget: u64) -> Option<(SimTime, u64)> {
    let mut cal = Calendar::new();
    let mut guard = InstantGuard::new();
    cal.schedule(SimTime(7), ());
    let mut events = 0;
    while let Some((now, ())) = cal.pop() {
        events += 1;
        if guard.tick(now, events, || entities) {
            return Some((now, events));
        }
        if budget > 0 {
            for _ in 0..fanout.min(budget) {
                cal.schedule(now, ());
            }
            budget = budget.saturating_sub(fanout);
        } else if now < SimTime(10) {
            cal.schedule_in(SimDur(1), ());
        }
    }
    None
}

/// The event count at which the guard stops an endless instant that began at the first event:
/// it looks every CHECK_EVERY events, its first look at the instant counts 1 and each later
/// look CHECK_EVERY more, until the count passes `limit`.
fn first_look_past(limit: u64) -> u64 {
    ((limit - 1) / CHECK_EVERY + 2) * CHECK_EVERY
}

#[test]
fn the_engine_guard_stops_an_instant_that_never_ends_and_lets_finite_bursts_pass() {
    // Each event schedules the next at the same instant, without end: stopped at the first
    // look past the minimum (the guard looks at the clock every CHECK_EVERY events).
    let (at, events) = synthetic(0, 1, u64::MAX).unwrap();
    assert_eq!(at, SimTime(7));
    assert!(events > MIN_EVENTS && events <= MIN_EVENTS + 2 * CHECK_EVERY);
    assert_eq!(events, first_look_past(MIN_EVENTS));
    // With 30,000 entities the limit is 3 million: a burst of 2.5 million events at one
    // instant passes, and the count starts again when the time advances.
    let entities = 30_000;
    assert_eq!(EVENTS_PER_ENTITY * entities, 3_000_000);
    assert_eq!(synthetic(entities, 2, 2_500_000), None);
    // The same world with an endless source is stopped at its own limit.
    let (_, events) = synthetic(entities, 1, u64::MAX).unwrap();
    assert_eq!(events, first_look_past(3_000_000));
}

#[test]
fn a_flow_with_no_time_between_arrivals_stops_with_the_instant_and_the_event_kinds() {
    // Validation rejects such a flow; the model is edited after validation to make one.
    let mut m = model(TWO_NODES);
    m.flows[0].arrivals = Dist::fixed(0.0).unwrap();
    let mut r = Replication::new(&m, 0);
    let stall = r.run().unwrap_err();
    assert_eq!(stall.at, SimTime::ZERO);
    // The consignments created at that instant do not raise the limit.
    assert!(
        stall.events > MIN_EVENTS && stall.events <= MIN_EVENTS + 2 * CHECK_EVERY,
        "{stall:?}"
    );
    // Each creation schedules the next creation and the consignment's arrival at its first
    // node, at the same instant.
    let mut kinds: Vec<&str> = stall.pending.iter().map(|k| k.0).collect();
    kinds.push(stall.stopped_before);
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds, ["Arrive", "Created"], "{stall:?}");
    let text = stall.to_string();
    assert!(
        text.contains("stopped at 0d 00:00:00.000 (0 ms after the start)")
            && text.contains("events pending at that instant: "),
        "{text}"
    );
    // Through the library: an error naming the scenario and the replication, exit code 2.
    m.replications = 2;
    let e = corridor::run::run_model(&m, Some(2)).err().unwrap();
    assert_eq!(e.exit_code(), 2);
    let text = e.to_string();
    assert!(
        text.starts_with(
            "scenario \"two-nodes\", replication 0 (seed 11): the simulated clock stopped"
        ),
        "{text}"
    );
}

/// Runs the corridor binary in `dir` with `CORRIDOR_INSTANT_LIMIT` set.
fn corridor_limited(args: &[&str], dir: &Path, limit: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .current_dir(dir)
        .env("CORRIDOR_INSTANT_LIMIT", limit)
        .output()
        .unwrap()
}

/// Everything in `dir`, sorted, hidden entries included.
pub(crate) fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_stalled_replication_exits_with_code_2_and_writes_nothing() {
    // A limit of 1 event per instant (the test hook) makes an ordinary scenario trip the guard
    // at its first consignment: created, then arriving at its first node, at the same instant.
    let (dir, _) = workdir(TWO_NODES);
    for args in [
        &["run", "s.toml", "--out", "out", "-j", "2"][..],
        &["run", "s.toml", "--out", "out", "-j", "1", "-r", "50"],
        &["run", "s.toml", "--out", "out", "--shard", "1/2"],
        &[
            "run",
            "s.toml",
            "--out",
            "out",
            "--precision",
            "transit_mean:ab:0.01",
        ],
        &[
            "sweep",
            "s.toml",
            "--vary",
            "nodes.b.servers=2,3",
            "--out",
            "out",
        ],
        &[
            "compare",
            "s.toml",
            "--alt",
            "nodes.b.servers=3",
            "--out",
            "out",
        ],
    ] {
        let o = corridor_limited(args, dir.path(), "1");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        let first = if args.contains(&"1/2") { 1 } else { 0 };
        assert!(
            err.contains(&format!(
                "error: scenario \"two-nodes\", replication {first} (seed 11): the simulated clock stopped at 0d "
            )) && err.contains("2 or more events happened at that instant")
                && err.contains("the run stopped before an event of kind Arrive"),
            "{args:?}: {err}"
        );
        assert_eq!(entries(dir.path()), ["s.toml"], "{args:?}: nothing written");
    }
    // The same commands without the hook succeed.
    let o = corridor_limited(&["run", "s.toml", "--out", "out", "-q"], dir.path(), "");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Peak resident memory in kB of `corridor ARGS` run in `dir`, as GNU time reports it; `None`
/// where `/usr/bin/time` is missing (the memory tests then say so and pass).
pub(crate) fn peak_rss_kb(args: &[&str], dir: &Path) -> Option<u64> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        // CI installs it (.ci/run); a developer machine without it skips the measurement.
        assert!(
            std::env::var_os("CI").is_none(),
            "/usr/bin/time (GNU time) is needed for the memory tests"
        );
        eprintln!("memory test skipped: /usr/bin/time (GNU time) is not installed");
        return None;
    }
    let o = Command::new(time)
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "corridor {args:?}: {err}");
    let kb = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .unwrap_or_else(|| panic!("no peak memory in: {err}"));
    Some(kb.trim().parse().unwrap())
}

#[test]
fn memory_does_not_grow_with_the_horizon() {
    // Two ports, four empty daily ferries with a weather closure every day, four pipelines
    // with an outage every day, a rare flow that uses none of them.
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/scenarios/long-horizon.toml"
    );
    let dir = tempfile::tempdir().unwrap();
    let peak = |horizon: &str| {
        let set = format!("scenario.horizon={horizon}");
        let args = [
            "run", file, "-j", "1", "-q", "--set", &set, "--out", horizon,
        ];
        peak_rss_kb(&args, dir.path())
    };
    // 100 and 800 years: 36,500 and 292,000 days of closures, outages and ferry trips.
    let (Some(one), Some(eight)) = (peak("36500d"), peak("292000d")) else {
        return;
    };
    // Measured: 5.6 MB at both (before: 11.4 MB and 54.0 MB).
    assert!(
        eight * 2 < one * 3,
        "peak memory at 8x the horizon {eight} kB, at 1x {one} kB"
    );
    // timeseries.csv: at most 1,000 bins per level whatever the horizon (37-day bins over
    // 100 years, 292-day bins over 800), so its memory and size do not grow either.
    let rows = |horizon: &str| {
        let text = fs::read_to_string(dir.path().join(horizon).join("timeseries.csv")).unwrap();
        let mut per_level = std::collections::BTreeMap::<String, usize>::new();
        for line in text.lines().skip(1) {
            let key: Vec<&str> = line.split(',').take(5).collect();
            *per_level.entry(key.join(",")).or_default() += 1;
        }
        per_level
    };
    let (a, b) = (rows("36500d"), rows("292000d"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(a.values().all(|&n| n == 987), "{a:?}");
    assert!(b.values().all(|&n| n == 1000), "{b:?}");
}

#[test]
fn memory_does_not_grow_with_the_replications() {
    let (dir, _) = workdir(TWO_NODES);
    let peak = |reps: &str| {
        let args = [
            "run",
            "s.toml",
            "-r",
            reps,
            "-j",
            "2",
            "-q",
            "--set",
            "scenario.horizon=5d",
            "--out",
            reps,
        ];
        peak_rss_kb(&args, dir.path())
    };
    let (Some(one), Some(eight)) = (peak("1000"), peak("8000")) else {
        return;
    };
    // replications.csv is written as replications complete and summary.csv computed from it.
    assert!(
        eight * 2 < one * 3,
        "peak memory with 8,000 replications {eight} kB, with 1,000 {one} kB"
    );
    // The files are those of the same replications held in memory.
    let mut m = model(TWO_NODES);
    m.replications = 1000;
    m.horizon = SimTime(5 * corridor::engine::time::MS_PER_DAY);
    let out = corridor::run::run_model(&m, Some(2)).unwrap();
    let mem = tempfile::tempdir().unwrap();
    corridor::run::write(mem.path(), &m, &out).unwrap();
    for f in ["summary.csv", "replications.csv"] {
        assert_eq!(
            fs::read(dir.path().join("1000").join(f)).unwrap(),
            fs::read(mem.path().join(f)).unwrap(),
            "{f}"
        );
    }
}

/// TWO_NODES with 5-day replications, `reps` of them, and the alternative the memory tests
/// compare (station b with 3 servers), both run in memory.
fn two_nodes_in_memory(reps: u32) -> (corridor::run::RunOutput, corridor::run::RunOutput) {
    let run = |text: &str| {
        let mut m = model(text);
        m.replications = reps;
        m.horizon = SimTime(5 * corridor::engine::time::MS_PER_DAY);
        corridor::run::run_model(&m, Some(2)).unwrap()
    };
    (
        run(TWO_NODES),
        run(&TWO_NODES.replace("servers = 2", "servers = 3")),
    )
}

/// comparison.csv of `alt` against `base`, computed from replications held in memory.
fn comparison_in_memory(
    base: &corridor::run::RunOutput,
    alt: &corridor::run::RunOutput,
    label: &str,
) -> Vec<u8> {
    use corridor::report::Export;
    let rows = corridor::experiment::compare::paired(&base.reps, &alt.reps, label);
    corridor::report::ComparisonCsv { rows: &rows }
        .serialize()
        .unwrap()
}

#[test]
fn compare_memory_does_not_grow_with_the_replications() {
    let (dir, _) = workdir(TWO_NODES);
    let horizon = ["--set", "scenario.horizon=5d"];
    let run = |reps: &str, out: &str, extra: &[&str]| {
        let mut args = vec!["run", "s.toml", "-r", reps, "-j", "2", "-q", "--out", out];
        args.extend(horizon);
        args.extend(extra);
        let o = crate::cli::corridor(&args, dir.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let peak = |reps: &str| {
        let out = format!("compare{reps}");
        let mut args = vec!["compare", "s.toml", "--alt", "b:nodes.b.servers=3"];
        args.extend(["-r", reps, "-j", "2", "-q", "--out", &out]);
        args.extend(horizon);
        let running = peak_rss_kb(&args, dir.path());
        // The same scenarios run to folders first, compared from their replications.csv.
        let (base, alt) = (format!("base{reps}"), format!("alt{reps}"));
        run(reps, &base, &[]);
        run(reps, &alt, &["--set", "nodes.b.servers=3"]);
        let out = format!("results{reps}");
        let args = ["compare", "--results", &base, &alt, "-q", "--out", &out];
        let from_folders = peak_rss_kb(&args, dir.path());
        running.zip(from_folders)
    };
    let (Some(one), Some(eight)) = (peak("1000"), peak("8000")) else {
        return;
    };
    // Measured (release): running 7.1 and 7.4 MB, --results 5.0 and 5.0 MB (before: 19.6 and
    // 109 MB, 17.7 and 106 MB): one replication per scenario is held, the rest read back from
    // files in lockstep.
    for (what, one, eight) in [
        ("compare", one.0, eight.0),
        ("compare --results", one.1, eight.1),
    ] {
        assert!(
            eight * 2 < one * 3,
            "{what}: peak memory with 8,000 replications {eight} kB, with 1,000 {one} kB"
        );
    }
    // comparison.csv is that of the same replications held in memory, bit for bit.
    let (base, alt) = two_nodes_in_memory(1000);
    let file = |f: &str| fs::read(dir.path().join(f).join("comparison.csv")).unwrap();
    assert_eq!(file("compare1000"), comparison_in_memory(&base, &alt, "b"));
    assert_eq!(
        file("results1000"),
        comparison_in_memory(&base, &alt, "two-nodes")
    );
    // No scratch file is left beside the folders.
    assert!(
        entries(dir.path()).iter().all(|e| !e.starts_with('.')),
        "{:?}",
        entries(dir.path())
    );
}

#[test]
fn merge_memory_does_not_grow_with_the_replications() {
    let (dir, _) = workdir(TWO_NODES);
    let peak = |reps: &str| {
        let shards: Vec<String> = (0..2).map(|k| format!("shard{reps}-{k}")).collect();
        for (k, out) in shards.iter().enumerate() {
            let shard = format!("{k}/2");
            let args = [
                "run",
                "s.toml",
                "-r",
                reps,
                "-j",
                "2",
                "-q",
                "--set",
                "scenario.horizon=5d",
                "--shard",
                &shard,
                "--out",
                out,
            ];
            let o = crate::cli::corridor(&args, dir.path());
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let out = format!("merged{reps}");
        let args = ["merge", &shards[0], &shards[1], "-q", "--out", &out];
        peak_rss_kb(&args, dir.path())
    };
    let (Some(one), Some(eight)) = (peak("1000"), peak("8000")) else {
        return;
    };
    // Measured (release): 5.1 and 4.8 MB (before: 13.8 and 80.6 MB). Each shard is read
    // once, its values put in replication order in a scratch file, read back into the
    // streamed replications.csv.
    assert!(
        eight * 2 < one * 3,
        "peak memory with 8,000 replications {eight} kB, with 1,000 {one} kB"
    );
    // The files are those of one run of the same replications held in memory.
    let (base, _) = two_nodes_in_memory(1000);
    let mut m = model(TWO_NODES);
    m.replications = 1000;
    let mem = tempfile::tempdir().unwrap();
    corridor::run::write(mem.path(), &m, &base).unwrap();
    for f in ["summary.csv", "replications.csv"] {
        assert_eq!(
            fs::read(dir.path().join("merged1000").join(f)).unwrap(),
            fs::read(mem.path().join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(
        entries(dir.path()).iter().all(|e| !e.starts_with('.')),
        "{:?}",
        entries(dir.path())
    );
}

/// Runs the corridor binary in `dir`; returns exit code, stdout and stderr.
fn corridor_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = crate::cli::corridor(args, dir);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

#[test]
fn precision_limits_and_messages() {
    let (dir, _) = workdir(TWO_NODES);
    let d = dir.path();
    // The cap has a ceiling, as --replications has.
    let (code, _, err) = corridor_in(
        d,
        &["run", "s.toml", "--precision", "transit_mean:ab:0.5"]
            .into_iter()
            .chain(["--max-replications", "1000001", "--out", "out"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--max-replications 1000001: must be at most 1000000"),
        "{err}"
    );
    let (code, _, err) = corridor_in(
        d,
        &[
            "run",
            "s.toml",
            "-q",
            "--precision",
            "transit_mean:ab:0.5",
            "--max-replications",
            "1000000",
            "--out",
            "ceiling",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    // A metric that never has a value (the utilisation of an unlimited node) stops after 10
    // replications, or at a lower cap, with an error; nothing is written.
    for (cap, first) in [("1000", "10"), ("5", "5")] {
        let (code, _, err) = corridor_in(
            d,
            &[
                "run",
                "s.toml",
                "--set",
                "nodes.b.servers=unlimited",
                "--precision",
                "node.utilisation:b:0.05",
                "--max-replications",
                cap,
                "--out",
                "out",
            ],
        );
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "--precision node.utilisation:b:0.05: node \"utilisation\" of \"b\" had no value in any of the first {first} replications"
            )),
            "{err}"
        );
    }
    assert_eq!(entries(d), ["ceiling", "s.toml"], "nothing else written");
    // Three zeros: zero variance, said so.
    let (code, out, err) = corridor_in(
        d,
        &[
            "run",
            "s.toml",
            "-r",
            "3",
            "--set",
            "nodes.b.servers=unlimited",
            "--precision",
            "node.wait_mean:b:0.05",
            "--out",
            "zeros",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(
            "target reached after 3 replications (all 3 values are 0: zero variance, so the half-width is 0"
        ),
        "{out}"
    );
}

/// A CSV file of `n` service times in minutes, column `minutes`.
fn service_times(n: usize) -> String {
    let mut s = String::from("minutes\n");
    for i in 0..n {
        s.push_str(&format!("{}\n", 10.0 + (i * 7919 % 4000) as f64 / 100.0));
    }
    s
}

#[test]
fn a_sweep_shares_empirical_data_across_its_points() {
    const SWEEP: &str = r#"[scenario]
name = "sweep-empirical"
horizon = "2d"
replications = 1
seed = 1

[[nodes]]
id = "a"
kind = "station"
servers = 1
service = { dist = "empirical", file = "times.csv", column = "minutes", unit = "m" }

[[nodes]]
id = "b"
kind = "station"
servers = 2
service = { dist = "empirical", file = "times.csv", column = "minutes", unit = "m" }

[[flows]]
id = "ab"
route = ["a", "b"]
arrivals = { dist = "exponential", mean = "1h" }
"#;
    let (dir, _) = workdir(SWEEP);
    let d = dir.path();
    let peak = |values: usize| {
        fs::write(d.join("times.csv"), service_times(values)).unwrap();
        let out = format!("out-{values}");
        let args = [
            "sweep",
            "s.toml",
            "--vary",
            "nodes.b.servers=1..200:1",
            "-q",
            "--out",
            &out,
        ];
        peak_rss_kb(&args, d)
    };
    // 200 points, each with two nodes drawing from the file: 1,000 values (8 kB) or 50,000
    // (400 kB). Kept per point and node, the larger file would add 160 MB.
    let (Some(small), Some(large)) = (peak(1_000), peak(50_000)) else {
        return;
    };
    assert!(
        large * 2 < small * 3,
        "peak memory with 50,000 values {large} kB, with 1,000 {small} kB"
    );
}

#[test]
fn a_shared_data_cache_keeps_each_models_data_files() {
    let scenario = |file: &str| {
        format!(
            r#"[scenario]
name = "cached"
horizon = "2d"

[[nodes]]
id = "a"
kind = "station"
servers = 1
service = {{ dist = "empirical", file = "{file}", column = "minutes", unit = "m" }}

[[flows]]
id = "f"
route = ["a"]
arrivals = {{ dist = "exponential", mean = "1h" }}
"#
        )
    };
    let (dir, file) = workdir(&scenario("x.csv"));
    let d = dir.path();
    fs::write(d.join("x.csv"), service_times(10)).unwrap();
    fs::write(d.join("y.csv"), service_times(20)).unwrap();
    let mut cache = DataCache::default();
    let resolve = |src: &str, cache: &mut DataCache| {
        resolve_cached(&file, src, &[], &[], FileAccess::Open, cache)
            .unwrap()
            .model
            .data_files
    };
    // The first model reads x.csv; the second finds it in the cache and still lists it; a third
    // reading y.csv lists only y.csv; a fourth, x.csv again (cached), only x.csv.
    let x = vec![d.join("x.csv")];
    assert_eq!(resolve(&scenario("x.csv"), &mut cache), x);
    assert_eq!(resolve(&scenario("x.csv"), &mut cache), x);
    assert_eq!(resolve(&scenario("y.csv"), &mut cache), [d.join("y.csv")]);
    assert_eq!(resolve(&scenario("x.csv"), &mut cache), x);
    // --confine is checked on a column already in the cache too.
    fs::create_dir(d.join("sc")).unwrap();
    let inner = d.join("sc").join("s.toml");
    let up = scenario("../x.csv");
    fs::write(&inner, &up).unwrap();
    let open = resolve_cached(&inner, &up, &[], &[], FileAccess::Open, &mut cache).unwrap();
    assert_eq!(open.model.data_files, [d.join("sc").join("../x.csv")]);
    let confined = resolve_cached(&inner, &up, &[], &[], FileAccess::Confined, &mut cache);
    let err = confined.expect_err("x.csv is outside sc/").to_string();
    assert!(err.contains("outside the scenario file's folder"), "{err}");
}
