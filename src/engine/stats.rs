//! Within-replication statistics: tallies of observations, time-weighted levels, and streaming
//! quantiles. Memory is constant in the number of observations.

use hdrhistogram::Histogram;

use super::time::{SimDur, SimTime};

/// Count, sum, minimum and maximum of observed durations (milliseconds, exact integers).
#[derive(Clone, Debug, Default)]
pub struct Tally {
    n: u64,
    sum: u128,
    max: u64,
}

impl Tally {
    /// Records one observation.
    #[inline]
    pub fn record(&mut self, d: SimDur) {
        self.n += 1;
        self.sum += d.0 as u128;
        self.max = self.max.max(d.0);
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean in hours; NaN without observations.
    pub fn mean_hours(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum as f64 / self.n as f64 / super::time::MS_PER_HOUR as f64
        }
    }

    /// Maximum in hours; NaN without observations.
    pub fn max_hours(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            SimDur(self.max).as_hours_f64()
        }
    }
}

/// Streaming quantiles of durations: an HDR histogram with three significant digits (relative
/// error at most 0.1%), recorded at one-second resolution.
///
/// Memory follows what was recorded, not a fixed range: the histogram starts covering 0-2 s
/// (2,048 counters) and grows by 1,024 counters each time the largest value doubles, so a node
/// whose waits stay under an hour holds about 12 k counters, and a year's range about 26 k.
/// Counters are 32-bit (at most 4.29e9 values in one counter; a replication records far fewer
/// values in all). The quantiles are those of the fixed-range 64-bit histogram used before:
/// the bucket of a value depends only on the lowest value and the precision.
#[derive(Clone, Debug)]
pub struct Quantiles {
    hist: Histogram<u32>,
}

impl Default for Quantiles {
    fn default() -> Self {
        Self::new()
    }
}

impl Quantiles {
    /// An empty histogram.
    pub fn new() -> Self {
        // From one second, three significant digits, resized as larger values come.
        let mut hist = Histogram::new_with_bounds(1, 2, 3).expect("valid histogram bounds");
        hist.auto(true);
        Quantiles { hist }
    }

    /// Records one duration (rounded to the second; zero is kept as zero).
    #[inline]
    pub fn record(&mut self, d: SimDur) {
        let secs = (d.0 + 500) / 1_000;
        // With auto-resize on, recording cannot fail for any u64.
        let _ = self.hist.record(secs);
    }

    /// The `q` quantile (0..=1) in hours; NaN without observations.
    pub fn quantile_hours(&self, q: f64) -> f64 {
        if self.hist.is_empty() {
            f64::NAN
        } else {
            self.hist.value_at_quantile(q) as f64 / 3600.0
        }
    }

    /// Forgets every observation (end of warm-up).
    pub fn clear(&mut self) {
        self.hist.reset();
    }
}

/// A piecewise-constant level (queue length, busy servers) averaged over time.
#[derive(Clone, Debug, Default)]
pub struct TimeWeighted {
    start: SimTime,
    last: SimTime,
    level: u64,
    area: u128,
    max: u64,
}

impl TimeWeighted {
    /// Changes the level at time `now`.
    #[inline]
    pub fn set(&mut self, now: SimTime, level: u64) {
        self.area += (now.0 - self.last.0) as u128 * self.level as u128;
        self.last = now;
        self.level = level;
        if level > self.max {
            self.max = level;
        }
    }

    /// The current level.
    #[inline]
    pub fn level(&self) -> u64 {
        self.level
    }

    /// Restarts the average at `now`, keeping the current level (end of warm-up).
    pub fn reset(&mut self, now: SimTime) {
        self.start = now;
        self.last = now;
        self.area = 0;
        self.max = self.level;
    }

    /// Time-average of the level over `[start, now]`; NaN over an empty window.
    pub fn mean(&self, now: SimTime) -> f64 {
        let span = now.0.saturating_sub(self.start.0);
        if span == 0 {
            return f64::NAN;
        }
        let area = self.area + (now.0 - self.last.0) as u128 * self.level as u128;
        area as f64 / span as f64
    }

    /// Largest level seen since the last reset.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The area under the level (level x milliseconds) from the last reset to `now`, which must
    /// not be before the last change: what [`super::bins::Bins`] differences bin by bin.
    #[inline]
    pub fn integral(&self, now: SimTime) -> u128 {
        self.area + now.0.saturating_sub(self.last.0) as u128 * self.level as u128
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_weighted_average() {
        let mut q = TimeWeighted::default();
        q.set(SimTime(0), 2);
        q.set(SimTime(10), 0);
        q.set(SimTime(30), 5);
        // 2*10 + 0*20 + 5*10 over 40
        assert!((q.mean(SimTime(40)) - 70.0 / 40.0).abs() < 1e-12);
        assert_eq!(q.max(), 5);
        q.reset(SimTime(40));
        assert_eq!(q.max(), 5);
        assert!((q.mean(SimTime(50)) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn quantiles_within_relative_error() {
        let mut h = Quantiles::new();
        for s in 1..=100_000u64 {
            h.record(SimDur(s * 1_000));
        }
        let p95 = h.quantile_hours(0.95) * 3600.0;
        assert!((p95 - 95_000.0).abs() / 95_000.0 < 0.002, "{p95}");
        h.clear();
        assert!(h.quantile_hours(0.5).is_nan());
        // Values beyond the initial year bound resize instead of failing.
        h.record(SimDur::days(3_000));
        assert!((h.quantile_hours(1.0) / 24.0 - 3_000.0).abs() < 3.0);
    }

    #[test]
    fn tally() {
        let mut t = Tally::default();
        assert!(t.mean_hours().is_nan());
        t.record(SimDur::hours(1));
        t.record(SimDur::hours(3));
        assert_eq!(t.count(), 2);
        assert_eq!(t.mean_hours(), 2.0);
        assert_eq!(t.max_hours(), 3.0);
    }
}
