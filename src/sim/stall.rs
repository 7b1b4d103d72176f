//! A replication whose clock stopped: the guard of [`crate::engine::instant`] tripped. What is
//! known then: the instant, how many events happened at it, the event the run stopped before
//! and the kinds of the events still pending at that instant.

use std::fmt;

use crate::engine::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND};
use crate::engine::{Calendar, SimTime};

use super::Event;

/// A replication stopped because events kept coming at one simulated instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stall {
    /// The instant the clock stopped at.
    pub at: SimTime,
    /// Events that happened at that instant (at least this many).
    pub events: u64,
    /// The kind of the event the run stopped before.
    pub stopped_before: &'static str,
    /// The kinds of the events pending at that instant, with how many of each, most frequent
    /// first.
    pub pending: Vec<(&'static str, u64)>,
}

impl Stall {
    /// The run stops at `at`, before `ev`, after `events` events at that instant.
    #[cold]
    #[inline(never)]
    pub(super) fn new(at: SimTime, events: u64, ev: Event, cal: &Calendar<Event>) -> Stall {
        let mut pending: Vec<(&'static str, u64)> = Vec::new();
        for e in cal.pending_at(at) {
            let kind = e.kind();
            match pending.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => pending.push((kind, 1)),
            }
        }
        pending.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        Stall {
            at,
            events,
            stopped_before: ev.kind(),
            pending,
        }
    }
}

/// `3d 04:05:06.789` (days since the start, then the time of that day).
fn clock(t: SimTime) -> String {
    let ms = t.0;
    format!(
        "{}d {:02}:{:02}:{:02}.{:03}",
        ms / MS_PER_DAY,
        ms % MS_PER_DAY / MS_PER_HOUR,
        ms % MS_PER_HOUR / MS_PER_MINUTE,
        ms % MS_PER_MINUTE / MS_PER_SECOND,
        ms % MS_PER_SECOND
    )
}

impl fmt::Display for Stall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pending = if self.pending.is_empty() {
            "none".to_string()
        } else {
            let kinds: Vec<String> = self
                .pending
                .iter()
                .map(|(k, n)| format!("{k} x {n}"))
                .collect();
            kinds.join(", ")
        };
        write!(
            f,
            "the simulated clock stopped at {} ({} ms after the start): {} or more events happened at that instant without time advancing, more than any finite burst makes; the run stopped before an event of kind {} (events pending at that instant: {pending}). Something schedules work at the same instant without end (a zero time between arrivals or departures, or a cycle of zero-length steps)",
            clock(self.at),
            self.at.0,
            self.events,
            self.stopped_before,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_instant_and_the_kinds() {
        let at = SimTime(3 * MS_PER_DAY + 4 * MS_PER_HOUR + 5 * MS_PER_MINUTE + 6_789);
        let mut cal = Calendar::new();
        cal.schedule(at, Event::WarmupEnd);
        cal.schedule(at, Event::Created { flow: 0 });
        cal.schedule(at, Event::WarmupEnd);
        cal.schedule(SimTime(at.0 + 1), Event::Created { flow: 0 });
        let s = Stall::new(at, 1_000_001, Event::MaxWait { svc: 0 }, &cal);
        let text = s.to_string();
        assert!(text.contains("stopped at 3d 04:05:06.789"), "{text}");
        assert!(text.contains("1000001 or more events"), "{text}");
        assert!(
            text.contains(
                "stopped before an event of kind MaxWait (events pending at that instant: WarmupEnd x 2, Created x 1)"
            ),
            "{text}"
        );
    }
}
