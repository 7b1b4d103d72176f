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
        Pool {
            servers: super::servers(servers),
            busy: 0,
            queue: VecDeque::new(),
            stats: PoolStats::default(),
        }
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
