//! Terminal tables that fit the terminal: every table corridor prints (run's summary, compare's
//! headline, sweep's points) is laid out here.
//!
//! A table is as wide as its widest cells when that fits; otherwise the columns that hold
//! names (ids, labels) are narrowed, the widest first, and their long cells end in `…`. Numbers
//! are never cut. The width is `$COLUMNS` when it is a positive number, else 100.
//!
//! Cells are padded by hand rather than with `format!("{:<w$}")`, whose width must fit in 16
//! bits: a 65,536-character id would make it panic.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The width tables are fitted to when `$COLUMNS` does not say.
pub const DEFAULT_WIDTH: usize = 100;

/// The narrowest a name column is made (its header may be cut to fit too).
const MIN_NAME: usize = 8;

/// The gap between columns.
const GAP: &str = "  ";

/// The terminal width: `$COLUMNS` when it is a positive whole number, else 100.
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w > 0)
        .unwrap_or(DEFAULT_WIDTH)
}

/// How a column is aligned and whether it may be narrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    /// Left-aligned names (ids, labels): narrowed, with `…`, when the table is too wide.
    Name,
    /// Left-aligned text that is never cut.
    Text,
    /// Right-aligned numbers, never cut.
    Number,
}

/// Display width of a cell (wide characters count 2, control characters are shown as spaces).
fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(1)).sum()
}

/// `s` cut to at most `w` display columns, ending in `…` when cut; control characters (a line
/// break in an id) become spaces so that a cell stays on its line.
pub fn truncate(s: &str, w: usize) -> String {
    let clean = |c: char| if c.is_control() { ' ' } else { c };
    if UnicodeWidthStr::width(s) <= w && !s.chars().any(char::is_control) {
        return s.to_string();
    }
    if width(s) <= w {
        return s.chars().map(clean).collect();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(1);
        if used + cw > w - 1 {
            break;
        }
        out.push(clean(c));
        used += cw;
    }
    out.push('…');
    out
}

/// A line of free text (a title) cut to `w` display columns.
pub fn fit_line(s: &str, w: usize) -> String {
    truncate(s, w)
}

fn pad(out: &mut String, cell: &str, w: usize, right: bool) {
    let fill = w.saturating_sub(width(cell));
    if right {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(cell);
    } else {
        out.push_str(cell);
        out.extend(std::iter::repeat_n(' ', fill));
    }
}

/// Lays out a table of `head` and `rows` (each row as many cells as `cols`) in at most `max`
/// display columns when the numbers and texts that are never cut allow it; each line ends in
/// `\n`, without trailing spaces.
pub fn render(cols: &[Col], head: &[&str], rows: &[Vec<String>], max: usize) -> String {
    let n = cols.len();
    let natural: Vec<usize> = (0..n)
        .map(|k| {
            rows.iter()
                .filter_map(|r| r.get(k))
                .map(|c| width(c))
                .chain(head.get(k).map(|h| width(h)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let gaps = GAP.len() * n.saturating_sub(1);
    let fixed: usize = gaps
        + (0..n)
            .filter(|&k| cols[k] != Col::Name)
            .map(|k| natural[k])
            .sum::<usize>();
    // Name columns capped at `cap` (but not below MIN_NAME, nor above their natural width).
    let names_at = |cap: usize| -> usize {
        (0..n)
            .filter(|&k| cols[k] == Col::Name)
            .map(|k| natural[k].min(cap.max(MIN_NAME)))
            .sum()
    };
    let widest = natural.iter().copied().max().unwrap_or(0);
    let cap = if fixed + names_at(widest) <= max {
        widest
    } else {
        // The largest cap that fits (names_at grows with cap): a binary search.
        let (mut lo, mut hi) = (0, widest);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if fixed + names_at(mid) <= max {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    };
    let w: Vec<usize> = (0..n)
        .map(|k| match cols[k] {
            Col::Name => natural[k].min(cap.max(MIN_NAME)),
            _ => natural[k],
        })
        .collect();
    let mut out = String::new();
    let head: Vec<String> = (0..n)
        .map(|k| head.get(k).copied().unwrap_or("").to_string())
        .collect();
    for row in std::iter::once(&head).chain(rows) {
        let mut line = String::new();
        for k in 0..n {
            if k > 0 {
                line.push_str(GAP);
            }
            let cell = row.get(k).map_or("", String::as_str);
            let cell = truncate(cell, w[k]);
            pad(&mut line, &cell, w[k], cols[k] == Col::Number);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("PORT_AKTAU", 20), "PORT_AKTAU");
        assert_eq!(truncate("PORT_AKTAU", 6), "PORT_…");
        assert_eq!(truncate("Ақтау порты", 5), "Ақта…");
        assert_eq!(truncate("霍尔果斯", 5), "霍尔…");
        assert_eq!(truncate("a\nb", 5), "a b");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn wide_tables_narrow_their_name_columns() {
        let long = "x".repeat(300);
        let rows = vec![
            vec![long.clone(), "1.00".into(), "short".into()],
            vec!["b".into(), "12345.67".into(), long.clone()],
        ];
        let cols = [Col::Name, Col::Number, Col::Name];
        let t = render(&cols, &["id", "value", "label"], &rows, 60);
        for line in t.lines() {
            assert!(width(line) <= 60, "{line}");
        }
        assert!(t.contains('…') && t.contains("12345.67"), "{t}");
        // When it fits, nothing is cut and numbers are right-aligned.
        let t = render(&cols, &["id", "value", "label"], &rows[..1], 400);
        assert!(t.contains(&long) && !t.contains('…'));
        let t = render(
            &[Col::Text, Col::Number],
            &["a", "n"],
            &[vec!["x".into(), "5".into()]],
            80,
        );
        assert_eq!(t, "a  n\nx  5\n");
    }
}
