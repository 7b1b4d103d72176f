//! The report's charts, drawn with plotters on its SVG backend: horizontal (stacked) bars,
//! lines with their 95% bands, and forest plots of differences with their intervals.
//!
//! plotters is built without its font features (no system fonts, no font-kit): text sizes are
//! estimated from the character count, the text itself is left to the browser, and the SVG is
//! the same bytes on every machine. Every text plotters writes into the SVG is escaped by it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The result of drawing: the SVG text, or what went wrong.
pub(super) type Svg = Result<String, String>;

/// Chart width in pixels (the page scales it to fit).
pub(super) const WIDTH: u32 = 900;

/// The colours of series and parts, in order (Tableau 10).
pub(super) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// `RGBColor` as CSS `#rrggbb`.
pub(super) fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

const FONT: &str = "sans-serif";

fn text_style(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

fn msg<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw a chart: {e}")
}

/// Cuts a label to `max` characters, ending in `…`.
pub(super) fn cut(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Width in pixels for labels of up to `chars` characters at 12 px.
fn label_width(labels: impl Iterator<Item = usize>) -> u32 {
    let chars = labels.max().unwrap_or(4).min(44) as u32;
    (chars * 7 + 16).max(60)
}

/// Draws `draw` on a white SVG of `WIDTH` x `height` and returns the SVG text.
fn svg(
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Svg {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(msg)?;
        draw(&root)?;
        root.present().map_err(msg)?;
    }
    Ok(out)
}

/// A range that holds every finite value of `values` and `extra`, padded by 5%.
fn span(values: impl Iterator<Item = f64>, include_zero: bool) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if lo > hi {
        return None;
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        hi.abs().max(1.0) * 0.1
    };
    Some((
        if include_zero && lo >= 0.0 {
            0.0
        } else {
            lo - pad
        },
        hi + pad,
    ))
}

/// One horizontal bar: its label, its parts (value, index into the legend) from the left, and
/// a note written after its end.
pub(super) struct Bar {
    pub(super) label: String,
    pub(super) parts: Vec<(f64, usize)>,
    pub(super) note: String,
}

/// Horizontal bars, one per row, top to bottom, stacked from their parts.
pub(super) fn bars(x_desc: &str, legend: &[(&str, RGBColor)], rows: &[Bar]) -> Svg {
    let n = rows.len();
    let height = 70 + 28 * n as u32 + if legend.len() > 1 { 30 } else { 0 };
    let totals = rows.iter().map(|b| {
        b.parts
            .iter()
            .map(|p| p.0)
            .filter(|v| v.is_finite())
            .sum::<f64>()
    });
    let (_, hi) = span(totals, true).unwrap_or((0.0, 1.0));
    let hi = if hi > 0.0 { hi * 1.12 } else { 1.0 };
    let left = label_width(rows.iter().map(|b| b.label.chars().count()));
    svg(height, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_top(if legend.len() > 1 { 40 } else { 12 })
            .x_label_area_size(40)
            .y_label_area_size(left)
            .build_cartesian_2d(0f64..hi, 0f64..n as f64)
            .map_err(msg)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .y_labels(0)
            .y_label_formatter(&|_| String::new())
            .x_desc(x_desc)
            .label_style(text_style(12))
            .axis_desc_style(text_style(13))
            .draw()
            .map_err(msg)?;
        // Row i from the top is the band [n - i - 1, n - i].
        let y = |i: usize| (n - i - 1) as f64;
        for (k, colour) in legend.iter().map(|l| l.1).enumerate() {
            let mut rects = Vec::new();
            for (i, b) in rows.iter().enumerate() {
                let mut x0 = 0.0;
                for &(v, part) in &b.parts {
                    let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                    if part == k && v > 0.0 {
                        rects.push(Rectangle::new(
                            [(x0, y(i) + 0.18), (x0 + v, y(i) + 0.82)],
                            colour.filled(),
                        ));
                    }
                    x0 += v;
                }
            }
            chart.draw_series(rects).map_err(msg)?;
        }
        // The legend, in one line above the chart.
        if legend.len() > 1 {
            let mut x = left as i32 + 12;
            for (name, colour) in legend {
                root.draw(&Rectangle::new([(x, 14), (x + 12, 26)], colour.filled()))
                    .map_err(msg)?;
                root.draw(&Text::new(
                    (*name).to_string(),
                    (x + 17, 20),
                    text_style(12).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(msg)?;
                x += 17 + 7 * name.chars().count() as i32 + 22;
            }
        }
        for (i, b) in rows.iter().enumerate() {
            let mid = y(i) + 0.5;
            let (px, py) = chart.backend_coord(&(0.0, mid));
            root.draw(&Text::new(
                cut(&b.label, 44),
                (px - 6, py),
                text_style(12).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(msg)?;
            let end: f64 = b.parts.iter().map(|p| p.0).filter(|v| v.is_finite()).sum();
            if !b.note.is_empty() {
                let (ex, ey) = chart.backend_coord(&(end.max(0.0), mid));
                root.draw(&Text::new(
                    b.note.clone(),
                    (ex + 5, ey),
                    text_style(11).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(msg)?;
            }
        }
        Ok(())
    })
}

/// A line: its name and points (x, mean, 95% half-width), drawn with its band.
pub(super) struct Line {
    pub(super) name: String,
    pub(super) points: Vec<(f64, f64, f64)>,
}

/// What the x axis shows.
pub(super) enum XAxis<'a> {
    /// Numbers, with this description.
    Numbers(&'a str),
    /// Categories at 0, 1, ...: their labels, and the axis description.
    Labels(&'a [String], &'a str),
}

/// Lines over x with their 95% bands (mean ± half-width), one colour each.
pub(super) fn lines(title: &str, x: XAxis<'_>, y_desc: &str, series: &[Line]) -> Svg {
    let xs = series.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let (x0, x1) = match &x {
        XAxis::Numbers(_) => span(xs, false).unwrap_or((0.0, 1.0)),
        XAxis::Labels(l, _) => (-0.3, l.len().max(1) as f64 - 0.7),
    };
    let ys = series.iter().flat_map(|l| {
        l.points.iter().flat_map(|&(_, m, c)| {
            let c = if c.is_finite() { c } else { 0.0 };
            [m - c, m + c]
        })
    });
    let (y0, y1) = span(ys, true).unwrap_or((0.0, 1.0));
    let legend_rows = if series.len() > 1 { series.len() } else { 0 };
    let height = 340 + 18 * legend_rows.min(12) as u32;
    svg(height, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .caption(title, text_style(15))
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(msg)?;
        let labels = match &x {
            XAxis::Labels(l, _) => l.to_vec(),
            XAxis::Numbers(_) => Vec::new(),
        };
        let categorical = !labels.is_empty();
        let fmt_x = |v: &f64| format!("{}", (v * 1e6).round() / 1e6);
        let desc = match &x {
            XAxis::Numbers(d) | XAxis::Labels(_, d) => *d,
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(desc)
            .y_desc(y_desc)
            .light_line_style(WHITE)
            .label_style(text_style(12))
            .axis_desc_style(text_style(13));
        if categorical {
            mesh.x_labels(0).x_label_formatter(&|_| String::new());
        } else {
            mesh.x_label_formatter(&fmt_x);
        }
        mesh.draw().map_err(msg)?;
        for (k, l) in series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let pts: Vec<(f64, f64, f64)> = l
                .points
                .iter()
                .copied()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect();
            let half = |c: f64| if c.is_finite() { c } else { 0.0 };
            let mut band: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1 + half(p.2))).collect();
            band.extend(pts.iter().rev().map(|p| (p.0, p.1 - half(p.2))));
            if pts.len() > 1 {
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        band,
                        colour.mix(0.18).filled(),
                    )))
                    .map_err(msg)?;
            }
            // A single point's interval is an error bar.
            chart
                .draw_series(pts.iter().map(|p| {
                    PathElement::new(
                        vec![(p.0, p.1 - half(p.2)), (p.0, p.1 + half(p.2))],
                        colour.mix(0.6).stroke_width(1),
                    )
                }))
                .map_err(msg)?;
            let drawn = chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|p| (p.0, p.1)),
                    colour.stroke_width(2),
                ))
                .map_err(msg)?;
            if legend_rows > 0 {
                drawn.label(cut(&l.name, 40)).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(3))
                });
            }
            chart
                .draw_series(
                    pts.iter()
                        .map(|p| Circle::new((p.0, p.1), 3, colour.filled())),
                )
                .map_err(msg)?;
        }
        if categorical {
            for (i, l) in labels.iter().enumerate() {
                let (px, py) = chart.backend_coord(&(i as f64, y0));
                root.draw(&Text::new(
                    cut(l, 24),
                    (px, py + 8),
                    text_style(12).pos(Pos::new(HPos::Center, VPos::Top)),
                ))
                .map_err(msg)?;
            }
        }
        if legend_rows > 0 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .margin(6)
                .label_font(text_style(12))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .draw()
                .map_err(msg)?;
        }
        Ok(())
    })
}

/// One row of a forest plot: its label, the difference and its 95% half-width, and whether
/// the change is significant (drawn dark; grey otherwise).
pub(super) struct Effect {
    pub(super) label: String,
    pub(super) diff: f64,
    pub(super) ci95: f64,
    pub(super) significant: bool,
}

/// A forest plot: each row's difference (alternative - base) as a dot with its 95% interval,
/// against a line at 0.
pub(super) fn forest(title: &str, x_desc: &str, rows: &[Effect]) -> Svg {
    let n = rows.len();
    let half = |c: f64| if c.is_finite() { c } else { 0.0 };
    let xs = rows
        .iter()
        .flat_map(|r| [r.diff - half(r.ci95), r.diff + half(r.ci95)]);
    let (x0, x1) = span(xs, true).unwrap_or((-1.0, 1.0));
    let (x0, x1) = if x0 == x1 {
        (x0 - 1.0, x1 + 1.0)
    } else {
        (x0, x1)
    };
    let left = label_width(rows.iter().map(|r| r.label.chars().count()));
    let height = 90 + 26 * n as u32;
    svg(height, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .caption(title, text_style(15))
            .x_label_area_size(44)
            .y_label_area_size(left)
            .build_cartesian_2d(x0..x1, 0f64..n.max(1) as f64)
            .map_err(msg)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .y_labels(0)
            .y_label_formatter(&|_| String::new())
            .x_desc(x_desc)
            .label_style(text_style(12))
            .axis_desc_style(text_style(13))
            .draw()
            .map_err(msg)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n.max(1) as f64)],
                BLACK.mix(0.7).stroke_width(1),
            )))
            .map_err(msg)?;
        for (i, r) in rows.iter().enumerate() {
            let y = (n - i - 1) as f64 + 0.5;
            let colour = if r.significant {
                RGBColor(20, 60, 140)
            } else {
                RGBColor(150, 150, 150)
            };
            if r.diff.is_finite() {
                let (lo, hi) = (r.diff - half(r.ci95), r.diff + half(r.ci95));
                chart
                    .draw_series([
                        PathElement::new(vec![(lo, y), (hi, y)], colour.stroke_width(2)),
                        PathElement::new(
                            vec![(lo, y - 0.15), (lo, y + 0.15)],
                            colour.stroke_width(2),
                        ),
                        PathElement::new(
                            vec![(hi, y - 0.15), (hi, y + 0.15)],
                            colour.stroke_width(2),
                        ),
                    ])
                    .map_err(msg)?;
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (r.diff, y),
                        5,
                        colour.filled(),
                    )))
                    .map_err(msg)?;
            }
            let (px, py) = chart.backend_coord(&(x0, y));
            root.draw(&Text::new(
                cut(&r.label, 44),
                (px - 6, py),
                text_style(12).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(msg)?;
        }
        Ok(())
    })
}
