//! What-if studies: `--shard` and `merge` (shards merged equal one run, byte for byte).

use std::fs;
use std::process::Command;

use crate::whatif::{CSVS, corridor, manifest, ok, same_files, stderr, text, workdir};

/// Shards run as separate processes (as a batch scheduler would start them) and merged give
/// the files of one run, byte for byte, for any number of shards.
#[test]
fn shards_merged_equal_a_single_run() {
    let dir = workdir();
    let d = dir.path();
    ok(&["run", "s.toml", "-q", "--out", "single"], d);
    for n in [1u32, 2, 3, 7, 12] {
        let shards: Vec<String> = (0..n).map(|k| format!("n{n}/shard-{k}")).collect();
        // Start all N at once, like the tasks of a job array.
        let children: Vec<_> = (0..n)
            .map(|k| {
                Command::new(env!("CARGO_BIN_EXE_corridor"))
                    .args([
                        "run",
                        "s.toml",
                        "-q",
                        "-j",
                        "1",
                        "--shard",
                        &format!("{k}/{n}"),
                    ])
                    .args(["--out", &shards[k as usize]])
                    .current_dir(d)
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        // Merge in any order.
        let mut args = vec!["merge".to_string()];
        args.extend(shards.iter().rev().cloned());
        args.extend(["--out".into(), format!("merged{n}"), "-q".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&args, d);
        same_files(&d.join("single"), &d.join(format!("merged{n}")), &CSVS);
        let m = manifest(&d.join(format!("merged{n}")));
        assert_eq!(m["merged_from"].as_array().unwrap().len(), n as usize);
        assert!(m["shard"].is_null());
    }
    // Empty cells (NaN: the utilisation of an unlimited node) survive the round trip.
    let unlimited = ["--set", "nodes.yard.servers=unlimited"];
    let mut a = vec!["run", "s.toml", "-q", "--out", "single-u"];
    a.extend(unlimited);
    ok(&a, d);
    for k in 0..3 {
        let (s, o) = (format!("{k}/3"), format!("u/shard-{k}"));
        let mut a = vec!["run", "s.toml", "-q", "--shard", &s, "--out", &o];
        a.extend(unlimited);
        ok(&a, d);
    }
    ok(
        &[
            "merge",
            "u/shard-2",
            "u/shard-0",
            "u/shard-1",
            "--out",
            "merged-u",
            "-q",
        ],
        d,
    );
    same_files(&d.join("single-u"), &d.join("merged-u"), &CSVS);
    assert!(
        text(&d.join("merged-u"), "summary.csv").contains("node,yard,utilisation,ratio,,,,,,0")
    );

    // A shard holds r mod N = K.
    let reps = text(&d.join("n3/shard-1"), "replications.csv");
    let numbers: std::collections::BTreeSet<&str> = reps
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(numbers.into_iter().collect::<Vec<_>>(), ["1", "4", "7"]);
    assert_eq!(
        manifest(&d.join("n3/shard-1"))["shard"]["replication_numbers"][2],
        7
    );
}

#[test]
fn sweep_shards_merged_equal_a_single_sweep() {
    let dir = workdir();
    let d = dir.path();
    let sweep = [
        "sweep",
        "s.toml",
        "-q",
        "-r",
        "2",
        "--vary",
        "nodes.gate.servers=2,3,4",
        "--vary",
        "flows.box.teu=1,2",
    ];
    let mut single = sweep.to_vec();
    single.extend(["--out", "single"]);
    ok(&single, d);
    // 8 shards of 6 points: two shards are empty.
    for n in [2u32, 4, 8] {
        let mut dirs = Vec::new();
        for k in 0..n {
            let out = format!("n{n}-{k}");
            let shard = format!("{k}/{n}");
            let mut a = sweep.to_vec();
            a.extend(["--shard", &shard, "--out", &out]);
            ok(&a, d);
            dirs.push(out);
        }
        let merged = format!("merged{n}");
        let mut a = vec!["merge", "-q", "--out", &merged];
        a.extend(dirs.iter().map(String::as_str));
        ok(&a, d);
        same_files(&d.join("single"), &d.join(&merged), &["sweep.csv"]);
    }
}

/// The README recipes: N tasks that know only their index from the environment (Slurm's
/// SLURM_ARRAY_TASK_ID, Kubernetes' JOB_COMPLETION_INDEX), each running the documented command
/// line through a shell, then the merge.
#[test]
fn readme_recipes_run_locally() {
    let dir = workdir();
    let d = dir.path();
    ok(&["run", "s.toml", "-q", "--out", "single"], d);
    let recipes = [
        (
            "SLURM_ARRAY_TASK_ID",
            r#""$CORRIDOR" run s.toml --jobs 1 --quiet --shard "$SLURM_ARRAY_TASK_ID/$N" --out "slurm/shard-$SLURM_ARRAY_TASK_ID""#,
            "slurm",
        ),
        (
            "JOB_COMPLETION_INDEX",
            r#""$CORRIDOR" run s.toml --jobs 1 --quiet --shard "${JOB_COMPLETION_INDEX}/${N}" --out "k8s/shard-${JOB_COMPLETION_INDEX}""#,
            "k8s",
        ),
    ];
    for (var, line, folder) in recipes {
        let n = 4;
        let tasks: Vec<_> = (0..n)
            .map(|k| {
                Command::new("sh")
                    .args(["-c", line])
                    .env("CORRIDOR", env!("CARGO_BIN_EXE_corridor"))
                    .env("N", n.to_string())
                    .env(var, k.to_string())
                    .current_dir(d)
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut t in tasks {
            assert!(t.wait().unwrap().success(), "{folder}");
        }
        let o = Command::new("sh")
            .args([
                "-c",
                &format!(r#""$CORRIDOR" merge {folder}/shard-* --out {folder}/merged --quiet"#),
            ])
            .env("CORRIDOR", env!("CARGO_BIN_EXE_corridor"))
            .current_dir(d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        same_files(&d.join("single"), &d.join(folder).join("merged"), &CSVS);
    }
}

#[test]
fn merge_refuses_shards_that_do_not_fit() {
    let dir = workdir();
    let d = dir.path();
    let shard = |k: u32, n: u32, out: &str, extra: &[&str]| {
        let s = format!("{k}/{n}");
        let mut a = vec!["run", "s.toml", "-q", "--shard", &s, "--out", out];
        a.extend(extra);
        ok(&a, d);
    };
    shard(0, 3, "a0", &[]);
    shard(1, 3, "a1", &[]);
    shard(2, 3, "a2", &[]);
    shard(2, 3, "seed", &["--seed", "5"]);
    shard(2, 3, "set", &["--set", "nodes.gate.servers=3"]);
    shard(2, 3, "reps", &["-r", "9"]);
    shard(1, 2, "other-n", &[]);
    ok(&["run", "s.toml", "-q", "--out", "plain"], d);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["a0", "a1"],
            "2, 5, 8 of 0-9 are in none of the folders given",
        ),
        (vec!["a0", "a1", "a1", "a2"], "given twice"),
        (vec!["a0", "a1", "seed"], "seed differs"),
        (
            vec!["a0", "a1", "set"],
            "resolved scenario (after --set and --digitisation) differs",
        ),
        (vec!["a0", "a1", "reps"], "replication count differs"),
        (vec!["a0", "a1", "a2", "other-n"], "which a1 holds too"),
        (vec!["a0", "plain"], "is not the manifest of a shard"),
        (vec!["a0", "nowhere"], "nowhere/manifest.json: cannot read"),
    ];
    for (dirs, expected) in cases {
        let mut a = vec!["merge"];
        a.extend(&dirs);
        a.extend(["--out", "m"]);
        let o = corridor(&a, d);
        assert_eq!(o.status.code(), Some(2), "{dirs:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{dirs:?}: {}", stderr(&o));
        assert!(!d.join("m").exists(), "{dirs:?} wrote output");
    }
    // A shard file changed after it was written is caught by its hash.
    let p = d.join("a1/replications.csv");
    let changed = fs::read_to_string(&p).unwrap() + "\n";
    fs::write(&p, changed).unwrap();
    let o = corridor(&["merge", "a0", "a1", "a2", "--out", "m"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("does not match the SHA-256"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("m").exists());
}
