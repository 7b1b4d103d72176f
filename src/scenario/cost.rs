//! Charges and emission factors of a scenario's elements (the validated part of `charges`,
//! `mode`, `traction`, `co2e_kg_per_tkm` and `idle_co2e_kg_per_hour`), the built-in default
//! emission factors, and the expected charges of a route before running.
//!
//! The simulation adds charges and emissions to a consignment as it passes each node, link and
//! carrier trip (`sim/cost.rs`); this module only says what each element charges and emits.

use super::FlowModel;
use super::model::{Leg, Model, NodeKind};

/// What a charge pays for: the parts of a flow's cost in the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// Carriage: a freight rate, a rail tariff, a truck haul.
    Freight,
    /// Terminal handling (lifts, transshipment, gauge change).
    Handling,
    /// Storage and demurrage while at a node.
    Storage,
    /// Official fees: border and customs fees, tolls, port dues.
    Fee,
    /// Informal payments (as the CAREC CPMM records them, inside its border cost).
    Informal,
}

/// The items as written in a file, in the order of [`Item`] and of the outputs.
pub const ITEMS: &[&str] = &["freight", "handling", "storage", "fee", "informal"];

/// Number of items.
pub const N_ITEMS: usize = 5;

impl Item {
    /// The item written `s`, if any.
    pub fn parse(s: &str) -> Option<Item> {
        Some(match s {
            "freight" => Item::Freight,
            "handling" => Item::Handling,
            "storage" => Item::Storage,
            "fee" => Item::Fee,
            "informal" => Item::Informal,
            _ => return None,
        })
    }
}

/// What a charge is per.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    /// Each TEU of the consignment.
    Teu,
    /// The whole consignment.
    Consignment,
    /// Each TEU and km of the element's distance.
    TeuKm,
    /// Each hour the consignment occupies the element.
    Hour,
    /// Each TEU and day the consignment occupies the element (storage).
    TeuDay,
}

/// The units as written in a file.
pub const PERS: &[&str] = &["teu", "consignment", "teu_km", "hour", "teu_day"];

impl Per {
    /// The unit written `s`, if any.
    pub fn parse(s: &str) -> Option<Per> {
        Some(match s {
            "teu" => Per::Teu,
            "consignment" => Per::Consignment,
            "teu_km" => Per::TeuKm,
            "hour" => Per::Hour,
            "teu_day" => Per::TeuDay,
            _ => return None,
        })
    }
}

/// One charge: `usd` per unit of `per`, booked under `item`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Charge {
    /// What it pays for.
    pub item: Item,
    /// What it is per.
    pub per: Per,
    /// US dollars per unit.
    pub usd: f64,
}

/// What one element (node, link or service) charges and emits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ElementCost {
    /// Its charges, in file order.
    pub charges: Vec<Charge>,
    /// Its length in km (links and services), if known.
    pub km: Option<f64>,
    /// Emissions while moving, kg CO2e per tonne-km (the element's own or the default for its
    /// mode and traction); `None` when no factor applies (no mode, or no distance).
    pub co2e_kg_per_tkm: Option<f64>,
    /// Emissions per hour of waiting: per carrier-hour for a service, per consignment-hour at
    /// a node.
    pub idle_co2e_kg_per_hour: f64,
}

impl ElementCost {
    /// Whether it charges or emits anything at all.
    pub fn is_empty(&self) -> bool {
        self.charges.is_empty()
            && self.co2e_kg_per_tkm.is_none()
            && self.idle_co2e_kg_per_hour == 0.0
    }

    /// Adds the charges for a consignment of `teu` TEU that occupied the element for `hours`
    /// to `parts` (by item); returns their sum. Per-TEU-km charges use the element's `km`
    /// (validation allows them only where it is known).
    pub fn charge(&self, teu: u32, hours: f64, parts: &mut [f64; N_ITEMS]) -> f64 {
        let teu = teu as f64;
        let mut sum = 0.0;
        for c in &self.charges {
            let x = c.usd
                * match c.per {
                    Per::Teu => teu,
                    Per::Consignment => 1.0,
                    Per::TeuKm => teu * self.km.unwrap_or(0.0),
                    Per::Hour => hours,
                    Per::TeuDay => teu * hours / 24.0,
                };
            parts[c.item as usize] += x;
            sum += x;
        }
        sum
    }

    /// Adds only the charges that grow with time (`hour`, `teu_day`) for `hours` more of
    /// occupancy; returns their sum.
    pub fn charge_time(&self, teu: u32, hours: f64, parts: &mut [f64; N_ITEMS]) -> f64 {
        let teu = teu as f64;
        let mut sum = 0.0;
        for c in &self.charges {
            let x = c.usd
                * match c.per {
                    Per::Hour => hours,
                    Per::TeuDay => teu * hours / 24.0,
                    Per::Teu | Per::Consignment | Per::TeuKm => continue,
                };
            parts[c.item as usize] += x;
            sum += x;
        }
        sum
    }
}

/// The costs and emissions of a scenario that asks for them (`[costs]`, or any charge or
/// emission field).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CostModel {
    /// Per node, in the model's order.
    pub nodes: Vec<ElementCost>,
    /// Per link.
    pub links: Vec<ElementCost>,
    /// Per service.
    pub services: Vec<ElementCost>,
    /// Cargo tonnes per TEU, per flow.
    pub tonnes_per_teu: Vec<f64>,
}

impl CostModel {
    /// The links (`from->to`) and services (ids) of `model` that emit nothing while moving:
    /// without a distance, or without a mode or factor (what `corridor validate` lists).
    pub fn silent(&self, model: &Model) -> Vec<String> {
        let links = model
            .links
            .iter()
            .zip(&self.links)
            .filter(|(_, c)| c.co2e_kg_per_tkm.is_none())
            .map(|(l, _)| format!("{}->{}", model.nodes[l.from].id, model.nodes[l.to].id));
        let services = model
            .services
            .iter()
            .zip(&self.services)
            .filter(|(_, c)| c.co2e_kg_per_tkm.is_none())
            .map(|(s, _)| s.id.clone());
        links.chain(services).collect()
    }
}

/// Cargo tonnes per TEU when neither the flow nor `[costs]` says: the IMO EEOI guidance's
/// 10 t per loaded TEU (source S84).
pub const DEFAULT_TONNES_PER_TEU: f64 = 10.0;

/// The CAREC CPMM's normalised cargo, tonnes: its border and section costs are per 20 t.
pub const CPMM_TONNES: f64 = 20.0;

/// The CAREC CPMM's section length, km: its section cost is per 500 km.
pub const CPMM_KM: f64 = 500.0;

/// A default emission factor: mode, traction, kg CO2e per tonne-km while moving, kg CO2e per
/// carrier-hour waiting, and where each figure comes from (keys of `scenarios/SOURCES.md`).
#[derive(Clone, Copy, Debug)]
pub struct Factor {
    /// `rail`, `road` or `sea`.
    pub mode: &'static str,
    /// The traction or vessel.
    pub traction: &'static str,
    /// kg CO2e per tonne-km, well to wheel.
    pub kg_per_tkm: f64,
    /// kg CO2e per hour a carrier waits.
    pub idle_kg_per_hour: f64,
    /// Source of the moving factor (key and mark).
    pub source: &'static str,
    /// Source of the waiting factor.
    pub idle_source: &'static str,
}

/// The built-in default factors, one table (documented in scenarios/README.md, "Costs and
/// emissions"; every key in scenarios/SOURCES.md).
pub const FACTORS: &[Factor] = &[
    Factor {
        mode: "rail",
        traction: "electric",
        kg_per_tkm: 0.0243,
        idle_kg_per_hour: 0.0,
        source: "D (S132, S133, S87)",
        idle_source: "none found: 0",
    },
    Factor {
        mode: "rail",
        traction: "diesel",
        kg_per_tkm: 0.0221,
        idle_kg_per_hour: 35.8,
        source: "D (S132, S130)",
        idle_source: "S95, S88 (D)",
    },
    Factor {
        mode: "road",
        traction: "diesel",
        kg_per_tkm: 0.0950,
        idle_kg_per_hour: 5.0,
        source: "D (S130)",
        idle_source: "S92, S88 (D)",
    },
    Factor {
        mode: "sea",
        traction: "ropax",
        kg_per_tkm: 0.1248,
        idle_kg_per_hour: 300.0,
        source: "S83 (F, secondary)",
        idle_source: "E",
    },
    Factor {
        mode: "sea",
        traction: "feeder",
        kg_per_tkm: 0.0451,
        idle_kg_per_hour: 300.0,
        source: "D (S130)",
        idle_source: "E",
    },
];

/// The default factor of `mode` and `traction`, if the table has one.
pub fn factor(mode: &str, traction: &str) -> Option<&'static Factor> {
    FACTORS
        .iter()
        .find(|f| f.mode == mode && f.traction == traction)
}

/// The tractions the table knows for `mode`.
pub fn tractions(mode: &str) -> Vec<&'static str> {
    FACTORS
        .iter()
        .filter(|f| f.mode == mode)
        .map(|f| f.traction)
        .collect()
}

/// The traction assumed when a file gives none: only road has a single one.
pub fn default_traction(mode: &str) -> Option<&'static str> {
    match tractions(mode).as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The expected charges in USD per TEU of `flow` along `route` (node indices) travelled by
/// `legs`, before running: every node's and element's charges for one consignment of the
/// flow, with the charges per hour over mean durations (a station's mean service time, a
/// link's mean travel time, a carrier's mean loading, travel and unloading; no queueing, no
/// waiting for a carrier, no time at a border). Zero without costs.
pub(crate) fn expected_charges_per_teu(
    model: &Model,
    flow: &FlowModel,
    legs: &[Leg],
    route: &[usize],
) -> f64 {
    let Some(costs) = model.costs.as_deref() else {
        return 0.0;
    };
    let teu = flow.teu;
    let mut parts = [0.0; N_ITEMS];
    let mut sum = 0.0;
    for &n in route {
        let hours = match &model.nodes[n].kind {
            NodeKind::Station { service, per, .. } => service.mean_secs() * per.units(teu) / 3600.0,
            NodeKind::Border(_) => 0.0,
        };
        sum += costs.nodes[n].charge(teu, hours, &mut parts);
    }
    for leg in legs {
        sum += match *leg {
            Leg::Direct => 0.0,
            Leg::Link(l) => {
                let hours = model.links[l].time.mean_secs() / 3600.0;
                costs.links[l].charge(teu, hours, &mut parts)
            }
            Leg::Service(s) => {
                let sv = &model.services[s];
                let units = if sv.handling_per_teu { teu as f64 } else { 1.0 };
                let handling = [&sv.loading, &sv.unloading]
                    .into_iter()
                    .flatten()
                    .map(|d| d.mean_secs() * units)
                    .sum::<f64>();
                let hours = (sv.travel.mean_secs() + handling) / 3600.0;
                costs.services[s].charge(teu, hours, &mut parts)
            }
        };
    }
    sum / teu as f64
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn expected_charges_add_every_element_with_mean_times() {
        let src = r#"
[scenario]
name = "t"
horizon = "10d"
[[nodes]]
id = "A"
kind = "station"
servers = 1
service = { dist = "fixed", value = "2h" }
charges = [{ item = "handling", per = "teu", usd = 10 }, { item = "storage", per = "hour", usd = 3 }]
[[nodes]]
id = "B"
kind = "border"
lanes = 1
documents = { dist = "fixed", value = "1h" }
charges = [{ item = "fee", per = "consignment", usd = 40 }]
[[nodes]]
id = "C"
kind = "station"
servers = 1
service = { dist = "fixed", value = "0h" }
[[links]]
from = "A"
to = "B"
time = { dist = "fixed", value = "4h" }
distance_km = 100
charges = [{ item = "freight", per = "teu_km", usd = 0.5 }, { item = "freight", per = "hour", usd = 2 }]
[[services]]
id = "svc"
mode = "rail"
from = "B"
to = "C"
capacity_teu = 10
fleet = 1
departure = "when_full"
travel = { dist = "fixed", value = "10h" }
loading = { dist = "fixed", value = "1h" }
charges = [{ item = "freight", per = "teu", usd = 200 }, { item = "freight", per = "hour", usd = 1 }]
[[flows]]
id = "f"
route = ["A", "B", "svc", "C"]
arrivals = { dist = "fixed", value = "1d" }
teu = 2
"#;
        let m = crate::scenario::parse(Path::new("t.toml"), src).expect("valid");
        let f = &m.flows[0];
        // Per consignment of 2 TEU: A 10 x 2 + 3 x 2 h = 26; the link 0.5 x 2 x 100 + 2 x 4 h
        // = 108; the border 40 (no time at a border); the service 200 x 2 + 1 x (10 h travel +
        // 1 h loading) = 411; C nothing. 585 / 2 TEU = 292.5 per TEU.
        let x = expected_charges_per_teu(&m, f, &f.legs, &f.route);
        assert!((x - 292.5).abs() < 1e-9, "{x}");
        // Without costs: zero.
        let mut bare = m.clone();
        bare.costs = None;
        assert_eq!(expected_charges_per_teu(&bare, f, &f.legs, &f.route), 0.0);
    }
}
