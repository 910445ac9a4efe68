//! `hashsim sweep` and `hashsim merge` through the real binary: the same files whatever the
//! thread count or sharding, resume after a kill, merge refusals, expansion order, errors.

mod common;

use common::{hashsim, num, read_csv, small_economy, sweep_ok, write};
use std::path::{Path, PathBuf};

/// A small base scenario (300 operators, an event on day 5) and a sweep over it.
fn setup(dir: &Path, days: u32, sweep: &str) -> PathBuf {
    write(dir, "base.toml", &small_economy("base", days, 1, 1));
    write(dir, "sweep.toml", sweep)
}

/// Two grid axes (a list and a range over an event field) x 3 replicates: 18 runs.
const GRID: &str = r#"
[sweep]
name = "grid"
base = "base.toml"
seed = 42
replicates = 3
set = { "fees.log_sd" = 0.4 }

[[axes]]
key = "price.initial_usd"
values = [60000, 90000]

[[axes]]
key = "events.0.change"
range = { from = -0.5, to = -0.1, steps = 3 }
"#;

/// `hashsim`, outside any Slurm job array even when the tests run inside one.
fn cmd() -> assert_cmd::Command {
    let mut c = hashsim();
    c.env_remove("SLURM_ARRAY_TASK_ID");
    c
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn assert_same_outputs(a: &Path, b: &Path) {
    for f in ["runs.csv", "aggregate.csv"] {
        assert!(bytes(&a.join(f)) == bytes(&b.join(f)), "{f} differs between {} and {}", a.display(), b.display());
    }
}

fn run_shards(file: &Path, dir: &Path, n: u32) -> Vec<PathBuf> {
    (0..n)
        .map(|k| {
            let out = dir.join(format!("shard{k}"));
            sweep_ok(file, &out, &["--shard", &format!("{k}/{n}")]);
            out
        })
        .collect()
}

fn merge(dirs: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    cmd().arg("merge").args(dirs).arg("--out").arg(out).arg("-q").assert()
}

#[test]
fn jobs_and_shards_give_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path(), 12, GRID);
    let one = dir.path().join("j1");
    let two = dir.path().join("j2");
    sweep_ok(&file, &one, &["--jobs", "1"]);
    sweep_ok(&file, &two, &["--jobs", "2"]);
    assert_same_outputs(&one, &two);

    let mut shards = run_shards(&file, dir.path(), 3);
    for s in &shards {
        assert!(!s.join("aggregate.csv").exists(), "a shard has no aggregate of its own");
        assert_eq!(read_csv(&s.join("runs.csv")).len(), 6);
    }
    shards.reverse(); // folder order does not matter
    let merged = dir.path().join("merged");
    merge(&shards, &merged).success();
    assert_same_outputs(&one, &merged);

    let runs = read_csv(&one.join("runs.csv"));
    assert_eq!(runs.len(), 18);
    let ids: Vec<&str> = runs.iter().map(|r| r["run_id"].as_str()).collect();
    assert_eq!(ids[..3], ["r000000", "r000001", "r000002"]);
    assert_eq!(ids[17], "r000017");
    let agg = read_csv(&one.join("aggregate.csv"));
    assert_eq!(agg.len(), 6);
    assert!(agg.iter().all(|r| r["replicates"] == "3"));
    for col in ["hashrate_eh_s_min_mean", "hashrate_eh_s_min_p5", "hashrate_eh_s_min_p50", "hashrate_eh_s_min_p95"] {
        assert!(agg[0].contains_key(col), "aggregate.csv lacks {col}");
    }
    let manifest: serde_json::Value = serde_json::from_slice(&bytes(&merged.join("manifest.json"))).unwrap();
    assert_eq!(manifest["runs"], 18);
    assert_eq!(manifest["merged_from"].as_array().unwrap().len(), 3);
    let m1: serde_json::Value = serde_json::from_slice(&bytes(&one.join("manifest.json"))).unwrap();
    assert_eq!(m1["fingerprint"], manifest["fingerprint"]);
    assert_eq!(m1["axes"][1]["values"], serde_json::json!(["-0.5", "-0.3", "-0.1"]));
}

#[test]
fn grid_order_is_pinned_first_axis_slowest() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path(), 8, GRID);
    let out = dir.path().join("o");
    sweep_ok(&file, &out, &["--jobs", "2"]);
    let runs = read_csv(&out.join("runs.csv"));
    let got: Vec<(String, String, String, String)> = runs
        .iter()
        .map(|r| {
            (r["point"].clone(), r["replicate"].clone(), r["price.initial_usd"].clone(), r["events.0.change"].clone())
        })
        .collect();
    let mut want = Vec::new();
    for (p, (price, change)) in [
        ("60000", "-0.5"),
        ("60000", "-0.3"),
        ("60000", "-0.1"),
        ("90000", "-0.5"),
        ("90000", "-0.3"),
        ("90000", "-0.1"),
    ]
    .iter()
    .enumerate()
    {
        for rep in 0..3 {
            want.push((p.to_string(), rep.to_string(), price.to_string(), change.to_string()));
        }
    }
    assert_eq!(got, want);
    // Seeds are distinct across runs and fixed by (sweep seed, point, replicate).
    let mut seeds: Vec<&str> = runs.iter().map(|r| r["seed"].as_str()).collect();
    seeds.sort_unstable();
    seeds.dedup();
    assert_eq!(seeds.len(), 18);
}

#[test]
fn log_ranges_steps_and_latin_hypercube_expand_as_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = r#"
[sweep]
name = "expand"
base = "base.toml"
seed = 9
replicates = 1
samples = 4
method = "lhs"

[[axes]]
key = "fees.mean_btc_per_block"
range = { from = 0.01, to = 1, steps = 3, scale = "log" }

[[axes]]
key = "price.log_return_sd_per_day"
sample = { min = 0.01, max = 0.05 }

[[axes]]
key = "price.initial_usd"
range = { from = 50000, to = 70000, step = 10000 }

[[axes]]
key = "fees.log_sd"
sample = { min = 0.1, max = 1, scale = "log" }
"#;
    let file = setup(dir.path(), 6, sweep);
    // 3 (log range) x 4 (joint samples) x 3 (stepped range) = 36 points.
    cmd()
        .arg("sweep")
        .arg(&file)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicates::str::contains("expand: 36 point(s) x 1 replicate(s) = 36 runs"));
    let out = dir.path().join("o");
    sweep_ok(&file, &out, &[]);
    let runs = read_csv(&out.join("runs.csv"));
    assert_eq!(runs.len(), 36);
    let col = |k: &str, i: usize| runs[i][k].clone();
    // First axis slowest; the sampled axes move together, at the place of the first of them.
    let fees: Vec<String> = (0..36).step_by(12).map(|i| col("fees.mean_btc_per_block", i)).collect();
    assert_eq!(fees, ["0.01", "0.1", "1"]);
    let usd: Vec<String> = (0..3).map(|i| col("price.initial_usd", i)).collect();
    assert_eq!(usd, ["50000", "60000", "70000"]);
    let sd: Vec<f64> = (0..12).step_by(3).map(|i| col("price.log_return_sd_per_day", i).parse().unwrap()).collect();
    let log_sd: Vec<f64> = (0..12).step_by(3).map(|i| col("fees.log_sd", i).parse().unwrap()).collect();
    // The same 4 samples under every value of the other axes.
    for i in 0..36 {
        assert_eq!(col("price.log_return_sd_per_day", i), col("price.log_return_sd_per_day", i % 12 / 3 * 3));
    }
    // Latin hypercube: one sample in each quarter of each sampled range (log scale for log_sd).
    let mut q: Vec<usize> = sd.iter().map(|x| ((x - 0.01) / 0.04 * 4.0) as usize).collect();
    q.sort_unstable();
    assert_eq!(q, [0, 1, 2, 3]);
    let mut q: Vec<usize> = log_sd.iter().map(|x| ((x.log10() + 1.0) * 4.0) as usize).collect();
    q.sort_unstable();
    assert_eq!(q, [0, 1, 2, 3]);
    // Pinned draws: the same file gives the same samples on every machine.
    let again = dir.path().join("again");
    sweep_ok(&file, &again, &["--jobs", "1"]);
    assert_same_outputs(&out, &again);
}

/// Keeps the journal's two header lines, `keep` rows and `half` bytes of the next row.
fn truncate_journal(src: &Path, dest: &Path, keep: usize, half: usize) {
    let text = String::from_utf8(bytes(src)).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out: String = lines[..2 + keep].concat();
    out.push_str(&lines[2 + keep][..half]);
    std::fs::write(dest, out).unwrap();
}

#[test]
fn resume_after_a_partial_journal_completes_identically() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path(), 10, GRID);
    let full = dir.path().join("full");
    sweep_ok(&file, &full, &["--jobs", "2"]);

    for (keep, half) in [(0, 0), (5, 7), (11, 1), (17, 0)] {
        let part = dir.path().join(format!("part{keep}"));
        std::fs::create_dir_all(&part).unwrap();
        truncate_journal(&full.join("runs.journal"), &part.join("runs.journal"), keep, half);
        // Without --resume the folder is refused, not overwritten.
        cmd()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&part)
            .arg("-q")
            .assert()
            .failure()
            .stderr(predicates::str::contains("--resume"));
        sweep_ok(&file, &part, &["--resume", "--jobs", "2"]);
        assert_same_outputs(&full, &part);
        let journal = String::from_utf8(bytes(&part.join("runs.journal"))).unwrap();
        assert_eq!(journal.lines().count(), 2 + 18, "each run once in the journal");
    }
    // A journal cut inside its header (killed at once) holds nothing: --resume starts afresh.
    let cut = dir.path().join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    std::fs::write(cut.join("runs.journal"), &bytes(&full.join("runs.journal"))[..10]).unwrap();
    sweep_ok(&file, &cut, &["--resume"]);
    assert_same_outputs(&full, &cut);
    // Resuming a finished sweep runs nothing and rewrites the same files.
    sweep_ok(&file, &full, &["--resume"]);
    assert_same_outputs(&full, &dir.path().join("part17"));

    // A journal of another sweep, or another shard, is refused.
    let other = write(dir.path(), "other.toml", &GRID.replace("seed = 42", "seed = 43"));
    cmd()
        .arg("sweep")
        .arg(&other)
        .arg("--out")
        .arg(&full)
        .arg("--resume")
        .assert()
        .failure()
        .stderr(predicates::str::contains("another sweep"));
    cmd()
        .args(["sweep", "--shard", "1/2", "--resume", "-q"])
        .arg(&file)
        .arg("--out")
        .arg(&full)
        .assert()
        .failure()
        .stderr(predicates::str::contains("shard"));
}

#[test]
fn resume_after_killing_a_sweep_half_way() {
    let dir = tempfile::tempdir().unwrap();
    // 48 runs of 400 days: long enough (a second or more) to be killed part-way.
    let sweep = GRID.replace("replicates = 3", "replicates = 8");
    let file = setup(dir.path(), 400, &sweep);
    let reference = dir.path().join("ref");
    sweep_ok(&file, &reference, &["--jobs", "2"]);

    let out = dir.path().join("killed");
    let bin = assert_cmd::cargo::cargo_bin("hashsim");
    let mut child = std::process::Command::new(bin)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--jobs", "2", "-q"])
        .spawn()
        .unwrap();
    let journal = out.join("runs.journal");
    let rows = || std::fs::read_to_string(&journal).map(|t| t.lines().count().saturating_sub(2)).unwrap_or(0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while rows() < 4 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(child.try_wait().unwrap().is_none(), "the sweep finished before it could be killed");
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let done = rows();
    assert!((4..48).contains(&done), "killed with {done} of 48 runs in the journal");
    assert!(!out.join("runs.csv").exists());
    sweep_ok(&file, &out, &["--resume", "--jobs", "2"]);
    assert_same_outputs(&reference, &out);
}

#[test]
fn merge_refuses_missing_duplicated_and_mixed_shards() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path(), 8, GRID);
    let shards = run_shards(&file, dir.path(), 3);
    let out = dir.path().join("m");

    merge(&shards[..2], &out)
        .failure()
        .stderr(predicates::str::contains("6 of 18 runs are missing"))
        .stderr(predicates::str::contains("missing shard(s): 2/3"));
    merge(&[shards[0].clone(), shards[1].clone(), shards[1].clone(), shards[2].clone()], &out)
        .failure()
        .stderr(predicates::str::contains("is in both"));

    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let other_file =
        write(&other, "sweep.toml", &GRID.replace("steps = 3", "steps = 4").replace("base.toml", "../base.toml"));
    sweep_ok(&other_file, &other.join("s2"), &["--shard", "2/3"]);
    merge(&[shards[0].clone(), shards[1].clone(), other.join("s2")], &out)
        .failure()
        .stderr(predicates::str::contains("mixed sweeps"));

    // An unfinished shard: a journal, no runs.csv or manifest yet.
    let unfinished = dir.path().join("unfinished");
    std::fs::create_dir_all(&unfinished).unwrap();
    truncate_journal(&shards[2].join("runs.journal"), &unfinished.join("runs.journal"), 2, 3);
    merge(&[shards[0].clone(), shards[1].clone(), unfinished], &out)
        .failure()
        .stderr(predicates::str::contains("has not finished (2 runs in its journal"));

    merge(&shards, &shards[0]).failure().stderr(predicates::str::contains("would write into the shard folder"));
    assert!(!out.exists(), "a refused merge writes nothing");
    merge(&shards, &out).success();
}

#[test]
fn a_run_is_reproduced_by_hashsim_run_with_its_seed() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path(), 10, GRID);
    let out = dir.path().join("o");
    sweep_ok(&file, &out, &[]);
    let runs = read_csv(&out.join("runs.csv"));
    let row = &runs[10];
    let one = dir.path().join("one");
    common::run_ok(
        &dir.path().join("base.toml"),
        &one,
        &[
            "--set",
            "fees.log_sd=0.4",
            "--set",
            &format!("price.initial_usd={}", row["price.initial_usd"]),
            "--set",
            &format!("events.0.change={}", row["events.0.change"]),
            "--set",
            &format!("simulation.seed={}", row["seed"]),
        ],
    );
    let summary = read_csv(&one.join("summary.csv"));
    let mut compared = 0;
    for (k, v) in &summary[0] {
        if k == "replicate" {
            continue;
        }
        let a: f64 = if v.is_empty() { f64::NAN } else { v.parse().unwrap() };
        let b: f64 = if row[k].is_empty() { f64::NAN } else { row[k].parse().unwrap() };
        assert!(a == b || (a.is_nan() && b.is_nan()), "{k}: run {v} vs sweep {}", row[k]);
        compared += 1;
    }
    assert!(compared > 10);
}

#[test]
fn series_are_written_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path(), 7, GRID);
    let out = dir.path().join("o");
    sweep_ok(&file, &out, &["--series"]);
    for r in 0..18 {
        let rows = read_csv(&out.join("series").join(format!("r{r:06}.csv")));
        assert_eq!(rows.len(), 7);
    }
    // Shards' series are gathered by merge.
    let shards: Vec<PathBuf> = (0..2)
        .map(|k| {
            let s = dir.path().join(format!("s{k}"));
            sweep_ok(&file, &s, &["--series", "--shard", &format!("{k}/2")]);
            s
        })
        .collect();
    let merged = dir.path().join("m");
    merge(&shards, &merged).success();
    for r in 0..18 {
        let name = format!("r{r:06}.csv");
        assert_eq!(bytes(&merged.join("series").join(&name)), bytes(&out.join("series").join(&name)));
    }
}

/// Each bad sweep file: the expected message (with file:line:column) and nothing written.
#[test]
fn bad_sweep_files_are_located_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.toml", &small_economy("base", 10, 1, 1));
    let head = "[sweep]\nname = \"bad\"\nbase = \"base.toml\"\nseed = 1\n";
    let cases: Vec<(String, &str)> = vec![
        (format!("{head}spead = 2\n"), "bad.toml:5:1: unknown field `spead`"),
        (format!("{head}[[axes]]\nkey = \"price.initial_usd\"\nvalues = [1, 2]\nrange = {{ from = 1, to = 2, steps = 2 }}\n"), "bad.toml:5:1: axes[0]: price.initial_usd: give exactly one of"),
        (
            format!("{head}[[axes]]\nkey = \"price.log_return_sd_per_day\"\nvalues = [0.01, 3, 0.02]\n"),
            "bad.toml:7:17: axes[0].values[1]: price.log_return_sd_per_day = 3: must be between 0 and 1 (got 3)",
        ),
        (format!("{head}[[axes]]\nkey = \"population.jurisdictions\"\nvalues = [1]\n"), "is a table or array"),
        (format!("{head}[[axes]]\nkey = \"price.initial_usd\"\nvalues = [[1, 2], 3]\n"), "bad.toml:7:11: axes[0].values[0]: price.initial_usd: must be a single value"),
        (format!("{head}[[axes]]\nkey = \"price.initial_usd\"\nrange = {{ from = 1, to = 2, step = 1e-9 }}\n"), "bad.toml:7:9: axes[0].range: price.initial_usd: expands to 1000000001 values; an axis may have at most 100000"),
        (
            format!("{head}replicates = 1000\n[[axes]]\nkey = \"price.initial_usd\"\nrange = {{ from = 1, to = 5000, steps = 5000 }}\n"),
            "expands to 5000000 runs (5000 points x 1000 replicates); at most 1000000",
        ),
        (format!("{head}[[axes]]\nkey = \"simulation.seed\"\nvalues = [1, 2]\n"), "bad.toml:6:7: axes[0].key: simulation.seed is set by the sweep"),
        (format!("{head}set = {{ \"simulation.days\" = 0 }}\n"), "bad.toml:5:7: sweep.set: simulation.days: must be between 1 and 36525"),
        (head.replace("base.toml", "nope.toml"), "bad.toml:3:8: sweep.base: cannot read"),
        (
            format!("{head}set = {{ \"population.jurisdictions\" = [1, 2] }}\n"),
            "bad.toml:5:7: sweep.set: population.jurisdictions: must be a single value",
        ),
        (format!("{head}[[axes]]\nkey = \"fees.log_sd\"\nsample = {{ min = 0.1, max = 1 }}\n"), "sampled axes need [sweep] samples = N"),
        (format!("{head}replicates = 0\n"), "bad.toml:5:14: sweep.replicates: must be between 1 and 100000 (got 0)"),
        (
            format!("{head}[[axes]]\nkey = \"simulation.days\"\nvalues = [30, 3]\n"),
            "bad.toml:7:15: axes[0].values[1]: simulation.days = 3: ",
        ),
    ];
    for (text, want) in cases {
        let file = write(dir.path(), "bad.toml", &text);
        let out = dir.path().join("out");
        let assert = cmd().arg("sweep").arg(&file).arg("--out").arg(&out).assert().failure();
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.contains(want), "for\n{text}\nwanted {want:?}\ngot {err}");
        assert!(!out.exists(), "nothing is written for\n{text}");
    }
}

/// Every sweep shipped in scenarios/sweeps/ checks out against the current scenario schema.
#[test]
fn bundled_sweeps_validate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            cmd().arg("sweep").arg(&path).arg("--dry-run").assert().success();
            n += 1;
        }
    }
    assert!(n >= 1, "no sweeps in {}", dir.display());
}

/// Axes on pool parameters: a pool's fee and the selfish-mining gamma sweep like any key, and
/// each run's selfish-mining column follows its own gamma.
/// Bug caught: `pools.N.fee` not reachable by an override (pools added to the scenario but not
/// to the keys the sweep can set), or gamma read from the base file whatever the axis.
#[test]
fn pool_fees_and_gamma_are_sweep_axes() {
    let dir = tempfile::tempdir().unwrap();
    let mut base = small_economy("base", 10, 1, 1);
    base.push_str("\n[[pools]]\nname = \"a\"\nshare = 0.4\n[[pools]]\nname = \"b\"\nshare = 0.3\n[[pools]]\nname = \"c\"\nshare = 0.3\n");
    write(dir.path(), "base.toml", &base);
    let sweep = r#"
[sweep]
name = "pools"
base = "base.toml"
seed = 3
replicates = 1

[[axes]]
key = "pools.0.fee"
values = [0.0, 0.2]

[[axes]]
key = "metrics.selfish_mining_gamma"
values = [0.0, 0.5]
"#;
    let path = write(dir.path(), "sweep.toml", sweep);
    let out = dir.path().join("out");
    cmd().arg("sweep").arg(&path).arg("--out").arg(&out).arg("-q").assert().success();
    let runs = read_csv(&out.join("runs.csv"));
    assert_eq!(runs.len(), 4);
    // Each run's selfish revenue share is Eyal & Sirer's for its largest pool at its own gamma
    // (an independent transcription of their equation 8), so the axis reached the metric.
    for r in &runs {
        let (a, g) = (num(r, "top1_share_pools_final"), num(r, "metrics.selfish_mining_gamma"));
        let want = if a <= (1.0 - g) / (3.0 - 2.0 * g) {
            a
        } else if a >= 0.5 {
            1.0
        } else {
            (a * (1.0 - a).powi(2) * (4.0 * a + g * (1.0 - 2.0 * a)) - a.powi(3)) / (1.0 - a * (1.0 + (2.0 - a) * a))
        };
        let got = num(r, "selfish_mining_revenue_share_final");
        assert!((got - want).abs() < 1e-9, "gamma {g}, alpha {a}: {got} vs {want}");
    }
    let fees: Vec<f64> = runs.iter().map(|r| num(r, "pools.0.fee")).collect();
    assert!(fees.contains(&0.0) && fees.contains(&0.2), "{fees:?}");
}

/// An axis on a pool's share: each run's other pools are scaled so the shares still sum to 1,
/// and the day-0 pools follow (a at 0.6 is the largest pool with about 0.6 of the pooled
/// hashrate; at 0.2, b and c hold 0.4 each and lead). Bug caught: a share axis that can never
/// validate (the sum left at 1.2 or 0.8), or one that changes the file but not the run.
#[test]
fn a_pool_share_is_a_sweep_axis() {
    let dir = tempfile::tempdir().unwrap();
    let mut base = small_economy("base", 6, 1, 1);
    base.push_str("\n[[pools]]\nname = \"a\"\nshare = 0.4\n[[pools]]\nname = \"b\"\nshare = 0.3\n[[pools]]\nname = \"c\"\nshare = 0.3\n");
    write(dir.path(), "base.toml", &base);
    let sweep = "[sweep]\nname = \"shares\"\nbase = \"base.toml\"\nseed = 3\nreplicates = 1\n\n\
                 [[axes]]\nkey = \"pools.0.share\"\nvalues = [0.2, 0.6]\n";
    let path = write(dir.path(), "sweep.toml", sweep);
    let out = dir.path().join("out");
    cmd().arg("sweep").arg(&path).arg("--out").arg(&out).arg("-q").assert().success();
    let runs = read_csv(&out.join("runs.csv"));
    assert_eq!(runs.len(), 2);
    for r in &runs {
        let (share, top1) = (num(r, "pools.0.share"), num(r, "top1_share_pools_max"));
        let want = if share > 0.5 { 0.6 } else { 0.4 };
        assert!((top1 - want).abs() < 0.1, "a at {share}: largest pool {top1}, want about {want}");
    }
}
