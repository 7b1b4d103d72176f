//! Large corridors (`generate.rs`): 100, 1,000 and 10,000 stations with about 1e3, 1e4 and
//! 1e5 consignments in flight, each run by corridor and by a bare binary-heap loop of the
//! same network, the loop of `tandem.rs` generalised to any routes and links. Before the
//! measurements each workload prints the ratio of one corridor run to one bare run (wall time,
//! world building included); benches/README.md records it beside criterion's figures.
//!
//! [`bench_million`] is the same at 100,000 stations, about 1e6 in flight: minutes a run and
//! several GB, so it runs only when asked ([`MILLION_VAR`]).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use rand::distr::Distribution;
use rand_distr::Exp;

use corridor::engine::random::stream;
use corridor::scenario::{self, Model};
use corridor::sim::Replication;

use crate::generate::{ARRIVAL_MIN, LINK_MIN, Network, SERVICE_MIN};

/// Stations of each workload: about ten consignments in flight per station.
pub(crate) const WORKLOADS: [usize; 3] = [100, 1_000, 10_000];

/// Stations of the opt-in workload: about 1e6 consignments in flight.
pub(crate) const MILLION: usize = 100_000;
/// The environment variable that turns the workload of 1e6 in flight on: `1` for the ratio of
/// one run each and the criterion group, `once` for that ratio alone.
pub(crate) const MILLION_VAR: &str = "CORRIDOR_BENCH_1E6";

/// The generated scenario, validated.
pub(crate) fn model(net: &Network) -> Model {
    let name = format!("ring-{}.toml", net.nodes);
    scenario::parse(Path::new(&name), &net.toml()).expect("the generated corridor is valid")
}

/// corridor: builds the world and runs it; returns the events processed.
pub(crate) fn run_corridor(m: &Model) -> u64 {
    let mut r = Replication::new(m, 0);
    r.run().expect("the generated corridor never stalls");
    r.counters.events
}

/// The bare loops' calendar: a binary heap of (time, sequence, event), so that events at equal
/// times come out in the order they were pushed, as in corridor's calendar.
pub(crate) struct BareHeap<E: Ord> {
    heap: BinaryHeap<Reverse<(u64, u64, E)>>,
    seq: u64,
}

impl<E: Ord> BareHeap<E> {
    /// An empty heap.
    pub(crate) fn new() -> Self {
        BareHeap {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    /// Schedules `e` at `at` (ms).
    #[inline]
    pub(crate) fn push(&mut self, at: u64, e: E) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, e)));
    }

    /// The next event and its time, unless there is none up to `horizon` (ms).
    #[inline]
    pub(crate) fn pop_until(&mut self, horizon: u64) -> Option<(u64, E)> {
        let Reverse((t, _, e)) = self.heap.pop()?;
        (t <= horizon).then_some((t, e))
    }
}

/// The same network as a bare loop: a binary heap of (time, sequence, event), a FIFO queue and
/// one server per station, links as pure delays, one random stream per flow, station and link
/// as corridor has; no ECS, no statistics. Returns the events processed (creations, arrivals
/// and service ends, as corridor counts them).
pub(crate) fn run_bare(net: &Network, horizon_ms: u64) -> u64 {
    /// A consignment is its flow and the position on its route.
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Ev {
        Created(u32),
        Arrive(u32, u8),
        Done(u32, u8),
    }
    let ms = |min: u64| (min * 60_000) as f64;
    let arr = Exp::new(1.0 / ms(ARRIVAL_MIN)).expect("positive rate");
    let svc = Exp::new(1.0 / ms(SERVICE_MIN)).expect("positive rate");
    let link = Exp::new(1.0 / ms(LINK_MIN)).expect("positive rate");
    // The link of each route step, found once (the generated links are n -> n + 1).
    let mut link_of = vec![usize::MAX; net.nodes];
    for (i, &(a, _)) in net.links.iter().enumerate() {
        link_of[a] = i;
    }
    let mut rng_flow: Vec<_> = (0..net.routes.len())
        .map(|f| stream(1, 0, &format!("bare:flow:{f}")))
        .collect();
    let mut rng_node: Vec<_> = (0..net.nodes)
        .map(|n| stream(1, 0, &format!("bare:node:{n}")))
        .collect();
    let mut rng_link: Vec<_> = (0..net.links.len())
        .map(|l| stream(1, 0, &format!("bare:link:{l}")))
        .collect();
    let mut busy = vec![false; net.nodes];
    let mut queues: Vec<VecDeque<(u32, u8)>> = vec![VecDeque::new(); net.nodes];
    let mut cal = BareHeap::new();
    for (f, rng) in rng_flow.iter_mut().enumerate() {
        cal.push(arr.sample(rng) as u64, Ev::Created(f as u32));
    }
    let mut events = 0u64;
    while let Some((t, ev)) = cal.pop_until(horizon_ms) {
        events += 1;
        match ev {
            Ev::Created(f) => {
                let gap = arr.sample(&mut rng_flow[f as usize]) as u64;
                cal.push(t + gap, Ev::Created(f));
                cal.push(t, Ev::Arrive(f, 0));
            }
            Ev::Arrive(f, k) => {
                let n = net.routes[f as usize][k as usize];
                if busy[n] {
                    queues[n].push_back((f, k));
                } else {
                    busy[n] = true;
                    let s = svc.sample(&mut rng_node[n]) as u64;
                    cal.push(t + s, Ev::Done(f, k));
                }
            }
            Ev::Done(f, k) => {
                let route = &net.routes[f as usize];
                let n = route[k as usize];
                if let Some((g, j)) = queues[n].pop_front() {
                    let s = svc.sample(&mut rng_node[n]) as u64;
                    cal.push(t + s, Ev::Done(g, j));
                } else {
                    busy[n] = false;
                }
                if (k as usize) + 1 < route.len() {
                    let l = link_of[n];
                    let d = link.sample(&mut rng_link[l]) as u64;
                    cal.push(t + d, Ev::Arrive(f, k + 1));
                }
            }
        }
    }
    events
}

/// `f`'s result and how long it took.
pub(crate) fn timed(f: impl FnOnce() -> u64) -> (u64, Duration) {
    let t = Instant::now();
    let n = f();
    (n, t.elapsed())
}

/// A criterion group of ten samples, one second of warm-up and `secs` of measurement.
pub(crate) fn group<'a>(
    c: &'a mut Criterion,
    name: String,
    secs: u64,
) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(secs));
    g
}

/// Measures `corridor` and then `bare` in group `g`, each with its own events as throughput.
pub(crate) fn corridor_and_bare(
    mut g: BenchmarkGroup<'_, WallTime>,
    (events, mut corridor): (u64, impl FnMut() -> u64),
    (bare_events, mut bare): (u64, impl FnMut() -> u64),
) {
    g.throughput(Throughput::Elements(events));
    g.bench_function("corridor", |b| b.iter(&mut corridor));
    g.throughput(Throughput::Elements(bare_events));
    g.bench_function("bare_heap_loop", |b| b.iter(&mut bare));
    g.finish();
}

pub(crate) fn bench(c: &mut Criterion) {
    for nodes in WORKLOADS {
        let net = Network::new(nodes);
        let m = model(&net);
        let horizon = m.horizon.ms();
        let (events, tc) = timed(|| run_corridor(&m));
        let (bare_events, tb) = timed(|| run_bare(&net, horizon));
        eprintln!(
            "scale {nodes} stations, about {:.0} in flight: corridor {events} events in {tc:.2?}, bare loop {bare_events} in {tb:.2?}; corridor / bare {:.2} (time per event {:.2})",
            net.in_flight(),
            tc.as_secs_f64() / tb.as_secs_f64(),
            (tc.as_secs_f64() / events as f64) / (tb.as_secs_f64() / bare_events as f64)
        );
        let g = group(c, format!("scale_{nodes}_stations"), 5);
        corridor_and_bare(
            g,
            (events, || run_corridor(&m)),
            (bare_events, || run_bare(&net, horizon)),
        );
    }
}

/// The ring at [`MILLION`] stations, about 1e6 in flight, as the groups of [`bench`] but only
/// when [`MILLION_VAR`] asks for it, and with one run per sample (ten runs and a warm-up run of
/// each, a quarter of an hour or more on the development machine).
pub(crate) fn bench_million(c: &mut Criterion) {
    let asked = std::env::var(MILLION_VAR).unwrap_or_default();
    if asked != "1" && asked != "once" {
        eprintln!(
            "scale_{MILLION}_stations (about 1e6 in flight) not run: set {MILLION_VAR}=1 (or =once for the ratio of one run each only); benches/README.md"
        );
        return;
    }
    let t = Instant::now();
    let net = Network::new(MILLION);
    let m = model(&net);
    let horizon = m.horizon.ms();
    eprintln!(
        "scale {MILLION} stations: scenario generated and validated in {:.2?}",
        t.elapsed()
    );
    let (events, tc) = timed(|| run_corridor(&m));
    let (bare_events, tb) = timed(|| run_bare(&net, horizon));
    let per_event = (tc.as_secs_f64() / events as f64) / (tb.as_secs_f64() / bare_events as f64);
    eprintln!(
        "scale {MILLION} stations, about {:.0} in flight: corridor {events} events in {tc:.2?}, bare loop {bare_events} in {tb:.2?}; corridor / bare {:.2} (time per event {per_event:.2}; events/s {:.2} of the bare loop's)",
        net.in_flight(),
        tc.as_secs_f64() / tb.as_secs_f64(),
        1.0 / per_event
    );
    if asked == "once" {
        return;
    }
    let mut g = group(c, format!("scale_{MILLION}_stations"), 10);
    g.sampling_mode(SamplingMode::Flat);
    corridor_and_bare(
        g,
        (events, || run_corridor(&m)),
        (bare_events, || run_bare(&net, horizon)),
    );
}
