//! Draws under the clock's resolution: the chance that a distribution draws less than 1 ms,
//! for the times that must be positive (times between arrivals). A draw under 0.5 ms rounds to
//! 0 ms; a flow whose draws are all 0 creates consignments at the same instant forever.
//!
//! Every family has a closed form or a cheap, accurate evaluation of its distribution function
//! at 1 ms (the gamma's through its series and continued fraction, or the Wilson-Hilferty
//! approximation for shapes above 10,000, where the distribution is nearly normal).

/// The clock's resolution in seconds: draws below it are "under 1 ms".
pub(super) const RESOLUTION_SECS: f64 = 0.001;

/// The largest allowed chance of a draw under 1 ms where a time must be positive.
pub(super) const MAX_SHARE_UNDER: f64 = 0.001;

/// A family with its parameters in seconds, as validated.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Family {
    Fixed(f64),
    Exponential {
        mean: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// Truncated at zero.
    Normal {
        mean: f64,
        sd: f64,
    },
    LogNormal {
        mean: f64,
        cv: f64,
    },
    /// Erlang too (integer shape).
    Gamma {
        shape: f64,
        scale: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
    },
    Empirical(std::sync::Arc<[f64]>),
}

impl Family {
    /// P(X < `t` seconds) of one draw.
    pub(super) fn cdf(&self, t: f64) -> f64 {
        let p = match *self {
            Family::Fixed(v) => step(v, t),
            Family::Exponential { mean } => -(-t / mean).exp_m1(),
            Family::Uniform { min, max } if max > min => (t - min) / (max - min),
            Family::Uniform { min, .. } => step(min, t),
            Family::Triangular { min, mode, max } => triangular(min, mode, max, t),
            Family::Normal { sd: 0.0, mean } => step(mean, t),
            Family::Normal { mean, sd } => {
                let below = normal_cdf(-mean / sd);
                (normal_cdf((t - mean) / sd) - below) / (1.0 - below)
            }
            Family::LogNormal { mean, cv: 0.0 } => step(mean, t),
            Family::LogNormal { mean, cv } => {
                let s2 = (1.0 + cv * cv).ln();
                normal_cdf((t.ln() - (mean.ln() - s2 / 2.0)) / s2.sqrt())
            }
            Family::Gamma { shape, scale } => gamma_p(shape, t / scale),
            Family::Weibull { shape, scale } => -(-(t / scale).powf(shape)).exp_m1(),
            Family::Empirical(ref v) => {
                v.iter().filter(|&&x| x < t).count() as f64 / v.len() as f64
            }
        };
        if p.is_nan() { 1.0 } else { p.clamp(0.0, 1.0) }
    }
}

fn step(v: f64, t: f64) -> f64 {
    if v < t { 1.0 } else { 0.0 }
}

fn triangular(a: f64, c: f64, b: f64, x: f64) -> f64 {
    if x <= a {
        0.0
    } else if x >= b {
        1.0
    } else if x <= c {
        (x - a) * (x - a) / ((b - a) * (c - a))
    } else {
        1.0 - (b - x) * (b - x) / ((b - a) * (b - c))
    }
}

/// Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7: ample next to the
/// 1-in-1000 threshold).
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// ln Γ(x) for x > 0: Stirling's series from x + n >= 10 on (error under 1e-10), brought back
/// by Γ(x + 1) = x Γ(x).
fn ln_gamma(x: f64) -> f64 {
    let (mut x, mut shift) = (x, 0.0);
    while x < 10.0 {
        shift += x.ln();
        x += 1.0;
    }
    let inv = 1.0 / x;
    let series = inv / 12.0 - inv.powi(3) / 360.0 + inv.powi(5) / 1260.0;
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series - shift
}

/// The regularized lower incomplete gamma function P(k, x): the gamma CDF of shape `k` at `x`
/// scale units.
fn gamma_p(k: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if k > 1e4 {
        // Wilson-Hilferty: (X/k)^(1/3) is nearly normal with mean 1 - 1/(9k), variance 1/(9k).
        let v = 1.0 / (9.0 * k);
        return normal_cdf(((x / k).cbrt() - (1.0 - v)) / v.sqrt());
    }
    let ln_front = k * x.ln() - x - ln_gamma(k);
    if x < k + 1.0 {
        // Series: P = x^k e^-x / Γ(k+1) · Σ x^n / ((k+1)...(k+n)).
        let (mut term, mut sum) = (1.0 / k, 1.0 / k);
        for n in 1..100_000 {
            term *= x / (k + n as f64);
            sum += term;
            if term < sum * 1e-15 {
                break;
            }
        }
        (ln_front + sum.ln()).exp()
    } else {
        // Continued fraction for Q = 1 - P (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - k;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let an = -(i as f64) * (i as f64 - k);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        1.0 - (ln_front + h.ln()).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.abs().max(1e-9)
    }

    #[test]
    fn closed_forms_at_one_millisecond() {
        let t = RESOLUTION_SECS;
        assert_eq!(Family::Fixed(0.0001).cdf(t), 1.0);
        assert_eq!(Family::Fixed(0.001).cdf(t), 0.0);
        // Exponential: a mean of about 1 s is the limit.
        assert!(Family::Exponential { mean: 0.99 }.cdf(t) > MAX_SHARE_UNDER);
        assert!(Family::Exponential { mean: 1.0 }.cdf(t) <= MAX_SHARE_UNDER);
        assert!(close(Family::Uniform { min: 0.0, max: 0.5 }.cdf(t), 0.002));
        assert!(close(
            Family::Triangular {
                min: 0.0,
                mode: 0.0,
                max: 2.0
            }
            .cdf(t),
            1.0 - (1.999f64 / 2.0).powi(2)
        ));
        assert_eq!(
            Family::Empirical(vec![0.0, 1.0, 2.0, 3.0].into()).cdf(t),
            0.25
        );
        assert!(close(
            Family::Weibull {
                shape: 0.5,
                scale: 10.0
            }
            .cdf(t),
            1.0 - (-(0.0001f64).sqrt()).exp()
        ));
        // Truncated normal: half of N(0+, 1 s) lies below 1 ms only in proportion.
        let n = Family::Normal {
            mean: 1e-9,
            sd: 1.0,
        }
        .cdf(t);
        assert!((n - 0.000_797_9).abs() < 1e-6, "{n}");
    }

    #[test]
    fn gamma_matches_known_values() {
        // Shape 1 is exponential; shape 2 (Erlang-2) is 1 - e^-x (1 + x).
        for x in [1e-6, 0.3, 1.0, 4.0, 30.0] {
            assert!(close(gamma_p(1.0, x), -(-x).exp_m1()), "{x}");
            assert!(close(gamma_p(2.0, x), 1.0 - (-x).exp() * (1.0 + x)), "{x}");
        }
        // A huge cv (tiny shape) puts nearly every draw under 1 ms; a tiny cv almost none.
        let huge_cv = Family::Gamma {
            shape: 1e-6,
            scale: 3600.0 / 1e-6,
        };
        assert!(huge_cv.cdf(RESOLUTION_SECS) > 0.99);
        let tiny_cv = Family::Gamma {
            shape: 1e8,
            scale: 3600.0 / 1e8,
        };
        assert_eq!(tiny_cv.cdf(RESOLUTION_SECS), 0.0);
        // Wilson-Hilferty agrees with the series where both apply.
        let k = 2e4;
        let wh = gamma_p(k, k * 0.98);
        let v = 1.0 / (9.0 * k);
        assert!((wh - normal_cdf(((0.98f64).cbrt() - (1.0 - v)) / v.sqrt())).abs() < 1e-12);
        // Reference values (mpmath's regularized gammainc).
        assert!((gamma_p(9_000.0, 8_820.0) - 0.028_283_233_738_919).abs() < 1e-9);
        assert!((gamma_p(0.5, 0.001 / 7200.0) - 0.000_420_522_067_534_7).abs() < 1e-12);
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        for (x, fact) in [
            (1.0, 1.0),
            (2.0, 1.0),
            (5.0, 24.0),
            (21.0, 2.432_902_008_176_64e18),
        ] {
            assert!((ln_gamma(x) - f64::ln(fact)).abs() < 1e-9, "{x}");
        }
        let half = std::f64::consts::PI.sqrt().ln();
        assert!((ln_gamma(0.5) - half).abs() < 1e-9);
        assert!((ln_gamma(1e-6) - 13.815_510_0).abs() < 1e-6);
    }

    #[test]
    fn lognormal_median() {
        // The median of a log-normal with cv c and mean m is m / sqrt(1 + c^2).
        let (m, c) = (1.0, 3.0);
        let median = m / (1.0f64 + c * c).sqrt();
        assert!((Family::LogNormal { mean: m, cv: c }.cdf(median) - 0.5).abs() < 1e-6);
    }
}
