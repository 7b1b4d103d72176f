//! The documentation against the repository: every source key the scenarios cite is listed in
//! scenarios/SOURCES.md, no tracked file points outside the repository, and the output reference
//! scenarios/OUTPUTS.md has a metric table for each scope the simulator writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The project folder.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the repository as text.
fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The tracked files, relative to the project folder: `git ls-files`, or, outside a git
/// checkout (a packaged crate), every file except build output and results.
fn tracked_files() -> Vec<PathBuf> {
    let git = std::process::Command::new("git")
        .arg("-C")
        .arg(root())
        .args(["ls-files", "-z"])
        .output();
    match git {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            String::from_utf8_lossy(&out.stdout)
                .split('\0')
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect()
        }
        _ => {
            let mut files = Vec::new();
            walk(Path::new(""), &mut files);
            files
        }
    }
}

fn walk(rel: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root().join(rel)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if [".git", "target", "results"].iter().any(|n| name == *n) {
            continue;
        }
        let path = rel.join(&name);
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// The tracked text files (those that read as UTF-8), with their text.
fn tracked_texts() -> Vec<(PathBuf, String)> {
    tracked_files()
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(root().join(&p)).ok()?;
            Some((p, String::from_utf8(bytes).ok()?))
        })
        .collect()
}

/// Fails with `what` and one line per item if `found` is not empty.
fn assert_none(found: &[String], what: &str) {
    assert!(found.is_empty(), "{what}:\n{}", found.join("\n"));
}

/// A source key such as `S24`, as its number.
fn key(s: &str) -> Option<u32> {
    let digits = s.trim().strip_prefix('S')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The keys of a bracket's content if it is a citation (`S9`, `S9,S10`, `S25, S27`, `S43-S45`).
fn citation(inner: &str) -> Option<Vec<u32>> {
    let mut keys = Vec::new();
    for item in inner.split(',') {
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (key(a)?, key(b)?);
                if a > b {
                    return None;
                }
                keys.extend(a..=b);
            }
            None => keys.push(key(item)?),
        }
    }
    Some(keys)
}

/// Every source key cited in `text` in square brackets.
fn cited_keys(text: &str) -> BTreeSet<u32> {
    let mut keys = BTreeSet::new();
    for (i, _) in text.match_indices('[') {
        let rest = &text[i + 1..];
        if let Some(end) = rest.find(']')
            && let Some(list) = citation(&rest[..end])
        {
            keys.extend(list);
        }
    }
    keys
}

/// The entries of SOURCES.md: one heading per key (`### S24`, also `### [S24]` or with a title
/// after the key), each with the text up to the next heading.
fn listed_sources(text: &str) -> Vec<(u32, String)> {
    let mut entries: Vec<(u32, String)> = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            entries.extend(current.take());
            let heading = trimmed.trim_start_matches('#').trim();
            let heading = heading.strip_prefix('[').unwrap_or(heading);
            let end = heading
                .char_indices()
                .skip(1)
                .find(|(_, c)| !c.is_ascii_digit())
                .map_or(heading.len(), |(i, _)| i);
            current = key(&heading[..end]).map(|k| (k, String::new()));
        } else if let Some((_, body)) = &mut current {
            body.push_str(line);
            body.push('\n');
        }
    }
    entries.extend(current);
    entries
}

#[test]
fn the_citation_parser_reads_every_form_and_nothing_else() {
    let text = r#"a [S9] b [S1,S5] c [S25, S27] d [S43-S45] [S20]/[S23]
        route = ["CN_XIAN", "PORT_POTI"] [[nodes]] [a link](x.md) [Sn] [S] [S3a] [S9-S2]"#;
    let keys: Vec<u32> = cited_keys(text).into_iter().collect();
    assert_eq!(keys, [1, 5, 9, 20, 23, 25, 27, 43, 44, 45]);
    let listed = listed_sources("# Title\n### S9\n- Reference: x\n## Other\n### [S12] CPMM\ny\n");
    assert_eq!(
        listed,
        [(9, "- Reference: x\n".to_string()), (12, "y\n".to_string())]
    );
}

#[test]
fn every_cited_source_key_is_listed_in_sources_md_with_its_reference_and_use() {
    let sources = "scenarios/SOURCES.md";
    let listed = listed_sources(&read(sources));
    assert!(
        listed.len() >= 30,
        "{sources} lists {} keys; the shipped scenarios cite about 40",
        listed.len()
    );
    let mut seen = BTreeSet::new();
    for (k, body) in &listed {
        assert!(seen.insert(*k), "{sources} lists S{k} twice");
        for part in ["- Reference:", "- Used in the scenarios"] {
            assert!(
                body.lines().any(|l| l.starts_with(part)),
                "{sources}: S{k} has no line starting with {part:?}"
            );
        }
    }

    // Every key cited in a tracked scenario file or Markdown page under scenarios/ or benches/.
    let mut cited: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (path, text) in tracked_texts() {
        let name = path.to_string_lossy().replace('\\', "/");
        let in_scope = name.starts_with("scenarios/") || name.starts_with("benches/");
        if !in_scope || !(name.ends_with(".toml") || name.ends_with(".md")) {
            continue;
        }
        for k in cited_keys(&text) {
            cited.entry(k).or_default().push(name.clone());
        }
    }
    assert!(
        cited.len() >= 30,
        "found only {} cited keys: is the citation parser broken?",
        cited.len()
    );
    let missing: Vec<String> = cited
        .iter()
        .filter(|(k, _)| !seen.contains(k))
        .map(|(k, files)| format!("S{k} (cited in {})", files.join(", ")))
        .collect();
    assert_none(&missing, &format!("keys cited but not listed in {sources}"));
    let unused: Vec<String> = seen
        .iter()
        .filter(|k| {
            cited
                .get(*k)
                .is_none_or(|files| files.iter().all(|f| f == sources))
        })
        .map(|k| format!("S{k}"))
        .collect();
    assert_none(
        &unused,
        &format!("keys listed in {sources} that no scenario or page cites"),
    );
}

/// Places outside the repository that a reader of a clone does not have: the shared folder
/// beside the project and the machine's work folder. Built from pieces so that this file does
/// not itself match.
fn outside_references() -> [String; 2] {
    [
        [".", ".", "/", "shared"].concat(),
        ["/", "work", "/"].concat(),
    ]
}

fn points_outside(text: &str) -> Vec<(usize, String)> {
    let patterns = outside_references();
    text.lines()
        .enumerate()
        .filter(|(_, line)| patterns.iter().any(|p| line.contains(p.as_str())))
        .map(|(i, line)| (i + 1, line.trim().to_string()))
        .collect()
}

#[test]
fn no_tracked_file_points_outside_the_repository() {
    let [shared, work] = outside_references();
    let sample = format!("see {shared}/data.md\nnothing here\nor {work}x");
    assert_eq!(
        points_outside(&sample).len(),
        2,
        "the check itself is broken"
    );

    let texts = tracked_texts();
    assert!(
        texts.len() >= 40,
        "only {} tracked text files found",
        texts.len()
    );
    let found: Vec<String> = texts
        .iter()
        .flat_map(|(path, text)| {
            points_outside(text)
                .into_iter()
                .map(move |(n, line)| format!("{}:{n}: {line}", path.display()))
        })
        .collect();
    assert_none(
        &found,
        "tracked files point outside the repository (a clone does not have these)",
    );
}

/// The scopes the simulator writes (src/sim/metrics.rs and src/sim/pipeline.rs), in the order
/// of the rows in the output files.
const SCOPES: [&str; 14] = [
    "corridor", "flow", "route", "node", "border", "service", "berths", "yard", "link", "wait",
    "pipeline", "section", "cost", "cpmm",
];

/// One `### Scope `<scope>`` section of OUTPUTS.md: its metric rows as (metric, unit, meaning);
/// `None` if the section has no `| metric | unit | meaning |` table.
type ScopeTable = (String, Option<Vec<[String; 3]>>);

fn scope_tables(text: &str) -> Vec<ScopeTable> {
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.split('|').map(|c| c.trim().to_string()).collect()
    };
    let mut tables: Vec<ScopeTable> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(scope) = line
            .trim()
            .strip_prefix("### Scope `")
            .and_then(|s| s.strip_suffix('`'))
        else {
            continue;
        };
        // The section runs to the next heading; its table starts at the header row.
        let mut rows = None;
        while let Some(next) = lines.next_if(|l| !l.trim_start().starts_with('#')) {
            if rows.is_none() && cells(next) == ["metric", "unit", "meaning"] {
                lines.next(); // |---|---|---|
                let mut found = Vec::new();
                while let Some(row) = lines.next_if(|l| l.trim_start().starts_with('|')) {
                    let c = cells(row);
                    let row: [String; 3] = c.try_into().unwrap_or_else(|c: Vec<String>| {
                        panic!("scope {scope}: a row without 3 cells: {c:?}")
                    });
                    found.push(row);
                }
                rows = Some(found);
            }
        }
        tables.push((scope.to_string(), rows));
    }
    tables
}

#[test]
fn outputs_md_has_a_metric_table_for_every_scope_the_simulator_writes() {
    let outputs = "scenarios/OUTPUTS.md";
    let tables = scope_tables(&read(outputs));
    let scopes: Vec<&str> = tables.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        scopes, SCOPES,
        "{outputs}: the `### Scope` headings, in order, are not the scopes the code writes"
    );
    for (scope, rows) in &tables {
        let rows = rows.as_ref().unwrap_or_else(|| {
            panic!("{outputs}: scope {scope} has no `| metric | unit | meaning |` table")
        });
        assert!(!rows.is_empty(), "{outputs}: scope {scope} lists no metric");
        let mut metrics = BTreeSet::new();
        for [metric, unit, meaning] in rows {
            let name = metric
                .strip_prefix('`')
                .and_then(|m| m.strip_suffix('`'))
                .filter(|m| !m.is_empty() && !m.contains('`'))
                .unwrap_or_else(|| {
                    panic!("{outputs}: scope {scope}: metric {metric:?} is not one `name`")
                });
            assert!(
                metrics.insert(name.to_string()),
                "{outputs}: scope {scope} lists {name} twice"
            );
            assert!(
                !unit.is_empty() && !meaning.is_empty(),
                "{outputs}: scope {scope}: {name} has no unit or no meaning"
            );
        }
    }
}

#[test]
fn the_metric_catalogue_and_outputs_md_list_the_same_metrics_units_and_meanings() {
    let outputs = "scenarios/OUTPUTS.md";
    let documented: Vec<[String; 3]> = scope_tables(&read(outputs))
        .into_iter()
        .flat_map(|(scope, rows)| {
            rows.unwrap_or_default()
                .into_iter()
                .map(move |[metric, unit, meaning]| {
                    [
                        format!("{scope} {}", metric.trim_matches('`')),
                        unit,
                        meaning,
                    ]
                })
        })
        .collect();
    let declared: Vec<[String; 3]> = corridor::sim::catalogue::CATALOGUE
        .iter()
        .flat_map(|scope| scope.iter())
        .map(|m| {
            [
                format!("{} {}", m.scope, m.name),
                m.unit.to_string(),
                m.meaning.to_string(),
            ]
        })
        .collect();
    assert!(
        declared.len() > 50,
        "the catalogue holds {}",
        declared.len()
    );
    for (i, (d, c)) in documented.iter().zip(&declared).enumerate() {
        assert_eq!(
            d, c,
            "row {i}: {outputs} (left) and src/sim/catalogue.rs (right) disagree"
        );
    }
    assert_eq!(
        documented.len(),
        declared.len(),
        "{outputs} lists {} metrics, the catalogue {}",
        documented.len(),
        declared.len()
    );
}

#[test]
fn every_metric_in_the_golden_outputs_is_in_the_catalogue_with_its_unit() {
    use corridor::sim::catalogue::CATALOGUE;
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("tests/golden")).unwrap() {
        let file = entry.unwrap().path().join("replications.csv");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            // scenario,replication,seed,scope,id,metric,unit,value (ids hold no commas)
            seen.insert((
                cells[3].to_string(),
                cells[5].to_string(),
                cells[6].to_string(),
            ));
        }
    }
    assert!(
        seen.len() > 70,
        "only {} metrics in the golden outputs",
        seen.len()
    );
    for (scope, metric, unit) in &seen {
        let m = CATALOGUE
            .iter()
            .flat_map(|scope| scope.iter())
            .find(|m| m.scope == scope && m.name == metric)
            .unwrap_or_else(|| panic!("{scope} {metric} is written but not in the catalogue"));
        assert!(
            m.unit.split(" or ").any(|u| u == unit),
            "{scope} {metric}: written in {unit}, declared in {}",
            m.unit
        );
    }
}
