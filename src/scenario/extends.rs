//! `extends = "base.toml"`: a scenario that is a base plus changes, so a what-if is a few
//! lines rather than a copy.
//!
//! Merge rules (documented in scenarios/README.md): tables merge key by key, the extending file
//! winning; `[[nodes]]`, `[[flows]]` and `[[services]]` elements merge by `id` (a new id is
//! appended), `[[links]]` by `from` and `to`; any other array is replaced whole. A base may
//! itself extend another. Relative `file` paths of empirical distributions stay relative to the
//! file that wrote them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::access::{FileAccess, confine};
use crate::error::{Error, Result};

/// If `src` extends a base, the merged document as TOML text; `None` if it extends nothing.
/// With [`FileAccess::Confined`], every base must lie in the folder of `path` or below it.
pub(super) fn resolve(path: &Path, src: &str, access: FileAccess) -> Result<Option<String>> {
    let doc = parse_table(path, src)?;
    if !doc.contains_key("extends") {
        return Ok(None);
    }
    let confined = (access == FileAccess::Confined).then_some(path);
    let merged = load_merged(path, doc, &mut vec![canonical_path(path)], confined)?;
    toml::to_string(&merged)
        .map(Some)
        .map_err(|e| Error::Usage(format!("cannot write the extended scenario as TOML: {e}")))
}

fn canonical_path(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn parse_table(path: &Path, src: &str) -> Result<Table> {
    src.parse()
        .map_err(|e: toml::de::Error| super::locate::syntax_error(path, src, &e))
}

/// A base that is not TOML: its line and column and TOML's short reason, with any quoted text
/// of the file left out (the base may be any file the scenario names).
fn base_syntax_error(path: &Path, src: &str, e: &toml::de::Error) -> Error {
    let mut message = String::new();
    for (i, part) in e.message().trim().split('`').enumerate() {
        // Odd parts were quoted: keep TOML's own punctuation (`=`, `]`), drop the file's text.
        match i % 2 == 1 && part.chars().count() > 2 {
            true => message.push_str("`...`"),
            false if i % 2 == 1 => message.push_str(&format!("`{part}`")),
            false => message.push_str(part),
        }
    }
    Error::Scenario {
        file: path.to_path_buf(),
        line_col: e.span().map(|s| super::locate::line_col(src, s.start)),
        path: String::new(),
        message: format!("{message} (the `extends` base is not a TOML scenario)"),
    }
}

fn load_merged(
    path: &Path,
    mut doc: Table,
    chain: &mut Vec<PathBuf>,
    confined: Option<&Path>,
) -> Result<Table> {
    absolutise_files(&mut doc, path.parent().unwrap_or(Path::new("")));
    let Some(ext) = doc.remove("extends") else {
        return Ok(doc);
    };
    let err = |message: String| Error::Scenario {
        file: path.to_path_buf(),
        line_col: None,
        path: "extends".into(),
        message,
    };
    let Value::String(base) = ext else {
        return Err(err(
            "`extends` must be a string: the path of the base scenario, relative to this file"
                .into(),
        ));
    };
    let base_path = path.parent().unwrap_or(Path::new("")).join(&base);
    if let Some(top) = confined {
        confine(top, &base_path).map_err(|m| err(format!("the base scenario \"{base}\" {m}")))?;
    }
    let canon = canonical_path(&base_path);
    if chain.contains(&canon) {
        return Err(err(format!(
            "\"{base}\" extends, directly or not, this file: a cycle"
        )));
    }
    chain.push(canon);
    let src = std::fs::read_to_string(&base_path).map_err(|e| {
        err(format!(
            "cannot read the base scenario \"{}\": {e}",
            base_path.display()
        ))
    })?;
    let base_doc: Table = src
        .parse()
        .map_err(|e| base_syntax_error(&base_path, &src, &e))?;
    let base_doc = load_merged(&base_path, base_doc, chain, confined)?;
    let mut merged = base_doc;
    merge_tables(&mut merged, doc);
    Ok(merged)
}

/// Makes relative `file = "..."` values (empirical data) absolute against `dir`.
fn absolutise_files(t: &mut Table, dir: &Path) {
    for (k, v) in t.iter_mut() {
        match v {
            Value::String(s) if k == "file" && Path::new(s.as_str()).is_relative() => {
                *s = dir.join(&*s).to_string_lossy().into_owned();
            }
            Value::Table(inner) => absolutise_files(inner, dir),
            Value::Array(a) => {
                for x in a {
                    if let Value::Table(inner) = x {
                        absolutise_files(inner, dir);
                    }
                }
            }
            _ => {}
        }
    }
}

fn key_of(section: &str, t: &Table) -> Option<String> {
    match section {
        "links" => Some(format!(
            "{}->{}",
            t.get("from")?.as_str()?,
            t.get("to")?.as_str()?
        )),
        _ => t.get("id")?.as_str().map(str::to_string),
    }
}

fn merge_tables(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) => merge_tables(b, o),
            (Some(Value::Array(b)), Value::Array(o))
                if ["nodes", "flows", "services", "links"].contains(&k.as_str()) =>
            {
                // The first entry of each key, indexed once rather than searched for each
                // entry of the file (a large base and file made that quadratic).
                let mut at: HashMap<String, usize> = HashMap::with_capacity(b.len());
                for (i, x) in b.iter().enumerate() {
                    if let Some(key) = x.as_table().and_then(|bt| key_of(&k, bt)) {
                        at.entry(key).or_insert(i);
                    }
                }
                for item in o {
                    let Value::Table(ot) = item else {
                        b.push(item);
                        continue;
                    };
                    match key_of(&k, &ot) {
                        Some(key) => match at.get(&key) {
                            Some(&i) => {
                                if let Value::Table(bt) = &mut b[i] {
                                    if k == "flows" {
                                        one_route_form(bt, &ot);
                                    }
                                    merge_tables(bt, ot);
                                }
                            }
                            None => {
                                at.insert(key, b.len());
                                b.push(Value::Table(ot));
                            }
                        },
                        None => b.push(Value::Table(ot)),
                    }
                }
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// A flow that gives alternative `routes` over a base flow with one `route` drops the base's
/// `route`, and one that gives `route` drops the base's `routes` and the fields of its choice:
/// a flow has one form or the other, and the file wins.
fn one_route_form(base: &mut Table, over: &Table) {
    if over.contains_key("routes") {
        base.remove("route");
    }
    if over.contains_key("route") {
        for k in ["routes", "choice", "logit_scale", "learning"] {
            base.remove(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_by_id_and_replaces_other_arrays() {
        let mut base: Table = r#"
[scenario]
name = "base"
horizon = "10d"
[[nodes]]
id = "a"
servers = 1
[[nodes]]
id = "b"
servers = 2
[[flows]]
id = "f"
route = ["a", "b"]
"#
        .parse()
        .unwrap();
        let over: Table = r#"
[scenario]
name = "alt"
[[nodes]]
id = "b"
servers = 4
[[nodes]]
id = "c"
servers = 1
[[flows]]
id = "f"
route = ["a", "c"]
"#
        .parse()
        .unwrap();
        merge_tables(&mut base, over);
        assert_eq!(base["scenario"]["name"].as_str(), Some("alt"));
        assert_eq!(base["scenario"]["horizon"].as_str(), Some("10d"));
        let nodes = base["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 3);
        assert_eq!(nodes[1]["servers"].as_integer(), Some(4));
        assert_eq!(base["flows"][0]["route"].as_array().unwrap().len(), 2);
        assert_eq!(base["flows"][0]["route"][1].as_str(), Some("c"));
    }
}
