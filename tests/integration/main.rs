//! One integration-test binary, themed modules: queueing theory, invariants, determinism and the
//! command line (bad input included), and what-if studies (compare, sweep, shards, precision).

mod border;
mod carriers;
mod cli;
mod determinism;
mod docs;
mod fuzz;
mod golden;
mod hardening;
mod invariants;
mod loading;
mod support;
mod theory;
mod whatif;
