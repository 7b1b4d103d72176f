//! Simulation time: integer milliseconds, never a floating-point clock.
//!
//! One millisecond resolution keeps sub-minute service times exact to the second while a `u64`
//! still spans more than 500 million years, so a ten-year horizon is nowhere near overflow.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Milliseconds per second, minute, hour, day and week.
pub const MS_PER_SECOND: u64 = 1_000;
/// Milliseconds per minute.
pub const MS_PER_MINUTE: u64 = 60 * MS_PER_SECOND;
/// Milliseconds per hour.
pub const MS_PER_HOUR: u64 = 60 * MS_PER_MINUTE;
/// Milliseconds per day.
pub const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;
/// Milliseconds per week.
pub const MS_PER_WEEK: u64 = 7 * MS_PER_DAY;
/// The longest duration a scenario may give, the horizon included: 1,000 years of 365.25 days
/// (`"365250d"`). A `u64` of milliseconds spans 584 million years, so a time plus a duration
/// (or many durations) stays far from the clock's range, where [`SimDur::from_secs_f64`] and
/// the additions would saturate.
pub const MAX_DURATION_MS: u64 = 365_250 * MS_PER_DAY;

/// An instant on the simulation clock, in milliseconds since the start of a replication.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDur(pub u64);

impl SimTime {
    /// The start of every replication.
    pub const ZERO: SimTime = SimTime(0);

    /// Milliseconds since the start.
    pub fn ms(self) -> u64 {
        self.0
    }

    /// Time since `earlier`; zero if `earlier` is later (never wraps).
    pub fn since(self, earlier: SimTime) -> SimDur {
        SimDur(self.0.saturating_sub(earlier.0))
    }
}

impl SimDur {
    /// No time at all.
    pub const ZERO: SimDur = SimDur(0);

    /// From (possibly fractional) seconds, rounded to the nearest millisecond. Negative and NaN
    /// inputs give zero; values beyond the clock's range saturate.
    #[inline]
    pub fn from_secs_f64(secs: f64) -> SimDur {
        // `+ 0.5` then truncation rounds half up for the positive values that reach it; it is
        // inlined, where `f64::round` is a library call on the hot path.
        let ms = secs * 1_000.0 + 0.5;
        if ms.is_nan() || ms < 1.0 {
            SimDur(0)
        } else if ms >= u64::MAX as f64 {
            SimDur(u64::MAX)
        } else {
            SimDur(ms as u64)
        }
    }

    /// From whole hours.
    pub const fn hours(h: u64) -> SimDur {
        SimDur(h * MS_PER_HOUR)
    }

    /// From whole days.
    pub const fn days(d: u64) -> SimDur {
        SimDur(d * MS_PER_DAY)
    }

    /// Milliseconds.
    pub fn ms(self) -> u64 {
        self.0
    }

    /// In seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MS_PER_SECOND as f64
    }

    /// In hours.
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / MS_PER_HOUR as f64
    }

    /// In days.
    pub fn as_days_f64(self) -> f64 {
        self.0 as f64 / MS_PER_DAY as f64
    }
}

impl Add<SimDur> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDur) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDur> for SimTime {
    fn add_assign(&mut self, d: SimDur) {
        *self = *self + d;
    }
}

impl Sub for SimTime {
    type Output = SimDur;
    fn sub(self, earlier: SimTime) -> SimDur {
        self.since(earlier)
    }
}

impl Add for SimDur {
    type Output = SimDur;
    fn add(self, o: SimDur) -> SimDur {
        SimDur(self.0.saturating_add(o.0))
    }
}

impl fmt::Display for SimDur {
    /// In the scenario-file syntax: the largest of d, h, m, s that divides the span exactly
    /// (`400d`, `90m`), else fractional seconds (`1.5s`); zero is `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        if ms == 0 {
            return write!(f, "0s");
        }
        for (unit, size) in [
            ("d", MS_PER_DAY),
            ("h", MS_PER_HOUR),
            ("m", MS_PER_MINUTE),
            ("s", MS_PER_SECOND),
        ] {
            if ms.is_multiple_of(size) {
                return write!(f, "{}{unit}", ms / size);
            }
        }
        write!(f, "{}s", ms as f64 / MS_PER_SECOND as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_saturation() {
        assert_eq!(SimDur::from_secs_f64(1.0004), SimDur(1_000));
        assert_eq!(SimDur::from_secs_f64(1.0006), SimDur(1_001));
        assert_eq!(SimDur::from_secs_f64(-3.0), SimDur::ZERO);
        assert_eq!(SimDur::from_secs_f64(f64::NAN), SimDur::ZERO);
        assert_eq!(SimDur::from_secs_f64(1e300), SimDur(u64::MAX));
        assert_eq!(SimTime(5) - SimTime(9), SimDur::ZERO);
    }

    #[test]
    fn display_picks_exact_unit() {
        assert_eq!(SimDur::days(400).to_string(), "400d");
        assert_eq!(SimDur::days(14).to_string(), "14d");
        assert_eq!(SimDur(90 * MS_PER_MINUTE).to_string(), "90m");
        assert_eq!(SimDur(1_500).to_string(), "1.5s");
        assert_eq!(SimDur::ZERO.to_string(), "0s");
        // What is displayed parses back to the same span.
        for d in [SimDur(1_500), SimDur::days(420), SimDur(90 * MS_PER_MINUTE)] {
            let back = crate::scenario::duration::parse_duration(&d.to_string()).unwrap();
            assert_eq!(SimDur::from_secs_f64(back.secs), d);
        }
    }
}
