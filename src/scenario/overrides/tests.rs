//! Unit tests of `--set` paths, values, lists, links by `from->to` and wildcards.

use super::*;

pub(crate) const SRC: &str = r#"
[scenario]
name = "t"
horizon = "10d"

[[nodes]]
id = "a.b"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "1h" }

[[nodes]]
id = "a"
kind = "station"
servers = 2
service = { dist = "exponential", mean = "1h" }

[[links]]
from = "a.b"
to = "a"
time = { dist = "fixed", value = "1h" }

[[flows]]
id = "f"
route = ["a.b", "a"]
arrivals = { dist = "exponential", mean = "2h" }
"#;

fn set(arg: &str) -> Result<(Table, String)> {
    let mut doc: Table = SRC.parse().unwrap();
    let ov = Override::parse("--set", arg)?;
    let c = apply(&mut doc, &ov)?;
    Ok((doc, c))
}

#[test]
fn paths_by_id_index_and_nested() {
    let (d, c) = set("nodes.a.servers=5").unwrap();
    assert_eq!(c, "nodes[1].servers");
    assert_eq!(d["nodes"][1]["servers"].as_integer(), Some(5));
    let (_, c) = set("nodes.a.b.servers=5").unwrap();
    assert_eq!(c, "nodes[0].servers", "longest id wins");
    let (d, c) = set("links[0].time.value=3h").unwrap();
    assert_eq!(c, "links[0].time.value");
    assert_eq!(d["links"][0]["time"]["value"].as_str(), Some("3h"));
    let (d, _) = set("scenario.horizon=730d").unwrap();
    assert_eq!(d["scenario"]["horizon"].as_str(), Some("730d"));
    let (d, _) = set("nodes[1].servers=unlimited").unwrap();
    assert_eq!(d["nodes"][1]["servers"].as_str(), Some("unlimited"));
    let (d, _) = set("flows.f.teu=4").unwrap();
    assert_eq!(
        d["flows"][0]["teu"].as_integer(),
        Some(4),
        "missing leaf is added"
    );
    let (d, _) = set("nodes.a.service.mean=\"2h\"").unwrap();
    assert_eq!(d["nodes"][1]["service"]["mean"].as_str(), Some("2h"));
    let (d, _) = set("scenario.seed=0.5").unwrap();
    assert_eq!(d["scenario"]["seed"].as_float(), Some(0.5));
}

#[test]
fn bad_paths_name_what_exists() {
    let e = set("nodes.zz.servers=1").unwrap_err().to_string();
    assert!(
        e.contains("no element of `nodes` has id \"zz\"") && e.contains("a.b, a"),
        "{e}"
    );
    let e = set("links.x.time.mean=1h").unwrap_err().to_string();
    assert!(e.contains("have no `id`") && e.contains("links[0]"), "{e}");
    let e = set("nodes[5].servers=1").unwrap_err().to_string();
    assert!(e.contains("2 element(s)") && e.contains("nodes[1]"), "{e}");
    let e = set("scenario.horizon.x=1").unwrap_err().to_string();
    assert!(e.contains("is a single value"), "{e}");
    let e = set("nodes.a.service=1").unwrap_err().to_string();
    assert!(
        e.contains("is a table") && e.contains("nodes[1].service.dist"),
        "{e}"
    );
    let e = set("nodes=1").unwrap_err().to_string();
    assert!(e.contains("is an array"), "{e}");
    let e = set("scenery[0].horizon=1d").unwrap_err().to_string();
    assert!(
        e.contains("the scenario has no `scenery`") && e.contains("scenario, nodes"),
        "{e}"
    );
    assert!(
        e.contains("the scenario has no `scenery`") && e.contains("scenario, nodes"),
        "{e}"
    );
    for bad in [
        "nodes.a.servers",
        "=4",
        "nodes..servers=1",
        "links[x].time=1",
        "a=[1]",
        "a={x=1}",
        "a=\"open",
        "a=",
    ] {
        assert!(set(bad).is_err(), "{bad}");
    }
}

#[test]
fn links_by_from_to_and_wildcards() {
    let (d, c) = set("links.a.b->a.time.value=3h").unwrap();
    assert_eq!(c, "links[0].time.value");
    assert_eq!(d, set("links[0].time.value=3h").unwrap().0);
    let e = set("links.a->b.time.value=3h").unwrap_err().to_string();
    assert!(
        e.contains("no link is \"a->b\"") && e.contains("(a.b->a)") && e.contains("links[0]"),
        "{e}"
    );
    let (d, c) = set("nodes.*.servers=7").unwrap();
    assert_eq!(c, "nodes[*].servers");
    let (mut each, _) = set("nodes[0].servers=7").unwrap();
    apply(
        &mut each,
        &Override::parse("--set", "nodes[1].servers=7").unwrap(),
    )
    .unwrap();
    assert_eq!(d, each);
    let e = set("pipelines.*.capacity=1").unwrap_err().to_string();
    assert!(e.contains("`*` matches nothing"), "{e}");
    let e = set("scenario.*.x=1").unwrap_err().to_string();
    assert!(e.contains("array of tables"), "{e}");
    let e = set("nodes.*=1").unwrap_err().to_string();
    assert!(e.contains("nodes.*.kind"), "{e}");
    let e = set("flows.f.route.*.x=1").unwrap_err().to_string();
    assert!(e.contains("array of tables"), "{e}");
}

#[test]
fn touches_follows_wildcards() {
    assert_eq!(touches("nodes[1].servers", "nodes[1].servers"), Some(true));
    assert_eq!(
        touches("nodes[1].service.cv", "nodes[1].service"),
        Some(false)
    );
    assert_eq!(touches("nodes[1].servers", "nodes[2].servers"), None);
    assert_eq!(touches("nodes[*].servers", "nodes[2].servers"), Some(true));
    assert_eq!(touches("nodes[*].servers", "nodes[2]"), Some(false));
    assert_eq!(touches("nodes[*].servers", "flows[2].servers"), None);
    assert_eq!(touches("nodes[1].servers", ""), None);
}

#[test]
fn lists_split_outside_quotes() {
    let split = |s: &str| split_list(s).unwrap();
    assert_eq!(split("a=1, b=2"), ["a=1", "b=2"]);
    assert_eq!(split(r#"x="a, b",y=2"#), [r#"x="a, b""#, "y=2"]);
    assert_eq!(split("'1,5', \"x,\\\",y\""), ["'1,5'", "\"x,\\\",y\""]);
    assert_eq!(split("x=it's,y=2"), ["x=it's", "y=2"]);
    assert_eq!(split("1,,2"), ["1", "", "2"]);
    assert!(split_list("x=\"a, b").is_err());
    let ov = Override::parse("--set", r#"flows.f.description="a, b""#).unwrap();
    assert_eq!(ov.value.as_str(), Some("a, b"));
}
