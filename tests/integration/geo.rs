//! Positions and the map: `lat`/`lon` of nodes validated like every other field, and
//! corridor.geojson read back with an independent GeoJSON reader (the `geojson` crate): from
//! every shipped scenario with positions, again by `merge` from shards and by `export geojson`,
//! byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

use geojson::{Feature, FeatureCollection, GeoJson, GeometryValue};

use corridor::scenario::{self, Model, Network};

use crate::cli::{corridor, stderr, workdir};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs corridor in `cwd` and expects success.
fn ok(args: &[&str], cwd: &Path) -> String {
    let o = corridor(args, cwd);
    assert!(
        o.status.success(),
        "corridor {} failed:\n{}",
        args.join(" "),
        stderr(&o)
    );
    stderr(&o)
}

/// Runs corridor in `cwd`, expects exit code 2, returns stderr.
fn bad(args: &[&str], cwd: &Path) -> String {
    let o = corridor(args, cwd);
    assert_eq!(
        o.status.code(),
        Some(2),
        "corridor {} should exit 2:\n{}",
        args.join(" "),
        stderr(&o)
    );
    stderr(&o)
}

/// A file parsed by the geojson crate, as a FeatureCollection.
fn collection(path: &Path) -> FeatureCollection {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(fc)) => fc,
        Ok(other) => panic!("{}: not a FeatureCollection: {other:?}", path.display()),
        Err(e) => panic!("{}: not valid GeoJSON: {e}", path.display()),
    }
}

fn id(f: &Feature) -> String {
    match &f.id {
        Some(geojson::feature::Id::String(s)) => s.clone(),
        other => panic!("feature without a string id: {other:?}"),
    }
}

/// `[lon, lat]` of a point.
fn coords(p: &geojson::Position) -> [f64; 2] {
    assert_eq!(p.as_slice().len(), 2, "a position has lon and lat only");
    [p[0], p[1]]
}

/// Checks a map of `model`: one feature per node, link and service, in that order, with the
/// model's ids and positions in [lon, lat] order; `results` whether result properties are there.
fn check_map(model: &Model, fc: &FeatureCollection, results: bool) {
    let n = model.nodes.len();
    assert_eq!(
        fc.features.len(),
        n + model.links.len() + model.services.len(),
        "{}: one feature per node, link and service",
        model.name
    );
    let at = |i: usize| {
        let p = model.nodes[i].position.expect("every node placed");
        [p.lon, p.lat]
    };
    for (i, node) in model.nodes.iter().enumerate() {
        let f = &fc.features[i];
        assert_eq!(id(f), node.id);
        match &f.geometry.as_ref().expect("a geometry").value {
            GeometryValue::Point { coordinates } => assert_eq!(coords(coordinates), at(i)),
            other => panic!("node {} is a {}", node.id, other.type_name()),
        }
        let props = f.properties.as_ref().expect("properties");
        assert_eq!(props["feature"], "node");
        assert_eq!(props.contains_key("utilisation"), results, "{}", node.id);
    }
    let lines = model
        .links
        .iter()
        .map(|l| {
            let id = format!("{}->{}", model.nodes[l.from].id, model.nodes[l.to].id);
            (id, l.from, l.to, "link")
        })
        .chain(
            model
                .services
                .iter()
                .map(|s| (s.id.clone(), s.from, s.to, "service")),
        );
    for ((line_id, from, to, kind), f) in lines.zip(&fc.features[n..]) {
        assert_eq!(id(f), line_id);
        match &f.geometry.as_ref().expect("a geometry").value {
            GeometryValue::LineString { coordinates } => {
                let ends: Vec<[f64; 2]> = coordinates.iter().map(coords).collect();
                assert_eq!(ends, [at(from), at(to)], "{line_id}");
            }
            other => panic!("{line_id} is a {}", other.type_name()),
        }
        let props = f.properties.as_ref().expect("properties");
        assert_eq!(props["feature"], kind);
        assert!(props["flow_count"].as_u64().unwrap() >= 1, "{line_id}");
        assert_eq!(props.contains_key("bottleneck_rank"), results);
    }
}

/// The shipped scenarios, with their models.
fn shipped() -> Vec<(String, Model)> {
    let mut out: Vec<(String, Model)> = fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let rel = format!("scenarios/{}", p.file_name().unwrap().to_string_lossy());
            let model = scenario::load(&p).unwrap_or_else(|e| panic!("{e}"));
            (rel, model)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 6, "found only {} shipped scenarios", out.len());
    out
}

#[test]
fn every_shipped_scenario_but_mm1_has_every_node_placed() {
    for (file, model) in shipped() {
        let placed = model.nodes.iter().filter(|n| n.position.is_some()).count();
        if file.ends_with("mm1-validation.toml") {
            assert_eq!(
                placed, 0,
                "{file}: the validation scenario has no geography"
            );
        } else {
            assert_eq!(
                placed,
                model.nodes.len(),
                "{file}: every node needs lat and lon"
            );
        }
    }
    // Poti is on the Black Sea: longitude about 41.7 E, latitude about 42.1 N.
    let model = scenario::load(&root().join("scenarios/middle-corridor.toml")).unwrap();
    let poti = model.nodes.iter().find(|n| n.id == "PORT_POTI").unwrap();
    let p = poti.position.unwrap();
    assert!(
        (41.5..41.8).contains(&p.lon) && (42.0..42.3).contains(&p.lat),
        "{p:?}"
    );
}

#[test]
fn the_network_read_back_from_resolved_text_is_the_models() {
    for (file, _) in shipped() {
        let path = root().join(&file);
        let src = fs::read_to_string(&path).unwrap();
        let r = scenario::resolve(&path, &src, &[], &[]).unwrap();
        let back = Network::from_resolved(Path::new("manifest.json"), &r.text).unwrap();
        assert_eq!(back, Network::of(&r.model), "{file}");
    }
    let path = root().join("tests/golden/scenarios/features.toml");
    let src = fs::read_to_string(&path).unwrap();
    let r = scenario::resolve(&path, &src, &[], &[]).unwrap();
    let back = Network::from_resolved(Path::new("manifest.json"), &r.text).unwrap();
    assert_eq!(back, Network::of(&r.model), "features.toml");
}

/// Every shipped scenario with positions writes a corridor.geojson that an independent reader
/// takes as valid GeoJSON, with the model's features in [lon, lat] order; `export geojson`
/// writes the same bytes from the folder, and the network alone from the scenario file.
#[test]
fn shipped_scenarios_write_valid_geojson_and_export_reproduces_it() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, model) in shipped() {
        let out = tmp.path().join(&model.name);
        let out_s = out.to_str().unwrap();
        let short = ["--set", "scenario.horizon=60d", "-r", "2", "-j", "2", "-q"];
        let mut args = vec!["run", file.as_str(), "--out", out_s];
        args.extend(short);
        ok(&args, &root());
        let map = out.join("corridor.geojson");
        if model.nodes.iter().all(|n| n.position.is_none()) {
            assert!(!map.exists(), "{file}: a map without positions");
            let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
            assert!(!manifest.contains("corridor.geojson"));
            continue;
        }
        check_map(&model, &collection(&map), true);
        let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
        assert!(
            manifest.contains("\"corridor.geojson\""),
            "{file}: not in outputs"
        );

        let again = tmp.path().join(format!("{}-export.geojson", model.name));
        let again_s = again.to_str().unwrap();
        ok(&["export", "geojson", out_s, "--out", again_s], &root());
        assert_eq!(
            fs::read(&again).unwrap(),
            fs::read(&map).unwrap(),
            "{file}: export geojson differs from the run's corridor.geojson"
        );

        let bare = tmp.path().join(format!("{}-network.geojson", model.name));
        ok(
            &["export", "geojson", &file, "--out", bare.to_str().unwrap()],
            &root(),
        );
        check_map(&model, &collection(&bare), false);
    }
}

#[test]
fn shards_merged_write_the_map_of_a_single_run_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let s = root().join("scenarios/zangezur.toml");
    let s = s.to_str().unwrap();
    let common = ["-r", "3", "--set", "scenario.horizon=60d", "-q", "-j", "1"];
    let mut args = vec!["run", s, "--out", "single"];
    args.extend(common);
    ok(&args, d);
    for k in 0..2 {
        let (shard, out) = (format!("{k}/2"), format!("shard-{k}"));
        let mut args = vec!["run", s, "--shard", &shard, "--out", &out];
        args.extend(common);
        ok(&args, d);
        assert!(!d.join(&out).join("corridor.geojson").exists());
    }
    ok(&["merge", "shard-1", "shard-0", "--out", "merged", "-q"], d);
    let single = fs::read(d.join("single/corridor.geojson")).unwrap();
    assert_eq!(fs::read(d.join("merged/corridor.geojson")).unwrap(), single);
    // A shard holds no summary: nothing to draw from.
    let e = bad(&["export", "geojson", "shard-0"], d);
    assert!(e.contains("shard") && e.contains("merge"), "{e}");
}

const TWO_NODES: &str = r#"[scenario]
name = "geo-check"
horizon = "20d"
warmup = "1d"
replications = 2

[[nodes]]
id = "a"
kind = "station"
lat = 42.15
lon = 41.66
servers = 1
service = { dist = "exponential", mean = "1h" }

[[nodes]]
id = "b"
kind = "border"
LATLON
lanes = 1
documents = { dist = "exponential", mean = "1h" }

[[links]]
from = "a"
to = "b"
time = { dist = "fixed", value = "2h" }

[[flows]]
id = "f"
route = ["a", "b"]
arrivals = { dist = "exponential", mean = "3h" }
"#;

fn two_nodes(latlon: &str) -> String {
    TWO_NODES.replace("LATLON", latlon)
}

#[test]
fn positions_are_validated_with_the_field_path_the_value_and_the_rule() {
    let cases: &[(&str, &[&str])] = &[
        (
            "lat = 40.0",
            &["nodes[1].lon", "`lat` is given without `lon`"],
        ),
        (
            "lon = 44.0",
            &["nodes[1].lat", "`lon` is given without `lat`"],
        ),
        (
            "lat = 91\nlon = 44.0",
            &["nodes[1].lat", "91 is not allowed", "-90 to 90"],
        ),
        (
            "lat = 40.0\nlon = -180.5",
            &["nodes[1].lon", "-180.5 is not allowed", "-180 to 180"],
        ),
        (
            "lat = nan\nlon = 44.0",
            &["nodes[1].lat", "NaN is not allowed"],
        ),
        (
            "lat = 40.0\nlon = inf",
            &["nodes[1].lon", "inf is not allowed"],
        ),
        (
            "lat = \"40.1\"\nlon = 44.0",
            &["nodes[1].lat", "invalid type: string"],
        ),
    ];
    for (latlon, needles) in cases {
        let (dir, _) = workdir(&two_nodes(latlon));
        let e = bad(&["validate", "s.toml"], dir.path());
        for n in *needles {
            assert!(e.contains(n), "{latlon:?}: {n:?} not in: {e}");
        }
        // A run refuses the file before it runs anything.
        bad(&["run", "s.toml", "-q"], dir.path());
    }
    // Integers and the extremes are positions too.
    let (dir, _) = workdir(&two_nodes("lat = -90\nlon = 180"));
    ok(&["validate", "s.toml"], dir.path());
    // An override is checked as well.
    let (dir, _) = workdir(&two_nodes("lat = 40\nlon = 44"));
    let e = bad(
        &["validate", "s.toml", "--set", "nodes.b.lat=-95"],
        dir.path(),
    );
    assert!(
        e.contains("nodes[1].lat") && e.contains("--set nodes.b.lat=-95"),
        "{e}"
    );
}

#[test]
fn a_map_with_some_nodes_unplaced_shows_the_others_and_says_so() {
    let (dir, _) = workdir(&two_nodes(""));
    let d = dir.path();
    let e = ok(&["run", "s.toml", "--out", "r"], d);
    assert!(
        e.contains("warning: corridor.geojson leaves out 1 node(s)") && e.contains("(b)"),
        "{e}"
    );
    let fc = collection(&d.join("r/corridor.geojson"));
    assert_eq!(fc.features.len(), 1, "node a only: the link ends at b");
    assert_eq!(id(&fc.features[0]), "a");
    // export says the same and writes the same file.
    let e = ok(&["export", "geojson", "r", "--out", "again.geojson"], d);
    assert!(e.contains("leaves out 1 node(s)"), "{e}");
    assert_eq!(
        fs::read(d.join("again.geojson")).unwrap(),
        fs::read(d.join("r/corridor.geojson")).unwrap()
    );
    // Without --out: <scenario name>.geojson here.
    ok(&["export", "geojson", "s.toml"], d);
    assert_eq!(collection(&d.join("geo-check.geojson")).features.len(), 1);
}

#[test]
fn export_refuses_what_it_cannot_draw() {
    let (dir, _) = workdir(&two_nodes("lat = 41.7\nlon = 44.8"));
    let d = dir.path();
    ok(&["run", "s.toml", "--out", "r", "-q"], d);
    // A summary changed after the run is refused, and nothing is written.
    let summary = d.join("r/summary.csv");
    let text = fs::read_to_string(&summary).unwrap();
    fs::write(&summary, text + "\n").unwrap();
    let e = bad(&["export", "geojson", "r", "--out", "x.geojson"], d);
    assert!(e.contains("summary.csv") && e.contains("SHA-256"), "{e}");
    assert!(!d.join("x.geojson").exists());
    // Not a results folder, a scenario without positions, a folder as the output.
    let e = bad(&["export", "geojson", "."], d);
    assert!(e.contains("manifest.json"), "{e}");
    fs::write(
        d.join("flat.toml"),
        two_nodes("").replace("lat = 42.15\nlon = 41.66\n", ""),
    )
    .unwrap();
    let e = bad(&["export", "geojson", "flat.toml"], d);
    assert!(e.contains("nothing to draw"), "{e}");
    let o = corridor(&["export", "geojson", "s.toml", "--out", "r"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a folder"), "{}", stderr(&o));
    // No hidden file is left beside the outputs.
    let hidden: Vec<_> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}
