//! `hashsim run`'s output folder as README promises it: a failed, interrupted or killed run
//! leaves no partial folder; a re-run replaces its own folder whole; a folder that is not a
//! run's is refused unless `--force`, which touches only the run's own files; a second writer
//! to the same folder is refused while the first runs.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Everything in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A run long enough to be caught in the act (minutes if left alone).
fn start_long_run(scenario: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hashsim"))
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--quiet", "--set", "simulation.days=36000", "--set", "simulation.replicates=8"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hashsim")
}

/// Waits until the run has a staging folder with files in it, beside `out`.
fn wait_for_staging(parent: &Path, name: &str) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let staging = names(parent).into_iter().find(|n| n.starts_with(&format!(".{name}.staging-")));
        if let Some(s) = staging {
            let p = parent.join(s);
            if !names(&p.join(".parts")).is_empty() {
                return p;
            }
        }
        assert!(Instant::now() < deadline, "no staging folder appeared in {}", parent.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("hashsim did not exit after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill").arg(format!("-{sig}")).arg(child.id().to_string()).status().unwrap().success();
    assert!(ok, "kill -{sig} failed");
}

/// Catches an interrupted run that leaves its partial outputs (the old `.parts-PID` folders
/// of up to 600 MB, a lone timeseries.csv) or an empty folder behind.
#[test]
fn an_interrupted_run_leaves_nothing_and_a_second_writer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 20, 3, 1));
    let out = dir.path().join("out");
    let mut child = start_long_run(&f, &out);
    wait_for_staging(dir.path(), "out");

    // A second writer to the same folder, spelled differently, is refused at once.
    let other = dir.path().join("x").join("..").join("out");
    let second = hashsim().arg("run").arg(&f).arg("--out").arg(&other).arg("-q").assert().failure().code(1);
    let err = String::from_utf8_lossy(&second.get_output().stderr).into_owned();
    assert!(err.contains("another hashsim process is writing to"), "{err}");

    signal(&child, "TERM");
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(names(dir.path()), ["s.toml"], "leftovers after SIGTERM");
}

/// Catches leftovers of a killed run (SIGKILL cannot be caught) that are never removed: the
/// next run into the same folder removes them and succeeds.
#[test]
fn a_killed_runs_leftovers_go_with_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 20, 3, 1));
    let out = dir.path().join("out");
    let mut child = start_long_run(&f, &out);
    let staging = wait_for_staging(dir.path(), "out");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staging.exists(), "SIGKILL should leave the staging folder for this test to mean anything");
    assert!(!out.exists(), "a killed run published a folder");
    run_ok(&f, &out, &[]);
    assert_eq!(names(dir.path()), ["out", "s.toml"]);
    assert_eq!(
        names(&out),
        ["events.csv", "manifest.json", "operators.csv", "pools.csv", "summary.csv", "supply.csv", "timeseries.csv"]
    );
}

/// Catches a failure at run time (not at validation) that leaves an empty or partial folder.
#[test]
fn a_run_that_fails_while_running_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 20, 3, 1));
    let out = dir.path().join("out");
    // The output's parent is a file: nothing can be created there.
    let blocker = write(dir.path(), "file", "x");
    hashsim().arg("run").arg(&f).arg("--out").arg(blocker.join("out")).arg("-q").assert().failure().code(1);
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");
    // A folder that cannot hold the staging folder's rename target: out is a file.
    std::fs::write(&out, "not a folder").unwrap();
    let a = hashsim().arg("run").arg(&f).arg("--out").arg(&out).arg("-q").arg("--force").assert().failure().code(1);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("not a folder"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "not a folder");
    let mut left = names(dir.path());
    left.retain(|n| n.contains("staging"));
    assert!(left.is_empty(), "{left:?}");
}

/// Catches a re-run that leaves the previous run's files beside the new ones (a replicate
/// count that shrank kept old replicates' rows in no file, but old extra files stayed).
#[test]
fn a_rerun_replaces_its_own_folder_whole() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 10, 3, 2));
    let out = dir.path().join("out");
    run_ok(&f, &out, &[]);
    std::fs::create_dir(out.join("figures")).unwrap();
    std::fs::write(out.join("figures").join("old.svg"), "<svg/>").unwrap();
    run_ok(&f, &out, &["--set", "simulation.replicates=1"]);
    assert_eq!(
        names(&out),
        ["events.csv", "manifest.json", "operators.csv", "pools.csv", "summary.csv", "supply.csv", "timeseries.csv"]
    );
    assert_eq!(read_csv(&out.join("summary.csv")).len(), 1);
}

/// Catches `run --out D` silently replacing files it did not write (a foreign manifest.json,
/// a sweep's folder), and `--force` deleting what is not the run's.
#[test]
fn a_foreign_folder_is_refused_unless_forced_and_its_other_files_survive() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 10, 3, 1));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    write(&out, "manifest.json", r#"{"kind": "sweep", "runs": 4}"#);
    write(&out, "notes.md", "mine");
    let a = hashsim().arg("run").arg(&f).arg("--out").arg(&out).arg("-q").assert().failure().code(1);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("--force") && err.contains("notes.md"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("manifest.json")).unwrap(), r#"{"kind": "sweep", "runs": 4}"#);
    run_ok(&f, &out, &["--force"]);
    assert_eq!(std::fs::read_to_string(out.join("notes.md")).unwrap(), "mine");
    assert!(std::fs::read_to_string(out.join("manifest.json")).unwrap().contains("\"kind\": \"run\""));
    assert!(out.join("timeseries.csv").is_file());
}
