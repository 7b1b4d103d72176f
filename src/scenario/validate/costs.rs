//! Charges, modes, tractions and emission factors of nodes, links and services, and the flows'
//! tonnes per TEU: the [`CostModel`] of a scenario that asks for costs (see `scenario/cost.rs`).

use super::Ctx;
use super::ids::shown;
use super::values::{figure, number, positive};
use crate::error::Result;
use crate::scenario::cost::{
    Charge, CostModel, DEFAULT_TONNES_PER_TEU, ElementCost, ITEMS, Item, PERS, Per,
    default_traction, factor, tractions,
};
use crate::scenario::file::{ChargeSpec, ScenarioFile};
use crate::scenario::model::{LinkModel, ServiceModel};

/// Largest amount of one charge, USD per unit: far beyond any tariff, small enough that sums
/// over a run stay exact to the cent.
const MAX_USD: f64 = 1e9;

/// Link modes (services have theirs in `SERVICE_MODES`).
pub(crate) const LINK_MODES: &[&str] = &["rail", "road", "sea"];

/// Whether the file asks for costs: a `[costs]` table, or a charge or emission field anywhere.
pub(super) fn asked(file: &ScenarioFile) -> bool {
    file.costs.is_some()
        || file
            .nodes
            .iter()
            .any(|n| n.charges.is_some() || n.idle_co2e_kg_per_hour.is_some())
        || file.links.iter().any(|l| {
            l.charges.is_some()
                || l.mode.is_some()
                || l.traction.is_some()
                || l.co2e_kg_per_tkm.is_some()
        })
        || file.services.iter().any(|s| {
            s.charges.is_some()
                || s.traction.is_some()
                || s.co2e_kg_per_tkm.is_some()
                || s.idle_co2e_kg_per_hour.is_some()
                || s.distance_km.is_some()
        })
        || file.flows.iter().any(|f| f.tonnes_per_teu.is_some())
}

/// The cost model of `file`, whose nodes, links and services are built; `None` when the file
/// does not ask for costs (every field is still checked).
pub(super) fn build_costs(
    ctx: &Ctx,
    file: &ScenarioFile,
    links: &[LinkModel],
    services: &[ServiceModel],
) -> Result<Option<Box<CostModel>>> {
    let scenario_t = match file.costs.as_ref().and_then(|c| c.tonnes_per_teu) {
        Some(t) => tonnes(ctx, "costs.tonnes_per_teu", t)?,
        None => DEFAULT_TONNES_PER_TEU,
    };
    let mut m = CostModel::default();
    for (i, n) in file.nodes.iter().enumerate() {
        let p = format!("nodes[{i}]");
        let charges = charges(ctx, &p, n.charges.as_deref(), None, "a node")?;
        let idle = idle(ctx, &p, n.idle_co2e_kg_per_hour)?.unwrap_or(0.0);
        m.nodes.push(ElementCost {
            charges,
            km: None,
            co2e_kg_per_tkm: None,
            idle_co2e_kg_per_hour: idle,
        });
    }
    for (i, (l, lm)) in file.links.iter().zip(links).enumerate() {
        let p = format!("links[{i}]");
        if let Some(mode) = &l.mode
            && !LINK_MODES.contains(&mode.as_str())
        {
            return Err(ctx.err(
                &format!("{p}.mode"),
                format!(
                    "{} is not a link mode; allowed: {}",
                    shown(mode),
                    LINK_MODES.join(", ")
                ),
            ));
        }
        let charges = charges(ctx, &p, l.charges.as_deref(), lm.distance_km, "the link")?;
        let f = moving_factor(
            ctx,
            &p,
            l.mode.as_deref(),
            l.traction.as_deref(),
            l.co2e_kg_per_tkm,
            lm.distance_km,
        )?;
        m.links.push(ElementCost {
            charges,
            km: lm.distance_km,
            co2e_kg_per_tkm: f.0,
            idle_co2e_kg_per_hour: 0.0,
        });
    }
    for (i, (s, sm)) in file.services.iter().zip(services).enumerate() {
        let p = format!("services[{i}]");
        let km = s
            .distance_km
            .map(|d| {
                positive(
                    ctx,
                    format_args!("{p}.distance_km"),
                    d,
                    "a distance must be > 0 km",
                )
            })
            .transpose()?;
        let charges = charges(ctx, &p, s.charges.as_deref(), km, "the service")?;
        let f = moving_factor(
            ctx,
            &p,
            Some(&sm.mode),
            s.traction.as_deref(),
            s.co2e_kg_per_tkm,
            km,
        )?;
        let idle = match idle(ctx, &p, s.idle_co2e_kg_per_hour)? {
            Some(x) => x,
            None => f.1,
        };
        m.services.push(ElementCost {
            charges,
            km,
            co2e_kg_per_tkm: f.0,
            idle_co2e_kg_per_hour: idle,
        });
    }
    for (i, f) in file.flows.iter().enumerate() {
        let t = match f.tonnes_per_teu {
            Some(t) => tonnes(ctx, &format!("flows[{i}].tonnes_per_teu"), t)?,
            None => scenario_t,
        };
        m.tonnes_per_teu.push(t);
    }
    Ok(asked(file).then(|| Box::new(m)))
}

/// Tonnes of cargo per TEU: > 0 and at most 30 (a 20' box's gross limit is 24 t).
fn tonnes(ctx: &Ctx, path: &str, t: f64) -> Result<f64> {
    let ok = t.is_finite() && t > 0.0 && t <= 30.0;
    number(
        ctx,
        path,
        t,
        ok,
        "cargo tonnes per TEU must be > 0 and at most 30",
    )
}

/// `{p}.idle_co2e_kg_per_hour`: a finite number >= 0.
fn idle(ctx: &Ctx, p: &str, v: Option<f64>) -> Result<Option<f64>> {
    v.map(|x| {
        number(
            ctx,
            format_args!("{p}.idle_co2e_kg_per_hour"),
            x,
            x.is_finite() && x >= 0.0,
            "an emission rate must be a finite number of kg CO2e per hour, >= 0",
        )
    })
    .transpose()
}

/// `{p}.charges` of an element with `km` (if known); `what` names it in messages.
fn charges(
    ctx: &Ctx,
    p: &str,
    specs: Option<&[ChargeSpec]>,
    km: Option<f64>,
    what: &str,
) -> Result<Vec<Charge>> {
    let mut out = Vec::new();
    for (j, c) in specs.unwrap_or_default().iter().enumerate() {
        let at = format!("{p}.charges[{j}]");
        let item = Item::parse(&c.item).ok_or_else(|| {
            ctx.err(
                &format!("{at}.item"),
                format!(
                    "{} is not a charge item; allowed: {}",
                    shown(&c.item),
                    ITEMS.join(", ")
                ),
            )
        })?;
        let per = Per::parse(&c.per).ok_or_else(|| {
            ctx.err(
                &format!("{at}.per"),
                format!(
                    "{} is not a unit of charge; allowed: {}",
                    shown(&c.per),
                    PERS.join(", ")
                ),
            )
        })?;
        if per == Per::TeuKm && km.is_none() {
            let msg = if what == "a node" {
                "\"teu_km\" is not allowed on a node (a node has no distance); charge per teu, consignment, hour or teu_day".to_string()
            } else {
                format!(
                    "\"teu_km\" needs a distance: give {what} `distance_km`, or charge per teu or consignment"
                )
            };
            return Err(ctx.err(&format!("{at}.per"), msg));
        }
        let ok = c.usd.is_finite() && (0.0..=MAX_USD).contains(&c.usd);
        let rule = format!(
            "a charge is a number of USD per unit from 0 to {}",
            figure(MAX_USD)
        );
        number(ctx, format_args!("{at}.usd"), c.usd, ok, &rule)?;
        out.push(Charge {
            item,
            per,
            usd: c.usd,
        });
    }
    Ok(out)
}

/// The emission factor while moving (kg CO2e per t-km; `None` when the element has no mode
/// or no distance: it then emits nothing while moving) and the default waiting factor (kg per
/// carrier-hour) of an element of `mode` with `traction` and its own `given` factor.
fn moving_factor(
    ctx: &Ctx,
    p: &str,
    mode: Option<&str>,
    traction: Option<&str>,
    given: Option<f64>,
    km: Option<f64>,
) -> Result<(Option<f64>, f64)> {
    if let Some(x) = given {
        let ok = x.is_finite() && x >= 0.0;
        let rule = "an emission factor must be a finite number of kg CO2e per tonne-km, >= 0";
        number(ctx, format_args!("{p}.co2e_kg_per_tkm"), x, ok, rule)?;
        if km.is_none() {
            return Err(ctx.err(
                &format!("{p}.co2e_kg_per_tkm"),
                "an emission factor per tonne-km needs `distance_km`",
            ));
        }
    }
    let Some(mode) = mode else {
        if let Some(t) = traction {
            return Err(ctx.err(
                &format!("{p}.traction"),
                format!(
                    "traction {} needs a `mode` (one of {})",
                    shown(t),
                    LINK_MODES.join(", ")
                ),
            ));
        }
        return Ok((given, 0.0));
    };
    let known = tractions(mode);
    let traction = match traction {
        Some(t) if known.contains(&t) => Some(t),
        Some(t) => {
            return Err(ctx.err(
                &format!("{p}.traction"),
                format!(
                    "{} is not a traction of mode \"{mode}\"; allowed: {}",
                    shown(t),
                    known.join(", ")
                ),
            ));
        }
        None => default_traction(mode),
    };
    let default = traction.and_then(|t| factor(mode, t));
    let idle = default.map_or(0.0, |d| d.idle_kg_per_hour);
    match (given, default, km) {
        (Some(x), _, _) => Ok((Some(x), idle)),
        (None, Some(d), Some(_)) => Ok((Some(d.kg_per_tkm), idle)),
        (None, Some(_), None) => Ok((None, idle)),
        (None, None, Some(_)) => Err(ctx.err(
            &format!("{p}.traction"),
            format!(
                "mode \"{mode}\" has no default emission factor without a traction; give `traction` (one of {}) or `co2e_kg_per_tkm`",
                known.join(", ")
            ),
        )),
        (None, None, None) => Ok((None, 0.0)),
    }
}
