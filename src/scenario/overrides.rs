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
//! - the index form `nodes[7].servers`, `links[0].time.mean` works everywhere (links have no id).
//!
//! A VALUE is read as a TOML value (`4`, `0.5`, `true`, `"730d"`); anything that is not a TOML
//! value and does not start with a quote or a bracket is taken as a bare string, so
//! `scenario.horizon=730d` and `nodes.X.servers=unlimited` need no quotes. A date such as
//! `2024-01-01` (a TOML date, which no field takes) is taken as the string as written, and a
//! whole number beyond TOML's signed 64-bit range is an error. Only single values
//! (not tables or arrays) may be set. A missing *last* key is added, so optional fields can be
//! set; if the format has no such field, validation says so and lists the allowed ones.

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
                Seg::Key(k) => {
                    let ids: Vec<Option<&str>> = a
                        .iter()
                        .map(|e| {
                            e.as_table()
                                .and_then(|t| t.get("id"))
                                .and_then(Value::as_str)
                        })
                        .collect();
                    if ids.iter().all(Option::is_none) {
                        return Err(ov.err(format!(
                            "the elements of `{canon}` have no `id`, so `{k}` cannot name one; address them by index: {range}"
                        )));
                    }
                    // Ids may contain '.': try the longest run of keys that is an id.
                    let run = segs.iter().take_while(|s| matches!(s, Seg::Key(_))).count();
                    let found = (1..=run).rev().find_map(|take| {
                        let cand: Vec<&str> = segs[..take]
                            .iter()
                            .map(|s| match s {
                                Seg::Key(k) => k.as_str(),
                                Seg::Index(_) => "",
                            })
                            .collect();
                        let cand = cand.join(".");
                        ids.iter()
                            .position(|id| *id == Some(cand.as_str()))
                            .map(|p| (p, &segs[take..]))
                    });
                    match found {
                        Some(f) => f,
                        None => {
                            let known: Vec<&str> = ids.iter().flatten().copied().collect();
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
pub(crate) mod tests {
    use super::*;

    pub(crate) const SRC: &str = r#"
[scenario]
name = "t"
horizon = "10d"

[[nodes]]
id = "a.b"
kind = "station"
servers = 1
service = { dist = "exponential", mean = "1h" }

[[nodes]]
id = "a"
kind = "station"
servers = 2
service = { dist = "exponential", mean = "1h" }

[[links]]
from = "a.b"
to = "a"
time = { dist = "fixed", value = "1h" }

[[flows]]
id = "f"
route = ["a.b", "a"]
arrivals = { dist = "exponential", mean = "2h" }
"#;

    fn set(arg: &str) -> Result<(Table, String)> {
        let mut doc: Table = SRC.parse().unwrap();
        let ov = Override::parse("--set", arg)?;
        let c = apply(&mut doc, &ov)?;
        Ok((doc, c))
    }

    #[test]
    fn paths_by_id_index_and_nested() {
        let (d, c) = set("nodes.a.servers=5").unwrap();
        assert_eq!(c, "nodes[1].servers");
        assert_eq!(d["nodes"][1]["servers"].as_integer(), Some(5));
        let (_, c) = set("nodes.a.b.servers=5").unwrap();
        assert_eq!(c, "nodes[0].servers", "longest id wins");
        let (d, c) = set("links[0].time.value=3h").unwrap();
        assert_eq!(c, "links[0].time.value");
        assert_eq!(d["links"][0]["time"]["value"].as_str(), Some("3h"));
        let (d, _) = set("scenario.horizon=730d").unwrap();
        assert_eq!(d["scenario"]["horizon"].as_str(), Some("730d"));
        let (d, _) = set("nodes[1].servers=unlimited").unwrap();
        assert_eq!(d["nodes"][1]["servers"].as_str(), Some("unlimited"));
        let (d, _) = set("flows.f.teu=4").unwrap();
        assert_eq!(
            d["flows"][0]["teu"].as_integer(),
            Some(4),
            "missing leaf is added"
        );
        let (d, _) = set("nodes.a.service.mean=\"2h\"").unwrap();
        assert_eq!(d["nodes"][1]["service"]["mean"].as_str(), Some("2h"));
        let (d, _) = set("scenario.seed=0.5").unwrap();
        assert_eq!(d["scenario"]["seed"].as_float(), Some(0.5));
    }

    #[test]
    fn bad_paths_name_what_exists() {
        let e = set("nodes.zz.servers=1").unwrap_err().to_string();
        assert!(
            e.contains("no element of `nodes` has id \"zz\"") && e.contains("a.b, a"),
            "{e}"
        );
        let e = set("links.x.time.mean=1h").unwrap_err().to_string();
        assert!(e.contains("have no `id`") && e.contains("links[0]"), "{e}");
        let e = set("nodes[5].servers=1").unwrap_err().to_string();
        assert!(e.contains("2 element(s)") && e.contains("nodes[1]"), "{e}");
        let e = set("scenario.horizon.x=1").unwrap_err().to_string();
        assert!(e.contains("is a single value"), "{e}");
        let e = set("nodes.a.service=1").unwrap_err().to_string();
        assert!(
            e.contains("is a table") && e.contains("nodes[1].service.dist"),
            "{e}"
        );
        let e = set("nodes=1").unwrap_err().to_string();
        assert!(e.contains("is an array"), "{e}");
        let e = set("scenery[0].horizon=1d").unwrap_err().to_string();
        assert!(
            e.contains("the scenario has no `scenery`") && e.contains("scenario, nodes"),
            "{e}"
        );
        assert!(
            e.contains("the scenario has no `scenery`") && e.contains("scenario, nodes"),
            "{e}"
        );
        for bad in [
            "nodes.a.servers",
            "=4",
            "nodes..servers=1",
            "links[x].time=1",
            "a=[1]",
            "a={x=1}",
            "a=\"open",
            "a=",
        ] {
            assert!(set(bad).is_err(), "{bad}");
        }
    }
}
