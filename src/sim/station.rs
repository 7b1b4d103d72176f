//! Stations: parallel servers with a FIFO queue.

use bevy_ecs::prelude::*;

use super::components::{Consignment, Station};
use super::{Event, Replication, leave, yard};
use crate::engine::SimDur;
use crate::scenario::ServicePer;

/// Consignment `c` arrives at `node`: it starts service if a server is free, else it queues.
pub(super) fn arrive(r: &mut Replication, c: Entity, node: u32) {
    let now = r.cal.now();
    let (flow, admitted) = {
        let mut cm = r
            .world
            .get_mut::<Consignment>(c)
            .expect("consignment in flight");
        cm.arrive(now);
        let admitted = cm.admitted;
        cm.admitted = false;
        (cm.flow, admitted)
    };
    let teu = r.model.flows[flow as usize].teu;
    if !admitted && !yard::try_admit(r, node as usize, yard::Blocked::Consignment(c), teu) {
        return; // waits at the gate of a full yard
    }
    enter(r, c, node, teu);
}

/// Consignment `c` (of `teu` TEU) enters station `node` now: service if a server is free, else
/// the queue.
pub(super) fn enter(r: &mut Replication, c: Entity, node: u32, teu: u32) {
    let now = r.cal.now();
    let mut st = r
        .world
        .get_mut::<Station>(r.nodes[node as usize])
        .expect("node entity has a Station");
    let st = &mut *st;
    st.stats.arrivals += 1;
    let wip = st.stats.wip.level() + 1;
    st.stats.wip.set(now, wip);
    if st.servers.request(now, (c, teu)).is_some() {
        st.stats.wait_q.record(SimDur::ZERO);
        let service = sample(st, teu);
        r.cal.schedule_in(service, Event::Done { c, node });
    }
}

/// `node` finishes serving `c`: the next in queue starts, and `c` moves on or is delivered.
pub(super) fn done(r: &mut Replication, c: Entity, node: u32) {
    let now = r.cal.now();
    let cm = {
        let mut m = r
            .world
            .get_mut::<Consignment>(c)
            .expect("consignment in flight");
        m.queueing = m.queueing + (m.started - m.at_node);
        m.handling = m.handling + (now - m.started);
        m.depart(now)
    };
    let started = {
        let mut st = r
            .world
            .get_mut::<Station>(r.nodes[node as usize])
            .expect("node entity has a Station");
        let st = &mut *st;
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
    if let Some(next) = started {
        r.world
            .get_mut::<Consignment>(next)
            .expect("queued consignment")
            .started = now;
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
