//! The event calendar: a priority queue of pending events.
//!
//! Order contract: events run in increasing time; events at the same instant run in the order
//! they were scheduled (FIFO by insertion), so ties are never broken at random and a run is
//! fully deterministic.
//!
//! The queue is a radix heap: the clock only moves forward, so every pending time is at least
//! the time `last` popped last, and an event goes to the bucket of the highest bit in which
//! its time differs from `last` (bucket 0: the same time). Scheduling is a push onto a bucket;
//! popping takes bucket 0 in order, or, when it is empty, moves the lowest non-empty bucket
//! down around its earliest time. Each event moves down at most 64 times over its life, and
//! in practice once or twice, whatever the number pending; a binary heap pays a sift of
//! log2(pending) levels at every push and pop (see benches/README.md for the measurements).
//!
//! FIFO at equal times holds because events of equal time are always in the same bucket (the
//! bucket depends only on the time and `last`), each bucket keeps the order in which events
//! arrived, and moving a bucket down keeps its order. The shadow test below checks it against
//! a `BTreeMap` keyed by (time, sequence) over a million random operations.

use std::cell::Cell;
use std::collections::VecDeque;

use super::time::{SimDur, SimTime};

/// Buckets 1..=64: times differing from `last` first at bit `i - 1`.
const BUCKETS: usize = 64;

/// Pending events of type `E`, popped in `(time, insertion order)` order.
pub struct Calendar<E> {
    /// Events at time `last`, in the order they were scheduled.
    now_queue: VecDeque<(u64, E)>,
    /// `buckets[i - 1]`: events whose time differs from `last` first at bit `i - 1`.
    buckets: [Vec<(u64, E)>; BUCKETS],
    /// Bit `i - 1` set when `buckets[i - 1]` is not empty.
    occupied: u64,
    /// The time popped last.
    last: u64,
    /// The earliest pending time when `now_queue` is empty, once found (until the next change).
    earliest: Cell<Option<u64>>,
    /// Where the first event at `earliest` is in the lowest non-empty bucket, once
    /// [`Calendar::peek_next`] has looked (kept by `schedule`, forgotten with `earliest`).
    earliest_at: Cell<Option<usize>>,
    len: usize,
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
            now_queue: VecDeque::new(),
            buckets: std::array::from_fn(|_| Vec::new()),
            occupied: 0,
            last: 0,
            earliest: Cell::new(None),
            earliest_at: Cell::new(None),
            len: 0,
        }
    }

    /// An empty calendar with room for `n` events at one instant before it reallocates.
    pub fn with_capacity(n: usize) -> Self {
        let mut c = Self::new();
        c.now_queue.reserve(n);
        c
    }

    /// The time of the event popped last (the simulation clock).
    #[inline]
    pub fn now(&self) -> SimTime {
        SimTime(self.last)
    }

    /// The bucket of time `t` (at least `last`): 0 for `last` itself.
    #[inline]
    fn bucket(&self, t: u64) -> usize {
        (u64::BITS - (t ^ self.last).leading_zeros()) as usize
    }

    /// Schedules `event` at absolute time `at`.
    ///
    /// # Panics
    /// If `at` is earlier than [`Calendar::now`]: scheduling into the past is a bug in the model.
    #[inline(always)]
    pub fn schedule(&mut self, at: SimTime, event: E) {
        assert!(at.0 >= self.last, "event scheduled in the past");
        let b = self.bucket(at.0);
        if b == 0 {
            self.now_queue.push_back((at.0, event));
        } else {
            let bucket = &mut self.buckets[b - 1];
            bucket.push((at.0, event));
            self.occupied |= 1 << (b - 1);
            // An earlier time than the earliest is in the lowest bucket now (its bucket is at
            // most the earliest's); an equal time comes after it (FIFO).
            if let Some(e) = self.earliest.get()
                && at.0 < e
            {
                self.earliest.set(Some(at.0));
                self.earliest_at.set(Some(bucket.len() - 1));
            }
        }
        self.len += 1;
    }

    /// Schedules `event` after `delay` from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimDur, event: E) {
        self.schedule(self.now() + delay, event);
    }

    /// The earliest time in the lowest non-empty bucket (the earliest pending time when
    /// `now_queue` is empty), remembered until the calendar changes.
    #[inline]
    fn earliest_in_buckets(&self) -> Option<u64> {
        if let Some(e) = self.earliest.get() {
            return Some(e);
        }
        if self.occupied == 0 {
            return None;
        }
        let b = self.occupied.trailing_zeros() as usize;
        let e = self.buckets[b].iter().map(|x| x.0).min();
        self.earliest.set(e);
        e
    }

    /// Removes the next event and advances the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.now_queue.is_empty() {
            let t = self.earliest_in_buckets()?;
            let b = self.occupied.trailing_zeros() as usize;
            self.last = t;
            self.occupied &= !(1 << b);
            // Every event of the bucket moves to a lower one, in order; the bucket keeps its
            // allocation for its next use.
            let mut moving = std::mem::take(&mut self.buckets[b]);
            for (at, e) in moving.drain(..) {
                let nb = self.bucket(at);
                if nb == 0 {
                    self.now_queue.push_back((at, e));
                } else {
                    debug_assert!(nb - 1 < b);
                    self.buckets[nb - 1].push((at, e));
                    self.occupied |= 1 << (nb - 1);
                }
            }
            self.buckets[b] = moving;
            self.earliest.set(None);
            self.earliest_at.set(None);
        }
        let (t, e) = self.now_queue.pop_front()?;
        self.len -= 1;
        Some((SimTime(t), e))
    }

    /// Time of the next event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.now_queue.is_empty() {
            return Some(SimTime(self.last));
        }
        self.earliest_in_buckets().map(SimTime)
    }

    /// The event that comes next if nothing earlier is scheduled before it, to warm the caches
    /// with what it will touch while the current one is handled ([`super::prefetch`]). It
    /// finds what [`Calendar::peek_time`] would find next, no more.
    #[inline]
    pub fn peek_next(&self) -> Option<&E> {
        if let Some((_, e)) = self.now_queue.front() {
            return Some(e);
        }
        let t = self.earliest_in_buckets()?;
        let bucket = &self.buckets[self.occupied.trailing_zeros() as usize];
        let i = match self.earliest_at.get() {
            Some(i) => i,
            // The first at that time is the first scheduled of them (FIFO).
            None => bucket.iter().position(|x| x.0 == t)?,
        };
        self.earliest_at.set(Some(i));
        bucket.get(i).map(|x| &x.1)
    }

    /// The pending events at time `at`, in no particular order (for diagnostics: it scans the
    /// whole calendar).
    pub fn pending_at(&self, at: SimTime) -> impl Iterator<Item = &E> + '_ {
        self.now_queue
            .iter()
            .chain(self.buckets.iter().flatten())
            .filter(move |e| e.0 == at.0)
            .map(|e| &e.1)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
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

    /// Shadow check with times spread over the whole clock (offsets from 1 ms to about 35
    /// years, and the largest time): events move down through many buckets.
    #[test]
    fn matches_btreemap_shadow_over_wide_times() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        let mut cal = Calendar::new();
        let mut shadow: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        let mut seq = 0u64;
        for op in 0..300_000u64 {
            let r = rng.next_u64();
            if r % 5 < 3 || shadow.is_empty() {
                let spread = 1u64 << (r % 41);
                let at = match op % 1000 {
                    999 => u64::MAX,
                    _ => cal.now().0.saturating_add((r >> 20) % spread),
                };
                cal.schedule(SimTime(at), op);
                shadow.insert((at, seq), op);
                seq += 1;
            } else {
                let (&(t, s), &v) = shadow.iter().next().unwrap();
                shadow.remove(&(t, s));
                assert_eq!(cal.peek_time(), Some(SimTime(t)));
                assert_eq!(cal.peek_next(), Some(&v));
                assert_eq!(cal.pop(), Some((SimTime(t), v)));
            }
            assert_eq!(cal.len(), shadow.len());
        }
        while let Some((&(t, s), &v)) = shadow.iter().next() {
            shadow.remove(&(t, s));
            assert_eq!(cal.pop(), Some((SimTime(t), v)));
        }
        assert_eq!(cal.pop(), None);
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
                assert_eq!(cal.peek_next(), Some(&v));
                assert_eq!(cal.pop(), Some((SimTime(t), v)));
            }
            assert_eq!(cal.len(), shadow.len());
        }
    }
}
