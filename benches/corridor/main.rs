//! corridor's benchmarks: one criterion binary, a module per topic. See benches/README.md.

use criterion::{criterion_group, criterion_main};

mod calendar;
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
    scale::bench
);
criterion_main!(benches);
