//! Writes a large synthetic corridor (benches/corridor/generate.rs) as a scenario file, for
//! the command-line measurements of benches/README.md ("Scale", "Copies of the tandem and 1e6
//! in flight"):
//!
//! ```sh
//! cargo run --release --example generate -- 10000 ring-10000.toml
//! cargo run --release --example generate -- --tandem-copies 100 tandem-100-copies.toml
//! ```
//!
//! `generate NODES [FILE]` writes the ring of NODES stations (about ten consignments in flight
//! per station); `generate --tandem-copies COPIES [FILE]` writes COPIES independent copies of
//! the 5-station tandem (about ten in flight per copy). FILE is the file to write (standard
//! output when absent).

use std::io::Write;
use std::process::ExitCode;

#[path = "../benches/corridor/generate.rs"]
#[allow(dead_code)] // the bench uses the network's parts; this example only its text
mod generate;

const USAGE: &str = "usage: generate NODES [FILE]  (the ring of NODES stations)\n       \
                     generate --tandem-copies COPIES [FILE]  (COPIES copies of the 5-station tandem)\n\
                     NODES and COPIES are whole numbers; FILE defaults to standard output";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let copies = args.next_if(|a| a == "--tandem-copies").is_some();
    let Some(n) = args.next().and_then(|n| n.parse::<usize>().ok()) else {
        let _ = writeln!(std::io::stderr(), "{USAGE}");
        return ExitCode::from(2);
    };
    let file = args.next();
    if args.next().is_some() {
        let _ = writeln!(std::io::stderr(), "{USAGE}");
        return ExitCode::from(2);
    }
    let text = if copies {
        generate::TandemCopies::new(n).toml()
    } else {
        generate::Network::new(n).toml()
    };
    let written = match file {
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
