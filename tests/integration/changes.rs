//! Dated capacity changes (`[[changes]]`): hand-worked deterministic cases for what happens to
//! work in progress at a change, M/M/1 becoming M/M/2 against Erlang C, utilisation over a
//! changing capacity, and the errors.

use std::path::Path;

use corridor::scenario;

use crate::support::*;

/// The first replication's value of a metric.
fn first(src: &str, scope: &str, id: &str, metric: &str) -> f64 {
    let out = run(&model(src));
    value(&out.reps[0], scope, id, metric)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Two stations in a row; `A` has `a` (its fields), consignments every hour from 1 h, one
/// replication to 8 h, and `extra` appended (the changes).
fn line(a: &str, extra: &str) -> String {
    format!(
        r#"[scenario]
name = "changes"
horizon = "8h"
replications = 1
period = "4h"

[[nodes]]
id = "A"
kind = "station"
{a}

[[nodes]]
id = "B"
kind = "station"
servers = "unlimited"
service = {{ dist = "fixed", value = "0s" }}

[[flows]]
id = "f"
route = ["A", "B"]
arrivals = {{ dist = "fixed", value = "1h" }}
teu = 2
{extra}"#
    )
}

const TWO_SERVERS: &str = "servers = 2\nservice = { dist = \"fixed\", value = \"3h\" }";
const DOWN_TO_ONE: &str =
    "[[changes]]\ndate = \"2024-01-01 02:30\"\nelement = \"A\"\nset = { servers = 1 }\n";

/// Two servers, 3 h each, arrivals at 1, 2, 3... h; at 2:30 one server is removed. Both busy
/// servers finish (at 4 and 5 h); the one freed at 4 h retires, so #3 starts at 5 h (wait
/// 2 h) and #4 at 8 h (wait 4 h): waits 0, 0, 2, 4, mean 1.5 h. Busy servers: 1 over [1,2],
/// 2 over [2,4], 1 over [4,8]: 9 h; servers: 2 over [0,2.5], 1 after: 10.5 h; utilisation
/// 9/10.5. In the 4 h bins: 5/6.5 and 4/4.
#[test]
fn a_removed_server_finishes_its_job_and_starts_no_new_one() {
    let src = line(TWO_SERVERS, DOWN_TO_ONE);
    let out = run(&model(&src));
    let rep = &out.reps[0];
    assert!(close(value(rep, "node", "A", "wait_mean"), 1.5));
    assert!(close(value(rep, "node", "A", "busy_mean"), 9.0 / 8.0));
    assert!(close(value(rep, "node", "A", "utilisation"), 9.0 / 10.5));
    // The time bins divide by the servers of each bin, not by the final count.
    let s = &rep.series;
    let k = s
        .keys
        .iter()
        .position(|k| k.scope == "node" && k.id == "A" && k.metric == "utilisation")
        .unwrap();
    let n = s.binning.count();
    assert_eq!(n, 2);
    let bins = &s.values[k * n..(k + 1) * n];
    assert!((bins[0] as f64 - 5.0 / 6.5).abs() < 1e-6, "{bins:?}");
    assert!((bins[1] as f64 - 1.0).abs() < 1e-6, "{bins:?}");
    // Without the change: #3 to #6 start at 4, 5, 7 and 8 h: waits 0, 0, 1, 1, 2, 2.
    let without = first(&line(TWO_SERVERS, ""), "node", "A", "wait_mean");
    assert!(close(without, 1.0));
}

/// One server, 3 h each; at 3:30 two servers more: #2 (waiting since 2 h) and #3 (since 3 h)
/// start at once (waits 1.5 h and 0.5 h); #4 finds the server #1 frees at 4 h; #5 (5 h) and
/// #6 (6 h) wait for #2 and #3 to end at 6:30 (1.5 h, 0.5 h); #7 takes #4's server at 7 h;
/// #8 (8 h) has not started by the horizon. Seven starts, waits 4 h in all.
#[test]
fn added_servers_start_waiting_work_at_once() {
    let one = "servers = 1\nservice = { dist = \"fixed\", value = \"3h\" }";
    let up = "[[changes]]\ndate = \"2024-01-01 03:30\"\nelement = \"A\"\nset = { servers = 3 }\n";
    assert!(close(
        first(&line(one, up), "node", "A", "wait_mean"),
        4.0 / 7.0
    ));
}

/// A yard of 6 TEU (2 TEU per consignment, 5 h at the station) shrinks to 2 TEU at 2:30
/// holding 4: nothing leaves, #3 waits at the gate from 3 h until #1 and #2 have left (7 h).
/// Admissions' waits 0, 0, 4 h; occupancy 22 TEU·h over [0,8] against 26 TEU·h of capacity.
#[test]
fn a_smaller_yard_blocks_new_admissions_only() {
    let a = "servers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"5h\" }\nyard_teu = 6";
    let shrink =
        "[[changes]]\ndate = \"2024-01-01 02:30\"\nelement = \"A\"\nset = { yard_teu = 2 }\n";
    let out = run(&model(&line(a, shrink)));
    let rep = &out.reps[0];
    assert!(close(value(rep, "yard", "A", "occupancy_max"), 4.0));
    assert!(close(
        value(rep, "yard", "A", "blocked_wait_mean"),
        4.0 / 3.0
    ));
    assert!(close(
        value(rep, "yard", "A", "occupancy_share"),
        22.0 / 26.0
    ));
}

/// A service of 1-TEU carriers leaving when full, 10 h out and back, fleet 3; consignments
/// every hour from 1 h. At 2:30 the fleet is cut to 1 with two carriers away: the idle one is
/// retired at once, the first back (11 h) is retired, the second (12 h) takes #3 (waited 9 h),
/// back at 22 h it takes #4 (waited 18 h). Departures 1, 2, 12, 22 h; carriers away
/// 32 carrier·h over 24 h against 37.5 carrier·h in service.
#[test]
fn a_fleet_cut_retires_idle_carriers_first_then_those_coming_back() {
    let src = r#"[scenario]
name = "fleet"
horizon = "24h"
replications = 1

[[nodes]]
id = "P"
kind = "station"
servers = "unlimited"
service = { dist = "fixed", value = "0s" }

[[nodes]]
id = "Q"
kind = "station"
servers = "unlimited"
service = { dist = "fixed", value = "0s" }

[[services]]
id = "ship"
mode = "sea"
from = "P"
to = "Q"
capacity_teu = 1
fleet = 3
departure = "when_full"
travel = { dist = "fixed", value = "10h" }

[[flows]]
id = "f"
route = ["P", "ship", "Q"]
arrivals = { dist = "fixed", value = "1h" }

[[changes]]
date = "2024-01-01 02:30"
element = "ship"
set = { fleet = 1 }
note = "two carriers laid up"
"#;
    let out = run(&model(src));
    let rep = &out.reps[0];
    assert!(close(value(rep, "service", "ship", "departures"), 4.0));
    assert!(close(
        value(rep, "service", "ship", "carrier_wait_mean"),
        27.0 / 4.0
    ));
    assert!(close(
        value(rep, "service", "ship", "fleet_away_mean"),
        32.0 / 24.0
    ));
    assert!(close(
        value(rep, "service", "ship", "fleet_utilisation"),
        32.0 / 37.5
    ));
    // Growing back to 3 at 12:30 keeps no one waiting: two idle carriers join at once and
    // leave with #4 and #5 (their waits 8.5 and 7.5 h).
    let grow = format!(
        "{src}\n[[changes]]\ndate = \"2024-01-01 12:30\"\nelement = \"ship\"\nset = {{ fleet = 3 }}\n"
    );
    let out = run(&model(&grow));
    let deps = value(&out.reps[0], "service", "ship", "departures");
    // 1, 2, 12, 12:30 (x2), then 13 .. 21 on arrival, 22 (back from 12 h) and so on.
    assert!(deps > 4.0 + 2.0, "{deps}");
}

/// A service of 2-TEU carriers leaving when full (fleet 10): departures at 2, 4 h; from 4:30
/// carriers carry 1 TEU: departures at 5, 6, 7, 8 h. Load factors all 1.
#[test]
fn a_new_capacity_applies_to_departures_after_the_date() {
    let src = r#"[scenario]
name = "cap"
horizon = "8h"
replications = 1

[[nodes]]
id = "P"
kind = "station"
servers = "unlimited"
service = { dist = "fixed", value = "0s" }

[[nodes]]
id = "Q"
kind = "station"
servers = "unlimited"
service = { dist = "fixed", value = "0s" }

[[services]]
id = "train"
mode = "rail"
from = "P"
to = "Q"
capacity_teu = 2
fleet = 10
departure = "when_full"
travel = { dist = "fixed", value = "1h" }

[[flows]]
id = "f"
route = ["P", "train", "Q"]
arrivals = { dist = "fixed", value = "1h" }

[[changes]]
date = "2024-01-01 04:30"
element = "train"
set = { capacity_teu = 1 }
"#;
    let rep = &run(&model(src)).reps[0];
    assert!(close(value(rep, "service", "train", "departures"), 6.0));
    assert!(close(value(rep, "service", "train", "load_factor"), 1.0));
    assert!(close(value(rep, "service", "train", "teu_carried"), 8.0));
}

/// A link's headway of 1 h becomes 2 h at 2:30 (and its time 5 h becomes 1 h): consignments
/// leave `A` at 1, 2, 3 ... 8 h (no service time); #1 and #2 enter at once, #3 is the first
/// spaced by the new headway: 2 h after #2's entry, at 4 h, then #4 at 6 h ... #8 at 14 h.
/// Path waits 0, 0, 1, 2, 3, 4, 5, 6 h; headways taken 1 + 1 + 6 x 2 = 14 h over 8 h.
#[test]
fn a_new_link_time_and_headway_apply_to_entries_after_the_date() {
    let src = format!(
        "{}\n[[links]]\nfrom = \"A\"\nto = \"B\"\ntime = {{ dist = \"fixed\", value = \"5h\" }}\nheadway = \"1h\"\n\
         [[changes]]\ndate = \"2024-01-01 02:30\"\nelement = \"A->B\"\nset = {{ time = {{ dist = \"fixed\", value = \"1h\" }}, headway = \"2h\" }}\n",
        line(
            "servers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"0s\" }",
            ""
        )
    );
    let rep = &run(&model(&src)).reps[0];
    let id = "A->B";
    assert!(close(value(rep, "link", id, "entries"), 8.0));
    assert!(close(value(rep, "link", id, "path_wait_mean"), 21.0 / 8.0));
    assert!(close(
        value(rep, "link", id, "path_utilisation"),
        14.0 / 8.0
    ));
    // The new time: #1 (entered 1 h, 5 h) reaches B at 6 h, #3 (entered 4 h, 1 h) at 5 h.
    let transit = value(rep, "flow", "f", "transit_mean");
    // Delivered by 8 h: #1 (5 h), #2 (5 h), #3 (2 h: 1 h path wait, 1 h travel), #4 (6 h to
    // 7 h: 3 h).
    assert!(close(transit, (5.0 + 5.0 + 2.0 + 3.0) / 4.0), "{transit}");
}

/// M/M/1 at load 0.8 (service 0.8 h, arrivals every hour) gets a second server on day 20;
/// after a warm-up to day 40 the mean wait is M/M/2's (Erlang C), within its interval.
#[test]
fn mm1_doubling_its_servers_waits_as_mm2_after_the_change() {
    let src = r#"[scenario]
name = "mm1-to-mm2"
horizon = "1000d"
warmup = "40d"
replications = 20
seed = 5

[[nodes]]
id = "n"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "0.8h" }

[[flows]]
id = "f"
route = ["n"]
arrivals = { dist = "exponential", mean = "1h" }

[[changes]]
date = "2024-01-21"
element = "n"
set = { servers = 2 }
"#;
    let out = run(&model(src));
    let wq = erlang_c_wq(2, 1.0, 1.25);
    let s = summary(&out.summary, "node", "n", "wait_mean");
    assert!(
        s.covers(wq),
        "simulated {} ± {} h, Erlang C {wq} h",
        s.mean,
        s.ci95
    );
    let u = summary(&out.summary, "node", "n", "utilisation");
    assert!(u.covers(0.4) || (u.mean - 0.4).abs() < 0.005, "{u:?}");
}

/// An empty `changes` list changes nothing: same rows, same events.
#[test]
fn an_empty_changes_list_is_byte_identical_to_none() {
    let base = line(TWO_SERVERS, "");
    let a = run(&model(&base));
    let b = run(&model(&format!("changes = []\n{base}")));
    assert_eq!(a.events, b.events);
    for (x, y) in a.reps.iter().zip(&b.reps) {
        assert_eq!(x.rows.len(), y.rows.len());
        for (p, q) in x.rows.iter().zip(&y.rows) {
            assert_eq!(
                (&p.id, p.metric, p.value.to_bits()),
                (&q.id, q.metric, q.value.to_bits())
            );
        }
        assert_eq!(x.series.values, y.series.values);
    }
}

/// The message of a scenario that must not load.
fn error(src: &str) -> String {
    match scenario::parse(Path::new("inline.toml"), src) {
        Ok(_) => panic!("loaded:\n{src}"),
        Err(e) => e.to_string(),
    }
}

fn change(set: &str) -> String {
    line(
        TWO_SERVERS,
        &format!("[[changes]]\ndate = \"2024-01-01 02:00\"\nelement = \"A\"\nset = {{ {set} }}\n"),
    )
}

#[test]
fn bad_changes_are_errors_naming_the_field_the_value_and_the_rule() {
    let e = error(&change("servers = 0"));
    assert!(
        e.contains("changes[0].set.servers") && e.contains("0 is not allowed"),
        "{e}"
    );
    assert!(e.contains("inline.toml:"), "{e}");
    let e = error(&change("fleet = 2"));
    assert!(
        e.contains("changes[0].set.fleet") && e.contains("a station"),
        "{e}"
    );
    let e = error(&change("yard_teu = 10"));
    assert!(
        e.contains("changes[0].set.yard_teu") && e.contains("has no yard"),
        "{e}"
    );
    let e = error(&change(""));
    assert!(
        e.contains("changes[0].set") && e.contains("sets nothing"),
        "{e}"
    );
    let e = error(&change("lanes = 2"));
    assert!(e.contains("lanes"), "{e}");
    let bad_element = line(
        TWO_SERVERS,
        "[[changes]]\ndate = \"2024-01-01\"\nelement = \"Z\"\nset = { servers = 1 }\n",
    );
    let e = error(&bad_element);
    assert!(
        e.contains("changes[0].element") && e.contains("\"Z\""),
        "{e}"
    );
    // A change after the horizon is checked but never applies (a shorter run of a timeline).
    let late = line(
        TWO_SERVERS,
        "[[changes]]\ndate = \"2024-01-02\"\nelement = \"A\"\nset = { servers = 1 }\n",
    );
    assert!(model(&late).schedule.is_empty());
    let late_and_bad = late.replace("servers = 1", "servers = 0");
    assert!(error(&late_and_bad).contains("changes[0].set.servers"));
    let early = line(
        TWO_SERVERS,
        "[[changes]]\ndate = \"2023-12-31\"\nelement = \"A\"\nset = { servers = 1 }\n",
    );
    let e = error(&early);
    assert!(
        e.contains("changes[0].date") && e.contains("before the run"),
        "{e}"
    );
    let not_a_date = line(
        TWO_SERVERS,
        "[[changes]]\ndate = \"tomorrow\"\nelement = \"A\"\nset = { servers = 1 }\n",
    );
    assert!(error(&not_a_date).contains("changes[0].date"));
    // A yard change too small for the consignments entering it.
    let yard = line(
        "servers = 1\nservice = { dist = \"fixed\", value = \"1h\" }\nyard_teu = 4",
        "[[changes]]\ndate = \"2024-01-01\"\nelement = \"A\"\nset = { yard_teu = 1 }\n",
    );
    let e = error(&yard);
    assert!(
        e.contains("changes[0].set.yard_teu") && e.contains("2 TEU"),
        "{e}"
    );
}

#[test]
fn a_bad_change_exits_with_code_2_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), change("servers = -1")).unwrap();
    let o = crate::cli::corridor(&["validate", "s.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(crate::cli::stderr(&o).contains("changes[0].set.servers"));
}

/// Offered loads take the worst period of the window: 1.2 consignments per hour of 1 h on two
/// servers (0.6), then on one (1.2) from day 5; a change before the warm-up's end counts
/// from the start of the window.
#[test]
fn offered_loads_take_each_resources_worst_period_in_the_window() {
    let src = |warmup: &str| {
        format!(
            "[scenario]\nname = \"o\"\nhorizon = \"10d\"\nwarmup = \"{warmup}\"\n\
             [[nodes]]\nid = \"n\"\nkind = \"station\"\nservers = 2\nservice = {{ dist = \"fixed\", value = \"1h\" }}\n\
             [[flows]]\nid = \"f\"\nroute = [\"n\"]\narrivals = {{ dist = \"fixed\", value = \"50m\" }}\n\
             [[changes]]\ndate = \"2024-01-06\"\nelement = \"n\"\nset = {{ servers = 1 }}\n\
             [[changes]]\ndate = \"2024-01-08\"\nelement = \"n\"\nset = {{ servers = 4 }}\n"
        )
    };
    let load = |m: &scenario::Model| {
        m.offered_loads()
            .into_iter()
            .find(|l| l.resource == "node \"n\"")
            .unwrap()
            .load
    };
    assert!(close(load(&model(&src("0s"))), 1.2));
    // From day 8 on, only the four servers are in force.
    assert!(close(load(&model(&src("8d"))), 0.3));
}

/// Writes `scenario` and `events.csv` into a fresh folder and loads the scenario from there.
fn with_disruptions(
    scenario: &str,
    csv: &str,
) -> (tempfile::TempDir, Result<scenario::Model, String>) {
    let dir = tempfile::tempdir().unwrap();
    let src = scenario.replacen(
        "[scenario]\n",
        "[scenario]\ndisruptions = \"events.csv\"\n",
        1,
    );
    std::fs::write(dir.path().join("s.toml"), &src).unwrap();
    std::fs::write(dir.path().join("events.csv"), csv).unwrap();
    let m = scenario::parse(&dir.path().join("s.toml"), &src).map_err(|e| e.to_string());
    (dir, m)
}

/// Station `A` (two servers, 3 h each, arrivals every hour) closed from 2:30 to 5:30 by the
/// disruptions file: both consignments in service finish (4 h, 5 h) but nothing starts; at
/// 5:30 #3 and #4 start (waits 2.5 h and 1.5 h). Waits 0, 0, 2.5, 1.5; servers 2, 0, 2 over
/// [0,2.5], [2.5,5.5], [5.5,8]: 10 server-hours against 11 busy ones (the work under way at
/// the closure finished).
#[test]
fn a_closure_from_the_disruptions_file_starts_no_new_work() {
    let csv = "element,from,to,factor,note\nA,2024-01-01 02:30,2024-01-01 05:30,0,strike\n";
    let (_dir, m) = with_disruptions(&line(TWO_SERVERS, ""), csv);
    let m = m.unwrap();
    assert_eq!(m.disruptions.len(), 1);
    assert!(m.data_files.iter().any(|f| f.ends_with("events.csv")));
    let rep = &run(&m).reps[0];
    assert!(close(value(rep, "node", "A", "wait_mean"), 1.0));
    assert!(close(value(rep, "node", "A", "utilisation"), 11.0 / 10.0));
}

/// A cut multiplies the dated capacity, rounded down: 2 servers, cut by half from 2:30 (one
/// server) and a dated change to 3 servers at 4:00 during the cut (floor(1.5) = 1), back to
/// 3 when the cut ends at 6:00. The schedule the run applies says so.
#[test]
fn cuts_multiply_the_dated_capacity_rounded_down() {
    let up = "[[changes]]\ndate = \"2024-01-01 04:00\"\nelement = \"A\"\nset = { servers = 3 }\n";
    let csv = "element,from,to,factor\nA,2024-01-01 02:30,2024-01-01 06:00,0.5\n";
    let (_dir, m) = with_disruptions(&line(TWO_SERVERS, up), csv);
    let m = m.unwrap();
    let servers: Vec<(u64, u32)> = m
        .schedule
        .iter()
        .flat_map(|c| c.settings.iter().map(move |s| (c.at.ms() / 60_000, s)))
        .map(|(t, s)| match s {
            scenario::Setting::Servers { servers, .. } => (t, *servers),
            _ => panic!("{s:?}"),
        })
        .collect();
    assert_eq!(servers, [(150, 1), (360, 3)]);
}

#[test]
fn bad_disruptions_name_the_file_line_and_column() {
    let load = |csv: &str| with_disruptions(&line(TWO_SERVERS, ""), csv).1.unwrap_err();
    let e = load("element,from,to,factor\nA,2024-01-01,2024-01-02,0\nZ,2024-01-01,2024-01-02,0\n");
    assert!(e.contains("events.csv:3:1") && e.contains("\"Z\""), "{e}");
    let e = load("element,from,to,factor\nA,2024-01-01,2024-01-02,1.5\n");
    assert!(
        e.contains("events.csv:2:4") && e.contains("from 0 (closed) to 1"),
        "{e}"
    );
    let e = load("element,from,to,factor\nA,2024-01-02,2024-01-01,0\n");
    assert!(
        e.contains("events.csv:2:3") && e.contains("not after"),
        "{e}"
    );
    let e = load("element,from,to,factor\nA,soon,2024-01-01,0\n");
    assert!(e.contains("events.csv:2:2"), "{e}");
    let e = load("element,start,to,factor\n");
    assert!(
        e.contains("events.csv:1:1") && e.contains("no column \"from\""),
        "{e}"
    );
}

/// A border whose two lanes (3 h of documents per consignment, open around the clock) become
/// one at 2:30: as at a station, both lanes finish their consignment (4 h, 5 h), the lane
/// freed at 4 h retires, #3 starts at 5 h and is released at 8 h: 3 released by the horizon
/// (4 without the change); lane utilisation 9 busy lane-hours over 10.5.
#[test]
fn a_border_losing_a_lane_finishes_its_work_first() {
    let border = "kind = \"border\"\nlanes = 2\ndocuments = { dist = \"fixed\", value = \"3h\" }";
    let src = line(TWO_SERVERS, DOWN_TO_ONE)
        .replace(
            "kind = \"station\"\nservers = 2\nservice = { dist = \"fixed\", value = \"3h\" }",
            border,
        )
        .replace("set = { servers = 1 }", "set = { lanes = 1 }");
    let rep = &run(&model(&src)).reps[0];
    assert!(close(value(rep, "border", "A", "released"), 3.0));
    assert!(close(
        value(rep, "border", "A", "lane_utilisation"),
        9.0 / 10.5
    ));
    assert!(close(value(rep, "node", "A", "utilisation"), 9.0 / 10.5));
    let e = error(&src.replace("set = { lanes = 1 }", "set = { technical_tracks = 2 }"));
    assert!(
        e.contains("changes[0].set.technical_tracks") && e.contains("unlimited"),
        "{e}"
    );
}

/// A feeder line whose weather is given per month.
fn weather(w: &str) -> String {
    format!(
        r#"[scenario]
name = "seasons"
horizon = "120d"
replications = 2

[[nodes]]
id = "P"
kind = "station"
servers = "unlimited"
service = {{ dist = "fixed", value = "0s" }}

[[nodes]]
id = "Q"
kind = "station"
servers = "unlimited"
service = {{ dist = "fixed", value = "0s" }}

[[services]]
id = "ship"
mode = "sea"
from = "P"
to = "Q"
capacity_teu = 10
fleet = 2
departure = "when_full"
travel = {{ dist = "fixed", value = "20h" }}
weather = {w}

[[flows]]
id = "f"
route = ["P", "ship", "Q"]
arrivals = {{ dist = "exponential", mean = "3h" }}
"#
    )
}

/// Twelve equal monthly probabilities draw exactly what the daily probability draws; a
/// stormy winter (0.3 in December to February, 0 otherwise) holds carriers longer than no
/// weather at all and less than 0.3 all year.
#[test]
fn monthly_weather_probabilities_are_drawn_day_by_day() {
    let held = |w: &str| {
        let out = run(&model(&weather(w)));
        summary(&out.summary, "service", "ship", "carrier_delay_mean").mean
    };
    let dur = "duration = { dist = \"fixed\", value = \"12h\" }";
    let daily = held(&format!("{{ daily_probability = 0.3, {dur} }}"));
    let equal = held(&format!(
        "{{ monthly_probability = [{}], {dur} }}",
        ["0.3"; 12].join(", ")
    ));
    assert_eq!(daily.to_bits(), equal.to_bits());
    let winter = held(&format!(
        "{{ monthly_probability = [0.3, 0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3], {dur} }}"
    ));
    let none = held(&format!("{{ daily_probability = 0, {dur} }}"));
    assert!(none < winter && winter < daily, "{none} {winter} {daily}");
    let e = error(&weather(&format!(
        "{{ monthly_probability = [0.3, 0.3], {dur} }}"
    )));
    assert!(
        e.contains("services[0].weather.monthly_probability") && e.contains("2 values"),
        "{e}"
    );
    let e = error(&weather(&format!(
        "{{ daily_probability = 0.1, monthly_probability = [{}], {dur} }}",
        ["0.3"; 12].join(", ")
    )));
    assert!(e.contains("not both"), "{e}");
}

/// A border crossing (documents 2 h, one lane) on a line of one flow every 3 h.
fn crossing(hours: &str) -> String {
    format!(
        r#"[scenario]
name = "seasonal"
horizon = "90d"
replications = 2

[[nodes]]
id = "X"
kind = "border"
lanes = 1
documents = {{ dist = "exponential", mean = "2h" }}
{hours}

[[flows]]
id = "f"
route = ["X"]
arrivals = {{ dist = "exponential", mean = "3h" }}
"#
    )
}

/// A border open Mon-Fri 08:00-16:00 in January (a season) and around the clock otherwise,
/// from Monday 2024-01-01: closed at 07:00 and open at 09:00 on 1 January, closed on
/// Saturday 6 January at noon, open on Saturday 3 February at noon.
#[test]
fn border_hours_follow_the_season_of_each_month() {
    let m = model(&crossing(
        "seasons = [{ months = [1], hours = [\"Mon-Fri 08:00-16:00\"] }]",
    ));
    let h = &m.nodes[0].border().unwrap().hours;
    let at = |day: u64, hour: u64| {
        corridor::engine::SimTime::ZERO + corridor::engine::SimDur::hours(day * 24 + hour)
    };
    assert!(!h.is_open(at(0, 7)));
    assert!(h.is_open(at(0, 9)));
    assert!(!h.is_open(at(5, 12)));
    assert!(h.is_open(at(33, 12)));
    // January: 23 weekdays of 8 h open; 31 x 24 - 23 x 8 = 560 h closed.
    let closed = h.closed_between(at(0, 0), at(31, 0));
    assert_eq!(closed.ms(), 560 * 3_600_000);
}

/// The same hours given as `hours` or as one season of all twelve months give the same
/// results, replication by replication.
#[test]
fn one_season_of_every_month_is_the_same_as_hours() {
    let a = run(&model(&crossing("hours = [\"Mon-Sat 06:00-22:00\"]")));
    let b = run(&model(&crossing(
        "seasons = [{ months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], hours = [\"Mon-Sat 06:00-22:00\"] }]",
    )));
    for (x, y) in a.reps.iter().zip(&b.reps) {
        for (p, q) in x.rows.iter().zip(&y.rows) {
            assert_eq!(
                (p.metric, p.value.to_bits()),
                (q.metric, q.value.to_bits()),
                "{}",
                p.metric
            );
        }
    }
    let e = error(&crossing(
        "seasons = [{ months = [1, 2], hours = [\"Mon-Fri 08:00-16:00\"] }, { months = [2], hours = [\"Sat 08:00-12:00\"] }]",
    ));
    assert!(
        e.contains("nodes[0].seasons[1].months[0]") && e.contains("two seasons"),
        "{e}"
    );
    let e = error(&crossing(
        "seasons = [{ months = [13], hours = [\"Mon 08:00-12:00\"] }]",
    ));
    assert!(
        e.contains("nodes[0].seasons[0].months[0]") && e.contains("13"),
        "{e}"
    );
}

/// A timetable of every 4 h (departures at 4, 8, 12 h) becomes every 2 h at 5:00: departures
/// at 4, 6, 8, 10 and 12 h, the old 8 h and 12 h departures dropped. One TEU every hour from
/// 1 h: 3 TEU at 4 h, then 2 at each of the others (a departure at an hour leaves before that
/// hour's consignment arrives): 11 TEU either way.
#[test]
fn a_new_timetable_applies_to_departures_after_the_date() {
    let src = |change: &str| {
        format!(
            r#"[scenario]
name = "tt"
horizon = "12h"
replications = 1

[[nodes]]
id = "P"
kind = "station"
servers = "unlimited"
service = {{ dist = "fixed", value = "0s" }}

[[nodes]]
id = "Q"
kind = "station"
servers = "unlimited"
service = {{ dist = "fixed", value = "0s" }}

[[services]]
id = "train"
mode = "rail"
from = "P"
to = "Q"
capacity_teu = 10
fleet = 10
departure = "timetable"
every = "4h"
travel = {{ dist = "fixed", value = "1h" }}

[[flows]]
id = "f"
route = ["P", "train", "Q"]
arrivals = {{ dist = "fixed", value = "1h" }}
{change}"#
        )
    };
    let before = &run(&model(&src(""))).reps[0];
    assert!(close(value(before, "service", "train", "departures"), 3.0));
    let change =
        "[[changes]]\ndate = \"2024-01-01 05:00\"\nelement = \"train\"\nset = { every = \"2h\" }\n";
    let after = &run(&model(&src(change))).reps[0];
    assert!(close(value(after, "service", "train", "departures"), 5.0));
    assert!(close(value(after, "service", "train", "teu_carried"), 11.0));
    assert!(close(
        value(after, "service", "train", "missed_departures"),
        0.0
    ));
    // `every` changes timetables only.
    let e = error(&src(change).replace(
        "departure = \"timetable\"\nevery = \"4h\"",
        "departure = \"when_full\"",
    ));
    assert!(
        e.contains("changes[0].set.every") && e.contains("timetable"),
        "{e}"
    );
}

/// A border (one control, documents 10 h, every consignment green) with one consignment a day
/// from day 1; `extra` appended.
fn paper_border(extra: &str) -> String {
    format!(
        r#"[scenario]
name = "paperless"
horizon = "20d"
replications = 1

[[nodes]]
id = "X"
kind = "border"
lanes = 1
documents = {{ dist = "fixed", value = "10h" }}
channels = {{ green = 1.0, yellow = 0.0, red = 0.0 }}

[[flows]]
id = "f"
route = ["X"]
arrivals = {{ dist = "fixed", value = "1d" }}
{extra}"#
    )
}

/// The border goes paperless (level 1, documents x 0.25 by default) at noon on day 10: the
/// consignments of days 1 to 10 clear in 10 h, those of days 11 to 19 in 2.5 h (the one of
/// day 20 is still at the border at the horizon): a mean of (10 x 10 + 9 x 2.5) / 19 h.
#[test]
fn a_new_digitisation_level_applies_to_consignments_arriving_after_the_date() {
    let before = first(&paper_border(""), "border", "X", "clear_mean");
    assert!(close(before, 10.0), "{before}");
    let change = "[[changes]]\ndate = \"2024-01-11 12:00\"\nelement = \"X\"\nset = { digitisation = \"pre_arrival\" }\n";
    let after = first(&paper_border(change), "border", "X", "clear_mean");
    assert!(close(after, 122.5 / 19.0), "{after}");
    let e = error(&paper_border(&change.replace("\"pre_arrival\"", "1.5")));
    assert!(
        e.contains("changes[0].set.digitisation") && e.contains("1.5"),
        "{e}"
    );
    let station = change
        .replace("\"X\"", "\"A\"")
        .replace("2024-01-11 12:00", "2024-01-01 02:00");
    let e = error(&line(TWO_SERVERS, &station));
    assert!(
        e.contains("changes[0].set.digitisation") && e.contains("a station"),
        "{e}"
    );
}

/// A border closed for a holiday by the disruptions file, from noon on 5 January to noon on
/// 8 January (days 4.5 to 7.5 from the start): its lanes go to 0, so the consignments of days
/// 5, 6 and 7 wait for the reopening and then in turn (10 h each), and the queue is gone by
/// day 10. Extra time to clear: 60 + 46 + 32 + 18 + 4 = 160 h over the 19 delivered, each
/// 10 h at the lane.
#[test]
fn a_border_closed_by_the_disruptions_file_holds_arrivals_until_it_reopens() {
    let csv = "element,from,to,factor,note\nX,2024-01-05 12:00,2024-01-08 12:00,0,holiday\n";
    let (_dir, m) = with_disruptions(&paper_border(""), csv);
    let rep = &run(&m.unwrap()).reps[0];
    let clear = value(rep, "border", "X", "clear_mean");
    assert!(close(clear, 350.0 / 19.0), "{clear}");
}

/// The border, open around the clock, keeps customs hours of 12:00-23:00 every day from
/// Monday 8 January (day 7): the consignments of days 1 to 6 clear in 10 h; from day 7 each
/// arrives at midnight, waits for noon and clears at 22:00, 22 h after arriving. 19 delivered
/// (the one of day 20 is still there at the horizon): a mean of (6 x 10 + 13 x 22) / 19 h.
#[test]
fn new_opening_hours_apply_from_their_date() {
    let change = "[[changes]]\ndate = \"2024-01-08\"\nelement = \"X\"\nset = { hours = [\"Mon-Sun 12:00-23:00\"] }\n";
    let clear = first(&paper_border(change), "border", "X", "clear_mean");
    assert!(close(clear, 346.0 / 19.0), "{clear}");
    let e = error(&paper_border(
        &change.replace("\"Mon-Sun 12:00-23:00\"", "\"noon\""),
    ));
    assert!(e.contains("changes[0].set.hours[0]"), "{e}");
    let e = error(&paper_border(
        &change.replace("[\"Mon-Sun 12:00-23:00\"]", "[]"),
    ));
    assert!(
        e.contains("changes[0].set.hours") && e.contains("not allowed"),
        "{e}"
    );
    let station = change
        .replace("\"X\"", "\"A\"")
        .replace("2024-01-08", "2024-01-01 02:00");
    let e = error(&line(TWO_SERVERS, &station));
    assert!(
        e.contains("changes[0].set.hours") && e.contains("a station"),
        "{e}"
    );
}

/// A bad row of the disruptions file of a scenario that `extends` a base still names the
/// file's line and column (they are the data file's, not the merged scenario's).
#[test]
fn a_bad_disruption_under_extends_keeps_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), paper_border("")).unwrap();
    let src = "extends = \"base.toml\"\n[scenario]\ndisruptions = \"events.csv\"\n";
    std::fs::write(dir.path().join("s.toml"), src).unwrap();
    std::fs::write(
        dir.path().join("events.csv"),
        "element,from,to,factor\nX,2024-01-10,2024-01-03,0\n",
    )
    .unwrap();
    let e = scenario::parse(&dir.path().join("s.toml"), src)
        .unwrap_err()
        .to_string();
    assert!(e.contains("events.csv:2:3"), "{e}");
}
