//! Invariants that hold in every replication: Little's law on every node, conservation of
//! consignments.

use crate::support::*;

const MULTI_FLOW: &str = r#"
[scenario]
name = "multi"
horizon = "730d"
warmup = "30d"
replications = 6
seed = 3

[[nodes]]
id = "gate"
kind = "station"
servers = 2
service = { dist = "lognormal", mean = "50m", cv = 0.8 }

[[nodes]]
id = "yard"
kind = "station"
servers = 3
service = { dist = "gamma", mean = "2h", cv = 0.5 }

[[nodes]]
id = "crane"
kind = "station"
servers = 1
service = { dist = "triangular", min = "20m", mode = "30m", max = "50m" }

[[nodes]]
id = "sea"
kind = "station"
servers = "unlimited"
service = { dist = "normal", mean = "20h", sd = "4h" }

[[links]]
from = "gate"
to = "yard"
time = { dist = "weibull", shape = 2.0, scale = "6h" }

[[links]]
from = "yard"
to = "sea"
time = { dist = "erlang", k = 3, mean = "3h" }

[[flows]]
id = "boxes"
route = ["gate", "yard", "sea"]
arrivals = { dist = "exponential", mean = "1h" }
teu = 2

[[flows]]
id = "wagons"
route = ["gate", "crane", "yard"]
arrivals = { dist = "uniform", min = "40m", max = "2h" }
teu = 4

[[flows]]
id = "local"
route = ["crane"]
arrivals = { dist = "exponential", mean = "3h" }
"#;

/// L = lambda W on every node of a multi-flow network with general service times, in every
/// replication, within 2%.
#[test]
fn littles_law_on_every_node() {
    let m = model(MULTI_FLOW);
    let out = run(&m);
    for rep in &out.reps {
        for n in &m.nodes {
            let l = value(rep, "node", &n.id, "wip_mean");
            let lambda_per_h = value(rep, "node", &n.id, "arrival_rate") / 24.0;
            let w = value(rep, "node", &n.id, "sojourn_mean");
            let rel = (l - lambda_per_h * w).abs() / l;
            assert!(
                rel < 0.02,
                "replication {}: node {}: L = {l:.4}, lambda W = {:.4} ({:.2}% apart)",
                rep.replication,
                n.id,
                lambda_per_h * w,
                rel * 100.0
            );
        }
    }
}

/// created = delivered + in_system_end, exactly, for the whole corridor and for each flow's
/// post-warm-up cohort, in every replication, including an overloaded station where most
/// consignments are still queued at the horizon and links with consignments in transit.
#[test]
fn conservation_of_consignments() {
    let overloaded = MULTI_FLOW.replace("mean = \"50m\", cv = 0.8", "mean = \"2h\", cv = 0.8");
    for src in [MULTI_FLOW.to_string(), overloaded] {
        let m = model(&src);
        let out = run(&m);
        for rep in &out.reps {
            let created = value(rep, "corridor", "multi", "created");
            let delivered = value(rep, "corridor", "multi", "delivered");
            let left = value(rep, "corridor", "multi", "in_system_end");
            assert!(created > 0.0);
            assert_eq!(created, delivered + left, "replication {}", rep.replication);
            for f in &m.flows {
                let c = value(rep, "flow", &f.id, "created");
                let d = value(rep, "flow", &f.id, "delivered_consignments");
                let e = value(rep, "flow", &f.id, "in_system_end");
                assert_eq!(c, d + e, "replication {} flow {}", rep.replication, f.id);
                assert_eq!(value(rep, "flow", &f.id, "delivered"), d * f.teu as f64);
            }
        }
    }
    // The overloaded case really does leave freight behind.
    let m = model(&MULTI_FLOW.replace("mean = \"50m\", cv = 0.8", "mean = \"2h\", cv = 0.8"));
    let out = run(&m);
    assert!(summary(&out.summary, "corridor", "multi", "in_system_end").min > 1000.0);
}

/// Node statistics cover the time after warm-up only: a station that is saturated during
/// warm-up and then idle reports zero queue.
#[test]
fn warmup_resets_node_statistics() {
    let src = "[scenario]\nname = \"w\"\nhorizon = \"60d\"\nwarmup = \"30d\"\nreplications = 2\n\
        [[nodes]]\nid = \"n\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"1h\" }\n\
        [[flows]]\nid = \"f\"\nroute = [\"n\"]\narrivals = { dist = \"fixed\", value = \"10h\" }\n";
    let out = run(&model(src));
    // Arrivals every 10 h from t = 10 h, service 1 h: never a queue. Only consignments created at
    // or after warm-up (t = 720 h .. 1440 h, both ends included) are in the flow's cohort.
    assert_eq!(summary(&out.summary, "node", "n", "queue_max").max, 0.0);
    assert_eq!(summary(&out.summary, "flow", "f", "created").mean, 73.0);
    assert_eq!(
        summary(&out.summary, "corridor", "w", "created").mean,
        144.0
    );
    let u = summary(&out.summary, "node", "n", "utilisation").mean;
    assert!((u - 0.1).abs() < 1e-3, "{u}");
}
