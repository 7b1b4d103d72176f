//! `[[flows]]` (routes through nodes and services) and `[[links]]` (travel on route steps).

use std::fmt::Display;

use rustc_hash::FxHashMap;

use super::dist::{EmpiricalCache, build_dist, build_positive_dist};
use super::ids::{Elem, node_name, node_ref, shown, unique_id};
use super::profiles::{Parts, flow_profile};
use super::values::{figure, headway_value, number, positive, positive_duration, whole};
use super::{Ctx, IdIndex, IdSet};
use crate::engine::dist::Dist;
use crate::error::Result;
use crate::scenario::duration::{MAX_SECS, MAX_TEXT};
use crate::scenario::file::{FlowSpec, LinkSpec};
use crate::scenario::model::{FlowModel, Leg, LinkModel, MAX_PRIORITY, ServiceModel};

#[allow(clippy::too_many_arguments)]
pub(super) fn build_flow(
    ctx: &Ctx,
    i: usize,
    f: &FlowSpec,
    node_ix: &IdIndex,
    service_ix: &IdIndex,
    services: &[ServiceModel],
    ids: &mut IdSet,
    emp: &mut EmpiricalCache,
    scenario_demand: f64,
    (profile, start_day, (warmup, horizon)): (Option<&Parts>, i64, (u64, u64)),
) -> Result<FlowModel> {
    // Paths are written out only for a message (a valid flow formats none but `arrivals`).
    let p = Elem("flows", i);
    unique_id(ctx, p, &f.id, |id| ids.insert(id.to_string()), "flow")?;
    let (route, legs, choice) = match (&f.route, f.routes.is_empty()) {
        (Some(r), true) => {
            super::routes::no_choice_fields(ctx, p, f)?;
            let (route, legs) = parse_route(
                ctx,
                format_args!("{p}.route"),
                r,
                node_ix,
                service_ix,
                services,
            )?;
            (route, legs, None)
        }
        (None, false) => {
            let c = super::routes::build_choice(
                ctx,
                &p.to_string(),
                f,
                node_ix,
                service_ix,
                services,
                start_day,
            )?;
            (
                c.routes[0].route.clone(),
                c.routes[0].legs.clone(),
                Some(Box::new(c)),
            )
        }
        (Some(_), false) => {
            return Err(ctx.err(&format!("{p}.routes"), "the flow gives both `route` and `[[flows.routes]]`; give one route as `route`, or alternatives as `[[flows.routes]]`, not both"));
        }
        (None, true) => {
            return Err(ctx.err(&format!("{p}.route"), "the flow has no route; give `route = [...]` (node ids) or alternatives as `[[flows.routes]]`"));
        }
    };
    let rule = "TEU per consignment must be a whole number from 1 to 1000000";
    let teu = whole(
        ctx,
        format_args!("{p}.teu"),
        f.teu.unwrap_or(1),
        1..=1_000_000,
        rule,
    )? as u32;
    let alternatives = choice.iter().flat_map(|c| c.routes.iter().map(|r| &r.legs));
    for leg in std::iter::once(&legs).chain(alternatives).flatten() {
        if let Leg::Service(si) = leg
            && teu > services[*si].capacity_teu
        {
            return Err(ctx.err(&format!("{p}.teu"), format!(
                "{teu} TEU per consignment does not fit on service \"{}\" (capacity {} TEU); consignments are not split",
                services[*si].id, services[*si].capacity_teu
            )));
        }
    }
    let priority = f.priority.unwrap_or(0);
    let priority = whole(
        ctx,
        format_args!("{p}.priority"),
        priority,
        0..=MAX_PRIORITY,
        format_args!("priority is a whole number from 0 (regular) to {MAX_PRIORITY}"),
    )? as u8;
    let demand = super::demand_factor(ctx, format_args!("{p}.demand"), f.demand, scenario_demand)?;
    let profile = flow_profile(ctx, i, f, profile, start_day, horizon, demand)?;
    // Draws are divided by the demand factor, then squeezed by the profile where it is above 1.
    let peak = profile.as_ref().map_or(1.0, |p| p.peak().max(1.0));
    let arrivals = build_positive_dist(
        ctx,
        format_args!("{p}.arrivals"),
        &f.arrivals,
        emp,
        "a time between arrivals",
        demand * peak,
    )?;
    let profile_mean = profile.as_ref().map_or(1.0, |p| p.mean(warmup, horizon));
    let target_transit = f
        .target_transit
        .as_ref()
        .map(|d| positive_duration(ctx, &format!("{p}.target_transit"), d))
        .transpose()?;
    let value_of_time = match f.value_of_time {
        Some(v) => number(
            ctx,
            format_args!("{p}.value_of_time"),
            v,
            v.is_finite() && v >= 0.0,
            "a value of time is a number of USD per TEU-hour, >= 0",
        )?,
        None => 0.0,
    };
    Ok(FlowModel {
        id: f.id.clone(),
        route,
        legs,
        arrivals,
        teu,
        priority,
        target_transit,
        demand,
        profile,
        profile_mean,
        choice,
        value_of_time,
    })
}

/// The nodes and legs of the route at `p` (a flow's `route`, or one of its `routes`' `route`):
/// node ids, with service ids between their `from` and `to` nodes. Links are set later, by
/// [`build_links`].
pub(super) fn parse_route(
    ctx: &Ctx,
    p: impl Display,
    ids: &[String],
    node_ix: &IdIndex,
    service_ix: &IdIndex,
    services: &[ServiceModel],
) -> Result<(Vec<usize>, Vec<Leg>)> {
    if ids.is_empty() {
        return Err(ctx.err(
            &p.to_string(),
            "the route is empty; list at least one node id",
        ));
    }
    // Route elements are node ids, or service ids standing between their `from` and `to` nodes.
    let mut route: Vec<usize> = Vec::with_capacity(ids.len());
    let mut legs: Vec<Leg> = Vec::new();
    let mut pending: Option<(usize, usize)> = None; // (service, element index)
    for (j, id) in ids.iter().enumerate() {
        // The element's path, written only for a message.
        let at = || format!("{p}[{j}]");
        if let Some(&si) = service_ix.get(id) {
            let sv: &ServiceModel = &services[si];
            match (route.last(), pending) {
                (Some(&prev), None) if prev == sv.from => pending = Some((si, j)),
                (Some(_), None) => {
                    return Err(ctx.err(&at(), format!(
                        "service \"{id}\" boards at \"{}\", but the route is at \"{}\" here; put the service right after its `from` node",
                        node_name(node_ix, sv.from), node_name(node_ix, *route.last().expect("non-empty"))
                    )));
                }
                (None, _) => {
                    return Err(ctx.err(&at(), format!("the route starts with service \"{id}\"; start it with the node where the service boards (\"{}\")", node_name(node_ix, sv.from))));
                }
                (_, Some(_)) => {
                    return Err(ctx.err(
                        &at(),
                        "two services in a row; a node must stand between them",
                    ));
                }
            }
            continue;
        }
        let Some(&n) = node_ix.get(id) else {
            let mut known: Vec<&str> = node_ix
                .keys()
                .chain(service_ix.keys())
                .map(String::as_str)
                .collect();
            known.sort_unstable();
            let known = if known.is_empty() {
                "the scenario declares no [[nodes]]".to_string()
            } else {
                format!("known nodes and services: {}", known.join(", "))
            };
            return Err(ctx.err(
                &at(),
                format!("no node or service has id {}; {known}", shown(id)),
            ));
        };
        if !route.is_empty() {
            legs.push(match pending.take() {
                Some((si, k)) => {
                    if services[si].to != n {
                        return Err(ctx.err(
                            &at(),
                            format!(
                                "service \"{}\" (route[{k}]) goes to \"{}\", not \"{id}\"",
                                services[si].id,
                                node_name(node_ix, services[si].to)
                            ),
                        ));
                    }
                    Leg::Service(si)
                }
                None => Leg::Direct,
            });
        }
        route.push(n);
    }
    if let Some((si, k)) = pending {
        return Err(ctx.err(&format!("{p}[{k}]"), format!(
            "the route ends with service \"{}\"; end it with the node the service goes to (\"{}\")",
            services[si].id, node_name(node_ix, services[si].to)
        )));
    }
    Ok((route, legs))
}

/// Where a route step is made: (flow, path, step), path 0 being the flow's `route`.
type Step = (usize, usize, usize);

pub(super) fn build_links(
    ctx: &Ctx,
    specs: &[LinkSpec],
    node_ix: &IdIndex,
    flows: &mut [FlowModel],
    emp: &mut EmpiricalCache,
) -> Result<Vec<LinkModel>> {
    // Every route step (from, to) and where flows make it, (flow, leg) in flow and leg order:
    // built once, so each link finds its steps without scanning every flow.
    // A flow's alternative routes are its paths 1, 2, ...: path `a` is `choice.routes[a - 1]`
    // (the first of which repeats path 0, the flow's `route`, and is synced at the end).
    let mut steps: FxHashMap<(usize, usize), Vec<Step>> = FxHashMap::default();
    for (fi, f) in flows.iter().enumerate() {
        let alternatives = f.choice.iter().flat_map(|c| c.routes.iter().skip(1));
        let paths = std::iter::once(&f.route).chain(alternatives.map(|r| &r.route));
        for (a, route) in paths.enumerate() {
            for (k, pair) in route.windows(2).enumerate() {
                steps
                    .entry((pair[0], pair[1]))
                    .or_default()
                    .push((fi, a, k));
            }
        }
    }
    let mut seen = FxHashMap::default();
    let mut links = Vec::with_capacity(specs.len());
    for (i, l) in specs.iter().enumerate() {
        let p = Elem("links", i);
        let end = |field: &str, id: &str| node_ref(ctx, node_ix, p, field, id);
        let from = end("from", &l.from)?;
        let to = end("to", &l.to)?;
        if let Some(j) = seen.insert((from, to), i) {
            return Err(ctx.err(
                &p.to_string(),
                format!(
                    "duplicate link \"{}\" -> \"{}\" (also links[{j}])",
                    l.from, l.to
                ),
            ));
        }
        let made = steps.get(&(from, to)).map_or(&[][..], Vec::as_slice);
        for &(fi, a, k) in made {
            let f = &mut flows[fi];
            let id = f.id.clone();
            let legs = match (a, f.choice.as_deref_mut()) {
                (0, _) | (_, None) => &mut f.legs,
                (a, Some(c)) => &mut c.routes[a].legs,
            };
            if let Leg::Service(si) = legs[k] {
                return Err(ctx.err(&p.to_string(), format!(
                    "link \"{}\" -> \"{}\" duplicates a step that flow \"{}\" makes on service #{si}; a step is travelled by a link or by a service, not both",
                    l.from, l.to, id
                )));
            }
            legs[k] = Leg::Link(i);
        }
        if made.is_empty() {
            return Err(ctx.err(
                &p.to_string(),
                format!(
                    "link \"{}\" -> \"{}\" joins nodes that are not consecutive on any flow's route; a link must follow a route step",
                    l.from, l.to
                ),
            ));
        }
        if let Some(d) = l.distance_km {
            positive(
                ctx,
                format_args!("{p}.distance_km"),
                d,
                "a distance must be > 0 km",
            )?;
        }
        let time = match (&l.time, l.speed_kmh) {
            (Some(t), None) => build_dist(ctx, format_args!("{p}.time"), t, emp)?,
            (None, Some(v)) => {
                positive(
                    ctx,
                    format_args!("{p}.speed_kmh"),
                    v,
                    "a speed must be > 0 km/h",
                )?;
                let Some(d) = l.distance_km else {
                    return Err(ctx.err(
                        &p.to_string(),
                        "`speed_kmh` needs `distance_km` (travel time = distance / speed)",
                    ));
                };
                let secs = d / v * 3600.0;
                if secs.is_nan() || secs > MAX_SECS {
                    return Err(ctx.err(
                        &format!("{p}.speed_kmh"),
                        format!(
                            "{} km at {} km/h takes too long; a duration is at most {MAX_TEXT}",
                            figure(d),
                            figure(v)
                        ),
                    ));
                }
                Dist::fixed(secs).map_err(|e| ctx.err(&p.to_string(), e.0))?
            }
            _ => {
                return Err(ctx.err(&p.to_string(), "give the travel time either as `time` (a distribution) or as `speed_kmh` with `distance_km`, not both"));
            }
        };
        let headway = headway_value(ctx, p, &l.headway, l.trains_per_day)?;
        links.push(LinkModel {
            from,
            to,
            time,
            distance_km: l.distance_km,
            headway,
        });
    }
    for f in flows.iter_mut() {
        if let Some(c) = f.choice.as_deref_mut() {
            c.routes[0].legs = f.legs.clone();
        }
    }
    Ok(links)
}
