//! Results per calendar period (`scenario.periods`): the statistics window cut at the starts of
//! calendar years, quarters or months ([`crate::engine::periods`]), with rows for each period
//! after the whole window's.
//!
//! Nothing here runs per event. At each period boundary (found by the run loop with the same
//! test as the time bins' boundaries) the recorder reads every level's running integral, as
//! the time bins do, and the flows' and the corridor's running counts; the period's level means
//! and counts are the differences. A delivery of a consignment created at or after the warm-up
//! adds its transit time to the period it was created in: that is the only work per delivery,
//! and only when periods are set. Memory is a few numbers per period per flow and per level.
//!
//! A boundary at time `b` is read before the events at `b`: those belong to the period that
//! starts at `b`, as they would to the next time bin.

use super::Replication;
use super::catalogue::{corridor, flow as flow_metric};
use super::levels;
use super::rows::Sink;
use crate::engine::SimTime;
use crate::engine::periods::Period;
use crate::engine::stats::Tally;
use crate::engine::time::{MS_PER_DAY, SimDur};
use crate::report::{Row, intern};

/// The running counts read at each boundary.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    /// Consignments created (corridor: since time zero).
    created: u64,
    /// Consignments delivered (corridor: since time zero).
    delivered: u64,
    /// TEU delivered at or after the warm-up (flows only).
    teu: u64,
}

/// What one replication records per calendar period.
#[derive(Clone, Debug)]
pub(super) struct PeriodStats {
    /// The periods, each with its interned label.
    periods: Vec<(SimTime, SimTime, &'static str)>,
    /// Whether the first period's start has been read.
    started: bool,
    /// Periods closed so far.
    closed: usize,
    /// Each level's integral at the last boundary read.
    prev: Vec<u128>,
    /// The running counts at the last boundary read: the corridor's, then each flow's.
    prev_counts: Vec<Counts>,
    /// Level means, period by period: `means[k * levels + s]`.
    means: Vec<f64>,
    /// Counts in each period: `counts[k * (1 + flows) + i]`, the corridor's first.
    counts: Vec<Counts>,
    /// Transit times of consignments delivered, by flow and creation period:
    /// `cohort[k * flows + f]`.
    cohort: Vec<Tally>,
    /// Of those, delivered within the flow's target transit.
    on_time: Vec<u64>,
}

impl PeriodStats {
    /// The recorder of `periods` for `levels` levels and `flows` flows.
    pub(super) fn new(periods: Vec<Period>, levels: usize, flows: usize) -> PeriodStats {
        let n = periods.len();
        PeriodStats {
            periods: periods
                .into_iter()
                .map(|p| (p.start, p.end, intern(&p.label)))
                .collect(),
            started: false,
            closed: 0,
            prev: vec![0; levels],
            prev_counts: vec![Counts::default(); 1 + flows],
            means: vec![f64::NAN; n * levels],
            counts: vec![Counts::default(); n * (1 + flows)],
            cohort: vec![Tally::default(); n * flows],
            on_time: vec![0; n * flows],
        }
    }

    /// The next boundary to read: the first period's start, then each period's end;
    /// `SimTime(u64::MAX)` once every period is closed.
    #[inline]
    pub(super) fn next_end(&self) -> SimTime {
        match self.periods.get(self.closed) {
            Some(&(start, _, _)) if !self.started => start,
            Some(&(_, end, _)) => end,
            None => SimTime(u64::MAX),
        }
    }

    /// The levels' integrals were restarted (statistics reset at the end of the warm-up).
    pub(super) fn restart(&mut self) {
        self.prev.iter_mut().for_each(|p| *p = 0);
    }

    /// A consignment of flow `flow` created at `created` (at or after the warm-up) was
    /// delivered after `transit`, within its flow's target if `on_time`. Not inlined: the
    /// delivery handler pays one test of an `Option` when periods are off.
    #[inline(never)]
    pub(super) fn delivered(
        &mut self,
        flow: usize,
        created: SimTime,
        transit: SimDur,
        on_time: bool,
    ) {
        let n = self.periods.len();
        if n == 0 {
            return;
        }
        // The period holding `created`: the first that ends after it (the last holds the
        // horizon itself).
        let k = self
            .periods
            .partition_point(|&(_, end, _)| end <= created)
            .min(n - 1);
        let flows = self.cohort.len() / n;
        self.cohort[k * flows + flow].record(transit);
        if on_time {
            self.on_time[k * flows + flow] += 1;
        }
    }
}

/// The running counts now: the corridor's, then each flow's.
fn counts_now(r: &Replication) -> Vec<Counts> {
    let c = r.counters;
    let mut out = Vec::with_capacity(1 + r.flow_stats.len());
    out.push(Counts {
        created: c.created,
        delivered: c.delivered,
        teu: 0,
    });
    for fs in &r.flow_stats {
        out.push(Counts {
            created: fs.created,
            delivered: 0,
            teu: fs.window_teu,
        });
    }
    out
}

/// Reads every boundary at or before `t` (the time of the next event: nothing changes between
/// the last event and it).
#[cold]
#[inline(never)]
pub(super) fn close(r: &mut Replication, t: SimTime) {
    loop {
        let Some(p) = r.periods.as_deref() else {
            return;
        };
        let at = p.next_end();
        if at > t {
            return;
        }
        let integrals = levels::integrals(r, at);
        let counts = counts_now(r);
        let p = r.periods.as_deref_mut().expect("periods");
        if p.started {
            let k = p.closed;
            let (start, end, _) = p.periods[k];
            let width = (end.0 - start.0) as f64;
            let levels = p.prev.len();
            for (s, &i) in integrals.iter().enumerate() {
                p.means[k * levels + s] = i.saturating_sub(p.prev[s]) as f64 / width;
            }
            let base = k * counts.len();
            for (i, (now, before)) in counts.iter().zip(&p.prev_counts).enumerate() {
                p.counts[base + i] = Counts {
                    created: now.created - before.created,
                    delivered: now.delivered - before.delivered,
                    teu: now.teu - before.teu,
                };
            }
            p.closed += 1;
        }
        p.started = true;
        p.prev = integrals;
        p.prev_counts = counts;
    }
}

/// The rows of every calendar period, period by period: the corridor's created and delivered
/// counts, each flow's rows, then the level means of every node, service, berth group and
/// yard, as documented in scenarios/OUTPUTS.md ("Rows per calendar period").
pub(super) fn rows(r: &Replication, rows: &mut Vec<Row>) {
    let Some(p) = r.periods.as_deref() else {
        return;
    };
    let m = r.model;
    let flows = m.flows.len();
    let levels = p.prev.len();
    for (k, &(start, end, label)) in p.periods.iter().enumerate() {
        let mut sink = Sink::in_period(rows, label);
        let days = (end.0 - start.0) as f64 / MS_PER_DAY as f64;
        let counts = &p.counts[k * (1 + flows)..(k + 1) * (1 + flows)];
        sink.put(&m.name, &corridor::CREATED, counts[0].created as f64);
        sink.put(&m.name, &corridor::DELIVERED, counts[0].delivered as f64);
        for (f, fm) in m.flows.iter().enumerate() {
            let (c, cohort) = (counts[1 + f], &p.cohort[k * flows + f]);
            let id = &fm.id;
            sink.put(id, &flow_metric::CREATED, c.created as f64);
            sink.put(
                id,
                &flow_metric::DELIVERED_CONSIGNMENTS,
                cohort.count() as f64,
            );
            sink.put(
                id,
                &flow_metric::DELIVERED,
                (cohort.count() * fm.teu as u64) as f64,
            );
            sink.put(id, &flow_metric::THROUGHPUT, c.teu as f64 / days);
            sink.put(id, &flow_metric::TRANSIT_MEAN, cohort.mean_hours());
            if fm.target_transit.is_some() {
                let share = if c.created > 0 {
                    p.on_time[k * flows + f] as f64 / c.created as f64
                } else {
                    f64::NAN
                };
                sink.put(id, &flow_metric::ON_TIME_SHARE, share);
            }
            let s = r.levels.flow[f];
            sink.put(id, &flow_metric::WIP_MEAN, p.means[k * levels + s]);
        }
        super::route_choice::period_rows(r, k, &mut sink);
        for (s, (level, (key, per))) in r.levels.all.iter().zip(&r.levels.keys).enumerate() {
            if let Some(metric) = levels::period_metric(*level) {
                let per = match *per {
                    levels::Per::Fixed(per) => per,
                    // A capacity set by dated changes: busy time over capacity time.
                    levels::Per::Level(c) => p.means[k * levels + c],
                };
                sink.put(&key.id, metric, p.means[k * levels + s] / per);
            }
        }
    }
}
