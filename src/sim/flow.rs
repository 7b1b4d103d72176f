//! Flows: creating consignments and delivering them at the end of their route.

use super::catalogue::flow as metric;
use super::components::Consignment;
use super::rows::Sink;
use super::rows::{Window, speed};
use super::{Cid, Event, Replication, cost};
use crate::engine::profile::Profile;
use crate::engine::{SimDur, SimTime};

/// Schedules the next creation of flow `f`, one inter-arrival time from now (in operational
/// time when the flow has a demand profile).
pub(super) fn schedule_next(r: &mut Replication, f: u32) {
    let model = r.model;
    if let Some(profile) = &model.flows[f as usize].profile {
        return schedule_profiled(r, f, profile);
    }
    let gap = draw_gap(r, f);
    r.cal.schedule_in(gap, Event::Created { flow: f });
}

/// The next gap of flow `f`'s arrivals, with its demand factor: the one draw both paths use,
/// so that a flow draws the same numbers with or without a profile. A demand factor is a time
/// change of the arrival process: the same draws, closer together (exact for Poisson
/// arrivals). At 1 the draw is used as it is.
#[inline(always)]
fn draw_gap(r: &mut Replication, f: u32) -> SimDur {
    let src = &mut r.sources[f as usize];
    let demand = r.model.flows[f as usize].demand;
    if demand == 1.0 {
        src.arrivals.sample(&mut src.rng)
    } else {
        SimDur::from_secs_f64(src.arrivals.sample_secs(&mut src.rng) / demand)
    }
}

/// Schedules the next creation of flow `f`, whose demand follows `profile`: the gap is drawn
/// exactly as without a profile (same stream, same draws, the demand factor applied) and added
/// to the operational clock u; the consignment is created at Λ⁻¹(u), or never if the profile
/// holds no more demand before the horizon.
// Out of line, so that the stationary path of `schedule_next` compiles as it did before.
#[cold]
#[inline(never)]
fn schedule_profiled(r: &mut Replication, f: u32, profile: &Profile) {
    let gap = draw_gap(r, f);
    let (op, cursor) = &mut r.clocks[f as usize];
    *op = op.saturating_add(gap.ms());
    if let Some(t) = cursor.time_of(profile, *op as f64) {
        r.cal.schedule(SimTime(t), Event::Created { flow: f });
    }
}

/// A consignment of flow `f` is created now and heads for the first node of its route.
pub(super) fn created(r: &mut Replication, f: u32) {
    schedule_next(r, f);
    let now = r.cal.now();
    let counted = now >= r.model.warmup;
    let route = if r.model.flows[f as usize].choice.is_some() {
        super::route_choice::choose(r, f, counted)
    } else {
        0
    };
    let path = r.steps.path(f, route);
    let first = r.steps.at(path, 0).node;
    let c = r.cons.insert(Consignment {
        flow: f,
        leg: 0,
        path,
        teu: r.model.flows[f as usize].teu,
        created: now,
        at_node: now,
        departed: now,
        moving: Default::default(),
        started: now,
        queueing: Default::default(),
        handling: Default::default(),
        border: Default::default(),
        waiting: Default::default(),
        prio: r.model.flows[f as usize].priority,
        route,
        admitted: false,
        counted,
    });
    if let Some(b) = r.books.as_deref_mut() {
        b.open(c, cost::ledger(r.model, f, r.model.flows[f as usize].teu));
    }
    r.counters.created += 1;
    if let Some(t) = r.trace.as_deref_mut() {
        t.created(now, c, f);
    }
    let wip = &mut r.flow_wip[f as usize];
    wip.set(now, wip.level() + 1);
    if counted {
        r.flow_stats[f as usize].created += 1;
    }
    r.cal
        .schedule_in(Default::default(), Event::Arrive { c, node: first });
}

/// Consignment `c` has left the last node of its route.
pub(super) fn deliver(r: &mut Replication, c: Cid, cm: Consignment) {
    let now = r.cal.now();
    r.counters.delivered += 1;
    if let Some(t) = r.trace.as_deref_mut() {
        let last = *r.model.flows[cm.flow as usize]
            .path(cm.route)
            .0
            .last()
            .expect("a route") as u32;
        t.delivered(now, c, last);
    }
    let wip = &mut r.flow_wip[cm.flow as usize];
    wip.set(now, wip.level() - 1);
    if r.model.flows[cm.flow as usize].choice.is_some() {
        let paid = cost::paid(r, c);
        let transit = now - cm.created;
        super::route_choice::delivered(r, cm.flow, cm.route, transit, cm.counted, paid);
    }
    let teu = r.model.flows[cm.flow as usize].teu as u64;
    let fs = &mut r.flow_stats[cm.flow as usize];
    if now >= r.model.warmup {
        fs.window_teu += teu;
    }
    if cm.counted {
        let transit = now - cm.created;
        fs.delivered += 1;
        fs.delivered_teu += teu;
        fs.transit.record(transit);
        fs.moving.record(cm.moving);
        fs.waiting.record(cm.waiting);
        fs.queueing.record(cm.queueing);
        fs.handling.record(cm.handling);
        fs.border.record(cm.border);
        fs.transit_q.record(transit);
        let on_time = r.model.flows[cm.flow as usize]
            .target_transit
            .is_some_and(|target| transit <= target);
        if on_time {
            fs.on_time += 1;
        }
        if let Some(p) = r.periods.as_deref_mut() {
            p.delivered(cm.flow as usize, cm.created, transit, on_time);
        }
    }
    if r.books.is_some() {
        cost::delivered(r, c, cm.flow, cm.counted);
    }
    r.cons.remove(c);
}

/// The flow rows: the cohort created after the warm-up, and deliveries in the window.
pub(super) fn rows(r: &mut Replication, w: &Window, sink: &mut Sink) {
    let m = r.model;
    // Cohort still in the system per flow (created after warm-up), from the entities.
    let mut open = vec![0u64; m.flows.len()];
    for (_, cm) in r.cons.iter() {
        if cm.counted {
            open[cm.flow as usize] += 1;
        }
    }

    for (i, f) in m.flows.iter().enumerate() {
        let fs = &r.flow_stats[i];
        let id = &f.id;
        sink.put(id, &metric::CREATED, fs.created as f64);
        sink.put(id, &metric::DELIVERED_CONSIGNMENTS, fs.delivered as f64);
        sink.put(id, &metric::IN_SYSTEM_END, open[i] as f64);
        sink.put(id, &metric::DELIVERED, fs.delivered_teu as f64);
        sink.put(id, &metric::THROUGHPUT, fs.window_teu as f64 / w.days);
        sink.put(id, &metric::TRANSIT_MEAN, fs.transit.mean_hours());
        sink.put(id, &metric::TRANSIT_P50, fs.transit_q.quantile_hours(0.50));
        sink.put(id, &metric::TRANSIT_P95, fs.transit_q.quantile_hours(0.95));
        sink.put(id, &metric::TRANSIT_MAX, fs.transit.max_hours());
        // Transit decomposition: these five add up to transit_mean.
        sink.put(id, &metric::MOVING, fs.moving.mean_hours());
        sink.put(id, &metric::WAITING_FOR_CARRIER, fs.waiting.mean_hours());
        sink.put(id, &metric::QUEUEING, fs.queueing.mean_hours());
        sink.put(id, &metric::HANDLING, fs.handling.mean_hours());
        sink.put(id, &metric::BORDER, fs.border.mean_hours());
        if let Some(km) = f.distance_km(&m.links) {
            sink.put(id, &metric::DISTANCE, km);
            let swod = speed(km, fs.moving.mean_hours());
            let swd = speed(km, fs.transit.mean_hours());
            sink.put(id, &metric::SPEED_WITHOUT_DELAY, swod);
            sink.put(id, &metric::SPEED_WITH_DELAY, swd);
        }
        if let Some(target) = f.target_transit {
            sink.put(id, &metric::TARGET_TRANSIT, target.as_hours_f64());
            let share = if fs.created > 0 {
                fs.on_time as f64 / fs.created as f64
            } else {
                f64::NAN
            };
            sink.put(id, &metric::ON_TIME_SHARE, share);
        }
        sink.put(id, &metric::WIP_MEAN, r.flow_wip[i].mean(w.end));
        sink.put(id, &metric::WIP_TREND, r.bins.rise(r.levels.flow[i]));
    }
}
