//! `capacity.csv`: one row per replication and the summary row. Its exporter lives beside the
//! command rather than in `src/report/`, as the only command that writes it.

use super::resources::Resource;
use crate::report::{Export, fmt_value};

/// The header of capacity.csv.
pub const CAPACITY_HEADER: [&str; 12] = [
    "replication",
    "result",
    "factor",
    "low",
    "high",
    "ci95",
    "n",
    "evaluations",
    "binding_scope",
    "binding_id",
    "binding_measure",
    "binding_utilisation",
];

/// One row of capacity.csv.
pub(super) struct Line {
    /// The replication number, or `mean` for the summary row.
    pub(super) replication: String,
    /// `found`, `above_range` or `below_range`; `t_interval` (or `t_interval_of_found` when
    /// some replications are censored) for the summary row.
    pub(super) result: &'static str,
    /// The factor found (the mean for the summary row); NaN when censored.
    pub(super) factor: f64,
    /// The bracket (the t-interval for the summary row); NaN where open.
    pub(super) low: f64,
    /// See `low`.
    pub(super) high: f64,
    /// The t-interval's half-width (summary row only).
    pub(super) ci95: f64,
    /// The replications with a factor (summary row only).
    pub(super) n: Option<u64>,
    /// Evaluations (summed for the summary row).
    pub(super) evaluations: u32,
    /// The binding resource and its utilisation (for the summary row the most frequent, with
    /// its mean utilisation where it was binding).
    pub(super) binding: Option<(Resource, f64)>,
}

/// capacity.csv.
pub(super) struct CapacityCsv<'a> {
    /// Its rows.
    pub(super) lines: &'a [Line],
}

impl Export for CapacityCsv<'_> {
    fn file_name(&self) -> &'static str {
        "capacity.csv"
    }

    fn serialize(&self) -> std::io::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CAPACITY_HEADER)?;
        for l in self.lines {
            let (scope, id, measure, u) = match &l.binding {
                Some((r, u)) => (r.scope, r.id.as_str(), r.measure, fmt_value(*u)),
                None => ("", "", "", String::new()),
            };
            w.write_record([
                l.replication.as_str(),
                l.result,
                &fmt_value(l.factor),
                &fmt_value(l.low),
                &fmt_value(l.high),
                &fmt_value(l.ci95),
                &l.n.map_or(String::new(), |n| n.to_string()),
                &l.evaluations.to_string(),
                scope,
                id,
                measure,
                &u,
            ])?;
        }
        w.into_inner().map_err(|e| e.into_error())
    }
}
