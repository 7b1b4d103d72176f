//! A guard against an unbounded instant: a model whose events keep scheduling events at the
//! same simulated time never advances its clock and would run forever. The guard trips once
//! more than `max(`[`MIN_EVENTS`]`, `[`EVENTS_PER_ENTITY`]` x entities)` events have happened at
//! one instant, a number no finite burst reaches (a carrier unloading a million consignments at
//! once makes a few events per consignment). The caller says which entities count: those that
//! were there when the instant began, so that a source creating entities at one instant
//! without end does not raise its own limit.
//!
//! It costs nothing measurable per event: the caller counts events anyway, and the guard looks
//! at the clock only every [`CHECK_EVERY`] events. If the clock has not moved since the last
//! look, every event in between happened at that instant; the events counted from the first
//! look at an instant are a lower bound of all its events, so the guard trips at most
//! [`CHECK_EVERY`] events after the limit.

use super::time::SimTime;

/// Events at one instant that are always allowed.
pub const MIN_EVENTS: u64 = 1_000_000;
/// Events at one instant allowed per entity of the model (consignment, carrier, node...).
pub const EVENTS_PER_ENTITY: u64 = 100;
/// The guard looks at the clock once per this many events (a power of two).
pub const CHECK_EVERY: u64 = 1 << 16;

/// Watches the clock every [`CHECK_EVERY`] events; see the module documentation.
#[derive(Clone, Copy, Debug)]
pub struct InstantGuard {
    /// `events & mask == 0` on the events the guard looks at.
    mask: u64,
    min: u64,
    per_entity: u64,
    /// The instant seen at the last look.
    at: SimTime,
    /// The event count just before the first look at `at`.
    since: u64,
    /// Counts at `at` up to this need no count of entities.
    check_at: u64,
}

impl Default for InstantGuard {
    fn default() -> Self {
        InstantGuard::new()
    }
}

impl InstantGuard {
    /// The guard with the documented limit.
    pub fn new() -> InstantGuard {
        InstantGuard::with_limit(MIN_EVENTS, EVENTS_PER_ENTITY, CHECK_EVERY)
    }

    /// A guard that allows `max(min, per_entity x entities)` events at one instant (at least
    /// 1), looking at the clock every `every` events (rounded up to a power of two; 1 looks at
    /// every event and counts exactly).
    pub fn with_limit(min: u64, per_entity: u64, every: u64) -> InstantGuard {
        let min = min.max(1);
        InstantGuard {
            mask: every.max(1).next_power_of_two() - 1,
            min,
            per_entity,
            at: SimTime(u64::MAX),
            since: 0,
            check_at: min,
        }
    }

    /// Called with the clock `now` at each event, `events` the events counted so far (this one
    /// included): true when the events at this instant exceed the limit, for a world of
    /// `entities()` entities (called only when needed, rarely: it may be costly).
    #[inline(always)]
    pub fn tick(&mut self, now: SimTime, events: u64, entities: impl FnOnce() -> u64) -> bool {
        events & self.mask == 0 && self.look(now, events, entities)
    }

    #[cold]
    #[inline(never)]
    fn look(&mut self, now: SimTime, events: u64, entities: impl FnOnce() -> u64) -> bool {
        if now != self.at {
            self.at = now;
            self.since = events - 1;
            self.check_at = self.min;
        }
        let same = self.events_at_instant(events);
        if same <= self.check_at {
            return false;
        }
        let limit = self.min.max(self.per_entity.saturating_mul(entities()));
        self.check_at = limit;
        same > limit
    }

    /// The events at the instant of the last look, counted from that look's first (a lower
    /// bound of them all), `events` being the count now.
    pub fn events_at_instant(&self, events: u64) -> u64 {
        events - self.since
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_instant_and_asks_for_entities_only_past_the_minimum() {
        let mut g = InstantGuard::with_limit(3, 2, 1);
        let mut asked = 0;
        let mut tick = |g: &mut InstantGuard, t: u64, n: u64| {
            g.tick(SimTime(t), n, || {
                asked += 1;
                5
            })
        };
        // 10 events allowed at one instant (5 entities x 2), the 11th trips.
        for n in 1..=10 {
            assert!(!tick(&mut g, 0, n), "event {n}");
        }
        assert!(tick(&mut g, 0, 11));
        assert_eq!(g.events_at_instant(11), 11);
        // The time advances: the count starts again.
        for n in 12..=20 {
            assert!(!tick(&mut g, 1, n));
        }
        assert_eq!(g.events_at_instant(20), 9);
        // Asked when an instant passes the minimum (twice) and when it passes the limit.
        assert_eq!(asked, 3);
    }

    #[test]
    fn looks_every_power_of_two_events() {
        let mut g = InstantGuard::with_limit(100, 0, 48);
        let trips: Vec<u64> = (1..=1_000)
            .filter(|&n| g.tick(SimTime(0), n, || 0))
            .collect();
        // Looks at 64, 128, ...: the first look counts 1, so 128 counts 65 and 192 counts 129.
        assert_eq!(trips.first(), Some(&192));
    }
}
