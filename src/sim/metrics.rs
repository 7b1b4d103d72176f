//! Reads a finished replication's statistics back as metric rows: each part of the model emits
//! its own rows through the catalogue's [`Sink`], in the documented order (corridor, flows, routes,
//! nodes, borders, services, berths, yards, links, waits, pipelines, sections).

use super::border_state::LANES;
use super::catalogue::{corridor, node};
use super::node::Kind;
use super::rows::{Sink, Window};
use super::{
    Replication, border, carrier, flow, link, periods, pipeline, route_choice, station, waits, yard,
};
use crate::engine::time::MS_PER_DAY;
use crate::report::Row;
use crate::scenario::Setting;

pub(super) fn collect(r: &mut Replication) -> Vec<Row> {
    let m = r.model;
    let w = Window {
        end: m.horizon,
        days: m.window().ms() as f64 / MS_PER_DAY as f64,
    };
    let mut rows = Vec::new();
    let mut sink = Sink::new(&mut rows);

    let in_system = r.consignments_in_system();
    let c = r.counters;
    sink.put(&m.name, &corridor::CREATED, c.created as f64);
    sink.put(&m.name, &corridor::DELIVERED, c.delivered as f64);
    sink.put(&m.name, &corridor::IN_SYSTEM_END, in_system as f64);
    sink.put(&m.name, &corridor::EVENTS, c.events as f64);

    flow::rows(r, &w, &mut sink);
    route_choice::rows(r, &w, &mut sink);
    node_rows(r, &w, &mut sink);
    border::rows(r, &w, &mut sink);
    carrier::service_rows(r, &w, &mut sink);
    carrier::berth_rows(r, &w, &mut sink);
    yard::rows(r, &w, &mut sink);
    link::path_rows(r, &w, &mut sink);
    waits::rows(r, &w, &mut sink);
    pipeline::rows(m, r.rep, &mut sink);
    link::section_rows(r, &mut sink);
    super::cost::rows(r, &mut sink);
    periods::rows(r, &mut rows);
    // Held until the replication is summed: no spare room (a large network has a million rows).
    rows.shrink_to_fit();
    rows
}

/// The rows every node has, whatever its kind.
fn node_rows(r: &Replication, w: &Window, sink: &mut Sink) {
    for (i, n) in r.model.nodes.iter().enumerate() {
        let id = &n.id;
        let e = r.nodes[i];
        let node = match r.kinds[i] {
            Kind::Station => station::node_rows(r.station(i), w.end),
            Kind::Border => border::node_rows(&r.world, e, w.end),
        };
        let changed = |s: &Setting| match s {
            Setting::Servers { node, .. } | Setting::Lanes { node, .. } => *node == i,
            _ => false,
        };
        let util = if r.model.changes_any(changed) {
            // Busy time over the servers' (lanes') time: the count changed on a date.
            let servers = match r.kinds[i] {
                Kind::Station => station::servers_mean(r.station(i), w.end),
                Kind::Border => border::servers_mean(&r.world, e, LANES, w.end),
            };
            node.busy_mean / servers
        } else {
            n.servers().map_or(f64::NAN, |c| node.busy_mean / c as f64)
        };
        sink.put(id, &node::UTILISATION, util);
        sink.put(id, &node::BUSY_MEAN, node.busy_mean);
        sink.put(id, &node::WAIT_MEAN, node.wait_mean);
        sink.put(id, &node::WAIT_P95, node.wait_p95);
        sink.put(id, &node::SOJOURN_MEAN, node.sojourn_mean);
        sink.put(id, &node::QUEUE_MEAN, node.queue_mean);
        sink.put(id, &node::QUEUE_MAX, node.queue_max);
        sink.put(id, &node::WIP_MEAN, node.wip_mean);
        sink.put(id, &node::ARRIVALS, node.arrivals);
        sink.put(id, &node::ARRIVAL_RATE, node.arrivals / w.days);
        sink.put(id, &node::THROUGHPUT, node.departures / w.days);
        sink.put(id, &node::QUEUE_TREND, r.bins.rise(r.levels.node[i]));
    }
}
