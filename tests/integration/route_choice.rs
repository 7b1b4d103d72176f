//! Route choice (`[[flows.routes]]`): fixed shares, the cheapest route and the logit against
//! their formulas with fixed costs, two identical routes splitting evenly, the learned-cost
//! logit on two parallel M/M/1 routes against the logit stochastic user equilibrium solved by
//! hand (and its approach to the Wardrop split as the scale grows), a route that opens on a
//! date, and the errors.

use std::path::Path;

use corridor::report::ReplicationResult;
use corridor::scenario;

use crate::support::*;

/// The value of a route row of calendar period `period` (empty: the whole window).
fn at(rep: &ReplicationResult, period: &str, id: &str, metric: &str) -> f64 {
    rep.rows
        .iter()
        .find(|r| r.period == period && r.scope == "route" && r.id == id && r.metric == metric)
        .unwrap_or_else(|| panic!("no {period} route/{id}/{metric}"))
        .value
}

/// Consignments of route `id` and of the whole flow over every replication: (chosen, all).
fn pooled(reps: &[ReplicationResult], id: &str, flow: &str) -> (f64, f64) {
    let chosen: f64 = reps.iter().map(|r| at(r, "", id, "chosen")).sum();
    let all: f64 = reps.iter().map(|r| value(r, "flow", flow, "created")).sum();
    (chosen, all)
}

/// True if `k` of `n` draws is within 4 binomial standard deviations of probability `p`
/// (a test that fails about once in 16,000 runs by chance; the streams are fixed, so it
/// fails every time or never).
fn binomial_ok(k: f64, n: f64, p: f64) -> bool {
    let sd = (p * (1.0 - p) / n).sqrt();
    (k / n - p).abs() <= 4.0 * sd + 1e-12
}

/// Two pure-delay stations `A` (`ta` hours) and `B` (`tb` hours); flow `f` chooses between
/// route `a` (through A) and `b` (through B) with `choice` (the flow's extra fields) and
/// `route_a`, `route_b` (each route's extra fields); Poisson arrivals every 30 minutes.
fn two_delays(ta: f64, tb: f64, choice: &str, route_a: &str, route_b: &str) -> String {
    format!(
        r#"[scenario]
name = "choice"
horizon = "400d"
warmup = "10d"
replications = 4
seed = 3

[[nodes]]
id = "A"
kind = "station"
servers = "unlimited"
service = {{ dist = "fixed", value = "{ta}h" }}

[[nodes]]
id = "B"
kind = "station"
servers = "unlimited"
service = {{ dist = "fixed", value = "{tb}h" }}

[[flows]]
id = "f"
arrivals = {{ dist = "exponential", mean = "30m" }}
{choice}

[[flows.routes]]
id = "a"
route = ["A"]
{route_a}

[[flows.routes]]
id = "b"
route = ["B"]
{route_b}
"#
    )
}

#[test]
fn fixed_shares_reproduce_the_shares() {
    let src = two_delays(10.0, 12.0, "", "share = 0.3", "share = 0.7");
    let out = run(&model(&src));
    let (k, n) = pooled(&out.reps, "f/a", "f");
    assert!(n > 50_000.0, "{n}");
    assert!(binomial_ok(k, n, 0.3), "share of a {} vs 0.3", k / n);
    for r in &out.reps {
        let (a, b) = (at(r, "", "f/a", "share"), at(r, "", "f/b", "share"));
        assert!((a + b - 1.0).abs() < 1e-12);
        // Each route's transit is its own fixed time.
        assert!((at(r, "", "f/a", "transit_mean") - 10.0).abs() < 1e-9);
        assert!((at(r, "", "f/b", "transit_mean") - 12.0).abs() < 1e-9);
        assert!((at(r, "", "f/b", "prior") - 12.0).abs() < 1e-9);
    }
}

#[test]
fn cheapest_with_fixed_costs_always_takes_the_cheaper_route() {
    let flow = "value_of_time = 5\nchoice = \"cheapest\"";
    let out = run(&model(&two_delays(12.0, 10.0, flow, "", "")));
    for r in &out.reps {
        assert_eq!(at(r, "", "f/a", "chosen"), 0.0);
        assert_eq!(at(r, "", "f/b", "share"), 1.0);
        assert_eq!(at(r, "", "f/b", "chosen"), value(r, "flow", "f", "created"));
    }
}

/// With fixed times (pure delays: no queueing, so the learned cost stays at the free-flow
/// prior), C_r = value of time x time, and P(a) = 1 / (1 + exp(-theta (C_b - C_a))).
#[test]
fn logit_shares_match_the_formula_when_costs_are_fixed() {
    let vot = 2.0; // USD per TEU-hour: C_a = 20, C_b = 24
    for theta in [0.05, 0.2, 0.5] {
        let flow = format!("value_of_time = {vot}\nchoice = \"logit\"\nlogit_scale = {theta}");
        let out = run(&model(&two_delays(10.0, 12.0, &flow, "", "")));
        let p = 1.0 / (1.0 + (-theta * vot * 2.0f64).exp());
        let (k, n) = pooled(&out.reps, "f/a", "f");
        assert!(
            binomial_ok(k, n, p),
            "theta {theta}: share of a {} vs the logit's {p}",
            k / n
        );
        for r in &out.reps {
            assert!((at(r, "", "f/a", "expected_end") - 10.0).abs() < 1e-9);
        }
    }
}

/// Two identical M/M/1 routes (mu = 1/h each, 1.2 consignments an hour in all): the
/// learned-cost logit splits them evenly. With a value of time of 0 every cost is equal and
/// each consignment is a fair coin (binomial); with a value of time, each route's learned
/// cost follows its own queue, and the share over replications covers 1/2.
#[test]
fn two_identical_parallel_routes_split_evenly() {
    let src = |vot: f64| {
        format!(
            r#"[scenario]
name = "twins"
horizon = "400d"
warmup = "20d"
replications = 10
seed = 9

[[nodes]]
id = "S1"
kind = "station"
servers = 1
service = {{ dist = "exponential", mean = "1h" }}

[[nodes]]
id = "S2"
kind = "station"
servers = 1
service = {{ dist = "exponential", mean = "1h" }}

[[flows]]
id = "f"
arrivals = {{ dist = "exponential", mean = "50m" }}
value_of_time = {vot}
choice = "logit"
logit_scale = 1
learning = {{ memory = "3d" }}

[[flows.routes]]
id = "one"
route = ["S1"]

[[flows.routes]]
id = "two"
route = ["S2"]
"#
        )
    };
    let out = run(&model(&src(0.0)));
    let (k, n) = pooled(&out.reps, "f/one", "f");
    assert!(binomial_ok(k, n, 0.5), "{}", k / n);
    let out = run(&model(&src(1.0)));
    let s = summary(&out.summary, "route", "f/one", "share");
    assert!(s.covers(0.5), "share {s:?}");
}

/// Two parallel single-server stations `fast` (exponential service, mean 30 min) and `slow`
/// (mean 1 h) and a flow `flow` choosing between them by a learned logit of scale `theta`
/// (value of time 1, memory 30 days), a consignment every 30 min: the M/M/1 pair of the
/// equilibrium tests, as TOML to append to a scenario.
fn mm1_pair(flow: &str, fast: &str, slow: &str, theta: f64) -> String {
    format!(
        r#"
[[nodes]]
id = "{fast}"
kind = "station"
servers = 1
service = {{ dist = "exponential", mean = "30m" }}

[[nodes]]
id = "{slow}"
kind = "station"
servers = 1
service = {{ dist = "exponential", mean = "1h" }}

[[flows]]
id = "{flow}"
arrivals = {{ dist = "exponential", mean = "30m" }}
value_of_time = 1
choice = "logit"
logit_scale = {theta}
learning = {{ memory = "30d" }}

[[flows.routes]]
id = "fast"
route = ["{fast}"]

[[flows.routes]]
id = "slow"
route = ["{slow}"]
"#
    )
}

/// Mean sojourn time in an M/M/1 queue with service rate `mu` and arrival rate `lambda`.
fn mm1(mu: f64, lambda: f64) -> f64 {
    if lambda < mu {
        1.0 / (mu - lambda)
    } else {
        f64::INFINITY
    }
}

/// The logit stochastic user equilibrium of two parallel M/M/1 routes (service rates `mu1`,
/// `mu2`, total arrival rate `lambda`, `theta` x value of time `k` per hour of difference): the
/// share p of route 1 with p = 1 / (1 + exp(k (W1(p) - W2(1 - p)))), by bisection (the right
/// side falls as p rises, so the fixed point is unique).
fn sue(mu1: f64, mu2: f64, lambda: f64, k: f64) -> f64 {
    let g = |p: f64| {
        let d = mm1(mu1, lambda * p) - mm1(mu2, lambda * (1.0 - p));
        let d = if d.is_nan() { 0.0 } else { d };
        1.0 / (1.0 + (k * d).exp()) - p
    };
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if g(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// Two parallel M/M/1 routes, mu1 = 2/h and mu2 = 1/h, 2 consignments an hour: the learned-cost
/// logit converges to the logit SUE computed by hand, and as theta grows the SUE (and the
/// simulated share) approaches the Wardrop split, where W1 = 1/(2 - 2p) equals
/// W2 = 1/(1 - 2(1 - p)): p = 3/4.
///
/// The learned cost is a lagged, noisy estimate: with a memory of 30 days an estimate averages
/// the sojourns of about the last month on its route (hundreds of them), far longer than one
/// sojourn (so the lag of one transit is small) and long enough that the noise of successive,
/// correlated M/M/1 sojourns is small against 1/(theta x value of time); the window of 1,000
/// days after a 100-day warm-up holds over 30 such memories, so that what is tested is the
/// fixed point, not the noise around it. The noise left flattens the logit a little (a
/// perceived cost with noise is a logit with a smaller scale), which is why the tolerance is
/// the replications' interval plus 0.01 and the scale stays at most 2 per hour of difference.
#[test]
fn learned_logit_on_two_mm1_routes_converges_to_the_sue_and_towards_wardrop() {
    let thetas = [0.5, 1.0, 2.0, 4.0];
    let mut src = String::from(
        "[scenario]\nname = \"sue\"\nhorizon = \"1100d\"\nwarmup = \"100d\"\nreplications = 10\nseed = 21\n",
    );
    for (i, theta) in thetas.iter().enumerate() {
        src += &mm1_pair(
            &format!("f{i}"),
            &format!("fast{i}"),
            &format!("slow{i}"),
            *theta,
        );
    }
    let out = run(&model(&src));
    let wardrop = 0.75;
    let mut gaps = Vec::new();
    for (i, theta) in thetas.iter().enumerate() {
        let p = sue(2.0, 1.0, 2.0, *theta);
        let s = summary(&out.summary, "route", &format!("f{i}/fast"), "share");
        assert!(
            (s.mean - p).abs() <= s.ci95 + 0.01,
            "theta {theta}: simulated share {:.4} ± {:.4} vs the SUE {p:.4}",
            s.mean,
            s.ci95
        );
        eprintln!(
            "theta {theta}: SUE {p:.4}, simulated {:.4} ± {:.4}",
            s.mean, s.ci95
        );
        gaps.push(((p - wardrop).abs(), (s.mean - wardrop).abs()));
    }
    for w in gaps.windows(2) {
        assert!(w[1].0 < w[0].0, "SUE gaps to Wardrop {gaps:?}");
        assert!(w[1].1 < w[0].1, "simulated gaps to Wardrop {gaps:?}");
    }
}

#[test]
fn sue_by_hand_reference_values() {
    // Small scale: towards an even split; large: towards Wardrop's 3/4.
    let p = sue(2.0, 1.0, 2.0, 1.0);
    let w1 = 1.0 / (2.0 - 2.0 * p);
    let w2 = 1.0 / (1.0 - 2.0 * (1.0 - p));
    assert!((p - 1.0 / (1.0 + (w1 - w2).exp())).abs() < 1e-9);
    assert!(p > 0.5 && p < 0.75);
    assert!((sue(2.0, 1.0, 2.0, 1e4) - 0.75).abs() < 1e-3);
}

/// A route that opens on a date: before it, every consignment takes the old route; from it,
/// the choice (the cheapest: the new route is shorter) applies, month by month.
#[test]
fn a_route_that_opens_on_a_date() {
    let flow = "value_of_time = 1\nchoice = \"cheapest\"";
    let src = two_delays(12.0, 10.0, flow, "", "opens = \"2024-03-01\"").replace(
        "horizon = \"400d\"\nwarmup = \"10d\"",
        "horizon = \"152d\"\nperiods = \"month\"",
    );
    let out = run(&model(&src));
    for r in &out.reps {
        for month in ["2024-01", "2024-02"] {
            assert_eq!(at(r, month, "f/b", "chosen"), 0.0);
            assert_eq!(at(r, month, "f/a", "share"), 1.0);
        }
        for month in ["2024-03", "2024-04", "2024-05"] {
            assert_eq!(at(r, month, "f/a", "chosen"), 0.0);
            assert_eq!(at(r, month, "f/b", "share"), 1.0);
        }
    }
}

/// A route with a daily capacity: past it, consignments take the next best route.
#[test]
fn a_full_route_sends_the_rest_to_the_next_best() {
    // 48 consignments a day on average, the cheaper route takes 20 TEU a day.
    let flow = "value_of_time = 1\nchoice = \"cheapest\"";
    let out = run(&model(&two_delays(
        12.0,
        10.0,
        flow,
        "",
        "capacity_teu_per_day = 20",
    )));
    for r in &out.reps {
        let days = 390.0;
        let b = at(r, "", "f/b", "chosen");
        // At most 20 a day; nearly always full (P(fewer than 20 of Poisson(48) in a day) ~ 0).
        assert!(b <= 20.0 * (days + 1.0) && b >= 20.0 * (days - 1.0), "{b}");
        assert_eq!(at(r, "", "f/a", "redirected"), at(r, "", "f/a", "chosen"));
    }
}

/// The message of a scenario that must not load.
fn error(src: &str) -> String {
    match scenario::parse(Path::new("inline.toml"), src) {
        Ok(_) => panic!("loaded:\n{src}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_route_choices_are_errors_naming_the_field_the_value_and_the_rule() {
    let cases: &[(String, &[&str])] = &[
        (
            two_delays(1.0, 1.0, "", "share = 0.5", "share = 0.6"),
            &["flows[0].routes", "sum to 1.1", "must sum to 1"],
        ),
        (
            two_delays(1.0, 1.0, "", "share = -0.5", "share = 1.5"),
            &[
                "flows[0].routes[0].share",
                "-0.5 is not allowed",
                "from 0 to 1",
            ],
        ),
        (
            two_delays(1.0, 1.0, "", "share = 1", ""),
            &["flows[0].routes[1].share", "every route needs a `share`"],
        ),
        (
            two_delays(1.0, 1.0, "choice = \"logit\"", "", ""),
            &["flows[0].logit_scale", "needs `logit_scale`", "> 0"],
        ),
        (
            two_delays(1.0, 1.0, "choice = \"logit\"\nlogit_scale = -1", "", ""),
            &["flows[0].logit_scale", "-1 is not allowed", "> 0"],
        ),
        (
            two_delays(1.0, 1.0, "choice = \"best\"", "", ""),
            &["flows[0].choice", "\"best\"", "shares, cheapest, logit"],
        ),
        (
            two_delays(1.0, 1.0, "choice = \"cheapest\"", "share = 1", ""),
            &[
                "flows[0].routes[0].share",
                "`share` is for `choice = \"shares\"`",
            ],
        ),
        (
            two_delays(1.0, 1.0, "choice = \"cheapest\"\nlogit_scale = 1", "", ""),
            &["flows[0].logit_scale", "for `choice = \"logit\"`"],
        ),
        (
            two_delays(1.0, 1.0, "route = [\"A\"]", "share = 0.5", "share = 0.5"),
            &["flows[0].routes", "both `route` and `[[flows.routes]]`"],
        ),
        (
            two_delays(1.0, 1.0, "", "share = 0.5", "share = 0.5")
                .replace("route = [\"B\"]", "route = [\"NOWHERE\"]"),
            &["flows[0].routes[1].route[0]", "\"NOWHERE\"", "known nodes"],
        ),
        (
            two_delays(1.0, 1.0, "", "share = 0.5", "share = 0.5")
                .replace("id = \"b\"", "id = \"a\""),
            &["flows[0].routes[1].id", "\"a\""],
        ),
        (
            two_delays(
                1.0,
                1.0,
                "choice = \"cheapest\"\nlearning = { memory = \"0s\" }",
                "",
                "",
            ),
            &["flows[0].learning.memory", "0s"],
        ),
        (
            two_delays(
                1.0,
                1.0,
                "choice = \"cheapest\"\nvalue_of_time = -3",
                "",
                "",
            ),
            &["flows[0].value_of_time", "-3 is not allowed", ">= 0"],
        ),
        (
            two_delays(
                1.0,
                1.0,
                "choice = \"cheapest\"",
                "opens = \"2024-02-01\"",
                "opens = \"2024-03-01\"",
            ),
            &[
                "flows[0].routes",
                "at least one route must be open from the start",
            ],
        ),
        (
            two_delays(
                1.0,
                1.0,
                "choice = \"cheapest\"",
                "opens = \"2024-13-01\"",
                "",
            ),
            &["flows[0].routes[0].opens", "2024-13-01"],
        ),
        (
            two_delays(
                1.0,
                1.0,
                "choice = \"cheapest\"",
                "capacity_teu_per_day = 0",
                "",
            ),
            &[
                "flows[0].routes[0].capacity_teu_per_day",
                "0 is not allowed",
                "> 0",
            ],
        ),
    ];
    for (src, wanted) in cases {
        let e = error(src);
        assert!(e.contains("inline.toml"), "{e}");
        for w in *wanted {
            assert!(e.contains(w), "missing {w:?} in: {e}");
        }
    }
    // A flow with one route takes no choice fields, and a flow needs a route.
    let one = "[scenario]\nname = \"x\"\nhorizon = \"1d\"\n[[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"fixed\", value = \"1h\" }\n[[flows]]\nid = \"f\"\narrivals = { dist = \"fixed\", value = \"2h\" }\n";
    let e = error(&format!("{one}route = [\"A\"]\nchoice = \"logit\"\n"));
    assert!(
        e.contains("flows[0].choice") && e.contains("one `route`"),
        "{e}"
    );
    let e = error(one);
    assert!(
        e.contains("flows[0].route") && e.contains("no route"),
        "{e}"
    );
}

/// A flow with one route written as `route` and the same flow written as one alternative with
/// share 1 give the same rows for everything but the route rows: the choice's own stream
/// draws, no other stream's draws change.
#[test]
fn one_alternative_with_share_1_is_the_flow_as_before() {
    let base = "[scenario]\nname = \"x\"\nhorizon = \"30d\"\nreplications = 2\n[[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1h\" }\n[[flows]]\nid = \"f\"\narrivals = { dist = \"exponential\", mean = \"90m\" }\n";
    let one = run(&model(&format!("{base}route = [\"A\"]\n")));
    let alt = run(&model(&format!(
        "{base}[[flows.routes]]\nid = \"only\"\nroute = [\"A\"]\nshare = 1\n"
    )));
    for (x, y) in one.reps.iter().zip(&alt.reps) {
        let rows: Vec<_> = y.rows.iter().filter(|r| r.scope != "route").collect();
        assert_eq!(x.rows.len(), rows.len());
        for (a, b) in x.rows.iter().zip(rows) {
            assert_eq!((a.scope, &a.id, a.metric), (b.scope, &b.id, b.metric));
            assert!(
                a.value == b.value || (a.value.is_nan() && b.value.is_nan()),
                "{a:?} vs {b:?}"
            );
        }
    }
}

/// Shares that change on a date (`[[changes]]` on the flow): all on `a` before, 20/80 after.
#[test]
fn shares_that_change_on_a_date() {
    let change = "[[changes]]\ndate = \"2024-03-01\"\nelement = \"f\"\nset = { shares = { a = 0.2, b = 0.8 } }\n";
    let src = two_delays(10.0, 12.0, "", "share = 1", "share = 0").replace(
        "horizon = \"400d\"\nwarmup = \"10d\"",
        "horizon = \"152d\"\nperiods = \"month\"",
    ) + change;
    let out = run(&model(&src));
    let (mut k, mut n) = (0.0, 0.0);
    for r in &out.reps {
        for month in ["2024-01", "2024-02"] {
            assert_eq!(at(r, month, "f/a", "share"), 1.0);
        }
        for month in ["2024-03", "2024-04", "2024-05"] {
            k += at(r, month, "f/a", "chosen");
            n += at(r, month, "f/a", "chosen") + at(r, month, "f/b", "chosen");
        }
    }
    assert!(n > 10_000.0 && binomial_ok(k, n, 0.2), "{k} of {n}");
    // The errors of a dated change of shares.
    let base = two_delays(10.0, 12.0, "", "share = 1", "share = 0");
    let bad = |set: &str| {
        error(&format!(
            "{base}[[changes]]\ndate = \"2024-03-01\"\nelement = \"f\"\nset = {{ {set} }}\n"
        ))
    };
    let e = bad("shares = { a = 0.5, b = 0.6 }");
    assert!(
        e.contains("changes[0].set.shares") && e.contains("sum to 1.1"),
        "{e}"
    );
    let e = bad("shares = { a = 1 }");
    assert!(
        e.contains("changes[0].set.shares") && e.contains("route \"b\""),
        "{e}"
    );
    let e = bad("shares = { a = 0.5, c = 0.5 }");
    assert!(
        e.contains("changes[0].set.shares.c") && e.contains("no route \"c\""),
        "{e}"
    );
    let e = bad("shares = { a = 1.5, b = -0.5 }");
    assert!(
        e.contains("changes[0].set.shares.a") && e.contains("1.5 is not allowed"),
        "{e}"
    );
    let e = bad("servers = 2");
    assert!(
        e.contains("changes[0].set.servers") && e.contains("a flow"),
        "{e}"
    );
    let cheapest = two_delays(10.0, 12.0, "choice = \"cheapest\"", "", "");
    let e = error(&format!(
        "{cheapest}[[changes]]\ndate = \"2024-03-01\"\nelement = \"f\"\nset = {{ shares = {{ a = 1, b = 0 }} }}\n"
    ));
    assert!(
        e.contains("changes[0].set.shares") && e.contains("fixed shares"),
        "{e}"
    );
}

/// The routes' levels in time bins (timeseries.csv) add up to their flow's, bin by bin: each
/// consignment of the flow is on exactly one route.
#[test]
fn route_levels_add_up_to_the_flow_level_in_every_bin() {
    let m = model(&two_delays(30.0, 40.0, "", "share = 0.4", "share = 0.6"));
    let mut r = corridor::sim::Replication::new(&m, 0);
    r.run().unwrap();
    let s = r.series();
    let bins = s.binning.count();
    let level = |scope: &str, id: &str| {
        let i = s
            .keys
            .iter()
            .position(|k| k.scope == scope && k.id == id && k.metric == "wip")
            .unwrap_or_else(|| panic!("no {scope} {id} wip"));
        s.values[i * bins..(i + 1) * bins].to_vec()
    };
    let (f, a, b) = (
        level("flow", "f"),
        level("route", "f/a"),
        level("route", "f/b"),
    );
    for k in 0..bins {
        assert!(
            (f[k] - a[k] - b[k]).abs() <= 1e-4 * f[k].max(1.0),
            "bin {k}"
        );
    }
    // 2 an hour, 40% for 30 h and 60% for 40 h: 24 + 48 on average (Little's law).
    let mean = |v: &[f32]| v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
    assert!(
        (mean(&a) - 24.0).abs() < 2.0 && (mean(&b) - 48.0).abs() < 3.0,
        "{} {}",
        mean(&a),
        mean(&b)
    );
}

/// `extends`: a flow that gives `[[flows.routes]]` over a base flow with one `route` replaces
/// it (the base's `route` is dropped), and giving `route` back drops the base's routes and
/// choice.
#[test]
fn an_extending_file_turns_a_flow_into_a_choice_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let base = "[scenario]\nname = \"base\"\nhorizon = \"10d\"\n[[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"1h\" }\n[[nodes]]\nid = \"B\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"2h\" }\n[[flows]]\nid = \"f\"\nroute = [\"A\"]\narrivals = { dist = \"fixed\", value = \"1h\" }\n";
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    let choice = "extends = \"base.toml\"\n[scenario]\nname = \"choice\"\n[[flows]]\nid = \"f\"\nchoice = \"cheapest\"\nvalue_of_time = 1\n[[flows.routes]]\nid = \"a\"\nroute = [\"A\"]\n[[flows.routes]]\nid = \"b\"\nroute = [\"B\"]\n";
    std::fs::write(dir.path().join("choice.toml"), choice).unwrap();
    let m = scenario::load(&dir.path().join("choice.toml")).unwrap_or_else(|e| panic!("{e}"));
    let c = m.flows[0].choice.as_deref().expect("routes");
    assert_eq!(c.routes.len(), 2);
    assert!((c.routes[1].prior_hours - 2.0).abs() < 1e-9);
    let back = "extends = \"choice.toml\"\n[scenario]\nname = \"back\"\n[[flows]]\nid = \"f\"\nroute = [\"B\"]\n";
    std::fs::write(dir.path().join("back.toml"), back).unwrap();
    let m = scenario::load(&dir.path().join("back.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(m.flows[0].choice.is_none());
    assert_eq!(m.flows[0].route, vec![1]);
}

/// From the command line a bad route choice exits with code 2, the file and the field named,
/// and writes nothing.
#[test]
fn the_cli_rejects_a_bad_route_choice_with_exit_code_2() {
    let bad = two_delays(1.0, 1.0, "choice = \"logit\"", "", "");
    crate::cli::rejects(&bad, &["flows[0].logit_scale", "needs `logit_scale`"]);
    let shares = two_delays(1.0, 1.0, "", "share = 0.7", "share = 0.7");
    crate::cli::rejects(&shares, &["flows[0].routes", "sum to 1.4"]);
}

/// The charges along a route enter its generalised cost: station A charges 30 USD per TEU,
/// so C_a = 30 + 2 x 10 = 50 against C_b = 2 x 10 = 20, and the logit gives a the share
/// 1 / (1 + exp(theta x 30)); the route rows report each route's charges and generalised
/// cost per TEU, by hand.
#[test]
fn route_charges_enter_the_generalised_cost() {
    let theta = 0.05;
    let flow = format!("value_of_time = 2\nchoice = \"logit\"\nlogit_scale = {theta}");
    let src = two_delays(10.0, 10.0, &flow, "", "").replace(
        "service = { dist = \"fixed\", value = \"10h\" }\n\n[[nodes]]\nid = \"B\"",
        "service = { dist = \"fixed\", value = \"10h\" }\ncharges = [{ item = \"fee\", per = \"teu\", usd = 30 }]\n\n[[nodes]]\nid = \"B\"",
    );
    assert!(src.contains("usd = 30"), "the charge is in the scenario");
    let m = model(&src);
    let p = 1.0 / (1.0 + (theta * 30.0f64).exp());
    // The offered loads weigh the routes with the same cost: the logit at the priors.
    let c = m.flows[0].choice.as_deref().unwrap();
    assert_eq!(c.routes[0].charges_per_teu, 30.0);
    assert_eq!(c.routes[1].charges_per_teu, 0.0);
    let w: Vec<f64> = m.flows[0].paths().iter().map(|x| x.2).collect();
    assert!(
        (w[0] - p).abs() < 1e-12 && (w[1] - (1.0 - p)).abs() < 1e-12,
        "{w:?}"
    );
    let out = run(&m);
    let (k, n) = pooled(&out.reps, "f/a", "f");
    assert!(
        binomial_ok(k, n, p),
        "share of a {} vs the logit's {p}",
        k / n
    );
    for r in &out.reps {
        assert_eq!(at(r, "", "f/a", "charges"), 30.0);
        assert_eq!(at(r, "", "f/a", "generalised"), 50.0);
        assert_eq!(at(r, "", "f/b", "charges"), 0.0);
        assert_eq!(at(r, "", "f/b", "generalised"), 20.0);
        assert_eq!(at(r, "", "f/b", "co2e"), 0.0);
    }
    // With a charge of 10 on the faster route, the slower one is cheaper: 2 x 10 + 10 > 2 x 12.
    let flow = "value_of_time = 2\nchoice = \"cheapest\"";
    let src = two_delays(10.0, 12.0, flow, "", "").replace(
        "service = { dist = \"fixed\", value = \"10h\" }",
        "service = { dist = \"fixed\", value = \"10h\" }\ncharges = [{ item = \"fee\", per = \"teu\", usd = 10 }]",
    );
    let out = run(&model(&src));
    for r in &out.reps {
        assert_eq!(at(r, "", "f/b", "share"), 1.0);
    }
}

/// `corridor run` prints each route's share, transit and (with costs) generalised cost, and
/// each flow's cost per TEU, after the transit decomposition.
#[test]
fn the_run_prints_the_routes_and_the_costs() {
    let flow = "value_of_time = 2\nchoice = \"cheapest\"";
    let src = two_delays(10.0, 12.0, flow, "", "").replace(
        "service = { dist = \"fixed\", value = \"10h\" }",
        "service = { dist = \"fixed\", value = \"10h\" }\ncharges = [{ item = \"fee\", per = \"teu\", usd = 10 }]",
    );
    let (_dir, path) = crate::cli::workdir(&src);
    let o = crate::cli::corridor(
        &["run", path.to_str().unwrap(), "-r", "2"],
        path.parent().unwrap(),
    );
    assert!(o.status.success(), "{}", crate::cli::stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = |start: &str| {
        out.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?} in\n{out}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        line("cost per TEU"),
        [
            "cost",
            "per",
            "TEU",
            "charges",
            "USD",
            "time",
            "cost",
            "USD",
            "generalised",
            "USD",
            "CO2e",
            "kg"
        ]
    );
    // Everything takes b (C_b = 24 against C_a = 20 + 10): no charges, 12 h at 2 USD.
    let costs = out
        .lines()
        .skip_while(|l| !l.starts_with("cost per TEU"))
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>();
    assert_eq!(costs[..6], ["f", "0", "±0", "24", "±0", "24"]);
    assert_eq!(line("f/b")[..3], ["f/b", "1.00", "±0.00"]);
    assert_eq!(line("f/a")[..2], ["f/a", "0.00"]);
    assert!(
        line("f/b").join(" ").ends_with("24 ±0"),
        "{:?}",
        line("f/b")
    );
}

/// The run warns of a choice that swings: two parallel M/M/1 routes as in the SUE test, at
/// theta 8 (the documented oscillation: the share ends each replication elsewhere, far beyond
/// independent choices) and at theta 0.5 (settled at the equilibrium: no warning).
#[test]
fn a_swinging_choice_is_reported_and_a_settled_one_is_not() {
    let mut src = String::from(
        "[scenario]\nname = \"swing\"\nhorizon = \"1100d\"\nwarmup = \"100d\"\nreplications = 10\nseed = 21\n",
    );
    for (name, theta) in [("calm", 0.5), ("swings", 8.0)] {
        src += &mm1_pair(
            name,
            &format!("fast-{name}"),
            &format!("slow-{name}"),
            theta,
        );
    }
    let out = run(&model(&src));
    let w = corridor::report::warnings(&out.summary);
    let swing: Vec<&String> = w
        .iter()
        .filter(|w| w.contains("route choice swings"))
        .collect();
    assert_eq!(swing.len(), 1, "{w:?}");
    assert!(swing[0].contains("flow \"swings\""), "{}", swing[0]);
}

/// `corridor compare` lists each route's share under its flow, paired: with a higher value of
/// time the faster route (a, 10 h against 12 h) gains what the slower one loses.
#[test]
fn compare_lists_the_route_shares_under_their_flow() {
    let flow = "value_of_time = 1\nchoice = \"logit\"\nlogit_scale = 0.5";
    let (_dir, path) = crate::cli::workdir(&two_delays(10.0, 12.0, flow, "", ""));
    let o = crate::cli::corridor(
        &[
            "compare",
            path.to_str().unwrap(),
            "--alt",
            "vot:flows.f.value_of_time=3",
            "-r",
            "3",
        ],
        path.parent().unwrap(),
    );
    assert!(o.status.success(), "{}", crate::cli::stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let cells = |id: &str| -> Vec<f64> {
        let line = out
            .lines()
            .find(|l| l.starts_with(id) && l.contains("share (ratio)"))
            .unwrap_or_else(|| panic!("no share row for {id} in\n{out}"));
        line.split_whitespace()
            .skip(3)
            .take(3)
            .map(|x| x.parse().unwrap())
            .collect()
    };
    let (a, b) = (cells("f/a"), cells("f/b"));
    // P(a) = 1 / (1 + exp(-0.5 x vot x 2)): 0.731 at vot 1, 0.953 at vot 3.
    assert!(
        (a[0] - 0.731).abs() < 0.02 && (a[1] - 0.953).abs() < 0.02,
        "{a:?}"
    );
    assert!(
        (a[2] + b[2]).abs() < 1e-9,
        "the shares move together: {a:?} {b:?}"
    );
}
