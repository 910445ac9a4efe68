//! CORE-1 (`scenarios/bench/core1.toml`), the reference scenario for comparing tools, checked
//! through the real binary against its specification: the population it draws, the day-0
//! calibration, the profit rule, the price process, the reward schedule and the block rate.

mod common;
use common::*;
use std::collections::HashMap;
use std::path::Path;

type Row = HashMap<String, String>;

fn run_core1(out: &Path, set: &[&str]) -> (Vec<Row>, Vec<Row>) {
    let mut args = Vec::new();
    for s in set {
        args.extend(["--set", s]);
    }
    run_ok(Path::new("scenarios/bench/core1.toml"), out, &args);
    (read_csv(&out.join("timeseries.csv")), read_csv(&out.join("operators.csv")))
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Blocks found per day by one TH/s at difficulty `d`: `86400 * 1e12 / (d * 2^32)`.
fn blocks_per_th_day(d: f64) -> f64 {
    86_400.0 * 1e12 / (d * 4_294_967_296.0)
}

/// Bitcoin's subsidy in BTC at `height` (3.125 BTC from block 840,000, halving every 210,000).
fn subsidy_btc(height: u64) -> f64 {
    50.0 / f64::from(1u32 << (height / 210_000))
}

#[test]
fn the_population_and_day_zero_are_as_specified() {
    let dir = tempfile::tempdir().unwrap();
    let (ts, ops) = run_core1(dir.path(), &["simulation.days=1"]);
    assert_eq!(ops.len(), 10_000, "N defaults to 10,000 miners");
    let day0 = &ts[0];

    // Hashrate: lognormal (log-mean ln 5000, log-sd 1.5), then scaled to 1.1 ZH/s in total.
    // Scaling shifts the log-mean and leaves the log-sd alone.
    let th: Vec<f64> = ops.iter().map(|o| num(o, "installed_th_s")).collect();
    let total_th: f64 = th.iter().sum();
    assert!((total_th / 1.1e9 - 1.0).abs() < 1e-9, "population totals {total_th} TH/s");
    assert!((num(day0, "installed_hashrate_eh_s") - 1100.0).abs() < 1e-6);
    let (_, log_sd) = mean_sd(&th.iter().map(|x| x.ln()).collect::<Vec<_>>());
    assert!((log_sd - 1.5).abs() < 0.06, "hashrate log-sd {log_sd}");

    // Efficiency uniform on [15, 38] J/TH: mean 26.5, sd 23/sqrt(12) = 6.64.
    let e: Vec<f64> = ops.iter().map(|o| num(o, "efficiency_j_per_th")).collect();
    assert!(e.iter().all(|&x| (15.0..=38.0).contains(&x)));
    let (e_mean, e_sd) = mean_sd(&e);
    assert!((e_mean - 26.5).abs() < 0.3 && (e_sd - 6.64).abs() < 0.2, "efficiency {e_mean} / {e_sd}");

    // Power price lognormal with median $0.05/kWh and log-sd 0.4.
    let p: Vec<f64> = ops.iter().map(|o| num(o, "power_usd_per_kwh")).collect();
    let (_, p_log_sd) = mean_sd(&p.iter().map(|x| x.ln()).collect::<Vec<_>>());
    assert!((median(&p) / 0.05 - 1.0).abs() < 0.03, "power median {}", median(&p));
    assert!((p_log_sd - 0.4).abs() < 0.02, "power log-sd {p_log_sd}");

    // Start: height 925,000, $90,000, fees 0.025 BTC a block, and the difficulty at which the
    // whole population finds a block every 600 s, D = H * 600 / 2^32 (up to the compact
    // encoding's rounding).
    assert_eq!(num(day0, "price_usd"), 90_000.0);
    assert_eq!(num(day0, "fees_btc_per_block"), 0.025);
    let want_d = 1.1e21 * 600.0 / 4_294_967_296.0;
    assert!((num(day0, "difficulty") / want_d - 1.0).abs() < 1e-4, "difficulty {}", num(day0, "difficulty"));
    let hp = blocks_per_th_day(num(day0, "difficulty")) * (3.125 + 0.025) * 90_000.0;
    assert!((num(day0, "hashprice_usd_per_ph_day") / (hp * 1000.0) - 1.0).abs() < 1e-12);

    // About two thirds of the miners are profitable on day 0, and exactly those mine.
    let mining = num(day0, "mining_operators");
    assert!((0.6..=0.7).contains(&(mining / 10_000.0)), "{mining} of 10,000 mine on day 0");
    let profitable = e.iter().zip(&p).filter(|&(&e, &p)| hp >= e * 0.024 * p).count();
    assert_eq!(profitable as f64, mining);
}

#[test]
fn four_years_follow_the_profit_rule_the_price_process_and_the_reward_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let (ts, ops) = run_core1(dir.path(), &["population.operators=2000"]);
    assert_eq!(ts.len(), 1461);

    let mut start_height = 925_000u64;
    let (mut expected_blocks, mut blocks, mut halvings_seen) = (0.0, 0.0, 0);
    for (d, row) in ts.iter().enumerate() {
        let end_height = num(row, "height") as u64;
        // Hashprice from the current difficulty and today's price, at the next block's reward.
        let diff = num(row, "difficulty");
        let reward = subsidy_btc(start_height + 1) + 0.025;
        let hp = blocks_per_th_day(diff) * reward * num(row, "price_usd") * 1000.0;
        assert!((num(row, "hashprice_usd_per_ph_day") / hp - 1.0).abs() < 1e-12, "day {d}");
        // Each block pays the subsidy of its height plus 0.025 BTC of fees.
        let n = num(row, "blocks");
        assert_eq!(n as u64, end_height - start_height, "day {d}");
        if (start_height + 1) / 210_000 == end_height / 210_000 {
            let want = subsidy_btc(end_height) * n;
            assert!((num(row, "subsidy_btc") - want).abs() < 1e-9, "day {d}: subsidy");
        } else {
            halvings_seen += 1;
        }
        assert!((num(row, "fees_btc") - 0.025 * n).abs() < 1e-9, "day {d}: fees");
        // Poisson blocks at rate H / (D * 2^32) on days without a retarget (the rate is then
        // constant all day).
        if num(row, "retargets") == 0.0 {
            expected_blocks += num(row, "hashrate_eh_s") * 1e6 * blocks_per_th_day(diff);
            blocks += n;
        }
        start_height = end_height;
    }
    assert_eq!(halvings_seen, 1, "the halving at block 1,050,000 falls inside the four years");
    let z = (blocks - expected_blocks) / expected_blocks.sqrt();
    assert!(z.abs() < 5.0, "{blocks} blocks, {expected_blocks:.0} expected (z = {z:.2})");

    // Price: daily log-returns Normal(0, 0.035).
    let prices: Vec<f64> = ts.iter().map(|r| num(r, "price_usd")).collect();
    let returns: Vec<f64> = prices.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
    let (m, sd) = mean_sd(&returns);
    assert!(m.abs() < 0.0037 && (sd - 0.035).abs() < 0.0026, "log-returns mean {m}, sd {sd}");

    // On the last day every miner mines iff its revenue covers its power cost at that day's
    // hashprice, and the day's row counts exactly those.
    let last = &ts[ts.len() - 1];
    let hp_th = num(last, "hashprice_usd_per_ph_day") / 1000.0;
    let mut running = 0;
    for o in &ops {
        let cost = num(o, "efficiency_j_per_th") * 0.024 * num(o, "power_usd_per_kwh");
        let runs = num(o, "running_th_s") > 0.0;
        if (cost / hp_th - 1.0).abs() > 1e-9 {
            assert_eq!(runs, cost <= hp_th, "operator {}: cost {cost}, hashprice {hp_th}", o["operator_id"]);
        }
        running += usize::from(runs);
        assert_eq!(o["state"], "active", "no exits without strategy or finance");
    }
    assert_eq!(running as f64, num(last, "mining_operators"));

    // Every block's reward is credited to a miner: what the miners earned is what was paid.
    let paid: f64 = ts.iter().map(|r| num(r, "subsidy_btc") + num(r, "fees_btc")).sum();
    let earned: f64 = ops.iter().map(|o| num(o, "revenue_btc")).sum();
    assert!((earned / paid - 1.0).abs() < 1e-9, "earned {earned} BTC, paid {paid} BTC");
}

/// The merit order against its oracle through the real binary: CORE-1 (2,000 miners, two
/// years, three replicates) with `simulation.merit_order` on (the default) and off (every
/// operator walked every day) writes the same files, byte for byte. Catches: any sum, draw or
/// lazily booked operator field of the merit day that parts from the fused day's.
#[test]
fn the_merit_order_writes_the_oracles_files() {
    let dir = tempfile::tempdir().unwrap();
    let base = ["population.operators=2000", "simulation.days=730", "simulation.replicates=3"];
    let (on, off) = (dir.path().join("on"), dir.path().join("off"));
    run_core1(&on, &base);
    run_core1(&off, &[&base[..], &["simulation.merit_order=false"]].concat());
    let mut files = 0;
    for f in std::fs::read_dir(&on).unwrap() {
        let name = f.unwrap().file_name();
        if name.to_string_lossy().ends_with(".csv") {
            let a = std::fs::read(on.join(&name)).unwrap();
            let b = std::fs::read(off.join(&name)).unwrap();
            assert!(a == b, "{name:?} differs");
            files += 1;
        }
    }
    assert!(files >= 5, "{files} CSV files");
}
