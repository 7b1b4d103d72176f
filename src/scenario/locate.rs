//! Maps a field path such as `nodes[2].service.cv` back to its line and column in the TOML text,
//! so that rule violations found after parsing still point at the place to fix.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::error::Error;

/// 1-based (line, column) of byte offset `pos` in `src`.
pub(super) fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(src.len());
    let before = &src[..pos];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            out.push(Seg::Key(&rest[..b]));
            rest = &rest[b..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(e) = stripped.find(']') else { break };
                if let Ok(i) = stripped[..e].parse() {
                    out.push(Seg::Index(i));
                }
                rest = &stripped[e + 1..];
            }
        } else {
            out.push(Seg::Key(rest));
        }
    }
    out
}

/// The value at a field path such as `scenario.start` or `nodes[1].holidays[0]` in a document.
pub(super) fn value_at<'a>(doc: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut cur: Option<&toml::Value> = None;
    for seg in segments(path) {
        cur = match (seg, cur) {
            (Seg::Key(k), None) => doc.get(k),
            (Seg::Key(k), Some(toml::Value::Table(t))) => t.get(k),
            (Seg::Index(i), Some(toml::Value::Array(a))) => a.get(i),
            _ => None,
        };
        cur?;
    }
    cur
}

/// The field path of the value at byte offset `pos` of `src`, found from the text alone (for
/// errors of TOML syntax, where no document exists): the last table header before it (with
/// the element's index for `[[array]]` headers) and the keys of the line up to it, inline
/// tables included. `None` where the line has no `key =` before `pos`.
pub(super) fn path_at(src: &str, pos: usize) -> Option<String> {
    let pos = pos.min(src.len());
    let mut table = String::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut start = 0;
    for line in src.split_inclusive('\n') {
        let end = start + line.len();
        let t = line.trim();
        if end <= pos || pos < start {
            if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
                let name = name.trim().to_string();
                let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                    Some((_, n)) => {
                        *n += 1;
                        *n - 1
                    }
                    None => {
                        counts.push((name.clone(), 1));
                        0
                    }
                };
                table = format!("{name}[{n}]");
            } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
                table = name.trim().to_string();
            }
            start = end;
            continue;
        }
        let keys = line_keys(line.get(..pos - start)?);
        if keys.is_empty() {
            return None;
        }
        let mut path = table;
        for k in keys {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&k);
        }
        return Some(path);
    }
    None
}

/// The keys open at the end of `before` (the start of one line): `a = { b = { c = ` gives
/// a, b, c. Strings are skipped; dotted keys are kept as written.
fn line_keys(before: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut last: Option<String> = None;
    let mut chars = before.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                let mut escaped = false;
                for d in chars.by_ref() {
                    if d == c && !escaped {
                        break;
                    }
                    escaped = c == '"' && d == '\\' && !escaped;
                }
            }
            '=' => {
                last = Some(word.trim().to_string());
                word.clear();
            }
            '{' => {
                stack.extend(last.take());
                word.clear();
            }
            '}' => {
                stack.pop();
                last = None;
                word.clear();
            }
            ',' => {
                last = None;
                word.clear();
            }
            '#' => break,
            _ => word.push(c),
        }
    }
    stack.extend(last.filter(|k| !k.is_empty()));
    stack
}

/// Line and column of the deepest part of `path` that exists in `src`.
pub(super) fn locate(src: &str, path: &str) -> Option<(usize, usize)> {
    let root = DeTable::parse(src).ok()?;
    let mut span = None;
    let mut cur: Option<&DeValue> = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    for seg in segments(path) {
        match seg {
            Seg::Key(k) => {
                let t = match (table, cur) {
                    (Some(t), None) => t,
                    (_, Some(DeValue::Table(t))) => t,
                    _ => break,
                };
                let Some((key, val)) = t.iter().find(|(key, _)| key.get_ref().as_ref() == k) else {
                    break;
                };
                // Point at the value for leaves, at the key for tables and arrays.
                span = Some(match val.get_ref() {
                    DeValue::Table(_) | DeValue::Array(_) => key.span(),
                    _ => val.span(),
                });
                cur = Some(val.get_ref());
                table = None;
            }
            Seg::Index(i) => {
                let Some(DeValue::Array(a)) = cur else { break };
                let Some(v) = a.get(i) else { break };
                span = Some(v.span());
                cur = Some(v.get_ref());
            }
        }
    }
    span.map(|s| line_col(src, s.start))
}

/// A TOML syntax error at its line and column. A number out of TOML's range also gets its
/// field path and the range.
pub(crate) fn syntax_error(file: &Path, src: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim().to_string();
    let start = e.span().map(|s| s.start);
    let range = start.and_then(|at| out_of_range(src, at, &message));
    let path = match range {
        Some(_) => start.and_then(|at| path_at(src, at)).unwrap_or_default(),
        None => String::new(),
    };
    let message = match range {
        Some(m) if path == "scenario.seed" => format!(
            "{m}; the file takes seeds from 0 to {}, --seed on the command line any up to 2^64 - 1",
            i64::MAX
        ),
        Some(m) => m,
        None => message,
    };
    Error::Scenario {
        file: file.to_path_buf(),
        line_col: start.map(|at| line_col(src, at)),
        path,
        message,
    }
}

/// For TOML's messages about a number beyond its range (`u64 value was too large`, `integer
/// number overflowed`, ...), a message with the number and the range; else `None`.
fn out_of_range(src: &str, at: usize, message: &str) -> Option<String> {
    let float = message.contains("floating-point number overflowed");
    let int = ["value was too large", "number overflowed", "as i128"]
        .iter()
        .any(|m| message.contains(m));
    if !float && !int {
        return None;
    }
    let token: String = src
        .get(at..)?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "+-_.".contains(*c))
        .take(40)
        .collect();
    Some(if float {
        format!(
            "{token} is out of range: TOML numbers are 64-bit floating point, at most about 1.8e308 in size"
        )
    } else {
        format!(
            "{token} is out of range: TOML integers are signed 64-bit, from {} to {}",
            i64::MIN,
            i64::MAX
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "[scenario]\nname = \"x\"\n\n[[nodes]]\nid = \"a\"\n\n[[nodes]]\nid = \"b\"\nservice = { dist = \"gamma\", cv = -1 }\n";

    #[test]
    fn finds_nested_fields() {
        assert_eq!(locate(SRC, "scenario.name"), Some((2, 8)));
        assert_eq!(locate(SRC, "nodes[1].id"), Some((8, 6)));
        assert_eq!(locate(SRC, "nodes[1].service.cv"), Some((9, 34)));
        // Missing leaf: the deepest existing part.
        assert_eq!(locate(SRC, "nodes[1].service.mean"), Some((9, 1)));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn path_at_reads_headers_and_inline_tables() {
        let src = "[scenario]\nseed = 1\n[[nodes]]\nid = \"a\"\n[[nodes]]\nservice = { dist = \"x=,{\", mean = 9 }\n";
        let at = |needle: &str| path_at(src, src.find(needle).unwrap());
        assert_eq!(at("1\n").as_deref(), Some("scenario.seed"));
        assert_eq!(at("9 }").as_deref(), Some("nodes[1].service.mean"));
        assert_eq!(at("[[nodes]]\ns"), None);
        let doc: toml::Table = src.parse().unwrap();
        assert_eq!(
            value_at(&doc, "nodes[1].service.mean").and_then(toml::Value::as_integer),
            Some(9)
        );
        assert!(value_at(&doc, "nodes[2].id").is_none());
    }
}
