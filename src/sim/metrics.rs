//! Reads a finished replication's statistics back as metric rows.

use super::border_state::{BAYS, Border, LANES, TRACKS};
use super::carrier::Berths;
use super::components::{Consignment, FlowStats, Link, ServiceState};
use super::node::Kind;
use super::yard::Yard;
use super::{Replication, border, station};
use crate::engine::time::MS_PER_DAY;
use crate::report::Row;
use crate::scenario::NodeKind;

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
        // Transit decomposition: these five add up to transit_mean.
        rows.push(Row::new("flow", id, "moving", "h", fs.moving.mean_hours()));
        rows.push(Row::new(
            "flow",
            id,
            "waiting_for_carrier",
            "h",
            fs.waiting.mean_hours(),
        ));
        rows.push(Row::new(
            "flow",
            id,
            "queueing",
            "h",
            fs.queueing.mean_hours(),
        ));
        rows.push(Row::new(
            "flow",
            id,
            "handling",
            "h",
            fs.handling.mean_hours(),
        ));
        rows.push(Row::new("flow", id, "border", "h", fs.border.mean_hours()));
        if let Some(km) = f.distance_km(&m.links) {
            rows.push(Row::new("flow", id, "distance", "km", km));
            let swod = speed(km, fs.moving.mean_hours());
            let swd = speed(km, fs.transit.mean_hours());
            rows.push(Row::new("flow", id, "speed_without_delay", "km/h", swod));
            rows.push(Row::new("flow", id, "speed_with_delay", "km/h", swd));
        }
    }

    for (i, n) in m.nodes.iter().enumerate() {
        let id = &n.id;
        let e = r.nodes[i];
        let node = match r.kinds[i] {
            Kind::Station => station::node_rows(&r.world, e, end),
            Kind::Border => border::node_rows(&r.world, e, end),
        };
        let util = n.servers().map_or(f64::NAN, |c| node.busy_mean / c as f64);
        rows.push(Row::new("node", id, "utilisation", "ratio", util));
        rows.push(Row::new("node", id, "busy_mean", "servers", node.busy_mean));
        rows.push(Row::new("node", id, "wait_mean", "h", node.wait_mean));
        rows.push(Row::new("node", id, "wait_p95", "h", node.wait_p95));
        rows.push(Row::new("node", id, "sojourn_mean", "h", node.sojourn_mean));
        rows.push(Row::new("node", id, "queue_mean", "count", node.queue_mean));
        rows.push(Row::new("node", id, "queue_max", "count", node.queue_max));
        rows.push(Row::new("node", id, "wip_mean", "count", node.wip_mean));
        rows.push(Row::new("node", id, "arrivals", "count", node.arrivals));
        rows.push(Row::new(
            "node",
            id,
            "arrival_rate",
            "1/day",
            node.arrivals / window_days,
        ));
        rows.push(Row::new(
            "node",
            id,
            "throughput",
            "1/day",
            node.departures / window_days,
        ));
    }

    // Border crossings: time to clear and its parts (they add up to it), CAREC CPMM TFI1.
    for (i, n) in m.nodes.iter().enumerate() {
        let bm = match &n.kind {
            NodeKind::Border(bm) => bm,
            NodeKind::Station { .. } => continue,
        };
        let b = r.world.get::<Border>(r.nodes[i]).expect("border");
        let s = &b.stats;
        let id = &n.id;
        let released = s.clear.count() as f64;
        rows.push(Row::new(
            "border",
            id,
            "digitisation_level",
            "ratio",
            bm.level,
        ));
        rows.push(Row::new("border", id, "released", "count", released));
        rows.push(Row::new(
            "border",
            id,
            "clear_mean",
            "h",
            s.clear.mean_hours(),
        ));
        rows.push(Row::new(
            "border",
            id,
            "clear_p95",
            "h",
            s.clear_q.quantile_hours(0.95),
        ));
        rows.push(Row::new(
            "border",
            id,
            "tfi1_time_to_clear",
            "h",
            s.clear.mean_hours(),
        ));
        rows.push(Row::new(
            "border",
            id,
            "queueing_mean",
            "h",
            s.queueing.mean_hours(),
        ));
        rows.push(Row::new(
            "border",
            id,
            "closed_wait_mean",
            "h",
            s.closed.mean_hours(),
        ));
        rows.push(Row::new(
            "border",
            id,
            "document_mean",
            "h",
            s.document.mean_hours(),
        ));
        rows.push(Row::new(
            "border",
            id,
            "inspection_mean",
            "h",
            s.inspection.mean_hours(),
        ));
        rows.push(Row::new(
            "border",
            id,
            "technical_mean",
            "h",
            s.technical.mean_hours(),
        ));
        let share = if released > 0.0 {
            s.inspected as f64 / released
        } else {
            f64::NAN
        };
        rows.push(Row::new("border", id, "inspected_share", "ratio", share));
        let util = |pool: usize, servers: Option<u32>| {
            servers.map_or(f64::NAN, |c| {
                b.pools[pool].stats().busy.mean(end) / c as f64
            })
        };
        rows.push(Row::new(
            "border",
            id,
            "lane_utilisation",
            "ratio",
            util(LANES, Some(bm.lanes)),
        ));
        rows.push(Row::new(
            "border",
            id,
            "bay_utilisation",
            "ratio",
            util(BAYS, Some(bm.bays)),
        ));
        rows.push(Row::new(
            "border",
            id,
            "track_utilisation",
            "ratio",
            util(TRACKS, bm.tracks),
        ));
    }

    // Carrier services.
    for (i, sv) in m.services.iter().enumerate() {
        let s = r.world.get::<ServiceState>(r.services[i]).expect("service");
        let st = &s.stats;
        let id = &sv.id;
        let deps = st.departures as f64;
        let lf = if st.departures > 0 {
            st.load_sum / deps
        } else {
            f64::NAN
        };
        rows.push(Row::new("service", id, "departures", "count", deps));
        rows.push(Row::new(
            "service",
            id,
            "departures_per_day",
            "1/day",
            deps / window_days,
        ));
        rows.push(Row::new(
            "service",
            id,
            "missed_departures",
            "count",
            st.missed as f64,
        ));
        rows.push(Row::new("service", id, "load_factor", "ratio", lf));
        rows.push(Row::new("service", id, "teu_carried", "TEU", st.teu as f64));
        rows.push(Row::new(
            "service",
            id,
            "carrier_wait_mean",
            "h",
            st.wait.mean_hours(),
        ));
        rows.push(Row::new(
            "service",
            id,
            "queue_teu_mean",
            "TEU",
            st.queue_teu.mean(end),
        ));
        rows.push(Row::new(
            "service",
            id,
            "carrier_delay_mean",
            "h",
            st.carrier_delay.mean_hours(),
        ));
        rows.push(Row::new(
            "service",
            id,
            "carriers_held_mean",
            "carriers",
            st.held.mean(end),
        ));
        rows.push(Row::new(
            "service",
            id,
            "fleet_away_mean",
            "carriers",
            st.away.mean(end),
        ));
    }

    // Berths: carriers loading and unloading.
    for (i, n) in m.nodes.iter().enumerate() {
        let Some(Berths(b)) = r.world.get::<Berths>(r.nodes[i]) else {
            continue;
        };
        let id = &n.id;
        let s = b.stats();
        let util = b
            .servers()
            .map_or(f64::NAN, |c| s.busy.mean(end) / c as f64);
        rows.push(Row::new("berths", id, "berth_utilisation", "ratio", util));
        rows.push(Row::new(
            "berths",
            id,
            "carriers_queued_mean",
            "carriers",
            s.queue.mean(end),
        ));
        rows.push(Row::new(
            "berths",
            id,
            "carriers_queued_max",
            "carriers",
            s.queue.max() as f64,
        ));
        rows.push(Row::new(
            "berths",
            id,
            "berth_wait_mean",
            "h",
            s.wait.mean_hours(),
        ));
    }

    // Yards: occupancy and blocking.
    for (i, n) in m.nodes.iter().enumerate() {
        let Some(Yard(y)) = r.world.get::<Yard>(r.nodes[i]) else {
            continue;
        };
        let id = &n.id;
        let y = y.stats();
        rows.push(Row::new(
            "yard",
            id,
            "occupancy_mean",
            "TEU",
            y.level.mean(end),
        ));
        rows.push(Row::new(
            "yard",
            id,
            "occupancy_max",
            "TEU",
            y.level.max() as f64,
        ));
        rows.push(Row::new(
            "yard",
            id,
            "blocked_mean",
            "count",
            y.queue.mean(end),
        ));
        rows.push(Row::new(
            "yard",
            id,
            "blocked_share",
            "ratio",
            y.blocked.mean(end),
        ));
        rows.push(Row::new(
            "yard",
            id,
            "blocked_wait_mean",
            "h",
            y.wait.mean_hours(),
        ));
    }

    // Line sections with a path capacity.
    for (i, l) in m.links.iter().enumerate() {
        if l.headway.is_none() {
            continue;
        }
        let link = r.world.get::<Link>(r.links[i]).expect("link");
        let id = format!("{}->{}", m.nodes[l.from].id, m.nodes[l.to].id);
        rows.push(Row::new(
            "link",
            &id,
            "path_wait_mean",
            "h",
            link.path_wait.mean_hours(),
        ));
        rows.push(Row::new(
            "link",
            &id,
            "entries",
            "count",
            link.path_wait.count() as f64,
        ));
    }

    rows.extend(super::pipeline::rows(m, r.rep));

    // Sections (links with a distance): CAREC CPMM speeds.
    for (i, l) in m.links.iter().enumerate() {
        let Some(km) = l.distance_km else { continue };
        let link = r.world.get::<Link>(r.links[i]).expect("link");
        let id = format!("{}->{}", m.nodes[l.from].id, m.nodes[l.to].id);
        rows.push(Row::new("section", &id, "distance", "km", km));
        rows.push(Row::new(
            "section",
            &id,
            "travel_mean",
            "h",
            link.travel.mean_hours(),
        ));
        rows.push(Row::new(
            "section",
            &id,
            "time_mean",
            "h",
            link.section.mean_hours(),
        ));
        rows.push(Row::new(
            "section",
            &id,
            "speed_without_delay",
            "km/h",
            speed(km, link.travel.mean_hours()),
        ));
        rows.push(Row::new(
            "section",
            &id,
            "speed_with_delay",
            "km/h",
            speed(km, link.section.mean_hours()),
        ));
    }
    rows
}

/// The rows every node has, whatever its kind.
pub(super) struct NodeRows {
    pub busy_mean: f64,
    pub wait_mean: f64,
    pub wait_p95: f64,
    pub sojourn_mean: f64,
    pub queue_mean: f64,
    pub queue_max: f64,
    pub wip_mean: f64,
    pub arrivals: f64,
    pub departures: f64,
}

/// km/h; undefined (an empty cell) when no time was spent, rather than infinite.
fn speed(km: f64, hours: f64) -> f64 {
    if hours > 0.0 { km / hours } else { f64::NAN }
}
