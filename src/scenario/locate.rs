//! Maps a field path such as `nodes[2].service.cv` back to its line and column in the TOML text,
//! so that rule violations found after parsing still point at the place to fix.

use toml::de::{DeTable, DeValue};

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
}
