//! `corridor merge DIR... --out OUT`: shard folders (of `run --shard` or `sweep --shard`) put
//! back together into exactly the files one process writes.
//!
//! The folders must come from the same resolved scenario, seed and replication count (and
//! grid), and cover every replication (or point) exactly once. Summaries are recomputed from
//! the exact per-replication values, so the files equal those of one run, byte for byte.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

mod series;

use super::manifest::{FILE as MANIFEST, Manifest, MergedShard, ShardEntry, now_unix, sha256_hex};
use super::printout::Printout;
use super::results::ReplicationReader;
use crate::error::{Error, Result};
use crate::report::{
    BottlenecksCsv, ReplicationResult, ResultsFolder, Row, SummaryCsv, SweepCsv, read_sweep_rows,
};
use crate::run::ReplicationStream;
use crate::scenario::Network;

fn results_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Results {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Checks that `sha256`, the hash of `file` in `dir`, is the one its manifest recorded.
fn check_sha256(dir: &Path, m: &Manifest, file: &str, sha256: &str) -> Result<()> {
    match m.outputs.get(file) {
        Some(h) if h == sha256 => Ok(()),
        Some(_) => Err(results_err(
            &dir.join(file),
            "does not match the SHA-256 its manifest.json records; it was changed after the shard wrote it",
        )),
        None => Err(results_err(
            &dir.join(MANIFEST),
            format!("does not list {file}; this is not a shard of the same kind"),
        )),
    }
}

/// Checks that `file` in `dir` is the one its manifest recorded; returns its bytes.
fn check_hash(dir: &Path, m: &Manifest, file: &str) -> Result<Vec<u8>> {
    let path = dir.join(file);
    let bytes =
        std::fs::read(&path).map_err(|e| results_err(&path, format!("cannot read: {e}")))?;
    check_sha256(dir, m, file, &sha256_hex(&bytes))?;
    Ok(bytes)
}

/// Checks that `file` in `dir` is the one its manifest recorded, reading it a piece at a time.
fn check_hash_streamed(dir: &Path, m: &Manifest, file: &str) -> Result<()> {
    let path = dir.join(file);
    let sha256 = file_sha256(&path).map_err(|e| results_err(&path, format!("cannot read: {e}")))?;
    check_sha256(dir, m, file, &sha256)
}

/// The SHA-256 of the file `path`, read a piece at a time.
fn file_sha256(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
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

/// A shard folder as read: the folder, its manifest (without its slice), its slice and the
/// SHA-256 of its manifest.json.
type Held<'a> = (&'a PathBuf, Manifest, ShardEntry, String);

/// ` (shards 0/N to N-1/N must all be given; absent: ...)` when every shard has the same N.
fn expected_shards(shards: &[Held]) -> String {
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

/// The items of a study (replications or sweep points) in order, each from the one shard folder
/// that holds it.
struct Slots<'a, T> {
    items: Vec<Option<(T, &'a Path)>>,
    /// `replication` or `point`.
    item: &'static str,
    /// What the items make up: `replications of the study`, `points of the grid`.
    whole: &'static str,
}

impl<'a, T> Slots<'a, T> {
    fn new(total: usize, item: &'static str, whole: &'static str) -> Self {
        Slots {
            items: (0..total).map(|_| None).collect(),
            item,
            whole,
        }
    }

    /// Puts item `i`, held by `dir`; refuses one beyond the study or held twice.
    fn put(&mut self, i: usize, value: T, dir: &'a Path) -> Result<()> {
        let (item, total) = (self.item, self.items.len());
        let Some(slot) = self.items.get_mut(i) else {
            return Err(results_err(
                dir,
                format!("holds {item} {i}, beyond the {total} {}", self.whole),
            ));
        };
        if let Some((_, other)) = slot {
            return Err(results_err(
                dir,
                format!(
                    "holds {item} {i}, which {} holds too; give each shard once",
                    other.display()
                ),
            ));
        }
        *slot = Some((value, dir));
        Ok(())
    }

    /// Every item in order, or an error naming those no folder holds (`items`, e.g.
    /// `sweep point(s)`).
    fn all(self, items: &str, shards: &[Held]) -> Result<Vec<T>> {
        let missing: Vec<usize> = (0..self.items.len())
            .filter(|&i| self.items[i].is_none())
            .collect();
        if !missing.is_empty() {
            return Err(Error::Usage(format!(
                "merge: {items} {} of 0-{} are in none of the folders given; a shard is missing{}",
                ranges(&missing),
                self.items.len().saturating_sub(1),
                expected_shards(shards)
            )));
        }
        Ok(self.items.into_iter().flatten().map(|(v, _)| v).collect())
    }
}

/// Refuses shards that read a data file (the same path relative to their scenario's folder)
/// with other bytes. Returns each scenario's data files over all the shards, in order.
fn same_data(shards: &[Held]) -> Result<Vec<Vec<(String, String)>>> {
    let first = &shards[0].1;
    let mut union: Vec<Vec<(String, String)>> = vec![Vec::new(); first.scenarios.len()];
    let mut seen: Vec<HashMap<String, (&str, &Path)>> = vec![HashMap::new(); first.scenarios.len()];
    for (d, m, _, _) in shards {
        for (i, s) in m.scenarios.iter().enumerate().take(union.len()) {
            for (path, hash) in &s.data_files {
                let key = super::data_key(s, path);
                match seen[i].get(&key) {
                    Some((h, other)) if h != hash => {
                        return Err(results_err(
                            d,
                            format!(
                                "read the data file {key} with SHA-256 {hash}, but {} read it with SHA-256 {h}; merge only shards run on the same data",
                                other.display()
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        seen[i].insert(key, (hash, d.as_path()));
                        union[i].push((path.clone(), hash.clone()));
                    }
                }
            }
        }
    }
    Ok(union)
}

/// Which replications of a study the shards hold: one bit each.
struct Coverage {
    bits: Vec<u64>,
    total: usize,
}

impl Coverage {
    fn new(total: usize) -> Coverage {
        Coverage {
            bits: vec![0; total.div_ceil(64)],
            total,
        }
    }

    /// Replication `i`, held by shard `k`; refuses one beyond the study or held by an earlier
    /// shard.
    fn put(&mut self, i: u32, k: usize, shards: &[Held]) -> Result<()> {
        let (dir, total) = (shards[k].0, self.total);
        let at = i as usize;
        if at >= total {
            return Err(results_err(
                dir,
                format!("holds replication {i}, beyond the {total} replications of the study"),
            ));
        }
        let (word, bit) = (at / 64, 1u64 << (at % 64));
        if self.bits[word] & bit != 0 {
            let other = shards[..k]
                .iter()
                .find(|s| s.2.replication_numbers.contains(&i))
                .map_or(dir, |s| s.0);
            return Err(results_err(
                dir,
                format!(
                    "holds replication {i}, which {} holds too; give each shard once",
                    other.display()
                ),
            ));
        }
        self.bits[word] |= bit;
        Ok(())
    }

    /// Refuses a study with replications no shard holds, naming them.
    fn check_all(&self, shards: &[Held]) -> Result<()> {
        let missing: Vec<usize> = (0..self.total)
            .filter(|&i| self.bits[i / 64] & (1 << (i % 64)) == 0)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "merge: replication(s) {} of 0-{} are in none of the folders given; a shard is missing{}",
            ranges(&missing),
            self.total.saturating_sub(1),
            expected_shards(shards)
        )))
    }
}

/// Bytes of one value in the scratch file of [`merge_runs`].
const VALUE_BYTES: usize = 8;

/// Whether two replications have the same metric rows (scope, id, metric, unit).
fn same_rows(a: &[Row], b: &[Row]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.scope == y.scope && x.id == y.id && x.metric == y.metric && x.unit == y.unit
        })
}

/// Merges the replications.csv of run shards into `folder`: replications.csv in replication
/// order and summary.csv, as `run` writes them. Memory holds one replication at a time: each
/// shard's file is checked and read through once, its values put at their replication's place
/// in a scratch file beside the folder (8 bytes a value); that file is then read in order into
/// replications.csv, streamed, whose summary is computed in two passes as `run` computes it.
/// Returns the warning of a map that leaves nodes out.
fn merge_runs(shards: &[Held], name: &str, folder: &mut ResultsFolder) -> Result<Option<String>> {
    let first = &shards[0].1;
    let total = first.replications as usize;
    let mut scratch = folder.scratch("merge-values")?;
    let scratch_err = |e: io::Error| Error::Output {
        path: folder.dir().join("replications.csv"),
        source: e,
    };
    // The metric rows of the first replication read, which every shard's replications repeat.
    let mut keys: Option<(&Path, Vec<Row>)> = None;
    let mut coverage = Coverage::new(total);
    let mut buf: Vec<u8> = Vec::new();
    // One replication, read into the place of the one before.
    let mut rep = ReplicationResult {
        replication: 0,
        seed: first.seed,
        rows: Vec::new(),
        series: Default::default(),
    };
    for (k, (d, m, s, _)) in shards.iter().enumerate() {
        check_hash_streamed(d, m, "replications.csv")?;
        let mut reader = ReplicationReader::open(d)?;
        let mut listed = s.replication_numbers.iter();
        let (mut as_listed, mut other_rows) = (true, None);
        // The first replication (its place in the file) with a seed other than the study's.
        let mut bad_seed: Option<(usize, u64)> = None;
        let mut read = 0usize;
        while reader.next_into(&mut rep)? {
            as_listed &= listed.next() == Some(&rep.replication);
            if rep.seed != first.seed && bad_seed.is_none() {
                bad_seed = Some((read, rep.seed));
            }
            read += 1;
            let rows = match &keys {
                None => &keys.insert((d, rep.rows.clone())).1,
                Some((other, rows)) if !same_rows(rows, &rep.rows) => {
                    other_rows.get_or_insert(*other);
                    continue;
                }
                Some((_, rows)) => rows,
            };
            if (rep.replication as usize) < total {
                buf.clear();
                for row in &rep.rows {
                    buf.extend_from_slice(&row.value.to_le_bytes());
                }
                let at = rep.replication as u64 * (rows.len() * VALUE_BYTES) as u64;
                let f = scratch.file();
                f.seek(SeekFrom::Start(at)).map_err(scratch_err)?;
                f.write_all(&buf).map_err(scratch_err)?;
            }
        }
        as_listed &= listed.next().is_none();
        let n = reader.name().unwrap_or_default();
        if read > 0 && n != name {
            return Err(results_err(
                d,
                format!("holds scenario \"{n}\", not \"{name}\""),
            ));
        }
        if !as_listed {
            return Err(results_err(
                &d.join("replications.csv"),
                "holds other replications than its manifest lists",
            ));
        }
        if let Some(other) = other_rows {
            return Err(results_err(
                &d.join("replications.csv"),
                format!(
                    "holds other metric rows than {}; merge only shards of one study",
                    other.display()
                ),
            ));
        }
        for (p, &i) in s.replication_numbers.iter().enumerate() {
            if let Some((_, seed)) = bad_seed.filter(|b| b.0 == p) {
                return Err(results_err(
                    d,
                    format!("replication {i} has seed {seed}, not {}", first.seed),
                ));
            }
            coverage.put(i, k, shards)?;
        }
    }
    coverage.check_all(shards)?;
    let mut out = ReplicationStream::new(folder, name)?;
    if let Some((_, rows)) = keys {
        let file = scratch.file();
        file.seek(SeekFrom::Start(0)).map_err(scratch_err)?;
        let mut values = io::BufReader::with_capacity(1 << 16, file);
        let mut rep = ReplicationResult {
            replication: 0,
            seed: first.seed,
            rows,
            series: Default::default(),
        };
        let mut bytes = [0u8; VALUE_BYTES];
        for i in 0..first.replications {
            rep.replication = i;
            for row in &mut rep.rows {
                values.read_exact(&mut bytes).map_err(scratch_err)?;
                row.value = f64::from_le_bytes(bytes);
            }
            out.take(&rep)?;
        }
    }
    drop(scratch);
    let summary = out.finish(folder)?;
    series::merge_series(shards, name, total, folder)?;
    folder.add(&SummaryCsv {
        scenario: name,
        rows: &summary,
    })?;
    folder.add(&BottlenecksCsv {
        scenario: name,
        rows: &summary,
        index: None,
    })?;
    // The map, drawn from the resolved scenario the shards ran, as the run draws it.
    match first.scenarios.first() {
        Some(s) => {
            let network = Network::from_resolved(&shards[0].0.join(MANIFEST), &s.resolved)?;
            super::add_map(folder, &network, &summary)
        }
        None => Ok(None),
    }
}

/// `corridor merge DIR... --out OUT`: combines shard folders into `out`; `force` replaces a
/// folder that holds other results. Returns what to print.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    command_line: &[String],
    force: bool,
) -> Result<Printout> {
    let start = Instant::now();
    if dirs.is_empty() {
        return Err(Error::Usage("merge needs at least one shard folder".into()));
    }
    let mut folder = ResultsFolder::new(out)?.refuse_inputs(dirs)?;
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
        let (mut m, bytes) = Manifest::read(d)?;
        let Some(s) = m.shard.take() else {
            return Err(results_err(
                &d.join(MANIFEST),
                "is not the manifest of a shard (it has no \"shard\"); merge combines the folders written by run --shard or sweep --shard",
            ));
        };
        shards.push((d, m, s, sha256_hex(&bytes)));
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
    super::outdir::check_replace(&folder, out, &first.kind, &first.scenarios, &[], force)?;
    let name = first
        .scenarios
        .first()
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let data = same_data(&shards)?;
    let mut merged = first.clone();
    for (s, files) in merged.scenarios.iter_mut().zip(data) {
        s.data_files = files;
    }
    merged.command_line = command_line.to_vec();
    merged.written_unix = now_unix();
    merged.shard = None;
    merged.outputs.clear();
    merged.jobs = shards.iter().map(|s| s.1.jobs).max().unwrap_or(1);
    merged.merged_from = shards
        .iter()
        .map(|(d, m, s, sha256)| MergedShard {
            folder: d.display().to_string(),
            shard: format!("{}/{}", s.index, s.count),
            command_line: m.command_line.clone(),
            wall_seconds: m.wall_seconds,
            manifest_sha256: sha256.clone(),
        })
        .collect();

    let mut warning = None;
    match first.kind.as_str() {
        "run" => warning = merge_runs(&shards, &name, &mut folder)?,
        "sweep" => {
            let grid = first
                .sweep
                .clone()
                .unwrap_or_else(|| super::manifest::SweepEntry {
                    vary: Vec::new(),
                    points: Vec::new(),
                });
            let total = grid.points.len();
            let mut slots = Slots::new(total, "point", "points of the grid");
            for (d, m, s, _) in &shards {
                let bytes = check_hash(d, m, "sweep.csv")?;
                let (_, groups) = read_sweep_rows(&d.join("sweep.csv"), &bytes, &grid.vary)?;
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
                    if grid.points.get(p).is_some_and(|g| *g != values) {
                        return Err(results_err(
                            &d.join("sweep.csv"),
                            format!(
                                "point {p} has values {values:?}, the grid says {:?}",
                                grid.points[p]
                            ),
                        ));
                    }
                    slots.put(p, rows, d)?;
                }
            }
            let rows: Vec<csv::StringRecord> = slots
                .all("sweep point(s)", &shards)?
                .into_iter()
                .flatten()
                .collect();
            folder.add(&SweepCsv {
                vary: &grid.vary,
                records: &rows,
            })?;
        }
        other => {
            return Err(results_err(
                &first_dir.join(MANIFEST),
                format!("kind \"{other}\" cannot be merged; merge combines shards of run or sweep"),
            ));
        }
    }
    merged.wall_seconds =
        shards.iter().map(|s| s.1.wall_seconds).sum::<f64>() + start.elapsed().as_secs_f64();
    let written = folder.commit(&mut merged)?;
    let mut p = Printout::default();
    p.line(format_args!("merged {} shard folder(s)", dirs.len()));
    p.written(&written);
    p.stderr.extend(warning);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_compact() {
        assert_eq!(ranges(&[0, 1, 2, 5, 7, 8]), "0-2, 5, 7-8");
    }
}
