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
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};

use toml::de::{DeString, DeTable, DeValue};
use toml::{Spanned, Table, Value};

use super::access::FileAccess;
use super::digitisation;
use super::file::{
    ChangeSpec, FlowSpec, LinkSpec, NodeSpec, PipelineSpec, ScenarioFile, ServiceSpec,
};
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
/// deserialized as [`validate_text`] deserializes the text (a text over [`PIECE`] bytes in
/// pieces, [`parse_in_pieces`]), and validated. `None` where that path cannot say what the
/// path through the owned document ([`resolve_once`]) would: the text does not parse, the
/// document would not convert into a [`Table`] (see [`converts`]), it has `extends`, or it does
/// not deserialize. The caller then takes that path, which gives the message it always gave,
/// with its line and column. A validation error is the same on both paths (the same
/// [`ScenarioFile`] and text), so it is returned here.
fn check_direct(
    file: &Path,
    src: &str,
    access: FileAccess,
    cache: &mut DataCache,
) -> Option<Result<Model>> {
    let parsed = match src.len() > PIECE {
        true => parse_in_pieces(src, PIECE).or_else(|| parse_once(src)),
        false => parse_once(src),
    }?;
    Some(validate::build(
        parsed,
        &Ctx { file, src, access },
        &mut cache.0,
    ))
}

/// The scenario of `src` parsed as one document (see [`check_direct`]).
fn parse_once(src: &str) -> Option<ScenarioFile> {
    let root = DeTable::parse(src).ok()?;
    if root.get_ref().contains_key("extends") || !root.get_ref().iter().all(converts_entry) {
        return None;
    }
    // Without serde_path_to_error: it records every key it passes (a String each), and the
    // field path is wanted for a message only, which the other path gives.
    ScenarioFile::deserialize(toml::Deserializer::from(root)).ok()
}

/// Text longer than this is parsed in pieces of about this size ([`parse_in_pieces`]).
const PIECE: usize = 1 << 18;

/// The arrays of tables of the format that a long file is split between: `[[nodes]]`, ...
const LISTS: [&str; 6] = [
    "nodes",
    "links",
    "flows",
    "services",
    "pipelines",
    "changes",
];

/// The scenario of `src` parsed in pieces of about `piece` bytes, each cut just before a line
/// `[[nodes]]`, `[[links]]`, ... ([`LISTS`]), and each piece's elements deserialized before the
/// next piece is parsed: toml holds the tokens and events of a whole document at once (over
/// twenty times the text) and the parsed document (over ten), where a piece's are small and
/// the deserialized elements a fraction of them. The same [`ScenarioFile`] as [`parse_once`], or
/// `None` where that is not certain, for [`parse_once`] to decide:
/// - a piece that does not parse, does not convert ([`converts`]) or does not deserialize;
/// - a top-level key other than the lists in two pieces (a table cut in two), a list that is
///   not an array of tables in a piece, or a list given before the first table header (an
///   array `nodes = [...]`, which a later `[[nodes]]` may not extend).
///
/// Why the pieces are the document: every piece parses, so every cut line is at depth 0 of
/// the text, a table header: the first cut inside a multi-line string, an array or an inline
/// table would leave the piece before it with that string, array or table open, which does
/// not parse (the lexer reads a piece from its start as it reads the whole text, both starting
/// outside any string). So the pieces' expressions are the document's. A piece starting
/// `[[flows]]` adds elements to `flows`, which in the document extend the same array of
/// tables; every later `[flows.x]` or `[[flows.x]]` of the piece names the piece's own last
/// flow, as in the document. Every other top-level
/// key is in one piece only, so each piece defines what the document does.
fn parse_in_pieces(src: &str, piece: usize) -> Option<ScenarioFile> {
    let cuts = cuts(src, piece);
    if cuts.len() < 2 {
        return None;
    }
    let mut lists = Lists::default();
    let mut rest = DeTable::new();
    for (k, &start) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).copied().unwrap_or(src.len());
        let text = &src[start..end];
        if k == 0 {
            // The keys given before the first table header may not include a list.
            let header = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .find(|&i| text[i..].trim_start_matches([' ', '\t']).starts_with('['))
                .unwrap_or(text.len());
            let root = DeTable::parse(&text[..header]).ok()?;
            if LISTS.iter().any(|l| root.get_ref().contains_key(*l)) {
                return None;
            }
        }
        let table = DeTable::parse(text).ok()?.into_inner();
        if !table.iter().all(converts_entry) {
            return None;
        }
        for (key, value) in table {
            match LISTS.contains(&key.get_ref().as_ref()) {
                true => lists.add(key.get_ref(), value)?,
                false if rest.contains_key(key.get_ref().as_ref()) => return None,
                false => {
                    rest.insert(key, value);
                }
            }
        }
    }
    if rest.contains_key("extends") {
        return None;
    }
    let mut parsed =
        ScenarioFile::deserialize(toml::Deserializer::from(Spanned::new(0..src.len(), rest)))
            .ok()?;
    // The lists grew by doubling: their spare room back (a move of the pages, where large).
    lists.shrink();
    parsed.nodes = lists.nodes;
    parsed.links = lists.links;
    parsed.flows = lists.flows;
    parsed.services = lists.services;
    parsed.pipelines = lists.pipelines;
    parsed.changes = lists.changes;
    Some(parsed)
}

/// Where the pieces of [`parse_in_pieces`] start: 0, then the first line `[[list]]` (a name of
/// [`LISTS`], alone on its line but for blanks and a comment) at least `piece` bytes after the
/// previous cut.
fn cuts(src: &str, piece: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut from = piece;
    while from < src.len() {
        // Bytes: `from` need not be a character boundary; `at`, after a newline, is.
        let found = src.as_bytes()[from..].windows(3).position(|w| w == b"\n[[");
        let Some(at) = found.map(|i| from + i + 1) else {
            break;
        };
        let line = src[at..].split('\n').next().unwrap_or_default();
        let line = line.split('#').next().unwrap_or_default().trim_end();
        let name = line
            .strip_prefix("[[")
            .and_then(|l| l.strip_suffix("]]"))
            .map(str::trim);
        from = at + 1;
        if name.is_some_and(|n| LISTS.contains(&n)) {
            cuts.push(at);
            from = at + piece;
        }
    }
    cuts
}

/// Deserializes an array onto the end of a vector, element by element as `Vec<T>` does (its
/// elements are not moved again, as appending a piece's `Vec` would).
struct Append<'a, T>(&'a mut Vec<T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Append<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Append<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        self.0.reserve(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            self.0.push(item);
        }
        Ok(())
    }
}

/// The lists of a scenario parsed in pieces, deserialized piece by piece.
#[derive(Default)]
struct Lists {
    nodes: Vec<NodeSpec>,
    links: Vec<LinkSpec>,
    flows: Vec<FlowSpec>,
    services: Vec<ServiceSpec>,
    pipelines: Vec<PipelineSpec>,
    changes: Vec<ChangeSpec>,
}

impl Lists {
    /// Gives back the spare room of the vectors.
    fn shrink(&mut self) {
        self.nodes.shrink_to_fit();
        self.links.shrink_to_fit();
        self.flows.shrink_to_fit();
        self.services.shrink_to_fit();
        self.pipelines.shrink_to_fit();
        self.changes.shrink_to_fit();
    }

    /// Adds a piece's `list` (an array of tables), deserialized; `None` where it is not one or
    /// does not deserialize.
    fn add(&mut self, list: &str, value: Spanned<DeValue<'_>>) -> Option<()> {
        fn extend<'de, T: Deserialize<'de>>(
            to: &mut Vec<T>,
            value: Spanned<DeValue<'de>>,
        ) -> Option<()> {
            if !value.get_ref().is_array() {
                return None;
            }
            Append(to)
                .deserialize(toml::de::ValueDeserializer::from(value))
                .ok()
        }
        match list {
            "nodes" => extend(&mut self.nodes, value),
            "links" => extend(&mut self.links, value),
            "flows" => extend(&mut self.flows, value),
            "services" => extend(&mut self.services, value),
            "pipelines" => extend(&mut self.pipelines, value),
            "changes" => extend(&mut self.changes, value),
            _ => None,
        }
    }
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

    /// A long file parsed in pieces gives the file of one parse; where pieces could differ
    /// from the document, no pieces.
    #[test]
    fn pieces_give_the_document_or_nothing() {
        let debug = |f: Option<ScenarioFile>| f.map(|f| format!("{f:?}"));
        let src = format!(
            "{SRC}\n[[flows]]\nid = \"g\"\nroute = [\"a\"]\n\n[flows.arrivals] # the last flow's\ndist = \"fixed\"\nvalue = \"1h\"\n\n[[ nodes ]]\nid = \"c\"\nkind = \"station\"\nservers = 1\nservice = {{ dist = \"exponential\", mean = \"1h\" }}\n"
        );
        let once = debug(parse_once(&src));
        assert!(
            once.as_ref().is_some_and(|f| f.contains("\"g\"")),
            "{once:?}"
        );
        // Every cut, a cut every 100 bytes, one cut.
        for piece in [1, 100, 200] {
            assert!(cuts(&src, piece).len() > 1, "{piece}");
            assert_eq!(debug(parse_in_pieces(&src, piece)), once, "{piece}");
        }
        assert_eq!(cuts(&src, 1).len(), 7, "0 and the six lists");
        // A line `[[nodes]]` in a multi-line string is no cut: the piece before it does not
        // parse. One on a line of its own is.
        for (quote, pieces) in [("\n[[nodes]]\n", false), ("[[nodes]]", true)] {
            let multi = src.replace(
                "name = \"t\"",
                &format!("name = \"t\"\ndescription = \"\"\"{quote}\"\"\""),
            );
            let once = debug(parse_once(&multi));
            assert!(once.as_ref().is_some_and(|f| f.contains("[[nodes]]")));
            let cut = debug(parse_in_pieces(&multi, 1));
            assert_eq!(cut.is_some(), pieces, "{multi}");
            assert!(cut.is_none() || cut == once);
        }
        // Not cut: no list after `piece` bytes.
        assert!(parse_in_pieces(&src, src.len()).is_none());
        // A table cut in two (the document takes `[scenario.x]` as part of `[scenario]`; the
        // format does not, either way) and a `[flows.x]` cut from its flow: no pieces.
        let table = format!("{SRC}\n[scenario.extra]\nx = 1\n");
        assert!(parse_in_pieces(&table, 1).is_none());
        let cut = src.replace("\n[flows.arrivals]", "\n[[links]]\nfrom = \"a\"\nto = \"a.b\"\ntime = { dist = \"fixed\", value = \"1h\" }\n\n[flows.arrivals]");
        assert!(parse_in_pieces(&cut, 1).is_none());
        // An array `nodes = [...]` before the first header may not be extended by `[[nodes]]`:
        // the document does not parse, and the pieces say nothing.
        let fixed = format!(
            "nodes = [{{ id = \"z\", kind = \"station\", servers = 1, service = {{ dist = \"fixed\", value = \"1h\" }} }}]\n{SRC}"
        );
        assert!(DeTable::parse(&fixed).is_err());
        assert!(parse_in_pieces(&fixed, 1).is_none());
        // A document that does not parse gives no pieces.
        let broken = src.replace("route = [\"a\"]", "route = [\"a\"");
        assert!(parse_in_pieces(&broken, 1).is_none());
        // An integer beyond i64 in a piece: the owned document refuses it, so no pieces.
        let big = src.replace(
            "servers = 1\nservice = {",
            "servers = 9223372036854775808\nservice = {",
        );
        assert!(parse_in_pieces(&big, 1).is_none());
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
