//! Checks of a run's summary that a planner must see beside the numbers.

use super::{SummaryIndex, SummaryRow};

/// The share of a flow's consignments (created after the warm-up) still in the system at the
/// horizon above which its transit figures are flagged: `transit_mean` and the percentiles
/// count delivered consignments only, so they are biased low when many are still under way.
pub const UNDELIVERED_LIMIT: f64 = 0.01;

/// One warning per flow whose mean undelivered share (`in_system_end / created`, means over
/// replications) is above [`UNDELIVERED_LIMIT`], in the order of the summary.
pub fn undelivered(rows: &[SummaryRow]) -> Vec<String> {
    undelivered_in(&SummaryIndex::new(rows))
}

/// [`undelivered`] with the summary's index.
fn undelivered_in(index: &SummaryIndex) -> Vec<String> {
    let rows = index.rows();
    let mut out = Vec::new();
    for created in rows
        .iter()
        .filter(|r| r.key.is_window() && r.key.scope() == "flow" && r.key.metric() == "created")
    {
        let id = &created.key.id();
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

/// The share of a flow's transit spent waiting at an element that does not settle from which
/// the flow counts as held by it.
pub(crate) const HELD_SHARE: f64 = 0.05;

/// One warning per element marked `stable = 0` (see [`super::stability`]), then one per flow
/// whose transit figures therefore depend on the horizon: its own consignments under way keep
/// growing, or it spends at least `HELD_SHARE` (5%) of its transit waiting for an element that does
/// not settle.
pub fn unsettled(rows: &[SummaryRow]) -> Vec<String> {
    unsettled_in(&SummaryIndex::new(rows))
}

/// [`unsettled`] with the summary's index.
fn unsettled_in(index: &SummaryIndex) -> Vec<String> {
    let rows = index.rows();
    let grows = |r: &&SummaryRow| r.key.metric() == "stable" && r.summary.mean == 0.0;
    let mut out = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for (i, r) in rows
        .iter()
        .enumerate()
        .filter(|(_, r)| grows(r) && r.key.scope() != "flow")
    {
        let (scope, id) = (r.key.scope(), &r.key.id());
        bad.push(format!("{scope}:{id}"));
        // The trend is the row just before its verdict.
        let rise = i
            .checked_sub(1)
            .map(|i| &rows[i])
            .filter(|t| super::stability::level_of(t.key.metric()).is_some())
            .map(|t| (t.key.metric(), t.key.unit(), t.summary));
        if let Some((metric, unit, s)) = rise {
            out.push(format!(
                "warning: {scope} \"{id}\" does not settle: what waits there rose by {:.1} ±{:.1} {unit} over the second half of the window ({metric}); figures that depend on it depend on the run's length",
                s.mean, s.ci95
            ));
        }
    }
    let flows = rows
        .iter()
        .filter(|r| r.key.is_window() && r.key.scope() == "flow" && r.key.metric() == "created");
    for f in flows {
        let id = &f.key.id();
        let own = index
            .get("flow", id, "stable")
            .is_some_and(|s| s.mean == 0.0);
        let prefix = format!("{id}@");
        // A flow that waits little at an element that does not settle (one with priority
        // there, say) is not held by it.
        let through: Vec<&str> = bad
            .iter()
            .filter(|res| {
                index
                    .get("wait", &format!("{prefix}{res}"), "transit_share")
                    .is_some_and(|s| s.mean >= HELD_SHARE)
            })
            .map(String::as_str)
            .collect();
        if !own && through.is_empty() {
            continue;
        }
        let why = match (own, through.is_empty()) {
            (true, true) => "its consignments under way keep growing".to_string(),
            (true, false) => format!(
                "its consignments under way keep growing; it waits at {}",
                through.join(", ")
            ),
            _ => format!("it waits at {}", through.join(", ")),
        };
        let open = index
            .get("flow", id, "in_system_end")
            .map_or(0.0, |s| s.mean);
        let under_way = if f.summary.mean > 0.0 && open / f.summary.mean > UNDELIVERED_LIMIT {
            format!(
                "; {:.1}% of its consignments were still under way at the horizon and its transit figures count the delivered ones only",
                100.0 * open / f.summary.mean
            )
        } else {
            String::new()
        };
        out.push(format!(
            "warning: flow \"{id}\": transit figures depend on the horizon ({why}){under_way}; a longer run would report longer transits"
        ));
    }
    out
}

/// How many times the binomial standard deviation a route's share may vary over replications
/// before its flow's choice is reported as swinging.
pub(crate) const SWING_FACTOR: f64 = 3.0;

/// One warning per flow with alternative routes whose choice swings: a route's `share` varies
/// over the replications (at least 5) more than [`SWING_FACTOR`] times what independent
/// choices at that share would give, `sqrt(p (1 - p) / n)` with `n` the flow's consignments
/// created per replication. A learned choice that oscillates (a route looks fast, takes the
/// traffic, congests, loses it) ends each replication at another point of its swing.
fn swinging(index: &SummaryIndex) -> Vec<String> {
    let rows = index.rows();
    let mut out: Vec<String> = Vec::new();
    let mut warned: Vec<&str> = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.key.is_window() && r.key.scope() == "route" && r.key.metric() == "share")
    {
        let Some((flow, route)) = r.key.id().split_once('/') else {
            continue;
        };
        let Some(n) = index.get("flow", flow, "created").map(|s| s.mean) else {
            continue;
        };
        let (p, sd) = (r.summary.mean, r.summary.std);
        if warned.contains(&flow) || r.summary.n < 5 || !(n >= 1.0 && p > 0.0 && p < 1.0) {
            continue;
        }
        let independent = (p * (1.0 - p) / n).sqrt();
        if sd > SWING_FACTOR * independent {
            warned.push(flow);
            out.push(format!(
                "warning: flow \"{flow}\": its route choice swings from replication to replication (route \"{route}\": share {p:.3}, standard deviation {sd:.3} over the replications, against {independent:.3} if each of its {n:.0} consignments chose on its own); the learned choice may oscillate: read the shares per period (scenario.periods) and see scenarios/README.md, route choice"
            ));
        }
    }
    out
}

/// Every warning about a run's summary, in order: elements that do not settle and the flows
/// that depend on them ([`unsettled`]), then the other flows with many consignments under way
/// ([`undelivered`]), one warning per flow at most; then the flows whose route choice swings
/// (`swinging`).
pub fn warnings(rows: &[SummaryRow]) -> Vec<String> {
    warnings_in(&SummaryIndex::new(rows))
}

/// [`warnings`] with the summary's index.
pub(crate) fn warnings_in(index: &SummaryIndex) -> Vec<String> {
    let mut out = unsettled_in(index);
    let flagged: Vec<String> = out
        .iter()
        .filter_map(|w| w.strip_prefix("warning: flow \""))
        .filter_map(|w| w.split_once('"').map(|(id, _)| format!("\"{id}\"")))
        .collect();
    out.extend(
        undelivered_in(index)
            .into_iter()
            .filter(|w| !flagged.iter().any(|id| w.contains(id.as_str()))),
    );
    out.extend(swinging(index));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::summary::Summary;

    fn row(id: &str, metric: &'static str, mean: f64) -> SummaryRow {
        SummaryRow {
            key: crate::report::SummaryKey::new("flow", id, metric, "count"),
            summary: Summary::of(&[mean]),
        }
    }

    #[test]
    fn flags_a_route_share_that_varies_more_than_independent_choices() {
        let share = |id: &str, values: &[f64]| SummaryRow {
            key: crate::report::SummaryKey::new("route", id, "share", "ratio"),
            summary: Summary::of(values),
        };
        // 1,000 consignments a replication at a share of 0.5: independent choices vary by
        // 0.016; 0.49-0.51 is within that, 0.3-0.7 is not.
        let rows = [
            row("calm", "created", 1000.0),
            share("calm/a", &[0.49, 0.51, 0.50, 0.49, 0.51]),
            share("calm/b", &[0.51, 0.49, 0.50, 0.51, 0.49]),
            row("swings", "created", 1000.0),
            share("swings/a", &[0.3, 0.7, 0.4, 0.6, 0.5]),
            share("swings/b", &[0.7, 0.3, 0.6, 0.4, 0.5]),
            row("few", "created", 1000.0),
            share("few/a", &[0.3, 0.7, 0.4, 0.6]),
        ];
        let w = swinging(&SummaryIndex::new(&rows));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("flow \"swings\"") && w[0].contains("route \"a\""),
            "{}",
            w[0]
        );
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
