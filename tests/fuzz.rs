//! A seeded mutation fuzzer over the bundled inputs, through the real binary: every bundled
//! scenario (`scenarios/*.toml`, `scenarios/bench/*.toml`), the hardware catalog, a price-path
//! CSV and the sweep files (`scenarios/sweeps/*.toml`) get values made zero, negative, huge,
//! NaN, infinite or of the wrong type, dates and paths made absurd, keys deleted or
//! duplicated, tables duplicated, the file cut short or bytes flipped. Each case is checked
//! with `validate` and a short `run` (20 days, 40 operators), or `sweep --dry-run`, and must
//! - exit with 0, 1 or 2: never a panic (101), an abort (134), a signal or a timeout;
//! - on failure, name the file it blames (parse and range errors as `file:line:col: key:`),
//!   an override, or the file it could not read;
//! - on failure, write nothing: the `--out` folder absent (not even empty), the working folder
//!   untouched.
//!
//! Bugs it caught: a start date of year 9e18 overflowed the date arithmetic (exit 101);
//! runtime errors blamed `scenario:` instead of the file; a catalog model of 5e-324 J/TH gave
//! infinite hashrates, then NaN, then a panic in the attack metrics.
//!
//! It runs `HASHSIM_FUZZ_CASES` cases (default 2000: about 10 s in a debug build on two cores)
//! from `HASHSIM_FUZZ_SEED` (default fixed); `HASHSIM_FUZZ_CASE=N` reruns case N alone. A
//! longer hunt (in a debug build, whose overflow checks are part of the net):
//! `HASHSIM_FUZZ_CASES=20000 HASHSIM_FUZZ_SEED=$RANDOM cargo test --test fuzz`.

mod common;
#[path = "common/mutate.rs"]
mod mutate;

use common::hashsim;
use mutate::{mutate_csv, mutate_toml, Rng};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DEFAULT_CASES: u64 = 2000;
const DEFAULT_SEED: u64 = 0x4841_5348_5349_4d31;
/// Longest a single command may take: the runs are tiny, so more is a hang.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// The short run every mutated scenario gets, so that a case takes milliseconds.
const SMALL_RUN: &[&str] =
    &["--set", "simulation.days=20", "--set", "population.operators=40", "--set", "simulation.replicates=1"];

/// What a bundled input is, and so how it is run.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Scenario,
    Catalog,
    PriceCsv,
    Sweep,
}

/// A bundled input, as copied into the fuzzer's tree.
#[derive(Debug, Clone)]
struct Input {
    kind: Kind,
    /// Path relative to the tree's root, e.g. `scenarios/sweeps/drawdown.toml`.
    rel: PathBuf,
    text: String,
}

/// Days the price path covers, and the scenario reading it runs.
const CSV_DAYS: u32 = 25;

/// The baseline scenario over [`CSV_DAYS`] with its prices from `prices.csv` beside it.
fn price_csv_scenario(baseline: &str) -> String {
    let start = baseline.find("[price]").expect("baseline has [price]");
    let end = start + baseline[start..].find("\n[fees]").expect("[fees] follows [price]");
    let text = format!("{}[price]\nmodel = \"csv\"\npath = \"prices.csv\"\n{}", &baseline[..start], &baseline[end..]);
    let days = text.lines().find(|l| l.starts_with("days = ")).expect("baseline sets simulation.days");
    text.replacen(days, &format!("days = {CSV_DAYS}"), 1)
}

fn price_csv() -> String {
    let mut s = String::from("day,price_usd\n");
    for d in 0..CSV_DAYS {
        s.push_str(&format!("{d},{}\n", 90_000 - 500 * d));
    }
    s
}

/// Copies the bundled inputs into `root/scenarios/...` (so relative paths between them still
/// resolve) and lists them.
fn bundled_inputs(root: &Path) -> Vec<Input> {
    let mut inputs = Vec::new();
    for (dir, default_kind) in
        [("scenarios", Kind::Scenario), ("scenarios/bench", Kind::Scenario), ("scenarios/sweeps", Kind::Sweep)]
    {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        names.sort();
        for p in names {
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(root.join(&p), &text).unwrap();
            let kind = if p.ends_with("hardware.toml") { Kind::Catalog } else { default_kind };
            inputs.push(Input { kind, rel: p, text });
        }
    }
    let baseline = std::fs::read_to_string("scenarios/baseline.toml").unwrap();
    std::fs::write(root.join("scenarios/prices.csv"), price_csv()).unwrap();
    std::fs::write(root.join("scenarios/csv-price.toml"), price_csv_scenario(&baseline)).unwrap();
    inputs.push(Input { kind: Kind::PriceCsv, rel: "scenarios/prices.csv".into(), text: price_csv() });
    inputs
}

/// One command's outcome, judged.
fn check(
    what: &str,
    cmd: &mut assert_cmd::Command,
    blamed: &[&str],
    work: &Path,
    out: Option<&Path>,
) -> Result<bool, String> {
    let started = Instant::now();
    let o =
        cmd.current_dir(work).timeout(COMMAND_TIMEOUT).output().map_err(|e| format!("{what}: cannot start: {e}"))?;
    let stderr = String::from_utf8_lossy(&o.stderr);
    let code = o.status.code();
    if !matches!(code, Some(0..=2)) {
        return Err(format!(
            "{what}: exit {code:?} after {:.1} s (a panic, abort, signal or timeout)\n{stderr}",
            started.elapsed().as_secs_f64()
        ));
    }
    if code == Some(0) {
        return Ok(true);
    }
    // The file blamed, an override, or a file that could not be read (a mutated path).
    let named = blamed.iter().any(|b| stderr.contains(b));
    if !(named || stderr.contains("error: --set ") || stderr.contains("error: cannot read ")) {
        return Err(format!("{what}: the error names none of {blamed:?}:\n{stderr}"));
    }
    if let Some(out) = out {
        // Not even an empty folder: a run is staged beside its folder and renamed at the end.
        if out.exists() {
            let left: Vec<String> = std::fs::read_dir(out)
                .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            return Err(format!("{what}: failed but created --out (holding {left:?})\n{stderr}"));
        }
    }
    let stray: Vec<String> = std::fs::read_dir(work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| Some(Path::new(n)) != out.and_then(Path::file_name).map(Path::new))
        .collect();
    if !stray.is_empty() {
        return Err(format!("{what}: failed but wrote {stray:?} in the working folder\n{stderr}"));
    }
    Ok(false)
}

/// Case `case`: one mutation of one input, checked through the binary. Returns whether some
/// command succeeded, or the failure with what it takes to reproduce it.
fn run_case(root: &Path, inputs: &[Input], seed: u64, case: u64) -> Result<bool, String> {
    let mut rng = Rng::new(seed ^ case.wrapping_mul(0xd134_2543_de82_ef95));
    let input = &inputs[rng.below(inputs.len())];
    // The price-path case mutates the CSV, or now and then the scenario that reads it (its
    // `path` included).
    let csv_scenario = input.kind == Kind::PriceCsv && rng.below(4) == 0;
    let (bytes, how) = match input.kind {
        Kind::PriceCsv if !csv_scenario => mutate_csv(&input.text, &mut rng),
        Kind::PriceCsv => {
            let (b, how) =
                mutate_toml(&std::fs::read_to_string(root.join("scenarios/csv-price.toml")).unwrap(), &mut rng);
            (b, format!("csv-price.toml: {how}"))
        }
        _ => mutate_toml(&input.text, &mut rng),
    };
    let dir = root.join(input.rel.parent().unwrap());
    let ext = input.rel.extension().unwrap().to_string_lossy();
    let name = format!("fuzz-{case}.{ext}");
    let file = dir.join(&name);
    std::fs::write(&file, &bytes).unwrap();
    let work = root.join(format!("work-{case}"));
    std::fs::create_dir_all(&work).unwrap();
    let out = work.join("x");

    let bin = hashsim;
    let result = (|| {
        let mut ok = false;
        match input.kind {
            Kind::Scenario | Kind::PriceCsv => {
                let scenario = match input.kind {
                    Kind::PriceCsv if !csv_scenario => {
                        let s = std::fs::read_to_string(dir.join("csv-price.toml")).unwrap();
                        let f = dir.join(format!("fuzz-{case}.toml"));
                        std::fs::write(&f, s.replace("prices.csv", &name)).unwrap();
                        f
                    }
                    Kind::PriceCsv => {
                        let f = dir.join(format!("fuzz-{case}.toml"));
                        std::fs::rename(&file, &f).unwrap();
                        f
                    }
                    _ => file.clone(),
                };
                // The scenario reading a price path may be blamed, or the path.
                let toml = format!("fuzz-{case}.toml");
                let csv = if csv_scenario { "prices.csv" } else { name.as_str() };
                let blamed: &[&str] = if input.kind == Kind::PriceCsv { &[&toml, csv] } else { &[&name] };
                ok |= check("validate", bin().arg("validate").arg(&scenario), blamed, &work, None)?;
                let mut run = bin();
                run.arg("run").arg(&scenario).arg("--out").arg(&out).args(["-q", "--jobs", "1"]).args(SMALL_RUN);
                ok |= check("run", &mut run, blamed, &work, Some(&out))?;
            }
            Kind::Catalog => {
                let scenario = dir.join("baseline.toml");
                let catalog = format!("hardware.catalog={name}");
                ok |= check(
                    "validate",
                    bin().arg("validate").arg(&scenario).args(["--set", &catalog]),
                    &[&name],
                    &work,
                    None,
                )?;
                let mut run = bin();
                run.arg("run").arg(&scenario).arg("--out").arg(&out).args(["-q", "--jobs", "1", "--set", &catalog]);
                ok |= check("run", run.args(SMALL_RUN), &[&name], &work, Some(&out))?;
            }
            Kind::Sweep => {
                ok |= check("sweep --dry-run", bin().arg("sweep").arg(&file).arg("--dry-run"), &[&name], &work, None)?;
            }
        }
        Ok(ok)
    })();
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(dir.join(format!("fuzz-{case}.toml")));
    let _ = std::fs::remove_dir_all(&work);
    result.map_err(|e: String| {
        format!(
            "case {case} (HASHSIM_FUZZ_SEED={seed} HASHSIM_FUZZ_CASE={case}): {} mutated: {how}\n{e}",
            input.rel.display()
        )
    })
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| v.parse().unwrap_or_else(|_| panic!("{name}={v:?}: expected a whole number")))
}

#[test]
fn mutated_inputs_never_panic_and_fail_cleanly() {
    let seed = env_u64("HASHSIM_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let cases: Vec<u64> = match env_u64("HASHSIM_FUZZ_CASE") {
        Some(c) => vec![c],
        None => (0..env_u64("HASHSIM_FUZZ_CASES").unwrap_or(DEFAULT_CASES)).collect(),
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let inputs = bundled_inputs(root);
    assert!(inputs.iter().any(|i| i.kind == Kind::Sweep) && inputs.len() >= 8, "{inputs:?}");

    // Two workers (the binary runs with one thread); cases are independent of the order.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&case) = cases.get(i) else { break };
                let r = run_case(root, &inputs, seed, case);
                results.lock().unwrap().push((case, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(c, _)| *c);
    let passed = results.iter().filter(|(_, r)| matches!(r, Ok(true))).count();
    eprintln!("fuzz: {} cases from seed {seed}, {passed} with a command that succeeded", results.len());
    let failures: Vec<&String> = results.iter().filter_map(|(_, r)| r.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        results.len(),
        failures.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n\n")
    );
    // The mutations must leave some inputs valid, or the runs would never be exercised.
    if cases.len() >= 100 {
        assert!(passed * 10 >= cases.len(), "only {passed} of {} cases had a command succeed", cases.len());
    }
}

#[test]
fn the_mutator_finds_values_everywhere() {
    let text = "[a]\nx = 1 # c\ny = { d = \"u\", m = 3 }\nz = [0.5, -2]\n[[b]]\nw = \"s\"\n";
    let mut seen = std::collections::BTreeSet::new();
    let mut rng = Rng::new(1);
    for _ in 0..500 {
        let (_, how) = mutate_toml(text, &mut rng);
        seen.insert(how.split_whitespace().next().unwrap_or("").to_string());
    }
    for kind in ["value", "deleted", "duplicated", "unknown", "truncated", "byte"] {
        assert!(seen.contains(kind), "{kind} never chosen: {seen:?}");
    }
}
