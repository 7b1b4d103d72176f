//! `replications.csv`: every metric of every replication, the raw values every other output is
//! derived from (merge and `compare --results` read them back).

use super::{Export, ReplicationResult, finish, fmt_value};

/// Column names of replications.csv. `period` came last, after the others (folders written
/// before it have the first 8 columns only: whole-window rows).
pub const REPLICATIONS_HEADER: [&str; 9] = [
    "scenario",
    "replication",
    "seed",
    "scope",
    "id",
    "metric",
    "unit",
    "value",
    "period",
];

/// replications.csv of one scenario:
/// `scenario,replication,seed,scope,id,metric,unit,value,period`, replications in the order
/// given (`period` empty for the whole window's rows).
pub struct ReplicationsCsv<'a> {
    /// The scenario name (first column of every row).
    pub scenario: &'a str,
    /// The replications, each with its rows.
    pub reps: &'a [ReplicationResult],
}

impl Export for ReplicationsCsv<'_> {
    fn file_name(&self) -> &'static str {
        "replications.csv"
    }

    fn serialize(&self) -> std::io::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(REPLICATIONS_HEADER)?;
        for rep in self.reps {
            write_replication(&mut w, self.scenario, rep)?;
        }
        finish(w)
    }
}

/// Writes the rows of one replication as replications.csv has them (after its header), for
/// the exporter and for a file streamed as replications complete.
pub fn write_replication<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    scenario: &str,
    rep: &ReplicationResult,
) -> csv::Result<()> {
    let (r, seed) = (rep.replication.to_string(), rep.seed.to_string());
    for row in &rep.rows {
        w.write_record([
            scenario,
            &r,
            &seed,
            row.scope,
            &row.id,
            row.metric,
            row.unit,
            &fmt_value(row.value),
            row.period,
        ])?;
    }
    Ok(())
}
