//! The levels recorded in time bins ([`crate::engine::bins`]): what waits at and what occupies
//! every resource, and what is under way in every flow. Read once per bin boundary, never on
//! the per-event path.
//!
//! The levels, in this order (the order of timeseries.csv): each flow's consignments in the
//! system; each route's (flows with alternative routes); each node's queue (consignments waiting for servers, or for a border's lanes, bays
//! and tracks), consignments at the node, and busy servers (a border's busy lanes; not for an
//! unlimited node); each service's TEU waiting to board and carriers away; each berth group's
//! carriers waiting for a berth and busy berths; each yard's entries waiting at its gate and
//! TEU in the yard. The waiting levels' bin-by-bin trend over the second half of the window is
//! a row of each element (`queue_trend`, `queue_teu_trend`, `carriers_queued_trend`,
//! `blocked_trend`, `wip_trend`), from which the summary decides `stable`; every level, bin by
//! bin, is the replication's [`Series`] (timeseries.csv). Busy servers, carriers away and busy
//! berths are written there as utilisations: divided by servers, fleet and berths.

use bevy_ecs::prelude::*;

use super::Replication;
use super::border_state::{Border, LANES};
use super::carrier::Berths;
use super::catalogue::{Metric, berths, node, service, yard};
use super::components::ServiceState;
use super::node::Kind;
use super::yard::Yard;
use crate::engine::SimTime;
use crate::engine::stats::TimeWeighted;
use crate::report::{Series, SeriesKey};
use crate::scenario::Setting;

/// What a level measures.
#[derive(Clone, Copy, Debug)]
pub(super) enum Level {
    /// Consignments waiting at node `n` (of the given kind).
    NodeQueue(usize, Kind),
    /// Consignments at node `n`, waiting or in service.
    NodeWip(usize, Kind),
    /// Busy servers of node `n` (a border's busy lanes).
    NodeBusy(usize, Kind),
    /// TEU waiting to board a service.
    ServiceQueue(Entity),
    /// Carriers of a service not idle at its boarding node.
    FleetAway(Entity),
    /// Carriers waiting for a berth at a node.
    BerthQueue(Entity),
    /// Busy berths at a node.
    BerthBusy(Entity),
    /// Entries waiting at a yard's gate.
    YardGate(Entity),
    /// TEU in a yard.
    YardTeu(Entity),
    /// Consignments of flow `f` in the system.
    FlowWip(usize),
    /// Consignments of flow `f` on its route `k` (flows with alternative routes).
    RouteWip(usize, usize),
    /// Servers of station `n` or lanes of a border (recorded, not written, when a dated
    /// change sets them).
    NodeServers(usize, Kind),
    /// Berths at a node (likewise).
    BerthCount(Entity),
    /// Carriers in service of a service (likewise).
    Carriers(Entity),
}

/// What a level's bin means are divided by in timeseries.csv.
#[derive(Clone, Copy, Debug)]
pub(super) enum Per {
    /// A constant: servers, fleet or berths, or 1.
    Fixed(f64),
    /// The bin means of another (unwritten) level: the capacity, when a dated change sets it,
    /// so that each bin's utilisation is busy time over capacity time in that bin.
    Level(usize),
}

/// Where each element's level is among the recorded ones.
#[derive(Clone, Debug, Default)]
pub(super) struct Levels {
    /// Every level, in recording order.
    pub all: Vec<Level>,
    /// What each level is called in timeseries.csv, and what its bin means are divided by
    /// there (servers, fleet, berths for a utilisation; else 1). Levels past the last key are
    /// capacities that change on dates, recorded only to divide by.
    pub keys: Vec<(SeriesKey, Per)>,
    /// Node `i`'s queue.
    pub node: Vec<usize>,
    /// Service `i`'s waiting TEU.
    pub service: Vec<usize>,
    /// Node `i`'s berth queue, if it has berths.
    pub berths: Vec<Option<usize>>,
    /// Node `i`'s yard gate, if it has a yard.
    pub yard: Vec<Option<usize>>,
    /// Flow `i`'s consignments in the system.
    pub flow: Vec<usize>,
}

impl Levels {
    /// Adds a level; returns its index.
    fn push(
        &mut self,
        level: Level,
        scope: &'static str,
        id: &str,
        (metric, unit): (&'static str, &'static str),
        per: f64,
    ) -> usize {
        self.all.push(level);
        let key = SeriesKey {
            scope,
            id: id.to_string(),
            metric,
            unit,
        };
        self.keys.push((key, Per::Fixed(per)));
        self.all.len() - 1
    }

    /// Divides the bin means of the level just pushed by those of `capacity`, recorded after
    /// every written level (see [`Levels::of`]).
    fn per_level(&mut self, pending: &mut Vec<(usize, Level)>, capacity: Level) {
        pending.push((self.keys.len() - 1, capacity));
    }

    /// The levels of a freshly spawned replication.
    pub(super) fn of(r: &Replication) -> Levels {
        let m = r.model;
        let mut l = Levels::default();
        let mut pending = Vec::new();
        for (f, fm) in m.flows.iter().enumerate() {
            let ix = l.push(Level::FlowWip(f), "flow", &fm.id, ("wip", "count"), 1.0);
            l.flow.push(ix);
        }
        for (f, fm) in m.flows.iter().enumerate() {
            for (k, rm) in fm.choice.iter().flat_map(|c| c.routes.iter().enumerate()) {
                let id = super::route_choice::route_id(fm, rm);
                l.push(Level::RouteWip(f, k), "route", &id, ("wip", "count"), 1.0);
            }
        }
        for (i, n) in m.nodes.iter().enumerate() {
            let kind = r.kinds[i];
            let ix = l.push(
                Level::NodeQueue(i, kind),
                "node",
                &n.id,
                ("queue", "count"),
                1.0,
            );
            l.node.push(ix);
            l.push(
                Level::NodeWip(i, kind),
                "node",
                &n.id,
                ("wip", "count"),
                1.0,
            );
            if let Some(servers) = n.servers() {
                l.push(
                    Level::NodeBusy(i, kind),
                    "node",
                    &n.id,
                    ("utilisation", "ratio"),
                    servers as f64,
                );
                let changed = |s: &Setting| match s {
                    Setting::Servers { node, .. } | Setting::Lanes { node, .. } => *node == i,
                    _ => false,
                };
                if m.changes_any(changed) {
                    l.per_level(&mut pending, Level::NodeServers(i, kind));
                }
            }
        }
        for (i, &e) in r.services.iter().enumerate() {
            let sv = &m.services[i];
            let ix = l.push(
                Level::ServiceQueue(e),
                "service",
                &sv.id,
                ("queue_teu", "TEU"),
                1.0,
            );
            l.service.push(ix);
            l.push(
                Level::FleetAway(e),
                "service",
                &sv.id,
                ("fleet_utilisation", "ratio"),
                sv.fleet as f64,
            );
            if m.changes_any(|s| matches!(s, Setting::Fleet { service, .. } if *service == i)) {
                l.per_level(&mut pending, Level::Carriers(e));
            }
        }
        for (i, &e) in r.nodes.iter().enumerate() {
            let berths = r.world.get::<Berths>(e).map(|b| b.0.servers());
            let ix = berths.map(|servers| {
                let id = &m.nodes[i].id;
                let q = l.push(
                    Level::BerthQueue(e),
                    "berths",
                    id,
                    ("carriers_queued", "carriers"),
                    1.0,
                );
                if let Some(c) = servers {
                    l.push(
                        Level::BerthBusy(e),
                        "berths",
                        id,
                        ("berth_utilisation", "ratio"),
                        c as f64,
                    );
                    if m.changes_any(|s| matches!(s, Setting::Berths { node, .. } if *node == i)) {
                        l.per_level(&mut pending, Level::BerthCount(e));
                    }
                }
                q
            });
            l.berths.push(ix);
        }
        for (i, &e) in r.nodes.iter().enumerate() {
            let ix = r.world.get::<Yard>(e).is_some().then(|| {
                let id = &m.nodes[i].id;
                let g = l.push(Level::YardGate(e), "yard", id, ("blocked", "count"), 1.0);
                l.push(Level::YardTeu(e), "yard", id, ("occupancy", "TEU"), 1.0);
                g
            });
            l.yard.push(ix);
        }
        for (key, capacity) in pending {
            l.all.push(capacity);
            l.keys[key].1 = Per::Level(l.all.len() - 1);
        }
        l
    }
}

/// The time-weighted statistic behind a level.
fn statistic<'a>(r: &'a Replication, level: Level) -> &'a TimeWeighted {
    let w = &r.world;
    let station = |n| r.station(n);
    let border = |n| w.get::<Border>(r.nodes[n]).expect("border");
    match level {
        Level::NodeQueue(e, Kind::Station) => &station(e).servers.stats().queue,
        Level::NodeQueue(e, Kind::Border) => &border(e).stats.queue,
        Level::NodeWip(e, Kind::Station) => &station(e).stats.wip,
        Level::NodeWip(e, Kind::Border) => &border(e).stats.wip,
        Level::NodeBusy(e, Kind::Station) => &station(e).servers.stats().busy,
        Level::NodeBusy(e, Kind::Border) => &border(e).pools[LANES].stats().busy,
        Level::ServiceQueue(e) => &w.get::<ServiceState>(e).expect("service").stats.queue_teu,
        Level::FleetAway(e) => &w.get::<ServiceState>(e).expect("service").stats.away,
        Level::BerthQueue(e) => &w.get::<Berths>(e).expect("berths").0.stats().queue,
        Level::BerthBusy(e) => &w.get::<Berths>(e).expect("berths").0.stats().busy,
        Level::YardGate(e) => &w.get::<Yard>(e).expect("yard").0.stats().queue,
        Level::YardTeu(e) => &w.get::<Yard>(e).expect("yard").0.stats().level,
        Level::FlowWip(f) => &r.flow_wip[f],
        Level::RouteWip(f, k) => super::route_choice::wip(r, f, k),
        Level::NodeServers(e, Kind::Station) => &station(e).servers.stats().capacity,
        Level::NodeServers(e, Kind::Border) => &border(e).pools[LANES].stats().capacity,
        Level::BerthCount(e) => &w.get::<Berths>(e).expect("berths").0.stats().capacity,
        Level::Carriers(e) => &w.get::<ServiceState>(e).expect("service").stats.carriers,
    }
}

/// The replication's levels in time bins, as timeseries.csv names them: each bin mean divided
/// by the level's servers, fleet or berths for a utilisation (as the summary's utilisations
/// are), rounded to `f32`.
pub(super) fn series(r: &Replication) -> Series {
    let bins = &r.bins;
    let mut values = Vec::with_capacity(r.levels.all.len() * bins.binning().count());
    for (s, (_, per)) in r.levels.keys.iter().enumerate() {
        match *per {
            Per::Fixed(per) => {
                values.extend(bins.series(s).iter().map(|&v| (v as f64 / per) as f32));
            }
            Per::Level(c) => {
                let capacity = bins.series(c);
                let ratio = |(&v, &c): (&f32, &f32)| (v as f64 / c as f64) as f32;
                values.extend(bins.series(s).iter().zip(capacity).map(ratio));
            }
        }
    }
    Series {
        keys: r.levels.keys.iter().map(|(k, _)| k.clone()).collect(),
        binning: *bins.binning(),
        values,
    }
}

/// Closes every bin that ends at or before `t` (the time of the next event: nothing changes
/// between the last event and it).
#[cold]
#[inline(never)]
pub(super) fn close_bins(r: &mut Replication, t: SimTime) {
    while r.bins.next_end() <= t {
        let at = r.bins.next_end();
        let integrals = integrals(r, at);
        r.bins.close(integrals);
    }
}

/// Every level's running integral at `at`, in level order: what the time bins and the
/// calendar periods (`sim/periods.rs`) take differences of.
pub(super) fn integrals(r: &Replication, at: SimTime) -> Vec<u128> {
    r.levels
        .all
        .iter()
        .map(|&l| statistic(r, l).integral(at))
        .collect()
}

/// The metric a level's mean over a calendar period is written as (its mean divided by the
/// level's servers, fleet or berths, as in timeseries.csv); `None` for a flow's consignments in
/// the system, which the flow's period rows write themselves.
pub(super) fn period_metric(level: Level) -> Option<&'static Metric> {
    Some(match level {
        Level::NodeQueue(..) => &node::QUEUE_MEAN,
        Level::NodeWip(..) => &node::WIP_MEAN,
        Level::NodeBusy(..) => &node::UTILISATION,
        Level::ServiceQueue(_) => &service::QUEUE_TEU_MEAN,
        Level::FleetAway(_) => &service::FLEET_UTILISATION,
        Level::BerthQueue(_) => &berths::CARRIERS_QUEUED_MEAN,
        Level::BerthBusy(_) => &berths::BERTH_UTILISATION,
        Level::YardGate(_) => &yard::BLOCKED_MEAN,
        Level::YardTeu(_) => &yard::OCCUPANCY_MEAN,
        Level::FlowWip(_)
        | Level::RouteWip(..)
        | Level::NodeServers(..)
        | Level::BerthCount(_)
        | Level::Carriers(_) => {
            return None;
        }
    })
}
