//! The command line under hostile conditions: arguments that are not UTF-8, a stdout closed
//! early, absurd `--jobs`, `--vary` values that look like ranges, and default folders that must
//! not overwrite other results. Every case ends with a documented exit code, never a panic.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::robust_folder::entries;
use crate::whatif::{S, corridor, manifest, ok, stderr, text, workdir};

/// Runs corridor with arguments that need not be UTF-8.
fn corridor_os(args: &[&OsStr], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run corridor")
}

/// The words of a command line written as one string.
pub(crate) fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Asserts success and no panic.
fn succeeded(o: &Output, what: &str) {
    assert!(!stderr(o).contains("panicked"), "{what}: {}", stderr(o));
    assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(o));
}

/// Every file a folder's manifest lists is there with the recorded SHA-256.
fn complete(dir: &Path) {
    let m = manifest(dir);
    let outputs = m["outputs"].as_object().unwrap();
    assert!(!outputs.is_empty(), "{}", dir.display());
    for (file, hash) in outputs {
        let bytes = fs::read(dir.join(file)).unwrap();
        assert_eq!(
            corridor::report::manifest::sha256_hex(&bytes),
            hash.as_str().unwrap(),
            "{}/{file}",
            dir.display()
        );
    }
}

/// A name that is not valid UTF-8 (Latin-1 `café` and a lone 0xff byte).
#[cfg(unix)]
fn non_utf8(prefix: &str) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    let mut bytes = prefix.as_bytes().to_vec();
    bytes.extend_from_slice(b"-caf\xe9-\xff");
    OsStr::from_bytes(&bytes).to_os_string()
}

/// Class 1: a scenario path, `--out` and shard folders that are not UTF-8 work in every command,
/// and the manifest records the command line with U+FFFD for the bytes that are not text.
#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_work_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join(non_utf8("in"));
    fs::create_dir(&input).unwrap();
    fs::write(input.join("s.toml"), S).unwrap();
    let scenario = input.join("s.toml");
    let out = |tag: &str| d.join(non_utf8(tag));
    // `@scenario` and `@TAG` stand for paths that are not UTF-8.
    let run = |line: &str| {
        let args: Vec<OsString> = words(line)
            .into_iter()
            .map(|w| match w.strip_prefix('@') {
                Some("scenario") => scenario.clone().into_os_string(),
                Some(tag) => out(tag).into_os_string(),
                None => OsString::from(w),
            })
            .collect();
        let args: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
        let o = corridor_os(&args, d);
        succeeded(&o, line);
        o
    };
    run("run @scenario -q -r 3 --out @run");
    complete(&out("run"));
    let line = manifest(&out("run"))["command_line"].to_string();
    assert!(line.contains("caf\u{fffd}-\u{fffd}"), "{line}");
    run("run @scenario -q -r 3 --shard 0/2 --out @shard0");
    run("run @scenario -q -r 3 --shard 1/2 --out @shard1");
    run("merge @shard0 @shard1 -q --out @merged");
    assert_eq!(
        text(&out("run"), "summary.csv"),
        text(&out("merged"), "summary.csv")
    );
    run("compare @scenario --alt nodes.gate.servers=3 -q -r 3 --out @compare");
    complete(&out("compare"));
    run("compare --results @run @merged -q --out @compare-results");
    run("sweep @scenario --vary nodes.gate.servers=2,3 -q -r 2 --out @sweep");
    complete(&out("sweep"));
    let o = run("validate @scenario");
    assert!(String::from_utf8_lossy(&o.stdout).contains("valid"));
}

/// Runs corridor with its stdout connected to a pipe whose reading end is closed at once, as
/// `corridor ... | head -1` does once head has its line.
fn with_closed_stdout(args: &[&str], cwd: &Path) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run corridor");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for corridor")
}

/// Class 2: a closed stdout is a normal end for every command (exit 0, no panic), and the
/// results folder is complete, since every command commits it before printing.
#[test]
fn a_closed_stdout_is_a_normal_end() {
    let dir = workdir();
    let d = dir.path();
    crate::whatif::write_alt(d);
    for (line, folder) in [
        ("run s.toml -r 3 --out run", Some("run")),
        ("run s.toml -r 3 --shard 0/2 --out s0", Some("s0")),
        ("run s.toml -r 3 --shard 1/2 --out s1", Some("s1")),
        ("merge s0 s1 --out merged", Some("merged")),
        ("compare s.toml alt.toml -r 3 --out cmp", Some("cmp")),
        (
            "sweep s.toml --vary nodes.gate.servers=2,3 -r 2 --out sw",
            Some("sw"),
        ),
        ("validate s.toml", None),
    ] {
        let o = with_closed_stdout(&words(line), d);
        succeeded(&o, line);
        if let Some(f) = folder {
            complete(&d.join(f));
        }
    }
    assert_eq!(
        text(&d.join("run"), "summary.csv"),
        text(&d.join("merged"), "summary.csv")
    );
}

/// Class 3: `--jobs` beyond the processors available is capped at them, with a warning; the
/// manifest records the threads used and the files are those of any other `--jobs`.
#[test]
fn jobs_beyond_the_processors_are_capped_with_a_warning() {
    let dir = workdir();
    let d = dir.path();
    let cores = std::thread::available_parallelism().unwrap().get();
    let o = ok(&words("run s.toml -q -r 3 --jobs 5000 --out many"), d);
    assert!(
        stderr(&o).contains(&format!(
            "warning: --jobs 5000 is more than the {cores} processor(s) available; using {cores}"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(manifest(&d.join("many"))["jobs"], cores);
    let o = ok(&words("run s.toml -q -r 3 --jobs 1 --out one"), d);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    crate::whatif::same_files(&d.join("many"), &d.join("one"), &crate::whatif::CSVS);
}

/// Class 4: a `--vary` value with `..` in it is a range only when it is `number..number:step`;
/// a parent-folder path such as `../data/a.csv` is a value, alone or in a list.
#[test]
fn a_parent_folder_path_in_vary_is_a_value_not_a_range() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("sc")).unwrap();
    fs::create_dir_all(d.join("data")).unwrap();
    fs::write(d.join("data/a.csv"), "hours\n1.0\n1.5\n2.0\n").unwrap();
    fs::write(d.join("data/b.csv"), "hours\n0.5\n1.0\n").unwrap();
    let s = S.replace(
        "service = { dist = \"exponential\", mean = \"1.5h\" }",
        "service = { dist = \"empirical\", file = \"../data/a.csv\", column = \"hours\" }",
    );
    fs::write(d.join("sc/s.toml"), s).unwrap();
    for (values, points) in [("../data/b.csv", 1), ("../data/a.csv,../data/b.csv", 2)] {
        let line =
            format!("sweep sc/s.toml --vary nodes.gate.service.file={values} -q -r 2 --out sw");
        let o = ok(&words(&line), d);
        assert!(!stderr(&o).contains("range"), "{}", stderr(&o));
        let grid = &manifest(&d.join("sw"))["sweep"]["points"];
        assert_eq!(grid.as_array().unwrap().len(), points, "{values}");
        assert!(text(&d.join("sw"), "sweep.csv").contains(",../data/b.csv,node,gate,"));
    }
    // Ranges keep their checks.
    let o = corridor(
        &words("sweep sc/s.toml --vary nodes.gate.servers=1..4 --out bad"),
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no :step"), "{}", stderr(&o));
}

/// Class 5: overrides write to `results/<name>-<8 hex digits of the resolved scenario>`, never
/// over the unmodified run; a folder is replaced only by a rerun of what made it (the same
/// resolved scenario, or the same file with the same overrides, edited or not), else `--force`.
#[test]
fn default_folders_never_replace_other_results() {
    let dir = workdir();
    let d = dir.path();
    crate::whatif::write_alt(d);
    let run = |line: &str| ok(&words(line), d);
    let refused = |line: &str| {
        let o = corridor(&words(line), d);
        assert_eq!(o.status.code(), Some(2), "{line}: {}", stderr(&o));
        assert!(stderr(&o).contains("--force"), "{line}: {}", stderr(&o));
    };
    run("run s.toml -q -r 2");
    let plain = text(&d.join("results/wi"), "summary.csv");
    run("run s.toml -q -r 2 --set nodes.gate.servers=3");
    assert_eq!(text(&d.join("results/wi"), "summary.csv"), plain);
    let all = entries(&d.join("results"));
    assert_eq!(all.len(), 2, "{all:?}");
    let h = &all[1];
    let resolved = manifest(&d.join("results").join(h))["scenarios"][0]["resolved_sha256"]
        .as_str()
        .unwrap()[..8]
        .to_string();
    assert_eq!(*h, format!("wi-{resolved}"));
    // The same overrides again: the same folder, replaced without --force.
    run("run s.toml -q -r 3 --set nodes.gate.servers=3");
    assert_eq!(manifest(&d.join("results").join(h))["replications"], 3);
    // Another seed is the same scenario; an edited file rerun into its own folder is too.
    run("run s.toml -q -r 2 --seed 5");
    fs::write(d.join("s.toml"), S.replace("servers = 1", "servers = 2")).unwrap();
    run("run s.toml -q -r 2");
    // Other overrides or another scenario in that folder need --force.
    let overridden = "run s.toml -q -r 2 --set nodes.gate.servers=4 --out results/wi";
    refused(overridden);
    refused("run alt.toml -q -r 2 --out results/wi");
    refused("sweep s.toml -q -r 2 --vary nodes.gate.servers=2,3 --out results/wi");
    run(&format!("{overridden} --force"));
    // A folder corridor did not write needs --force; its files are kept.
    fs::create_dir(d.join("mine")).unwrap();
    fs::write(d.join("mine/thesis.tex"), "mine").unwrap();
    refused("run s.toml -q -r 2 --out mine");
    run("run s.toml -q -r 2 --out mine --force");
    assert_eq!(text(&d.join("mine"), "thesis.tex"), "mine");
    // Sweep and compare: the hash with overrides, the plain name without.
    run("sweep s.toml -q -r 2 --vary nodes.gate.servers=2,3 --set flows.box.teu=1");
    run("compare s.toml -q -r 2 --alt nodes.gate.servers=3");
    run("compare s.toml -q -r 2 --alt nodes.gate.servers=4");
    run("compare s.toml alt.toml -q -r 2");
    refused("compare s.toml s.toml -q -r 2");
    let all = entries(&d.join("results"));
    let count = |f: &dyn Fn(&String) -> bool| all.iter().filter(|n| f(n)).count();
    assert_eq!(all.len(), 6, "{all:?}");
    assert_eq!(all[0], "compare-wi", "{all:?}");
    assert_eq!(count(&|n| n.starts_with("compare-wi-")), 2, "{all:?}");
    assert_eq!(
        count(&|n| n.starts_with("wi-") && n.ends_with("-sweep")),
        1,
        "{all:?}"
    );
}
