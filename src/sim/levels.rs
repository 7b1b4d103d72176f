//! The levels recorded in time bins ([`crate::engine::bins`]): what waits at every resource and
//! what is under way in every flow. Read once per bin boundary, never on the per-event path.
//!
//! One level per element, in this order: each node's queue (consignments waiting for servers,
//! or for a border's lanes, bays and tracks), each service's TEU waiting to board, each berth
//! group's carriers waiting for a berth, each yard's entries waiting at its gate, and each
//! flow's consignments in the system. Their bin-by-bin trend over the second half of the window
//! is a row of each element (`queue_trend`, `queue_teu_trend`, `carriers_queued_trend`,
//! `blocked_trend`, `wip_trend`), from which the summary decides `stable`.

use bevy_ecs::prelude::*;

use super::Replication;
use super::border_state::Border;
use super::carrier::Berths;
use super::components::{ServiceState, Station};
use super::node::Kind;
use super::yard::Yard;
use crate::engine::SimTime;
use crate::engine::stats::TimeWeighted;

/// What a level measures.
#[derive(Clone, Copy, Debug)]
pub(super) enum Level {
    /// Consignments waiting at node `n` (of the given kind).
    NodeQueue(Entity, Kind),
    /// TEU waiting to board a service.
    ServiceQueue(Entity),
    /// Carriers waiting for a berth at a node.
    BerthQueue(Entity),
    /// Entries waiting at a yard's gate.
    YardGate(Entity),
    /// Consignments of flow `f` in the system.
    FlowWip(usize),
}

/// Where each element's level is among the recorded ones.
#[derive(Clone, Debug, Default)]
pub(super) struct Levels {
    /// Every level, in recording order.
    pub all: Vec<Level>,
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
    /// The levels of a freshly spawned replication.
    pub(super) fn of(r: &Replication) -> Levels {
        let mut l = Levels::default();
        let push = |all: &mut Vec<Level>, level| {
            all.push(level);
            all.len() - 1
        };
        for (i, &e) in r.nodes.iter().enumerate() {
            let ix = push(&mut l.all, Level::NodeQueue(e, r.kinds[i]));
            l.node.push(ix);
        }
        for &e in &r.services {
            let ix = push(&mut l.all, Level::ServiceQueue(e));
            l.service.push(ix);
        }
        for &e in &r.nodes {
            let ix = r
                .world
                .get::<Berths>(e)
                .is_some()
                .then(|| push(&mut l.all, Level::BerthQueue(e)));
            l.berths.push(ix);
        }
        for &e in &r.nodes {
            let ix = r
                .world
                .get::<Yard>(e)
                .is_some()
                .then(|| push(&mut l.all, Level::YardGate(e)));
            l.yard.push(ix);
        }
        for f in 0..r.flows.len() {
            let ix = push(&mut l.all, Level::FlowWip(f));
            l.flow.push(ix);
        }
        l
    }
}

/// The time-weighted statistic behind a level.
fn statistic<'a>(r: &'a Replication, level: Level) -> &'a TimeWeighted {
    let w = &r.world;
    match level {
        Level::NodeQueue(e, Kind::Station) => {
            &w.get::<Station>(e).expect("station").servers.stats().queue
        }
        Level::NodeQueue(e, Kind::Border) => &w.get::<Border>(e).expect("border").stats.queue,
        Level::ServiceQueue(e) => &w.get::<ServiceState>(e).expect("service").stats.queue_teu,
        Level::BerthQueue(e) => &w.get::<Berths>(e).expect("berths").0.stats().queue,
        Level::YardGate(e) => &w.get::<Yard>(e).expect("yard").0.stats().queue,
        Level::FlowWip(f) => &r.flow_wip[f],
    }
}

/// Closes every bin that ends at or before `t` (the time of the next event: nothing changes
/// between the last event and it).
#[cold]
#[inline(never)]
pub(super) fn close_bins(r: &mut Replication, t: SimTime) {
    while r.bins.next_end() <= t {
        let at = r.bins.next_end();
        let integrals: Vec<u128> = r
            .levels
            .all
            .iter()
            .map(|&l| statistic(r, l).integral(at))
            .collect();
        r.bins.close(integrals);
    }
}
