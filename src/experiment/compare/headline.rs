//! What `corridor compare` prints: a headline per alternative, fitted to the terminal.
//!
//! 1. How many metrics changed: Benjamini-Hochberg at q = 0.05 over the alternative's paired-t
//!    p-values (`significant_bh`), and, with `--min-change`, by at least that percentage.
//! 2. Every flow's transit time and throughput, base -> alternative, with the difference, its
//!    paired 95% interval and whether it changed.
//! 3. The resources whose load (utilisation, load factor) changed most, by the difference in
//!    points of capacity, and those whose wait changed most, by the difference in hours.
//!
//! Everything else is in comparison.csv.

use std::fmt::Write;

use crate::report::layout::{Col, fit_line, render};

use super::Comparison;

/// Rows shown per resource table.
const TOP: usize = 8;

fn num(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

fn pct(c: &Comparison) -> String {
    if c.pct_change.is_finite() {
        format!("{:+.1}%", c.pct_change)
    } else {
        "-".into()
    }
}

/// What the headline calls a change: significant under Benjamini-Hochberg and, with a
/// threshold (in percent), a percentage change at least that large. A row whose percentage is
/// empty (the base's interval includes 0) is judged by Benjamini-Hochberg alone.
pub(crate) fn changed(c: &Comparison, min_change: Option<f64>) -> bool {
    c.significant_bh == Some(true)
        && min_change.is_none_or(|t| !c.pct_change.is_finite() || c.pct_change.abs() >= t)
}

fn is_load(c: &Comparison) -> bool {
    !matches!(c.scope.as_str(), "flow" | "corridor" | "wait")
        && (c.metric.ends_with("utilisation") || c.metric == "load_factor")
}

fn is_wait(c: &Comparison) -> bool {
    // A flow's wait at a resource (scope `wait`) is a part of the resource's own wait.
    !matches!(c.scope.as_str(), "flow" | "corridor" | "wait")
        && (c.metric.ends_with("wait_mean") || c.metric == "queueing_mean")
}

fn cells(c: &Comparison, first: String, metric: String) -> Vec<String> {
    vec![
        first,
        metric,
        num(c.base),
        num(c.alt),
        format!("{} ±{}", num(c.diff), num(c.diff_ci95)),
        pct(c),
    ]
}

const HEAD: [&str; 6] = ["", "metric", "base", "alt", "diff ±95%", "change"];
const COLS: [Col; 6] = [
    Col::Name,
    Col::Name,
    Col::Number,
    Col::Number,
    Col::Number,
    Col::Number,
];

/// The resources of one kind that changed, largest |diff| first (ties in the base's order).
fn top_table(out: &mut String, rows: &[&Comparison], title: &str, width: usize) {
    let mut rows = rows.to_vec();
    rows.sort_by(|a, b| b.diff.abs().total_cmp(&a.diff.abs()));
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", fit_line(title, width));
    let shown: Vec<Vec<String>> = rows
        .iter()
        .take(TOP)
        .map(|c| {
            cells(
                c,
                format!("{} {}", c.scope, c.id),
                format!("{} ({})", c.metric, c.unit),
            )
        })
        .collect();
    let mut head = HEAD;
    head[0] = "where";
    out.push_str(&render(&COLS, &head, &shown, width));
    out.push('\n');
}

/// The headline of every alternative in `rows` (comparison rows of the alternatives, as
/// [`super::paired`] and `interleave` give them), against the base named `base`, over `reps`
/// paired replications, fitted to `width` columns.
pub fn headline(
    rows: &[Comparison],
    reps: usize,
    base: &str,
    min_change: Option<f64>,
    width: usize,
) -> String {
    let mut alts: Vec<&str> = Vec::new();
    for c in rows {
        if !alts.contains(&c.alt_scenario.as_str()) {
            alts.push(&c.alt_scenario);
        }
    }
    let mut out = String::new();
    for alt in alts {
        // The headline is about the whole window; period rows are in comparison.csv.
        let mine: Vec<&Comparison> = rows
            .iter()
            .filter(|c| c.alt_scenario == alt && c.period.is_empty())
            .collect();
        let changes: Vec<&Comparison> = mine
            .iter()
            .copied()
            .filter(|c| changed(c, min_change))
            .collect();
        let _ = writeln!(
            out,
            "{}",
            fit_line(
                &format!("{alt} against {base}, {reps} paired replications:"),
                width
            )
        );
        let by = min_change.map_or(String::new(), |t| format!(" by at least {t}%"));
        let _ = writeln!(
            out,
            "{}",
            fit_line(
                &format!(
                    "{} of {} compared metrics changed significantly{by} (Benjamini-Hochberg, FDR 5%)",
                    changes.len(),
                    mine.len()
                ),
                width
            )
        );
        out.push('\n');
        // Per flow (in the base's order): transit time, then throughput, then (with costs) the
        // charges, the generalised cost and the emissions per TEU, then (with alternative
        // routes) each route's share of its consignments.
        let mut flow_rows: Vec<&Comparison> = Vec::new();
        for c in &mine {
            if c.scope == "flow" && c.metric == "transit_mean" {
                flow_rows.push(c);
                flow_rows.extend(
                    mine.iter()
                        .find(|t| t.scope == "flow" && t.id == c.id && t.metric == "throughput"),
                );
                for m in ["charges", "generalised", "co2e"] {
                    flow_rows.extend(
                        mine.iter()
                            .find(|t| t.scope == "cost" && t.id == c.id && t.metric == m),
                    );
                }
                // With alternative routes (in both scenarios): each route's share.
                let routes = format!("{}/", c.id);
                flow_rows.extend(mine.iter().filter(|t| {
                    t.scope == "route" && t.metric == "share" && t.id.starts_with(&routes)
                }));
            }
        }
        let flows: Vec<Vec<String>> = flow_rows
            .iter()
            .map(|c| {
                let mut r = cells(c, c.id.clone(), format!("{} ({})", c.metric, c.unit));
                r.push(match c.significant_bh {
                    None => "-".into(),
                    Some(_) if changed(c, min_change) => "yes".into(),
                    Some(_) => "no".into(),
                });
                r
            })
            .collect();
        if !flows.is_empty() {
            let mut cols = COLS.to_vec();
            cols.push(Col::Text);
            let mut head = HEAD.to_vec();
            head[0] = "flow";
            head.push("changed");
            out.push_str(&render(&cols, &head, &flows, width));
            out.push('\n');
        }
        // With calendar periods: each flow's throughput and transit, period by period
        // (Benjamini-Hochberg over each period's rows).
        let periods: Vec<Vec<String>> = rows
            .iter()
            .filter(|c| {
                c.alt_scenario == alt
                    && !c.period.is_empty()
                    && c.scope == "flow"
                    && matches!(c.metric.as_str(), "transit_mean" | "throughput")
            })
            .map(|c| {
                let mut r = cells(
                    c,
                    format!("{} {}", c.period, c.id),
                    format!("{} ({})", c.metric, c.unit),
                );
                r.push(match c.significant_bh {
                    None => "-".into(),
                    Some(_) if changed(c, min_change) => "yes".into(),
                    Some(_) => "no".into(),
                });
                r
            })
            .collect();
        if !periods.is_empty() {
            let mut cols = COLS.to_vec();
            cols.push(Col::Text);
            let mut head = HEAD.to_vec();
            head[0] = "period flow";
            head.push("changed");
            out.push_str(&render(&cols, &head, &periods, width));
            out.push('\n');
        }
        let loads: Vec<&Comparison> = changes.iter().copied().filter(|c| is_load(c)).collect();
        let waits: Vec<&Comparison> = changes.iter().copied().filter(|c| is_wait(c)).collect();
        top_table(
            &mut out,
            &loads,
            "Resources whose load changed most (largest difference in share of capacity first):",
            width,
        );
        top_table(
            &mut out,
            &waits,
            "Resources whose wait changed most (largest difference in hours first):",
            width,
        );
        // The changes not shown above (the event count is bookkeeping, never shown).
        let in_flows = changes
            .iter()
            .filter(|c| flow_rows.iter().any(|f| std::ptr::eq(*f, **c)))
            .count();
        let shown = in_flows + loads.len().min(TOP) + waits.len().min(TOP);
        let rest = changes
            .iter()
            .filter(|c| !(c.scope == "corridor" && c.metric == "events"))
            .count()
            .saturating_sub(shown);
        let _ = writeln!(
            out,
            "{}",
            fit_line(
                &format!(
                    "{rest} other change(s) and every metric: comparison.csv (columns significant_bh, p_value)"
                ),
                width
            )
        );
        out.push('\n');
    }
    out
}
