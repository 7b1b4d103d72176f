//! Results: metric rows, their summary over replications, and one exporter per output file.
//!
//! As hyperfine's exporters: every file corridor writes is one [`Export`], one file per format
//! ([`SummaryCsv`], [`ReplicationsCsv`], [`ComparisonCsv`], [`SweepCsv`], [`BottlenecksCsv`],
//! [`CorridorGeojson`]), and [`manifest`] describes them all. A [`ResultsFolder`] gathers them and commits them with the
//! manifest, all or nothing: every command writes through it (see its guarantees). Every
//! output is derived from per-replication values, which `replications.csv` (and a shard's rows
//! of `sweep.csv`) hold exactly, so `merge` recomputes the same bytes from shards.

pub mod bottlenecks;
mod checks;
mod comparison_csv;
mod folder;
mod geojson;
pub mod html;
pub mod layout;
pub mod manifest;
mod replications_csv;
pub mod stability;
mod summary_csv;
mod sweep_csv;
mod table;
mod timeseries_csv;
pub(crate) use timeseries_csv::iso_datetime;

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use crate::engine::summary::Summary;

pub use bottlenecks::{BOTTLENECKS_HEADER, BottlenecksCsv};
pub use checks::{UNDELIVERED_LIMIT, undelivered, unsettled, warnings};
pub use comparison_csv::{COMPARISON_HEADER, Comparison, ComparisonCsv};
pub use folder::{Previous, ResultsFolder, ScratchFile, StreamedFile, abandon, write_file};
pub use geojson::{CorridorGeojson, GEOJSON_FILE};
pub use replications_csv::{REPLICATIONS_HEADER, ReplicationsCsv, write_replication};
pub use summary_csv::{SUMMARY_HEADER, SummaryCsv};
pub use sweep_csv::{PointRows, SweepCsv, point_records, read_sweep_rows, sweep_header};
pub use table::{print_table, write_table};
pub use timeseries_csv::{
    SERIES_REPLICATIONS_HEADER, Series, SeriesKey, TIMESERIES_HEADER, series_replications_header,
    write_series_replication, write_timeseries,
};

/// One output file of a results folder.
pub trait Export {
    /// The file's name in the folder, e.g. `summary.csv`.
    fn file_name(&self) -> &'static str;
    /// The file's bytes.
    fn serialize(&self) -> std::io::Result<Vec<u8>>;
    /// Writes the file's bytes to `out` (what [`ResultsFolder::add`] does); a file that can be
    /// large writes them as it makes them instead of making them all first.
    fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(&self.serialize()?)
    }
}

/// The bytes of a CSV writer over a buffer.
fn finish(w: csv::Writer<Vec<u8>>) -> std::io::Result<Vec<u8>> {
    w.into_inner().map_err(|e| e.into_error())
}

/// One metric of one replication.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `corridor`, `flow` or `node`.
    pub scope: &'static str,
    /// The scenario name (corridor scope) or the flow or node id.
    pub id: String,
    /// Metric name, e.g. `transit_mean`.
    pub metric: &'static str,
    /// Unit, e.g. `h`, `TEU/day`, `count`.
    pub unit: &'static str,
    /// Value (NaN when the replication has no observation of it).
    pub value: f64,
    /// The calendar period the row covers (`2026`, `2026-Q1`, `2026-01`); empty for the whole
    /// statistics window.
    pub period: &'static str,
}

impl Row {
    /// A row.
    pub fn new(
        scope: &'static str,
        id: &str,
        metric: &'static str,
        unit: &'static str,
        value: f64,
    ) -> Row {
        Row {
            scope,
            id: id.to_string(),
            metric,
            unit,
            value,
            period: "",
        }
    }

    /// Whether the row covers the whole statistics window (not one calendar period).
    pub fn is_window(&self) -> bool {
        self.period.is_empty()
    }
}

/// The metrics of one replication.
#[derive(Clone, Debug)]
pub struct ReplicationResult {
    /// 0-based replication number.
    pub replication: u32,
    /// The scenario seed: with `replication` it identifies every random stream of the run
    /// (`corridor run --seed SEED` reproduces it).
    pub seed: u64,
    /// Rows in a fixed order, the same for every replication of a scenario.
    pub rows: Vec<Row>,
    /// The levels in time bins (timeseries.csv); empty for a replication read back from
    /// replications.csv.
    pub series: Series,
}

/// A metric summarised over replications.
#[derive(Clone, Debug)]
pub struct SummaryRow {
    /// Scope, id, metric and unit, as in [`Row`].
    pub key: Row,
    /// The summary.
    pub summary: Summary,
}

/// Summarises replications row by row (every replication has the same rows in the same order).
pub fn summarise(reps: &[ReplicationResult]) -> Vec<SummaryRow> {
    let Some(first) = reps.first() else {
        return Vec::new();
    };
    let rows = (0..first.rows.len()).map(|i| {
        let values: Vec<f64> = reps.iter().map(|r| r.rows[i].value).collect();
        debug_assert!(
            reps.iter()
                .all(|r| r.rows[i].metric == first.rows[i].metric)
        );
        SummaryRow {
            key: first.rows[i].clone(),
            summary: Summary::of(&values),
        }
    });
    stability::with_stability(rows)
}

impl SummaryRow {
    /// The columns after `scenario` in summary.csv (and after the varied parameters in
    /// sweep.csv): scope, id, metric, unit, mean, ci95, std, min, max, n.
    pub fn fields(&self) -> [String; 10] {
        let s = &self.summary;
        [
            self.key.scope.to_string(),
            self.key.id.clone(),
            self.key.metric.to_string(),
            self.key.unit.to_string(),
            fmt_value(s.mean),
            fmt_value(s.ci95),
            fmt_value(s.std),
            fmt_value(s.min),
            fmt_value(s.max),
            s.n.to_string(),
        ]
    }
}

/// A `&'static str` equal to `s`. Metric rows hold static names (scope, metric, unit); rows
/// read back from a file get theirs from this table. It holds each distinct name once, so it
/// grows with the number of distinct scopes, metrics and units (tens), not with the rows.
pub(crate) fn intern(s: &str) -> &'static str {
    static TABLE: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut t = TABLE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(hit) = t.get(s) {
        return hit;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    t.insert(leaked);
    leaked
}

/// Formats a value for CSV: shortest text that reads back as the same `f64`; empty if not finite.
pub fn fmt_value(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// The whole-window summary rows of a run, indexed by scope, id and metric: many look-ups
/// without a scan each ([`find`] scans). A sorted list of row numbers, 4 bytes a row (a hash
/// map of the keys took 120 MB for the 950,000 rows of a 10,000-station corridor).
#[derive(Debug)]
pub struct SummaryIndex<'a> {
    rows: &'a [SummaryRow],
    /// Positions of the whole-window rows, sorted by (scope, id, metric); among equal keys in
    /// their order in `rows`, so the first is the one [`find`] finds.
    order: Vec<u32>,
}

impl<'a> SummaryIndex<'a> {
    /// Indexes `rows`.
    pub fn new(rows: &'a [SummaryRow]) -> SummaryIndex<'a> {
        let mut order: Vec<u32> = (0..rows.len() as u32)
            .filter(|&i| rows[i as usize].key.is_window())
            .collect();
        let key = |i: &u32| {
            let k = &rows[*i as usize].key;
            (k.scope, k.id.as_str(), k.metric)
        };
        order.sort_by(|a, b| key(a).cmp(&key(b)));
        SummaryIndex { rows, order }
    }

    /// The summary of `metric` of `id` in `scope`, as [`find`] gives it.
    pub fn get(&self, scope: &str, id: &str, metric: &str) -> Option<&'a Summary> {
        let want = (scope, id, metric);
        let at = self.order.partition_point(|&i| {
            let k = &self.rows[i as usize].key;
            (k.scope, k.id.as_str(), k.metric) < want
        });
        let r = &self.rows[*self.order.get(at)? as usize];
        ((r.key.scope, r.key.id.as_str(), r.key.metric) == want).then_some(&r.summary)
    }
}

/// Finds a whole-window summary row (a scan of `rows`: for many look-ups, see [`SummaryIndex`]).
pub fn find<'a>(
    rows: &'a [SummaryRow],
    scope: &str,
    id: &str,
    metric: &str,
) -> Option<&'a Summary> {
    rows.iter()
        .find(|r| {
            r.key.is_window() && r.key.scope == scope && r.key.id == id && r.key.metric == metric
        })
        .map(|r| &r.summary)
}
