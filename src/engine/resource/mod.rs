//! Shared resources, apart from any model that uses them (as SimPy keeps `Resource`,
//! `PriorityResource`, `PreemptiveResource` and `Container` apart from processes):
//!
//! - [`Pool`]: parallel servers with one first-come-first-served queue;
//! - [`PriorityPool`]: parallel servers with a FIFO queue per priority class (highest first),
//!   optionally with preemptive resume;
//! - [`Container`]: a level below a capacity, with a FIFO of waiting puts admitted in order.
//!
//! They hold state and statistics only: the caller schedules the events (a service end, say)
//! and tells the resource the time of every change, so each keeps its own time-weighted
//! statistics; `reset(now)` restarts those at the end of a warm-up, keeping the current levels.
//! They are generic over what waits (`T`), which they never look into.

pub mod container;
pub mod pool;
pub mod priority;

pub use container::{Container, ContainerStats, Entry};
pub use pool::Pool;
pub use priority::{Job, PriorityPool, Request};

use super::SimTime;
use super::stats::{Tally, TimeWeighted};

/// An item in a queue, waiting since `since`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting<T> {
    /// What waits.
    pub item: T,
    /// Since when.
    pub since: SimTime,
}

/// Statistics of a server pool since its last reset.
#[derive(Clone, Debug, Default)]
pub struct PoolStats {
    /// Busy servers over time.
    pub busy: TimeWeighted,
    /// Queue length over time.
    pub queue: TimeWeighted,
    /// Waits for a server, recorded when service starts (zero when served at once).
    pub wait: Tally,
    /// Servers over time (a finite count only; see [`Pool::set_servers`]): busy time over
    /// this is the utilisation when the count changes.
    pub capacity: TimeWeighted,
}

impl PoolStats {
    /// Restarts at `now`, keeping current levels.
    pub fn reset(&mut self, now: SimTime) {
        self.busy.reset(now);
        self.queue.reset(now);
        self.wait = Tally::default();
        self.capacity.reset(now);
    }
}

/// Servers from a count where `None` means unlimited.
fn servers(n: Option<u32>) -> u32 {
    n.unwrap_or(u32::MAX)
}

/// The count back, `None` for unlimited.
fn count(servers: u32) -> Option<u32> {
    (servers != u32::MAX).then_some(servers)
}

/// Hand-worked tests count in whole hours.
#[cfg(test)]
mod hours {
    use crate::engine::{SimDur, SimTime};

    /// `n` hours after time zero.
    pub(super) fn t(n: u64) -> SimTime {
        SimTime::ZERO + SimDur::hours(n)
    }

    /// `n` hours.
    pub(super) fn h(n: u64) -> SimDur {
        SimDur::hours(n)
    }
}
