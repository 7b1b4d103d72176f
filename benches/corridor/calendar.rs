//! Raw event-calendar throughput: hold-model (pop one, schedule one) at several queue sizes.

use criterion::{BenchmarkId, Criterion, Throughput};
use rand::Rng;

use corridor::engine::random::stream;
use corridor::engine::{Calendar, SimDur, SimTime};

const OPS: u64 = 1_000_000;

pub(crate) fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("calendar_hold");
    g.throughput(Throughput::Elements(OPS));
    for size in [1_000usize, 10_000, 100_000] {
        g.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, &size| {
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
    }
    g.finish();
}
