//! Levels in time bins, and whether they settle.
//!
//! A [`Bins`] recorder holds, for a fixed set of piecewise-constant levels (queues, work in
//! progress), the time-average of each level over consecutive bins of the statistics window.
//! It reads each level's running integral ([`TimeWeighted::integral`]) once per bin boundary,
//! so the per-event path pays nothing; memory is one `f32` per level per bin, and the number of
//! bins is at most [`MAX_BINS`] whatever the window's length: the bins widen instead.
//!
//! [`Bins::trend_per_day`] is the least-squares slope of a level's bin means over the second
//! half of the window, and [`Bins::rise`] that slope times the half's length: how much the
//! level grew, in its own unit, while the run should have been in its steady state.
//!
//! [`TimeWeighted::integral`]: super::stats::TimeWeighted::integral

use super::time::{MS_PER_DAY, SimDur, SimTime};

/// At most this many bins per window: the bin width grows with the window.
pub const MAX_BINS: u64 = 1000;

/// Windows shorter than this many days are cut into this many equal bins; longer windows get
/// bins of whole days.
const SHORT_WINDOW_BINS: u64 = 20;

/// Bin boundaries over a window `[start, end]`: equal widths, the last bin ending at `end`
/// (shorter if the width does not divide the window).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binning {
    /// Start of the first bin (the end of the warm-up).
    pub start: SimTime,
    /// End of the last bin (the horizon).
    pub end: SimTime,
    /// Width of every bin but possibly the last.
    pub width: SimDur,
}

impl Binning {
    /// The default bins of a window: a day each, or whole days wide enough that there are at
    /// most [`MAX_BINS`]; a window shorter than 20 days is cut into 20 equal bins.
    pub fn for_window(start: SimTime, end: SimTime) -> Binning {
        let span = end.0.saturating_sub(start.0);
        let width = if span >= SHORT_WINDOW_BINS * MS_PER_DAY {
            span.div_ceil(MAX_BINS).div_ceil(MS_PER_DAY) * MS_PER_DAY
        } else {
            span.div_ceil(SHORT_WINDOW_BINS).max(1)
        };
        Binning {
            start,
            end,
            width: SimDur(width),
        }
    }

    /// The number of bins (0 for an empty window).
    pub fn count(&self) -> usize {
        self.end
            .0
            .saturating_sub(self.start.0)
            .div_ceil(self.width.0) as usize
    }

    /// Start and end of bin `k`.
    pub fn bounds(&self, k: usize) -> (SimTime, SimTime) {
        let a = self.start.0 + k as u64 * self.width.0;
        (SimTime(a), SimTime((a + self.width.0).min(self.end.0)))
    }
}

/// Time-averages of a fixed set of levels, bin by bin (see the module documentation).
#[derive(Clone, Debug)]
pub struct Bins {
    binning: Binning,
    count: usize,
    /// Bins closed so far.
    closed: usize,
    /// Each level's integral at the end of the last closed bin.
    prev: Vec<u128>,
    /// Bin means, level by level: `means[s * count + k]`.
    means: Vec<f32>,
}

impl Bins {
    /// A recorder of `levels` levels over `binning`.
    pub fn new(binning: Binning, levels: usize) -> Bins {
        let count = binning.count();
        Bins {
            binning,
            count,
            closed: 0,
            prev: vec![0; levels],
            means: vec![f32::NAN; levels * count],
        }
    }

    /// The bins.
    pub fn binning(&self) -> &Binning {
        &self.binning
    }

    /// Number of levels recorded.
    pub fn levels(&self) -> usize {
        self.prev.len()
    }

    /// When the next bin ends; `SimTime(u64::MAX)` once every bin is closed.
    #[inline]
    pub fn next_end(&self) -> SimTime {
        if self.closed < self.count {
            self.binning.bounds(self.closed).1
        } else {
            SimTime(u64::MAX)
        }
    }

    /// The levels' integrals were restarted (statistics reset at the end of the warm-up): the
    /// next bin differences from zero.
    pub fn restart(&mut self) {
        self.prev.iter_mut().for_each(|p| *p = 0);
    }

    /// Closes the next bin, given every level's integral at its end, in level order.
    pub fn close(&mut self, integrals: impl IntoIterator<Item = u128>) {
        if self.closed >= self.count {
            return;
        }
        let (a, b) = self.binning.bounds(self.closed);
        let width = (b.0 - a.0) as f64;
        for (s, i) in integrals.into_iter().enumerate().take(self.prev.len()) {
            let area = i.saturating_sub(self.prev[s]);
            self.prev[s] = i;
            self.means[s * self.count + self.closed] = (area as f64 / width) as f32;
        }
        self.closed += 1;
    }

    /// Bins closed so far.
    pub fn closed(&self) -> usize {
        self.closed
    }

    /// The bin means of level `s` (NaN for bins not closed).
    pub fn series(&self, s: usize) -> &[f32] {
        &self.means[s * self.count..(s + 1) * self.count]
    }

    /// The least-squares slope, per day, of level `s`'s bin means against the bins' midpoints
    /// over the second half of the bins (from bin `count / 2` on, among those closed); NaN
    /// with fewer than 3 such bins.
    pub fn trend_per_day(&self, s: usize) -> f64 {
        let from = self.count / 2;
        let series = self.series(s);
        let points = (from..self.closed).map(|k| {
            let (a, b) = self.binning.bounds(k);
            let mid = (a.0 as f64 + b.0 as f64) / 2.0 / MS_PER_DAY as f64;
            (mid, series[k] as f64)
        });
        slope(points)
    }

    /// The fitted rise of level `s` over the second half of the bins: [`Bins::trend_per_day`]
    /// times the half's length in days; NaN as the trend.
    pub fn rise(&self, s: usize) -> f64 {
        let (from, _) = self.binning.bounds(self.count / 2);
        let days = self.binning.end.0.saturating_sub(from.0) as f64 / MS_PER_DAY as f64;
        self.trend_per_day(s) * days
    }
}

/// The least-squares slope of `y` on `x`; NaN with fewer than 3 points or no spread in `x`.
pub fn slope(points: impl Iterator<Item = (f64, f64)> + Clone) -> f64 {
    let (mut n, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for (x, y) in points.clone() {
        n += 1.0;
        sx += x;
        sy += y;
    }
    if n < 3.0 {
        return f64::NAN;
    }
    let (mx, my) = (sx / n, sy / n);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in points {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
    }
    if sxx > 0.0 { sxy / sxx } else { f64::NAN }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stats::TimeWeighted;

    fn days(d: u64) -> SimTime {
        SimTime(d * MS_PER_DAY)
    }

    #[test]
    fn bins_are_days_up_to_a_thousand_then_wider() {
        let b = Binning::for_window(days(10), days(110));
        assert_eq!((b.width, b.count()), (SimDur(MS_PER_DAY), 100));
        let b = Binning::for_window(SimTime::ZERO, days(3650));
        assert_eq!((b.width, b.count()), (SimDur(4 * MS_PER_DAY), 913));
        assert_eq!(b.bounds(912), (days(3648), days(3650)));
        let b = Binning::for_window(SimTime::ZERO, days(365_250));
        assert!(b.count() as u64 <= MAX_BINS);
        let b = Binning::for_window(SimTime::ZERO, SimTime(10 * 3_600_000));
        assert_eq!((b.width, b.count()), (SimDur(1_800_000), 20));
        assert_eq!(Binning::for_window(days(5), days(5)).count(), 0);
    }

    #[test]
    fn bin_means_are_the_time_averages_of_each_bin() {
        // A level of 0 for half a day, 4 for half a day, then 1: bins of one day each.
        let mut level = TimeWeighted::default();
        let mut bins = Bins::new(Binning::for_window(SimTime::ZERO, days(20)), 1);
        level.set(SimTime(MS_PER_DAY / 2), 4);
        level.set(days(1), 1);
        bins.close([level.integral(days(1))]);
        bins.close([level.integral(days(2))]);
        assert_eq!(&bins.series(0)[..2], &[2.0, 1.0]);
        assert!(bins.series(0)[2].is_nan());
        // After a restart the integral counts from zero again.
        level.reset(days(2));
        bins.restart();
        level.set(days(2) + SimDur(MS_PER_DAY / 4), 3);
        bins.close([level.integral(days(3))]);
        assert_eq!(bins.series(0)[2], 0.25 + 2.25);
    }

    #[test]
    fn trend_is_the_slope_over_the_second_half() {
        // A level that rises by 1 per day from day 10 on: flat first half, slope 1 after.
        let mut bins = Bins::new(Binning::for_window(SimTime::ZERO, days(20)), 2);
        let mut a = TimeWeighted::default();
        let b = TimeWeighted::default();
        for d in 0..20u64 {
            // The level steps at each day's midpoint, so the day's mean is (d-10) + 0.5.
            if d >= 10 {
                a.set(days(d) + SimDur(MS_PER_DAY / 2), d - 9);
            }
            bins.close([a.integral(days(d + 1)), b.integral(days(d + 1))]);
        }
        assert!((bins.trend_per_day(0) - 1.0).abs() < 1e-9);
        assert!((bins.rise(0) - 10.0).abs() < 1e-9);
        assert_eq!(bins.trend_per_day(1), 0.0);
        assert!(slope([(0.0, 1.0), (1.0, 2.0)].into_iter()).is_nan());
    }
}
