//! Route choice: a flow with alternative routes (`[[flows.routes]]`) chooses one for each
//! consignment, once, when it is created, by fixed shares, the least expected generalised cost
//! or a multinomial logit over those costs; the expected transit of each route is learned from
//! the flow's deliveries on it (an exponential average over time with the flow's `memory`; a
//! delivery informs the choices made after it, so choices lag one transit behind the
//! congestion they respond to).
//!
//! Only flows with alternatives have a [`Chooser`]; a flow with one route never comes here
//! (its consignments keep route 0, and the per-event path reads the route through
//! `FlowModel::path` with a branch that is always taken the same way).

use super::Replication;
use super::catalogue::route as metric;
use super::rows::{Sink, Window};
use crate::engine::dist::unit_f64;
use crate::engine::random::stream;
use crate::engine::stats::{Quantiles, Tally, TimeWeighted};
use crate::engine::time::MS_PER_DAY;
use crate::engine::{SimDur, SimTime, Stream};
use crate::scenario::model::{ChoiceRule, FlowModel, Model, RouteModel};

/// Per route of a flow: what its consignments did.
#[derive(Clone, Debug, Default)]
pub(super) struct RouteStats {
    /// Consignments created at or after the warm-up that took it.
    chosen: u64,
    /// Of those, sent here because the route chosen first was full for the day.
    redirected: u64,
    /// Consignments created at or after the warm-up delivered on it.
    delivered: u64,
    /// Their transit times.
    transit: Tally,
    /// Their quantiles.
    transit_q: Quantiles,
    /// With costs: charges (USD) and emissions (kg CO2e) of the counted deliveries, and their
    /// TEU.
    paid: (f64, f64),
    /// TEU of the counted deliveries.
    teu: u64,
    /// Consignments on the route, over time (a level in the time bins).
    pub(super) wip: TimeWeighted,
    /// Consignments created in each calendar period that took it.
    per_period: Vec<u64>,
}

/// The choice state of one flow with alternative routes.
#[derive(Clone, Debug)]
pub(super) struct Chooser {
    /// `flow:<id>:route`: one uniform draw per consignment for `shares` and `logit`.
    rng: Stream,
    /// Each route's fixed share now (`shares`: the file's, until a dated change sets others).
    shares: Vec<f64>,
    /// Each route's charges per TEU (fixed for the run).
    charges: Vec<f64>,
    /// Each route's expected transit, hours: its prior, then smoothed deliveries.
    expected: Vec<f64>,
    /// When each route's estimate last learned (time zero for the prior).
    learned: Vec<SimTime>,
    /// The day (since time zero) `used` counts.
    day: u64,
    /// TEU each route took on `day`.
    used: Vec<f64>,
    /// Generalised costs of the choice being made (scratch, one per route).
    cost: Vec<f64>,
    /// Per route.
    pub(super) stats: Vec<RouteStats>,
    /// Starts of the calendar periods (empty without `scenario.periods`).
    period_starts: Vec<SimTime>,
}

/// The choosers of replication `rep` of `model`, one per flow (`None` for a flow with one
/// route).
pub(super) fn choosers(model: &Model, rep: u32) -> Vec<Option<Box<Chooser>>> {
    let periods = model.periods();
    model
        .flows
        .iter()
        .map(|f| {
            let c = f.choice.as_deref()?;
            let n = c.routes.len();
            let stats = RouteStats {
                per_period: vec![0; periods.len()],
                ..Default::default()
            };
            Some(Box::new(Chooser {
                rng: stream(model.seed, rep, &format!("flow:{}:route", f.id)),
                shares: c.routes.iter().map(|r| r.share).collect(),
                charges: c.routes.iter().map(|r| r.charges_per_teu).collect(),
                expected: c.routes.iter().map(|r| r.prior_hours).collect(),
                learned: vec![SimTime::ZERO; n],
                day: 0,
                used: vec![0.0; n],
                cost: vec![0.0; n],
                stats: vec![stats; n],
                period_starts: periods.iter().map(|p| p.start).collect(),
            }))
        })
        .collect()
}

/// The route of a consignment of flow `f` created now (`counted` if at or after the warm-up).
#[cold]
#[inline(never)]
pub(super) fn choose(r: &mut Replication, f: u32, counted: bool) -> u16 {
    let now = r.cal.now();
    let fm = &r.model.flows[f as usize];
    let c = fm.choice.as_deref().expect("a flow with routes");
    let ch = r.choosers[f as usize]
        .as_deref_mut()
        .expect("a chooser per flow with routes");
    let open = |k: usize| c.routes[k].opens <= now;
    for (k, cost) in ch.cost.iter_mut().enumerate() {
        *cost = ch.charges[k] + fm.value_of_time * ch.expected[k];
    }
    let cheapest = |ch: &Chooser, ok: &dyn Fn(usize) -> bool| {
        (0..c.routes.len())
            .filter(|&k| ok(k))
            .min_by(|&a, &b| ch.cost[a].total_cmp(&ch.cost[b]))
    };
    let first = cheapest(ch, &open).unwrap_or(0);
    let mut k = match c.rule {
        ChoiceRule::Cheapest => first,
        ChoiceRule::Shares => {
            let total: f64 = (0..c.routes.len())
                .filter(|&k| open(k))
                .map(|k| ch.shares[k])
                .sum();
            let u = unit_f64(&mut ch.rng) * total;
            let shares = &ch.shares;
            pick(u, (0..c.routes.len()).map(|k| open(k).then_some(shares[k]))).unwrap_or(first)
        }
        ChoiceRule::Logit { scale } => {
            // Relative to the least cost, so that exp never overflows.
            let least = ch.cost[first];
            let w = |k: usize| open(k).then(|| (-scale * (ch.cost[k] - least)).exp());
            let total: f64 = (0..c.routes.len()).filter_map(w).sum();
            let u = unit_f64(&mut ch.rng) * total;
            pick(u, (0..c.routes.len()).map(w)).unwrap_or(first)
        }
    };
    let teu = fm.teu as f64;
    let mut redirected = false;
    if c.routes.iter().any(|r| r.capacity_teu_per_day.is_some()) {
        let day = now.0 / MS_PER_DAY;
        if day != ch.day {
            ch.day = day;
            ch.used.iter_mut().for_each(|u| *u = 0.0);
        }
        let room = |ch: &Chooser, k: usize| {
            c.routes[k]
                .capacity_teu_per_day
                .is_none_or(|cap| ch.used[k] + teu <= cap)
        };
        if !room(ch, k) {
            let next = cheapest(ch, &|j| open(j) && room(ch, j));
            if let Some(j) = next {
                k = j;
                redirected = true;
            }
        }
        ch.used[k] += teu;
    }
    let s = &mut ch.stats[k];
    let wip = s.wip.level() + 1;
    s.wip.set(now, wip);
    if counted {
        s.chosen += 1;
        s.redirected += redirected as u64;
        let period = ch.period_starts.partition_point(|&t| t <= now);
        if period > 0 {
            s.per_period[period - 1] += 1;
        }
    }
    k as u16
}

/// The index whose weight's interval holds `u` (weights `None` are skipped); `None` if `u` is
/// past them all (rounding).
fn pick(mut u: f64, weights: impl Iterator<Item = Option<f64>>) -> Option<usize> {
    let mut last = None;
    for (k, w) in weights.enumerate() {
        let Some(w) = w else { continue };
        if w > 0.0 {
            last = Some(k);
        }
        if u < w {
            return Some(k);
        }
        u -= w;
    }
    last
}

/// A consignment of flow `f` on route `k`, created at `created`, is delivered now: the route's
/// expected transit learns from it, and its statistics count it if `counted`.
#[cold]
#[inline(never)]
/// `paid`: with costs, the consignment's charges (USD) and emissions (kg CO2e).
pub(super) fn delivered(
    r: &mut Replication,
    f: u32,
    k: u16,
    transit: SimDur,
    counted: bool,
    paid: Option<(f64, f64)>,
) {
    let teu = r.model.flows[f as usize].teu as u64;
    let now = r.cal.now();
    let c = r.model.flows[f as usize]
        .choice
        .as_deref()
        .expect("a flow with routes");
    let ch = r.choosers[f as usize]
        .as_deref_mut()
        .expect("a chooser per flow with routes");
    let k = k as usize;
    let hours = transit.as_hours_f64();
    // An exponential average over time: the older the estimate, the more a delivery counts
    // (a route nobody took for a long time is learned afresh by its next delivery).
    let dt = (now - ch.learned[k]).ms() as f64 / c.memory.ms() as f64;
    ch.learned[k] = now;
    ch.expected[k] += -(-dt).exp_m1() * (hours - ch.expected[k]);
    let s = &mut ch.stats[k];
    let wip = s.wip.level() - 1;
    s.wip.set(now, wip);
    if counted {
        s.delivered += 1;
        s.transit.record(transit);
        s.transit_q.record(transit);
        if let Some((usd, kg)) = paid {
            s.paid.0 += usd;
            s.paid.1 += kg;
            s.teu += teu;
        }
    }
}

/// The level of flow `f`'s consignments on its route `k`.
pub(super) fn wip<'a>(r: &'a Replication, f: usize, k: usize) -> &'a TimeWeighted {
    let ch = r.choosers[f]
        .as_deref()
        .expect("a chooser per flow with routes");
    &ch.stats[k].wip
}

/// A dated change sets the shares of flow `f`'s routes, for consignments created from now on.
pub(super) fn set_shares(r: &mut Replication, f: usize, shares: &[f64]) {
    if let Some(ch) = r.choosers[f].as_deref_mut() {
        ch.shares.copy_from_slice(shares);
    }
}

/// Restarts the time-weighted levels at the end of the warm-up.
pub(super) fn reset(r: &mut Replication, now: SimTime) {
    for ch in r.choosers.iter_mut().flatten() {
        for s in &mut ch.stats {
            s.wip.reset(now);
        }
    }
}

/// The id of route `r` of flow `f` in the outputs: `FLOW/ROUTE`.
pub(super) fn route_id(f: &FlowModel, r: &RouteModel) -> String {
    format!("{}/{}", f.id, r.id)
}

/// The rows of every route of every flow with alternatives.
pub(super) fn rows(r: &Replication, w: &Window, sink: &mut Sink) {
    let m = r.model;
    for (f, ch) in m.flows.iter().zip(&r.choosers) {
        let (Some(c), Some(ch)) = (f.choice.as_deref(), ch.as_deref()) else {
            continue;
        };
        let all: u64 = ch.stats.iter().map(|s| s.chosen).sum();
        for (k, (rm, s)) in c.routes.iter().zip(&ch.stats).enumerate() {
            let id = route_id(f, rm);
            let share = if all > 0 {
                s.chosen as f64 / all as f64
            } else {
                f64::NAN
            };
            sink.put(&id, &metric::SHARE, share);
            sink.put(&id, &metric::CHOSEN, s.chosen as f64);
            sink.put(&id, &metric::REDIRECTED, s.redirected as f64);
            sink.put(&id, &metric::DELIVERED_CONSIGNMENTS, s.delivered as f64);
            sink.put(&id, &metric::TRANSIT_MEAN, s.transit.mean_hours());
            sink.put(&id, &metric::TRANSIT_P50, s.transit_q.quantile_hours(0.50));
            sink.put(&id, &metric::TRANSIT_P95, s.transit_q.quantile_hours(0.95));
            sink.put(&id, &metric::PRIOR, rm.prior_hours);
            sink.put(&id, &metric::EXPECTED_END, ch.expected[k]);
            sink.put(&id, &metric::WIP_MEAN, s.wip.mean(w.end));
            if m.costs.is_some() {
                let per_teu = |x: f64| {
                    if s.teu > 0 {
                        x / s.teu as f64
                    } else {
                        f64::NAN
                    }
                };
                let charges = per_teu(s.paid.0);
                let generalised = charges + f.value_of_time * s.transit.mean_hours();
                sink.put(&id, &metric::CHARGES, charges);
                sink.put(&id, &metric::GENERALISED, generalised);
                sink.put(&id, &metric::CO2E, per_teu(s.paid.1));
            }
        }
    }
}

/// The rows of calendar period `k` of every route: its share of the consignments of its flow
/// created in the period, and their count.
pub(super) fn period_rows(r: &Replication, k: usize, sink: &mut Sink) {
    for (f, ch) in r.model.flows.iter().zip(&r.choosers) {
        let (Some(c), Some(ch)) = (f.choice.as_deref(), ch.as_deref()) else {
            continue;
        };
        let all: u64 = ch.stats.iter().map(|s| s.per_period[k]).sum();
        for (rm, s) in c.routes.iter().zip(&ch.stats) {
            let n = s.per_period[k];
            let share = if all > 0 {
                n as f64 / all as f64
            } else {
                f64::NAN
            };
            sink.put(&route_id(f, rm), &metric::SHARE, share);
            sink.put(&route_id(f, rm), &metric::CHOSEN, n as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn pick_finds_the_interval_of_u_and_skips_closed_routes() {
        let w = || [Some(0.2), None, Some(0.0), Some(0.8)].into_iter();
        assert_eq!(pick(0.0, w()), Some(0));
        assert_eq!(pick(0.19, w()), Some(0));
        assert_eq!(pick(0.2, w()), Some(3));
        assert_eq!(pick(0.99, w()), Some(3));
        // Past the total by rounding: the last route with a weight, never a closed one.
        assert_eq!(pick(1.0 + 1e-12, w()), Some(3));
        assert_eq!(pick(0.5, [None, Some(0.0)].into_iter()), None);
    }
}
