//! Rate profiles: a dimensionless factor m(t) >= 0 over calendar time that multiplies an
//! arrival rate, and the time change that turns a stationary arrival process into one that
//! follows it.
//!
//! A renewal process drawn as usual runs on an *operational* clock u; an arrival at u happens at
//! calendar time t = Λ⁻¹(u), where Λ(t) = ∫₀ᵗ m(s) ds. For Poisson arrivals this is exactly the
//! non-homogeneous Poisson process of rate λ·m(t); for any other family it is the same time
//! change. The profile is piecewise: on each piece m(t) = a·e^{k τ}·(p₀ + p₁τ + p₂τ²) with τ the
//! time since the piece began, so Λ is integrated in closed form and inverted by a safeguarded
//! Newton iteration to the millisecond. A [`Cursor`] walks the pieces forward, so each arrival
//! costs O(1) amortised.
//!
//! Nothing here knows what arrives: the calendar (months, weekdays) is read against the day of
//! time zero, as in [`super::hours`].

use super::hours::civil_from_days;
use super::time::MS_PER_DAY;

/// Milliseconds in a year of 365.25 days: the unit of compound growth.
pub const MS_PER_YEAR: f64 = 365.25 * MS_PER_DAY as f64;

/// What a profile is made of, in simulation milliseconds (time zero = midnight UTC of the
/// start day). Every factor multiplies the others.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shape {
    /// Continuous growth rate per millisecond: m grows as e^{growth·t} (ln(1+g) / year for a
    /// compound growth g per year).
    pub growth: f64,
    /// Factor of each calendar month, January first (UTC).
    pub monthly: Option<[f64; 12]>,
    /// Factor of each day of the week, Monday first (UTC).
    pub weekly: Option<[f64; 7]>,
    /// From each time on, multiply by the factor.
    pub steps: Vec<(u64, f64)>,
    /// Linear from 1 at the first time to the factor at the second, the factor after (times
    /// may be before time zero: a ramp under way when the profile begins).
    pub ramps: Vec<(i64, i64, f64)>,
    /// m is zero outside `[on.0, on.1)`.
    pub on: (u64, u64),
}

/// One piece: on `[start, end)`, m(start + τ) = `scale`·e^{`k` τ}·(p₀ + p₁τ + p₂τ²), τ in ms.
#[derive(Clone, Debug, PartialEq)]
struct Piece {
    start: u64,
    end: u64,
    scale: f64,
    k: f64,
    poly: [f64; 3],
    /// Λ at `start`, in ms of operational time.
    cum: f64,
}

impl Piece {
    /// ∫₀^τ m, ms of operational time.
    fn integral(&self, tau: f64) -> f64 {
        if self.scale == 0.0 || tau <= 0.0 {
            return 0.0;
        }
        if self.poly[1] == 0.0 && self.poly[2] == 0.0 {
            // e^{kτ} alone (growth without a ramp): expm1 is exact for small kτ too.
            let f0 = if self.k == 0.0 {
                tau
            } else {
                (self.k * tau).exp_m1() / self.k
            };
            return self.scale * self.poly[0] * f0;
        }
        let f = moments(self.k, tau);
        self.scale * (self.poly[0] * f[0] + self.poly[1] * f[1] + self.poly[2] * f[2])
    }

    /// m(start + τ).
    fn rate(&self, tau: f64) -> f64 {
        let p = self.poly[0] + tau * (self.poly[1] + tau * self.poly[2]);
        self.scale * (self.k * tau).exp() * p
    }

    fn len(&self) -> f64 {
        (self.end - self.start) as f64
    }

    /// Whether m is a constant on the piece.
    fn constant(&self) -> bool {
        self.k == 0.0 && self.poly[1] == 0.0 && self.poly[2] == 0.0
    }

    /// The τ in [0, len] where ∫₀^τ m = `target` (0 <= target <= `mass`, the piece's whole
    /// integral), to well under a millisecond.
    fn invert(&self, target: f64, mass: f64) -> f64 {
        let len = self.len();
        if self.constant() {
            return (target / (self.scale * self.poly[0])).min(len);
        }
        let (mut lo, mut hi) = (0.0_f64, len);
        // Linear interpolation first: exact where m hardly changes over the piece.
        let mut tau = (target / mass * len).clamp(0.0, len);
        for _ in 0..100 {
            let g = self.integral(tau) - target;
            if g > 0.0 {
                hi = tau;
            } else {
                lo = tau;
            }
            let d = self.rate(tau);
            let step = if d > 0.0 { g / d } else { f64::NAN };
            // Converged: the root is within a hundredth of a millisecond.
            if step.abs() < 0.01 {
                return (tau - step).clamp(0.0, len);
            }
            let mut next = tau - step;
            // Newton out of the bracket (or m = 0 here): bisect instead.
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if hi - lo < 0.01 {
                return next;
            }
            tau = next;
        }
        tau
    }
}

/// ∫₀^T τⁿ e^{kτ} dτ for n = 0, 1, 2: by their series when |kT| <= 1 (no cancellation), by
/// integration by parts otherwise.
fn moments(k: f64, t: f64) -> [f64; 3] {
    let x = k * t;
    if x.abs() <= 1.0 {
        // Fₙ = T^{n+1} Σⱼ xʲ / (j! (n+j+1)).
        let mut out = [0.0; 3];
        for (n, o) in out.iter_mut().enumerate() {
            let mut term = 1.0; // xʲ / j!
            let mut sum = 0.0;
            for j in 0..40 {
                let add = term / (n + j + 1) as f64;
                sum += add;
                if add.abs() < 1e-17 * sum.abs() {
                    break;
                }
                term *= x / (j + 1) as f64;
            }
            *o = t.powi(n as i32 + 1) * sum;
        }
        out
    } else {
        let e = x.exp();
        let f0 = x.exp_m1() / k;
        let f1 = (t * e - f0) / k;
        let f2 = (t * t * e - 2.0 * f1) / k;
        [f0, f1, f2]
    }
}

/// The date (`YYYY-MM-DD`, UTC) of `t` ms after midnight UTC of `start_day`.
pub fn date_text(start_day: i64, t: u64) -> String {
    let (y, m, d) = civil_from_days(start_day + (t / MS_PER_DAY) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The calendar months (UTC) that meet `[from, to)` (ms from midnight UTC of `start_day`), each
/// cut to it: `(start, end)` in ms.
pub fn months(start_day: i64, from: u64, to: u64) -> Vec<(u64, u64)> {
    let mut cuts = vec![from];
    let (first, last) = (from / MS_PER_DAY, to.div_ceil(MS_PER_DAY));
    for d in first + 1..last {
        if civil_from_days(start_day + d as i64).2 == 1 {
            cuts.push(d * MS_PER_DAY);
        }
    }
    cuts.push(to);
    cuts.windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| (w[0], w[1]))
        .collect()
}

/// A rate profile m(t) on `[0, horizon)`, built from a [`Shape`].
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pieces: Vec<Piece>,
    /// Λ(horizon).
    total: f64,
}

impl Profile {
    /// The profile of `shape` from time zero (midnight UTC of `start_day`, days since
    /// 1970-01-01) to `horizon` (ms).
    pub fn new(shape: &Shape, start_day: i64, horizon: u64) -> Profile {
        let mut cuts = vec![0, horizon, shape.on.0.min(horizon), shape.on.1.min(horizon)];
        cuts.extend(shape.steps.iter().map(|s| s.0.min(horizon)));
        for r in &shape.ramps {
            cuts.push((r.0.max(0) as u64).min(horizon));
            cuts.push((r.1.max(0) as u64).min(horizon));
        }
        let days = horizon.div_ceil(MS_PER_DAY) as i64;
        if shape.weekly.is_some() {
            cuts.extend((0..days).map(|d| d as u64 * MS_PER_DAY));
        } else if shape.monthly.is_some() {
            for d in 0..days {
                if civil_from_days(start_day + d).2 == 1 {
                    cuts.push(d as u64 * MS_PER_DAY);
                }
            }
        }
        cuts.retain(|&c| c <= horizon);
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces = Vec::with_capacity(cuts.len());
        let mut cum = 0.0;
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let mut scale = if a >= shape.on.0 && a < shape.on.1 {
                1.0
            } else {
                0.0
            };
            let day = start_day + (a / MS_PER_DAY) as i64;
            if let Some(m) = &shape.monthly {
                scale *= m[civil_from_days(day).1 as usize - 1];
            }
            if let Some(wk) = &shape.weekly {
                // 1970-01-01 was a Thursday (index 3, Monday = 0).
                scale *= wk[(day + 3).rem_euclid(7) as usize];
            }
            for &(at, f) in &shape.steps {
                if a >= at {
                    scale *= f;
                }
            }
            let mut poly = [1.0, 0.0, 0.0];
            for &(from, to, f) in &shape.ramps {
                let a = a as i64;
                let lin = if a >= to {
                    [f, 0.0]
                } else if a < from {
                    [1.0, 0.0]
                } else {
                    let slope = (f - 1.0) / (to - from) as f64;
                    [1.0 + slope * (a - from) as f64, slope]
                };
                poly = [
                    poly[0] * lin[0],
                    poly[0] * lin[1] + poly[1] * lin[0],
                    poly[1] * lin[1] + poly[2] * lin[0],
                ];
            }
            if shape.growth != 0.0 {
                scale *= (shape.growth * a as f64).exp();
            }
            let piece = Piece {
                start: a,
                end: b,
                scale,
                k: shape.growth,
                poly,
                cum,
            };
            cum += piece.integral(piece.len());
            pieces.push(piece);
        }
        Profile { pieces, total: cum }
    }

    /// Λ(t): the operational time (ms) that has passed by calendar time `t` (ms).
    pub fn integral(&self, t: u64) -> f64 {
        let i = self.pieces.partition_point(|p| p.end <= t);
        match self.pieces.get(i) {
            Some(p) => p.cum + p.integral(t.saturating_sub(p.start) as f64),
            None => self.total,
        }
    }

    /// The mean of m over `[a, b)` (ms); 0 for an empty interval.
    pub fn mean(&self, a: u64, b: u64) -> f64 {
        if b <= a {
            return 0.0;
        }
        (self.integral(b) - self.integral(a)) / (b - a) as f64
    }

    /// The largest value m takes (at a piece's ends or middle; exact unless two ramps overlap).
    pub fn peak(&self) -> f64 {
        self.pieces
            .iter()
            .flat_map(|p| {
                let l = p.len();
                [p.rate(0.0), p.rate(0.5 * l), p.rate(l)]
            })
            .fold(0.0, f64::max)
    }

    /// Whether m is exactly 1 throughout.
    pub fn is_one(&self) -> bool {
        self.pieces
            .iter()
            .all(|p| p.scale == 1.0 && p.constant() && p.poly[0] == 1.0)
    }

    /// Λ(horizon): the operational time the whole profile holds.
    pub fn total(&self) -> f64 {
        self.total
    }
}

/// A position in a profile, moving forward only: where the last arrival fell.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cursor {
    piece: usize,
}

impl Cursor {
    /// Λ⁻¹(u) rounded to the millisecond: the calendar time (ms) by which operational time `u`
    /// (ms) has passed; `None` if the profile's mass ends before `u` (no arrival by the
    /// horizon). The `u` of successive calls must not decrease.
    pub fn time_of(&mut self, p: &Profile, u: f64) -> Option<u64> {
        if u > p.total {
            return None;
        }
        loop {
            let piece = p.pieces.get(self.piece)?;
            let mass = match p.pieces.get(self.piece + 1) {
                Some(next) => next.cum - piece.cum,
                None => p.total - piece.cum,
            };
            // A piece without mass holds no arrival; an arrival exactly at the end of a piece's
            // mass is at the start of the next piece with mass (none if there is none: m is
            // 0 from the end of the piece, so the arrival would be in a stretch without demand).
            if mass > 0.0 && u < piece.cum + mass {
                let tau = piece.invert((u - piece.cum).max(0.0), mass);
                let t = piece.start + (tau + 0.5) as u64;
                return Some(t.min(piece.end));
            }
            self.piece += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = MS_PER_DAY;

    fn shape(horizon: u64) -> Shape {
        Shape {
            on: (0, horizon),
            ..Default::default()
        }
    }

    #[test]
    fn constant_profile_is_the_identity() {
        let p = Profile::new(&shape(10 * DAY), 19_723, 10 * DAY);
        let mut c = Cursor::default();
        for u in [0u64, 1, 17, 5 * DAY, 10 * DAY - 1] {
            assert_eq!(c.time_of(&p, u as f64), Some(u));
        }
        // The horizon itself is past the end of the profile.
        assert_eq!(c.time_of(&p, (10 * DAY) as f64), None);
    }

    #[test]
    fn a_step_halves_the_gaps_after_it() {
        let mut s = shape(10 * DAY);
        s.steps.push((4 * DAY, 2.0));
        let p = Profile::new(&s, 19_723, 10 * DAY);
        assert_eq!(p.total(), (4 * DAY + 12 * DAY) as f64);
        let mut c = Cursor::default();
        assert_eq!(c.time_of(&p, (3 * DAY) as f64), Some(3 * DAY));
        assert_eq!(c.time_of(&p, (6 * DAY) as f64), Some(5 * DAY));
    }

    #[test]
    fn growth_integrates_in_closed_form() {
        // m = e^{k t}: Λ(t) = (e^{k t} - 1) / k, checked at short and long times.
        let mut s = shape(3650 * DAY);
        s.growth = (1.25_f64).ln() / MS_PER_YEAR;
        let p = Profile::new(&s, 19_723, 3650 * DAY);
        for t in [DAY, 400 * DAY, 3649 * DAY] {
            let exact = (s.growth * t as f64).exp_m1() / s.growth;
            assert!((p.integral(t) - exact).abs() < 1e-9 * exact, "{t}");
            let mut c = Cursor::default();
            let back = c.time_of(&p, exact).unwrap();
            assert!(back.abs_diff(t) <= 1, "{back} {t}");
        }
    }

    #[test]
    fn a_ramp_is_linear_and_its_inverse_exact() {
        // 1 -> 3 over days 10..20: Λ(20 d) = 10 + 20 = 30 days, 3 per day after.
        let mut s = shape(40 * DAY);
        s.ramps.push((10 * DAY as i64, 20 * DAY as i64, 3.0));
        s.growth = 1e-16; // a tiny growth forces the general (Newton) path
        let p = Profile::new(&s, 19_723, 40 * DAY);
        let mid = p.integral(15 * DAY); // 10 + 5 * (1 + 2)/2 = 17.5 days
        assert!((mid / DAY as f64 - 17.5).abs() < 1e-3);
        let mut c = Cursor::default();
        let t = c.time_of(&p, mid).unwrap();
        assert!(t.abs_diff(15 * DAY) <= 1, "{t}");
        assert!((p.peak() - 3.0).abs() < 1e-3);
    }

    #[test]
    fn months_and_days_of_the_week_cut_the_calendar() {
        // 2024-01-01 (day 19723) is a Monday; January x 2, February x 0.
        let mut s = shape(70 * DAY);
        let mut m = [1.0; 12];
        m[0] = 2.0;
        m[1] = 0.0;
        s.monthly = Some(m);
        let p = Profile::new(&s, 19_723, 70 * DAY);
        assert_eq!(p.integral(31 * DAY), (62 * DAY) as f64);
        assert_eq!(p.integral(60 * DAY), (62 * DAY) as f64);
        // Nothing in February (2024 is a leap year): after January's mass, the next arrival is
        // on 1 March, day 60.
        let mut c = Cursor::default();
        assert_eq!(c.time_of(&p, (62 * DAY - 2) as f64), Some(31 * DAY - 1));
        assert_eq!(c.time_of(&p, (62 * DAY) as f64), Some(60 * DAY));
        assert_eq!(c.time_of(&p, (62 * DAY + 1) as f64), Some(60 * DAY + 1));
        let mut s = shape(14 * DAY);
        s.weekly = Some([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
        let p = Profile::new(&s, 19_723, 14 * DAY);
        assert_eq!(p.integral(14 * DAY), (10 * DAY) as f64);
        let mut c = Cursor::default();
        // The sixth working day is the next Monday.
        assert_eq!(c.time_of(&p, (5 * DAY + 1) as f64), Some(7 * DAY + 1));
    }

    #[test]
    fn months_cut_a_window_at_the_first_of_each_month() {
        // From 2024-01-15 to 2024-03-10: the rest of January, February (29 days), 9 days of March.
        let m = months(19_723, 14 * DAY, 69 * DAY);
        assert_eq!(
            m,
            vec![
                (14 * DAY, 31 * DAY),
                (31 * DAY, 60 * DAY),
                (60 * DAY, 69 * DAY)
            ]
        );
        assert_eq!(months(19_723, 0, DAY / 2), vec![(0, DAY / 2)]);
        assert_eq!(date_text(19_723, 60 * DAY), "2024-03-01");
    }

    #[test]
    fn moments_agree_across_the_switch() {
        let t = 1000.0;
        for k in [0.999e-3, 1.001e-3, -0.999e-3, -1.001e-3] {
            let a = moments(k, t);
            // Reference by Simpson's rule.
            let n = 20_000;
            let h = t / n as f64;
            let mut r = [0.0; 3];
            for i in 0..=n {
                let x = i as f64 * h;
                let w = if i == 0 || i == n {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                for (j, rj) in r.iter_mut().enumerate() {
                    *rj += w * x.powi(j as i32) * (k * x).exp() * h / 3.0;
                }
            }
            for j in 0..3 {
                assert!((a[j] - r[j]).abs() < 1e-9 * r[j].abs(), "{k} {j}");
            }
        }
    }
}
