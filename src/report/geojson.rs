//! `corridor.geojson`: the network on a map (RFC 7946), with each element's results as
//! properties, for QGIS, kepler.gl or geojson.io.
//!
//! Nodes are points, links and services lines from `from` to `to`, coordinates in `[lon, lat]`
//! order (WGS 84). Built from a [`Network`] and a summary alone (its means; NaN becomes
//! `null`), so `merge` and `corridor export geojson` rebuild it from a results folder byte for
//! byte. Keys come in a fixed order and numbers in their shortest exact form; one feature per
//! line.

use std::collections::HashMap;

use serde::Serialize;

use super::bottlenecks::rank;
use super::{Export, SummaryRow};
use crate::scenario::model::{Leg, Position};
use crate::scenario::network::Network;

/// The file's name in a results folder.
pub const GEOJSON_FILE: &str = "corridor.geojson";

/// corridor.geojson of one scenario: the network, with the summary's results if there are any.
pub struct CorridorGeojson<'a> {
    /// The network drawn.
    pub network: &'a Network,
    /// The summary whose means become properties; `None` draws the network alone.
    pub rows: Option<&'a [SummaryRow]>,
}

#[derive(Serialize)]
struct Feature<P> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    geometry: Geometry,
    properties: P,
}

#[derive(Serialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Point([f64; 2]),
    LineString([[f64; 2]; 2]),
}

#[derive(Serialize)]
struct NodeProps<'a> {
    feature: &'static str,
    id: &'a str,
    kind: &'a str,
    flows: Vec<&'a str>,
    flow_count: usize,
    #[serde(flatten)]
    results: Option<NodeResults>,
}

#[derive(Serialize)]
struct NodeResults {
    flow_teu_per_day: Option<f64>,
    utilisation: Option<f64>,
    wait_mean: Option<f64>,
    queue_mean: Option<f64>,
    stable: Option<f64>,
    bottleneck_rank: Option<usize>,
    waiting_hours_per_day: Option<f64>,
    berth_utilisation: Option<f64>,
    berths_rank: Option<usize>,
    yard_occupancy_share: Option<f64>,
    yard_rank: Option<usize>,
}

#[derive(Serialize)]
struct LinkProps<'a> {
    feature: &'static str,
    id: &'a str,
    from: &'a str,
    to: &'a str,
    distance_km: Option<f64>,
    flows: Vec<&'a str>,
    flow_count: usize,
    #[serde(flatten)]
    results: Option<LinkResults>,
}

#[derive(Serialize)]
struct LinkResults {
    flow_teu_per_day: Option<f64>,
    travel_mean: Option<f64>,
    time_mean: Option<f64>,
    path_wait_mean: Option<f64>,
    path_utilisation: Option<f64>,
    bottleneck_rank: Option<usize>,
    waiting_hours_per_day: Option<f64>,
}

#[derive(Serialize)]
struct ServiceProps<'a> {
    feature: &'static str,
    id: &'a str,
    mode: &'a str,
    fleet: u32,
    from: &'a str,
    to: &'a str,
    flows: Vec<&'a str>,
    flow_count: usize,
    #[serde(flatten)]
    results: Option<ServiceResults>,
}

#[derive(Serialize)]
struct ServiceResults {
    flow_teu_per_day: Option<f64>,
    fleet_utilisation: Option<f64>,
    carrier_wait_mean: Option<f64>,
    load_factor: Option<f64>,
    stable: Option<f64>,
    bottleneck_rank: Option<usize>,
    waiting_hours_per_day: Option<f64>,
}

/// The summary's means by (scope, id, metric), and the bottleneck ranking by (scope, id).
struct Results<'a> {
    means: HashMap<(&'a str, &'a str, &'a str), f64>,
    ranks: HashMap<(String, String), (usize, f64)>,
}

impl<'a> Results<'a> {
    fn of(rows: &'a [SummaryRow]) -> Results<'a> {
        Results {
            means: rows
                .iter()
                .filter(|r| r.key.is_window())
                .map(|r| ((r.key.scope(), r.key.id(), r.key.metric()), r.summary.mean))
                .collect(),
            ranks: rank(rows)
                .into_iter()
                .enumerate()
                .map(|(i, b)| ((b.scope, b.id), (i + 1, b.hours_per_day)))
                .collect(),
        }
    }

    /// A mean as a JSON number: `None` (null) where it is missing or not finite.
    fn mean(&self, scope: &str, id: &str, metric: &str) -> Option<f64> {
        self.means
            .get(&(scope, id, metric))
            .copied()
            .filter(|v| v.is_finite())
    }

    /// The rank in bottlenecks.csv and the waiting hours per day of a resource.
    fn rank(&self, scope: &str, id: &str) -> (Option<usize>, Option<f64>) {
        match self.ranks.get(&(scope.to_string(), id.to_string())) {
            Some(&(r, h)) => (Some(r), Some(h).filter(|h| h.is_finite())),
            None => (None, None),
        }
    }

    /// The TEU per day of these flows together (their `throughput` means): `None` without
    /// flows or when one has no value.
    fn teu_per_day(&self, flows: &[&str]) -> Option<f64> {
        if flows.is_empty() {
            return None;
        }
        flows
            .iter()
            .map(|f| self.mean("flow", f, "throughput"))
            .sum()
    }
}

fn point(p: Position) -> [f64; 2] {
    [p.lon, p.lat]
}

impl CorridorGeojson<'_> {
    /// The features, one JSON text each, in order: nodes, links, services (those with a
    /// position at each end).
    fn features(&self) -> serde_json::Result<Vec<String>> {
        let net = self.network;
        let results = self.rows.map(Results::of);
        let node_id = |i: usize| net.nodes[i].id.as_str();
        // Which flows use each node, link and service, in flow order, each once.
        let mut at_node: Vec<Vec<&str>> = vec![Vec::new(); net.nodes.len()];
        let mut on_link: Vec<Vec<&str>> = vec![Vec::new(); net.links.len()];
        let mut on_service: Vec<Vec<&str>> = vec![Vec::new(); net.services.len()];
        for f in &net.flows {
            let id = f.id.as_str();
            for &n in &f.route {
                push_once(&mut at_node[n], id);
            }
            for leg in &f.legs {
                match *leg {
                    Leg::Link(l) => push_once(&mut on_link[l], id),
                    Leg::Service(s) => push_once(&mut on_service[s], id),
                    Leg::Direct => {}
                }
            }
        }
        let mut out = Vec::new();
        for (i, n) in net.nodes.iter().enumerate() {
            let Some(p) = n.position else { continue };
            let flows = std::mem::take(&mut at_node[i]);
            let results = results.as_ref().map(|r| {
                let (bottleneck_rank, waiting_hours_per_day) = r.rank("node", &n.id);
                NodeResults {
                    flow_teu_per_day: r.teu_per_day(&flows),
                    utilisation: r.mean("node", &n.id, "utilisation"),
                    wait_mean: r.mean("node", &n.id, "wait_mean"),
                    queue_mean: r.mean("node", &n.id, "queue_mean"),
                    stable: r.mean("node", &n.id, "stable"),
                    bottleneck_rank,
                    waiting_hours_per_day,
                    berth_utilisation: r.mean("berths", &n.id, "berth_utilisation"),
                    berths_rank: r.rank("berths", &n.id).0,
                    yard_occupancy_share: r.mean("yard", &n.id, "occupancy_share"),
                    yard_rank: r.rank("yard", &n.id).0,
                }
            });
            out.push(serde_json::to_string(&Feature {
                kind: "Feature",
                id: n.id.clone(),
                geometry: Geometry::Point(point(p)),
                properties: NodeProps {
                    feature: "node",
                    id: &n.id,
                    kind: &n.kind,
                    flow_count: flows.len(),
                    flows,
                    results,
                },
            })?);
        }
        for (i, l) in net.links.iter().enumerate() {
            let (Some(a), Some(b)) = (net.nodes[l.from].position, net.nodes[l.to].position) else {
                continue;
            };
            let id = format!("{}->{}", node_id(l.from), node_id(l.to));
            let flows = std::mem::take(&mut on_link[i]);
            let results = results.as_ref().map(|r| {
                let (bottleneck_rank, waiting_hours_per_day) = r.rank("link", &id);
                LinkResults {
                    flow_teu_per_day: r.teu_per_day(&flows),
                    travel_mean: r.mean("section", &id, "travel_mean"),
                    time_mean: r.mean("section", &id, "time_mean"),
                    path_wait_mean: r.mean("link", &id, "path_wait_mean"),
                    path_utilisation: r.mean("link", &id, "path_utilisation"),
                    bottleneck_rank,
                    waiting_hours_per_day,
                }
            });
            out.push(serde_json::to_string(&Feature {
                kind: "Feature",
                id: id.clone(),
                geometry: Geometry::LineString([point(a), point(b)]),
                properties: LinkProps {
                    feature: "link",
                    id: &id,
                    from: node_id(l.from),
                    to: node_id(l.to),
                    distance_km: l.distance_km,
                    flow_count: flows.len(),
                    flows,
                    results,
                },
            })?);
        }
        for (i, s) in net.services.iter().enumerate() {
            let (Some(a), Some(b)) = (net.nodes[s.from].position, net.nodes[s.to].position) else {
                continue;
            };
            let flows = std::mem::take(&mut on_service[i]);
            let results = results.as_ref().map(|r| {
                let (bottleneck_rank, waiting_hours_per_day) = r.rank("service", &s.id);
                ServiceResults {
                    flow_teu_per_day: r.teu_per_day(&flows),
                    fleet_utilisation: r.mean("service", &s.id, "fleet_utilisation"),
                    carrier_wait_mean: r.mean("service", &s.id, "carrier_wait_mean"),
                    load_factor: r.mean("service", &s.id, "load_factor"),
                    stable: r.mean("service", &s.id, "stable"),
                    bottleneck_rank,
                    waiting_hours_per_day,
                }
            });
            out.push(serde_json::to_string(&Feature {
                kind: "Feature",
                id: s.id.clone(),
                geometry: Geometry::LineString([point(a), point(b)]),
                properties: ServiceProps {
                    feature: "service",
                    id: &s.id,
                    mode: &s.mode,
                    fleet: s.fleet,
                    from: node_id(s.from),
                    to: node_id(s.to),
                    flow_count: flows.len(),
                    flows,
                    results,
                },
            })?);
        }
        Ok(out)
    }
}

fn push_once<'a>(list: &mut Vec<&'a str>, id: &'a str) {
    if !list.contains(&id) {
        list.push(id);
    }
}

impl Export for CorridorGeojson<'_> {
    fn file_name(&self) -> &'static str {
        GEOJSON_FILE
    }

    fn serialize(&self) -> std::io::Result<Vec<u8>> {
        let name = serde_json::to_string(&self.network.name)?;
        let mut text = format!("{{\"type\":\"FeatureCollection\",\"name\":{name},\"features\":[\n");
        text.push_str(&self.features()?.join(",\n"));
        text.push_str("\n]}\n");
        Ok(text.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::summary::Summary;
    use crate::report::SummaryKey;
    use crate::scenario::network::{NetLink, NetNode};

    fn row(scope: &'static str, id: &str, metric: &'static str, values: &[f64]) -> SummaryRow {
        SummaryRow {
            key: SummaryKey::new(scope, id, metric, "x"),
            summary: Summary::of(values),
        }
    }

    fn network() -> Network {
        let node = |id: &str, position| NetNode {
            id: id.into(),
            kind: "station".into(),
            position,
        };
        Network {
            name: "n".into(),
            nodes: vec![
                node(
                    "a",
                    Some(Position {
                        lat: 42.5,
                        lon: 41.25,
                    }),
                ),
                node(
                    "b",
                    Some(Position {
                        lat: -1.0,
                        lon: 2.0,
                    }),
                ),
                node("c", None),
            ],
            links: vec![
                NetLink {
                    from: 0,
                    to: 1,
                    distance_km: None,
                },
                NetLink {
                    from: 1,
                    to: 2,
                    distance_km: Some(5.0),
                },
            ],
            services: Vec::new(),
            flows: Vec::new(),
        }
    }

    #[test]
    fn points_are_lon_lat_missing_values_null_and_unplaced_ends_left_out() {
        let net = network();
        let rows = vec![
            row("node", "a", "utilisation", &[f64::NAN]),
            row("node", "a", "wait_mean", &[1.5, 2.5]),
        ];
        let map = CorridorGeojson {
            network: &net,
            rows: Some(&rows),
        };
        let text = String::from_utf8(map.serialize().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Header, nodes a and b, link a->b (b->c has no position at c), footer.
        assert_eq!(lines.len(), 5, "{text}");
        assert_eq!(
            lines[0],
            r#"{"type":"FeatureCollection","name":"n","features":["#
        );
        assert!(
            lines[1].contains(r#""coordinates":[41.25,42.5]"#),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains(r#""utilisation":null,"wait_mean":2.0,"#));
        assert!(lines[3].contains(r#""coordinates":[[41.25,42.5],[2.0,-1.0]]"#));
        assert!(
            lines[3].contains(r#""id":"a->b""#)
                && lines[3].ends_with("}}")
                && lines[2].ends_with("}},")
        );
        assert_eq!(lines[4], "]}");
        // Without results, no result property at all.
        let bare = CorridorGeojson {
            network: &net,
            rows: None,
        };
        let text = String::from_utf8(bare.serialize().unwrap()).unwrap();
        assert!(!text.contains("utilisation") && !text.contains("bottleneck_rank"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["features"].as_array().unwrap().len(), 3);
    }
}
