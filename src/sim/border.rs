//! Border crossings: document processing by lanes, risk-based channels (green, yellow document
//! check, red physical inspection in a bay), technical operations on tracks, opening hours,
//! joint control, priority classes with optional preemptive-resume, and the digitisation level.
//!
//! A consignment's random work is drawn when it arrives, from the border's own streams, so that
//! two runs that differ only in this border's level give each consignment the same underlying
//! draws (common random numbers through the level's monotone mapping).

use bevy_ecs::prelude::*;

use super::border_state::{
    BAYS, Border, BorderRngs, CLASSES, Channel, Crossing, LANES, PassPlan, Stage, TRACKS,
};
use super::catalogue::border as metric;
use super::node::{Entering, leave};
use super::rows::NodeRows;
use super::rows::Sink;
use super::rows::Window;
use super::trace::StageEvent;
use super::{Cid, Event, Replication};
use crate::engine::random::stream;
use crate::engine::resource::{PriorityPool, Request};
use crate::engine::{SimDur, SimTime};
use crate::scenario::BorderModel;
use crate::scenario::NodeKind;
use crate::scenario::Setting;

fn model<'m>(r: &Replication<'m>, node: u32) -> &'m BorderModel {
    r.model.nodes[node as usize].border().expect("border node")
}

fn border<'w>(r: &'w mut Replication, node: u32) -> Mut<'w, Border> {
    let e = r.nodes[node as usize];
    r.world
        .get_mut::<Border>(e)
        .expect("node entity has a Border")
}

/// The crossing of consignment `c` at border `node` (the border keeps its crossings).
fn crossing<'w>(r: &'w mut Replication, node: u32, c: Cid) -> Mut<'w, Crossing> {
    border(r, node).map_unchanged(|b| b.crossings.get_mut(&c).expect("consignment is crossing"))
}

/// Pools that keep customs hours (lanes and bays); technical operations run around the clock.
fn keeps_hours(pool: usize) -> bool {
    pool != TRACKS
}

/// Spawns the state of border `id` of replication `(seed, rep)`, with its own random streams.
pub(super) fn spawn(
    world: &mut World,
    id: &str,
    b: &BorderModel,
    (seed, rep): (u64, u32),
) -> Entity {
    let s = |what: &str| stream(seed, rep, &format!("node:{id}:{what}"));
    world
        .spawn(Border {
            // Technical operations are never preempted.
            pools: [
                PriorityPool::new(Some(b.lanes), CLASSES, b.preemption),
                PriorityPool::new(Some(b.bays), CLASSES, b.preemption),
                PriorityPool::new(b.tracks, CLASSES, false),
            ],
            rng: BorderRngs {
                documents: s("documents"),
                channel: s("channel"),
                check: s("document_check"),
                inspection: s("inspection"),
                technical: s("technical"),
            },
            open_pending: false,
            level: b.level,
            stats: Default::default(),
            crossings: Default::default(),
        })
        .id()
}

/// Consignment `c` (just arrived) enters border `node`.
pub(super) fn enter(r: &mut Replication, c: Cid, node: u32, cm: Entering) {
    let now = r.cal.now();
    let m = model(r, node);
    let doc_mean = m.documents.mean_secs();
    let lead = (now - cm.departed).as_secs_f64();
    let mut plan = [PassPlan::default(); super::border_state::MAX_PASSES];
    let technical_work;
    {
        let mut b = border(r, node);
        let b = &mut *b;
        // The level in force when the consignment arrives: its plan is drawn now.
        let effect = m.effect_at(b.level);
        b.stats.arrivals += 1;
        let wip = b.stats.wip.level() + 1;
        b.stats.wip.set(now, wip);
        for p in plan.iter_mut().take(m.passes() as usize) {
            // Draw everything, whatever the channel, so that every level sees the same draws.
            let x = m.documents.sample_secs(&mut b.rng.documents);
            let work = effect.document_secs(x, doc_mean);
            let pre = (effect.pre_arrival * work).min(lead);
            let u = crate::engine::dist::unit_f64(&mut b.rng.channel);
            let check = m
                .document_check
                .as_ref()
                .map_or(SimDur::ZERO, |d| d.sample(&mut b.rng.check));
            let insp = m
                .inspection
                .as_ref()
                .map_or(SimDur::ZERO, |d| d.sample(&mut b.rng.inspection));
            *p = PassPlan {
                docs: SimDur::from_secs_f64(work - pre),
                channel: if u < effect.red {
                    Channel::Red
                } else if u < effect.red + effect.yellow {
                    Channel::Yellow
                } else {
                    Channel::Green
                },
                check,
                inspection: insp,
            };
        }
        technical_work = m
            .technical
            .as_ref()
            .map_or(SimDur::ZERO, |d| d.sample(&mut b.rng.technical));
    }
    let x = Crossing {
        arrived: now,
        pass: 0,
        stage: Stage::Arrived,
        since: now,
        token: 0,
        prio: cm.prio,
        plan,
        technical_work,
        queue: SimDur::ZERO,
        closed: SimDur::ZERO,
        document: SimDur::ZERO,
        inspection: SimDur::ZERO,
        technical: SimDur::ZERO,
        inspected: false,
    };
    border(r, node).crossings.insert(c, x);
    advance(r, c, node);
}

/// Moves `c` to its next stage (skipping stages with no work) and requests its pool, or
/// releases it.
fn advance(r: &mut Replication, c: Cid, node: u32) {
    let m = model(r, node);
    let passes = m.passes() as u8;
    let has_technical = m.technical.is_some();
    let next = {
        let mut x = crossing(r, node, c);
        loop {
            let plan = x.plan[x.pass as usize];
            let (stage, pass) = match x.stage {
                Stage::Arrived => (Stage::Docs, 0),
                Stage::Docs => match plan.channel {
                    Channel::Yellow => (Stage::Check, x.pass),
                    Channel::Red => (Stage::Inspect, x.pass),
                    Channel::Green => next_pass(x.pass, passes, has_technical),
                },
                Stage::Check | Stage::Inspect => next_pass(x.pass, passes, has_technical),
                Stage::Technical => break None,
            };
            if stage == Stage::Arrived {
                break None; // released
            }
            x.stage = stage;
            x.pass = pass;
            let plan = x.plan[pass as usize];
            let (pool, work) = match stage {
                Stage::Docs => (LANES, plan.docs),
                Stage::Check => (LANES, plan.check),
                Stage::Inspect => {
                    x.inspected = true;
                    (BAYS, plan.inspection)
                }
                Stage::Technical => (TRACKS, x.technical_work),
                Stage::Arrived => unreachable!(),
            };
            // Documents fully processed before arrival: no visit to a lane at all.
            if stage == Stage::Docs && work == SimDur::ZERO {
                continue;
            }
            break Some((pool, work, x.prio));
        }
    };
    match next {
        Some((pool, work, prio)) => request(r, c, node, pool, work, prio),
        None => release(r, c, node),
    }
}

/// After pass `pass`: the next pass's documents, technical operations, or release (signalled
/// as `Stage::Arrived`).
fn next_pass(pass: u8, passes: u8, has_technical: bool) -> (Stage, u8) {
    if pass + 1 < passes {
        (Stage::Docs, pass + 1)
    } else if has_technical {
        (Stage::Technical, pass)
    } else {
        (Stage::Arrived, pass)
    }
}

fn is_open(r: &Replication, node: u32, pool: usize) -> bool {
    !keeps_hours(pool) || model(r, node).hours.is_open(r.cal.now())
}

/// `c` asks `pool` for `work` of service.
fn request(r: &mut Replication, c: Cid, node: u32, pool: usize, work: SimDur, prio: u8) {
    let now = r.cal.now();
    let open = is_open(r, node, pool);
    let outcome = {
        let mut b = border(r, node);
        let b = &mut *b;
        let p = &mut b.pools[pool];
        let outcome = if open {
            p.request(now, c, prio, work)
        } else {
            p.enqueue(now, c, prio, work);
            Request::Queued
        };
        if outcome != Request::Started {
            note_queue(b, now);
        }
        outcome
    };
    match outcome {
        Request::Started => {}
        Request::Preempted(v) => {
            // The interrupted consignment keeps the service it got and waits again from now;
            // its pending completion event becomes stale.
            let stage = {
                let mut x = crossing(r, node, v);
                let served = now - x.since;
                add_service(&mut x, served);
                x.since = now;
                x.token = x.token.wrapping_add(1);
                x.stage
            };
            if let Some(t) = r.trace.as_deref_mut() {
                t.border(StageEvent::Preempted, now, v, node, stage);
            }
        }
        Request::Queued => {
            if !open {
                ensure_open_event(r, node);
            }
            return;
        }
    }
    start(r, c, node, pool, work);
}

/// Consignments waiting for any of the border's pools, over time.
fn note_queue(b: &mut Border, now: SimTime) {
    let waiting = b.pools.iter().map(|p| p.waiting() as u64).sum();
    b.stats.queue.set(now, waiting);
}

fn add_service(x: &mut Crossing, d: SimDur) {
    match x.stage {
        Stage::Docs | Stage::Check => x.document = x.document + d,
        Stage::Inspect => x.inspection = x.inspection + d,
        Stage::Technical => x.technical = x.technical + d,
        Stage::Arrived => {}
    }
}

/// Service of `c` in `pool` starts now (the pool has given it a server).
fn start(r: &mut Replication, c: Cid, node: u32, pool: usize, work: SimDur) {
    let now = r.cal.now();
    let hours = &model(r, node).hours;
    let (token, stage) = {
        let mut x = crossing(r, node, c);
        let waited = now - x.since;
        let closed = if waited > SimDur::ZERO && keeps_hours(pool) {
            hours.closed_between(x.since, now)
        } else {
            SimDur::ZERO
        };
        x.closed = x.closed + closed;
        x.queue = x.queue + SimDur(waited.0 - closed.0);
        x.since = now;
        x.token = x.token.wrapping_add(1);
        (x.token, x.stage)
    };
    r.cal.schedule_in(work, Event::Stage { c, node, token });
    if let Some(t) = r.trace.as_deref_mut() {
        t.border(StageEvent::Started, now, c, node, stage);
    }
}

/// A stage's service for `c` ends (unless the event is stale).
pub(super) fn stage_done(r: &mut Replication, c: Cid, node: u32, token: u16) {
    let now = r.cal.now();
    let stage = {
        let mut b = border(r, node);
        let Some(x) = b.crossings.get_mut(&c) else {
            return; // it has left this border since
        };
        if x.token != token {
            return; // preempted: a newer spell is or will be in progress
        }
        let served = now - x.since;
        add_service(x, served);
        x.since = now;
        x.stage
    };
    let pool = match stage {
        Stage::Docs | Stage::Check => LANES,
        Stage::Inspect => BAYS,
        _ => TRACKS,
    };
    if let Some(t) = r.trace.as_deref_mut() {
        t.border(StageEvent::Ended, now, c, node, stage);
    }
    border(r, node).pools[pool].release(now, c);
    fill(r, node, pool);
    advance(r, c, node);
}

/// Starts waiting consignments while `pool` is open and has free servers.
fn fill(r: &mut Replication, node: u32, pool: usize) {
    if !is_open(r, node, pool) {
        let waiting = border(r, node).pools[pool].waiting();
        if waiting > 0 {
            ensure_open_event(r, node);
        }
        return;
    }
    let now = r.cal.now();
    loop {
        let next = {
            let mut b = border(r, node);
            let b = &mut *b;
            let job = b.pools[pool].start_next(now);
            if job.is_some() {
                note_queue(b, now);
            }
            job
        };
        match next {
            Some(job) => start(r, job.item, node, pool, job.work),
            None => break,
        }
    }
}

fn ensure_open_event(r: &mut Replication, node: u32) {
    let at = model(r, node).hours.next_open(r.cal.now());
    let mut b = border(r, node);
    if !b.open_pending {
        b.open_pending = true;
        r.cal.schedule(at, Event::Open { node });
    }
}

/// The border opens: lanes and bays take on waiting work.
pub(super) fn open(r: &mut Replication, node: u32) {
    border(r, node).open_pending = false;
    fill(r, node, LANES);
    fill(r, node, BAYS);
}

/// `c` has cleared the border.
fn release(r: &mut Replication, c: Cid, node: u32) {
    let now = r.cal.now();
    let x = border(r, node)
        .crossings
        .remove(&c)
        .expect("consignment is crossing");
    {
        let mut b = border(r, node);
        let s = &mut b.stats;
        let clear = now - x.arrived;
        s.clear.record(clear);
        s.clear_q.record(clear);
        s.queueing.record(x.queue);
        s.closed.record(x.closed);
        s.wait_q.record(x.queue + x.closed);
        s.document.record(x.document);
        s.inspection.record(x.inspection);
        s.technical.record(x.technical);
        if x.inspected {
            s.inspected += 1;
        }
        let wip = s.wip.level() - 1;
        s.wip.set(now, wip);
    }
    let cm = {
        let m = r.cons.get_mut(c).expect("consignment in flight");
        m.border = m.border + (now - m.at_node);
        m.depart(now)
    };
    if cm.counted {
        r.steps.add_wait(cm.path, cm.leg, x.queue + x.closed);
    }
    leave(r, c, cm);
}

/// Restarts the statistics of the border of entity `e` at `now`, keeping current levels (end of
/// warm-up).
pub(super) fn reset(world: &mut World, e: Entity, now: SimTime) {
    let mut b = world.get_mut::<Border>(e).expect("border node");
    b.stats.reset(now);
    for p in &mut b.pools {
        p.reset(now);
    }
}

/// The node rows of the border of entity `e`, up to `end`: its lanes are its servers, its wait
/// is queueing plus closed time.
pub(super) fn node_rows(world: &World, e: Entity, end: SimTime) -> NodeRows {
    let b = world.get::<Border>(e).expect("border node");
    let s = &b.stats;
    let wait_mean = if s.clear.count() == 0 {
        f64::NAN
    } else {
        s.queueing.mean_hours() + s.closed.mean_hours()
    };
    NodeRows {
        busy_mean: b.pools[LANES].stats().busy.mean(end),
        wait_mean,
        wait_p95: s.wait_q.quantile_hours(0.95),
        sojourn_mean: s.clear.mean_hours(),
        queue_mean: s.queue.mean(end),
        queue_max: s.queue.max() as f64,
        wip_mean: s.wip.mean(end),
        arrivals: s.arrivals as f64,
        departures: s.clear.count() as f64,
    }
}

/// The border rows: time to clear and its parts (they add up to it), CAREC CPMM TFI1.
pub(super) fn rows(r: &Replication, w: &Window, sink: &mut Sink) {
    let m = r.model;
    // Border crossings: time to clear and its parts (they add up to it), CAREC CPMM TFI1.
    for (i, n) in m.nodes.iter().enumerate() {
        let bm = match &n.kind {
            NodeKind::Border(bm) => bm,
            NodeKind::Station { .. } => continue,
        };
        let b = r.world.get::<Border>(r.nodes[i]).expect("border");
        let s = &b.stats;
        let id = &n.id;
        let released = s.clear.count() as f64;
        sink.put(id, &metric::DIGITISATION_LEVEL, bm.level);
        sink.put(id, &metric::RELEASED, released);
        sink.put(id, &metric::CLEAR_MEAN, s.clear.mean_hours());
        sink.put(id, &metric::CLEAR_P95, s.clear_q.quantile_hours(0.95));
        sink.put(id, &metric::TFI1_TIME_TO_CLEAR, s.clear.mean_hours());
        sink.put(id, &metric::QUEUEING_MEAN, s.queueing.mean_hours());
        sink.put(id, &metric::CLOSED_WAIT_MEAN, s.closed.mean_hours());
        sink.put(id, &metric::DOCUMENT_MEAN, s.document.mean_hours());
        sink.put(id, &metric::INSPECTION_MEAN, s.inspection.mean_hours());
        sink.put(id, &metric::TECHNICAL_MEAN, s.technical.mean_hours());
        let share = if released > 0.0 {
            s.inspected as f64 / released
        } else {
            f64::NAN
        };
        sink.put(id, &metric::INSPECTED_SHARE, share);
        let changed = |pool: usize| {
            m.changes_any(|s| match s {
                Setting::Lanes { node, .. } => *node == i && pool == LANES,
                Setting::Bays { node, .. } => *node == i && pool == BAYS,
                Setting::Tracks { node, .. } => *node == i && pool == TRACKS,
                _ => false,
            })
        };
        let util = |pool: usize, servers: Option<u32>| {
            let busy = b.pools[pool].stats().busy.mean(w.end);
            if changed(pool) {
                // Busy time over the servers' time: the count changed on a date.
                busy / b.pools[pool].stats().capacity.mean(w.end)
            } else {
                servers.map_or(f64::NAN, |c| busy / c as f64)
            }
        };
        sink.put(id, &metric::LANE_UTILISATION, util(LANES, Some(bm.lanes)));
        sink.put(id, &metric::BAY_UTILISATION, util(BAYS, Some(bm.bays)));
        sink.put(id, &metric::TRACK_UTILISATION, util(TRACKS, bm.tracks));
    }
}

/// `pool` (lanes, bays or tracks) of border `node` has `servers` servers from now (a dated
/// change): added ones take waiting work at once if the pool is open; a removed one finishes
/// its work, and nothing starts until fewer are busy than there are.
pub(super) fn set_servers(r: &mut Replication, node: u32, pool: usize, servers: u32) {
    let now = r.cal.now();
    border(r, node).pools[pool].set_servers(now, servers);
    fill(r, node, pool);
}

/// A dated change sets the digitisation level of border `node`: consignments that arrive from
/// now on draw their plan at it; those already at the border keep theirs.
pub(super) fn set_level(r: &mut Replication, node: u32, level: f64) {
    border(r, node).level = level;
}

/// The time-weighted mean servers of `pool` of the border of entity `e` over the window.
pub(super) fn servers_mean(world: &World, e: Entity, pool: usize, end: SimTime) -> f64 {
    let b = world.get::<Border>(e).expect("border node");
    b.pools[pool].stats().capacity.mean(end)
}
