//! corridor's benchmarks: one criterion binary, a module per topic. See benches/README.md.

use criterion::{criterion_group, criterion_main};

mod calendar;
mod copies;
mod ecs;
mod generate;
mod scale;
mod scenarios;
mod tandem;

criterion_group!(
    benches,
    calendar::bench,
    tandem::bench,
    ecs::bench,
    scenarios::bench,
    scale::bench,
    copies::bench,
    scale::bench_million
);
criterion_main!(benches);
