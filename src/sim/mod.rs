//! Freight on the engine: stations, links and flows of consignments, one replication at a time.
//!
//! Data flow: [`crate::scenario::Model`] (immutable) -> [`Replication::new`] spawns the world ->
//! [`Replication::run`] pops events from the calendar and dispatches them to the handlers in
//! `flow`, `node` (arrival and departure at a node of any kind, its yard), `station`, `border`
//! and `carrier` -> [`Replication::metrics`] reads the statistics back as rows.
//!
//! Events reach handlers through one `match` in [`Replication::run`], with direct `World`
//! access, rather than through bevy observers or systems: see `benches/README.md` for the
//! measurement behind that choice.

mod border;
mod border_state;
mod carrier;
pub mod catalogue;
mod changes;
mod components;
mod cost;
mod flow;
mod levels;
mod link;
mod metrics;
mod node;
mod periods;
mod pipeline;
mod route_choice;
mod rows;
mod stall;
mod station;
mod steps;
pub(crate) mod trace;
mod waits;
mod yard;

use std::sync::OnceLock;

use bevy_ecs::prelude::*;

use crate::engine::bins::Bins;
use crate::engine::closures::{ClosureStream, LazyClosures};
use crate::engine::profile::Cursor;
use crate::engine::random::stream;
use crate::engine::stats::TimeWeighted;
use crate::engine::{Calendar, InstantGuard, SimDur, SimTime};
use crate::report::Row;
use crate::scenario::Model;
use components::{Consignment, FlowStats, Link, ServiceState, Source};

/// A consignment's handle: its slot in [`Replication`]'s slab of consignments in flight.
pub use crate::engine::slab::Key as Cid;
use crate::engine::slab::Slab;
use node::Kind;

pub use carrier::Phase;
pub use stall::Stall;

/// Removals between two calls of `World::clear_trackers`, which bound the memory bevy keeps
/// for removed components.
const CLEAR_TRACKERS_EVERY: u64 = 1 << 13;

/// Pending events from which the event loop loads the next event's consignment and station
/// ahead (see [`crate::engine::prefetch`]): below it, a corridor's state fits in the caches.
const PREFETCH_FROM: usize = 4096;

/// What can happen. Kept small (16 bytes, checked by a test) and `Copy`: the calendar moves
/// millions of these.
#[derive(Clone, Copy, Debug)]
#[allow(missing_docs)] // each variant's documentation names its fields
pub enum Event {
    /// The next consignment of flow `flow` is created.
    Created { flow: u32 },
    /// Consignment `c` arrives at node `node`.
    Arrive { c: Cid, node: u32 },
    /// Node `node` finishes serving consignment `c`.
    Done { c: Cid, node: u32 },
    /// Border `node` finishes a stage of consignment `c` (stale unless `token` is current).
    Stage { c: Cid, node: u32, token: u16 },
    /// Border `node` opens: waiting work may start.
    Open { node: u32 },
    /// Timetabled departure `slot` of service `svc`.
    Departure { svc: u32, slot: u32 },
    /// A max-wait timer of service `svc`.
    MaxWait { svc: u32 },
    /// A carrier reaches `phase` (loaded, arrived, unloaded, back).
    Carrier { carrier: Entity, phase: Phase },
    /// End of warm-up: statistics restart.
    WarmupEnd,
    /// Dated change `index` of the model's `changes` applies.
    Change { index: u32 },
}

impl Event {
    /// The variant's name, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Created { .. } => "Created",
            Event::Arrive { .. } => "Arrive",
            Event::Done { .. } => "Done",
            Event::Stage { .. } => "Stage",
            Event::Open { .. } => "Open",
            Event::Departure { .. } => "Departure",
            Event::MaxWait { .. } => "MaxWait",
            Event::Carrier { .. } => "Carrier",
            Event::WarmupEnd => "WarmupEnd",
            Event::Change { .. } => "Change",
        }
    }
}

/// The guard against an unbounded instant ([`crate::engine::instant`]) with its documented
/// limit; when the environment variable `CORRIDOR_INSTANT_LIMIT` holds a number N (read once
/// per process), a guard that looks at every event and trips after N events at one instant
/// whatever the world's size, so that tests can make an ordinary scenario trip it and check
/// what follows.
fn instant_guard() -> InstantGuard {
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    let limit = LIMIT.get_or_init(|| {
        std::env::var("CORRIDOR_INSTANT_LIMIT")
            .ok()
            .and_then(|v| v.trim().parse().ok())
    });
    match limit {
        Some(n) => InstantGuard::with_limit(*n, 0, 1),
        None => InstantGuard::new(),
    }
}

/// Whole-run counters of one replication.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counters {
    /// Consignments created (whole run, including warm-up).
    pub created: u64,
    /// Consignments delivered (whole run).
    pub delivered: u64,
    /// Events processed.
    pub events: u64,
}

/// One replication of a model: its world, its calendar and its counters.
pub struct Replication<'m> {
    model: &'m Model,
    /// The simulation state.
    pub world: World,
    cal: Calendar<Event>,
    nodes: Vec<Entity>,
    kinds: Vec<Kind>,
    /// Per node, its index in `stations` (stations only).
    slots: Vec<u32>,
    /// The stations' state, one per station node: the per-node slab the hot path indexes (see
    /// `benches/README.md`, "Station state in a per-node slab").
    stations: Vec<components::Station>,
    has_yard: Vec<bool>,
    /// The links' state, by link index.
    links: Vec<Link>,
    services: Vec<Entity>,
    /// The flows' arrival processes, by flow index.
    sources: Vec<Source>,
    /// The flows' statistics, by flow index.
    flow_stats: Vec<FlowStats>,
    /// The consignments in flight (see [`crate::engine::slab`]).
    cons: Slab<Consignment>,
    /// Whole-run counters.
    pub counters: Counters,
    rep: u32,
    /// Entities despawned so far (see [`Replication::removed`]).
    removals: u64,
    /// Consignments of each flow in the system, over time.
    flow_wip: Vec<TimeWeighted>,
    /// Per flow with a demand profile: the operational time (ms) of its last arrival (the sum
    /// of the gaps drawn so far) and where in the profile that arrival fell.
    clocks: Vec<(u64, Cursor)>,
    /// The levels recorded in time bins, and where each element's is.
    levels: levels::Levels,
    /// Their bins over the statistics window.
    bins: Bins,
    /// Where each flow waited.
    waits: waits::Waits,
    /// Every route's steps, and the waits at their nodes.
    steps: steps::Steps,
    /// Results per calendar period, when `scenario.periods` is set (boxed: one pointer to
    /// test per delivery).
    periods: Option<Box<periods::PeriodStats>>,
    /// The event log of `--trace`, when this replication is traced (boxed: one pointer to
    /// test on the hot path).
    trace: Option<Box<trace::Tracer>>,
    /// Per flow, its route choice (`None` for a flow with one route).
    choosers: Vec<Option<Box<route_choice::Chooser>>>,
    /// Charges and emissions, when the scenario asks for costs (boxed: one pointer to test
    /// where a consignment pays).
    books: Option<Box<cost::Books>>,
}

impl<'m> Replication<'m> {
    /// Builds replication `rep` of `model`: every node, link and flow gets its entity and its
    /// own random stream keyed by (seed, replication, name).
    pub fn new(model: &'m Model, rep: u32) -> Self {
        let seed = model.seed;
        let mut world = World::new();
        let mut stations = Vec::new();
        let mut nodes = Vec::with_capacity(model.nodes.len());
        let mut kinds = Vec::with_capacity(model.nodes.len());
        let mut slots = Vec::with_capacity(model.nodes.len());
        for n in &model.nodes {
            let (e, kind, slot) = node::spawn(&mut world, &mut stations, n, (seed, rep));
            nodes.push(e);
            kinds.push(kind);
            slots.push(slot);
        }
        let has_yard = model.nodes.iter().map(|n| n.yard_teu.is_some()).collect();
        let links = model
            .links
            .iter()
            .map(|l| {
                let name = format!(
                    "link:{}->{}:time",
                    model.nodes[l.from].id, model.nodes[l.to].id
                );
                Link {
                    time: l.time.clone(),
                    rng: stream(seed, rep, &name),
                    travel: Default::default(),
                    section: Default::default(),
                    next_free: SimTime::ZERO,
                    path_wait: Default::default(),
                    headway: l.headway,
                    taken: SimDur::ZERO,
                }
            })
            .collect();
        let services = model
            .services
            .iter()
            .map(|sv| {
                let s = |what: &str| stream(seed, rep, &format!("service:{}:{what}", sv.id));
                let mut stats = components::ServiceStats::default();
                stats.carriers.set(SimTime::ZERO, sv.fleet as u64);
                world
                    .spawn(ServiceState {
                        queue: Default::default(),
                        queued_teu: 0,
                        available: sv.fleet,
                        fleet: sv.fleet,
                        retiring: 0,
                        capacity: sv.capacity_teu,
                        headway: sv.headway,
                        timetable: 0,
                        every: SimDur::ZERO,
                        timer_at: None,
                        rng_travel: s("travel"),
                        rng_loading: s("loading"),
                        rng_unloading: s("unloading"),
                        rng_return: s("return"),
                        weather: weather_windows(model, sv, s("weather")),
                        next_path: SimTime::ZERO,
                        stats,
                    })
                    .id()
            })
            .collect();
        let sources = model
            .flows
            .iter()
            .map(|f| Source {
                arrivals: f.arrivals.clone(),
                rng: stream(seed, rep, &format!("flow:{}:arrivals", f.id)),
            })
            .collect();
        let flow_stats: Vec<FlowStats> = model.flows.iter().map(|_| Default::default()).collect();
        let flow_wip = vec![TimeWeighted::default(); flow_stats.len()];
        let mut r = Replication {
            model,
            world,
            cal: Calendar::with_capacity(1024),
            nodes,
            kinds,
            slots,
            stations,
            has_yard,
            links,
            services,
            sources,
            flow_stats,
            cons: Slab::new(),
            counters: Counters::default(),
            rep,
            removals: 0,
            flow_wip,
            clocks: vec![Default::default(); model.flows.len()],
            levels: Default::default(),
            bins: Bins::new(model.binning(), 0),
            waits: waits::Waits::of(model),
            steps: steps::Steps::of(model),
            periods: None,
            trace: None,
            choosers: route_choice::choosers(model, rep),
            books: model
                .costs
                .as_ref()
                .map(|_| Box::new(cost::Books::of(model))),
        };
        r.levels = levels::Levels::of(&r);
        r.bins = Bins::new(*r.bins.binning(), r.levels.all.len());
        if model.periods.is_some() {
            let p =
                periods::PeriodStats::new(model.periods(), r.levels.all.len(), r.flow_stats.len());
            r.periods = Some(Box::new(p));
        }
        r
    }

    /// The state of station node `node`.
    #[inline]
    fn station(&self, node: usize) -> &components::Station {
        &self.stations[self.slots[node] as usize]
    }

    /// The state of station node `node`, mutably.
    #[inline]
    fn station_mut(&mut self, node: usize) -> &mut components::Station {
        &mut self.stations[self.slots[node] as usize]
    }

    /// Writes this replication's event log with `tracer` (see [`trace`]).
    pub(crate) fn set_tracer(&mut self, tracer: trace::Tracer) {
        self.trace = Some(Box::new(tracer));
    }

    /// The tracer given by [`Replication::set_tracer`], to finish its files.
    pub(crate) fn take_tracer(&mut self) -> Option<trace::Tracer> {
        self.trace.take().map(|t| *t)
    }

    /// The levels recorded in time bins over the window (see [`crate::engine::bins`]).
    pub fn bins(&self) -> &Bins {
        &self.bins
    }

    /// Every level recorded in time bins, named as in timeseries.csv, with utilisations
    /// divided by their capacity (see `sim/levels.rs`).
    pub fn series(&self) -> crate::report::Series {
        levels::series(self)
    }

    /// Runs from time zero to the horizon. Events at exactly the horizon are processed.
    ///
    /// # Errors
    /// A [`Stall`] when events keep coming at one instant without end (see
    /// [`crate::engine::instant`]): the run stops there instead of spinning forever.
    pub fn run(&mut self) -> Result<(), Stall> {
        self.run_observed(|_, _| {})
    }

    /// Like [`Replication::run`], calling `observe` with each event before it is handled (for
    /// tests and traces; with an empty closure it compiles to the same loop as `run`).
    pub fn run_observed(&mut self, mut observe: impl FnMut(SimTime, &Event)) -> Result<(), Stall> {
        for f in 0..self.sources.len() {
            flow::schedule_next(self, f as u32);
        }
        carrier::start(self);
        if self.model.warmup > SimTime::ZERO {
            self.cal.schedule(self.model.warmup, Event::WarmupEnd);
        }
        for (index, c) in self.model.schedule.iter().enumerate() {
            let index = index as u32;
            self.cal.schedule(c.at, Event::Change { index });
        }
        let horizon = self.model.horizon;
        let mut guard = instant_guard();
        // Counted in a local, stored when the loop ends: the guard reads it at every event.
        let mut events = self.counters.events;
        let mut stall = None;
        // The next time bin or calendar period boundary: one test per event for both.
        let mut next_bin = self.next_boundary();
        while let Some(t) = self.cal.peek_time() {
            if t > horizon {
                break;
            }
            if t >= next_bin {
                levels::close_bins(self, t);
                periods::close(self, t);
                next_bin = self.next_boundary();
            }
            let (now, ev) = self.cal.pop().expect("peeked");
            events += 1;
            if guard.tick(now, events, || self.entities_before_now()) {
                stall = Some(Stall::new(
                    now,
                    guard.events_at_instant(events),
                    ev,
                    &self.cal,
                ));
                break;
            }
            // With few events pending, what they touch is in the caches already and the
            // look-ahead would only add instructions (the tandem: +3-6%).
            if self.cal.len() >= PREFETCH_FROM
                && let Some(next) = self.cal.peek_next()
            {
                self.prefetch(next);
            }
            observe(now, &ev);
            self.dispatch(ev);
        }
        self.counters.events = events;
        if stall.is_none() {
            levels::close_bins(self, horizon);
            periods::close(self, horizon);
        }
        stall.map_or(Ok(()), Err)
    }

    /// The next time bin boundary, or calendar period boundary if that comes first.
    fn next_boundary(&self) -> SimTime {
        let bin = self.bins.next_end();
        match self.periods.as_deref() {
            Some(p) => bin.min(p.next_end()),
            None => bin,
        }
    }

    /// Entities in the world and consignments in flight that were there before the current
    /// instant began: consignments created at this instant do not count, or a flow that
    /// creates them without end would raise its own limit. Counted only when the guard asks
    /// (rarely: a scan of the world and the slab).
    #[cold]
    #[inline(never)]
    fn entities_before_now(&mut self) -> u64 {
        let now = self.cal.now();
        let before = self.cons.iter().filter(|(_, c)| c.created != now).count() as u64;
        self.world.entities().count_spawned() as u64 + before
    }

    /// Starts loading what event `ev` will touch first (its consignment, the station that
    /// serves it) while the current event is handled (see [`crate::engine::prefetch`]).
    #[inline(always)]
    fn prefetch(&self, ev: &Event) {
        if let Event::Arrive { c, node } | Event::Done { c, node } | Event::Stage { c, node, .. } =
            *ev
        {
            self.cons.prefetch(c);
            if let Some(st) = self.stations.get(self.slots[node as usize] as usize) {
                st.prefetch();
            }
        }
    }

    #[inline(always)]
    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Created { flow } => flow::created(self, flow),
            Event::Arrive { c, node } => node::arrive(self, c, node),
            Event::Done { c, node } => station::done(self, c, node),
            Event::Stage { c, node, token } => border::stage_done(self, c, node, token),
            Event::Open { node } => border::open(self, node),
            Event::Departure { svc, slot } => carrier::timetable(self, svc, slot),
            Event::MaxWait { svc } => carrier::max_wait(self, svc),
            Event::Carrier { carrier, phase } => carrier::phase(self, carrier, phase),
            Event::WarmupEnd => self.warmup_end(),
            Event::Change { index } => changes::apply(self, index),
        }
    }

    /// An entity was despawned (a carrier back from its trip; consignments and border crossings
    /// are not entities). bevy records each removal (16 bytes) until `World::clear_trackers`,
    /// called here every [`CLEAR_TRACKERS_EVERY`] removals, so that memory does not grow with
    /// the horizon.
    #[inline]
    fn removed(&mut self) {
        self.removals += 1;
        if self.removals.is_multiple_of(CLEAR_TRACKERS_EVERY) {
            self.world.clear_trackers();
        }
    }

    fn warmup_end(&mut self) {
        let now = self.cal.now();
        for n in 0..self.nodes.len() {
            node::reset(self, n, now);
        }
        let mut q = self.world.query::<&mut ServiceState>();
        for mut s in q.iter_mut(&mut self.world) {
            s.stats.reset(now);
        }
        for w in &mut self.flow_wip {
            w.reset(now);
        }
        self.bins.restart();
        if let Some(p) = self.periods.as_deref_mut() {
            p.restart();
        }
        self.waits.reset();
        self.steps.reset();
        route_choice::reset(self, now);
    }

    /// Consignments still in flight, counted from the slab's slots themselves (not a
    /// counter), so conservation checks are independent of the bookkeeping.
    pub fn consignments_in_system(&mut self) -> u64 {
        self.cons.len() as u64
    }

    /// The metrics of this replication, as rows in a fixed order.
    pub fn metrics(&mut self) -> Vec<Row> {
        metrics::collect(self)
    }
}

/// The closures of a service's leg in one replication: its dated closures plus random weather
/// closures (each day independently closed with the given probability, from a uniformly drawn
/// time of that day, for a drawn duration), drawn as the run goes.
fn weather_windows(
    model: &Model,
    sv: &crate::scenario::ServiceModel,
    rng: crate::engine::Stream,
) -> LazyClosures<crate::engine::Stream> {
    let random = sv.weather.as_ref().map(|(p, duration)| {
        let s = ClosureStream::new(model.horizon, *p, duration.clone(), rng);
        match sv.weather_months {
            Some(months) => s.with_months(months, model.start_day),
            None => s,
        }
    });
    LazyClosures::new(sv.closures.clone(), random)
}

#[cfg(test)]
mod tests {
    #[test]
    fn events_stay_small() {
        assert_eq!(size_of::<super::Event>(), 16);
    }
}
