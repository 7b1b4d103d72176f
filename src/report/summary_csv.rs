//! `summary.csv`: every metric summarised over replications, in long format.

use super::{Export, SummaryRow};

/// Column names of summary.csv. `period` came last, after the others (folders written before
/// it have the first 11 columns only: whole-window rows).
pub const SUMMARY_HEADER: [&str; 12] = [
    "scenario", "scope", "id", "metric", "unit", "mean", "ci95", "std", "min", "max", "n", "period",
];

/// summary.csv of one scenario: `scenario,scope,id,metric,unit,mean,ci95,std,min,max,n,period`
/// (`period` empty for the whole window's rows).
pub struct SummaryCsv<'a> {
    /// The scenario name (first column of every row).
    pub scenario: &'a str,
    /// The summarised metrics, in order.
    pub rows: &'a [SummaryRow],
}

impl Export for SummaryCsv<'_> {
    fn file_name(&self) -> &'static str {
        "summary.csv"
    }

    fn serialize(&self) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Field by field, the numbers formatted into one buffer (as [`SummaryRow::fields`] and
    /// [`super::fmt_value`] format them), not ten `String`s a row.
    fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::fmt::Write as _;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(SUMMARY_HEADER)?;
        let mut num = String::new();
        for r in self.rows {
            let (k, s) = (&r.key, &r.summary);
            for text in [self.scenario, k.scope(), k.id(), k.metric(), k.unit()] {
                w.write_field(text)?;
            }
            for v in [s.mean, s.ci95, s.std, s.min, s.max] {
                num.clear();
                if v.is_finite() {
                    let _ = write!(num, "{v}");
                }
                w.write_field(&num)?;
            }
            num.clear();
            let _ = write!(num, "{}", s.n);
            w.write_field(&num)?;
            w.write_field(k.period())?;
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::summary::Summary;
    use crate::report::SummaryKey;

    /// The file is what the rows' `fields` give, row by row through `write_record` (how it was
    /// written before): numbers, empty cells for NaN and infinities, ids that need quotes,
    /// period rows.
    #[test]
    fn field_by_field_is_the_rows_fields() {
        let mut rows = Vec::new();
        for (i, id) in ["a", "b,c", "d \"e\"", ""].iter().enumerate() {
            let x = i as f64;
            rows.push(SummaryRow {
                key: SummaryKey::new("node", id, "wait_mean", "h"),
                summary: Summary::of(&[x, 0.1 + x, 1e-9 * x, 12345.678]),
            });
            rows.push(SummaryRow {
                key: SummaryKey::new("flow", id, "created", "count").in_period("2026-Q1"),
                summary: Summary::of(&[f64::NAN, x]),
            });
            rows.push(SummaryRow {
                key: SummaryKey::new("flow", id, "x", "h"),
                summary: Summary {
                    mean: f64::INFINITY,
                    ci95: f64::NAN,
                    std: -0.0,
                    min: f64::NEG_INFINITY,
                    max: 1e300,
                    n: u64::MAX,
                },
            });
        }
        let file = SummaryCsv {
            scenario: "s,1",
            rows: &rows,
        };
        let mut want = csv::Writer::from_writer(Vec::new());
        want.write_record(SUMMARY_HEADER).unwrap();
        for r in &rows {
            want.write_record(
                std::iter::once(file.scenario.to_string())
                    .chain(r.fields())
                    .chain(std::iter::once(r.key.period().to_string())),
            )
            .unwrap();
        }
        let want = want.into_inner().unwrap();
        let got = file.serialize().unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }
}
