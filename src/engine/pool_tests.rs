//! Pooled revenue through the whole engine: hand-worked days, a retarget inside a day, solo
//! against pool, and what pools paid against what the blocks paid over a long run.

use super::hook::{DayEnd, DayStart, Hook};
use super::*;
use crate::agents::Operator;
use crate::scenario::{load_str, LoadedScenario};
use crate::units::Sat;

/// Two named operators that always run at no power cost, machines that never fail; difficulty exactly 2^40
/// (`0x1800ffff`), constant fees of 0.025 BTC, a 2% pool fee.
fn scenario(days: u32, height: u64, extra_chain: &str, payout_b: &str) -> LoadedScenario {
    let text = scenario_text(days, height, extra_chain, payout_b);
    load_str(&text, "pool.toml", std::path::Path::new("."), &[]).expect("test scenario")
}

/// [`scenario`]'s file.
fn scenario_text(days: u32, height: u64, extra_chain: &str, payout_b: &str) -> String {
    format!(
        "[simulation]\nname = \"pool\"\ndays = {days}\nseed = 7\n\
         [chain]\nheight = {height}\nbits = \"0x1800ffff\"\n{extra_chain}\n\
         [price]\nmodel = \"constant\"\ninitial_usd = 100000\n\
         [fees]\nmodel = \"constant\"\nmean_btc_per_block = 0.025\n\
         [population]\noperators = 0\npower_usd_per_kwh = {{ dist = \"constant\", value = 0.0 }}\n\
         efficiency_j_per_th = {{ dist = \"constant\", value = 20 }}\ndecision = \"always\"\npool_fee = 0.02\n\
         [strategy]\nenabled = false\n[hardware]\nfailure_rate_per_year = 0\n\
         [[operators]]\nname = \"A\"\nhashrate_th_s = 6000000\nefficiency_j_per_th = 20\npower_usd_per_kwh = 0\n\
         [[operators]]\nname = \"B\"\nhashrate_th_s = 2000000\nefficiency_j_per_th = 20\npower_usd_per_kwh = 0\n\
         payout = \"{payout_b}\"\n"
    )
}

/// The chain's tallies of every day.
#[derive(Default)]
struct Ends(Vec<DayEnd>);

impl Hook for Ends {
    fn day_start(&mut self, _: &DayStart<'_>) -> crate::error::Result<()> {
        Ok(())
    }
    fn day_end(&mut self, end: &DayEnd) -> crate::error::Result<()> {
        self.0.push(*end);
        Ok(())
    }
}

/// A TH/s-day at difficulty 2^40 and 3.125 + 0.025 BTC a block:
/// `86,400 * 1e12 / (2^40 * 2^32) * 315,000,000` = 5,763.21 sat.
fn sat_per_th_day(difficulty: f64) -> f64 {
    86_400.0 * 1e12 / (difficulty * 4_294_967_296.0) * 315_000_000.0
}

/// One day, both in the pool: A (6 EH/s) is paid floor(6e6 * 5,763.21 * 0.98) =
/// 33,887,687,577 sat whatever blocks it found, B a third of that. Catches: a pooled
/// operator still paid its blocks (its revenue would be a multiple of 3.15 BTC), the pay
/// computed at another difficulty or without the fee.
#[test]
fn a_pooled_day_pays_each_operator_the_expected_value_of_its_work() {
    let loaded = scenario(1, 900_000, "", "pool");
    let mut ends = Ends::default();
    let w = run_replicate(&loaded, 0, &mut ends).expect("runs");
    assert_eq!(w.chain.difficulty, 1_099_511_627_776.0);
    let per_th = sat_per_th_day(w.chain.difficulty);
    assert!((per_th - 5_763.212).abs() < 0.001, "{per_th}");
    let [a, b] = [&w.population.operators[0], &w.population.operators[1]];
    assert_eq!(a.revenue, Sat((6e6 * per_th * 0.98).floor() as u64));
    assert_eq!(b.revenue, Sat((2e6 * per_th * 0.98).floor() as u64));
    assert_eq!(a.revenue, Sat(33_887_687_577), "hand-worked: floor(6e6 * 5,763.2122 * 0.98)");
    assert!(a.blocks_won + b.blocks_won > 100, "the day's blocks were still found and tallied");
    assert_eq!(ends.0[0].pool_paid, Sat(a.revenue.0 + b.revenue.0));
    assert_eq!(ends.0[0].subsidy, Sat(u64::from(a.blocks_won + b.blocks_won) * 312_500_000));
}

/// B mines solo: it earns exactly the blocks it found (subsidy and fees whole), A its pooled
/// pay. Catches a solo miner paid by the pool too, or a pooled miner paid its blocks.
#[test]
fn a_solo_miner_keeps_whole_blocks_and_a_pooled_one_its_share() {
    let loaded = scenario(1, 900_000, "", "solo");
    let w = run_replicate(&loaded, 0, &mut Ends::default()).expect("runs");
    let [a, b] = [&w.population.operators[0], &w.population.operators[1]];
    assert!(b.blocks_won > 0);
    assert_eq!(b.revenue, Sat(u64::from(b.blocks_won) * 315_000_000));
    assert_eq!(a.revenue, Sat((6e6 * sat_per_th_day(w.chain.difficulty) * 0.98).floor() as u64));
}

/// A retarget about midday (the epoch's last block is 72 blocks away; the epoch so far looks
/// twice as slow as planned, so the difficulty about halves): the day pays the morning at the
/// old difficulty and the afternoon at the new one, strictly between a whole day at either.
/// Catches the whole day paid at the difficulty of its start or of its close.
#[test]
fn a_retarget_inside_a_day_pays_each_part_at_its_difficulty() {
    let loaded = scenario(1, 2016 * 447 - 1 - 72, "epoch_elapsed_s = 2419200", "pool");
    let w = run_replicate(&loaded, 0, &mut Ends::default()).expect("runs");
    assert_eq!(w.chain.retargets, 1);
    let (old, new) = (1_099_511_627_776.0, w.chain.difficulty);
    assert!(new < 0.6 * old, "the difficulty fell: {new}");
    let a = w.population.operators[0].revenue.0 as f64;
    let at = |d: f64| (6e6 * sat_per_th_day(d) * 0.98).floor();
    assert!(a > at(old) * 1.2 && a < at(new) * 0.9, "{a} not between {} and {}", at(old), at(new));
}

/// Over 200 days (about 29,000 blocks, all operators pooled) what pools paid is `1 - fee` of
/// what the blocks paid, within 3% (the blocks are a Poisson count: one standard deviation is
/// about 0.6%). Catches pay accrued twice a day, a segment lost at a retarget, or the expected
/// fee level used in place of the subsidy (or the reverse).
#[test]
fn over_a_long_run_pools_pay_the_blocks_less_the_fee() {
    let loaded = scenario(200, 900_000, "", "pool");
    let mut ends = Ends::default();
    let w = run_replicate(&loaded, 0, &mut ends).expect("runs");
    assert!(w.chain.retargets >= 13);
    let paid: u64 = ends.0.iter().map(|e| e.pool_paid.0).sum();
    let blocks: u64 = ends.0.iter().map(|e| e.subsidy.0 + e.fees.0).sum();
    let ratio = paid as f64 / blocks as f64;
    assert!((ratio / 0.98 - 1.0).abs() < 0.03, "pools paid {ratio} of the blocks");
    let revenue: u64 = w.population.operators.iter().map(|o| o.revenue.0).sum();
    assert_eq!(revenue, paid, "operators' revenue is what the pools paid");
}

/// `population.solo_share` draws who mines solo from its own hash: the rest of the
/// population is the same draw for draw, and about the given share mine solo. Catches the
/// solo draw taken from the population's stream (every later site would shift) or inverted.
#[test]
fn the_solo_draw_shifts_no_other_draw() {
    let with = |share: &str| {
        let set = [crate::scenario::Override::parse(&format!("population.solo_share={share}")).expect("override")];
        let loaded = crate::scenario::load(std::path::Path::new("scenarios/bench/core1.toml"), &set).expect("loads");
        World::build(&loaded, 3).expect("builds").population.operators
    };
    let (none, some) = (with("0"), with("0.3"));
    let solo = some.iter().filter(|o| o.payout == Payout::Solo).count() as f64 / some.len() as f64;
    assert!(none.iter().all(|o| o.payout == Payout::Pool));
    assert!((solo - 0.3).abs() < 0.05, "solo share {solo} of {}", some.len());
    for (a, b) in none.iter().zip(&some) {
        // A solo miner is its own pool entity; the one pool of the scenario is entity 0.
        assert_eq!(Operator { payout: Payout::Pool, pool: 0, ..b.clone() }, *a);
    }
}

/// The keys are range-checked at their place in the file. Catches a pool fee of 100% or a
/// solo share above 1 reaching the run.
#[test]
fn pool_keys_out_of_range_are_reported_at_their_key() {
    for (key, bad) in [("population.pool_fee", "0.9"), ("population.solo_share", "1.5")] {
        let set = [crate::scenario::Override::parse(&format!("{key}={bad}")).expect("override")];
        let e = crate::scenario::load(std::path::Path::new("scenarios/bench/core1.toml"), &set).unwrap_err();
        assert!(e.to_string().contains(key), "{e}");
    }
}

/// One PPLNS pool of both operators (3:1 of the work): each day the pool pays out exactly what
/// its blocks paid less the 2% fee, less the satoshi fractions each payout rounds down (under
/// one per member), A three times B's pay to the satoshi's rounding; and a day's pay follows
/// the day's luck (unlike FPPS, it differs from the work's expected value). Catches blocks
/// paid to the finder, a PPLNS pool paying FPPS, the found blocks carried to the next day,
/// or shares by member count.
#[test]
fn a_pplns_pool_shares_each_days_blocks_less_its_fee() {
    let mut text = scenario_text(5, 900_000, "", "pool");
    text.push_str("[[pools]]\nname = \"p\"\nshare = 1\nscheme = \"pplns\"\nfee = 0.02\n");
    let loaded = load_str(&text, "pplns.toml", std::path::Path::new("."), &[]).expect("test scenario");
    let mut ends = Ends::default();
    let w = run_replicate(&loaded, 0, &mut ends).expect("runs");
    let mut luck_differs = false;
    for (d, e) in ends.0.iter().enumerate() {
        let found = (e.subsidy.0 + e.fees.0) as f64;
        let due = found * 0.98;
        let paid = e.pool_paid.0 as f64;
        assert!(paid <= due && paid > due - 2.0, "day {d}: paid {paid} of {due}");
        let expected = 8e6 * sat_per_th_day(w.chain.difficulty) * 0.98;
        luck_differs |= (paid - expected).abs() > 0.01 * expected;
    }
    assert!(luck_differs, "PPLNS pay followed the blocks, not the expected value");
    let [a, b] = [&w.population.operators[0], &w.population.operators[1]];
    let ratio = a.revenue.0 as f64 / b.revenue.0 as f64;
    assert!((ratio - 3.0).abs() < 1e-6, "A/B {ratio}");
}
