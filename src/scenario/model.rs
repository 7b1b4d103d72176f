//! The validated, immutable scenario model: what `scenario/validate/` builds from a
//! `ScenarioFile` (`scenario/file.rs`). Every rule of the format is checked there; the simulation
//! trusts the model completely.

use super::border::BorderModel;
use super::cost::CostModel;
use crate::engine::bins::Binning;
use crate::engine::dist::Dist;
use crate::engine::periods::{self, Period, PeriodKind};
use crate::engine::profile::Profile;
use crate::engine::time::{SimDur, SimTime};

pub use super::validate::dist::FAMILIES;

/// Replications when the file does not say.
pub const DEFAULT_REPLICATIONS: u32 = 5;
/// Seed when the file does not say.
pub const DEFAULT_SEED: u64 = 1;
/// Node kinds this version understands.
pub const NODE_KINDS: &[&str] = &["station", "border"];
/// Calendar date of simulation time zero when the file does not say (a Monday).
pub const DEFAULT_START: &str = "2024-01-01";
/// Highest flow priority.
pub const MAX_PRIORITY: i64 = 9;

/// A validated scenario.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name (safe as a folder name).
    pub name: String,
    /// Free text.
    pub description: String,
    /// End of each replication.
    pub horizon: SimTime,
    /// End of warm-up: statistics cover `[warmup, horizon]`.
    pub warmup: SimTime,
    /// Replications to run.
    pub replications: u32,
    /// The scenario seed.
    pub seed: u64,
    /// Days since 1970-01-01 of simulation time zero (midnight UTC).
    pub start_day: i64,
    /// `scenario.period`: the width of the time bins of the window (timeseries.csv and the
    /// trends); `None` for the default ([`Binning::for_window`]).
    pub period: Option<SimDur>,
    /// Nodes, in file order.
    pub nodes: Vec<NodeModel>,
    /// Links, in file order.
    pub links: Vec<LinkModel>,
    /// Flows, in file order.
    pub flows: Vec<FlowModel>,
    /// Carrier services, in file order.
    pub services: Vec<ServiceModel>,
    /// Pipelines, in file order.
    pub pipelines: Vec<PipelineModel>,
    /// The data files read for `empirical` distributions, each once, in the order first read
    /// (paths as opened: the scenario's folder joined with `file`).
    pub data_files: Vec<std::path::PathBuf>,
    /// `warmup = "auto"`: `corridor run` chooses the warm-up by MSER-5 on a pilot run (see
    /// `experiment/warmup.rs`); until then `warmup` is 0.
    pub warmup_auto: bool,
    /// `scenario.periods`: rows per calendar year, quarter or month of the statistics window
    /// besides the whole window's; `None` for none.
    pub periods: Option<PeriodKind>,
    /// `[[changes]]`: dated capacity changes, in the order they apply (by time, file order at
    /// equal times).
    pub changes: Vec<Change>,
    /// `scenario.disruptions`: the disruptions read from that file, in file order.
    pub disruptions: Vec<Disruption>,
    /// What the run applies: the dated changes with the disruptions folded in, each setting
    /// the capacity then in force (the dated one times the active factors, rounded down), in
    /// the order they apply. Equal to `changes` without disruptions.
    pub schedule: Vec<Change>,
    /// Charges and emission factors, when the scenario asks for costs (`[costs]`, or any
    /// charge or emission field); `None` otherwise, and the run then books nothing.
    pub costs: Option<Box<CostModel>>,
}

/// A disruption (a closure or a capacity cut) of one element, from the disruptions file.
#[derive(Clone, Debug)]
pub struct Disruption {
    /// The capacities it cuts (settings whose values are the uncut ones).
    pub element: DisruptedElement,
    /// When it starts.
    pub from: SimTime,
    /// When it ends.
    pub to: SimTime,
    /// Capacity factor while active, 0 (closed) to 1.
    pub factor: f64,
}

/// What a disruption cuts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisruptedElement {
    /// A station: its servers and its berths (if any).
    Station(usize),
    /// A service: its fleet.
    Service(usize),
    /// A border: its lanes and inspection bays (customs); its technical tracks keep working.
    Border(usize),
}

/// A dated change: at `at`, each setting applies, in order.
#[derive(Clone, Debug)]
pub struct Change {
    /// When it applies (simulation time).
    pub at: SimTime,
    /// What it sets.
    pub settings: Vec<Setting>,
}

/// One capacity a dated change sets (indices into the model's nodes, services and links).
#[derive(Clone, Debug)]
pub enum Setting {
    /// A station's servers.
    Servers {
        /// Node index.
        node: usize,
        /// The new count.
        servers: u32,
    },
    /// A border's lanes.
    Lanes {
        /// Node index.
        node: usize,
        /// The new count.
        lanes: u32,
    },
    /// A border's inspection bays.
    Bays {
        /// Node index.
        node: usize,
        /// The new count.
        bays: u32,
    },
    /// A border's technical tracks (a border with a number of them).
    Tracks {
        /// Node index.
        node: usize,
        /// The new count.
        tracks: u32,
    },
    /// A node's berths.
    Berths {
        /// Node index.
        node: usize,
        /// The new count.
        berths: u32,
    },
    /// A node's yard capacity.
    YardTeu {
        /// Node index.
        node: usize,
        /// The new capacity, TEU.
        teu: u32,
    },
    /// A service's fleet.
    Fleet {
        /// Service index.
        service: usize,
        /// Carriers.
        fleet: u32,
    },
    /// A service's capacity per carrier.
    CapacityTeu {
        /// Service index.
        service: usize,
        /// TEU per carrier.
        teu: u32,
    },
    /// A timetabled service's departures: every `every` from time zero (N, 2N, ...), for
    /// departures at or after the change.
    Every {
        /// Service index.
        service: usize,
        /// Time between departures.
        every: SimDur,
    },
    /// A service's headway (rail paths).
    ServiceHeadway {
        /// Service index.
        service: usize,
        /// Minimum time between departures onto the line.
        headway: SimDur,
    },
    /// A border's digitisation level (applies to consignments that arrive from then on).
    Digitisation {
        /// Node index.
        node: usize,
        /// The new level, 0 (paper) to 1.
        level: f64,
    },
    /// A border's weekly opening hours from the change on (built into the border's
    /// `hours` when the model is validated, so the run does nothing at the change).
    Hours {
        /// Node index.
        node: usize,
        /// The new weekly windows, minutes from Monday 00:00 local time.
        weekly: Vec<(u64, u64)>,
    },
    /// A link's headway (path capacity).
    LinkHeadway {
        /// Link index.
        link: usize,
        /// Minimum time between entries.
        headway: SimDur,
    },
    /// A link's travel time.
    LinkTime {
        /// Link index.
        link: usize,
        /// Travel time per consignment.
        time: Dist,
    },
    /// The fixed shares of a flow's routes (`choice = "shares"`).
    RouteShares {
        /// Flow index.
        flow: usize,
        /// One share per route, in the flow's route order; they sum to 1.
        shares: Vec<f64>,
    },
}

/// The capacities a dated change can set, as written in `set`.
pub const CHANGE_FIELDS: &[&str] = &[
    "servers",
    "lanes",
    "inspection_bays",
    "technical_tracks",
    "berths",
    "yard_teu",
    "fleet",
    "capacity_teu",
    "every",
    "headway",
    "trains_per_day",
    "time",
    "shares",
];

/// A pipeline: a continuous product flow between two places, beside the freight network.
#[derive(Clone, Debug)]
pub struct PipelineModel {
    /// Unique id.
    pub id: String,
    /// Where it starts (a label; it need not be a node).
    pub from: String,
    /// Where it ends.
    pub to: String,
    /// Product unit.
    pub unit: PipelineUnit,
    /// Capacity, unit per day.
    pub capacity_per_day: f64,
    /// Product offered, unit per day.
    pub demand_per_day: f64,
    /// Transit time from inlet to outlet.
    pub transit: SimDur,
    /// Random outages: daily probability and duration.
    pub outages: Option<(f64, Dist)>,
}

/// Pipeline product units, as written in a scenario file.
pub const PIPELINE_UNITS: &[&str] = &["t", "bbl"];

/// The product unit of a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipelineUnit {
    /// Tonnes, `t`.
    Tonnes,
    /// Barrels, `bbl`.
    Barrels,
}

impl PipelineUnit {
    /// The unit as written in a scenario file (one of [`PIPELINE_UNITS`]).
    pub fn parse(s: &str) -> Option<PipelineUnit> {
        match s {
            "t" => Some(PipelineUnit::Tonnes),
            "bbl" => Some(PipelineUnit::Barrels),
            _ => None,
        }
    }

    /// The unit's symbol: `t` or `bbl`.
    pub fn as_str(self) -> &'static str {
        match self {
            PipelineUnit::Tonnes => "t",
            PipelineUnit::Barrels => "bbl",
        }
    }

    /// The unit of a rate: `t/day` or `bbl/day`.
    pub fn per_day(self) -> &'static str {
        match self {
            PipelineUnit::Tonnes => "t/day",
            PipelineUnit::Barrels => "bbl/day",
        }
    }
}

/// What a station's drawn service time is for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ServicePer {
    /// The whole consignment.
    Consignment,
    /// Each TEU.
    Teu,
    /// Each wagon, with this many TEU per wagon (wagons = ceil(TEU / it)).
    Wagon(f64),
}

impl ServicePer {
    /// Units of work for a consignment of `teu` TEU.
    pub fn units(self, teu: u32) -> f64 {
        match self {
            ServicePer::Consignment => 1.0,
            ServicePer::Teu => teu as f64,
            ServicePer::Wagon(t) => (teu as f64 / t).ceil(),
        }
    }
}

/// How a consignment gets from one route node to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leg {
    /// No travel time.
    Direct,
    /// Travel on a link (index into `Model::links`).
    Link(usize),
    /// On a carrier of a service (index into `Model::services`).
    Service(usize),
}

/// When a service's carriers leave.
#[derive(Clone, Debug, PartialEq)]
pub enum Departure {
    /// At fixed times: `first` after time zero, then every `period` (weekly times become one
    /// departure per listed time per week).
    Timetable {
        /// Offsets of departures within one period.
        offsets: Vec<SimDur>,
        /// The period.
        period: SimDur,
    },
    /// When the waiting TEU reach the capacity.
    WhenFull,
    /// When full, or when the oldest waiting consignment has waited `max_wait`.
    WhenFullOrMaxWait(SimDur),
}

/// A carrier service: trains, feeder vessels or rail ferries between two nodes.
#[derive(Clone, Debug)]
pub struct ServiceModel {
    /// Unique id (shares the namespace of node ids).
    pub id: String,
    /// `rail`, `road` or `sea`.
    pub mode: String,
    /// Boarding node index.
    pub from: usize,
    /// Destination node index.
    pub to: usize,
    /// Capacity per carrier, TEU.
    pub capacity_teu: u32,
    /// Carriers in the fleet.
    pub fleet: u32,
    /// Departure rule.
    pub departure: Departure,
    /// Loading time (before it leaves), per carrier or per TEU (`handling_per_teu`).
    pub loading: Option<Dist>,
    /// Unloading time (before its consignments are released), per carrier or per TEU.
    pub unloading: Option<Dist>,
    /// Travel time from `from` to `to`.
    pub travel: Dist,
    /// Time from unloaded at `to` until available again at `from`.
    pub return_trip: Option<Dist>,
    /// `loading` and `unloading` are per TEU on board (else per carrier).
    pub handling_per_teu: bool,
    /// Minimum time between consecutive departures (rail paths).
    pub headway: Option<SimDur>,
    /// Random weather closures: daily probability and duration.
    pub weather: Option<(f64, Dist)>,
    /// Dated closures (simulation time).
    pub closures: Vec<(SimTime, SimTime)>,
    /// Seasonal weather: a daily probability per calendar month (January first), replacing
    /// the one of `weather` (which then holds their mean, for the offered loads).
    pub weather_months: Option<[f64; 12]>,
}

/// Service modes.
pub const SERVICE_MODES: &[&str] = &["rail", "road", "sea"];
/// Departure rules.
pub const DEPARTURE_RULES: &[&str] = &["timetable", "when_full", "when_full_or_max_wait"];

/// A node of the network.
#[derive(Clone, Debug)]
pub struct NodeModel {
    /// Unique id.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// Berths (or loading tracks) for carriers loading and unloading here; `None` = no limit.
    pub berths: Option<u32>,
    /// Yard capacity in TEU; `None` = no yard (no limit).
    pub yard_teu: Option<u32>,
    /// Where the node is, if the file says: for maps only, the simulation ignores it.
    pub position: Option<Position>,
}

/// A place on the earth: latitude and longitude in degrees, WGS 84.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    /// Latitude, -90 (south) to 90 (north).
    pub lat: f64,
    /// Longitude, -180 (west) to 180 (east).
    pub lon: f64,
}

/// The kinds of node.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A queueing station: parallel servers and a FIFO queue.
    Station {
        /// Number of parallel servers; `None` is unlimited (a pure delay).
        servers: Option<u32>,
        /// Service time per consignment, per TEU or per wagon (see `per`).
        service: Dist,
        /// What the drawn service time is for: the whole consignment, each TEU (a crane
        /// transshipment at a gauge change) or each wagon (bogie exchange).
        per: ServicePer,
    },
    /// A border crossing with customs stages.
    Border(Box<BorderModel>),
}

impl NodeModel {
    /// The border model, for border nodes.
    pub fn border(&self) -> Option<&BorderModel> {
        match &self.kind {
            NodeKind::Border(b) => Some(b),
            NodeKind::Station { .. } => None,
        }
    }

    /// Parallel servers of the node's main resource (lanes for a border); `None` = unlimited.
    pub fn servers(&self) -> Option<u32> {
        match &self.kind {
            NodeKind::Station { servers, .. } => *servers,
            NodeKind::Border(b) => Some(b.lanes),
        }
    }
}

/// Travel between two consecutive route nodes.
#[derive(Clone, Debug)]
pub struct LinkModel {
    /// Index of the origin node.
    pub from: usize,
    /// Index of the destination node.
    pub to: usize,
    /// Travel time per consignment.
    pub time: Dist,
    /// Length in km, for speed indicators.
    pub distance_km: Option<f64>,
    /// Minimum time between consecutive entries (a line section's path capacity).
    pub headway: Option<SimDur>,
}

/// A stream of consignments along a route.
#[derive(Clone, Debug)]
pub struct FlowModel {
    /// Unique id.
    pub id: String,
    /// Node indices, in order.
    pub route: Vec<usize>,
    /// For each step `route[i] -> route[i+1]`, how it is travelled.
    pub legs: Vec<Leg>,
    /// Time between consecutive consignments.
    pub arrivals: Dist,
    /// TEU per consignment.
    pub teu: u32,
    /// Priority at borders: higher is served first (0 = regular).
    pub priority: u8,
    /// The planner's target transit time, if any: `on_time_share` counts deliveries within it.
    pub target_transit: Option<SimDur>,
    /// Demand factor (the scenario's times the flow's): arrival rates are multiplied by it,
    /// times between arrivals divided by it. Exactly 1 draws as if it were not there.
    pub demand: f64,
    /// The demand profile m(t) over calendar time (the scenario's `[profile]` times the flow's,
    /// and its `start` and `end`), without the demand factor; `None` when m is 1 throughout,
    /// and the arrivals are then drawn exactly as without a profile.
    pub profile: Option<Profile>,
    /// The mean of m over the statistics window (1 without a profile).
    pub profile_mean: f64,
    /// The flow's alternative routes and how a consignment chooses among them; `None` for a
    /// flow with one `route` (then `route` and `legs` are all there is). With alternatives,
    /// `route` and `legs` are those of the first.
    pub choice: Option<Box<RouteChoice>>,
    /// Value of time, USD per TEU-hour: generalised cost = charges + value of time x transit.
    pub value_of_time: f64,
}

/// Choice rules, as written in `choice`.
pub const CHOICE_RULES: &[&str] = &["shares", "cheapest", "logit"];

/// How a consignment chooses its route, once, when it is created.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ChoiceRule {
    /// Each route's fixed `share`.
    Shares,
    /// The route of least expected generalised cost (the first in file order on a tie).
    Cheapest,
    /// Multinomial logit: P(r) = exp(-scale C_r) / sum over s of exp(-scale C_s).
    Logit {
        /// theta, per USD of generalised cost per TEU.
        scale: f64,
    },
}

/// A flow's alternative routes and its choice rule.
#[derive(Clone, Debug)]
pub struct RouteChoice {
    /// The rule.
    pub rule: ChoiceRule,
    /// The routes, in file order (the first is the flow's `route` and `legs`).
    pub routes: Vec<RouteModel>,
    /// Time constant of the exponential smoothing of a route's expected transit over time:
    /// a delivery `dt` after the route's previous one (or time zero) moves the estimate by
    /// `1 - exp(-dt / memory)` of its error.
    pub memory: SimDur,
}

/// One alternative route of a flow.
#[derive(Clone, Debug)]
pub struct RouteModel {
    /// Unique among the flow's routes.
    pub id: String,
    /// Node indices, in order.
    pub route: Vec<usize>,
    /// For each step, how it is travelled.
    pub legs: Vec<Leg>,
    /// Fixed share (`Shares` only; 0 otherwise).
    pub share: f64,
    /// TEU a day the route takes, if limited.
    pub capacity_teu_per_day: Option<f64>,
    /// When the route opens (time zero if it is open from the start).
    pub opens: SimTime,
    /// Expected transit before any delivery, hours: `prior`, or the free-flow time.
    pub prior_hours: f64,
    /// Expected charges per TEU of the flow's consignments along the route, USD (the tariffs
    /// over mean durations, `scenario::cost::expected_charges_per_teu`; 0 without costs).
    pub charges_per_teu: f64,
}

impl FlowModel {
    /// The nodes and legs of route `k` of the flow (0 for a flow with one route).
    #[inline(always)]
    pub fn path(&self, k: u16) -> (&[usize], &[Leg]) {
        if k == 0 {
            return (&self.route, &self.legs);
        }
        let c = self
            .choice
            .as_deref()
            .expect("route k > 0 of a flow with routes");
        let r = &c.routes[k as usize];
        (&r.route, &r.legs)
    }

    /// Every route of the flow with the share of its consignments it is expected to carry,
    /// for offered loads before running: the one route with 1; alternatives with their fixed
    /// shares, with the logit's probabilities at the routes' priors (expected charges + value
    /// of time x prior transit), or evenly for the cheapest route (which one is cheapest
    /// depends on the congestion, known only by running).
    pub fn paths(&self) -> Vec<(&[usize], &[Leg], f64)> {
        match self.choice.as_deref() {
            None => vec![(&self.route[..], &self.legs[..], 1.0)],
            Some(c) => {
                let n = c.routes.len() as f64;
                let cost = |r: &RouteModel| r.charges_per_teu + self.value_of_time * r.prior_hours;
                let least = c.routes.iter().map(cost).fold(f64::INFINITY, f64::min);
                let logit = |scale: f64, r: &RouteModel| (-scale * (cost(r) - least)).exp();
                let total: f64 = match c.rule {
                    ChoiceRule::Logit { scale } => c.routes.iter().map(|r| logit(scale, r)).sum(),
                    ChoiceRule::Shares | ChoiceRule::Cheapest => n,
                };
                c.routes
                    .iter()
                    .map(|r| {
                        let w = match c.rule {
                            ChoiceRule::Shares => r.share,
                            ChoiceRule::Cheapest => 1.0 / n,
                            ChoiceRule::Logit { scale } => logit(scale, r) / total,
                        };
                        (&r.route[..], &r.legs[..], w)
                    })
                    .collect()
            }
        }
    }

    /// Mean time between consignments in seconds over the statistics window, with the demand
    /// factor and the mean of the profile applied.
    pub fn mean_gap_secs(&self) -> f64 {
        self.arrivals.mean_secs() / (self.demand * self.profile_mean)
    }

    /// Route length in km, if every step has a link with a distance.
    pub fn distance_km(&self, links: &[LinkModel]) -> Option<f64> {
        if self.choice.is_some() {
            return None; // the routes' lengths differ
        }
        route_distance_km(&self.legs, links)
    }
}

/// The length in km of a route with these legs, if every step has a link with a distance.
pub fn route_distance_km(legs: &[Leg], links: &[LinkModel]) -> Option<f64> {
    {
        legs.iter()
            .map(|l| match l {
                Leg::Link(l) => links[*l].distance_km,
                _ => None,
            })
            .sum::<Option<f64>>()
            .filter(|_| !legs.is_empty())
    }
}

impl Model {
    /// Whether some dated change sets what `is` picks out (say, node 3's servers): such a
    /// capacity's utilisation is busy time over its capacity's time, not over a constant.
    pub fn changes_any(&self, is: impl Fn(&Setting) -> bool) -> bool {
        self.schedule.iter().flat_map(|c| &c.settings).any(is)
    }

    /// The model with the capacities in force at `t`: every change dated at or before `t`
    /// applied, in order, and none left to apply.
    pub fn as_at(&self, t: SimTime) -> Model {
        let mut m = self.without_changes();
        for c in self.changes.iter().filter(|c| c.at <= t) {
            m.apply(&c.settings);
        }
        m
    }

    /// A copy with no dated changes, no disruptions and no schedule: the capacities of the
    /// file, to which [`Model::apply`] then applies changes in date order.
    pub(crate) fn without_changes(&self) -> Model {
        let mut m = self.clone();
        m.changes.clear();
        m.schedule.clear();
        m.disruptions.clear();
        m
    }

    /// Sets the capacities of `settings` in this model, as a dated change does in the run.
    pub(crate) fn apply(&mut self, settings: &[Setting]) {
        let m = self;
        for s in settings {
            match s {
                Setting::Servers { node, servers } => {
                    if let NodeKind::Station { servers: s, .. } = &mut m.nodes[*node].kind {
                        *s = Some(*servers);
                    }
                }
                Setting::Lanes { node, lanes } => {
                    if let NodeKind::Border(b) = &mut m.nodes[*node].kind {
                        b.lanes = *lanes;
                    }
                }
                Setting::Bays { node, bays } => {
                    if let NodeKind::Border(b) = &mut m.nodes[*node].kind {
                        b.bays = *bays;
                    }
                }
                Setting::Tracks { node, tracks } => {
                    if let NodeKind::Border(b) = &mut m.nodes[*node].kind {
                        b.tracks = Some(*tracks);
                    }
                }
                Setting::Berths { node, berths } => m.nodes[*node].berths = Some(*berths),
                Setting::YardTeu { node, teu } => m.nodes[*node].yard_teu = Some(*teu),
                Setting::Fleet { service, fleet } => m.services[*service].fleet = *fleet,
                Setting::CapacityTeu { service, teu } => m.services[*service].capacity_teu = *teu,
                Setting::Every { service, every } => {
                    m.services[*service].departure = Departure::Timetable {
                        offsets: vec![*every],
                        period: *every,
                    }
                }
                Setting::ServiceHeadway { service, headway } => {
                    m.services[*service].headway = Some(*headway)
                }
                Setting::LinkHeadway { link, headway } => m.links[*link].headway = Some(*headway),
                Setting::LinkTime { link, time } => m.links[*link].time = time.clone(),
                Setting::RouteShares { flow, shares } => {
                    if let Some(c) = m.flows[*flow].choice.as_deref_mut() {
                        for (r, s) in c.routes.iter_mut().zip(shares) {
                            r.share = *s;
                        }
                    }
                }
                Setting::Digitisation { node, level } => {
                    if let NodeKind::Border(b) = &mut m.nodes[*node].kind {
                        b.level = *level;
                    }
                }
                // Already in the border's hours, which cover the whole run.
                Setting::Hours { .. } => {}
            }
        }
    }

    /// The length of the statistics window (horizon minus warm-up).
    pub fn window(&self) -> SimDur {
        self.horizon - self.warmup
    }

    /// The calendar periods of the statistics window (empty without `scenario.periods`).
    pub fn periods(&self) -> Vec<Period> {
        match self.periods {
            Some(kind) => periods::cut(kind, self.start_day, self.warmup, self.horizon),
            None => Vec::new(),
        }
    }

    /// The time bins of the statistics window: `period` wide, or the default bins.
    pub fn binning(&self) -> Binning {
        match self.period {
            Some(width) => Binning {
                start: self.warmup,
                end: self.horizon,
                width,
            },
            None => Binning::for_window(self.warmup, self.horizon),
        }
    }
}
