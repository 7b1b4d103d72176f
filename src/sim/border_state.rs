//! State of border crossings in the ECS world: the border's resource pools and statistics, and
//! each consignment's progress through the crossing (a component present only while it crosses).

use std::collections::VecDeque;

use bevy_ecs::prelude::*;

use crate::engine::stats::{Quantiles, Tally, TimeWeighted};
use crate::engine::{SimDur, SimTime, Stream};
use crate::scenario::model::MAX_PRIORITY;

/// Pool indices.
pub const LANES: usize = 0;
/// Inspection bays.
pub const BAYS: usize = 1;
/// Technical tracks.
pub const TRACKS: usize = 2;

/// A consignment waiting for a pool, with the work it needs.
#[derive(Clone, Copy, Debug)]
pub struct Waiting {
    /// The consignment.
    pub c: Entity,
    /// Work left (all of it, or what remains after a preemption).
    pub work: SimDur,
}

/// A consignment in service, for preemption.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// The consignment.
    pub c: Entity,
    /// Its priority.
    pub prio: u8,
    /// When this service spell started.
    pub start: SimTime,
    /// When it will end.
    pub end: SimTime,
}

/// Parallel servers with one FIFO queue per priority class (highest class served first).
pub struct Pool {
    /// Servers (`u32::MAX` = unlimited).
    pub servers: u32,
    /// Busy now.
    pub busy: u32,
    /// Waiting, by priority class.
    pub queues: Vec<VecDeque<Waiting>>,
    /// Waiting in all classes.
    pub waiting: u32,
    /// In service (kept only where preemption is possible).
    pub slots: Vec<Slot>,
    /// Busy servers over time.
    pub busy_tw: TimeWeighted,
}

impl Pool {
    /// An idle pool.
    pub fn new(servers: Option<u32>) -> Pool {
        Pool {
            servers: servers.unwrap_or(u32::MAX),
            busy: 0,
            queues: vec![VecDeque::new(); MAX_PRIORITY as usize + 1],
            waiting: 0,
            slots: Vec::new(),
            busy_tw: TimeWeighted::default(),
        }
    }

    /// Takes the next to serve: highest class first, FIFO within a class.
    pub fn pop(&mut self) -> Option<Waiting> {
        let w = self.queues.iter_mut().rev().find_map(|q| q.pop_front())?;
        self.waiting -= 1;
        Some(w)
    }
}

/// The random streams of one border, one per source (`node:<id>:documents`, `:channel`,
/// `:document_check`, `:inspection`, `:technical`).
pub struct BorderRngs {
    /// Document processing times.
    pub documents: Stream,
    /// Channel selection.
    pub channel: Stream,
    /// Yellow-channel check times.
    pub check: Stream,
    /// Red-channel inspection times.
    pub inspection: Stream,
    /// Technical operation times.
    pub technical: Stream,
}

/// A border crossing's mutable state.
#[derive(Component)]
pub struct Border {
    /// Lanes, inspection bays and technical tracks.
    pub pools: [Pool; 3],
    /// Random streams.
    pub rng: BorderRngs,
    /// An `Open` event is scheduled.
    pub open_pending: bool,
    /// Statistics since the end of warm-up.
    pub stats: BorderStats,
}

/// Per-border statistics, recorded at release (time components) or over time (levels).
#[derive(Default)]
pub struct BorderStats {
    /// Arrivals counted.
    pub arrivals: u64,
    /// Consignments at the border over time.
    pub wip: TimeWeighted,
    /// Consignments waiting for a lane or bay or track over time.
    pub queue: TimeWeighted,
    /// Time to clear (arrival to release).
    pub clear: Tally,
    /// Its quantiles.
    pub clear_q: Quantiles,
    /// Waiting while open.
    pub queueing: Tally,
    /// Waiting while closed.
    pub closed: Tally,
    /// Waits in all (queueing + closed), for quantiles.
    pub wait_q: Quantiles,
    /// Document processing and checks.
    pub document: Tally,
    /// Physical inspection.
    pub inspection: Tally,
    /// Technical operations.
    pub technical: Tally,
    /// Released consignments that were inspected at least once.
    pub inspected: u64,
}

impl BorderStats {
    /// Restarts every statistic at `now`, keeping current levels.
    pub fn reset(&mut self, now: SimTime) {
        let (wip, queue) = (self.wip.level(), self.queue.level());
        *self = BorderStats::default();
        self.wip.set(now, wip);
        self.queue.set(now, queue);
        self.wip.reset(now);
        self.queue.reset(now);
    }
}

/// What a consignment does in one control pass, drawn when it arrives.
#[derive(Clone, Copy, Debug, Default)]
pub struct PassPlan {
    /// Document work left at the border (after pre-arrival processing).
    pub docs: SimDur,
    /// 0 green, 1 yellow, 2 red.
    pub channel: u8,
    /// Yellow check work.
    pub check: SimDur,
    /// Red inspection work.
    pub inspection: SimDur,
}

/// Where a consignment is in the crossing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Just arrived.
    Arrived,
    /// Document processing of pass `pass`.
    Docs,
    /// Yellow check of pass `pass`.
    Check,
    /// Red inspection of pass `pass`.
    Inspect,
    /// Technical operations.
    Technical,
}

/// Maximum control passes.
pub const MAX_PASSES: usize = 10;

/// A consignment's progress through a border (present while it crosses).
#[derive(Component, Clone, Debug)]
pub struct Crossing {
    /// Arrival at the border.
    pub arrived: SimTime,
    /// Current pass.
    pub pass: u8,
    /// Current stage.
    pub stage: Stage,
    /// Waiting since, or in service since.
    pub since: SimTime,
    /// Validates stage-completion events (preemption makes older ones stale). 16 bits keep the
    /// event at 16 bytes; it wraps only after 65,536 spells of one consignment at one crossing.
    pub token: u16,
    /// Priority class.
    pub prio: u8,
    /// The plan of each pass.
    pub plan: [PassPlan; MAX_PASSES],
    /// Technical operation work.
    pub technical_work: SimDur,
    /// Accumulated: waiting while open.
    pub queue: SimDur,
    /// Accumulated: waiting while closed.
    pub closed: SimDur,
    /// Accumulated: document processing and checks.
    pub document: SimDur,
    /// Accumulated: inspection.
    pub inspection: SimDur,
    /// Accumulated: technical operations.
    pub technical: SimDur,
    /// Sent to the red channel at least once.
    pub inspected: bool,
}
