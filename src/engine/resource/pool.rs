//! Parallel servers with one first-come-first-served queue (SimPy's `Resource`).

use std::collections::VecDeque;

use super::{PoolStats, Waiting};
use crate::engine::SimTime;

/// `servers` parallel servers and a FIFO queue of items of type `T`.
#[derive(Clone, Debug)]
pub struct Pool<T> {
    servers: u32,
    busy: u32,
    queue: VecDeque<Waiting<T>>,
    stats: PoolStats,
}

impl<T> Pool<T> {
    /// An idle pool of `servers` servers (`None`: unlimited).
    pub fn new(servers: Option<u32>) -> Pool<T> {
        let mut stats = PoolStats::default();
        stats
            .capacity
            .set(SimTime::ZERO, servers.map_or(0, u64::from));
        Pool {
            servers: super::servers(servers),
            busy: 0,
            queue: VecDeque::new(),
            stats,
        }
    }

    /// The number of servers becomes `servers` at `now` (`None`: unlimited). Added servers
    /// take waiting items at once: those come back, in queue order, their waits recorded
    /// (service starts now). Removed servers finish what they serve: while more servers are
    /// busy than there are, a release retires a server instead of taking the next in line.
    pub fn set_servers(&mut self, now: SimTime, servers: Option<u32>) -> Vec<Waiting<T>> {
        self.servers = super::servers(servers);
        self.stats.capacity.set(now, servers.map_or(0, u64::from));
        let mut started = Vec::new();
        while self.busy < self.servers {
            let Some(next) = self.queue.pop_front() else {
                break;
            };
            self.busy += 1;
            self.stats.wait.record(now - next.since);
            started.push(next);
        }
        self.stats.busy.set(now, self.busy as u64);
        self.stats.queue.set(now, self.queue.len() as u64);
        started
    }

    /// Servers; `None` if unlimited.
    pub fn servers(&self) -> Option<u32> {
        super::count(self.servers)
    }

    /// Servers busy now.
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Items waiting now.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Statistics since the last reset.
    pub fn stats(&self) -> &PoolStats {
        &self.stats
    }

    /// `item` asks for a server at `now`. If one is free it is taken and `item` comes back
    /// (service starts now, a zero wait is recorded); otherwise `item` joins the end of the
    /// queue and `None` comes back.
    #[inline]
    pub fn request(&mut self, now: SimTime, item: T) -> Option<T> {
        if self.busy < self.servers {
            self.busy += 1;
            self.stats.busy.set(now, self.busy as u64);
            self.stats.wait.record(Default::default());
            Some(item)
        } else {
            self.queue.push_back(Waiting { item, since: now });
            self.stats.queue.set(now, self.queue.len() as u64);
            None
        }
    }

    /// A server is released at `now`. It goes straight to the first in the queue, if any, whose
    /// wait is recorded and who comes back (service starts now); otherwise it becomes idle.
    #[inline]
    pub fn release(&mut self, now: SimTime) -> Option<Waiting<T>> {
        if self.busy > self.servers {
            // A server removed while busy retires now (see `set_servers`).
            self.busy -= 1;
            self.stats.busy.set(now, self.busy as u64);
            return None;
        }
        match self.queue.pop_front() {
            Some(next) => {
                // The freed server goes straight to the next in line: busy count unchanged.
                self.stats.queue.set(now, self.queue.len() as u64);
                self.stats.wait.record(now - next.since);
                Some(next)
            }
            None => {
                self.busy -= 1;
                self.stats.busy.set(now, self.busy as u64);
                None
            }
        }
    }

    /// Restarts the statistics at `now`, keeping the current state (end of warm-up).
    pub fn reset(&mut self, now: SimTime) {
        self.stats.reset(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resource::hours::{h, t};

    /// One server; arrivals at 0, 1, 2 h, each served 3 h: services [0,3], [3,6], [6,9], waits
    /// 0, 2, 4 h; queue 1 over [1,2], 2 over [2,3], 1 over [3,6]: area 1 + 2 + 3 = 6 h over 9 h.
    #[test]
    fn single_server_by_hand() {
        let mut p: Pool<char> = Pool::new(Some(1));
        assert_eq!(p.request(t(0), 'a'), Some('a'));
        assert_eq!(p.request(t(1), 'b'), None);
        assert_eq!(p.request(t(2), 'c'), None);
        assert_eq!((p.busy(), p.queue_len()), (1, 2));
        let next = p.release(t(3)).unwrap();
        assert_eq!(
            next,
            Waiting {
                item: 'b',
                since: t(1)
            }
        );
        assert_eq!(p.release(t(6)).unwrap().item, 'c');
        assert_eq!(p.release(t(9)), None);
        assert_eq!(p.busy(), 0);
        let s = p.stats();
        assert_eq!(s.wait.count(), 3);
        assert_eq!(s.wait.mean_hours(), 2.0);
        assert_eq!(s.wait.max_hours(), 4.0);
        assert_eq!(s.busy.mean(t(9)), 1.0);
        assert!((s.queue.mean(t(9)) - 6.0 / 9.0).abs() < 1e-12);
        assert_eq!(s.queue.max(), 2);
    }

    /// Two servers share the queue; a release with nobody waiting frees a server.
    #[test]
    fn two_servers_and_reset() {
        let mut p: Pool<u32> = Pool::new(Some(2));
        assert_eq!(p.servers(), Some(2));
        assert!(p.request(t(0), 1).is_some());
        assert!(p.request(t(0), 2).is_some());
        assert!(p.request(t(1), 3).is_none());
        // Warm-up ends at 2 h with two busy, one waiting.
        p.reset(t(2));
        assert_eq!(p.stats().wait.count(), 0);
        assert_eq!(p.stats().queue.max(), 1);
        let w = p.release(t(4)).unwrap();
        assert_eq!((w.item, t(4) - w.since), (3, h(3)));
        assert_eq!(p.release(t(5)), None);
        assert_eq!(p.busy(), 1);
        // Over [2, 6]: busy 2 for 3 h and 1 for 1 h; queued 1 for 2 h.
        assert_eq!(p.stats().busy.mean(t(6)), 7.0 / 4.0);
        assert_eq!(p.stats().queue.mean(t(6)), 0.5);
        assert_eq!(p.stats().wait.mean_hours(), 3.0);
    }

    /// Two servers busy and two waiting from 0 h; at 1 h one server is removed: the next
    /// release (2 h) retires it and starts no one, the one after (3 h) hands its server over.
    /// At 4 h two servers are added: the last waiting item starts at once, with a 4 h wait.
    /// Busy: 2 over [0,2], 1 over [2,4], 2 over [4,6]: mean 10/6; capacity 2, 1, 3 over
    /// [0,1], [1,4], [4,6]: mean 11/6.
    #[test]
    fn servers_removed_finish_and_added_start_waiting_work() {
        let mut p: Pool<u8> = Pool::new(Some(2));
        assert!(p.request(t(0), 1).is_some());
        assert!(p.request(t(0), 2).is_some());
        assert!(p.request(t(0), 3).is_none());
        assert!(p.request(t(0), 4).is_none());
        assert!(p.set_servers(t(1), Some(1)).is_empty());
        assert_eq!((p.busy(), p.servers()), (2, Some(1)));
        assert_eq!(p.release(t(2)), None);
        assert_eq!((p.busy(), p.queue_len()), (1, 2));
        assert_eq!(p.release(t(3)).map(|w| w.item), Some(3));
        let started = p.set_servers(t(4), Some(3));
        assert_eq!(started.iter().map(|w| w.item).collect::<Vec<_>>(), [4]);
        assert_eq!((p.busy(), p.queue_len()), (2, 0));
        let s = p.stats();
        assert_eq!(s.busy.mean(t(6)), 10.0 / 6.0);
        assert_eq!(s.capacity.mean(t(6)), 11.0 / 6.0);
        assert_eq!(s.wait.mean_hours(), (3.0 + 4.0) / 4.0);
    }

    /// Unlimited servers never queue.
    #[test]
    fn unlimited() {
        let mut p: Pool<u8> = Pool::new(None);
        assert_eq!(p.servers(), None);
        for i in 0..100 {
            assert_eq!(p.request(t(0), i), Some(i));
        }
        assert_eq!((p.busy(), p.queue_len()), (100, 0));
    }
}
