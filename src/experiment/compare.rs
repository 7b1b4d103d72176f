//! `corridor compare BASE ALT [ALT...]`: paired comparison on common random numbers.
//!
//! Every scenario runs with the base's seed and replication count. Streams are keyed by (seed,
//! replication, stream name), so replication r of the base and of an alternative draw the same
//! random numbers wherever they share a node, link or flow. The difference of a metric is
//! therefore taken replication by replication, and its 95% interval is the paired-t one:
//! `t(0.975, n-1) * sd(alt_r - base_r) / sqrt(n)`. Positive correlation between the pairs makes
//! it narrower than the interval of two independent runs; the test suite shows it.
//!
//! A comparison tests hundreds of metrics at once, so some intervals exclude 0 by chance alone.
//! Each metric also gets the two-sided p-value of its paired t-test, and Benjamini-Hochberg at
//! q = 0.05 over the metrics of one alternative decides `significant_bh`: among the metrics it
//! calls changed, at most 5% are expected to be false discoveries.
//!
//! `compare --results DIR_BASE DIR_ALT...` does the same from the `replications.csv` of
//! existing folders, without running, and refuses folders whose replications or seeds differ.

mod headline;
mod paired;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::manifest::{self, FILE as MANIFEST, sha256_hex};
use super::outdir::{check_replace, default_dir};
use super::printout::Printout;
use super::results::ReplicationReader;
use super::{Common, apply_counts, changes_scenario, load, warn_unstable_at};
use crate::error::{Error, Result};
use crate::report::layout::terminal_width;
use crate::report::{ComparisonCsv, ReplicationResult, ResultsFolder};
use crate::run::{ReplicationStream, Runner};
use crate::scenario::Model;
use crate::scenario::overrides::{Override, split_list};

pub use crate::report::{COMPARISON_HEADER as HEADER, Comparison};
pub use headline::headline;
use paired::compare_streams;

/// The false discovery rate of `significant_bh`: Benjamini-Hochberg at q = 0.05.
pub const FDR_Q: f64 = 0.05;

/// Compares `alt` with `base` replication by replication. Both must hold the same replication
/// numbers with the same seeds, in the same order (checked by the callers); only metrics
/// present in both (same scope, id and metric) are compared, in the base's order. Corridor-scope
/// metrics, whose id is the scenario name, are matched by scope and metric; their row carries
/// the base's name. The commands compute the same from files, holding one replication of each
/// scenario at a time.
pub fn paired(
    base: &[ReplicationResult],
    alt: &[ReplicationResult],
    alt_name: &str,
) -> Vec<Comparison> {
    paired::paired_in_memory(base, alt, alt_name)
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

/// Options of `corridor compare`.
#[derive(Clone, Debug, Default)]
pub struct CompareOptions {
    /// Base scenario file, or base results folder with `results`.
    pub base: PathBuf,
    /// Alternative scenario files (or results folders).
    pub alts: Vec<PathBuf>,
    /// `--alt [NAME:]PATH=VALUE[,PATH=VALUE...]`: alternatives that are the base with these
    /// changes, each with its label (its NAME, else the option's value as given).
    pub alt_sets: Vec<(String, Vec<Override>)>,
    /// `--results`: compare existing folders, run nothing.
    pub results: bool,
    /// `--out` (default `results/compare-<base name>`, with `-<hash>` after it when `--set`,
    /// `--digitisation` or `--alt` change the scenarios).
    pub out: Option<PathBuf>,
    /// `--min-change`: the smallest change, in percent of the base, that the printed headline
    /// calls a change (comparison.csv does not depend on it).
    pub min_change: Option<f64>,
    /// `--report`: also write `report.html` (see [`crate::report::html`]) into the folder once
    /// its results are committed.
    pub report: bool,
    /// Shared options.
    pub common: Common,
}

fn check_names(names: &[String]) -> Result<()> {
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(Error::Usage(format!(
                "two alternatives are both named \"{n}\"; comparison.csv tells them apart by name (a file's [scenario] name, an --alt's NAME: or its text), so give each a distinct name"
            )));
        }
    }
    Ok(())
}

fn bad_alt(arg: &str, message: impl Into<String>) -> Error {
    Error::Param {
        flag: "--alt",
        arg: arg.to_string(),
        message: message.into(),
    }
}

/// Parses `--alt [NAME:]PATH=VALUE[,PATH=VALUE...]`: one alternative, the base with these
/// changes, and its label. NAME is the text before the first `:` when that `:` comes before the
/// first `=` and the text holds no `.` (so `scenario.start=08:00` has no name); without a name
/// the label is the text as given. Commas inside a quoted value do not separate changes.
pub fn parse_alt(arg: &str) -> Result<(String, Vec<Override>)> {
    let (name, list) = match (arg.find(':'), arg.find('=')) {
        (Some(c), Some(e)) if c < e && !arg[..c].contains('.') => {
            (Some(arg[..c].trim()), &arg[c + 1..])
        }
        _ => (None, arg),
    };
    if name == Some("") {
        return Err(bad_alt(
            arg,
            "the name before ':' is empty; write NAME:PATH=VALUE, e.g. aktau3:nodes.PORT_AKTAU.servers=3, or leave out the ':'",
        ));
    }
    let ovs = split_list(list)
        .map_err(|m| bad_alt(arg, m))?
        .iter()
        .map(|part| Override::parse("--alt", part))
        .collect::<Result<Vec<_>>>()?;
    Ok((name.map_or_else(|| arg.to_string(), str::to_string), ovs))
}

/// Parses `--min-change`: a percentage, `1%` or `1` (the `%` is optional).
pub fn parse_min_change(arg: &str) -> Result<f64> {
    let v = arg
        .trim()
        .strip_suffix('%')
        .unwrap_or(arg.trim())
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0);
    v.ok_or_else(|| Error::Param {
        flag: "--min-change",
        arg: arg.to_string(),
        message: "expected a percentage of the base, 0 or more, e.g. 1% or 0.5%".into(),
    })
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
    let base = load(&opts.base, &c.sets, &c.digitisation, c.access)?;
    let mut base_model = base.model().clone();
    super::no_auto_warmup(&base_model, "compare")?;
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
        let l = load(f, &ovs, &c.digitisation, c.access)?;
        let mut m = l.model().clone();
        super::no_auto_warmup(&m, "compare")?;
        // Common random numbers: the base's seed and replication count for every scenario.
        m.seed = base_model.seed;
        m.replications = base_model.replications;
        let label = label.unwrap_or_else(|| m.name.clone());
        alts.push((l, m, label));
    }
    check_names(&alts.iter().map(|a| a.2.clone()).collect::<Vec<_>>())?;
    let runner = Runner::new(c.jobs, c.quiet)?;
    // Each scenario's warnings name it: two scenarios may warn about the same resource.
    warn_unstable_at(&base_model, &format!("{}: ", base_model.name));
    for (_, m, label) in &alts {
        warn_unstable_at(m, &format!("{label}: "));
    }
    let mut scenarios = vec![base.entry("base")];
    scenarios.extend(alts.iter().map(|(l, _, label)| {
        // An alternative is known by its label everywhere: comparison.csv, tables, manifest.
        let mut e = l.entry("alt");
        e.name = label.clone();
        e
    }));
    let dir = opts.out.clone().unwrap_or_else(|| {
        default_dir(
            &format!("compare-{}", base_model.name),
            "",
            changes_scenario(c) || !opts.alt_sets.is_empty(),
            &scenarios,
        )
    });
    let mut folder = ResultsFolder::new(&dir)?;
    check_replace(&folder, &dir, "compare", &scenarios, &[], c.force)?;
    let models: Vec<&Model> = std::iter::once(&base_model)
        .chain(alts.iter().map(|(_, m, _)| m))
        .collect();
    let r = base_model.replications;
    let label = format!(
        "compare {} vs {} alternative(s)",
        base_model.name,
        alts.len()
    );
    // Each scenario's replications go to a hidden file beside the folder as they complete
    // (never committed, removed at the end); the comparison reads them back in lockstep, so
    // memory does not grow with the replications.
    let mut streams = models
        .iter()
        .map(|m| ReplicationStream::new(&folder, &m.name))
        .collect::<Result<Vec<_>>>()?;
    let tasks = models.iter().flat_map(|&m| (0..r).map(move |i| Ok((m, i))));
    let mut handed = 0usize;
    runner.run_each(&label, models.len() * r as usize, tasks, |rep| {
        let k = handed / r as usize;
        handed += 1;
        streams[k].take(&rep)
    })?;
    let wall = start.elapsed();
    let events: u64 = streams.iter().map(ReplicationStream::events).sum();
    let mut files = streams
        .into_iter()
        .map(ReplicationStream::into_scratch)
        .collect::<Result<Vec<_>>>()?;
    let labels: Vec<String> = alts.iter().map(|a| a.2.clone()).collect();
    let compared = compare_streams(
        || {
            files
                .iter_mut()
                .map(|f| {
                    let path = f.path().to_path_buf();
                    let back = f.read_back().map_err(|e| Error::Output {
                        path: path.clone(),
                        source: e,
                    })?;
                    ReplicationReader::new(path, back)
                })
                .collect()
        },
        &labels,
    )?;
    drop(files);
    let rows = interleave(compared.per_alt);
    let mut m = manifest::new(
        "compare",
        c,
        scenarios,
        (base_model.seed, base_model.replications),
        runner.threads(),
        start,
    );
    folder.add(&ComparisonCsv { rows: &rows })?;
    let mut written = folder.commit(&mut m)?;
    if opts.report {
        written.push(crate::report::html::write(&dir, None)?);
    }
    let mut p = Printout {
        stdout: headline(
            &rows,
            r as usize,
            &base_model.name,
            opts.min_change,
            terminal_width(),
        ),
        stderr: String::new(),
    };
    settling_lines(&mut p, &compared.settling);
    p.written(&written);
    p.speed(
        events,
        wall,
        &format!("{} scenario(s) x {r} replication(s)", models.len()),
    );
    Ok(p)
}

/// The data files a folder's manifest records, `[path, SHA-256]` (none without a manifest).
fn data_files(dir: &Path) -> Vec<(String, String)> {
    manifest::Manifest::read(dir)
        .map(|(m, _)| m.scenarios.into_iter().flat_map(|s| s.data_files).collect())
        .unwrap_or_default()
}

/// Warns when the folders `base` and `alt` read the same data file (the same path) with other
/// bytes: the comparison then includes that change of data. Not an error, since an alternative
/// may be a change of data on purpose.
fn warn_other_data(base: &Path, alt: &Path) {
    let theirs = data_files(alt);
    for (path, hash) in data_files(base) {
        if let Some((_, other)) = theirs.iter().find(|t| t.0 == path && t.1 != hash) {
            eprintln!(
                "warning: {} and {} read the data file {path} with other bytes (SHA-256 {} and {}); the differences include that change of data",
                base.display(),
                alt.display(),
                &hash[..hash.len().min(12)],
                &other[..other.len().min(12)]
            );
        }
    }
}

/// Most distinct seeds a message lists.
const SEEDS_SHOWN: usize = 10;

/// What a folder's replications.csv holds, in short: for the message that refuses to pair two
/// folders, and the count and seed of the comparison.
#[derive(Default)]
struct Held {
    count: usize,
    first: u32,
    last: u32,
    /// The seed of the first replication.
    seed: u64,
    /// Its distinct seeds, up to [`SEEDS_SHOWN`], and whether there are more.
    seeds: BTreeSet<u64>,
    more_seeds: bool,
    /// Whether it holds the same replications with the same seeds, in the same order, as the
    /// folder it was read beside (true without one).
    paired: bool,
}

impl Held {
    fn describe(&self) -> String {
        format!(
            "{} replication(s) numbered {}..{}, seed(s) {:?}{}",
            self.count,
            self.first,
            self.last,
            self.seeds,
            if self.more_seeds { " and more" } else { "" }
        )
    }
}

/// Reads the replications.csv of the folder `dir` through, checking it (see
/// [`ReplicationReader`]), one replication at a time; with `beside`, reads that folder's
/// replications in lockstep to tell whether the two can be paired. Returns the scenario name
/// and what the file holds.
fn scan(dir: &Path, beside: Option<&Path>) -> Result<(String, Held)> {
    let mut reader = ReplicationReader::open(dir)?;
    let mut other = beside.map(ReplicationReader::open).transpose()?;
    let mut held = Held {
        paired: true,
        ..Held::default()
    };
    let empty = || ReplicationResult {
        replication: 0,
        seed: 0,
        rows: Vec::new(),
        series: Default::default(),
    };
    let (mut rep, mut theirs) = (empty(), empty());
    while reader.next_into(&mut rep)? {
        if held.count == 0 {
            (held.first, held.seed) = (rep.replication, rep.seed);
        }
        held.count += 1;
        held.last = rep.replication;
        if held.seeds.len() < SEEDS_SHOWN {
            held.seeds.insert(rep.seed);
        } else if !held.seeds.contains(&rep.seed) {
            held.more_seeds = true;
        }
        if held.paired
            && let Some(o) = &mut other
        {
            held.paired = o.next_into(&mut theirs)?
                && (theirs.replication, theirs.seed) == (rep.replication, rep.seed);
        }
    }
    if held.paired
        && let Some(o) = &mut other
    {
        held.paired = !o.next_into(&mut theirs)?;
    }
    Ok((reader.name().unwrap_or_default().to_string(), held))
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
    let (base_name, base) = scan(&opts.base, None)?;
    let inputs: Vec<&PathBuf> = std::iter::once(&opts.base).chain(&opts.alts).collect();
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(format!("compare-{base_name}")));
    let mut folder = ResultsFolder::new(&dir)?.refuse_inputs(&inputs)?;
    let compared: Vec<String> = inputs.iter().map(|d| d.display().to_string()).collect();
    check_replace(&folder, &dir, "compare", &[], &compared, c.force)?;
    if base.count == 0 {
        return Err(Error::Results {
            path: opts.base.join("replications.csv"),
            message: "holds no replications".into(),
        });
    }
    let mut names = Vec::new();
    for dir in &opts.alts {
        warn_other_data(&opts.base, dir);
        let (name, alt) = scan(dir, Some(&opts.base))?;
        if !alt.paired {
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "cannot be paired with {}: it holds {}, the base holds {}; a paired comparison needs the same replications with the same seed (rerun with the base's --seed and --replications, or use corridor compare on the scenario files)",
                    opts.base.display(),
                    alt.describe(),
                    base.describe()
                ),
            });
        }
        names.push(name);
    }
    check_names(&names)?;
    // Every folder was read through and checked; now the comparison itself, the folders read
    // again in lockstep, one replication of each at a time.
    let open = || inputs.iter().map(|d| ReplicationReader::open(d)).collect();
    let compared = compare_streams(open, &names)?;
    let rows = interleave(compared.per_alt);
    let mut m = manifest::new(
        "compare",
        c,
        Vec::new(),
        (base.seed, base.count as u32),
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
    let mut written = folder.commit(&mut m)?;
    if opts.report {
        written.push(crate::report::html::write(&dir, None)?);
    }
    let mut p = Printout {
        stdout: headline(
            &rows,
            base.count,
            &base_name,
            opts.min_change,
            terminal_width(),
        ),
        stderr: String::new(),
    };
    settling_lines(&mut p, &compared.settling);
    p.written(&written);
    Ok(p)
}

/// Appends to the printout, after the headline, which elements settle in the base and not in
/// an alternative (or the other way round).
fn settling_lines(p: &mut Printout, settling: &[String]) {
    if settling.is_empty() {
        return;
    }
    p.line("Does it settle? (a queue that still grows at the horizon; see summary.csv `stable`)");
    for line in settling {
        p.line(line);
    }
    p.line("");
}
