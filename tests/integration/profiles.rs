//! Demand over time: profiles m(t), flow start and end dates. Counts per period against the
//! integrated rate (worked out here by hand, independently of the engine), paired draws, exact
//! gaps under a step, the constant profile against the stationary run, and the errors.

use std::process::Command;

use corridor::engine::time::MS_PER_DAY;
use corridor::scenario;
use corridor::sim::{Event, Replication};

use crate::support::*;

const HORIZON_DAYS: usize = 120;

/// A scenario starting Monday 2024-01-01 with an unlimited station and the given flows (each a
/// `[[flows]]` body without its header) and `extra` top-level text.
fn scenario(extra: &str, flows: &[&str], reps: u32) -> String {
    let mut s = format!(
        "[scenario]\nname = \"profiles\"\nhorizon = \"{HORIZON_DAYS}d\"\nreplications = {reps}\nseed = 5\nstart = \"2024-01-01\"\n{extra}\n\
         [[nodes]]\nid = \"n\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = {{ dist = \"fixed\", value = \"1s\" }}\n"
    );
    for (i, f) in flows.iter().enumerate() {
        s += &format!("[[flows]]\nid = \"f{i}\"\nroute = [\"n\"]\n{f}\n");
    }
    s
}

const POISSON_1H: &str = "arrivals = { dist = \"exponential\", mean = \"1h\" }";

/// Creation times (ms) of each flow in replication `rep`.
fn creations(m: &scenario::Model, rep: u32) -> Vec<Vec<u64>> {
    let mut out = vec![Vec::new(); m.flows.len()];
    let mut r = Replication::new(m, rep);
    r.run_observed(|t, ev| {
        if let Event::Created { flow } = ev {
            out[*flow as usize].push(t.ms());
        }
    })
    .unwrap();
    out
}

/// ∫ m over [a, b) days, by the midpoint rule on quarter hours (every jump of the profiles
/// below is at midnight, on the grid).
fn integral(m: &dyn Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let n = ((b - a) * 96.0).round() as usize;
    let h = (b - a) / n as f64;
    (0..n).map(|i| m(a + (i as f64 + 0.5) * h) * h).sum()
}

/// Counts of creations per 10-day period and per day of the week, summed over `reps`
/// replications, each within 4.5 standard deviations of its Poisson mean: 24 × ∫m per day
/// (one arrival an hour at m = 1) times the replications.
fn check_counts(m: &scenario::Model, reps: u32, hand: &[&dyn Fn(f64) -> f64]) {
    let periods = HORIZON_DAYS / 10;
    let mut by_period = vec![vec![0u64; periods]; hand.len()];
    let mut by_weekday = vec![[0u64; 7]; hand.len()];
    for rep in 0..reps {
        for (f, times) in creations(m, rep).iter().enumerate() {
            for &t in times {
                let day = (t / MS_PER_DAY) as usize;
                by_period[f][day / 10] += 1;
                by_weekday[f][day % 7] += 1;
            }
        }
    }
    for (f, m) in hand.iter().enumerate() {
        let check = |what: String, seen: u64, a_b: &[(f64, f64)]| {
            let mean: f64 =
                a_b.iter().map(|&(a, b)| integral(*m, a, b)).sum::<f64>() * 24.0 * reps as f64;
            let tol = 4.5 * mean.sqrt() + 1.0;
            assert!(
                (seen as f64 - mean).abs() <= tol,
                "flow f{f}, {what}: {seen} created, expected {mean:.1} ± {tol:.1}"
            );
        };
        for (p, &seen) in by_period[f].iter().enumerate() {
            let a = (p * 10) as f64;
            check(format!("days {a} to {}", a + 10.0), seen, &[(a, a + 10.0)]);
        }
        for (d, &seen) in by_weekday[f].iter().enumerate() {
            let days: Vec<(f64, f64)> = (d..HORIZON_DAYS)
                .step_by(7)
                .map(|x| (x as f64, x as f64 + 1.0))
                .collect();
            check(format!("weekday {d}"), seen, &days);
        }
    }
}

/// Poisson arrivals under growth, monthly factors, a step, a ramp and start/end dates: counts
/// per 10-day period and per weekday match the integrated rate.
#[test]
fn counts_per_period_follow_the_integrated_rate() {
    let flows = [
        format!("{POISSON_1H}\nprofile = {{ growth = 1.0 }}"),
        format!(
            "{POISSON_1H}\nprofile = {{ monthly = [2.0, 0.5, 1.0, 1.5, 1, 1, 1, 1, 1, 1, 1, 1] }}"
        ),
        format!(
            "{POISSON_1H}\nprofile = {{ steps = [ {{ from = \"2024-02-15\", factor = 3.0 }} ] }}"
        ),
        format!(
            "{POISSON_1H}\nprofile = {{ ramps = [ {{ from = \"2024-01-20\", to = \"2024-03-01\", factor = 0.25 }} ] }}"
        ),
        format!("{POISSON_1H}\nstart = \"2024-02-01\"\nend = \"2024-03-10\""),
    ];
    let flows: Vec<&str> = flows.iter().map(String::as_str).collect();
    let reps = 30;
    let m = model(&scenario("", &flows, reps));
    // The same profiles written out by hand, t in days from 2024-01-01 (a leap year).
    let growth = |t: f64| 2f64.powf(t / 365.25);
    let monthly = |t: f64| match t {
        t if t < 31.0 => 2.0,
        t if t < 60.0 => 0.5,
        t if t < 91.0 => 1.0,
        _ => 1.5,
    };
    let step = |t: f64| if t < 45.0 { 1.0 } else { 3.0 };
    let ramp = |t: f64| match t {
        t if t < 19.0 => 1.0,
        t if t < 60.0 => 1.0 - 0.75 * (t - 19.0) / 41.0,
        _ => 0.25,
    };
    let window = |t: f64| if (31.0..70.0).contains(&t) { 1.0 } else { 0.0 };
    check_counts(&m, reps, &[&growth, &monthly, &step, &ramp, &window]);
}

/// A scenario-wide weekly profile times a flow's own growth and step.
#[test]
fn scenario_and_flow_profiles_multiply() {
    let flow = format!(
        "{POISSON_1H}\nprofile = {{ growth = 0.5, steps = [ {{ from = \"2024-03-01\", factor = 2.0 }} ] }}"
    );
    let reps = 30;
    let src = scenario(
        "[profile]\nweekly = [1, 1, 1, 1, 1, 0.5, 0]",
        &[&flow],
        reps,
    );
    let m = model(&src);
    let hand = |t: f64| {
        let week = [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0][t.floor() as usize % 7];
        let step = if t < 60.0 { 1.0 } else { 2.0 };
        week * 1.5f64.powf(t / 365.25) * step
    };
    check_counts(&m, reps, &[&hand]);
    // No consignment on a Sunday.
    for times in creations(&m, 0) {
        assert!(times.iter().all(|t| (t / MS_PER_DAY) % 7 != 6));
    }
}

/// A profile that is 1 throughout (growth 0, every factor 1, a start on the scenario's start
/// date) gives the stationary results byte for byte: it is dropped when the file is read.
#[test]
fn a_constant_profile_is_the_stationary_run() {
    let queue = "[[nodes]]\nid = \"q\"\nkind = \"station\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"50m\" }\n";
    let plain = scenario(
        queue,
        &[&format!("{POISSON_1H}\nroute = [\"n\", \"q\"]")],
        3,
    )
    .replace("route = [\"n\"]\n", "");
    let flat = scenario(
        &format!("{queue}[profile]\ngrowth = 0.0\nmonthly = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"),
        &[&format!(
            "{POISSON_1H}\nroute = [\"n\", \"q\"]\nstart = \"2024-01-01\"\nprofile = {{ weekly = [1, 1, 1, 1, 1, 1, 1], steps = [ {{ from = \"2024-02-01\", factor = 1.0 }} ] }}"
        )],
        3,
    )
    .replace("route = [\"n\"]\n", "");
    let (a, b) = (model(&plain), model(&flat));
    assert!(b.flows[0].profile.is_none());
    let (ra, rb) = (run(&a), run(&b));
    for (x, y) in ra.reps.iter().zip(&rb.reps) {
        assert_eq!(rows_text(&x.rows), rows_text(&y.rows));
    }
    // A profile that is not 1 does change them (the comparison above can fail).
    let grown = model(&flat.replace("growth = 0.0", "growth = 0.2"));
    assert!(grown.flows[0].profile.is_some());
    let rg = run(&grown);
    assert_ne!(rows_text(&ra.reps[0].rows), rows_text(&rg.reps[0].rows));
}

/// Before a step's date the arrivals are those of the run without the step: the same draws.
#[test]
fn arrivals_before_a_step_are_those_without_it() {
    let plain = model(&scenario("", &[POISSON_1H], 1));
    let stepped = model(&scenario(
        "",
        &[&format!(
            "{POISSON_1H}\nprofile = {{ steps = [ {{ from = \"2024-01-31\", factor = 2.0 }} ] }}"
        )],
        1,
    ));
    let step = 30 * MS_PER_DAY;
    for rep in 0..3 {
        let a = creations(&plain, rep).remove(0);
        let b = creations(&stepped, rep).remove(0);
        let before = |v: &[u64]| v.iter().copied().filter(|&t| t < step).collect::<Vec<_>>();
        assert_eq!(before(&a), before(&b));
        assert!(before(&a).len() > 600);
        // After it, the n-th arrival of the plain run at step + x comes at step + x / 2.
        let after_a: Vec<u64> = a.iter().copied().filter(|&t| t >= step).collect();
        let after_b: Vec<u64> = b.iter().copied().filter(|&t| t >= step).collect();
        for (x, y) in after_a.iter().zip(&after_b) {
            assert!((step + (x - step) / 2).abs_diff(*y) <= 1, "{x} {y}");
        }
    }
}

/// Deterministic arrivals every hour under a factor-2 step at the end of day 2: exactly every
/// hour before it, exactly every half hour after; `end` stops them after its day.
#[test]
fn a_step_halves_deterministic_gaps_and_end_stops_the_flow() {
    let m = model(&scenario(
        "",
        &[
            "arrivals = { dist = \"fixed\", value = \"1h\" }\nend = \"2024-01-05\"\n\
           profile = { steps = [ { from = \"2024-01-03\", factor = 2 } ] }",
        ],
        1,
    ));
    let t = creations(&m, 0).remove(0);
    let hour = 3_600_000;
    let gaps: Vec<u64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(t[0], hour);
    // 48 arrivals on the first two days (the 48th at midnight, when the step starts), then
    // every half hour to the last one before midnight at the end of 5 January (day 5).
    assert_eq!(t[47], 48 * hour);
    assert!(gaps[..47].iter().all(|&g| g == hour), "{gaps:?}");
    assert!(gaps[47..].iter().all(|&g| g == hour / 2), "{gaps:?}");
    assert_eq!(*t.last().unwrap(), 5 * 24 * hour - hour / 2);
    assert_eq!(t.len(), 47 + 3 * 48);
}

/// Every bad profile, start and end is an error naming the field, the value and what is
/// allowed; no panic.
#[test]
fn bad_profiles_are_clear_errors() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "",
            "profile = { monthly = [1, 1, 1] }",
            "flows[0].profile.monthly",
            "3 values given; give exactly 12",
        ),
        (
            "",
            "profile = { weekly = [1, 1, 1, 1, 1, 1, 1, 1] }",
            "flows[0].profile.weekly",
            "give exactly 7, one per day from Monday",
        ),
        ("[profile]\ngrowth = -1.0", "", "profile.growth", "above -1"),
        (
            "",
            "profile = { growth = nan }",
            "flows[0].profile.growth",
            "growth is a fraction per year",
        ),
        (
            "",
            "profile = { monthly = [1, 1, 1, 1, 1, 1, 1, -1, 1, 1, 1, 1] }",
            "flows[0].profile.monthly[7]",
            "must be from 0 to 1000",
        ),
        (
            "",
            "profile = { monthly = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }",
            "flows[0].profile.monthly",
            "every factor is 0",
        ),
        (
            "",
            "profile = { steps = [ { from = \"2024-13-01\", factor = 2 } ] }",
            "flows[0].profile.steps[0].from",
            "\"2024-13-01\" is not a date",
        ),
        (
            "",
            "profile = { steps = [ { from = \"2024-02-01\", factor = inf } ] }",
            "flows[0].profile.steps[0].factor",
            "is not allowed; a profile factor",
        ),
        (
            "",
            "profile = { ramps = [ { from = \"2024-02-01\", to = \"2024-01-01\", factor = 2 } ] }",
            "flows[0].profile.ramps[0].to",
            "is not after `from`",
        ),
        (
            "",
            "profile = { ramps = [ { from = \"2024-02-01\", to = \"2024-04-01\", factor = 2 }, { from = \"2024-01-01\", to = \"2024-02-02\", factor = 3 } ] }",
            "flows[0].profile.ramps[0]",
            "overlaps flows[0].profile.ramps[1]",
        ),
        (
            "",
            "profile = { seasons = 1 }",
            "",
            "unknown field `seasons`",
        ),
        (
            "",
            "start = \"2024-03-01\"\nend = \"2024-02-01\"",
            "flows[0].end",
            "is before `start`",
        ),
        (
            "",
            "end = \"2023-12-31\"",
            "flows[0].end",
            "before the scenario's start date",
        ),
        (
            "",
            "start = \"2024-05-01\"",
            "flows[0].start",
            "at or after the end of the horizon",
        ),
        (
            "",
            "profile = { monthly = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], steps = [ { from = \"2023-06-01\", factor = 0 } ] }",
            "flows[0]",
            "is 0 over the whole horizon",
        ),
        (
            "",
            "profile = { growth = 10.0, steps = [ { from = \"2024-02-01\", factor = 900 } ] }",
            "flows[0].profile",
            "reaches",
        ),
    ];
    for (extra, flow, path, text) in cases {
        let src = scenario(extra, &[&format!("{POISSON_1H}\n{flow}")], 1);
        let e = scenario::parse(std::path::Path::new("inline.toml"), &src)
            .map(|_| ())
            .expect_err(flow)
            .to_string();
        assert!(e.contains(path), "{flow}: {e}");
        assert!(e.contains(text), "{flow}: {e}");
    }
    // From the command line: exit code 2 and the message, no panic.
    let dir = std::env::temp_dir().join(format!("corridor-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        scenario(
            "",
            &[&format!("{POISSON_1H}\nprofile = {{ weekly = [1] }}")],
            1,
        ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.toml") && err.contains("flows[0].profile.weekly"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Offered loads with a profile: the mean of m over the window, and the busiest month's mean
/// beside it, both worked out by hand.
#[test]
fn offered_loads_use_the_window_mean_and_the_busiest_month() {
    // Window 2024-01-11 to 2024-04-30 (warm-up 10 days, horizon 120 days); m = 2 in January,
    // 0.5 in February, 1 in March and April. One arrival an hour at m = 1, 30 minutes of service.
    let src = scenario(
        "[profile]\nmonthly = [2, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
        &[POISSON_1H],
        1,
    )
    .replace("horizon = ", "warmup = \"10d\"\nhorizon = ")
    .replace(
        "servers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"1s\" }",
        "servers = 1\nservice = { dist = \"fixed\", value = \"30m\" }",
    );
    let m = model(&src);
    let mean_m = (21.0 * 2.0 + 29.0 * 0.5 + 60.0 * 1.0) / 110.0;
    let load = m.offered_loads()[0].load;
    assert!((load - 0.5 * mean_m).abs() < 1e-9, "{load} {mean_m}");
    let peak = m.peak_month_loads().unwrap();
    assert!((peak[0].0.load - 1.0).abs() < 1e-9, "{:?}", peak[0]);
    assert_eq!(peak[0].1, "2024-01-11");
    // Without a profile there is no second figure.
    assert!(
        model(&scenario("", &[POISSON_1H], 1))
            .peak_month_loads()
            .is_none()
    );
}

/// The busiest month is read with the capacities in force in that month: the scenario of
/// `offered_loads_use_the_window_mean_and_the_busiest_month` with m = 2 in April instead of
/// January and a second server from 1 March. January's load is 0.5 (1 server), April's
/// 2 x 0.5 / 2 = 0.5 too, so the first of them, January, is the peak at 0.5; with April's
/// demand on January's single server (the worst capacity of the window) it would be 1.0.
#[test]
fn the_busiest_month_uses_the_capacities_of_that_month() {
    let src = scenario(
        "[profile]\nmonthly = [1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1]",
        &[POISSON_1H],
        1,
    )
    .replace("horizon = ", "warmup = \"10d\"\nhorizon = ")
    .replace(
        "servers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"1s\" }",
        "servers = 1\nservice = { dist = \"fixed\", value = \"30m\" }",
    );
    let id = src
        .split("[[nodes]]\nid = \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let src = format!(
        "{src}\n[[changes]]\ndate = \"2024-03-01\"\nelement = \"{id}\"\nset = {{ servers = 2 }}\n"
    );
    let m = model(&src);
    let peak = m.peak_month_loads().unwrap();
    assert!((peak[0].0.load - 0.5).abs() < 1e-9, "{:?}", peak[0]);
    assert_eq!(peak[0].1, "2024-01-11");
}
