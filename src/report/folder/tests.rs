//! The results folder's guarantees, one test each.

use super::*;
use crate::report::manifest::sha256_hex;

pub(super) struct Text(pub(super) &'static str, pub(super) &'static str);

impl Export for Text {
    fn file_name(&self) -> &'static str {
        self.0
    }
    fn serialize(&self) -> io::Result<Vec<u8>> {
        Ok(self.1.as_bytes().to_vec())
    }
}

pub(super) fn manifest() -> Manifest {
    serde_json::from_str(
        r#"{"corridor_version": "0", "kind": "run", "command_line": [], "written_unix": 0,
            "scenarios": [], "seed": 1, "replications": 1, "jobs": 1, "wall_seconds": 0,
            "outputs": {}}"#,
    )
    .unwrap()
}

fn commit(dir: &Path, files: &[Text]) -> Result<Vec<PathBuf>> {
    let mut f = ResultsFolder::new(dir)?;
    for x in files {
        f.add(x)?;
    }
    f.commit(&mut manifest())
}

/// Everything in `dir`, sorted, hidden entries included.
pub(super) fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_new_folder_gets_every_file_and_a_manifest_that_hashes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a/b");
    let written = commit(&dir, &[Text("x.csv", "1\n"), Text("y.csv", "2\n")]).unwrap();
    assert_eq!(
        written,
        ["x.csv", "y.csv", "manifest.json"].map(|f| dir.join(f))
    );
    assert_eq!(entries(&dir), ["manifest.json", "x.csv", "y.csv"]);
    assert_eq!(
        entries(&tmp.path().join("a")),
        ["b"],
        "no lock or staging left"
    );
    let (m, _) = Manifest::read(&dir).unwrap();
    assert_eq!(m.outputs["x.csv"], sha256_hex(b"1\n"));
    assert_eq!(m.outputs["y.csv"], sha256_hex(b"2\n"));
    assert_eq!(m.outputs.len(), 2);
}

#[test]
fn an_existing_folder_keeps_its_other_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("x.csv"), "old").unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    commit(dir, &[Text("x.csv", "new")]).unwrap();
    assert_eq!(entries(dir), ["manifest.json", "notes.txt", "x.csv"]);
    assert_eq!(fs::read_to_string(dir.join("x.csv")).unwrap(), "new");
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn a_failed_commit_restores_the_old_files_and_leaves_no_debris() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    commit(&dir, &[Text("x.csv", "old x"), Text("z.csv", "old z")]).unwrap();
    let before: Vec<Vec<u8>> = ["x.csv", "z.csv", "manifest.json"]
        .iter()
        .map(|f| fs::read(dir.join(f)).unwrap())
        .collect();
    // y.csv cannot be written: a folder has its name. x.csv was replaced before that.
    fs::create_dir(dir.join("y.csv")).unwrap();
    fs::write(dir.join("y.csv/keep"), "").unwrap();
    let files = [
        Text("x.csv", "new x"),
        Text("y.csv", "new y"),
        Text("z.csv", "new z"),
    ];
    let e = commit(&dir, &files).unwrap_err();
    assert!(e.to_string().contains("cannot write"), "{e}");
    let after: Vec<Vec<u8>> = ["x.csv", "z.csv", "manifest.json"]
        .iter()
        .map(|f| fs::read(dir.join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
    assert_eq!(entries(&dir), ["manifest.json", "x.csv", "y.csv", "z.csv"]);
    assert_eq!(entries(&dir.join("y.csv")), ["keep"]);
    assert_eq!(entries(tmp.path()), ["out"], "no lock left");
}

#[test]
fn an_unwritable_folder_is_refused_before_the_work() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("f");
    fs::write(&file, "").unwrap();
    for dir in [file.clone(), file.join("sub"), file.join("sub/deeper")] {
        let e = ResultsFolder::new(&dir).unwrap_err();
        assert!(e.to_string().contains("is a file, not a folder"), "{e}");
        assert_eq!(e.exit_code(), 1);
    }
    ResultsFolder::new(tmp.path().join("new/deeper")).unwrap();
    assert_eq!(entries(tmp.path()), ["f"], "the check creates nothing");
}

#[test]
fn a_lock_held_by_another_writer_refuses_the_commit() {
    // The lock is held from ResultsFolder::new (before the work), so that is where it fails.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    fs::write(tmp.path().join(".out.lock"), "").unwrap();
    let e = ResultsFolder::new(&dir).unwrap_err();
    assert!(e.to_string().contains("another corridor is writing"), "{e}");
    assert!(e.to_string().contains(".out.lock"), "{e}");
    assert_eq!(entries(tmp.path()), [".out.lock"], "nothing written");
}

#[test]
fn an_input_folder_is_not_an_output() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shard");
    fs::create_dir(&input).unwrap();
    let e = ResultsFolder::new(tmp.path().join("shard/../shard"))
        .unwrap()
        .refuse_inputs(&[&input])
        .unwrap_err();
    assert!(e.to_string().contains("is the input folder"), "{e}");
    ResultsFolder::new(tmp.path().join("other"))
        .unwrap()
        .refuse_inputs(&[&input])
        .unwrap();
}

#[test]
fn the_lock_is_held_from_new_to_the_commit_and_released_after() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a/out");
    let mut first = ResultsFolder::new(&dir).unwrap();
    assert_eq!(entries(&tmp.path().join("a")), [".out.lock"]);
    let e = ResultsFolder::new(tmp.path().join("a/../a/out")).unwrap_err();
    assert!(e.to_string().contains("another corridor is writing"), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("process {}", std::process::id())),
        "{e}"
    );
    first.add(&Text("x.csv", "1\n")).unwrap();
    first.commit(&mut manifest()).unwrap();
    assert_eq!(entries(&tmp.path().join("a")), ["out"]);
    // Dropped without a commit: the lock and the parents it created go.
    drop(ResultsFolder::new(tmp.path().join("b/c/out")).unwrap());
    assert_eq!(entries(tmp.path()), ["a"]);
}

#[test]
fn a_rerun_replaces_the_old_results_and_carries_everything_else_over() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    commit(&dir, &[Text("x.csv", "old x"), Text("z.csv", "old z")]).unwrap();
    commit(&dir.join("shard-0-of-2"), &[Text("r.csv", "shard")]).unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    commit(&dir, &[Text("x.csv", "new x")]).unwrap();
    // z.csv belonged to the old results (its manifest listed it): replaced by nothing.
    assert_eq!(
        entries(&dir),
        ["manifest.json", "notes.txt", "shard-0-of-2", "x.csv"]
    );
    assert_eq!(fs::read_to_string(dir.join("x.csv")).unwrap(), "new x");
    assert_eq!(
        fs::read_to_string(dir.join("shard-0-of-2/r.csv")).unwrap(),
        "shard"
    );
    assert_eq!(
        entries(tmp.path()),
        ["out"],
        "nothing set aside or staged is left"
    );
}

#[test]
fn what_a_killed_process_left_is_cleaned_up_or_put_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    commit(&dir, &[Text("x.csv", "old")]).unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    // Killed between its two renames: the old folder aside, the new one staged, a stale lock.
    // Process ids above the kernel's limit (4194304) never run.
    let dead = "corridor process 99999999\n";
    let me = lock::tests_holder_text(99_999_999);
    fs::rename(&dir, tmp.path().join(".out.old-99999999-0")).unwrap();
    fs::create_dir(tmp.path().join(".out.tmp-99999999-1")).unwrap();
    fs::write(tmp.path().join(".out.tmp-99999999-1/x.csv"), "half").unwrap();
    fs::write(tmp.path().join(".out.lock"), &me).unwrap();
    let folder = ResultsFolder::new(&dir).unwrap();
    assert_eq!(entries(tmp.path()), [".out.lock", "out"]);
    assert_eq!(fs::read_to_string(dir.join("x.csv")).unwrap(), "old");
    drop(folder);
    // A lock without a full record of its holder is never taken over.
    fs::write(tmp.path().join(".out.lock"), dead).unwrap();
    assert!(ResultsFolder::new(&dir).is_err());
    fs::remove_file(tmp.path().join(".out.lock")).unwrap();
    // Killed after its new folder was in place: the entries still aside are carried over.
    fs::create_dir(tmp.path().join(".out.old-99999999-2")).unwrap();
    fs::write(tmp.path().join(".out.old-99999999-2/more.txt"), "more").unwrap();
    commit(&dir, &[Text("x.csv", "new")]).unwrap();
    assert_eq!(
        entries(&dir),
        ["manifest.json", "more.txt", "notes.txt", "x.csv"]
    );
    assert_eq!(entries(tmp.path()), ["out"]);
}

#[test]
fn an_output_inside_or_around_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shard");
    fs::create_dir(&input).unwrap();
    for (out, says) in [
        (input.join("merged"), "is inside the input folder"),
        (tmp.path().to_path_buf(), "contains the input folder"),
    ] {
        let e = ResultsFolder::new(&out)
            .unwrap()
            .refuse_inputs(&[&input])
            .unwrap_err();
        assert!(e.to_string().contains(says), "{e}");
    }
    assert_eq!(entries(tmp.path()), ["shard"]);
}
