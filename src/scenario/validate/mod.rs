//! Validation: a [`ScenarioFile`] checked rule by rule into a [`Model`], one file per part of
//! the format. Every message names the field path and, where the text has it, its line and
//! column.

mod borders;
mod changes;
mod costs;
mod disruptions;
pub(super) mod dist;
mod empirical;
mod ids;
mod links_flows;
mod nodes;
mod pipelines;
mod profiles;
mod resolution;
mod routes;
mod services;
mod values;
mod yards;

use std::fmt;
use std::path::{Path, PathBuf};

use super::access::FileAccess;
use super::duration::Duration;
use super::file::{ScenarioFile, WarmupSpec};
use super::locate::locate;
use super::model::{DEFAULT_REPLICATIONS, DEFAULT_SEED, DEFAULT_START, Model, NodeKind, Setting};
use crate::engine::bins::MAX_BINS;
use crate::engine::hours;
use crate::engine::periods::PeriodKind;
use crate::engine::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_SECOND, SimDur, SimTime};
use crate::error::{Error, Result};
use borders::CorridorDefaults;
use dist::EmpiricalCache;
use ids::{ID_RULE, shown, valid_id};
use links_flows::{build_flow, build_links};
use nodes::build_node;
use pipelines::build_pipeline;
use services::build_service;
pub(crate) use values::position;
use values::{count_value, positive_duration};
use yards::check_yards;

/// Node or service ids to their index. Hashed with rustc-hash's Fx hash, not SipHash: every
/// element of every route is looked up here, and an id of ten bytes costs a fifth of the
/// instructions. Nothing reads these maps in their iteration order where it could reach an
/// output or a message (a search by index, or keys sorted first).
pub(super) type IdIndex = rustc_hash::FxHashMap<String, usize>;

/// The ids seen so far of one kind of element (uniqueness), with the hash of [`IdIndex`].
pub(super) type IdSet = rustc_hash::FxHashSet<String>;

/// Validation context: where the text came from, to point at the place of an error.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub src: &'a str,
    /// Which data files the scenario may name.
    pub access: FileAccess,
}

impl Ctx<'_> {
    pub(crate) fn err(&self, path: &str, message: impl Into<String>) -> Error {
        Error::Scenario {
            file: self.file.to_path_buf(),
            line_col: locate(self.src, path),
            path: path.to_string(),
            message: message.into(),
        }
    }

    pub(super) fn dir(&self) -> PathBuf {
        self.file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// Validates `file` into a model, reading empirical data through `empirical`, which the
/// caller may keep across scenarios (see `loading::DataCache`); the model's `data_files` are
/// the files it uses, whether read now or before.
pub(crate) fn build(
    file: ScenarioFile,
    ctx: &Ctx,
    empirical: &mut EmpiricalCache,
) -> Result<Model> {
    // Files a failed validation with this cache used are not this model's.
    empirical.take_files();
    let s = &file.scenario;
    if !valid_id(&s.name) {
        return Err(ctx.err(
            "scenario.name",
            format!(
                "{} is not a usable name (it names the results folder); {ID_RULE}",
                shown(&s.name)
            ),
        ));
    }
    let horizon = positive_duration(ctx, "scenario.horizon", &s.horizon)?;
    let warmup_auto = matches!(s.warmup, Some(WarmupSpec::Auto));
    let warmup = match &s.warmup {
        None | Some(WarmupSpec::Auto) => SimDur::ZERO,
        Some(WarmupSpec::Given(w)) => {
            if w.secs < 0.0 {
                return Err(ctx.err(
                    "scenario.warmup",
                    format!(
                        "\"{}\" is negative; must be >= 0 and shorter than the horizon",
                        w.text
                    ),
                ));
            }
            SimDur::from_secs_f64(w.secs)
        }
    };
    if warmup >= horizon {
        return Err(ctx.err(
            "scenario.warmup",
            format!(
                "warm-up \"{}\" is not shorter than the horizon \"{}\"; statistics need time after warm-up",
                match &s.warmup {
                    Some(WarmupSpec::Given(w)) => w.text.as_str(),
                    _ => "0",
                },
                s.horizon.text
            ),
        ));
    }
    let period = match &s.period {
        None => None,
        Some(p) => Some(period_value(ctx, p, SimDur(horizon.ms() - warmup.ms()))?),
    };
    let periods = match &s.periods {
        None => None,
        Some(word) => Some(PeriodKind::parse(word.trim()).ok_or_else(|| {
            ctx.err(
                "scenario.periods",
                format!(
                    "{} is not a kind of period; write one of \"{}\"",
                    shown(word),
                    PeriodKind::WORDS.join("\", \"")
                ),
            )
        })?),
    };
    let replications = count_value(
        ctx,
        "scenario.replications",
        s.replications,
        DEFAULT_REPLICATIONS.into(),
        1_000_000,
    )?;

    let start = s.start.as_deref().unwrap_or(DEFAULT_START);
    let start_day = hours::parse_date(start).map_err(|e| ctx.err("scenario.start", e))?;
    let corridor = CorridorDefaults::build(ctx, &file)?;

    let mut node_ix = IdIndex::default();
    let mut nodes = Vec::with_capacity(file.nodes.len());
    for (i, n) in file.nodes.iter().enumerate() {
        nodes.push(build_node(
            ctx,
            i,
            n,
            &mut node_ix,
            empirical,
            &corridor,
            (start_day, SimTime::ZERO + horizon),
        )?);
    }
    if file.flows.is_empty() {
        return Err(ctx.err(
            "flows",
            "the scenario has no [[flows]]; at least one flow is needed",
        ));
    }
    let mut service_ix = IdIndex::default();
    let mut services = Vec::with_capacity(file.services.len());
    for (i, sv) in file.services.iter().enumerate() {
        services.push(build_service(
            ctx,
            i,
            sv,
            &node_ix,
            &mut service_ix,
            empirical,
            start_day,
        )?);
    }
    let demand = demand_factor(ctx, "scenario.demand", s.demand, 1.0)?;
    let profile = profiles::scenario_parts(ctx, file.profile.as_ref(), start_day)?;
    let window = (warmup.ms(), horizon.ms());
    let mut flow_ids = IdSet::default();
    let mut flows = Vec::with_capacity(file.flows.len());
    for (i, f) in file.flows.iter().enumerate() {
        flows.push(build_flow(
            ctx,
            i,
            f,
            &node_ix,
            &service_ix,
            &services,
            &mut flow_ids,
            empirical,
            demand,
            (profile.as_ref(), start_day, window),
        )?);
    }
    let links = build_links(ctx, &file.links, &node_ix, &mut flows, empirical)?;
    routes::free_flow_priors(&mut flows, &nodes, &links, &services);
    check_yards(ctx, &nodes, &flows, &services)?;
    let mut pipelines = Vec::with_capacity(file.pipelines.len());
    let mut pipe_ids = IdSet::default();
    for (i, pl) in file.pipelines.iter().enumerate() {
        pipelines.push(build_pipeline(ctx, i, pl, &mut pipe_ids, empirical)?);
    }
    let parts = changes::Parts {
        nodes: &nodes,
        services: &services,
        links: &links,
        flows: &flows,
        start_day,
        horizon: SimTime::ZERO + horizon,
    };
    let changes = changes::build_changes(ctx, &file.changes, &parts, empirical)?;
    let disruptions = match &s.disruptions {
        Some(f) => disruptions::read(ctx, f, &parts, empirical)?,
        None => Vec::new(),
    };
    let schedule = disruptions::schedule(&changes, &disruptions, &parts);
    let costs = costs::build_costs(ctx, &file, &links, &services)?;
    // Dated changes of a border's weekly hours are built into its opening hours.
    for (i, n) in nodes.iter_mut().enumerate() {
        let switches: Vec<(SimTime, Vec<(u64, u64)>)> = changes
            .iter()
            .flat_map(|c| c.settings.iter().map(move |s| (c.at, s)))
            .filter_map(|(at, s)| match s {
                Setting::Hours { node, weekly } if *node == i => Some((at, weekly.clone())),
                _ => None,
            })
            .collect();
        if let (false, NodeKind::Border(b)) = (switches.is_empty(), &mut n.kind) {
            b.hours = borders::dated_hours(b, start_day, SimTime::ZERO + horizon, &switches);
        }
    }
    let mut model = Model {
        name: s.name.clone(),
        description: s.description.clone(),
        horizon: SimTime::ZERO + horizon,
        warmup: SimTime::ZERO + warmup,
        replications,
        seed: s.seed.unwrap_or(DEFAULT_SEED),
        start_day,
        period,
        nodes,
        links,
        flows,
        services,
        pipelines,
        data_files: empirical.take_files(),
        warmup_auto,
        periods,
        changes,
        disruptions,
        schedule,
        costs,
    };
    routes::route_charges(&mut model);
    Ok(model)
}

/// `scenario.period` over a statistics window of `window`: at least an hour, at most the
/// window, and wide enough for at most [`MAX_BINS`] bins.
fn period_value(ctx: &Ctx, p: &Duration, window: SimDur) -> Result<SimDur> {
    const PATH: &str = "scenario.period";
    let days = |ms: u64| ms as f64 / MS_PER_DAY as f64;
    if p.secs < (MS_PER_HOUR / MS_PER_SECOND) as f64 {
        return Err(ctx.err(
            PATH,
            format!(
                "\"{}\" is shorter than an hour; the time bins must be at least \"1h\" wide",
                p.text
            ),
        ));
    }
    let width = SimDur::from_secs_f64(p.secs);
    if width > window {
        return Err(ctx.err(
            PATH,
            format!(
                "\"{}\" is longer than the statistics window (horizon minus warm-up: {} days); a bin must fit in it",
                p.text,
                days(window.ms())
            ),
        ));
    }
    let bins = window.ms().div_ceil(width.ms());
    if bins > MAX_BINS {
        // The narrowest width that gives at most MAX_BINS bins, rounded up to a whole hour
        // (or day), as a suggestion.
        let least = window.ms().div_ceil(MAX_BINS);
        let suggest = if least <= MS_PER_DAY {
            format!("{}h", least.div_ceil(MS_PER_HOUR))
        } else {
            format!("{}d", least.div_ceil(MS_PER_DAY))
        };
        return Err(ctx.err(
            PATH,
            format!(
                "\"{}\" cuts the statistics window ({} days) into {bins} bins; at most {MAX_BINS} are allowed: give at least \"{suggest}\"",
                p.text,
                days(window.ms())
            ),
        ));
    }
    Ok(width)
}

/// Largest demand factor: a thousand times the file's rates is far beyond any planning case.
pub(crate) const MAX_DEMAND: f64 = 1000.0;

/// A demand factor at `path` (absent: 1), multiplied onto `outer` (the scenario's factor).
pub(super) fn demand_factor(
    ctx: &Ctx,
    path: impl fmt::Display,
    v: Option<f64>,
    outer: f64,
) -> Result<f64> {
    let Some(x) = v else {
        return Ok(outer);
    };
    if !(x > 0.0 && x <= MAX_DEMAND) {
        return Err(ctx.err(
            &path.to_string(),
            format!(
                "{} is not allowed; a demand factor multiplies arrival rates and must be > 0 and at most {MAX_DEMAND}",
                values::figure(x)
            ),
        ));
    }
    Ok(outer * x)
}
