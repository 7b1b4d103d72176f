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

/// Streaming quantiles of durations, with the accuracy of an HDR histogram of three
/// significant digits (relative error at most 0.1%), recorded at one-second resolution.
///
/// Memory follows what was recorded. The first [`Quantiles::KEPT`] values are kept as they are
/// (8 bytes each) and the quantiles computed from them exactly as the histogram would: the
/// value at quantile q is the highest value equivalent (within the three digits) to the k-th
/// smallest value, k = max(1, ceil(q n)). The next value moves them into the histogram, which
/// starts covering 0-2 s (2,048 counters) and grows by 1,024 counters each time the largest value
/// doubles: about 12 k counters for waits under an hour, 26 k for a year's range, 32-bit each.
/// So a node or flow that sees few consignments in a replication (a large network) holds a few
/// kilobytes, and one that sees many holds what the histogram needs; the quantiles are the same
/// either way, and the same as those of the fixed-range 64-bit histogram used before (the bucket
/// of a value depends only on the lowest value and the precision).
#[derive(Clone, Debug)]
pub struct Quantiles {
    store: Store,
}

/// Where [`Quantiles`] keeps its observations.
#[derive(Clone, Debug)]
enum Store {
    /// Up to [`Quantiles::KEPT`] values in seconds, in the order recorded.
    Values(Vec<u64>),
    /// Every value, counted in the histogram.
    Histogram(Box<Histogram<u32>>),
}

impl Default for Quantiles {
    fn default() -> Self {
        Self::new()
    }
}

/// A histogram of the layout every [`Quantiles`] uses: from one second, three significant
/// digits, resized as larger values come.
fn histogram() -> Histogram<u32> {
    let mut hist = Histogram::new_with_bounds(1, 2, 3).expect("valid histogram bounds");
    hist.auto(true);
    hist
}

/// The layout's arithmetic (which values are equivalent), shared by every kept-values store.
fn layout() -> &'static Histogram<u32> {
    static LAYOUT: std::sync::OnceLock<Histogram<u32>> = std::sync::OnceLock::new();
    LAYOUT.get_or_init(histogram)
}

impl Quantiles {
    /// How many values are kept as they are before they move into a histogram (8 KiB).
    pub const KEPT: usize = 1_024;

    /// An empty record: nothing allocated until the first value.
    pub fn new() -> Self {
        Quantiles {
            store: Store::Values(Vec::new()),
        }
    }

    /// Records one duration (rounded to the second; zero is kept as zero).
    #[inline]
    pub fn record(&mut self, d: SimDur) {
        let secs = (d.0 + 500) / 1_000;
        match &mut self.store {
            // With auto-resize on, recording cannot fail for any u64.
            Store::Histogram(hist) => drop(hist.record(secs)),
            Store::Values(_) => self.keep(secs),
        }
    }

    /// Keeps a value, or moves the values into a histogram when there are enough of them.
    #[inline(never)]
    fn keep(&mut self, secs: u64) {
        let Store::Values(v) = &mut self.store else {
            return;
        };
        if v.len() < Self::KEPT {
            v.push(secs);
            return;
        }
        let mut hist = histogram();
        for &s in v.iter().chain([&secs]) {
            let _ = hist.record(s);
        }
        self.store = Store::Histogram(Box::new(hist));
    }

    /// The `q` quantile (0..=1) in hours; NaN without observations.
    pub fn quantile_hours(&self, q: f64) -> f64 {
        let secs = match &self.store {
            Store::Values(v) if v.is_empty() => return f64::NAN,
            Store::Values(v) => {
                // As `Histogram::value_at_quantile`: the count to reach, then the bucket of
                // the value that reaches it, reported by its highest equivalent value (its
                // lowest for q = 0).
                let q = q.min(1.0);
                let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
                let mut sorted = v.clone();
                let (_, kth, _) = sorted.select_nth_unstable(k - 1);
                if q == 0.0 {
                    layout().lowest_equivalent(*kth)
                } else {
                    layout().highest_equivalent(*kth)
                }
            }
            Store::Histogram(hist) if hist.is_empty() => return f64::NAN,
            Store::Histogram(hist) => hist.value_at_quantile(q),
        };
        secs as f64 / 3600.0
    }

    /// Forgets every observation (end of warm-up), keeping the memory it has.
    pub fn clear(&mut self) {
        match &mut self.store {
            Store::Values(v) => v.clear(),
            Store::Histogram(hist) => hist.reset(),
        }
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

    /// The kept values give the histogram's quantiles exactly, below and above the switch,
    /// after a clear, for values from zero to years.
    #[test]
    fn kept_values_give_the_histograms_quantiles() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        let qs = [0.0, 1e-9, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0, 1.5];
        for n in [1usize, 2, 3, 10, 999, 1_023, 1_024, 1_025, 1_500, 5_000] {
            for spread in [10u64, 3_600_000, 86_400_000, 400 * 86_400_000] {
                let mut q = Quantiles::new();
                let mut h = histogram();
                for round in 0..2 {
                    for _ in 0..n {
                        let ms = rng.next_u64() % spread;
                        q.record(SimDur(ms));
                        h.record((ms + 500) / 1_000).unwrap();
                    }
                    for p in qs {
                        let want = h.value_at_quantile(p) as f64 / 3600.0;
                        assert_eq!(q.quantile_hours(p), want, "n {n} spread {spread} q {p}");
                    }
                    if round == 0 {
                        q.clear();
                        h.reset();
                        assert!(q.quantile_hours(0.5).is_nan());
                    }
                }
            }
        }
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
