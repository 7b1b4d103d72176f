//! Helpers shared by the test modules.

use std::path::Path;

use corridor::report::{ReplicationResult, SummaryRow, find};
use corridor::run::{RunOutput, run_model};
use corridor::scenario::{self, Model};

/// Parses scenario text (as if read from `inline.toml` in the current folder).
pub(crate) fn model(src: &str) -> Model {
    scenario::parse(Path::new("inline.toml"), src).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a model on two threads.
pub(crate) fn run(m: &Model) -> RunOutput {
    run_model(m, Some(2)).expect("run")
}

/// The summary of one metric.
pub(crate) fn summary<'a>(
    rows: &'a [SummaryRow],
    scope: &str,
    id: &str,
    metric: &str,
) -> &'a corridor::engine::summary::Summary {
    find(rows, scope, id, metric).unwrap_or_else(|| panic!("no {scope}/{id}/{metric}"))
}

/// One metric's value in one replication.
pub(crate) fn value(rep: &ReplicationResult, scope: &str, id: &str, metric: &str) -> f64 {
    rep.rows
        .iter()
        .find(|r| r.scope == scope && r.id == id && r.metric == metric)
        .unwrap_or_else(|| panic!("no {scope}/{id}/{metric}"))
        .value
}

/// Erlang-C mean wait in queue for M/M/c with arrival rate `lambda` and service rate `mu`.
pub(crate) fn erlang_c_wq(c: u32, lambda: f64, mu: f64) -> f64 {
    let a = lambda / mu;
    let rho = a / c as f64;
    assert!(rho < 1.0);
    let mut term = 1.0;
    let mut sum = 1.0; // k = 0
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / c as f64 / (1.0 - rho);
    let p_wait = last / (sum + last);
    p_wait / (c as f64 * mu - lambda)
}

#[test]
fn erlang_c_reference_values() {
    // M/M/1: Wq = rho / (mu - lambda).
    assert!((erlang_c_wq(1, 0.8, 1.0) - 4.0).abs() < 1e-12);
    // M/M/3 at a = 2.4: P(wait) = 0.6472 (tables), Wq = 0.6472 / 0.6.
    assert!((erlang_c_wq(3, 2.4, 1.0) - 0.647_191 / 0.6).abs() < 1e-5);
}

/// Rows as text (NaN compares equal to NaN this way, as it does in the CSV files).
pub(crate) fn rows_text(rows: &[corridor::report::Row]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            format!(
                "{},{},{},{},{}",
                r.scope,
                r.id,
                r.metric,
                r.unit,
                corridor::report::fmt_value(r.value)
            )
        })
        .collect()
}

/// The five parts of a flow's transit in one replication, summed (moving, waiting for a
/// carrier, queueing, handling, border): they add up to `transit_mean`.
pub(crate) fn transit_parts(rep: &ReplicationResult, flow: &str) -> f64 {
    [
        "moving",
        "waiting_for_carrier",
        "queueing",
        "handling",
        "border",
    ]
    .iter()
    .map(|k| value(rep, "flow", flow, k))
    .sum()
}
