//! What-if studies: every bad `--set`, `--vary`, `--shard`, `--precision` and merge input is a clear error (exit code 2, nothing written).

use crate::whatif::refuses;

#[test]
fn bad_set_is_a_clear_error() {
    for cmd in [
        &["run", "s.toml"][..],
        &["compare", "s.toml", "alt.toml"],
        &["sweep", "s.toml", "--vary", "flows.box.teu=1,2"],
        &["validate", "s.toml"],
    ] {
        let with = |set: &str| {
            let mut a = cmd.to_vec();
            a.extend(["--set", set]);
            a.into_iter().map(String::from).collect::<Vec<_>>()
        };
        let check = |set: &str, expected: &[&str]| {
            let a = with(set);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            refuses(&a, expected);
        };
        check(
            "nodes.gat.servers=3",
            &[
                "--set nodes.gat.servers=3",
                "no element of `nodes` has id \"gat\"",
                "gate, yard",
            ],
        );
        check(
            "nodes[5].servers=3",
            &["`nodes` has 2 element(s)", "nodes[0] to nodes[1]"],
        );
        check("links.gate.time.max=1h", &["have no `id`", "links[0]"]);
        check(
            "scenery.horizon=1d",
            &[
                "unknown field `scenery`",
                "`scenario`, `nodes`",
                "--set scenery.horizon=1d",
            ],
        );
        check(
            "nodes.gate.servce.mean=1h",
            &[
                "nodes[0].servce",
                "unknown field `servce`",
                "`service`",
                "--set nodes.gate.servce.mean=1h",
            ],
        );
        check(
            "nodes.gate.service=1h",
            &["is a table", "only single values"],
        );
        check("nodes.gate.servers=[1,2]", &["only single values"]);
        check("nodes.gate.servers", &["expected PATH=VALUE"]);
        check(
            "nodes.gate.servers=2.5",
            &[
                "nodes[0].servers",
                "floating point `2.5`",
                "comes from --set nodes.gate.servers=2.5",
            ],
        );
        check(
            "nodes.gate.servers=0",
            &[
                "nodes[0].servers",
                "0 is not allowed",
                "--set nodes.gate.servers=0",
            ],
        );
        check(
            "scenario.horizon=10",
            &["scenario.horizon", "no unit", "--set scenario.horizon=10"],
        );
        check(
            "nodes.gate.speed=3",
            &[
                "unknown field `speed`",
                "`servers`",
                "--set nodes.gate.speed=3",
            ],
        );
        check(
            "nodes.gate.service.cv=0.5",
            &[
                "nodes[0].service.cv",
                "`cv` is not a parameter of `exponential`",
            ],
        );
    }
}

#[test]
fn bad_vary_shard_precision_and_merge_are_clear_errors() {
    fn sweep(vary: &str) -> Vec<&str> {
        vec!["sweep", "s.toml", "--vary", vary]
    }
    refuses(
        &sweep("nodes.gate.servers"),
        &["--vary nodes.gate.servers", "PATH=v1,v2"],
    );
    refuses(&sweep("nodes.gate.servers=1,,2"), &["a value is empty"]);
    refuses(&sweep("nodes.gate.servers=2,2"), &["twice"]);
    refuses(
        &sweep("nodes.gate.servers=4..1:1"),
        &["end is below the start"],
    );
    refuses(&sweep("nodes.gate.servers=1..4:0"), &["step must be > 0"]);
    refuses(&sweep("nodes.gate.servers=1..4"), &["no :step"]);
    refuses(&sweep("scenario.horizon=10d..20h:1d"), &["different units"]);
    refuses(
        &sweep("nodes.nope.servers=1,2"),
        &["no element of `nodes` has id \"nope\""],
    );
    // A bad point is found before anything runs, and named.
    refuses(
        &sweep("nodes.gate.servers=2,0"),
        &[
            "nodes[0].servers",
            "0 is not allowed",
            "--vary nodes.gate.servers=0",
            "sweep point 1",
        ],
    );
    refuses(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "flows.box.teu=1,2",
            "--vary",
            "flows.box.teu=3",
        ],
        &["varied twice"],
    );
    refuses(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "flows.box.teu=1,2",
            "--set",
            "flows.box.teu=3",
        ],
        &["both --set and --vary"],
    );
    refuses(
        &[
            "sweep",
            "s.toml",
            "--vary",
            "nodes.gate.servers=2,3",
            "--vary",
            "nodes[0].servers=4,5",
        ],
        &["names the same field (nodes[0].servers) as --vary nodes.gate.servers"],
    );
    for shard in ["3/3", "1/0", "x/2", "2", "-1/3"] {
        refuses(&["run", "s.toml", "--shard", shard], &["--shard", shard]);
        refuses(
            &[
                "sweep",
                "s.toml",
                "--vary",
                "flows.box.teu=1,2",
                "--shard",
                shard,
            ],
            &["--shard"],
        );
    }
    // A whole number too large for a shard count is called too large, not "not a number".
    for shard in ["0/4294967296", "0/1000001", "4294967296/2"] {
        refuses(
            &["run", "s.toml", "--shard", shard],
            &["--shard", shard, "is too large"],
        );
    }
    refuses(
        &["run", "s.toml", "--precision", "transit_mean:nobox:0.05"],
        &[
            "--precision transit_mean:nobox:0.05",
            "no id \"nobox\"",
            "box",
        ],
    );
    refuses(
        &["run", "s.toml", "--precision", "transit_man:box:0.05"],
        &["no metric \"transit_man\"", "transit_mean"],
    );
    refuses(
        &["run", "s.toml", "--precision", "transit_mean:box:0"],
        &["must be > 0"],
    );
    refuses(
        &["run", "s.toml", "--precision", "transit_mean:box"],
        &["METRIC:ID:REL"],
    );
    refuses(
        &[
            "run",
            "s.toml",
            "--precision",
            "throughput:gate:0.1",
            "--max-replications",
            "2",
        ],
        &["--max-replications 2", "at least 3"],
    );
    refuses(
        &["run", "s.toml", "--max-replications", "20"],
        &["only applies with --precision"],
    );
    refuses(
        &[
            "run",
            "s.toml",
            "--precision",
            "transit_mean:box:0.1",
            "--shard",
            "0/2",
        ],
        &["cannot be combined"],
    );
    refuses(
        &["compare", "s.toml", "s.toml", "alt.toml", "alt.toml"],
        &["both named \"wi-alt\""],
    );
    refuses(&["merge", "--out", "m"], &["required"]);
    refuses(&["compare", "s.toml"], &["at least one alternative"]);
    refuses(
        &["compare", "s.toml", "--alt", "nodes.nope.servers=1"],
        &[
            "--alt nodes.nope.servers=1",
            "no element of `nodes` has id \"nope\"",
        ],
    );
    refuses(
        &["compare", "s.toml", "--alt", "nodes.gate.servers=0"],
        &["nodes[0].servers", "comes from --alt nodes.gate.servers=0"],
    );
}
