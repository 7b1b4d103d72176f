//! Random closures drawn as time goes, not for the whole horizon before the run: memory holds
//! the closures between now and the furthest instant asked about, whatever the horizon.
//!
//! [`ClosureStream`] yields the closures of [`super::hours::random_closures`] one by one: the
//! same windows, in the same order, from the same draws of the same stream. [`Merged`] joins
//! them into disjoint intervals as they come (starts never decrease: day d's closure starts
//! within day d), as [`super::hours::OpeningHours::closed_during`] does for a whole list.
//! [`LazyClosures`] answers "when is it next open" with fixed closures and a stream, keeping
//! only the intervals that have not ended yet.

use std::collections::VecDeque;

use super::dist::{Dist, unit_f64};
use super::hours::OpeningHours;
use super::time::{MS_PER_DAY, SimDur, SimTime};

/// Random closures over `[0, until)`, drawn lazily: each day independently, with probability
/// `daily`, a closure starts at a uniformly drawn time of that day and lasts a draw of
/// `duration`. Three draws a day whatever happens, so the stream stays aligned when `daily`
/// changes.
#[derive(Clone, Debug)]
pub struct ClosureStream<R> {
    rng: R,
    daily: f64,
    duration: Dist,
    /// The next day to draw.
    day: u64,
    /// Days in `[0, until)`.
    days: u64,
    /// Seasonal weather: a probability per calendar month (January first) replacing `daily`,
    /// and the day (since 1970-01-01) of time zero.
    monthly: Option<Box<([f64; 12], i64)>>,
}

impl<R: rand::Rng> ClosureStream<R> {
    /// The closures of `[0, until)` drawn from `rng`.
    pub fn new(until: SimTime, daily: f64, duration: Dist, rng: R) -> ClosureStream<R> {
        ClosureStream {
            rng,
            daily,
            duration,
            day: 0,
            days: until.0.div_ceil(MS_PER_DAY),
            monthly: None,
        }
    }

    /// The same stream with a probability per calendar month instead of `daily`, time zero
    /// being day `start_day` since 1970-01-01: each day takes its month's. The draws are the
    /// same (three a day), so a change of probabilities keeps the stream aligned.
    pub fn with_months(mut self, months: [f64; 12], start_day: i64) -> Self {
        self.monthly = Some(Box::new((months, start_day)));
        self
    }

    /// The first day not drawn yet: every closure starting before that day has been yielded.
    pub fn next_day(&self) -> u64 {
        self.day
    }
}

impl<R: rand::Rng> Iterator for ClosureStream<R> {
    type Item = (SimTime, SimTime);

    fn next(&mut self) -> Option<(SimTime, SimTime)> {
        while self.day < self.days {
            let d = self.day;
            self.day += 1;
            let u = unit_f64(&mut self.rng);
            let at = unit_f64(&mut self.rng);
            let len = self.duration.sample(&mut self.rng);
            let p = match &self.monthly {
                None => self.daily,
                Some(m) => m.0[super::hours::month_of(m.1 + d as i64) as usize - 1],
            };
            if u < p {
                let start = SimTime(d * MS_PER_DAY) + SimDur::from_secs_f64(at * 86_400.0);
                return Some((start, start + len));
            }
        }
        None
    }
}

/// Closures whose starts never decrease, joined into disjoint, sorted intervals as they come:
/// empty closures are dropped, and a closure that starts at or before the end of the interval
/// before it extends that interval.
#[derive(Clone, Debug)]
pub struct Merged<I> {
    closures: I,
    /// The next closure, already drawn, not part of an interval yielded yet.
    ahead: Option<(SimTime, SimTime)>,
}

impl<I: Iterator<Item = (SimTime, SimTime)>> Merged<I> {
    /// Merges `closures` (starts never decreasing).
    pub fn new(closures: I) -> Merged<I> {
        Merged {
            closures,
            ahead: None,
        }
    }
}

impl<I: Iterator<Item = (SimTime, SimTime)>> Iterator for Merged<I> {
    type Item = (SimTime, SimTime);

    fn next(&mut self) -> Option<(SimTime, SimTime)> {
        let mut cur = match self.ahead.take() {
            Some(c) => c,
            None => self.closures.find(|(a, b)| b > a)?,
        };
        for (a, b) in self.closures.by_ref() {
            if b <= a {
                continue;
            }
            debug_assert!(a >= cur.0, "closure starts must not decrease");
            if a <= cur.1 {
                cur.1 = cur.1.max(b);
            } else {
                self.ahead = Some((a, b));
                break;
            }
        }
        Some(cur)
    }
}

/// How much of `[a, b)` the interval `[s, e)` covers.
pub fn overlap((s, e): (SimTime, SimTime), a: SimTime, b: SimTime) -> SimDur {
    SimDur(e.0.min(b.0).saturating_sub(s.0.max(a.0)))
}

/// When something is open: fixed closures plus random ones drawn as time goes. Answers
/// [`LazyClosures::next_open`] exactly as [`OpeningHours::closed_during`] of all of them
/// would, holding only the random closures that end after the current time.
#[derive(Clone, Debug)]
pub struct LazyClosures<R> {
    fixed: OpeningHours,
    random: Option<ClosureStream<R>>,
    /// Drawn random closures, merged, sorted, ending after the last `now` given.
    drawn: VecDeque<(SimTime, SimTime)>,
}

impl<R: rand::Rng> LazyClosures<R> {
    /// `fixed` closures (given in full) and a `random` stream of more.
    pub fn new(fixed: Vec<(SimTime, SimTime)>, random: Option<ClosureStream<R>>) -> Self {
        LazyClosures {
            fixed: OpeningHours::closed_during(fixed),
            random,
            drawn: VecDeque::new(),
        }
    }

    /// Random closures held now (for tests of the memory bound).
    pub fn held(&self) -> usize {
        self.drawn.len()
    }

    /// The first instant at or after `t` when it is open, `now` (at most `t`) being the
    /// current time, which never decreases from call to call: closures that ended by `now`
    /// are forgotten.
    pub fn next_open(&mut self, now: SimTime, t: SimTime) -> SimTime {
        debug_assert!(now <= t);
        while self.drawn.front().is_some_and(|c| c.1 <= now) {
            self.drawn.pop_front();
        }
        let mut t = t;
        loop {
            t = self.fixed.next_open(t);
            self.draw_until(t);
            // Intervals are disjoint and sorted: at most one contains t.
            let i = self.drawn.partition_point(|c| c.1 <= t);
            match self.drawn.get(i) {
                Some(&(a, b)) if a <= t => t = b,
                _ => return t,
            }
        }
    }

    /// Draws until every random closure starting at or before `t` is held.
    fn draw_until(&mut self, t: SimTime) {
        let Some(stream) = &mut self.random else {
            return;
        };
        while stream.next_day() <= t.0 / MS_PER_DAY {
            let Some((a, b)) = stream.next() else { break };
            if b <= a {
                continue;
            }
            match self.drawn.back_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => self.drawn.push_back((a, b)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::hours::random_closures;
    use crate::engine::random::stream;
    use crate::engine::time::MS_PER_HOUR;

    fn h(x: u64) -> SimTime {
        SimTime(x * MS_PER_HOUR)
    }

    /// Probability 1 in February, 0 otherwise, from 2024-01-01 over 90 days: one closure on
    /// each of February's 29 days (days 31 to 59), and the same draws as a daily stream (the
    /// closures of a daily probability of 1 on those days).
    #[test]
    fn monthly_probabilities_apply_day_by_day() {
        let start = crate::engine::hours::days_from_civil(2024, 1, 1);
        let mut months = [0.0; 12];
        months[1] = 1.0;
        let d = Dist::fixed(3600.0).unwrap();
        let until = SimTime(90 * MS_PER_DAY);
        let got: Vec<_> = ClosureStream::new(until, 0.0, d.clone(), stream(1, 0, "w"))
            .with_months(months, start)
            .collect();
        let all: Vec<_> = ClosureStream::new(until, 1.0, d, stream(1, 0, "w")).collect();
        assert_eq!(got.len(), 29);
        assert_eq!(got.as_slice(), &all[31..60]);
    }

    #[test]
    fn the_stream_draws_what_the_whole_horizon_draws() {
        let until = SimTime(400 * MS_PER_DAY + 5);
        let d = Dist::gamma(30.0 * 3600.0, 0.8).unwrap();
        let all = random_closures(until, 0.3, &d, &mut stream(1, 2, "w"));
        let lazy: Vec<_> = ClosureStream::new(until, 0.3, d, stream(1, 2, "w")).collect();
        assert_eq!(all, lazy);
        assert!(all.len() > 100);
    }

    #[test]
    fn merged_and_lazy_answers_equal_the_eager_ones() {
        let until = SimTime(300 * MS_PER_DAY);
        // Long closures, often overlapping the next day's, and dated closures beside them.
        let d = Dist::gamma(20.0 * 3600.0, 1.0).unwrap();
        let fixed = vec![(h(50), h(70)), (h(1000), h(1001)), (h(2000), h(2000))];
        let mut all = random_closures(until, 0.6, &d, &mut stream(3, 0, "w"));
        let merged: Vec<_> = Merged::new(all.iter().copied()).collect();
        all.extend(fixed.iter().copied());
        let eager = OpeningHours::closed_during(all.clone());
        let only_random = OpeningHours::closed_during(all[..all.len() - 3].to_vec());
        for (a, b) in [(h(0), h(7200)), (h(13), h(1313)), (h(500), h(501))] {
            let covered = merged.iter().map(|&m| overlap(m, a, b).0).sum::<u64>();
            assert_eq!(SimDur(covered), only_random.closed_between(a, b));
        }
        let mut lazy = LazyClosures::new(
            fixed,
            Some(ClosureStream::new(until, 0.6, d, stream(3, 0, "w"))),
        );
        let mut most = 0;
        for k in 0..7300 {
            let now = SimTime(k * MS_PER_HOUR + 17);
            for ahead in [0, 5 * MS_PER_HOUR, 3 * MS_PER_DAY] {
                let t = SimTime(now.0 + ahead);
                assert_eq!(lazy.next_open(now, t), eager.next_open(t), "{t:?}");
            }
            most = most.max(lazy.held());
        }
        // Held: the closures of the next few days, not of the whole horizon.
        assert!(most <= 8, "{most}");
        assert!(merged.len() > 50);
    }
}
