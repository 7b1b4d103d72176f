//! The short human-readable table printed by `corridor run`, fitted to the terminal width
//! ([`super::layout`]).

use std::io::Write;

use super::layout::{Col, fit_line, render, terminal_width};
use super::{SummaryIndex, SummaryRow};
use crate::scenario::Model;

fn cell(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "-".to_string()
    }
}

fn pm(rows: &SummaryIndex, scope: &str, id: &str, metric: &str, decimals: usize) -> String {
    match rows.get(scope, id, metric) {
        Some(s) if s.ci95.is_finite() => {
            format!("{} ±{}", cell(s.mean, decimals), cell(s.ci95, decimals))
        }
        Some(s) => cell(s.mean, decimals),
        None => "-".into(),
    }
}

/// Prints per-flow and per-node tables (means over replications, ± the 95% half-width), fitted
/// to the terminal width (`$COLUMNS`, else 100).
pub fn print_table(
    out: &mut impl Write,
    model: &Model,
    rows: &[SummaryRow],
) -> std::io::Result<()> {
    write_table(out, model, rows, terminal_width())
}

/// [`print_table`] fitted to `width` display columns: long ids are cut with `…`.
pub fn write_table(
    out: &mut impl Write,
    model: &Model,
    rows: &[SummaryRow],
    width: usize,
) -> std::io::Result<()> {
    let rows = &SummaryIndex::new(rows);
    let reps = rows
        .get("corridor", &model.name, "created")
        .map_or(0, |s| s.n);
    let title = format!(
        "{}: {} replication(s), statistics over {} after {} warm-up; mean ±95% CI half-width",
        model.name,
        reps,
        model.window(),
        model.warmup - crate::engine::SimTime::ZERO
    );
    writeln!(out, "{}", fit_line(&title, width))?;
    writeln!(out)?;
    let flows: Vec<Vec<String>> = model
        .flows
        .iter()
        .map(|f| {
            vec![
                f.id.clone(),
                pm(rows, "flow", &f.id, "delivered", 0),
                pm(rows, "flow", &f.id, "throughput", 2),
                pm(rows, "flow", &f.id, "transit_mean", 2),
                pm(rows, "flow", &f.id, "transit_p95", 1),
            ]
        })
        .collect();
    let num = Col::Number;
    let t = render(
        &[Col::Name, num, num, num, num],
        &[
            "flow",
            "delivered TEU",
            "TEU/day",
            "transit mean h",
            "transit p95 h",
        ],
        &flows,
        width,
    );
    write!(out, "{t}")?;
    writeln!(out)?;
    let nodes: Vec<Vec<String>> = model
        .nodes
        .iter()
        .map(|n| {
            vec![
                n.id.clone(),
                pm(rows, "node", &n.id, "utilisation", 3),
                pm(rows, "node", &n.id, "wait_mean", 2),
                pm(rows, "node", &n.id, "queue_mean", 2),
            ]
        })
        .collect();
    let t = render(
        &[Col::Name, num, num, num],
        &["node", "utilisation", "wait mean h", "queue mean"],
        &nodes,
        width,
    );
    write!(out, "{t}")
}
