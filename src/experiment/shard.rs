//! `--shard K/N`: the work of one run or sweep split over N processes or machines; [`super::merge`]
//! puts it back together into exactly the files one process writes.
//!
//! Shard K of N (K from 0) takes the replications r with r mod N = K (for a sweep, the points
//! p with p mod N = K). The slice depends on nothing but K, N and the count, so a batch
//! scheduler can start the N shards anywhere, in any order. A shard folder holds the raw
//! results (`replications.csv` or the shard's rows of `sweep.csv`) and a manifest naming the
//! resolved scenario, seed and slice. `merge` checks that the folders come from the same
//! resolved scenario, seed and replication count and cover every replication (or point)
//! exactly once, then writes the single-run files, recomputing summaries from the exact values.

use std::fmt;

use crate::error::{Error, Result};

/// Most shards of one run or sweep: as many as replications may be.
pub const MAX_SHARDS: u32 = 1_000_000;

/// `--shard K/N`: slice K (from 0) of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// K.
    pub index: u32,
    /// N.
    pub count: u32,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(arg: &str) -> Result<Shard> {
        let bad = |m: String| Error::Param {
            flag: "--shard",
            arg: arg.to_string(),
            message: m,
        };
        let form = "expected K/N with 0 <= K < N, e.g. 0/4 for the first of four shards (Slurm: --shard $SLURM_ARRAY_TASK_ID/N)";
        let Some((k, n)) = arg.split_once('/') else {
            return Err(bad(form.into()));
        };
        // A whole number, or a message that says whether it is not one or is too large.
        let number = |name: &str, text: &str| -> Result<u32> {
            let text = text.trim();
            match text.parse::<u32>() {
                Ok(v) => Ok(v),
                Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => Err(bad(
                    format!("{name} = {text} is too large; at most {MAX_SHARDS} shards"),
                )),
                Err(_) => Err(bad(format!(
                    "{name} \"{text}\" is not a whole number; {form}"
                ))),
            }
        };
        let (k, n) = (number("K", k)?, number("N", n)?);
        if n > MAX_SHARDS {
            return Err(bad(format!(
                "N = {n} is too large; at most {MAX_SHARDS} shards"
            )));
        }
        if n == 0 {
            return Err(bad(format!("N must be at least 1; {form}")));
        }
        if k >= n {
            return Err(bad(format!(
                "K = {k} is not below N = {n}; shards are numbered 0 to {}",
                n - 1
            )));
        }
        Ok(Shard { index: k, count: n })
    }

    /// Whether item `i` (a replication or a sweep point) belongs to this shard.
    pub fn takes(&self, i: u64) -> bool {
        i % self.count as u64 == self.index as u64
    }

    /// This shard's replication numbers out of `total`.
    pub fn replications(&self, total: u32) -> Vec<u32> {
        (0..total).filter(|&r| self.takes(r as u64)).collect()
    }

    /// The default folder name, `shard-K-of-N`.
    pub fn folder_name(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }

    /// Which items of `total` it takes, in words.
    pub fn describe(&self, total: u32) -> String {
        let mine = self.replications(total);
        match mine.len() {
            0 => "none (more shards than items); merge accepts the empty folder".into(),
            1..=8 => mine
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            _ => format!(
                "{}, {}, ... every {}th up to {}",
                mine[0],
                mine[1],
                self.count,
                mine[mine.len() - 1]
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_everything_once() {
        for n in 1..=12u32 {
            let mut all: Vec<u32> = (0..n)
                .flat_map(|k| Shard { index: k, count: n }.replications(10))
                .collect();
            all.sort_unstable();
            assert_eq!(all, (0..10).collect::<Vec<_>>(), "n = {n}");
        }
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
        for bad in ["3/3", "1/0", "a/2", "1", "-1/2", "1/2/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
