//! One replication's bisection over the demand factor: the two ends of the range first, then
//! geometric midpoints until the bracket is within the relative tolerance.
//!
//! The factor is searched on a log scale (the midpoint of `[a, b]` is `sqrt(a b)`), since a
//! range such as 0.1..10 spans orders of magnitude and the tolerance is relative: the search
//! stops when `b / a <= 1 + tolerance`. It needs at most [`Search::max_steps`] midpoints,
//! `ceil(log2(ln(hi / lo) / ln(1 + tolerance)))`, after the two ends.

/// What a finished search found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Outcome {
    /// The target is met at `low` and not at `high`, with `high / low <= 1 + tolerance`
    /// (or the step limit reached): the factor found is `low`, the largest met.
    Found {
        /// The largest factor at which the target was met.
        low: f64,
        /// The smallest factor at which it was not.
        high: f64,
    },
    /// Met even at the top of the range: the factor is at least `hi` (censored).
    Above,
    /// Not met even at the bottom of the range: the factor is below `lo` (censored).
    Below,
}

/// The state of one replication's search.
#[derive(Clone, Debug)]
pub(crate) struct Search {
    lo: f64,
    hi: f64,
    tolerance: f64,
    met_lo: Option<bool>,
    met_hi: Option<bool>,
    /// The largest factor met and the smallest not met, inside the range.
    a: f64,
    b: f64,
    steps: u32,
    /// Evaluations recorded, the two ends included.
    pub(crate) evaluations: u32,
}

impl Search {
    /// A search over `[lo, hi]` (0 < lo < hi) to the relative `tolerance` (> 0).
    pub(crate) fn new(lo: f64, hi: f64, tolerance: f64) -> Search {
        Search {
            lo,
            hi,
            tolerance,
            met_lo: None,
            met_hi: None,
            a: lo,
            b: hi,
            steps: 0,
            evaluations: 0,
        }
    }

    /// The most midpoints a search evaluates after the two ends.
    pub(crate) fn max_steps(lo: f64, hi: f64, tolerance: f64) -> u32 {
        let ratio = (hi / lo).ln() / tolerance.ln_1p();
        if ratio <= 1.0 {
            0
        } else {
            ratio.log2().ceil() as u32
        }
    }

    /// The factor to evaluate next, or `None` when the search is done. The two ends come
    /// first (`lo`, then `hi`).
    pub(crate) fn next(&self) -> Option<f64> {
        match (self.met_lo, self.met_hi) {
            (None, _) => Some(self.lo),
            (Some(_), None) => Some(self.hi),
            (Some(true), Some(false)) => {
                let narrow = self.b / self.a <= 1.0 + self.tolerance;
                let limit = self.steps >= Search::max_steps(self.lo, self.hi, self.tolerance);
                (!narrow && !limit).then(|| (self.a * self.b).sqrt())
            }
            _ => None,
        }
    }

    /// Records whether the target was met at `factor`, the value [`Search::next`] gave.
    pub(crate) fn record(&mut self, factor: f64, met: bool) {
        self.evaluations += 1;
        match (self.met_lo, self.met_hi) {
            (None, _) => self.met_lo = Some(met),
            (Some(_), None) => self.met_hi = Some(met),
            _ => {
                self.steps += 1;
                if met {
                    self.a = factor;
                } else {
                    self.b = factor;
                }
            }
        }
    }

    /// What the search found, once [`Search::next`] gives `None`.
    pub(crate) fn outcome(&self) -> Option<Outcome> {
        if self.next().is_some() {
            return None;
        }
        match (self.met_lo, self.met_hi) {
            (Some(false), _) => Some(Outcome::Below),
            (Some(true), Some(true)) => Some(Outcome::Above),
            _ => Some(Outcome::Found {
                low: self.a,
                high: self.b,
            }),
        }
    }

    /// Whether the target was met at the top of the range (with [`Outcome::Below`], a sign
    /// that the metric does not grow with demand).
    pub(crate) fn met_at_hi(&self) -> bool {
        self.met_hi == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a search against `met`, returning its outcome and evaluations.
    fn search(lo: f64, hi: f64, tol: f64, met: impl Fn(f64) -> bool) -> (Outcome, u32) {
        let mut s = Search::new(lo, hi, tol);
        while let Some(f) = s.next() {
            s.record(f, met(f));
        }
        (s.outcome().unwrap(), s.evaluations)
    }

    #[test]
    fn brackets_the_threshold_within_the_tolerance() {
        for threshold in [0.1234, 1.0, 1.5, 3.3, 9.99] {
            let (o, n) = search(0.1, 10.0, 0.01, |f| f <= threshold);
            let Outcome::Found { low, high } = o else {
                panic!("{o:?}")
            };
            assert!(low <= threshold && threshold < high, "{threshold}: {o:?}");
            assert!(high / low <= 1.01 + 1e-12, "{o:?}");
            assert!(n <= Search::max_steps(0.1, 10.0, 0.01) + 2, "{n}");
        }
        assert_eq!(Search::max_steps(0.1, 10.0, 0.01), 9);
        assert_eq!(Search::max_steps(1.0, 1.005, 0.01), 0);
    }

    #[test]
    fn censored_at_either_end() {
        assert_eq!(search(0.5, 2.0, 0.01, |_| true), (Outcome::Above, 2));
        assert_eq!(search(0.5, 2.0, 0.01, |_| false), (Outcome::Below, 2));
        // Not met at lo but met at hi: below, whatever hi says.
        let mut s = Search::new(0.5, 2.0, 0.01);
        s.record(0.5, false);
        s.record(2.0, true);
        assert_eq!(s.outcome(), Some(Outcome::Below));
        assert!(s.met_at_hi());
    }

    #[test]
    fn a_narrow_range_needs_only_its_ends() {
        assert_eq!(
            search(1.0, 1.005, 0.01, |f| f < 1.001),
            (
                Outcome::Found {
                    low: 1.0,
                    high: 1.005
                },
                2
            )
        );
    }
}
