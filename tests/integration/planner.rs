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
        err.contains("warning: flow \"f\"") && err.contains("biased low"),
        "{err}"
    );
    // A stable corridor delivers all but the last consignment (1 of 240): no warning.
    let (dir, _) = workdir(&fixed(""));
    let o = corridor(&["run", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("biased low"), "{}", stderr(&o));
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
