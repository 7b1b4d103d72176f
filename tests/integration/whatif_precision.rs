//! What-if studies: `--precision` (replications until a target half-width).

use crate::whatif::{CSVS, manifest, ok, same_files, stdout, workdir};

#[test]
fn precision_stops_when_the_target_is_met() {
    let dir = workdir();
    let d = dir.path();
    let o = ok(
        &[
            "run",
            "s.toml",
            "-r",
            "3",
            "--precision",
            "transit_mean:box:0.02",
            "--max-replications",
            "200",
            "--out",
            "p",
        ],
        d,
    );
    let m = manifest(&d.join("p"));
    let p = &m["precision"];
    assert_eq!(p["stopped_because"], "target reached", "{p}");
    assert_eq!(p["reached"], true);
    let n = p["replications"].as_u64().unwrap();
    assert!(
        n > 3 && n < 200,
        "{n}: the target should need more than the first 3 replications"
    );
    assert!(p["rel_half_width"].as_f64().unwrap() <= 0.02);
    assert_eq!(m["replications"], n);
    assert!(stdout(&o).contains("target reached"), "{}", stdout(&o));
    // The result is a plain run with the final count, and it does not depend on --jobs.
    let r = n.to_string();
    ok(&["run", "s.toml", "-q", "-r", &r, "--out", "plain"], d);
    same_files(&d.join("p"), &d.join("plain"), &CSVS);
    ok(
        &[
            "run",
            "s.toml",
            "-q",
            "-r",
            "3",
            "-j",
            "1",
            "--precision",
            "transit_mean:box:0.02",
            "--max-replications",
            "200",
            "--out",
            "p1",
        ],
        d,
    );
    same_files(&d.join("p"), &d.join("p1"), &CSVS);
}

#[test]
fn precision_stops_at_the_cap() {
    let dir = workdir();
    let d = dir.path();
    let o = ok(
        &[
            "run",
            "s.toml",
            "--precision",
            "node.wait_mean:yard:0.0001",
            "--max-replications",
            "12",
            "--out",
            "p",
        ],
        d,
    );
    let p = &manifest(&d.join("p"))["precision"];
    assert_eq!(p["stopped_because"], "replication cap reached", "{p}");
    assert_eq!(p["reached"], false);
    assert_eq!(p["replications"], 12);
    assert!(p["rel_half_width"].as_f64().unwrap() > 0.0001);
    assert!(
        stdout(&o).contains("replication cap reached"),
        "{}",
        stdout(&o)
    );
    ok(&["run", "s.toml", "-q", "-r", "12", "--out", "plain"], d);
    same_files(&d.join("p"), &d.join("plain"), &CSVS);
}
