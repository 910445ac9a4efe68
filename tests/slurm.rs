//! The Slurm side of sweeps without a cluster: shards taken from the job-array environment,
//! and the job scripts in scripts/slurm run as a job array would run them. (The real cluster
//! test is scripts/slurm/ci-test.sh, run by .ci/run.)

mod common;

use common::{hashsim, small_economy, sweep_ok, write};
use std::path::{Path, PathBuf};
use std::process::Command;

const SWEEP: &str = r#"
[sweep]
name = "arr"
base = "base.toml"
seed = 5
replicates = 2

[[axes]]
key = "price.initial_usd"
values = [60000, 75000, 90000]

[[axes]]
key = "fees.mean_btc_per_block"
range = { from = 0.02, to = 0.2, steps = 2, scale = "log" }
"#;

fn setup(dir: &Path) -> PathBuf {
    write(dir, "base.toml", &small_economy("base", 8, 1, 1));
    write(dir, "sweep.toml", SWEEP)
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm")
}

fn same(a: &Path, b: &Path) {
    for f in ["runs.csv", "aggregate.csv"] {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between {} and {}", a.display(), b.display());
    }
}

fn manifest_shard(dir: &Path) -> serde_json::Value {
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    m["shard"].clone()
}

#[test]
fn the_shard_comes_from_the_job_array_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let local = dir.path().join("local");
    sweep_ok(&file, &local, &[]);
    // --array=1-3: task ids 1, 2, 3 are shards 0/3, 1/3, 2/3.
    let mut shards = Vec::new();
    for id in 1..=3 {
        let out = dir.path().join(format!("task{id}"));
        hashsim()
            .env("SLURM_ARRAY_TASK_ID", id.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .assert()
            .success();
        assert_eq!(manifest_shard(&out), serde_json::json!({"index": id - 1, "count": 3, "runs": 4}));
        shards.push(out);
    }
    let merged = dir.path().join("merged");
    hashsim().arg("merge").args(&shards).arg("--out").arg(&merged).assert().success();
    same(&local, &merged);

    // --shard wins over the environment.
    let whole = dir.path().join("whole");
    hashsim()
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .args(["sweep", "--shard", "0/1", "-q", "--out"])
        .arg(&whole)
        .arg(&file)
        .assert()
        .success();
    assert!(manifest_shard(&whole).is_null());
    same(&local, &whole);

    // A task id outside the array is refused.
    hashsim()
        .env("SLURM_ARRAY_TASK_ID", "7")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("bad"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("must be below N = 3"));
}

#[test]
fn job_scripts_run_the_shards_and_the_merge() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let local = dir.path().join("local");
    sweep_ok(&file, &local, &[]);
    let bin = assert_cmd::cargo::cargo_bin("hashsim");
    let out = dir.path().join("slurm");
    for id in 0..4 {
        let status = Command::new("bash")
            .arg(scripts().join("sweep.sbatch"))
            .arg(&file)
            .arg(&out)
            .arg(&bin)
            .env("SLURM_ARRAY_TASK_ID", id.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", "4")
            .env("SLURM_ARRAY_TASK_MIN", "0")
            .status()
            .unwrap();
        assert!(status.success());
        assert!(out.join(format!("shards/shard-{id}-of-4/runs.csv")).is_file());
    }
    // A resubmitted task resumes its finished shard instead of failing.
    let again = Command::new("bash")
        .arg(scripts().join("sweep.sbatch"))
        .arg(&file)
        .arg(&out)
        .arg(&bin)
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "4")
        .status()
        .unwrap();
    assert!(again.success());
    let status =
        Command::new("bash").arg(scripts().join("merge.sbatch")).arg(&out).arg("4").arg(&bin).status().unwrap();
    assert!(status.success());
    same(&local, &out);

    // Outside a job array the task script refuses to guess.
    let outside = Command::new("bash")
        .arg(scripts().join("sweep.sbatch"))
        .arg(&file)
        .arg(&out)
        .arg(&bin)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert!(!outside.status.success());
    assert!(String::from_utf8_lossy(&outside.stderr).contains("not a job-array task"));
}

#[test]
fn scripts_parse() {
    for name in ["local-cluster.sh", "wait.sh", "submit.sh", "ci-test.sh", "sweep.sbatch", "merge.sbatch"] {
        let path = scripts().join(name);
        assert!(path.is_file(), "{name} missing");
        let st = Command::new("bash").arg("-n").arg(&path).status().unwrap();
        assert!(st.success(), "{name} has a syntax error");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert!(mode & 0o111 != 0, "{name} is not executable");
        }
    }
    // submit.sh checks its arguments before touching Slurm.
    let out =
        Command::new("bash").arg(scripts().join("submit.sh")).arg("/nonexistent.toml").arg("/tmp/x").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sweep file"));
}
