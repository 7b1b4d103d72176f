//! Carrier services: consignments wait at the boarding node for the next carrier of their
//! service, board first come first served while they fit, and travel together; a carrier that
//! has left is unavailable until it has unloaded and come back (the fleet is a real limit).

use bevy_ecs::prelude::*;

use super::catalogue as metric;
use super::components::{Carrier, ServiceState};
use super::rows::Sink;
use super::rows::Window;
use super::waits::Res;
use super::yard::Blocked;
use super::{Cid, Event, Replication, cost, node};
use crate::engine::resource::Pool;
use crate::engine::{SimDur, SimTime};
use crate::scenario::{Departure, ServiceModel, Setting};

/// What a carrier reaches at the end of a timed step of its trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Loaded at the boarding node: it leaves its berth and sails when path and weather allow.
    Loaded = 0,
    /// Arrived at the destination; unloading starts when a berth is free.
    Arrived = 1,
    /// Unloaded: consignments are released (yard space permitting), the return trip starts.
    Unloaded = 2,
    /// Back at the boarding node.
    Back = 3,
    /// Path and weather allow it to leave.
    Sail = 4,
}

/// Berths (or loading tracks) where carriers load and unload, on a node that has them. Carriers
/// wait for one with the phase they will reach and the work they need there.
#[derive(Component)]
pub(super) struct Berths(pub Pool<(Entity, Phase, SimDur)>);

fn model<'m>(r: &Replication<'m>, svc: u32) -> &'m ServiceModel {
    &r.model.services[svc as usize]
}

fn state<'w>(r: &'w mut Replication, svc: u32) -> Mut<'w, ServiceState> {
    let e = r.services[svc as usize];
    r.world.get_mut::<ServiceState>(e).expect("service entity")
}

/// Schedules the first timetabled departure of every timetable service.
pub(super) fn start(r: &mut Replication) {
    for (i, s) in r.model.services.iter().enumerate() {
        if let Departure::Timetable { offsets, .. } = &s.departure {
            r.cal.schedule(
                SimTime::ZERO + offsets[0],
                Event::Departure {
                    svc: i as u32,
                    slot: 0,
                },
            );
        }
    }
}

/// Consignment `c` (of `teu` TEU) starts waiting for a carrier of `svc`.
pub(super) fn board(r: &mut Replication, c: Cid, svc: u32, teu: u32) {
    let now = r.cal.now();
    {
        let mut s = state(r, svc);
        s.queue.push_back((c, now, teu));
        s.queued_teu += teu as u64;
        let q = s.queued_teu;
        s.stats.queue_teu.set(now, q);
    }
    try_depart(r, svc);
}

/// Sends carriers while the departure rule says so and carriers are available.
fn try_depart(r: &mut Replication, svc: u32) {
    let now = r.cal.now();
    let m = model(r, svc);
    match m.departure {
        Departure::Timetable { .. } => {}
        Departure::WhenFull => {
            while ready(r, svc, full) {
                depart(r, svc);
            }
        }
        Departure::WhenFullOrMaxWait(max_wait) => {
            let full_or_overdue = |s: &ServiceState| {
                full(s)
                    || s.queue
                        .front()
                        .is_some_and(|(_, since, _)| now - *since >= max_wait)
            };
            while ready(r, svc, full_or_overdue) {
                depart(r, svc);
            }
            let mut s = state(r, svc);
            if let Some(&(_, since, _)) = s.queue.front() {
                let at = since + max_wait;
                if at > now && s.timer_at != Some(at) {
                    s.timer_at = Some(at);
                    r.cal.schedule(at, Event::MaxWait { svc });
                }
            }
        }
    }
}

/// Full: the waiting TEU reach the capacity, or the next consignment in line would not fit
/// beside those before it (consignments are not split, so no more can board).
fn full(s: &ServiceState) -> bool {
    let cap = s.capacity as u64;
    let mut teu = 0;
    for &(_, _, t) in &s.queue {
        if teu + t as u64 > cap {
            return true;
        }
        teu += t as u64;
    }
    teu >= cap
}

/// A carrier is available and `rule` says go.
fn ready(r: &mut Replication, svc: u32, rule: impl Fn(&ServiceState) -> bool) -> bool {
    let s = state(r, svc);
    s.available > 0 && rule(&s)
}

/// A max-wait timer fires (ignored if a later one has replaced it).
pub(super) fn max_wait(r: &mut Replication, svc: u32) {
    let now = r.cal.now();
    let due = {
        let mut s = state(r, svc);
        let due = s.timer_at == Some(now);
        if due {
            s.timer_at = None;
        }
        due
    };
    if due {
        try_depart(r, svc);
    }
}

/// A timetabled departure slot: a carrier leaves with whatever is waiting, if one is there.
pub(super) fn timetable(r: &mut Replication, svc: u32, slot: u32) {
    let now = r.cal.now();
    let (current, every) = {
        let s = state(r, svc);
        (s.timetable, s.every)
    };
    if slot >> 16 != current {
        return; // a departure of a timetable a dated change has replaced
    }
    if current > 0 {
        r.cal.schedule(now + every, Event::Departure { svc, slot });
    } else if let Departure::Timetable { offsets, period } = &model(r, svc).departure {
        let next = (slot as usize + 1) % offsets.len();
        // Offsets are sorted within one period; wrapping to the first adds a period.
        let at = if next == 0 {
            now + SimDur(period.0 - offsets[slot as usize].0 + offsets[0].0)
        } else {
            now + SimDur(offsets[next].0 - offsets[slot as usize].0)
        };
        r.cal.schedule(
            at,
            Event::Departure {
                svc,
                slot: next as u32,
            },
        );
    }
    let available = state(r, svc).available;
    if available > 0 {
        depart(r, svc);
    } else {
        state(r, svc).stats.missed += 1;
    }
}

/// One carrier leaves now with what fits, first come first served.
fn depart(r: &mut Replication, svc: u32) {
    let now = r.cal.now();
    let m = model(r, svc);
    let mut load = Vec::new();
    let (loading, unloading, load_teu);
    {
        let mut s = state(r, svc);
        let s = &mut *s;
        let cap = s.capacity as u64;
        let mut teu = 0u64;
        while let Some(&(c, since, t)) = s.queue.front() {
            if teu + t as u64 > cap {
                break;
            }
            s.queue.pop_front();
            teu += t as u64;
            load.push((c, now - since));
            s.stats.wait.record(now - since);
        }
        s.queued_teu -= teu;
        s.stats.queue_teu.set(now, s.queued_teu);
        load_teu = teu;
        s.available -= 1;
        let away = (s.fleet + s.retiring - s.available) as u64;
        s.stats.away.set(now, away);
        s.stats.departures += 1;
        s.stats.load_sum += teu as f64 / cap as f64;
        s.stats.teu += teu;
        // Per carrier, or per TEU on board.
        let units = if m.handling_per_teu { teu as f64 } else { 1.0 };
        let handle = |d: &Option<crate::engine::Dist>, rng: &mut crate::engine::Stream| {
            d.as_ref().map_or(SimDur::ZERO, |d| {
                SimDur::from_secs_f64(d.sample_secs(rng) * units)
            })
        };
        loading = handle(&m.loading, &mut s.rng_loading);
        unloading = handle(&m.unloading, &mut s.rng_unloading);
    }
    for &(c, wait) in &load {
        let cm = r.cons.get_mut(c).expect("boarding consignment");
        cm.waiting = cm.waiting + wait;
        cm.departed += wait;
        if cm.counted {
            let flow = cm.flow;
            r.waits.add(flow, Res::Service(svc as usize), wait);
        }
        if r.books.is_some() {
            cost::waited(r, c, wait);
        }
    }
    // The boarded consignments leave the boarding node's yard.
    node::release(r, m.from, load_teu);
    let carrier = r
        .world
        .spawn(Carrier {
            svc,
            load: load.into_iter().map(|(c, _)| c).collect(),
            teu: load_teu as u32,
            loading,
            unloading,
            t_board: now,
            t_load: now,
            t_loaded: now,
            t_sail: now,
            t_arrived: now,
            t_unload: now,
            t_unloaded: now,
        })
        .id();
    if let Some(t) = r.trace.as_deref_mut() {
        let load = &r.world.get::<Carrier>(carrier).expect("carrier").load;
        t.boarded(now, carrier, svc, m.from as u32, load);
    }
    request_berth(r, m.from, carrier, Phase::Loaded, loading);
}

/// The carrier needs a berth at `node` for `work`, after which it reaches `phase`. Nodes
/// without `berths` have no limit.
fn request_berth(r: &mut Replication, node: usize, carrier: Entity, phase: Phase, work: SimDur) {
    let now = r.cal.now();
    if let Some(mut b) = r.world.get_mut::<Berths>(r.nodes[node])
        && b.0.request(now, (carrier, phase, work)).is_none()
    {
        return; // waits for a berth
    }
    grant(r, carrier, phase, work);
}

fn grant(r: &mut Replication, carrier: Entity, phase: Phase, work: SimDur) {
    let now = r.cal.now();
    {
        let mut cr = r.world.get_mut::<Carrier>(carrier).expect("carrier");
        if phase == Phase::Loaded {
            cr.t_load = now;
        } else {
            cr.t_unload = now;
        }
    }
    r.cal.schedule_in(work, Event::Carrier { carrier, phase });
}

/// A carrier leaves its berth at `node`; the next carrier waiting there gets it.
fn release_berth(r: &mut Replication, node: usize) {
    let now = r.cal.now();
    let next = match r.world.get_mut::<Berths>(r.nodes[node]) {
        Some(mut b) => b.0.release(now),
        None => return,
    };
    if let Some(w) = next {
        let (carrier, phase, work) = w.item;
        grant(r, carrier, phase, work);
    }
}

/// A carrier reaches its next phase.
pub(super) fn phase(r: &mut Replication, carrier: Entity, phase: Phase) {
    let now = r.cal.now();
    let svc = r.world.get::<Carrier>(carrier).expect("carrier").svc;
    let m = model(r, svc);
    match phase {
        Phase::Loaded => {
            r.world
                .get_mut::<Carrier>(carrier)
                .expect("carrier")
                .t_loaded = now;
            release_berth(r, m.from);
            // Leave when a path is free and the leg is open (weather, closures).
            let at = {
                let mut s = state(r, svc);
                let from = s.next_path.max(now);
                let at = s.weather.next_open(now, from);
                if let Some(h) = s.headway {
                    s.next_path = at + h;
                }
                at
            };
            if at > now {
                // Held, loaded, for a path or for the weather.
                let mut s = state(r, svc);
                let held = s.stats.held.level() + 1;
                s.stats.held.set(now, held);
                r.cal.schedule(
                    at,
                    Event::Carrier {
                        carrier,
                        phase: Phase::Sail,
                    },
                );
            } else {
                sail(r, carrier, svc);
            }
        }
        Phase::Sail => {
            let mut s = state(r, svc);
            let held = s.stats.held.level() - 1;
            s.stats.held.set(now, held);
            sail(r, carrier, svc)
        }
        Phase::Arrived => {
            let unloading = {
                let mut cr = r.world.get_mut::<Carrier>(carrier).expect("carrier");
                cr.t_arrived = now;
                cr.unloading
            };
            if let Some(t) = r.trace.as_deref_mut() {
                let load = &r.world.get::<Carrier>(carrier).expect("carrier").load;
                t.carrier("arrived_by_carrier", now, carrier, m.to as u32, load);
            }
            request_berth(r, m.to, carrier, Phase::Unloaded, unloading);
        }
        Phase::Unloaded => {
            let teu = {
                let mut cr = r.world.get_mut::<Carrier>(carrier).expect("carrier");
                cr.t_unloaded = now;
                cr.teu
            };
            // A full yard at the destination keeps the carrier at its berth, loaded.
            if node::admit(r, m.to, Blocked::Carrier(carrier), teu) {
                finish_unloading(r, carrier);
            }
        }
        Phase::Back => {
            if let Some(t) = r.trace.as_deref_mut() {
                t.carrier("returned", now, carrier, m.from as u32, &[]);
            }
            r.world.despawn(carrier);
            r.removed();
            {
                let mut s = state(r, svc);
                if s.retiring > 0 {
                    // Retired on its return (a dated fleet reduction).
                    s.retiring -= 1;
                    let carriers = (s.fleet + s.retiring) as u64;
                    s.stats.carriers.set(now, carriers);
                } else {
                    s.available += 1;
                }
                let away = (s.fleet + s.retiring - s.available) as u64;
                s.stats.away.set(now, away);
            }
            try_depart(r, svc);
        }
    }
}

fn sail(r: &mut Replication, carrier: Entity, svc: u32) {
    let now = r.cal.now();
    r.world.get_mut::<Carrier>(carrier).expect("carrier").t_sail = now;
    if let Some(t) = r.trace.as_deref_mut() {
        let load = &r.world.get::<Carrier>(carrier).expect("carrier").load;
        t.carrier(
            "departed",
            now,
            carrier,
            r.model.services[svc as usize].from as u32,
            load,
        );
    }
    let t = model(r, svc).travel.sample(&mut state(r, svc).rng_travel);
    r.cal.schedule_in(
        t,
        Event::Carrier {
            carrier,
            phase: Phase::Arrived,
        },
    );
}

/// The carrier hands its load over to the destination (whose yard has room for it), leaves its
/// berth and starts its return trip.
pub(super) fn finish_unloading(r: &mut Replication, carrier: Entity) {
    let now = r.cal.now();
    let svc = r.world.get::<Carrier>(carrier).expect("carrier").svc;
    let m = model(r, svc);
    release_berth(r, m.to);
    let (load, handling, delay, parts, boarded, carried) = {
        let mut cr = r.world.get_mut::<Carrier>(carrier).expect("carrier");
        let (boarded, carried) = (cr.t_board, cr.teu);
        let handling = cr.loading + cr.unloading;
        // The waits on board, each with the resource that caused it.
        let parts = [
            (Res::Berths(m.from), cr.t_load - cr.t_board),
            (Res::Service(svc as usize), cr.t_sail - cr.t_loaded),
            (Res::Berths(m.to), cr.t_unload - cr.t_arrived),
            (Res::Yard(m.to), now - cr.t_unloaded),
        ];
        let delay = parts[0].1 + parts[1].1 + parts[2].1 + parts[3].1;
        let load = std::mem::take(&mut cr.load);
        (load, handling, delay, parts, boarded, carried)
    };
    state(r, svc).stats.carrier_delay.record(delay);
    if let Some(t) = r.trace.as_deref_mut() {
        t.carrier("unloaded", now, carrier, m.to as u32, &load);
    }
    let to = m.to as u32;
    for c in load {
        // Loading, unloading and waits for berths, paths, weather or yard space are not
        // moving: shift the departure stamp so that arriving counts only the travel.
        let cm = r.cons.get_mut(c).expect("on board");
        cm.handling = cm.handling + handling;
        cm.queueing = cm.queueing + delay;
        cm.departed += handling + delay;
        cm.admitted = true;
        if cm.counted {
            let flow = cm.flow;
            for (res, d) in parts {
                r.waits.add(flow, res, d);
            }
        }
        if r.books.is_some() {
            cost::unloaded(r, c, svc as usize, now - boarded, (delay, carried));
        }
        r.cal
            .schedule_in(SimDur::ZERO, Event::Arrive { c, node: to });
    }
    let t = m
        .return_trip
        .as_ref()
        .map_or(SimDur::ZERO, |d| d.sample(&mut state(r, svc).rng_return));
    r.cal.schedule_in(
        t,
        Event::Carrier {
            carrier,
            phase: Phase::Back,
        },
    );
}

/// The service rows.
pub(super) fn service_rows(r: &Replication, w: &Window, sink: &mut Sink) {
    let m = r.model;
    // Carrier services.
    for (i, sv) in m.services.iter().enumerate() {
        let s = r.world.get::<ServiceState>(r.services[i]).expect("service");
        let st = &s.stats;
        let id = &sv.id;
        let deps = st.departures as f64;
        let lf = if st.departures > 0 {
            st.load_sum / deps
        } else {
            f64::NAN
        };
        sink.put(id, &metric::service::DEPARTURES, deps);
        sink.put(id, &metric::service::DEPARTURES_PER_DAY, deps / w.days);
        sink.put(id, &metric::service::MISSED_DEPARTURES, st.missed as f64);
        sink.put(id, &metric::service::LOAD_FACTOR, lf);
        sink.put(id, &metric::service::TEU_CARRIED, st.teu as f64);
        sink.put(
            id,
            &metric::service::CARRIER_WAIT_MEAN,
            st.wait.mean_hours(),
        );
        sink.put(
            id,
            &metric::service::QUEUE_TEU_MEAN,
            st.queue_teu.mean(w.end),
        );
        sink.put(
            id,
            &metric::service::CARRIER_DELAY_MEAN,
            st.carrier_delay.mean_hours(),
        );
        sink.put(
            id,
            &metric::service::CARRIERS_HELD_MEAN,
            st.held.mean(w.end),
        );
        sink.put(id, &metric::service::FLEET_AWAY_MEAN, st.away.mean(w.end));
        let fleet =
            if m.changes_any(|s| matches!(s, Setting::Fleet { service, .. } if *service == i)) {
                // Carriers away over carriers in service, both over time: the fleet changed.
                st.away.mean(w.end) / st.carriers.mean(w.end)
            } else {
                st.away.mean(w.end) / sv.fleet as f64
            };
        sink.put(id, &metric::service::FLEET_UTILISATION, fleet);
        let trend = r.bins.rise(r.levels.service[i]);
        sink.put(id, &metric::service::QUEUE_TEU_TREND, trend);
    }
}

/// The berth rows: carriers loading and unloading.
pub(super) fn berth_rows(r: &Replication, w: &Window, sink: &mut Sink) {
    let m = r.model;
    // Berths: carriers loading and unloading.
    for (i, n) in m.nodes.iter().enumerate() {
        let Some(Berths(b)) = r.world.get::<Berths>(r.nodes[i]) else {
            continue;
        };
        let id = &n.id;
        let s = b.stats();
        let util = if m.changes_any(|s| matches!(s, Setting::Berths { node, .. } if *node == i)) {
            s.busy.mean(w.end) / s.capacity.mean(w.end)
        } else {
            b.servers()
                .map_or(f64::NAN, |c| s.busy.mean(w.end) / c as f64)
        };
        sink.put(id, &metric::berths::BERTH_UTILISATION, util);
        sink.put(
            id,
            &metric::berths::CARRIERS_QUEUED_MEAN,
            s.queue.mean(w.end),
        );
        sink.put(
            id,
            &metric::berths::CARRIERS_QUEUED_MAX,
            s.queue.max() as f64,
        );
        sink.put(id, &metric::berths::BERTH_WAIT_MEAN, s.wait.mean_hours());
        let level = r.levels.berths[i].expect("berths are recorded");
        let trend = r.bins.rise(level);
        sink.put(id, &metric::berths::CARRIERS_QUEUED_TREND, trend);
    }
}

/// Service `svc`'s fleet becomes `fleet` now (a dated change). A reduction retires idle
/// carriers first, then carriers as they come back from their trips; an increase first keeps
/// carriers still to retire, then adds idle carriers at the boarding node, which may leave at
/// once.
pub(super) fn set_fleet(r: &mut Replication, svc: u32, fleet: u32) {
    let now = r.cal.now();
    {
        let mut s = state(r, svc);
        let s = &mut *s;
        if fleet >= s.fleet {
            let more = fleet - s.fleet;
            let kept = more.min(s.retiring);
            s.retiring -= kept;
            s.available += more - kept;
        } else {
            let cut = s.fleet - fleet;
            let idle = cut.min(s.available);
            s.available -= idle;
            s.retiring += cut - idle;
        }
        s.fleet = fleet;
        let carriers = (s.fleet + s.retiring) as u64;
        s.stats.carriers.set(now, carriers);
        let away = (s.fleet + s.retiring - s.available) as u64;
        s.stats.away.set(now, away);
    }
    try_depart(r, svc);
}

/// Service `svc`'s capacity per carrier becomes `teu` for departures from now on.
pub(super) fn set_capacity(r: &mut Replication, svc: u32, teu: u32) {
    state(r, svc).capacity = teu;
    try_depart(r, svc);
}

/// Service `svc`'s headway becomes `headway` for carriers that set off from now on.
pub(super) fn set_headway(r: &mut Replication, svc: u32, headway: SimDur) {
    let mut s = state(r, svc);
    s.next_path = super::changes::respaced(s.next_path, s.headway, headway);
    s.headway = Some(headway);
}

/// `node` has `berths` berths from now: added berths go to waiting carriers at once; a removed
/// berth is freed when its carrier leaves it.
pub(super) fn set_berths(r: &mut Replication, node: usize, berths: u32) {
    let now = r.cal.now();
    let started = r
        .world
        .get_mut::<Berths>(r.nodes[node])
        .expect("node has berths")
        .0
        .set_servers(now, Some(berths));
    for w in started {
        let (carrier, phase, work) = w.item;
        grant(r, carrier, phase, work);
    }
}

/// Timetabled service `svc` leaves every `every` from now on (a dated change): its departures
/// are at the multiples of `every` from time zero, the first at or after now; those of the
/// timetable it replaces are dropped.
pub(super) fn set_every(r: &mut Replication, svc: u32, every: SimDur) {
    let now = r.cal.now();
    let timetable = {
        let mut s = state(r, svc);
        s.timetable += 1;
        s.every = every;
        s.timetable
    };
    let first = SimTime(now.0.div_ceil(every.0).max(1) * every.0);
    let slot = timetable << 16;
    r.cal.schedule(first, Event::Departure { svc, slot });
}
