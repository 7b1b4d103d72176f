//! `[[pipelines]]`.

use super::dist::EmpiricalCache;
use super::dist::random_closures;
use super::ids::unique_id;
use super::values::positive;
use super::{Ctx, IdSet};
use crate::engine::time::SimDur;
use crate::error::Result;
use crate::scenario::file::PipelineSpec;
use crate::scenario::model::{PIPELINE_UNITS, PipelineModel, PipelineUnit};

pub(super) fn build_pipeline(
    ctx: &Ctx,
    i: usize,
    pl: &PipelineSpec,
    ids: &mut IdSet,
    emp: &mut EmpiricalCache,
) -> Result<PipelineModel> {
    let p = format!("pipelines[{i}]");
    unique_id(ctx, &p, &pl.id, |id| ids.insert(id.to_string()), "pipeline")?;
    let unit = PipelineUnit::parse(&pl.unit).ok_or_else(|| {
        ctx.err(
            &format!("{p}.unit"),
            format!(
                "unknown unit \"{}\"; allowed: {} (tonnes, barrels)",
                pl.unit,
                PIPELINE_UNITS.join(", ")
            ),
        )
    })?;
    for (name, v) in [
        ("capacity_per_day", pl.capacity_per_day),
        ("demand_per_day", pl.demand_per_day),
    ] {
        let rule = format!("a rate must be > 0 {} per day", unit.as_str());
        positive(ctx, format_args!("{p}.{name}"), v, &rule)?;
    }
    if pl.transit.secs < 0.0 {
        return Err(ctx.err(
            &format!("{p}.transit"),
            format!(
                "\"{}\" is negative; a transit time must be >= 0",
                pl.transit.text
            ),
        ));
    }
    let outages = random_closures(ctx, &format!("{p}.outages"), &pl.outages, emp, false)?
        .map(|(q, d, _)| (q, d));
    Ok(PipelineModel {
        id: pl.id.clone(),
        from: pl.from.clone(),
        to: pl.to.clone(),
        unit,
        capacity_per_day: pl.capacity_per_day,
        demand_per_day: pl.demand_per_day,
        transit: SimDur::from_secs_f64(pl.transit.secs),
        outages,
    })
}
