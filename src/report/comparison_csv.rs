//! `comparison.csv`: one row per metric and alternative, the paired difference from the base.

use super::{Export, finish, fmt_value};

/// Columns of comparison.csv (`p_value` and `significant_bh`, then `period`, were added after
/// the others, at the end, so that scripts reading the first columns by position keep working).
pub const COMPARISON_HEADER: [&str; 14] = [
    "scope",
    "id",
    "metric",
    "unit",
    "base",
    "alt_scenario",
    "alt",
    "diff",
    "diff_ci95",
    "pct_change",
    "significant",
    "p_value",
    "significant_bh",
    "period",
];

/// One metric of one alternative against the base: a row of comparison.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Scope of the metric.
    pub scope: String,
    /// Flow, node or scenario id.
    pub id: String,
    /// Metric name.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Base mean over the paired replications (those where both have a value).
    pub base: f64,
    /// The alternative's scenario name.
    pub alt_scenario: String,
    /// Alternative mean over the paired replications.
    pub alt: f64,
    /// Mean of `alt_r - base_r`.
    pub diff: f64,
    /// Paired-t 95% half-width of `diff` (NaN with fewer than 2 pairs).
    pub diff_ci95: f64,
    /// `100 * diff / |base|` (NaN when the base's 95% interval, over the paired replications,
    /// includes 0: when the base mean is 0 or its half-width is at least as large as it).
    pub pct_change: f64,
    /// Whether `diff ± diff_ci95` excludes 0 (`None` with fewer than 2 pairs).
    pub significant: Option<bool>,
    /// Two-sided p-value of the paired t-test of `diff` = 0 (NaN with fewer than 2 pairs; 1
    /// when every pair is equal, 0 when every pair differs by the same non-zero amount).
    pub p_value: f64,
    /// Whether Benjamini-Hochberg at q = 0.05, over the p-values of this alternative's
    /// metrics, calls the change significant (`None` with fewer than 2 pairs).
    pub significant_bh: Option<bool>,
    /// Pairs used.
    pub n: u64,
    /// The calendar period of the rows compared (`2026`, ...); empty for the whole window.
    pub period: String,
}

fn flag(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// comparison.csv: the rows in the order given.
pub struct ComparisonCsv<'a> {
    /// The comparisons.
    pub rows: &'a [Comparison],
}

impl Export for ComparisonCsv<'_> {
    fn file_name(&self) -> &'static str {
        "comparison.csv"
    }

    fn serialize(&self) -> std::io::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(COMPARISON_HEADER)?;
        for c in self.rows {
            w.write_record([
                c.scope.as_str(),
                &c.id,
                &c.metric,
                &c.unit,
                &fmt_value(c.base),
                &c.alt_scenario,
                &fmt_value(c.alt),
                &fmt_value(c.diff),
                &fmt_value(c.diff_ci95),
                &fmt_value(c.pct_change),
                flag(c.significant),
                &fmt_value(c.p_value),
                flag(c.significant_bh),
                &c.period,
            ])?;
        }
        finish(w)
    }
}
