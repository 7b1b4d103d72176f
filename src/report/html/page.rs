//! HTML text: escaping, numbers, tables and the page's style sheet.

use std::fmt::Write;

use crate::engine::summary::Summary;

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number with `decimals` decimals, or `-` when it does not exist.
pub(super) fn num(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "-".into()
    }
}

/// `mean ±ci95` of a summary, scaled by `scale`, or `-`.
pub(super) fn pm(s: Option<&Summary>, scale: f64, decimals: usize) -> String {
    match s {
        Some(s) if s.mean.is_finite() && s.ci95.is_finite() => format!(
            "{} ±{}",
            num(s.mean * scale, decimals),
            num(s.ci95 * scale, decimals)
        ),
        Some(s) => num(s.mean * scale, decimals),
        None => "-".into(),
    }
}

/// An HTML table: a header row and body rows of cells that are already HTML (escaped).
pub(super) struct Table {
    html: String,
}

impl Table {
    /// A table with these column headings (plain text; no heading row when all are empty).
    pub(super) fn new(class: &str, headings: &[&str]) -> Table {
        let mut html = format!("<table class=\"{}\">", esc(class));
        if headings.iter().any(|h| !h.is_empty()) {
            html.push_str("<thead><tr>");
            for h in headings {
                let _ = write!(html, "<th>{}</th>", esc(h));
            }
            html.push_str("</tr></thead>");
        }
        html.push_str("<tbody>\n");
        Table { html }
    }

    /// A row of cells (HTML), with the row's attributes (HTML, may be empty).
    pub(super) fn row(&mut self, attrs: &str, cells: &[String]) {
        let _ = write!(self.html, "<tr{attrs}>");
        for c in cells {
            let _ = write!(self.html, "<td>{c}</td>");
        }
        self.html.push_str("</tr>\n");
    }

    /// The table's HTML.
    pub(super) fn finish(mut self) -> String {
        self.html.push_str("</tbody></table>\n");
        self.html
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub(super) fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let (y, m, d) = crate::engine::hours::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The style sheet: readable on screen, printed without the navigation, figures kept whole.
pub(super) const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1d1d1f; background: #fff; margin: 0 auto; max-width: 980px; padding: 18px 22px 40px; line-height: 1.4; }
h1 { font-size: 1.7em; margin: 0.2em 0; }
h2 { font-size: 1.3em; border-bottom: 2px solid #1d1d1f; padding-bottom: 2px; margin-top: 1.6em; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1.08em; margin: 1.2em 0 0.3em; break-after: avoid; page-break-after: avoid; }
p.description { font-size: 1.05em; color: #333; margin: 0.3em 0 0.8em; }
nav { font-size: 0.92em; margin: 0.5em 0 1em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; font-size: 13px; margin: 0.4em 0 0.8em; }
th, td { padding: 3px 9px; border-bottom: 1px solid #ddd; text-align: right; vertical-align: top; }
th { background: #f3f3f3; }
th:first-child, td:first-child { text-align: left; }
table.facts td, table.facts th { text-align: left; }
tr { break-inside: avoid; page-break-inside: avoid; }
code, .hash { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
figure { margin: 0.6em 0 1.2em; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.2em; }
figure svg { display: block; max-width: 100%; height: auto; }
.bad { color: #b00000; font-weight: 600; }
.good { color: #1b7a1b; }
.none { font-style: italic; color: #555; }
.legend span.swatch { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 10px; vertical-align: -1px; border: 1px solid #666; }
ul.warnings { color: #7a2000; font-size: 0.93em; }
footer { margin-top: 2.5em; font-size: 0.85em; color: #555; border-top: 1px solid #ccc; padding-top: 0.5em; }
@media print {
  body { max-width: none; padding: 0; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  section { break-before: auto; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn utc_dates_against_known_values() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
    }
}
