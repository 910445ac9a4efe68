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

/// A fee rise empties a pool: two pools at 2%, A with 60% of the pooled hashrate; on day 5 A
/// raises its fee to 8%, and each member moves to B at its next strategy review (within 30
/// days), so by day 40 B holds all the pooled hashrate and A none. Bug caught: members that
/// never reconsider (switching wired to no path), that move the wrong way, or pools paying
/// one fee whatever their own (the fee event without effect).
#[test]
fn members_leave_a_pool_that_raises_its_fee() {
    let dir = tempfile::tempdir().unwrap();
    let pools = "\n[[pools]]\nname = \"A\"\nshare = 0.6\nfee = 0.02\n[[pools]]\nname = \"B\"\nshare = 0.4\nfee = 0.02\n\n[[events]]\nday = 5\nkind = \"pool_fee\"\npool = \"A\"\nfee = 0.08\n";
    let path = write(dir.path(), "fee.toml", &format!("{}{pools}", small_economy("fee", 41, 3, 1)));
    let out = dir.path().join("out");
    run_ok(&path, &out, &[]);
    let ts = read_csv(&out.join("timeseries.csv"));
    assert_eq!(ts[0]["largest_pool"], "A");
    assert!((0.5..=0.7).contains(&num(&ts[0], "top1_share_pools")), "{}", ts[0]["top1_share_pools"]);
    let last = ts.last().unwrap();
    assert_eq!(last["largest_pool"], "B");
    assert!(num(last, "top1_share_pools") > 0.999, "{}", last["top1_share_pools"]);
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.contains("pool_switch"), "no pool_switch event");
}
