//! Yard capacity at a station, in TEU: consignments occupy the yard from admission until they
//! leave the node (by link, or when the carrier they boarded departs). When the yard is full,
//! arriving consignments wait at its gate and arriving carriers wait at their berth without
//! unloading (blocking), first come first served: this is how congestion propagates back along
//! a corridor. Nothing is lost; everything blocked is still in the system.

use std::collections::VecDeque;

use bevy_ecs::prelude::*;

use super::components::Consignment;
use super::{Replication, carrier, station};
use crate::engine::SimTime;
use crate::engine::stats::{Tally, TimeWeighted};

/// What waits at a full yard.
#[derive(Clone, Copy, Debug)]
pub enum Blocked {
    /// A consignment arrived by link or directly.
    Consignment(Entity),
    /// A carrier that cannot unload its load.
    Carrier(Entity),
}

/// A node's yard.
#[derive(Component)]
pub struct Yard {
    /// Capacity, TEU.
    pub capacity: u64,
    /// TEU in the yard.
    pub used: u64,
    /// Waiting for space: (who, since, TEU), in arrival order.
    pub blocked: VecDeque<(Blocked, SimTime, u32)>,
    /// Occupancy over time.
    pub used_tw: TimeWeighted,
    /// Entries blocked over time.
    pub blocked_tw: TimeWeighted,
    /// 1 while anything is blocked, over time.
    pub any_blocked_tw: TimeWeighted,
    /// Waits for space per admission (zero when admitted at once).
    pub wait: Tally,
}

impl Yard {
    /// An empty yard.
    pub fn new(capacity: u32) -> Yard {
        Yard {
            capacity: capacity as u64,
            used: 0,
            blocked: VecDeque::new(),
            used_tw: Default::default(),
            blocked_tw: Default::default(),
            any_blocked_tw: Default::default(),
            wait: Default::default(),
        }
    }

    fn note(&mut self, now: SimTime) {
        self.used_tw.set(now, self.used);
        let b = self.blocked.len() as u64;
        self.blocked_tw.set(now, b);
        self.any_blocked_tw.set(now, (b > 0) as u64);
    }

    /// Restarts statistics at `now`.
    pub fn reset(&mut self, now: SimTime) {
        self.used_tw.reset(now);
        self.blocked_tw.reset(now);
        self.any_blocked_tw.reset(now);
        self.wait = Tally::default();
    }
}

/// Takes `teu` into the yard of `node` now if there is room and nobody is waiting before; else
/// `who` joins the queue at the gate. True if admitted (or the node has no yard).
#[inline]
pub(super) fn try_admit(r: &mut Replication, node: usize, who: Blocked, teu: u32) -> bool {
    // The common case, inlined and without a component lookup.
    !r.has_yard[node] || admit_or_block(r, node, who, teu)
}

fn admit_or_block(r: &mut Replication, node: usize, who: Blocked, teu: u32) -> bool {
    let now = r.cal.now();
    let Some(mut y) = r.world.get_mut::<Yard>(r.nodes[node]) else {
        return true;
    };
    if y.blocked.is_empty() && y.used + teu as u64 <= y.capacity {
        y.used += teu as u64;
        y.wait.record(Default::default());
        y.note(now);
        true
    } else {
        y.blocked.push_back((who, now, teu));
        y.note(now);
        false
    }
}

/// `teu` leave the yard of `node`; whoever waits at the gate and now fits is admitted, in order.
#[inline]
pub(super) fn release(r: &mut Replication, node: usize, teu: u64) {
    if r.has_yard[node] {
        free(r, node, teu);
    }
}

fn free(r: &mut Replication, node: usize, teu: u64) {
    let now = r.cal.now();
    let mut admitted = Vec::new();
    {
        let Some(mut y) = r.world.get_mut::<Yard>(r.nodes[node]) else {
            return;
        };
        y.used -= teu;
        while let Some(&(who, since, t)) = y.blocked.front() {
            if y.used + t as u64 > y.capacity {
                break;
            }
            y.blocked.pop_front();
            y.used += t as u64;
            y.wait.record(now - since);
            admitted.push((who, since, t));
        }
        y.note(now);
    }
    for (who, since, t) in admitted {
        match who {
            Blocked::Consignment(c) => {
                {
                    let mut cm = r
                        .world
                        .get_mut::<Consignment>(c)
                        .expect("blocked consignment");
                    cm.queueing = cm.queueing + (now - since);
                    cm.at_node = now;
                    cm.started = now;
                }
                station::enter(r, c, node as u32, t);
            }
            Blocked::Carrier(k) => carrier::finish_unloading(r, k),
        }
    }
}
