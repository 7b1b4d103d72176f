//! The shape of a scenario's network, as a map draws it: nodes with their positions, links and
//! services between them, and which flows use each. Built from a validated [`Model`]
//! ([`Network::of`]) or from the resolved text a results folder's manifest keeps
//! ([`Network::from_resolved`]), which reads no data file: `merge` and `export geojson` redraw
//! a run's map from its folder alone, and both ways give the same network.

use std::collections::HashMap;
use std::path::Path;

use super::FileAccess;
use super::file::ScenarioFile;
use super::model::{Leg, Model, NODE_KINDS, NodeKind, Position};
use super::validate::{Ctx, position};
use crate::error::Result;

/// A scenario's network.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The scenario name.
    pub name: String,
    /// Nodes, in file order.
    pub nodes: Vec<NetNode>,
    /// Links, in file order.
    pub links: Vec<NetLink>,
    /// Services, in file order.
    pub services: Vec<NetService>,
    /// Flows, in file order.
    pub flows: Vec<NetFlow>,
}

/// A node of the network.
#[derive(Clone, Debug, PartialEq)]
pub struct NetNode {
    /// Its id.
    pub id: String,
    /// `station` or `border`.
    pub kind: String,
    /// Where it is, if the file says.
    pub position: Option<Position>,
}

/// A link: travel on a route step.
#[derive(Clone, Debug, PartialEq)]
pub struct NetLink {
    /// Index of the origin node.
    pub from: usize,
    /// Index of the destination node.
    pub to: usize,
    /// Its `distance_km`, if given.
    pub distance_km: Option<f64>,
}

/// A carrier service between two nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct NetService {
    /// Its id.
    pub id: String,
    /// `rail` or `sea`.
    pub mode: String,
    /// Index of the boarding node.
    pub from: usize,
    /// Index of the destination node.
    pub to: usize,
    /// Carriers in the fleet.
    pub fleet: u32,
}

/// A flow: its route and how each step is travelled.
#[derive(Clone, Debug, PartialEq)]
pub struct NetFlow {
    /// Its id.
    pub id: String,
    /// Node indices, in order.
    pub route: Vec<usize>,
    /// For each step `route[i] -> route[i+1]`, how it is travelled (indices into this
    /// network's links and services).
    pub legs: Vec<Leg>,
}

impl Network {
    /// The network of a validated model.
    pub fn of(model: &Model) -> Network {
        Network {
            name: model.name.clone(),
            nodes: model
                .nodes
                .iter()
                .map(|n| NetNode {
                    id: n.id.clone(),
                    kind: match n.kind {
                        NodeKind::Station { .. } => "station",
                        NodeKind::Border(_) => "border",
                    }
                    .to_string(),
                    position: n.position,
                })
                .collect(),
            links: model
                .links
                .iter()
                .map(|l| NetLink {
                    from: l.from,
                    to: l.to,
                    distance_km: l.distance_km,
                })
                .collect(),
            services: model
                .services
                .iter()
                .map(|s| NetService {
                    id: s.id.clone(),
                    mode: s.mode.clone(),
                    from: s.from,
                    to: s.to,
                    fleet: s.fleet,
                })
                .collect(),
            flows: model
                .flows
                .iter()
                .flat_map(|f| match f.choice.as_deref() {
                    None => vec![NetFlow {
                        id: f.id.clone(),
                        route: f.route.clone(),
                        legs: f.legs.clone(),
                    }],
                    Some(c) => c
                        .routes
                        .iter()
                        .map(|r| NetFlow {
                            id: format!("{}/{}", f.id, r.id),
                            route: r.route.clone(),
                            legs: r.legs.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The network of `text`, a resolved scenario as a manifest keeps it (`file` names it in
    /// messages). Only what a map needs is read: node ids, kinds and positions (checked as
    /// validation checks them), links, services and routes; no data file is opened. Text that
    /// a run validated gives the network of its model.
    pub fn from_resolved(file: &Path, text: &str) -> Result<Network> {
        let ctx = Ctx {
            file,
            src: text,
            access: FileAccess::Confined,
        };
        let de = toml::Deserializer::parse(text).map_err(|e| ctx.err("", e.message().trim()))?;
        let f: ScenarioFile = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            ctx.err(&path, e.into_inner().message().trim())
        })?;
        let mut node_ix = HashMap::new();
        let mut nodes = Vec::with_capacity(f.nodes.len());
        for (i, n) in f.nodes.iter().enumerate() {
            let p = format!("nodes[{i}]");
            if !NODE_KINDS.contains(&n.kind.as_str()) {
                return Err(ctx.err(
                    &format!("{p}.kind"),
                    format!("unknown node kind \"{}\"", n.kind),
                ));
            }
            if node_ix.insert(n.id.clone(), i).is_some() {
                return Err(ctx.err(
                    &format!("{p}.id"),
                    format!("duplicate node id \"{}\"", n.id),
                ));
            }
            nodes.push(NetNode {
                id: n.id.clone(),
                kind: n.kind.clone(),
                position: position(&ctx, &p, n.lat, n.lon)?,
            });
        }
        let node = |p: &str, id: &str| {
            node_ix
                .get(id)
                .copied()
                .ok_or_else(|| ctx.err(p, format!("no node has id \"{id}\"")))
        };
        let mut service_ix = HashMap::new();
        let mut services = Vec::with_capacity(f.services.len());
        for (i, s) in f.services.iter().enumerate() {
            let p = format!("services[{i}]");
            service_ix.insert(s.id.clone(), i);
            let fleet = s.fleet.unwrap_or(1);
            services.push(NetService {
                id: s.id.clone(),
                mode: s.mode.clone(),
                from: node(&format!("{p}.from"), &s.from)?,
                to: node(&format!("{p}.to"), &s.to)?,
                fleet: u32::try_from(fleet).map_err(|_| {
                    ctx.err(&format!("{p}.fleet"), format!("{fleet} is not a fleet"))
                })?,
            });
        }
        let mut links = Vec::with_capacity(f.links.len());
        let mut link_ix = HashMap::new();
        for (i, l) in f.links.iter().enumerate() {
            let p = format!("links[{i}]");
            let (from, to) = (
                node(&format!("{p}.from"), &l.from)?,
                node(&format!("{p}.to"), &l.to)?,
            );
            link_ix.insert((from, to), i);
            links.push(NetLink {
                from,
                to,
                distance_km: l.distance_km,
            });
        }
        let mut flows = Vec::with_capacity(f.flows.len());
        // A flow with alternative routes is one network flow per route, `FLOW/ROUTE`.
        let paths = f.flows.iter().enumerate().flat_map(|(i, fl)| {
            let one = fl
                .route
                .as_ref()
                .map(|r| (fl.id.clone(), format!("flows[{i}].route"), r));
            let alternatives = fl.routes.iter().enumerate().map(move |(k, r)| {
                let id = format!("{}/{}", fl.id, r.id);
                (id, format!("flows[{i}].routes[{k}].route"), &r.route)
            });
            one.into_iter().chain(alternatives)
        });
        for (flow_id, p, ids) in paths {
            let mut route: Vec<usize> = Vec::with_capacity(ids.len());
            let mut legs = Vec::new();
            let mut on: Option<usize> = None;
            for (j, id) in ids.iter().enumerate() {
                if let Some(&si) = service_ix.get(id) {
                    on = Some(si);
                    continue;
                }
                let n = node(&format!("{p}[{j}]"), id)?;
                if let Some(&prev) = route.last() {
                    legs.push(match on.take() {
                        Some(si) => Leg::Service(si),
                        None => link_ix
                            .get(&(prev, n))
                            .map_or(Leg::Direct, |&l| Leg::Link(l)),
                    });
                }
                route.push(n);
            }
            flows.push(NetFlow {
                id: flow_id,
                route,
                legs,
            });
        }
        Ok(Network {
            name: f.scenario.name,
            nodes,
            links,
            services,
            flows,
        })
    }

    /// The ids of the nodes without a position.
    pub fn unplaced(&self) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|n| n.position.is_none())
            .map(|n| n.id.as_str())
            .collect()
    }

    /// Whether any node has a position (a map has something to show).
    pub fn has_positions(&self) -> bool {
        self.nodes.iter().any(|n| n.position.is_some())
    }
}
