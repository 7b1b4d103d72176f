//! `warmup = "auto"`: MSER-5 on a pilot run, from the command line.

use std::process::Command;

/// An M/M/1 at load 0.8 started empty: its mean queue starts at 0 and takes days to settle.
const MM1: &str = "[scenario]\nname = \"mm1auto\"\nhorizon = \"60d\"\nwarmup = \"auto\"\nreplications = 200\nseed = 1\n\
[[nodes]]\nid = \"q\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"48m\" }\n\
[[flows]]\nid = \"f\"\nroute = [\"q\"]\narrivals = { dist = \"exponential\", mean = \"1h\" }\n";

fn corridor(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn auto_warmup_cuts_the_start_up_of_an_mm1_started_empty() {
    let dir = std::env::temp_dir().join(format!("corridor-auto-warmup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mm1.toml"), MM1).unwrap();
    let o = corridor(&["run", "mm1.toml", "-q", "--out", "out"], &dir);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/manifest.json")).unwrap())
            .unwrap();
    let a = &manifest["auto_warmup"];
    assert_eq!(a["method"], "MSER-5");
    assert_eq!(a["steady"], true, "{a}");
    assert_eq!(a["pilot_replications"], 200);
    // 500 bins over 60 days (2.88 h each); a positive truncation of whole batches, in the
    // first half.
    let bin = a["bin_ms"].as_u64().unwrap();
    assert_eq!(bin, 60 * 86_400_000 / 500);
    let cut = a["truncation_bins"].as_u64().unwrap();
    assert!(cut > 0 && cut.is_multiple_of(5) && cut <= 250, "{a}");
    let warmup_ms = a["warmup_ms"].as_u64().unwrap();
    assert_eq!(warmup_ms, cut * bin);
    assert!(
        err.contains("auto warm-up:") && err.contains("MSER-5"),
        "{err}"
    );
    // The run used it: the window's arrival rate divides by horizon - warm-up, and the
    // time bins start there.
    assert_eq!(manifest["bins"]["from_ms"].as_u64().unwrap(), warmup_ms);
    // Other commands refuse it, exit code 2.
    let o = corridor(
        &["compare", "mm1.toml", "--alt", "nodes.q.servers=2", "-q"],
        &dir,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("warmup = \"auto\""), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_warmup_says_auto_is_allowed() {
    let src = MM1.replace("warmup = \"auto\"", "warmup = \"automatic\"");
    let e = corridor::scenario::parse(std::path::Path::new("inline.toml"), &src)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"automatic\"") && e.contains("or \"auto\""),
        "{e}"
    );
}
