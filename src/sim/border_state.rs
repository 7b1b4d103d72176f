//! State of border crossings in the ECS world: the border's resource pools and statistics, and
//! each consignment's progress through the crossing (a component present only while it crosses).

use std::collections::HashMap;

use bevy_ecs::prelude::*;

use super::Cid;
use crate::engine::resource::PriorityPool;
use crate::engine::stats::{Quantiles, Tally, TimeWeighted};
use crate::engine::{SimDur, SimTime, Stream};
use crate::scenario::model::MAX_PRIORITY;

/// Priority classes of the border's pools (flow priorities `0..=MAX_PRIORITY`).
pub(super) const CLASSES: u8 = MAX_PRIORITY as u8 + 1;

/// Pool indices: document lanes.
pub(super) const LANES: usize = 0;
/// Inspection bays.
pub(super) const BAYS: usize = 1;
/// Technical tracks.
pub(super) const TRACKS: usize = 2;

/// The random streams of one border, one per source (`node:<id>:documents`, `:channel`,
/// `:document_check`, `:inspection`, `:technical`).
pub(super) struct BorderRngs {
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
pub(super) struct Border {
    /// Lanes, inspection bays and technical tracks, each with a queue per priority class.
    pub pools: [PriorityPool<Cid>; 3],
    /// Random streams.
    pub rng: BorderRngs,
    /// An `Open` event is scheduled.
    pub open_pending: bool,
    /// The digitisation level in force: the model's, until a dated change sets another.
    pub level: f64,
    /// Statistics since the end of warm-up.
    pub stats: BorderStats,
    /// The consignments crossing now, by consignment.
    pub crossings: HashMap<Cid, Crossing>,
}

/// Per-border statistics, recorded at release (time components) or over time (levels).
#[derive(Default)]
pub(super) struct BorderStats {
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
    pub(super) fn reset(&mut self, now: SimTime) {
        let (wip, queue) = (self.wip.level(), self.queue.level());
        *self = BorderStats::default();
        self.wip.set(now, wip);
        self.queue.set(now, queue);
        self.wip.reset(now);
        self.queue.reset(now);
    }
}

/// Risk channels: green passes, yellow has its documents checked, red is inspected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Channel {
    /// No further control.
    #[default]
    Green,
    /// Document check at a lane.
    Yellow,
    /// Physical inspection in a bay.
    Red,
}

/// What a consignment does in one control pass, drawn when it arrives.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PassPlan {
    /// Document work left at the border (after pre-arrival processing).
    pub docs: SimDur,
    /// The risk channel.
    pub channel: Channel,
    /// Yellow check work.
    pub check: SimDur,
    /// Red inspection work.
    pub inspection: SimDur,
}

/// Where a consignment is in the crossing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
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
pub(super) const MAX_PASSES: usize = 10;

/// A consignment's progress through a border (held by the border while it crosses).
#[derive(Clone, Debug)]
pub(super) struct Crossing {
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
