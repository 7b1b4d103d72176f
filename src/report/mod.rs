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
use std::sync::{Arc, Mutex, OnceLock};

use crate::engine::summary::Summary;

pub use bottlenecks::{BOTTLENECKS_HEADER, BottlenecksCsv};
pub(crate) use checks::warnings_in;
pub use checks::{UNDELIVERED_LIMIT, undelivered, unsettled, warnings};
pub use comparison_csv::{COMPARISON_HEADER, Comparison, ComparisonCsv};
pub use folder::{Previous, ResultsFolder, ScratchFile, StreamedFile, abandon, write_file};
pub use geojson::{CorridorGeojson, GEOJSON_FILE};
pub use replications_csv::{REPLICATIONS_HEADER, ReplicationsCsv, write_replication};
pub use summary_csv::{SUMMARY_HEADER, SummaryCsv};
pub use sweep_csv::{PointRows, SweepCsv, point_records, read_sweep_rows, sweep_header};
pub(crate) use table::print_table_in;
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
    /// Scope, id, metric, unit and period, as in [`Row`].
    pub key: SummaryKey,
    /// The summary.
    pub summary: Summary,
}

/// The names a summary row shares with many others: scope, metric, unit and period. Each
/// distinct combination is held once ([`SummaryKey`] points at it), so they grow with the
/// catalogue, not with the rows.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Names {
    scope: &'static str,
    metric: &'static str,
    unit: &'static str,
    period: &'static str,
}

/// The one [`Names`] equal to `n`, made the first time it is asked for.
fn names(n: Names) -> &'static Names {
    static TABLE: OnceLock<Mutex<HashSet<&'static Names>>> = OnceLock::new();
    let mut t = TABLE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(hit) = t.get(&n) {
        return hit;
    }
    let leaked: &'static Names = Box::leak(Box::new(n));
    t.insert(leaked);
    leaked
}

/// What a summary row is of: scope, id, metric, unit and calendar period, as in [`Row`], in 24
/// bytes (a run of a 10,000-station corridor has 950,000 summary rows). The id is shared by the
/// rows of one element where the summary is built from a run (`SummaryKey::sharing`).
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryKey {
    names: &'static Names,
    id: Arc<str>,
}

impl SummaryKey {
    /// The key of metric `metric` (in `unit`) of `id` in `scope`, over the whole window.
    pub fn new(
        scope: &'static str,
        id: &str,
        metric: &'static str,
        unit: &'static str,
    ) -> SummaryKey {
        SummaryKey::with_id(scope, Arc::from(id), metric, unit, "")
    }

    /// The key of a replication's row.
    pub fn of(row: &Row) -> SummaryKey {
        SummaryKey::sharing(row, Arc::from(row.id.as_str()))
    }

    /// The key of a replication's row, its id given (equal to the row's): the rows of one
    /// element share one.
    pub(crate) fn sharing(row: &Row, id: Arc<str>) -> SummaryKey {
        debug_assert_eq!(*id, *row.id);
        SummaryKey::with_id(row.scope, id, row.metric, row.unit, row.period)
    }

    /// A key from its parts.
    pub(crate) fn with_id(
        scope: &'static str,
        id: Arc<str>,
        metric: &'static str,
        unit: &'static str,
        period: &'static str,
    ) -> SummaryKey {
        SummaryKey {
            names: names(Names {
                scope,
                metric,
                unit,
                period,
            }),
            id,
        }
    }

    /// The same key in calendar period `period` (`2026`, `2026-Q1`, `2026-01`).
    pub fn in_period(self, period: &'static str) -> SummaryKey {
        let n = self.names;
        SummaryKey::with_id(n.scope, self.id, n.metric, n.unit, period)
    }

    /// `corridor`, `flow`, `node`...
    pub fn scope(&self) -> &'static str {
        self.names.scope
    }

    /// The scenario name (corridor scope) or the element's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id, shared.
    pub(crate) fn id_shared(&self) -> &Arc<str> {
        &self.id
    }

    /// Metric name, e.g. `transit_mean`.
    pub fn metric(&self) -> &'static str {
        self.names.metric
    }

    /// Unit, e.g. `h`, `TEU/day`, `count`.
    pub fn unit(&self) -> &'static str {
        self.names.unit
    }

    /// The calendar period the row covers; empty for the whole statistics window.
    pub fn period(&self) -> &'static str {
        self.names.period
    }

    /// Whether the row covers the whole statistics window (not one calendar period).
    pub fn is_window(&self) -> bool {
        self.names.period.is_empty()
    }
}

/// Summarises replications row by row (every replication has the same rows in the same order).
pub fn summarise(reps: &[ReplicationResult]) -> Vec<SummaryRow> {
    let Some(first) = reps.first() else {
        return Vec::new();
    };
    let mut ids = SharedIds::default();
    let rows = (0..first.rows.len()).map(|i| {
        let values: Vec<f64> = reps.iter().map(|r| r.rows[i].value).collect();
        debug_assert!(
            reps.iter()
                .all(|r| r.rows[i].metric == first.rows[i].metric)
        );
        SummaryRow {
            key: ids.key(&first.rows[i]),
            summary: Summary::of(&values),
        }
    });
    stability::with_stability(rows)
}

/// Keys for rows taken in order, the rows of one element (consecutive, with one id) sharing
/// one id.
#[derive(Default)]
pub(crate) struct SharedIds {
    last: Option<Arc<str>>,
}

impl SharedIds {
    /// The key of `row`.
    pub(crate) fn key(&mut self, row: &Row) -> SummaryKey {
        let id = self.id(&row.id);
        SummaryKey::sharing(row, id)
    }

    /// `id`, shared with the row before if it has the same.
    pub(crate) fn id(&mut self, id: &str) -> Arc<str> {
        match &self.last {
            Some(last) if **last == *id => Arc::clone(last),
            _ => {
                let id: Arc<str> = Arc::from(id);
                self.last = Some(Arc::clone(&id));
                id
            }
        }
    }
}

impl SummaryRow {
    /// The columns after `scenario` in summary.csv (and after the varied parameters in
    /// sweep.csv): scope, id, metric, unit, mean, ci95, std, min, max, n.
    pub fn fields(&self) -> [String; 10] {
        let s = &self.summary;
        [
            self.key.scope().to_string(),
            self.key.id().to_string(),
            self.key.metric().to_string(),
            self.key.unit().to_string(),
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
/// without a scan each ([`find`] scans). A hash table of row numbers, each with 32 bits of its
/// key's hash (open addressing, at most half full: 16 bytes or less a row), built in one pass
/// over the rows: no key is copied and none sorted (a hash map of the keys took 120 MB for the
/// 950,000 rows of a 10,000-station corridor; a list sorted by key took a fifth of the run's
/// time to sort and search).
#[derive(Debug)]
pub struct SummaryIndex<'a> {
    rows: &'a [SummaryRow],
    /// (row number, high half of its key's hash) at the slot of the hash's low bits or after
    /// it; [`EMPTY`](Self::EMPTY) rows where none is. Among rows of equal keys only the first
    /// is held, the one [`find`] finds.
    slots: Vec<(u32, u32)>,
}

impl<'a> SummaryIndex<'a> {
    const EMPTY: u32 = u32::MAX;

    /// Indexes `rows`.
    pub fn new(rows: &'a [SummaryRow]) -> SummaryIndex<'a> {
        let n = rows.iter().filter(|r| r.key.is_window()).count();
        let size = (2 * n).next_power_of_two().max(8);
        let mut index = SummaryIndex {
            rows,
            slots: vec![(Self::EMPTY, 0); size],
        };
        for (i, r) in rows.iter().enumerate() {
            if !r.key.is_window() {
                continue;
            }
            let k = &r.key;
            let hash = key_hash(k.scope(), k.id(), k.metric());
            if let Err(slot) = index.slot(hash, k.scope(), k.id(), k.metric()) {
                index.slots[slot] = (i as u32, (hash >> 32) as u32);
            }
        }
        index
    }

    /// The rows indexed.
    pub fn rows(&self) -> &'a [SummaryRow] {
        self.rows
    }

    /// `Ok` with the row number of the key whose hash is `hash`, or `Err` with the empty slot
    /// where it would go.
    fn slot(&self, hash: u64, scope: &str, id: &str, metric: &str) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let tag = (hash >> 32) as u32;
        let mut at = hash as usize & mask;
        loop {
            let (i, t) = self.slots[at];
            if i == Self::EMPTY {
                return Err(at);
            }
            if t == tag {
                let k = &self.rows[i as usize].key;
                if k.id() == id && k.metric() == metric && k.scope() == scope {
                    return Ok(i);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The summary of `metric` of `id` in `scope`, as [`find`] gives it.
    pub fn get(&self, scope: &str, id: &str, metric: &str) -> Option<&'a Summary> {
        let hash = key_hash(scope, id, metric);
        let i = self.slot(hash, scope, id, metric).ok()?;
        Some(&self.rows[i as usize].summary)
    }
}

/// A hash of a key (FxHash's multiply and rotate over its bytes, each part closed by its
/// length, then a final mix so that the low bits, which pick the slot, depend on all of them).
fn key_hash(scope: &str, id: &str, metric: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = 0;
    let mut add = |w: u64| h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    for part in [scope, id, metric] {
        let mut chunks = part.as_bytes().chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            add(u64::from_le_bytes(w));
        }
        let mut w = [0u8; 8];
        let rest = chunks.remainder();
        w[..rest.len()].copy_from_slice(rest);
        add(u64::from_le_bytes(w));
        add(part.len() as u64);
    }
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
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
            r.key.is_window()
                && r.key.scope() == scope
                && r.key.id() == id
                && r.key.metric() == metric
        })
        .map(|r| &r.summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index finds what the scan finds, for every key asked: each whole-window row (the
    /// first of equal keys), keys only a period row has, and keys no row has, over enough rows
    /// (8,286) that many share a slot's neighbourhood.
    #[test]
    fn the_index_finds_what_the_scan_finds() {
        let mut rows = Vec::new();
        let summary = |x: f64| Summary::of(&[x, x + 1.0]);
        for k in 0..2_000u32 {
            let id = format!("f{}@node:n{}", k % 300, k);
            for (j, metric) in ["created", "transit_share", "hours_per_day"]
                .iter()
                .enumerate()
            {
                rows.push(SummaryRow {
                    key: SummaryKey::new("wait", &id, metric, "h"),
                    summary: summary((k * 3 + j as u32) as f64),
                });
            }
            rows.push(SummaryRow {
                key: SummaryKey::new("wait", &id, "p_only", "h").in_period("2026"),
                summary: summary(-1.0),
            });
            if k % 7 == 0 {
                // A second row of the same key: the first is the one found.
                rows.push(SummaryRow {
                    key: SummaryKey::new("wait", &id, "created", "h"),
                    summary: summary(-2.0),
                });
            }
        }
        let index = SummaryIndex::new(&rows);
        let mut asked = 0;
        for r in &rows {
            let k = &r.key;
            for (scope, metric) in [
                (k.scope(), k.metric()),
                ("node", k.metric()),
                (k.scope(), "none"),
            ] {
                let got = index.get(scope, k.id(), metric).copied();
                let want = find(&rows, scope, k.id(), metric).copied();
                assert_eq!(got, want, "{scope} {} {metric}", k.id());
                asked += 1;
            }
        }
        assert_eq!(asked, 3 * rows.len());
        assert_eq!(
            index.get("wait", "f1@node:n1", "created"),
            Some(&summary(3.0))
        );
        assert_eq!(index.get("wait", "f1@node:n1", "p_only"), None);
        assert_eq!(
            index.get("wait", "f0@node:n0", "created"),
            Some(&summary(0.0))
        );
        assert_eq!(SummaryIndex::new(&[]).get("a", "b", "c"), None);
    }
}
