//! `--digitisation [NODE=]LEVEL`: the digitisation level of every border (`LEVEL`) or of one
//! (`NODE=LEVEL`), written into the TOML document after `--set` and before validation. LEVEL is a
//! number from 0 to 1 or a level name.
//!
//! A corridor-wide `LEVEL` sets the `digitisation` of every border node, so it wins over the
//! level a border has of its own in the file, as well as over `[digitisation] level`.

use toml::{Table, Value};

use super::border::level_value;
use super::file::Level;
use crate::error::{Error, Result};

/// Applies one `--digitisation` setting `arg` to `doc`.
pub(super) fn apply(doc: &mut Table, arg: &str) -> Result<()> {
    let usage = |m: String| Error::Usage(format!("--digitisation {arg}: {m}"));
    let (node, level) = match arg.split_once('=') {
        Some((n, l)) => (Some(n.trim()), l.trim()),
        None => (None, arg.trim()),
    };
    let parsed = match level.parse::<f64>() {
        Ok(x) => Level::Number(x),
        Err(_) => Level::Name(level.to_string()),
    };
    level_value(&parsed).map_err(usage)?;
    let value = match parsed {
        Level::Number(x) => Value::Float(x),
        Level::Name(n) => Value::String(n),
    };
    let mut hit = false;
    let mut borders = Vec::new();
    let nodes = doc.get_mut("nodes").and_then(Value::as_array_mut);
    for t in nodes.into_iter().flatten().filter_map(Value::as_table_mut) {
        let id = t.get("id").and_then(Value::as_str).unwrap_or_default();
        let border = t.get("kind").and_then(Value::as_str) == Some("border");
        if border {
            borders.push(id.to_string());
        }
        if node.is_some_and(|n| n != id) {
            continue;
        }
        if border {
            t.insert("digitisation".into(), value.clone());
            hit = true;
        } else if node.is_some() {
            return Err(usage(format!("node \"{id}\" is a station, not a border")));
        }
    }
    if hit {
        return Ok(());
    }
    Err(usage(match node {
        Some(id) => format!(
            "no border node has id \"{id}\"; borders: {}",
            if borders.is_empty() {
                "none".to_string()
            } else {
                borders.join(", ")
            }
        ),
        None => "the scenario has no border nodes".to_string(),
    }))
}
