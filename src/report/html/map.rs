//! The corridor as a map, when the scenario's nodes have positions: an equirectangular
//! projection (longitude scaled by the cosine of the nodes' mean latitude) fitted to the nodes'
//! bounding box with a margin; each placed node at its position, coloured by its load (the
//! schematic's colours, [`load_colour`]); links as thin grey lines, carrier services as thick
//! dashed blue lines with their ids; node labels placed one by one where they overlap the least
//! of what is already drawn. There is no basemap: the page fetches nothing.
//!
//! Everything is computed from the network and the loads in a fixed order, so the same folder
//! gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{Svg, WIDTH, cut};
use super::graph::{arrowhead, load_colour};
use crate::scenario::Leg;
use crate::scenario::network::Network;

/// Room around the nodes' bounding box, for labels (pixels).
const MARGIN_X: f64 = 90.0;
const MARGIN_Y: f64 = 45.0;
/// The map's height is the bounding box's, bounded by these (pixels).
const MIN_HEIGHT: f64 = 280.0;
const MAX_HEIGHT: f64 = 640.0;
/// Node radius (pixels).
const RADIUS: i32 = 8;
/// Label font size, and the estimated width of one character at that size (pixels).
const FONT_SIZE: u32 = 11;
const CHAR_W: f64 = 6.8;
const LINE_H: f64 = 13.0;

/// A box on the map: left, top, right, bottom (pixels).
type Rect = (f64, f64, f64, f64);

fn overlap(a: &Rect, b: &Rect) -> f64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0.0);
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0.0);
    w * h
}

/// The part of `r` outside the drawing (pixels squared).
fn outside(r: &Rect, w: f64, h: f64) -> f64 {
    let area = (r.2 - r.0) * (r.3 - r.1);
    area - overlap(r, &(0.0, 0.0, w, h))
}

/// The projection of the placed nodes: each node's pixel position (`None` when it has no
/// position), and the drawing's height.
fn project(network: &Network) -> (Vec<Option<(f64, f64)>>, u32) {
    let placed: Vec<(f64, f64)> = network
        .nodes
        .iter()
        .filter_map(|n| n.position.map(|p| (p.lon, p.lat)))
        .collect();
    let mean_lat = placed.iter().map(|p| p.1).sum::<f64>() / placed.len().max(1) as f64;
    let k = mean_lat.to_radians().cos().max(0.05);
    let xy = |lon: f64, lat: f64| (lon * k, -lat);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(lon, lat) in &placed {
        let (x, y) = xy(lon, lat);
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let pw = f64::from(WIDTH) - 2.0 * MARGIN_X;
    let (dx, dy) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
    let height = (dy * pw / dx + 2.0 * MARGIN_Y).clamp(MIN_HEIGHT, MAX_HEIGHT);
    let ph = height - 2.0 * MARGIN_Y;
    // One scale for both axes (the projection keeps its shape); a single point, or nodes on
    // one line, sit in the middle.
    let scale = match (x1 > x0, y1 > y0) {
        (true, true) => (pw / dx).min(ph / dy),
        (true, false) => pw / dx,
        (false, true) => ph / dy,
        (false, false) => 1.0,
    };
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let at = network
        .nodes
        .iter()
        .map(|n| {
            n.position.map(|p| {
                let (x, y) = xy(p.lon, p.lat);
                (
                    f64::from(WIDTH) / 2.0 + (x - cx) * scale,
                    height / 2.0 + (y - cy) * scale,
                )
            })
        })
        .collect();
    (at, height.round() as u32)
}

/// The map of `network`, each node coloured by `loads` (by node id). Nodes without a position
/// are left out (the caller names them).
pub(super) fn map(network: &Network, loads: &BTreeMap<String, f64>) -> Svg {
    let (pos, height) = project(network);
    let (w, h) = (f64::from(WIDTH), f64::from(height));
    let px = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
    // Links, and route steps travelled neither on a link nor by a service.
    let mut lines: BTreeSet<(usize, usize)> =
        network.links.iter().map(|l| (l.from, l.to)).collect();
    for f in &network.flows {
        for (k, s) in f.route.windows(2).enumerate() {
            if matches!(f.legs.get(k), Some(Leg::Direct)) && s[0] != s[1] {
                lines.insert((s[0], s[1]));
            }
        }
    }
    let mut services: BTreeMap<(usize, usize), Vec<&str>> = BTreeMap::new();
    for s in &network.services {
        services.entry((s.from, s.to)).or_default().push(&s.id);
    }
    let pair = |a: usize, b: usize| Some((pos.get(a).copied()??, pos.get(b).copied()??));
    let font = |size: u32| ("sans-serif", size).into_font().color(&BLACK);
    let blue = RGBColor(31, 119, 180);
    // What labels should not cover, each box with its weight: the nodes (most), then each
    // label placed, then the leader lines.
    let mut taken: Vec<(Rect, f64)> = pos
        .iter()
        .flatten()
        .map(|&(x, y)| {
            let r = f64::from(RADIUS) + 2.0;
            ((x - r, y - r, x + r, y + r), 3.0)
        })
        .collect();
    // Lines are obstacles too, as small boxes along them, each counted at half weight.
    let mut on_lines: Vec<Rect> = Vec::new();
    for &(a, b) in lines.iter().chain(services.keys()) {
        let Some((pa, pb)) = pair(a, b) else { continue };
        let len = ((pb.0 - pa.0).powi(2) + (pb.1 - pa.1).powi(2)).sqrt();
        let n = (len / 6.0).ceil().max(1.0) as usize;
        for k in 0..=n {
            let t = k as f64 / n as f64;
            let (x, y) = (pa.0 + (pb.0 - pa.0) * t, pa.1 + (pb.1 - pa.1) * t);
            on_lines.push((x - 2.0, y - 2.0, x + 2.0, y + 2.0));
        }
    }
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        let err = |e: DrawingAreaErrorKind<std::io::Error>| format!("cannot draw the map: {e}");
        root.fill(&WHITE).map_err(err)?;
        for &(a, b) in &lines {
            let Some((pa, pb)) = pair(a, b) else { continue };
            root.draw(&PathElement::new(
                vec![px(pa), px(pb)],
                RGBColor(110, 110, 110).stroke_width(2),
            ))
            .map_err(err)?;
            root.draw(&Polygon::new(
                arrowhead(px(pa), px(pb)),
                RGBColor(60, 60, 60).filled(),
            ))
            .map_err(err)?;
        }
        for (&(a, b), ids) in &services {
            let Some((pa, pb)) = pair(a, b) else { continue };
            // Dashes of 9 px, gaps of 5 px, from the boarding node.
            let (dx, dy) = (pb.0 - pa.0, pb.1 - pa.1);
            let len = (dx * dx + dy * dy).sqrt();
            let mut t = 0.0;
            while t < len {
                let e = (t + 9.0).min(len);
                let p = |s: f64| px((pa.0 + dx * s / len, pa.1 + dy * s / len));
                root.draw(&PathElement::new(vec![p(t), p(e)], blue.stroke_width(4)))
                    .map_err(err)?;
                t += 14.0;
            }
            root.draw(&Polygon::new(
                arrowhead(px(pa), px(pb)),
                RGBColor(20, 70, 120).filled(),
            ))
            .map_err(err)?;
            // The label beside the middle of the line, on the side away from its normal's
            // upward direction, so that it does not sit on the dashes.
            let label = cut(&ids.join(", "), 30);
            let (mx, my) = ((pa.0 + pb.0) / 2.0, (pa.1 + pb.1) / 2.0);
            let lw = label.chars().count() as f64 * CHAR_W;
            let r = (mx - lw / 2.0, my - 8.0 - LINE_H, mx + lw / 2.0, my - 8.0);
            taken.push((r, 1.0));
            root.draw(&Text::new(
                label,
                px((mx, my - 8.0)),
                font(FONT_SIZE)
                    .color(&blue)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))
            .map_err(err)?;
        }
        for (i, node) in network.nodes.iter().enumerate() {
            let Some(p) = pos[i] else { continue };
            let load = loads.get(&node.id).copied();
            root.draw(&Circle::new(px(p), RADIUS, load_colour(load).filled()))
                .map_err(err)?;
            root.draw(&Circle::new(px(p), RADIUS, BLACK.stroke_width(1)))
                .map_err(err)?;
        }
        // Labels from west to east (then by id), each where it overlaps the least of what is
        // drawn (nodes, lines, labels placed before): right, left, above, below, diagonally,
        // then further above and below with a leader line.
        let mut order: Vec<usize> = (0..network.nodes.len())
            .filter(|&i| pos[i].is_some())
            .collect();
        order.sort_by(|&a, &b| {
            let (pa, pb) = (pos[a].unwrap_or_default(), pos[b].unwrap_or_default());
            pa.0.total_cmp(&pb.0)
                .then(pa.1.total_cmp(&pb.1))
                .then(network.nodes[a].id.cmp(&network.nodes[b].id))
        });
        for i in order {
            let Some((x, y)) = pos[i] else { continue };
            let node = &network.nodes[i];
            let load = loads
                .get(&node.id)
                .copied()
                .filter(|l| l.is_finite())
                .map_or(String::new(), |l| format!(" {l:.2}"));
            let text = format!("{}{load}", cut(&node.id, 26));
            let lw = text.chars().count() as f64 * CHAR_W;
            let gap = f64::from(RADIUS) + 4.0;
            // (anchor x, anchor y, horizontal position, vertical position, leader line)
            let mut candidates: Vec<(f64, f64, HPos, VPos, bool)> = vec![
                (x + gap, y, HPos::Left, VPos::Center, false),
                (x - gap, y, HPos::Right, VPos::Center, false),
                (x, y - gap, HPos::Center, VPos::Bottom, false),
                (x, y + gap, HPos::Center, VPos::Top, false),
                (
                    x + gap * 0.7,
                    y - gap * 0.7,
                    HPos::Left,
                    VPos::Bottom,
                    false,
                ),
                (x + gap * 0.7, y + gap * 0.7, HPos::Left, VPos::Top, false),
                (
                    x - gap * 0.7,
                    y - gap * 0.7,
                    HPos::Right,
                    VPos::Bottom,
                    false,
                ),
                (x - gap * 0.7, y + gap * 0.7, HPos::Right, VPos::Top, false),
            ];
            for k in 1..=4 {
                let d = gap + LINE_H * 1.4 * f64::from(k);
                candidates.push((x, y - d, HPos::Center, VPos::Bottom, true));
                candidates.push((x, y + d, HPos::Center, VPos::Top, true));
            }
            let rect = |c: &(f64, f64, HPos, VPos, bool)| -> Rect {
                let left = match c.2 {
                    HPos::Left => c.0,
                    HPos::Right => c.0 - lw,
                    HPos::Center => c.0 - lw / 2.0,
                };
                let top = match c.3 {
                    VPos::Top => c.1,
                    VPos::Bottom => c.1 - LINE_H,
                    VPos::Center => c.1 - LINE_H / 2.0,
                };
                (left, top, left + lw, top + LINE_H)
            };
            // A leader line from the node to the label, as small boxes (none for a label
            // beside its node).
            let leader = |c: &(f64, f64, HPos, VPos, bool)| -> Vec<Rect> {
                if !c.4 {
                    return Vec::new();
                }
                let n = ((c.1 - y).abs() / 6.0).ceil().max(1.0) as usize;
                (1..n)
                    .map(|k| {
                        let yy = y + (c.1 - y) * k as f64 / n as f64;
                        (x - 1.0, yy - 2.0, x + 1.0, yy + 2.0)
                    })
                    .collect()
            };
            let cost = |c: &(f64, f64, HPos, VPos, bool)| {
                let r = rect(c);
                let crossed: f64 = leader(c)
                    .iter()
                    .map(|b| taken.iter().map(|(t, k)| k * overlap(b, t)).sum::<f64>())
                    .sum();
                taken.iter().map(|(t, k)| k * overlap(&r, t)).sum::<f64>()
                    + 0.5 * on_lines.iter().map(|t| overlap(&r, t)).sum::<f64>()
                    + crossed
                    + 4.0 * outside(&r, w, h)
            };
            let mut best = 0;
            let mut best_cost = f64::INFINITY;
            for (k, c) in candidates.iter().enumerate() {
                let cc = cost(c);
                if cc < best_cost - 1e-9 {
                    best = k;
                    best_cost = cc;
                }
                if cc <= 0.0 {
                    break;
                }
            }
            let c = candidates[best];
            taken.push((rect(&c), 1.0));
            taken.extend(leader(&c).into_iter().map(|b| (b, 0.5)));
            if c.4 {
                root.draw(&PathElement::new(
                    vec![px((x, y)), px((c.0, c.1))],
                    RGBColor(150, 150, 150).stroke_width(1),
                ))
                .map_err(err)?;
            }
            root.draw(&Text::new(
                text,
                px((c.0, c.1)),
                font(FONT_SIZE).pos(Pos::new(c.2, c.3)),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::Position;
    use crate::scenario::network::{NetLink, NetNode, NetService};

    fn node(id: &str, at: Option<(f64, f64)>) -> NetNode {
        NetNode {
            id: id.into(),
            kind: "station".into(),
            position: at.map(|(lat, lon)| Position { lat, lon }),
        }
    }

    fn network(nodes: Vec<NetNode>) -> Network {
        Network {
            name: "t".into(),
            nodes,
            links: vec![NetLink {
                from: 0,
                to: 1,
                distance_km: None,
            }],
            services: vec![NetService {
                id: "ferry".into(),
                mode: "sea".into(),
                from: 1,
                to: 2,
                fleet: 1,
            }],
            flows: Vec::new(),
        }
    }

    #[test]
    fn the_projection_fits_the_nodes_in_the_margins_and_keeps_the_shape() {
        let net = network(vec![
            node("A", Some((40.0, 50.0))),
            node("B", Some((42.0, 60.0))),
            node("C", Some((44.0, 70.0))),
            node("D", None),
        ]);
        let (at, height) = project(&net);
        assert!(at[3].is_none());
        let p: Vec<(f64, f64)> = at.iter().flatten().copied().collect();
        for &(x, y) in &p {
            assert!((MARGIN_X - 1e-6..=f64::from(WIDTH) - MARGIN_X + 1e-6).contains(&x));
            assert!((MARGIN_Y - 1e-6..=f64::from(height) - MARGIN_Y + 1e-6).contains(&y));
        }
        // West is left, north is up; one degree of longitude is cos(42°) of one of latitude.
        assert!(p[0].0 < p[1].0 && p[1].0 < p[2].0);
        assert!(p[0].1 > p[1].1 && p[1].1 > p[2].1);
        let ratio = (p[1].0 - p[0].0) / 10.0 / ((p[0].1 - p[1].1) / 2.0);
        assert!((ratio - 42f64.to_radians().cos()).abs() < 1e-9, "{ratio}");
    }

    #[test]
    fn the_map_labels_placed_nodes_and_services_and_is_the_same_twice() {
        let net = network(vec![
            node("A", Some((40.0, 50.0))),
            node("B", Some((40.0, 50.0))),
            node("C", Some((41.0, 51.0))),
            node("D", None),
        ]);
        let loads = BTreeMap::from([("A".to_string(), 0.5)]);
        let svg = map(&net, &loads).unwrap();
        assert_eq!(svg, map(&net, &loads).unwrap());
        for label in ["A 0.50", "B", "C", "ferry"] {
            assert!(svg.contains(&format!(">\n{label}\n<")), "no {label}");
        }
        assert!(!svg.contains(">\nD\n<"));
        // One node alone sits in the middle.
        let one = Network {
            links: Vec::new(),
            services: Vec::new(),
            ..network(vec![node("A", Some((10.0, 10.0)))])
        };
        let (at, height) = project(&one);
        assert_eq!(
            at[0],
            Some((f64::from(WIDTH) / 2.0, f64::from(height) / 2.0))
        );
    }
}
