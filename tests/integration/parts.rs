//! Berths and yards, the optional parts of a node of any kind: what they admit and the
//! statistics they keep.

use crate::carriers::shuttle;
use crate::support::*;

/// Regression: a carrier that unloads at a border hands over consignments already admitted
/// there; the next node's yard must still admit them (the admission once carried over the
/// border, so the yard was never entered, its occupancy wrapped below zero and it blocked for
/// good).
#[test]
fn admission_by_a_carrier_does_not_carry_over_a_border() {
    let src = shuttle(
        "capacity_teu = 10\nfleet = 2\ndeparture = \"when_full\"\nreturn_trip = { dist = \"fixed\", value = \"1h\" }",
        "{ dist = \"exponential\", mean = \"1h\" }",
        "100d",
        2,
    )
    .replace(
        "id = \"B\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"0h\" }",
        "id = \"B\"\nkind = \"border\"\nlanes = 2\ndocuments = { dist = \"fixed\", value = \"30m\" }\n\
         [[nodes]]\nid = \"C\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"20m\" }\nyard_teu = 5\n\
         [[links]]\nfrom = \"B\"\nto = \"C\"\ntime = { dist = \"fixed\", value = \"1h\" }",
    )
    .replace("route = [\"A\", \"svc\", \"B\"]", "route = [\"A\", \"svc\", \"B\", \"C\"]");
    let out = run(&model(&src));
    assert_eq!(summary(&out.summary, "yard", "C", "occupancy_max").max, 5.0);
    assert!(summary(&out.summary, "corridor", "s", "in_system_end").max < 30.0);
    let d = summary(&out.summary, "flow", "f", "delivered_consignments");
    assert!(d.min > 2000.0, "{d:?}");
}
