//! The resources a capacity search watches, and their utilisation in one replication's rows.
//!
//! Measured, not offered: each is a ratio of 0 to 1 that the run reports (or two rows of it
//! give), so it can say which resource is full at the factor where a target broke, yards and
//! carriers included, which [`crate::scenario::Load`] does not count.

use crate::report::Row;
use crate::scenario::{Departure, Leg, Model, NodeKind};

/// One resource and how its utilisation is read from a replication's rows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Resource {
    /// The rows' scope: `node`, `border`, `berths`, `yard` or `service`.
    pub(crate) scope: &'static str,
    /// The node or service id.
    pub(crate) id: String,
    /// What is measured, as capacity.csv names it: a metric (`utilisation`,
    /// `lane_utilisation`, `berth_utilisation`, `load_factor`, ...) or a metric over a
    /// capacity (`occupancy_mean/yard_teu`, `fleet_away_mean/fleet`).
    pub(crate) measure: &'static str,
    /// What it is, in a word, for the printout: `servers`, `lanes`, `bays`, `tracks`,
    /// `berths`, `yard`, `fleet` or `timetable`.
    what: &'static str,
    /// The row's metric.
    metric: &'static str,
    /// What the row's value is divided by (1, the yard's TEU or the fleet).
    per: f64,
}

impl Resource {
    fn new(scope: &'static str, id: &str, what: &'static str, metric: &'static str) -> Resource {
        Resource {
            scope,
            id: id.to_string(),
            what,
            measure: metric,
            metric,
            per: 1.0,
        }
    }

    /// `scope id what`, as tables print it: `service caspian-feeder fleet`.
    pub(crate) fn label(&self) -> String {
        format!("{} {} {}", self.scope, self.id, self.what)
    }

    /// Its utilisation in `rows` (NaN when the rows have none).
    pub(crate) fn utilisation(&self, rows: &[Row]) -> f64 {
        rows.iter()
            .find(|r| r.scope == self.scope && r.metric == self.metric && r.id == self.id)
            .map_or(f64::NAN, |r| r.value / self.per)
    }
}

/// The resources of the route of flow `flow` (its nodes, their berths and yards, the services
/// it boards), or of the whole scenario when `flow` is `None`: node by node (station servers,
/// border lanes, bays and tracks, berths, yard), then services (fleet, and timetable where
/// there is one). Unlimited stations have no utilisation and are left out.
pub(crate) fn resources(model: &Model, flow: Option<usize>) -> Vec<Resource> {
    let (nodes, services): (Vec<usize>, Vec<usize>) = match flow {
        Some(f) => {
            let f = &model.flows[f];
            let mut nodes = Vec::new();
            let mut services = Vec::new();
            for (route, legs, _) in f.paths() {
                for &n in route {
                    if !nodes.contains(&n) {
                        nodes.push(n);
                    }
                }
                for leg in legs {
                    if let Leg::Service(s) = *leg
                        && !services.contains(&s)
                    {
                        services.push(s);
                    }
                }
            }
            (nodes, services)
        }
        None => (
            (0..model.nodes.len()).collect(),
            (0..model.services.len()).collect(),
        ),
    };
    let mut out = Vec::new();
    for n in nodes {
        let node = &model.nodes[n];
        match &node.kind {
            NodeKind::Station {
                servers: Some(_), ..
            } => out.push(Resource::new("node", &node.id, "servers", "utilisation")),
            NodeKind::Station { servers: None, .. } => {}
            NodeKind::Border(b) => {
                out.push(Resource::new(
                    "border",
                    &node.id,
                    "lanes",
                    "lane_utilisation",
                ));
                if b.inspection.is_some() {
                    out.push(Resource::new("border", &node.id, "bays", "bay_utilisation"));
                }
                if b.technical.is_some() && b.tracks.is_some() {
                    out.push(Resource::new(
                        "border",
                        &node.id,
                        "tracks",
                        "track_utilisation",
                    ));
                }
            }
        }
        if node.berths.is_some() {
            out.push(Resource::new(
                "berths",
                &node.id,
                "berths",
                "berth_utilisation",
            ));
        }
        if let Some(teu) = node.yard_teu {
            out.push(Resource {
                measure: "occupancy_mean/yard_teu",
                per: f64::from(teu),
                ..Resource::new("yard", &node.id, "yard", "occupancy_mean")
            });
        }
    }
    for s in services {
        let service = &model.services[s];
        out.push(Resource {
            measure: "fleet_away_mean/fleet",
            per: f64::from(service.fleet),
            ..Resource::new("service", &service.id, "fleet", "fleet_away_mean")
        });
        if matches!(service.departure, Departure::Timetable { .. }) {
            out.push(Resource::new(
                "service",
                &service.id,
                "timetable",
                "load_factor",
            ));
        }
    }
    out
}

/// The most utilised of `resources` in `rows`: its index and utilisation (the first of equals;
/// `None` when none has a value).
pub(crate) fn busiest(resources: &[Resource], rows: &[Row]) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, r) in resources.iter().enumerate() {
        let u = r.utilisation(rows);
        if u.is_finite() && best.is_none_or(|(_, b)| u > b) {
            best = Some((i, u));
        }
    }
    best
}
