//! Across-replication summaries: mean, sample standard deviation, extremes and the half-width of
//! the 95% Student-t confidence interval of the mean.

/// Two-sided 95% Student-t critical values t(0.975, df) for df = 1..=30.
const T975: [f64; 30] = [
    12.706_204_736,
    4.302_652_730,
    3.182_446_305,
    2.776_445_105,
    2.570_581_836,
    2.446_911_851,
    2.364_624_252,
    2.306_004_135,
    2.262_157_163,
    2.228_138_852,
    2.200_985_160,
    2.178_812_830,
    2.160_368_656,
    2.144_786_688,
    2.131_449_546,
    2.119_905_299,
    2.109_815_578,
    2.100_922_040,
    2.093_024_054,
    2.085_963_447,
    2.079_613_845,
    2.073_873_068,
    2.068_657_610,
    2.063_898_562,
    2.059_538_553,
    2.055_529_439,
    2.051_830_516,
    2.048_407_142,
    2.045_229_642,
    2.042_272_456,
];

/// t(0.975, df): exact table up to 30 degrees of freedom, then the Cornish-Fisher expansion
/// around the normal quantile (error below 1e-6 from df = 30 on).
///
/// Written out rather than pulling in a statistics crate for one function: `statrs` would bring
/// `nalgebra` into every build for this single quantile.
pub fn t975(df: u64) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    if df <= 30 {
        return T975[df as usize - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    let z9 = z.powi(9);
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92_160.0 * v.powi(4))
}

/// Summary of one metric over replications. Non-finite values (a metric with no observations in
/// a replication) are left out, and `n` says how many values remained.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Mean over replications.
    pub mean: f64,
    /// Half-width of the 95% Student-t interval of the mean (NaN when n < 2).
    pub ci95: f64,
    /// Sample standard deviation (n - 1 in the denominator; NaN when n < 2).
    pub std: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Number of finite values summarised.
    pub n: u64,
}

impl Summary {
    /// Summarises `values`, summing in the order given so results are bit-reproducible: a
    /// [`FirstPass`] over them, then a [`SecondPass`].
    pub fn of(values: &[f64]) -> Summary {
        let mut first = FirstPass::new();
        values.iter().for_each(|&v| first.push(v));
        let mut second = first.second_pass();
        values.iter().for_each(|&v| second.push(v));
        first.finish(&second)
    }

    /// True when `x` lies inside the 95% interval `mean ± ci95`.
    pub fn covers(&self, x: f64) -> bool {
        (x - self.mean).abs() <= self.ci95
    }
}

/// The first pass of [`Summary::of`], fed one value at a time in order: the count, sum and
/// extremes of the finite values. Kept per metric while replications stream by, it needs no
/// memory for the values themselves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FirstPass {
    n: u64,
    sum: f64,
    min: f64,
    max: f64,
}

impl Default for FirstPass {
    fn default() -> Self {
        FirstPass::new()
    }
}

impl FirstPass {
    /// Nothing seen yet.
    pub fn new() -> FirstPass {
        FirstPass {
            n: 0,
            // -0.0 is where `Iterator::sum` of `f64` starts, so the sums are the same bit for bit.
            sum: -0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// The next value (non-finite values are left out).
    #[inline]
    pub fn push(&mut self, v: f64) {
        if v.is_finite() {
            self.n += 1;
            self.sum += v;
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }

    /// Finite values seen.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The second pass, around this pass's mean: feed it the same values in the same order.
    pub fn second_pass(&self) -> SecondPass {
        SecondPass {
            mean: self.sum / self.n as f64,
            squares: -0.0,
        }
    }

    /// The summary, from this pass and the `second` over the same values.
    pub fn finish(&self, second: &SecondPass) -> Summary {
        let n = self.n;
        if n == 0 {
            return Summary {
                mean: f64::NAN,
                ci95: f64::NAN,
                std: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
                n: 0,
            };
        }
        if self.min == self.max {
            // Equal values: their mean, with no spread (the sum and the squares would leave
            // rounding noise such as a std of 4e-14 on a constant).
            let spread = if n >= 2 { 0.0 } else { f64::NAN };
            return Summary {
                mean: self.min,
                ci95: spread,
                std: spread,
                min: self.min,
                max: self.max,
                n,
            };
        }
        let (std, ci95) = if n >= 2 {
            let std = (second.squares / (n - 1) as f64).sqrt();
            (std, t975(n - 1) * std / (n as f64).sqrt())
        } else {
            (f64::NAN, f64::NAN)
        };
        Summary {
            mean: second.mean,
            ci95,
            std,
            min: self.min,
            max: self.max,
            n,
        }
    }
}

/// The second pass of [`Summary::of`]: squared deviations from the first pass's mean, summed in
/// the order the values come.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SecondPass {
    mean: f64,
    squares: f64,
}

impl SecondPass {
    /// The next value (non-finite values are left out).
    #[inline]
    pub fn push(&mut self, v: f64) {
        if v.is_finite() {
            self.squares += (v - self.mean) * (v - self.mean);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles() {
        assert!((t975(1) - 12.7062).abs() < 1e-4);
        assert!((t975(30) - 2.0423).abs() < 1e-4);
        // Reference values from tables.
        assert!((t975(40) - 2.021_075).abs() < 1e-5);
        assert!((t975(60) - 2.000_298).abs() < 1e-5);
        assert!((t975(120) - 1.979_930).abs() < 1e-5);
        assert!((t975(1_000_000) - 1.959_966).abs() < 1e-5);
        assert!(t975(0).is_nan());
    }

    #[test]
    fn summary_of_values() {
        let s = Summary::of(&[1.0, 2.0, 3.0, f64::NAN]);
        assert_eq!(s.n, 3);
        assert_eq!(s.mean, 2.0);
        assert_eq!(s.std, 1.0);
        assert!((s.ci95 - 4.302_652_730 / 3f64.sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max), (1.0, 3.0));
        let one = Summary::of(&[5.0]);
        assert_eq!(one.n, 1);
        assert!(one.ci95.is_nan());
        // Equal values have their value as the mean and no spread, without rounding noise.
        let same = Summary::of(&[352.5975; 10]);
        assert_eq!((same.mean, same.std, same.ci95), (352.5975, 0.0, 0.0));
        let same = Summary::of(&[0.1; 7]);
        assert_eq!((same.mean, same.std, same.ci95), (0.1, 0.0, 0.0));
        assert_eq!(Summary::of(&[]).n, 0);
    }

    /// The passes give what the iterator sums gave, bit for bit, signed zeros included.
    #[test]
    fn passes_equal_iterator_sums() {
        let old = |values: &[f64]| {
            let finite = || values.iter().copied().filter(|v| v.is_finite());
            let n = finite().count() as f64;
            let mean = finite().sum::<f64>() / n;
            let squares = finite().map(|v| (v - mean) * (v - mean)).sum::<f64>();
            (mean, squares)
        };
        for values in [
            &[-0.0][..],
            &[-0.0, -0.0],
            &[0.1, 0.2, 0.3, f64::NAN, 1e300, -1e300, 7.0],
            &[3.0, 3.0, 3.0],
        ] {
            let mut first = FirstPass::new();
            values.iter().for_each(|&v| first.push(v));
            let mut second = first.second_pass();
            values.iter().for_each(|&v| second.push(v));
            let (mean, squares) = old(values);
            assert_eq!(second.mean.to_bits(), mean.to_bits(), "{values:?}");
            assert_eq!(second.squares.to_bits(), squares.to_bits(), "{values:?}");
        }
    }
}
