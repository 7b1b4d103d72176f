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
        })
        .unwrap();
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
    })
    .unwrap();
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
            let parts = transit_parts(rep, &f.id);
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
