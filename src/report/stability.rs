//! Whether a level settles: the `stable` row that follows each trend in a summary.
//!
//! Each replication writes, per resource and per flow, the fitted rise of a waiting level over
//! the second half of the window (`queue_trend`, `wip_trend`, ...: the least-squares slope of
//! the level's bin means times the half's length; see [`crate::engine::bins`]). Over
//! replications the rises are independent, so their mean has a Student-t interval. An element
//! is marked `stable = 0` when
//!
//! - that 95% interval lies above zero (the replications agree the level still grows), and
//! - the mean rise is material: at least 1 (consignment, TEU, carrier or entry) and at least a
//!   tenth of the level's time-average over the window.
//!
//! A queue that grows without bound from the warm-up on rises over the second half by about its
//! whole time-average, so the second condition costs nothing there; it keeps a statistically
//! detectable but negligible drift (a tail of the start-up transient, a slow cycle) from being
//! called unstable. Under a stable system the first condition alone has a one-sided false-alarm
//! rate of 2.5% per element; the test suite measures the whole rule on M/M/1 and M/M/c up to a
//! load of 0.9.

use std::collections::HashMap;
use std::sync::Arc;

use super::{SummaryKey, SummaryRow};
use crate::engine::summary::Summary;

/// The metric name and unit of the derived rows.
pub const STABLE: (&str, &str) = ("stable", "flag");

/// The smallest rise that can make a level unstable, in the level's unit.
pub const MIN_RISE: f64 = 1.0;

/// The smallest rise, as a share of the level's time-average, that can make it unstable.
pub const MIN_RISE_SHARE: f64 = 0.1;

/// The level whose rise a trend metric measures (its time-average's metric), if it is one.
pub fn level_of(trend: &str) -> Option<&'static str> {
    Some(match trend {
        "queue_trend" => "queue_mean",
        "wip_trend" => "wip_mean",
        "queue_teu_trend" => "queue_teu_mean",
        "carriers_queued_trend" => "carriers_queued_mean",
        "blocked_trend" => "blocked_mean",
        _ => return None,
    })
}

/// 1 (settles), 0 (grows) or NaN (fewer than 2 replications with a trend) for a trend's
/// summary, given the mean of the level's time-average.
pub fn verdict(rise: &Summary, level_mean: f64) -> f64 {
    if rise.n < 2 || !rise.ci95.is_finite() {
        f64::NAN
    } else if rise.mean - rise.ci95 > 0.0
        && rise.mean >= MIN_RISE
        && (level_mean.is_nan() || rise.mean >= MIN_RISE_SHARE * level_mean)
    {
        0.0
    } else {
        1.0
    }
}

/// The metrics of the levels whose trends get a `stable` row (the time-averages that
/// [`level_of`] names).
pub const LEVELS: [&str; 5] = [
    "queue_mean",
    "wip_mean",
    "queue_teu_mean",
    "carriers_queued_mean",
    "blocked_mean",
];

/// The `stable` row that follows the trend row `key`, whose summary is `rise`, given the mean
/// of the level's time-average (NaN if unknown).
pub fn stable_row(key: &SummaryKey, rise: &Summary, level_mean: f64) -> SummaryRow {
    let v = verdict(rise, level_mean);
    let n = if v.is_finite() { rise.n } else { 0 };
    SummaryRow {
        key: SummaryKey::with_id(
            key.scope(),
            Arc::clone(key.id_shared()),
            STABLE.0,
            STABLE.1,
            "",
        ),
        summary: Summary {
            mean: v,
            ci95: f64::NAN,
            std: f64::NAN,
            min: v,
            max: v,
            n,
        },
    }
}

/// `rows` with a `stable` row after every trend row (taken as they come, so that the rows need
/// not be held twice; each element's level mean comes before its trend, as the emitters write
/// them).
pub fn with_stability(rows: impl IntoIterator<Item = SummaryRow>) -> Vec<SummaryRow> {
    let rows = rows.into_iter();
    let n = rows.size_hint().0;
    let mut out = Vec::with_capacity(n + n / 8);
    let mut levels: HashMap<(&'static str, Arc<str>, &'static str), f64> = HashMap::new();
    for row in rows {
        let k = &row.key;
        if k.is_window() && LEVELS.contains(&k.metric()) {
            levels.insert(
                (k.scope(), Arc::clone(k.id_shared()), k.metric()),
                row.summary.mean,
            );
        }
        let derived = level_of(k.metric()).map(|level| {
            let mean = levels
                .get(&(k.scope(), Arc::clone(k.id_shared()), level))
                .copied()
                .unwrap_or(f64::NAN);
            stable_row(k, &row.summary, mean)
        });
        out.push(row);
        out.extend(derived);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(level: f64, rises: &[f64]) -> Vec<SummaryRow> {
        let row = |metric, values: &[f64]| SummaryRow {
            key: SummaryKey::new("node", "a", metric, "count"),
            summary: Summary::of(values),
        };
        with_stability(vec![
            row("queue_mean", &[level, level]),
            row("queue_trend", rises),
        ])
    }

    #[test]
    fn a_material_rise_whose_interval_lies_above_zero_is_unstable() {
        let r = rows(20.0, &[10.0, 12.0, 9.0, 11.0]);
        assert_eq!(r.len(), 3);
        assert_eq!((r[2].key.metric(), r[2].summary.mean), ("stable", 0.0));
        // Not above zero.
        assert_eq!(rows(20.0, &[10.0, -12.0, 9.0, -1.0])[2].summary.mean, 1.0);
        assert_eq!(rows(0.0, &[0.0, 0.0, 0.0])[2].summary.mean, 1.0);
        // Above zero but under one unit, or under a tenth of the level.
        assert_eq!(rows(2.0, &[0.5, 0.6, 0.55])[2].summary.mean, 1.0);
        assert_eq!(rows(200.0, &[10.0, 12.0, 9.0, 11.0])[2].summary.mean, 1.0);
        // One replication: no verdict.
        let r = rows(20.0, &[5.0]);
        assert!(r[2].summary.mean.is_nan());
        assert_eq!(r[2].summary.n, 0);
    }
}
