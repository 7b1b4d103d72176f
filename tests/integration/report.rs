//! `corridor report`: the HTML page of a run, a comparison and a sweep (its sections, numbers
//! that match the CSV files, escaping, the same bytes for the same folder), its errors, and the
//! page as a person sees it, rendered by headless Chromium.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::whatif::{corridor, ok, read, stderr, text, workdir, write_alt};

/// The sections every report of a run has, by id.
const RUN_SECTIONS: [&str; 5] = [
    "scenario",
    "route-graph",
    "flows",
    "bottlenecks",
    "timeseries",
];

/// The cell of `column` in the summary.csv row of (scope, id, metric).
fn summary_cell(dir: &Path, scope: &str, id: &str, metric: &str, column: &str) -> String {
    let csv = text(dir, "summary.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == column).unwrap();
    let row = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|c| c[1] == scope && c[2] == id && c[3] == metric)
        .unwrap_or_else(|| panic!("no {scope}/{id}/{metric} in summary.csv"));
    row[at].to_string()
}

/// The `<tr ...>...</tr>` whose attributes hold `attr`.
fn table_row<'a>(html: &'a str, attr: &str) -> &'a str {
    let start = html
        .find(attr)
        .unwrap_or_else(|| panic!("no row with {attr}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    &html[start..end]
}

fn has_sections(html: &str, ids: &[&str]) {
    for id in ids {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "no section {id}"
        );
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        !html.to_lowercase().contains("<script"),
        "the page has a script"
    );
    for remote in ["http://", "https://"] {
        // The SVG namespace is a name, not a fetch; nothing else may point outside.
        let outside = html
            .match_indices(remote)
            .filter(|(i, _)| !html[*i..].starts_with("http://www.w3.org/2000/svg"))
            .count();
        assert_eq!(outside, 0, "the page refers to {remote}");
    }
}

#[test]
fn report_of_a_run_has_its_sections_and_the_numbers_of_summary_csv() {
    let dir = workdir();
    let d = dir.path();
    ok(
        &["run", "s.toml", "-q", "-r", "3", "--out", "r", "--report"],
        d,
    );
    let r = d.join("r");
    let html = text(&r, "report.html");
    has_sections(&html, &RUN_SECTIONS);
    assert!(html.contains("<h1>wi</h1>"));
    // The flow's transit: the exact value of summary.csv, and in days as shown.
    let mean = summary_cell(&r, "flow", "box", "transit_mean", "mean");
    let ci = summary_cell(&r, "flow", "box", "transit_mean", "ci95");
    let row = table_row(&html, "id=\"flow-box\"");
    assert!(
        row.contains(&format!("data-transit-mean-h=\"{mean}\"")),
        "{row}"
    );
    let (m, c): (f64, f64) = (mean.parse().unwrap(), ci.parse().unwrap());
    let shown = format!("{:.2} ±{:.2}", m / 24.0, c / 24.0);
    assert!(row.contains(&shown), "{row} lacks {shown}");
    let interval = format!("{:.2} – {:.2}", (m - c) / 24.0, (m + c) / 24.0);
    assert!(row.contains(&interval), "{row} lacks {interval}");
    let p95: f64 = summary_cell(&r, "flow", "box", "transit_p95", "mean")
        .parse()
        .unwrap();
    assert!(row.contains(&format!("{:.2}", p95 / 24.0)), "{row}");
    // The bottleneck ranking: rank 1 is bottlenecks.csv's rank 1.
    let b = text(&r, "bottlenecks.csv");
    let first: Vec<&str> = b.lines().nth(1).unwrap().split(',').collect();
    let row = table_row(&html, "id=\"bottleneck-1\"");
    assert!(row.contains(&format!("{}:{}", first[2], first[3])), "{row}");
    // Charts are inline SVG; the decomposition names its parts.
    assert!(html.matches("<svg").count() >= 3);
    for part in [
        "moving",
        "waiting for carrier",
        "queueing",
        "handling",
        "border",
    ] {
        assert!(html.contains(part), "no {part}");
    }
    // A run writes timeseries.csv: the top resources are drawn.
    assert!(!html.contains("id=\"no-timeseries\""));
    // The manifest: seed, replications and the hash of summary.csv.
    let manifest = crate::whatif::manifest(&r);
    let sha = manifest["outputs"]["summary.csv"].as_str().unwrap();
    assert!(html.contains(sha));
    assert!(html.contains(&format!(
        "<td>seed</td><td>{}</td>",
        manifest["seed"].as_u64().unwrap()
    )));
    // The same folder gives the same bytes, by --report or by corridor report.
    ok(&["report", "r", "--out", "again.html", "-q"], d);
    assert_eq!(read(d, "again.html"), read(&r, "report.html"));
}

#[test]
fn report_of_a_comparison_has_a_forest_plot_per_alternative() {
    let dir = workdir();
    let d = dir.path();
    write_alt(d);
    ok(
        &[
            "compare",
            "s.toml",
            "alt.toml",
            "-q",
            "-r",
            "3",
            "--alt",
            "gate3:nodes.gate.servers=3",
            "--out",
            "c",
            "--report",
        ],
        d,
    );
    let c = d.join("c");
    let html = text(&c, "report.html");
    has_sections(&html, &["scenario", "comparison", "route-graph"]);
    assert!(html.contains("Alternative 1: wi-alt"));
    assert!(html.contains("Alternative 2: gate3"));
    assert!(html.contains("Change of each flow&#39;s mean transit"));
    // The difference of the flow's transit, as in comparison.csv.
    let csv = text(&c, "comparison.csv");
    let row: Vec<&str> = csv
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|c| c[0] == "flow" && c[1] == "box" && c[2] == "transit_mean" && c[5] == "wi-alt")
        .unwrap()
        .clone();
    let (diff, ci): (f64, f64) = (row[7].parse().unwrap(), row[8].parse().unwrap());
    let shown = format!("{diff:.2} ±{ci:.2}");
    let tr = table_row(&html, "data-metric=\"flow.transit_mean\" data-id=\"box\"");
    assert!(tr.contains(&shown), "{tr} lacks {shown}");
    // compare --results: no scenario recorded, the route graph says why.
    ok(&["run", "s.toml", "-q", "-r", "3", "--out", "a"], d);
    ok(
        &[
            "run", "alt.toml", "-q", "-r", "3", "--seed", "11", "--out", "b",
        ],
        d,
    );
    ok(
        &[
            "compare",
            "--results",
            "a",
            "b",
            "--out",
            "ab",
            "-q",
            "--report",
        ],
        d,
    );
    let html = text(&d.join("ab"), "report.html");
    has_sections(&html, &["scenario", "comparison", "route-graph"]);
    assert!(html.contains("<h1>wi vs wi-alt</h1>"), "title");
    assert!(html.contains("The route graph is not drawn"));
}

#[test]
fn report_of_a_sweep_draws_each_metric_against_the_varied_value() {
    let dir = workdir();
    let d = dir.path();
    ok(
        &[
            "sweep",
            "s.toml",
            "-q",
            "-r",
            "3",
            "--vary",
            "nodes.gate.servers=2..4:1",
            "--out",
            "sw",
            "--report",
        ],
        d,
    );
    let html = text(&d.join("sw"), "report.html");
    has_sections(&html, &["scenario", "sweep", "route-graph"]);
    assert!(html.contains("id=\"sweep-transit_mean\""));
    assert!(html.contains("id=\"sweep-throughput\""));
    assert!(html.contains("against nodes.gate.servers"));
    let csv = text(&d.join("sw"), "sweep.csv");
    for (k, servers) in ["2", "3", "4"].iter().enumerate() {
        let mean: f64 = csv
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c[1] == *servers && c[2] == "flow" && c[3] == "box" && c[4] == "transit_mean")
            .unwrap()[6]
            .parse()
            .unwrap();
        let tr = table_row(&html, &format!("id=\"point-{k}\""));
        assert!(tr.contains(&format!("{:.2}", mean / 24.0)), "{tr}");
    }
}

#[test]
fn report_escapes_free_text_from_the_folder() {
    let dir = workdir();
    let d = dir.path();
    ok(
        &[
            "run",
            "s.toml",
            "-q",
            "-r",
            "2",
            "--out",
            "r",
            "--set",
            "scenario.description=\"<script>alert('x')</script> & <b>co</b>\"",
            "--report",
        ],
        d,
    );
    let html = text(&d.join("r"), "report.html");
    assert!(!html.contains("<script>"), "unescaped script");
    assert!(!html.contains("<b>co</b>"));
    assert!(
        html.contains(
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;"
        )
    );
}

#[test]
fn report_draws_the_time_series_of_the_top_resources_when_the_folder_has_them() {
    let dir = workdir();
    let d = dir.path();
    ok(&["run", "s.toml", "-q", "-r", "2", "--out", "r"], d);
    ok(&["report", "r", "-q"], d);
    let html = text(&d.join("r"), "report.html");
    assert!(!html.contains("id=\"no-timeseries\""));
    let section = &html[html.find("<section id=\"timeseries\">").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    // The busiest resources of this corridor are its two stations.
    assert!(section.contains("<h3>node:gate</h3>") || section.contains("<h3>node:yard</h3>"));
    assert!(section.contains("<svg"));
}

/// Runs `corridor args` in `d`, which must fail with exit code 2 naming `expected`, leaving no
/// report.html and no hidden file behind.
fn refused(d: &Path, args: &[&str], expected: &str) {
    let before = listing(d);
    let o = corridor(args, d);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(expected), "{args:?}: {err} lacks {expected:?}");
    assert_eq!(listing(d), before, "{args:?} wrote something");
}

fn listing(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![d.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in fs::read_dir(&p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                stack.push(e.clone());
            }
            out.push(e);
        }
    }
    out.sort();
    out
}

#[test]
fn report_refuses_what_is_not_a_complete_results_folder() {
    let dir = workdir();
    let d = dir.path();
    refused(d, &["report", "nowhere"], "nowhere");
    refused(d, &["report", "s.toml"], "is a file");
    fs::create_dir(d.join("notes")).unwrap();
    fs::write(d.join("notes/a.txt"), "hello").unwrap();
    refused(d, &["report", "notes"], "manifest.json");
    ok(&["run", "s.toml", "-q", "-r", "2", "--out", "r"], d);
    fs::write(d.join("r/summary.csv"), "changed\n").unwrap();
    refused(d, &["report", "r"], "SHA-256");
    fs::remove_file(d.join("r/summary.csv")).unwrap();
    refused(d, &["report", "r"], "summary.csv");
    fs::write(d.join("r/manifest.json"), "{ not json").unwrap();
    refused(d, &["report", "r"], "not a corridor manifest");
    ok(
        &[
            "run", "s.toml", "-q", "-r", "4", "--shard", "0/2", "--out", "sh",
        ],
        d,
    );
    refused(d, &["report", "sh"], "merge the shards");
    refused(
        d,
        &[
            "run", "s.toml", "-q", "-r", "4", "--shard", "0/2", "--out", "sh2", "--report",
        ],
        "--report and --shard",
    );
}

/// The PNG's pixels as RGB triples (RGB or RGBA, 8 bits).
fn pixels(png_file: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(png_file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let px = buf[..info.buffer_size()]
        .chunks(step)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, px)
}

/// The route-graph section of a report.
fn route_graph_section(html: &str) -> &str {
    let start = html
        .find("<section id=\"route-graph\">")
        .expect("no route-graph section");
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

/// A shipped scenario, by file name.
fn shipped(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// Nodes with positions: the route graph is a map, with node ids as SVG text (plotters writes
/// a text on its own line) and the
/// service's id; the same folder gives the same bytes. Without positions: the schematic.
#[test]
fn report_draws_a_map_when_nodes_have_positions_else_the_schematic() {
    let dir = workdir();
    let d = dir.path();
    let mc = shipped("middle-corridor.toml");
    ok(
        &[
            "run",
            &mc,
            "-q",
            "-r",
            "2",
            "--set",
            "scenario.horizon=60d",
            "--out",
            "mc",
            "--report",
        ],
        d,
    );
    let html = text(&d.join("mc"), "report.html");
    let section = route_graph_section(&html);
    assert!(section.contains("<svg"), "{section}");
    assert!(section.contains("Map: the scenario&#39;s nodes at their latitude and longitude"));
    assert!(!section.contains("Schematic"));
    for id in [
        "CN_XIAN",
        "BCP_KHORGOS_ALTYNKOL",
        "PORT_AKTAU",
        "PORT_ALAT",
        "PORT_POTI",
        "TR_KARS",
    ] {
        assert!(
            section.contains(&format!(">\n{id}")),
            "the map has no label {id}"
        );
    }
    assert!(section.contains(">\ncaspian-feeder\n<"), "no service label");
    ok(&["report", "mc", "--out", "again.html", "-q"], d);
    assert_eq!(read(d, "again.html"), read(&d.join("mc"), "report.html"));
    // mm1-validation has no positions: the schematic, said so.
    ok(
        &[
            "run",
            &shipped("mm1-validation.toml"),
            "-q",
            "-r",
            "2",
            "--set",
            "scenario.horizon=30d",
            "--out",
            "mm1",
            "--report",
        ],
        d,
    );
    let html = text(&d.join("mm1"), "report.html");
    let section = route_graph_section(&html);
    assert!(section.contains("<svg"));
    assert!(section.contains("Schematic (not a map: no node has a position)"));
    assert!(!section.contains("Map:"));
}

/// Renders `report` in headless Chromium: the DOM it builds (which must have the sections
/// `ids`), and a screenshot of 1200 x 3000 px to `png_file`, which must not be blank.
fn chromium_check(chromium: &Path, report: &Path, ids: &[&str], png_file: &Path) -> String {
    let chrome = |extra: &[&str]| {
        let profile = tempfile::tempdir().unwrap();
        let o = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(format!("file://{}", report.display()))
            .output()
            .expect("start chromium");
        assert!(
            o.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let dom = chrome(&["--dump-dom"]);
    for id in ids {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "DOM of {} lacks {id}",
            report.display()
        );
    }
    assert!(dom.contains("<svg"));
    chrome(&[
        &format!("--screenshot={}", png_file.display()),
        "--window-size=1200,3000",
    ]);
    let (w, h, px) = pixels(png_file);
    assert_eq!((w, h), (1200, 3000));
    // Not blank: many pixels are not white, in several colours, and they vary.
    let not_white = px.iter().filter(|p| p.iter().any(|&c| c < 235)).count();
    assert!(
        not_white > px.len() / 50,
        "{}: only {not_white} of {} pixels are not white",
        report.display(),
        px.len()
    );
    let mean: f64 = px
        .iter()
        .map(|p| f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2]))
        .sum::<f64>()
        / px.len() as f64;
    let var: f64 = px
        .iter()
        .map(|p| (f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2]) - mean).powi(2))
        .sum::<f64>()
        / px.len() as f64;
    assert!(
        var > 100.0,
        "{}: pixel variance {var}: the page looks blank",
        report.display()
    );
    let coloured = px
        .iter()
        .filter(|p| p.iter().max().unwrap() - p.iter().min().unwrap() > 60)
        .count();
    assert!(
        coloured > 1000,
        "{}: only {coloured} coloured pixels: no charts drawn",
        report.display()
    );
    dom
}

/// Headless Chromium, as a person would open the reports of the shipped Middle Corridor run
/// (with its map), of a comparison and of a sweep: the DOM it builds has the sections, and each
/// screenshot is not blank. Where CI is set, Chromium must be there.
#[test]
fn chromium_renders_the_reports_of_a_run_a_comparison_and_a_sweep() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set and /usr/bin/chromium is missing: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!(
            "report: headless Chromium test NOT RUN: /usr/bin/chromium is missing (apt-get install chromium)"
        );
        return;
    }
    let dir = workdir();
    let d = dir.path();
    ok(
        &[
            "run",
            &shipped("middle-corridor.toml"),
            "-q",
            "-r",
            "3",
            "--set",
            "scenario.horizon=120d",
            "--out",
            "mc",
            "--report",
        ],
        d,
    );
    let dom = chromium_check(
        chromium,
        &d.join("mc/report.html"),
        &RUN_SECTIONS,
        &d.join("run.png"),
    );
    assert!(dom.contains("<h1>middle-corridor</h1>"));
    assert!(dom.contains("id=\"flow-xian-poti\""));
    assert!(
        dom.contains("Map: the scenario"),
        "the run's route graph is not a map"
    );
    assert!(dom.contains(">\nPORT_POTI"));
    // A comparison and a sweep of the small scenario: few replications, short horizon.
    ok(
        &[
            "compare",
            "s.toml",
            "-q",
            "-r",
            "2",
            "--alt",
            "gate3:nodes.gate.servers=3",
            "--out",
            "c",
            "--report",
        ],
        d,
    );
    let dom = chromium_check(
        chromium,
        &d.join("c/report.html"),
        &["scenario", "comparison", "route-graph"],
        &d.join("compare.png"),
    );
    assert!(dom.contains("Alternative 1: gate3"));
    ok(
        &[
            "sweep",
            "s.toml",
            "-q",
            "-r",
            "2",
            "--vary",
            "nodes.gate.servers=2..3:1",
            "--out",
            "sw",
            "--report",
        ],
        d,
    );
    let dom = chromium_check(
        chromium,
        &d.join("sw/report.html"),
        &["scenario", "sweep", "route-graph"],
        &d.join("sweep.png"),
    );
    assert!(dom.contains("id=\"sweep-transit_mean\""));
}
