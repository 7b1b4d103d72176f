//! Checks of a run's summary that a planner must see beside the numbers.

use super::SummaryRow;

/// The share of a flow's consignments (created after the warm-up) still in the system at the
/// horizon above which its transit figures are flagged: `transit_mean` and the percentiles
/// count delivered consignments only, so they are biased low when many are still under way.
pub const UNDELIVERED_LIMIT: f64 = 0.01;

/// One warning per flow whose mean undelivered share (`in_system_end / created`, means over
/// replications) is above [`UNDELIVERED_LIMIT`], in the order of the summary.
pub fn undelivered(rows: &[SummaryRow]) -> Vec<String> {
    let index = super::SummaryIndex::new(rows);
    let mut out = Vec::new();
    for created in rows
        .iter()
        .filter(|r| r.key.scope == "flow" && r.key.metric == "created")
    {
        let id = &created.key.id;
        let Some(open) = index.get("flow", id, "in_system_end") else {
            continue;
        };
        let (c, o) = (created.summary.mean, open.mean);
        if c > 0.0 && o / c > UNDELIVERED_LIMIT {
            out.push(format!(
                "warning: flow \"{}\": {:.1}% of the consignments created after the warm-up were still under way at the horizon ({:.1} of {:.1} per replication); its transit figures count delivered consignments only and are biased low",
                id,
                100.0 * o / c,
                o,
                c
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::summary::Summary;

    fn row(id: &str, metric: &'static str, mean: f64) -> SummaryRow {
        SummaryRow {
            key: crate::report::Row::new("flow", id, metric, "count", mean),
            summary: Summary::of(&[mean]),
        }
    }

    #[test]
    fn flags_flows_above_one_percent_undelivered() {
        let rows = [
            row("a", "created", 1000.0),
            row("a", "in_system_end", 10.0),
            row("b", "created", 1000.0),
            row("b", "in_system_end", 11.0),
            row("c", "created", 0.0),
            row("c", "in_system_end", 0.0),
        ];
        let w = undelivered(&rows);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("\"b\": 1.1%"), "{}", w[0]);
    }
}
