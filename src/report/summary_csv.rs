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

    fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(SUMMARY_HEADER)?;
        for r in self.rows {
            w.write_record(
                std::iter::once(self.scenario.to_string())
                    .chain(r.fields())
                    .chain(std::iter::once(r.key.period().to_string())),
            )?;
        }
        w.flush()
    }
}
