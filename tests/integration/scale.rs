//! Large corridors: the generator of the scale benches (benches/corridor/generate.rs) writes
//! valid scenarios of the intended shape, and the ways made linear for them (`validate` without the
//! canonical text, link steps found in a map, summary rows found in an index) give what the
//! old ways gave: the same model, the same messages, the same first culprit.

use std::fs;
use std::path::Path;

use corridor::scenario::{self, FileAccess, Leg};

use crate::cli::{corridor, stderr};

#[path = "../../benches/corridor/generate.rs"]
mod generate;

use generate::{FLOWS_PER_NODE, Network, ROUTE_LEN, TandemCopies, copy_station_id};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn generated_corridors_are_valid_and_of_the_intended_shape() {
    for nodes in [8, 100, 333] {
        let net = Network::new(nodes);
        let m = scenario::parse(Path::new("ring.toml"), &net.toml()).unwrap();
        assert_eq!(m.nodes.len(), nodes);
        assert_eq!(m.flows.len(), FLOWS_PER_NODE * nodes);
        assert_eq!(m.links.len(), net.links.len());
        for (f, route) in m.flows.iter().zip(&net.routes) {
            assert_eq!(&f.route, route);
            assert_eq!(f.route.len(), ROUTE_LEN);
            // Every step travels its link, n -> n + 1.
            for (k, leg) in f.legs.iter().enumerate() {
                let Leg::Link(l) = *leg else {
                    panic!("flow {} step {k} is {leg:?}", f.id)
                };
                assert_eq!(
                    (m.links[l].from, m.links[l].to),
                    (f.route[k], f.route[k + 1])
                );
            }
        }
        // About ten consignments in flight per station, every station half busy.
        assert!((net.in_flight() / nodes as f64 - 10.0).abs() < 0.01);
        for l in m.offered_loads() {
            assert!((0.45..0.55).contains(&l.load), "{l:?}");
        }
    }
}

#[test]
fn generated_copies_of_the_tandem_are_jackson_networks_of_the_intended_shape() {
    for copies in [1, 3, 100] {
        let g = TandemCopies::new(copies);
        let m = scenario::parse(Path::new("copies.toml"), &g.toml()).unwrap();
        assert_eq!(m.nodes.len(), 5 * copies);
        assert_eq!(m.flows.len(), copies);
        assert!(m.links.is_empty());
        for (c, f) in m.flows.iter().enumerate() {
            let ids: Vec<&str> = f.route.iter().map(|&n| m.nodes[n].id.as_str()).collect();
            let expected: Vec<String> = (0..5).map(|i| copy_station_id(c, i)).collect();
            assert_eq!(ids, expected);
        }
        // Each station's load is its service mean over the hour between arrivals.
        let mut loads: Vec<f64> = m.offered_loads().iter().map(|l| l.load).collect();
        loads.sort_by(f64::total_cmp);
        assert!((loads[0] - 0.5).abs() < 1e-9 && (loads[loads.len() - 1] - 0.8).abs() < 1e-9);
        // Little's law with M/M/1 sojourns: 1 + 1.5 + 2.333 + 4 + 1 hours per copy.
        let hours = 1.0 + 1.5 + 7.0 / 3.0 + 4.0 + 1.0;
        assert!((g.in_flight() - copies as f64 * hours).abs() < 1e-9);
    }
}

#[test]
fn validate_without_the_canonical_text_gives_the_same_model_and_messages() {
    let net = Network::new(50);
    let text = net.toml();
    let file = Path::new("ring.toml");
    let full = scenario::resolve(file, &text, &[], &[]).unwrap();
    let checked = scenario::check(file, &text, &[], &[], FileAccess::Open).unwrap();
    assert_eq!(format!("{:?}", full.model), format!("{checked:?}"));
    assert!(!full.text.is_empty());
    // Errors: of the TOML syntax, of a field, of a value; the same message either way.
    let broken = [
        text.replacen("servers = 1", "servers = [", 1),
        text.replacen("servers = 1", "servrs = 1", 1),
        text.replacen("servers = 1", "servers = 0", 1),
        text.replacen("route = [\"n000000\"", "route = [\"nowhere\"", 1),
        // Beyond TOML's integers: the document's parse refuses what a u64 field would take.
        text.replacen("seed = 1", "seed = 18446744073709551615", 1),
    ];
    for b in &broken {
        assert_ne!(b, &text);
        let e1 = scenario::resolve(file, b, &[], &[])
            .unwrap_err()
            .to_string();
        let e2 = scenario::check(file, b, &[], &[], FileAccess::Open)
            .unwrap_err()
            .to_string();
        assert_eq!(e1, e2);
    }
}

#[test]
fn validate_follows_extends_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("base.toml"), Network::new(20).toml()).unwrap();
    fs::write(
        dir.path().join("alt.toml"),
        "extends = \"base.toml\"\n[scenario]\nname = \"alt\"\n[[nodes]]\nid = \"n000003\"\nservers = 0\n",
    )
    .unwrap();
    let o = corridor(&["validate", "alt.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("servers") && stderr(&o).contains("merged with its `extends` base"),
        "{}",
        stderr(&o)
    );
    let o = corridor(
        &["validate", "alt.toml", "--set", "nodes.n000003.servers=2"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Scenario \"alt\": 20 node(s)"),
        "{}",
        stdout(&o)
    );
}

/// Three stations, a ferry from b to c; `links` and `flows` appended.
fn with(links_and_flows: &str) -> String {
    format!(
        r#"[scenario]
name = "steps"
horizon = "10d"

[[nodes]]
id = "a"
kind = "station"
servers = 1
service = {{ dist = "fixed", value = "1m" }}
[[nodes]]
id = "b"
kind = "station"
servers = 1
service = {{ dist = "fixed", value = "1m" }}
yard_teu = 50
[[nodes]]
id = "c"
kind = "station"
servers = 1
service = {{ dist = "fixed", value = "1m" }}

[[services]]
id = "ferry"
mode = "sea"
from = "b"
to = "c"
capacity_teu = 40
fleet = 1
travel = {{ dist = "fixed", value = "1h" }}
departure = "when_full"
{links_and_flows}"#
    )
}

#[test]
fn link_and_yard_errors_name_the_first_culprit() {
    let err = |src: &str| {
        scenario::parse(Path::new("s.toml"), src)
            .unwrap_err()
            .to_string()
    };
    let flow = |id: &str, route: &str, teu: u32| {
        format!(
            "[[flows]]\nid = \"{id}\"\nroute = {route}\narrivals = {{ dist = \"exponential\", mean = \"5h\" }}\nteu = {teu}\n"
        )
    };
    let link = |from: &str, to: &str| {
        format!(
            "[[links]]\nfrom = \"{from}\"\nto = \"{to}\"\ntime = {{ dist = \"fixed\", value = \"1h\" }}\n"
        )
    };
    // Two flows take the ferry from b to c; a link b -> c names the first of them.
    let src = with(&format!(
        "{}{}{}{}",
        link("a", "b"),
        link("b", "c"),
        flow("f1", r#"["a", "b", "c"]"#, 1),
        flow("f2", r#"["a", "b", "ferry", "c"]"#, 1),
    ));
    let src = src + &flow("f3", r#"["b", "ferry", "c"]"#, 1);
    let e = err(&src);
    assert!(
        e.contains("links[1]") && e.contains("flow \"f2\"") && e.contains("service #0"),
        "{e}"
    );
    // A link that follows no step.
    let e = err(&with(&format!(
        "{}{}",
        link("a", "c"),
        flow("f1", r#"["a", "b"]"#, 1)
    )));
    assert!(
        e.contains("links[0]") && e.contains("not consecutive on any flow's route"),
        "{e}"
    );
    // The yard of b (50 TEU): the first flow through it that does not fit is named, then the
    // ferry's load once every flow fits.
    let flows = flow("small", r#"["a", "b"]"#, 10)
        + &flow("big", r#"["a", "b"]"#, 60)
        + &flow("bigger", r#"["b", "c"]"#, 70);
    let e = err(&with(&flows));
    assert!(
        e.contains("nodes[1].yard_teu") && e.contains("flow \"big\" (60 TEU)"),
        "{e}"
    );
    let e = err(
        &with(&flow("small", r#"["a", "b", "ferry", "c"]"#, 10)).replace(
            "id = \"c\"\nkind = \"station\"",
            "id = \"c\"\nyard_teu = 30\nkind = \"station\"",
        ),
    );
    assert!(
        e.contains("nodes[2].yard_teu") && e.contains("full carrier of service \"ferry\""),
        "{e}"
    );
}

#[test]
fn the_run_tables_of_a_large_corridor_list_every_flow_once_each_and_five_bottlenecks() {
    let dir = tempfile::tempdir().unwrap();
    let net = Network::new(300);
    // A short horizon: the tables, not the simulation, are under test.
    let text = net.toml().replacen(
        &format!("horizon = \"{}h\"", net.horizon_h),
        "horizon = \"20h\"",
        1,
    );
    fs::write(dir.path().join("ring.toml"), text).unwrap();
    let o = corridor(&["run", "ring.toml", "-j", "1", "--out", "o"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // Each flow once in the transit table and once in the decomposition table.
    for (i, _) in net.routes.iter().enumerate() {
        let id = format!("f{i:06} ");
        assert_eq!(out.matches(&id).count(), 2, "{id}");
    }
    let ranked = out.lines().filter(|l| l.contains("node:")).count();
    assert_eq!(ranked, 5, "{out}");
    assert!(out.contains("more resources in bottlenecks.csv"), "{out}");
}
