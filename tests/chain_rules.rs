//! Bitcoin's chain rules, observed through the `hashsim` binary's outputs.

mod common;
use common::*;

/// Mean block interval over the days `from..to` of a run's rows (blocks-weighted).
fn mean_interval(rows: &[std::collections::HashMap<String, String>], rep: u32, from: u32, to: u32) -> f64 {
    let (mut secs, mut blocks) = (0.0, 0.0);
    for r in rows.iter().filter(|r| num(r, "replicate") as u32 == rep) {
        let d = num(r, "day") as u32;
        if d >= from && d < to && num(r, "blocks") > 0.0 {
            secs += num(r, "mean_block_interval_s") * num(r, "blocks");
            blocks += num(r, "blocks");
        }
    }
    secs / blocks
}

#[test]
fn subsidy_halves_at_840000_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    // Tip 839,995: blocks 839,996..839,999 pay 6.25 BTC, from 840,000 on 3.125 BTC.
    let f = write(dir.path(), "s.toml", &always_on("h", 1, 1, 839_995, ""));
    run_ok(&f, &dir.path().join("out"), &[]);
    let rows = read_csv(&dir.path().join("out/timeseries.csv"));
    let blocks = num(&rows[0], "blocks");
    assert!(blocks > 100.0);
    let want = 4.0 * 6.25 + (blocks - 4.0) * 3.125;
    assert_eq!(num(&rows[0], "subsidy_btc"), want);
    assert_eq!(num(&rows[0], "height"), 839_995.0 + blocks);
}

#[test]
fn subsidy_is_zero_after_64_halvings() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.toml", &always_on("h", 1, 1, 64 * 210_000, ""));
    run_ok(&f, &dir.path().join("out"), &[]);
    let rows = read_csv(&dir.path().join("out/timeseries.csv"));
    assert!(num(&rows[0], "blocks") > 0.0);
    assert_eq!(num(&rows[0], "subsidy_btc"), 0.0);
    assert!(num(&rows[0], "fees_btc") > 0.0);
}

#[test]
fn mean_interval_is_600s_over_50_epochs() {
    let dir = tempfile::tempdir().unwrap();
    // 50 epochs of 2016 blocks at 600 s is 700 days; start on an epoch boundary.
    let f = write(dir.path(), "s.toml", &always_on("m", 702, 7, 2016 * 460 - 1, ""));
    run_ok(&f, &dir.path().join("out"), &[]);
    let rows = read_csv(&dir.path().join("out/timeseries.csv"));
    let last = rows.last().unwrap();
    assert!(num(last, "height") - (2016.0 * 460.0 - 1.0) >= 50.0 * 2016.0, "fewer than 50 epochs");
    let m = mean_interval(&rows, 0, 0, 702);
    // Core's 2015-interval measurement puts the long-run mean at 600 * 2016/2015 = 600.3 s;
    // the standard error over ~100k blocks is ~1.9 s.
    eprintln!("mean interval over 50 epochs: {m:.2} s");
    assert!((m - 600.0).abs() < 6.0, "mean interval {m}");
}

#[test]
fn hashrate_drop_mid_epoch_slows_blocks_until_retargets_catch_up() {
    let dir = tempfile::tempdir().unwrap();
    // A fresh epoch starts at block 2016 * 460; 12% of hashrate leaves on day 7 (mid-epoch).
    let extra = "[[events]]\nday = 7\nkind = \"hashrate_shock\"\nchange = -0.12\n";
    let text = always_on("drop", 60, 11, 2016 * 460 - 1, extra).replace("seed = 11", "seed = 11\nreplicates = 32");
    let f = write(dir.path(), "s.toml", &text);
    run_ok(&f, &dir.path().join("out"), &[]);
    let rows = read_csv(&dir.path().join("out/timeseries.csv"));
    let (mut before, mut after, mut next, mut settled) = (0.0, 0.0, 0.0, 0.0);
    for rep in 0..32 {
        let retarget_days: Vec<u32> = rows
            .iter()
            .filter(|r| num(r, "replicate") as u32 == rep && num(r, "retargets") > 0.0)
            .map(|r| num(r, "day") as u32)
            .collect();
        assert!(retarget_days.len() >= 3, "{retarget_days:?}");
        let (r1, r2, r3) = (retarget_days[0], retarget_days[1], retarget_days[2]);
        assert!(r1 > 7, "first retarget {r1} should come after the drop");
        before += mean_interval(&rows, rep, 0, 7) / 32.0;
        after += mean_interval(&rows, rep, 7, r1) / 32.0;
        next += mean_interval(&rows, rep, r1 + 1, r2) / 32.0;
        settled += mean_interval(&rows, rep, r2 + 1, r3) / 32.0;
    }
    eprintln!(
        "intervals: before {before:.1} s, after drop {after:.1} s, next epoch {next:.1} s, settled {settled:.1} s"
    );
    // Tolerances: one epoch's mean interval has a standard error of ~600/sqrt(2016) = 13 s,
    // so ~2.4 s over 32 replicates (~4 s for the half-epoch after the drop); allow ~4 of them.
    // (200 replicates gave 601.7 / 680.1 / 640.3 / 599.6 s.)
    // Before: 600 s. After the drop: 600 / 0.88 = 681.8 s.
    assert!((before - 600.0).abs() < 10.0, "before {before}");
    assert!((after - 681.8).abs() < 15.0, "after {after}");
    // The first retarget sees an epoch that was half fast, half slow, so it cuts difficulty
    // only part-way: T ~ 1008 x 600 + 1007 x 681.8 = 1,291,400 s, so difficulty falls to
    // 1209600 / T = 0.937 of its value and the next epoch runs at 600 x 0.937 / 0.88 ~ 638 s;
    // the retarget after that sees a whole slow epoch and brings blocks back to ~600 s.
    assert!((next - 638.0).abs() < 15.0, "next epoch {next}");
    assert!((settled - 600.0).abs() < 10.0, "settled {settled}");
}
