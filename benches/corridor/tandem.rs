//! A full run of a 5-station tandem network (the Jackson scenario) of about one million
//! consignments, against a hand-written binary-heap loop of the same model.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::path::Path;

use criterion::{Criterion, Throughput};
use rand::distr::Distribution;
use rand_distr::Exp;

use corridor::engine::random::stream;
use corridor::scenario::{self, Model};
use corridor::sim::Replication;

/// One million hours at one arrival per hour: about one million consignments, 11 million events.
pub(crate) const TANDEM: &str = r#"
[scenario]
name = "tandem-bench"
horizon = "41667d"
replications = 1
seed = 1

[[nodes]]
id = "s1"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "30m" }
[[nodes]]
id = "s2"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "36m" }
[[nodes]]
id = "s3"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "42m" }
[[nodes]]
id = "s4"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "48m" }
[[nodes]]
id = "s5"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "30m" }

[[flows]]
id = "line"
route = ["s1", "s2", "s3", "s4", "s5"]
arrivals = { dist = "exponential", mean = "1h" }
"#;

pub(crate) fn model() -> Model {
    scenario::parse(Path::new("tandem-bench.toml"), TANDEM).expect("valid bench scenario")
}

/// corridor: returns events processed.
pub(crate) fn run_corridor(m: &Model) -> u64 {
    let mut r = Replication::new(m, 0);
    r.run().expect("the tandem never stalls");
    r.counters.events
}

/// The same model as a bare loop: a binary heap of (time, seq, event), Vec queues, no ECS, no
/// statistics. The reference for "how fast could this be".
pub(crate) fn run_bare(horizon_ms: u64) -> u64 {
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Ev {
        Created,
        Arrive(u32, u8),
        Done(u32, u8),
    }
    let means_ms = [
        1_800_000.0,
        2_160_000.0,
        2_520_000.0,
        2_880_000.0,
        1_800_000.0,
    ];
    let svc: Vec<Exp<f64>> = means_ms
        .iter()
        .map(|m| Exp::new(1.0 / m).expect("positive rate"))
        .collect();
    let arr = Exp::new(1.0 / 3_600_000.0).expect("positive rate");
    let mut rng_a = stream(1, 0, "bare:arrivals");
    let mut rngs: Vec<_> = (0..5).map(|i| stream(1, 0, &format!("bare:{i}"))).collect();
    let mut heap = BinaryHeap::new();
    let mut seq = 0u64;
    let mut busy = [false; 5];
    let mut queues: Vec<VecDeque<u32>> = vec![VecDeque::new(); 5];
    let mut next_id = 0u32;
    let mut events = 0u64;
    heap.push(Reverse((arr.sample(&mut rng_a) as u64, seq, Ev::Created)));
    while let Some(Reverse((t, _, ev))) = heap.pop() {
        if t > horizon_ms {
            break;
        }
        events += 1;
        let mut push = |at: u64, e: Ev, heap: &mut BinaryHeap<_>| {
            seq += 1;
            heap.push(Reverse((at, seq, e)));
        };
        match ev {
            Ev::Created => {
                push(t + arr.sample(&mut rng_a) as u64, Ev::Created, &mut heap);
                push(t, Ev::Arrive(next_id, 0), &mut heap);
                next_id = next_id.wrapping_add(1);
            }
            Ev::Arrive(c, n) => {
                let n = n as usize;
                if busy[n] {
                    queues[n].push_back(c);
                } else {
                    busy[n] = true;
                    push(
                        t + svc[n].sample(&mut rngs[n]) as u64,
                        Ev::Done(c, n as u8),
                        &mut heap,
                    );
                }
            }
            Ev::Done(c, n) => {
                let ni = n as usize;
                if let Some(next) = queues[ni].pop_front() {
                    push(
                        t + svc[ni].sample(&mut rngs[ni]) as u64,
                        Ev::Done(next, n),
                        &mut heap,
                    );
                } else {
                    busy[ni] = false;
                }
                if ni + 1 < 5 {
                    push(t, Ev::Arrive(c, n + 1), &mut heap);
                }
            }
        }
    }
    events
}

pub(crate) fn bench(c: &mut Criterion) {
    let m = model();
    let events = run_corridor(&m);
    let mut g = c.benchmark_group("tandem_1m_consignments");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events));
    g.bench_function("corridor", |b| b.iter(|| run_corridor(&m)));
    let bare_events = run_bare(m.horizon.ms());
    g.throughput(Throughput::Elements(bare_events));
    g.bench_function("bare_heap_loop", |b| b.iter(|| run_bare(m.horizon.ms())));
    g.finish();
}
