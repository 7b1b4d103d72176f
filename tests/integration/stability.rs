//! Queues that do not settle: the `stable` verdict (report/stability.rs) flags overloaded
//! resources and the flows that pass them, and stays quiet on stable systems.

use crate::support::*;

/// M/M/c stations (mean service 1 h) at the given loads, each fed by its own Poisson flow.
fn mmc_scenario(systems: &[(u32, f64)], seed: u64, horizon_d: u32, reps: u32) -> String {
    let mut src = format!(
        "[scenario]\nname = \"st\"\nhorizon = \"{horizon_d}d\"\nwarmup = \"20d\"\nreplications = {reps}\nseed = {seed}\n"
    );
    for (i, (c, rho)) in systems.iter().enumerate() {
        let gap_s = 3600.0 / (rho * *c as f64);
        src += &format!(
            "[[nodes]]\nid = \"n{i}\"\nkind = \"station\"\nservers = {c}\nservice = {{ dist = \"exponential\", mean = \"1h\" }}\n\
             [[flows]]\nid = \"f{i}\"\nroute = [\"n{i}\"]\narrivals = {{ dist = \"exponential\", mean = \"{gap_s}s\" }}\n"
        );
    }
    src
}

fn stable(out: &corridor::run::RunOutput, scope: &str, id: &str) -> f64 {
    summary(&out.summary, scope, id, "stable").mean
}

/// About 200 short runs of stable M/M/1 and M/M/3 systems at loads 0.5 to 0.9 (34 seeds x 6
/// systems, 5 replications of 80 days after a 20-day warm-up each): a system counts as a false
/// alarm when its node or its flow is marked unstable. The rule's documented rate is at most
/// 2.5% per element; the bound is 5% per system.
#[test]
fn false_alarms_on_stable_queues_stay_under_five_percent() {
    let systems = [(1, 0.5), (1, 0.7), (1, 0.9), (3, 0.5), (3, 0.7), (3, 0.9)];
    let (mut runs, mut alarms) = (0, Vec::new());
    for seed in 0..34 {
        let out = run(&model(&mmc_scenario(&systems, 1000 + seed, 100, 5)));
        for (i, sys) in systems.iter().enumerate() {
            runs += 1;
            let (n, f) = (
                stable(&out, "node", &format!("n{i}")),
                stable(&out, "flow", &format!("f{i}")),
            );
            assert!(n.is_finite() && f.is_finite(), "no verdict for {sys:?}");
            if n == 0.0 || f == 0.0 {
                alarms.push((seed, *sys));
            }
        }
    }
    assert_eq!(runs, 204);
    eprintln!(
        "stability: {} false alarms in {runs} runs of stable systems",
        alarms.len()
    );
    assert!(
        alarms.len() * 20 <= runs,
        "{} false alarms in {runs} runs of stable systems: {alarms:?}",
        alarms.len()
    );
}

/// Overloaded stations (loads 1.2 and 1.5) are flagged, with their flows, in every run. (Just
/// over 1, the drift of 5 replications of 180 days is within the queue's random walk: a load of
/// 1.05 is found in some runs only, which is why `validate` also checks offered loads.)
#[test]
fn overloaded_queues_are_flagged() {
    let systems = [(1, 1.2), (1, 1.5), (3, 1.2), (3, 1.5)];
    for seed in 0..5 {
        let out = run(&model(&mmc_scenario(&systems, 2000 + seed, 200, 5)));
        for (i, sys) in systems.iter().enumerate() {
            assert_eq!(
                stable(&out, "node", &format!("n{i}")),
                0.0,
                "{sys:?} seed {seed}"
            );
            assert_eq!(
                stable(&out, "flow", &format!("f{i}")),
                0.0,
                "{sys:?} seed {seed}"
            );
        }
    }
}

/// One replication gives no verdict: the row is there, empty.
#[test]
fn one_replication_gives_no_verdict() {
    let out = run(&model(&mmc_scenario(&[(1, 1.5)], 1, 100, 1)));
    let s = summary(&out.summary, "node", "n0", "stable");
    assert!(s.mean.is_nan());
    assert_eq!(s.n, 0);
}

/// The planner's case: the shipped Middle Corridor at twice its demand saturates the Caspian
/// feeder fleet. Its waiting TEU, and the flows that board it, are marked unstable; at the
/// shipped demand nothing is.
#[test]
fn the_saturated_feeder_fleet_is_flagged_and_its_flows_with_it() {
    let base = corridor::scenario::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/middle-corridor.toml"),
    )
    .unwrap();
    let out = run(&base);
    let unstable: Vec<String> = out
        .summary
        .iter()
        .filter(|r| r.key.metric() == "stable" && r.summary.mean == 0.0)
        .map(|r| format!("{} {}", r.key.scope(), r.key.id()))
        .collect();
    assert!(unstable.is_empty(), "at the shipped demand: {unstable:?}");

    let mut doubled = base.clone();
    for f in &mut doubled.flows {
        f.demand *= 2.0;
    }
    let out = run(&doubled);
    assert_eq!(stable(&out, "service", "caspian-feeder"), 0.0);
    assert_eq!(stable(&out, "flow", "xian-poti"), 0.0);
    // Flows that never board the feeder keep their verdict.
    assert_eq!(stable(&out, "flow", "btk-other"), 1.0);
}

/// The `wait` rows of a flow name where its queueing goes: on a Jackson tandem (no carriers,
/// no borders) a flow's waits at its stations add up to its `queueing` part of transit (both
/// per consignment created after the warm-up; they differ only by the few still under way at
/// the horizon), and each station's share of transit is its wait over the transit.
#[test]
fn a_flows_waits_by_resource_add_up_to_its_queueing() {
    let mut src = String::from(
        "[scenario]\nname = \"tandem\"\nhorizon = \"420d\"\nwarmup = \"20d\"\nreplications = 4\nseed = 3\n",
    );
    for (i, mean) in ["30m", "42m", "48m"].iter().enumerate() {
        src += &format!(
            "[[nodes]]\nid = \"t{i}\"\nkind = \"station\"\nservers = 1\nservice = {{ dist = \"exponential\", mean = \"{mean}\" }}\n"
        );
    }
    src += "[[links]]\nfrom = \"t0\"\nto = \"t1\"\ntime = { dist = \"fixed\", value = \"1h\" }\n\
            [[links]]\nfrom = \"t1\"\nto = \"t2\"\ntime = { dist = \"fixed\", value = \"1h\" }\n\
            [[flows]]\nid = \"f\"\nroute = [\"t0\", \"t1\", \"t2\"]\narrivals = { dist = \"exponential\", mean = \"1h\" }\n";
    let out = run(&model(&src));
    let waits: f64 = (0..3)
        .map(|i| summary(&out.summary, "wait", &format!("f@node:t{i}"), "wait_mean").mean)
        .sum();
    let queueing = summary(&out.summary, "flow", "f", "queueing").mean;
    assert!(
        (waits - queueing).abs() < 0.01 * queueing,
        "waits by station {waits} h, queueing {queueing} h"
    );
    let transit = summary(&out.summary, "flow", "f", "transit_mean").mean;
    let share = summary(&out.summary, "wait", "f@node:t2", "transit_share").mean;
    let wait = summary(&out.summary, "wait", "f@node:t2", "wait_mean").mean;
    assert!(
        (share - wait / transit).abs() < 0.02 * share,
        "{share} vs {wait}/{transit}"
    );
    // t2 (load 0.8) causes the most waiting, and bottlenecks.csv ranks it first.
    let ranked = corridor::report::bottlenecks::rank(&out.summary);
    assert_eq!(
        (ranked[0].scope.as_str(), ranked[0].id.as_str()),
        ("node", "t2")
    );
}
