//! The paired statistics of `compare`, gathered replication by replication so that memory holds
//! a few numbers per metric and alternative, never the replications.
//!
//! Each metric of each alternative keeps the first pass of a summary (count, sum, extremes) of
//! the base's values, the alternative's and their differences, over the replications where
//! both have a value; a second pass over the same values, read again in the same order, sums
//! the squared deviations from the means. That is [`Summary::of`] of the values held in memory,
//! bit for bit, so comparison.csv does not depend on how the values were kept.
//!
//! [`Summary::of`]: crate::engine::summary::Summary::of

use std::collections::HashMap;
use std::io::Read;

use super::FDR_Q;
use crate::engine::significance::{benjamini_hochberg, paired_p};
use crate::engine::summary::{FirstPass, SecondPass};
use crate::error::{Error, Result};
use crate::experiment::results::ReplicationReader;
use crate::report::{Comparison, ReplicationResult, Row, stability};

/// One metric compared: the base's row (its key) and the metric's place among the rows of a
/// replication of the base and of the alternative.
struct Metric {
    key: Row,
    base: usize,
    alt: usize,
}

/// The first pass of the three summaries of one metric.
#[derive(Clone, Copy, Default)]
struct Firsts {
    base: FirstPass,
    alt: FirstPass,
    diff: FirstPass,
}

/// The second pass of the summaries whose spread is used (the alternative's, for whether its
/// levels settle).
#[derive(Clone, Copy)]
struct Seconds {
    base: SecondPass,
    alt: SecondPass,
    diff: SecondPass,
}

/// The comparison of one alternative with the base, fed the pairs of replications in order:
/// every pair to [`first`](Pairing::first), then every pair again, in the same order, to
/// [`second`](Pairing::second).
pub(super) struct Pairing {
    label: String,
    metrics: Vec<Metric>,
    first: Vec<Firsts>,
    /// Empty until the first pass is over.
    second: Vec<Seconds>,
}

impl Pairing {
    /// Compares the metrics present in both `base` and `alt` (same scope, id, metric and
    /// calendar period), in the base's order, from their first replications. Corridor-scope
    /// metrics, whose id is the scenario name, are matched by scope, metric and period; their
    /// row carries the base's name.
    pub(super) fn new(base: &ReplicationResult, alt: &ReplicationResult, label: &str) -> Pairing {
        // The corridor scope's id is the scenario name, which differs between scenarios: its
        // rows are matched by metric alone.
        let key_of = |r: &Row| -> (&'static str, String, &'static str, &'static str) {
            let id = if r.scope == "corridor" {
                String::new()
            } else {
                r.id.clone()
            };
            (r.scope, id, r.metric, r.period)
        };
        let alt_ix: HashMap<_, usize> = alt
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (key_of(r), i))
            .collect();
        let metrics: Vec<Metric> = base
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, key)| {
                alt_ix.get(&key_of(key)).map(|&j| Metric {
                    key: key.clone(),
                    base: i,
                    alt: j,
                })
            })
            .collect();
        Pairing {
            label: label.to_string(),
            first: vec![Firsts::default(); metrics.len()],
            second: Vec::new(),
            metrics,
        }
    }

    /// The values of each metric in one pair of replications, where both are finite.
    fn pairs<'a>(
        metrics: &'a [Metric],
        base: &'a ReplicationResult,
        alt: &'a ReplicationResult,
    ) -> impl Iterator<Item = (usize, f64, f64)> + 'a {
        metrics.iter().enumerate().filter_map(|(k, m)| {
            let (x, y) = (base.rows[m.base].value, alt.rows[m.alt].value);
            (x.is_finite() && y.is_finite()).then_some((k, x, y))
        })
    }

    /// One pair of replications of the first pass.
    pub(super) fn first(&mut self, base: &ReplicationResult, alt: &ReplicationResult) {
        debug_assert!(self.second.is_empty());
        for (k, x, y) in Self::pairs(&self.metrics, base, alt) {
            let f = &mut self.first[k];
            f.base.push(x);
            f.alt.push(y);
            f.diff.push(y - x);
        }
    }

    /// One pair of replications of the second pass: the pairs of the first, again, in order.
    pub(super) fn second(&mut self, base: &ReplicationResult, alt: &ReplicationResult) {
        if self.second.is_empty() {
            self.second = self
                .first
                .iter()
                .map(|f| Seconds {
                    base: f.base.second_pass(),
                    alt: f.alt.second_pass(),
                    diff: f.diff.second_pass(),
                })
                .collect();
        }
        for (k, x, y) in Self::pairs(&self.metrics, base, alt) {
            let s = &mut self.second[k];
            s.base.push(x);
            s.alt.push(y);
            s.diff.push(y - x);
        }
    }

    /// The elements whose `stable` verdict differs between the base and this alternative
    /// ([`crate::report::stability`], judged on the paired replications of each side): one
    /// line saying which no longer settle and which now do. Empty when nothing changes.
    pub(super) fn settling(&self) -> Option<String> {
        let summary = |k: usize, alt: bool| {
            let f = &self.first[k];
            let p = if alt { &f.alt } else { &f.base };
            match self.second.get(k) {
                Some(s) => p.finish(if alt { &s.alt } else { &s.base }),
                None => p.finish(&p.second_pass()),
            }
        };
        // Stability is judged over the whole window: its rows only.
        let index: HashMap<(&str, &str, &str), usize> = self
            .metrics
            .iter()
            .enumerate()
            .filter(|(_, m)| m.key.is_window())
            .map(|(k, m)| ((m.key.scope, m.key.id.as_str(), m.key.metric), k))
            .collect();
        let (mut worse, mut better) = (Vec::new(), Vec::new());
        for (k, m) in self.metrics.iter().enumerate() {
            let Some(level) = stability::level_of(m.key.metric).filter(|_| m.key.is_window())
            else {
                continue;
            };
            let verdict = |alt: bool| {
                let mean = index
                    .get(&(m.key.scope, m.key.id.as_str(), level))
                    .map_or(f64::NAN, |&j| summary(j, alt).mean);
                stability::verdict(&summary(k, alt), mean)
            };
            let name = format!("{}:{}", m.key.scope, m.key.id);
            match (verdict(false), verdict(true)) {
                (b, a) if b == 1.0 && a == 0.0 => worse.push(name),
                (b, a) if b == 0.0 && a == 1.0 => better.push(name),
                _ => {}
            }
        }
        if worse.is_empty() && better.is_empty() {
            return None;
        }
        let mut line = format!("{}:", self.label);
        let (flows, elements): (Vec<String>, Vec<String>) =
            worse.into_iter().partition(|w| w.starts_with("flow:"));
        if !elements.is_empty() {
            line += &format!(
                " {} no longer settle{};",
                elements.join(", "),
                if elements.len() == 1 { "s" } else { "" }
            );
        }
        if !flows.is_empty() {
            let ids: Vec<&str> = flows.iter().map(|f| &f["flow:".len()..]).collect();
            line += &format!(
                " the transit of {} now depends on the run's length;",
                ids.join(", ")
            );
        }
        if !better.is_empty() {
            line += &format!(" {} settle(s) where the base did not;", better.join(", "));
        }
        line.pop();
        line.push('.');
        Some(line)
    }

    /// The comparison of every metric, with Benjamini-Hochberg over this alternative's metrics.
    pub(super) fn finish(self) -> Vec<Comparison> {
        let mut out: Vec<Comparison> = self
            .metrics
            .iter()
            .zip(&self.first)
            .enumerate()
            .map(|(k, (m, f))| {
                let second = |p: &FirstPass, s: Option<SecondPass>| {
                    p.finish(&s.unwrap_or_else(|| p.second_pass()))
                };
                let s = self.second.get(k);
                let d = second(&f.diff, s.map(|s| s.diff));
                let b = second(&f.base, s.map(|s| s.base));
                // The alternative's mean alone is used: its first pass has it.
                let alt_mean = second(&f.alt, None).mean;
                let base_mean = b.mean;
                // A percentage of a base that cannot be told from 0 says nothing (+879% of
                // 0.02 h).
                let base_includes_zero = base_mean == 0.0 || base_mean.abs() <= b.ci95;
                let significant = (d.n >= 2 && d.ci95.is_finite()).then(|| d.mean.abs() > d.ci95);
                Comparison {
                    scope: m.key.scope.to_string(),
                    id: m.key.id.clone(),
                    metric: m.key.metric.to_string(),
                    unit: m.key.unit.to_string(),
                    base: base_mean,
                    alt_scenario: self.label.clone(),
                    alt: alt_mean,
                    diff: d.mean,
                    diff_ci95: d.ci95,
                    pct_change: if base_includes_zero {
                        f64::NAN
                    } else {
                        100.0 * d.mean / base_mean.abs()
                    },
                    significant,
                    p_value: paired_p(d.mean, d.std, d.n),
                    significant_bh: None,
                    n: d.n,
                    period: m.key.period.to_string(),
                }
            })
            .collect();
        // The false discovery rate is controlled over the metrics of this alternative, the
        // whole window's apart from each calendar period's: turning periods on changes none of
        // the whole window's rows.
        let mut periods: Vec<String> = Vec::new();
        for c in &out {
            if !periods.contains(&c.period) {
                periods.push(c.period.clone());
            }
        }
        for period in periods {
            let of: Vec<usize> = (0..out.len())
                .filter(|&i| out[i].period == period)
                .collect();
            let p: Vec<f64> = of.iter().map(|&i| out[i].p_value).collect();
            for (&i, s) in of.iter().zip(benjamini_hochberg(&p, FDR_Q)) {
                out[i].significant_bh = s;
            }
        }
        out
    }
}

/// Compares each alternative with the base from their replications, read in lockstep, twice:
/// `open` gives a reader of each scenario's replications, the base's first, then the
/// alternatives' in the order of `labels`. Every reader must hold the same replications with
/// the same seeds, in the same order (checked by the callers). Returns the comparisons of each
/// alternative, in the order of `labels`; memory holds one replication per scenario at a time.
pub(super) fn compare_streams<R: Read>(
    mut open: impl FnMut() -> Result<Vec<ReplicationReader<R>>>,
    labels: &[String],
) -> Result<Compared> {
    let mut pairings: Vec<Pairing> = Vec::new();
    for pass in [1, 2] {
        let mut readers = open()?;
        debug_assert_eq!(readers.len(), labels.len() + 1);
        // One replication per scenario, read into the place of the one before.
        let mut reps: Vec<ReplicationResult> = readers
            .iter()
            .map(|_| ReplicationResult {
                replication: 0,
                seed: 0,
                rows: Vec::new(),
                series: Default::default(),
            })
            .collect();
        loop {
            let got: Vec<bool> = readers
                .iter_mut()
                .zip(&mut reps)
                .map(|(r, rep)| r.next_into(rep))
                .collect::<Result<_>>()?;
            if got.iter().all(|g| !g) {
                break;
            }
            if got.iter().any(|g| !g) {
                return Err(unpaired(&readers));
            }
            let (base, alts) = (&reps[0], &reps[1..]);
            if alts
                .iter()
                .any(|a| (a.replication, a.seed) != (base.replication, base.seed))
            {
                return Err(unpaired(&readers));
            }
            if pairings.is_empty() {
                pairings = alts
                    .iter()
                    .zip(labels)
                    .map(|(a, label)| Pairing::new(base, a, label))
                    .collect();
            }
            for (p, a) in pairings.iter_mut().zip(alts) {
                match pass {
                    1 => p.first(base, a),
                    _ => p.second(base, a),
                }
            }
        }
    }
    if pairings.is_empty() {
        return Ok(Compared {
            per_alt: labels.iter().map(|_| Vec::new()).collect(),
            settling: Vec::new(),
        });
    }
    Ok(Compared {
        settling: pairings.iter().filter_map(Pairing::settling).collect(),
        per_alt: pairings.into_iter().map(Pairing::finish).collect(),
    })
}

/// What [`compare_streams`] finds.
pub(super) struct Compared {
    /// The comparisons of each alternative, in the order of the labels.
    pub per_alt: Vec<Vec<Comparison>>,
    /// A line per alternative where an element settles in one and not in the other.
    pub settling: Vec<String>,
}

/// Replications that cannot be paired, found while comparing (the callers check before).
fn unpaired<R: Read>(readers: &[ReplicationReader<R>]) -> Error {
    let files: Vec<String> = readers
        .iter()
        .map(|r| r.path().display().to_string())
        .collect();
    Error::Results {
        path: readers[0].path().to_path_buf(),
        message: format!(
            "cannot be paired with the other files ({}): they do not hold the same replications with the same seeds",
            files[1..].join(", ")
        ),
    }
}

/// Compares `alt` with `base` replication by replication, from replications held in memory:
/// what [`compare_streams`] computes from files. Both must hold the same replication numbers
/// with the same seeds, in the same order.
pub(super) fn paired_in_memory(
    base: &[ReplicationResult],
    alt: &[ReplicationResult],
    alt_name: &str,
) -> Vec<Comparison> {
    let (Some(b0), Some(a0)) = (base.first(), alt.first()) else {
        return Vec::new();
    };
    let mut p = Pairing::new(b0, a0, alt_name);
    for (b, a) in base.iter().zip(alt) {
        p.first(b, a);
    }
    for (b, a) in base.iter().zip(alt) {
        p.second(b, a);
    }
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{REPLICATIONS_HEADER, write_replication};

    fn reps(name: &str, values: &[[f64; 3]]) -> Vec<ReplicationResult> {
        values
            .iter()
            .enumerate()
            .map(|(r, v)| ReplicationResult {
                replication: r as u32,
                seed: 7,
                rows: vec![
                    Row::new("corridor", name, "delivered", "count", v[0]),
                    Row::new("node", "a", "wait_mean", "h", v[1]),
                    Row::new("node", "b", "wait_mean", "h", v[2]),
                ],
                series: Default::default(),
            })
            .collect()
    }

    fn csv(name: &str, reps: &[ReplicationResult]) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(REPLICATIONS_HEADER).unwrap();
        for r in reps {
            write_replication(&mut w, name, r).unwrap();
        }
        w.into_inner().unwrap()
    }

    /// The comparison read from files in lockstep is the one of the replications in memory,
    /// bit for bit; rows are matched by key whatever their order, corridor rows by metric.
    #[test]
    fn streams_give_what_memory_gives() {
        let base = reps(
            "base",
            &[[10.0, 0.1, 2.0], [12.0, f64::NAN, 2.5], [11.0, 0.3, 1e-9]],
        );
        let mut alt = reps(
            "alt",
            &[[11.0, 0.2, 2.0], [13.0, 0.1, f64::NAN], [11.5, 0.1, 3.0]],
        );
        for r in &mut alt {
            r.rows.reverse();
        }
        let files = [csv("base", &base), csv("alt", &alt)];
        let open = || {
            files
                .iter()
                .map(|f| ReplicationReader::new("r.csv".into(), std::io::Cursor::new(f)))
                .collect()
        };
        let streamed = compare_streams(open, &["alt".to_string()]).unwrap().per_alt;
        let held = paired_in_memory(&base, &alt, "alt");
        assert_eq!(held.len(), 3);
        assert_eq!(held[0].id, "base");
        assert_eq!((held[1].n, held[2].n), (2, 2));
        assert_eq!(format!("{:?}", streamed[0]), format!("{held:?}"));
        // As Summary::of the finite pairs gives (replications 0 and 2 of node a).
        let d = crate::engine::summary::Summary::of(&[0.2 - 0.1, 0.1 - 0.3]);
        let b = crate::engine::summary::Summary::of(&[0.1, 0.3]);
        assert_eq!(held[1].diff.to_bits(), d.mean.to_bits());
        assert_eq!(held[1].diff_ci95.to_bits(), d.ci95.to_bits());
        assert_eq!(held[1].base.to_bits(), b.mean.to_bits());
        assert_eq!(held[1].p_value, paired_p(d.mean, d.std, d.n));
    }
}
