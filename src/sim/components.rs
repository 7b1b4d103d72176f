//! The simulation state: nodes, links, services and flows are entities of the bevy_ecs `World`
//! for the whole replication, carriers from departure to return; each consignment is a value in
//! the replication's slab (`engine::slab`) from creation to delivery, its handle a [`Cid`].

use std::collections::VecDeque;

use bevy_ecs::prelude::*;

use super::Cid;
use crate::engine::closures::LazyClosures;
use crate::engine::resource::Pool;
use crate::engine::stats::{Quantiles, Tally, TimeWeighted};
use crate::engine::{Dist, SimDur, SimTime, Stream};
use crate::scenario::ServicePer;

/// A queueing station: parallel servers and a FIFO queue (in the replication's per-node slab).
pub(super) struct Station {
    /// The servers and the queue of (consignment, TEU), with busy, queue and wait statistics.
    pub servers: Pool<(Cid, u32)>,
    /// What the drawn service time is for (consignment, TEU, wagon).
    pub per: ServicePer,
    /// Service time per consignment.
    pub service: Dist,
    /// The node's own random stream (`node:<id>:service`).
    pub rng: Stream,
    /// Statistics since the end of warm-up (beside those of `servers`).
    pub stats: StationStats,
}

/// Per-node statistics besides the servers' own. Levels are time-weighted; waits and sojourns
/// are per consignment.
#[derive(Default)]
pub(super) struct StationStats {
    /// Consignments at the node (queue plus in service) over time.
    pub wip: TimeWeighted,
    /// Arrivals counted.
    pub arrivals: u64,
    /// Quantiles of the waits from arrival to start of service.
    pub wait_q: Quantiles,
    /// Times from arrival to departure, recorded at departure.
    pub sojourn: Tally,
}

impl Station {
    /// Starts loading the parts of the station an arrival or a service end touches (see
    /// `crate::engine::prefetch`).
    #[inline(always)]
    pub(super) fn prefetch(&self) {
        use crate::engine::prefetch::prefetch;
        prefetch(&self.servers);
        prefetch(&self.stats.wip);
        prefetch(&self.stats.sojourn);
        prefetch(&self.stats.wait_q);
        prefetch(&self.rng);
        prefetch(&self.service);
    }

    /// Restarts every statistic at `now`, keeping current levels (end of warm-up).
    pub(super) fn reset(&mut self, now: SimTime) {
        self.servers.reset(now);
        let s = &mut self.stats;
        s.wip.reset(now);
        s.arrivals = 0;
        s.wait_q.clear();
        s.sojourn = Tally::default();
    }
}

/// Travel between two route nodes (by link index in the replication).
pub(super) struct Link {
    /// Travel time per consignment.
    pub time: Dist,
    /// The link's own random stream (`link:<from>-><to>:time`).
    pub rng: Stream,
    /// Travel times of consignments created after warm-up.
    pub travel: Tally,
    /// Section times (leaving `from` to leaving `to`) of consignments created after warm-up.
    pub section: Tally,
    /// Earliest time the next consignment may enter (path capacity).
    pub next_free: SimTime,
    /// Waits for a path, of consignments created after warm-up.
    pub path_wait: Tally,
    /// Minimum time between entries (the model's, until a dated change sets another).
    pub headway: Option<SimDur>,
    /// Headways taken by the entries counted in `path_wait` (path utilisation).
    pub taken: SimDur,
}

/// The arrival process of a flow (by flow index in the replication).
pub(super) struct Source {
    /// Time between consignments.
    pub arrivals: Dist,
    /// The flow's own random stream (`flow:<id>:arrivals`).
    pub rng: Stream,
}

/// Per-flow statistics over consignments created after warm-up (by flow index).
#[derive(Default)]
pub(super) struct FlowStats {
    /// Consignments created after warm-up.
    pub created: u64,
    /// Of those, delivered by the horizon.
    pub delivered: u64,
    /// TEU delivered.
    pub delivered_teu: u64,
    /// TEU delivered during the statistics window, whenever created (for `throughput`).
    pub window_teu: u64,
    /// Transit times (creation to delivery).
    pub transit: Tally,
    /// Transit decomposition of delivered consignments: moving (links and carrier travel).
    pub moving: Tally,
    /// Waiting for carriers.
    pub waiting: Tally,
    /// Queueing at stations.
    pub queueing: Tally,
    /// Service at stations, loading and unloading.
    pub handling: Tally,
    /// At border crossings.
    pub border: Tally,
    /// Their quantiles.
    pub transit_q: Quantiles,
    /// Delivered within the flow's target transit time.
    pub on_time: u64,
}

/// One consignment (a container, a block of wagons, a train load) moving along its route (its
/// flow's, or the one of its flow's alternatives it chose when it was created).
#[derive(Clone, Copy)]
pub(super) struct Consignment {
    /// Flow index.
    pub flow: u32,
    /// Position on the route: index of the node it is at or travelling to.
    pub leg: u32,
    /// Its route's first step in the replication's steps (`super::steps`).
    pub path: u32,
    /// Its TEU (its flow's).
    pub teu: u32,
    /// Creation time.
    pub created: SimTime,
    /// Arrival time at the current node.
    pub at_node: SimTime,
    /// When it left the previous node (its creation time before the first node).
    pub departed: SimTime,
    /// Time spent travelling between nodes so far (arrival at a node minus departure from the
    /// previous one).
    pub moving: SimDur,
    /// When its service at the current station started.
    pub started: SimTime,
    /// Transit so far spent queueing at stations.
    pub queueing: SimDur,
    /// Transit so far spent in service at stations and loading or unloading carriers.
    pub handling: SimDur,
    /// Transit so far spent at border crossings.
    pub border: SimDur,
    /// Transit so far spent waiting for a carrier.
    pub waiting: SimDur,
    /// Priority at borders (the flow's).
    pub prio: u8,
    /// Which of its flow's routes it takes (0 for a flow with one route).
    pub route: u16,
    /// Already admitted to the next node's yard (by the carrier that brings it).
    pub admitted: bool,
    /// Created after warm-up, so it counts in flow statistics.
    pub counted: bool,
}

impl Consignment {
    /// Arrival at a node at `now`: the trip since the last departure counts as moving time.
    #[inline]
    pub(super) fn arrive(&mut self, now: SimTime) {
        self.moving = self.moving + (now - self.departed);
        self.at_node = now;
        self.started = now;
    }

    /// Departure from the current node at `now`, towards the next step of the route. Returns the
    /// state before departure (what [`super::leave`] needs).
    #[inline]
    pub(super) fn depart(&mut self, now: SimTime) -> Consignment {
        let before = *self;
        self.leg += 1;
        self.departed = now;
        before
    }
}

/// A carrier service's state at its boarding node.
#[derive(Component)]
pub(super) struct ServiceState {
    /// Consignments waiting to board: (consignment, waiting since, TEU), in arrival order.
    pub queue: VecDeque<(Cid, SimTime, u32)>,
    /// TEU waiting.
    pub queued_teu: u64,
    /// Carriers idle at the boarding node.
    pub available: u32,
    /// The fleet now (the model's, until a dated change sets another).
    pub fleet: u32,
    /// Carriers away beyond a reduced fleet: each is retired when it comes back.
    pub retiring: u32,
    /// Capacity per carrier now, TEU.
    pub capacity: u32,
    /// Minimum time between departures onto the line now.
    pub headway: Option<SimDur>,
    /// The timetable in force: 0 is the model's; each dated `every` starts the next, whose
    /// departures carry it in the high 16 bits of their slot (older ones are then stale).
    pub timetable: u32,
    /// The time between departures of the timetable in force, once a change has set it.
    pub every: SimDur,
    /// The pending max-wait timer, if any.
    pub timer_at: Option<SimTime>,
    /// Travel times (`service:<id>:travel`).
    pub rng_travel: Stream,
    /// Loading times (`service:<id>:loading`).
    pub rng_loading: Stream,
    /// Unloading times (`service:<id>:unloading`).
    pub rng_unloading: Stream,
    /// Return trips (`service:<id>:return`).
    pub rng_return: Stream,
    /// When the leg is open: dated closures and weather closures, drawn from
    /// `service:<id>:weather` as time goes.
    pub weather: LazyClosures<Stream>,
    /// Earliest next departure onto the line (path capacity).
    pub next_path: SimTime,
    /// Statistics since the end of warm-up.
    pub stats: ServiceStats,
}

/// Per-service statistics.
#[derive(Default)]
pub(super) struct ServiceStats {
    /// Departures.
    pub departures: u64,
    /// Timetabled departures with no carrier available.
    pub missed: u64,
    /// Sum of load factors of departures.
    pub load_sum: f64,
    /// TEU carried.
    pub teu: u64,
    /// Waits for a carrier, recorded at departure.
    pub wait: Tally,
    /// TEU waiting over time.
    pub queue_teu: TimeWeighted,
    /// Carriers away from the boarding node over time.
    pub away: TimeWeighted,
    /// Carriers in service (the fleet, and carriers still to retire) over time, when a
    /// dated change sets the fleet: `away` over this is the fleet's utilisation.
    pub carriers: TimeWeighted,
    /// Carrier waits for berths, paths and weather (per carrier trip).
    pub carrier_delay: Tally,
    /// Carriers loaded and held for a path or for the weather, over time.
    pub held: TimeWeighted,
}

impl ServiceStats {
    /// Restarts at `now`, keeping levels.
    pub(super) fn reset(&mut self, now: SimTime) {
        self.departures = 0;
        self.missed = 0;
        self.load_sum = 0.0;
        self.teu = 0;
        self.wait = Tally::default();
        self.queue_teu.reset(now);
        self.away.reset(now);
        self.carriers.reset(now);
        self.carrier_delay = Tally::default();
        self.held.reset(now);
    }
}

/// A carrier on a trip (spawned at departure, despawned when back at its boarding node).
#[derive(Component)]
pub(super) struct Carrier {
    /// Service index.
    pub svc: u32,
    /// Consignments on board.
    pub load: Vec<Cid>,
    /// TEU on board.
    pub teu: u32,
    /// Loading time of this trip.
    pub loading: SimDur,
    /// Unloading time of this trip.
    pub unloading: SimDur,
    /// Departure decided (boarding closed).
    pub t_board: SimTime,
    /// Loading started (a berth was free).
    pub t_load: SimTime,
    /// Loading finished.
    pub t_loaded: SimTime,
    /// Travel started (path and weather allowed).
    pub t_sail: SimTime,
    /// Arrived at the destination.
    pub t_arrived: SimTime,
    /// Unloading started.
    pub t_unload: SimTime,
    /// Unloading finished (it may then wait for yard space).
    pub t_unloaded: SimTime,
}

#[cfg(test)]
mod tests {
    /// The route index sits in what was padding; its route's first step and its TEU (read on
    /// every event instead of the flow's, benches/README.md) take one more word: a
    /// consignment is 96 bytes, one and a half cache lines, and should not grow unnoticed.
    #[test]
    fn a_consignment_stays_96_bytes() {
        assert_eq!(size_of::<super::Consignment>(), 96);
    }
}
