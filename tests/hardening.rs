//! Inputs that once panicked, hung, were silently accepted or gave errors that did not say
//! where: each now runs, or fails with a located error and writes nothing.

mod common;
use common::*;
use std::path::Path;

/// Runs `hashsim ARGS` in `dir` and returns (exit code, stderr).
fn hashsim_in(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = hashsim().current_dir(dir).args(args).output().expect("hashsim runs");
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A scenario calibrated to the difficulty, with `extra` appended.
fn calibrated(extra: &str) -> String {
    format!(
        r#"
[simulation]
name = "h"
days = 5
seed = 1

[chain]
difficulty = 150e12

[price]
model = "constant"
initial_usd = 90000

[population]
operators = 20
size_mw = {{ dist = "constant", value = 2 }}
efficiency_j_per_th = {{ dist = "constant", value = 20 }}
power_usd_per_kwh = {{ dist = "constant", value = 0.05 }}
calibrate_to = "active"
{extra}
"#
    )
}

/// Bug caught: `strategic`'s `clamp(0.0, losing_mw)` panicked (exit 101) on a vintage of
/// -2.9e-11 TH/s left by splitting a vintage at its own size.
#[test]
fn the_price_crash_that_panicked_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(
        Path::new("scenarios/price-crash.toml"),
        &out,
        &["--set", "simulation.seed=8", "--set", "population.operators=1000"],
    );
    assert_eq!(read_csv(&out.join("timeseries.csv")).len(), 365);
}

/// Bug caught: a failing run of a sweep named neither its run nor its seed, and runtime
/// errors said `scenario:` instead of the file.
#[test]
fn a_failing_sweep_run_names_its_run_and_seed_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.toml", &calibrated(""));
    let sweep = write(
        dir.path(),
        "sw.toml",
        "[sweep]\nname = \"s\"\nbase = \"base.toml\"\nseed = 7\nreplicates = 2\n\n[[axes]]\n\
         key = \"population.power_usd_per_kwh.value\"\nvalues = [0.05, 50]\n",
    );
    // At $50/kWh no machine pays on day 0: calibration fails at run time, in runs 2 and 3.
    let (code, err) = hashsim_in(dir.path(), &["sweep", sweep.to_str().unwrap(), "--out", "o", "-q", "--jobs", "1"]);
    assert_eq!(code, Some(1), "{err}");
    // e.g. "run r000002 (point 1, replicate 0, seed 3612125704086906771): base.toml: ..."
    let named = err.split("run r").nth(1).and_then(|rest| rest.split_once("): ")).map(|(head, _)| head.to_string());
    let head = named.unwrap_or_else(|| panic!("no run named:\n{err}"));
    assert!(head.contains(" (point 1, replicate ") && head.contains(", seed "), "{err}");
    let seed = head.rsplit("seed ").next().unwrap();
    assert!(seed.parse::<u64>().is_ok(), "{err}");
    assert!(err.contains("base.toml: population.calibrate_to: cannot calibrate"), "{err}");
    let (code, err) = hashsim_in(
        dir.path(),
        &["run", "base.toml", "--out", "r", "-q", "--set", "population.power_usd_per_kwh.value=50"],
    );
    assert_eq!(code, Some(1));
    assert!(err.starts_with("error: base.toml: population.calibrate_to: cannot calibrate"), "{err}");
}

/// Bug caught: a start date in year 9e18 overflowed `parse_date` (dates such as
/// 10026365715106572-08-16 in release, a panic in debug).
#[test]
fn a_start_date_past_year_9999_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "s.toml",
        &calibrated("").replace("seed = 1", "seed = 1\nstart_date = \"9000000000000000000-08-16\""),
    );
    let (code, err) = hashsim_in(dir.path(), &["run", f.to_str().unwrap(), "--out", "o", "-q"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("s.toml:6:14: simulation.start_date: must be a date YYYY-MM-DD from 1970-01-01 to 9999-12-31"),
        "{err}"
    );
    assert!(!dir.path().join("o").exists());
}

/// Bugs caught: price-path prices up to f64::MAX were accepted; a `price.path` at a file of
/// another shape had its first line quoted (for `/proc/self/environ`, the environment); at
/// `/dev/zero` the run never returned.
#[test]
fn price_paths_are_checked_and_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let text = calibrated("").replace("model = \"constant\"\ninitial_usd = 90000", "model = \"csv\"\npath = \"p.csv\"");
    let f = write(dir.path(), "s.toml", &text);
    let run = |dir: &Path| hashsim_in(dir, &["validate", f.to_str().unwrap()]);
    write(dir.path(), "p.csv", "day,price_usd\n0,90000\n1,90000\n2,1.7976931348623157e308\n3,1\n4,1\n");
    let (code, err) = run(dir.path());
    assert_eq!(code, Some(1));
    assert!(
        err.contains("p.csv:4: price_usd: must be between 0.01 and 1000000000 (got 1.7976931348623157e308)"),
        "{err}"
    );
    write(dir.path(), "p.csv", "SECRET_TOKEN=hunter2\0PATH=/bin\0");
    let (code, err) = run(dir.path());
    assert_eq!(code, Some(1));
    assert!(err.contains("p.csv:1: not a price path: expected a CSV file with the header `day,price_usd`"), "{err}");
    assert!(!err.contains("hunter2") && !err.contains("SECRET"), "{err}");
    if Path::new("/dev/zero").exists() {
        let g = write(dir.path(), "z.toml", &text.replace("p.csv", "/dev/zero"));
        let (code, err) = hashsim_in(dir.path(), &["validate", g.to_str().unwrap()]);
        assert_eq!(code, Some(1));
        assert!(err.contains("cannot read /dev/zero: not a regular file"), "{err}");
    }
}

/// Bugs caught: a catalog `released_year` of NaN was accepted; a model of 5e-324 J/TH was
/// accepted and its infinite hashrate became NaN and a panic (fuzz seed 12345, case 380).
#[test]
fn catalog_values_have_the_scenario_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let bundled = std::fs::read_to_string("scenarios/hardware.toml").unwrap();
    for (from, to, want) in [
        ("released_year = 2016.5", "released_year = nan", "released_year: must be between 1970 and 9999 (got NaN)"),
        ("j_per_th = 21.5", "j_per_th = 5e-324", "j_per_th: must be between 0.01 and 100000 (got 5e-324)"),
    ] {
        assert!(bundled.contains(from), "{from}");
        write(dir.path(), "hw.toml", &bundled.replacen(from, to, 1));
        let f = write(
            dir.path(),
            "s.toml",
            &calibrated("").replace("[population]", "[hardware]\ncatalog = \"hw.toml\"\n\n[population]"),
        );
        let (code, err) = hashsim_in(dir.path(), &["run", f.to_str().unwrap(), "--out", "o", "-q"]);
        assert_eq!(code, Some(1), "{err}");
        let line = bundled.lines().position(|l| l.starts_with(from)).unwrap() + 1;
        assert!(err.contains(&format!("hw.toml:{line}:")) && err.contains(want), "{err}");
        assert!(!dir.path().join("o").exists());
    }
}

/// Bug caught: 1000 BTC fees with a 10,000x fee shock overflowed the satoshi sums: a lone
/// operator's revenue passes u64 after ~18,000 blocks (exit 101 in a debug build, revenue
/// wrapped to almost nothing in release). Sums now saturate.
#[test]
fn enormous_fees_do_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let text = calibrated(
        "\n[fees]\nmodel = \"constant\"\nmean_btc_per_block = 1000\n\n\
         [[events]]\nday = 0\nkind = \"fee_shock\"\nmultiplier = 10000\n",
    )
    .replace("days = 5", "days = 150")
    .replace("operators = 20", "operators = 1");
    let f = write(dir.path(), "s.toml", &text);
    let out = dir.path().join("out");
    run_ok(&f, &out, &[]);
    let ops = read_csv(&out.join("operators.csv"));
    let most_btc = u64::MAX as f64 / 1e8;
    assert_eq!(num(&ops[0], "revenue_btc"), most_btc, "saturated, not wrapped");
}
