//! Units used across hashsim.
//!
//! Money on-chain is integer satoshis ([`Sat`]); everything else is `f64` with the unit in the
//! name (`_th_s`, `_j_per_th`, `_usd_per_kwh`, `_s`). The conversions below are the only places
//! where one unit turns into another, so each constant is written exactly once.

use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign};

/// Satoshis per bitcoin (Bitcoin Core `COIN`).
pub const SAT_PER_BTC: u64 = 100_000_000;
/// All the bitcoin there will ever be, 21 million BTC (Core's `MAX_MONEY`): no block pays more.
pub const MAX_MONEY: Sat = Sat(21_000_000 * SAT_PER_BTC);
/// Seconds per simulated day.
pub const SECONDS_PER_DAY: f64 = 86_400.0;
/// Days per year in rates quoted per year (revenue per MW-year, failure rate per year,
/// contract years): a 365-day year, the convention of the contracts and sources quoted.
pub const DAYS_PER_YEAR: f64 = 365.0;
/// Days per month in rates quoted per month (manufacturing EH/s per month): a 30-day month.
pub const DAYS_PER_MONTH: f64 = 30.0;
/// Watts per megawatt: J/TH x TH/s = W, and sites are sized in MW.
pub const W_PER_MW: f64 = 1e6;
/// Energy one MW draws in a day, kWh: 1,000 kW x 24 h.
pub const KWH_PER_MW_DAY: f64 = 24_000.0;
/// Hours in a day.
pub const HOURS_PER_DAY: f64 = 24.0;
/// Expected hashes per unit of difficulty: `2^32` (difficulty 1 = 2^32 hashes per block on
/// average, the industry convention; exact work is `2^256 / (target + 1)`, 1.5e-5 larger).
pub const HASHES_PER_DIFFICULTY: f64 = 4_294_967_296.0;
/// Hashes per second in one TH/s.
pub const HASH_PER_TH: f64 = 1e12;
/// TH/s in one EH/s.
pub const TH_PER_EH: f64 = 1e6;
/// TH/s in one PH/s.
pub const TH_PER_PH: f64 = 1e3;

/// An amount of bitcoin in satoshis: the unit Core counts money in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Sat(pub u64);

impl Sat {
    pub const ZERO: Sat = Sat(0);

    /// Converts a BTC amount to satoshis, rounding to the nearest satoshi.
    pub fn from_btc(btc: f64) -> Sat {
        Sat((btc * SAT_PER_BTC as f64).round().max(0.0) as u64)
    }

    pub fn to_btc(self) -> f64 {
        self.0 as f64 / SAT_PER_BTC as f64
    }
}

// Sums saturate: fees are drawn, not taken from the coins in existence, so in an absurd but
// valid scenario (1000 BTC blocks, a 10,000x fee shock) an operator's revenue passed u64 and
// the addition panicked (debug) or wrapped to almost nothing (release).
impl Add for Sat {
    type Output = Sat;
    fn add(self, rhs: Sat) -> Sat {
        Sat(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Sat {
    fn add_assign(&mut self, rhs: Sat) {
        *self = *self + rhs;
    }
}

/// Power cost of one TH/s for one day, in USD.
///
/// # Formula
/// `cost = e * 24 / 1000 * p`, with `e` the efficiency in J/TH (= W per TH/s), 24 h per day,
/// 1000 W per kW and `p` the power price in USD/kWh. E.g. 31 J/TH at $0.05/kWh costs
/// $0.0372 per TH/s per day = $37.2 per PH/s per day (../shared/calibration.md, break-even).
pub fn power_cost_usd_per_th_day(j_per_th: f64, usd_per_kwh: f64) -> f64 {
    j_per_th * 0.024 * usd_per_kwh
}

/// The binary grids the daily sums over operators are added on: hashrate in multiples of 2^-10
/// TH/s (~1 GH/s), power in 2^-24 MW (0.06 W), energy in 2^-20 MWh, money in 2^-16 USD. Each
/// operator's term is rounded to its grid before it is added, so every partial sum is an exact
/// binary number below 2^53 grid steps (hashrate up to 8.8 ZH/s, a day's power bill up to
/// $137bn) and every sum comes out the same bits whatever the order of the additions: a day
/// updated for the few units that changed (`engine::merit`) equals the day recomputed from
/// scratch, and the winner sampler's sums equal plain sums.
pub mod grid {
    /// Steps per TH/s.
    pub const TH_S: f64 = 1024.0;
    /// Steps per MW.
    pub const MW: f64 = 16_777_216.0;
    /// Steps per MWh.
    pub const MWH: f64 = 1_048_576.0;
    /// Steps per USD.
    pub const USD: f64 = 65_536.0;

    /// `1.5 * 2^52`: added to a double below 2^51 and taken away again, it rounds the double
    /// to an integer (ties to even) in pure IEEE arithmetic.
    const ROUND: f64 = 6_755_399_441_055_744.0;

    /// `x` rounded to the nearest multiple of `1 / steps` (ties to even), valid below 2^51
    /// steps: `ROUND / steps` added and taken away. A double's spacing at `ROUND / steps` is
    /// `1 / steps`, so the sum keeps `x` to that step. It is `((x * steps + ROUND) - ROUND) /
    /// steps` scaled by the power of two `steps` (which changes no rounding), bit for bit,
    /// without the two scalings: half the dependent operations of each term of a daily sum.
    /// `steps` is one of the grid's constants, so the shift is folded at compile time.
    #[inline(always)]
    pub fn on(x: f64, steps: f64) -> f64 {
        let shift = ROUND / steps;
        (x + shift) - shift
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// The rounding as first written: scaled to whole steps, rounded by `1.5 * 2^52`
        /// (written out, not [`ROUND`]: an oracle of its own), scaled back.
        fn scaled(x: f64, steps: f64) -> f64 {
            const FIRST_ROUND: f64 = 6_755_399_441_055_744.0;
            ((x * steps + FIRST_ROUND) - FIRST_ROUND) / steps
        }

        /// The shifted rounding gives the scaled one's bits: on every grid, for values of
        /// every magnitude and sign up to and past the valid range, for exact ties between two
        /// steps (even and odd neighbours), zeros of both signs and infinities. Catches a
        /// shift that is not the power-of-two scaling of `ROUND` (ties or large values rounded
        /// to another step), and an expression the compiler may fold to `x`.
        #[test]
        fn the_shifted_rounding_is_the_scaled_one() {
            use rand::{Rng, SeedableRng};
            let mut rng = rand::rngs::StdRng::seed_from_u64(17);
            for steps in [TH_S, MW, MWH, USD] {
                let mut xs = vec![0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 2f64.powi(51) / steps];
                for _ in 0..200_000 {
                    // Log-uniform from 2^-40 to 2^60 steps, either sign.
                    let magnitude = 2f64.powf(rng.random_range(-40.0..60.0)) / steps;
                    xs.push(if rng.random::<bool>() { -magnitude } else { magnitude });
                    // A tie halfway between step k and k + 1.
                    let k = rng.random_range(0..1u64 << 44) as f64;
                    xs.push((k + 0.5) / steps);
                    xs.push(-(k + 0.5) / steps);
                }
                for x in xs {
                    let (got, want) = (on(x, steps), scaled(x, steps));
                    assert_eq!(got.to_bits(), want.to_bits(), "x = {x:e} at {steps} steps: {got:e} against {want:e}");
                }
                assert!(on(f64::NAN, steps).is_nan());
            }
        }
    }
}

/// Energy used by `th_s` TH/s at `j_per_th` over one day, in MWh: `th * e * 24 h / 1e6`.
pub fn energy_mwh_per_day(th_s: f64, j_per_th: f64) -> f64 {
    th_s * j_per_th * 24.0 / 1e6
}

/// Expected blocks per day found by one TH/s at difficulty `d`.
///
/// # Formula
/// `86400 * 1e12 / (d * 2^32)`: one TH/s does 1e12 hashes a second and a block takes
/// `d * 2^32` hashes on average.
pub fn blocks_per_th_day(difficulty: f64) -> f64 {
    SECONDS_PER_DAY * HASH_PER_TH / (difficulty * HASHES_PER_DIFFICULTY)
}

/// Network hashrate (TH/s) that finds one block every `interval_s` seconds at difficulty `d`:
/// `H = d * 2^32 / interval / 1e12` (the calibration's `H = D * 2^32 / 600`).
pub fn hashrate_th_s_for_interval(difficulty: f64, interval_s: f64) -> f64 {
    difficulty * HASHES_PER_DIFFICULTY / interval_s / HASH_PER_TH
}

/// Difficulty at which `th_s` TH/s finds one block every `interval_s` seconds.
pub fn difficulty_for_hashrate(th_s: f64, interval_s: f64) -> f64 {
    th_s * HASH_PER_TH * interval_s / HASHES_PER_DIFFICULTY
}

/// Hashprice: expected miner revenue per TH/s per day, in USD.
///
/// # Formula
/// `hashprice = blocks_per_th_day(d) * (subsidy + fees) * price`, the industry's
/// `(subsidy + fees) * 144 * price / hashrate` with the hashrate implied by the difficulty.
/// Check (../shared/calibration.md): d = 150 T, 3.125 + 0.025 BTC, $90k gives ~$38 per PH/s/day.
pub fn hashprice_usd_per_th_day(difficulty: f64, reward_btc_per_block: f64, price_usd: f64) -> f64 {
    blocks_per_th_day(difficulty) * reward_btc_per_block * price_usd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches: a rounding that is not to the nearest step, a grid that is not binary (sums in
    /// two orders would part), a scale that truncates large totals.
    #[test]
    fn sums_on_the_grid_are_exact_in_any_order() {
        assert_eq!(grid::on(1.0 + 0.4 / 1024.0, grid::TH_S), 1.0);
        assert_eq!(grid::on(1.0 + 0.6 / 1024.0, grid::TH_S), 1.0 + 1.0 / 1024.0);
        assert_eq!(grid::on(-2.5e-4, grid::USD), -16.0 / 65_536.0);
        // 100,000 terms from 1 TH/s to 5 PH/s: forward, backward and pairwise sums agree to the
        // bit, and a difference update (the winner sampler's) lands on the same bits.
        let mut x = 0.123_456_789_f64;
        let terms: Vec<f64> = (0..100_000)
            .map(|_| {
                x = (x * 3.987_654_321 + 0.1).fract();
                grid::on(10f64.powf(x * 6.7), grid::TH_S)
            })
            .collect();
        let forward: f64 = terms.iter().sum();
        let backward: f64 = terms.iter().rev().sum();
        let pairwise: f64 = terms.chunks(2).map(|c| c.iter().sum::<f64>()).sum();
        assert_eq!(forward.to_bits(), backward.to_bits());
        assert_eq!(forward.to_bits(), pairwise.to_bits());
        let updated = forward - terms[7] + grid::on(12.3, grid::TH_S);
        let fresh: f64 =
            terms.iter().enumerate().map(|(i, &t)| if i == 7 { grid::on(12.3, grid::TH_S) } else { t }).sum();
        assert_eq!(updated.to_bits(), fresh.to_bits());
        // Without the grid the two orders part.
        let raw: Vec<f64> = (1..1000).map(|k| 1.0 / f64::from(k)).collect();
        assert_ne!(raw.iter().sum::<f64>().to_bits(), raw.iter().rev().sum::<f64>().to_bits());
    }

    #[test]
    fn sat_round_trip() {
        assert_eq!(Sat::from_btc(3.125), Sat(312_500_000));
        assert_eq!(Sat(312_500_000).to_btc(), 3.125);
        assert_eq!(Sat::from_btc(0.025), Sat(2_500_000));
    }

    /// Bug caught: `Sat + Sat` overflowed (panic in debug, wrap in release) on a scenario with
    /// 1000 BTC fees and a 10,000x fee shock.
    #[test]
    fn sums_saturate() {
        assert_eq!(Sat(u64::MAX - 1) + Sat(5), Sat(u64::MAX));
        let mut s = Sat(u64::MAX);
        s += MAX_MONEY;
        assert_eq!(s, Sat(u64::MAX));
        assert_eq!(MAX_MONEY.to_btc(), 21e6);
    }

    #[test]
    fn calibration_hashprice() {
        // ../shared/calibration.md: 150 T difficulty is ~1.07 ZH/s and a hashprice near $38.
        let h = hashrate_th_s_for_interval(150e12, 600.0);
        assert!((h / 1e9 - 1.0737).abs() < 1e-3, "{h}");
        let hp = hashprice_usd_per_th_day(150e12, 3.15, 90_000.0) * TH_PER_PH;
        assert!((hp - 38.02).abs() < 0.05, "{hp}");
        // And at 1.1 ZH/s it is the calibration's $37.1.
        let d = difficulty_for_hashrate(1.1e9, 600.0);
        let hp = hashprice_usd_per_th_day(d, 3.15, 90_000.0) * TH_PER_PH;
        assert!((hp - 37.1).abs() < 0.05, "{hp}");
    }

    #[test]
    fn break_even_efficiency() {
        // calibration.md: at $37/PH/day and $0.05/kWh break-even is ~31 J/TH.
        let e: f64 = 0.037 / (0.024 * 0.05);
        assert!((e - 30.8).abs() < 0.1);
        assert!((power_cost_usd_per_th_day(e, 0.05) - 0.037).abs() < 1e-12);
    }
}
