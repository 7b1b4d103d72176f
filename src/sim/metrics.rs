//! Reads a finished replication's statistics back as metric rows.

use super::Replication;
use super::components::{Consignment, FlowStats, Station};
use crate::engine::time::MS_PER_DAY;
use crate::report::Row;

pub(super) fn collect(r: &mut Replication) -> Vec<Row> {
    let m = r.model;
    let end = m.horizon;
    let window_days = m.window().ms() as f64 / MS_PER_DAY as f64;
    let mut rows = Vec::new();

    let in_system = r.consignments_in_system();
    let c = r.counters;
    rows.push(Row::new(
        "corridor",
        &m.name,
        "created",
        "count",
        c.created as f64,
    ));
    rows.push(Row::new(
        "corridor",
        &m.name,
        "delivered",
        "count",
        c.delivered as f64,
    ));
    rows.push(Row::new(
        "corridor",
        &m.name,
        "in_system_end",
        "count",
        in_system as f64,
    ));
    rows.push(Row::new(
        "corridor",
        &m.name,
        "events",
        "count",
        c.events as f64,
    ));

    // Cohort still in the system per flow (created after warm-up), from the entities.
    let mut open = vec![0u64; m.flows.len()];
    let mut q = r.world.query::<&Consignment>();
    for cm in q.iter(&r.world) {
        if cm.counted {
            open[cm.flow as usize] += 1;
        }
    }

    for (i, f) in m.flows.iter().enumerate() {
        let fs = r.world.get::<FlowStats>(r.flows[i]).expect("flow stats");
        let id = &f.id;
        rows.push(Row::new("flow", id, "created", "count", fs.created as f64));
        rows.push(Row::new(
            "flow",
            id,
            "delivered_consignments",
            "count",
            fs.delivered as f64,
        ));
        rows.push(Row::new(
            "flow",
            id,
            "in_system_end",
            "count",
            open[i] as f64,
        ));
        rows.push(Row::new(
            "flow",
            id,
            "delivered",
            "TEU",
            fs.delivered_teu as f64,
        ));
        rows.push(Row::new(
            "flow",
            id,
            "throughput",
            "TEU/day",
            fs.window_teu as f64 / window_days,
        ));
        rows.push(Row::new(
            "flow",
            id,
            "transit_mean",
            "h",
            fs.transit.mean_hours(),
        ));
        rows.push(Row::new(
            "flow",
            id,
            "transit_p50",
            "h",
            fs.transit_q.quantile_hours(0.50),
        ));
        rows.push(Row::new(
            "flow",
            id,
            "transit_p95",
            "h",
            fs.transit_q.quantile_hours(0.95),
        ));
        rows.push(Row::new(
            "flow",
            id,
            "transit_max",
            "h",
            fs.transit.max_hours(),
        ));
    }

    for (i, n) in m.nodes.iter().enumerate() {
        let st = r.world.get::<Station>(r.nodes[i]).expect("station");
        let s = &st.stats;
        let id = &n.id;
        let busy_mean = s.busy.mean(end);
        let util = n.servers.map_or(f64::NAN, |c| busy_mean / c as f64);
        rows.push(Row::new("node", id, "utilisation", "ratio", util));
        rows.push(Row::new("node", id, "busy_mean", "servers", busy_mean));
        rows.push(Row::new("node", id, "wait_mean", "h", s.wait.mean_hours()));
        rows.push(Row::new(
            "node",
            id,
            "wait_p95",
            "h",
            s.wait_q.quantile_hours(0.95),
        ));
        rows.push(Row::new(
            "node",
            id,
            "sojourn_mean",
            "h",
            s.sojourn.mean_hours(),
        ));
        rows.push(Row::new(
            "node",
            id,
            "queue_mean",
            "count",
            s.queue.mean(end),
        ));
        rows.push(Row::new(
            "node",
            id,
            "queue_max",
            "count",
            s.queue.max() as f64,
        ));
        rows.push(Row::new("node", id, "wip_mean", "count", s.wip.mean(end)));
        rows.push(Row::new("node", id, "arrivals", "count", s.arrivals as f64));
        rows.push(Row::new(
            "node",
            id,
            "arrival_rate",
            "1/day",
            s.arrivals as f64 / window_days,
        ));
        rows.push(Row::new(
            "node",
            id,
            "throughput",
            "1/day",
            s.sojourn.count() as f64 / window_days,
        ));
    }
    rows
}
