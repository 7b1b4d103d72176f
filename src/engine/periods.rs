//! Calendar periods: a window of simulation time cut at the starts of calendar years, quarters
//! or months.
//!
//! Simulation time zero is midnight UTC at the start of a calendar date (the scenario's start
//! date, as in [`super::hours`]). [`cut`] gives the periods of a window `[from, to]` in order:
//! the first starts at `from` and the last ends at `to`, so either may be shorter than its
//! calendar period (a partial period); every other one is a whole calendar year, quarter or
//! month. Each is labelled by the calendar period it lies in: `2026`, `2026-Q1`, `2026-01`.

use super::hours::{civil_from_days, days_from_civil};
use super::time::{MS_PER_DAY, SimTime};

/// How a window is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodKind {
    /// Calendar years, labelled `2026`.
    Year,
    /// Calendar quarters (January, April, July, October), labelled `2026-Q1`.
    Quarter,
    /// Calendar months, labelled `2026-01`.
    Month,
}

impl PeriodKind {
    /// The words a scenario file uses, in the order of [`PeriodKind::parse`].
    pub const WORDS: [&'static str; 3] = ["year", "quarter", "month"];

    /// The kind named `word` (`year`, `quarter` or `month`).
    pub fn parse(word: &str) -> Option<PeriodKind> {
        match word {
            "year" => Some(PeriodKind::Year),
            "quarter" => Some(PeriodKind::Quarter),
            "month" => Some(PeriodKind::Month),
            _ => None,
        }
    }

    /// Months per period.
    fn months(self) -> u32 {
        match self {
            PeriodKind::Year => 12,
            PeriodKind::Quarter => 3,
            PeriodKind::Month => 1,
        }
    }

    /// The label of the period that starts in month `m` (1 to 12) of year `y`.
    fn label(self, y: i64, m: u32) -> String {
        match self {
            PeriodKind::Year => format!("{y}"),
            PeriodKind::Quarter => format!("{y}-Q{}", (m - 1) / 3 + 1),
            PeriodKind::Month => format!("{y}-{m:02}"),
        }
    }
}

/// One period of a window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// Its start (the window's start for the first).
    pub start: SimTime,
    /// Its end (the window's end for the last); the next period starts here.
    pub end: SimTime,
    /// `2026`, `2026-Q1` or `2026-01`.
    pub label: String,
}

/// The periods of kind `kind` of the window `[from, to]`, where time zero is midnight UTC at
/// the start of day `start_day` (days since 1970-01-01); empty if the window is.
pub fn cut(kind: PeriodKind, start_day: i64, from: SimTime, to: SimTime) -> Vec<Period> {
    let mut out = Vec::new();
    if to <= from {
        return out;
    }
    let step = kind.months();
    let day = start_day + (from.0 / MS_PER_DAY) as i64;
    let (mut y, m, _) = civil_from_days(day);
    // The first month of the calendar period holding `from`.
    let mut m = (m - 1) / step * step + 1;
    let mut start = from;
    while start < to {
        let (ny, nm) = if m + step > 12 {
            (y + 1, m + step - 12)
        } else {
            (y, m + step)
        };
        let next_day = days_from_civil(ny, nm, 1) - start_day;
        // Days before time zero cannot be a period's end: the first period holds `from`.
        let next = SimTime((next_day.max(0) as u64).saturating_mul(MS_PER_DAY));
        let end = next.min(to);
        out.push(Period {
            start,
            end,
            label: kind.label(y, m),
        });
        (y, m, start) = (ny, nm, end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i64, m: u32, d: u32, start_day: i64) -> SimTime {
        SimTime((days_from_civil(y, m, d) - start_day) as u64 * MS_PER_DAY)
    }

    #[test]
    fn years_quarters_and_months_with_partial_ends() {
        let s = days_from_civil(2024, 1, 1);
        // 2024-03-15 to 2026-02-01: a partial first and last year.
        let (from, to) = (day(2024, 3, 15, s), day(2026, 2, 1, s));
        let years = cut(PeriodKind::Year, s, from, to);
        let labels: Vec<&str> = years.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2024", "2025", "2026"]);
        assert_eq!(years[0].start, from);
        assert_eq!(years[0].end, day(2025, 1, 1, s));
        assert_eq!(years[1].end, day(2026, 1, 1, s));
        assert_eq!(years[2].end, to);
        let quarters = cut(PeriodKind::Quarter, s, from, to);
        let labels: Vec<&str> = quarters.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3",
                "2025-Q4", "2026-Q1"
            ]
        );
        assert_eq!(quarters[1].start, day(2024, 4, 1, s));
        let months = cut(PeriodKind::Month, s, from, to);
        assert_eq!(months.len(), 23);
        assert_eq!(months[0].label, "2024-03");
        assert_eq!(months[0].end, day(2024, 4, 1, s));
        assert_eq!(months[22].label, "2026-01");
        // February 2025: 28 days.
        let feb = &months[11];
        assert_eq!(feb.label, "2025-02");
        assert_eq!(feb.end.0 - feb.start.0, 28 * MS_PER_DAY);
        // The periods tile the window.
        for w in months.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        assert!(cut(PeriodKind::Year, s, to, to).is_empty());
    }

    #[test]
    fn a_start_inside_a_year_and_a_window_inside_a_month() {
        let s = days_from_civil(2023, 11, 20);
        let months = cut(PeriodKind::Month, s, SimTime::ZERO, day(2023, 11, 25, s));
        assert_eq!(months.len(), 1);
        assert_eq!(months[0].label, "2023-11");
        let years = cut(PeriodKind::Year, s, SimTime::ZERO, day(2024, 6, 1, s));
        assert_eq!(years[0].end, day(2024, 1, 1, s));
        assert_eq!(years[1].label, "2024");
    }
}
