//! `--trace N`: the event log (trace.jsonocel, trace.csv) read back with an independent OCEL 2.0
//! reader (the `process_mining` crate), its times against the run's transit figures, its bytes
//! on one thread and two, and bad values of N.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use process_mining::core::event_data::object_centric::ocel_json::import_ocel_json_path;

use crate::cli::{corridor, stderr};

/// The Middle Corridor with feeder vessels: stations, borders, links and a carrier service, so
/// every kind of event appears; short enough for a test.
fn scenario() -> String {
    format!(
        "{}/scenarios/middle-corridor.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn run_traced(out: &Path, jobs: &str, trace: &str) -> std::process::Output {
    corridor(
        &[
            "run",
            &scenario(),
            "--set",
            "scenario.horizon=120d",
            "--set",
            "scenario.warmup=20d",
            "-r",
            "3",
            "--trace",
            trace,
            "-j",
            jobs,
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        out.parent().unwrap(),
    )
}

/// replications.csv: (replication, scope, id, metric) -> value.
fn replications(dir: &Path) -> HashMap<(u32, String, String, String), f64> {
    let mut r = csv::Reader::from_path(dir.join("replications.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (rep, scope, id, metric, value) = (
        col("replication"),
        col("scope"),
        col("id"),
        col("metric"),
        col("value"),
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                (
                    rec[rep].parse().unwrap(),
                    rec[scope].to_string(),
                    rec[id].to_string(),
                    rec[metric].to_string(),
                ),
                rec[value].parse().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

#[test]
fn the_log_is_ocel_2_and_reproduces_the_transit_times_of_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("traced");
    let o = run_traced(&out, "1", "2");
    assert!(o.status.success(), "{}", stderr(&o));

    // An independent OCEL 2.0 reader accepts the log.
    let ocel = import_ocel_json_path(out.join("trace.jsonocel")).unwrap();
    assert!(!ocel.events.is_empty());
    // And it is consistent: declared types, unique ids, relationships to objects that exist,
    // attributes declared for their type.
    let event_types: HashSet<&str> = ocel.event_types.iter().map(|t| t.name.as_str()).collect();
    let object_types: HashMap<&str, HashSet<&str>> = ocel
        .object_types
        .iter()
        .map(|t| {
            let attrs = t.attributes.iter().map(|a| a.name.as_str()).collect();
            (t.name.as_str(), attrs)
        })
        .collect();
    let objects: HashMap<&str, &str> = ocel
        .objects
        .iter()
        .map(|o| (o.id.as_str(), o.object_type.as_str()))
        .collect();
    assert_eq!(objects.len(), ocel.objects.len(), "object ids are unique");
    for o in &ocel.objects {
        let declared = &object_types[o.object_type.as_str()];
        for a in &o.attributes {
            assert!(declared.contains(a.name.as_str()), "{}: {}", o.id, a.name);
        }
    }
    let mut ids = HashSet::new();
    let mut seen_types = HashSet::new();
    for e in &ocel.events {
        assert!(ids.insert(e.id.as_str()), "event ids are unique: {}", e.id);
        assert!(
            event_types.contains(e.event_type.as_str()),
            "{}",
            e.event_type
        );
        seen_types.insert(e.event_type.as_str());
        assert!(!e.relationships.is_empty(), "{}", e.id);
        for r in &e.relationships {
            assert!(
                objects.contains_key(r.object_id.as_str()),
                "{}",
                r.object_id
            );
        }
    }
    for t in [
        "created",
        "arrived",
        "service_started",
        "service_ended",
        "border_documents_started",
        "border_documents_ended",
        "left",
        "waiting_for_carrier",
        "boarded",
        "departed",
        "arrived_by_carrier",
        "unloaded",
        "delivered",
    ] {
        assert!(seen_types.contains(t), "no {t} event");
    }
    // Per consignment, delivered - created gives the run's mean transit per flow, exactly, for
    // the consignments created after the warm-up: in trace.csv (milliseconds) for both traced
    // replications.
    let reps = replications(&out);
    let mut rd = csv::Reader::from_path(out.join("trace.csv")).unwrap();
    let h = rd.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (id_c, rep_c, ev_c, cons_c, flow_c, ms_c) = (
        col("event_id"),
        col("replication"),
        col("event"),
        col("consignment"),
        col("flow"),
        col("time_ms"),
    );
    let warmup_ms: u64 = 20 * 24 * 3_600_000;
    let mut created: HashMap<String, u64> = HashMap::new();
    // (replication, flow) -> (sum of transits in ms, count)
    let mut transit: HashMap<(u32, String), (u64, u64)> = HashMap::new();
    let mut rows = 0;
    let mut csv_reps = HashSet::new();
    let mut times: HashMap<String, u64> = HashMap::new();
    for rec in rd.records() {
        let rec = rec.unwrap();
        rows += 1;
        let rep: u32 = rec[rep_c].parse().unwrap();
        csv_reps.insert(rep);
        let ms: u64 = rec[ms_c].parse().unwrap();
        times.insert(rec[id_c].to_string(), ms);
        match &rec[ev_c] {
            "created" => {
                created.insert(rec[cons_c].to_string(), ms);
            }
            "delivered" => {
                let c = created
                    .remove(&rec[cons_c])
                    .expect("created before delivered");
                if c >= warmup_ms {
                    let e = transit.entry((rep, rec[flow_c].to_string())).or_default();
                    e.0 += ms - c;
                    e.1 += 1;
                }
            }
            _ => {}
        }
    }
    assert_eq!(rows, ocel.events.len(), "one CSV row per event");
    assert_eq!(
        csv_reps,
        HashSet::from([0, 1]),
        "the first two replications"
    );
    assert!(!transit.is_empty());
    for ((rep, flow), (sum, n)) in &transit {
        let mean = *sum as f64 / *n as f64 / 3_600_000.0;
        let key = (
            *rep,
            "flow".to_string(),
            flow.clone(),
            "transit_mean".to_string(),
        );
        assert_eq!(mean, reps[&key], "replication {rep}, flow {flow}");
        let key = (
            *rep,
            "flow".to_string(),
            flow.clone(),
            "delivered_consignments".to_string(),
        );
        assert_eq!(*n as f64, reps[&key], "replication {rep}, flow {flow}");
    }
    // The same events at the same times in the OCEL log, from the scenario's start (midnight
    // UTC of 2024-01-01 by default), to the millisecond.
    const START_MS: i64 = 1_704_067_200_000;
    assert_eq!(times.len(), ocel.events.len());
    for e in &ocel.events {
        let ms = times[&e.id] as i64;
        assert_eq!(e.time.timestamp_millis() - START_MS, ms, "{}", e.id);
    }
}

#[test]
fn the_log_is_the_same_on_one_thread_and_two_and_changes_no_result() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("one"), tmp.path().join("two"));
    let o = run_traced(&a, "1", "2");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_traced(&b, "2", "2");
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["trace.jsonocel", "trace.csv", "replications.csv"] {
        assert!(
            fs::read(a.join(f)).unwrap() == fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // Tracing changes no result.
    let c = tmp.path().join("untraced");
    let o = corridor(
        &[
            "run",
            &scenario(),
            "--set",
            "scenario.horizon=120d",
            "--set",
            "scenario.warmup=20d",
            "-r",
            "3",
            "-q",
            "--out",
            c.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["replications.csv", "summary.csv", "timeseries.csv"] {
        assert!(
            fs::read(a.join(f)).unwrap() == fs::read(c.join(f)).unwrap(),
            "{f} differs with --trace"
        );
    }
    assert!(!c.join("trace.csv").exists());
    let manifest = fs::read_to_string(a.join("manifest.json")).unwrap();
    assert!(manifest.contains("trace.jsonocel") && manifest.contains("trace.csv"));
}

#[test]
fn bad_trace_values_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in ["0", "4", "-1", "x"] {
        let out = tmp.path().join(format!("bad{bad}"));
        let o = run_traced(&out, "1", bad);
        assert_eq!(o.status.code(), Some(2), "--trace {bad}: {}", stderr(&o));
        assert!(!out.exists(), "--trace {bad} wrote a folder");
    }
    let o = corridor(
        &[
            "run",
            &scenario(),
            "--trace",
            "1",
            "--shard",
            "0/2",
            "--out",
            tmp.path().join("s").to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
