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
