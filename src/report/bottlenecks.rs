//! `bottlenecks.csv` and the bottleneck table: every resource that made a flow wait, ranked by
//! the consignment-hours of waiting it caused per day.
//!
//! Built from a summary alone (the `wait` rows `FLOW@SCOPE:ID` and each resource's own rows),
//! so `merge` and `compare --results` rebuild it from per-replication files byte for byte.
//! Per resource: its load (a node's `utilisation`, a service's `fleet_utilisation`, berths'
//! `berth_utilisation`, a yard's `occupancy_share`, a link's `path_utilisation`), its own mean
//! wait (`wait_mean`, `carrier_wait_mean`, `berth_wait_mean`, `blocked_wait_mean`,
//! `path_wait_mean`), the consignment-hours of waiting per day summed over flows (the rank),
//! its `stable` verdict where it has one, and per flow the share of that flow's transit spent
//! waiting for it.

use std::collections::HashMap;

use super::{Export, SummaryIndex, SummaryRow, fmt_value};
use crate::engine::summary::Summary;

/// Column names of bottlenecks.csv.
pub const BOTTLENECKS_HEADER: [&str; 13] = [
    "scenario",
    "rank",
    "scope",
    "id",
    "load",
    "load_ci95",
    "wait_mean",
    "wait_mean_ci95",
    "hours_per_day",
    "stable",
    "flow",
    "transit_share",
    "transit_share_ci95",
];

/// One flow's part in a resource's waiting.
#[derive(Clone, Debug)]
pub struct FlowPart {
    /// The flow.
    pub flow: String,
    /// Share of its transit spent waiting for the resource.
    pub share: Summary,
    /// Its consignment-hours of waiting per day there.
    pub hours_per_day: f64,
}

/// A resource in the ranking.
#[derive(Clone, Debug)]
pub struct Bottleneck {
    /// Its scope (`node`, `yard`, `berths`, `service`, `link`).
    pub scope: String,
    /// Its id.
    pub id: String,
    /// Its load (utilisation or occupancy), if it has one.
    pub load: Option<Summary>,
    /// The mean wait it causes, as its own rows measure it (hours).
    pub wait: Option<Summary>,
    /// Consignment-hours of waiting per day, summed over flows (means over replications).
    pub hours_per_day: f64,
    /// Its `stable` verdict (1, 0, NaN), if it has one.
    pub stable: Option<f64>,
    /// The flows that wait for it, the most delayed (by share of transit) first.
    pub flows: Vec<FlowPart>,
}

/// The metrics that give a scope's load and own wait.
fn load_and_wait(scope: &str) -> Option<(&'static str, &'static str)> {
    Some(match scope {
        "node" => ("utilisation", "wait_mean"),
        "service" => ("fleet_utilisation", "carrier_wait_mean"),
        "berths" => ("berth_utilisation", "berth_wait_mean"),
        "yard" => ("occupancy_share", "blocked_wait_mean"),
        "link" => ("path_utilisation", "path_wait_mean"),
        _ => return None,
    })
}

/// Every resource some flow waits for, ranked: most consignment-hours of waiting per day
/// first, then highest load, then scope and id.
pub fn rank(rows: &[SummaryRow]) -> Vec<Bottleneck> {
    rank_in(&SummaryIndex::new(rows))
}

/// [`rank`] with the summary's index.
pub(crate) fn rank_in(index: &SummaryIndex) -> Vec<Bottleneck> {
    let rows = index.rows();
    let get = |scope: &str, id: &str, metric: &str| index.get(scope, id, metric);
    let mut out: Vec<Bottleneck> = Vec::new();
    let mut at: HashMap<(&str, &str), usize> = HashMap::new();
    for r in rows.iter().filter(|r| {
        r.key.is_window() && r.key.scope() == "wait" && r.key.metric() == "transit_share"
    }) {
        let Some((flow, res)) = r.key.id().split_once('@') else {
            continue;
        };
        let Some((scope, id)) = res.split_once(':') else {
            continue;
        };
        let Some((load, wait)) = load_and_wait(scope) else {
            continue;
        };
        let hours = get("wait", r.key.id(), "hours_per_day").map_or(0.0, |s| s.mean);
        let hours = if hours.is_finite() { hours } else { 0.0 };
        let k = *at.entry((scope, id)).or_insert_with(|| {
            out.push(Bottleneck {
                scope: scope.to_string(),
                id: id.to_string(),
                load: get(scope, id, load).copied(),
                wait: get(scope, id, wait).copied(),
                hours_per_day: 0.0,
                stable: get(scope, id, "stable").map(|s| s.mean),
                flows: Vec::new(),
            });
            out.len() - 1
        });
        let b = &mut out[k];
        b.hours_per_day += hours;
        b.flows.push(FlowPart {
            flow: flow.to_string(),
            share: r.summary,
            hours_per_day: hours,
        });
    }
    let load = |b: &Bottleneck| b.load.map_or(f64::NEG_INFINITY, |s| s.mean);
    let key = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
    out.sort_by(|a, b| {
        key(b.hours_per_day)
            .total_cmp(&key(a.hours_per_day))
            .then(key(load(b)).total_cmp(&key(load(a))))
            .then_with(|| (&a.scope, &a.id).cmp(&(&b.scope, &b.id)))
    });
    for b in &mut out {
        b.flows.sort_by(|x, y| {
            key(y.share.mean)
                .total_cmp(&key(x.share.mean))
                .then_with(|| x.flow.cmp(&y.flow))
        });
    }
    out
}

/// bottlenecks.csv of one scenario: one row per (resource, flow), resources in rank order.
pub struct BottlenecksCsv<'a> {
    /// The scenario name (first column of every row).
    pub scenario: &'a str,
    /// The scenario's summary.
    pub rows: &'a [SummaryRow],
    /// Its index, if the caller has one (else the file makes its own).
    pub index: Option<&'a SummaryIndex<'a>>,
}

impl Export for BottlenecksCsv<'_> {
    fn file_name(&self) -> &'static str {
        "bottlenecks.csv"
    }

    fn serialize(&self) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Written row by row (18 MB for a 10,000-station corridor), not made whole first.
    fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(BOTTLENECKS_HEADER)?;
        let num = |s: Option<Summary>| {
            s.map_or([String::new(), String::new()], |s| {
                [fmt_value(s.mean), fmt_value(s.ci95)]
            })
        };
        let ranked = match self.index {
            Some(index) => rank_in(index),
            None => rank(self.rows),
        };
        for (i, b) in ranked.iter().enumerate() {
            let [load, load_ci] = num(b.load);
            let [wait, wait_ci] = num(b.wait);
            for f in &b.flows {
                w.write_record([
                    self.scenario.to_string(),
                    (i + 1).to_string(),
                    b.scope.clone(),
                    b.id.clone(),
                    load.clone(),
                    load_ci.clone(),
                    wait.clone(),
                    wait_ci.clone(),
                    fmt_value(b.hours_per_day),
                    b.stable.map_or(String::new(), fmt_value),
                    f.flow.clone(),
                    fmt_value(f.share.mean),
                    fmt_value(f.share.ci95),
                ])?;
            }
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SummaryKey;

    fn row(scope: &'static str, id: &str, metric: &'static str, values: &[f64]) -> SummaryRow {
        SummaryRow {
            key: SummaryKey::new(scope, id, metric, "x"),
            summary: Summary::of(values),
        }
    }

    #[test]
    fn resources_rank_by_waiting_hours_per_day_summed_over_flows() {
        let rows = vec![
            row("node", "a", "utilisation", &[0.5, 0.5]),
            row("node", "a", "wait_mean", &[1.0, 1.0]),
            row("service", "s", "fleet_utilisation", &[0.99, 0.97]),
            row("service", "s", "carrier_wait_mean", &[30.0, 50.0]),
            row("service", "s", "stable", &[0.0]),
            row("wait", "f@node:a", "transit_share", &[0.1, 0.1]),
            row("wait", "f@node:a", "hours_per_day", &[4.0, 4.0]),
            row("wait", "f@service:s", "transit_share", &[0.5, 0.7]),
            row("wait", "f@service:s", "hours_per_day", &[2.0, 2.0]),
            row("wait", "g@service:s", "transit_share", &[0.9, 0.9]),
            row("wait", "g@service:s", "hours_per_day", &[3.0, 3.0]),
        ];
        let r = rank(&rows);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].scope.as_str(), r[0].id.as_str()), ("service", "s"));
        assert_eq!(r[0].hours_per_day, 5.0);
        assert_eq!(r[0].stable, Some(0.0));
        assert_eq!(r[0].flows[0].flow, "g");
        assert_eq!(r[1].load.unwrap().mean, 0.5);
        let csv = String::from_utf8(
            BottlenecksCsv {
                scenario: "x",
                rows: &rows,
                index: None,
            }
            .serialize()
            .unwrap(),
        )
        .unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("x,1,service,s,0.98,"), "{}", lines[1]);
        assert!(lines[1].ends_with(",5,0,g,0.9,0"), "{}", lines[1]);
        // With the caller's index, the same file.
        let index = SummaryIndex::new(&rows);
        let with_index = BottlenecksCsv {
            scenario: "x",
            rows: &rows,
            index: Some(&index),
        };
        assert_eq!(
            String::from_utf8(with_index.serialize().unwrap()).unwrap(),
            csv
        );
    }
}
