//! `hashsim sweep` and `hashsim merge` against hostile or damaged inputs, through the real
//! binary: tampered manifests, output paths that reach into shard folders or out of
//! `results/`, a second writer, changed input files, damaged journals, leftovers of kills, and
//! folders that are not the sweep's. Every refusal exits 1 and writes nothing.

mod common;

use common::{hashsim, small_economy, sweep_ok, write};
use std::path::{Path, PathBuf};

/// 2 points x 2 replicates over a base that reads a catalog file.
const SWEEP: &str = r#"
[sweep]
name = "safe"
base = "base.toml"
seed = 7
replicates = 2

[[axes]]
key = "price.initial_usd"
values = [60000, 90000]
"#;

/// The bundled catalog, as a file of the sweep's own.
const CATALOG: &str = include_str!("../scenarios/hardware.toml");

fn setup(dir: &Path) -> PathBuf {
    let base = format!("{}\n[hardware]\ncatalog = \"cat.toml\"\n", small_economy("base", 6, 1, 1));
    write(dir, "base.toml", &base);
    write(dir, "cat.toml", CATALOG);
    write(dir, "sweep.toml", SWEEP)
}

fn cmd() -> assert_cmd::Command {
    let mut c = hashsim();
    c.env_remove("SLURM_ARRAY_TASK_ID");
    c
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Runs `hashsim ARGS` in `cwd`, expecting exit status 1; returns stderr.
fn fails(cwd: &Path, args: &[&str]) -> String {
    let out = cmd().current_dir(cwd).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "hashsim {args:?}: {err}");
    err
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn shards(dir: &Path, file: &Path) -> (PathBuf, PathBuf) {
    let (s0, s1) = (dir.join("s0"), dir.join("s1"));
    sweep_ok(file, &s0, &["--shard", "0/2"]);
    sweep_ok(file, &s1, &["--shard", "1/2"]);
    (s0, s1)
}

/// Catches merge trusting manifest.json: replicates 0 divided by zero, points 1000 indexed
/// out of bounds (leaving runs.csv), runs 1e15 / 2^64-1 aborted allocating, and a name of
/// `../../x` or an absolute path wrote the merge outside `results/`.
#[test]
fn tampered_manifests_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let (s0, s1) = shards(dir.path(), &file);
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join("a").join("b")).unwrap();
    let cwd = work.join("a").join("b");
    let outside = dir.path().join("abs-target");
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        ("replicates", 0.into(), "replicates: must be between 1"),
        ("points", 1000.into(), "runs: must be points x replicates"),
        ("runs", 1_000_000_000_000_000u64.into(), "runs: must be between 1 and 1000000"),
        ("runs", serde_json::json!(1e15), "not a sweep manifest"),
        ("runs", u64::MAX.into(), "runs: must be between 1 and 1000000"),
        ("name", "../../x".into(), "name: must be 1 to 100 letters"),
        ("name", outside.display().to_string().into(), "name: must be 1 to 100 letters"),
        ("seed", 8.into(), "differs from"),
    ];
    for (field, value, want) in cases {
        let bad = dir.path().join("bad");
        let _ = std::fs::remove_dir_all(&bad);
        std::fs::create_dir_all(&bad).unwrap();
        for f in ["runs.csv", "runs.journal"] {
            std::fs::copy(s0.join(f), bad.join(f)).unwrap();
        }
        let mut m: serde_json::Value = serde_json::from_slice(&bytes(&s0.join("manifest.json"))).unwrap();
        m[field] = value.clone();
        std::fs::write(bad.join("manifest.json"), serde_json::to_vec(&m).unwrap()).unwrap();
        let before = names(dir.path());
        // Without --out: the default results/<name> under the working directory.
        let err = fails(&cwd, &["merge", bad.to_str().unwrap(), s1.to_str().unwrap()]);
        assert!(err.contains(want), "{field} = {value}: {err}");
        assert!(err.contains("manifest.json") || err.contains("bad"), "names the file: {err}");
        assert_eq!(names(dir.path()), before, "{field} = {value}: something was written");
        assert!(names(&cwd).is_empty() && names(&work).len() == 1, "{field} = {value}: wrote {:?}", names(&cwd));
        assert!(!outside.exists());
    }
}

/// Catches rows whose axis columns do not match the manifest's axis values (merge checked
/// only their point, replicate and seed).
#[test]
fn merge_checks_the_axis_columns_of_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let (s0, s1) = shards(dir.path(), &file);
    let text = String::from_utf8(bytes(&s0.join("runs.csv"))).unwrap();
    assert!(text.contains(",60000,"));
    std::fs::write(s0.join("runs.csv"), text.replacen(",60000,", ",60001,", 1)).unwrap();
    let out = dir.path().join("m");
    let err = fails(dir.path(), &["merge", "s0", "s1", "--out", "m"]);
    assert!(err.contains("runs.csv:2: run r000000: its price.initial_usd is not the manifest's value"), "{err}");
    assert!(!out.exists());
    drop(s1);
}

/// Catches the un-normalised path guard: `--out s1/../s1` overwrote shard s1; so could a
/// folder inside it, or a symbolic link to it. The default layout (shards inside the merge's
/// folder, `OUT/shards/...`) stays allowed.
#[test]
fn merge_never_writes_into_a_shard_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let (_s0, s1) = shards(dir.path(), &file);
    let before: Vec<Vec<u8>> = names(&s1).iter().map(|n| bytes(&s1.join(n))).collect();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&s1, dir.path().join("link")).unwrap();
    let mut outs = vec!["s1/../s1", "./s1/", "s1/sub", "s0/series"];
    if cfg!(unix) {
        outs.push("link");
    }
    for out in outs {
        let err = fails(dir.path(), &["merge", "s0", "s1", "--out", out]);
        assert!(err.contains("would write into the shard folder"), "--out {out}: {err}");
    }
    let after: Vec<Vec<u8>> = names(&s1).iter().map(|n| bytes(&s1.join(n))).collect();
    assert_eq!(before, after, "shard s1 was changed");
    assert!(!s1.join("sub").exists());

    // OUT/shards/shard-K-of-N merged into OUT.
    let out = dir.path().join("results").join("safe");
    for k in 0..2 {
        sweep_ok(&file, &out.join("shards").join(format!("shard-{k}-of-2")), &["--shard", &format!("{k}/2")]);
    }
    cmd()
        .current_dir(dir.path())
        .args(["merge", "results/safe/shards/shard-0-of-2", "results/safe/shards/shard-1-of-2", "-q"])
        .assert()
        .success();
    assert_eq!(names(&out), ["aggregate.csv", "manifest.json", "runs.csv", "shards"]);
}

/// Catches two writers racing on one folder (the journal was corrupted in 14 of 110 trials):
/// while another process holds the folder's lock, sweep and merge are refused at once.
#[test]
fn a_locked_output_folder_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let (s0, s1) = shards(dir.path(), &file);
    let out = dir.path().join("o");
    let lock = hashsim::output::lock::OutputLock::acquire(&out).unwrap();
    let started = std::time::Instant::now();
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--out", "o", "-q"]);
    assert!(err.contains("another hashsim process is writing to"), "{err}");
    let err = fails(dir.path(), &["merge", s0.to_str().unwrap(), s1.to_str().unwrap(), "--out", "o"]);
    assert!(err.contains("another hashsim process is writing to"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "refused at once, not after waiting");
    assert!(!out.exists());
    drop(lock);
    sweep_ok(&file, &out, &[]);
}

/// Catches a fingerprint blind to the files a scenario reads: after a catalog price changed,
/// `--resume` accepted the sweep and runs.csv mixed old and new rows; shards built on two
/// catalogs merged.
#[test]
fn a_changed_catalog_or_price_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let out = dir.path().join("o");
    sweep_ok(&file, &out, &[]);
    let s0 = dir.path().join("s0");
    sweep_ok(&file, &s0, &["--shard", "0/2"]);
    let cat = dir.path().join("cat.toml");
    std::fs::write(&cat, CATALOG.replacen("price_usd_per_th = 1.0", "price_usd_per_th = 1.5", 1)).unwrap();
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--out", "o", "--resume", "-q"]);
    assert!(err.contains("cat.toml changed"), "{err}");
    let s1 = dir.path().join("s1");
    sweep_ok(&file, &s1, &["--shard", "1/2"]);
    let err = fails(dir.path(), &["merge", "s0", "s1", "--out", "m"]);
    assert!(err.contains("mixed sweeps") && err.contains("cat.toml changed"), "{err}");

    // A price path: the same, and a run that loads a file changed since validation is refused.
    let prices: String = (0..6).map(|d| format!("{d},{}\n", 60000 + d)).collect();
    write(dir.path(), "prices.csv", &format!("day,price_usd\n{prices}"));
    let gbm = "model = \"gbm\"\ninitial_usd = 90000\nlog_return_sd_per_day = 0.03\n";
    let base = small_economy("base", 6, 1, 1);
    assert!(base.contains(gbm));
    write(dir.path(), "priced-base.toml", &base.replace(gbm, "model = \"csv\"\npath = \"prices.csv\"\n"));
    let priced = SWEEP.replace("base.toml", "priced-base.toml").replace("price.initial_usd", "fees.log_sd");
    let priced = write(dir.path(), "priced.toml", &priced.replace("60000, 90000", "0.2, 0.4"));
    let p = dir.path().join("p");
    sweep_ok(&priced, &p, &[]);
    let sw = hashsim::sweep::load(&priced).unwrap();
    write(dir.path(), "prices.csv", &format!("day,price_usd\n{}", prices.replace(",60003", ",70003")));
    let err = fails(dir.path(), &["sweep", "priced.toml", "--out", "p", "--resume", "-q"]);
    assert!(err.contains("prices.csv changed"), "{err}");
    let err = sw.scenario(&sw.run(0)).unwrap_err().to_string();
    assert!(err.contains("prices.csv changed while the sweep was running"), "{err}");
}

/// The journal's lines, each with its `\n`.
fn journal_lines(path: &Path) -> Vec<String> {
    String::from_utf8(bytes(path)).unwrap().split_inclusive('\n').map(str::to_string).collect()
}

/// Catches a journal without checksums (a changed digit was carried into the outputs): a
/// damaged row is refused with its line; a damaged last row is a write cut short, run again.
#[test]
fn a_damaged_journal_row_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let reference = dir.path().join("ref");
    sweep_ok(&file, &reference, &[]);
    let lines = journal_lines(&reference.join("runs.journal"));
    assert_eq!(lines.len(), 2 + 4);
    // A digit changed in a metric of row 2 (line 4), keeping the line's length.
    let damaged = |i: usize| {
        let mut ls = lines.clone();
        let pos = ls[i].rfind(|c: char| c.is_ascii_digit() && c != '9').unwrap();
        let digit = ls[i].as_bytes()[pos] - b'0';
        ls[i].replace_range(pos..pos + 1, &(digit + 1).to_string());
        ls.concat()
    };
    let out = dir.path().join("o");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("runs.journal"), damaged(3)).unwrap();
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--out", "o", "--resume", "-q"]);
    assert!(err.contains("runs.journal:4: the row's checksum does not match"), "{err}");
    assert!(!out.join("runs.csv").exists());

    std::fs::write(out.join("runs.journal"), damaged(5)).unwrap();
    sweep_ok(&file, &out, &["--resume"]);
    for f in ["runs.csv", "aggregate.csv"] {
        assert!(bytes(&out.join(f)) == bytes(&reference.join(f)), "{f} differs");
    }
    assert_eq!(journal_lines(&out.join("runs.journal")).len(), 6, "the damaged last row is replaced, not kept");

    // A journal of the previous format is refused with its reason, and --force starts over.
    let old = dir.path().join("old");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("runs.journal"), "#hashsim-sweep-journal v1 {}\nrun_id\n").unwrap();
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--out", "old", "--resume", "-q"]);
    assert!(err.contains("another format (v1)"), "{err}");
    sweep_ok(&file, &old, &["--force"]);
    assert_eq!(bytes(&old.join("runs.csv")), bytes(&reference.join("runs.csv")));
}

/// Catches temporary files of a kill in the output phase that `--resume` left behind (they
/// were looked for as `.tmp`; they are `.NAME.XXXXXXXXXX.hashsim-tmp`).
#[test]
fn resume_removes_stale_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let out = dir.path().join("o");
    sweep_ok(&file, &out, &["--series"]);
    let stale = [
        out.join(".aggregate.csv.Ab3dE6gH9k.hashsim-tmp"),
        out.join("series").join(".r000001.csv.Zz9yY8xX7w.hashsim-tmp"),
    ];
    for s in &stale {
        std::fs::write(s, "half").unwrap();
    }
    let kept = out.join(".notes");
    std::fs::write(&kept, "mine").unwrap();
    sweep_ok(&file, &out, &["--resume", "--series"]);
    for s in &stale {
        assert!(!s.exists(), "{} left", s.display());
    }
    assert!(kept.exists(), "a file that is not a temporary file was removed");
}

/// Catches silent overwrites: a sweep into a folder without a journal replaced runs.csv; a
/// sweep or merge replaced another's manifest.json. `--force` writes only the sweep's files.
#[test]
fn folders_that_are_not_the_sweeps_are_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = setup(dir.path());
    let reference = dir.path().join("ref");
    sweep_ok(&file, &reference, &[]);

    let foreign = dir.path().join("f");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("runs.csv"), "precious").unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep").unwrap();
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--out", "f", "-q"]);
    assert!(err.contains("not this sweep's folder") && err.contains("notes.txt") && err.contains("--force"), "{err}");
    std::fs::remove_file(foreign.join("notes.txt")).unwrap();
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--out", "f", "-q"]);
    assert!(err.contains("not this sweep's folder"), "runs.csv alone: {err}");
    assert_eq!(bytes(&foreign.join("runs.csv")), b"precious");
    std::fs::write(foreign.join("notes.txt"), "keep").unwrap();
    sweep_ok(&file, &foreign, &["--force"]);
    assert_eq!(bytes(&foreign.join("notes.txt")), b"keep");
    assert_eq!(bytes(&foreign.join("runs.csv")), bytes(&reference.join("runs.csv")));

    // Another sweep's folder (its manifest and journal), and a run's folder.
    let other = write(dir.path(), "other.toml", &SWEEP.replace("seed = 7", "seed = 8"));
    let err = fails(dir.path(), &["sweep", other.to_str().unwrap(), "--out", "ref", "-q"]);
    assert!(err.contains("belongs to another sweep"), "{err}");
    let run = dir.path().join("run");
    common::run_ok(&dir.path().join("base.toml"), &run, &[]);
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--out", "run", "-q"]);
    assert!(err.contains("not this sweep's folder"), "{err}");

    // This sweep's journal: --resume continues it, --force starts it over.
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--out", "ref", "-q"]);
    assert!(err.contains("--resume") && err.contains("--force"), "{err}");
    let before = bytes(&reference.join("runs.csv"));
    sweep_ok(&file, &reference, &["--force"]);
    assert_eq!(bytes(&reference.join("runs.csv")), before);

    // Merge: into a folder with a file of its own, refused; forced, the file is kept.
    let (s0, s1) = shards(dir.path(), &file);
    let m = dir.path().join("m");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("manifest.json"), "{\"mine\": true}").unwrap();
    std::fs::write(m.join("thesis.tex"), "keep").unwrap();
    let err = fails(dir.path(), &["merge", s0.to_str().unwrap(), s1.to_str().unwrap(), "--out", "m"]);
    assert!(err.contains("not this sweep's folder") && err.contains("thesis.tex"), "{err}");
    assert_eq!(bytes(&m.join("manifest.json")), b"{\"mine\": true}");
    cmd().args(["merge", "--force", "-q"]).arg(&s0).arg(&s1).arg("--out").arg(&m).assert().success();
    assert_eq!(bytes(&m.join("thesis.tex")), b"keep");
    assert_eq!(bytes(&m.join("runs.csv")), bytes(&reference.join("runs.csv")));
    // Merging again into its own folder needs no --force.
    cmd().args(["merge", "-q"]).arg(&s0).arg(&s1).arg("--out").arg(&reference).assert().success();
}

/// Catches names that reach outside `results/`: a sweep's name and a scenario's
/// `simulation.name` are one safe folder name, with a length limit, located in their file.
#[test]
fn names_are_single_safe_folder_names() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    for name in ["../../x", "/tmp/x", "a/b", "..", &"n".repeat(101)] {
        let text = SWEEP.replace("name = \"safe\"", &format!("name = {name:?}"));
        write(dir.path(), "named.toml", &text);
        let err = fails(dir.path(), &["sweep", "named.toml", "--dry-run"]);
        assert!(err.contains("named.toml:3:8: sweep.name: must be 1 to 100 letters"), "{name}: {err}");
        let scenario = small_economy("base", 6, 1, 1).replace("name = \"base\"", &format!("name = {name:?}"));
        write(dir.path(), "named-run.toml", &scenario);
        let err = fails(dir.path(), &["run", "named-run.toml", "-q"]);
        assert!(err.contains("named-run.toml:3:8: simulation.name: must be 1 to 100 letters"), "{name}: {err}");
    }
    assert_eq!(names(dir.path()), ["base.toml", "cat.toml", "named-run.toml", "named.toml", "sweep.toml"]);
}

/// Catches a base-scenario error blamed on `[sweep] set`: it is located in the base file,
/// with its line, column and key.
#[test]
fn base_scenario_errors_are_located_in_the_base() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let base = small_economy("base", 6, 1, 1).replace("seed = 1", "seed = 1\nsped = 2");
    write(dir.path(), "base.toml", &base);
    let text = SWEEP.replace("replicates = 2", "replicates = 2\nset = { \"fees.log_sd\" = 0.4 }");
    write(dir.path(), "sweep.toml", &text);
    let err = fails(dir.path(), &["sweep", "sweep.toml", "--dry-run"]);
    assert!(err.starts_with("error: base.toml:6:1: simulation.sped: unknown field `sped`"), "{err}");
}

/// Catches sweep inputs that panic or allocate without bound: shard N = 0 or K >= N, an axis
/// without values, more axes than allowed.
#[test]
fn degenerate_sweep_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    for shard in ["0/0", "2/2", "99999999999/3", "1/4294967296"] {
        let err = fails(dir.path(), &["sweep", "sweep.toml", "--shard", shard, "--out", "o"]);
        assert!(err.contains("--shard"), "{shard}: {err}");
    }
    write(dir.path(), "empty.toml", &SWEEP.replace("[60000, 90000]", "[]"));
    let err = fails(dir.path(), &["sweep", "empty.toml", "--out", "o"]);
    assert!(err.contains("axes[0].values: must list at least one value"), "{err}");
    let many: String = (0..101).map(|i| format!("[[axes]]\nkey = \"events.0.x{i}\"\nvalues = [1]\n")).collect();
    write(dir.path(), "many.toml", &format!("{SWEEP}{many}"));
    let err = fails(dir.path(), &["sweep", "many.toml", "--out", "o"]);
    assert!(err.contains("many.toml:308:1: axes[100]: at most 100 axes (got 102)"), "{err}");
    // Ranges past the run limit are not expanded; draws past the sample limit are not drawn.
    let wide: String = (0..3)
        .map(|i| format!("[[axes]]\nkey = \"events.0.x{i}\"\nrange = {{ from = 0, to = 1, steps = 100000 }}\n"))
        .collect();
    write(dir.path(), "wide.toml", &format!("{SWEEP}{wide}"));
    let err = fails(dir.path(), &["sweep", "wide.toml", "--out", "o"]);
    assert!(
        err.contains("axes[3].range: events.0.x2: the axes before it already expand to more than 1000000"),
        "{err}"
    );
    let sampled: String =
        (0..20).map(|i| format!("[[axes]]\nkey = \"events.0.s{i}\"\nsample = {{ min = 0, max = 1 }}\n")).collect();
    write(dir.path(), "sampled.toml", &format!("{}{sampled}", SWEEP.replace("replicates = 2", "samples = 1000000")));
    let err = fails(dir.path(), &["sweep", "sampled.toml", "--out", "o"]);
    assert!(err.contains("1000000 samples x 20 sampled axes: at most 10000000 drawn values"), "{err}");
    assert!(!dir.path().join("o").exists());
}
