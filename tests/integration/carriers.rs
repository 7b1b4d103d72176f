//! Carrier services: waits for a carrier against theory, fleet limits, timetables, the transit
//! decomposition, conservation with freight on board, and bad input.

use corridor::engine::SimTime;
use corridor::engine::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE};
use corridor::sim::{Event, Phase, Replication};

use crate::cli::rejects;
use crate::support::*;

/// Two pass-through nodes joined by service `svc` (the caller gives its departure rule).
pub(crate) fn shuttle(service: &str, arrivals: &str, horizon: &str, reps: u32) -> String {
    format!(
        "[scenario]\nname = \"s\"\nhorizon = \"{horizon}\"\nwarmup = \"10d\"\nreplications = {reps}\nseed = 23\n\
         [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = {{ dist = \"fixed\", value = \"0h\" }}\n\
         [[nodes]]\nid = \"B\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = {{ dist = \"fixed\", value = \"0h\" }}\n\
         [[services]]\nid = \"svc\"\nmode = \"rail\"\nfrom = \"A\"\nto = \"B\"\ntravel = {{ dist = \"fixed\", value = \"1h\" }}\n{service}\n\
         [[flows]]\nid = \"f\"\nroute = [\"A\", \"svc\", \"B\"]\narrivals = {arrivals}\n"
    )
}

/// when_full, capacity K, Poisson arrivals at rate lambda, carriers always available: the mean
/// wait for a carrier is (K - 1) / (2 lambda).
#[test]
fn when_full_wait_matches_theory() {
    let src = shuttle(
        "capacity_teu = 10\nfleet = 50\ndeparture = \"when_full\"\nreturn_trip = { dist = \"fixed\", value = \"1h\" }",
        "{ dist = \"exponential\", mean = \"1h\" }",
        "1010d",
        10,
    );
    let out = run(&model(&src));
    let w = summary(&out.summary, "service", "svc", "carrier_wait_mean");
    assert!(w.covers(4.5), "{w:?} vs (K-1)/(2 lambda) = 4.5 h");
    let lf = summary(&out.summary, "service", "svc", "load_factor");
    assert_eq!((lf.min, lf.max), (1.0, 1.0));
    let fw = summary(&out.summary, "flow", "f", "waiting_for_carrier");
    assert!(fw.covers(4.5), "{fw:?}");
}

/// A fixed-interval timetable with Poisson arrivals: the mean wait is half the interval.
#[test]
fn timetable_wait_is_half_the_interval() {
    let src = shuttle(
        "capacity_teu = 1000\nfleet = 3\ndeparture = \"timetable\"\nevery = \"12h\"\nreturn_trip = { dist = \"fixed\", value = \"2h\" }",
        "{ dist = \"exponential\", mean = \"1h\" }",
        "1010d",
        10,
    );
    let out = run(&model(&src));
    let w = summary(&out.summary, "service", "svc", "carrier_wait_mean");
    assert!(w.covers(6.0), "{w:?} vs 6 h");
    // Departures every 12 h in the window [240 h, 24240 h], both ends included.
    let d = summary(&out.summary, "service", "svc", "departures");
    assert_eq!((d.min, d.max), (2001.0, 2001.0));
    assert_eq!(
        summary(&out.summary, "service", "svc", "missed_departures").max,
        0.0
    );
}

/// A fleet of F carriers with round-trip time R never departs more than F per R.
#[test]
fn fleet_limits_departures() {
    // Round trip: loading 2 h + travel 1 h + unloading 3 h + return 4 h = 10 h; F = 2.
    let src = shuttle(
        "capacity_teu = 5\nfleet = 2\ndeparture = \"when_full\"\nloading = { dist = \"fixed\", value = \"2h\" }\n\
         unloading = { dist = \"fixed\", value = \"3h\" }\nreturn_trip = { dist = \"fixed\", value = \"4h\" }",
        "{ dist = \"exponential\", mean = \"30m\" }",
        "110d",
        4,
    );
    let m = model(&src);
    for rep in 0..4 {
        let mut r = Replication::new(&m, rep);
        let mut times = Vec::new();
        r.run_observed(|t, ev| {
            if matches!(
                ev,
                Event::Carrier {
                    phase: Phase::Back,
                    ..
                }
            ) {
                times.push(t);
            }
        });
        // Carriers back in any window of 10 h: at most 2.
        for w in times.windows(3) {
            assert!(
                w[2].ms() - w[0].ms() >= 10 * MS_PER_HOUR,
                "three returns within one round trip: {w:?}"
            );
        }
    }
    let out = run(&m);
    let d = summary(&out.summary, "service", "svc", "departures");
    let bound = 2.0 * 100.0 * 24.0 / 10.0 + 2.0;
    assert!(d.max <= bound, "{d:?} > {bound}");
    assert!(
        d.min >= 0.95 * (bound - 2.0),
        "saturated fleet should run flat out: {d:?}"
    );
    assert!((summary(&out.summary, "service", "svc", "fleet_away_mean").mean - 2.0).abs() < 0.01);
}

/// Weekly timetables depart at the listed local times.
#[test]
fn weekly_timetable_departs_at_listed_times() {
    let src = shuttle(
        "capacity_teu = 100\nfleet = 2\ndeparture = \"timetable\"\ntimes = [\"Tue 06:00\", \"Fri 18:00\"]\nutc_offset = \"+04:00\"\n\
         return_trip = { dist = \"fixed\", value = \"10h\" }",
        "{ dist = \"exponential\", mean = \"5h\" }",
        "60d",
        1,
    );
    let m = model(&src);
    let mut r = Replication::new(&m, 0);
    let mut times: Vec<SimTime> = Vec::new();
    r.run_observed(|t, ev| {
        if matches!(ev, Event::Departure { .. }) {
            times.push(t);
        }
    });
    // Time 0 is Monday 2024-01-01 00:00 UTC = 04:00 local. Tue 06:00 local = 26 h, Fri 18:00
    // local = 4 d 14 h.
    assert_eq!(times[0].ms(), 26 * MS_PER_HOUR);
    assert_eq!(times[1].ms(), 4 * MS_PER_DAY + 14 * MS_PER_HOUR);
    assert_eq!(times[2].ms(), 7 * MS_PER_DAY + 26 * MS_PER_HOUR);
    // Tuesdays at 26 h + k weeks (9 up to 1440 h), Fridays at 110 h + k weeks (8).
    assert_eq!(times.len(), 17);
    for t in &times {
        let local_min = (t.ms() / MS_PER_MINUTE + 4 * 60) % (7 * 24 * 60);
        assert!(
            local_min == 24 * 60 + 6 * 60 || local_min == 4 * 24 * 60 + 18 * 60,
            "{t:?}"
        );
    }
}

/// when_full_or_max_wait: a consignment never waits much longer than max_wait while carriers
/// are available, even when the carrier would take long to fill.
#[test]
fn max_wait_caps_the_wait() {
    let base = |rule: &str| {
        shuttle(
            &format!(
                "capacity_teu = 50\nfleet = 10\n{rule}\nreturn_trip = {{ dist = \"fixed\", value = \"1h\" }}"
            ),
            "{ dist = \"exponential\", mean = \"2h\" }",
            "410d",
            4,
        )
    };
    let full = run(&model(&base("departure = \"when_full\"")));
    let capped = run(&model(&base(
        "departure = \"when_full_or_max_wait\"\nmax_wait = \"24h\"",
    )));
    let wf = summary(&full.summary, "service", "svc", "carrier_wait_mean").mean;
    let wc = summary(&capped.summary, "service", "svc", "carrier_wait_mean").mean;
    assert!((wf - 49.0).abs() < 3.0, "{wf}");
    assert!(wc < 24.0 && wc > 10.0, "{wc}");
    assert!(summary(&capped.summary, "service", "svc", "load_factor").mean < 0.5);
}

const MIXED: &str = r#"
[scenario]
name = "mixed"
horizon = "400d"
warmup = "20d"
replications = 5
seed = 31

[[nodes]]
id = "yard"
kind = "station"
servers = 2
service = { dist = "gamma", mean = "3h", cv = 0.7 }

[[nodes]]
id = "port"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "2h" }

[[nodes]]
id = "alat"
kind = "station"
servers = 2
service = { dist = "lognormal", mean = "4h", cv = 0.5 }

[[nodes]]
id = "bcp"
kind = "border"
lanes = 2
documents = { dist = "exponential", mean = "3h" }
channels = { green = 0.8, yellow = 0.1, red = 0.1 }
document_check = { dist = "fixed", value = "2h" }
inspection = { dist = "fixed", value = "6h" }
hours = ["Mon-Sat 08:00-20:00"]

[[services]]
id = "feeder"
mode = "sea"
from = "port"
to = "alat"
capacity_teu = 225
fleet = 2
departure = "when_full_or_max_wait"
max_wait = "72h"
loading = { dist = "uniform", min = "6h", max = "10h" }
unloading = { dist = "uniform", min = "5h", max = "8h" }
travel = { dist = "triangular", min = "17h", mode = "20h", max = "24h" }
return_trip = { dist = "fixed", value = "22h" }

[[links]]
from = "yard"
to = "port"
time = { dist = "gamma", mean = "30h", cv = 0.3 }

[[links]]
from = "alat"
to = "bcp"
time = { dist = "fixed", value = "9h" }

[[flows]]
id = "trains"
route = ["yard", "port", "feeder", "alat", "bcp"]
arrivals = { dist = "exponential", mean = "8h" }
teu = 50

[[flows]]
id = "local"
route = ["port", "feeder", "alat"]
arrivals = { dist = "exponential", mean = "12h" }
teu = 25
"#;

/// The transit decomposition adds up to the transit time for every flow, in every replication,
/// and conservation holds with consignments on carriers at the horizon.
#[test]
fn decomposition_adds_up_and_freight_is_conserved() {
    let m = model(MIXED);
    let out = run(&m);
    for rep in &out.reps {
        for f in &m.flows {
            let parts: f64 = [
                "moving",
                "waiting_for_carrier",
                "queueing",
                "handling",
                "border",
            ]
            .iter()
            .map(|k| value(rep, "flow", &f.id, k))
            .sum();
            let t = value(rep, "flow", &f.id, "transit_mean");
            assert!(
                (parts - t).abs() <= 1e-9 * t,
                "rep {} flow {}: parts {parts} vs transit {t}",
                rep.replication,
                f.id
            );
        }
        let c = value(rep, "corridor", "mixed", "created");
        let d = value(rep, "corridor", "mixed", "delivered");
        let e = value(rep, "corridor", "mixed", "in_system_end");
        assert_eq!(c, d + e);
    }
    // The feeder matters: trains wait for it, and it carries both flows.
    assert!(summary(&out.summary, "flow", "trains", "waiting_for_carrier").mean > 1.0);
    assert!(summary(&out.summary, "flow", "trains", "border").mean > 3.0);
    assert!(summary(&out.summary, "service", "feeder", "load_factor").mean > 0.3);
}

/// Freight on board at the horizon is still in the system.
#[test]
fn freight_on_carriers_is_counted_in_the_system() {
    let src = shuttle(
        "capacity_teu = 10\nfleet = 1\ndeparture = \"when_full\"\nreturn_trip = { dist = \"fixed\", value = \"1h\" }",
        "{ dist = \"fixed\", value = \"1h\" }",
        "20d",
        1,
    )
    .replace("travel = { dist = \"fixed\", value = \"1h\" }", "travel = { dist = \"fixed\", value = \"100d\" }");
    let out = run(&model(&src));
    let rep = &out.reps[0];
    assert_eq!(value(rep, "corridor", "s", "delivered"), 0.0);
    assert_eq!(
        value(rep, "corridor", "s", "created"),
        value(rep, "corridor", "s", "in_system_end")
    );
}

#[test]
fn service_bad_input() {
    let good = shuttle(
        "capacity_teu = 10\nfleet = 2\ndeparture = \"when_full\"",
        "{ dist = \"fixed\", value = \"1h\" }",
        "30d",
        1,
    );
    assert!(corridor::scenario::parse("x.toml".as_ref(), &good).is_ok());
    rejects(
        &good.replace("[\"A\", \"svc\", \"B\"]", "[\"A\", \"svcx\", \"B\"]"),
        &[
            "flows[0].route[1]",
            "no node or service has id \"svcx\"",
            "svc",
        ],
    );
    rejects(
        &good.replace("capacity_teu = 10", "capacity_teu = 0"),
        &["services[0].capacity_teu", "0 is not allowed"],
    );
    rejects(
        &good.replace(
            "departure = \"when_full\"",
            "departure = \"timetable\"\ntimes = [\"Tue 6am\"]",
        ),
        &["services[0].times[0]", "\"Tue 6am\"", "Tue 06:00"],
    );
    rejects(
        &good.replace(
            "departure = \"when_full\"",
            "departure = \"timetable\"\ntimes = [\"Tue 06:00\"]\nevery = \"12h\"",
        ),
        &["either `every`", "not both"],
    );
    rejects(
        &good.replace(
            "departure = \"when_full\"",
            "departure = \"when_full\"\nmax_wait = \"3h\"",
        ),
        &[
            "services[0].max_wait",
            "only used with departure = \"when_full_or_max_wait\"",
        ],
    );
    rejects(
        &good.replace("departure = \"when_full\"", "departure = \"asap\""),
        &["unknown departure rule \"asap\"", "when_full_or_max_wait"],
    );
    rejects(
        &good.replace("fleet = 2", "fleet = 0"),
        &["services[0].fleet", "0 is not allowed"],
    );
    rejects(
        &good.replace("[\"A\", \"svc\", \"B\"]", "[\"B\", \"svc\", \"A\"]"),
        &["boards at \"A\""],
    );
    rejects(
        &good.replace("[\"A\", \"svc\", \"B\"]", "[\"A\", \"svc\"]"),
        &["ends with service \"svc\""],
    );
    rejects(
        &format!("{good}teu = 11\n"),
        &["flows[0].teu", "does not fit on service \"svc\""],
    );
    rejects(
        &good.replace("mode = \"rail\"", "mode = \"air\""),
        &["unknown mode \"air\""],
    );
    rejects(
        &good
            .replace("id = \"svc\"", "id = \"A\"")
            .replace("\"svc\"", "\"A\""),
        &["already a node id"],
    );
}

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
    });
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
    });
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
        let parts: f64 = [
            "moving",
            "waiting_for_carrier",
            "queueing",
            "handling",
            "border",
        ]
        .iter()
        .map(|k| value(rep, "flow", "f", k))
        .sum();
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
            let parts: f64 = [
                "moving",
                "waiting_for_carrier",
                "queueing",
                "handling",
                "border",
            ]
            .iter()
            .map(|k| value(rep, "flow", &f.id, k))
            .sum();
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
    });
    for w in sails.windows(2) {
        assert!(w[1].ms() - w[0].ms() >= 2 * MS_PER_HOUR, "{w:?}");
    }
    let out = run(&m);
    assert!(summary(&out.summary, "service", "svc", "carriers_held_mean").mean > 0.1);
    assert!(summary(&out.summary, "service", "svc", "carrier_delay_mean").mean > 0.1);
}
