//! Yard capacity at a node, in TEU: consignments occupy the yard from admission until they
//! leave the node (by link, or when the carrier they boarded departs). When the yard is full,
//! arriving consignments wait at its gate and arriving carriers wait at their berth without
//! unloading (blocking), first come first served: this is how congestion propagates back along
//! a corridor. Nothing is lost; everything blocked is still in the system.
//!
//! The yard is data only: an [`engine::resource::Container`](crate::engine::resource::Container)
//! that says whom it admits; the node module hands them over to their node or carrier.

use bevy_ecs::prelude::*;

use super::catalogue::yard as metric;
use super::rows::Sink;
use super::rows::Window;
use super::{Cid, Replication};
use crate::engine::resource::Container;
use crate::scenario::Setting;

/// What waits at a full yard.
#[derive(Clone, Copy, Debug)]
pub(super) enum Blocked {
    /// A consignment arrived by link or directly.
    Consignment(Cid),
    /// A carrier that cannot unload its load.
    Carrier(Entity),
}

/// A node's yard: TEU held, and the gate's FIFO of blocked entries.
#[derive(Component)]
pub(super) struct Yard(pub Container<Blocked>);

impl Yard {
    /// An empty yard of `capacity` TEU.
    pub(super) fn new(capacity: u32) -> Yard {
        Yard(Container::new(capacity as u64))
    }
}

/// The yard rows: occupancy and blocking.
pub(super) fn rows(r: &Replication, w: &Window, sink: &mut Sink) {
    let m = r.model;
    // Yards: occupancy and blocking.
    for (i, n) in m.nodes.iter().enumerate() {
        let Some(Yard(y)) = r.world.get::<Yard>(r.nodes[i]) else {
            continue;
        };
        let id = &n.id;
        let y = y.stats();
        sink.put(id, &metric::OCCUPANCY_MEAN, y.level.mean(w.end));
        sink.put(id, &metric::OCCUPANCY_MAX, y.level.max() as f64);
        let share = if m.changes_any(|s| matches!(s, Setting::YardTeu { node, .. } if *node == i)) {
            y.level.mean(w.end) / y.capacity.mean(w.end)
        } else {
            y.level.mean(w.end) / n.yard_teu.map_or(f64::NAN, |c| c as f64)
        };
        sink.put(id, &metric::OCCUPANCY_SHARE, share);
        sink.put(id, &metric::BLOCKED_MEAN, y.queue.mean(w.end));
        sink.put(id, &metric::BLOCKED_SHARE, y.blocked.mean(w.end));
        sink.put(id, &metric::BLOCKED_WAIT_MEAN, y.wait.mean_hours());
        let level = r.levels.yard[i].expect("yards are recorded");
        sink.put(id, &metric::BLOCKED_TREND, r.bins.rise(level));
    }
}
