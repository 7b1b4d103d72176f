//! `timeseries.csv`: every level recorded in time bins (queues, work in progress, utilisations,
//! yard occupancy), bin by bin, averaged over replications; and the per-replication bin values
//! a shard keeps for `merge` (`timeseries-replications.csv`).
//!
//! A replication hands its bins over as a [`Series`]: one value per level per bin, `f32` as
//! [`crate::engine::bins::Bins`] holds them. The file is written by
//! [`crate::run::TimeseriesStream`], which averages the series of every replication in
//! replication order, in two passes, so the numbers do not depend on threads or shards.

use std::io::Write;

use crate::engine::bins::Binning;
use crate::engine::hours::civil_from_days;
use crate::engine::summary::Summary;
use crate::engine::time::{MS_PER_DAY, MS_PER_HOUR, SimDur, SimTime};

use super::fmt_value;

/// The columns of timeseries.csv.
pub const TIMESERIES_HEADER: [&str; 12] = [
    "scenario",
    "scope",
    "id",
    "metric",
    "unit",
    "t_start",
    "t_end",
    "date_start",
    "date_end",
    "mean",
    "ci95",
    "n",
];

/// The columns of timeseries-replications.csv before the bins (`bin_0`, `bin_1`, ...).
pub const SERIES_REPLICATIONS_HEADER: [&str; 7] = [
    "scenario",
    "replication",
    "seed",
    "scope",
    "id",
    "metric",
    "unit",
];

/// What one recorded level measures: scope, id, metric and unit, as in a metric row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesKey {
    /// `flow`, `route`, `node`, `service`, `berths` or `yard`.
    pub scope: &'static str,
    /// The flow, node or service id.
    pub id: String,
    /// `queue`, `wip`, `utilisation`, ...
    pub metric: &'static str,
    /// `count`, `ratio`, `TEU`, `carriers`.
    pub unit: &'static str,
}

/// The levels of one replication in time bins: `values[level * bins + k]` is the time-average
/// of `keys[level]` over bin `k` of `binning`.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The levels, in the order of timeseries.csv.
    pub keys: Vec<SeriesKey>,
    /// The bins, the same for every level.
    pub binning: Binning,
    /// Bin means, level by level.
    pub values: Vec<f32>,
}

impl Default for Series {
    /// No level, no bin (a replication read back from replications.csv).
    fn default() -> Self {
        Series {
            keys: Vec::new(),
            binning: Binning {
                start: SimTime::ZERO,
                end: SimTime::ZERO,
                width: SimDur(1),
            },
            values: Vec::new(),
        }
    }
}

impl Series {
    /// The number of bins of every level.
    pub fn bins(&self) -> usize {
        self.binning.count()
    }

    /// Whether `other` has the same levels over the same bins (values aside).
    pub fn same_shape(&self, other: &Series) -> bool {
        self.keys == other.keys && self.binning == other.binning
    }
}

/// Hours from time 0, shortest text that reads back as the same `f64`.
fn hours(t: SimTime) -> String {
    fmt_value(t.0 as f64 / MS_PER_HOUR as f64)
}

/// The finest of minutes, seconds and milliseconds that every bin boundary of `binning`
/// falls on: what [`iso_datetime`] writes.
fn resolution(binning: &Binning) -> u64 {
    let all = |unit: u64| {
        [binning.start.0, binning.end.0, binning.width.0]
            .iter()
            .all(|v| v % unit == 0)
    };
    [60_000, 1000].into_iter().find(|&u| all(u)).unwrap_or(1)
}

/// The date and time (UTC) of `t`, time 0 being midnight UTC of the day `start_day` (days since
/// 1970-01-01), in ISO 8601 to the minute (`2024-01-02T00:00Z`), or to the second or the
/// millisecond when `unit` (60000, 1000 or 1 ms) says so.
pub(crate) fn iso_datetime(start_day: i64, t: SimTime, unit: u64) -> String {
    let day = start_day + (t.0 / MS_PER_DAY) as i64;
    let (y, m, d) = civil_from_days(day);
    let ms = t.0 % MS_PER_DAY;
    let (h, min, s, milli) = (
        ms / MS_PER_HOUR,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000,
    );
    match unit {
        60_000 => format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}Z"),
        1000 => format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z"),
        _ => format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z"),
    }
}

/// Writes the rows of timeseries.csv for every level and bin of `shape` (its keys and bins),
/// the summary of level `s`, bin `k` being `summary(s * bins + k)`.
pub fn write_timeseries<W: Write>(
    out: &mut csv::Writer<W>,
    scenario: &str,
    start_day: i64,
    shape: &Series,
    mut summary: impl FnMut(usize) -> Summary,
) -> csv::Result<()> {
    let bins = shape.bins();
    let unit = resolution(&shape.binning);
    let times: Vec<[String; 4]> = (0..bins)
        .map(|k| {
            let (a, b) = shape.binning.bounds(k);
            [
                hours(a),
                hours(b),
                iso_datetime(start_day, a, unit),
                iso_datetime(start_day, b, unit),
            ]
        })
        .collect();
    for (s, key) in shape.keys.iter().enumerate() {
        for (k, t) in times.iter().enumerate() {
            let sm = summary(s * bins + k);
            out.write_record([
                scenario,
                key.scope,
                &key.id,
                key.metric,
                key.unit,
                &t[0],
                &t[1],
                &t[2],
                &t[3],
                &fmt_f32(sm.mean as f32),
                &fmt_f32(sm.ci95 as f32),
                &sm.n.to_string(),
            ])?;
        }
    }
    Ok(())
}

/// The header of timeseries-replications.csv for `bins` bins.
pub fn series_replications_header(bins: usize) -> Vec<String> {
    SERIES_REPLICATIONS_HEADER
        .iter()
        .map(|c| c.to_string())
        .chain((0..bins).map(|k| format!("bin_{k}")))
        .collect()
}

/// Formats a bin value, or a mean of bin values: the shortest text that reads back as the same
/// `f32` (about 7 significant digits, the precision of the bins); empty if not finite.
fn fmt_f32(v: f32) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// Writes one replication's rows of timeseries-replications.csv: one row per level, its bin
/// values after the key.
pub fn write_series_replication<W: Write>(
    out: &mut csv::Writer<W>,
    scenario: &str,
    replication: u32,
    seed: u64,
    series: &Series,
) -> csv::Result<()> {
    let bins = series.bins();
    let (rep, seed) = (replication.to_string(), seed.to_string());
    for (s, key) in series.keys.iter().enumerate() {
        out.write_field(scenario)?;
        out.write_field(&rep)?;
        out.write_field(&seed)?;
        out.write_field(key.scope)?;
        out.write_field(&key.id)?;
        out.write_field(key.metric)?;
        out.write_field(key.unit)?;
        for v in &series.values[s * bins..(s + 1) * bins] {
            out.write_field(fmt_f32(*v))?;
        }
        out.write_record(None::<&[u8]>)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::hours::days_from_civil;

    #[test]
    fn dates_round_trip_and_times_are_iso_8601() {
        for (y, m, d) in [(1970, 1, 1), (2024, 2, 29), (2024, 12, 31), (2100, 3, 1)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        let start = days_from_civil(2024, 1, 1);
        assert_eq!(
            iso_datetime(start, SimTime::ZERO, 60_000),
            "2024-01-01T00:00Z"
        );
        let t = SimTime(59 * MS_PER_DAY + 13 * MS_PER_HOUR + 61_001);
        assert_eq!(iso_datetime(start, t, 1), "2024-02-29T13:01:01.001Z");
        assert_eq!(iso_datetime(start, t, 1000), "2024-02-29T13:01:01Z");
        let b = |start, end, width| Binning {
            start: SimTime(start),
            end: SimTime(end),
            width: SimDur(width),
        };
        assert_eq!(resolution(&b(0, MS_PER_DAY, MS_PER_HOUR)), 60_000);
        assert_eq!(resolution(&b(1000, MS_PER_DAY, MS_PER_HOUR)), 1000);
        assert_eq!(resolution(&b(0, MS_PER_DAY, 1)), 1);
        assert_eq!(hours(SimTime(MS_PER_DAY + MS_PER_HOUR / 2)), "24.5");
    }

    #[test]
    fn a_replication_is_one_row_per_level() {
        let series = Series {
            keys: vec![SeriesKey {
                scope: "node",
                id: "a".into(),
                metric: "queue",
                unit: "count",
            }],
            binning: Binning {
                start: SimTime::ZERO,
                end: SimTime(3),
                width: SimDur(2),
            },
            values: vec![0.1, 2.0],
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(series_replications_header(series.bins()))
            .unwrap();
        write_series_replication(&mut w, "s", 4, 9, &series).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "scenario,replication,seed,scope,id,metric,unit,bin_0,bin_1\ns,4,9,node,a,queue,count,0.1,2\n"
        );
    }
}
