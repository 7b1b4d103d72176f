//! Agreement with queueing theory: Erlang-C for M/M/c, Jackson for a tandem network.

use crate::support::*;

/// Stations of `c` exponential servers (mean service 1 h) at several utilisations, each fed by
/// its own Poisson flow: the simulated mean wait's 95% interval covers Erlang-C's Wq.
fn check_mmc(c: u32, rhos: &[f64]) {
    let mut src = String::from(
        "[scenario]\nname = \"mmc\"\nhorizon = \"2020d\"\nwarmup = \"20d\"\nreplications = 20\nseed = 11\n",
    );
    for (i, rho) in rhos.iter().enumerate() {
        let lambda = rho * c as f64; // per hour, mu = 1/h
        let gap_s = 3600.0 / lambda;
        src += &format!(
            "[[nodes]]\nid = \"n{i}\"\nkind = \"station\"\nservers = {c}\nservice = {{ dist = \"exponential\", mean = \"1h\" }}\n\
             [[flows]]\nid = \"f{i}\"\nroute = [\"n{i}\"]\narrivals = {{ dist = \"exponential\", mean = \"{gap_s}s\" }}\n"
        );
    }
    let out = run(&model(&src));
    for (i, rho) in rhos.iter().enumerate() {
        let lambda = rho * c as f64;
        let wq = erlang_c_wq(c, lambda, 1.0);
        let s = summary(&out.summary, "node", &format!("n{i}"), "wait_mean");
        assert!(
            s.covers(wq),
            "M/M/{c} at rho {rho}: simulated Wq {:.4} ± {:.4} h does not cover Erlang-C {wq:.4} h",
            s.mean,
            s.ci95
        );
        let u = summary(&out.summary, "node", &format!("n{i}"), "utilisation");
        assert!(
            u.covers(*rho) || (u.mean - rho).abs() < 0.005,
            "utilisation {u:?} vs {rho}"
        );
    }
}

#[test]
fn mm1_matches_theory() {
    check_mmc(1, &[0.5, 0.7, 0.8, 0.9]);
}

#[test]
fn mm2_matches_erlang_c() {
    check_mmc(2, &[0.5, 0.7, 0.9]);
}

#[test]
fn mm4_matches_erlang_c() {
    check_mmc(4, &[0.6, 0.85]);
}

/// Five exponential stations in series fed by a Poisson flow: by Jackson's theorem each behaves
/// as an independent M/M/1, with mean sojourn 1/(mu - lambda); the route's mean transit is the sum.
#[test]
fn jackson_tandem_sojourns() {
    let means_min = [30.0, 36.0, 42.0, 48.0, 30.0]; // mean service, minutes
    let mut src = String::from(
        "[scenario]\nname = \"tandem\"\nhorizon = \"1020d\"\nwarmup = \"20d\"\nreplications = 20\nseed = 5\n",
    );
    for (i, m) in means_min.iter().enumerate() {
        src += &format!(
            "[[nodes]]\nid = \"s{i}\"\nkind = \"station\"\nservers = 1\nservice = {{ dist = \"exponential\", mean = \"{m}m\" }}\n"
        );
    }
    src += "[[flows]]\nid = \"line\"\nroute = [\"s0\", \"s1\", \"s2\", \"s3\", \"s4\"]\narrivals = { dist = \"exponential\", mean = \"1h\" }\n";
    let out = run(&model(&src));
    let mut total = 0.0;
    for (i, m) in means_min.iter().enumerate() {
        let mu = 60.0 / m;
        let w = 1.0 / (mu - 1.0);
        total += w;
        let s = summary(&out.summary, "node", &format!("s{i}"), "sojourn_mean");
        assert!(
            s.covers(w),
            "station s{i}: sojourn {:.4} ± {:.4} h vs Jackson {w:.4} h",
            s.mean,
            s.ci95
        );
    }
    let t = summary(&out.summary, "flow", "line", "transit_mean");
    assert!(
        t.covers(total),
        "tandem transit {:.4} ± {:.4} h vs Jackson {total:.4} h",
        t.mean,
        t.ci95
    );
}

/// An infinite-server station is a pure delay: no waiting, sojourn = mean service, and the
/// mean number present is lambda x mean service (M/G/inf).
#[test]
fn unlimited_servers_are_a_pure_delay() {
    let src = "[scenario]\nname = \"delay\"\nhorizon = \"400d\"\nwarmup = \"10d\"\nreplications = 10\n\
        [[nodes]]\nid = \"sea\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"triangular\", min = \"18h\", mode = \"20h\", max = \"30h\" }\n\
        [[flows]]\nid = \"f\"\nroute = [\"sea\"]\narrivals = { dist = \"exponential\", mean = \"2h\" }\n";
    let out = run(&model(src));
    assert_eq!(summary(&out.summary, "node", "sea", "wait_mean").max, 0.0);
    let soj = summary(&out.summary, "node", "sea", "sojourn_mean");
    assert!(soj.covers(68.0 / 3.0), "{soj:?}");
    let wip = summary(&out.summary, "node", "sea", "wip_mean");
    assert!(wip.covers(0.5 * 68.0 / 3.0), "{wip:?}");
    assert_eq!(summary(&out.summary, "node", "sea", "utilisation").n, 0);
}

/// Links add their travel time to the transit, and only to it.
#[test]
fn link_travel_adds_to_transit() {
    let src = "[scenario]\nname = \"links\"\nhorizon = \"200d\"\nwarmup = \"10d\"\nreplications = 4\n\
        [[nodes]]\nid = \"a\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"1h\" }\n\
        [[nodes]]\nid = \"b\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = { dist = \"fixed\", value = \"2h\" }\n\
        [[links]]\nfrom = \"a\"\nto = \"b\"\ntime = { dist = \"uniform\", min = \"10h\", max = \"10h\" }\n\
        [[flows]]\nid = \"f\"\nroute = [\"a\", \"b\"]\narrivals = { dist = \"fixed\", value = \"3h\" }\n";
    let out = run(&model(src));
    let t = summary(&out.summary, "flow", "f", "transit_mean");
    assert_eq!((t.min, t.max), (13.0, 13.0));
    assert_eq!(summary(&out.summary, "flow", "f", "transit_max").max, 13.0);
    // One arrival every 3 h from t = 3 h; the cohort is those created in [240 h, 4800 h].
    assert_eq!(summary(&out.summary, "flow", "f", "created").mean, 1521.0);
    // Throughput counts deliveries inside the window whatever their creation time, so it is the
    // input rate (8 a day) even though the cohort's last consignments are still travelling.
    let tp = summary(&out.summary, "flow", "f", "throughput");
    assert!((tp.mean - 8.0).abs() < 0.01, "{tp:?}");
    // The cohort's last consignments (created after 4787 h) are still on their way.
    assert_eq!(
        summary(&out.summary, "flow", "f", "delivered").mean,
        1521.0 - 5.0
    );
    assert_eq!(
        summary(&out.summary, "flow", "f", "in_system_end").mean,
        5.0
    );
}
