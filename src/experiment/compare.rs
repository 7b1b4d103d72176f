//! `corridor compare BASE ALT [ALT...]`: paired comparison on common random numbers.
//!
//! Every scenario runs with the base's seed and replication count. Streams are keyed by (seed,
//! replication, stream name), so replication r of the base and of an alternative draw the same
//! random numbers wherever they share a node, link or flow. The difference of a metric is
//! therefore taken replication by replication, and its 95% interval is the paired-t one:
//! `t(0.975, n-1) * sd(alt_r - base_r) / sqrt(n)`. Positive correlation between the pairs makes
//! it narrower than the interval of two independent runs; the test suite shows it.
//!
//! `compare --results DIR_BASE DIR_ALT...` does the same from the `replications.csv` of
//! existing folders, without running, and refuses folders whose replications or seeds differ.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::manifest::{self, FILE as MANIFEST, sha256_hex};
use super::printout::Printout;
use super::results::read_replications;
use super::{Common, apply_counts, load, warn_unstable};
use crate::engine::summary::Summary;
use crate::error::{Error, Result};
use crate::report::{ComparisonCsv, ReplicationResult, ResultsFolder, Row};
use crate::run::{Runner, events};
use crate::scenario::Model;
use crate::scenario::overrides::Override;

pub use crate::report::{COMPARISON_HEADER as HEADER, Comparison};

/// Compares `alt` with `base` replication by replication. Both must hold the same replication
/// numbers with the same seeds, in the same order (checked by the callers); only metrics
/// present in both (same scope, id and metric) are compared, in the base's order. Corridor-scope
/// metrics, whose id is the scenario name, are matched by scope and metric; their row carries
/// the base's name.
pub fn paired(
    base: &[ReplicationResult],
    alt: &[ReplicationResult],
    alt_name: &str,
) -> Vec<Comparison> {
    let (Some(b0), Some(a0)) = (base.first(), alt.first()) else {
        return Vec::new();
    };
    // The corridor scope's id is the scenario name, which differs between scenarios: its rows
    // are matched by metric alone.
    let key_of = |r: &Row| -> (&'static str, String, &'static str) {
        let id = if r.scope == "corridor" {
            String::new()
        } else {
            r.id.clone()
        };
        (r.scope, id, r.metric)
    };
    let alt_ix: HashMap<_, usize> = a0
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (key_of(r), i))
        .collect();
    let mut out = Vec::new();
    for (i, key) in b0.rows.iter().enumerate() {
        let Some(&j) = alt_ix.get(&key_of(key)) else {
            continue;
        };
        let (mut bs, mut as_, mut ds) = (Vec::new(), Vec::new(), Vec::new());
        for (b, a) in base.iter().zip(alt) {
            let (x, y) = (b.rows[i].value, a.rows[j].value);
            if x.is_finite() && y.is_finite() {
                bs.push(x);
                as_.push(y);
                ds.push(y - x);
            }
        }
        let d = Summary::of(&ds);
        let base_mean = Summary::of(&bs).mean;
        let significant = (d.n >= 2 && d.ci95.is_finite()).then(|| d.mean.abs() > d.ci95);
        out.push(Comparison {
            scope: key.scope.to_string(),
            id: key.id.clone(),
            metric: key.metric.to_string(),
            unit: key.unit.to_string(),
            base: base_mean,
            alt_scenario: alt_name.to_string(),
            alt: Summary::of(&as_).mean,
            diff: d.mean,
            diff_ci95: d.ci95,
            pct_change: if base_mean != 0.0 {
                100.0 * d.mean / base_mean.abs()
            } else {
                f64::NAN
            },
            significant,
            n: d.n,
        });
    }
    out
}

/// Orders comparisons metric by metric (the base's order), the alternatives of one metric
/// together, in the order given.
fn interleave(per_alt: Vec<Vec<Comparison>>) -> Vec<Comparison> {
    let mut keyed: Vec<(usize, usize, Comparison)> = Vec::new();
    let mut order: HashMap<(String, String, String), usize> = HashMap::new();
    for (a, rows) in per_alt.into_iter().enumerate() {
        for c in rows {
            let next = order.len();
            let k = *order
                .entry((c.scope.clone(), c.id.clone(), c.metric.clone()))
                .or_insert(next);
            keyed.push((k, a, c));
        }
    }
    keyed.sort_by_key(|(k, a, _)| (*k, *a));
    keyed.into_iter().map(|(_, _, c)| c).collect()
}

fn num(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// The table of the metrics that changed significantly, as printed.
pub fn significant(rows: &[Comparison], reps: usize) -> String {
    let mut out = String::new();
    // The event count is bookkeeping, not a planning figure: it stays in the CSV only.
    let sig: Vec<&Comparison> = rows
        .iter()
        .filter(|c| c.significant == Some(true) && !(c.scope == "corridor" && c.metric == "events"))
        .collect();
    let _ = writeln!(
        out,
        "{} of {} compared metrics changed significantly (paired 95% interval of the difference excludes 0; {reps} paired replications):",
        sig.len(),
        rows.len()
    );
    if sig.is_empty() {
        out.push('\n');
        return out;
    }
    let cells: Vec<[String; 7]> = sig
        .iter()
        .map(|c| {
            [
                c.alt_scenario.clone(),
                format!("{} {}", c.scope, c.id),
                format!("{} ({})", c.metric, c.unit),
                num(c.base),
                num(c.alt),
                format!("{} ±{}", num(c.diff), num(c.diff_ci95)),
                if c.pct_change.is_finite() {
                    format!("{:+.1}%", c.pct_change)
                } else {
                    "-".into()
                },
            ]
        })
        .collect();
    let head = [
        "alternative",
        "where",
        "metric",
        "base",
        "alt",
        "diff ±95%",
        "change",
    ];
    let mut w = head.map(str::len);
    for r in &cells {
        for (k, c) in r.iter().enumerate() {
            w[k] = w[k].max(c.chars().count());
        }
    }
    let mut line = |r: &[String]| {
        let _ = writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {:>w4$}  {:>w5$}  {:>w6$}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4],
            w5 = w[5],
            w6 = w[6]
        );
    };
    line(&head.map(String::from));
    for r in &cells {
        line(r);
    }
    out.push('\n');
    out
}

/// Options of `corridor compare`.
#[derive(Clone, Debug, Default)]
pub struct CompareOptions {
    /// Base scenario file, or base results folder with `results`.
    pub base: PathBuf,
    /// Alternative scenario files (or results folders).
    pub alts: Vec<PathBuf>,
    /// `--alt PATH=VALUE[,PATH=VALUE...]`: alternatives that are the base with these changes,
    /// each with its label (the option's value as given).
    pub alt_sets: Vec<(String, Vec<Override>)>,
    /// `--results`: compare existing folders, run nothing.
    pub results: bool,
    /// `--out` (default `results/compare-<base name>`).
    pub out: Option<PathBuf>,
    /// Shared options.
    pub common: Common,
}

fn check_names(names: &[String]) -> Result<()> {
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(Error::Usage(format!(
                "two alternatives are both named \"{n}\"; comparison.csv tells them apart by scenario name (or by the --alt text), so give each a distinct [scenario] name"
            )));
        }
    }
    Ok(())
}

/// Parses `--alt PATH=VALUE[,PATH=VALUE...]`: one alternative, the base with these changes.
pub fn parse_alt(arg: &str) -> Result<(String, Vec<Override>)> {
    let ovs = arg
        .split(',')
        .map(|part| Override::parse("--alt", part.trim()))
        .collect::<Result<Vec<_>>>()?;
    Ok((arg.to_string(), ovs))
}

/// Runs `corridor compare`; returns what to print.
pub fn compare(opts: &CompareOptions) -> Result<Printout> {
    if opts.alts.is_empty() && opts.alt_sets.is_empty() {
        return Err(Error::Usage(
            "compare needs a base and at least one alternative: corridor compare BASE.toml ALT.toml [ALT2.toml ...], or BASE.toml --alt PATH=VALUE".into(),
        ));
    }
    if opts.results {
        if !opts.alt_sets.is_empty() {
            return Err(Error::Usage(
                "--alt does not apply to compare --results, which runs nothing".into(),
            ));
        }
        return compare_folders(opts);
    }
    let start = Instant::now();
    let c = &opts.common;
    let base = load(&opts.base, &c.sets, &c.digitisation)?;
    let mut base_model = base.model().clone();
    apply_counts(&mut base_model, c)?;
    let mut alts = Vec::with_capacity(opts.alts.len());
    let files = opts.alts.iter().map(|f| (f, Vec::new(), None));
    let sets = opts
        .alt_sets
        .iter()
        .map(|(label, ovs)| (&opts.base, ovs.clone(), Some(label.clone())));
    for (f, extra, label) in files.chain(sets) {
        let mut ovs = c.sets.clone();
        ovs.extend(extra);
        let l = load(f, &ovs, &c.digitisation)?;
        let mut m = l.model().clone();
        // Common random numbers: the base's seed and replication count for every scenario.
        m.seed = base_model.seed;
        m.replications = base_model.replications;
        let label = label.unwrap_or_else(|| m.name.clone());
        alts.push((l, m, label));
    }
    check_names(&alts.iter().map(|a| a.2.clone()).collect::<Vec<_>>())?;
    let runner = Runner::new(c.jobs, c.quiet)?;
    warn_unstable(&base_model);
    for (_, m, _) in &alts {
        warn_unstable(m);
    }
    let mut folder = ResultsFolder::new(
        opts.out
            .clone()
            .unwrap_or_else(|| Path::new("results").join(format!("compare-{}", base_model.name))),
    )?;
    let models: Vec<&Model> = std::iter::once(&base_model)
        .chain(alts.iter().map(|(_, m, _)| m))
        .collect();
    let r = base_model.replications;
    let tasks: Vec<(&Model, u32)> = models
        .iter()
        .flat_map(|&m| (0..r).map(move |i| (m, i)))
        .collect();
    let label = format!(
        "compare {} vs {} alternative(s)",
        base_model.name,
        alts.len()
    );
    let results = runner.run(&label, &tasks)?;
    let wall = start.elapsed();
    let per: Vec<&[ReplicationResult]> = results.chunks(r as usize).collect();
    let rows = interleave(
        alts.iter()
            .enumerate()
            .map(|(k, (_, _, label))| paired(per[0], per[k + 1], label))
            .collect(),
    );
    let mut scenarios = vec![base.entry("base")];
    scenarios.extend(alts.iter().map(|(l, _, _)| l.entry("alt")));
    let mut m = manifest::new(
        "compare",
        c,
        scenarios,
        (base_model.seed, base_model.replications),
        runner.threads(),
        start,
    );
    folder.add(&ComparisonCsv { rows: &rows })?;
    let written = folder.commit(&mut m)?;
    let mut p = Printout {
        stdout: significant(&rows, r as usize),
        stderr: String::new(),
    };
    p.written(&written);
    p.speed(
        events(&results),
        wall,
        &format!("{} scenario(s) x {r} replication(s)", models.len()),
    );
    Ok(p)
}

fn compare_folders(opts: &CompareOptions) -> Result<Printout> {
    let start = Instant::now();
    let c = &opts.common;
    if !c.sets.is_empty() || c.replications.is_some() || c.seed.is_some() {
        return Err(Error::Usage(
            "--set, --replications and --seed do not apply to compare --results, which runs nothing".into(),
        ));
    }
    if !c.digitisation.is_empty() {
        return Err(Error::Usage(
            "--digitisation does not apply to compare --results, which runs nothing".into(),
        ));
    }
    let (base_name, base) = read_replications(&opts.base)?;
    let inputs: Vec<&PathBuf> = std::iter::once(&opts.base).chain(&opts.alts).collect();
    let mut folder = ResultsFolder::new(
        opts.out
            .clone()
            .unwrap_or_else(|| Path::new("results").join(format!("compare-{base_name}"))),
    )?
    .refuse_inputs(&inputs)?;
    let key = |reps: &[ReplicationResult]| -> Vec<(u32, u64)> {
        reps.iter().map(|r| (r.replication, r.seed)).collect()
    };
    if base.is_empty() {
        return Err(Error::Results {
            path: opts.base.join("replications.csv"),
            message: "holds no replications".into(),
        });
    }
    let mut per_alt = Vec::new();
    let mut names = Vec::new();
    for dir in &opts.alts {
        let (name, alt) = read_replications(dir)?;
        if key(&alt) != key(&base) {
            let show = |v: &[(u32, u64)]| {
                let seeds: std::collections::BTreeSet<u64> = v.iter().map(|x| x.1).collect();
                format!(
                    "{} replication(s) numbered {}..{}, seed(s) {:?}",
                    v.len(),
                    v.first().map_or(0, |x| x.0),
                    v.last().map_or(0, |x| x.0),
                    seeds
                )
            };
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "cannot be paired with {}: it holds {}, the base holds {}; a paired comparison needs the same replications with the same seed (rerun with the base's --seed and --replications, or use corridor compare on the scenario files)",
                    opts.base.display(),
                    show(&key(&alt)),
                    show(&key(&base))
                ),
            });
        }
        per_alt.push(paired(&base, &alt, &name));
        names.push(name);
    }
    check_names(&names)?;
    let rows = interleave(per_alt);
    let mut m = manifest::new(
        "compare",
        c,
        Vec::new(),
        (base[0].seed, base.len() as u32),
        1,
        start,
    );
    m.compared_folders = inputs
        .iter()
        .map(|d| {
            let h = std::fs::read(d.join(MANIFEST)).ok().map(|b| sha256_hex(&b));
            match h {
                Some(h) => format!("{} (manifest.json sha256 {h})", d.display()),
                None => format!("{} (no manifest.json)", d.display()),
            }
        })
        .collect();
    folder.add(&ComparisonCsv { rows: &rows })?;
    let written = folder.commit(&mut m)?;
    let mut p = Printout {
        stdout: significant(&rows, base.len()),
        stderr: String::new(),
    };
    p.written(&written);
    Ok(p)
}
