//! The `corridor` command: options -> load and validate -> run -> export.
// The command line is the one layer that prints to stdout (clippy::print_stdout elsewhere).
#![allow(clippy::print_stdout)]

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use corridor::Error;
use corridor::experiment::{self, Printout, precision::Target, shard::Shard, sweep::Vary};
use corridor::scenario::FileAccess;
use corridor::scenario::overrides::Override;

#[derive(Parser)]
#[command(
    name = "corridor",
    version,
    about = "Discrete-event simulator of freight corridors: throughput and transit times per scenario",
    after_help = "Examples:\n  corridor run scenarios/middle-corridor-simple.toml\n  corridor run scenarios/mm1-validation.toml --replications 20 --seed 7 --out my-results/\n  corridor run scenarios/mm1-validation.toml --set nodes.mm1.servers=2\n  corridor compare scenarios/middle-corridor.toml scenarios/zangezur.toml\n  corridor sweep scenarios/mm1-validation.toml --vary flows.to-mm1.arrivals.mean=65m,70m,75m\n  corridor validate scenarios/middle-corridor-simple.toml\n  corridor report results/middle-corridor\n\nExit codes: 0 success, 2 bad input (scenario or options), 1 other failures."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Changes to the scenario before validation, shared by run, compare, sweep, capacity and
/// validate.
#[derive(clap::Args)]
struct ChangeArgs {
    /// Override one value of the scenario, by its field path (repeatable). PATH names nodes and
    /// flows by id (nodes.PORT_POTI.servers), links by from->to (links.A->B.time.mean), any
    /// array element by index (links[0].time.mean) and every element with * (flows.*.priority);
    /// VALUE is a TOML value or a bare word (4, 0.5, true, 730d, unlimited).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Digitisation level of every border (`LEVEL`, also over a border's own level) or of one
    /// (`NODE=LEVEL`); LEVEL is 0..1 or paper, electronic_documents, single_window, pre_arrival.
    /// Applied after --set. Repeatable.
    #[arg(long, value_name = "[NODE=]LEVEL")]
    digitisation: Vec<String>,
    /// Demand factor of every flow (`FACTOR`: --set scenario.demand=FACTOR) or of one
    /// (`FLOW=FACTOR`: --set flows.FLOW.demand=FACTOR): arrival rates times FACTOR, on the same
    /// random numbers. Applied after --set, in order. Repeatable.
    #[arg(long, value_name = "[FLOW=]FACTOR")]
    demand: Vec<String>,
    /// Width of the time bins of timeseries.csv and of the stability trends (`stable`), e.g.
    /// 7d or 12h: at least 1h, at most the statistics window, at most 1000 bins
    /// [default: a day, or whole days wide enough for at most 1000 bins]. Short for
    /// --set scenario.period=DURATION, applied after --set.
    #[arg(long, value_name = "DURATION")]
    period: Option<String>,
    /// Rows per calendar period besides the whole window's: year, quarter or month of the
    /// calendar from scenario.start (summary.csv and replications.csv mark them in their
    /// `period` column). Short for --set scenario.periods=KIND, applied after --set.
    #[arg(long, value_name = "KIND")]
    periods: Option<String>,
    /// Read empirical data files and `extends` bases only from the scenario file's folder or
    /// below it (after resolving `..` and symbolic links): for services running others' scenarios.
    #[arg(long)]
    confine: bool,
}

impl ChangeArgs {
    /// `--set`, then `--demand` as the `--set` it stands for.
    fn overrides(&self) -> Result<Vec<Override>, Error> {
        let mut all = sets(&self.set)?;
        for d in &self.demand {
            let (path, factor) = match d.split_once('=') {
                Some((flow, f)) => (format!("flows.{}.demand", flow.trim()), f.trim()),
                None => ("scenario.demand".to_string(), d.trim()),
            };
            all.push(Override::new("--demand", &path, factor)?);
        }
        if let Some(p) = &self.period {
            all.push(Override::new("--period", "scenario.period", p.trim())?);
        }
        if let Some(p) = &self.periods {
            all.push(Override::new("--periods", "scenario.periods", p.trim())?);
        }
        Ok(all)
    }

    fn access(&self) -> FileAccess {
        match self.confine {
            true => FileAccess::Confined,
            false => FileAccess::Open,
        }
    }
}

/// Options shared by run, compare, sweep and capacity.
#[derive(clap::Args)]
struct CommonArgs {
    #[command(flatten)]
    changes: ChangeArgs,
    /// Replications to run (overrides the file's `scenario.replications`).
    #[arg(long, short = 'r')]
    replications: Option<u32>,
    /// Scenario seed (overrides the file's `scenario.seed`).
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Worker threads for replications [default: all cores; at most the processors available].
    /// Output does not depend on it.
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Print nothing but errors (and no progress bar).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Replace the output folder even if it holds other results (another scenario, other
    /// --set or --digitisation) or files corridor did not write; entries other than its old
    /// results are kept.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's replications and write summary.csv, replications.csv and manifest.json.
    #[command(
        after_help = "Examples:\n  corridor run scenarios/middle-corridor-simple.toml\n      writes results/<scenario name>/summary.csv, replications.csv and manifest.json\n  corridor run scenarios/mm1-validation.toml --replications 20 --seed 7 --out my-results/\n  corridor run scenarios/middle-corridor-simple.toml --set nodes.PORT_AKTAU.servers=3 --set scenario.horizon=730d\n  corridor run scenarios/middle-corridor-simple.toml --precision transit_mean:xian-poti:0.01 --max-replications 200\n      adds replications until the 95% half-width of the mean is within 1% of it (or 200 ran)\n  corridor run scenarios/mm1-validation.toml -r 40 --shard 0/4 --out shards/0\n      runs replications 0, 4, 8, ... only; with shards 1/4, 2/4 and 3/4 run the same way,\n      corridor merge shards/0 shards/1 shards/2 shards/3 --out all combines the four\n\nSee README.md, \"What-if studies\"."
    )]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output folder [default: results/<scenario name>, with -<8 hex digits of the resolved
        /// scenario's SHA-256> after it when --set or --digitisation change the scenario;
        /// .../shard-K-of-N inside it for a shard].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Run only slice K of N (0 <= K < N): the replications r with r mod N = K. Merge the N
        /// shard folders with `corridor merge`.
        #[arg(long, value_name = "K/N", allow_hyphen_values = true)]
        shard: Option<String>,
        /// Add replications until the 95% half-width of METRIC of ID is within REL (a fraction)
        /// of its mean, e.g. transit_mean:xian-poti:0.05. Starts from --replications (at least 3).
        #[arg(long, value_name = "METRIC:ID:REL")]
        precision: Option<String>,
        /// With --precision: stop after this many replications even if the target is not met
        /// (3 to 1000000) [default: 1000].
        #[arg(long, value_name = "N")]
        max_replications: Option<u32>,
        /// Also write report.html into the output folder: the results drawn as one HTML page
        /// (see `corridor report`).
        #[arg(long)]
        report: bool,
        /// Write the event log of the first N replications (1 to the replications): the life
        /// of every consignment and carrier, as trace.jsonocel (OCEL 2.0, for process-mining
        /// tools) and trace.csv. Not with --shard or --precision.
        #[arg(long, value_name = "N")]
        trace: Option<u32>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Compare alternatives with a base on common random numbers: writes comparison.csv.
    #[command(
        after_help = "Every scenario runs with the base's seed and replication count, so replication r of each\nscenario shares its random numbers (streams are keyed by name). diff is the mean of alt - base\nover paired replications and diff_ci95 its paired-t 95% half-width; significant = the\ninterval excludes 0; significant_bh = Benjamini-Hochberg at q = 0.05 over the paired-t p-values\nof each alternative's metrics. Only metrics present in both (scope, id, metric) are compared.\nPrinted: per alternative, each flow's transit time and throughput, then the resources whose\nload or wait changed most; every metric is in comparison.csv.\n\nExamples:\n  corridor compare scenarios/middle-corridor.toml scenarios/zangezur.toml\n      writes results/compare-middle-corridor/comparison.csv and manifest.json\n  corridor compare scenarios/middle-corridor-simple.toml --alt nodes.PORT_AKTAU.servers=3 --alt nodes.PORT_ALAT.servers=4\n      two alternatives, each the base with one change\n  corridor compare scenarios/middle-corridor-simple.toml --alt aktau3:nodes.PORT_AKTAU.servers=3 --min-change 1%\n      the alternative named aktau3; the headline lists changes of at least 1% of the base\n  corridor compare scenarios/middle-corridor.toml scenarios/zangezur.toml --set scenario.horizon=200d -r 20\n      --set applies to every scenario\n  corridor run scenarios/middle-corridor.toml --out results/base\n  corridor run scenarios/zangezur.toml --out results/alt\n  corridor compare --results results/base results/alt --out results/base-vs-alt\n      compares the two result folders from their replications.csv, running nothing"
    )]
    Compare {
        /// BASE then ALT... scenario files (or, with --results, result folders).
        #[arg(required = true, num_args = 1.., value_name = "BASE ALT")]
        inputs: Vec<PathBuf>,
        /// An alternative that is the base with these changes (repeatable: one alternative per
        /// --alt), e.g. --alt aktau3:nodes.PORT_AKTAU.servers=3 or --alt nodes.A.servers=3,nodes.B.servers=2.
        /// NAME (before a ':' that precedes the first '=', without '.') labels it in
        /// comparison.csv, the tables and the manifest; without one the label is the text given.
        /// A quoted value may hold a comma: 'x:flows.a.description="a, b"'.
        #[arg(long, value_name = "[NAME:]PATH=VALUE[,PATH=VALUE...]")]
        alt: Vec<String>,
        /// The smallest change the printed headline calls a change, as a percentage of the
        /// base (e.g. 1%), on top of Benjamini-Hochberg significance; comparison.csv has every
        /// metric either way.
        #[arg(long, value_name = "PERCENT")]
        min_change: Option<String>,
        /// Compare existing result folders (their replications.csv) instead of running scenarios.
        #[arg(long)]
        results: bool,
        /// Also write report.html into the output folder: the results drawn as one HTML page
        /// (see `corridor report`).
        #[arg(long)]
        report: bool,
        /// Output folder [default: results/compare-<base name>, with -<8 hex digits> after it
        /// when --set, --digitisation or --alt change the scenarios].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Run a scenario over a grid of values and write sweep.csv (summary.csv's format plus a
    /// column per varied path).
    #[command(
        after_help = "The grid is the cartesian product of the --vary values; points are numbered in nested-loop\norder, the first --vary outermost. With --zip the values are paired by position instead (point k\ntakes the k-th value of each --vary). Every point uses the same seed (common random numbers).\nA quoted value may hold a comma: --vary 'scenario.description=\"a, b\",c'.\n\nExamples:\n  corridor sweep scenarios/mm1-validation.toml --vary flows.to-mm1.arrivals.mean=65m,70m,75m\n  corridor sweep scenarios/middle-corridor-simple.toml --vary nodes.PORT_AKTAU.servers=1..4:1 --vary flows.xian-poti.arrivals.mean=20h,31.3h\n  corridor sweep scenarios/mm1-validation.toml --vary scenario.horizon=100d..400d:100d -r 5\n  corridor sweep scenarios/middle-corridor.toml --vary demand=1,1.25,1.5,2\n      every flow's demand times 1, 1.25, 1.5 and 2 (demand.xian-poti=... for one flow's)\n  corridor sweep scenarios/mm1-validation.toml --zip --vary nodes.mm1.servers=1,2 --vary 'flows.*.teu=1,2'\n      two points: servers 1 with every flow at 1 TEU, servers 2 with every flow at 2 TEU\n  corridor sweep scenarios/mm1-validation.toml --vary nodes.mm3.servers=3,4,5,6 --shard 1/2\n      runs points 1 and 3 only; merge the shard folders with corridor merge"
    )]
    Sweep {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// A path and its values: PATH=v1,v2,... or PATH=start..end:step (numbers, or durations
        /// with one unit such as 100d..400d:100d). Repeat for a grid. `demand` is short for
        /// scenario.demand (every flow's demand factor) and `demand.FLOW` for flows.FLOW.demand.
        #[arg(long, required = true, value_name = "PATH=VALUES")]
        vary: Vec<String>,
        /// Output folder [default: results/<scenario name>-sweep, or
        /// results/<scenario name>-<8 hex digits>-sweep with --set or --digitisation;
        /// .../shard-K-of-N inside it for a shard].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Run only slice K of N of the grid: the points p with p mod N = K.
        #[arg(long, value_name = "K/N", allow_hyphen_values = true)]
        shard: Option<String>,
        /// Change the --vary parameters together instead of forming their grid: point k takes
        /// the k-th value of every --vary, which must all give as many values.
        #[arg(long)]
        zip: bool,
        /// Also write report.html into the output folder: the results drawn as one HTML page
        /// (see `corridor report`).
        #[arg(long)]
        report: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Find the demand factor at which a target stops being met ("where does it break"):
    /// bisection per replication on common random numbers; writes capacity.csv.
    #[command(
        group(clap::ArgGroup::new("target").required(true).args(["max_transit", "max_utilisation"])),
        after_help = "Per replication r, the demand of --flow (of every flow without it) is multiplied by a factor\nf, and replication r is run at f on the same random numbers at every f (the factor is a time\nchange of the arrivals). Both ends of --range are run first: not met at LO gives \"< LO\", met\nat HI gives \">= HI\" (censored, no number made up); otherwise f is bisected on a log scale\nuntil HI/LO of the bracket is within 1 + --tolerance, and the bracket's low end (the largest\nf seen to meet the target) is the replication's factor. Printed and in capacity.csv: each\nreplication's factor and bracket, the mean with its 95% t-interval, and the binding resource:\nthe most utilised resource (station servers, border lanes, bays and tracks, berths, yard\noccupancy, a service's fleet and timetable) at the smallest factor that broke the target.\n\nExamples:\n  corridor capacity scenarios/middle-corridor.toml --flow xian-poti --max-transit 20d\n      the factor on xian-poti's demand at which its mean transit passes 20 days\n  corridor capacity scenarios/middle-corridor.toml --flow xian-poti --max-transit 25d --p95 -r 20\n  corridor capacity scenarios/middle-corridor.toml --max-utilisation 0.85 --range 0.5..3\n      every flow's demand times f, until some resource is busy more than 85% of the time\n  corridor capacity scenarios/mm1-validation.toml --flow to-mm1 --max-transit 4h --set nodes.mm1.servers=2"
    )]
    Capacity {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// The flow whose demand is scaled, and whose transit --max-transit limits. Without it
        /// (with --max-utilisation only), every flow's demand is scaled.
        #[arg(long, value_name = "ID")]
        flow: Option<String>,
        /// The target: the flow's mean transit at most DURATION (scenario syntax: 20d, 480h).
        #[arg(long, value_name = "DURATION")]
        max_transit: Option<String>,
        /// With --max-transit: limit the 95th percentile of the transit instead of the mean.
        #[arg(long, requires = "max_transit")]
        p95: bool,
        /// The target: every resource's utilisation (of the flow's route with --flow) at most
        /// RATIO, between 0 and 1.
        #[arg(long, value_name = "RATIO")]
        max_utilisation: Option<String>,
        /// The factors searched, LO..HI [default: 0.1..10].
        #[arg(long, value_name = "LO..HI")]
        range: Option<String>,
        /// The search stops when the bracket's HI/LO is within 1 + REL [default: 0.01].
        #[arg(long, value_name = "REL")]
        tolerance: Option<String>,
        /// Output folder [default: results/<scenario name>-capacity, or
        /// results/<scenario name>-<8 hex digits>-capacity with --set, --demand or --digitisation].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Combine the shard folders of `run --shard` or `sweep --shard` into the files one run writes.
    #[command(
        after_help = "The shards must come from the same resolved scenario, seed and replication count, and\ntogether hold every replication (or sweep point) exactly once. The CSV files written are\nbyte-identical to those of one run without --shard.\n\nExamples:\n  corridor run scenarios/mm1-validation.toml --shard 0/2\n  corridor run scenarios/mm1-validation.toml --shard 1/2\n  corridor merge results/mm1-validation/shard-0-of-2 results/mm1-validation/shard-1-of-2 --out results/mm1-merged\n      (the default shard folders are results/<scenario name>/shard-K-of-N)\n  corridor sweep scenarios/mm1-validation.toml --vary nodes.mm3.servers=3,4 --shard 0/2 --out sweep-shards/0\n  corridor sweep scenarios/mm1-validation.toml --vary nodes.mm3.servers=3,4 --shard 1/2 --out sweep-shards/1\n  corridor merge sweep-shards/0 sweep-shards/1 --out results/my-sweep"
    )]
    Merge {
        /// The shard folders.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, short = 'o', required = true)]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long, short = 'q')]
        quiet: bool,
        /// Replace the output folder even if it holds other results or files corridor did not
        /// write.
        #[arg(long)]
        force: bool,
    },
    /// Write a file from a results folder or a scenario without running anything (the map of
    /// the network as GeoJSON).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Draw a results folder (run, compare or sweep) as one self-contained HTML page.
    #[command(
        after_help = "Writes one HTML file with its charts as inline SVG and its style inline: no script, no network;\nit opens in any browser and prints. Shows the scenario and the manifest; for a run, each\nflow's transit with its interval and parts, the bottleneck ranking (resources that do not\nsettle marked), the time series of the top resources when the folder has timeseries.csv, and\nthe route graph coloured by load; for a comparison, forest plots of the differences per\nalternative; for a sweep, each headline metric against the varied parameter with 95% bands.\nThe same folder gives the same file, byte for byte.\n\nExamples:\n  corridor run scenarios/middle-corridor.toml --out results/mc\n  corridor report results/mc\n      writes results/mc/report.html\n  corridor report results/mc --out mc.html\n  corridor run scenarios/middle-corridor.toml --report\n      the same in one command (also on compare and sweep)"
    )]
    Report {
        /// The results folder (it has a manifest.json).
        folder: PathBuf,
        /// The HTML file to write [default: FOLDER/report.html].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Check a scenario file and report what it describes; runs nothing, writes nothing.
    #[command(
        after_help = "Examples:\n  corridor validate scenarios/middle-corridor-simple.toml\n  corridor validate scenarios/mm1-validation.toml --set nodes.mm1.servers=2\n  corridor validate scenarios/digitisation.toml --digitisation single_window"
    )]
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        changes: ChangeArgs,
    },
}

/// What `corridor export` writes.
#[derive(Subcommand)]
enum ExportCommand {
    /// The network as GeoJSON (RFC 7946): nodes as points, links and services as lines, with
    /// their results as properties, for QGIS, kepler.gl or geojson.io.
    #[command(
        after_help = "INPUT is a results folder of run or merge (the map with its results: the same bytes as the\nfolder's corridor.geojson) or a scenario file (the network alone). Nodes need `lat` and `lon`.\n\nExamples:\n  corridor export geojson results/middle-corridor\n      writes middle-corridor.geojson here\n  corridor export geojson scenarios/middle-corridor.toml --out map.geojson\n      the network without results"
    )]
    Geojson {
        /// A results folder (of run or merge) or a scenario file (TOML).
        input: PathBuf,
        /// The file to write [default: <scenario name>.geojson in the current folder]; written
        /// whole or not at all.
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// With a scenario file: read its data files and `extends` bases only from its folder
        /// or below it.
        #[arg(long)]
        confine: bool,
    },
}

/// Exit code of a command ended by Ctrl-C, SIGTERM or SIGHUP (128 + SIGINT, as shells report).
const INTERRUPTED: i32 = 130;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // An interruption removes what the results folder being written has on disk (its staging
    // folder, lock file and the parent folders created for it) before the process ends.
    let _ = ctrlc::set_handler(|| {
        let cleaned = corridor::report::abandon();
        let _ = writeln!(
            io::stderr(),
            "interrupted{}",
            if cleaned {
                "; the results folder was left as it was"
            } else {
                ""
            }
        );
        std::process::exit(INTERRUPTED);
    });
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed stderr loses the message, not the exit code.
            let _ = writeln!(io::stderr(), "error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Writes `text` to stdout. A reader that closed its end early (`corridor run ... | head -1`)
/// has had what it wanted: that is a normal end, so a broken pipe is not an error. Every
/// command has committed its results folder before it prints.
fn emit(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Output {
            path: PathBuf::from("<stdout>"),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Prints what a command says when it is done, unless `quiet`.
fn show(p: Printout, quiet: bool) -> Result<(), Error> {
    if !quiet {
        emit(&p.stdout)?;
        let _ = io::stderr().write_all(p.stderr.as_bytes());
    }
    Ok(())
}

/// The command line for the manifest. Arguments are read as the OS gives them (paths need not
/// be UTF-8); the manifest holds text, so bytes that are not UTF-8 become U+FFFD there.
fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// `--jobs` capped at the processors this process may use (cgroup quotas count): more threads
/// than that only cost memory and switching, and `--jobs 5000` would start 5000 of them.
fn cap_jobs(jobs: usize) -> usize {
    let max = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if jobs > max {
        let _ = writeln!(
            io::stderr(),
            "warning: --jobs {jobs} is more than the {max} processor(s) available; using {max}"
        );
        max
    } else {
        jobs
    }
}

fn sets(raw: &[String]) -> Result<Vec<Override>, Error> {
    raw.iter().map(|a| Override::parse("--set", a)).collect()
}

impl CommonArgs {
    fn into_common(self) -> Result<experiment::Common, Error> {
        if self.jobs == Some(0) {
            return Err(Error::Usage(
                "--jobs 0 is not allowed; give at least 1".into(),
            ));
        }
        Ok(experiment::Common {
            sets: self.changes.overrides()?,
            access: self.changes.access(),
            digitisation: self.changes.digitisation,
            replications: self.replications,
            seed: self.seed,
            jobs: self.jobs.map(cap_jobs),
            quiet: self.quiet,
            force: self.force,
            command_line: command_line(),
        })
    }
}

fn dispatch(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run {
            scenario,
            out,
            shard,
            precision,
            max_replications,
            report,
            trace,
            common,
        } => {
            let opts = experiment::replicate::RunOptions {
                trace,
                common: common.into_common()?,
                scenario,
                out,
                shard: shard.as_deref().map(Shard::parse).transpose()?,
                precision: precision.as_deref().map(Target::parse).transpose()?,
                max_replications,
                report,
            };
            show(experiment::replicate::run(&opts)?, opts.common.quiet)
        }
        Command::Compare {
            inputs,
            alt,
            min_change,
            results,
            report,
            out,
            common,
        } => {
            let mut inputs = inputs.into_iter();
            let base = inputs.next().unwrap_or_default();
            let opts = experiment::compare::CompareOptions {
                base,
                alts: inputs.collect(),
                alt_sets: alt
                    .iter()
                    .map(|a| experiment::compare::parse_alt(a))
                    .collect::<Result<_, _>>()?,
                results,
                out,
                min_change: min_change
                    .as_deref()
                    .map(experiment::compare::parse_min_change)
                    .transpose()?,
                report,
                common: common.into_common()?,
            };
            show(experiment::compare::compare(&opts)?, opts.common.quiet)
        }
        Command::Sweep {
            scenario,
            vary,
            out,
            shard,
            zip,
            report,
            common,
        } => {
            let opts = experiment::sweep::SweepOptions {
                common: common.into_common()?,
                scenario,
                vary: vary
                    .iter()
                    .map(|v| Vary::parse(v))
                    .collect::<Result<_, _>>()?,
                out,
                shard: shard.as_deref().map(Shard::parse).transpose()?,
                zip,
                report,
            };
            show(experiment::sweep::sweep(&opts)?, opts.common.quiet)
        }
        Command::Capacity {
            scenario,
            flow,
            max_transit,
            p95,
            max_utilisation,
            range,
            tolerance,
            out,
            common,
        } => {
            use experiment::capacity::{self, Goal};
            let goal = match (max_transit, max_utilisation) {
                (Some(t), _) => Goal::transit(&t, p95)?,
                (None, Some(u)) => Goal::utilisation(&u)?,
                (None, None) => {
                    return Err(Error::Usage(
                        "give a target: --max-transit DURATION or --max-utilisation RATIO".into(),
                    ));
                }
            };
            let opts = capacity::CapacityOptions {
                scenario,
                flow,
                goal,
                range: range
                    .as_deref()
                    .map_or(Ok(capacity::DEFAULT_RANGE), capacity::parse_range)?,
                tolerance: tolerance
                    .as_deref()
                    .map_or(Ok(capacity::DEFAULT_TOLERANCE), capacity::parse_tolerance)?,
                out,
                common: common.into_common()?,
            };
            show(capacity::capacity(&opts)?, opts.common.quiet)
        }
        Command::Merge {
            shards,
            out,
            quiet,
            force,
        } => show(
            experiment::merge::merge(&shards, &out, &command_line(), force)?,
            quiet,
        ),
        Command::Export(ExportCommand::Geojson {
            input,
            out,
            confine,
        }) => {
            let opts = experiment::export::GeojsonOptions {
                input,
                out,
                access: match confine {
                    true => FileAccess::Confined,
                    false => FileAccess::Open,
                },
            };
            show(experiment::export::geojson(&opts)?, false)
        }
        Command::Report { folder, out, quiet } => {
            let written = corridor::report::html::write(&folder, out.as_deref())?;
            let mut p = Printout::default();
            p.written(&[written]);
            show(p, quiet)
        }
        Command::Validate { scenario, changes } => {
            let model = &experiment::check(
                &scenario,
                &changes.overrides()?,
                &changes.digitisation,
                changes.access(),
            )?;
            let line = format!(
                "{}: valid. Scenario \"{}\": {} node(s) ({} border(s)), {} link(s), {} service(s), {} flow(s), {} pipeline(s); horizon {}, warm-up {}, {} replication(s), seed {}.\n",
                scenario.display(),
                model.name,
                model.nodes.len(),
                model.nodes.iter().filter(|n| n.border().is_some()).count(),
                model.links.len(),
                model.services.len(),
                model.flows.len(),
                model.pipelines.len(),
                model.horizon - corridor::engine::SimTime::ZERO,
                if model.warmup_auto {
                    "auto (MSER-5, chosen by corridor run)".to_string()
                } else {
                    (model.warmup - corridor::engine::SimTime::ZERO).to_string()
                },
                model.replications,
                model.seed
            );
            let mut line = line;
            let loads = model.offered_loads();
            // With demand profiles, each load is the mean over the window, and beside it the
            // load of the resource's busiest calendar month.
            let peaks = model.peak_month_loads();
            let mut order: Vec<usize> = (0..loads.len()).collect();
            order.sort_by(|&a, &b| loads[b].load.total_cmp(&loads[a].load));
            if !loads.is_empty() {
                line.push_str("Highest offered loads (work offered / capacity, before running):\n");
                for &i in order.iter().take(5) {
                    let l = &loads[i];
                    let peak = peaks.as_ref().map_or(String::new(), |p| {
                        format!(
                            "; busiest month {} from {}",
                            experiment::load_text(p[i].0.load),
                            p[i].1
                        )
                    });
                    line.push_str(&format!(
                        "  {:>8}  {}  ({}{peak})\n",
                        experiment::load_text(l.load),
                        l.resource,
                        l.rule
                    ));
                }
            }
            if let Some(costs) = model.costs.as_deref() {
                let silent = costs.silent(model);
                line.push_str(&format!(
                    "Costs and emissions: on (scope cost, cpmm). Elements that emit nothing while moving (no distance_km, or no mode or factor): {}.\n",
                    if silent.is_empty() { "none".to_string() } else { silent.join(", ") }
                ));
            }
            emit(&line)?;
            experiment::warn_unstable(model);
            Ok(())
        }
    }
}
