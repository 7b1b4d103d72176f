//! `corridor run`: one scenario's replications, with `--set`, `--shard` and `--precision`.

use std::path::PathBuf;
use std::time::Instant;

use super::manifest::{self, ShardEntry};
use super::outdir::{check_replace, default_dir};
use super::precision::{self, Target};
use super::printout::Printout;
use super::shard::Shard;
use super::{Common, add_map, apply_counts, changes_scenario, load, warn_unstable};
use crate::error::{Error, Result};
use crate::report::{self, BottlenecksCsv, ResultsFolder, SummaryCsv};
use crate::run::{
    ReplicationStream, Runner, SeriesReplicationStream, TimeseriesStream, Trace, TraceStream,
};
use crate::scenario::Network;

/// Options of `corridor run`.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// `--out` (default `results/<name>`, `results/<name>-<hash>` with `--set` or
    /// `--digitisation`, and `.../shard-K-of-N` inside it for a shard).
    pub out: Option<PathBuf>,
    /// `--shard K/N`.
    pub shard: Option<Shard>,
    /// `--precision METRIC:ID:REL`.
    pub precision: Option<Target>,
    /// `--max-replications`.
    pub max_replications: Option<u32>,
    /// `--report`: also write `report.html` (see [`crate::report::html`]) into the folder once
    /// its results are committed.
    pub report: bool,
    /// `--trace N`: the event log of replications `0..N` (see [`crate::run::TraceStream`]).
    pub trace: Option<u32>,
    /// Shared options.
    pub common: Common,
}

/// Runs `corridor run`; returns what to print.
pub fn run(opts: &RunOptions) -> Result<Printout> {
    let start = Instant::now();
    let c = &opts.common;
    if opts.max_replications.is_some() && opts.precision.is_none() {
        return Err(Error::Usage(
            "--max-replications only applies with --precision METRIC:ID:REL".into(),
        ));
    }
    if opts.report && opts.shard.is_some() {
        return Err(Error::Usage(
            "--report and --shard cannot be combined: a shard holds part of the replications; merge the shards, then run corridor report on the merged folder".into(),
        ));
    }
    if opts.precision.is_some() && opts.shard.is_some() {
        return Err(Error::Usage(
            "--precision and --shard cannot be combined: how many replications precision mode runs depends on all of them; run precision mode on one machine, or shard a fixed --replications".into(),
        ));
    }
    if opts.trace.is_some() && (opts.shard.is_some() || opts.precision.is_some()) {
        return Err(Error::Usage(
            "--trace cannot be combined with --shard or --precision: run the replications to trace on their own".into(),
        ));
    }
    let loaded = load(&opts.scenario, &c.sets, &c.digitisation, c.access)?;
    // The manifest's entry (with its copy of the resolved text), then the model moved out: the
    // rest of what was loaded (the text again, 6 MB for a 10,000-station corridor) goes before
    // the run.
    let entry = loaded.entry("scenario");
    let mut model = loaded.resolved.model;
    apply_counts(&mut model, c)?;
    if let Some(n) = opts.trace
        && !(1..=model.replications).contains(&n)
    {
        return Err(Error::Usage(format!(
            "--trace {n} is not allowed; must be a whole number from 1 to the replications ({})",
            model.replications
        )));
    }
    let auto_warmup = if model.warmup_auto {
        Some(super::warmup::choose(&mut model, c.jobs)?)
    } else {
        None
    };
    let runner = Runner::new(c.jobs, c.quiet)?;
    warn_unstable(&model);
    let default_dir = default_dir(
        &model.name,
        "",
        changes_scenario(c),
        std::slice::from_ref(&entry),
    );
    let dir = match (&opts.out, opts.shard) {
        (Some(out), _) => out.clone(),
        (None, Some(shard)) => default_dir.join(shard.folder_name()),
        (None, None) => default_dir,
    };
    let mut folder = ResultsFolder::new(&dir)?;
    check_replace(
        &folder,
        &dir,
        "run",
        std::slice::from_ref(&entry),
        &[],
        c.force,
    )?;
    let mut p = Printout::default();

    if let Some(shard) = opts.shard {
        let numbers = shard.replications(model.replications);
        let mut reps = ReplicationStream::new(&folder, &model.name)?;
        let mut series = SeriesReplicationStream::new(&folder, &model)?;
        let tasks = numbers.iter().map(|&r| Ok((&model, r)));
        let label = format!("{} shard {shard}", model.name);
        runner.run_each(&label, numbers.len(), tasks, |r| {
            reps.take(&r)?;
            series.take(&r)
        })?;
        let events = reps.events();
        reps.finish_rows(&mut folder)?;
        series.finish(&mut folder)?;
        let mut m = manifest::new(
            "run",
            c,
            vec![entry],
            (model.seed, model.replications),
            runner.threads(),
            start,
        );
        m.bins = Some(manifest::bins_of(&model));
        m.auto_warmup = auto_warmup.clone();
        m.shard = Some(ShardEntry {
            index: shard.index,
            count: shard.count,
            replication_numbers: numbers.clone(),
            points: Vec::new(),
        });
        let written = folder.commit(&mut m)?;
        p.line(format_args!(
            "{}: shard {shard} ran {} of {} replication(s): {}",
            model.name,
            numbers.len(),
            model.replications,
            shard.describe(model.replications)
        ));
        p.line(format_args!(
            "merge all {} shard folders with: corridor merge DIR... --out RESULTS",
            shard.count
        ));
        p.written(&written);
        p.speed(
            events,
            start.elapsed(),
            &format!("{} replication(s)", numbers.len()),
        );
        return Ok(p);
    }

    // Rows go to replications.csv as replications complete, and bin values to a scratch
    // file; the summary and timeseries.csv are computed from the files, so memory does not
    // grow with the number of replications.
    let mut reps = ReplicationStream::new(&folder, &model.name)?;
    let mut series = TimeseriesStream::new(&folder, &model.name, model.start_day)?;
    let mut trace = match opts.trace {
        Some(_) => Some(TraceStream::new(&folder, &model)?),
        None => None,
    };
    let mut take = |r: report::ReplicationResult| {
        series.take(&r.series)?;
        reps.take_owned(r)
    };
    let outcome = match &opts.precision {
        Some(t) => {
            let max = opts.max_replications.unwrap_or(precision::DEFAULT_MAX);
            Some(precision::run_until(&runner, &model, t, max, &mut take)?)
        }
        None => {
            let tasks = (0..model.replications).map(|r| Ok((&model, r)));
            let n = model.replications as usize;
            let traced = opts.trace.map(|n| Trace::new(&folder, n));
            runner.run_each_traced(&model.name, n, tasks, traced.as_ref(), |r, parts| {
                if let (Some(t), Some(p)) = (trace.as_mut(), parts) {
                    t.take(p)?;
                }
                take(r)
            })?;
            None
        }
    };
    if outcome.is_some() {
        model.replications = reps.replications();
    }
    let wall = start.elapsed();
    let events = reps.events();
    // timeseries.csv first, so that its passes are given back before the summary is built
    // (the peak of a large network's memory); added after replications.csv, as before.
    let timeseries = series.write(&folder)?;
    let summary = reps.finish(&mut folder)?;
    folder.add_streamed(timeseries)?;
    if let Some(t) = trace {
        t.finish(&mut folder)?;
    }
    let mut m = manifest::new(
        "run",
        c,
        vec![entry],
        (model.seed, model.replications),
        runner.threads(),
        start,
    );
    m.precision = outcome.clone();
    m.bins = Some(manifest::bins_of(&model));
    m.auto_warmup = auto_warmup;
    folder.add(&SummaryCsv {
        scenario: &model.name,
        rows: &summary,
    })?;
    // One index of the summary for the bottlenecks, the table and the warnings.
    let index = report::SummaryIndex::new(&summary);
    folder.add(&BottlenecksCsv {
        scenario: &model.name,
        rows: &summary,
        index: Some(&index),
    })?;
    let map_warning = add_map(&mut folder, &Network::of(&model), &summary)?;
    let mut written = folder.commit(&mut m)?;
    if opts.report {
        written.push(report::html::write(&dir, None)?);
    }
    let mut table = Vec::new();
    let _ = report::print_table_in(&mut table, &model, &index);
    p.stdout = String::from_utf8_lossy(&table).into_owned();
    p.line("");
    if let Some(o) = &outcome {
        p.line(o.describe());
    }
    p.written(&written);
    p.speed(
        events,
        wall,
        &format!("{} replication(s)", model.replications),
    );
    for w in report::warnings_in(&index) {
        p.stderr.push_str(&w);
        p.stderr.push('\n');
    }
    p.stderr.extend(map_warning);
    Ok(p)
}
