//! The event calendar: a priority queue of pending events.
//!
//! Order contract: events run in increasing time; events at the same instant run in the order
//! they were scheduled (FIFO by insertion sequence). The key is `(time, sequence)` packed into
//! one `u128`, so ties are never broken at random and a run is fully deterministic.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::{SimDur, SimTime};

struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: `BinaryHeap` is a max-heap and we want the earliest key on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Pending events of type `E`, popped in `(time, insertion sequence)` order.
pub struct Calendar<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
    now: SimTime,
}

impl<E> Default for Calendar<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Calendar<E> {
    /// An empty calendar at time zero.
    pub fn new() -> Self {
        Calendar {
            heap: BinaryHeap::new(),
            seq: 0,
            now: SimTime::ZERO,
        }
    }

    /// An empty calendar with room for `n` pending events before it reallocates.
    pub fn with_capacity(n: usize) -> Self {
        Calendar {
            heap: BinaryHeap::with_capacity(n),
            seq: 0,
            now: SimTime::ZERO,
        }
    }

    /// The time of the event popped last (the simulation clock).
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at absolute time `at`.
    ///
    /// # Panics
    /// If `at` is earlier than [`Calendar::now`]: scheduling into the past is a bug in the model.
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) {
        assert!(at >= self.now, "event scheduled in the past");
        let key = ((at.0 as u128) << 64) | self.seq as u128;
        self.seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// Schedules `event` after `delay` from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimDur, event: E) {
        self.schedule(self.now + delay, event);
    }

    /// Removes the next event and advances the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Entry { key, event } = self.heap.pop()?;
        let t = SimTime((key >> 64) as u64);
        self.now = t;
        Some((t, event))
    }

    /// Time of the next event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| SimTime((e.key >> 64) as u64))
    }

    /// The pending events at time `at`, in no particular order (for diagnostics: it scans the
    /// whole calendar).
    pub fn pending_at(&self, at: SimTime) -> impl Iterator<Item = &E> + '_ {
        self.heap
            .iter()
            .filter(move |e| (e.key >> 64) as u64 == at.0)
            .map(|e| &e.event)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use std::collections::BTreeMap;

    #[test]
    fn same_time_is_fifo() {
        let mut c = Calendar::new();
        for i in 0..100 {
            c.schedule(SimTime(7), i);
        }
        c.schedule(SimTime(3), -1);
        assert_eq!(c.pending_at(SimTime(7)).count(), 100);
        assert_eq!(c.pending_at(SimTime(3)).collect::<Vec<_>>(), [&-1]);
        assert_eq!(c.pop(), Some((SimTime(3), -1)));
        for i in 0..100 {
            assert_eq!(c.pop(), Some((SimTime(7), i)));
        }
        assert_eq!(c.pop(), None);
    }

    #[test]
    #[should_panic(expected = "past")]
    fn past_is_rejected() {
        let mut c = Calendar::new();
        c.schedule(SimTime(10), ());
        c.pop();
        c.schedule(SimTime(9), ());
    }

    /// Shadow check: a million seeded random operations against a `BTreeMap` keyed by
    /// (time, sequence), the obviously-correct reference.
    #[test]
    fn matches_btreemap_shadow() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(42);
        let mut cal = Calendar::new();
        let mut shadow: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        let mut seq = 0u64;
        for op in 0..1_000_000u64 {
            let r = rng.next_u64();
            if r % 3 != 0 || shadow.is_empty() {
                // Few distinct offsets, so same-time ties are frequent.
                let at = cal.now().0 + (r >> 32) % 50;
                cal.schedule(SimTime(at), op);
                shadow.insert((at, seq), op);
                seq += 1;
            } else {
                let (&(t, s), &v) = shadow.iter().next().unwrap();
                shadow.remove(&(t, s));
                assert_eq!(cal.pop(), Some((SimTime(t), v)));
            }
            assert_eq!(cal.len(), shadow.len());
        }
    }
}
