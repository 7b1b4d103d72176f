//! The corridor as a schematic of its route graph: every node of the scenario placed by its
//! order along the flows (a node one step after another stands one column to its right), the
//! steps of the routes as lines (services thicker, labelled), and each node coloured by its
//! load.
//!
//! The report draws it when no node of the scenario has a position; otherwise it draws the
//! map ([`super::map`]), in the same colours.

use std::collections::{BTreeMap, BTreeSet};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{Svg, WIDTH, cut};
use crate::scenario::{Leg, Model};

/// The colour of a load: green (idle) through yellow (0.7) to red (1), dark red beyond 1 (a
/// queue that grows without bound), grey when the node has no load (unlimited servers).
pub(super) fn load_colour(load: Option<f64>) -> RGBColor {
    let Some(l) = load.filter(|l| l.is_finite()) else {
        return RGBColor(190, 190, 190);
    };
    let mix = |a: (f64, f64, f64), b: (f64, f64, f64), t: f64| {
        let t = t.clamp(0.0, 1.0);
        RGBColor(
            (a.0 + (b.0 - a.0) * t).round() as u8,
            (a.1 + (b.1 - a.1) * t).round() as u8,
            (a.2 + (b.2 - a.2) * t).round() as u8,
        )
    };
    let (green, yellow, red) = ((44., 160., 44.), (240., 200., 40.), (214., 39., 40.));
    if l >= 1.0 {
        RGBColor(120, 0, 0)
    } else if l < 0.7 {
        mix(green, yellow, l / 0.7)
    } else {
        mix(yellow, red, (l - 0.7) / 0.3)
    }
}

/// An arrowhead on the line from `pa` to `pb`, a little past its middle, pointing to `pb`.
pub(super) fn arrowhead(pa: (i32, i32), pb: (i32, i32)) -> Vec<(i32, i32)> {
    let (dx, dy) = (f64::from(pb.0 - pa.0), f64::from(pb.1 - pa.1));
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (mx, my) = (f64::from(pa.0) + dx * 0.62, f64::from(pa.1) + dy * 0.62);
    let tip = (mx + ux * 7.0, my + uy * 7.0);
    let l = (mx - ux * 5.0 - uy * 5.0, my - uy * 5.0 + ux * 5.0);
    let r = (mx - ux * 5.0 + uy * 5.0, my - uy * 5.0 - ux * 5.0);
    let pt = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
    vec![pt(tip), pt(l), pt(r)]
}

/// Each node's column and row, by the routes of the flows: a node's column is one more than
/// the largest column of a node that steps to it (cycles are cut after as many rounds as
/// there are nodes); rows within a column in the order the flows first reach them.
fn layout(model: &Model, steps: &BTreeSet<(usize, usize)>) -> Vec<(usize, usize)> {
    let n = model.nodes.len();
    let mut col = vec![0usize; n];
    for _ in 0..n {
        let mut moved = false;
        for &(a, b) in steps {
            if a != b && col[b] < col[a] + 1 && col[a] + 1 < n {
                col[b] = col[a] + 1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    // Order of first appearance along the flows, then the nodes no flow visits.
    let mut order: Vec<usize> = Vec::new();
    for f in &model.flows {
        for (route, _, _) in f.paths() {
            for &i in route {
                if !order.contains(&i) {
                    order.push(i);
                }
            }
        }
    }
    let visited = |i: &usize| {
        model
            .flows
            .iter()
            .any(|f| f.paths().iter().any(|(r, _, _)| r.contains(i)))
    };
    order.extend((0..n).filter(|i| !visited(i)));
    let mut next_row: BTreeMap<usize, usize> = BTreeMap::new();
    let mut place = vec![(0, 0); n];
    for i in order {
        let r = next_row.entry(col[i]).or_insert(0);
        place[i] = (col[i], *r);
        *r += 1;
    }
    place
}

/// The schematic of `model`'s route graph, each node coloured by `loads` (by node id).
pub(super) fn schematic(model: &Model, loads: &BTreeMap<String, f64>) -> Svg {
    let mut steps: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut services: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
    for (route, legs, _) in model.flows.iter().flat_map(|f| f.paths()) {
        for (k, w) in route.windows(2).enumerate() {
            steps.insert((w[0], w[1]));
            if let Some(Leg::Service(s)) = legs.get(k)
                && let Some(s) = model.services.get(*s)
            {
                services
                    .entry((w[0], w[1]))
                    .or_default()
                    .insert(s.id.clone());
            }
        }
    }
    let place = layout(model, &steps);
    let cols = place.iter().map(|p| p.0).max().map_or(1, |c| c + 1);
    let rows = place.iter().map(|p| p.1).max().map_or(1, |r| r + 1);
    let row_h = 80i32;
    let height = 50 + row_h as u32 * rows as u32;
    let margin = 70i32;
    let step_x = if cols > 1 {
        (WIDTH as i32 - 2 * margin) / (cols as i32 - 1)
    } else {
        0
    };
    let at = |i: usize| -> (i32, i32) {
        let (c, r) = place[i];
        let x = if cols > 1 {
            margin + step_x * c as i32
        } else {
            WIDTH as i32 / 2
        };
        (x, 50 + row_h * r as i32)
    };
    let font = |size: u32| ("sans-serif", size).into_font().color(&BLACK);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        let err =
            |e: DrawingAreaErrorKind<std::io::Error>| format!("cannot draw the route graph: {e}");
        root.fill(&WHITE).map_err(err)?;
        for &(a, b) in &steps {
            let (pa, pb) = (at(a), at(b));
            let service = services.get(&(a, b));
            let style = match service {
                Some(_) => RGBColor(31, 119, 180).stroke_width(4),
                None => RGBColor(110, 110, 110).stroke_width(2),
            };
            root.draw(&PathElement::new(vec![pa, pb], style))
                .map_err(err)?;
            root.draw(&Polygon::new(
                arrowhead(pa, pb),
                RGBColor(60, 60, 60).filled(),
            ))
            .map_err(err)?;
            if let Some(ids) = service {
                let label = ids.iter().cloned().collect::<Vec<_>>().join(", ");
                root.draw(&Text::new(
                    cut(&label, 30),
                    ((pa.0 + pb.0) / 2, (pa.1 + pb.1) / 2 - 8),
                    font(11)
                        .color(&RGBColor(31, 119, 180))
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))
                .map_err(err)?;
            }
        }
        for (i, node) in model.nodes.iter().enumerate() {
            let p = at(i);
            let load = loads.get(&node.id).copied();
            root.draw(&Circle::new(p, 11, load_colour(load).filled()))
                .map_err(err)?;
            root.draw(&Circle::new(p, 11, BLACK.stroke_width(1)))
                .map_err(err)?;
            // Labels alternate below and above along a row, so that neighbours do not overlap.
            let below = place[i].0.is_multiple_of(2);
            let load_text = load
                .filter(|l| l.is_finite())
                .map_or(String::new(), |l| format!(" {l:.2}"));
            let (dy, v) = if below {
                (15, VPos::Top)
            } else {
                (-15, VPos::Bottom)
            };
            root.draw(&Text::new(
                format!("{}{load_text}", cut(&node.id, 26)),
                (p.0, p.1 + dy),
                font(11).pos(Pos::new(HPos::Center, v)),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}
