//! Serde structures that mirror the scenario file exactly. Nothing here is validated beyond
//! types; `scenario/validate/` turns a [`ScenarioFile`] into a checked, immutable
//! [`super::Model`].

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::duration::Duration;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScenarioFile {
    /// `[scenario]`: name, horizon, warm-up, replications, seed.
    pub scenario: ScenarioSection,
    /// `[[nodes]]`.
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
    /// `[[links]]`.
    #[serde(default)]
    pub links: Vec<LinkSpec>,
    /// `[[flows]]`.
    #[serde(default)]
    pub flows: Vec<FlowSpec>,
    /// `[digitisation]`: the corridor-wide level and the parameters of its effect.
    pub digitisation: Option<DigitisationSpec>,
    /// `[[services]]`: carriers (trains, vessels, ferries) between two nodes.
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    /// `[[pipelines]]`: continuous product flows.
    #[serde(default)]
    pub pipelines: Vec<PipelineSpec>,
    /// `[profile]`: the demand profile over time of every flow.
    pub profile: Option<ProfileSpec>,
    /// `[[changes]]`: capacities changed on dates.
    #[serde(default)]
    pub changes: Vec<ChangeSpec>,
    /// `[costs]`: cost and emission outputs, and their scenario-wide defaults.
    pub costs: Option<CostsSpec>,
}

/// `[costs]`: asks for the cost and emission rows (also asked by any `charges` or emission
/// field on an element).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct CostsSpec {
    /// Cargo tonnes per TEU of every flow that does not say.
    pub tonnes_per_teu: Option<f64>,
}

/// One charge of an element: `{ item = "freight", per = "teu", usd = 800 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChargeSpec {
    /// What it pays for: freight, handling, storage, fee or informal.
    pub item: String,
    /// What it is charged per: teu, consignment, teu_km, hour or teu_day.
    pub per: String,
    /// US dollars per unit.
    pub usd: f64,
    /// Free text for the reader (the source), not used by the run.
    #[serde(default)]
    #[allow(dead_code)]
    pub note: String,
}

/// A demand profile m(t): `[profile]` or a flow's `profile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfileSpec {
    /// Compound growth per year from the scenario start.
    pub growth: Option<f64>,
    /// Twelve factors, January first.
    pub monthly: Option<Vec<f64>>,
    /// Seven factors, Monday first.
    pub weekly: Option<Vec<f64>>,
    /// From a date on, multiply by a factor.
    #[serde(default)]
    pub steps: Vec<StepSpec>,
    /// Linear from 1 to a factor between two dates, the factor after.
    #[serde(default)]
    pub ramps: Vec<RampSpec>,
}

/// A dated step of a profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StepSpec {
    pub from: String,
    pub factor: f64,
}

/// A ramp of a profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RampSpec {
    pub from: String,
    pub to: String,
    pub factor: f64,
}

/// `[[changes]]`: on `date`, the capacities in `set` of one element change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangeSpec {
    pub date: String,
    pub element: String,
    pub set: ChangeSetSpec,
    #[serde(default)]
    #[allow(dead_code)] // free text for the reader (sources), not used by the run
    pub note: String,
}

/// What a dated change sets: each field as in the element itself.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangeSetSpec {
    pub servers: Option<Servers>,
    pub lanes: Option<i64>,
    pub inspection_bays: Option<i64>,
    pub technical_tracks: Option<Servers>,
    pub berths: Option<i64>,
    pub yard_teu: Option<i64>,
    pub fleet: Option<i64>,
    pub capacity_teu: Option<i64>,
    pub every: Option<Duration>,
    pub headway: Option<Duration>,
    pub trains_per_day: Option<f64>,
    pub time: Option<DistSpec>,
    pub digitisation: Option<Level>,
    pub hours: Option<Vec<String>>,
    /// A flow's route shares, by route id.
    pub shares: Option<std::collections::BTreeMap<String, f64>>,
}

impl ChangeSetSpec {
    /// Each field's name, and whether the file gives it.
    pub(super) fn given(&self) -> [(&'static str, bool); 15] {
        [
            ("servers", self.servers.is_some()),
            ("lanes", self.lanes.is_some()),
            ("inspection_bays", self.inspection_bays.is_some()),
            ("technical_tracks", self.technical_tracks.is_some()),
            ("digitisation", self.digitisation.is_some()),
            ("hours", self.hours.is_some()),
            ("berths", self.berths.is_some()),
            ("yard_teu", self.yard_teu.is_some()),
            ("fleet", self.fleet.is_some()),
            ("capacity_teu", self.capacity_teu.is_some()),
            ("every", self.every.is_some()),
            ("headway", self.headway.is_some()),
            ("trains_per_day", self.trains_per_day.is_some()),
            ("time", self.time.is_some()),
            ("shares", self.shares.is_some()),
        ]
    }
}

/// `[[pipelines]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PipelineSpec {
    pub id: String,
    pub from: String,
    pub to: String,
    pub unit: String,
    pub capacity_per_day: f64,
    pub demand_per_day: f64,
    pub transit: Duration,
    pub outages: Option<WeatherSpec>,
}

/// `[[services]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ServiceSpec {
    pub id: String,
    pub mode: String,
    pub from: String,
    pub to: String,
    pub capacity_teu: Option<i64>,
    pub wagons: Option<i64>,
    pub teu_per_wagon: Option<f64>,
    pub fleet: Option<i64>,
    pub departure: String,
    pub every: Option<Duration>,
    pub times: Option<Vec<String>>,
    pub utc_offset: Option<String>,
    pub max_wait: Option<Duration>,
    pub loading: Option<DistSpec>,
    pub handling_per: Option<String>,
    pub unloading: Option<DistSpec>,
    pub travel: DistSpec,
    pub return_trip: Option<DistSpec>,
    pub headway: Option<Duration>,
    pub trains_per_day: Option<f64>,
    pub weather: Option<WeatherSpec>,
    pub closures: Option<Vec<ClosureSpec>>,
    /// Length of the leg in km (charges per TEU-km, emissions).
    pub distance_km: Option<f64>,
    /// Rail traction (`electric`, `diesel`) or sea vessel (`ropax`, `feeder`), for the
    /// default emission factor.
    pub traction: Option<String>,
    /// Emission factor overriding the default, kg CO2e per tonne-km.
    pub co2e_kg_per_tkm: Option<f64>,
    /// Emissions of a carrier while it waits (berth, path, weather, yard), kg CO2e per hour.
    pub idle_co2e_kg_per_hour: Option<f64>,
    /// Charges of the leg.
    pub charges: Option<Vec<ChargeSpec>>,
}

/// Random weather closures of a sea leg.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WeatherSpec {
    pub daily_probability: Option<f64>,
    /// Twelve daily probabilities, one per calendar month (services' weather only).
    pub monthly_probability: Option<Vec<f64>>,
    pub duration: DistSpec,
}

/// A digitisation level: a number from 0 (paper) to 1 (fully digital) or a name.
#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    Number(f64),
    Name(String),
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Level;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a number from 0 to 1 or a level name")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Level, E> {
                Ok(Level::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Level, E> {
                Ok(Level::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Level, E> {
                Ok(Level::Number(v as f64))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Level, E> {
                Ok(Level::Name(s.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parameters of the digitisation model; every one optional, with documented defaults.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct DigitisationParamsSpec {
    pub document_factor: Option<f64>,
    pub variability_factor: Option<f64>,
    pub yellow_factor: Option<f64>,
    pub red_factor: Option<f64>,
    pub pre_arrival_from: Option<f64>,
}

/// `[digitisation]`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct DigitisationSpec {
    pub level: Option<Level>,
    pub document_factor: Option<f64>,
    pub variability_factor: Option<f64>,
    pub yellow_factor: Option<f64>,
    pub red_factor: Option<f64>,
    pub pre_arrival_from: Option<f64>,
}

impl DigitisationSpec {
    /// The model parameters of this section (without the level).
    pub(super) fn params(&self) -> DigitisationParamsSpec {
        DigitisationParamsSpec {
            document_factor: self.document_factor,
            variability_factor: self.variability_factor,
            yellow_factor: self.yellow_factor,
            red_factor: self.red_factor,
            pre_arrival_from: self.pre_arrival_from,
        }
    }
}

/// Channel shares at level 0 (paper).
#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(super) struct ChannelsSpec {
    pub green: f64,
    pub yellow: f64,
    pub red: f64,
}

/// A dated closure window, local time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClosureSpec {
    pub from: String,
    pub to: String,
}

/// `[scenario]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScenarioSection {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub horizon: Duration,
    pub warmup: Option<WarmupSpec>,
    pub replications: Option<i64>,
    pub seed: Option<u64>,
    /// Calendar date of simulation time zero (midnight UTC), `YYYY-MM-DD`.
    pub start: Option<String>,
    /// Demand factor of every flow (multiplies arrival rates).
    pub demand: Option<f64>,
    /// Width of the time bins of timeseries.csv and of the trends.
    pub period: Option<Duration>,
    /// Rows per calendar period: `year`, `quarter` or `month`.
    pub periods: Option<String>,
    /// A CSV file of dated disruptions (closures and capacity cuts).
    pub disruptions: Option<String>,
}

/// `[[nodes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NodeSpec {
    pub id: String,
    pub kind: String,
    // any kind: where the node is (degrees, WGS 84), for maps only
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    // kind = "station"
    pub servers: Option<Servers>,
    pub service: Option<DistSpec>,
    pub service_per: Option<String>,
    pub teu_per_wagon: Option<f64>,
    pub berths: Option<i64>,
    pub yard_teu: Option<i64>,
    // kind = "border"
    pub lanes: Option<i64>,
    pub documents: Option<DistSpec>,
    pub channels: Option<ChannelsSpec>,
    pub document_check: Option<DistSpec>,
    pub inspection: Option<DistSpec>,
    pub inspection_bays: Option<i64>,
    pub technical: Option<DistSpec>,
    pub technical_tracks: Option<Servers>,
    pub controls: Option<i64>,
    pub joint_control: Option<bool>,
    pub hours: Option<Vec<String>>,
    pub utc_offset: Option<String>,
    pub holidays: Option<Vec<String>>,
    pub closures: Option<Vec<ClosureSpec>>,
    pub preemption: Option<bool>,
    pub digitisation: Option<Level>,
    pub digitisation_model: Option<DigitisationParamsSpec>,
    // kind = "border": opening hours by season
    pub seasons: Option<Vec<SeasonSpec>>,
    // any kind: charges at the node, and emissions per consignment-hour there (idling trucks)
    pub charges: Option<Vec<ChargeSpec>>,
    pub idle_co2e_kg_per_hour: Option<f64>,
}

/// A border's opening hours in some months of the year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SeasonSpec {
    pub months: Vec<i64>,
    pub hours: Vec<String>,
}

/// A server count: a whole number or `"unlimited"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Servers {
    Count(i64),
    Unlimited,
}

impl<'de> Deserialize<'de> for Servers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Servers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a positive whole number or \"unlimited\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Servers, E> {
                Ok(Servers::Count(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Servers, E> {
                Ok(Servers::Count(v.min(i64::MAX as u64) as i64))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Servers, E> {
                if s == "unlimited" {
                    Ok(Servers::Unlimited)
                } else {
                    Err(E::custom(format!(
                        "servers = \"{s}\" is not allowed; use a positive whole number or \"unlimited\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `[[links]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LinkSpec {
    pub from: String,
    pub to: String,
    pub time: Option<DistSpec>,
    pub distance_km: Option<f64>,
    pub speed_kmh: Option<f64>,
    pub headway: Option<Duration>,
    pub trains_per_day: Option<f64>,
    /// `rail`, `road` or `sea`: picks the default emission factor.
    pub mode: Option<String>,
    /// Rail traction or sea vessel, as on a service.
    pub traction: Option<String>,
    /// Emission factor overriding the default, kg CO2e per tonne-km.
    pub co2e_kg_per_tkm: Option<f64>,
    /// Charges of the link.
    pub charges: Option<Vec<ChargeSpec>>,
}

/// `[[flows]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FlowSpec {
    pub id: String,
    /// The one route (`route`), or none when the flow lists `routes`.
    pub route: Option<Vec<String>>,
    pub arrivals: DistSpec,
    pub teu: Option<i64>,
    pub priority: Option<i64>,
    pub target_transit: Option<Duration>,
    pub demand: Option<f64>,
    /// First date on which consignments are created.
    pub start: Option<String>,
    /// Last date on which consignments are created.
    pub end: Option<String>,
    /// The flow's own demand profile.
    pub profile: Option<ProfileSpec>,
    /// `[[flows.routes]]`: alternative routes (instead of `route`).
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
    /// How a consignment chooses among `routes`: `shares`, `cheapest` or `logit`.
    pub choice: Option<String>,
    /// The logit's scale theta, per USD of generalised cost per TEU.
    pub logit_scale: Option<f64>,
    /// How the expected transit time of each route is learned.
    pub learning: Option<LearningSpec>,
    /// Cargo tonnes per TEU (CPMM indicators per 20 t, emissions per tonne-km).
    pub tonnes_per_teu: Option<f64>,
    /// Value of time, USD per TEU-hour: generalised cost = charges + value of time x transit.
    pub value_of_time: Option<f64>,
}

/// One of a flow's alternative routes, `[[flows.routes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RouteSpec {
    pub id: String,
    pub route: Vec<String>,
    /// Fixed share of the flow's consignments (`choice = "shares"`).
    pub share: Option<f64>,
    /// TEU a day the route takes; past it, the next best route.
    pub capacity_teu_per_day: Option<f64>,
    /// First day the route is open (`YYYY-MM-DD`).
    pub opens: Option<String>,
    /// Expected transit before anything is delivered (default: the free-flow time).
    pub prior: Option<Duration>,
}

/// `learning`: how a flow learns the expected transit time of its routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LearningSpec {
    /// Time constant of the exponential smoothing over time.
    pub memory: Option<Duration>,
}

/// A distribution as written: `dist` names the family, the other fields are its parameters.
/// Which parameters each family takes is checked in validation, with messages that say so.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct DistSpec {
    pub dist: String,
    pub value: Option<Duration>,
    pub mean: Option<Duration>,
    pub min: Option<Duration>,
    pub mode: Option<Duration>,
    pub max: Option<Duration>,
    pub sd: Option<Duration>,
    pub scale: Option<Duration>,
    pub cv: Option<f64>,
    pub k: Option<i64>,
    pub shape: Option<f64>,
    pub file: Option<String>,
    pub column: Option<String>,
    pub unit: Option<String>,
}

/// `scenario.warmup`: a duration, or `"auto"` (MSER-5 on a pilot run).
#[derive(Debug)]
pub(super) enum WarmupSpec {
    /// Chosen by MSER-5 before the run.
    Auto,
    /// As given.
    Given(Duration),
}

impl<'de> Deserialize<'de> for WarmupSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = WarmupSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a duration string such as \"30d\", or \"auto\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<WarmupSpec, E> {
                if s.trim() == "auto" {
                    return Ok(WarmupSpec::Auto);
                }
                super::duration::parse_duration(s)
                    .map(WarmupSpec::Given)
                    .map_err(|e| E::custom(format!("{e}; or \"auto\" to choose it by MSER-5")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<WarmupSpec, E> {
                Err(E::custom(format!(
                    "warm-up {v} has no unit; write it as a string with a unit, e.g. \"{v}d\", or \"auto\""
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WarmupSpec, E> {
                self.visit_i64(v as i64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<WarmupSpec, E> {
                Err(E::custom(format!(
                    "warm-up {v} has no unit; write it as a string with a unit, e.g. \"{v}d\", or \"auto\""
                )))
            }
        }
        d.deserialize_any(V)
    }
}
