//! # corridor: a discrete-event simulator of freight corridors
//!
//! A planner describes a corridor in a TOML scenario file (nodes, links, flows); corridor runs
//! independent replications and reports throughput, transit times and node congestion as CSV
//! with 95% confidence intervals.
//!
//! ## A guided tour
//! - [`engine`] knows nothing of freight: integer [`engine::SimTime`], the
//!   [`engine::Calendar`] with its `(time, insertion)` order, per-source random streams
//!   ([`engine::random`]), distributions ([`engine::Dist`]) and statistics.
//! - [`scenario`] reads a file into serde structs that mirror it (`scenario/file.rs`) and
//!   validates them into an immutable [`scenario::Model`], with errors that point at the line
//!   and field to fix.
//! - [`sim`] puts the model into a bevy_ecs `World` (nodes, links, flows and consignments are
//!   entities) and runs one replication by dispatching calendar events to its handlers.
//! - [`run`] runs replications in parallel with its one [`run::Runner`] (results independent of
//!   the thread count) and [`report`] summarises them. Every output file is one
//!   [`report::Export`] (summary.csv, replications.csv, comparison.csv, sweep.csv) and every
//!   results folder is written, with its `manifest.json` ([`report::manifest`]), through one
//!   [`report::ResultsFolder`]: checked before the work, committed all or nothing.
//! - [`experiment`] builds what-if studies on that: `--set` overrides
//!   ([`scenario::overrides`]), paired comparisons on common random numbers
//!   ([`experiment::compare`]), grids ([`experiment::sweep`]), precision-driven replication
//!   counts ([`experiment::precision`]), shards ([`experiment::shard`]) and their merge
//!   ([`experiment::merge`]), and the demand at which a target breaks
//!   ([`experiment::capacity`]). Each command returns what to print ([`experiment::Printout`]);
//!   `main` prints it.
//!
//! ```no_run
//! let model = corridor::scenario::load("scenarios/mm1-validation.toml".as_ref())?;
//! let out = corridor::run::run_model(&model, None)?;
//! corridor::run::write("results/mm1".as_ref(), &model, &out)?;
//! # Ok::<(), corridor::Error>(())
//! ```

pub mod engine;
pub mod error;
pub mod experiment;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sim;

pub use error::{Error, Result};
