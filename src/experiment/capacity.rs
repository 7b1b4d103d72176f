//! `corridor capacity SCENARIO --flow ID --max-transit 20d`: the planner's "where does it
//! break". Per replication, a bisection over the demand factor finds the largest factor at which
//! a target is still met; across replications, their mean with its 95% t-interval, and the
//! resource that was fullest where the target broke.
//!
//! - **The factor** multiplies the demand of flow `--flow` (its `demand` field, on top of the
//!   file's and `--demand`'s), or of every flow (`scenario.demand`) when `--flow` is left out,
//!   which only `--max-utilisation` allows. Each evaluation is the scenario resolved again with
//!   that override, through `scenario/loading.rs` like every command.
//! - **The target**: the flow's mean transit (`transit_mean`) or 95th percentile
//!   (`transit_p95`, with `--p95`) at most `--max-transit`, or the utilisation of every watched
//!   resource at most `--max-utilisation` (`capacity/resources.rs`: those of the flow's route with
//!   `--flow`, else all). A transit that is empty (nothing delivered) counts as not met.
//! - **Common random numbers.** The demand factor is a time change of the arrival process: the
//!   flow draws the same numbers at every factor, and replication r of every evaluation uses
//!   replication r's streams. Each replication's search is therefore on one sample path, and
//!   the spread across replications is that of the answer.
//! - **The search** (`capacity/search.rs`): both ends of `--range` first; not met at the low end gives
//!   "< lo", met at the high end ">= hi" (censored: no factor is made up); otherwise geometric
//!   bisection until the bracket is within `--tolerance` (relative). The factor reported is the
//!   bracket's low end, the largest factor at which the target was seen to hold.
//! - **The binding resource** of a replication is the most utilised watched resource at the
//!   smallest factor that broke the target (at the top of the range when it never broke);
//!   the study's is the one binding in most replications.
//! - **Work.** Evaluations run in rounds: round k evaluates every unfinished replication's
//!   next factor, all of them one task list on the worker threads, so the results do not
//!   depend on `--jobs`. At most `ceil(log2(ln(hi/lo) / ln(1 + tolerance))) + 2` evaluations
//!   per replication.

mod output;
mod resources;
mod search;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::manifest;
use super::outdir::{check_replace, default_dir};
use super::printout::Printout;
use super::{Common, apply_counts, changes_scenario, load};
use crate::engine::summary::Summary;
use crate::error::{Error, Result};
use crate::report::layout::{self, Col};
use crate::report::{ReplicationResult, ResultsFolder};
use crate::run::{Runner, events};
use crate::scenario::duration::parse_duration;
use crate::scenario::overrides::Override;
use crate::scenario::{DataCache, Model, resolve_cached};
pub use output::CAPACITY_HEADER;
use output::{CapacityCsv, Line};
use resources::{Resource, busiest, resources};
use search::{Outcome, Search};

/// `--range` when not given.
pub const DEFAULT_RANGE: (f64, f64) = (0.1, 10.0);
/// `--tolerance` when not given.
pub const DEFAULT_TOLERANCE: f64 = 0.01;

/// What must hold for the demand to be served.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// The flow's transit (mean, or 95th percentile) at most `hours`.
    Transit {
        /// The limit, in hours.
        hours: f64,
        /// The limit as written (`20d`).
        text: String,
        /// The 95th percentile rather than the mean.
        p95: bool,
    },
    /// Every watched resource's utilisation at most this ratio.
    Utilisation(f64),
}

impl Goal {
    /// `--max-transit DURATION` (scenario duration syntax: `20d`, `480h`), with `--p95`.
    pub fn transit(text: &str, p95: bool) -> Result<Goal> {
        let bad = |message: String| Error::Param {
            flag: "--max-transit",
            arg: text.to_string(),
            message,
        };
        let d = parse_duration(text).map_err(bad)?;
        if d.secs <= 0.0 {
            return Err(bad(
                "the limit must be longer than 0, e.g. 20d or 480h".into()
            ));
        }
        Ok(Goal::Transit {
            hours: d.secs / 3600.0,
            text: text.trim().to_string(),
            p95,
        })
    }

    /// `--max-utilisation RATIO`, between 0 and 1 (both excluded).
    pub fn utilisation(text: &str) -> Result<Goal> {
        match text.trim().parse::<f64>() {
            Ok(u) if u > 0.0 && u < 1.0 => Ok(Goal::Utilisation(u)),
            _ => Err(Error::Param {
                flag: "--max-utilisation",
                arg: text.to_string(),
                message: "expected a ratio above 0 and below 1, e.g. 0.85".into(),
            }),
        }
    }

    /// The target in words, for the printout.
    fn describe(&self, flow: Option<&str>) -> String {
        match (self, flow) {
            (Goal::Transit { hours, text, p95 }, _) => format!(
                "{} transit of {} at most {text} ({} h)",
                if *p95 { "95th-percentile" } else { "mean" },
                flow.unwrap_or("the flow"),
                crate::report::fmt_value(*hours)
            ),
            (Goal::Utilisation(u), Some(f)) => {
                format!("utilisation of every resource on the route of {f} at most {u}")
            }
            (Goal::Utilisation(u), None) => {
                format!("utilisation of every resource at most {u}")
            }
        }
    }
}

/// `--range LO..HI`: two factors, 0 < LO < HI.
pub fn parse_range(text: &str) -> Result<(f64, f64)> {
    let bad = |message: &str| Error::Param {
        flag: "--range",
        arg: text.to_string(),
        message: message.to_string(),
    };
    let (lo, hi) = text
        .split_once("..")
        .ok_or_else(|| bad("expected LO..HI, two demand factors, e.g. 0.5..4"))?;
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
            .ok_or_else(|| {
                bad(&format!(
                    "\"{}\" is not a factor above 0; write e.g. 0.5..4",
                    s.trim()
                ))
            })
    };
    let (lo, hi) = (num(lo)?, num(hi)?);
    if lo >= hi {
        return Err(bad(
            "the range is inverted or empty: LO must be below HI, e.g. 0.5..4",
        ));
    }
    Ok((lo, hi))
}

/// `--tolerance REL`: the bracket's relative width at which a search stops, from 0.0001 to 0.5.
pub fn parse_tolerance(text: &str) -> Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(t) if (0.0001..=0.5).contains(&t) => Ok(t),
        _ => Err(Error::Param {
            flag: "--tolerance",
            arg: text.to_string(),
            message: "expected a relative width from 0.0001 to 0.5, e.g. 0.01 (1%)".into(),
        }),
    }
}

/// Options of `corridor capacity`.
#[derive(Clone, Debug)]
pub struct CapacityOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// `--flow ID`: the flow whose demand is scaled (every flow's when `None`).
    pub flow: Option<String>,
    /// The target.
    pub goal: Goal,
    /// `--range LO..HI` of the factor.
    pub range: (f64, f64),
    /// `--tolerance`: relative width of the final bracket.
    pub tolerance: f64,
    /// `--out` (default `results/<name>-capacity`, `results/<name>-<hash>-capacity` with
    /// `--set`, `--demand` or `--digitisation`).
    pub out: Option<PathBuf>,
    /// Shared options.
    pub common: Common,
}

/// One evaluation's reading: the target's metric, whether it was met, and the busiest watched
/// resource.
struct Reading {
    met: bool,
    busiest: Option<(usize, f64)>,
}

/// A replication's search and what it saw.
struct Replication {
    search: Search,
    /// The busiest resource at the smallest factor that broke the target.
    at_break: Option<(usize, f64)>,
    smallest_break: f64,
    /// The busiest resource at the top of the range.
    at_hi: Option<(usize, f64)>,
}

/// The override that puts the demand at `factor` times the resolved scenario's.
struct Scale {
    path: String,
    base: f64,
}

impl Scale {
    /// Reads the demand factor that `--flow` (or the scenario) has in the resolved text.
    fn new(text: &str, flow: Option<&str>) -> Result<Scale> {
        let doc: toml::Table = text
            .parse()
            .map_err(|e| Error::Usage(format!("cannot read the resolved scenario back: {e}")))?;
        let number = |v: Option<&toml::Value>| {
            v.and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
                .unwrap_or(1.0)
        };
        Ok(match flow {
            None => Scale {
                path: "scenario.demand".into(),
                base: number(doc.get("scenario").and_then(|s| s.get("demand"))),
            },
            Some(id) => {
                let table = doc
                    .get("flows")
                    .and_then(toml::Value::as_array)
                    .and_then(|a| {
                        a.iter()
                            .find(|f| f.get("id").and_then(toml::Value::as_str) == Some(id))
                    });
                Scale {
                    path: format!("flows.{id}.demand"),
                    base: number(table.and_then(|t| t.get("demand"))),
                }
            }
        })
    }

    fn at(&self, factor: f64) -> Result<Override> {
        Override::new("capacity", &self.path, &format!("{:?}", self.base * factor))
    }
}

/// Names the factor in an error of the scenario resolved at it.
fn at_factor(e: Error, factor: f64) -> Error {
    e.in_context(format_args!(
        "[capacity: at demand factor {factor}; narrow --range to factors the scenario allows]"
    ))
}

/// Runs `corridor capacity`; returns what to print.
pub fn capacity(opts: &CapacityOptions) -> Result<Printout> {
    let start = Instant::now();
    let c = &opts.common;
    let (lo, hi) = opts.range;
    if matches!(opts.goal, Goal::Transit { .. }) && opts.flow.is_none() {
        return Err(Error::Usage(
            "--max-transit needs --flow ID: the flow whose transit is the target and whose demand is scaled".into(),
        ));
    }
    let loaded = load(&opts.scenario, &c.sets, &c.digitisation, c.access)?;
    let mut model = loaded.model().clone();
    super::no_auto_warmup(&model, "capacity")?;
    apply_counts(&mut model, c)?;
    let flow = match &opts.flow {
        None => None,
        Some(id) => Some(
            model
                .flows
                .iter()
                .position(|f| &f.id == id)
                .ok_or_else(|| Error::Param {
                    flag: "--flow",
                    arg: id.clone(),
                    message: format!(
                        "no flow has this id; flows: {}",
                        model
                            .flows
                            .iter()
                            .map(|f| f.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?,
        ),
    };
    let watched = resources(&model, flow);
    if matches!(opts.goal, Goal::Utilisation(_)) && watched.is_empty() {
        return Err(Error::Usage(format!(
            "--max-utilisation: {} no resource with a utilisation (every station is unlimited, and there are no borders, berths, yards or services)",
            match &opts.flow {
                Some(f) => format!("the route of flow {f} has"),
                None => "the scenario has".to_string(),
            }
        )));
    }
    let scale = Scale::new(&loaded.resolved.text, opts.flow.as_deref())?;
    let src = std::fs::read_to_string(&opts.scenario).map_err(|source| Error::Read {
        file: opts.scenario.clone(),
        source,
    })?;
    let mut cache = DataCache::default();
    let mut model_at = |factor: f64| -> Result<Model> {
        let mut ovs = c.sets.clone();
        ovs.push(scale.at(factor)?);
        let r = resolve_cached(
            &opts.scenario,
            &src,
            &ovs,
            &c.digitisation,
            c.access,
            &mut cache,
        )
        .map_err(|e| at_factor(e, factor))?;
        let mut m = r.model;
        apply_counts(&mut m, c)?;
        Ok(m)
    };
    // Both ends are checked before anything runs (every factor between them is valid then).
    model_at(lo)?;
    model_at(hi)?;

    let runner = Runner::new(c.jobs, c.quiet)?;
    let entry = loaded.entry("scenario");
    let dir = opts.out.clone().unwrap_or_else(|| {
        default_dir(
            &model.name,
            "-capacity",
            changes_scenario(c),
            std::slice::from_ref(&entry),
        )
    });
    let mut folder = ResultsFolder::new(&dir)?;
    check_replace(
        &folder,
        &dir,
        "capacity",
        std::slice::from_ref(&entry),
        &[],
        c.force,
    )?;

    let metric = match &opts.goal {
        Goal::Transit { p95: true, .. } => "transit_p95",
        _ => "transit_mean",
    };
    let read = |rep: &ReplicationResult| -> Reading {
        let busiest = busiest(&watched, &rep.rows);
        let met = match (&opts.goal, flow) {
            (Goal::Transit { hours, .. }, Some(f)) => {
                let id = &model.flows[f].id;
                let v = rep
                    .rows
                    .iter()
                    .find(|r| r.scope == "flow" && r.metric == metric && &r.id == id)
                    .map_or(f64::NAN, |r| r.value);
                v.is_finite() && v <= *hours
            }
            (Goal::Transit { .. }, None) => false,
            (Goal::Utilisation(limit), _) => busiest.is_none_or(|(_, u)| u <= *limit),
        };
        Reading { met, busiest }
    };

    let n = model.replications;
    let mut reps: Vec<Replication> = (0..n)
        .map(|_| Replication {
            search: Search::new(lo, hi, opts.tolerance),
            at_break: None,
            smallest_break: f64::INFINITY,
            at_hi: None,
        })
        .collect();
    let rounds = Search::max_steps(lo, hi, opts.tolerance) + 2;
    let mut simulated = 0;
    for round in 0..rounds {
        let wanted: Vec<(u32, f64)> = reps
            .iter()
            .enumerate()
            .filter_map(|(r, s)| s.search.next().map(|f| (r as u32, f)))
            .collect();
        if wanted.is_empty() {
            break;
        }
        // One model per factor: every replication shares the two ends.
        let mut models: HashMap<u64, Arc<Model>> = HashMap::new();
        let mut tasks = Vec::with_capacity(wanted.len());
        for &(r, f) in &wanted {
            let m = match models.get(&f.to_bits()) {
                Some(m) => Arc::clone(m),
                None => {
                    let m = Arc::new(model_at(f)?);
                    models.insert(f.to_bits(), Arc::clone(&m));
                    m
                }
            };
            tasks.push((m, r));
        }
        let label = format!(
            "{} capacity, round {} of at most {rounds}",
            model.name,
            round + 1
        );
        let mut k = 0;
        runner.run_each(&label, tasks.len(), tasks.into_iter().map(Ok), |rep| {
            let (r, f) = wanted[k];
            k += 1;
            simulated += events(std::slice::from_ref(&rep));
            let reading = read(&rep);
            let state = &mut reps[r as usize];
            state.search.record(f, reading.met);
            if !reading.met && f < state.smallest_break {
                state.smallest_break = f;
                state.at_break = reading.busiest;
            }
            if f == hi {
                state.at_hi = reading.busiest;
            }
            Ok(())
        })?;
    }
    let wall = start.elapsed();

    let study = Study::new(&reps, &watched, (lo, hi));
    let mut m = manifest::new(
        "capacity",
        c,
        vec![entry],
        (model.seed, model.replications),
        runner.threads(),
        start,
    );
    folder.add(&CapacityCsv {
        lines: &study.lines,
    })?;
    let written = folder.commit(&mut m)?;
    let mut p = Printout::default();
    let what = match &opts.flow {
        Some(f) => format!("the demand of flow {f}"),
        None => "the demand of every flow".to_string(),
    };
    p.line(format_args!(
        "capacity of \"{}\": {what} times a factor in {lo}..{hi}; target: {}",
        model.name,
        opts.goal.describe(opts.flow.as_deref())
    ));
    p.line(format_args!(
        "(bisection per replication on common random numbers, to {}% of the factor)",
        crate::report::fmt_value(opts.tolerance * 100.0)
    ));
    p.line("");
    p.stdout.push_str(&study.table());
    for l in study.conclusion(&watched, (lo, hi)) {
        p.line(l);
    }
    p.written(&written);
    p.speed(
        simulated,
        wall,
        &format!("{} evaluation(s) of {n} replication(s)", study.evaluations),
    );
    Ok(p)
}

/// The results: one line per replication and the summary.
struct Study {
    lines: Vec<Line>,
    found: Vec<f64>,
    above: usize,
    below: usize,
    /// Below the range although met at its top: the metric does not grow with demand.
    below_but_met_at_hi: usize,
    evaluations: u32,
    /// The binding resource of each replication.
    binding: Vec<Option<(usize, f64)>>,
}

impl Study {
    fn new(reps: &[Replication], watched: &[Resource], (lo, hi): (f64, f64)) -> Study {
        let mut s = Study {
            lines: Vec::new(),
            found: Vec::new(),
            above: 0,
            below: 0,
            below_but_met_at_hi: 0,
            evaluations: 0,
            binding: Vec::new(),
        };
        for (r, rep) in reps.iter().enumerate() {
            let outcome = rep.search.outcome().unwrap_or(Outcome::Below);
            let binding = match outcome {
                Outcome::Above => rep.at_hi,
                _ => rep.at_break,
            };
            let (result, factor, low, high) = match outcome {
                Outcome::Found { low, high } => {
                    s.found.push(low);
                    ("found", low, low, high)
                }
                Outcome::Above => {
                    s.above += 1;
                    ("above_range", f64::NAN, hi, f64::NAN)
                }
                Outcome::Below => {
                    s.below += 1;
                    if rep.search.met_at_hi() {
                        s.below_but_met_at_hi += 1;
                    }
                    ("below_range", f64::NAN, f64::NAN, lo)
                }
            };
            s.evaluations += rep.search.evaluations;
            s.lines.push(Line {
                replication: r.to_string(),
                result,
                factor,
                low,
                high,
                ci95: f64::NAN,
                n: None,
                evaluations: rep.search.evaluations,
                binding: binding.map(|(i, u)| (watched[i].clone(), u)),
            });
            s.binding.push(binding);
        }
        let summary = Summary::of(&s.found);
        let mode = s.binding_mode();
        s.lines.push(Line {
            replication: "mean".into(),
            result: if s.found.len() == reps.len() {
                "t_interval"
            } else {
                "t_interval_of_found"
            },
            factor: summary.mean,
            low: summary.mean - summary.ci95,
            high: summary.mean + summary.ci95,
            ci95: summary.ci95,
            n: Some(summary.n),
            evaluations: s.evaluations,
            binding: mode.map(|(i, _, u)| (watched[i].clone(), u)),
        });
        s
    }

    /// The resource binding in most replications (the first in watch order among equals), the
    /// number of replications and its mean utilisation there.
    fn binding_mode(&self) -> Option<(usize, usize, f64)> {
        let mut best: Option<(usize, usize, f64)> = None;
        let mut indices: Vec<usize> = self.binding.iter().flatten().map(|b| b.0).collect();
        indices.sort_unstable();
        indices.dedup();
        for i in indices {
            let us: Vec<f64> = self
                .binding
                .iter()
                .flatten()
                .filter(|b| b.0 == i)
                .map(|b| b.1)
                .collect();
            if best.is_none_or(|(_, k, _)| us.len() > k) {
                best = Some((i, us.len(), us.iter().sum::<f64>() / us.len() as f64));
            }
        }
        best
    }

    /// One row per replication, fitted to the terminal.
    fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .lines
            .iter()
            .filter(|l| l.n.is_none())
            .map(|l| {
                let (factor, bracket) = match l.result {
                    "found" => (
                        format!("{:.3}", l.factor),
                        format!("{:.3}..{:.3}", l.low, l.high),
                    ),
                    "above_range" => ("-".into(), format!(">= {}", l.low)),
                    _ => ("-".into(), format!("< {}", l.high)),
                };
                let (name, u) = match &l.binding {
                    Some((r, u)) => (r.label(), format!("{u:.3}")),
                    None => ("-".into(), "-".into()),
                };
                vec![
                    l.replication.clone(),
                    factor,
                    bracket,
                    l.evaluations.to_string(),
                    name,
                    u,
                ]
            })
            .collect();
        let cols = [
            Col::Number,
            Col::Number,
            Col::Text,
            Col::Number,
            Col::Name,
            Col::Number,
        ];
        let head = [
            "replication",
            "factor",
            "bracket",
            "evaluations",
            "busiest where it broke",
            "utilisation",
        ];
        let mut out = layout::render(&cols, &head, &rows, layout::terminal_width());
        out.push('\n');
        out
    }

    /// The summary in sentences.
    fn conclusion(&self, watched: &[Resource], (lo, hi): (f64, f64)) -> Vec<String> {
        let total = self.binding.len();
        let mut out = Vec::new();
        let s = Summary::of(&self.found);
        if s.n == 0 {
            out.push(match (self.above, self.below) {
                (a, 0) if a == total => format!(
                    "the target holds up to the top of the range in every replication: the factor is >= {hi} (widen --range to find it)"
                ),
                (0, b) if b == total => format!(
                    "the target is missed even at the bottom of the range in every replication: the factor is < {lo} (lower --range to find it)"
                ),
                (a, b) => format!(
                    "no replication found the factor within {lo}..{hi}: {a} hold to the top (>= {hi}), {b} miss at the bottom (< {lo})"
                ),
            });
        } else {
            let interval = if s.n >= 2 {
                format!(
                    "{:.3} ± {:.3} (95% t-interval {:.3}..{:.3}, n = {})",
                    s.mean,
                    s.ci95,
                    s.mean - s.ci95,
                    s.mean + s.ci95,
                    s.n
                )
            } else {
                format!("{:.3} (one replication: no interval)", s.mean)
            };
            out.push(format!(
                "demand factor at which the target breaks: {interval}"
            ));
            if self.above + self.below > 0 {
                out.push(format!(
                    "censored: {} of {total} replication(s) hold to the top of the range (factor >= {hi}), {} miss at its bottom (< {lo}); the mean leaves them out and is biased (widen --range)",
                    self.above, self.below
                ));
            }
        }
        if self.below_but_met_at_hi > 0 {
            out.push(format!(
                "note: {} replication(s) miss the target at {lo} but meet it at {hi}: the metric does not grow with demand there (carriers that leave when full wait less when demand is higher)",
                self.below_but_met_at_hi
            ));
        }
        if let Some((i, k, u)) = self.binding_mode() {
            out.push(format!(
                "binding resource: {} ({} {u:.3} on average; the busiest where the target broke in {k} of {total} replication(s))",
                watched[i].label(),
                watched[i].measure
            ));
        }
        out
    }
}
