//! `--set PATH=VALUE` (and the points of `--vary`): changes to single values of a scenario,
//! applied to the parsed TOML document *before* it is deserialized and validated.
//!
//! Working on the document rather than on the serde structs means every field of the format is
//! settable, including fields added later, with no code here to update. The validation that
//! follows is the normal one, so a value of the wrong type or out of range gets the normal
//! message, tagged with the `--set` it came from.
//!
//! Paths use the field paths of error messages, with two conveniences:
//! - an element of an array of tables (`[[nodes]]`, `[[flows]]`) may be named by its `id`:
//!   `nodes.PORT_POTI.servers` is `nodes[7].servers` when node 7 has that id (an id containing
//!   `.` works too: the longest matching id wins);
//! - a link (which has no id) may be named `from->to`, as the outputs name it:
//!   `links.PORT_ALAT->BCP_BOYUK_KESIK_GARDABANI.time.mean`;
//! - the index form `nodes[7].servers`, `links[0].time.mean` works everywhere;
//! - a `*` segment matches every element of an array of tables: `flows.*.priority=1` sets the
//!   priority of every flow, exactly as one `--set` per flow would (an error if the array is
//!   empty or missing).
//!
//! A VALUE is read as a TOML value (`4`, `0.5`, `true`, `"730d"`); anything that is not a TOML
//! value and does not start with a quote or a bracket is taken as a bare string, so
//! `scenario.horizon=730d` and `nodes.X.servers=unlimited` need no quotes. A date such as
//! `2024-01-01` (a TOML date, which no field takes) is taken as the string as written, and a
//! whole number beyond TOML's signed 64-bit range is an error. Only single values
//! (not tables or arrays) may be set. A missing *last* key is added, so optional fields can be
//! set; if the format has no such field, validation says so and lists the allowed ones.
//!
//! Options that take a list (`--alt PATH=VALUE,PATH=VALUE`, `--vary PATH=v1,v2`) split it at
//! commas with [`split_list`], which leaves commas inside a quoted value alone:
//! `--alt 'flows.a.description="a, b"'`.

use toml::{Table, Value};

use crate::error::{Error, Result};

/// One change to a scenario: a path and a single value.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The option it came from, for messages: `--set` or `--vary`.
    pub flag: &'static str,
    /// The path as written, e.g. `nodes.PORT_POTI.servers`.
    pub path: String,
    /// The value as written, e.g. `4` or `730d`.
    pub raw: String,
    /// The value as a TOML value.
    pub value: Value,
    segs: Vec<Seg>,
}

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

impl Override {
    /// Parses `PATH=VALUE` as given to `flag`.
    pub fn parse(flag: &'static str, arg: &str) -> Result<Override> {
        let Some((path, raw)) = arg.split_once('=') else {
            return Err(param(
                flag,
                arg,
                "expected PATH=VALUE, e.g. nodes.PORT_POTI.servers=4 or scenario.horizon=730d",
            ));
        };
        Override::new(flag, path.trim(), raw.trim())
    }

    /// An override of `path` with the value written `raw`.
    pub fn new(flag: &'static str, path: &str, raw: &str) -> Result<Override> {
        let arg = format!("{path}={raw}");
        let segs = parse_path(path).map_err(|m| param(flag, &arg, &m))?;
        let value = parse_value(raw).map_err(|m| param(flag, &arg, &m))?;
        Ok(Override {
            flag,
            path: path.to_string(),
            raw: raw.to_string(),
            value,
            segs,
        })
    }

    /// `PATH=VALUE` as written.
    pub fn arg(&self) -> String {
        format!("{}={}", self.path, self.raw)
    }

    /// The value as text for a table or a CSV cell: strings without quotes, others as written.
    pub fn display_value(&self) -> String {
        match &self.value {
            Value::String(s) => s.clone(),
            _ => self.raw.clone(),
        }
    }

    fn err(&self, message: impl AsRef<str>) -> Error {
        param(self.flag, &self.arg(), message.as_ref())
    }
}

fn param(flag: &'static str, arg: &str, message: &str) -> Error {
    Error::Param {
        flag,
        arg: arg.to_string(),
        message: message.to_string(),
    }
}

/// Splits a comma-separated list (of `PATH=VALUE` items or of values) at the commas outside
/// quoted strings, trimming each item. A quote opens a string where a value starts: at the start
/// of an item or right after `=` (so `it's` stays a bare word); `"..."` honours backslash
/// escapes as TOML does, `'...'` does not. An unclosed quote is an error.
pub fn split_list(list: &str) -> std::result::Result<Vec<String>, String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in list.chars() {
        match quote {
            Some(q) => {
                cur.push(c);
                if escaped {
                    escaped = false;
                } else if q == '"' && c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                ',' => items.push(std::mem::take(&mut cur).trim().to_string()),
                '"' | '\'' if matches!(cur.trim_end().chars().last(), None | Some('=')) => {
                    quote = Some(c);
                    cur.push(c);
                }
                _ => cur.push(c),
            },
        }
    }
    if let Some(q) = quote {
        return Err(format!(
            "a value opened with {q} is not closed; close it, e.g. flows.a.description=\"a, b\""
        ));
    }
    items.push(cur.trim().to_string());
    Ok(items)
}

/// The parts of a path in index form: `nodes[1].servers` is `nodes`, `[1]`, `servers`.
fn tokens(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in path.chars() {
        match c {
            '.' if !cur.starts_with('[') => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                cur.push('[');
            }
            ']' => {
                cur.push(']');
                out.push(std::mem::take(&mut cur));
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// How a value changed at `changed` (a path [`apply`] returned; `[*]` stands for every element
/// of a wildcard) relates to the field `path` of a validation message: `Some(true)` when it is
/// that field, `Some(false)` when it lies inside it, `None` when it does not touch it.
pub(crate) fn touches(changed: &str, path: &str) -> Option<bool> {
    if path.is_empty() {
        return None;
    }
    let (c, p) = (tokens(changed), tokens(path));
    let same = |a: &String, b: &String| a == b || (a == "[*]" && b.starts_with('['));
    (c.len() >= p.len() && c.iter().zip(&p).all(|(a, b)| same(a, b))).then_some(c.len() == p.len())
}

fn parse_path(path: &str) -> std::result::Result<Vec<Seg>, String> {
    if path.is_empty() {
        return Err("the path is empty; write e.g. nodes.PORT_POTI.servers".into());
    }
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(b) => (&part[..b], &part[b..]),
            None => (part, ""),
        };
        if name.is_empty() && (segs.is_empty() || rest.is_empty()) {
            return Err(format!(
                "\"{path}\" has an empty part; parts are keys or ids separated by '.', e.g. nodes.PORT_POTI.servers or nodes[2].servers"
            ));
        }
        if !name.is_empty() {
            segs.push(Seg::Key(name.to_string()));
        }
        while !rest.is_empty() {
            let inner = rest.strip_prefix('[').and_then(|r| r.split_once(']'));
            let Some((ix, after)) = inner else {
                return Err(format!(
                    "\"{part}\" is not a key or key[index]; write e.g. links[0].time.mean"
                ));
            };
            let i: usize = ix.trim().parse().map_err(|_| {
                format!("[{ix}] is not an index; indices are whole numbers from 0, e.g. links[0]")
            })?;
            segs.push(Seg::Index(i));
            rest = after;
        }
    }
    Ok(segs)
}

fn parse_value(raw: &str) -> std::result::Result<Value, String> {
    if raw.is_empty() {
        return Err(
            "no value after '='; write e.g. nodes.PORT_POTI.servers=4 (use \"\" for an empty string)"
                .into(),
        );
    }
    let parsed = format!("v = {raw}\n")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"));
    // A whole number too large for TOML (which then fails to parse it).
    let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
    let too_large = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && raw.parse::<i64>().is_err();
    match parsed {
        // No field takes a TOML date: a date (`start=2024-01-01`) is the text as written.
        Some(Value::Datetime(_)) => Ok(Value::String(raw.to_string())),
        None if too_large => Err(format!(
            "{raw} is out of range: TOML integers are signed 64-bit, from {} to {} (run, compare and sweep take a larger seed with --seed)",
            i64::MIN,
            i64::MAX,
        )),
        Some(Value::Table(_)) | Some(Value::Array(_)) => Err(format!(
            "{raw} is a table or an array; only single values (numbers, strings, booleans) can be set. Set the fields one by one, e.g. nodes.X.service.mean=2h"
        )),
        Some(v) => Ok(v),
        None if raw.starts_with(['"', '\'', '[', '{']) => Err(format!(
            "{raw} is not a valid TOML value; write a number, true/false, a bare word such as 730d, or a quoted string"
        )),
        None => Ok(Value::String(raw.to_string())),
    }
}

/// Applies `ov` to `doc` and returns the path of the changed value in index form
/// (`nodes[7].servers`), the form validation messages use.
pub fn apply(doc: &mut Table, ov: &Override) -> Result<String> {
    set_in_table(doc, &ov.segs, String::new(), ov)
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

fn where_(canon: &str) -> String {
    if canon.is_empty() {
        "the scenario".to_string()
    } else {
        format!("`{canon}`")
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Table(_) => "a table",
        Value::Array(_) => "an array",
        _ => "a single value",
    }
}

fn set_in_table(t: &mut Table, segs: &[Seg], canon: String, ov: &Override) -> Result<String> {
    let key = match &segs[0] {
        Seg::Key(k) => k,
        Seg::Index(i) => {
            return Err(ov.err(format!(
                "{} is a table, not an array, so [{i}] does not apply; its keys: {}",
                where_(&canon),
                keys(t)
            )));
        }
    };
    if key == "*" {
        return Err(ov.err(format!(
            "`*` matches every element of an array of tables, and {} is a table; its keys: {}",
            where_(&canon),
            keys(t)
        )));
    }
    let here = join(&canon, key);
    if segs.len() == 1 {
        return match t.get(key.as_str()) {
            Some(v @ (Value::Table(_) | Value::Array(_))) => Err(ov.err(format!(
                "`{here}` is {}; only single values can be set, e.g. {}",
                kind(v),
                example_leaf(&here, v)
            ))),
            _ => {
                t.insert(key.clone(), ov.value.clone());
                Ok(here)
            }
        };
    }
    if !t.contains_key(key.as_str()) {
        if let Seg::Index(i) = &segs[1] {
            return Err(ov.err(format!(
                "{} has no `{key}`, so [{i}] does not exist; it has: {}",
                where_(&canon),
                keys(t)
            )));
        }
        if segs[1] == Seg::Key("*".into()) {
            return Err(ov.err(format!(
                "{} has no `{key}`, so `*` matches nothing; it has: {}",
                where_(&canon),
                keys(t)
            )));
        }
        // A missing table (an optional section or sub-table) is created; whether the format
        // has such a table is for validation to say, with the list of allowed keys.
        t.insert(key.clone(), Value::Table(Table::new()));
    }
    match t.get_mut(key.as_str()) {
        Some(v) => set_in_value(v, &segs[1..], here, ov),
        None => Err(ov.err(format!("{} has no `{key}`", where_(&canon)))),
    }
}

fn keys(t: &Table) -> String {
    if t.is_empty() {
        return "nothing".into();
    }
    t.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
}

fn example_leaf(here: &str, v: &Value) -> String {
    match v {
        Value::Table(t) => match t.keys().next() {
            Some(k) => format!("{here}.{k}"),
            None => here.to_string(),
        },
        Value::Array(a) => match a.first() {
            Some(Value::Table(e)) => {
                let key = e.keys().find(|k| k.as_str() != "id").map_or("id", |k| k);
                match e.get("id").and_then(Value::as_str) {
                    Some(id) => format!("{here}.{id}.{key} or {here}[0].{key}"),
                    None => format!("{here}[0].{key}"),
                }
            }
            _ => format!("{here}[0]"),
        },
        _ => here.to_string(),
    }
}

/// `from->to` of a link (an element with `from` and `to` and no `id`), as the outputs name it.
fn link_name(e: &Value) -> Option<String> {
    let t = e.as_table()?;
    if t.contains_key("id") {
        return None;
    }
    let end = |k: &str| t.get(k).and_then(Value::as_str);
    Some(format!("{}->{}", end("from")?, end("to")?))
}

/// The name an element of an array of tables can be addressed by: its `id`, or a link's
/// `from->to`.
fn element_name(e: &Value) -> Option<String> {
    e.as_table()
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| link_name(e))
}

/// `*`: applies the rest of the path to every element of `a`, in order. Returns the changed
/// path with `[*]` for the element (`flows[*].priority`).
fn set_every(a: &mut [Value], rest: &[Seg], canon: &str, ov: &Override) -> Result<String> {
    if a.is_empty() {
        return Err(ov.err(format!("`{canon}` is empty, so `*` matches nothing")));
    }
    if rest.is_empty() {
        let key = a
            .first()
            .and_then(Value::as_table)
            .and_then(|e| e.keys().find(|k| k.as_str() != "id").cloned())
            .unwrap_or_else(|| "id".into());
        return Err(ov.err(format!(
            "`{canon}.*` names whole elements; only single values can be set, e.g. {canon}.*.{key}"
        )));
    }
    if let Some(i) = a.iter().position(|e| !e.is_table()) {
        return Err(ov.err(format!(
            "`*` matches every element of an array of tables, and `{canon}[{i}]` is {}",
            kind(&a[i])
        )));
    }
    let mut first = None;
    for (i, el) in a.iter_mut().enumerate() {
        let here = format!("{canon}[{i}]");
        let changed = set_in_value(el, rest, here.clone(), ov)?;
        first.get_or_insert_with(|| {
            let suffix = changed.strip_prefix(&here).unwrap_or("");
            format!("{canon}[*]{suffix}")
        });
    }
    Ok(first.unwrap_or_default())
}

fn set_in_value(v: &mut Value, segs: &[Seg], canon: String, ov: &Override) -> Result<String> {
    match v {
        Value::Table(t) => set_in_table(t, segs, canon, ov),
        Value::Array(a) => {
            let n = a.len();
            let range = if n == 0 {
                "it is empty".to_string()
            } else {
                format!("{canon}[0] to {canon}[{}]", n - 1)
            };
            let (pos, rest) = match &segs[0] {
                Seg::Index(i) if *i < n => (*i, &segs[1..]),
                Seg::Index(i) => {
                    return Err(ov.err(format!(
                        "`{canon}` has {n} element(s), so [{i}] does not exist; use {range}"
                    )));
                }
                Seg::Key(k) if k == "*" => return set_every(a, &segs[1..], &canon, ov),
                Seg::Key(k) => {
                    let ids: Vec<Option<String>> = a.iter().map(element_name).collect();
                    let links = a.iter().any(|e| link_name(e).is_some());
                    if ids.iter().all(Option::is_none) {
                        return Err(ov.err(format!(
                            "the elements of `{canon}` have no `id`, so `{k}` cannot name one; address them by index: {range}"
                        )));
                    }
                    // Ids may contain '.': try the longest run of keys that is an id.
                    let run = segs.iter().take_while(|s| matches!(s, Seg::Key(_))).count();
                    let joined = |take: usize| -> String {
                        segs[..take]
                            .iter()
                            .map(|s| match s {
                                Seg::Key(k) => k.as_str(),
                                Seg::Index(_) => "",
                            })
                            .collect::<Vec<_>>()
                            .join(".")
                    };
                    let found = (1..=run).rev().find_map(|take| {
                        let cand = joined(take);
                        ids.iter()
                            .position(|id| id.as_deref() == Some(cand.as_str()))
                            .map(|p| (p, &segs[take..]))
                    });
                    match found {
                        Some(f) => f,
                        None if links => {
                            // Name the pair as written: up to the part that holds "->".
                            let upto = segs[..run]
                                .iter()
                                .position(|s| matches!(s, Seg::Key(k) if k.contains("->")))
                                .map_or(1, |i| i + 1);
                            let known: Vec<&str> =
                                ids.iter().flatten().map(String::as_str).collect();
                            return Err(ov.err(format!(
                                "the elements of `{canon}` have no `id`, and no link is \"{}\"; name a link from->to as the outputs do ({}) or use an index: {range}",
                                joined(upto),
                                known.join(", ")
                            )));
                        }
                        None => {
                            let known: Vec<&str> =
                                ids.iter().flatten().map(String::as_str).collect();
                            return Err(ov.err(format!(
                                "no element of `{canon}` has id \"{k}\"; ids there: {} (or use an index: {range})",
                                known.join(", ")
                            )));
                        }
                    }
                }
            };
            let here = format!("{canon}[{pos}]");
            let el = &mut a[pos];
            if rest.is_empty() {
                if matches!(el, Value::Table(_) | Value::Array(_)) {
                    return Err(ov.err(format!(
                        "`{here}` is {}; only single values can be set, e.g. {}",
                        kind(el),
                        example_leaf(&here, el)
                    )));
                }
                *el = ov.value.clone();
                return Ok(here);
            }
            set_in_value(el, rest, here, ov)
        }
        other => {
            let next = match &segs[0] {
                Seg::Key(k) => format!("`{k}`"),
                Seg::Index(i) => format!("[{i}]"),
            };
            Err(ov.err(format!(
                "`{canon}` is a single value ({other}), so it has no part {next}"
            )))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
