//! Pipelines: a continuous product flow beside the freight network (the Baku-Tbilisi-Ceyhan
//! oil and South Caucasus gas pipelines, say). No consignments: product enters at
//! `min(demand, capacity)` per day while the line is up, and leaves `transit` later. Outages
//! (each day, with a probability, for a drawn duration; stream `pipeline:<id>:outages`) stop
//! the inflow. The result over the window is computed exactly from the outage windows.

use super::catalogue::pipeline as metric;
use super::rows::Sink;
use crate::engine::SimTime;
use crate::engine::hours::{OpeningHours, random_closures};
use crate::engine::random::stream;
use crate::scenario::{Model, PipelineModel};

/// Outage windows of pipeline `p` in replication `rep`.
fn outages(model: &Model, p: &PipelineModel, rep: u32) -> OpeningHours {
    let mut rng = stream(model.seed, rep, &format!("pipeline:{}:outages", p.id));
    let windows = match &p.outages {
        Some((prob, duration)) => random_closures(model.horizon, *prob, duration, &mut rng),
        None => Vec::new(),
    };
    OpeningHours::closed_during(windows)
}

/// The pipeline rows of replication `rep`.
pub(super) fn rows(model: &Model, rep: u32, sink: &mut Sink) {
    let window = model.window();
    let days = window.as_days_f64();
    for p in &model.pipelines {
        let up = outages(model, p, rep);
        let rate = p.demand_per_day.min(p.capacity_per_day);
        // Product delivered in [warmup, horizon] entered in [warmup - transit, horizon - transit].
        let shift = |t: SimTime| SimTime(t.0.saturating_sub(p.transit.0));
        let (a, b) = (shift(model.warmup), shift(model.horizon));
        let entering = (b - a).as_days_f64();
        let down = up.closed_between(a, b).as_days_f64();
        // Before time zero nothing entered: the first `transit` of the run delivers nothing.
        let delivered = rate * (entering - down);
        let throughput = delivered / days;
        let unit = p.unit.per_day();
        let total = p.unit.as_str();
        let id = &p.id;
        sink.put_in(id, &metric::DELIVERED, total, delivered);
        sink.put_in(id, &metric::THROUGHPUT, unit, throughput);
        sink.put(id, &metric::UTILISATION, throughput / p.capacity_per_day);
        let outage = up.closed_between(model.warmup, model.horizon).as_days_f64() / days;
        sink.put(id, &metric::OUTAGE_SHARE, outage);
        sink.put(id, &metric::TRANSIT, p.transit.as_hours_f64());
    }
}
