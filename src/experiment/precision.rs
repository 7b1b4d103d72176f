//! `--precision METRIC:ID:REL`: add replications until the 95% half-width of one metric's mean
//! is within `REL` of its absolute mean, or `--max-replications` is reached.
//!
//! Replications are numbered 0, 1, 2, ... as in a plain run, and the number to run next depends
//! only on the results so far, so the outcome is the same for any `--jobs`, and the files equal
//! those of `corridor run --replications FINAL`. The first batch is the scenario's replication
//! count (at least 3, so that a half-width exists); each later batch aims at the count the
//! current half-width predicts (n x (half-width / target)^2), at most doubling the total.
//!
//! Limits: `--max-replications` from 3 to [`MAX_MAX`]; a metric that has had no value in the
//! first [`NO_VALUE_AFTER`] replications (or in all, under a lower cap) is an error rather than
//! a run to the cap. Results stream to the caller as they complete; only the watched metric's
//! values are kept (8 bytes a replication).

use crate::engine::summary::Summary;
use crate::error::{Error, Result};
use crate::report::{ReplicationResult, Row};
use crate::run::Runner;
use crate::scenario::Model;
use crate::sim::Replication;

/// The fewest replications precision mode starts with.
pub const MIN_REPLICATIONS: u32 = 3;
/// The cap when `--max-replications` is not given.
pub const DEFAULT_MAX: u32 = 1000;
/// The largest `--max-replications` (as for `--replications`).
pub const MAX_MAX: u32 = 1_000_000;
/// A metric with no value in this many replications (or in all, when the cap is lower) stops
/// precision mode with an error rather than running to the cap.
pub const NO_VALUE_AFTER: u32 = 10;

/// A precision target as given.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    arg: String,
    scope: Option<String>,
    metric: String,
    id: String,
    rel: f64,
}

fn bad(arg: &str, message: impl Into<String>) -> Error {
    Error::Param {
        flag: "--precision",
        arg: arg.to_string(),
        message: message.into(),
    }
}

impl Target {
    /// Parses `METRIC:ID:REL` (METRIC may be `SCOPE.METRIC`, e.g. `node.throughput`, when a
    /// flow and a node share an id).
    pub fn parse(arg: &str) -> Result<Target> {
        const FORM: &str = "expected METRIC:ID:REL, e.g. transit_mean:xian-poti:0.05 (REL is a fraction of the mean, > 0)";
        let mut parts = arg.splitn(3, ':');
        let (Some(metric), Some(id), Some(rel)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad(arg, FORM));
        };
        if metric.is_empty() || id.is_empty() {
            return Err(bad(arg, FORM));
        }
        let rel: f64 = rel
            .trim()
            .parse()
            .map_err(|_| bad(arg, format!("REL \"{rel}\" is not a number; {FORM}")))?;
        if !(rel.is_finite() && rel > 0.0) {
            return Err(bad(
                arg,
                format!("REL {rel} is not allowed; it must be > 0, e.g. 0.05 for 5% of the mean"),
            ));
        }
        let (scope, metric) = match metric.split_once('.') {
            Some((s, m)) => (Some(s.to_string()), m.to_string()),
            None => (None, metric.to_string()),
        };
        Ok(Target {
            arg: arg.to_string(),
            scope,
            metric,
            id: id.to_string(),
            rel,
        })
    }

    /// The index of the target's row among a replication's rows.
    pub fn locate(&self, rows: &[Row]) -> Result<usize> {
        let hits: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.is_window()
                    && r.metric == self.metric
                    && r.id == self.id
                    && self.scope.as_deref().is_none_or(|s| s == r.scope)
            })
            .map(|(i, _)| i)
            .collect();
        match hits.as_slice() {
            [i] => Ok(*i),
            [] => {
                let mut ids: Vec<String> = rows
                    .iter()
                    .filter(|r| r.metric == self.metric)
                    .map(|r| r.id.clone())
                    .collect();
                ids.dedup();
                let mut metrics: Vec<&str> = rows.iter().map(|r| r.metric).collect();
                metrics.sort_unstable();
                metrics.dedup();
                Err(bad(
                    &self.arg,
                    if ids.is_empty() {
                        format!(
                            "there is no metric \"{}\"; metrics: {}",
                            self.metric,
                            metrics.join(", ")
                        )
                    } else {
                        format!(
                            "metric \"{}\" has no id \"{}\"; ids with that metric: {}",
                            self.metric,
                            self.id,
                            ids.join(", ")
                        )
                    },
                ))
            }
            _ => Err(bad(
                &self.arg,
                format!(
                    "\"{}\" of \"{}\" exists in more than one scope; write SCOPE.METRIC, e.g. flow.{} or node.{}",
                    self.metric, self.id, self.metric, self.metric
                ),
            )),
        }
    }
}

/// How a precision run ended, as recorded in the manifest (`precision`).
pub use crate::report::manifest::PrecisionEntry as Outcome;

impl Outcome {
    /// One line for the terminal.
    pub fn describe(&self) -> String {
        let achieved = match (self.mean, self.half_width, self.rel_half_width) {
            (Some(m), Some(h), Some(r)) => format!(
                "mean {m:.4}, 95% half-width {h:.4} = {:.2}% of the mean",
                100.0 * r
            ),
            _ => self.why_no_ratio(),
        };
        format!(
            "precision {}: {} after {} replications ({achieved}; target {:.2}%, cap {})",
            self.target,
            self.stopped_because,
            self.replications,
            100.0 * self.rel,
            self.max_replications
        )
    }

    /// Why the half-width is not a fraction of the mean: how many values there were, and what
    /// they were.
    fn why_no_ratio(&self) -> String {
        let (v, n) = (self.values, self.replications as u64);
        let missing = match n.saturating_sub(v) {
            0 => String::new(),
            k => format!(
                "; {k} of the {n} replications had no value (nothing observed in the statistics window)"
            ),
        };
        match (self.mean, self.half_width) {
            (None, _) => {
                format!("no value in any of the {n} replications, so no mean and no half-width")
            }
            (Some(m), None) => {
                format!("only {v} value ({m:.4}){missing}; a half-width needs at least 2")
            }
            (Some(m), Some(h)) if m == 0.0 && h == 0.0 => format!(
                "all {v} values are 0: zero variance, so the half-width is 0, and the mean is 0, so the target (a fraction of the mean) is 0 and met by that half-width{missing}"
            ),
            (Some(m), Some(h)) => format!(
                "mean {m:.4}, 95% half-width {h:.4} over {v} values{missing}; the mean is 0, so the half-width is no fraction of it"
            ),
        }
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Runs replications of `model` (starting from its replication count, at least
/// [`MIN_REPLICATIONS`]) until `target` is met or `max` replications have run, handing each
/// result to `take` in replication order (only the target's values are kept here).
pub fn run_until(
    runner: &Runner,
    model: &Model,
    target: &Target,
    max: u32,
    mut take: impl FnMut(ReplicationResult) -> Result<()>,
) -> Result<Outcome> {
    if max < MIN_REPLICATIONS {
        return Err(Error::Param {
            flag: "--max-replications",
            arg: max.to_string(),
            message: format!(
                "must be at least {MIN_REPLICATIONS} (a half-width needs replications to compare)"
            ),
        });
    }
    if max > MAX_MAX {
        return Err(Error::Param {
            flag: "--max-replications",
            arg: max.to_string(),
            message: format!("must be at most {MAX_MAX}, as --replications"),
        });
    }
    let start = model.replications.max(MIN_REPLICATIONS);
    if start > max {
        return Err(Error::Param {
            flag: "--max-replications",
            arg: max.to_string(),
            message: format!(
                "is below the {start} replications to start with; raise it or lower --replications"
            ),
        });
    }
    let keys = Replication::new(model, 0).metrics();
    let ix = target.locate(&keys)?;
    let no_value = |n: usize| {
        bad(
            &target.arg,
            format!(
                "{} \"{}\" of \"{}\" had no value in any of the first {n} replications, so no mean and no half-width exist (a metric has no value when nothing was observed in the statistics window: no consignment of the flow delivered after the warm-up, a node no consignment visited, the utilisation of an unlimited node); choose another metric, or lengthen the horizon",
                keys[ix].scope, keys[ix].metric, keys[ix].id
            ),
        )
    };
    let mut values: Vec<f64> = Vec::new();
    let mut any = false;
    let mut batch = |from: u32, to: u32, values: &mut Vec<f64>| {
        let tasks = (from..to).map(|r| Ok((model, r)));
        runner.run_each(&model.name, (to - from) as usize, tasks, |rep| {
            let v = rep.rows[ix].value;
            any |= v.is_finite();
            values.push(v);
            if !any && values.len() >= NO_VALUE_AFTER as usize {
                return Err(no_value(values.len()));
            }
            take(rep)
        })
    };
    batch(0, start, &mut values)?;
    loop {
        let n = values.len() as u32;
        let s = Summary::of(&values);
        if s.n == 0 && n >= max {
            return Err(no_value(n as usize));
        }
        let goal = target.rel * s.mean.abs();
        let reached = s.n >= 2 && s.ci95.is_finite() && s.ci95 <= goal;
        if reached || n >= max {
            let rel_hw = (s.n >= 2 && s.mean != 0.0)
                .then(|| s.ci95 / s.mean.abs())
                .and_then(finite);
            let outcome = Outcome {
                target: target.arg.clone(),
                scope: keys[ix].scope.to_string(),
                metric: keys[ix].metric.to_string(),
                id: keys[ix].id.clone(),
                rel: target.rel,
                max_replications: max,
                stopped_because: if reached {
                    "target reached".into()
                } else {
                    "replication cap reached".into()
                },
                reached,
                replications: n,
                values: s.n,
                mean: finite(s.mean),
                half_width: finite(s.ci95),
                rel_half_width: rel_hw,
            };
            return Ok(outcome);
        }
        let predicted = if s.n >= 2 && goal > 0.0 && s.ci95.is_finite() {
            (n as f64 * (s.ci95 / goal).powi(2)).ceil()
        } else {
            2.0 * n as f64
        };
        let next = (predicted.min(2.0 * n as f64) as u32).max(n + 1).min(max);
        batch(n, next, &mut values)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(values: u64, mean: Option<f64>, half_width: Option<f64>) -> Outcome {
        Outcome {
            target: "m:x:0.05".into(),
            scope: "flow".into(),
            metric: "m".into(),
            id: "x".into(),
            rel: 0.05,
            max_replications: 100,
            stopped_because: "replication cap reached".into(),
            reached: false,
            replications: 12,
            values,
            mean,
            half_width,
            rel_half_width: None,
        }
    }

    #[test]
    fn messages_say_how_many_values_and_why_no_ratio() {
        let d = outcome(1, Some(2.5), None).describe();
        assert!(
            d.contains("only 1 value (2.5000); 11 of the 12 replications had no value")
                && d.contains("a half-width needs at least 2"),
            "{d}"
        );
        let d = outcome(12, Some(0.0), Some(0.0)).describe();
        assert!(
            d.contains("all 12 values are 0: zero variance, so the half-width is 0"),
            "{d}"
        );
        let d = outcome(10, Some(0.0), Some(0.3)).describe();
        assert!(
            d.contains("over 10 values; 2 of the 12 replications had no value")
                && d.contains("the mean is 0"),
            "{d}"
        );
        let d = outcome(0, None, None).describe();
        assert!(d.contains("no value in any of the 12 replications"), "{d}");
    }

    #[test]
    fn parses_and_rejects() {
        let t = Target::parse("transit_mean:xian-poti:0.05").unwrap();
        assert_eq!(
            (t.metric.as_str(), t.id.as_str(), t.rel),
            ("transit_mean", "xian-poti", 0.05)
        );
        let t = Target::parse("node.throughput:a.b:1").unwrap();
        assert_eq!((t.scope.as_deref(), t.id.as_str()), (Some("node"), "a.b"));
        for bad in [
            "transit_mean",
            "transit_mean:x",
            "transit_mean:x:abc",
            "transit_mean:x:0",
            "transit_mean:x:-1",
            ":x:0.1",
            "m::0.1",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
