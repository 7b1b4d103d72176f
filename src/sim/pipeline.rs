//! Pipelines: a continuous product flow beside the freight network (the Baku-Tbilisi-Ceyhan
//! oil and South Caucasus gas pipelines, say). No consignments: product enters at
//! `min(demand, capacity)` per day while the line is up, and leaves `transit` later. Outages
//! (each day, with a probability, for a drawn duration; stream `pipeline:<id>:outages`) stop
//! the inflow. The result over the window is computed exactly from the outage windows.

use super::catalogue::pipeline as metric;
use super::rows::Sink;
use crate::engine::closures::{ClosureStream, Merged, overlap};
use crate::engine::random::stream;
use crate::engine::{SimDur, SimTime};
use crate::scenario::{Model, PipelineModel};

/// How much of `[a1, b1)` and of `[a2, b2)` pipeline `p` is down in replication `rep`: its
/// outage windows are drawn and added up one by one, never all held at once.
fn downtime(
    model: &Model,
    p: &PipelineModel,
    rep: u32,
    spans: [(SimTime, SimTime); 2],
) -> [SimDur; 2] {
    let mut down = [SimDur::ZERO; 2];
    let Some((prob, duration)) = &p.outages else {
        return down;
    };
    let rng = stream(model.seed, rep, &format!("pipeline:{}:outages", p.id));
    let windows = ClosureStream::new(model.horizon, *prob, duration.clone(), rng);
    for (s, e) in Merged::new(windows) {
        for (d, (a, b)) in down.iter_mut().zip(spans) {
            *d = *d + overlap((s, e), a, b);
        }
    }
    down
}

/// The pipeline rows of replication `rep`.
pub(super) fn rows(model: &Model, rep: u32, sink: &mut Sink) {
    let window = model.window();
    let days = window.as_days_f64();
    for p in &model.pipelines {
        let rate = p.demand_per_day.min(p.capacity_per_day);
        // Product delivered in [warmup, horizon] entered in [warmup - transit, horizon - transit].
        let shift = |t: SimTime| SimTime(t.0.saturating_sub(p.transit.0));
        let (a, b) = (shift(model.warmup), shift(model.horizon));
        let entering = (b - a).as_days_f64();
        let [down, outage] = downtime(model, p, rep, [(a, b), (model.warmup, model.horizon)]);
        let down = down.as_days_f64();
        // Before time zero nothing entered: the first `transit` of the run delivers nothing.
        let delivered = rate * (entering - down);
        let throughput = delivered / days;
        let unit = p.unit.per_day();
        let total = p.unit.as_str();
        let id = &p.id;
        sink.put_in(id, &metric::DELIVERED, total, delivered);
        sink.put_in(id, &metric::THROUGHPUT, unit, throughput);
        sink.put(id, &metric::UTILISATION, throughput / p.capacity_per_day);
        let outage = outage.as_days_f64() / days;
        sink.put(id, &metric::OUTAGE_SHARE, outage);
        sink.put(id, &metric::TRANSIT, p.transit.as_hours_f64());
    }
}
