//! The short human-readable table printed by `corridor run`.

use std::io::Write;

use super::{SummaryRow, find};
use crate::scenario::Model;

fn cell(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "-".to_string()
    }
}

fn pm(rows: &[SummaryRow], scope: &str, id: &str, metric: &str, decimals: usize) -> String {
    match find(rows, scope, id, metric) {
        Some(s) if s.ci95.is_finite() => {
            format!("{} ±{}", cell(s.mean, decimals), cell(s.ci95, decimals))
        }
        Some(s) => cell(s.mean, decimals),
        None => "-".into(),
    }
}

/// Prints per-flow and per-node tables (means over replications, ± the 95% half-width).
pub fn print_table(
    out: &mut impl Write,
    model: &Model,
    rows: &[SummaryRow],
) -> std::io::Result<()> {
    let reps = find(rows, "corridor", &model.name, "created").map_or(0, |s| s.n);
    writeln!(
        out,
        "{}: {} replication(s), statistics over {} after {} warm-up (mean ±95% CI half-width)",
        model.name,
        reps,
        model.window(),
        model.warmup - crate::engine::SimTime::ZERO
    )?;
    writeln!(out)?;
    let w = model
        .flows
        .iter()
        .map(|f| f.id.len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "{:<w$}  {:>18}  {:>16}  {:>18}  {:>12}",
        "flow", "delivered TEU", "TEU/day", "transit mean h", "transit p95 h"
    )?;
    for f in &model.flows {
        writeln!(
            out,
            "{:<w$}  {:>18}  {:>16}  {:>18}  {:>12}",
            f.id,
            pm(rows, "flow", &f.id, "delivered", 0),
            pm(rows, "flow", &f.id, "throughput", 2),
            pm(rows, "flow", &f.id, "transit_mean", 2),
            pm(rows, "flow", &f.id, "transit_p95", 1),
        )?;
    }
    writeln!(out)?;
    let w = model
        .nodes
        .iter()
        .map(|n| n.id.len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "{:<w$}  {:>16}  {:>16}  {:>14}",
        "node", "utilisation", "wait mean h", "queue mean"
    )?;
    for n in &model.nodes {
        writeln!(
            out,
            "{:<w$}  {:>16}  {:>16}  {:>14}",
            n.id,
            pm(rows, "node", &n.id, "utilisation", 3),
            pm(rows, "node", &n.id, "wait_mean", 2),
            pm(rows, "node", &n.id, "queue_mean", 2),
        )?;
    }
    Ok(())
}
