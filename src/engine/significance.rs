//! Significance over many differences: the two-sided p-value of a one-sample (paired) Student-t
//! test, and the Benjamini-Hochberg step-up procedure that controls the false discovery rate
//! when many such tests are read together.
//!
//! The Student-t distribution function is written with the regularized incomplete beta
//! function, `P(|T| >= t) = I_x(df/2, 1/2)` with `x = df / (df + t^2)`, evaluated by its
//! continued fraction (modified Lentz, as Numerical Recipes' `betacf`) and a Lanczos log-gamma.
//! Written out rather than pulling in a statistics crate: `statrs` brings `nalgebra` into every
//! build for these few functions.

use super::dist::LANCZOS_G7;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms; relative error below 1e-14).
fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut a = LANCZOS_G7[0];
    for (i, c) in LANCZOS_G7.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Smallest magnitude Lentz's method lets a denominator take.
const TINY: f64 = 1e-300;

/// One step of Lentz's method with the partial numerator `aa`: updates `c` and `d` and returns
/// the factor by which the fraction's value changes.
fn lentz_step(aa: f64, c: &mut f64, d: &mut f64) -> f64 {
    *d = 1.0 + aa * *d;
    if d.abs() < TINY {
        *d = TINY;
    }
    *c = 1.0 + aa / *c;
    if c.abs() < TINY {
        *c = TINY;
    }
    *d = 1.0 / *d;
    *d * *c
}

/// The continued fraction of the incomplete beta function (modified Lentz's method).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const MAX_ITER: usize = 10_000;
    const EPS: f64 = 1e-15;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        // Even step, then odd step.
        h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let del = lentz_step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1.
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if a.is_nan() || b.is_nan() || a <= 0.0 || b <= 0.0 || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use the
    // symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The Student-t distribution function P(T <= t) with `df` degrees of freedom (df > 0).
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    let tail = 0.5 * incomplete_beta(0.5 * df, 0.5, df / (df + t * t));
    if t > 0.0 { 1.0 - tail } else { tail }
}

/// Two-sided p-value P(|T| >= |t|) of a Student-t statistic with `df` degrees of freedom.
pub fn two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    incomplete_beta(0.5 * df, 0.5, df / (df + t * t)).clamp(0.0, 1.0)
}

/// The two-sided p-value of the paired t-test that the mean difference is 0, from the
/// differences' `mean`, sample standard deviation `std` and count `n`: `t = mean / (std / √n)`
/// on `n - 1` degrees of freedom. NaN with fewer than 2 differences; when every difference is
/// the same (`std` = 0), 1 if they are 0 and 0 otherwise.
pub fn paired_p(mean: f64, std: f64, n: u64) -> f64 {
    if n < 2 || !mean.is_finite() || !std.is_finite() {
        return f64::NAN;
    }
    if std == 0.0 {
        return if mean == 0.0 { 1.0 } else { 0.0 };
    }
    two_sided_p(mean / (std / (n as f64).sqrt()), (n - 1) as f64)
}

/// Benjamini-Hochberg step-up at false discovery rate `q` over the p-values given: with the m
/// finite p-values sorted, p(1) <= ... <= p(m), find the largest k with p(k) <= k q / m, and
/// call the k smallest significant. A p-value that is not finite (too few pairs) takes no part
/// and gets `None`; every other gets whether it is significant, in the order given.
pub fn benjamini_hochberg(p: &[f64], q: f64) -> Vec<Option<bool>> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_finite()).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]).then(i.cmp(&j)));
    let m = order.len() as f64;
    let k = order
        .iter()
        .enumerate()
        .rev()
        .find(|&(rank, &i)| p[i] <= (rank + 1) as f64 * q / m)
        .map_or(0, |(rank, _)| rank + 1);
    let mut out: Vec<Option<bool>> = p.iter().map(|v| v.is_finite().then_some(false)).collect();
    for &i in &order[..k] {
        out[i] = Some(true);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::summary::t975;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn log_gamma_at_known_points() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-14));
        assert!(close(ln_gamma(2.0), 0.0, 1e-14));
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-14
        ));
        assert!(close(ln_gamma(10.0), 362_880f64.ln(), 1e-12));
        assert!(close(ln_gamma(100.5), 361.435_540_467_777_6, 1e-10));
    }

    #[test]
    fn incomplete_beta_against_closed_forms() {
        // I_x(a, 1) = x^a, I_x(1, b) = 1 - (1 - x)^b, I_x(a, b) = 1 - I_{1-x}(b, a).
        for x in [0.01, 0.2, 0.5, 0.77, 0.999] {
            assert!(close(incomplete_beta(3.0, 1.0, x), x.powi(3), 1e-13), "{x}");
            assert!(
                close(incomplete_beta(1.0, 4.0, x), 1.0 - (1.0 - x).powi(4), 1e-13),
                "{x}"
            );
            let s = incomplete_beta(2.5, 0.5, x) + incomplete_beta(0.5, 2.5, 1.0 - x);
            assert!(close(s, 1.0, 1e-13), "{x}");
        }
        assert_eq!(incomplete_beta(2.0, 3.0, 0.0), 0.0);
        assert_eq!(incomplete_beta(2.0, 3.0, 1.0), 1.0);
        assert!(incomplete_beta(0.0, 3.0, 0.5).is_nan());
    }

    #[test]
    fn student_t_against_closed_forms_and_tables() {
        // df = 1 is the Cauchy distribution, df = 2 has a closed form.
        for t in [-30.0, -2.0, -0.3, 0.0, 0.7, 1.0, 4.0, 100.0] {
            let cauchy = 0.5 + f64::atan(t) / std::f64::consts::PI;
            assert!(close(student_t_cdf(t, 1.0), cauchy, 1e-13), "{t}");
            let two = 0.5 + t / (2.0 * (2.0 + t * t).sqrt());
            assert!(close(student_t_cdf(t, 2.0), two, 1e-13), "{t}");
        }
        // The table of t(0.975, df) used for every interval: its two-sided p is 0.05.
        for df in 1..=30u64 {
            let p = two_sided_p(t975(df), df as f64);
            assert!(close(p, 0.05, 1e-9), "df {df}: {p}");
        }
        // Table values: t(0.95, 10) = 1.812461, t(0.995, 5) = 4.032143, t(0.9995, 20) = 3.849516.
        assert!(close(student_t_cdf(1.812_461, 10.0), 0.95, 1e-6));
        assert!(close(student_t_cdf(4.032_143, 5.0), 0.995, 1e-6));
        assert!(close(student_t_cdf(3.849_516, 20.0), 0.9995, 1e-6));
        assert!(close(student_t_cdf(-1.812_461, 10.0), 0.05, 1e-6));
        // Many degrees of freedom: close to the normal, Φ(1.959964) = 0.975.
        assert!(close(student_t_cdf(1.959_964, 1e7), 0.975, 1e-6));
        assert_eq!(student_t_cdf(0.0, 7.0), 0.5);
        assert!(student_t_cdf(1.0, 0.0).is_nan());
        assert_eq!(two_sided_p(f64::INFINITY, 3.0), 0.0);
    }

    #[test]
    fn paired_p_values() {
        // n = 10, t = 2.262157 (= t(0.975, 9)): p = 0.05.
        let (n, std) = (10u64, 1.0);
        let mean = t975(9) * std / (n as f64).sqrt();
        assert!(close(paired_p(mean, std, n), 0.05, 1e-9));
        assert!(close(paired_p(-mean, std, n), 0.05, 1e-9));
        assert_eq!(paired_p(0.0, 0.0, 5), 1.0);
        assert_eq!(paired_p(1e-9, 0.0, 5), 0.0);
        assert!(paired_p(1.0, f64::NAN, 1).is_nan());
    }

    #[test]
    fn benjamini_hochberg_by_hand() {
        // m = 4, q = 0.05: the thresholds k q / m are 0.0125, 0.025, 0.0375, 0.05. Sorted,
        // 0.001 <= 0.0125, 0.03 > 0.025, 0.032 <= 0.0375, 0.5 > 0.05: the largest k is 3, so
        // the three smallest are significant, 0.03 included although it fails its own step.
        let p = [0.032, 0.5, 0.001, 0.03];
        assert_eq!(
            benjamini_hochberg(&p, 0.05),
            [Some(true), Some(false), Some(true), Some(true)]
        );
        // The NaN takes no part, so m = 5 and the thresholds are 0.01, 0.02, 0.03, 0.04, 0.05:
        // 0.009, 0.019, 0.029 and 0.039 pass their own, 0.2 does not.
        let p = [0.039, 0.009, f64::NAN, 0.029, 0.2, 0.019];
        assert_eq!(
            benjamini_hochberg(&p, 0.05),
            [
                Some(true),
                Some(true),
                None,
                Some(true),
                Some(false),
                Some(true)
            ]
        );
        // Nothing passes: 0.02 > 0.05 / 3 and 0.04 > 0.1 / 3 and 0.06 > 0.05.
        assert_eq!(
            benjamini_hochberg(&[0.06, 0.02, 0.04], 0.05),
            [Some(false); 3]
        );
        assert!(benjamini_hochberg(&[], 0.05).is_empty());
    }
}
