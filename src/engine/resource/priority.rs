//! Parallel servers with one FIFO queue per priority class, the highest class served first
//! (SimPy's `PriorityResource`), optionally with preemptive resume (`PreemptiveResource`): a
//! request may interrupt the lowest-class, most recently started service below its class, which
//! goes back to the front of its class's queue with the work it has left.

use std::collections::VecDeque;

use super::PoolStats;
use crate::engine::{SimDur, SimTime};

/// A request in a queue: who, its class, the work it needs, and since when it waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job<T> {
    /// What waits.
    pub item: T,
    /// Priority class (0 lowest).
    pub class: u8,
    /// Service it needs: all of it, or what is left after a preemption.
    pub work: SimDur,
    /// Waiting since (the request, or the preemption).
    pub since: SimTime,
}

/// A service in progress, kept where preemption is possible.
#[derive(Clone, Copy, Debug)]
struct Spell<T> {
    item: T,
    class: u8,
    start: SimTime,
    end: SimTime,
}

/// What became of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request<T> {
    /// A server was free: service starts now.
    Started,
    /// Service starts now on the server of this item, whose service is interrupted: it waits
    /// again, first in its class, with the work it had left.
    Preempted(T),
    /// The request waits.
    Queued,
}

/// Parallel servers with a FIFO queue per priority class.
#[derive(Clone, Debug)]
pub struct PriorityPool<T> {
    servers: u32,
    busy: u32,
    queues: Vec<VecDeque<Job<T>>>,
    waiting: u32,
    preemptive: bool,
    spells: Vec<Spell<T>>,
    stats: PoolStats,
}

impl<T: Copy + PartialEq> PriorityPool<T> {
    /// An idle pool of `servers` servers (`None`: unlimited) for classes `0..classes`, with
    /// preemptive resume or without.
    pub fn new(servers: Option<u32>, classes: u8, preemptive: bool) -> PriorityPool<T> {
        let mut stats = PoolStats::default();
        stats
            .capacity
            .set(SimTime::ZERO, servers.map_or(0, u64::from));
        PriorityPool {
            servers: super::servers(servers),
            busy: 0,
            queues: vec![VecDeque::new(); classes as usize],
            waiting: 0,
            preemptive,
            spells: Vec::new(),
            stats,
        }
    }

    /// The number of servers becomes `servers` at `now`. Nothing starts or stops here: the
    /// caller starts waiting requests with [`PriorityPool::start_next`] (which starts none
    /// while as many servers are busy as there are); a removed server finishes its service.
    pub fn set_servers(&mut self, now: SimTime, servers: u32) {
        self.servers = servers;
        self.stats.capacity.set(now, servers as u64);
    }

    /// Servers; `None` if unlimited.
    pub fn servers(&self) -> Option<u32> {
        super::count(self.servers)
    }

    /// Servers busy now.
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Requests waiting now, all classes.
    pub fn waiting(&self) -> u32 {
        self.waiting
    }

    /// Statistics since the last reset.
    pub fn stats(&self) -> &PoolStats {
        &self.stats
    }

    /// `item` of class `class` asks for `work` of service at `now`: it starts if a server is
    /// free or (preemptive pools) if it can interrupt a service of a lower class, else it waits.
    pub fn request(&mut self, now: SimTime, item: T, class: u8, work: SimDur) -> Request<T> {
        if self.busy < self.servers {
            self.seize(now, item, class, work, now);
            return Request::Started;
        }
        let victim = if self.preemptive {
            // The lowest-class, most recently started service below our class.
            self.spells
                .iter()
                .enumerate()
                .filter(|(_, s)| s.class < class)
                .min_by_key(|(_, s)| (s.class, std::cmp::Reverse(s.start)))
                .map(|(i, _)| i)
        } else {
            None
        };
        match victim {
            Some(i) => {
                let s = self.spells.swap_remove(i);
                self.busy -= 1;
                self.queues[s.class as usize].push_front(Job {
                    item: s.item,
                    class: s.class,
                    work: s.end - now,
                    since: now,
                });
                self.waiting += 1;
                self.note_queue(now);
                self.seize(now, item, class, work, now);
                Request::Preempted(s.item)
            }
            None => {
                self.enqueue(now, item, class, work);
                Request::Queued
            }
        }
    }

    /// `item` waits, whether or not a server is free (while the pool is closed, say).
    pub fn enqueue(&mut self, now: SimTime, item: T, class: u8, work: SimDur) {
        self.queues[class as usize].push_back(Job {
            item,
            class,
            work,
            since: now,
        });
        self.waiting += 1;
        self.note_queue(now);
    }

    /// The service of `item` ends at `now`: its server becomes free.
    pub fn release(&mut self, now: SimTime, item: T) {
        self.busy -= 1;
        self.stats.busy.set(now, self.busy as u64);
        if let Some(i) = self.spells.iter().position(|s| s.item == item) {
            self.spells.swap_remove(i);
        }
    }

    /// If a server is free and a request waits, the next one (highest class first, FIFO within
    /// a class) starts now and comes back.
    pub fn start_next(&mut self, now: SimTime) -> Option<Job<T>> {
        if self.busy >= self.servers {
            return None;
        }
        let job = self.queues.iter_mut().rev().find_map(|q| q.pop_front())?;
        self.waiting -= 1;
        self.note_queue(now);
        self.seize(now, job.item, job.class, job.work, job.since);
        Some(job)
    }

    /// Restarts the statistics at `now`, keeping the current state (end of warm-up).
    pub fn reset(&mut self, now: SimTime) {
        self.stats.reset(now);
    }

    fn seize(&mut self, now: SimTime, item: T, class: u8, work: SimDur, since: SimTime) {
        self.busy += 1;
        self.stats.busy.set(now, self.busy as u64);
        self.stats.wait.record(now - since);
        if self.preemptive {
            self.spells.push(Spell {
                item,
                class,
                start: now,
                end: now + work,
            });
        }
    }

    fn note_queue(&mut self, now: SimTime) {
        self.stats.queue.set(now, self.waiting as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resource::hours::{h, t};

    /// Two servers busy, one waiting; down to one server: releases start nothing until one
    /// is busy, the next release then starts the waiting one; up to three: it starts at once.
    #[test]
    fn servers_change() {
        let mut p: PriorityPool<char> = PriorityPool::new(Some(2), 1, false);
        assert_eq!(p.request(t(0), 'a', 0, h(4)), Request::Started);
        assert_eq!(p.request(t(0), 'b', 0, h(4)), Request::Started);
        assert_eq!(p.request(t(0), 'c', 0, h(4)), Request::Queued);
        p.set_servers(t(1), 1);
        p.release(t(2), 'a');
        assert_eq!(p.start_next(t(2)), None);
        p.set_servers(t(3), 3);
        assert_eq!(p.start_next(t(3)).map(|j| j.item), Some('c'));
        assert_eq!(p.busy(), 2);
        // Servers 2 over [0,1], 1 over [1,3], 3 over [3,4]: 7 server-hours.
        assert_eq!(p.stats().capacity.mean(t(4)), 7.0 / 4.0);
    }

    /// One server, no preemption: the highest waiting class goes first, FIFO within a class.
    #[test]
    fn classes_by_hand() {
        let mut p: PriorityPool<char> = PriorityPool::new(Some(1), 3, false);
        assert_eq!(p.request(t(0), 'a', 0, h(4)), Request::Started);
        assert_eq!(p.request(t(1), 'b', 0, h(1)), Request::Queued);
        assert_eq!(p.request(t(2), 'c', 2, h(1)), Request::Queued);
        assert_eq!(p.request(t(3), 'd', 2, h(1)), Request::Queued);
        assert_eq!(p.request(t(3), 'e', 1, h(1)), Request::Queued);
        assert_eq!(p.waiting(), 4);
        // Nothing starts while the server is busy.
        assert_eq!(p.start_next(t(3)), None);
        p.release(t(4), 'a');
        let order: Vec<char> = (5..9)
            .map(|end| {
                let j = p.start_next(t(end - 1)).unwrap();
                p.release(t(end), j.item);
                j.item
            })
            .collect();
        assert_eq!(order, ['c', 'd', 'e', 'b']);
        assert_eq!(p.start_next(t(8)), None);
        // Waits: a 0, c 2 (2->4), d 2 (3->5), e 3 (3->6), b 6 (1->7).
        assert_eq!(p.stats().wait.count(), 5);
        assert_eq!(p.stats().wait.mean_hours(), 13.0 / 5.0);
        assert_eq!(p.stats().busy.mean(t(8)), 1.0);
        assert_eq!(p.stats().queue.max(), 4);
    }

    /// Preemptive resume: a higher class interrupts the lowest, most recently started service,
    /// which resumes first in its class with the work it had left.
    #[test]
    fn preemptive_resume_by_hand() {
        let mut p: PriorityPool<char> = PriorityPool::new(Some(2), 3, true);
        assert_eq!(p.request(t(0), 'a', 0, h(10)), Request::Started);
        assert_eq!(p.request(t(1), 'b', 0, h(10)), Request::Started);
        assert_eq!(p.request(t(2), 'w', 0, h(1)), Request::Queued);
        // At 3 h class 2 arrives: b (class 0, started last) gives way with 8 h left.
        assert_eq!(p.request(t(3), 'c', 2, h(2)), Request::Preempted('b'));
        // Class 1 arrives: it may interrupt a, not c.
        assert_eq!(p.request(t(4), 'd', 1, h(1)), Request::Preempted('a'));
        // Class 0 never preempts.
        assert_eq!(p.request(t(4), 'x', 0, h(1)), Request::Queued);
        assert_eq!((p.busy(), p.waiting()), (2, 4));
        p.release(t(5), 'c');
        p.release(t(5), 'd');
        // Class 0 queue: a (front, pushed last), b, w, x.
        let a = p.start_next(t(5)).unwrap();
        assert_eq!((a.item, a.work, a.since), ('a', h(6), t(4)));
        let b = p.start_next(t(5)).unwrap();
        assert_eq!((b.item, b.work, b.since), ('b', h(8), t(3)));
        assert_eq!(p.start_next(t(5)), None);
        assert_eq!(p.waiting(), 2);
    }

    /// A closed pool queues even with servers free; without preemption nothing is interrupted.
    #[test]
    fn enqueue_and_no_preemption() {
        let mut p: PriorityPool<u8> = PriorityPool::new(Some(1), 2, false);
        p.enqueue(t(0), 1, 0, h(1));
        assert_eq!(p.busy(), 0);
        assert_eq!(p.request(t(1), 2, 1, h(1)), Request::Started);
        assert_eq!(p.request(t(1), 3, 1, h(1)), Request::Queued);
        p.release(t(2), 2);
        p.reset(t(2));
        assert_eq!(p.start_next(t(2)).unwrap().item, 3);
        assert_eq!(p.stats().wait.count(), 1);
        assert_eq!(p.stats().wait.mean_hours(), 1.0);
        assert_eq!(p.servers(), Some(1));
        let unlimited: PriorityPool<u8> = PriorityPool::new(None, 1, false);
        assert_eq!(unlimited.servers(), None);
    }
}
