//! Shipped corridor scenarios end to end: one simulated year, 10 replications, one thread.

use std::path::Path;

use criterion::{Criterion, Throughput};

use corridor::run::run_model;
use corridor::scenario;

pub(crate) fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut g = c.benchmark_group("scenario_10_replications_1_thread");
    g.sample_size(10);
    for name in ["middle-corridor", "digitisation"] {
        let path = root.join(format!("{name}.toml"));
        let Ok(model) = scenario::load(&path) else {
            eprintln!("skipping {}: not found or not valid", path.display());
            continue;
        };
        let mut m = model;
        m.replications = 10;
        let events = run_model(&m, Some(1)).expect("run").events;
        g.throughput(Throughput::Elements(events));
        g.bench_function(name, |b| b.iter(|| run_model(&m, Some(1)).expect("run")));
    }
    g.finish();
}
