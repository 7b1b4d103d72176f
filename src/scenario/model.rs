//! The validated, immutable scenario model, built from a [`ScenarioFile`]. Every rule of the
//! format is checked here; the simulation trusts the model completely.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::border::{BorderModel, DigitisationParams, level_value};
use super::duration::Duration;
use super::file::{DistSpec, FlowSpec, LinkSpec, NodeSpec, ScenarioFile, Servers};
use super::locate::locate;
use crate::engine::dist::Dist;
use crate::engine::hours::{self, OpeningHours};
use crate::engine::time::{SimDur, SimTime};
use crate::error::{Error, Result};

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
}

/// A pipeline: a continuous product flow between two places, beside the freight network.
#[derive(Clone, Debug)]
pub struct PipelineModel {
    /// Unique id.
    pub id: String,
    /// Where it starts (a label; it need not be a node).
    pub from: String,
    /// Where it ends.
    pub to: String,
    /// Product unit: `t` (tonnes) or `bbl` (barrels).
    pub unit: String,
    /// Capacity, unit per day.
    pub capacity_per_day: f64,
    /// Product offered, unit per day.
    pub demand_per_day: f64,
    /// Transit time from inlet to outlet.
    pub transit: SimDur,
    /// Random outages: daily probability and duration.
    pub outages: Option<(f64, Dist)>,
}

/// Pipeline product units.
pub const PIPELINE_UNITS: &[&str] = &["t", "bbl"];

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
    /// `rail` or `sea`.
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
}

/// Service modes.
pub const SERVICE_MODES: &[&str] = &["rail", "sea"];
/// Departure rules.
pub const DEPARTURE_RULES: &[&str] = &["timetable", "when_full", "when_full_or_max_wait"];

/// A node of the network.
#[derive(Clone, Debug)]
pub struct NodeModel {
    /// Unique id.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
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
        /// Berths (or loading tracks) for carriers loading and unloading here; `None` = no
        /// limit.
        berths: Option<u32>,
        /// Yard capacity in TEU; `None` = no limit.
        yard_teu: Option<u32>,
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

    /// Berths (or loading tracks) for carriers; `None` = no limit.
    pub fn berths(&self) -> Option<u32> {
        match &self.kind {
            NodeKind::Station { berths, .. } => *berths,
            NodeKind::Border(_) => None,
        }
    }

    /// Yard capacity in TEU; `None` = no limit.
    pub fn yard_teu(&self) -> Option<u32> {
        match &self.kind {
            NodeKind::Station { yard_teu, .. } => *yard_teu,
            NodeKind::Border(_) => None,
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
}

impl FlowModel {
    /// Route length in km, if every step has a link with a distance.
    pub fn distance_km(&self, links: &[LinkModel]) -> Option<f64> {
        self.legs
            .iter()
            .map(|l| match l {
                Leg::Link(l) => links[*l].distance_km,
                _ => None,
            })
            .sum::<Option<f64>>()
            .filter(|_| !self.legs.is_empty())
    }
}

impl Model {
    /// The length of the statistics window (horizon minus warm-up).
    pub fn window(&self) -> SimDur {
        self.horizon - self.warmup
    }

    /// Offered load per server of each finite-server node (arrival rate x mean service /
    /// servers), for warnings about unstable stations.
    pub fn offered_load(&self) -> Vec<Option<f64>> {
        let mut rate = vec![0.0; self.nodes.len()];
        for f in &self.flows {
            for &n in &f.route {
                // Stations with service per TEU take `teu` units of work per consignment.
                let units = match self.nodes[n].kind {
                    NodeKind::Station { per, .. } => per.units(f.teu),
                    _ => 1.0,
                };
                rate[n] += units / f.arrivals.mean_secs();
            }
        }
        self.nodes
            .iter()
            .zip(rate)
            .map(|(n, r)| match &n.kind {
                NodeKind::Station {
                    servers, service, ..
                } => servers.map(|c| r * service.mean_secs() / c as f64),
                NodeKind::Border(b) => {
                    let e = b.effect();
                    let mut work = b.documents.mean_secs() * e.doc_scale;
                    if let Some(c) = &b.document_check {
                        work += e.yellow * c.mean_secs();
                    }
                    Some(r * work * b.passes() as f64 / b.lanes as f64)
                }
            })
            .collect()
    }
}

/// Validation context: where the text came from, to point at the place of an error.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub src: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn err(&self, path: &str, message: impl Into<String>) -> Error {
        Error::Scenario {
            file: self.file.to_path_buf(),
            line_col: locate(self.src, path),
            path: path.to_string(),
            message: message.into(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !s.starts_with('.')
}

/// Checks that `id` (at `{p}.id`) is a valid id not yet in `seen`, and records it; `what` names
/// the kind of element in the message.
fn unique_id(ctx: &Ctx, p: &str, id: &str, seen: &mut HashSet<String>, what: &str) -> Result<()> {
    if !valid_id(id) {
        return Err(ctx.err(
            &format!("{p}.id"),
            format!("\"{id}\" is not a valid id; {ID_RULE}"),
        ));
    }
    if !seen.insert(id.to_string()) {
        return Err(ctx.err(
            &format!("{p}.id"),
            format!("duplicate {what} id \"{id}\"; {what} ids must be unique"),
        ));
    }
    Ok(())
}

const ID_RULE: &str = "use letters, digits, '_', '-' or '.', not starting with '.'";

pub(crate) fn build(file: ScenarioFile, ctx: &Ctx) -> Result<Model> {
    let s = &file.scenario;
    if !valid_id(&s.name) {
        return Err(ctx.err(
            "scenario.name",
            format!(
                "\"{}\" is not a usable name (it names the results folder); {ID_RULE}",
                s.name
            ),
        ));
    }
    let horizon = positive_duration(ctx, "scenario.horizon", &s.horizon)?;
    let warmup = match &s.warmup {
        None => SimDur::ZERO,
        Some(w) => {
            if w.secs < 0.0 {
                return Err(ctx.err(
                    "scenario.warmup",
                    format!(
                        "\"{}\" is negative; must be >= 0 and shorter than the horizon",
                        w.text
                    ),
                ));
            }
            SimDur::from_secs_f64(w.secs)
        }
    };
    if warmup >= horizon {
        return Err(ctx.err(
            "scenario.warmup",
            format!(
                "warm-up \"{}\" is not shorter than the horizon \"{}\"; statistics need time after warm-up",
                s.warmup.as_ref().map_or("0", |w| w.text.as_str()),
                s.horizon.text
            ),
        ));
    }
    let replications = match s.replications {
        None => DEFAULT_REPLICATIONS,
        Some(r) if (1..=1_000_000).contains(&r) => r as u32,
        Some(r) => {
            return Err(ctx.err(
                "scenario.replications",
                format!("{r} is not allowed; must be a whole number from 1 to 1000000"),
            ));
        }
    };

    let start = s.start.as_deref().unwrap_or(DEFAULT_START);
    let start_day = hours::parse_date(start).map_err(|e| ctx.err("scenario.start", e))?;
    let corridor = CorridorDefaults::build(ctx, &file)?;

    let mut empirical = EmpiricalCache::default();
    let mut node_ix = HashMap::new();
    let mut nodes = Vec::with_capacity(file.nodes.len());
    for (i, n) in file.nodes.iter().enumerate() {
        nodes.push(build_node(
            ctx,
            i,
            n,
            &mut node_ix,
            &mut empirical,
            &corridor,
            start_day,
        )?);
    }
    if file.flows.is_empty() {
        return Err(ctx.err(
            "flows",
            "the scenario has no [[flows]]; at least one flow is needed",
        ));
    }
    let mut service_ix = HashMap::new();
    let mut services = Vec::with_capacity(file.services.len());
    for (i, sv) in file.services.iter().enumerate() {
        services.push(build_service(
            ctx,
            i,
            sv,
            &node_ix,
            &mut service_ix,
            &mut empirical,
            start_day,
        )?);
    }
    let mut flow_ids = HashSet::new();
    let mut flows = Vec::with_capacity(file.flows.len());
    for (i, f) in file.flows.iter().enumerate() {
        flows.push(build_flow(
            ctx,
            i,
            f,
            &node_ix,
            &service_ix,
            &services,
            &mut flow_ids,
            &mut empirical,
        )?);
    }
    let links = build_links(ctx, &file.links, &node_ix, &mut flows, &mut empirical)?;
    check_yards(ctx, &nodes, &flows, &services)?;
    let mut pipelines = Vec::with_capacity(file.pipelines.len());
    let mut pipe_ids = HashSet::new();
    for (i, pl) in file.pipelines.iter().enumerate() {
        pipelines.push(build_pipeline(ctx, i, pl, &mut pipe_ids, &mut empirical)?);
    }
    Ok(Model {
        name: s.name.clone(),
        description: s.description.clone(),
        horizon: SimTime::ZERO + horizon,
        warmup: SimTime::ZERO + warmup,
        replications,
        seed: s.seed.unwrap_or(DEFAULT_SEED),
        start_day,
        nodes,
        links,
        flows,
        services,
        pipelines,
    })
}

fn positive_duration(ctx: &Ctx, path: &str, d: &Duration) -> Result<SimDur> {
    if d.secs <= 0.0 {
        return Err(ctx.err(path, format!("\"{}\" must be > 0", d.text)));
    }
    Ok(SimDur::from_secs_f64(d.secs))
}

/// Corridor-wide defaults for border nodes, from `[digitisation]`.
struct CorridorDefaults {
    level: f64,
    params: DigitisationParams,
}

impl CorridorDefaults {
    fn build(ctx: &Ctx, file: &ScenarioFile) -> Result<Self> {
        let Some(d) = &file.digitisation else {
            return Ok(CorridorDefaults {
                level: 0.0,
                params: DigitisationParams::default(),
            });
        };
        let level = match &d.level {
            None => 0.0,
            Some(l) => level_value(l).map_err(|e| ctx.err("digitisation.level", e))?,
        };
        let params = DigitisationParams::default().with(&d.params());
        if let Some((name, v, rule)) = params.invalid() {
            return Err(ctx.err(
                &format!("digitisation.{name}"),
                format!("{v} is not allowed; {name} {rule}"),
            ));
        }
        Ok(CorridorDefaults { level, params })
    }
}

fn build_node(
    ctx: &Ctx,
    i: usize,
    n: &NodeSpec,
    ix: &mut HashMap<String, usize>,
    emp: &mut EmpiricalCache,
    corridor: &CorridorDefaults,
    start_day: i64,
) -> Result<NodeModel> {
    let p = format!("nodes[{i}]");
    if !valid_id(&n.id) {
        return Err(ctx.err(
            &format!("{p}.id"),
            format!("\"{}\" is not a valid id; {ID_RULE}", n.id),
        ));
    }
    if ix.insert(n.id.clone(), i).is_some() {
        return Err(ctx.err(
            &format!("{p}.id"),
            format!("duplicate node id \"{}\"; node ids must be unique", n.id),
        ));
    }
    // Fields that belong to the other kind are mistakes, not silently ignored.
    let station_fields = [
        ("servers", n.servers.is_some()),
        ("service", n.service.is_some()),
    ];
    let border_fields = [
        ("lanes", n.lanes.is_some()),
        ("documents", n.documents.is_some()),
        ("channels", n.channels.is_some()),
        ("document_check", n.document_check.is_some()),
        ("inspection", n.inspection.is_some()),
        ("inspection_bays", n.inspection_bays.is_some()),
        ("technical", n.technical.is_some()),
        ("technical_tracks", n.technical_tracks.is_some()),
        ("controls", n.controls.is_some()),
        ("joint_control", n.joint_control.is_some()),
        ("hours", n.hours.is_some()),
        ("utc_offset", n.utc_offset.is_some()),
        ("holidays", n.holidays.is_some()),
        ("closures", n.closures.is_some()),
        ("preemption", n.preemption.is_some()),
        ("digitisation", n.digitisation.is_some()),
        ("digitisation_model", n.digitisation_model.is_some()),
    ];
    let foreign = |fields: &[(&str, bool)], kind: &str| -> Result<()> {
        match fields.iter().find(|(_, given)| *given) {
            Some((f, _)) => Err(ctx.err(
                &format!("{p}.{f}"),
                format!("`{f}` is not a field of a `{kind}` node"),
            )),
            None => Ok(()),
        }
    };
    let kind = match n.kind.as_str() {
        "station" => {
            foreign(&border_fields, "station")?;
            let servers = match n.servers {
                None => {
                    return Err(ctx.err(
                        &p,
                        "a station needs `servers` (a positive whole number or \"unlimited\")",
                    ));
                }
                Some(s) => servers_value(ctx, &format!("{p}.servers"), s)?,
            };
            let service = n
                .service
                .as_ref()
                .ok_or_else(|| ctx.err(&p, "a station needs `service` (a distribution)"))?;
            let per = match (n.service_per.as_deref(), n.teu_per_wagon) {
                (None | Some("consignment"), None) => ServicePer::Consignment,
                (Some("teu"), None) => ServicePer::Teu,
                (Some("wagon"), Some(t)) if t.is_finite() && t > 0.0 && t <= 10.0 => {
                    ServicePer::Wagon(t)
                }
                (Some("wagon"), Some(t)) => {
                    return Err(ctx.err(
                        &format!("{p}.teu_per_wagon"),
                        format!("{t} is not allowed; TEU per wagon must be > 0 and <= 10"),
                    ));
                }
                (Some("wagon"), None) => {
                    return Err(ctx.err(&p, "service_per = \"wagon\" needs `teu_per_wagon` (wagons = ceil(TEU / teu_per_wagon))"));
                }
                (_, Some(_))
                    if matches!(
                        n.service_per.as_deref(),
                        None | Some("consignment") | Some("teu")
                    ) =>
                {
                    return Err(ctx.err(
                        &format!("{p}.teu_per_wagon"),
                        "`teu_per_wagon` is only used with service_per = \"wagon\"",
                    ));
                }
                (Some(other), _) => {
                    return Err(ctx.err(
                        &format!("{p}.service_per"),
                        format!("\"{other}\" is not allowed; service_per is \"consignment\" (default), \"teu\" or \"wagon\""),
                    ));
                }
                (None, _) => unreachable!("covered above"),
            };
            let berths = n
                .berths
                .map(|b| count_value(ctx, &format!("{p}.berths"), Some(b), 1, 1_000_000))
                .transpose()?;
            let yard_teu = n
                .yard_teu
                .map(|b| count_value(ctx, &format!("{p}.yard_teu"), Some(b), 1, 1_000_000_000))
                .transpose()?;
            NodeKind::Station {
                servers,
                service: build_dist(ctx, &format!("{p}.service"), service, emp)?,
                per,
                berths,
                yard_teu,
            }
        }
        "border" => {
            foreign(&station_fields, "border")?;
            foreign(
                &[
                    ("service_per", n.service_per.is_some()),
                    ("teu_per_wagon", n.teu_per_wagon.is_some()),
                    ("berths", n.berths.is_some()),
                    ("yard_teu", n.yard_teu.is_some()),
                ],
                "border",
            )?;
            NodeKind::Border(Box::new(build_border(
                ctx, &p, n, emp, corridor, start_day,
            )?))
        }
        other => {
            return Err(ctx.err(
                &format!("{p}.kind"),
                format!(
                    "unknown node kind \"{other}\"; allowed: {}",
                    NODE_KINDS.join(", ")
                ),
            ));
        }
    };
    Ok(NodeModel {
        id: n.id.clone(),
        kind,
    })
}

fn servers_value(ctx: &Ctx, path: &str, s: Servers) -> Result<Option<u32>> {
    match s {
        Servers::Unlimited => Ok(None),
        Servers::Count(c) if (1..=1_000_000).contains(&c) => Ok(Some(c as u32)),
        Servers::Count(c) => Err(ctx.err(
            path,
            format!(
                "{c} is not allowed; must be a whole number from 1 to 1000000, or \"unlimited\""
            ),
        )),
    }
}

fn count_value(ctx: &Ctx, path: &str, v: Option<i64>, default: i64, max: i64) -> Result<u32> {
    match v.unwrap_or(default) {
        c if (1..=max).contains(&c) => Ok(c as u32),
        c => Err(ctx.err(
            path,
            format!("{c} is not allowed; must be a whole number from 1 to {max}"),
        )),
    }
}

fn build_border(
    ctx: &Ctx,
    p: &str,
    n: &NodeSpec,
    emp: &mut EmpiricalCache,
    corridor: &CorridorDefaults,
    start_day: i64,
) -> Result<BorderModel> {
    let lanes = match n.lanes {
        None => return Err(ctx.err(p, "a border needs `lanes` (officers or lanes doing document work, a positive whole number)")),
        l => count_value(ctx, &format!("{p}.lanes"), l, 1, 1_000_000)?,
    };
    let documents = n
        .documents
        .as_ref()
        .ok_or_else(|| ctx.err(p, "a border needs `documents` (document processing time per control on paper, a distribution)"))?;
    let documents = build_dist(ctx, &format!("{p}.documents"), documents, emp)?;
    let channels = match n.channels {
        None => [1.0, 0.0, 0.0],
        Some(c) => {
            for (name, v) in [("green", c.green), ("yellow", c.yellow), ("red", c.red)] {
                if !(0.0..=1.0).contains(&v) {
                    return Err(ctx.err(
                        &format!("{p}.channels.{name}"),
                        format!("{v} is not allowed; a channel share must be in [0, 1]"),
                    ));
                }
            }
            let sum = c.green + c.yellow + c.red;
            if (sum - 1.0).abs() > 1e-9 {
                return Err(ctx.err(
                    &format!("{p}.channels"),
                    format!("green {} + yellow {} + red {} = {sum}; the channel shares must add up to 1", c.green, c.yellow, c.red),
                ));
            }
            [c.green, c.yellow, c.red]
        }
    };
    let opt_dist =
        |field: &str, d: &Option<DistSpec>, emp: &mut EmpiricalCache| -> Result<Option<Dist>> {
            d.as_ref()
                .map(|d| build_dist(ctx, &format!("{p}.{field}"), d, emp))
                .transpose()
        };
    let document_check = opt_dist("document_check", &n.document_check, emp)?;
    let inspection = opt_dist("inspection", &n.inspection, emp)?;
    let technical = opt_dist("technical", &n.technical, emp)?;
    if channels[1] > 0.0 && document_check.is_none() {
        return Err(ctx.err(p, "channels.yellow > 0 needs `document_check` (the yellow channel's check time, a distribution)"));
    }
    if channels[2] > 0.0 && inspection.is_none() {
        return Err(ctx.err(p, "channels.red > 0 needs `inspection` (the red channel's physical inspection time, a distribution)"));
    }
    let bays = count_value(
        ctx,
        &format!("{p}.inspection_bays"),
        n.inspection_bays,
        1,
        1_000_000,
    )?;
    let tracks = match n.technical_tracks {
        None => None,
        Some(s) => servers_value(ctx, &format!("{p}.technical_tracks"), s)?,
    };
    let controls = count_value(ctx, &format!("{p}.controls"), n.controls, 1, 10)?;

    let mut weekly = Vec::new();
    for (j, w) in n.hours.iter().flatten().enumerate() {
        weekly.extend(hours::parse_window(w).map_err(|e| ctx.err(&format!("{p}.hours[{j}]"), e))?);
    }
    let offset = utc_offset(ctx, p, &n.utc_offset)?;
    let mut closed = Vec::new();
    for (j, d) in n.holidays.iter().flatten().enumerate() {
        let day = hours::parse_date(d).map_err(|e| ctx.err(&format!("{p}.holidays[{j}]"), e))?;
        closed.push(hours::holiday(day));
    }
    closed.extend(closure_windows(ctx, p, &n.closures)?);
    let hours = OpeningHours::new(&weekly, start_day, offset, &closed);

    let level = match &n.digitisation {
        None => corridor.level,
        Some(l) => level_value(l).map_err(|e| ctx.err(&format!("{p}.digitisation"), e))?,
    };
    let params = match &n.digitisation_model {
        None => corridor.params,
        Some(spec) => corridor.params.with(spec),
    };
    if let Some((name, v, rule)) = params.invalid() {
        return Err(ctx.err(
            &format!("{p}.digitisation_model.{name}"),
            format!("{v} is not allowed; {name} {rule}"),
        ));
    }
    Ok(BorderModel {
        lanes,
        documents,
        channels,
        document_check,
        inspection,
        bays,
        technical,
        tracks,
        controls,
        joint_control: n.joint_control.unwrap_or(false),
        hours,
        preemption: n.preemption.unwrap_or(false),
        level,
        params,
    })
}

#[allow(clippy::too_many_arguments)]
fn build_flow(
    ctx: &Ctx,
    i: usize,
    f: &FlowSpec,
    node_ix: &HashMap<String, usize>,
    service_ix: &HashMap<String, usize>,
    services: &[ServiceModel],
    ids: &mut HashSet<String>,
    emp: &mut EmpiricalCache,
) -> Result<FlowModel> {
    let p = format!("flows[{i}]");
    unique_id(ctx, &p, &f.id, ids, "flow")?;
    if f.route.is_empty() {
        return Err(ctx.err(
            &format!("{p}.route"),
            "the route is empty; list at least one node id",
        ));
    }
    // Route elements are node ids, or service ids standing between their `from` and `to` nodes.
    let mut route: Vec<usize> = Vec::with_capacity(f.route.len());
    let mut legs: Vec<Leg> = Vec::new();
    let mut pending: Option<(usize, usize)> = None; // (service, element index)
    for (j, id) in f.route.iter().enumerate() {
        let at = format!("{p}.route[{j}]");
        if let Some(&si) = service_ix.get(id) {
            let sv: &ServiceModel = &services[si];
            match (route.last(), pending) {
                (Some(&prev), None) if prev == sv.from => pending = Some((si, j)),
                (Some(_), None) => {
                    return Err(ctx.err(&at, format!(
                        "service \"{id}\" boards at \"{}\", but the route is at \"{}\" here; put the service right after its `from` node",
                        node_name(node_ix, sv.from), node_name(node_ix, *route.last().expect("non-empty"))
                    )));
                }
                (None, _) => {
                    return Err(ctx.err(&at, format!("the route starts with service \"{id}\"; start it with the node where the service boards (\"{}\")", node_name(node_ix, sv.from))));
                }
                (_, Some(_)) => {
                    return Err(
                        ctx.err(&at, "two services in a row; a node must stand between them")
                    );
                }
            }
            continue;
        }
        let Some(&n) = node_ix.get(id) else {
            let mut known: Vec<&str> = node_ix
                .keys()
                .chain(service_ix.keys())
                .map(String::as_str)
                .collect();
            known.sort_unstable();
            let known = if known.is_empty() {
                "the scenario declares no [[nodes]]".to_string()
            } else {
                format!("known nodes and services: {}", known.join(", "))
            };
            return Err(ctx.err(&at, format!("no node or service has id \"{id}\"; {known}")));
        };
        if !route.is_empty() {
            legs.push(match pending.take() {
                Some((si, k)) => {
                    if services[si].to != n {
                        return Err(ctx.err(
                            &at,
                            format!(
                                "service \"{}\" (route[{k}]) goes to \"{}\", not \"{id}\"",
                                services[si].id,
                                node_name(node_ix, services[si].to)
                            ),
                        ));
                    }
                    Leg::Service(si)
                }
                None => Leg::Direct,
            });
        }
        route.push(n);
    }
    if let Some((si, k)) = pending {
        return Err(ctx.err(&format!("{p}.route[{k}]"), format!(
            "the route ends with service \"{}\"; end it with the node the service goes to (\"{}\")",
            services[si].id, node_name(node_ix, services[si].to)
        )));
    }
    let teu = match f.teu {
        None => 1,
        Some(t) if (1..=1_000_000).contains(&t) => t as u32,
        Some(t) => {
            return Err(ctx.err(&format!("{p}.teu"), format!("{t} is not allowed; TEU per consignment must be a whole number from 1 to 1000000")));
        }
    };
    for leg in &legs {
        if let Leg::Service(si) = leg
            && teu > services[*si].capacity_teu
        {
            return Err(ctx.err(&format!("{p}.teu"), format!(
                "{teu} TEU per consignment does not fit on service \"{}\" (capacity {} TEU); consignments are not split",
                services[*si].id, services[*si].capacity_teu
            )));
        }
    }
    let priority = match f.priority.unwrap_or(0) {
        x if (0..=MAX_PRIORITY).contains(&x) => x as u8,
        x => {
            return Err(ctx.err(&format!("{p}.priority"), format!("{x} is not allowed; priority is a whole number from 0 (regular) to {MAX_PRIORITY}")));
        }
    };
    let arrivals = build_dist(ctx, &format!("{p}.arrivals"), &f.arrivals, emp)?;
    if arrivals.mean_secs() <= 0.0 {
        return Err(ctx.err(
            &format!("{p}.arrivals"),
            "mean time between arrivals must be > 0",
        ));
    }
    Ok(FlowModel {
        id: f.id.clone(),
        route,
        legs,
        arrivals,
        teu,
        priority,
    })
}

fn build_links(
    ctx: &Ctx,
    specs: &[LinkSpec],
    node_ix: &HashMap<String, usize>,
    flows: &mut [FlowModel],
    emp: &mut EmpiricalCache,
) -> Result<Vec<LinkModel>> {
    let mut seen = HashMap::new();
    let mut links = Vec::with_capacity(specs.len());
    for (i, l) in specs.iter().enumerate() {
        let p = format!("links[{i}]");
        let end = |field: &str, id: &str| {
            node_ix
                .get(id)
                .copied()
                .ok_or_else(|| ctx.err(&format!("{p}.{field}"), format!("no node has id \"{id}\"")))
        };
        let from = end("from", &l.from)?;
        let to = end("to", &l.to)?;
        if let Some(j) = seen.insert((from, to), i) {
            return Err(ctx.err(
                &p,
                format!(
                    "duplicate link \"{}\" -> \"{}\" (also links[{j}])",
                    l.from, l.to
                ),
            ));
        }
        let mut used = false;
        for f in flows.iter_mut() {
            for k in 0..f.legs.len() {
                if f.route[k] == from && f.route[k + 1] == to {
                    if let Leg::Service(si) = f.legs[k] {
                        return Err(ctx.err(&p, format!(
                            "link \"{}\" -> \"{}\" duplicates a step that flow \"{}\" makes on service #{si}; a step is travelled by a link or by a service, not both",
                            l.from, l.to, f.id
                        )));
                    }
                    f.legs[k] = Leg::Link(i);
                    used = true;
                }
            }
        }
        if !used {
            return Err(ctx.err(
                &p,
                format!(
                    "link \"{}\" -> \"{}\" joins nodes that are not consecutive on any flow's route; a link must follow a route step",
                    l.from, l.to
                ),
            ));
        }
        if let Some(d) = l.distance_km.filter(|d| !(d.is_finite() && *d > 0.0)) {
            return Err(ctx.err(
                &format!("{p}.distance_km"),
                format!("{d} is not allowed; a distance must be > 0 km"),
            ));
        }
        let time = match (&l.time, l.speed_kmh) {
            (Some(t), None) => build_dist(ctx, &format!("{p}.time"), t, emp)?,
            (None, Some(v)) => {
                if !(v.is_finite() && v > 0.0) {
                    return Err(ctx.err(
                        &format!("{p}.speed_kmh"),
                        format!("{v} is not allowed; a speed must be > 0 km/h"),
                    ));
                }
                let Some(d) = l.distance_km else {
                    return Err(ctx.err(
                        &p,
                        "`speed_kmh` needs `distance_km` (travel time = distance / speed)",
                    ));
                };
                Dist::fixed(d / v * 3600.0).map_err(|e| ctx.err(&p, e.0))?
            }
            _ => {
                return Err(ctx.err(&p, "give the travel time either as `time` (a distribution) or as `speed_kmh` with `distance_km`, not both"));
            }
        };
        let headway = headway_value(ctx, &p, &l.headway, l.trains_per_day)?;
        links.push(LinkModel {
            from,
            to,
            time,
            distance_km: l.distance_km,
            headway,
        });
    }
    Ok(links)
}

/// The parameters each distribution family takes, in the order they are documented.
pub const FAMILIES: &[(&str, &[&str])] = &[
    ("fixed", &["value"]),
    ("exponential", &["mean"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["mean", "cv"]),
    ("gamma", &["mean", "cv"]),
    ("erlang", &["k", "mean"]),
    ("weibull", &["shape", "scale"]),
    ("empirical", &["file", "column", "unit"]),
];

fn given(d: &DistSpec) -> Vec<&'static str> {
    let mut v = Vec::new();
    let mut add = |present: bool, name: &'static str| {
        if present {
            v.push(name)
        }
    };
    add(d.value.is_some(), "value");
    add(d.mean.is_some(), "mean");
    add(d.min.is_some(), "min");
    add(d.mode.is_some(), "mode");
    add(d.max.is_some(), "max");
    add(d.sd.is_some(), "sd");
    add(d.scale.is_some(), "scale");
    add(d.cv.is_some(), "cv");
    add(d.k.is_some(), "k");
    add(d.shape.is_some(), "shape");
    add(d.file.is_some(), "file");
    add(d.column.is_some(), "column");
    add(d.unit.is_some(), "unit");
    v
}

pub(crate) fn build_dist(
    ctx: &Ctx,
    p: &str,
    d: &DistSpec,
    emp: &mut EmpiricalCache,
) -> Result<Dist> {
    let Some(&(family, params)) = FAMILIES.iter().find(|(f, _)| *f == d.dist) else {
        let names: Vec<&str> = FAMILIES.iter().map(|(f, _)| *f).collect();
        return Err(ctx.err(
            &format!("{p}.dist"),
            format!(
                "unknown distribution \"{}\"; allowed: {}",
                d.dist,
                names.join(", ")
            ),
        ));
    };
    for g in given(d) {
        if !params.contains(&g) {
            return Err(ctx.err(
                &format!("{p}.{g}"),
                format!(
                    "`{g}` is not a parameter of `{family}`; it takes: {}",
                    params.join(", ")
                ),
            ));
        }
    }
    let need = |name: &str| {
        ctx.err(
            p,
            format!(
                "`{family}` needs `{name}` (it takes: {})",
                params.join(", ")
            ),
        )
    };
    let dur = |name: &str, v: &Option<Duration>| -> Result<f64> {
        v.as_ref().map(|d| d.secs).ok_or_else(|| need(name))
    };
    let text = |v: &Option<Duration>| v.as_ref().map_or(String::new(), |d| d.text.clone());
    let positive = |name: &str, v: &Option<Duration>| -> Result<f64> {
        let x = dur(name, v)?;
        if x <= 0.0 {
            return Err(ctx.err(
                &format!("{p}.{name}"),
                format!("\"{}\" is not allowed; `{name}` must be > 0", text(v)),
            ));
        }
        Ok(x)
    };
    let non_negative = |name: &str, v: &Option<Duration>| -> Result<f64> {
        let x = dur(name, v)?;
        if x < 0.0 {
            return Err(ctx.err(
                &format!("{p}.{name}"),
                format!("\"{}\" is not allowed; `{name}` must be >= 0", text(v)),
            ));
        }
        Ok(x)
    };
    let cv = |positive_only: bool| -> Result<f64> {
        let c = d.cv.ok_or_else(|| need("cv"))?;
        let ok = c.is_finite() && if positive_only { c > 0.0 } else { c >= 0.0 };
        if !ok {
            let rule = if positive_only { "> 0" } else { ">= 0" };
            return Err(ctx.err(
                &format!("{p}.cv"),
                format!("{c} is not allowed; the coefficient of variation must be {rule}"),
            ));
        }
        Ok(c)
    };
    let built = match family {
        "fixed" => Dist::fixed(non_negative("value", &d.value)?),
        "exponential" => Dist::exponential(positive("mean", &d.mean)?),
        "uniform" => {
            let min = non_negative("min", &d.min)?;
            let max = non_negative("max", &d.max)?;
            if max < min {
                return Err(ctx.err(
                    &format!("{p}.max"),
                    format!(
                        "max \"{}\" is less than min \"{}\"; need min <= max",
                        text(&d.max),
                        text(&d.min)
                    ),
                ));
            }
            Dist::uniform(min, max)
        }
        "triangular" => {
            let min = non_negative("min", &d.min)?;
            let mode = non_negative("mode", &d.mode)?;
            let max = non_negative("max", &d.max)?;
            if max <= min {
                return Err(ctx.err(
                    &format!("{p}.max"),
                    format!(
                        "max \"{}\" is not greater than min \"{}\"; need min < max",
                        text(&d.max),
                        text(&d.min)
                    ),
                ));
            }
            if !(min..=max).contains(&mode) {
                return Err(ctx.err(
                    &format!("{p}.mode"),
                    format!(
                        "mode \"{}\" lies outside [min, max] = [\"{}\", \"{}\"]",
                        text(&d.mode),
                        text(&d.min),
                        text(&d.max)
                    ),
                ));
            }
            Dist::triangular(min, mode, max)
        }
        "normal" => Dist::normal(positive("mean", &d.mean)?, non_negative("sd", &d.sd)?),
        "lognormal" => Dist::lognormal(positive("mean", &d.mean)?, cv(false)?),
        "gamma" => Dist::gamma(positive("mean", &d.mean)?, cv(true)?),
        "erlang" => {
            let k = d.k.ok_or_else(|| need("k"))?;
            if !(1..=1000).contains(&k) {
                return Err(ctx.err(&format!("{p}.k"), format!("{k} is not allowed; the number of phases k must be a whole number from 1 to 1000")));
            }
            Dist::erlang(k as u32, positive("mean", &d.mean)?)
        }
        "weibull" => {
            let shape = d.shape.ok_or_else(|| need("shape"))?;
            if !(shape.is_finite() && shape > 0.0) {
                return Err(ctx.err(
                    &format!("{p}.shape"),
                    format!("{shape} is not allowed; shape must be > 0"),
                ));
            }
            Dist::weibull(shape, positive("scale", &d.scale)?)
        }
        "empirical" => {
            let file = d.file.as_ref().ok_or_else(|| need("file"))?;
            let column = d.column.as_ref().ok_or_else(|| need("column"))?;
            let unit = d.unit.as_deref().unwrap_or("h");
            let scale = match unit {
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3_600.0,
                "d" => 86_400.0,
                "w" => 604_800.0,
                other => {
                    return Err(ctx.err(
                        &format!("{p}.unit"),
                        format!(
                            "unknown unit \"{other}\"; allowed: {}",
                            super::duration::UNITS
                        ),
                    ));
                }
            };
            let values = emp.load(ctx, p, &ctx.dir().join(file), column)?;
            Dist::empirical(values.iter().map(|v| v * scale).collect())
        }
        _ => unreachable!("every family in FAMILIES is handled"),
    };
    built.map_err(|e| ctx.err(p, e.0))
}

/// Empirical CSV columns, read once per (file, column).
#[derive(Default)]
pub(crate) struct EmpiricalCache {
    loaded: HashMap<(PathBuf, String), Vec<f64>>,
}

impl EmpiricalCache {
    fn load(&mut self, ctx: &Ctx, p: &str, path: &Path, column: &str) -> Result<&Vec<f64>> {
        let key = (path.to_path_buf(), column.to_string());
        if !self.loaded.contains_key(&key) {
            let values = read_column(ctx, p, path, column)?;
            self.loaded.insert(key.clone(), values);
        }
        Ok(&self.loaded[&key])
    }
}

fn read_column(ctx: &Ctx, p: &str, path: &Path, column: &str) -> Result<Vec<f64>> {
    let file_err = |line: Option<usize>, msg: String| Error::Scenario {
        file: path.to_path_buf(),
        line_col: line.map(|l| (l, 1)),
        path: String::new(),
        message: format!("{msg} (empirical data for {p} in {})", ctx.file.display()),
    };
    let f = std::fs::File::open(path).map_err(|e| {
        ctx.err(
            &format!("{p}.file"),
            format!(
                "cannot open empirical data file \"{}\": {e}",
                path.display()
            ),
        )
    })?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(f);
    let headers = rdr
        .headers()
        .map_err(|e| file_err(Some(1), format!("cannot read the header row: {e}")))?
        .clone();
    let Some(ci) = headers.iter().position(|h| h.trim() == column) else {
        let names: Vec<&str> = headers.iter().collect();
        return Err(ctx.err(
            &format!("{p}.column"),
            format!(
                "column \"{column}\" is not in \"{}\"; its columns are: {}",
                path.display(),
                names.join(", ")
            ),
        ));
    };
    let mut values = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            file_err(
                e.position().map(|pos| pos.line() as usize),
                format!("cannot read: {e}"),
            )
        })?;
        let line = rec.position().map_or(0, |pos| pos.line() as usize);
        let cell = rec.get(ci).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v: f64 = cell.parse().map_err(|_| {
            file_err(
                Some(line),
                format!("column \"{column}\" holds \"{cell}\", which is not a number"),
            )
        })?;
        if !v.is_finite() || v < 0.0 {
            return Err(file_err(
                Some(line),
                format!("column \"{column}\" holds {cell}; durations must be finite and >= 0"),
            ));
        }
        values.push(v);
    }
    if values.is_empty() {
        return Err(ctx.err(
            &format!("{p}.column"),
            format!(
                "column \"{column}\" of \"{}\" has no numeric values",
                path.display()
            ),
        ));
    }
    Ok(values)
}

fn node_name(ix: &HashMap<String, usize>, n: usize) -> &str {
    ix.iter()
        .find(|(_, v)| **v == n)
        .map_or("?", |(k, _)| k.as_str())
}

fn build_service(
    ctx: &Ctx,
    i: usize,
    sv: &super::file::ServiceSpec,
    node_ix: &HashMap<String, usize>,
    service_ix: &mut HashMap<String, usize>,
    emp: &mut EmpiricalCache,
    start_day: i64,
) -> Result<ServiceModel> {
    let p = format!("services[{i}]");
    if !valid_id(&sv.id) {
        return Err(ctx.err(
            &format!("{p}.id"),
            format!("\"{}\" is not a valid id; {ID_RULE}", sv.id),
        ));
    }
    if node_ix.contains_key(&sv.id) {
        return Err(ctx.err(&format!("{p}.id"), format!("\"{}\" is already a node id; services and nodes share one namespace because routes name both", sv.id)));
    }
    if service_ix.insert(sv.id.clone(), i).is_some() {
        return Err(ctx.err(
            &format!("{p}.id"),
            format!("duplicate service id \"{}\"", sv.id),
        ));
    }
    if !SERVICE_MODES.contains(&sv.mode.as_str()) {
        return Err(ctx.err(
            &format!("{p}.mode"),
            format!(
                "unknown mode \"{}\"; allowed: {}",
                sv.mode,
                SERVICE_MODES.join(", ")
            ),
        ));
    }
    let end = |field: &str, id: &str| {
        node_ix
            .get(id)
            .copied()
            .ok_or_else(|| ctx.err(&format!("{p}.{field}"), format!("no node has id \"{id}\"")))
    };
    let from = end("from", &sv.from)?;
    let to = end("to", &sv.to)?;
    let capacity_teu = match (sv.capacity_teu, sv.wagons, sv.teu_per_wagon) {
        (Some(c), None, None) if (1..=1_000_000).contains(&c) => c as u32,
        (Some(c), None, None) => {
            return Err(ctx.err(
                &format!("{p}.capacity_teu"),
                format!(
                    "{c} is not allowed; capacity must be a whole number of TEU from 1 to 1000000"
                ),
            ));
        }
        (None, Some(w), Some(t)) => {
            if !(1..=10_000).contains(&w) {
                return Err(ctx.err(
                    &format!("{p}.wagons"),
                    format!("{w} is not allowed; wagons per carrier must be from 1 to 10000"),
                ));
            }
            if !(t.is_finite() && t > 0.0 && t <= 10.0) {
                return Err(ctx.err(
                    &format!("{p}.teu_per_wagon"),
                    format!("{t} is not allowed; TEU per wagon must be > 0 and <= 10"),
                ));
            }
            let c = (w as f64 * t).floor();
            if c < 1.0 {
                return Err(ctx.err(&p, format!("{w} wagons x {t} TEU is less than 1 TEU")));
            }
            c as u32
        }
        _ => {
            return Err(ctx.err(
                &p,
                "give the capacity either as `capacity_teu`, or as `wagons` and `teu_per_wagon`",
            ));
        }
    };
    let fleet =
        match sv.fleet.unwrap_or(1) {
            f if (1..=100_000).contains(&f) => f as u32,
            f => return Err(ctx.err(
                &format!("{p}.fleet"),
                format!(
                    "{f} is not allowed; the fleet is a whole number of carriers from 1 to 100000"
                ),
            )),
        };
    let only = |field: &str, given: bool, rule: &str| -> Result<()> {
        if given {
            Err(ctx.err(
                &format!("{p}.{field}"),
                format!("`{field}` is only used with departure = \"{rule}\""),
            ))
        } else {
            Ok(())
        }
    };
    let departure = match sv.departure.as_str() {
        "timetable" => {
            only("max_wait", sv.max_wait.is_some(), "when_full_or_max_wait")?;
            match (&sv.every, &sv.times) {
                (Some(e), None) => {
                    let period = positive_duration(ctx, &format!("{p}.every"), e)?;
                    Departure::Timetable {
                        offsets: vec![period],
                        period,
                    }
                }
                (None, Some(times)) if !times.is_empty() => {
                    let offset = utc_offset(ctx, &p, &sv.utc_offset)?;
                    let week = crate::engine::time::MS_PER_WEEK;
                    // Local minutes of the week at time zero (1970-01-01 was a Thursday).
                    let phase_min =
                        (start_day * 1440 + offset + 3 * 1440).rem_euclid(10_080) as u64;
                    let mut offsets = Vec::new();
                    for (j, t) in times.iter().enumerate() {
                        let m =
                            weekly_time(t).map_err(|e| ctx.err(&format!("{p}.times[{j}]"), e))?;
                        let ms = ((m + 10_080 - phase_min) % 10_080)
                            * crate::engine::time::MS_PER_MINUTE;
                        offsets.push(SimDur(if ms == 0 { week } else { ms }));
                    }
                    offsets.sort_unstable();
                    offsets.dedup();
                    Departure::Timetable {
                        offsets,
                        period: SimDur(week),
                    }
                }
                _ => {
                    return Err(ctx.err(&p, "a timetable needs either `every` (a duration, e.g. \"12h\") or `times` (weekly times, e.g. [\"Tue 06:00\", \"Fri 18:00\"]), not both"));
                }
            }
        }
        "when_full" => {
            only("max_wait", sv.max_wait.is_some(), "when_full_or_max_wait")?;
            only("every", sv.every.is_some(), "timetable")?;
            only("times", sv.times.is_some(), "timetable")?;
            Departure::WhenFull
        }
        "when_full_or_max_wait" => {
            only("every", sv.every.is_some(), "timetable")?;
            only("times", sv.times.is_some(), "timetable")?;
            let w = sv.max_wait.as_ref().ok_or_else(|| {
                ctx.err(
                    &p,
                    "departure = \"when_full_or_max_wait\" needs `max_wait` (a duration)",
                )
            })?;
            Departure::WhenFullOrMaxWait(positive_duration(ctx, &format!("{p}.max_wait"), w)?)
        }
        other => {
            return Err(ctx.err(
                &format!("{p}.departure"),
                format!(
                    "unknown departure rule \"{other}\"; allowed: {}",
                    DEPARTURE_RULES.join(", ")
                ),
            ));
        }
    };
    let opt =
        |field: &str, d: &Option<DistSpec>, emp: &mut EmpiricalCache| -> Result<Option<Dist>> {
            d.as_ref()
                .map(|d| build_dist(ctx, &format!("{p}.{field}"), d, emp))
                .transpose()
        };
    let headway = headway_value(ctx, &p, &sv.headway, sv.trains_per_day)?;
    let handling_per_teu = match sv.handling_per.as_deref() {
        None | Some("carrier") => false,
        Some("teu") => true,
        Some(other) => {
            return Err(ctx.err(
                &format!("{p}.handling_per"),
                format!(
                    "\"{other}\" is not allowed; handling_per is \"carrier\" (default) or \"teu\""
                ),
            ));
        }
    };
    let weather = match &sv.weather {
        None => None,
        Some(w) => {
            if !(0.0..=1.0).contains(&w.daily_probability) {
                return Err(ctx.err(
                    &format!("{p}.weather.daily_probability"),
                    format!(
                        "{} is not allowed; a probability must be in [0, 1]",
                        w.daily_probability
                    ),
                ));
            }
            Some((
                w.daily_probability,
                build_dist(ctx, &format!("{p}.weather.duration"), &w.duration, emp)?,
            ))
        }
    };
    let offset = utc_offset(ctx, &p, &sv.utc_offset)?;
    let sim = |local_min: i64| {
        let ms =
            (local_min - offset - start_day * 1440) * crate::engine::time::MS_PER_MINUTE as i64;
        SimTime(ms.max(0) as u64)
    };
    let closures = closure_windows(ctx, &p, &sv.closures)?
        .into_iter()
        .map(|(a, b)| (sim(a), sim(b)))
        .collect();
    Ok(ServiceModel {
        id: sv.id.clone(),
        mode: sv.mode.clone(),
        from,
        to,
        capacity_teu,
        fleet,
        departure,
        loading: opt("loading", &sv.loading, emp)?,
        unloading: opt("unloading", &sv.unloading, emp)?,
        travel: build_dist(ctx, &format!("{p}.travel"), &sv.travel, emp)?,
        return_trip: opt("return_trip", &sv.return_trip, emp)?,
        handling_per_teu,
        headway,
        weather,
        closures,
    })
}

/// A UTC offset field (`+HH:MM`), in minutes; zero when absent.
fn utc_offset(ctx: &Ctx, p: &str, o: &Option<String>) -> Result<i64> {
    match o {
        None => Ok(0),
        Some(o) => hours::parse_offset(o).map_err(|e| ctx.err(&format!("{p}.utc_offset"), e)),
    }
}

/// Dated closure windows `{ from, to }` in local minutes since 1970-01-01, each ending after it
/// starts.
fn closure_windows(
    ctx: &Ctx,
    p: &str,
    closures: &Option<Vec<super::file::ClosureSpec>>,
) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for (j, c) in closures.iter().flatten().enumerate() {
        let at = |f: &str| format!("{p}.closures[{j}].{f}");
        let from = hours::parse_datetime(&c.from).map_err(|e| ctx.err(&at("from"), e))?;
        let to = hours::parse_datetime(&c.to).map_err(|e| ctx.err(&at("to"), e))?;
        if to <= from {
            return Err(ctx.err(
                &at("to"),
                format!(
                    "\"{}\" is not after \"{}\"; a closure must end after it starts",
                    c.to, c.from
                ),
            ));
        }
        out.push((from, to));
    }
    Ok(out)
}

/// A path capacity: `headway` (a duration) or `trains_per_day` (headway = 24 h / N).
fn headway_value(
    ctx: &Ctx,
    p: &str,
    headway: &Option<Duration>,
    per_day: Option<f64>,
) -> Result<Option<SimDur>> {
    match (headway, per_day) {
        (None, None) => Ok(None),
        (Some(h), None) => Ok(Some(positive_duration(ctx, &format!("{p}.headway"), h)?)),
        (None, Some(n)) if n.is_finite() && n > 0.0 => {
            Ok(Some(SimDur::from_secs_f64(86_400.0 / n)))
        }
        (None, Some(n)) => Err(ctx.err(
            &format!("{p}.trains_per_day"),
            format!("{n} is not allowed; trains per day must be > 0"),
        )),
        (Some(_), Some(_)) => Err(ctx.err(
            p,
            "give the path capacity as `headway` or as `trains_per_day`, not both",
        )),
    }
}

/// Parses a weekly time `Tue 06:00` into minutes of the week (Monday 00:00 = 0).
fn weekly_time(s: &str) -> std::result::Result<u64, String> {
    let bad = || {
        format!(
            "\"{s}\" is not a weekly time; write a day and a time like \"Tue 06:00\" (days: {})",
            hours::DAYS.join(", ")
        )
    };
    let (d, t) = s.trim().split_once(' ').ok_or_else(bad)?;
    let day = hours::DAYS
        .iter()
        .position(|x| *x == d.trim())
        .ok_or_else(bad)?;
    let m = hours::parse_clock(t).map_err(|_| bad())?;
    if m >= 1440 {
        return Err(bad());
    }
    Ok(day as u64 * 1440 + m)
}

/// A yard must hold the largest consignment that enters it and the largest carrier load that
/// unloads into it, or they would wait at its gate for ever.
fn check_yards(
    ctx: &Ctx,
    nodes: &[NodeModel],
    flows: &[FlowModel],
    services: &[ServiceModel],
) -> Result<()> {
    for (i, n) in nodes.iter().enumerate() {
        let NodeKind::Station {
            yard_teu: Some(y), ..
        } = n.kind
        else {
            continue;
        };
        for f in flows.iter().filter(|f| f.route.contains(&i)) {
            if f.teu > y {
                return Err(ctx.err(&format!("nodes[{i}].yard_teu"), format!(
                    "{y} TEU cannot hold one consignment of flow \"{}\" ({} TEU); the yard must hold at least the largest consignment",
                    f.id, f.teu
                )));
            }
        }
        for s in services.iter().filter(|s| s.to == i) {
            if s.capacity_teu > y {
                return Err(ctx.err(&format!("nodes[{i}].yard_teu"), format!(
                    "{y} TEU cannot take a full carrier of service \"{}\" ({} TEU); the yard must hold at least one full load",
                    s.id, s.capacity_teu
                )));
            }
        }
    }
    Ok(())
}

fn build_pipeline(
    ctx: &Ctx,
    i: usize,
    pl: &super::file::PipelineSpec,
    ids: &mut HashSet<String>,
    emp: &mut EmpiricalCache,
) -> Result<PipelineModel> {
    let p = format!("pipelines[{i}]");
    unique_id(ctx, &p, &pl.id, ids, "pipeline")?;
    if !PIPELINE_UNITS.contains(&pl.unit.as_str()) {
        return Err(ctx.err(
            &format!("{p}.unit"),
            format!(
                "unknown unit \"{}\"; allowed: {} (tonnes, barrels)",
                pl.unit,
                PIPELINE_UNITS.join(", ")
            ),
        ));
    }
    for (name, v) in [
        ("capacity_per_day", pl.capacity_per_day),
        ("demand_per_day", pl.demand_per_day),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(ctx.err(
                &format!("{p}.{name}"),
                format!("{v} is not allowed; a rate must be > 0 {} per day", pl.unit),
            ));
        }
    }
    if pl.transit.secs < 0.0 {
        return Err(ctx.err(
            &format!("{p}.transit"),
            format!(
                "\"{}\" is negative; a transit time must be >= 0",
                pl.transit.text
            ),
        ));
    }
    let outages = match &pl.outages {
        None => None,
        Some(o) => {
            if !(0.0..=1.0).contains(&o.daily_probability) {
                return Err(ctx.err(
                    &format!("{p}.outages.daily_probability"),
                    format!(
                        "{} is not allowed; a probability must be in [0, 1]",
                        o.daily_probability
                    ),
                ));
            }
            Some((
                o.daily_probability,
                build_dist(ctx, &format!("{p}.outages.duration"), &o.duration, emp)?,
            ))
        }
    };
    Ok(PipelineModel {
        id: pl.id.clone(),
        from: pl.from.clone(),
        to: pl.to.clone(),
        unit: pl.unit.clone(),
        capacity_per_day: pl.capacity_per_day,
        demand_per_day: pl.demand_per_day,
        transit: SimDur::from_secs_f64(pl.transit.secs),
        outages,
    })
}
