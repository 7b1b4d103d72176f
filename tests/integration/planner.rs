//! What a planner reads beside the numbers: deliveries within a target transit time, and a
//! warning when transit figures leave out many consignments still under way.

use crate::cli::{corridor, rejects, stderr, workdir};
use crate::support::*;

/// A deterministic corridor: consignments every 10 h, 1 h of service, 5 h of travel, so every
/// transit is exactly 6 h.
fn fixed(target: &str) -> String {
    format!(
        "[scenario]\nname = \"fixed\"\nhorizon = \"100d\"\nreplications = 2\n\n\
         [[nodes]]\nid = \"a\"\nkind = \"station\"\nservers = \"unlimited\"\n\
         service = {{ dist = \"fixed\", value = \"1h\" }}\n\n\
         [[nodes]]\nid = \"b\"\nkind = \"station\"\nservers = \"unlimited\"\n\
         service = {{ dist = \"fixed\", value = \"0h\" }}\n\n\
         [[links]]\nfrom = \"a\"\nto = \"b\"\ntime = {{ dist = \"fixed\", value = \"5h\" }}\n\n\
         [[flows]]\nid = \"f\"\nroute = [\"a\", \"b\"]\n\
         arrivals = {{ dist = \"fixed\", value = \"10h\" }}\n{target}"
    )
}

#[test]
fn on_time_share_counts_deliveries_within_the_target() {
    // Created at 10 h, 20 h, ..., 2400 h: 240 consignments; the one created at 2400 h is still
    // under way at the horizon, so it counts as late: 239 of 240 on time at a 6 h target.
    let out = run(&model(&fixed("target_transit = \"6h\"\n")));
    assert_eq!(summary(&out.summary, "flow", "f", "created").mean, 240.0);
    assert_eq!(
        summary(&out.summary, "flow", "f", "target_transit").mean,
        6.0
    );
    let share = summary(&out.summary, "flow", "f", "on_time_share").mean;
    assert!((share - 239.0 / 240.0).abs() < 1e-12, "{share}");
    // A minute less and nothing is on time.
    let out = run(&model(&fixed("target_transit = \"359m\"\n")));
    assert_eq!(
        summary(&out.summary, "flow", "f", "on_time_share").mean,
        0.0
    );
    // Without a target there are no such rows.
    let out = run(&model(&fixed("")));
    assert!(corridor::report::find(&out.summary, "flow", "f", "on_time_share").is_none());
}

#[test]
fn target_transit_bad_input() {
    rejects(
        &fixed("target_transit = \"0h\"\n"),
        &["flows[0].target_transit", "must be > 0"],
    );
    rejects(&fixed("target_transit = 6\n"), &["flows[0].target_transit"]);
}

#[test]
fn a_flow_with_many_consignments_under_way_is_flagged() {
    // Offered 2 h of work an hour: the queue grows and most consignments never leave.
    let overloaded = fixed("").replace(
        "servers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"1h\" }",
        "servers = 1\nservice = { dist = \"fixed\", value = \"20h\" }",
    );
    let (dir, _) = workdir(&overloaded);
    let o = corridor(&["run", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: flow \"f\"")
            && err.contains("depend on the horizon")
            && err.contains("still under way at the horizon"),
        "{err}"
    );
    // A stable corridor delivers all but the last consignment (1 of 240): no warning.
    let (dir, _) = workdir(&fixed(""));
    let o = corridor(&["run", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("biased low"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("horizon"), "{}", stderr(&o));
}

/// A border, berths, a fleet on a timetable and a line with a headway, with loads worked by
/// hand.
const LOADS: &str = r#"
[scenario]
name = "loads"
horizon = "100d"

[[nodes]]
id = "bcp"
kind = "border"
lanes = 2
documents = { dist = "fixed", value = "3h" }
channels = { green = 0.5, yellow = 0.25, red = 0.25 }
document_check = { dist = "fixed", value = "2h" }
inspection = { dist = "fixed", value = "8h" }
inspection_bays = 1
technical = { dist = "fixed", value = "4h" }
technical_tracks = 1

[[nodes]]
id = "port"
kind = "station"
servers = "unlimited"
service = { dist = "fixed", value = "0h" }
berths = 1

[[nodes]]
id = "far"
kind = "station"
servers = "unlimited"
service = { dist = "fixed", value = "0h" }

[[services]]
id = "ship"
mode = "sea"
from = "port"
to = "far"
capacity_teu = 100
fleet = 2
departure = "timetable"
every = "24h"
loading = { dist = "fixed", value = "6h" }
unloading = { dist = "fixed", value = "6h" }
travel = { dist = "fixed", value = "30h" }
return_trip = { dist = "fixed", value = "30h" }

[[links]]
from = "bcp"
to = "port"
time = { dist = "fixed", value = "1h" }
headway = "2h"

[[flows]]
id = "f"
route = ["bcp", "port", "ship", "far"]
arrivals = { dist = "exponential", mean = "10h" }
teu = 50
"#;

#[test]
fn offered_loads_of_every_capacity_match_hand_computed_values() {
    let m = model(LOADS);
    let loads = m.offered_loads();
    let load = |what: &str| {
        loads
            .iter()
            .find(|l| l.resource == what)
            .unwrap_or_else(|| panic!("no {what} in {loads:?}"))
            .load
    };
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} against {b}");
    // 0.1 consignments an hour; lanes: (3 h + 0.25 x 2 h) / 2 lanes.
    close(load("node \"bcp\""), 0.1 * 3.5 / 2.0);
    // Bays: 0.25 red x 8 h / 1 bay; tracks: 4 h / 1 track.
    close(load("border \"bcp\" inspection bays"), 0.1 * 0.25 * 8.0);
    close(load("border \"bcp\" technical tracks"), 0.1 * 4.0);
    // Line paths: 0.1 entries an hour x 2 h headway.
    close(load("link bcp->port paths"), 0.2);
    // 5 TEU an hour; the timetable carries 100 TEU a day; the fleet 2 x 100 TEU per
    // 72 h cycle (6 + 30 + 6 + 30).
    close(load("service \"ship\" timetable"), 5.0 / (100.0 / 24.0));
    close(load("service \"ship\" fleet"), 5.0 / (200.0 / 72.0));
    // Berths at the port: one departure a day, 6 h of loading each.
    close(load("node \"port\" berths"), 6.0 / 24.0);
}

#[test]
fn an_overloaded_fleet_is_warned_about_before_the_run() {
    // 10 TEU an hour against a fleet that carries 200 TEU per 72 h.
    let src = LOADS.replace("mean = \"10h\" }\nteu = 50", "mean = \"5h\" }\nteu = 50");
    let (dir, _) = workdir(&src);
    let o = corridor(&["validate", "s.toml"], dir.path());
    let (out, err) = (String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: service \"ship\" fleet is offered 3.60 of its capacity"),
        "{err}"
    );
    assert!(out.contains("Highest offered loads"), "{out}");
    assert!(out.contains("3.60  service \"ship\" fleet"), "{out}");
}

/// One flow of Poisson arrivals through an unlimited node, 200 days.
fn poisson(demand: &str) -> String {
    format!(
        "[scenario]\nname = \"poisson\"\nhorizon = \"200d\"\nreplications = 5\nseed = 3\n{demand}\n\
         [[nodes]]\nid = \"n\"\nkind = \"station\"\nservers = \"unlimited\"\n\
         service = {{ dist = \"fixed\", value = \"1h\" }}\n\n\
         [[flows]]\nid = \"f\"\nroute = [\"n\"]\narrivals = {{ dist = \"exponential\", mean = \"2h\" }}\n"
    )
}

fn arrival_times(src: &str) -> Vec<u64> {
    let m = model(src);
    let mut r = corridor::sim::Replication::new(&m, 0);
    let mut times = Vec::new();
    r.run_observed(|t, ev| {
        if matches!(ev, corridor::sim::Event::Created { .. }) {
            times.push(t.0);
        }
    })
    .expect("runs to its horizon");
    times
}

#[test]
fn demand_scales_arrival_rates_on_the_same_random_numbers() {
    // A factor of 1 in the file changes nothing, bit for bit.
    let one = run(&model(&poisson("demand = 1.0")));
    let none = run(&model(&poisson("")));
    assert_eq!(rows_text(&one.reps[0].rows), rows_text(&none.reps[0].rows));
    // Twice the demand: the same draws, half as far apart (each gap rounded to the ms).
    let base = arrival_times(&poisson(""));
    let double = arrival_times(&poisson("demand = 2.0"));
    assert!(
        double.len() > 2 * base.len() - 100,
        "{} {}",
        double.len(),
        base.len()
    );
    let mut t = 0u64;
    let gaps: Vec<u64> = base
        .iter()
        .map(|&x| {
            let g = x - t;
            t = x;
            g
        })
        .collect();
    let mut at = 0u64;
    for (i, g) in gaps.iter().enumerate().take(1000) {
        at += (*g as f64 / 2.0).round() as u64;
        assert!(
            double[i].abs_diff(at) <= 1,
            "arrival {i}: {} against {at}",
            double[i]
        );
        at = double[i];
    }
    // Poisson at twice the rate: 200 days x 24 / 2 h x 2 = 4800 a replication on average.
    let out = run(&model(&poisson("demand = 2.0")));
    let created = summary(&out.summary, "flow", "f", "created");
    assert!(created.covers(4800.0), "{created:?}");
    // A flow's own factor multiplies the scenario's.
    let both =
        poisson("demand = 2.0").replace("mean = \"2h\" }\n", "mean = \"2h\" }\ndemand = 0.5\n");
    assert_eq!(arrival_times(&both), base);
}

#[test]
fn the_demand_option_is_the_set_it_stands_for() {
    let (dir, _) = workdir(&poisson(""));
    let a = corridor(
        &["run", "s.toml", "--demand", "1.5", "--out", "a", "-q"],
        dir.path(),
    );
    let b = corridor(
        &[
            "run",
            "s.toml",
            "--set",
            "scenario.demand=1.5",
            "--out",
            "b",
            "-q",
        ],
        dir.path(),
    );
    let c = corridor(
        &["run", "s.toml", "--demand", "f=1.5", "--out", "c", "-q"],
        dir.path(),
    );
    for o in [&a, &b, &c] {
        assert!(o.status.success(), "{}", stderr(o));
    }
    let read = |d: &str| std::fs::read(dir.path().join(d).join("summary.csv")).unwrap();
    assert_eq!(read("a"), read("b"));
    assert_eq!(read("a"), read("c"));
    assert_ne!(read("a"), {
        corridor(&["run", "s.toml", "--out", "d", "-q"], dir.path());
        read("d")
    });
}

#[test]
fn demand_bad_input() {
    for bad in ["0", "-1", "1001", "nan"] {
        rejects(
            &poisson(&format!("demand = {bad}")),
            &["scenario.demand", "a demand factor"],
        );
    }
    rejects(
        &poisson("").replace("mean = \"2h\" }\n", "mean = \"2h\" }\ndemand = 0\n"),
        &["flows[0].demand"],
    );
    // A factor that brings arrivals under the clock's resolution is refused like such a mean.
    rejects(
        &poisson("demand = 1000").replace("mean = \"2h\"", "mean = \"1s\""),
        &["flows[0].arrivals", "1 ms"],
    );
}

/// README's "The planner's question, answered" is what the command prints: its tables are the
/// run's stdout up to the list of files written, and each warning it quotes is a line of the
/// run's stderr. A change of the model or of the scenario that moves them must update it.
#[test]
fn readme_planner_example_is_what_the_run_prints() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = &readme[readme.find("## The planner's question, answered").unwrap()..];
    let blocks: Vec<&str> = section
        .split("```text\n")
        .skip(1)
        .take(2)
        .map(|b| &b[..b.find("```").unwrap()])
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args([
            "run",
            root.join("scenarios/middle-corridor.toml")
                .to_str()
                .unwrap(),
            "--demand",
            "2",
            "--digitisation",
            "BCP_BOYUK_KESIK_GARDABANI=pre_arrival",
        ])
        .env("COLUMNS", "100")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let tables = &out[..out.find("wrote ").unwrap()];
    assert_eq!(tables.trim_end(), blocks[0].trim_end());
    let err = stderr(&o);
    for line in blocks[1].lines() {
        assert!(
            err.lines().any(|l| l == line),
            "not in stderr: {line}\n{err}"
        );
    }
    // The fleet is named as a bottleneck that does not settle, and Xi'an -> Poti as depending
    // on the horizon because of it.
    assert!(
        tables.contains("service:caspian-feeder     1.000"),
        "{tables}"
    );
    assert!(
        err.contains("flow \"xian-poti\": transit figures depend on the horizon")
            && err.contains("it waits at service:caspian-feeder"),
        "{err}"
    );
}
