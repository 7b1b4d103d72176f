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
