//! What-if studies: `sweep` over a grid of values.

use crate::whatif::{manifest, ok, text, workdir};

#[test]
fn sweep_has_one_row_per_point_per_metric_in_grid_order() {
    let dir = workdir();
    let d = dir.path();
    ok(
        &[
            "sweep",
            "s.toml",
            "-q",
            "-r",
            "3",
            "--out",
            "sw",
            "--vary",
            "nodes.gate.servers=2..4:1",
            "--vary",
            "scenario.horizon=20d..40d:20d",
        ],
        d,
    );
    ok(&["run", "s.toml", "-q", "-r", "3", "--out", "plain"], d);
    let summary = text(&d.join("plain"), "summary.csv");
    let metrics = summary.lines().count() - 1;
    let csv = text(&d.join("sw"), "sweep.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,nodes.gate.servers,scenario.horizon,scope,id,metric,unit,mean,ci95,std,min,max,n"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 6 * metrics);
    // Points in nested-loop order, the first --vary outermost; each point is exactly a run
    // with those values set (same seed: common random numbers across points).
    let points = [
        ("2", "20d"),
        ("2", "40d"),
        ("3", "20d"),
        ("3", "40d"),
        ("4", "20d"),
        ("4", "40d"),
    ];
    for (p, (servers, horizon)) in points.iter().enumerate() {
        let out = format!("p{p}");
        ok(
            &[
                "run",
                "s.toml",
                "-q",
                "-r",
                "3",
                "--out",
                &out,
                "--set",
                &format!("nodes.gate.servers={servers}"),
                "--set",
                &format!("scenario.horizon={horizon}"),
            ],
            d,
        );
        let expected: Vec<String> = text(&d.join(&out), "summary.csv")
            .lines()
            .skip(1)
            // sweep.csv has no `period` column: summary.csv's last (empty) field goes.
            .map(|l| l.strip_suffix(',').unwrap_or(l))
            .map(|l| l.replacen("wi,", &format!("wi,{servers},{horizon},"), 1))
            .collect();
        let got = &rows[p * metrics..(p + 1) * metrics];
        assert_eq!(got, expected.as_slice(), "point {p}");
    }
    let m = manifest(&d.join("sw"));
    assert_eq!(m["kind"], "sweep");
    assert_eq!(m["sweep"]["vary"][1], "scenario.horizon");
    assert_eq!(m["sweep"]["points"][5][1], "40d");
}

#[test]
fn demand_in_vary_is_scenario_demand_and_demand_flow_a_flows() {
    let dir = workdir();
    let d = dir.path();
    let sweep = |vary: &str, out: &str| {
        ok(
            &[
                "sweep", "s.toml", "-q", "-r", "2", "--out", out, "--vary", vary,
            ],
            d,
        );
        let csv = text(&d.join(out), "sweep.csv");
        let (head, body) = csv.split_once('\n').unwrap();
        (head.to_string(), body.to_string())
    };
    // The alias gives the same rows as the field it stands for; the column is named as written.
    let (head, alias) = sweep("demand=1,1.25,2", "alias");
    assert!(head.starts_with("scenario,demand,scope,"), "{head}");
    let (head, field) = sweep("scenario.demand=1,1.25,2", "field");
    assert!(
        head.starts_with("scenario,scenario.demand,scope,"),
        "{head}"
    );
    assert_eq!(alias, field);
    let (head, alias) = sweep("demand.box=1,2", "flow-alias");
    assert!(head.starts_with("scenario,demand.box,scope,"), "{head}");
    let (_, field) = sweep("flows.box.demand=1,2", "flow-field");
    assert_eq!(alias, field);
    // Demand 2 really doubles the arrivals.
    let created = |body: &str, point: &str| -> f64 {
        body.lines()
            .find(|l| l.starts_with(&format!("wi,{point},flow,box,created,")))
            .unwrap()
            .split(',')
            .nth(6)
            .unwrap()
            .parse()
            .unwrap()
    };
    let ratio = created(&alias, "2") / created(&alias, "1");
    assert!((1.8..2.2).contains(&ratio), "{ratio}");
    // The same field set twice is refused, whichever way it is named.
    let o = crate::whatif::corridor(
        &["sweep", "s.toml", "--demand", "2", "--vary", "demand=1,2"],
        d,
    );
    assert_eq!(o.status.code(), Some(2));
    let e = crate::whatif::stderr(&o);
    assert!(e.contains("both --demand and --vary"), "{e}");
    let o = crate::whatif::corridor(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "demand.box=1,2",
            "--vary",
            "flows.box.demand=3,4",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = crate::whatif::corridor(&["sweep", "s.toml", "--vary", "demand.nope=1,2"], d);
    assert_eq!(o.status.code(), Some(2));
    let e = crate::whatif::stderr(&o);
    assert!(e.contains("box"), "{e}");
}
