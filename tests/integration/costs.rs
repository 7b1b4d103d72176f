//! Charges, emissions and the CPMM cost indicators against hand-worked cases (deterministic
//! times, so every figure is exact), road services end to end, and bad input.

use std::fs;

use crate::cli::{corridor, rejects, stderr, workdir};
use crate::support::*;

/// A station `A` (service `a_service`, charges `a_extra`), a link `A -> B` (its fields in
/// `link`) and a station `B` with no service time; flow `f` (its extra fields in `flow`).
fn two_stations(a_extra: &str, link: &str, flow: &str) -> String {
    format!(
        "[scenario]\nname = \"s\"\nhorizon = \"30d\"\nwarmup = \"2d\"\nreplications = 2\n\
         [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = \"unlimited\"\n{a_extra}\n\
         [[nodes]]\nid = \"B\"\nkind = \"station\"\nservers = \"unlimited\"\nservice = {{ dist = \"fixed\", value = \"0h\" }}\n\
         [[links]]\nfrom = \"A\"\nto = \"B\"\n{link}\n\
         [[flows]]\nid = \"f\"\nroute = [\"A\", \"B\"]\narrivals = {{ dist = \"fixed\", value = \"10h\" }}\n{flow}\n"
    )
}

const ZERO: &str = "service = { dist = \"fixed\", value = \"0h\" }";

/// The flow's cost rows and CPMM rows of every replication are equal to `expected`.
fn every_rep(out: &corridor::run::RunOutput, scope: &str, id: &str, metric: &str, expected: f64) {
    for rep in &out.reps {
        let v = value(rep, scope, id, metric);
        assert!(
            (v - expected).abs() < 1e-9 * expected.abs().max(1.0),
            "{scope}/{id}/{metric} = {v}, by hand {expected}"
        );
    }
}

#[test]
fn a_charge_per_teu_km_on_a_link_is_distance_times_rate_per_teu() {
    // 300 km at 0.5 USD per TEU-km: 150 USD per TEU, whatever the consignment's size.
    let src = two_stations(
        ZERO,
        "time = { dist = \"fixed\", value = \"5h\" }\ndistance_km = 300\n\
         charges = [{ item = \"freight\", per = \"teu_km\", usd = 0.5 }]",
        "teu = 2",
    );
    let out = run(&model(&src));
    every_rep(&out, "cost", "f", "freight", 150.0);
    every_rep(&out, "cost", "f", "charges", 150.0);
    every_rep(&out, "cost", "f", "handling", 0.0);
    // No value of time: the generalised cost is the charges.
    every_rep(&out, "cost", "f", "generalised", 150.0);
}

#[test]
fn emissions_are_factor_times_distance_times_tonnes_per_teu() {
    // Own factor 0.05 kg per t-km, 300 km, 12 t per TEU: 180 kg per TEU, 0.6 kg per TEU-km.
    let src = two_stations(
        ZERO,
        "time = { dist = \"fixed\", value = \"5h\" }\ndistance_km = 300\nmode = \"road\"\nco2e_kg_per_tkm = 0.05",
        "teu = 2\ntonnes_per_teu = 12",
    );
    let out = run(&model(&src));
    every_rep(&out, "cost", "f", "co2e", 180.0);
    every_rep(&out, "cost", "f", "co2e_per_teu_km", 0.6);
    every_rep(&out, "cost", "f", "tonnes_per_teu", 12.0);
    // The road default (0.095 kg per t-km) at the default 10 t per TEU: 0.095 x 300 x 10 = 285.
    let src = two_stations(
        ZERO,
        "time = { dist = \"fixed\", value = \"5h\" }\ndistance_km = 300\nmode = \"road\"",
        "",
    );
    let out = run(&model(&src));
    every_rep(&out, "cost", "f", "co2e", 285.0);
    every_rep(&out, "cost", "f", "tonnes_per_teu", 10.0);
}

#[test]
fn charges_per_hour_and_per_teu_day_follow_a_deterministic_stay() {
    // Service 3 h at A (a yard of 20 TEU): handling 50 USD per TEU, storage 8 USD per TEU-day
    // (3 h = 1/8 day: 1 USD per TEU) and 4 USD per consignment-hour (12 USD per consignment
    // of 2 TEU: 6 USD per TEU). Per TEU: handling 50, storage 7.
    let a = "service = { dist = \"fixed\", value = \"3h\" }\nyard_teu = 20\n\
             charges = [{ item = \"handling\", per = \"teu\", usd = 50 }, { item = \"storage\", per = \"teu_day\", usd = 8 }, { item = \"storage\", per = \"hour\", usd = 4 }]";
    let src = two_stations(a, "time = { dist = \"fixed\", value = \"5h\" }", "teu = 2");
    let out = run(&model(&src));
    every_rep(&out, "cost", "f", "handling", 50.0);
    every_rep(&out, "cost", "f", "storage", 7.0);
    every_rep(&out, "cost", "f", "charges", 57.0);
    // No link has a distance: no TEU-km, so no emission intensity.
    for rep in &out.reps {
        assert!(value(rep, "cost", "f", "co2e_per_teu_km").is_nan());
        assert_eq!(value(rep, "cost", "f", "co2e"), 0.0);
    }
}

#[test]
fn generalised_cost_is_charges_plus_value_of_time_times_transit() {
    // Transit: 2 h at A + 5 h on the link = 7 h exactly. 100 USD per TEU on the link and
    // 10 USD per TEU-hour: time cost 70, generalised 170.
    let src = two_stations(
        "service = { dist = \"fixed\", value = \"2h\" }",
        "time = { dist = \"fixed\", value = \"5h\" }\ncharges = [{ item = \"freight\", per = \"teu\", usd = 100 }]",
        "value_of_time = 10",
    );
    let out = run(&model(&src));
    every_rep(&out, "flow", "f", "transit_mean", 7.0);
    every_rep(&out, "cost", "f", "time_cost", 70.0);
    every_rep(&out, "cost", "f", "value_of_time", 10.0);
    every_rep(&out, "cost", "f", "generalised", 170.0);
}

/// A border `X` between stations `A` and `B`, with the border's extra fields.
fn border(extra: &str, flow: &str) -> String {
    format!(
        "[scenario]\nname = \"s\"\nhorizon = \"30d\"\nwarmup = \"2d\"\nreplications = 2\n\
         [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = \"unlimited\"\n{ZERO}\n\
         [[nodes]]\nid = \"X\"\nkind = \"border\"\nlanes = 1\ndocuments = {{ dist = \"fixed\", value = \"1h\" }}\n{extra}\n\
         [[nodes]]\nid = \"B\"\nkind = \"station\"\nservers = \"unlimited\"\n{ZERO}\n\
         [[links]]\nfrom = \"A\"\nto = \"X\"\ntime = {{ dist = \"fixed\", value = \"2h\" }}\ndistance_km = 250\n\
         charges = [{{ item = \"freight\", per = \"teu\", usd = 100 }}]\n\
         [[flows]]\nid = \"f\"\nroute = [\"A\", \"X\", \"B\"]\narrivals = {{ dist = \"fixed\", value = \"10h\" }}\n{flow}\n"
    )
}

#[test]
fn border_fees_per_consignment_are_divided_by_its_teu_and_give_the_cpmm_indicators() {
    // 120 USD fee and 30 USD informal per consignment of 2 TEU: 60 and 15 per TEU.
    let fees = "charges = [{ item = \"fee\", per = \"consignment\", usd = 120 }, { item = \"informal\", per = \"consignment\", usd = 30 }]";
    let out = run(&model(&border(fees, "teu = 2")));
    every_rep(&out, "cost", "f", "fees", 60.0);
    every_rep(&out, "cost", "f", "informal", 15.0);
    every_rep(&out, "cost", "f", "freight", 100.0);
    every_rep(&out, "cost", "f", "charges", 175.0);
    // TFI2: 150 USD per consignment of 2 x 10 t = 20 t: 150 per 20 t, of which 30 informal.
    every_rep(&out, "cpmm", "X", "border_cost", 150.0);
    every_rep(&out, "cpmm", "X", "informal", 30.0);
    // TFI3: 200 USD per consignment (20 t) over 250 km: 400 USD per 500 km per 20 t.
    every_rep(&out, "cpmm", "A->X", "section_cost", 400.0);
    every_rep(&out, "cpmm", "A->X", "distance", 250.0);
    // At 14 t per TEU the consignment holds 28 t: 150 x 20 / 28 per 20 t.
    let out = run(&model(&border(fees, "teu = 2\ntonnes_per_teu = 14")));
    every_rep(&out, "cpmm", "X", "border_cost", 150.0 * 20.0 / 28.0);
    every_rep(
        &out,
        "cpmm",
        "A->X",
        "section_cost",
        200.0 * 20.0 / 28.0 * 2.0,
    );
}

/// Stations A and B joined by road service `truck` (its extra fields in `extra`).
fn road(extra: &str) -> String {
    format!(
        "[scenario]\nname = \"s\"\nhorizon = \"30d\"\nwarmup = \"2d\"\nreplications = 2\n\
         [[nodes]]\nid = \"A\"\nkind = \"station\"\nservers = \"unlimited\"\n{ZERO}\nlat = 41.6\nlon = 41.6\n\
         [[nodes]]\nid = \"B\"\nkind = \"station\"\nservers = \"unlimited\"\n{ZERO}\nlat = 41.5\nlon = 41.5\n\
         [[services]]\nid = \"truck\"\nmode = \"road\"\nfrom = \"A\"\nto = \"B\"\ncapacity_teu = 2\nfleet = 20\n\
         departure = \"when_full\"\ntravel = {{ dist = \"fixed\", value = \"12h\" }}\nreturn_trip = {{ dist = \"fixed\", value = \"12h\" }}\n{extra}\n\
         [[flows]]\nid = \"f\"\nroute = [\"A\", \"truck\", \"B\"]\narrivals = {{ dist = \"fixed\", value = \"5h\" }}\nteu = 2\n"
    )
}

#[test]
fn a_road_service_charges_and_emits_per_trip_with_the_road_defaults() {
    // 600 km at 1 USD per TEU-km: 600 per TEU. Road default 0.095 kg per t-km x 600 km x 10 t
    // = 570 kg per TEU; the trucks never wait, so nothing idles.
    let src =
        road("distance_km = 600\ncharges = [{ item = \"freight\", per = \"teu_km\", usd = 1.0 }]");
    let out = run(&model(&src));
    every_rep(&out, "flow", "f", "transit_mean", 12.0);
    every_rep(&out, "cost", "f", "freight", 600.0);
    every_rep(&out, "cost", "f", "co2e", 570.0);
    every_rep(&out, "cost", "f", "co2e_per_teu_km", 0.95);
    // TFI3 of the leg: 1,200 USD per consignment of 20 t over 600 km: 1,000 per 500 km.
    every_rep(&out, "cpmm", "truck", "section_cost", 1000.0);
}

#[test]
fn a_road_service_runs_through_run_compare_report_and_geojson() {
    let src =
        road("distance_km = 600\ncharges = [{ item = \"freight\", per = \"teu\", usd = 900 }]");
    let (dir, _) = workdir(&src);
    let d = dir.path();
    let alt = src.replace("usd = 900", "usd = 700");
    fs::write(d.join("alt.toml"), alt).unwrap();
    for args in [
        &["run", "s.toml", "--out", "r", "-q"][..],
        &["compare", "s.toml", "alt.toml", "--out", "c", "-q"],
        &["report", "r"],
        &["export", "geojson", "s.toml", "--out", "m.geojson"],
    ] {
        let o = corridor(args, d);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    let summary = fs::read_to_string(d.join("r/summary.csv")).unwrap();
    assert!(summary.contains(",cost,f,charges,USD/TEU,"), "{summary}");
    let comparison = fs::read_to_string(d.join("c/comparison.csv")).unwrap();
    let row = comparison
        .lines()
        .find(|l| l.starts_with("cost,f,charges,"))
        .unwrap_or_else(|| panic!("no cost row in comparison.csv:\n{comparison}"));
    assert!(row.contains("-200"), "900 -> 700 USD per TEU: {row}");
    // The report's cost table: charges 900 USD per TEU beside the transit.
    let html = fs::read_to_string(d.join("r/report.html")).unwrap();
    let at = html.find("id=\"cost-f\"").expect("a cost row for flow f");
    assert!(
        html[at..].contains("<td>900 ±0</td>"),
        "{}",
        &html[at..at + 300]
    );
    let geo = fs::read_to_string(d.join("m.geojson")).unwrap();
    assert!(geo.contains("\"road\""), "{geo}");
}

#[test]
fn a_scenario_without_costs_writes_no_cost_rows() {
    let src = two_stations(ZERO, "time = { dist = \"fixed\", value = \"5h\" }", "");
    let m = model(&src);
    assert!(m.costs.is_none());
    let out = run(&m);
    for rep in &out.reps {
        assert!(
            rep.rows
                .iter()
                .all(|r| r.scope != "cost" && r.scope != "cpmm"),
            "cost rows without costs"
        );
    }
}

#[test]
fn bad_charges_and_factors_are_rejected_with_their_field_path() {
    let link = |extra: &str| {
        two_stations(
            ZERO,
            &format!("time = {{ dist = \"fixed\", value = \"5h\" }}\n{extra}"),
            "",
        )
    };
    rejects(
        &link("charges = [{ item = \"freight\", per = \"km\", usd = 1 }]"),
        &[
            "links[0].charges[0].per",
            "\"km\"",
            "teu, consignment, teu_km, hour, teu_day",
        ],
    );
    rejects(
        &link("charges = [{ item = \"bribe\", per = \"teu\", usd = 1 }]"),
        &[
            "links[0].charges[0].item",
            "\"bribe\"",
            "freight, handling, storage, fee, informal",
        ],
    );
    rejects(
        &link("charges = [{ item = \"freight\", per = \"teu\", usd = -5 }]"),
        &["links[0].charges[0].usd", "-5", "from 0"],
    );
    rejects(
        &link("charges = [{ item = \"freight\", per = \"teu_km\", usd = 1 }]"),
        &["links[0].charges[0].per", "needs a distance", "distance_km"],
    );
    rejects(
        &two_stations(
            "service = { dist = \"fixed\", value = \"0h\" }\ncharges = [{ item = \"handling\", per = \"teu_km\", usd = 1 }]",
            "time = { dist = \"fixed\", value = \"5h\" }",
            "",
        ),
        &["nodes[0].charges[0].per", "not allowed on a node"],
    );
    rejects(
        &link("mode = \"air\""),
        &["links[0].mode", "\"air\"", "rail, road, sea"],
    );
    rejects(
        &link("distance_km = 10\nmode = \"rail\"\ntraction = \"steam\""),
        &["links[0].traction", "\"steam\"", "electric, diesel"],
    );
    rejects(
        &link("distance_km = 10\nmode = \"rail\""),
        &[
            "links[0].traction",
            "no default emission factor",
            "co2e_kg_per_tkm",
        ],
    );
    rejects(
        &link("distance_km = 10\nco2e_kg_per_tkm = -1"),
        &["links[0].co2e_kg_per_tkm", "-1", ">= 0"],
    );
    rejects(
        &link("co2e_kg_per_tkm = 0.1"),
        &["links[0].co2e_kg_per_tkm", "needs `distance_km`"],
    );
    rejects(
        &two_stations(
            ZERO,
            "time = { dist = \"fixed\", value = \"5h\" }",
            "tonnes_per_teu = 40",
        ),
        &["flows[0].tonnes_per_teu", "40", "at most 30"],
    );
    rejects(
        &two_stations(
            ZERO,
            "time = { dist = \"fixed\", value = \"5h\" }",
            "value_of_time = -1",
        ),
        &["flows[0].value_of_time", "-1", ">= 0"],
    );
    rejects(
        &road("distance_km = 0"),
        &["services[0].distance_km", "> 0 km"],
    );
    rejects(
        &road("idle_co2e_kg_per_hour = -2"),
        &["services[0].idle_co2e_kg_per_hour", "-2", ">= 0"],
    );
    rejects(
        &format!("{}\n[costs]\ntonnes_per_teu = 0\n", road("")),
        &["costs.tonnes_per_teu", "> 0"],
    );
}

#[test]
fn validate_lists_the_elements_that_emit_nothing_while_moving() {
    // The link has a charge but no distance: it emits nothing while moving, and validate says so.
    let src = two_stations(
        ZERO,
        "time = { dist = \"fixed\", value = \"5h\" }\ncharges = [{ item = \"freight\", per = \"teu\", usd = 1 }]",
        "",
    );
    let (dir, _) = workdir(&src);
    let o = corridor(&["validate", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("emit nothing while moving") && out.contains(": A->B."),
        "{out}"
    );
    // With a distance and a road mode it emits, and the list is empty.
    let src = two_stations(
        ZERO,
        "time = { dist = \"fixed\", value = \"5h\" }\ndistance_km = 10\nmode = \"road\"",
        "",
    );
    let (dir, _) = workdir(&src);
    let o = corridor(&["validate", "s.toml"], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("emit nothing while moving") && out.contains(": none."),
        "{out}"
    );
}

#[test]
fn a_border_without_charges_costs_nothing_to_clear() {
    // Costs are on (the link charges), the border charges nothing: its TFI2 is 0, not empty.
    let out = run(&model(&border("", "teu = 2")));
    every_rep(&out, "cpmm", "X", "border_cost", 0.0);
    every_rep(&out, "cost", "f", "fees", 0.0);
}
