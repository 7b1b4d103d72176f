//! Border crossings: queueing theory, digitisation monotonicity under common random numbers,
//! opening hours, priority and preemption, CAREC indicators on a hand-worked case, bad input.

use std::path::Path;

use corridor::run::run_model;
use corridor::scenario::resolve;

use crate::cli::rejects;
use crate::support::*;

fn border_scenario(extra_border: &str, flows: &str, horizon: &str, reps: u32) -> String {
    format!(
        "[scenario]\nname = \"b\"\nhorizon = \"{horizon}\"\nwarmup = \"20d\"\nreplications = {reps}\nseed = 17\n\
         [[nodes]]\nid = \"bcp\"\nkind = \"border\"\n{extra_border}\n{flows}"
    )
}

/// One lane, exponential document processing, every consignment green: an M/M/1 queue.
#[test]
fn single_lane_border_is_mm1() {
    let src = border_scenario(
        "lanes = 1\ndocuments = { dist = \"exponential\", mean = \"1h\" }",
        "[[flows]]\nid = \"f\"\nroute = [\"bcp\"]\narrivals = { dist = \"exponential\", mean = \"75m\" }\n",
        "1020d",
        20,
    );
    let out = run(&model(&src));
    let wq = erlang_c_wq(1, 0.8, 1.0);
    let q = summary(&out.summary, "border", "bcp", "queueing_mean");
    assert!(q.covers(wq), "queueing {q:?} vs M/M/1 Wq {wq}");
    let c = summary(&out.summary, "border", "bcp", "tfi1_time_to_clear");
    assert!(
        c.covers(wq + 1.0),
        "time to clear {c:?} vs M/M/1 W {}",
        wq + 1.0
    );
    let u = summary(&out.summary, "border", "bcp", "lane_utilisation");
    assert!((u.mean - 0.8).abs() < 0.01, "{u:?}");
    assert_eq!(
        summary(&out.summary, "border", "bcp", "inspected_share").max,
        0.0
    );
}

/// A border with every stage; 2 lanes and 1 bay, at utilisation about 0.7 and 0.5 on paper with
/// one control, always open. Variants with more controls or opening hours replace the counts.
const RICH_BORDER: &str = "lanes = 2\n\
    documents = { dist = \"lognormal\", mean = \"90m\", cv = 0.8 }\n\
    channels = { green = 0.55, yellow = 0.3, red = 0.15 }\n\
    document_check = { dist = \"gamma\", mean = \"2h\", cv = 0.5 }\n\
    inspection = { dist = \"triangular\", min = \"2h\", mode = \"4h\", max = \"10h\" }\n\
    inspection_bays = 1\n\
    technical = { dist = \"uniform\", min = \"1h\", max = \"3h\" }\n\
    technical_tracks = 2";

const UPSTREAM_FLOWS: &str = "[[nodes]]\nid = \"yard\"\nkind = \"station\"\nservers = 1\n\
    service = { dist = \"exponential\", mean = \"50m\" }\n\
    [[links]]\nfrom = \"yard\"\nto = \"bcp\"\ntime = { dist = \"gamma\", mean = \"20h\", cv = 0.3 }\n\
    [[flows]]\nid = \"regular\"\nroute = [\"yard\", \"bcp\"]\narrivals = { dist = \"exponential\", mean = \"2h\" }\n\
    [[flows]]\nid = \"express\"\nroute = [\"yard\", \"bcp\"]\narrivals = { dist = \"exponential\", mean = \"6h\" }\npriority = 1\n";

/// Raising one border's level never increases its mean time to clear, replication by
/// replication, in several scenarios (queueing, two controls with opening hours, joint control,
/// priorities with preemption).
#[test]
fn raising_digitisation_never_increases_time_to_clear() {
    let sized = |lanes: u32, bays: u32| {
        RICH_BORDER
            .replace("lanes = 2", &format!("lanes = {lanes}"))
            .replace("inspection_bays = 1", &format!("inspection_bays = {bays}"))
    };
    let variants = [
        RICH_BORDER.to_string(),
        format!(
            "{}\ncontrols = 2\nhours = [\"Mon-Sat 06:00-22:00\"]\nutc_offset = \"+04:00\"\nholidays = [\"2024-03-21\"]",
            sized(6, 2)
        ),
        format!("{}\ncontrols = 2\njoint_control = true", sized(2, 1)),
        format!(
            "{}\npreemption = true\nhours = [\"Mon-Fri 08:00-20:00\", \"Sat 08:00-14:00\"]",
            sized(5, 2)
        ),
    ];
    for (v, border) in variants.iter().enumerate() {
        let src = border_scenario(border, UPSTREAM_FLOWS, "400d", 6);
        let mut prev: Option<Vec<f64>> = None;
        for level in ["0", "0.25", "0.5", "0.75", "1"] {
            let digitisation = [level.to_string()];
            let m = resolve(Path::new("inline.toml"), &src, &[], &digitisation)
                .unwrap()
                .model;
            let out = run_model(&m, Some(2)).unwrap();
            let clear: Vec<f64> = out
                .reps
                .iter()
                .map(|r| value(r, "border", "bcp", "clear_mean"))
                .collect();
            if let Some(p) = &prev {
                for (rep, (a, b)) in p.iter().zip(&clear).enumerate() {
                    assert!(
                        b <= a,
                        "variant {v}, replication {rep}: level {level} clears in {b:.3} h, the level before in {a:.3} h"
                    );
                }
            }
            prev = Some(clear);
        }
    }
}

/// At the same level, more traffic means more queueing: digitisation is not congestion.
#[test]
fn same_level_more_traffic_more_queueing() {
    let light = border_scenario(RICH_BORDER, UPSTREAM_FLOWS, "400d", 4);
    let heavy = light.replace("mean = \"2h\" }", "mean = \"80m\" }");
    let q = |src: &str| summary(&run(&model(src)).summary, "border", "bcp", "queueing_mean").mean;
    assert!(q(&heavy) > 1.5 * q(&light));
}

/// Arrival at 21:00 local on a Friday at a border open Mon-Fri 08:00-20:00 (UTC+4) whose Monday
/// is a holiday: it is released after 08:00 on Tuesday, the next open day, and the wait is all
/// closed-hours waiting.
#[test]
fn closed_border_holds_until_the_next_open_day() {
    // Sim time 0 = 2024-01-01 00:00 UTC (a Monday) = 04:00 local. Friday 21:00 local = 113 h.
    let src = "[scenario]\nname = \"hours\"\nhorizon = \"9d\"\nreplications = 1\nstart = \"2024-01-01\"\n\
        [[nodes]]\nid = \"bcp\"\nkind = \"border\"\nlanes = 1\ndocuments = { dist = \"fixed\", value = \"1h\" }\n\
        hours = [\"Mon-Fri 08:00-20:00\"]\nutc_offset = \"+04:00\"\nholidays = [\"2024-01-08\"]\n\
        [[flows]]\nid = \"f\"\nroute = [\"bcp\"]\narrivals = { dist = \"fixed\", value = \"113h\" }\n";
    let out = run(&model(src));
    let rep = &out.reps[0];
    // Tuesday 2024-01-09 08:00 local = 04:00 UTC = 196 h; released at 197 h.
    assert_eq!(value(rep, "border", "bcp", "released"), 1.0);
    assert_eq!(value(rep, "border", "bcp", "clear_mean"), 84.0);
    assert_eq!(value(rep, "border", "bcp", "closed_wait_mean"), 83.0);
    assert_eq!(value(rep, "border", "bcp", "queueing_mean"), 0.0);
    assert_eq!(value(rep, "border", "bcp", "document_mean"), 1.0);
    // Without the holiday it opens on Monday at 08:00 local (172 h): cleared in 60 h.
    let out = run(&model(&src.replace("holidays = [\"2024-01-08\"]\n", "")));
    assert_eq!(value(&out.reps[0], "border", "bcp", "clear_mean"), 60.0);
    // In another time zone (UTC+0) the same instant is Friday 17:00: open, cleared in 1 h.
    let out = run(&model(&src.replace("+04:00", "+00:00")));
    assert_eq!(value(&out.reps[0], "border", "bcp", "clear_mean"), 1.0);
}

/// A regular train being processed is interrupted by an express; it resumes afterwards and its
/// time is accounted in full (hand-worked, fixed times).
#[test]
fn preemption_resumes_and_accounts_time() {
    let src = "[scenario]\nname = \"pre\"\nhorizon = \"19h\"\nreplications = 1\n\
        [[nodes]]\nid = \"bcp\"\nkind = \"border\"\nlanes = 1\ndocuments = { dist = \"fixed\", value = \"2h\" }\npreemption = true\n\
        [[flows]]\nid = \"regular\"\nroute = [\"bcp\"]\narrivals = { dist = \"fixed\", value = \"10h\" }\n\
        [[flows]]\nid = \"express\"\nroute = [\"bcp\"]\narrivals = { dist = \"fixed\", value = \"11h\" }\npriority = 1\n";
    // Regular arrives at 10 h and starts; express arrives at 11 h and takes the lane until 13 h;
    // regular resumes its last hour and clears at 14 h.
    let out = run(&model(src));
    let rep = &out.reps[0];
    assert_eq!(value(rep, "flow", "regular", "transit_mean"), 4.0);
    assert_eq!(value(rep, "flow", "express", "transit_mean"), 2.0);
    // Queueing: regular 2 h (11 h to 13 h), express none.
    assert_eq!(value(rep, "border", "bcp", "queueing_mean"), 1.0);
    assert_eq!(value(rep, "border", "bcp", "document_mean"), 2.0);
    assert_eq!(value(rep, "border", "bcp", "clear_mean"), 3.0);
    // Without preemption the express waits for the regular to finish.
    let out = run(&model(&src.replace("preemption = true\n", "")));
    let rep = &out.reps[0];
    assert_eq!(value(rep, "flow", "regular", "transit_mean"), 2.0);
    assert_eq!(value(rep, "flow", "express", "transit_mean"), 3.0);
}

/// With a saturated lane, express trains wait less than regular ones, more so with preemption;
/// in every replication the parts of the time to clear add up to it.
#[test]
fn priority_classes_and_decomposition() {
    let border = "lanes = 1\ndocuments = { dist = \"exponential\", mean = \"1h\" }";
    let flows = "[[flows]]\nid = \"regular\"\nroute = [\"bcp\"]\narrivals = { dist = \"exponential\", mean = \"2h\" }\n\
        [[flows]]\nid = \"express\"\nroute = [\"bcp\"]\narrivals = { dist = \"exponential\", mean = \"171m\" }\npriority = 1\n";
    let mut express_wait = Vec::new();
    for extra in ["", "\npreemption = true"] {
        let src = border_scenario(&format!("{border}{extra}"), flows, "420d", 6);
        let out = run(&model(&src));
        let reg = summary(&out.summary, "flow", "regular", "transit_mean");
        let exp = summary(&out.summary, "flow", "express", "transit_mean");
        assert!(
            exp.mean + exp.ci95 < reg.mean - reg.ci95,
            "express {exp:?} vs regular {reg:?}"
        );
        express_wait.push(exp.mean);
        for rep in &out.reps {
            let parts: f64 = [
                "queueing_mean",
                "closed_wait_mean",
                "document_mean",
                "inspection_mean",
                "technical_mean",
            ]
            .iter()
            .map(|m| value(rep, "border", "bcp", m))
            .sum();
            let clear = value(rep, "border", "bcp", "clear_mean");
            assert!((parts - clear).abs() < 1e-9 * clear, "{parts} vs {clear}");
        }
    }
    assert!(
        express_wait[1] < express_wait[0],
        "preemption should help the express: {express_wait:?}"
    );
}

/// CAREC CPMM indicators on a hand-worked case (fixed times, no queueing):
/// A (1 h) --100 km, 2 h--> border B (documents 3 h + technical 1 h) --50 km, 1 h--> C (0 h).
#[test]
fn carec_indicators_match_hand_computation() {
    let src = "[scenario]\nname = \"cpmm\"\nhorizon = \"10d\"\nwarmup = \"1d\"\nreplications = 2\n\
        [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"1h\" }\n\
        [[nodes]]\nid = \"B\"\nkind = \"border\"\nlanes = 1\ndocuments = { dist = \"fixed\", value = \"3h\" }\ntechnical = { dist = \"fixed\", value = \"1h\" }\n\
        [[nodes]]\nid = \"C\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"0h\" }\n\
        [[links]]\nfrom = \"A\"\nto = \"B\"\ntime = { dist = \"fixed\", value = \"2h\" }\ndistance_km = 100\n\
        [[links]]\nfrom = \"B\"\nto = \"C\"\ntime = { dist = \"fixed\", value = \"1h\" }\ndistance_km = 50\n\
        [[flows]]\nid = \"f\"\nroute = [\"A\", \"B\", \"C\"]\narrivals = { dist = \"fixed\", value = \"24h\" }\n";
    let out = run(&model(src));
    let s = |scope: &str, id: &str, m: &str| summary(&out.summary, scope, id, m).mean;
    // Transit 1 + 2 + 4 + 1 + 0 = 8 h, of which 3 h moving, over 150 km.
    assert_eq!(s("flow", "f", "transit_mean"), 8.0);
    assert_eq!(s("flow", "f", "distance"), 150.0);
    assert_eq!(s("flow", "f", "speed_without_delay"), 50.0);
    assert_eq!(s("flow", "f", "speed_with_delay"), 18.75);
    assert_eq!(s("border", "B", "tfi1_time_to_clear"), 4.0);
    // Section A->B: 100 km in 2 h moving, 6 h from leaving A to leaving B.
    assert_eq!(s("section", "A->B", "speed_without_delay"), 50.0);
    assert_eq!(s("section", "A->B", "speed_with_delay"), 100.0 / 6.0);
    assert_eq!(s("section", "B->C", "speed_with_delay"), 50.0);
}

/// Little's law and conservation hold at borders too.
#[test]
fn little_and_conservation_at_borders() {
    let src = border_scenario(
        &format!(
            "{}\ncontrols = 2\nhours = [\"Mon-Sat 06:00-22:00\"]\npreemption = true",
            RICH_BORDER
                .replace("lanes = 2", "lanes = 6")
                .replace("inspection_bays = 1", "inspection_bays = 2")
        ),
        UPSTREAM_FLOWS,
        "730d",
        4,
    );
    let m = model(&src);
    let out = run(&m);
    for rep in &out.reps {
        for n in &m.nodes {
            let l = value(rep, "node", &n.id, "wip_mean");
            let lw = value(rep, "node", &n.id, "arrival_rate") / 24.0
                * value(rep, "node", &n.id, "sojourn_mean");
            assert!(
                (l - lw).abs() / l < 0.02,
                "node {}: L {l} vs lambda W {lw}",
                n.id
            );
        }
        let c = value(rep, "corridor", "b", "created");
        assert_eq!(
            c,
            value(rep, "corridor", "b", "delivered") + value(rep, "corridor", "b", "in_system_end")
        );
    }
}

const BAD_BASE: &str = "[scenario]\nname = \"bad\"\nhorizon = \"30d\"\n\
    [[nodes]]\nid = \"bcp\"\nkind = \"border\"\nlanes = 1\ndocuments = { dist = \"fixed\", value = \"1h\" }\n\
    channels = { green = 0.7, yellow = 0.2, red = 0.1 }\ndocument_check = { dist = \"fixed\", value = \"1h\" }\n\
    inspection = { dist = \"fixed\", value = \"3h\" }\nhours = [\"Mon-Sat 08:00-20:00\"]\ndigitisation = \"paper\"\n\
    [[flows]]\nid = \"f\"\nroute = [\"bcp\"]\narrivals = { dist = \"fixed\", value = \"2h\" }\n";

#[test]
fn border_bad_input() {
    rejects(
        &BAD_BASE.replace("\"paper\"", "1.5"),
        &[
            "nodes[0].digitisation",
            "1.5 is outside [0, 1]",
            "single_window",
        ],
    );
    rejects(
        &BAD_BASE.replace("\"paper\"", "\"digital\""),
        &["unknown digitisation level \"digital\"", "pre_arrival"],
    );
    rejects(
        &BAD_BASE.replace("red = 0.1", "red = 0.2"),
        &["nodes[0].channels", "must add up to 1"],
    );
    rejects(
        &BAD_BASE.replace("08:00-20:00", "8am-8pm"),
        &["nodes[0].hours[0]", "\"Mon-Sat 8am-8pm\"", "HH:MM"],
    );
    rejects(
        &BAD_BASE.replace("Mon-Sat", "Mon-Sam"),
        &["unknown day \"Sam\""],
    );
    rejects(
        &BAD_BASE.replace("lanes = 1", "lanes = 0"),
        &["nodes[0].lanes", "0 is not allowed"],
    );
    rejects(
        &BAD_BASE.replace("lanes = 1", "lanes = 1\nservers = 2"),
        &["`servers` is not a field of a `border` node"],
    );
    rejects(
        &BAD_BASE.replace("inspection = { dist = \"fixed\", value = \"3h\" }\n", ""),
        &["needs `inspection`"],
    );
    rejects(
        &format!("{BAD_BASE}[digitisation]\nlevel = \"paper\"\nred_factor = 2.0\n"),
        &["digitisation.red_factor", "2 is not allowed"],
    );
    rejects(
        &BAD_BASE.replace("[scenario]", "[scenario]\nstart = \"2024-13-01\""),
        &["scenario.start", "not a date"],
    );
    rejects(
        &BAD_BASE.replace("lanes = 1", "lanes = 1\ncontrols = 0"),
        &["nodes[0].controls", "0 is not allowed"],
    );
    rejects(
        &BAD_BASE.replace("lanes = 1", "lanes = 1\nutc_offset = \"4h\""),
        &["nodes[0].utc_offset", "+HH:MM"],
    );
    rejects(
        &BAD_BASE.replace("lanes = 1", "lanes = 1\nholidays = [\"2024-02-30\"]"),
        &["nodes[0].holidays[0]", "not a date"],
    );
    rejects(
        &BAD_BASE.replace(
            "lanes = 1",
            "lanes = 1\nclosures = [{ from = \"2024-03-02 00:00\", to = \"2024-03-01 00:00\" }]",
        ),
        &["nodes[0].closures[0].to", "not after"],
    );
    rejects(
        &BAD_BASE.replace("value = \"2h\" }\n", "value = \"2h\" }\npriority = 12\n"),
        &["flows[0].priority", "12 is not allowed"],
    );
    // And the command-line override.
    let (dir, _) = crate::cli::workdir(BAD_BASE);
    for (arg, msg) in [
        ("2", "outside [0, 1]"),
        ("nope=0.5", "no border node has id \"nope\""),
        ("digital", "unknown digitisation level"),
    ] {
        let o = crate::cli::corridor(&["run", "s.toml", "--digitisation", arg], dir.path());
        assert_eq!(o.status.code(), Some(2), "{arg}");
        assert!(
            crate::cli::stderr(&o).contains(msg),
            "{}",
            crate::cli::stderr(&o)
        );
    }
    assert!(!dir.path().join("results").exists());
    let o = crate::cli::corridor(
        &["run", "s.toml", "-q", "--digitisation", "bcp=single_window"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", crate::cli::stderr(&o));
}
