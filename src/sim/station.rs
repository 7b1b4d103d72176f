//! Stations: parallel servers with a FIFO queue.

use super::components::Station;
use super::node::leave;
use super::rows::NodeRows;
use super::{Cid, Event, Replication};
use crate::engine::random::stream;
use crate::engine::resource::Pool;
use crate::engine::{Dist, SimDur, SimTime};
use crate::scenario::ServicePer;

/// The state of station `id` of replication `(seed, rep)`, with its own random stream.
pub(super) fn new(
    id: &str,
    servers: Option<u32>,
    service: &Dist,
    per: ServicePer,
    (seed, rep): (u64, u32),
) -> Station {
    Station {
        servers: Pool::new(servers),
        per,
        service: service.clone(),
        rng: stream(seed, rep, &format!("node:{id}:service")),
        stats: Default::default(),
    }
}

/// Consignment `c` (of `teu` TEU) enters station `node` now: service if a server is free, else
/// the queue.
pub(super) fn enter(r: &mut Replication, c: Cid, node: u32, teu: u32) {
    let now = r.cal.now();
    let st = &mut r.stations[r.slots[node as usize] as usize];
    st.stats.arrivals += 1;
    let wip = st.stats.wip.level() + 1;
    st.stats.wip.set(now, wip);
    if st.servers.request(now, (c, teu)).is_some() {
        st.stats.wait_q.record(SimDur::ZERO);
        let service = sample(st, teu);
        r.cal.schedule_in(service, Event::Done { c, node });
        if let Some(t) = r.trace.as_deref_mut() {
            t.at_node("service_started", now, c, node);
        }
    }
}

/// `node` finishes serving `c`: the next in queue starts, and `c` moves on or is delivered.
pub(super) fn done(r: &mut Replication, c: Cid, node: u32) {
    let now = r.cal.now();
    let cm = {
        let m = r.cons.get_mut(c).expect("consignment in flight");
        // Its step (where it leaves from) is read below: its load starts now, beside the
        // station's work.
        r.steps.prefetch(m.path, m.leg);
        m.queueing = m.queueing + (m.started - m.at_node);
        m.handling = m.handling + (now - m.started);
        m.depart(now)
    };
    if cm.counted {
        let wait = cm.started - cm.at_node;
        r.steps.add_wait(cm.path, cm.leg, wait);
    }
    let started = {
        let st = &mut r.stations[r.slots[node as usize] as usize];
        st.stats.sojourn.record(now - cm.at_node);
        let wip = st.stats.wip.level() - 1;
        st.stats.wip.set(now, wip);
        st.servers.release(now).map(|w| {
            let (next, teu) = w.item;
            st.stats.wait_q.record(now - w.since);
            let service = sample(st, teu);
            r.cal.schedule_in(service, Event::Done { c: next, node });
            next
        })
    };
    if let Some(t) = r.trace.as_deref_mut() {
        t.at_node("service_ended", now, c, node);
        if let Some(next) = started {
            t.at_node("service_started", now, next, node);
        }
    }
    if let Some(next) = started {
        r.cons.get_mut(next).expect("queued consignment").started = now;
    }
    leave(r, c, cm);
}

/// A service time for a consignment of `teu` TEU.
#[inline]
fn sample(st: &mut Station, teu: u32) -> SimDur {
    match st.per {
        ServicePer::Consignment => st.service.sample(&mut st.rng),
        per => SimDur::from_secs_f64(st.service.sample_secs(&mut st.rng) * per.units(teu)),
    }
}

/// The node rows of station `st`, up to `end`.
pub(super) fn node_rows(st: &Station, end: SimTime) -> NodeRows {
    let s = &st.stats;
    let p = st.servers.stats();
    NodeRows {
        busy_mean: p.busy.mean(end),
        wait_mean: p.wait.mean_hours(),
        wait_p95: s.wait_q.quantile_hours(0.95),
        sojourn_mean: s.sojourn.mean_hours(),
        queue_mean: p.queue.mean(end),
        queue_max: p.queue.max() as f64,
        wip_mean: s.wip.mean(end),
        arrivals: s.arrivals as f64,
        departures: s.sojourn.count() as f64,
    }
}

/// Station `node` has `servers` servers from now (a dated change): added servers start the
/// first waiting consignments at once; a removed server finishes its consignment, and no new
/// service starts until fewer are busy than there are servers.
pub(super) fn set_servers(r: &mut Replication, node: u32, servers: u32) {
    let now = r.cal.now();
    let started: Vec<Cid> = {
        let st = &mut r.stations[r.slots[node as usize] as usize];
        let waiting = st.servers.set_servers(now, Some(servers));
        waiting
            .into_iter()
            .map(|w| {
                let (next, teu) = w.item;
                st.stats.wait_q.record(now - w.since);
                let service = sample(st, teu);
                r.cal.schedule_in(service, Event::Done { c: next, node });
                next
            })
            .collect()
    };
    for next in started {
        if let Some(t) = r.trace.as_deref_mut() {
            t.at_node("service_started", now, next, node);
        }
        r.cons.get_mut(next).expect("queued consignment").started = now;
    }
}

/// The time-weighted mean number of servers of station `st` over the window, up to `end` (a
/// dated change may have set them).
pub(super) fn servers_mean(st: &Station, end: SimTime) -> f64 {
    st.servers.stats().capacity.mean(end)
}
