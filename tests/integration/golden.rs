//! Golden outputs: every shipped scenario (and the validation ones) run from the command line at
//! a short horizon with few replications, compared byte for byte with the files stored in
//! `tests/golden/`. A change of any number is then a decision: the commit that changes a golden
//! file says why.
//!
//! To regenerate the stored files after a deliberate change:
//!
//! ```sh
//! CORRIDOR_BLESS=1 cargo test --test integration golden
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use crate::cli::{corridor, stderr};

/// One golden case: a name (its folder under `tests/golden/`), the command line, and the files
/// of the results folder to pin.
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    files: &'static [&'static str],
}

const RUN_FILES: &[&str] = &[
    "summary.csv",
    "bottlenecks.csv",
    "replications.csv",
    "timeseries.csv",
];

/// The files of a run whose nodes have positions: the map too.
const MAP_FILES: &[&str] = &[
    "summary.csv",
    "bottlenecks.csv",
    "replications.csv",
    "corridor.geojson",
];

/// Short runs: three replications (two for the larger corridors) of a shortened horizon. Every
/// shipped scenario is here; `tests/golden/README.md` says how they were chosen.
const CASES: &[Case] = &[
    Case {
        name: "mm1-validation",
        args: &[
            "run",
            "scenarios/mm1-validation.toml",
            "-r",
            "3",
            "--set",
            "scenario.horizon=120d",
        ],
        files: RUN_FILES,
    },
    Case {
        name: "middle-corridor-simple",
        args: &[
            "run",
            "scenarios/middle-corridor-simple.toml",
            "-r",
            "3",
            "--set",
            "scenario.horizon=150d",
        ],
        files: MAP_FILES,
    },
    Case {
        name: "middle-corridor",
        args: &[
            "run",
            "scenarios/middle-corridor.toml",
            "-r",
            "3",
            "--set",
            "scenario.horizon=150d",
        ],
        files: MAP_FILES,
    },
    Case {
        name: "north-south",
        args: &[
            "run",
            "scenarios/north-south.toml",
            "-r",
            "3",
            "--set",
            "scenario.horizon=150d",
        ],
        files: MAP_FILES,
    },
    Case {
        name: "zangezur",
        args: &[
            "run",
            "scenarios/zangezur.toml",
            "-r",
            "3",
            "--set",
            "scenario.horizon=150d",
        ],
        files: MAP_FILES,
    },
    Case {
        name: "middle-corridor-2024-2030",
        args: &[
            "run",
            "scenarios/middle-corridor-2024-2030.toml",
            "-r",
            "2",
            "--set",
            "scenario.horizon=761d",
        ],
        files: MAP_FILES,
    },
    Case {
        name: "middle-corridor-2024-2030-early-feeders",
        args: &[
            "run",
            "scenarios/middle-corridor-2024-2030-early-feeders.toml",
            "-r",
            "2",
            "--set",
            "scenario.horizon=1127d",
            "--periods",
            "quarter",
        ],
        files: MAP_FILES,
    },
    Case {
        name: "digitisation",
        args: &[
            "run",
            "scenarios/digitisation.toml",
            "-r",
            "3",
            "--set",
            "scenario.horizon=150d",
        ],
        files: MAP_FILES,
    },
    Case {
        name: "digitisation-single-window",
        args: &[
            "run",
            "scenarios/digitisation.toml",
            "-r",
            "3",
            "--set",
            "scenario.horizon=150d",
            "--digitisation",
            "single_window",
        ],
        files: MAP_FILES,
    },
    Case {
        name: "tandem-jobs",
        args: &[
            "run",
            "benches/scenarios/tandem-jobs.toml",
            "-r",
            "2",
            "--set",
            "scenario.horizon=40d",
        ],
        files: RUN_FILES,
    },
    Case {
        name: "features",
        args: &["run", "tests/golden/scenarios/features.toml"],
        files: RUN_FILES,
    },
    Case {
        name: "compare-mm1",
        args: &[
            "compare",
            "scenarios/mm1-validation.toml",
            "--alt",
            "nodes.mm1.servers=2",
            "-r",
            "3",
            "--set",
            "scenario.horizon=60d",
        ],
        files: &["comparison.csv"],
    },
    Case {
        name: "sweep-mm1",
        args: &[
            "sweep",
            "scenarios/mm1-validation.toml",
            "--vary",
            "flows.to-mm1.arrivals.mean=70m,80m",
            "-r",
            "2",
            "--set",
            "scenario.horizon=60d",
        ],
        files: &["sweep.csv"],
    },
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The first rows where two files differ, numbered, for the failure message.
fn first_differences(expected: &str, actual: &str, max: usize) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut out = Vec::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i).copied(), a.get(i).copied());
        if x != y {
            out.push(format!(
                "  line {}:\n    golden: {}\n    now:    {}",
                i + 1,
                x.unwrap_or("(no line)"),
                y.unwrap_or("(no line)")
            ));
            if out.len() == max {
                break;
            }
        }
    }
    if out.is_empty() {
        "  (same lines, different line endings or trailing bytes)".into()
    } else {
        out.join("\n")
    }
}

fn run_case(case: &Case, out: &Path) {
    let mut args: Vec<&str> = case.args.to_vec();
    let out_s = out.to_str().expect("temporary path is UTF-8");
    args.extend(["--out", out_s, "-q", "-j", "2"]);
    let o = corridor(&args, &root());
    assert!(
        o.status.success(),
        "golden case {}: corridor {} failed:\n{}",
        case.name,
        args.join(" "),
        stderr(&o)
    );
}

#[test]
fn outputs_match_the_golden_files() {
    let bless = std::env::var_os("CORRIDOR_BLESS").is_some();
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let out = tmp.path().join(case.name);
        run_case(case, &out);
        let golden_dir = root().join("tests/golden").join(case.name);
        for file in case.files {
            let actual = fs::read_to_string(out.join(file))
                .unwrap_or_else(|e| panic!("{}: {file} not written: {e}", case.name));
            let golden_path = golden_dir.join(file);
            if bless {
                fs::create_dir_all(&golden_dir).unwrap();
                fs::write(&golden_path, &actual).unwrap();
                continue;
            }
            let expected = fs::read_to_string(&golden_path).unwrap_or_else(|e| {
                panic!(
                    "{}: cannot read {} ({e}); create it with CORRIDOR_BLESS=1 cargo test --test integration golden",
                    case.name,
                    golden_path.display()
                )
            });
            if expected != actual {
                failures.push(format!(
                    "{}/{file} differs (corridor {}):\n{}",
                    case.name,
                    case.args.join(" "),
                    first_differences(&expected, &actual, 5)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "outputs differ from tests/golden/ (if the change is deliberate, rerun with \
         CORRIDOR_BLESS=1 and say why in the commit message):\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_shipped_scenario_has_a_golden_case() {
    for entry in fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let file = format!("scenarios/{}", path.file_name().unwrap().to_string_lossy());
            assert!(
                CASES.iter().any(|c| c.args.contains(&file.as_str())),
                "{file} has no golden case in tests/integration/golden.rs"
            );
        }
    }
}

#[test]
fn differences_name_the_first_differing_rows() {
    let d = first_differences("a\nb\nc\n", "a\nB\nc\nd\n", 5);
    assert!(d.contains("line 2:") && d.contains("golden: b") && d.contains("now:    B"));
    assert!(d.contains("line 4:") && d.contains("golden: (no line)"));
}
