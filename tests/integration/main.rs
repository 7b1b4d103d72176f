//! One integration-test binary, themed modules: queueing theory, invariants, determinism and the
//! command line (bad input included), and what-if studies (compare, sweep, shards, precision,
//! capacity).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod border;
mod bounded;
mod capacity;
mod carriers;
mod changes;
mod check_path;
mod cli;
mod costs;
mod determinism;
mod docs;
mod fuzz;
mod geo;
mod golden;
mod hardening;
mod invariants;
mod loading;
mod output;
mod parts;
mod periods;
mod planner;
mod ports;
mod profiles;
mod readable;
mod report;
mod robust_cli;
mod robust_folder;
mod route_choice;
mod scale;
mod stability;
mod support;
mod theory;
mod timeseries;
mod trace;
mod warmup_auto;
mod whatif;
mod whatif_compare;
mod whatif_errors;
mod whatif_precision;
mod whatif_shards;
mod whatif_sweep;
