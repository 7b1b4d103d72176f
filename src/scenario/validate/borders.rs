//! Border nodes (`kind = "border"`) and the corridor-wide `[digitisation]` defaults.

use super::Ctx;
use super::dist::{EmpiricalCache, build_dist};
use super::values::{closure_windows, count_value, number, servers_value, utc_offset};
use crate::engine::dist::Dist;
use crate::engine::hours::{self, OpeningHours};
use crate::error::Result;
use crate::scenario::border::{BorderModel, DigitisationParams, level_value};
use crate::scenario::file::{DistSpec, NodeSpec, ScenarioFile};

/// Corridor-wide defaults for border nodes, from `[digitisation]`.
pub(super) struct CorridorDefaults {
    level: f64,
    params: DigitisationParams,
}

impl CorridorDefaults {
    pub(super) fn build(ctx: &Ctx, file: &ScenarioFile) -> Result<Self> {
        let Some(d) = &file.digitisation else {
            return Ok(CorridorDefaults {
                level: 0.0,
                params: DigitisationParams::default(),
            });
        };
        let level = match &d.level {
            None => 0.0,
            Some(l) => level_value(l).map_err(|e| ctx.err("digitisation.level", e))?,
        };
        let params = DigitisationParams::default().with(&d.params());
        check_params(ctx, "digitisation", &params)?;
        Ok(CorridorDefaults { level, params })
    }
}

pub(super) fn build_border(
    ctx: &Ctx,
    p: &str,
    n: &NodeSpec,
    emp: &mut EmpiricalCache,
    corridor: &CorridorDefaults,
    start_day: i64,
) -> Result<BorderModel> {
    let lanes = match n.lanes {
        None => return Err(ctx.err(p, "a border needs `lanes` (officers or lanes doing document work, a positive whole number)")),
        l => count_value(ctx, &format!("{p}.lanes"), l, 1, 1_000_000)?,
    };
    let documents = n
        .documents
        .as_ref()
        .ok_or_else(|| ctx.err(p, "a border needs `documents` (document processing time per control on paper, a distribution)"))?;
    let documents = build_dist(ctx, &format!("{p}.documents"), documents, emp)?;
    let channels = match n.channels {
        None => [1.0, 0.0, 0.0],
        Some(c) => {
            for (name, v) in [("green", c.green), ("yellow", c.yellow), ("red", c.red)] {
                let ok = (0.0..=1.0).contains(&v);
                let rule = "a channel share must be in [0, 1]";
                number(ctx, &format!("{p}.channels.{name}"), v, ok, rule)?;
            }
            let sum = c.green + c.yellow + c.red;
            if (sum - 1.0).abs() > 1e-9 {
                return Err(ctx.err(
                    &format!("{p}.channels"),
                    format!("green {} + yellow {} + red {} = {sum}; the channel shares must add up to 1", c.green, c.yellow, c.red),
                ));
            }
            [c.green, c.yellow, c.red]
        }
    };
    let opt_dist =
        |field: &str, d: &Option<DistSpec>, emp: &mut EmpiricalCache| -> Result<Option<Dist>> {
            d.as_ref()
                .map(|d| build_dist(ctx, &format!("{p}.{field}"), d, emp))
                .transpose()
        };
    let document_check = opt_dist("document_check", &n.document_check, emp)?;
    let inspection = opt_dist("inspection", &n.inspection, emp)?;
    let technical = opt_dist("technical", &n.technical, emp)?;
    if channels[1] > 0.0 && document_check.is_none() {
        return Err(ctx.err(p, "channels.yellow > 0 needs `document_check` (the yellow channel's check time, a distribution)"));
    }
    if channels[2] > 0.0 && inspection.is_none() {
        return Err(ctx.err(p, "channels.red > 0 needs `inspection` (the red channel's physical inspection time, a distribution)"));
    }
    let bays = count_value(
        ctx,
        &format!("{p}.inspection_bays"),
        n.inspection_bays,
        1,
        1_000_000,
    )?;
    let tracks = match n.technical_tracks {
        None => None,
        Some(s) => servers_value(ctx, &format!("{p}.technical_tracks"), s)?,
    };
    let controls = count_value(ctx, &format!("{p}.controls"), n.controls, 1, 10)?;

    if n.hours.as_ref().is_some_and(Vec::is_empty) {
        return Err(ctx.err(
            &format!("{p}.hours"),
            "`hours = []` is not allowed: an empty list could mean never open or always open; leave `hours` out for a border open around the clock, or list windows, e.g. [\"Mon-Sat 08:00-20:00\"]",
        ));
    }
    let mut weekly = Vec::new();
    for (j, w) in n.hours.iter().flatten().enumerate() {
        weekly.extend(hours::parse_window(w).map_err(|e| ctx.err(&format!("{p}.hours[{j}]"), e))?);
    }
    let offset = utc_offset(ctx, p, &n.utc_offset)?;
    let mut closed = Vec::new();
    for (j, d) in n.holidays.iter().flatten().enumerate() {
        let day = hours::parse_date(d).map_err(|e| ctx.err(&format!("{p}.holidays[{j}]"), e))?;
        closed.push(hours::holiday(day));
    }
    closed.extend(closure_windows(ctx, p, &n.closures)?);
    let hours = OpeningHours::new(&weekly, start_day, offset, &closed);

    let level = match &n.digitisation {
        None => corridor.level,
        Some(l) => level_value(l).map_err(|e| ctx.err(&format!("{p}.digitisation"), e))?,
    };
    let params = match &n.digitisation_model {
        None => corridor.params,
        Some(spec) => corridor.params.with(spec),
    };
    check_params(ctx, &format!("{p}.digitisation_model"), &params)?;
    Ok(BorderModel {
        lanes,
        documents,
        channels,
        document_check,
        inspection,
        bays,
        technical,
        tracks,
        controls,
        joint_control: n.joint_control.unwrap_or(false),
        hours,
        preemption: n.preemption.unwrap_or(false),
        level,
        params,
    })
}

/// Digitisation model parameters (at `{p}.NAME`) within their ranges.
fn check_params(ctx: &Ctx, p: &str, params: &DigitisationParams) -> Result<()> {
    match params.invalid() {
        Some((name, v, rule)) => number(
            ctx,
            &format!("{p}.{name}"),
            v,
            false,
            &format!("{name} {rule}"),
        )
        .map(drop),
        None => Ok(()),
    }
}
