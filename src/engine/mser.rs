//! MSER-5 (White 1997; White, Cobb and Spratt 2000): where to truncate the start of an output
//! series so that what is left has the smallest marginal standard error.
//!
//! The series is cut into batches of 5 observations (a last incomplete batch is dropped) and
//! their means z₁..zₙ taken. For a truncation of d batches, MSER(d) = Σ_{j>d} (zⱼ - z̄_d)² /
//! (n - d)², with z̄_d the mean of the batches kept. The truncation d* minimises it over
//! d <= n/2; the warm-up is 5·d* observations. If the minimum over d <= 3n/4 (keeping at
//! least a quarter of the batches) lies beyond n/2, the series is still changing in its second
//! half: no steady state is found and d* is the best truncation in the first half.

/// Observations per batch.
pub const BATCH: usize = 5;

/// What MSER-5 found for one series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mser5 {
    /// Batches of [`BATCH`] observations.
    pub batches: usize,
    /// The truncation d*, in batches (at most `batches / 2`).
    pub truncation_batches: usize,
    /// The truncation in observations: `BATCH × truncation_batches`.
    pub truncation: usize,
    /// Whether the overall minimum lies in the first half (false: no steady state found).
    pub steady: bool,
}

/// MSER-5 of `series`; `None` when it has fewer than two batches.
pub fn mser5(series: &[f64]) -> Option<Mser5> {
    let z: Vec<f64> = series
        .chunks_exact(BATCH)
        .map(|c| c.iter().sum::<f64>() / BATCH as f64)
        .collect();
    let n = z.len();
    if n < 2 {
        return None;
    }
    // Suffix sums: Σ z and Σ z² over the batches kept after truncating d.
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for j in (0..n).rev() {
        s1[j] = s1[j + 1] + z[j];
        s2[j] = s2[j + 1] + z[j] * z[j];
    }
    let stat = |d: usize| {
        let k = (n - d) as f64;
        let mean = s1[d] / k;
        // Σ (z - mean)² = Σ z² - k mean², never below 0.
        (s2[d] - k * mean * mean).max(0.0) / (k * k)
    };
    let argmin = |upto: usize| {
        (0..=upto).fold((0, f64::INFINITY), |best, d| {
            let v = stat(d);
            if v < best.1 { (d, v) } else { best }
        })
    };
    let half = n / 2;
    let (d, _) = argmin(half);
    // The second half is searched up to three quarters: with fewer batches kept, their spread
    // is too uncertain for a minimum there to say anything.
    let (d_all, _) = argmin((3 * n / 4).max(half));
    Some(Mser5 {
        batches: n,
        truncation_batches: d,
        truncation: d * BATCH,
        steady: d_all <= half,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stand-in for noise: a sequence with mean 0 and no trend.
    fn noise(n: usize) -> Vec<f64> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect()
    }

    #[test]
    fn a_transient_then_noise_is_cut_where_the_transient_ends() {
        // 100 observations rising linearly from -20 to 0, then 900 of noise around 0.
        let mut s: Vec<f64> = (0..100).map(|i| -20.0 + 0.2 * i as f64).collect();
        s.extend(noise(900));
        let m = mser5(&s).unwrap();
        assert_eq!(m.batches, 200);
        assert!(m.steady);
        // The whole transient goes, and at most ten more batches of noise (MSER also drops
        // early batches whose means happen to lie far from the rest).
        assert!(
            (100..=150).contains(&m.truncation),
            "truncated {} observations",
            m.truncation
        );
    }

    #[test]
    fn a_step_is_cut_exactly_at_the_step() {
        // 50 observations at 10, then a constant 0: every kept batch after the step is
        // equal, so MSER is 0 from d = 10 on, and the first such d is taken.
        let mut s = vec![10.0; 50];
        s.extend(vec![0.0; 450]);
        let m = mser5(&s).unwrap();
        assert_eq!((m.truncation_batches, m.truncation), (10, 50));
        assert!(m.steady);
    }

    #[test]
    fn pure_noise_is_barely_truncated() {
        let m = mser5(&noise(1000)).unwrap();
        assert!(m.steady);
        assert!(m.truncation <= 100, "truncated {}", m.truncation);
    }

    #[test]
    fn a_series_that_never_settles_has_no_steady_state() {
        // A steady rise: MSER keeps falling as more of the start is cut.
        let s: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let m = mser5(&s).unwrap();
        assert!(!m.steady);
        assert_eq!(m.truncation_batches, 100);
    }

    #[test]
    fn too_short_a_series_gives_nothing() {
        assert_eq!(mser5(&[1.0; 9]), None);
        assert_eq!(mser5(&[1.0; 10]).unwrap().truncation, 0);
    }
}
