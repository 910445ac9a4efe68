//! Helpers for the integration tests: scenario files in a temporary folder, the real
//! `hashsim` binary, and CSVs read into rows of named columns.
#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub fn hashsim() -> Command {
    Command::cargo_bin("hashsim").expect("binary builds")
}

/// Writes `text` as `name` in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// A small population of always-on, identical operators with free power, for chain-rule
/// experiments.
pub fn always_on(name: &str, days: u32, seed: u64, height: u64, extra: &str) -> String {
    format!(
        r#"
[simulation]
name = "{name}"
days = {days}
seed = {seed}

[chain]
height = {height}

[price]
model = "constant"
initial_usd = 90000

[fees]
model = "constant"
mean_btc_per_block = 0.025

[population]
operators = 20
total_hashrate_eh_s = 1000
size_mw = {{ dist = "constant", value = 1 }}
efficiency_j_per_th = {{ dist = "constant", value = 20 }}
power_usd_per_kwh = {{ dist = "constant", value = 0.0 }}
decision = "always"
{extra}
"#
    )
}

/// A small economic population (profit-driven miners, random price), quick to run.
pub fn small_economy(name: &str, days: u32, seed: u64, replicates: u32) -> String {
    format!(
        r#"
[simulation]
name = "{name}"
days = {days}
seed = {seed}
replicates = {replicates}

[chain]
difficulty = 150e12

[price]
model = "gbm"
initial_usd = 90000
log_return_sd_per_day = 0.03

[fees]
model = "lognormal"
mean_btc_per_block = 0.025
log_sd = 0.5

[population]
operators = 300
size_mw = {{ dist = "lognormal", median = 3, log_sd = 1.8 }}
efficiency_j_per_th = {{ dist = "uniform", min = 13.5, max = 40 }}
power_usd_per_kwh = {{ dist = "lognormal", median = 0.045, log_sd = 0.3 }}
calibrate_to = "active"

[[population.jurisdictions]]
name = "US"
share = 0.6
[[population.jurisdictions]]
name = "CN"
share = 0.4

[[events]]
day = 5
kind = "price_shock"
change = -0.38
"#
    )
}

/// Runs `hashsim run FILE --out OUT -q` (plus `args`), asserting success.
pub fn run_ok(scenario: &Path, out: &Path, args: &[&str]) {
    hashsim().arg("run").arg(scenario).arg("--out").arg(out).arg("-q").args(args).assert().success();
}

/// A CSV as rows of column -> value.
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

pub fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row.get(col)
        .unwrap_or_else(|| panic!("no column {col}"))
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?}", row[col]))
}

/// Runs `hashsim sweep FILE --out OUT -q` (plus `args`), asserting success; outside any
/// Slurm job array even when the tests run inside one.
pub fn sweep_ok(sweep: &Path, out: &Path, args: &[&str]) {
    hashsim()
        .env_remove("SLURM_ARRAY_TASK_ID")
        .arg("sweep")
        .arg(sweep)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .args(args)
        .assert()
        .success();
}
