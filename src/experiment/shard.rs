//! `--shard K/N` and `corridor merge`: the work of one run or sweep split over N processes or
//! machines, and put back together into exactly the files one process writes.
//!
//! Shard K of N (K from 0) takes the replications r with r mod N = K (for a sweep, the points
//! p with p mod N = K). The slice depends on nothing but K, N and the count, so a batch
//! scheduler can start the N shards anywhere, in any order. A shard folder holds the raw
//! results (`replications.csv` or the shard's rows of `sweep.csv`) and a manifest naming the
//! resolved scenario, seed and slice. `merge` checks that the folders come from the same
//! resolved scenario, seed and replication count and cover every replication (or point)
//! exactly once, then writes the single-run files, recomputing summaries from the exact values.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::manifest::{FILE as MANIFEST, Manifest, MergedShard, ShardEntry, now_unix, sha256_hex};
use super::results::read_replications;
use crate::error::{Error, Result};
use crate::report::{self, ReplicationResult};

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
        let k: u32 = k
            .trim()
            .parse()
            .map_err(|_| bad(format!("K \"{k}\" is not a whole number; {form}")))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| bad(format!("N \"{n}\" is not a whole number; {form}")))?;
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

fn results_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Results {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Checks that `file` in `dir` is the one its manifest recorded.
fn check_hash(dir: &Path, m: &Manifest, file: &str) -> Result<Vec<u8>> {
    let path = dir.join(file);
    let bytes =
        std::fs::read(&path).map_err(|e| results_err(&path, format!("cannot read: {e}")))?;
    match m.outputs.get(file) {
        Some(h) if *h == sha256_hex(&bytes) => Ok(bytes),
        Some(_) => Err(results_err(
            &path,
            "does not match the SHA-256 its manifest.json records; it was changed after the shard wrote it",
        )),
        None => Err(results_err(
            &dir.join(MANIFEST),
            format!("does not list {file}; this is not a shard of the same kind"),
        )),
    }
}

/// Lists numbers as ranges: `0-3, 7, 9`.
fn ranges(v: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}-{}", v[i], v[j])
        } else {
            v[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// ` (shards 0/N to N-1/N must all be given; absent: ...)` when every shard has the same N.
fn expected_shards(shards: &[(&PathBuf, Manifest, ShardEntry, Vec<u8>)]) -> String {
    let n = shards[0].2.count;
    if shards.iter().all(|s| s.2.count == n) {
        let given: Vec<usize> = shards.iter().map(|s| s.2.index as usize).collect();
        let absent: Vec<String> = (0..n as usize)
            .filter(|k| !given.contains(k))
            .map(|k| format!("{k}/{n}"))
            .collect();
        format!(
            " (shards 0/{n} to {}/{n} must all be given; absent: {})",
            n - 1,
            absent.join(", ")
        )
    } else {
        String::new()
    }
}

/// `corridor merge DIR... --out OUT`: combines shard folders. Returns the files written.
pub fn merge(dirs: &[PathBuf], out: &Path, command_line: &[String]) -> Result<Vec<PathBuf>> {
    let start = Instant::now();
    if dirs.is_empty() {
        return Err(Error::Usage("merge needs at least one shard folder".into()));
    }
    for (i, d) in dirs.iter().enumerate() {
        let same = |a: &PathBuf| match (a.canonicalize(), d.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == d,
        };
        if dirs[..i].iter().any(same) {
            return Err(results_err(
                d,
                "is given twice; give each shard folder once",
            ));
        }
    }
    let mut shards = Vec::with_capacity(dirs.len());
    for d in dirs {
        let (m, bytes) = Manifest::read(d)?;
        let Some(s) = m.shard.clone() else {
            return Err(results_err(
                &d.join(MANIFEST),
                "is not the manifest of a shard (it has no \"shard\"); merge combines the folders written by run --shard or sweep --shard",
            ));
        };
        shards.push((d, m, s, bytes));
    }
    let (first_dir, first, _, _) = &shards[0];
    for (d, m, _, _) in &shards[1..] {
        let differs = |what: &str| {
            results_err(
                d,
                format!(
                    "is not a shard of the same study as {}: its {what} differs; merge only shards of one command run with the same scenario, overrides, seed and replications",
                    first_dir.display()
                ),
            )
        };
        if m.kind != first.kind {
            return Err(differs("kind (run or sweep)"));
        }
        let hashes = |m: &Manifest| -> Vec<(String, Vec<String>)> {
            m.scenarios
                .iter()
                .map(|s| (s.resolved_sha256.clone(), s.model_options.clone()))
                .collect()
        };
        if hashes(m) != hashes(first) {
            return Err(differs(
                "resolved scenario (after --set and --digitisation)",
            ));
        }
        if m.seed != first.seed {
            return Err(differs("seed"));
        }
        if m.replications != first.replications {
            return Err(differs("replication count"));
        }
        if m.sweep != first.sweep {
            return Err(differs("sweep grid (--vary)"));
        }
    }
    let name = first
        .scenarios
        .first()
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let mut merged = first.clone();
    merged.command_line = command_line.to_vec();
    merged.written_unix = now_unix();
    merged.shard = None;
    merged.outputs.clear();
    merged.jobs = shards.iter().map(|s| s.1.jobs).max().unwrap_or(1);
    merged.merged_from = shards
        .iter()
        .map(|(d, m, s, bytes)| MergedShard {
            folder: d.display().to_string(),
            shard: format!("{}/{}", s.index, s.count),
            command_line: m.command_line.clone(),
            wall_seconds: m.wall_seconds,
            manifest_sha256: sha256_hex(bytes),
        })
        .collect();

    let files: Vec<(&str, Vec<u8>)> = match first.kind.as_str() {
        "run" => {
            let total = first.replications as usize;
            let mut slots: Vec<Option<(ReplicationResult, &Path)>> = vec![None; total];
            for (d, m, s, _) in &shards {
                check_hash(d, m, "replications.csv")?;
                let (n, reps) = read_replications(d)?;
                if !reps.is_empty() && n != name {
                    return Err(results_err(
                        d,
                        format!("holds scenario \"{n}\", not \"{name}\""),
                    ));
                }
                let got: Vec<u32> = reps.iter().map(|r| r.replication).collect();
                if got != s.replication_numbers {
                    return Err(results_err(
                        &d.join("replications.csv"),
                        "holds other replications than its manifest lists",
                    ));
                }
                for r in reps {
                    let i = r.replication as usize;
                    if r.seed != first.seed {
                        return Err(results_err(
                            d,
                            format!("replication {i} has seed {}, not {}", r.seed, first.seed),
                        ));
                    }
                    let Some(slot) = slots.get_mut(i) else {
                        return Err(results_err(
                            d,
                            format!(
                                "holds replication {i}, beyond the {total} replications of the study"
                            ),
                        ));
                    };
                    if let Some((_, other)) = slot {
                        return Err(results_err(
                            d,
                            format!(
                                "holds replication {i}, which {} holds too; give each shard once",
                                other.display()
                            ),
                        ));
                    }
                    *slot = Some((r, d.as_path()));
                }
            }
            let missing: Vec<usize> = (0..total).filter(|&i| slots[i].is_none()).collect();
            if !missing.is_empty() {
                return Err(Error::Usage(format!(
                    "merge: replication(s) {} of 0-{} are in none of the folders given; a shard is missing{}",
                    ranges(&missing),
                    total.saturating_sub(1),
                    expected_shards(&shards)
                )));
            }
            let reps: Vec<ReplicationResult> =
                slots.into_iter().flatten().map(|(r, _)| r).collect();
            let summary = report::summarise(&reps);
            vec![
                (
                    "summary.csv",
                    report::summary_bytes(&name, &summary, &out.join("summary.csv"))?,
                ),
                (
                    "replications.csv",
                    report::replications_bytes(&name, &reps, &out.join("replications.csv"))?,
                ),
            ]
        }
        "sweep" => {
            let grid = first
                .sweep
                .clone()
                .unwrap_or_else(|| super::manifest::SweepEntry {
                    vary: Vec::new(),
                    points: Vec::new(),
                });
            let total = grid.points.len();
            let mut slots: Vec<Option<(Vec<csv::StringRecord>, &Path)>> = vec![None; total];
            for (d, m, s, _) in &shards {
                let bytes = check_hash(d, m, "sweep.csv")?;
                let (_, groups) =
                    super::sweep::read_rows(&d.join("sweep.csv"), &bytes, &grid.vary)?;
                if groups.len() != s.points.len() {
                    return Err(results_err(
                        &d.join("sweep.csv"),
                        format!(
                            "holds {} point(s), its manifest lists {}",
                            groups.len(),
                            s.points.len()
                        ),
                    ));
                }
                for (&p, (values, rows)) in s.points.iter().zip(groups) {
                    let Some(slot) = slots.get_mut(p) else {
                        return Err(results_err(
                            d,
                            format!("holds point {p}, beyond the {total} points of the grid"),
                        ));
                    };
                    if grid.points[p] != values {
                        return Err(results_err(
                            &d.join("sweep.csv"),
                            format!(
                                "point {p} has values {values:?}, the grid says {:?}",
                                grid.points[p]
                            ),
                        ));
                    }
                    if let Some((_, other)) = slot {
                        return Err(results_err(
                            d,
                            format!(
                                "holds point {p}, which {} holds too; give each shard once",
                                other.display()
                            ),
                        ));
                    }
                    *slot = Some((rows, d.as_path()));
                }
            }
            let missing: Vec<usize> = (0..total).filter(|&i| slots[i].is_none()).collect();
            if !missing.is_empty() {
                return Err(Error::Usage(format!(
                    "merge: sweep point(s) {} of 0-{} are in none of the folders given; a shard is missing{}",
                    ranges(&missing),
                    total.saturating_sub(1),
                    expected_shards(&shards)
                )));
            }
            let header = super::sweep::header(&grid.vary);
            let rows: Vec<csv::StringRecord> =
                slots.into_iter().flatten().flat_map(|(r, _)| r).collect();
            vec![(
                "sweep.csv",
                super::sweep::records_bytes(&header, &rows, &out.join("sweep.csv"))?,
            )]
        }
        other => {
            return Err(results_err(
                &first_dir.join(MANIFEST),
                format!("kind \"{other}\" cannot be merged; merge combines shards of run or sweep"),
            ));
        }
    };
    merged.wall_seconds =
        shards.iter().map(|s| s.1.wall_seconds).sum::<f64>() + start.elapsed().as_secs_f64();
    let mb = merged.to_bytes(&files)?;
    let mut all = files;
    all.push((MANIFEST, mb));
    report::write_atomically(out, &all)
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
        assert_eq!(ranges(&[0, 1, 2, 5, 7, 8]), "0-2, 5, 7-8");
    }
}
