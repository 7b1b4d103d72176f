//! `corridor run`: one scenario's replications, with `--set`, `--shard` and `--precision`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::manifest::{FILE as MANIFEST, Manifest, ShardEntry, now_unix};
use super::precision::{self, Target};
use super::shard::Shard;
use super::{
    Common, Runner, apply_counts, events, load, print_written, report_speed, warn_unstable,
};
use crate::error::{Error, Result};
use crate::report::{self, ReplicationResult};
use crate::scenario::Model;

/// Options of `corridor run`.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// `--out` (default `results/<name>`, or `results/<name>/shard-K-of-N` for a shard).
    pub out: Option<PathBuf>,
    /// `--shard K/N`.
    pub shard: Option<Shard>,
    /// `--precision METRIC:ID:REL`.
    pub precision: Option<Target>,
    /// `--max-replications`.
    pub max_replications: Option<u32>,
    /// Shared options.
    pub common: Common,
}

/// A manifest for one scenario's results.
pub(crate) fn manifest(
    kind: &str,
    common: &Common,
    scenarios: Vec<super::manifest::ScenarioEntry>,
    (seed, replications): (u64, u32),
    jobs: usize,
    start: Instant,
) -> Manifest {
    Manifest {
        corridor_version: env!("CARGO_PKG_VERSION").to_string(),
        kind: kind.to_string(),
        command_line: common.command_line.clone(),
        written_unix: now_unix(),
        scenarios,
        seed,
        replications,
        jobs,
        wall_seconds: start.elapsed().as_secs_f64(),
        precision: None,
        shard: None,
        sweep: None,
        compared_folders: Vec::new(),
        merged_from: Vec::new(),
        outputs: Default::default(),
    }
}

/// Writes summary.csv, replications.csv and manifest.json into `dir`, all or nothing.
pub(crate) fn write_run(
    dir: &Path,
    model_name: &str,
    reps: &[ReplicationResult],
    summary: &[report::SummaryRow],
    manifest: &mut Manifest,
) -> Result<Vec<PathBuf>> {
    let s = report::summary_bytes(model_name, summary, &dir.join("summary.csv"))?;
    let r = report::replications_bytes(model_name, reps, &dir.join("replications.csv"))?;
    let files = vec![("summary.csv", s), ("replications.csv", r)];
    let m = manifest.to_bytes(&files)?;
    let mut all = files;
    all.push((MANIFEST, m));
    report::write_atomically(dir, &all)
}

/// Runs `corridor run`.
pub fn run(opts: &RunOptions) -> Result<()> {
    let start = Instant::now();
    let c = &opts.common;
    if opts.max_replications.is_some() && opts.precision.is_none() {
        return Err(Error::Usage(
            "--max-replications only applies with --precision METRIC:ID:REL".into(),
        ));
    }
    if opts.precision.is_some() && opts.shard.is_some() {
        return Err(Error::Usage(
            "--precision and --shard cannot be combined: how many replications precision mode runs depends on all of them; run precision mode on one machine, or shard a fixed --replications".into(),
        ));
    }
    let loaded = load(&opts.scenario, &c.sets, &c.digitisation, c.access)?;
    let mut model = loaded.model().clone();
    apply_counts(&mut model, c)?;
    let entry = loaded.entry("scenario");
    let runner = Runner::new(c.jobs, c.quiet)?;
    warn_unstable(&model);

    if let Some(shard) = opts.shard {
        let numbers = shard.replications(model.replications);
        let tasks: Vec<(&Model, u32)> = numbers.iter().map(|&r| (&model, r)).collect();
        let reps = runner.run(&format!("{} shard {shard}", model.name), &tasks);
        let dir = opts
            .out
            .clone()
            .unwrap_or_else(|| crate::run::default_out_dir(&model).join(shard.folder_name()));
        let mut m = manifest(
            "run",
            c,
            vec![entry.clone()],
            (model.seed, model.replications),
            runner.threads(),
            start,
        );
        m.shard = Some(ShardEntry {
            index: shard.index,
            count: shard.count,
            replication_numbers: numbers.clone(),
            points: Vec::new(),
        });
        let r = report::replications_bytes(&model.name, &reps, &dir.join("replications.csv"))?;
        let files = vec![("replications.csv", r)];
        let mb = m.to_bytes(&files)?;
        let mut all = files;
        all.push((MANIFEST, mb));
        let written = report::write_atomically(&dir, &all)?;
        if !c.quiet {
            println!(
                "{}: shard {shard} ran {} of {} replication(s): {}",
                model.name,
                numbers.len(),
                model.replications,
                shard.describe(model.replications)
            );
            println!(
                "merge all {} shard folders with: corridor merge DIR... --out RESULTS",
                shard.count
            );
            print_written(&written);
            report_speed(
                events(&reps),
                start.elapsed(),
                &format!("{} replication(s)", numbers.len()),
            );
        }
        return Ok(());
    }

    let (reps, outcome) = match &opts.precision {
        Some(t) => {
            let max = opts.max_replications.unwrap_or(precision::DEFAULT_MAX);
            let (reps, o) = precision::run_until(&runner, &model, t, max)?;
            model.replications = reps.len() as u32;
            (reps, Some(o))
        }
        None => {
            let tasks: Vec<(&Model, u32)> = (0..model.replications).map(|r| (&model, r)).collect();
            (runner.run(&model.name, &tasks), None)
        }
    };
    let wall = start.elapsed();
    let summary = report::summarise(&reps);
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| crate::run::default_out_dir(&model));
    let mut m = manifest(
        "run",
        c,
        vec![entry.clone()],
        (model.seed, model.replications),
        runner.threads(),
        start,
    );
    m.precision = outcome.clone();
    let written = write_run(&dir, &model.name, &reps, &summary, &mut m)?;
    if !c.quiet {
        let mut stdout = std::io::stdout().lock();
        let _ = report::print_table(&mut stdout, &model, &summary);
        let _ = writeln_flush(&mut stdout);
        drop(stdout);
        if let Some(o) = &outcome {
            println!("{}", o.describe());
        }
        print_written(&written);
        report_speed(
            events(&reps),
            wall,
            &format!("{} replication(s)", model.replications),
        );
    }
    Ok(())
}

fn writeln_flush(out: &mut impl std::io::Write) -> std::io::Result<()> {
    writeln!(out)?;
    out.flush()
}
