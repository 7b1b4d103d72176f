//! What `corridor run` prints, fitted to the terminal width ([`super::layout`]): per flow, the
//! transit in days and hours with its decomposition and whether it settles; with costs, each
//! flow's cost and CO2e per TEU; with alternative routes, each route's share; then the top
//! bottlenecks ([`super::bottlenecks`]). Everything else is in the CSV files.

use std::collections::HashMap;
use std::io::Write;

use super::layout::{Col, fit_line, render, terminal_width};
use super::{SummaryIndex, SummaryRow, bottlenecks};
use crate::engine::summary::Summary;
use crate::scenario::Model;

/// Bottlenecks printed after a run (the rest are in bottlenecks.csv).
pub(crate) const TOP_BOTTLENECKS: usize = 5;

fn cell(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "-".to_string()
    }
}

/// `mean ±ci95`, or the mean alone, or `-`.
fn pm_of(s: Option<&Summary>, decimals: usize) -> String {
    match s {
        Some(s) if s.ci95.is_finite() => {
            format!("{} ±{}", cell(s.mean, decimals), cell(s.ci95, decimals))
        }
        Some(s) => cell(s.mean, decimals),
        None => "-".into(),
    }
}

/// Hours as `D.D ±d.d d (H h)`.
fn days_hours(s: Option<&Summary>) -> String {
    match s {
        Some(s) if s.mean.is_finite() => {
            let ci = if s.ci95.is_finite() {
                format!(" ±{:.1}", s.ci95 / 24.0)
            } else {
                String::new()
            };
            format!("{:.1}{ci} d ({:.0} h)", s.mean / 24.0, s.mean)
        }
        _ => "-".into(),
    }
}

/// A `stable` verdict: `yes`, `NO` (grows with the horizon) or `-` (no verdict).
fn verdict(s: Option<&Summary>) -> String {
    match s.map(|s| s.mean) {
        Some(1.0) => "yes".into(),
        Some(0.0) => "NO".into(),
        _ => "-".into(),
    }
}

/// Prints the flow table and the top bottlenecks (means over replications, ± the 95%
/// half-width), fitted to the terminal width (`$COLUMNS`, else 100).
pub fn print_table(
    out: &mut impl Write,
    model: &Model,
    rows: &[SummaryRow],
) -> std::io::Result<()> {
    write_table(out, model, rows, terminal_width())
}

/// [`print_table`] with the summary's index.
pub(crate) fn print_table_in(
    out: &mut impl Write,
    model: &Model,
    index: &SummaryIndex,
) -> std::io::Result<()> {
    write_table_in(out, model, index, terminal_width())
}

/// [`print_table`] fitted to `width` display columns: long ids are cut with `…`.
pub fn write_table(
    out: &mut impl Write,
    model: &Model,
    rows: &[SummaryRow],
    width: usize,
) -> std::io::Result<()> {
    write_table_in(out, model, &SummaryIndex::new(rows), width)
}

/// [`write_table`] with the summary's index.
fn write_table_in(
    out: &mut impl Write,
    model: &Model,
    index: &SummaryIndex,
    width: usize,
) -> std::io::Result<()> {
    let rows = index.rows();
    let reps = super::find(rows, "corridor", &model.name, "created").map_or(0, |s| s.n);
    let title = format!(
        "{}: {} replication(s), statistics over {} after {} warm-up; mean ±95% CI half-width",
        model.name,
        reps,
        model.window(),
        model.warmup - crate::engine::SimTime::ZERO
    );
    writeln!(out, "{}", fit_line(&title, width))?;
    writeln!(out)?;
    let get = |id: &str, metric: &str| index.get("flow", id, metric);
    let hours = |id: &str, metric: &str| cell(get(id, metric).map_or(f64::NAN, |s| s.mean), 1);
    let flows: Vec<Vec<String>> = model
        .flows
        .iter()
        .map(|f| {
            let id = f.id.as_str();
            vec![
                id.to_string(),
                pm_of(get(id, "throughput"), 1),
                days_hours(get(id, "transit_mean")),
                days_hours(get(id, "transit_p95")),
                verdict(get(id, "stable")),
            ]
        })
        .collect();
    let num = Col::Number;
    let t = render(
        &[Col::Name, num, num, num, Col::Text],
        &["flow", "TEU/day", "transit mean", "transit p95", "stable"],
        &flows,
        width,
    );
    write!(out, "{t}")?;
    writeln!(out)?;
    let parts: Vec<Vec<String>> = model
        .flows
        .iter()
        .map(|f| {
            let id = f.id.as_str();
            vec![
                id.to_string(),
                hours(id, "moving"),
                hours(id, "waiting_for_carrier"),
                hours(id, "queueing"),
                hours(id, "handling"),
                hours(id, "border"),
            ]
        })
        .collect();
    let t = render(
        &[Col::Name, num, num, num, num, num],
        &[
            "where transit goes, h",
            "moving",
            "waiting for carrier",
            "queueing",
            "handling",
            "border",
        ],
        &parts,
        width,
    );
    write!(out, "{t}")?;
    writeln!(out)?;
    write_costs(out, model, index, width)?;
    write_routes(out, model, index, width)?;
    let ranked = bottlenecks::rank_in(index);
    let top: Vec<Vec<String>> = ranked
        .iter()
        .take(TOP_BOTTLENECKS)
        .enumerate()
        .map(|(i, b)| {
            let mut who: Vec<String> = b
                .flows
                .iter()
                .filter(|f| f.share.mean.is_finite() && f.share.mean >= 0.0005)
                .take(2)
                .map(|f| {
                    let pct = 100.0 * f.share.mean;
                    let digits = usize::from(pct < 1.0);
                    format!("{} {pct:.digits$}%", f.flow)
                })
                .collect();
            let more = b.flows.len().saturating_sub(who.len());
            if who.is_empty() {
                who.push("-".into());
            } else if more > 0 {
                who.push(format!("+{more}"));
            }
            vec![
                (i + 1).to_string(),
                format!("{}:{}", b.scope, b.id),
                cell(b.load.map_or(f64::NAN, |s| s.mean), 3),
                pm_of(b.wait.as_ref(), 1),
                cell(b.hours_per_day, 1),
                verdict(b.stable.map(|v| Summary::of(&[v])).as_ref()),
                who.join(", "),
            ]
        })
        .collect();
    let t = render(
        &[num, Col::Name, num, num, num, Col::Text, Col::Name],
        &[
            "#",
            "bottleneck",
            "load",
            "wait mean h",
            "waiting h/day",
            "stable",
            "share of transit",
        ],
        &top,
        width,
    );
    write!(out, "{t}")?;
    let more = ranked.len().saturating_sub(TOP_BOTTLENECKS);
    if more > 0 {
        writeln!(
            out,
            "{}",
            fit_line(
                &format!("({more} more resources in bottlenecks.csv)"),
                width
            )
        )?;
    }
    write_periods(out, model, rows, width)
}

/// With costs (`Model::costs`): per flow, the charges, time cost and generalised cost per TEU
/// and the CO2e per TEU. Nothing without costs.
fn write_costs(
    out: &mut impl Write,
    model: &Model,
    index: &SummaryIndex,
    width: usize,
) -> std::io::Result<()> {
    if model.costs.is_none() {
        return Ok(());
    }
    let get = |id: &str, metric: &str| index.get("cost", id, metric);
    let rows: Vec<Vec<String>> = model
        .flows
        .iter()
        .map(|f| {
            let id = f.id.as_str();
            vec![
                id.to_string(),
                pm_of(get(id, "charges"), 0),
                pm_of(get(id, "time_cost"), 0),
                pm_of(get(id, "generalised"), 0),
                pm_of(get(id, "co2e"), 0),
            ]
        })
        .collect();
    let num = Col::Number;
    let t = render(
        &[Col::Name, num, num, num, num],
        &[
            "cost per TEU",
            "charges USD",
            "time cost USD",
            "generalised USD",
            "CO2e kg",
        ],
        &rows,
        width,
    );
    write!(out, "{t}")?;
    writeln!(out)
}

/// With alternative routes: per route of each flow that chooses, its share of the flow's
/// consignments, its mean transit and (with costs) its generalised cost per TEU. Nothing
/// without alternatives.
fn write_routes(
    out: &mut impl Write,
    model: &Model,
    index: &SummaryIndex,
    width: usize,
) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> = model
        .flows
        .iter()
        .filter_map(|f| Some((f, f.choice.as_deref()?)))
        .flat_map(|(f, c)| {
            c.routes.iter().map(move |r| {
                let id = format!("{}/{}", f.id, r.id);
                let get = |metric: &str| index.get("route", &id, metric);
                vec![
                    id.clone(),
                    pm_of(get("share"), 2),
                    days_hours(get("transit_mean")),
                    pm_of(get("generalised"), 0),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let num = Col::Number;
    let t = render(
        &[Col::Name, num, num, num],
        &["route", "share", "transit mean", "generalised USD/TEU"],
        &rows,
        width,
    );
    write!(out, "{t}")?;
    writeln!(out)
}

/// The utilisations a period's most loaded resource is chosen among: (scope, metric).
const LOADS: [(&str, &str); 3] = [
    ("node", "utilisation"),
    ("service", "fleet_utilisation"),
    ("berths", "berth_utilisation"),
];

/// With `scenario.periods`: per calendar period, each flow's delivered TEU/day and mean
/// transit (of the consignments created in the period), then the period's most loaded
/// resource (highest mean utilisation of servers, lanes, fleets and berths). Nothing without
/// periods.
fn write_periods(
    out: &mut impl Write,
    model: &Model,
    rows: &[SummaryRow],
    width: usize,
) -> std::io::Result<()> {
    let mut periods: Vec<&str> = Vec::new();
    let mut index: HashMap<(&str, &str, &str, &str), &Summary> = HashMap::new();
    for r in rows.iter().filter(|r| !r.key.is_window()) {
        if periods.last() != Some(&r.key.period()) {
            periods.push(r.key.period());
        }
        index.insert(
            (r.key.period(), r.key.scope(), r.key.id(), r.key.metric()),
            &r.summary,
        );
    }
    if periods.is_empty() {
        return Ok(());
    }
    let mut flows = Vec::new();
    let mut loads = Vec::new();
    for &p in &periods {
        for f in &model.flows {
            let get = |metric: &str| index.get(&(p, "flow", f.id.as_str(), metric)).copied();
            flows.push(vec![
                p.to_string(),
                f.id.clone(),
                pm_of(get("throughput"), 1),
                days_hours(get("transit_mean")),
            ]);
        }
        let busiest = index
            .iter()
            .filter(|((q, scope, _, metric), s)| {
                *q == p && LOADS.contains(&(*scope, *metric)) && s.mean.is_finite()
            })
            .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean).then_with(|| b.0.cmp(a.0)));
        loads.push(match busiest {
            Some(((_, scope, id, metric), s)) => vec![
                p.to_string(),
                format!("{scope}:{id}"),
                metric.to_string(),
                pm_of(Some(s), 3),
            ],
            None => vec![p.to_string(), "-".into(), "-".into(), "-".into()],
        });
    }
    writeln!(out)?;
    let num = Col::Number;
    let t = render(
        &[Col::Text, Col::Name, num, num],
        &[
            "period",
            "flow",
            "TEU/day",
            "transit mean (created in the period)",
        ],
        &flows,
        width,
    );
    write!(out, "{t}")?;
    writeln!(out)?;
    let t = render(
        &[Col::Text, Col::Name, Col::Text, num],
        &["period", "most loaded", "load", "mean"],
        &loads,
        width,
    );
    write!(out, "{t}")
}
