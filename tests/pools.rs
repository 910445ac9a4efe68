//! Pools through the binary: the bundled baseline starts with late 2025's pool shares and a
//! pool-level Nakamoto coefficient of 2 (the published figure), and bad `[[pools]]` get located
//! errors.

mod common;
use common::*;
use std::path::Path;

/// The baseline's day 0 against the calibration (../shared/calibration.md: Foundry ~30%,
/// AntPool's template group ~40%; the top two pools above 50%). Bug caught: pools assigned
/// by count of operators instead of hashrate (shares far from the file's), solo or idle
/// hashrate counted in a pool, or template groups not summed.
#[test]
fn the_baseline_starts_with_the_published_pool_concentration() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(Path::new("scenarios/baseline.toml"), dir.path(), &["--set", "simulation.days=2"]);
    let day0 = &read_csv(&dir.path().join("timeseries.csv"))[0];
    assert_eq!(num(day0, "nakamoto_50_pools"), 2.0);
    assert_eq!(day0["largest_pool"], "Foundry USA");
    let top1 = num(day0, "top1_share_pools");
    assert!((0.27..=0.33).contains(&top1), "Foundry's share {top1}");
    assert_eq!(day0["largest_template_group"], "AntPool");
    let group = num(day0, "top1_share_template_groups");
    assert!((0.37..=0.43).contains(&group), "AntPool's template group {group}");
    // Operator groups stay what they were: many more entities than pools.
    assert!(num(day0, "nakamoto_50_operators") > 20.0);
}

/// Bug caught: shares that do not sum to 1, a duplicate pool or a named operator in an unknown
/// pool accepted (operators silently in no pool, or two pools merged in the columns).
#[test]
fn bad_pools_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let base = small_economy("pools", 10, 1, 1);
    let cases = [
        ("[[pools]]\nname = \"a\"\nshare = 0.6\n[[pools]]\nname = \"b\"\nshare = 0.2\n", "pools: shares must sum to 1 (they sum to 0.8)"),
        ("[[pools]]\nname = \"a\"\nshare = 0.5\n[[pools]]\nname = \"a\"\nshare = 0.5\n", "pools[1].name: duplicate pool \"a\""),
        (
            "[[pools]]\nname = \"a\"\nshare = 1\n[[operators]]\nname = \"x\"\nhashrate_th_s = 1000\nefficiency_j_per_th = 20\npower_usd_per_kwh = 0.05\npool = \"b\"\n",
            "operators[0].pool: unknown pool \"b\"",
        ),
        (
            "[[pools]]\nname = \"a\"\nshare = 1\nfee = 0.6\n",
            "pools[0].fee: must be between 0 and 0.5 (got 0.6)",
        ),
        (
            "[[pools]]\nname = \"a\"\nshare = 1\n\n[[events]]\nday = 2\nkind = \"pool_fee\"\npool = \"z\"\nfee = 0.05\n",
            "pool: unknown pool \"z\"",
        ),
    ];
    for (extra, want) in cases {
        let path = write(dir.path(), "pools.toml", &format!("{base}\n{extra}"));
        let out = hashsim().args(["validate", path.to_str().unwrap()]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{extra}");
        assert!(err.contains("pools.toml:"), "{err}");
        assert!(err.contains(want), "{err}");
    }
}

/// Each pool pays its own fee: with the same work, members of a 0% pool earn more per TH/s
/// than those of a 20% pool, by about the fee (operators.csv's revenue over installed
/// hashrate, summed per pool over a month). Bug caught: every pool paying
/// `population.pool_fee` whatever its own `fee`, or the fee applied the wrong way.
#[test]
fn each_pool_pays_its_own_fee() {
    let dir = tempfile::tempdir().unwrap();
    let pools =
        "\n[[pools]]\nname = \"cheap\"\nshare = 0.5\nfee = 0.0\n[[pools]]\nname = \"dear\"\nshare = 0.5\nfee = 0.2\n";
    let path = write(dir.path(), "fees.toml", &format!("{}{pools}", small_economy("fees", 30, 5, 1)));
    let out = dir.path().join("out");
    run_ok(&path, &out, &["--set", "strategy.enabled=false"]);
    let ops = read_csv(&out.join("operators.csv"));
    let per_th = |pool: &str| {
        let (btc, th): (f64, f64) = ops
            .iter()
            .filter(|o| o["pool"] == pool)
            .fold((0.0, 0.0), |(b, t), o| (b + num(o, "revenue_btc"), t + num(o, "installed_th_s")));
        btc / th
    };
    let ratio = per_th("dear") / per_th("cheap");
    assert!((ratio - 0.8).abs() < 0.05, "dear/cheap revenue per TH/s {ratio}");
}
