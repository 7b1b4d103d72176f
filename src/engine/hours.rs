//! Opening hours: a weekly calendar of open windows in local time, a UTC offset, and dated
//! closures (holidays, closure windows). Answers "is it open at t", "when does it next open",
//! and "how much of [a, b] was closed". Nothing here knows what is open; borders use it.
//!
//! Simulation time zero is midnight UTC at the start of a calendar date (the scenario's start
//! date); local time is UTC plus the offset.

use super::time::{MS_PER_DAY, MS_PER_MINUTE, MS_PER_WEEK, SimDur, SimTime};

/// Day names, Monday first, as written in scenario files.
pub const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of days since 1970-01-01 (H. Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The month (1 to 12) of day `days` since 1970-01-01.
pub fn month_of(days: i64) -> u32 {
    civil_from_days(days).1
}

/// Parses `YYYY-MM-DD` into days since 1970-01-01.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let bad = || format!("\"{s}\" is not a date; write YYYY-MM-DD, e.g. \"2024-01-01\"");
    let parts: Vec<&str> = s.trim().split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let y: i64 = parts[0].parse().map_err(|_| bad())?;
    let m: u32 = parts[1].parse().map_err(|_| bad())?;
    let d: u32 = parts[2].parse().map_err(|_| bad())?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d == 0 || d > mdays[m as usize - 1] {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d))
}

/// Parses `HH:MM` (00:00 to 24:00) into minutes.
pub fn parse_clock(s: &str) -> Result<u64, String> {
    let bad = || format!("\"{s}\" is not a time of day; write HH:MM from 00:00 to 24:00");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u64 = h.parse().map_err(|_| bad())?;
    let m: u64 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Parses a UTC offset `+HH:MM` / `-HH:MM` into signed minutes.
pub fn parse_offset(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let bad = || format!("\"{s}\" is not a UTC offset; write +HH:MM or -HH:MM, e.g. \"+04:00\"");
    let (sign, rest) = match t.chars().next() {
        Some('+') => (1, &t[1..]),
        Some('-') => (-1, &t[1..]),
        _ => return Err(bad()),
    };
    let mins = parse_clock(rest).map_err(|_| bad())? as i64;
    if mins > 14 * 60 {
        return Err(bad());
    }
    Ok(sign * mins)
}

/// Parses a local date-time `YYYY-MM-DD HH:MM` (or with `T`) into minutes since 1970-01-01.
pub fn parse_datetime(s: &str) -> Result<i64, String> {
    let bad = || format!("\"{s}\" is not a date and time; write \"YYYY-MM-DD HH:MM\"");
    let t = s.trim();
    let (d, c) = t.split_once([' ', 'T']).ok_or_else(bad)?;
    Ok(parse_date(d).map_err(|_| bad())? * 1440 + parse_clock(c).map_err(|_| bad())? as i64)
}

/// Parses a weekly window such as `Mon-Sat 08:00-20:00`, `Sun 10:00-14:00` or
/// `Mon-Fri 22:00-06:00` (overnight) into open intervals in minutes of the week (Monday 00:00
/// = 0).
pub fn parse_window(s: &str) -> Result<Vec<(u64, u64)>, String> {
    let bad = |why: &str| {
        format!(
            "\"{s}\": {why}; write days and hours like \"Mon-Sat 08:00-20:00\" (days: {})",
            DAYS.join(", ")
        )
    };
    let (days, hours) = s.trim().split_once(' ').ok_or_else(|| bad("no hours"))?;
    let day = |d: &str| {
        DAYS.iter()
            .position(|x| *x == d.trim())
            .ok_or_else(|| bad(&format!("unknown day \"{}\"", d.trim())))
    };
    let (d0, d1) = match days.split_once('-') {
        Some((a, b)) => (day(a)?, day(b)?),
        None => (day(days)?, day(days)?),
    };
    let (h0, h1) = hours
        .trim()
        .split_once('-')
        .ok_or_else(|| bad("hours need a start and an end"))?;
    let (h0, h1) = (
        parse_clock(h0).map_err(|e| bad(&e))?,
        parse_clock(h1).map_err(|e| bad(&e))?,
    );
    if h0 == h1 {
        return Err(bad("the window is empty (start equals end)"));
    }
    let mut out = Vec::new();
    let mut d = d0;
    loop {
        let base = d as u64 * 1440;
        if h1 > h0 {
            out.push((base + h0, base + h1));
        } else {
            // Overnight: to the end of the week wraps to Monday.
            out.push((base + h0, base + 1440));
            let next = (base + 1440) % 10_080;
            out.push((next, next + h1));
        }
        if d == d1 {
            break;
        }
        d = (d + 1) % 7;
    }
    Ok(out)
}

/// When something is open.
#[derive(Clone, Debug)]
pub struct OpeningHours {
    /// Open windows within the week, local milliseconds from Monday 00:00, sorted and merged.
    weekly: Vec<(u64, u64)>,
    /// Local milliseconds of the week at simulation time zero.
    week_phase: u64,
    /// Closures in simulation time, sorted and merged.
    closures: Vec<(u64, u64)>,
}

fn merge(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    v.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

impl OpeningHours {
    /// Builds opening hours.
    /// - `weekly`: open windows in minutes of the local week (from [`parse_window`]); empty
    ///   means open around the clock.
    /// - `start_day`: days since 1970-01-01 of simulation time zero (midnight UTC).
    /// - `offset_min`: local time minus UTC, minutes.
    /// - `closures`: closed intervals in local minutes since 1970-01-01 (holidays as whole
    ///   local days, closure windows as given).
    pub fn new(
        weekly: &[(u64, u64)],
        start_day: i64,
        offset_min: i64,
        closures: &[(i64, i64)],
    ) -> OpeningHours {
        let weekly = if weekly.is_empty() {
            vec![(0, MS_PER_WEEK)]
        } else {
            merge(
                weekly
                    .iter()
                    .map(|&(a, b)| (a * MS_PER_MINUTE, b * MS_PER_MINUTE))
                    .collect(),
            )
        };
        // 1970-01-01 was a Thursday (index 3).
        let local_start_min = start_day * 1440 + offset_min;
        let week_min = (local_start_min + 3 * 1440).rem_euclid(10_080);
        let to_sim = |local_min: i64| -> u64 {
            let ms = (local_min - local_start_min) * MS_PER_MINUTE as i64;
            ms.max(0) as u64
        };
        let closures = merge(
            closures
                .iter()
                .map(|&(a, b)| (to_sim(a), to_sim(b)))
                .filter(|(a, b)| b > a)
                .collect(),
        );
        OpeningHours {
            weekly,
            week_phase: week_min as u64 * MS_PER_MINUTE,
            closures,
        }
    }

    /// Open around the clock except for `closures`, given in simulation time.
    pub fn closed_during(closures: Vec<(SimTime, SimTime)>) -> OpeningHours {
        OpeningHours {
            weekly: vec![(0, MS_PER_WEEK)],
            week_phase: 0,
            closures: merge(
                closures
                    .into_iter()
                    .filter(|(a, b)| b > a)
                    .map(|(a, b)| (a.0, b.0))
                    .collect(),
            ),
        }
    }

    /// Open around the clock, no closures.
    pub fn always() -> OpeningHours {
        OpeningHours::new(&[], 0, 0, &[])
    }

    /// True if open around the clock with no closures.
    pub fn is_always(&self) -> bool {
        self.closures.is_empty() && self.weekly == [(0, MS_PER_WEEK)]
    }

    fn closure_at(&self, t: u64) -> Option<(u64, u64)> {
        let i = self.closures.partition_point(|c| c.1 <= t);
        self.closures.get(i).copied().filter(|c| c.0 <= t)
    }

    /// If the weekly calendar is open at `t`, when that window ends (sim ms); else `Err` with
    /// the start of the next window.
    fn weekly_at(&self, t: u64) -> Result<u64, u64> {
        let w = (t + self.week_phase) % MS_PER_WEEK;
        // Sim time of this local week's Monday 00:00; negative before the first local Monday.
        let base = t as i64 - w as i64;
        let at = |x: u64| (base + x as i64).max(0) as u64;
        for &(a, b) in &self.weekly {
            if w < a {
                return Err(at(a));
            }
            if w < b {
                if b == MS_PER_WEEK && self.weekly[0].0 == 0 {
                    // The window runs into next Monday's first window.
                    if self.weekly[0].1 == MS_PER_WEEK {
                        return Ok(u64::MAX);
                    }
                    return Ok(at(MS_PER_WEEK + self.weekly[0].1));
                }
                return Ok(at(b));
            }
        }
        Err(at(MS_PER_WEEK + self.weekly[0].0))
    }

    /// True if open at `t`.
    pub fn is_open(&self, t: SimTime) -> bool {
        self.closure_at(t.0).is_none() && self.weekly_at(t.0).is_ok()
    }

    /// The first instant at or after `t` when it is open.
    pub fn next_open(&self, t: SimTime) -> SimTime {
        let mut t = t.0;
        // Each step passes a closure or a weekly gap; closures are finite, so this ends.
        loop {
            if let Some((_, end)) = self.closure_at(t) {
                t = end;
                continue;
            }
            match self.weekly_at(t) {
                Ok(_) => return SimTime(t),
                Err(next) => t = next,
            }
        }
    }

    /// The first instant after `t` (open at `t`) when it closes; `u64::MAX` if never.
    fn next_close(&self, t: u64) -> u64 {
        let weekly_end = self.weekly_at(t).unwrap_or(t);
        let i = self.closures.partition_point(|c| c.1 <= t);
        let closure_start = self.closures.get(i).map_or(u64::MAX, |c| c.0);
        weekly_end.min(closure_start)
    }

    /// The first instant after `t`, when open at `t`, when it closes (`u64::MAX` if never).
    pub fn next_close_after(&self, t: SimTime) -> SimTime {
        SimTime(self.next_close(t.0))
    }

    /// How much of `[a, b]` is closed.
    pub fn closed_between(&self, a: SimTime, b: SimTime) -> SimDur {
        let (mut t, b) = (a.0, b.0);
        let mut closed = 0;
        while t < b {
            if self.is_open(SimTime(t)) {
                t = self.next_close(t).min(b);
            } else {
                let o = self.next_open(SimTime(t)).0.min(b);
                closed += o - t;
                t = o;
            }
        }
        SimDur(closed)
    }
}

/// Random closures over `[0, until)`: each day independently, with probability `daily`, a
/// closure starts at a uniformly drawn time of that day and lasts a draw of `duration`. Three
/// draws a day whatever happens, so the stream stays aligned when `daily` changes. All of them
/// at once; [`super::closures::ClosureStream`] draws the same ones as time goes.
pub fn random_closures<R: rand::Rng + ?Sized>(
    until: SimTime,
    daily: f64,
    duration: &super::Dist,
    rng: &mut R,
) -> Vec<(SimTime, SimTime)> {
    super::closures::ClosureStream::new(until, daily, duration.clone(), rng).collect()
}

/// Whole local days as closed intervals in local minutes since 1970-01-01.
pub fn holiday(day: i64) -> (i64, i64) {
    (day * 1440, (day + 1) * 1440)
}

/// Milliseconds per day, re-exported for callers building calendars.
pub const DAY_MS: u64 = MS_PER_DAY;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::MS_PER_HOUR;

    fn h(x: u64) -> SimTime {
        SimTime(x * MS_PER_HOUR)
    }

    #[test]
    fn months_of_days() {
        for (y, m, d) in [
            (2024, 1, 1),
            (2024, 2, 29),
            (2024, 3, 1),
            (2023, 12, 31),
            (1969, 7, 20),
        ] {
            assert_eq!(month_of(days_from_civil(y, m, d)), m, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert_eq!(parse_date("2024-01-01").unwrap(), 19_723);
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2024-1-1").is_err());
        assert_eq!(parse_offset("-03:30").unwrap(), -210);
        assert!(parse_offset("04:00").is_err());
        assert!(parse_clock("24:30").is_err());
    }

    #[test]
    fn weekly_calendar_with_offset_and_holiday() {
        // 2024-01-01 is a Monday. Open Mon-Sat 08:00-20:00 local, UTC+4, closed 2024-01-06 (Sat).
        let start = parse_date("2024-01-01").unwrap();
        let w = parse_window("Mon-Sat 08:00-20:00").unwrap();
        let hol = holiday(parse_date("2024-01-06").unwrap());
        let oh = OpeningHours::new(&w, start, 240, &[hol]);
        // Sim 0 = Mon 04:00 local: closed until 08:00 local = sim 4 h.
        assert!(!oh.is_open(h(0)));
        assert_eq!(oh.next_open(h(0)), h(4));
        assert!(oh.is_open(h(4)));
        // Mon 21:00 local = sim 17 h: next open Tue 08:00 local = sim 28 h.
        assert_eq!(oh.next_open(h(17)), h(28));
        // Fri 21:00 local = sim 4*24+17 h: Saturday is a holiday, Sunday closed -> Mon 08:00.
        assert_eq!(oh.next_open(h(4 * 24 + 17)), h(7 * 24 + 4));
        assert_eq!(
            oh.closed_between(h(4 * 24 + 17), h(7 * 24 + 4)),
            SimDur::hours(7 * 24 + 4 - (4 * 24 + 17))
        );
        // Mon 10:00-22:00 local: 2 h closed (20:00-22:00).
        assert_eq!(oh.closed_between(h(6), h(18)), SimDur::hours(2));
    }

    #[test]
    fn overnight_and_always() {
        let w = parse_window("Sun 22:00-06:00").unwrap();
        assert_eq!(w, vec![(6 * 1440 + 1320, 7 * 1440), (0, 360)]);
        let start = parse_date("2024-01-01").unwrap(); // Monday
        let oh = OpeningHours::new(&w, start, 0, &[]);
        assert!(oh.is_open(h(5)));
        assert!(!oh.is_open(h(6)));
        assert_eq!(oh.next_open(h(6)), h(6 * 24 + 22));
        // Open from Sunday 22:00 through Monday 06:00 without a break.
        assert_eq!(
            oh.closed_between(h(6 * 24 + 22), h(7 * 24 + 6)),
            SimDur::ZERO
        );
        let w = OpeningHours::closed_during(vec![(h(5), h(9)), (h(8), h(12)), (h(20), h(21))]);
        assert_eq!(w.next_open(h(6)), h(12));
        assert_eq!(w.closed_between(h(0), h(24)), SimDur::hours(8));
        let a = OpeningHours::always();
        assert!(a.is_always() && a.is_open(h(12345)));
        assert_eq!(a.closed_between(h(0), h(1000)), SimDur::ZERO);
        assert!(parse_window("Mon-Fri 08:00").is_err());
        assert!(parse_window("Mon-Fry 08:00-10:00").is_err());
    }
}
