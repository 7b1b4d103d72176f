//! Ports, lines and yards around the carriers: berths at capacity, line-section headways,
//! per-TEU and per-wagon service, closures and weather, yards that block, pipelines, and bad
//! input for lines and weather.

use corridor::engine::time::{MS_PER_DAY, MS_PER_HOUR};
use corridor::sim::{Event, Phase, Replication};

use crate::carriers::shuttle;
use crate::cli::rejects;
use crate::support::*;

/// A saturated node with two berths and loading uniform 6-8 h turns 2 x 24 / 7 carriers a day.
#[test]
fn saturated_berths_turn_carriers_at_capacity() {
    let src = shuttle(
        "capacity_teu = 1\nfleet = 30\ndeparture = \"when_full\"\nloading = { dist = \"uniform\", min = \"6h\", max = \"8h\" }\n\
         return_trip = { dist = \"fixed\", value = \"1h\" }",
        "{ dist = \"exponential\", mean = \"1h\" }",
        "410d",
        8,
    )
    .replace("id = \"A\"\nkind = \"station\"", "id = \"A\"\nkind = \"station\"\nberths = 2");
    let out = run(&model(&src));
    let d = summary(&out.summary, "service", "svc", "departures_per_day");
    // Departures are limited by the berths: the fleet circulates, the queue of carriers forms at
    // the berths, so the departure rate in steady state is the berths' service rate.
    let capacity = 2.0 * 24.0 / 7.0;
    assert!(
        d.covers(capacity) || (d.mean - capacity).abs() < 0.01,
        "{d:?} vs {capacity}"
    );
    let u = summary(&out.summary, "berths", "A", "berth_utilisation");
    assert!(u.mean > 0.999, "{u:?}");
    assert!(summary(&out.summary, "berths", "A", "carriers_queued_mean").mean > 20.0);
}

/// A line section with a 2 h headway never lets consignments enter closer than 2 h apart.
#[test]
fn headway_spaces_entries() {
    let src = "[scenario]\nname = \"h\"\nhorizon = \"100d\"\nreplications = 1\n\
        [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"0h\" }\n\
        [[nodes]]\nid = \"B\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"0h\" }\n\
        [[links]]\nfrom = \"A\"\nto = \"B\"\ntime = { dist = \"fixed\", value = \"5h\" }\nheadway = \"2h\"\n\
        [[flows]]\nid = \"f\"\nroute = [\"A\", \"B\"]\narrivals = { dist = \"exponential\", mean = \"3h\" }\n";
    let m = model(src);
    let mut r = Replication::new(&m, 0);
    let mut at_b = Vec::new();
    r.run_observed(|t, ev| {
        if matches!(ev, Event::Arrive { node: 1, .. }) {
            at_b.push(t);
        }
    })
    .unwrap();
    assert!(at_b.len() > 500);
    for w in at_b.windows(2) {
        assert!(w[1].ms() - w[0].ms() >= 2 * MS_PER_HOUR, "{w:?}");
    }
    let out = run(&m);
    assert!(summary(&out.summary, "link", "A->B", "path_wait_mean").mean > 0.1);
    // Path waits are queueing in the decomposition.
    let q = summary(&out.summary, "flow", "f", "queueing").mean;
    let t = summary(&out.summary, "flow", "f", "transit_mean").mean;
    assert!(
        (t - 5.0 - q).abs() < 1e-9,
        "transit {t} = 5 h travel + {q} h path wait"
    );
    // trains_per_day = 12 is the same as a 2 h headway.
    let out2 = run(&model(
        &src.replace("headway = \"2h\"", "trains_per_day = 12"),
    ));
    assert_eq!(rows_text(&out.reps[0].rows), rows_text(&out2.reps[0].rows));
}

/// Service time per TEU scales with the consignment's TEU (a crane transshipment).
#[test]
fn per_teu_service_scales_with_teu() {
    let src = "[scenario]\nname = \"g\"\nhorizon = \"30d\"\nreplications = 1\n\
        [[nodes]]\nid = \"gauge\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"6m\" }\nservice_per = \"teu\"\n\
        [[flows]]\nid = \"f\"\nroute = [\"gauge\"]\narrivals = { dist = \"fixed\", value = \"1d\" }\nteu = 100\n";
    let out = run(&model(src));
    assert_eq!(value(&out.reps[0], "flow", "f", "transit_mean"), 10.0);
}

/// A dated closure of a sea leg holds carriers in port until it ends; random weather closures
/// delay carriers and the delay is queueing in the decomposition.
#[test]
fn closures_and_weather_hold_carriers() {
    let src = shuttle(
        "capacity_teu = 1\nfleet = 5\ndeparture = \"when_full\"\nreturn_trip = { dist = \"fixed\", value = \"1h\" }\n\
         closures = [{ from = \"2024-01-01 00:00\", to = \"2024-01-11 00:00\" }]",
        "{ dist = \"exponential\", mean = \"6h\" }",
        "40d",
        1,
    );
    let m = model(&src);
    let mut r = Replication::new(&m, 0);
    let mut first_at_b = None;
    r.run_observed(|t, ev| {
        if first_at_b.is_none() && matches!(ev, Event::Arrive { node: 1, .. }) {
            first_at_b = Some(t);
        }
    })
    .unwrap();
    assert_eq!(first_at_b.unwrap().ms(), 10 * MS_PER_DAY + MS_PER_HOUR);

    let stormy = shuttle(
        "capacity_teu = 5\nfleet = 5\ndeparture = \"when_full\"\nreturn_trip = { dist = \"fixed\", value = \"1h\" }\n\
         weather = { daily_probability = 0.2, duration = { dist = \"uniform\", min = \"12h\", max = \"36h\" } }",
        "{ dist = \"exponential\", mean = \"2h\" }",
        "410d",
        4,
    );
    let out = run(&model(&stormy));
    let delay = summary(&out.summary, "service", "svc", "carrier_delay_mean");
    assert!(delay.mean > 1.0, "{delay:?}");
    for rep in &out.reps {
        let parts = transit_parts(rep, "f");
        let t = value(rep, "flow", "f", "transit_mean");
        assert!((parts - t).abs() <= 1e-9 * t);
        assert_eq!(value(rep, "flow", "f", "moving"), 1.0);
    }
}

#[test]
fn line_and_weather_bad_input() {
    let base = "[scenario]\nname = \"h\"\nhorizon = \"10d\"\n\
        [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"1h\" }\n\
        [[nodes]]\nid = \"B\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"1h\" }\n\
        [[links]]\nfrom = \"A\"\nto = \"B\"\ntime = { dist = \"fixed\", value = \"5h\" }\n\
        [[flows]]\nid = \"f\"\nroute = [\"A\", \"B\"]\narrivals = { dist = \"fixed\", value = \"3h\" }\n";
    rejects(
        &base.replace(
            "time = { dist = \"fixed\", value = \"5h\" }",
            "time = { dist = \"fixed\", value = \"5h\" }\nspeed_kmh = 50",
        ),
        &["links[0]", "not both"],
    );
    rejects(
        &base.replace(
            "time = { dist = \"fixed\", value = \"5h\" }",
            "speed_kmh = 50",
        ),
        &["`speed_kmh` needs `distance_km`"],
    );
    rejects(
        &base.replace(
            "time = { dist = \"fixed\", value = \"5h\" }",
            "time = { dist = \"fixed\", value = \"5h\" }\ndistance_km = -5",
        ),
        &["links[0].distance_km", "-5 is not allowed", "> 0 km"],
    );
    rejects(
        &base.replace(
            "time = { dist = \"fixed\", value = \"5h\" }",
            "speed_kmh = -5\ndistance_km = 100",
        ),
        &["links[0].speed_kmh", "-5"],
    );
    rejects(
        &base.replace(
            "value = \"5h\" }",
            "value = \"5h\" }\nheadway = \"1h\"\ntrains_per_day = 3",
        ),
        &["`headway` or as `trains_per_day`, not both"],
    );
    rejects(
        &base.replace("value = \"5h\" }", "value = \"5h\" }\ntrains_per_day = 0"),
        &["links[0].trains_per_day", "must be > 0"],
    );
    rejects(&base.replace("servers = 1\nservice = { dist = \"fixed\", value = \"1h\" }\n\n", "servers = 1\nservice = { dist = \"fixed\", value = \"1h\" }\nservice_per = \"wagon\"\n\n").replacen("servers = 1\n", "servers = 1\nservice_per = \"pallet\"\n", 1), &["nodes[0].service_per", "\"pallet\"", "\"wagon\""]);
    rejects(
        &base.replacen("servers = 1\n", "servers = 1\nberths = 0\n", 1),
        &["nodes[0].berths", "0 is not allowed"],
    );
    let svc = shuttle(
        "capacity_teu = 1\nfleet = 5\ndeparture = \"when_full\"\nweather = { daily_probability = 1.5, duration = { dist = \"fixed\", value = \"1h\" } }",
        "{ dist = \"fixed\", value = \"6h\" }",
        "40d",
        1,
    );
    rejects(&svc, &["services[0].weather.daily_probability", "1.5"]);
    rejects(&svc.replace("daily_probability = 1.5", "daily_probability = 0.5").replace("departure = \"when_full\"", "departure = \"when_full\"\nclosures = [{ from = \"2024-01-05 00:00\", to = \"2024-01-04 00:00\" }]"), &["services[0].closures[0].to", "not after"]);
}

/// A full yard stops upstream unloading: carriers wait loaded at their berth, consignments wait
/// at the gate; nothing is lost (conservation with freight on carriers and at gates), and the
/// occupancy never exceeds the capacity.
#[test]
fn full_yard_blocks_upstream_and_loses_nothing() {
    let src = r#"
[scenario]
name = "yard"
horizon = "200d"
warmup = "10d"
replications = 4
seed = 5

[[nodes]]
id = "A"
kind = "station"
servers = "unlimited"
service = { dist = "fixed", value = "0h" }

[[nodes]]
id = "B"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "4h" }
berths = 1
yard_teu = 100

[[nodes]]
id = "C"
kind = "station"
servers = "unlimited"
service = { dist = "fixed", value = "1h" }

[[services]]
id = "feeder"
mode = "sea"
from = "A"
to = "B"
capacity_teu = 50
fleet = 3
departure = "when_full"
unloading = { dist = "fixed", value = "2h" }
travel = { dist = "fixed", value = "10h" }
return_trip = { dist = "fixed", value = "10h" }

[[links]]
from = "B"
to = "C"
time = { dist = "fixed", value = "5h" }

[[flows]]
id = "boxes"
route = ["A", "feeder", "B", "C"]
arrivals = { dist = "exponential", mean = "3h" }
teu = 10

[[flows]]
id = "local"
route = ["B", "C"]
arrivals = { dist = "exponential", mean = "2d" }
teu = 10
"#;
    let m = model(src);
    let out = run(&m);
    for rep in &out.reps {
        let c = value(rep, "corridor", "yard", "created");
        assert_eq!(
            c,
            value(rep, "corridor", "yard", "delivered")
                + value(rep, "corridor", "yard", "in_system_end")
        );
        assert!(value(rep, "yard", "B", "occupancy_max") <= 100.0);
        for f in &m.flows {
            let parts = transit_parts(rep, &f.id);
            let t = value(rep, "flow", &f.id, "transit_mean");
            assert!((parts - t).abs() <= 1e-9 * t, "{}: {parts} vs {t}", f.id);
        }
    }
    // B serves one 10-TEU box per 4 h on average, while 10 TEU arrive every 3 h: the yard fills,
    // blocks the feeder at its berth, and the queue moves upstream to A.
    assert!(summary(&out.summary, "yard", "B", "blocked_share").mean > 0.5);
    assert!(summary(&out.summary, "yard", "B", "occupancy_mean").mean > 80.0);
    assert!(summary(&out.summary, "service", "feeder", "carrier_delay_mean").mean > 10.0);
    assert!(summary(&out.summary, "corridor", "yard", "in_system_end").min > 100.0);
    // Without the yard limit, nothing blocks.
    let open = run(&model(&src.replace("yard_teu = 100\n", "")));
    assert!(summary(&open.summary, "service", "feeder", "carrier_delay_mean").mean < 1e-9);

    rejects(
        &src.replace("yard_teu = 100", "yard_teu = 40"),
        &["nodes[1].yard_teu", "full carrier of service \"feeder\""],
    );
    rejects(
        &src.replace("yard_teu = 100", "yard_teu = 0"),
        &["nodes[1].yard_teu", "0 is not allowed"],
    );
}

/// Pipelines: a continuous flow at min(demand, capacity), delivered one transit later, stopped
/// by outages (hand-computed without outages).
#[test]
fn pipeline_throughput_and_utilisation() {
    let src = "[scenario]\nname = \"p\"\nhorizon = \"110d\"\nwarmup = \"10d\"\nreplications = 3\n\
        [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"1h\" }\n\
        [[flows]]\nid = \"f\"\nroute = [\"A\"]\narrivals = { dist = \"fixed\", value = \"3h\" }\n\
        [[pipelines]]\nid = \"btc\"\nfrom = \"Baku\"\nto = \"Ceyhan\"\nunit = \"bbl\"\ncapacity_per_day = 1000000\ndemand_per_day = 800000\ntransit = \"10d\"\n";
    let out = run(&model(src));
    let s = |m: &str| summary(&out.summary, "pipeline", "btc", m).mean;
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(near(s("delivered"), 80_000_000.0));
    assert!(near(s("throughput"), 800_000.0));
    assert!(near(s("utilisation"), 0.8));
    assert_eq!(s("outage_share"), 0.0);
    // Demand above capacity is capped; without warm-up the first 10 days deliver nothing.
    let out = run(&model(
        &src.replace("demand_per_day = 800000", "demand_per_day = 1500000")
            .replace("warmup = \"10d\"\n", ""),
    ));
    let tp = summary(&out.summary, "pipeline", "btc", "throughput").mean;
    assert!((tp - 1_000_000.0 * 100.0 / 110.0).abs() < 1e-6, "{tp}");
    // Outages cut throughput in proportion.
    let out = run(&model(&format!(
        "{src}outages = {{ daily_probability = 0.5, duration = {{ dist = \"fixed\", value = \"12h\" }} }}\n"
    )));
    let u = summary(&out.summary, "pipeline", "btc", "utilisation").mean;
    let o = summary(&out.summary, "pipeline", "btc", "outage_share").mean;
    assert!(o > 0.15 && o < 0.3, "{o}");
    assert!(
        (u - 0.8 * (1.0 - o)).abs() < 0.03,
        "{u} vs {}",
        0.8 * (1.0 - o)
    );
    rejects(
        &src.replace("capacity_per_day = 1000000", "capacity_per_day = -5"),
        &["pipelines[0].capacity_per_day", "-5"],
    );
    rejects(
        &src.replace("unit = \"bbl\"", "unit = \"m3\""),
        &["pipelines[0].unit", "\"m3\""],
    );
}

/// Regression: a yard at a carrier's boarding node is freed when the carrier departs with its
/// load (it once never was, so the yard filled and the corridor deadlocked).
#[test]
fn boarding_yard_is_freed_when_the_carrier_departs() {
    let src = shuttle(
        "capacity_teu = 10\nfleet = 2\ndeparture = \"when_full\"\nreturn_trip = { dist = \"fixed\", value = \"1h\" }",
        "{ dist = \"exponential\", mean = \"1h\" }",
        "200d",
        2,
    )
    .replace("id = \"A\"\nkind = \"station\"", "id = \"A\"\nkind = \"station\"\nyard_teu = 30");
    let out = run(&model(&src));
    // About one a day per hour for 190 days: everything flows, the yard never stays full.
    let d = summary(&out.summary, "flow", "f", "delivered_consignments");
    assert!(d.min > 4000.0, "{d:?}");
    assert!(summary(&out.summary, "yard", "A", "occupancy_mean").mean < 10.0);
    assert!(summary(&out.summary, "corridor", "s", "in_system_end").max < 40.0);
}

/// when_full with indivisible consignments: a carrier leaves when the next consignment would not
/// fit (two 100-TEU trains on a 225-TEU vessel), not only when the TEU reach the capacity.
#[test]
fn when_full_counts_a_carrier_full_when_the_next_does_not_fit() {
    let src = shuttle(
        "capacity_teu = 225\nfleet = 10\ndeparture = \"when_full\"\nreturn_trip = { dist = \"fixed\", value = \"1h\" }",
        "{ dist = \"fixed\", value = \"10h\" }",
        "100d",
        1,
    )
    .replace("arrivals = { dist = \"fixed\", value = \"10h\" }", "arrivals = { dist = \"fixed\", value = \"10h\" }\nteu = 100");
    let out = run(&model(&src));
    // Trains at 10 h, 20 h, 30 h: the third does not fit beside the first two, so the vessel
    // leaves at 30 h with two; each train waits 10 h on average (20, 10; then 20, 10, ...).
    let w = summary(&out.summary, "service", "svc", "carrier_wait_mean");
    assert!((w.mean - 15.0).abs() < 0.5, "{w:?}");
    let lf = summary(&out.summary, "service", "svc", "load_factor");
    assert!((lf.mean - 200.0 / 225.0).abs() < 1e-9, "{lf:?}");
}

/// Bogie exchange per wagon, and carrier handling per TEU on board.
#[test]
fn per_wagon_service_and_per_teu_handling() {
    let src = "[scenario]\nname = \"g\"\nhorizon = \"30d\"\nreplications = 1\n\
        [[nodes]]\nid = \"gauge\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"6m\" }\nservice_per = \"wagon\"\nteu_per_wagon = 3\n\
        [[flows]]\nid = \"f\"\nroute = [\"gauge\"]\narrivals = { dist = \"fixed\", value = \"1d\" }\nteu = 100\n";
    // 100 TEU on 3-TEU wagons: 34 wagons x 6 min.
    let out = run(&model(src));
    assert!((value(&out.reps[0], "flow", "f", "transit_mean") - 3.4).abs() < 1e-9);
    rejects(
        &src.replace("teu_per_wagon = 3\n", ""),
        &["needs `teu_per_wagon`"],
    );
    rejects(
        &src.replace("service_per = \"wagon\"\n", ""),
        &[
            "nodes[0].teu_per_wagon",
            "only used with service_per = \"wagon\"",
        ],
    );

    let ship = shuttle(
        "capacity_teu = 200\nfleet = 3\ndeparture = \"when_full\"\nloading = { dist = \"fixed\", value = \"1m\" }\nhandling_per = \"teu\"\n\
         unloading = { dist = \"fixed\", value = \"30s\" }\nreturn_trip = { dist = \"fixed\", value = \"1h\" }",
        "{ dist = \"fixed\", value = \"1h\" }",
        "30d",
        1,
    )
    .replace("arrivals = { dist = \"fixed\", value = \"1h\" }", "arrivals = { dist = \"fixed\", value = \"1h\" }\nteu = 100");
    let out = run(&model(&ship));
    // Two 100-TEU trains per vessel: 200 min loading + 100 min unloading = 5 h handling each.
    assert!((value(&out.reps[0], "flow", "f", "handling") - 5.0).abs() < 1e-9);
    rejects(
        &ship.replace("handling_per = \"teu\"", "handling_per = \"wagon\""),
        &["services[0].handling_per", "\"wagon\""],
    );
}

/// A service with a headway holds loaded carriers for their paths; the held count is reported.
#[test]
fn service_headway_holds_carriers() {
    let src = shuttle(
        "capacity_teu = 1\nfleet = 20\ndeparture = \"when_full\"\nheadway = \"2h\"\nreturn_trip = { dist = \"fixed\", value = \"1h\" }",
        "{ dist = \"exponential\", mean = \"150m\" }",
        "210d",
        4,
    );
    let m = model(&src);
    let mut r = Replication::new(&m, 0);
    let mut sails = Vec::new();
    r.run_observed(|t, ev| {
        if matches!(
            ev,
            Event::Carrier {
                phase: Phase::Arrived,
                ..
            }
        ) {
            sails.push(t); // arrivals = sail + fixed 1 h travel
        }
    })
    .unwrap();
    for w in sails.windows(2) {
        assert!(w[1].ms() - w[0].ms() >= 2 * MS_PER_HOUR, "{w:?}");
    }
    let out = run(&m);
    assert!(summary(&out.summary, "service", "svc", "carriers_held_mean").mean > 0.1);
    assert!(summary(&out.summary, "service", "svc", "carrier_delay_mean").mean > 0.1);
}
