//! Copies of the tandem (`generate.rs`, [`TandemCopies`]): 100 and 1,000 independent copies of
//! the 5-station exponential tandem in one scenario, about 1e3 and 1e4 consignments in flight,
//! each run by corridor and by a bare binary-heap loop of the same network: the loop of
//! `tandem.rs` generalised to any number of copies. Before the measurements each workload
//! checks that the generalised loop with one copy is the loop of `tandem.rs` (the same streams,
//! so the same events) and prints the ratio of one corridor run to one bare run, as the scale
//! groups do; benches/README.md records it beside criterion's figures.

use std::collections::VecDeque;
use std::path::Path;

use criterion::Criterion;
use rand::distr::Distribution;
use rand_distr::Exp;

use corridor::engine::random::stream;
use corridor::scenario::{self, Model};

use crate::generate::{TANDEM_ARRIVAL_MIN, TANDEM_SERVICE_MIN, TandemCopies};
use crate::scale::run_corridor;
use crate::scale::{BareHeap, corridor_and_bare, group, timed};
use crate::tandem;

/// Copies of each workload: about ten consignments in flight per copy.
pub(crate) const WORKLOADS: [usize; 2] = [100, 1_000];

/// The generated scenario, validated.
pub(crate) fn model(t: &TandemCopies) -> Model {
    let name = format!("tandem-{}-copies.toml", t.copies);
    scenario::parse(Path::new(&name), &t.toml()).expect("the generated copies are valid")
}

/// `copies` copies of the tandem as a bare loop: a binary heap of (time, sequence, event), a
/// FIFO queue and one server per station, one random stream per copy's arrivals and per
/// station, no ECS, no statistics. Copy 0's streams are those of `tandem::run_bare`, so with
/// one copy this loop makes the same events as that one. Returns the events processed
/// (creations, arrivals and service ends, as corridor counts them).
pub(crate) fn run_bare(copies: usize, horizon_ms: u64) -> u64 {
    /// Events carry the consignment and, but for a creation, the station (`5 copy + k`).
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Ev {
        Created(u32),
        Arrive(u32, u32),
        Done(u32, u32),
    }
    const K: usize = TANDEM_SERVICE_MIN.len();
    let ms = |min: u64| (min * 60_000) as f64;
    let svc: Vec<Exp<f64>> = TANDEM_SERVICE_MIN
        .iter()
        .map(|&m| Exp::new(1.0 / ms(m)).expect("positive rate"))
        .collect();
    let arr = Exp::new(1.0 / ms(TANDEM_ARRIVAL_MIN)).expect("positive rate");
    let mut rng_a: Vec<_> = (0..copies)
        .map(|c| match c {
            0 => stream(1, 0, "bare:arrivals"),
            _ => stream(1, 0, &format!("bare:{c}:arrivals")),
        })
        .collect();
    let mut rngs: Vec<_> = (0..copies * K)
        .map(|n| match n / K {
            0 => stream(1, 0, &format!("bare:{n}")),
            c => stream(1, 0, &format!("bare:{c}:{}", n % K)),
        })
        .collect();
    let mut cal = BareHeap::new();
    let mut busy = vec![false; copies * K];
    let mut queues: Vec<VecDeque<u32>> = vec![VecDeque::new(); copies * K];
    let mut next_id = 0u32;
    let mut events = 0u64;
    for (c, rng) in rng_a.iter_mut().enumerate() {
        cal.push(arr.sample(rng) as u64, Ev::Created(c as u32));
    }
    while let Some((t, ev)) = cal.pop_until(horizon_ms) {
        events += 1;
        match ev {
            Ev::Created(c) => {
                let gap = arr.sample(&mut rng_a[c as usize]) as u64;
                cal.push(t + gap, Ev::Created(c));
                cal.push(t, Ev::Arrive(next_id, c * K as u32));
                next_id = next_id.wrapping_add(1);
            }
            Ev::Arrive(id, n) => {
                let ni = n as usize;
                if busy[ni] {
                    queues[ni].push_back(id);
                } else {
                    busy[ni] = true;
                    let s = svc[ni % K].sample(&mut rngs[ni]) as u64;
                    cal.push(t + s, Ev::Done(id, n));
                }
            }
            Ev::Done(id, n) => {
                let ni = n as usize;
                if let Some(next) = queues[ni].pop_front() {
                    let s = svc[ni % K].sample(&mut rngs[ni]) as u64;
                    cal.push(t + s, Ev::Done(next, n));
                } else {
                    busy[ni] = false;
                }
                if ni % K + 1 < K {
                    cal.push(t, Ev::Arrive(id, n + 1));
                }
            }
        }
    }
    events
}

pub(crate) fn bench(c: &mut Criterion) {
    // The generalised loop with one copy is tandem.rs' loop: the same events, one by one, so
    // the same count (on 100 days, about 26,000 events).
    let short = 100 * 86_400_000;
    assert_eq!(
        run_bare(1, short),
        tandem::run_bare(short),
        "the bare loop of one copy is the tandem's"
    );
    for copies in WORKLOADS {
        let t = TandemCopies::new(copies);
        let m = model(&t);
        assert_eq!(
            (m.nodes.len(), m.flows.len()),
            (5 * copies, copies),
            "five stations and one flow a copy"
        );
        let horizon = m.horizon.ms();
        let (events, tc) = timed(|| run_corridor(&m));
        let (bare_events, tb) = timed(|| run_bare(copies, horizon));
        let per_event =
            (tc.as_secs_f64() / events as f64) / (tb.as_secs_f64() / bare_events as f64);
        eprintln!(
            "tandem {copies} copies, about {:.0} in flight: corridor {events} events in {tc:.2?}, bare loop {bare_events} in {tb:.2?}; corridor / bare {:.2} (time per event {per_event:.2}; events/s {:.2} of the bare loop's)",
            t.in_flight(),
            tc.as_secs_f64() / tb.as_secs_f64(),
            1.0 / per_event
        );
        let g = group(c, format!("tandem_{copies}_copies"), 5);
        corridor_and_bare(
            g,
            (events, || run_corridor(&m)),
            (bare_events, || run_bare(copies, horizon)),
        );
    }
}
