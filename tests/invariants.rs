//! Every bundled scenario runs in full, and its CSVs keep the model's books: hashrate by state
//! (mining, curtailed by demand response, idle, stored, on the market) adds up to the fleet, energy matches hashrate x efficiency, nobody holds negative cash
//! unless it went bankrupt, and block counts agree between files.

mod common;
use common::*;
use std::path::Path;

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-9)
}

fn check(name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    run_ok(Path::new(&format!("scenarios/{name}.toml")), out, &[]);
    let ts = read_csv(&out.join("timeseries.csv"));
    let ops = read_csv(&out.join("operators.csv"));
    assert!(!ts.is_empty(), "{name}: no rows");
    for r in &ts {
        let day = &r["day"];
        let states: f64 = ["mining", "curtailed", "idle", "pivoting", "ai", "exited"]
            .iter()
            .map(|s| num(r, &format!("hashrate_{s}_eh_s")))
            .sum();
        assert!(
            close(states, num(r, "fleet_eh_s"), 1e-9),
            "{name} day {day}: states {states} vs fleet {}",
            r["fleet_eh_s"]
        );
        assert!(close(
            num(r, "hashrate_mining_eh_s") + num(r, "hashrate_curtailed_eh_s") + num(r, "hashrate_idle_eh_s"),
            num(r, "installed_hashrate_eh_s"),
            1e-9
        ));
        for col in ["hashrate_eh_s", "price_usd", "blocks", "btc_sold", "power_cost_usd", "ai_contracted_mw"] {
            assert!(num(r, col) >= 0.0, "{name} day {day}: {col} < 0");
        }
        assert!(num(r, "ai_contracted_mw") <= num(r, "mw_ai_building") + num(r, "mw_ai_online") + 1e-6);
    }
    for o in &ops {
        let id = &o["operator_id"];
        if o["state"] != "bankrupt" && o["in_default"] != "true" {
            assert!(num(o, "cash_usd") >= -1e-6, "{name}: operator {id} holds {} USD", o["cash_usd"]);
            assert!(
                num(o, "debt_usd") <= num(o, "credit_limit_usd") * (1.0 + 1e-9) + 1e-6,
                "{name}: operator {id} over its credit line"
            );
        }
        assert!(num(o, "treasury_btc") >= -1e-9);
        assert!(num(o, "mining_mw") + num(o, "ai_mw") <= num(o, "site_mw") * (1.0 + 1e-9));
    }
    let won: f64 = ops.iter().map(|o| num(o, "blocks_won")).sum();
    let mined: f64 = ts.iter().map(|r| num(r, "blocks")).sum();
    assert_eq!(won, mined, "{name}: blocks won vs found");
    let summary = read_csv(&out.join("summary.csv"));
    assert_eq!(num(&summary[0], "blocks_total"), mined);
}

#[test]
fn baseline_keeps_its_books() {
    check("baseline");
}

#[test]
fn price_crash_keeps_its_books() {
    check("price-crash");
}

#[test]
fn ai_rush_keeps_its_books() {
    check("ai-rush");
}

#[test]
fn halving_2028_keeps_its_books() {
    check("halving-2028");
}

#[test]
fn ai_bust_keeps_its_books() {
    check("ai-bust");
}

#[test]
fn every_bundled_scenario_is_checked() {
    let mut names: Vec<String> = std::fs::read_dir("scenarios")
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            (p.extension()? == "toml" && stem != "hardware").then_some(stem)
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["ai-bust", "ai-rush", "baseline", "halving-2028", "price-crash"],
        "add a test above for a new scenario"
    );
}

/// The day's energy recomputed from the operators' own machines, not from the daily sums:
/// with every machine running (`decision = "always"`), the last day's energy is the sum over
/// operators of running TH/s x their fleet's J/TH x 24 h. Catches energy (or power) charged
/// for machines that left or failed the same day, or settled before the day's decisions.
#[test]
fn energy_is_what_the_operators_machines_draw() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
[simulation]
name = "energy"
days = 40
seed = 11

[chain]
difficulty = 150e12

[price]
model = "constant"
initial_usd = 90000

[fees]
model = "constant"
mean_btc_per_block = 0.025

[population]
operators = 50
total_hashrate_eh_s = 1000
size_mw = { dist = "lognormal", median = 3, log_sd = 1.0 }
efficiency_j_per_th = { dist = "uniform", min = 13.5, max = 40 }
power_usd_per_kwh = { dist = "constant", value = 0.05 }
decision = "always"

[hardware]
failure_rate_per_year = 0.2
"#;
    let f = write(dir.path(), "s.toml", text);
    let out = dir.path().join("out");
    run_ok(&f, &out, &[]);
    let ts = read_csv(&out.join("timeseries.csv"));
    let ops = read_csv(&out.join("operators.csv"));
    let last = ts.last().unwrap();
    let mwh: f64 = ops
        .iter()
        .filter(|o| num(o, "running_th_s") > 0.0)
        .map(|o| num(o, "running_th_s") * num(o, "efficiency_j_per_th") * 24.0 / 1e6)
        .sum();
    assert!(close(mwh, num(last, "energy_mwh"), 1e-9), "operators draw {mwh} MWh, the day says {}", last["energy_mwh"]);
    // And the power bill is that energy at $50/MWh.
    assert!(close(mwh * 50.0, num(last, "power_cost_usd"), 1e-9));
    // Failures shrank the fleet over 40 days: the check is not of day 0's numbers.
    assert!(num(last, "hashrate_eh_s") < num(&ts[0], "hashrate_eh_s"));
}
