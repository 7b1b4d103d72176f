//! Property-based fuzzing of the loader: mutations of the shipped scenarios (lines deleted,
//! duplicated, swapped or inserted; numbers and durations changed to 0, negative, huge,
//! NaN-like or out-of-range values; units swapped; the text truncated or given non-ASCII
//! characters), with `--set` and `--digitisation` changes, go through the loading pipeline
//! (`scenario::resolve_with`, as every command loads). Whatever the input, loading never panics,
//! and it either fails with an error whose exit code is 2 or validates a model within the
//! documented limits ([`within_limits`]).
//!
//! The run is deterministic (a fixed seed and number of cases) and takes a few seconds. Inputs
//! that found bugs are kept in `tests/fuzz-corpus/` and replayed by
//! [`the_fuzz_corpus_replays_without_a_panic`].

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use corridor::engine::random::stream;
use corridor::engine::time::MAX_DURATION_MS;
use corridor::scenario::overrides::Override;
use corridor::scenario::{Departure, FileAccess, Model, resolve_with};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// Cases per run of the harness.
const CASES: u32 = 3_000;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped scenarios, as (path, text), in name order.
fn shipped() -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    out.sort();
    out
}

/// Values put in place of numbers, durations' numbers and `--set` values.
const VALUES: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "0.0001",
    "1e-300",
    "1e300",
    "-1e300",
    "1e400",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "NaN",
    "1e",
    "0x10",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "4294967296",
    "65536",
    "1_000",
    "\"1h\"",
    "\"\"",
    "true",
    "2024-01-01",
    "[]",
    "{}",
    "\"unlimited\"",
];

const UNITS: &[&str] = &["s", "m", "h", "d", "w", "ms", "", "x", "H", " h", "é"];

/// Lines inserted anywhere (most are valid TOML that breaks a rule of the format).
const LINES: &[&str] = &[
    "hours = []",
    "times = []",
    "holidays = []",
    "closures = [{ from = \"2024-01-01 00:00\", to = \"9999-12-31 24:00\" }]",
    "closures = [{ from = \"0000-01-01 00:00\", to = \"0001-01-01 00:00\" }]",
    "extends = \"middle-corridor.toml\"",
    "extends = \"zangezur.toml\"",
    "extends = \"/etc/passwd\"",
    "extends = \"../Cargo.toml\"",
    "extends = 1",
    "file = \"../Cargo.lock\"",
    "service = { dist = \"empirical\", file = \"../Cargo.toml\", column = \"name\" }",
    "service = { dist = \"gamma\", mean = \"1h\", cv = 1e300 }",
    "service = { dist = \"weibull\", shape = 1e-300, scale = \"1h\" }",
    "service = { dist = \"normal\", mean = \"1e-300s\", sd = \"1e300s\" }",
    "service = { dist = \"erlang\", k = 1000, mean = \"1e-300s\" }",
    "arrivals = { dist = \"fixed\", value = \"0s\" }",
    "arrivals = { dist = \"uniform\", min = \"0s\", max = \"0s\" }",
    "arrivals = { dist = \"lognormal\", mean = \"1h\", cv = 0 }",
    "seed = 18446744073709551615",
    "start = 2024-01-01",
    "start = \"9999-12-31\"",
    "start = \"0000-02-29\"",
    "warmup = \"1e300d\"",
    "horizon = \"365250d\"",
    "replications = 0",
    "priority = 99999999999",
    "digitisation = 2",
    "digitisation = \"nan\"",
    "utc_offset = \"+99:99\"",
    "utc_offset = \"+\"",
    "utc_offset = \"é\"",
    "[digitisation]",
    "level = \"pre_arrival\"",
    "pre_arrival_from = 1",
    "document_factor = 0",
    "yard_teu = 1",
    "berths = 0",
    "teu = 1000000",
    "capacity_teu = 1",
    "wagons = 10000",
    "teu_per_wagon = 1e-300",
    "service_per = \"wagon\"",
    "service_per = \"teu\"",
    "kind = \"border\"",
    "kind = \"station\"",
    "lanes = 4294967297",
    "servers = 4294967297",
    "servers = \"unlimited\"",
    "trains_per_day = 1e300",
    "trains_per_day = 1e-300",
    "speed_kmh = 1e-300",
    "distance_km = 1e300",
    "departure = \"when_full_or_max_wait\"",
    "max_wait = \"0.0001s\"",
    "every = \"0.0004s\"",
    "times = [\"Sun 24:00\", \"Mon 00:00\", \"Tue 6:0\", \"Wed\"]",
    "hours = [\"Sun 22:00-06:00\", \"Mon-Sun 00:00-24:00\", \"Sat-Mon 24:00-00:00\"]",
    "channels = { green = 0, yellow = 0, red = 1 }",
    "[[nodes]]",
    "[[flows]]",
    "[[links]]",
    "[[services]]",
    "[[pipelines]]",
    "[scenario]",
    "id = \"\"",
    "id = \"..\"",
    "route = []",
    "route = [\"x\", \"x\", \"x\"]",
];

/// Fragments of text put anywhere, including inside strings and numbers.
const FRAGMENTS: &[&str] = &[
    "é", "日本", "\u{0}", "\"", "'", "[", "]", "{", "}", "=", "#", "\n", "\\", "\r\n", ".", "-",
];

/// Paths of `--set` changes (those that do not exist in a scenario get the normal errors).
const PATHS: &[&str] = &[
    "scenario.horizon",
    "scenario.warmup",
    "scenario.seed",
    "scenario.start",
    "scenario.replications",
    "scenario.name",
    "nodes[0].servers",
    "nodes[0].kind",
    "nodes[0].service.dist",
    "nodes[0].service.mean",
    "nodes[0].service.cv",
    "nodes[1].lanes",
    "nodes[1].hours",
    "nodes[1].digitisation",
    "flows[0].arrivals.mean",
    "flows[0].arrivals.dist",
    "flows[0].arrivals.cv",
    "flows[0].teu",
    "flows[0].priority",
    "flows[0].route",
    "links[0].time.max",
    "links[0].trains_per_day",
    "services[0].every",
    "services[0].fleet",
    "services[0].departure",
    "services[0].capacity_teu",
    "pipelines[0].transit",
    "digitisation.level",
    "extends",
    "scenario",
    "nodes.x",
    "[0]",
    "nodes[18446744073709551616].id",
];

const LEVELS: &[&str] = &[
    "paper",
    "single_window",
    "1.5",
    "nan",
    "-0",
    "",
    "=",
    "BCP_KHORGOS_ALTYNKOL=pre_arrival",
    "PORT_AKTAU=0.5",
    "nobody=1",
];

#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    InsertLine(usize, &'static str),
    /// The n-th number of the text becomes a value.
    Number(usize, &'static str),
    /// The n-th duration string gets a number and a unit.
    Duration(usize, &'static str, &'static str),
    /// The n-th number gets any f64 or i64, as TOML writes it.
    Random(usize, String),
    Fragment(usize, &'static str),
    Truncate(usize),
}

#[derive(Clone, Debug)]
struct Case {
    scenario: usize,
    mutations: Vec<Mutation>,
    sets: Vec<(&'static str, String)>,
    levels: Vec<&'static str>,
    confine: bool,
}

fn pick<T: Clone + std::fmt::Debug + 'static>(xs: &'static [T]) -> impl Strategy<Value = T> {
    (0..xs.len()).prop_map(move |i| xs[i].clone())
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let n = 0usize..600;
    let random = prop_oneof![
        any::<f64>().prop_map(|x| format!("{x:?}")),
        any::<i64>().prop_map(|x| x.to_string()),
    ];
    prop_oneof![
        1 => n.clone().prop_map(Mutation::DeleteLine),
        1 => n.clone().prop_map(Mutation::DuplicateLine),
        1 => (n.clone(), n.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        2 => (n.clone(), pick(LINES)).prop_map(|(a, l)| Mutation::InsertLine(a, l)),
        3 => (0usize..200, pick(VALUES)).prop_map(|(a, v)| Mutation::Number(a, v)),
        3 => (0usize..120, pick(VALUES), pick(UNITS)).prop_map(|(a, v, u)| Mutation::Duration(a, v, u)),
        1 => (0usize..200, random).prop_map(|(a, v)| Mutation::Random(a, v)),
        1 => (0usize..30_000, pick(FRAGMENTS)).prop_map(|(a, f)| Mutation::Fragment(a, f)),
        1 => (0usize..30_000).prop_map(Mutation::Truncate),
    ]
}

fn case(scenarios: usize) -> impl Strategy<Value = Case> {
    let value = prop_oneof![
        pick(VALUES).prop_map(str::to_string),
        (pick(VALUES), pick(UNITS)).prop_map(|(v, u)| format!("{v}{u}")),
    ];
    (
        0..scenarios,
        prop::collection::vec(mutation(), 0..5),
        prop::collection::vec((pick(PATHS), value), 0..3),
        prop::collection::vec(pick(LEVELS), 0..2),
        any::<bool>(),
    )
        .prop_map(|(scenario, mutations, sets, levels, confine)| Case {
            scenario,
            mutations,
            sets,
            levels,
            confine,
        })
}

/// A byte range of the text.
type Span = (usize, usize);

/// Byte ranges of numbers (outside strings and comments, roughly) and of duration strings.
fn spans(text: &str) -> (Vec<Span>, Vec<Span>) {
    let (mut numbers, mut durations) = (Vec::new(), Vec::new());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += 1;
                }
                let s = &text[start..i];
                let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                if !digits.is_empty() && digits.len() < s.len() && digits.parse::<f64>().is_ok() {
                    durations.push((start, i));
                }
            }
            c if c.is_ascii_digit() || c == b'-' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b"._+-".contains(&b[i])) {
                    i += 1;
                }
                numbers.push((start, i));
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (numbers, durations)
}

fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let n = lines.len().max(1);
    let replace = |spans: &[Span], k: usize, with: &str| -> String {
        match spans.get(k % spans.len().max(1)) {
            Some(&(a, b)) => format!("{}{with}{}", &text[..a], &text[b..]),
            None => text.to_string(),
        }
    };
    let (numbers, durations) = spans(text);
    match m {
        Mutation::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => {
            let l = lines[i % n];
            lines.insert(i % n, l);
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
        Mutation::InsertLine(i, l) => lines.insert(i % (lines.len() + 1), l),
        Mutation::Number(k, v) => return replace(&numbers, *k, v),
        Mutation::Random(k, v) => return replace(&numbers, *k, v),
        Mutation::Duration(k, v, u) => return replace(&durations, *k, &format!("{v}{u}")),
        Mutation::Fragment(at, f) => {
            let at = floor_char(text, at % (text.len() + 1));
            return format!("{}{f}{}", &text[..at], &text[at..]);
        }
        Mutation::Truncate(at) => return text[..floor_char(text, at % (text.len() + 1))].into(),
        _ => {}
    }
    lines.join("\n") + "\n"
}

/// Loads `text` as the scenario at `path` with the changes; `Err` with a description if it
/// panicked or failed with an exit code other than 2.
fn load(
    path: &Path,
    text: &str,
    sets: &[String],
    levels: &[&str],
    confine: bool,
) -> Result<Result<(), String>, String> {
    let access = if confine {
        FileAccess::Confined
    } else {
        FileAccess::Open
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let overrides = sets
            .iter()
            .map(|s| Override::parse("--set", s))
            .collect::<Result<Vec<_>, _>>()?;
        let levels: Vec<String> = levels.iter().map(|l| l.to_string()).collect();
        let r = resolve_with(path, text, &overrides, &levels, access)?;
        if let Err(why) = within_limits(&r.model) {
            return Ok(Err(why));
        }
        // Every scenario that validates runs: one replication, for about 2,000 consignments of
        // its busiest flow (at most 3 days), to its horizon, conserving freight.
        let mut m = r.model;
        let gap = m
            .flows
            .iter()
            .map(|f| f.mean_gap_secs())
            .fold(f64::INFINITY, f64::min);
        let cap_ms = (gap * 2_000.0 * 1_000.0).clamp(1.0, 3.0 * 86_400_000.0) as u64;
        m.horizon = m.horizon.min(corridor::engine::SimTime(cap_ms));
        m.warmup = m.warmup.min(corridor::engine::SimTime(m.horizon.0 / 2));
        let mut rep = corridor::sim::Replication::new(&m, 0);
        if let Err(stall) = rep.run() {
            return Ok(Err(format!("a validated scenario stalled: {stall}")));
        }
        let c = rep.counters;
        let open = rep.consignments_in_system();
        if c.created != c.delivered + open {
            return Ok(Err(format!(
                "freight not conserved: created {} != delivered {} + in the system {open}",
                c.created, c.delivered
            )));
        }
        Ok::<_, corridor::Error>(Ok(()))
    }));
    match outcome {
        Ok(Ok(Err(why))) => Err(format!("validated, then failed a check: {why}")),
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {why}"))
        }
        Ok(Ok(Ok(()))) => Ok(Ok(())),
        Ok(Err(e)) if e.exit_code() == 2 => Ok(Err(e.to_string())),
        Ok(Err(e)) => Err(format!("exit code {} for {e}", e.exit_code())),
    }
}

/// The documented limits a validated model keeps: the horizon from 1 ms to 1000 years, ids of
/// at most 64 characters, timetables with departures at least 1 ms apart, and times between
/// arrivals that are not all under 1 ms (400 draws of each flow's arrivals, of which more
/// than 1 in 1000 under 1 ms is the refused case; 10 or more of 400 is far beyond it).
fn within_limits(m: &Model) -> Result<(), String> {
    let (h, w) = (m.horizon.ms(), m.warmup.ms());
    if !(1..=MAX_DURATION_MS).contains(&h) || w >= h {
        return Err(format!("horizon {h} ms, warm-up {w} ms"));
    }
    let ids = m.nodes.iter().map(|n| &n.id);
    let ids = ids.chain(m.flows.iter().map(|f| &f.id));
    let ids = ids.chain(m.services.iter().map(|s| &s.id));
    let ids = ids.chain(m.pipelines.iter().map(|p| &p.id));
    if let Some(id) = ids
        .chain([&m.name])
        .find(|id| id.len() > 64 || id.is_empty())
    {
        return Err(format!("an id of {} characters", id.len()));
    }
    for s in &m.services {
        if let Departure::Timetable { offsets, period } = &s.departure
            && (period.ms() == 0 || offsets.is_empty())
        {
            return Err(format!(
                "service {}: timetable {offsets:?} every {period:?}",
                s.id
            ));
        }
    }
    for f in &m.flows {
        let mut rng = stream(1, 0, "fuzz");
        let zero = (0..400)
            .filter(|_| f.arrivals.sample(&mut rng).ms() == 0)
            .count();
        let mean = f.arrivals.mean_secs();
        if zero >= 10 || mean.is_nan() || mean > MAX_DURATION_MS as f64 / 1000.0 {
            return Err(format!(
                "flow {}: {zero} of 400 draws 0 ms, mean {mean} s",
                f.id
            ));
        }
    }
    Ok(())
}

#[test]
fn the_loader_never_panics_on_mutated_scenarios() {
    let scenarios = shipped();
    // CORRIDOR_FUZZ_CASES=N (and CORRIDOR_FUZZ_SEED=S) run a longer search locally.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u32>().ok());
    let config = Config {
        cases: env("CORRIDOR_FUZZ_CASES").unwrap_or(CASES),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut seed = *b"corridor-loader-fuzz-seed-000000";
    seed[28..].copy_from_slice(&env("CORRIDOR_FUZZ_SEED").unwrap_or(1).to_le_bytes());
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let (tried, valid) = (Cell::new(0u32), Cell::new(0u32));
    let started = Instant::now();
    let result = runner.run(&case(scenarios.len()), |c| {
        let (path, text) = &scenarios[c.scenario];
        let text = c.mutations.iter().fold(text.clone(), |t, m| mutate(&t, m));
        tried.set(tried.get() + 1);
        let sets: Vec<String> = c.sets.iter().map(|(p, v)| format!("{p}={v}")).collect();
        match load(path, &text, &sets, &c.levels, c.confine) {
            Ok(Ok(())) => {
                valid.set(valid.get() + 1);
                Ok(())
            }
            Ok(Err(_)) => Ok(()),
            Err(why) => Err(TestCaseError::fail(format!("{why}\n--- input ---\n{text}"))),
        }
    });
    eprintln!(
        "fuzz: {} inputs (with shrinking), {} valid, in {:.1} s",
        tried.get(),
        valid.get(),
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Replays `tests/fuzz-corpus/*.toml`: each file is a scenario whose comment lines
/// `# set: PATH=VALUE` and `# digitisation: LEVEL` give the changes, and whose line
/// `# expect: TEXT` the message that loading must give (or `# expect: valid`).
#[test]
fn the_fuzz_corpus_replays_without_a_panic() {
    let dir = root().join("tests/fuzz-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let field = |key: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.strip_prefix(&format!("# {key}: ")))
                .map(str::to_string)
                .collect()
        };
        let sets = field("set");
        let levels = field("digitisation");
        let levels: Vec<&str> = levels.iter().map(String::as_str).collect();
        let expect = field("expect");
        assert_eq!(expect.len(), 1, "{}: one `# expect:` line", path.display());
        match load(&path, &text, &sets, &levels, false) {
            Err(why) => panic!("{}: {why}", path.display()),
            Ok(Ok(())) => assert_eq!(expect[0], "valid", "{}", path.display()),
            Ok(Err(message)) => assert!(
                message.contains(&expect[0]),
                "{}: {message:?} lacks {:?}",
                path.display(),
                expect[0]
            ),
        }
    }
}
