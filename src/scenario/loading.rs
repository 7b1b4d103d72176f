//! The one way in: every command, [`super::load`] and [`super::parse`] go through [`resolve`]:
//!
//! 1. read the file ([`read`]);
//! 2. merge it onto its `extends` base, if it has one ([`super::extends`]);
//! 3. apply the overrides to the TOML document: `--set` and sweep points
//!    ([`super::overrides`]), then `--digitisation` ([`super::digitisation`]);
//! 4. deserialize ([`super::file`]), with field paths and line:column in errors;
//! 5. validate into a [`Model`] (`scenario/validate/`).

use std::path::Path;

use serde::Deserialize;

use toml::de::{DeString, DeTable, DeValue};
use toml::{Spanned, Table, Value};

use super::access::FileAccess;
use super::digitisation;
use super::file::ScenarioFile;
use super::locate::{line_col, locate, syntax_error, value_at};
use super::overrides::{Override, apply, touches};
use super::validate::dist::EmpiricalCache;
use super::validate::{self, Ctx};
use super::{Model, extends};
use crate::error::{Error, Result};

/// A scenario after overrides: the validated model and the resolved document as TOML text.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The validated model.
    pub model: Model,
    /// The scenario after overrides (and `--digitisation`), as canonical TOML text (comments and
    /// layout of the file are not kept; the same document always gives the same text).
    /// `corridor run` on this text gives the same results as the file with the overrides.
    pub text: String,
    /// The changed paths in index form, one per override, in order.
    pub changed: Vec<String>,
}

/// Reads a scenario file: its bytes and its text.
pub fn read(file: &Path) -> Result<(Vec<u8>, String)> {
    let bytes = std::fs::read(file).map_err(|source| Error::Read {
        file: file.to_path_buf(),
        source,
    })?;
    let src = String::from_utf8(bytes.clone()).map_err(|e| Error::Scenario {
        file: file.to_path_buf(),
        line_col: None,
        path: String::new(),
        message: format!("the file is not UTF-8 text: {e}"),
    })?;
    Ok((bytes, src))
}

/// Parses scenario text `src` (read from `file`), merges it onto its `extends` base if it has
/// one, applies `overrides` in order, then the `--digitisation` settings `digitisation` (each
/// `LEVEL` or `NODE=LEVEL`), and validates the result. Errors in the file keep their line and
/// column; an error in a value that came from an override names the override instead. An error
/// of the file or of an override comes before one of `--digitisation`.
pub fn resolve(
    file: &Path,
    src: &str,
    overrides: &[Override],
    digitisation: &[String],
) -> Result<Resolved> {
    resolve_with(file, src, overrides, digitisation, FileAccess::Open)
}

/// [`resolve`], reading data files and `extends` bases as `access` allows.
pub fn resolve_with(
    file: &Path,
    src: &str,
    overrides: &[Override],
    digitisation: &[String],
    access: FileAccess,
) -> Result<Resolved> {
    resolve_cached(
        file,
        src,
        overrides,
        digitisation,
        access,
        &mut DataCache::default(),
    )
}

/// Empirical data that [`resolve_cached`] read, kept for its next calls: a sweep resolves all
/// its points with one, so each CSV column is read once and its values are shared by the
/// points' models (one `Arc<[f64]>` per file, column and unit). A model's `data_files` still
/// list every file it uses, read for it or before.
#[derive(Default)]
pub struct DataCache(EmpiricalCache);

/// [`resolve_with`], reading empirical data through `cache`.
pub fn resolve_cached(
    file: &Path,
    src: &str,
    overrides: &[Override],
    digitisation: &[String],
    access: FileAccess,
    cache: &mut DataCache,
) -> Result<Resolved> {
    resolve_text(
        file,
        src,
        overrides,
        digitisation,
        access,
        cache,
        Text::Canonical,
    )
}

/// Validates as [`resolve_with`] does and returns the model only: the `validate` command.
/// Without overrides and `--digitisation` the document is not written back as canonical TOML
/// (the resolved text that results folders record and `merge` compares; every other command
/// needs it), and the text is parsed once, into toml's borrowed document, which is
/// deserialized directly (`check_direct`), unless the file needs the path of the other
/// commands for its message or its `extends`; with them the canonical text is what is
/// validated, as for every command.
pub fn check(
    file: &Path,
    src: &str,
    overrides: &[Override],
    digitisation: &[String],
    access: FileAccess,
) -> Result<Model> {
    let resolved = resolve_text(
        file,
        src,
        overrides,
        digitisation,
        access,
        &mut DataCache::default(),
        Text::Unused,
    )?;
    Ok(resolved.model)
}

/// Whether the caller uses [`Resolved::text`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// The canonical text, always.
    Canonical,
    /// Only where validation needs it (after overrides); else empty.
    Unused,
}

fn resolve_text(
    file: &Path,
    src: &str,
    overrides: &[Override],
    digitisation: &[String],
    access: FileAccess,
    cache: &mut DataCache,
    text: Text,
) -> Result<Resolved> {
    let resolved = resolve_once(file, src, overrides, digitisation, access, cache, text);
    if resolved.is_err() && !digitisation.is_empty() {
        resolve_once(file, src, overrides, &[], access, cache, text)?;
    }
    resolved
}

fn resolve_once(
    file: &Path,
    src: &str,
    overrides: &[Override],
    digitisation: &[String],
    access: FileAccess,
    cache: &mut DataCache,
    text: Text,
) -> Result<Resolved> {
    let unchanged = overrides.is_empty() && digitisation.is_empty();
    // `validate` without options: one parse where it can (see `check_direct`).
    if unchanged
        && text == Text::Unused
        && let Some(model) = check_direct(file, src, access, cache)
    {
        return model.map(|model| Resolved {
            model,
            text: String::new(),
            changed: Vec::new(),
        });
    }
    // The file is parsed as a document even when only its model is wanted: that parse is
    // stricter than the deserializer (an integer beyond i64, which a count or a seed would
    // take, is an error of the file), and it finds `extends`.
    let mut doc = parse_doc(file, src)?;
    // A file that extends a base is merged first: overrides then reach every node and flow of
    // the scenario, including those only the base declares, and the resolved text stands alone.
    let merged = match doc.contains_key("extends") {
        true => extends::resolve(file, src, access)?,
        false => None,
    };
    if let Some(m) = &merged {
        doc = parse_doc(file, m)?;
    }
    if unchanged {
        // The document is wanted for its text only: written out (when wanted) and dropped
        // before the validation, so that it does not add to the validation's peak memory.
        let text = match text {
            Text::Canonical => canonical(&doc)?,
            _ => String::new(),
        };
        // Validate the file itself, so every message points at its own line and column.
        let model = match &merged {
            None => validate_doc(file, src, doc, access, cache)?,
            Some(m) => validate_doc(file, m, doc, access, cache).map_err(|e| in_merged(e, file))?,
        };
        return Ok(Resolved {
            model,
            text,
            changed: Vec::new(),
        });
    }
    let mut changed = Vec::with_capacity(overrides.len());
    for ov in overrides {
        changed.push(apply(&mut doc, ov)?);
    }
    for d in digitisation {
        digitisation::apply(&mut doc, d)?;
    }
    let text = canonical(&doc)?;
    let located = merged.is_none().then_some(src);
    let model = validate_doc(file, &text, doc, access, cache)
        .map_err(|e| attribute(e, file, located, overrides, &changed))?;
    Ok(Resolved {
        model,
        text,
        changed,
    })
}

/// The common case of `validate` (no overrides, no `--digitisation`, no canonical text
/// wanted), in one parse: the text is parsed once into toml's borrowed document, which is
/// deserialized as [`validate_text`] deserializes the text, and validated. `None` where that
/// path cannot say what the path through the owned document ([`resolve_once`]) would: the text
/// does not parse, the document would not convert into a [`Table`] (see [`converts`]), it has
/// `extends`, or it does not deserialize. The caller then takes that path, which gives today's
/// message, with its line and column. A validation error is the same on both paths (the same
/// [`ScenarioFile`] and text), so it is returned here.
fn check_direct(
    file: &Path,
    src: &str,
    access: FileAccess,
    cache: &mut DataCache,
) -> Option<Result<Model>> {
    let root = DeTable::parse(src).ok()?;
    if root.get_ref().contains_key("extends") || !root.get_ref().iter().all(converts_entry) {
        return None;
    }
    // Without serde_path_to_error: it records every key it passes (a String each), and the
    // field path is wanted for a message only, which the other path gives.
    let parsed = ScenarioFile::deserialize(toml::Deserializer::from(root)).ok()?;
    Some(validate::build(
        parsed,
        &Ctx { file, src, access },
        &mut cache.0,
    ))
}

/// A table entry of [`converts`].
fn converts_entry((key, value): (&Spanned<DeString<'_>>, &Spanned<DeValue<'_>>)) -> bool {
    // Keys toml and serde_spanned use for themselves in their serde data model (a table with
    // such a key may convert differently): left to the owned document's parse.
    !key.get_ref().starts_with("$__") && converts(value.get_ref())
}

/// Whether the owned document ([`Table`], what [`parse_doc`] builds) accepts `value` as toml
/// 1.2's parsed document holds it: its integers fit an `i64` (one beyond is an error of the
/// owned parse, "u64 value was too large" and the like, which the deserializer would instead
/// hand to a field), and its floats convert to `f64` (toml's own test: a number that parses,
/// infinite only where written `inf`). Strings, booleans and dates always convert.
fn converts(value: &DeValue<'_>) -> bool {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).is_ok(),
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .is_ok_and(|x| x.is_finite() || f.as_str().contains("inf")),
        DeValue::String(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => true,
        DeValue::Array(a) => a.iter().all(|v| converts(v.get_ref())),
        DeValue::Table(t) => t.iter().all(converts_entry),
    }
}

/// Parses `src` as a TOML table; syntax errors carry their line and column.
fn parse_doc(file: &Path, src: &str) -> Result<Table> {
    src.parse()
        .map_err(|e: toml::de::Error| syntax_error(file, src, &e))
}

/// Deserializes and validates `doc`, the document of scenario text `src`, without parsing the
/// text again (a sixth of the time of `validate` on a large file). A document without TOML
/// dates deserializes as the text does; one with a date (which the document would hand to a
/// string field as its text, where the format wants a quoted string), or one that does not
/// deserialize, is deserialized from the text instead, for the error with its line and column.
fn validate_doc(
    file: &Path,
    src: &str,
    doc: Table,
    access: FileAccess,
    cache: &mut DataCache,
) -> Result<Model> {
    fn has_date(v: &Value) -> bool {
        match v {
            Value::Datetime(_) => true,
            Value::Array(a) => a.iter().any(has_date),
            Value::Table(t) => t.values().any(has_date),
            Value::String(_) | Value::Integer(_) | Value::Float(_) | Value::Boolean(_) => false,
        }
    }
    if doc.values().any(has_date) {
        return validate_text(file, src, access, cache);
    }
    match doc.try_into::<ScenarioFile>() {
        Ok(parsed) => validate::build(parsed, &Ctx { file, src, access }, &mut cache.0),
        Err(_) => validate_text(file, src, access, cache),
    }
}

/// Deserializes and validates scenario text.
fn validate_text(
    file: &Path,
    src: &str,
    access: FileAccess,
    cache: &mut DataCache,
) -> Result<Model> {
    let syntax = |e: toml::de::Error, field: String| Error::Scenario {
        file: file.to_path_buf(),
        line_col: e.span().map(|s| line_col(src, s.start)),
        path: field,
        message: e.message().trim().to_string(),
    };
    let de = toml::Deserializer::parse(src).map_err(|e| syntax(e, String::new()))?;
    let parsed: ScenarioFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { field };
        let date = unquoted_date(src, &field);
        let mut err = syntax(e.into_inner(), field);
        if let (Some(m), Error::Scenario { message, .. }) = (date, &mut err) {
            *message = m;
        }
        err
    })?;
    validate::build(parsed, &Ctx { file, src, access }, &mut cache.0)
}

/// Where a string was expected and the file has an unquoted TOML date or date-time (`start =
/// 2024-01-01`, which serde sees as a map), a message that says to quote it.
fn unquoted_date(src: &str, field: &str) -> Option<String> {
    let doc: Table = src.parse().ok()?;
    match value_at(&doc, field)? {
        Value::Datetime(d) => Some(format!(
            "{d} is a TOML date, not a string; dates are quoted strings, \"YYYY-MM-DD\" (or \"YYYY-MM-DD HH:MM\" with a time): write \"{d}\""
        )),
        _ => None,
    }
}

/// An error in a scenario merged with its `extends` base names field paths of the merged
/// scenario, without line and column (they would be the merged text's); an error in a data
/// file the scenario reads (a disruptions file, empirical data) keeps its line and column.
fn in_merged(e: Error, scenario: &Path) -> Error {
    match e.in_context("(in the scenario merged with its `extends` base)") {
        Error::Scenario {
            file,
            line_col,
            path,
            message,
        } => Error::Scenario {
            line_col: line_col.filter(|_| file != scenario),
            file,
            path,
            message,
        },
        other => other,
    }
}

fn canonical(doc: &Table) -> Result<String> {
    toml::to_string(doc).map_err(|e| {
        Error::Usage(format!(
            "cannot write the scenario back as TOML after the overrides: {e}"
        ))
    })
}

/// Points an error in the resolved text back at the file, or at the override it came from.
fn attribute(
    e: Error,
    file: &Path,
    src: Option<&str>,
    overrides: &[Override],
    changed: &[String],
) -> Error {
    match e {
        Error::Scenario {
            file: f,
            path,
            message,
            ..
        } if f == file => {
            // The last override of a path is the one that counts.
            let hit = changed
                .iter()
                .zip(overrides)
                .rev()
                .find_map(|(c, ov)| touches(c, &path).map(|exact| (exact, ov)));
            match hit {
                Some((exact, ov)) => {
                    let note = if exact {
                        format!("the value comes from {} {}", ov.flag, ov.arg())
                    } else {
                        format!("after {} {}", ov.flag, ov.arg())
                    };
                    Error::Scenario {
                        file: f,
                        line_col: None,
                        path,
                        message: format!("{message} ({note})"),
                    }
                }
                None => Error::Scenario {
                    // Positions refer to the file itself, not to a merged `extends` document.
                    line_col: match src {
                        Some(src) if !path.is_empty() => locate(src, &path),
                        _ => None,
                    },
                    file: f,
                    path,
                    message,
                },
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::overrides::tests::SRC;

    #[test]
    fn resolve_reports_override_values() {
        let ov = [Override::parse("--set", "nodes.a.servers=0").unwrap()];
        let e = resolve(Path::new("s.toml"), SRC, &ov, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("nodes[1].servers") && e.contains("--set nodes.a.servers=0"),
            "{e}"
        );
        let ov = [Override::parse("--set", "nodes.a.speed=3").unwrap()];
        let e = resolve(Path::new("s.toml"), SRC, &ov, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("speed") && e.contains("--set nodes.a.speed=3"),
            "{e}"
        );
        // A missing table is created, and validation names what the format allows.
        let ov = [Override::parse("--set", "scenery.horizon=1d").unwrap()];
        let e = resolve(Path::new("s.toml"), SRC, &ov, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown field `scenery`")
                && e.contains("`scenario`")
                && e.contains("--set scenery.horizon=1d"),
            "{e}"
        );
        let ov = [Override::parse("--set", "nodes.a.servers=2").unwrap()];
        let r = resolve(Path::new("s.toml"), SRC, &ov, &[]).unwrap();
        let doc: Table = r.text.parse().unwrap();
        assert_eq!(doc["nodes"][1]["servers"].as_integer(), Some(2));
        assert_eq!(r.changed, ["nodes[1].servers"]);
        assert_eq!(r.model.nodes.len(), 2);
    }

    /// `check` without options takes the one-parse path where it can, and otherwise the path
    /// of the other commands; either way its model or message is theirs.
    #[test]
    fn check_parses_once_where_it_can_and_says_what_resolve_says() {
        let file = Path::new("s.toml");
        let fast = |src: &str| {
            check_direct(file, src, FileAccess::Open, &mut DataCache::default()).is_some()
        };
        let same = |src: &str| {
            let checked = check(file, src, &[], &[], FileAccess::Open);
            let resolved = resolve(file, src, &[], &[]);
            match (checked, resolved) {
                (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{:?}", b.model)),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("check {a:?}, resolve {b:?}"),
            }
        };
        let with = |from: &str, to: &str| {
            assert!(SRC.contains(from), "{from}");
            SRC.replacen(from, to, 1)
        };
        // Valid, and invalid by a rule checked after deserializing: one parse.
        for src in [
            SRC.to_string(),
            with("servers = 1", "servers = 0"),
            with("servers = 1", "servers = 9223372036854775807"),
            with("id = \"f\"", "id = \"f\"\nvalue_of_time = 1.7e308"),
        ] {
            same(&src);
            assert!(fast(&src), "{src}");
        }
        // What the owned document refuses, what does not deserialize, what does not parse,
        // and `extends` (unread here: the base does not exist): the other path.
        for src in [
            with("servers = 1", "servers = 9223372036854775808"),
            with("servers = 1", "servers = -0x1"),
            with("servers = 1", "servers = 1e400"),
            with("servers = 1", "servers = 2024-01-01"),
            with("servers = 1", "servers = = 1"),
            with("servers = 1", "servers = 1\nspeed = 2"),
            format!("extends = \"nowhere.toml\"\n{SRC}"),
        ] {
            same(&src);
            assert!(!fast(&src), "{src}");
        }
    }
}
