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

/// Two timetabled services share one berth at A, both leaving every 24 h (first at 24 h) and
/// loading 4 h: at 24 h s1 takes the berth until 28 h while s2 waits, then loads until 32 h.
/// Over [0, 44 h]: busy 8 h (2/11), one carrier queued for 4 h (1/11), waits 0 and 4 h. With a
/// warm-up of 26 h the window is [26 h, 44 h]: busy 2 + 4 h (1/3), queued 2 h (1/9), at most
/// one (queued when the warm-up ends), and one wait recorded after it, s2's 4 h.
#[test]
fn berth_statistics_restart_after_warm_up() {
    let timetabled = |id: &str| {
        format!(
            "[[services]]\nid = \"{id}\"\nmode = \"rail\"\nfrom = \"A\"\nto = \"B\"\ncapacity_teu = 10\nfleet = 1\n\
             departure = \"timetable\"\nevery = \"24h\"\nloading = {{ dist = \"fixed\", value = \"4h\" }}\n\
             travel = {{ dist = \"fixed\", value = \"1h\" }}\nreturn_trip = {{ dist = \"fixed\", value = \"1h\" }}\n"
        )
    };
    let src = |warmup: &str| {
        format!(
            "[scenario]\nname = \"b\"\nhorizon = \"44h\"\nwarmup = \"{warmup}\"\nreplications = 1\n\
             [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = {{ dist = \"fixed\", value = \"0h\" }}\nberths = 1\n\
             [[nodes]]\nid = \"B\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = {{ dist = \"fixed\", value = \"0h\" }}\n\
             {}{}[[flows]]\nid = \"f\"\nroute = [\"A\", \"s1\", \"B\"]\narrivals = {{ dist = \"fixed\", value = \"100d\" }}\n",
            timetabled("s1"),
            timetabled("s2")
        )
    };
    let berths = |warmup: &str| {
        let out = run(&model(&src(warmup)));
        let rep = &out.reps[0];
        [
            "berth_utilisation",
            "carriers_queued_mean",
            "carriers_queued_max",
            "berth_wait_mean",
        ]
        .map(|metric| value(rep, "berths", "A", metric))
    };
    let close = |a: [f64; 4], b: [f64; 4]| a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12);
    let whole = berths("0h");
    assert!(
        close(whole, [2.0 / 11.0, 1.0 / 11.0, 1.0, 2.0]),
        "{whole:?}"
    );
    let window = berths("26h");
    assert!(
        close(window, [1.0 / 3.0, 1.0 / 9.0, 1.0, 4.0]),
        "{window:?}"
    );
}
