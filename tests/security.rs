//! Security metrics through the binary: the attack routes are consistent with each other and
//! with the concentration metrics, and the summary agrees with the daily series.

mod common;
use common::*;
use std::collections::HashMap;
use std::path::Path;

type Rows = Vec<HashMap<String, String>>;

fn baseline(out: &Path, extra: &[&str]) -> Rows {
    let mut args = vec!["--set", "population.operators=800", "--set", "simulation.days=400"];
    for e in extra {
        args.push("--set");
        args.push(e);
    }
    run_ok(Path::new("scenarios/baseline.toml"), out, &args);
    read_csv(&out.join("timeseries.csv"))
}

fn opt(r: &HashMap<String, String>, col: &str) -> Option<f64> {
    let v = &r[col];
    (!v.is_empty()).then(|| v.parse().unwrap())
}

#[test]
fn dormant_machines_are_cheaper_than_new_ones_whenever_they_suffice() {
    let dir = tempfile::tempdir().unwrap();
    let ts = baseline(dir.path(), &[]);
    let mut feasible = 0;
    for r in &ts {
        let need = num(r, "attack_needed_eh_s");
        match opt(r, "attack_dormant_usd") {
            Some(d) => {
                feasible += 1;
                assert!(num(r, "dormant_eh_s") >= need * (1.0 - 1e-9));
                assert!(
                    d < num(r, "attack_new_hardware_usd"),
                    "day {}: dormant {d:e} vs new {}",
                    r["day"],
                    r["attack_new_hardware_usd"]
                );
            }
            None => assert!(num(r, "dormant_eh_s") < need, "day {}: enough dormant machines but no cost", r["day"]),
        }
        // The cheapest route is the minimum of the feasible ones.
        let routes = ["attack_new_hardware_usd", "attack_dormant_usd", "attack_rental_usd", "attack_coalition_usd"];
        let min = routes.iter().filter_map(|c| opt(r, c)).fold(f64::INFINITY, f64::min);
        assert_eq!(opt(r, "attack_cheapest_usd"), Some(min));
        // 51% against H honest needs 0.51/0.49 H.
        assert!((need - num(r, "hashrate_eh_s") * 0.51 / 0.49).abs() < 1e-9 * need.max(1.0));
    }
    assert!(feasible > 0, "dormant machines never sufficed in this run: the check above was vacuous");
}

#[test]
fn doubling_the_hardware_price_doubles_the_machines_component() {
    let dir = tempfile::tempdir().unwrap();
    let a = baseline(&dir.path().join("a"), &["metrics.attack_hardware_usd_per_th=20", "simulation.days=60"]);
    let b = baseline(&dir.path().join("b"), &["metrics.attack_hardware_usd_per_th=40", "simulation.days=60"]);
    for (x, y) in a.iter().zip(&b) {
        let (mx, my) = (num(x, "attack_new_hardware_machines_usd"), num(y, "attack_new_hardware_machines_usd"));
        assert!((my - 2.0 * mx).abs() <= 1e-9 * my, "day {}: {mx} -> {my}", x["day"]);
        // Power and facility are unchanged, so the total rises by exactly the machines' cost.
        let (tx, ty) = (num(x, "attack_new_hardware_usd"), num(y, "attack_new_hardware_usd"));
        assert!((ty - tx - mx).abs() <= 1e-6 * ty);
    }
}

#[test]
fn coalition_size_is_the_nakamoto_coefficient_and_state_feasibility_the_top_share() {
    let dir = tempfile::tempdir().unwrap();
    let ts = baseline(dir.path(), &["metrics.attack_share=0.5", "simulation.days=120"]);
    for r in &ts {
        assert_eq!(num(r, "attack_coalition_size"), num(r, "nakamoto_50_operators"), "day {}", r["day"]);
        assert_eq!(r["state_attack_feasible"] == "true", num(r, "top1_share_jurisdictions") >= 0.5);
        // Jurisdiction concentration is internally consistent.
        let hhi = num(r, "hhi_jurisdictions");
        assert!((num(r, "effective_jurisdictions") - 10_000.0 / hhi).abs() < 1e-9 * 10_000.0 / hhi);
        assert!(num(r, "top5_share_jurisdictions") >= num(r, "top1_share_jurisdictions"));
        assert!(num(r, "nakamoto_33_jurisdictions") <= num(r, "nakamoto_50_jurisdictions"));
        assert!((0.0..1.0).contains(&num(r, "gini_jurisdictions")));
        let risk = num(r, "double_spend_risk");
        assert!((0.0..=1.0).contains(&risk));
        if num(r, "budget_attack_share") == 0.5 {
            assert_eq!(risk, 1.0);
        }
    }
}

#[test]
fn summary_agrees_with_the_daily_series() {
    let dir = tempfile::tempdir().unwrap();
    let ts = baseline(dir.path(), &["simulation.days=200", "metrics.nakamoto_threshold=1000"]);
    let s = &read_csv(&dir.path().join("summary.csv"))[0];
    let h: Vec<f64> = ts.iter().map(|r| num(r, "hashrate_eh_s")).collect();
    let (imin, min) = h.iter().enumerate().fold((0, f64::INFINITY), |a, (i, &x)| if x < a.1 { (i, x) } else { a });
    assert_eq!(num(s, "hashrate_eh_s_min"), min);
    assert_eq!(num(s, "hashrate_eh_s_min_day"), imin as f64);
    assert_eq!(num(s, "hashrate_eh_s_final"), *h.last().unwrap());
    assert_eq!(num(s, "blocks_total"), ts.iter().map(|r| num(r, "blocks")).sum::<f64>());
    let first_below = ts.iter().find(|r| num(r, "nakamoto_50_operators") < 1000.0).map(|r| num(r, "day"));
    assert_eq!(opt(s, "nakamoto_below_threshold_day"), first_below);
}
