//! The table a sweep prints: per point and flow, the mean transit time and the throughput,
//! fitted to the terminal. A point's cells are made as soon as it is summarised, so its
//! summary need not be kept.

use crate::report::layout::{self, Col};
use crate::report::{self, SummaryRow};

/// A point's cells of the table: per flow, its id, transit mean and throughput.
pub(super) fn point_cells(flows: &[String], rows: &[SummaryRow]) -> Vec<[String; 3]> {
    let rows = report::SummaryIndex::new(rows);
    let cell = |id: &str, metric: &str| match rows.get("flow", id, metric) {
        Some(s) if s.mean.is_finite() && s.ci95.is_finite() => {
            format!("{:.2} ±{:.2}", s.mean, s.ci95)
        }
        Some(s) if s.mean.is_finite() => format!("{:.2}", s.mean),
        _ => "-".into(),
    };
    flows
        .iter()
        .map(|f| [f.clone(), cell(f, "transit_mean"), cell(f, "throughput")])
        .collect()
}

/// A short table: per point and flow, transit mean and throughput, fitted to the terminal.
/// `cells` holds, per point run, its number and its [`point_cells`].
pub(super) fn points_table(
    paths: &[String],
    points: &[Vec<String>],
    cells: &[(usize, Vec<[String; 3]>)],
) -> String {
    // One column per varied path, headed by the path, as in sweep.csv.
    let mut rows = Vec::new();
    for (n, flows) in cells {
        for flow in flows {
            let mut r = vec![n.to_string()];
            r.extend(points[*n].iter().cloned());
            r.extend(flow.iter().cloned());
            rows.push(r);
        }
    }
    let mut cols = vec![Col::Number];
    cols.extend(paths.iter().map(|_| Col::Name));
    cols.extend([Col::Name, Col::Number, Col::Number]);
    let mut head = vec!["point"];
    head.extend(paths.iter().map(String::as_str));
    head.extend(["flow", "transit mean h", "TEU/day"]);
    let mut out = layout::render(&cols, &head, &rows, layout::terminal_width());
    out.push('\n');
    out
}
