//! `corridor report`: one self-contained HTML file (inline SVG and CSS, no script, no network)
//! that shows a results folder to a person, on screen or printed.
//!
//! What it draws depends on the folder's kind (its manifest's `kind`):
//!
//! - every folder: the scenario (name, description) and the manifest (version, command line,
//!   hashes, seed, replications);
//! - `run`: per flow, the transit in days with its 95% interval, p50 and p95, and a stacked bar
//!   of where the transit goes; the bottleneck ranking ([`super::bottlenecks::rank`]) as bars,
//!   the resources that do not settle marked; the time series of the top-ranked resources
//!   when the folder has `timeseries.csv`; before them, the route graph coloured by load: a
//!   map when the scenario's nodes have positions, else a schematic;
//! - `compare`: per alternative, forest plots of the differences (transit, throughput, loads)
//!   with their paired intervals; the base's route graph coloured by its load;
//! - `sweep`: each headline metric against the varied parameter, with 95% bands.
//!
//! The page depends only on the folder's files: the same folder gives the same bytes (the only
//! times in it are the manifest's). Every text from the files is escaped.

mod charts;
mod data;
mod graph;
mod map;
mod page;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use plotters::style::RGBColor;

use charts::{Bar, Effect, Line, PALETTE, XAxis};
use data::{Body, Folder, TimeSeries};
use page::{CSS, Table, esc, num, pm, utc};

use super::bottlenecks::{Bottleneck, rank};
use super::{Comparison, SummaryRow, find, fmt_value, warnings, write_file};
use crate::error::{Error, Result};
use crate::report::manifest::Manifest;

/// The report's default file name, in the results folder.
pub const FILE: &str = "report.html";

/// Resources drawn in the bottleneck chart.
const TOP_BARS: usize = 15;
/// Resources whose time series are drawn.
const TOP_SERIES: usize = 3;
/// Resources per forest plot of load changes.
const TOP_LOADS: usize = 8;

/// The parts of a flow's transit, in the order of summary.csv, with their labels.
const PARTS: [(&str, &str); 5] = [
    ("moving", "moving"),
    ("waiting_for_carrier", "waiting for carrier"),
    ("queueing", "queueing"),
    ("handling", "handling"),
    ("border", "border"),
];

/// Writes the report of the results folder `dir` to `out` (default `dir/report.html`),
/// atomically; returns the path written. A folder that is not a results folder, or lacks a file
/// of its kind, is an input error (exit code 2) and nothing is written.
pub fn write(dir: &Path, out: Option<&Path>) -> Result<PathBuf> {
    let html = render(dir)?;
    let out = out.map_or_else(|| dir.join(FILE), Path::to_path_buf);
    write_file(&out, html.as_bytes())?;
    Ok(out)
}

/// The report of the results folder `dir`, as HTML text.
pub fn render(dir: &Path) -> Result<String> {
    let folder = data::read(dir)?;
    build(&folder).map_err(|message| Error::Output {
        path: dir.join(FILE),
        source: std::io::Error::other(message),
    })
}

/// A figure: an SVG chart and its caption (plain text).
fn figure(svg: String, caption: &str) -> String {
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg.as_str(),
    };
    format!(
        "<figure>{}<figcaption>{}</figcaption></figure>\n",
        svg.trim_end(),
        esc(caption)
    )
}

/// The description of a recorded scenario: `[scenario] description` of its resolved text.
fn description(resolved: &str) -> String {
    resolved
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| {
            t.get("scenario")?
                .get("description")?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// What the report is about, for its title.
fn title(f: &Folder) -> String {
    let names: Vec<&str> = f
        .manifest
        .scenarios
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    match &f.body {
        Body::Run(_) => names.first().copied().unwrap_or("run").to_string(),
        Body::Sweep { .. } => format!("{} (sweep)", names.first().copied().unwrap_or("sweep")),
        Body::Compare(rows) => {
            if names.is_empty() {
                let base = rows
                    .iter()
                    .find(|r| r.scope == "corridor")
                    .map_or("base", |r| r.id.as_str());
                let alts = alternatives(rows);
                format!("{base} vs {}", alts.join(", "))
            } else {
                format!("{} vs {}", names[0], names[1..].join(", "))
            }
        }
    }
}

fn build(f: &Folder) -> std::result::Result<String, String> {
    let m = &f.manifest;
    let name = title(f);
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        h,
        "<meta name=\"generator\" content=\"corridor {}\">",
        esc(env!("CARGO_PKG_VERSION"))
    );
    let _ = writeln!(h, "<title>corridor report: {}</title>", esc(&name));
    let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(h, "<header>\n<h1>{}</h1>", esc(&name));
    if let Some(s) = m.scenarios.first() {
        let d = description(&s.resolved);
        if !d.is_empty() {
            let _ = writeln!(h, "<p class=\"description\">{}</p>", esc(&d));
        }
    }
    h.push_str("</header>\n");
    let mut sections: Vec<(&str, &str, String)> =
        vec![("scenario", "Scenario", scenario(m, &f.manifest_sha256))];
    match &f.body {
        Body::Run(rows) => {
            let ranked = rank(rows);
            // The corridor at a glance first, then its numbers.
            sections.push((
                "route-graph",
                "Route graph",
                route_graph(f, &loads_of(rows))?,
            ));
            sections.push(("flows", "Flows: transit", flows(rows)?));
            sections.push(("bottlenecks", "Bottlenecks", bottlenecks(&ranked)?));
            sections.push((
                "timeseries",
                "Over time",
                timeseries(f.timeseries.as_ref(), &ranked)?,
            ));
        }
        Body::Compare(rows) => {
            sections.push(("comparison", "Comparison", comparison(rows)?));
            let base = |r: &Comparison| r.base;
            sections.push((
                "route-graph",
                "Route graph (base)",
                route_graph(f, &loads_from_comparison(rows, base))?,
            ));
        }
        Body::Sweep { vary, points } => {
            sections.push(("sweep", "Sweep", sweep(vary, points)?));
            let last = points.last().map(|p| p.1.as_slice()).unwrap_or_default();
            sections.push((
                "route-graph",
                "Route graph (last point)",
                route_graph(f, &loads_of(last))?,
            ));
        }
    }
    h.push_str("<nav>");
    for (id, heading, _) in &sections {
        let _ = write!(h, "<a href=\"#{id}\">{}</a>", esc(heading));
    }
    h.push_str("</nav>\n");
    for (id, heading, body) in &sections {
        let _ = write!(
            h,
            "<section id=\"{id}\">\n<h2>{}</h2>\n{body}</section>\n",
            esc(heading)
        );
    }
    let _ = writeln!(
        h,
        "<footer>Drawn by <code>corridor report</code> (corridor {}) from the folder's files; its manifest.json has SHA-256 <span class=\"hash\">{}</span>.</footer>",
        esc(env!("CARGO_PKG_VERSION")),
        esc(&f.manifest_sha256)
    );
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// The scenario and the manifest, as tables.
fn scenario(m: &Manifest, manifest_sha: &str) -> String {
    let mut h = String::new();
    let mut t = Table::new("facts", &["", ""]);
    let mut fact = |k: &str, v: String| t.row("", &[esc(k), v]);
    fact("kind of results", esc(&m.kind));
    fact("corridor version", esc(&m.corridor_version));
    fact("written", esc(&utc(m.written_unix)));
    fact(
        "command line",
        format!("<code>{}</code>", esc(&m.command_line.join(" "))),
    );
    fact("seed", m.seed.to_string());
    fact("replications", m.replications.to_string());
    fact("threads", m.jobs.to_string());
    fact("wall time", format!("{} s", num(m.wall_seconds, 1)));
    if let Some(p) = &m.precision {
        fact(
            "precision",
            esc(&format!(
                "{}: {} after {} replication(s)",
                p.target, p.stopped_because, p.replications
            )),
        );
    }
    if let Some(s) = &m.sweep {
        fact("varied", esc(&s.vary.join(", ")));
        fact("points", s.points.len().to_string());
    }
    for c in &m.compared_folders {
        fact("compared folder", format!("<code>{}</code>", esc(c)));
    }
    for s in &m.merged_from {
        fact(
            "merged shard",
            format!("<code>{}</code> ({})", esc(&s.folder), esc(&s.shard)),
        );
    }
    fact(
        "manifest.json SHA-256",
        format!("<span class=\"hash\">{}</span>", esc(manifest_sha)),
    );
    h.push_str(&t.finish());
    for s in &m.scenarios {
        let _ = writeln!(
            h,
            "<h3>{} <small>({})</small></h3>",
            esc(&s.name),
            esc(&s.role)
        );
        let d = description(&s.resolved);
        // One scenario's description is the page's own, under its title.
        if !d.is_empty() && m.scenarios.len() > 1 {
            let _ = writeln!(h, "<p>{}</p>", esc(&d));
        }
        let mut t = Table::new("facts", &["", ""]);
        let code = |v: &str| format!("<code>{}</code>", esc(v));
        let hash = |v: &str| format!("<span class=\"hash\">{}</span>", esc(v));
        t.row("", &[esc("file"), code(&s.file)]);
        t.row("", &[esc("file SHA-256"), hash(&s.file_sha256)]);
        t.row(
            "",
            &[esc("resolved scenario SHA-256"), hash(&s.resolved_sha256)],
        );
        if !s.overrides.is_empty() {
            t.row("", &[esc("--set"), code(&s.overrides.join(" "))]);
        }
        if !s.model_options.is_empty() {
            t.row("", &[esc("options"), code(&s.model_options.join(" "))]);
        }
        for (p, sha) in &s.extends_files {
            t.row("", &[esc("extends"), format!("{} {}", code(p), hash(sha))]);
        }
        for (p, sha) in &s.data_files {
            t.row(
                "",
                &[esc("data file"), format!("{} {}", code(p), hash(sha))],
            );
        }
        h.push_str(&t.finish());
    }
    let mut t = Table::new("facts", &["file", "SHA-256"]);
    for (file, sha) in &m.outputs {
        t.row(
            "",
            &[
                format!("<code>{}</code>", esc(file)),
                format!("<span class=\"hash\">{}</span>", esc(sha)),
            ],
        );
    }
    h.push_str("<h3>Files</h3>\n");
    h.push_str(&t.finish());
    h
}

/// The flows of a run's summary, in file order.
fn flow_ids(rows: &[SummaryRow]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.key.scope() == "flow") {
        if !out.contains(&r.key.id()) {
            out.push(r.key.id());
        }
    }
    out
}

fn verdict(s: Option<f64>) -> String {
    match s {
        Some(1.0) => "<span class=\"good\">yes</span>".into(),
        Some(0.0) => "<span class=\"bad\">NO</span>".into(),
        _ => "-".into(),
    }
}

/// Per flow: the transit table and the stacked bars of its parts.
fn flows(rows: &[SummaryRow]) -> std::result::Result<String, String> {
    let ids = flow_ids(rows);
    if ids.is_empty() {
        return Ok("<p class=\"none\">The scenario has no flows.</p>\n".into());
    }
    let mut h = String::from(
        "<p>Mean over replications ± the half-width of its 95% interval; the interval is mean ± half-width. Days are hours / 24; summary.csv has the hours.</p>\n",
    );
    let mut t = Table::new(
        "flows",
        &[
            "flow",
            "TEU/day",
            "transit mean, d",
            "95% interval, d",
            "p50, d",
            "p95, d",
            "stable",
        ],
    );
    let day = 1.0 / 24.0;
    for id in &ids {
        let get = |m: &str| find(rows, "flow", id, m);
        let tm = get("transit_mean");
        let interval = match tm {
            Some(s) if s.mean.is_finite() && s.ci95.is_finite() => format!(
                "{} – {}",
                num((s.mean - s.ci95) * day, 2),
                num((s.mean + s.ci95) * day, 2)
            ),
            _ => "-".into(),
        };
        let attrs = format!(
            " id=\"flow-{}\" data-transit-mean-h=\"{}\" data-transit-ci95-h=\"{}\"",
            esc(id),
            esc(&tm.map_or(String::new(), |s| fmt_value(s.mean))),
            esc(&tm.map_or(String::new(), |s| fmt_value(s.ci95)))
        );
        t.row(
            &attrs,
            &[
                format!("<code>{}</code>", esc(id)),
                pm(get("throughput"), 1.0, 1),
                pm(tm, day, 2),
                interval,
                pm(get("transit_p50"), day, 2),
                pm(get("transit_p95"), day, 2),
                verdict(get("stable").map(|s| s.mean)),
            ],
        );
    }
    h.push_str(&t.finish());
    h.push_str(&cost_table(rows, &ids));
    let legend: Vec<(&str, RGBColor)> = PARTS
        .iter()
        .enumerate()
        .map(|(k, p)| (p.1, PALETTE[k]))
        .collect();
    let bars: Vec<Bar> = ids
        .iter()
        .map(|id| {
            let parts = PARTS
                .iter()
                .enumerate()
                .map(|(k, p)| (find(rows, "flow", id, p.0).map_or(f64::NAN, |s| s.mean), k))
                .collect();
            let total = find(rows, "flow", id, "transit_mean").map_or(f64::NAN, |s| s.mean);
            Bar {
                label: (*id).to_string(),
                parts,
                note: if total.is_finite() {
                    format!("{:.0} h ({:.1} d)", total, total / 24.0)
                } else {
                    String::new()
                },
            }
        })
        .collect();
    h.push_str(&figure(
        charts::bars("hours per consignment (mean over replications)", &legend, &bars)?,
        "Where the transit goes: the mean hours of each flow's consignments moving, waiting for a carrier, queueing, in handling and at borders; the parts add up to the mean transit.",
    ));
    let mut t = Table::new(
        "parts",
        &[
            "flow",
            "moving, h",
            "waiting for carrier, h",
            "queueing, h",
            "handling, h",
            "border, h",
        ],
    );
    for id in &ids {
        let mut cells = vec![format!("<code>{}</code>", esc(id))];
        cells.extend(
            PARTS
                .iter()
                .map(|p| num(find(rows, "flow", id, p.0).map_or(f64::NAN, |s| s.mean), 1)),
        );
        t.row("", &cells);
    }
    h.push_str(&t.finish());
    let w = warnings(rows);
    if !w.is_empty() {
        h.push_str("<h3>Does it settle?</h3>\n<ul class=\"warnings\">\n");
        for line in w {
            let line = line.strip_prefix("warning: ").unwrap_or(&line);
            let _ = writeln!(h, "<li>{}</li>", esc(line));
        }
        h.push_str("</ul>\n");
    }
    Ok(h)
}

fn resource(b: &Bottleneck) -> String {
    format!("{}:{}", b.scope, b.id)
}

/// The bottleneck ranking: bars of the waiting hours per day, the resources that do not
/// settle marked, and the table.
fn bottlenecks(ranked: &[Bottleneck]) -> std::result::Result<String, String> {
    if ranked.is_empty() {
        return Ok("<p class=\"none\">No resource made a flow wait.</p>\n".into());
    }
    let mut h = String::new();
    let legend = [
        ("settles", PALETTE[0]),
        ("does not settle", RGBColor(180, 0, 0)),
        ("no verdict", PALETTE[7]),
    ];
    let bars: Vec<Bar> = ranked
        .iter()
        .take(TOP_BARS)
        .map(|b| {
            let k = match b.stable {
                Some(0.0) => 1,
                Some(1.0) => 0,
                _ => 2,
            };
            let load = b
                .load
                .filter(|s| s.mean.is_finite())
                .map_or(String::new(), |s| format!("load {:.2}", s.mean));
            let note = match k {
                1 => format!("{load}  DOES NOT SETTLE"),
                _ => load,
            };
            Bar {
                label: resource(b),
                parts: vec![(b.hours_per_day, k)],
                note,
            }
        })
        .collect();
    h.push_str(&figure(
        charts::bars("consignment-hours of waiting per day", &legend, &bars)?,
        "Resources ranked by the consignment-hours of waiting they cause per day, all flows; red: its queue still grows at the horizon (stable = 0), so figures that wait there depend on the run's length.",
    ));
    let mut t = Table::new(
        "bottlenecks",
        &[
            "#",
            "resource",
            "load",
            "wait mean, h",
            "waiting h/day",
            "stable",
            "share of transit",
        ],
    );
    for (i, b) in ranked.iter().enumerate().take(TOP_BARS) {
        let shares: Vec<String> = b
            .flows
            .iter()
            .take(3)
            .map(|f| format!("{} {}%", esc(&f.flow), num(f.share.mean * 100.0, 1)))
            .collect();
        let attrs = format!(
            " id=\"bottleneck-{}\"{}",
            i + 1,
            if b.stable == Some(0.0) {
                " class=\"unstable\""
            } else {
                ""
            }
        );
        t.row(
            &attrs,
            &[
                (i + 1).to_string(),
                format!("<code>{}</code>", esc(&resource(b))),
                pm(b.load.as_ref(), 1.0, 3),
                pm(b.wait.as_ref(), 1.0, 1),
                num(b.hours_per_day, 1),
                verdict(b.stable),
                shares.join(", "),
            ],
        );
    }
    h.push_str(&t.finish());
    if ranked.len() > TOP_BARS {
        let _ = writeln!(
            h,
            "<p>{} more resource(s) in bottlenecks.csv.</p>",
            ranked.len() - TOP_BARS
        );
    }
    Ok(h)
}

/// The time series of the top-ranked resources that timeseries.csv holds.
fn timeseries(
    ts: Option<&TimeSeries>,
    ranked: &[Bottleneck],
) -> std::result::Result<String, String> {
    let Some(ts) = ts else {
        return Ok("<p class=\"none\" id=\"no-timeseries\">This folder has no time series (no timeseries.csv), so there is nothing to draw over time.</p>\n".into());
    };
    if let Some(why) = &ts.unreadable {
        return Ok(format!(
            "<p class=\"none\" id=\"no-timeseries\">timeseries.csv cannot be drawn by this version of corridor report: {}</p>\n",
            esc(why)
        ));
    }
    let has = |scope: &str, id: &str| ts.series.iter().any(|s| s.scope == scope && s.id == id);
    let mut chosen: Vec<(String, String)> = ranked
        .iter()
        .filter(|b| has(&b.scope, &b.id))
        .take(TOP_SERIES)
        .map(|b| (b.scope.clone(), b.id.clone()))
        .collect();
    if chosen.is_empty() {
        for s in &ts.series {
            let k = (s.scope.clone(), s.id.clone());
            if chosen.len() < TOP_SERIES
                && !chosen.contains(&k)
                && s.scope != "flow"
                && s.scope != "corridor"
            {
                chosen.push(k);
            }
        }
    }
    if chosen.is_empty() {
        return Ok("<p class=\"none\" id=\"no-timeseries\">timeseries.csv holds no series of a resource.</p>\n".into());
    }
    let mut h = String::from(
        "<p>The most loaded resources (by the bottleneck ranking), metric by metric: the mean over replications in each time bin, with its 95% band.</p>\n",
    );
    let x_desc = if ts.in_days {
        "time, days (middle of each bin)"
    } else {
        "time (middle of each bin, as in timeseries.csv)"
    };
    for (scope, id) in &chosen {
        let _ = writeln!(h, "<h3>{}</h3>", esc(&format!("{scope}:{id}")));
        for s in ts
            .series
            .iter()
            .filter(|s| &s.scope == scope && &s.id == id)
        {
            let line = Line {
                name: s.metric.clone(),
                points: s
                    .bins
                    .iter()
                    .map(|&(a, b, m, c)| ((a + b) / 2.0, m, c))
                    .collect(),
            };
            let y = format!("{} ({})", s.metric, s.unit);
            h.push_str(&figure(
                charts::lines(
                    &format!("{scope}:{id} {}", s.metric),
                    XAxis::Numbers(x_desc),
                    &y,
                    &[line],
                )?,
                &format!(
                    "{} of {scope}:{id} over time, mean and 95% band over replications.",
                    s.metric
                ),
            ));
        }
    }
    Ok(h)
}

/// Node loads of a summary: a node's utilisation, else a border's lane utilisation.
fn loads_of(rows: &[SummaryRow]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for r in rows {
        let use_it = match (r.key.scope(), r.key.metric()) {
            ("node", "utilisation") => true,
            ("border", "lane_utilisation") => !out.contains_key(r.key.id()),
            _ => false,
        };
        if use_it && r.summary.mean.is_finite() {
            out.insert(r.key.id().to_string(), r.summary.mean);
        }
    }
    out
}

/// Node loads of a comparison's rows (`pick` chooses base or alternative).
fn loads_from_comparison(
    rows: &[Comparison],
    pick: impl Fn(&Comparison) -> f64,
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for r in rows {
        let use_it = match (r.scope.as_str(), r.metric.as_str()) {
            ("node", "utilisation") => true,
            ("border", "lane_utilisation") => !out.contains_key(&r.id),
            _ => false,
        };
        if use_it && pick(r).is_finite() {
            out.insert(r.id.clone(), pick(r));
        }
    }
    out
}

/// The route graph, or why it cannot be drawn: a map when any node of the scenario has a
/// position, else the schematic.
fn route_graph(f: &Folder, loads: &BTreeMap<String, f64>) -> std::result::Result<String, String> {
    const LOAD: &str =
        "each node coloured by its load: a station's utilisation, else a border's lane utilisation";
    let mut h = match (&f.network, &f.model) {
        (Some(net), _) if net.has_positions() => {
            let unplaced = net.unplaced();
            let missing = if unplaced.is_empty() {
                String::new()
            } else {
                format!(" Not on the map (no position): {}.", unplaced.join(", "))
            };
            figure(
                map::map(net, loads)?,
                &format!(
                    "Map: the scenario's nodes at their latitude and longitude (equirectangular, longitude scaled by the cosine of the mean latitude; no basemap), {LOAD}; grey lines are links, thick dashed blue lines carrier services.{missing}"
                ),
            )
        }
        (_, Ok(model)) if model.nodes.is_empty() => {
            return Ok("<p class=\"none\">The scenario has no nodes.</p>\n".into());
        }
        (_, Ok(model)) => figure(
            graph::schematic(model, loads)?,
            &format!(
                "Schematic (not a map: no node has a position): the scenario's nodes placed by their order along the flows' routes, {LOAD}; thick blue lines are carrier services."
            ),
        ),
        (_, Err(why)) => {
            return Ok(format!(
                "<p class=\"none\">The route graph is not drawn: {}</p>\n",
                esc(why)
            ));
        }
    };
    h.push_str("<p class=\"legend\">load:");
    for (label, l) in [
        ("0", Some(0.0)),
        ("0.5", Some(0.5)),
        ("0.7", Some(0.7)),
        ("0.85", Some(0.85)),
        ("1 or more", Some(1.0)),
        ("none (unlimited)", None),
    ] {
        let _ = write!(
            h,
            "<span class=\"swatch\" style=\"background:{}\"></span>{}",
            charts::css(graph::load_colour(l)),
            esc(label)
        );
    }
    h.push_str("</p>\n");
    Ok(h)
}

/// The alternatives of a comparison, in order of appearance.
fn alternatives(rows: &[Comparison]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        if !out.contains(&r.alt_scenario) {
            out.push(r.alt_scenario.clone());
        }
    }
    out
}

fn is_load(c: &Comparison) -> bool {
    !matches!(c.scope.as_str(), "flow" | "corridor" | "wait")
        && (c.metric.ends_with("utilisation") || c.metric == "load_factor")
}

fn effect(c: &Comparison, label: String) -> Effect {
    Effect {
        label,
        diff: c.diff,
        ci95: c.diff_ci95,
        significant: c.significant_bh == Some(true),
    }
}

/// The rows of a forest plot as a table.
fn effect_table(rows: &[&Comparison], label: impl Fn(&Comparison) -> String) -> String {
    let mut t = Table::new(
        "effects",
        &[
            "",
            "base",
            "alternative",
            "difference ± 95%",
            "change",
            "significant (BH)",
        ],
    );
    for c in rows {
        let pct = if c.pct_change.is_finite() {
            format!("{:+.1}%", c.pct_change)
        } else {
            "-".into()
        };
        let sig = match c.significant_bh {
            Some(true) => "<span class=\"bad\">yes</span>".to_string(),
            Some(false) => "no".into(),
            None => "-".into(),
        };
        t.row(
            &format!(
                " data-metric=\"{}\" data-id=\"{}\"",
                esc(&format!("{}.{}", c.scope, c.metric)),
                esc(&c.id)
            ),
            &[
                format!("<code>{}</code>", esc(&label(c))),
                num(c.base, 2),
                num(c.alt, 2),
                if c.diff_ci95.is_finite() {
                    format!("{} ±{}", num(c.diff, 2), num(c.diff_ci95, 2))
                } else {
                    num(c.diff, 2)
                },
                pct,
                sig,
            ],
        );
    }
    t.finish()
}

/// Per alternative: forest plots of the flows' transit and throughput and of the loads that
/// changed most.
fn comparison(rows: &[Comparison]) -> std::result::Result<String, String> {
    let alts = alternatives(rows);
    if alts.is_empty() {
        return Ok("<p class=\"none\">comparison.csv holds no rows.</p>\n".into());
    }
    let mut h = String::from(
        "<p>Each dot is the mean over paired replications of alternative − base, its bar the paired 95% interval; dark: significant under Benjamini-Hochberg at q = 0.05 (comparison.csv's significant_bh), grey: not.</p>\n",
    );
    for (k, alt) in alts.iter().enumerate() {
        let _ = writeln!(
            h,
            "<h3 id=\"alt-{}\">{}</h3>",
            k + 1,
            esc(&format!("Alternative {}: {alt}", k + 1))
        );
        let of_alt: Vec<&Comparison> = rows.iter().filter(|r| &r.alt_scenario == alt).collect();
        for (scope, metric, what, unit) in [
            ("flow", "transit_mean", "mean transit", "h"),
            ("flow", "throughput", "throughput", "TEU/day"),
            ("cost", "generalised", "generalised cost", "USD/TEU"),
            ("cost", "co2e", "emissions", "kg CO2e/TEU"),
        ] {
            let sel: Vec<&Comparison> = of_alt
                .iter()
                .copied()
                .filter(|r| r.scope == scope && r.metric == metric)
                .collect();
            if sel.is_empty() {
                continue;
            }
            let effects: Vec<Effect> = sel.iter().map(|c| effect(c, c.id.clone())).collect();
            let title = format!("{alt}: change of each flow's {what}");
            h.push_str(&figure(
                charts::forest(&title, &format!("alternative − base, {unit}"), &effects)?,
                &format!("Change of each flow's {what} ({unit}), alternative {alt} − base, with paired 95% intervals."),
            ));
            h.push_str(&effect_table(&sel, |c| c.id.clone()));
        }
        let mut loads: Vec<&Comparison> = of_alt
            .iter()
            .copied()
            .filter(|c| is_load(c) && c.diff.is_finite())
            .collect();
        loads.sort_by(|a, b| {
            b.diff
                .abs()
                .total_cmp(&a.diff.abs())
                .then_with(|| (&a.scope, &a.id, &a.metric).cmp(&(&b.scope, &b.id, &b.metric)))
        });
        loads.truncate(TOP_LOADS);
        if !loads.is_empty() {
            let label = |c: &Comparison| format!("{}:{} {}", c.scope, c.id, c.metric);
            let effects: Vec<Effect> = loads.iter().map(|c| effect(c, label(c))).collect();
            h.push_str(&figure(
                charts::forest(&format!("{alt}: loads that changed most"), "alternative − base, share of capacity", &effects)?,
                &format!("The {} loads that changed most, alternative {alt} − base, with paired 95% intervals.", loads.len()),
            ));
            h.push_str(&effect_table(&loads, label));
        }
    }
    Ok(h)
}

/// The x axis of a sweep: the varied values as numbers when there is one varied path and
/// every value is a number or a duration (in days), else the points as categories.
fn sweep_axis(
    vary: &[String],
    points: &[(Vec<String>, Vec<SummaryRow>)],
) -> (Vec<f64>, Vec<String>, String) {
    let labels: Vec<String> = points.iter().map(|p| p.0.join(" / ")).collect();
    if vary.len() == 1 {
        let plain: Option<Vec<f64>> = points.iter().map(|p| p.0[0].trim().parse().ok()).collect();
        if let Some(xs) = plain {
            return (xs, Vec::new(), vary[0].clone());
        }
        let days: Option<Vec<f64>> = points
            .iter()
            .map(|p| {
                crate::scenario::duration::parse_duration(&p.0[0])
                    .ok()
                    .map(|d| d.secs / 86_400.0)
            })
            .collect();
        if let Some(xs) = days {
            return (xs, Vec::new(), format!("{}, days", vary[0]));
        }
    }
    (
        (0..points.len()).map(|i| i as f64).collect(),
        labels,
        vary.join(" / "),
    )
}

/// Each headline metric against the varied parameter, with 95% bands.
fn sweep(
    vary: &[String],
    points: &[(Vec<String>, Vec<SummaryRow>)],
) -> std::result::Result<String, String> {
    if points.is_empty() {
        return Ok("<p class=\"none\">sweep.csv holds no points.</p>\n".into());
    }
    let (xs, labels, desc) = sweep_axis(vary, points);
    let axis = || {
        if labels.is_empty() {
            XAxis::Numbers(&desc)
        } else {
            XAxis::Labels(&labels, &desc)
        }
    };
    let flows: Vec<String> = flow_ids(&points[0].1)
        .iter()
        .map(|s| s.to_string())
        .collect();
    let series = |scope: &str, ids: &[String], metric: &str, scale: f64| -> Vec<Line> {
        ids.iter()
            .map(|id| Line {
                name: id.clone(),
                points: points
                    .iter()
                    .zip(&xs)
                    .map(|(p, &x)| {
                        find(&p.1, scope, id, metric).map_or((x, f64::NAN, f64::NAN), |s| {
                            (x, s.mean * scale, s.ci95 * scale)
                        })
                    })
                    .collect(),
            })
            .collect()
    };
    let mut h = String::from(
        "<p>Every point uses the same seed (common random numbers). Lines: the mean over replications at each point; bands: its 95% interval.</p>\n",
    );
    for (metric, what, unit, scale) in [
        ("transit_mean", "mean transit", "days", 1.0 / 24.0),
        (
            "transit_p95",
            "95th percentile of transit",
            "days",
            1.0 / 24.0,
        ),
        ("throughput", "throughput", "TEU/day", 1.0),
    ] {
        let lines = series("flow", &flows, metric, scale);
        if lines
            .iter()
            .all(|l| l.points.iter().all(|p| !p.1.is_finite()))
        {
            continue;
        }
        let _ = writeln!(
            h,
            "<h3 id=\"sweep-{metric}\">{}</h3>",
            esc(&format!("Each flow's {what}"))
        );
        h.push_str(&figure(
            charts::lines(
                &format!("{what} against {desc}"),
                axis(),
                &format!("{what}, {unit}"),
                &lines,
            )?,
            &format!("Each flow's {what} ({unit}) at every point of the sweep, with its 95% band."),
        ));
    }
    // The nodes with the highest utilisation at any point.
    let mut peak: BTreeMap<String, f64> = BTreeMap::new();
    for p in points {
        for (id, l) in loads_of(&p.1) {
            let e = peak.entry(id).or_insert(f64::NEG_INFINITY);
            *e = e.max(l);
        }
    }
    let mut top: Vec<(String, f64)> = peak.into_iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let top: Vec<String> = top.into_iter().take(5).map(|t| t.0).collect();
    if !top.is_empty() {
        let lines = series("node", &top, "utilisation", 1.0);
        let _ = writeln!(
            h,
            "<h3 id=\"sweep-utilisation\">Utilisation of the most loaded nodes</h3>"
        );
        h.push_str(&figure(
            charts::lines(
                &format!("utilisation against {desc}"),
                axis(),
                "utilisation",
                &lines,
            )?,
            "The utilisation of the (up to) five nodes most loaded at any point, with 95% bands.",
        ));
    }
    let mut head: Vec<String> = vary.to_vec();
    head.extend(flows.iter().map(|f| format!("{f} transit, d")));
    let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut t = Table::new("points", &head_refs);
    for (k, p) in points.iter().enumerate() {
        let mut cells: Vec<String> = p.0.iter().map(|v| esc(v)).collect();
        cells.extend(
            flows
                .iter()
                .map(|f| pm(find(&p.1, "flow", f, "transit_mean"), 1.0 / 24.0, 2)),
        );
        t.row(&format!(" id=\"point-{k}\""), &cells);
    }
    h.push_str(&t.finish());
    Ok(h)
}

/// With costs (`cost` rows): each flow's transit beside its cost and emissions per TEU; empty
/// without them.
fn cost_table(rows: &[SummaryRow], ids: &[&str]) -> String {
    if !rows.iter().any(|r| r.key.scope() == "cost") {
        return String::new();
    }
    let mut h = String::from(
        "<p>Cost and emissions per TEU delivered (scope <code>cost</code> in summary.csv; see OUTPUTS.md): charges by the scenario's tariffs, the value of time × mean transit, their sum, and kg CO2e.</p>\n",
    );
    let mut t = Table::new(
        "costs",
        &[
            "flow",
            "transit mean, d",
            "charges, USD/TEU",
            "time cost, USD/TEU",
            "generalised, USD/TEU",
            "CO2e, kg/TEU",
            "CO2e, kg/TEU-km",
        ],
    );
    for id in ids {
        let get = |m: &str| find(rows, "cost", id, m);
        t.row(
            &format!(" id=\"cost-{}\"", esc(id)),
            &[
                format!("<code>{}</code>", esc(id)),
                pm(find(rows, "flow", id, "transit_mean"), 1.0 / 24.0, 2),
                pm(get("charges"), 1.0, 0),
                pm(get("time_cost"), 1.0, 0),
                pm(get("generalised"), 1.0, 0),
                pm(get("co2e"), 1.0, 0),
                pm(get("co2e_per_teu_km"), 1.0, 3),
            ],
        );
    }
    h.push_str(&t.finish());
    h
}
