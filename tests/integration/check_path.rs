//! `corridor validate` parses a scenario once and deserializes it from toml's parsed document;
//! where that document holds what the owned document refuses (an integer beyond i64, a float
//! beyond f64), where it does not deserialize (an unquoted date, an unknown field, a wrong
//! type), where the text does not parse, or where the file has `extends`, it takes the path of
//! the other commands. Each case gives the message it gave before that change, byte for byte
//! (recorded from the build before it), with the file, line and column; `run` gives the same.

use std::fs;

use crate::cli::{corridor, stderr, workdir};
use crate::hardening::BASE;

/// `BASE` with `from` replaced by `to` (which must occur).
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

/// `validate` and `run` of `src` (as `s.toml`, beside `BASE` as `base.toml`) exit with 2 and
/// print exactly `message` (after `error: s.toml`).
fn refused(src: &str, message: &str) {
    let (dir, _) = workdir(src);
    fs::write(dir.path().join("base.toml"), BASE).unwrap();
    for command in ["validate", "run"] {
        let o = corridor(&[command, "s.toml"], dir.path());
        assert_eq!(o.status.code(), Some(2), "{command}: {}", stderr(&o));
        assert_eq!(stderr(&o), format!("error: s.toml{message}\n"), "{command}");
    }
}

const TOML_I64: &str = "is out of range: TOML integers are signed 64-bit, from -9223372036854775808 to 9223372036854775807";

#[test]
fn integers_beyond_i64_are_errors_of_the_file() {
    for big in ["9223372036854775808", "99999999999999999999"] {
        refused(
            &with("servers = 2", &format!("servers = {big}")),
            &format!(":11:11: nodes[0].servers: {big} {TOML_I64}"),
        );
    }
    refused(
        &with("id = \"box\"", "id = \"box\"\nteu = 0x8000000000000000"),
        &format!(":16:7: flows[0].teu: 0x8000000000000000 {TOML_I64}"),
    );
    refused(
        &with("seed = 5", "seed = -9223372036854775809"),
        &format!(
            ":6:8: scenario.seed: -9223372036854775809 {TOML_I64}; the file takes seeds from 0 to 9223372036854775807, --seed on the command line any up to 2^64 - 1"
        ),
    );
    // The largest i64 is a seed like any other.
    let (dir, _) = workdir(&with("seed = 5", "seed = 9223372036854775807"));
    let o = corridor(&["validate", "s.toml"], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("seed 9223372036854775807."),
        "{out}{}",
        stderr(&o)
    );
}

#[test]
fn floats_beyond_f64_are_errors_of_the_file() {
    refused(
        &with("id = \"box\"", "id = \"box\"\nvalue_of_time = 1e400"),
        ":16:17: flows[0].value_of_time: 1e400 is out of range: TOML numbers are 64-bit floating point, at most about 1.8e308 in size",
    );
    // `inf` is a float of TOML, refused by the rule of the field.
    refused(
        &with("id = \"box\"", "id = \"box\"\nvalue_of_time = inf"),
        ":16:17: flows[0].value_of_time: inf is not allowed; a value of time is a number of USD per TEU-hour, >= 0",
    );
}

#[test]
fn unquoted_dates_say_to_quote_them() {
    let quote = "is a TOML date, not a string; dates are quoted strings, \"YYYY-MM-DD\" (or \"YYYY-MM-DD HH:MM\" with a time): write";
    refused(
        &with("seed = 5", "seed = 5\nstart = 2024-01-01"),
        &format!(":7:9: scenario.start: 2024-01-01 {quote} \"2024-01-01\""),
    );
    refused(
        &with("mean = \"2h\"", "mean = 2024-01-01T06:00:00"),
        &format!(
            ":17:43: flows[0].arrivals.mean: 2024-01-01T06:00:00 {quote} \"2024-01-01T06:00:00\""
        ),
    );
}

#[test]
fn syntax_and_deserialization_errors_keep_line_and_column() {
    refused(
        &with("servers = 2", "servers = = 2"),
        ":11:11: extra `=`, expected nothing",
    );
    refused(
        &with("servers = 2", "servers = 2\nservers = 3"),
        ":12:1: duplicate key",
    );
    refused(
        &with("servers = 2", "servers = true"),
        ":11:11: nodes[0].servers: invalid type: boolean `true`, expected a positive whole number or \"unlimited\"",
    );
    // A key that toml uses inside its serde data model for dates is an unknown field like any.
    let e = "id = \"box\"\n\"$__toml_private_datetime\" = \"x\"";
    let (dir, _) = workdir(&with("id = \"box\"", e));
    let o = corridor(&["validate", "s.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(
            "error: s.toml:16:1: flows[0].$__toml_private_datetime: unknown field `$__toml_private_datetime`, expected one of `id`,"
        ),
        "{}",
        stderr(&o)
    );
    // Rules checked after deserializing point at the place too.
    refused(
        &with("servers = 2", "servers = 0"),
        ":11:11: nodes[0].servers: 0 is not allowed; must be a whole number from 1 to 1000000, or \"unlimited\"",
    );
}

#[test]
fn files_with_extends_are_merged_first() {
    refused(
        "extends = \"base.toml\"\n[[nodes]]\nid = \"gate\"\nservers = 0\n",
        ": nodes[0].servers: 0 is not allowed; must be a whole number from 1 to 1000000, or \"unlimited\" (in the scenario merged with its `extends` base)",
    );
    refused(
        "extends = \"base.toml\"\n[scenario\nname = \"alt\"\n",
        ":2:10: unclosed table, expected `]`",
    );
    refused(
        "extends = \"base.toml\"\n[scenario]\nseed = 9223372036854775808\n",
        &format!(
            ":3:8: scenario.seed: 9223372036854775808 {TOML_I64}; the file takes seeds from 0 to 9223372036854775807, --seed on the command line any up to 2^64 - 1"
        ),
    );
    let (dir, _) = workdir("extends = \"base.toml\"\n[scenario]\nname = \"alt\"\n");
    fs::write(dir.path().join("base.toml"), BASE).unwrap();
    let o = corridor(&["validate", "s.toml"], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.starts_with("s.toml: valid. Scenario \"alt\": 1 node(s)"),
        "{out}{}",
        stderr(&o)
    );
}

/// A file of over 256 KB is parsed in pieces; its model is the one of the file as a whole, and
/// a mistake in a late piece is reported as for a short file, with its line and column.
#[test]
fn long_files_are_read_in_pieces_with_the_same_messages() {
    let mut src = BASE.to_string();
    for i in 0..4000 {
        src.push_str(&format!(
            "\n[[flows]]\nid = \"f{i}\"\nroute = [\"gate\"]\narrivals = {{ dist = \"exponential\", mean = \"{}h\" }}\n",
            10_000 + i
        ));
    }
    assert!(src.len() > 360_000, "{}", src.len());
    let (dir, _) = workdir(&src);
    let o = corridor(&["validate", "s.toml"], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("1 node(s)") && out.contains("4001 flow(s)"),
        "{out}{}",
        stderr(&o)
    );
    // The offered load counts every flow: 1/2 + the sum of 1/(10000 + i) over 4000 flows,
    // over 2 servers, with a mean service of 1 h.
    let load = (0.5 + (0..4000).map(|i| 1.0 / (10_000.0 + i as f64)).sum::<f64>()) / 2.0;
    assert!(
        out.contains(&format!("{load:.2}  node \"gate\"")),
        "{load}: {out}"
    );
    // An unknown field in the last flow (deserialization), and a rule broken there (validation).
    let last = src.rfind("id = \"f3999\"").unwrap();
    let line = src[..last].matches('\n').count() + 2;
    let unknown = format!("{}speed = 3\n{}", &src[..last], &src[last..]);
    let (dir, _) = workdir(&unknown);
    let o = corridor(&["validate", "s.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let want = format!(
        "error: s.toml:{}:1: flows[4000].speed: unknown field `speed`, expected one of `id`,",
        line - 1
    );
    assert!(stderr(&o).starts_with(&want), "{want}\n{}", stderr(&o));
    let zero = src.replacen("id = \"f3999\"", "id = \"f3999\"\nteu = 0", 1);
    refused(
        &zero,
        &format!(
            ":{line}:7: flows[4000].teu: 0 is not allowed; TEU per consignment must be a whole number from 1 to 1000000"
        ),
    );
}
