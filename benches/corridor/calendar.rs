//! Raw event-calendar throughput: hold-model (pop one, schedule one) at several queue sizes,
//! for corridor's calendar and, as the reference measured in the same run, a binary heap keyed
//! by (time, sequence) as a hand-written event loop would use.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use criterion::{BenchmarkId, Criterion, Throughput};
use rand::Rng;

use corridor::engine::random::stream;
use corridor::engine::{Calendar, SimDur, SimTime};

const OPS: u64 = 1_000_000;

pub(crate) fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("calendar_hold");
    g.throughput(Throughput::Elements(OPS));
    for size in [10usize, 1_000, 10_000, 100_000, 1_000_000] {
        g.bench_with_input(BenchmarkId::new("corridor", size), &size, |b, &size| {
            b.iter_batched_ref(
                || {
                    // Untimed setup: a calendar holding `size` events, and pre-drawn delays.
                    let mut rng = stream(1, 0, "bench:calendar");
                    let mut cal = Calendar::with_capacity(size + 1);
                    for i in 0..size {
                        cal.schedule(SimTime(rng.next_u64() % 1_000_000), i as u32);
                    }
                    let delays: Vec<SimDur> = (0..1024)
                        .map(|_| SimDur(rng.next_u64() % 2_000_000))
                        .collect();
                    (cal, delays)
                },
                |(cal, delays)| {
                    for i in 0..OPS as usize {
                        let (_, ev) = cal.pop().expect("non-empty");
                        cal.schedule_in(delays[i & 1023], ev);
                    }
                },
                criterion::BatchSize::LargeInput,
            )
        });
        g.bench_with_input(BenchmarkId::new("binary_heap", size), &size, |b, &size| {
            b.iter_batched_ref(
                || {
                    let mut rng = stream(1, 0, "bench:calendar");
                    let mut heap = BinaryHeap::with_capacity(size + 1);
                    let mut seq = 0u64;
                    for i in 0..size {
                        let t = rng.next_u64() % 1_000_000;
                        heap.push((Reverse(((t as u128) << 64) | seq as u128), i as u32));
                        seq += 1;
                    }
                    let delays: Vec<u64> = (0..1024).map(|_| rng.next_u64() % 2_000_000).collect();
                    (heap, delays, seq)
                },
                |(heap, delays, seq)| {
                    for i in 0..OPS as usize {
                        let (Reverse(key), ev) = heap.pop().expect("non-empty");
                        let t = (key >> 64) as u64 + delays[i & 1023];
                        heap.push((Reverse(((t as u128) << 64) | *seq as u128), ev));
                        *seq += 1;
                    }
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}
