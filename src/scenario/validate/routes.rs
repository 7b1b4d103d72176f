//! A flow's alternative routes (`[[flows.routes]]`) and its choice rule (`choice`,
//! `logit_scale`, `learning`): what `build_flow` calls for a flow without a single `route`,
//! and the free-flow time of each route, the prior of its learned expected transit, once the
//! links are known.

use std::collections::{BTreeMap, HashSet};

use super::ids::{shown, unique_id};
use super::links_flows::parse_route;
use super::values::{number, positive, positive_duration};
use super::{Ctx, IdIndex};
use crate::engine::hours;
use crate::engine::time::{MS_PER_DAY, SimDur, SimTime};
use crate::error::Result;
use crate::scenario::file::FlowSpec;
use crate::scenario::model::{
    CHOICE_RULES, ChoiceRule, FlowModel, Leg, LinkModel, NodeKind, NodeModel, RouteChoice,
    RouteModel, ServiceModel,
};

/// Default time constant of the smoothing of a route's expected transit: 30 days.
pub(crate) const DEFAULT_MEMORY: SimDur = SimDur(30 * MS_PER_DAY);

/// Shares must sum to 1 within this.
const SHARE_TOLERANCE: f64 = 1e-6;

/// A flow with one `route` takes none of the fields of a choice.
pub(super) fn no_choice_fields(ctx: &Ctx, p: impl std::fmt::Display, f: &FlowSpec) -> Result<()> {
    let given = [
        ("choice", f.choice.is_some()),
        ("logit_scale", f.logit_scale.is_some()),
        ("learning", f.learning.is_some()),
    ];
    if let Some((name, _)) = given.iter().find(|(_, g)| *g) {
        return Err(ctx.err(
            &format!("{p}.{name}"),
            format!("`{name}` is for a flow with alternative routes (`[[flows.routes]]`); this flow has one `route`"),
        ));
    }
    Ok(())
}

/// The alternative routes of flow `f` (at `p`) and its choice rule. Each route's prior is its
/// `prior`, or NaN until [`free_flow_priors`] sets the free-flow time.
pub(super) fn build_choice(
    ctx: &Ctx,
    p: &str,
    f: &FlowSpec,
    node_ix: &IdIndex,
    service_ix: &IdIndex,
    services: &[ServiceModel],
    start_day: i64,
) -> Result<RouteChoice> {
    let rule = match f.choice.as_deref().unwrap_or("shares") {
        "shares" => ChoiceRule::Shares,
        "cheapest" => ChoiceRule::Cheapest,
        "logit" => {
            let Some(theta) = f.logit_scale else {
                return Err(ctx.err(
                    &format!("{p}.logit_scale"),
                    "`choice = \"logit\"` needs `logit_scale`, theta in P(r) = exp(-theta C_r) / sum exp(-theta C_s), per USD of generalised cost per TEU (a number > 0)",
                ));
            };
            let rule = "the logit scale is a number > 0, per USD of generalised cost per TEU";
            ChoiceRule::Logit {
                scale: positive(ctx, format_args!("{p}.logit_scale"), theta, rule)?,
            }
        }
        other => {
            return Err(ctx.err(
                &format!("{p}.choice"),
                format!(
                    "unknown choice rule {}; allowed: {}",
                    shown(other),
                    CHOICE_RULES.join(", ")
                ),
            ));
        }
    };
    if f.logit_scale.is_some() && !matches!(rule, ChoiceRule::Logit { .. }) {
        return Err(ctx.err(
            &format!("{p}.logit_scale"),
            "`logit_scale` is for `choice = \"logit\"`",
        ));
    }
    let memory = match f.learning.as_ref().and_then(|l| l.memory.as_ref()) {
        Some(d) => positive_duration(ctx, &format!("{p}.learning.memory"), d)?,
        None => DEFAULT_MEMORY,
    };
    let mut ids = HashSet::new();
    let mut routes = Vec::with_capacity(f.routes.len());
    for (k, r) in f.routes.iter().enumerate() {
        let rp = format!("{p}.routes[{k}]");
        unique_id(
            ctx,
            &rp,
            &r.id,
            |id| ids.insert(id.to_string()),
            "route of this flow",
        )?;
        let (route, legs) = parse_route(
            ctx,
            format_args!("{rp}.route"),
            &r.route,
            node_ix,
            service_ix,
            services,
        )?;
        let share = match (rule, r.share) {
            (ChoiceRule::Shares, Some(s)) => number(
                ctx,
                format_args!("{rp}.share"),
                s,
                (0.0..=1.0).contains(&s),
                "a share is a number from 0 to 1 (the shares of a flow's routes sum to 1)",
            )?,
            (ChoiceRule::Shares, None) => {
                return Err(ctx.err(
                    &format!("{rp}.share"),
                    "with `choice = \"shares\"` (the default) every route needs a `share` from 0 to 1, the shares summing to 1",
                ));
            }
            (_, Some(_)) => {
                return Err(ctx.err(
                    &format!("{rp}.share"),
                    "`share` is for `choice = \"shares\"`; with a choice by cost the shares come out of the run",
                ));
            }
            (_, None) => 0.0,
        };
        let capacity_teu_per_day = r
            .capacity_teu_per_day
            .map(|c| {
                let rule = "a route's capacity is a number of TEU per day > 0";
                positive(ctx, format_args!("{rp}.capacity_teu_per_day"), c, rule)
            })
            .transpose()?;
        let opens = match &r.opens {
            Some(d) => {
                let day = hours::parse_date(d).map_err(|e| ctx.err(&format!("{rp}.opens"), e))?;
                SimTime((day - start_day).max(0) as u64 * MS_PER_DAY)
            }
            None => SimTime::ZERO,
        };
        let prior_hours = match &r.prior {
            Some(d) => positive_duration(ctx, &format!("{rp}.prior"), d)?.as_hours_f64(),
            None => f64::NAN,
        };
        routes.push(RouteModel {
            id: r.id.clone(),
            route,
            legs,
            share,
            capacity_teu_per_day,
            opens,
            prior_hours,
            // Set with the model, from its charges (`route_charges`).
            charges_per_teu: 0.0,
        });
    }
    if rule == ChoiceRule::Shares {
        let sum: f64 = routes.iter().map(|r| r.share).sum();
        if (sum - 1.0).abs() > SHARE_TOLERANCE {
            return Err(ctx.err(
                &format!("{p}.routes"),
                format!("the routes' shares sum to {sum}; they must sum to 1 (each from 0 to 1)"),
            ));
        }
    }
    if !routes.iter().any(|r| r.opens == SimTime::ZERO) {
        return Err(ctx.err(
            &format!("{p}.routes"),
            "every route opens after the start; at least one route must be open from the start (no `opens`, or a date on or before scenario.start)",
        ));
    }
    Ok(RouteChoice {
        rule,
        routes,
        memory,
    })
}

/// Sets the prior of every route that gives none to its free-flow time: the mean times at its
/// nodes and on its legs without any queueing, waiting for a carrier or closure.
pub(super) fn free_flow_priors(
    flows: &mut [FlowModel],
    nodes: &[NodeModel],
    links: &[LinkModel],
    services: &[ServiceModel],
) {
    for f in flows {
        let teu = f.teu;
        if let Some(c) = f.choice.as_deref_mut() {
            for r in c.routes.iter_mut().filter(|r| r.prior_hours.is_nan()) {
                r.prior_hours =
                    free_flow_secs(&r.route, &r.legs, teu, nodes, links, services) / 3600.0;
            }
        }
    }
}

/// The free-flow time of a route in seconds: at each node its mean service (a border's mean
/// document work, checks, inspections and technical operations as its channels weigh them);
/// on each leg the link's mean time, or the service's mean loading, travel and unloading.
pub(crate) fn free_flow_secs(
    route: &[usize],
    legs: &[Leg],
    teu: u32,
    nodes: &[NodeModel],
    links: &[LinkModel],
    services: &[ServiceModel],
) -> f64 {
    let mean = |d: &Option<crate::engine::Dist>| d.as_ref().map_or(0.0, |d| d.mean_secs());
    let at_nodes: f64 = route
        .iter()
        .map(|&n| match &nodes[n].kind {
            NodeKind::Station { service, per, .. } => service.mean_secs() * per.units(teu),
            NodeKind::Border(b) => {
                let e = b.effect();
                let lane =
                    b.documents.mean_secs() * e.doc_scale + e.yellow * mean(&b.document_check);
                b.passes() as f64 * lane + e.red * mean(&b.inspection) + mean(&b.technical)
            }
        })
        .sum();
    let on_legs: f64 = legs
        .iter()
        .map(|l| match l {
            Leg::Direct => 0.0,
            Leg::Link(i) => links[*i].time.mean_secs(),
            Leg::Service(s) => {
                let sv = &services[*s];
                let per = if sv.handling_per_teu { teu as f64 } else { 1.0 };
                sv.travel.mean_secs() + per * (mean(&sv.loading) + mean(&sv.unloading))
            }
        })
        .sum();
    at_nodes + on_legs
}

/// The shares a dated change (`set.shares`, at `p`) gives the routes of flow `f`: one per
/// route, by route id, each from 0 to 1, summing to 1, for a flow with `choice = "shares"`.
pub(super) fn dated_shares(
    ctx: &Ctx,
    p: &str,
    f: &FlowModel,
    given: &BTreeMap<String, f64>,
) -> Result<Vec<f64>> {
    let Some(c) = f.choice.as_deref().filter(|c| c.rule == ChoiceRule::Shares) else {
        return Err(ctx.err(
            p,
            format!(
                "flow {} does not choose its routes by fixed shares; `shares` changes the shares of a flow with `[[flows.routes]]` and `choice = \"shares\"`",
                shown(&f.id)
            ),
        ));
    };
    let ids: Vec<&str> = c.routes.iter().map(|r| r.id.as_str()).collect();
    if let Some(unknown) = given.keys().find(|k| !ids.contains(&k.as_str())) {
        return Err(ctx.err(
            &format!("{p}.{unknown}"),
            format!(
                "flow {} has no route {}; its routes: {}",
                shown(&f.id),
                shown(unknown),
                ids.join(", ")
            ),
        ));
    }
    let mut shares = Vec::with_capacity(ids.len());
    for id in &ids {
        let Some(&s) = given.get(*id) else {
            return Err(ctx.err(
                p,
                format!("gives no share for route \"{id}\"; give every route of the flow its share (0 for none), the shares summing to 1"),
            ));
        };
        let rule = "a share is a number from 0 to 1 (the shares of a flow's routes sum to 1)";
        shares.push(number(
            ctx,
            format_args!("{p}.{id}"),
            s,
            (0.0..=1.0).contains(&s),
            rule,
        )?);
    }
    let sum: f64 = shares.iter().sum();
    if (sum - 1.0).abs() > SHARE_TOLERANCE {
        return Err(ctx.err(
            p,
            format!("the shares sum to {sum}; they must sum to 1 (each from 0 to 1)"),
        ));
    }
    Ok(shares)
}

/// Sets every route's expected charges per TEU from the model's tariffs (nothing without
/// costs): what the choice adds to the value of its time.
pub(super) fn route_charges(model: &mut crate::scenario::Model) {
    let charges: Vec<Vec<f64>> = model
        .flows
        .iter()
        .map(|f| {
            f.choice.as_deref().map_or_else(Vec::new, |c| {
                c.routes
                    .iter()
                    .map(|r| {
                        crate::scenario::cost::expected_charges_per_teu(model, f, &r.legs, &r.route)
                    })
                    .collect()
            })
        })
        .collect();
    for (f, charges) in model.flows.iter_mut().zip(charges) {
        if let Some(c) = f.choice.as_deref_mut() {
            for (r, x) in c.routes.iter_mut().zip(charges) {
                r.charges_per_teu = x;
            }
        }
    }
}
