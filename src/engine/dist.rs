//! Probability distributions of durations, parameterised as planners know them.
//!
//! Every distribution is built once from validated parameters (in seconds) and sampled many
//! times; sampling never allocates. Samples are rounded to the clock's millisecond.

use std::sync::Arc;

use rand::Rng;
use rand::distr::Distribution;
use rand_distr::{Exp, Gamma, LogNormal, Normal, Triangular, Weibull};

use super::time::SimDur;

/// A distribution of non-negative durations, with its mean.
#[derive(Clone, Debug)]
pub struct Dist {
    kind: Kind,
    mean: f64,
}

#[derive(Clone, Debug)]
enum Kind {
    /// Always the same value (seconds).
    Fixed(f64),
    /// Exponential with the given rate (per second).
    Exponential(Exp<f64>),
    /// Uniform on `[min, max]` (seconds).
    Uniform { min: f64, width: f64 },
    /// Triangular (seconds).
    Triangular(Triangular<f64>),
    /// Normal truncated at zero: negative draws are rejected and drawn again, so the result is
    /// the normal conditioned on being non-negative (validation requires mean > 0, so at least
    /// half of the draws are accepted).
    Normal(Normal<f64>),
    /// Log-normal (parameters of the underlying normal, seconds).
    LogNormal(LogNormal<f64>),
    /// Gamma (shape, scale in seconds); Erlang-k is gamma with integer shape k.
    Gamma(Gamma<f64>),
    /// Weibull (scale in seconds, shape).
    Weibull(Weibull<f64>),
    /// Resamples observed values (seconds) with equal probability each.
    Empirical(Arc<[f64]>),
}

/// Why a distribution could not be built.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError(pub String);

fn check(cond: bool, msg: &str) -> Result<(), DistError> {
    if cond {
        Ok(())
    } else {
        Err(DistError(msg.to_string()))
    }
}

impl Dist {
    /// A constant.
    pub fn fixed(value: f64) -> Result<Dist, DistError> {
        check(value.is_finite() && value >= 0.0, "value must be >= 0")?;
        Ok(Dist {
            kind: Kind::Fixed(value),
            mean: value,
        })
    }

    /// Exponential with mean `mean` seconds.
    pub fn exponential(mean: f64) -> Result<Dist, DistError> {
        check(mean.is_finite() && mean > 0.0, "mean must be > 0")?;
        Exp::new(1.0 / mean)
            .map(|d| Dist {
                kind: Kind::Exponential(d),
                mean,
            })
            .map_err(|e| DistError(e.to_string()))
    }

    /// Uniform on `[min, max]` seconds.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        check(min.is_finite() && min >= 0.0, "min must be >= 0")?;
        check(max.is_finite() && max >= min, "max must be >= min")?;
        Ok(Dist {
            kind: Kind::Uniform {
                min,
                width: max - min,
            },
            mean: (min + max) / 2.0,
        })
    }

    /// Triangular on `[min, max]` with the given mode, seconds.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        check(min.is_finite() && min >= 0.0, "min must be >= 0")?;
        check(max.is_finite() && max > min, "max must be > min")?;
        check(
            (min..=max).contains(&mode),
            "mode must lie within [min, max]",
        )?;
        Triangular::new(min, max, mode)
            .map(|d| Dist {
                kind: Kind::Triangular(d),
                mean: (min + mode + max) / 3.0,
            })
            .map_err(|e| DistError(e.to_string()))
    }

    /// Normal with mean and standard deviation in seconds, truncated at zero.
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        check(mean.is_finite() && mean > 0.0, "mean must be > 0")?;
        check(sd.is_finite() && sd >= 0.0, "sd must be >= 0")?;
        // Mean of the normal truncated at zero: mean + sd * phi(a) / (1 - Phi(a)), a = -mean/sd.
        let tmean = if sd == 0.0 {
            mean
        } else {
            let a = -mean / sd;
            let phi = (-a * a / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
            mean + sd * phi / (1.0 - normal_cdf(a))
        };
        Normal::new(mean, sd)
            .map(|d| Dist {
                kind: Kind::Normal(d),
                mean: tmean,
            })
            .map_err(|e| DistError(e.to_string()))
    }

    /// Log-normal with the given mean (seconds) and coefficient of variation.
    pub fn lognormal(mean: f64, cv: f64) -> Result<Dist, DistError> {
        check(mean.is_finite() && mean > 0.0, "mean must be > 0")?;
        check(cv.is_finite() && cv >= 0.0, "cv must be >= 0")?;
        let s2 = (1.0 + cv * cv).ln();
        LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt())
            .map(|d| Dist {
                kind: Kind::LogNormal(d),
                mean,
            })
            .map_err(|e| DistError(e.to_string()))
    }

    /// Gamma with the given mean (seconds) and coefficient of variation (> 0).
    pub fn gamma(mean: f64, cv: f64) -> Result<Dist, DistError> {
        check(mean.is_finite() && mean > 0.0, "mean must be > 0")?;
        check(cv.is_finite() && cv > 0.0, "cv must be > 0")?;
        let shape = 1.0 / (cv * cv);
        Gamma::new(shape, mean / shape)
            .map(|d| Dist {
                kind: Kind::Gamma(d),
                mean,
            })
            .map_err(|e| DistError(e.to_string()))
    }

    /// Erlang with `k` phases and the given mean (seconds).
    pub fn erlang(k: u32, mean: f64) -> Result<Dist, DistError> {
        check(k >= 1, "k must be >= 1")?;
        check(mean.is_finite() && mean > 0.0, "mean must be > 0")?;
        Gamma::new(k as f64, mean / k as f64)
            .map(|d| Dist {
                kind: Kind::Gamma(d),
                mean,
            })
            .map_err(|e| DistError(e.to_string()))
    }

    /// Weibull with the given shape and scale (seconds).
    pub fn weibull(shape: f64, scale: f64) -> Result<Dist, DistError> {
        check(shape.is_finite() && shape > 0.0, "shape must be > 0")?;
        check(scale.is_finite() && scale > 0.0, "scale must be > 0")?;
        Weibull::new(scale, shape)
            .map(|d| Dist {
                kind: Kind::Weibull(d),
                mean: scale * gamma_fn(1.0 + 1.0 / shape),
            })
            .map_err(|e| DistError(e.to_string()))
    }

    /// Resampling of observed values (seconds).
    pub fn empirical(values: Vec<f64>) -> Result<Dist, DistError> {
        Dist::empirical_shared(values.into())
    }

    /// [`Dist::empirical`] on values shared with other distributions (clones of the `Arc`).
    pub fn empirical_shared(values: Arc<[f64]>) -> Result<Dist, DistError> {
        check(!values.is_empty(), "no values")?;
        check(
            values.iter().all(|v| v.is_finite() && *v >= 0.0),
            "values must be finite and >= 0",
        )?;
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        Ok(Dist {
            kind: Kind::Empirical(values),
            mean,
        })
    }

    /// One draw, in seconds.
    #[inline]
    pub fn sample_secs<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.kind {
            Kind::Fixed(v) => *v,
            Kind::Exponential(d) => d.sample(rng),
            Kind::Uniform { min, width } => min + width * unit_f64(rng),
            Kind::Triangular(d) => d.sample(rng),
            Kind::Normal(d) => loop {
                let x = d.sample(rng);
                if x >= 0.0 {
                    break x;
                }
            },
            Kind::LogNormal(d) => d.sample(rng),
            Kind::Gamma(d) => d.sample(rng),
            Kind::Weibull(d) => d.sample(rng),
            Kind::Empirical(v) => v[(unit_f64(rng) * v.len() as f64) as usize % v.len()],
        }
    }

    /// One draw, rounded to the clock's resolution.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> SimDur {
        SimDur::from_secs_f64(self.sample_secs(rng))
    }

    /// The mean in seconds (for the normal, the mean after truncation at zero).
    pub fn mean_secs(&self) -> f64 {
        self.mean
    }
}

/// Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7).
fn normal_cdf(x: f64) -> f64 {
    let z = x / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * z.abs());
    let poly = t
        * (0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let erf = 1.0 - poly * (-z * z).exp();
    0.5 * (1.0 + if z >= 0.0 { erf } else { -erf })
}

/// The coefficients of the Lanczos approximation of the gamma function with g = 7, nine terms
/// (also used by the log-gamma of `significance`).
pub(crate) const LANCZOS_G7: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// The gamma function (Lanczos approximation, g = 7), for the Weibull mean.
fn gamma_fn(x: f64) -> f64 {
    const C: [f64; 9] = LANCZOS_G7;
    if x < 0.5 {
        std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma_fn(1.0 - x))
    } else {
        let x = x - 1.0;
        let t = x + 7.5;
        let mut a = C[0];
        for (i, c) in C.iter().enumerate().skip(1) {
            a += c / (x + i as f64);
        }
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
    }
}

/// A uniform draw in [0, 1) from the top 53 bits.
#[inline]
pub fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::random::stream;

    fn moments(d: &Dist) -> (f64, f64) {
        let mut rng = stream(3, 0, "moments");
        let n = 400_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample_secs(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt() / m)
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-12)
    }

    #[test]
    fn planner_parameters_give_the_stated_moments() {
        let cases: Vec<(Dist, f64, f64)> = vec![
            (Dist::exponential(3600.0).unwrap(), 3600.0, 1.0),
            (Dist::lognormal(7200.0, 0.5).unwrap(), 7200.0, 0.5),
            (Dist::gamma(100.0, 0.3).unwrap(), 100.0, 0.3),
            (Dist::erlang(4, 50.0).unwrap(), 50.0, 0.5),
            (
                Dist::uniform(6.0, 8.0).unwrap(),
                7.0,
                (4.0f64 / 12.0).sqrt() / 7.0,
            ),
            (Dist::fixed(5.0).unwrap(), 5.0, 0.0),
        ];
        for (d, mean, cv) in cases {
            let (m, c) = moments(&d);
            assert!(close(m, mean, 0.01), "{d:?}: mean {m} vs {mean}");
            assert!((c - cv).abs() < 0.01, "{d:?}: cv {c} vs {cv}");
            assert!(close(d.mean_secs(), mean, 1e-9));
        }
    }

    #[test]
    fn analytic_means_match_samples() {
        for d in [
            Dist::triangular(1.0, 2.0, 6.0).unwrap(),
            Dist::normal(1.0, 2.0).unwrap(),
            Dist::weibull(1.5, 10.0).unwrap(),
            Dist::empirical(vec![1.0, 2.0, 6.0]).unwrap(),
        ] {
            let (m, _) = moments(&d);
            assert!(
                close(m, d.mean_secs(), 0.01),
                "{d:?}: {m} vs {}",
                d.mean_secs()
            );
        }
    }

    #[test]
    fn truncated_normal_is_non_negative() {
        let d = Dist::normal(1.0, 2.0).unwrap();
        let mut rng = stream(1, 0, "n");
        assert!((0..100_000).all(|_| d.sample_secs(&mut rng) >= 0.0));
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(Dist::exponential(0.0).is_err());
        assert!(Dist::triangular(1.0, 5.0, 3.0).is_err());
        assert!(Dist::lognormal(1.0, -0.1).is_err());
        assert!(Dist::empirical(vec![]).is_err());
        assert!(Dist::erlang(0, 1.0).is_err());
    }
}
