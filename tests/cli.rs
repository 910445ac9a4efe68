//! `hashsim run` and `hashsim validate` as a user meets them: outputs, determinism, and a
//! clear error that writes nothing for every class of bad input.

mod common;
use common::*;
use predicates::prelude::*;

#[test]
fn run_writes_every_output_with_unit_columns() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 20, 3, 1));
    let out = dir.path().join("out");
    run_ok(&f, &out, &[]);
    for name in ["timeseries.csv", "operators.csv", "events.csv", "summary.csv", "manifest.json"] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let rows = read_csv(&out.join("timeseries.csv"));
    assert_eq!(rows.len(), 20);
    for col in [
        "day",
        "date",
        "height",
        "difficulty",
        "hashrate_eh_s",
        "price_usd",
        "fees_btc_per_block",
        "hashprice_usd_per_ph_day",
        "blocks",
        "mean_block_interval_s",
        "mining_operators",
        "hhi_operators",
        "attack_cheapest_usd",
        "double_spend_risk",
    ] {
        assert!(rows[0].contains_key(col), "column {col}");
    }
    assert_eq!(rows[0]["date"], "2025-11-21");
    // Day 0 hashprice from 150 T, $90k, 3.125 + 0.025 BTC: ~$38/PH/day.
    let hp = num(&rows[0], "hashprice_usd_per_ph_day");
    assert!((hp - 38.02).abs() < 0.01, "{hp}");
    // The price shock on day 5 (-38%) shows in the price column.
    let ratio = num(&rows[5], "price_usd") / num(&rows[4], "price_usd");
    assert!(ratio < 0.8, "{ratio}");
    let miners = read_csv(&out.join("operators.csv"));
    assert_eq!(miners.len(), 300);
    let won: f64 = miners.iter().map(|m| num(m, "blocks_won")).sum();
    let mined: f64 = rows.iter().map(|r| num(r, "blocks")).sum();
    assert_eq!(won, mined);
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.starts_with('.').then_some(n)
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn same_seed_is_byte_identical_whatever_the_threads_and_other_seeds_differ() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 30, 5, 3));
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    run_ok(&f, &a, &["--jobs", "1"]);
    run_ok(&f, &b, &["--jobs", "2"]);
    run_ok(&f, &c, &["--set", "simulation.seed=6"]);
    for name in ["timeseries.csv", "operators.csv", "events.csv", "summary.csv"] {
        let x = std::fs::read(a.join(name)).unwrap();
        assert_eq!(x, std::fs::read(b.join(name)).unwrap(), "{name} differs between 1 and 2 threads");
        assert_ne!(x, std::fs::read(c.join(name)).unwrap(), "{name} is the same under another seed");
    }
    let rows = read_csv(&a.join("timeseries.csv"));
    assert_eq!(rows.len(), 90);
    // Replicates differ from each other.
    assert_ne!(rows[29]["price_usd"], rows[59]["price_usd"]);
}

#[test]
fn overrides_are_applied_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 10, 3, 1));
    let out = dir.path().join("out");
    run_ok(&f, &out, &["--set", "price.initial_usd=60000", "--set", "population.operators=50"]);
    let rows = read_csv(&out.join("timeseries.csv"));
    assert_eq!(num(&rows[0], "price_usd"), 60000.0);
    assert_eq!(read_csv(&out.join("operators.csv")).len(), 50);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["overrides"][0]["key"], "price.initial_usd");
    assert_eq!(manifest["scenario"]["population"]["operators"], 50);
    assert_eq!(manifest["seed"], 3);
    assert!(manifest["hashsim_version"].is_string());
}

/// Runs `hashsim run` on `text` and checks it fails naming `needles` and writing nothing.
fn fails_cleanly(text: &str, extra_files: &[(&str, &str)], args: &[&str], needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "bad.toml", text);
    for (name, body) in extra_files {
        write(dir.path(), name, body);
    }
    let out = dir.path().join("out");
    let assert = hashsim().arg("run").arg(&f).arg("--out").arg(&out).arg("-q").args(args).assert().failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks {n:?}:\n{stderr}");
    }
    assert!(!out.exists(), "output written despite the error:\n{stderr}");
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let text = small_economy("eco", 10, 3, 1).replace("seed = 3", "seed = 3\nsead = 4");
    fails_cleanly(&text, &[], &[], &["bad.toml:6:1", "unknown field `sead`", "expected one of"]);
}

#[test]
fn wrong_type_is_named_with_its_line() {
    let text = small_economy("eco", 10, 3, 1).replace("days = 10", "days = \"ten\"");
    fails_cleanly(&text, &[], &[], &["bad.toml:4:", "invalid type"]);
}

#[test]
fn out_of_range_value_names_key_and_allowed_range() {
    let text = small_economy("eco", 10, 3, 1).replace("log_return_sd_per_day = 0.03", "log_return_sd_per_day = 3");
    fails_cleanly(&text, &[], &[], &["bad.toml:14:25", "price.log_return_sd_per_day", "between 0 and 1 (got 3)"]);
    let text = small_economy("eco", 10, 3, 1);
    fails_cleanly(&text, &[], &["--set", "population.operators=-5"], &["--set population.operators=-5"]);
    fails_cleanly(&text, &[], &["--set", "simulation.days=0"], &["simulation.days", "between 1 and 36525"]);
}

#[test]
fn missing_scenario_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    hashsim()
        .arg("run")
        .arg(dir.path().join("nope.toml"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot read").and(predicate::str::contains("nope.toml")));
}

#[test]
fn malformed_price_csv_names_file_and_line() {
    let text = small_economy("eco", 3, 3, 1)
        .replace(
            "model = \"gbm\"\ninitial_usd = 90000\nlog_return_sd_per_day = 0.03",
            "model = \"csv\"\npath = \"prices.csv\"",
        )
        .replace("day = 5", "day = 2");
    fails_cleanly(
        &text,
        &[("prices.csv", "day,price_usd\n0,90000\n1,oops\n2,80000\n")],
        &[],
        &["prices.csv:3: price_usd: must be a number"],
    );
    fails_cleanly(&text, &[("prices.csv", "day,price_usd\n0,90000\n")], &[], &["covers 1 days"]);
    fails_cleanly(&text, &[], &[], &["prices.csv", "cannot read"]);
    // A good path runs and is followed, with the day-2 shock applied on top of it.
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &text);
    write(dir.path(), "prices.csv", "day,price_usd\n0,90000\n1,80000\n2,70000\n");
    run_ok(&f, &dir.path().join("out"), &[]);
    let rows = read_csv(&dir.path().join("out/timeseries.csv"));
    assert_eq!(num(&rows[1], "price_usd"), 80000.0);
    assert!((num(&rows[2], "price_usd") - 70000.0 * 0.62).abs() < 1e-6);
}

#[test]
fn validate_checks_without_running() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", &small_economy("eco", 10, 3, 1));
    hashsim()
        .current_dir(dir.path())
        .arg("validate")
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains("ok:"));
    assert!(!dir.path().join("results").exists());
    let bad = write(dir.path(), "bad.toml", &small_economy("eco", 10, 3, 1).replace("share = 0.4", "share = 0.5"));
    hashsim()
        .arg("validate")
        .arg(&good)
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("population.jurisdictions: shares must sum to 1"));
}

#[test]
fn bundled_scenarios_validate() {
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let p = entry.unwrap().path();
        // hardware.toml is the hardware catalog, not a scenario.
        if p.extension().is_some_and(|e| e == "toml") && !p.ends_with("hardware.toml") {
            hashsim().arg("validate").arg(&p).assert().success();
        }
    }
}

/// The largest `--jobs` the binary accepts here (4 threads per core).
fn max_jobs() -> usize {
    4 * std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Catches `--jobs` taken whatever its size (`--jobs 100000` spent minutes creating threads):
/// one past the cap is refused, naming the range, before anything is run or written.
#[test]
fn jobs_are_capped_at_a_few_per_core() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 6, 3, 1));
    let sweep = write(
        dir.path(),
        "sweep.toml",
        "[sweep]\nname = \"j\"\nbase = \"s.toml\"\nseed = 1\nreplicates = 1\n\n[[axes]]\nkey = \"price.initial_usd\"\nvalues = [60000, 90000]\n",
    );
    let max = max_jobs();
    let range = format!("from 1 to {max}");
    let out = dir.path().join("out");
    for jobs in [(max + 1).to_string(), "100000".into(), "0".into(), "-1".into()] {
        for command in ["run", "sweep"] {
            let file = if command == "run" { &f } else { &sweep };
            let assert = hashsim()
                .env_remove("SLURM_ARRAY_TASK_ID")
                .arg(command)
                .arg(file)
                .arg("--out")
                .arg(&out)
                .args(["--jobs", &jobs])
                .assert()
                .code(2);
            let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
            assert!(stderr.contains("--jobs") && stderr.contains(&range), "{command} --jobs {jobs}: {stderr}");
            assert!(!out.exists(), "{command} --jobs {jobs}: nothing written");
        }
    }
    run_ok(&f, &out, &["--jobs", &max.to_string()]);
}

/// Catches help that names files a run does not write (`miners.csv`) or omits ones it does.
#[test]
fn run_help_names_the_files_a_run_writes() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &small_economy("eco", 6, 3, 1));
    let out = dir.path().join("out");
    run_ok(&f, &out, &[]);
    let help = String::from_utf8(hashsim().args(["run", "--help"]).output().unwrap().stdout).unwrap();
    let first = help.lines().next().unwrap();
    let mut written: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    for name in &written {
        assert!(first.contains(name.as_str()), "`run --help` does not name {name}: {first}");
    }
    let named = first.split([' ', ',', ';']).filter(|w| w.ends_with(".csv") || w.ends_with(".json")).count();
    assert_eq!(named, written.len(), "`run --help` names files a run does not write: {first} (wrote {written:?})");
}

/// Spawns `hashsim args` with stdout `stdout` and waits (killing it after a minute, a hang);
/// returns its exit code and stderr.
fn status_with_stdout(args: &[&std::ffi::OsStr], stdout: std::process::Stdio, close: bool) -> (Option<i32>, String) {
    use std::io::Read;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hashsim"))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .args(args)
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if close {
        // The reading end closes before the first write: as behind `| head -0`.
        drop(child.stdout.take());
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("hashsim {args:?} hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (status.code(), stderr)
}

/// Catches `println!` panics (exit 101) when stdout is a closed pipe or a full device, in
/// every command's printing: a closed pipe ends quietly with exit 0 (the reader wanted no
/// more), a full device is an error (exit 1) said on stderr.
#[test]
fn every_command_survives_a_closed_pipe_and_reports_a_full_device() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let scenario = write(p, "s.toml", &small_economy("eco", 6, 3, 1));
    let sweep = write(
        p,
        "sweep.toml",
        "[sweep]\nname = \"pipe\"\nbase = \"s.toml\"\nseed = 1\nreplicates = 1\n\n[[axes]]\nkey = \"price.initial_usd\"\nvalues = [60000, 90000]\n",
    );
    let plot_dir = p.join("plotted");
    std::fs::create_dir(&plot_dir).unwrap();
    for name in ["timeseries.csv", "manifest.json"] {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plot/run").join(name);
        std::fs::copy(fixture, plot_dir.join(name)).unwrap();
    }
    let s = |x: &str| x.to_string();
    let path = |x: &std::path::Path| x.display().to_string();
    // (what, arguments (OUT: a fresh folder per attempt), files the command writes there)
    let commands: Vec<(&str, Vec<String>, &[&str])> = vec![
        ("run", vec![s("run"), path(&scenario), s("--out"), s("OUT")], &["summary.csv"]),
        ("validate", vec![s("validate"), path(&scenario)], &[]),
        ("risk", vec![s("risk"), s("--q"), s("0.1,0.3"), s("--z"), s("0-10")], &[]),
        ("risk --max-risk", vec![s("risk"), s("--q"), s("0.1"), s("--max-risk"), s("0.001")], &[]),
        ("sweep --dry-run", vec![s("sweep"), path(&sweep), s("--dry-run")], &[]),
        (
            "sweep shard 0/2",
            vec![s("sweep"), path(&sweep), s("--shard"), s("0/2"), s("--out"), s("OUT")],
            &["runs.csv"],
        ),
        ("plot", vec![s("plot"), path(&plot_dir)], &[]),
    ];
    let devices: Vec<(&str, bool)> = if std::path::Path::new("/dev/full").exists() {
        vec![("closed pipe", true), ("/dev/full", false)]
    } else {
        eprintln!("no /dev/full here: only closed pipes are tried");
        vec![("closed pipe", true)]
    };
    for (what, args, files) in &commands {
        for (device, closed) in &devices {
            let out = p.join(format!("{}-{}", what.replace([' ', '/'], "_"), if *closed { "pipe" } else { "full" }));
            let args: Vec<std::ffi::OsString> =
                args.iter().map(|a| if a == "OUT" { out.clone().into_os_string() } else { a.into() }).collect();
            let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            let stdout = if *closed {
                std::process::Stdio::piped()
            } else {
                std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap().into()
            };
            let (code, stderr) = status_with_stdout(&args, stdout, *closed);
            assert!(!stderr.contains("panicked"), "{what}, {device}: {stderr}");
            if *closed {
                assert_eq!(code, Some(0), "{what}, {device}: {stderr}");
                assert!(stderr.is_empty(), "{what}, {device}: quiet, but stderr is {stderr:?}");
            } else {
                assert_eq!(code, Some(1), "{what}, {device}: {stderr}");
                assert!(stderr.contains("error: cannot write to standard output: "), "{what}, {device}: {stderr}");
            }
            for f in files.iter() {
                assert!(out.join(f).is_file(), "{what}, {device}: the work is done ({f} written)");
            }
        }
    }
    // Merge: the second shard, then the merge's report to each device.
    let shard1 = p.join("shard1");
    sweep_ok(&sweep, &shard1, &["--shard", "1/2"]);
    for (device, closed) in &devices {
        let out = p.join(format!("merged-{closed}"));
        let shard0 = p.join("sweep_shard_0_2-pipe");
        let args =
            [std::ffi::OsStr::new("merge"), shard0.as_os_str(), shard1.as_os_str(), "--out".as_ref(), out.as_os_str()];
        let stdout = if *closed {
            std::process::Stdio::piped()
        } else {
            std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap().into()
        };
        let (code, stderr) = status_with_stdout(&args, stdout, *closed);
        assert!(!stderr.contains("panicked"), "merge, {device}: {stderr}");
        assert_eq!(code, Some(if *closed { 0 } else { 1 }), "merge, {device}: {stderr}");
        assert!(out.join("aggregate.csv").is_file(), "merge, {device}: the work is done");
    }
}
