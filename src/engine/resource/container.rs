//! A level below a capacity (SimPy's `Container`): a put that does not fit, or that would pass
//! puts already waiting, waits; takes never wait, and each admits the waiting puts that now fit,
//! in order (the first that does not fit blocks those behind it).

use std::collections::VecDeque;

use crate::engine::SimTime;
use crate::engine::stats::{Tally, TimeWeighted};

/// A put waiting for room: who, since when, how much.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<T> {
    /// What waits.
    pub item: T,
    /// Since when.
    pub since: SimTime,
    /// The amount it puts.
    pub amount: u64,
}

/// Statistics of a container since its last reset.
#[derive(Clone, Debug, Default)]
pub struct ContainerStats {
    /// Level over time.
    pub level: TimeWeighted,
    /// Puts waiting over time.
    pub queue: TimeWeighted,
    /// 1 while any put waits, over time.
    pub blocked: TimeWeighted,
    /// Waits per admitted put (zero when admitted at once).
    pub wait: Tally,
    /// Capacity over time (see [`Container::set_capacity`]).
    pub capacity: TimeWeighted,
}

/// A capacity with a FIFO of waiting puts of type `T`.
#[derive(Clone, Debug)]
pub struct Container<T> {
    capacity: u64,
    level: u64,
    waiting: VecDeque<Entry<T>>,
    stats: ContainerStats,
}

impl<T> Container<T> {
    /// An empty container.
    pub fn new(capacity: u64) -> Container<T> {
        let mut stats = ContainerStats::default();
        stats.capacity.set(SimTime::ZERO, capacity);
        Container {
            capacity,
            level: 0,
            waiting: VecDeque::new(),
            stats,
        }
    }

    /// Capacity.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Level now.
    pub fn level(&self) -> u64 {
        self.level
    }

    /// Puts waiting now.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Statistics since the last reset.
    pub fn stats(&self) -> &ContainerStats {
        &self.stats
    }

    /// `item` puts `amount` at `now`: admitted at once (and given back) if it fits and nothing
    /// waits before it, else it waits (`None`).
    pub fn put(&mut self, now: SimTime, item: T, amount: u64) -> Option<T> {
        let admitted = if self.waiting.is_empty() && self.level + amount <= self.capacity {
            self.level += amount;
            self.stats.wait.record(Default::default());
            Some(item)
        } else {
            self.waiting.push_back(Entry {
                item,
                since: now,
                amount,
            });
            None
        };
        self.note(now);
        admitted
    }

    /// The capacity becomes `capacity` at `now`. What is in already stays (a smaller
    /// capacity blocks new admissions only, until the level falls below it); a larger one
    /// admits the waiting puts that now fit, in order, and they come back.
    pub fn set_capacity(&mut self, now: SimTime, capacity: u64) -> Vec<Entry<T>> {
        self.capacity = capacity;
        self.stats.capacity.set(now, capacity);
        self.take(now, 0)
    }

    /// `amount` leaves at `now`; the waiting puts that now fit are admitted, in order, and come
    /// back.
    pub fn take(&mut self, now: SimTime, amount: u64) -> Vec<Entry<T>> {
        let mut admitted = Vec::new();
        self.level -= amount;
        while let Some(e) = self.waiting.front() {
            if self.level + e.amount > self.capacity {
                break;
            }
            let e = self.waiting.pop_front().expect("front");
            self.level += e.amount;
            self.stats.wait.record(now - e.since);
            admitted.push(e);
        }
        self.note(now);
        admitted
    }

    /// Restarts the statistics at `now`, keeping the current state (end of warm-up).
    pub fn reset(&mut self, now: SimTime) {
        self.stats.level.reset(now);
        self.stats.queue.reset(now);
        self.stats.blocked.reset(now);
        self.stats.wait = Tally::default();
        self.stats.capacity.reset(now);
    }

    fn note(&mut self, now: SimTime) {
        self.stats.level.set(now, self.level);
        let q = self.waiting.len() as u64;
        self.stats.queue.set(now, q);
        self.stats.blocked.set(now, (q > 0) as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resource::hours::t;

    /// Capacity 10: a (6) enters at 0; b (5) waits at 1; c (1) would fit but waits behind b
    /// at 2; a leaves at 4 and b then c enter: the level goes 6 -> 0 -> 5 -> 6.
    #[test]
    fn fifo_admission_by_hand() {
        let mut y: Container<char> = Container::new(10);
        assert_eq!(y.put(t(0), 'a', 6), Some('a'));
        assert_eq!(y.put(t(1), 'b', 5), None);
        assert_eq!(y.put(t(2), 'c', 1), None);
        assert_eq!(y.waiting(), 2);
        let got = y.take(t(4), 6);
        assert_eq!(
            got,
            vec![
                Entry {
                    item: 'b',
                    since: t(1),
                    amount: 5
                },
                Entry {
                    item: 'c',
                    since: t(2),
                    amount: 1
                },
            ]
        );
        assert_eq!((y.level(), y.waiting()), (6, 0));
        let s = y.stats();
        // Level 6 over [0, 8]; waits 0, 3, 2; one waiting over [1,2], two over [2,4].
        assert_eq!(s.level.mean(t(8)), 6.0);
        assert_eq!(s.wait.count(), 3);
        assert_eq!(s.wait.mean_hours(), 5.0 / 3.0);
        assert_eq!(s.queue.mean(t(8)), 5.0 / 8.0);
        assert_eq!(s.queue.max(), 2);
        assert_eq!(s.blocked.mean(t(8)), 3.0 / 8.0);
    }

    /// Capacity 10 holding 8; at 1 h it shrinks to 5: nothing leaves, a put of 1 waits; at 2 h
    /// 4 leave (level 4 < 5) and the put of 1 enters; at 3 h it grows to 8 and a put of 3
    /// waiting since 2 h enters.
    #[test]
    fn capacity_change_blocks_new_admissions_only() {
        let mut y: Container<char> = Container::new(10);
        assert!(y.put(t(0), 'a', 8).is_some());
        assert!(y.set_capacity(t(1), 5).is_empty());
        assert_eq!(y.level(), 8);
        assert!(y.put(t(1), 'b', 1).is_none());
        let got = y.take(t(2), 4);
        assert_eq!(got.iter().map(|e| e.item).collect::<Vec<_>>(), ['b']);
        assert!(y.put(t(2), 'c', 3).is_none());
        let got = y.set_capacity(t(3), 8);
        assert_eq!(got.iter().map(|e| e.item).collect::<Vec<_>>(), ['c']);
        assert_eq!(y.level(), 8);
        // Capacity 10 over [0,1], 5 over [1,3], 8 over [3,4]: mean 28/4.
        assert_eq!(y.stats().capacity.mean(t(4)), 7.0);
    }

    /// The first waiting put that does not fit blocks those behind it, even if they would fit.
    #[test]
    fn head_of_line_blocking_and_reset() {
        let mut y: Container<u8> = Container::new(4);
        assert!(y.put(t(0), 1, 4).is_some());
        assert!(y.put(t(0), 2, 3).is_none());
        assert!(y.put(t(0), 3, 1).is_none());
        assert!(y.take(t(1), 2).is_empty()); // 2 + 3 > 4: both wait
        y.reset(t(2));
        assert_eq!(y.stats().wait.count(), 0);
        let got = y.take(t(3), 2);
        assert_eq!(got.iter().map(|e| e.item).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(y.level(), 4);
        assert_eq!(y.stats().wait.mean_hours(), 3.0);
        assert_eq!(y.stats().blocked.mean(t(4)), 0.5);
        assert_eq!(y.capacity(), 4);
    }
}
