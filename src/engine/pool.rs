//! Pooled (FPPS) revenue: operators in a pool are paid the expected value of the work their
//! running machines did, not the blocks they happened to find.
//!
//! Under full-pay-per-share a share of difficulty `s` submitted while the network difficulty
//! is `D` pays `s / D` of a block's subsidy plus the expected fees (SpiderPool's published rule:
//! "share difficulty / network difficulty * coinbase reward"). Summed over a steady `H` TH/s
//! for `t` seconds, the shares' difficulty is `H 1e12 t / 2^32`, so the work pays
//!
//! ```text
//! sat = H * t * 1e12 / (D * 2^32) * (subsidy + fee level) * (1 - pool fee)
//! ```
//!
//! `D`, the subsidy of the block being mined and the fee level are constant within a segment
//! of the day; a retarget or a halving inside a day starts a new one. The engine accrues the
//! day's segments into one number, the satoshis a TH/s earned (`PoolDay::sat_per_th_s`),
//! in O(1) per segment; at the day's close each pooled operator is paid
//! `floor(H_i * sat_per_th_s * (1 - fee))` whole satoshis (pools pay satoshis), with `H_i` its
//! running hashrate of the day (constant from the day's decisions to its close). Solo miners
//! keep the blocks they find. The block-winner draw and the chain's tallies are unchanged.

use crate::units::{Sat, HASHES_PER_DIFFICULTY, HASH_PER_TH};

/// The pay of the current segment of the day: from `start_s`, at difficulty `difficulty`,
/// `reward_sat` satoshis (subsidy of the block being mined plus the expected fees) a block.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    start_s: f64,
    difficulty: f64,
    reward_sat: f64,
}

/// The pool's accrual over one day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolDay {
    segment: Option<Segment>,
    /// Expected satoshis one TH/s earned over the day's closed segments, before the fee.
    sat_per_th_s: f64,
}

impl PoolDay {
    /// Starts a segment at `now_s` (closing the open one, if any, at `now_s`).
    pub fn open(&mut self, now_s: f64, difficulty: f64, reward_sat: f64) {
        self.close(now_s);
        self.segment = Some(Segment { start_s: now_s, difficulty, reward_sat });
    }

    /// Closes the open segment at `now_s`, adding its pay:
    /// `(now - start) * 1e12 / (D * 2^32) * reward` satoshis per TH/s.
    pub fn close(&mut self, now_s: f64) {
        if let Some(s) = self.segment.take() {
            let blocks_per_th_s = (now_s - s.start_s) * HASH_PER_TH / (s.difficulty * HASHES_PER_DIFFICULTY);
            self.sat_per_th_s += blocks_per_th_s * s.reward_sat;
        }
    }

    /// Whether a segment is open (a day's decisions were taken and it has not closed).
    pub fn is_open(&self) -> bool {
        self.segment.is_some()
    }

    /// Closes the day at `now_s` and returns what a TH/s earned in it (satoshis, before the
    /// pool fee), starting the next day from zero.
    pub fn close_day(&mut self, now_s: f64) -> f64 {
        self.close(now_s);
        std::mem::take(&mut self.sat_per_th_s)
    }
}

/// What a pool pays `th_s` TH/s of work worth `sat_per_th_s` a TH/s, keeping `fee`: whole
/// satoshis, rounded down (the pool keeps the fractions).
pub fn pool_pay(th_s: f64, sat_per_th_s: f64, fee: f64) -> Sat {
    let sat = (th_s * sat_per_th_s * (1.0 - fee)).floor();
    if sat.is_finite() && sat > 0.0 {
        Sat(sat as u64)
    } else {
        Sat::ZERO
    }
}

/// What a PPLNS pool pays `th_s` TH/s of the `pool_th_s` that worked in it today, when its
/// blocks of the day paid `found_sat` and it keeps `fee`: `floor(found (1 - fee) th_s /
/// pool_th_s)` whole satoshis. The window of shares (PPLNS's N) is the day's work: the pool's
/// miners bear its luck, paid nothing on a day it finds no block.
pub fn pplns_pay(th_s: f64, pool_th_s: f64, found_sat: u64, fee: f64) -> Sat {
    if pool_th_s <= 0.0 {
        return Sat::ZERO;
    }
    let sat = (found_sat as f64 * (1.0 - fee) * (th_s / pool_th_s)).floor();
    if sat.is_finite() && sat > 0.0 {
        Sat(sat as u64)
    } else {
        Sat::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-worked: two blocks of 315,000,000 sat in a 2% PPLNS pool leave 617,400,000 to
    /// share; three quarters of the work earns 463,050,000, a quarter 154,350,000; a day
    /// without a block pays nothing. Catches the fee added, or shares by count of members.
    #[test]
    fn a_pplns_day_shares_the_pools_blocks_by_work() {
        assert_eq!(pplns_pay(300.0, 400.0, 630_000_000, 0.02), Sat(463_050_000));
        assert_eq!(pplns_pay(100.0, 400.0, 630_000_000, 0.02), Sat(154_350_000));
        assert_eq!(pplns_pay(100.0, 400.0, 0, 0.02), Sat::ZERO);
        assert_eq!(pplns_pay(0.0, 0.0, 630_000_000, 0.02), Sat::ZERO);
    }

    /// A hand-worked day. At difficulty 1e14 a TH/s finds `1e12 / (1e14 * 2^32)` blocks a
    /// second: over 86,400 s, `86400 / (100 * 2^32)` = 2.01166e-7 blocks; at 3.125 BTC subsidy
    /// plus 0.025 BTC fees (315,000,000 sat) that is 63.3672 sat per TH/s. An operator running
    /// 1,000,000 TH/s (1 EH/s) in a 2% pool earns floor(63,367,188.0 * 0.98) = 62,099,844 sat;
    /// one running 250 TH/s earns floor(15,524.96) = 15,524. Catches: the difficulty's `2^32`
    /// or the TH's `1e12` dropped, the fee added instead of kept, rounding up.
    #[test]
    fn a_hand_worked_day_pays_exact_satoshis() {
        let mut day = PoolDay::default();
        day.open(0.0, 1e14, 315_000_000.0);
        let per_th = day.close_day(86_400.0);
        let want = 86_400.0 * 1e12 / (1e14 * 4_294_967_296.0) * 315_000_000.0;
        assert!((per_th - want).abs() < 1e-9 * want, "{per_th} vs {want}");
        assert!((per_th - 63.367_188).abs() < 1e-5, "{per_th}");
        assert_eq!(pool_pay(1_000_000.0, per_th, 0.02), Sat(62_099_844));
        assert_eq!(pool_pay(250.0, per_th, 0.02), Sat(15_524));
        assert_eq!(pool_pay(0.0, per_th, 0.02), Sat::ZERO);
        // The next day starts from nothing.
        assert_eq!(day.close_day(2.0 * 86_400.0), 0.0);
    }

    /// A retarget at noon doubles the difficulty: the afternoon's work pays half as much per
    /// second, so the day pays 3/4 of a day at the morning's difficulty. Catches: the whole
    /// day paid at the difficulty in force at its close (1/2) or at its start (1).
    #[test]
    fn a_retarget_inside_the_day_pays_each_part_at_its_difficulty() {
        let mut day = PoolDay::default();
        day.open(0.0, 1e14, 315_000_000.0);
        day.open(43_200.0, 2e14, 315_000_000.0);
        let split = day.close_day(86_400.0);
        let mut flat = PoolDay::default();
        flat.open(0.0, 1e14, 315_000_000.0);
        let whole = flat.close_day(86_400.0);
        assert!((split / whole - 0.75).abs() < 1e-12, "{}", split / whole);
    }

    /// A halving inside the day: the segment after it pays the halved subsidy. Catches a
    /// subsidy read once a day.
    #[test]
    fn a_halving_inside_the_day_pays_the_new_subsidy_after_it() {
        let mut day = PoolDay::default();
        day.open(0.0, 1e14, 312_500_000.0);
        day.open(21_600.0, 1e14, 156_250_000.0);
        let split = day.close_day(86_400.0);
        let mut flat = PoolDay::default();
        flat.open(0.0, 1e14, 312_500_000.0);
        let whole = flat.close_day(86_400.0);
        assert!((split / whole - (0.25 + 0.75 * 0.5)).abs() < 1e-12);
    }
}
