//! Writes a large synthetic corridor (benches/corridor/generate.rs) as a scenario file, for
//! the command-line measurements of benches/README.md ("Scale"):
//!
//! ```sh
//! cargo run --release --example generate -- 10000 ring-10000.toml
//! ```
//!
//! The first argument is the number of stations (about ten consignments in flight per
//! station); the second the file to write (standard output when absent).

use std::io::Write;
use std::process::ExitCode;

#[path = "../benches/corridor/generate.rs"]
#[allow(dead_code)] // the bench uses the network's parts; this example only its text
mod generate;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(nodes) = args.next().and_then(|n| n.parse::<usize>().ok()) else {
        let _ = writeln!(
            std::io::stderr(),
            "usage: generate NODES [FILE]  (NODES: a whole number of stations)"
        );
        return ExitCode::from(2);
    };
    let text = generate::Network::new(nodes).toml();
    let written = match args.next() {
        Some(file) => std::fs::write(&file, text),
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "cannot write the scenario: {e}");
            ExitCode::FAILURE
        }
    }
}
