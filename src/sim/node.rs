//! Nodes: what kind each one is, and what every kind shares. A consignment arrives past the
//! yard gate (if the node has a yard), enters its node's kind, and leaves towards the next step
//! of its route, freeing yard space; whoever the yard then admits is handed over from here.
//!
//! Kinds are matched exhaustively, so the compiler lists what a new kind needs: a module with
//! a way to make its state (`station::new` into the per-node slab, `border::spawn` as a component),
//! `enter`, `reset` and `node_rows` (as `station` and `border` have), and one arm in
//! each `match` ([`spawn`], `enter` and [`reset`] here, the node rows in `metrics`). Berths and
//! a yard are optional parts of a node of any kind.

use bevy_ecs::prelude::*;

use super::carrier::{self, Berths};
use super::components::{Consignment, Station};
use super::steps::Next;
use super::waits::Res;
use super::yard::{Blocked, Yard};
use super::{Cid, Event, Replication, border, cost, flow, station};
use crate::engine::resource::Pool;
use crate::engine::{SimDur, SimTime};
use crate::scenario::{NodeKind, NodeModel};

/// The kind of a node, one byte per node for dispatch without a component lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Kind {
    /// Parallel servers and a FIFO queue ([`station`]).
    Station,
    /// A border crossing ([`border`]).
    Border,
}

/// Spawns node `n` of replication `rep`: its entity with its kind's state and its optional
/// parts; a station's state goes to `stations` (the per-node slab the hot path indexes), its
/// index there is returned.
pub(super) fn spawn(
    world: &mut World,
    stations: &mut Vec<Station>,
    n: &NodeModel,
    (seed, rep): (u64, u32),
) -> (Entity, Kind, u32) {
    let (e, kind, slot) = match &n.kind {
        NodeKind::Station {
            servers,
            service,
            per,
            ..
        } => {
            let slot = stations.len() as u32;
            stations.push(station::new(&n.id, *servers, service, *per, (seed, rep)));
            (world.spawn_empty().id(), Kind::Station, slot)
        }
        NodeKind::Border(b) => {
            let e = border::spawn(world, &n.id, b, (seed, rep));
            (e, Kind::Border, u32::MAX)
        }
    };
    if let Some(teu) = n.yard_teu {
        world.entity_mut(e).insert(Yard::new(teu));
    }
    if let Some(b) = n.berths {
        world.entity_mut(e).insert(Berths(Pool::new(Some(b))));
    }
    (e, kind, slot)
}

/// What a node's kind learns of a consignment entering it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entering {
    /// Its TEU.
    pub teu: u32,
    /// Its priority class.
    pub prio: u8,
    /// When it left the previous node.
    pub departed: SimTime,
}

impl Entering {
    fn of(cm: &Consignment) -> Entering {
        Entering {
            teu: cm.teu,
            prio: cm.prio,
            departed: cm.departed,
        }
    }
}

/// Consignment `c` arrives at `node`: past the yard gate (unless the carrier that brought it
/// was admitted for it), it enters the node.
pub(super) fn arrive(r: &mut Replication, c: Cid, node: u32) {
    let now = r.cal.now();
    if let Some(t) = r.trace.as_deref_mut() {
        t.at_node("arrived", now, c, node);
    }
    let (entering, admitted) = {
        let cm = r.cons.get_mut(c).expect("consignment in flight");
        cm.arrive(now);
        let admitted = cm.admitted;
        cm.admitted = false;
        (Entering::of(cm), admitted)
    };
    if r.books.is_some() {
        cost::arrived(r, c, node);
    }
    let teu = entering.teu;
    if !admitted && !admit(r, node as usize, Blocked::Consignment(c), teu) {
        return; // waits at the gate of a full yard
    }
    enter(r, c, node, entering);
}

/// Consignment `c` enters `node` now, past its yard gate. Inlined into its callers, so each
/// calls the kind's handler directly (as one function with both handlers inlined, it spilled
/// registers on the hot path: +2% instructions on the tandem).
#[inline(always)]
fn enter(r: &mut Replication, c: Cid, node: u32, entering: Entering) {
    match r.kinds[node as usize] {
        Kind::Station => station::enter(r, c, node, entering.teu),
        Kind::Border => border::enter(r, c, node, entering),
    }
}

/// Consignment `c` leaves its node now; `cm` is its state before [`Consignment::depart`]. It
/// records the section it has just completed, then travels on or is delivered.
pub(crate) fn leave(r: &mut Replication, c: Cid, cm: Consignment) {
    let now = r.cal.now();
    if r.books.is_some() {
        cost::left_node(r, c, &cm);
    }
    let leg = cm.leg;
    let here = *r.steps.at(cm.path, leg);
    if leg > 0
        && cm.counted
        && let Next::Link(l) = r.steps.at(cm.path, leg - 1).next
    {
        r.links[l as usize].section.record(now - cm.departed);
    }
    // Leaving by link (or delivered) frees the yard now; boarding frees it when the carrier
    // departs.
    if !matches!(here.next, Next::Service(_)) {
        release(r, here.node as usize, cm.teu as u64);
    }
    if let Some(t) = r.trace.as_deref_mut()
        && here.next != Next::Delivered
    {
        let kind = match here.next {
            Next::Service(_) => "waiting_for_carrier",
            _ => "left",
        };
        t.at_node(kind, now, c, here.node);
    }
    let travel = match here.next {
        Next::Link(l) => {
            let l = l as usize;
            let (path_wait, t, headway) = {
                let link = &mut r.links[l];
                // Path capacity: enter no earlier than one headway after the previous entry.
                let path_wait = match link.headway {
                    Some(h) => {
                        let entry = link.next_free.max(now);
                        link.next_free = entry + h;
                        if cm.counted {
                            link.taken = link.taken + h;
                        }
                        entry - now
                    }
                    None => SimDur::ZERO,
                };
                let t = link.time.sample(&mut link.rng);
                if cm.counted {
                    link.travel.record(t);
                    link.path_wait.record(path_wait);
                }
                (path_wait, t, link.headway.is_some())
            };
            // Without a headway the wait is zero: the flow's account (if it has one for the
            // link, whose headway a dated change may have removed) would not change, and
            // finding it is a search that misses the caches at a large corridor.
            if cm.counted && headway {
                r.waits.add(cm.flow, Res::Link(l), path_wait);
            }
            if r.books.is_some() {
                cost::link(r, c, cm.counted, l, path_wait + t);
            }
            if path_wait > SimDur::ZERO {
                // Waiting for a path is queueing, not moving.
                let m = r.cons.get_mut(c).expect("consignment");
                m.queueing = m.queueing + path_wait;
                m.departed += path_wait;
            }
            path_wait + t
        }
        Next::Direct => SimDur::ZERO,
        Next::Service(s) => {
            carrier::board(r, c, s, cm.teu);
            return;
        }
        Next::Delivered => return flow::deliver(r, c, cm),
    };
    let next = r.steps.at(cm.path, leg + 1).node;
    r.cal.schedule_in(travel, Event::Arrive { c, node: next });
}

/// Takes `teu` into the yard of `node` now if there is room and nobody is waiting before; else
/// `who` joins the queue at the gate. True if admitted (or the node has no yard).
#[inline]
pub(super) fn admit(r: &mut Replication, node: usize, who: Blocked, teu: u32) -> bool {
    // The common case, inlined and without a component lookup.
    !r.has_yard[node] || admit_to_yard(r, node, who, teu)
}

fn admit_to_yard(r: &mut Replication, node: usize, who: Blocked, teu: u32) -> bool {
    let now = r.cal.now();
    let mut y = r
        .world
        .get_mut::<Yard>(r.nodes[node])
        .expect("node has a yard");
    y.0.put(now, who, teu as u64).is_some()
}

/// `teu` leave the yard of `node` (if it has one); whoever waits at the gate and now fits is
/// admitted, in order, and handed over: a consignment enters the node, a carrier finishes
/// unloading.
#[inline]
pub(super) fn release(r: &mut Replication, node: usize, teu: u64) {
    if r.has_yard[node] {
        release_from_yard(r, node, teu);
    }
}

fn release_from_yard(r: &mut Replication, node: usize, teu: u64) {
    let now = r.cal.now();
    let admitted = {
        let mut y = r
            .world
            .get_mut::<Yard>(r.nodes[node])
            .expect("node has a yard");
        y.0.take(now, teu)
    };
    hand_over(r, node, admitted);
}

/// The yard of `node` holds `teu` from now (a dated change): a smaller yard blocks new
/// admissions only; a larger one admits whoever waits at the gate and now fits.
pub(super) fn set_yard(r: &mut Replication, node: usize, teu: u32) {
    let now = r.cal.now();
    let admitted = {
        let mut y = r
            .world
            .get_mut::<Yard>(r.nodes[node])
            .expect("node has a yard");
        y.0.set_capacity(now, teu as u64)
    };
    hand_over(r, node, admitted);
}

/// Hands over whoever the yard of `node` has just admitted, in order.
fn hand_over(
    r: &mut Replication,
    node: usize,
    admitted: Vec<crate::engine::resource::Entry<Blocked>>,
) {
    let now = r.cal.now();
    for e in admitted {
        match e.item {
            Blocked::Consignment(c) => {
                let entering = {
                    let cm = r.cons.get_mut(c).expect("blocked consignment");
                    cm.queueing = cm.queueing + (now - e.since);
                    cm.at_node = now;
                    cm.started = now;
                    (Entering::of(cm), *cm)
                };
                let (entering, cm) = entering;
                if cm.counted {
                    r.waits.add(cm.flow, Res::Yard(node), now - e.since);
                }
                enter(r, c, node as u32, entering);
            }
            Blocked::Carrier(k) => carrier::finish_unloading(r, k),
        }
    }
}

/// Restarts the statistics of node `node` at `now`, keeping current levels (end of warm-up).
pub(super) fn reset(r: &mut Replication, node: usize, now: SimTime) {
    let e = r.nodes[node];
    match r.kinds[node] {
        Kind::Station => r.station_mut(node).reset(now),
        Kind::Border => border::reset(&mut r.world, e, now),
    }
    if let Some(mut y) = r.world.get_mut::<Yard>(e) {
        y.0.reset(now);
    }
    if let Some(mut b) = r.world.get_mut::<Berths>(e) {
        b.0.reset(now);
    }
}
