//! The `corridor` command: options -> load and validate -> run -> export.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use corridor::{Error, run, scenario};

#[derive(Parser)]
#[command(
    name = "corridor",
    version,
    about = "Discrete-event simulator of freight corridors: throughput and transit times per scenario",
    after_help = "Examples:\n  corridor run scenarios/middle-corridor-simple.toml\n  corridor run scenarios/mm1-validation.toml --replications 20 --seed 7 --out my-results/\n  corridor validate scenarios/middle-corridor-simple.toml\n\nExit codes: 0 success, 2 bad input (scenario or options), 1 other failures."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's replications and write summary.csv and replications.csv.
    #[command(
        after_help = "Examples:\n  corridor run scenarios/middle-corridor-simple.toml\n      writes results/<scenario name>/summary.csv and replications.csv\n  corridor run scenarios/mm1-validation.toml --replications 20 --seed 7 --out my-results/\n      writes my-results/summary.csv and my-results/replications.csv"
    )]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Replications to run (overrides the file's `scenario.replications`).
        #[arg(long, short = 'r')]
        replications: Option<u32>,
        /// Scenario seed (overrides the file's `scenario.seed`).
        #[arg(long, short = 's')]
        seed: Option<u64>,
        /// Output folder [default: results/<scenario name>].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Digitisation level of every border (`LEVEL`) or of one (`NODE=LEVEL`); LEVEL is 0..1
        /// or paper, electronic_documents, single_window, pre_arrival. Repeatable.
        #[arg(long, value_name = "[NODE=]LEVEL")]
        digitisation: Vec<String>,
        /// Worker threads for replications [default: all cores]. Output does not depend on it.
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// Print nothing but errors.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Check a scenario file and report what it describes; runs nothing, writes nothing.
    #[command(after_help = "Example:\n  corridor validate scenarios/middle-corridor-simple.toml")]
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn dispatch(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run {
            scenario,
            replications,
            seed,
            out,
            digitisation,
            jobs,
            quiet,
        } => {
            if jobs == Some(0) {
                return Err(Error::Usage(
                    "--jobs 0 is not allowed; give at least 1".into(),
                ));
            }
            let mut model = scenario::load(&scenario)?;
            run::apply_overrides(&mut model, replications, seed)?;
            run::apply_digitisation(&mut model, &digitisation)?;
            warn_unstable(&model);
            let output = run::run_model(&model, jobs)?;
            let dir = out.unwrap_or_else(|| run::default_out_dir(&model));
            let written = run::write(&dir, &model, &output)?;
            if !quiet {
                let mut stdout = std::io::stdout().lock();
                let _ = corridor::report::print_table(&mut stdout, &model, &output.summary);
                let _ = writeln!(stdout);
                for p in &written {
                    let _ = writeln!(stdout, "wrote {}", p.display());
                }
                let _ = stdout.flush();
                let secs = output.wall.as_secs_f64();
                eprintln!(
                    "simulated {} events in {:.3} s ({:.2} million events/s over {} replication(s))",
                    output.events,
                    secs,
                    output.events as f64 / secs.max(1e-9) / 1e6,
                    model.replications
                );
            }
            Ok(())
        }
        Command::Validate { scenario } => {
            let model = scenario::load(&scenario)?;
            println!(
                "{}: valid. Scenario \"{}\": {} node(s) ({} border(s)), {} link(s), {} service(s), {} flow(s), {} pipeline(s); horizon {}, warm-up {}, {} replication(s), seed {}.",
                scenario.display(),
                model.name,
                model.nodes.len(),
                model.nodes.iter().filter(|n| n.border().is_some()).count(),
                model.links.len(),
                model.services.len(),
                model.flows.len(),
                model.pipelines.len(),
                model.horizon - corridor::engine::SimTime::ZERO,
                model.warmup - corridor::engine::SimTime::ZERO,
                model.replications,
                model.seed
            );
            warn_unstable(&model);
            Ok(())
        }
    }
}

/// Warns about stations whose offered load per server is at least 1: their queues grow without
/// bound, and their statistics depend on the horizon.
fn warn_unstable(model: &corridor::scenario::Model) {
    for (n, load) in model.nodes.iter().zip(model.offered_load()) {
        if let Some(rho) = load.filter(|r| *r >= 1.0) {
            eprintln!(
                "warning: node \"{}\" is offered {:.2} of its capacity (arrival rate x mean service / servers >= 1); its queue will grow without bound",
                n.id, rho
            );
        }
    }
}
