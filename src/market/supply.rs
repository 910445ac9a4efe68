//! The network's hash supply curve: installed mining hashrate (and machines on order) against
//! the hashprice at which it runs, the merit order the industry reads the network through.
//! Here it answers one question for buyers: what hashprice follows a halving once the machines
//! it leaves unpaid have stopped.

use crate::agents::view::{reward_after_halvings, HALVINGS_AHEAD};

/// Cheapest energy cost the curve resolves, USD per TH/s per day ($0.1 per PH/s per day): below
/// it every machine runs at any hashprice seen since 2013.
pub const MIN_COST_USD_PER_TH_DAY: f64 = 1e-4;

/// Dearest energy cost the curve resolves, USD per TH/s per day ($1,000 per PH/s per day);
/// dearer machines are counted in the last bin.
pub const MAX_COST_USD_PER_TH_DAY: f64 = 1.0;

/// Bins of the curve, log-spaced between the two bounds: 3.9% of cost per bin, finer than the
/// spread of power prices inside one site's contract.
pub const BINS: usize = 240;

/// What the merit order says of the next halvings on one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalvingOutlook {
    /// The hashprice the curve is cut at: today's, settled (`MarketView`), USD per TH/s per day.
    pub settled_usd_per_th_day: f64,
    /// Hashprice after each of the next halvings relative to the settled one, once the
    /// machines it leaves unpaid have stopped ([`SupplyCurve::hashprice_ratio_after_cut`]).
    pub hashprice_after: [f64; HALVINGS_AHEAD],
    /// Share of the hashrate that runs at the settled hashprice whose energy cost the next
    /// halving's first day does not cover (before difficulty follows), 0..=1: the network's
    /// exposure to the halving.
    pub stopping_share: f64,
}

impl Default for HalvingOutlook {
    /// Before any curve is taken: no hashprice yet, and nothing foreseen to stop.
    fn default() -> Self {
        HalvingOutlook { settled_usd_per_th_day: 0.0, hashprice_after: [1.0; HALVINGS_AHEAD], stopping_share: 0.0 }
    }
}

/// One bin of the curve ([`SupplyCurve::bins`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupplyBin {
    pub cost_usd_per_th_day: f64,
    pub th_s: f64,
    pub cumulative_th_s: f64,
}

/// Hashrate by energy cost, in log-spaced bins: filled with [`SupplyCurve::add`], then
/// [`SupplyCurve::finish`]ed before it is read.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyCurve {
    th_s: Vec<f64>,
    /// `below[i]`: hashrate in the bins before `i` (`BINS + 1` entries), set by `finish`.
    below: Vec<f64>,
    /// `log2(1 + k / 256)` for `k` in `0..=256`: the mantissa's logarithm, interpolated.
    log2_table: Vec<f64>,
}

impl Default for SupplyCurve {
    fn default() -> Self {
        let log2_table = (0..=LOG2_STEPS).map(|k| (1.0 + k as f64 / LOG2_STEPS as f64).log2()).collect();
        SupplyCurve { th_s: vec![0.0; BINS], below: vec![0.0; BINS + 1], log2_table }
    }
}

/// Halvings of `[rho, 1]` in [`SupplyCurve::hashprice_ratio_after_cut`]: 30 leave an error
/// below 1e-9 of hashprice.
const BISECTION_STEPS: usize = 30;

/// Steps of the mantissa table (8 bits): linear interpolation between them is within 3e-6 of
/// `log2`, a ten-thousandth of a bin.
const LOG2_STEPS: usize = 256;

impl SupplyCurve {
    /// `log2(x)` of a positive normal `x` from its exponent bits and the mantissa table: the
    /// opening places every vintage on the curve (every seventh day), and a library logarithm
    /// per vintage was a sixth of a baseline run when it did so daily. Pure IEEE arithmetic, so
    /// the same bits on every machine.
    fn log2(&self, x: f64) -> f64 {
        let bits = x.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
        let mantissa = (bits & ((1u64 << 52) - 1)) as f64 / (1u64 << 52) as f64 * LOG2_STEPS as f64;
        let k = (mantissa as usize).min(LOG2_STEPS - 1);
        let frac = mantissa - k as f64;
        exponent as f64 + self.log2_table[k] + frac * (self.log2_table[k + 1] - self.log2_table[k])
    }

    /// Position of `cost` on the bin axis (bin `i` spans `[i, i + 1)`), clamped to the axis.
    fn axis(&self, cost_usd_per_th_day: f64) -> f64 {
        let lo = MIN_COST_USD_PER_TH_DAY.log2();
        let width = MAX_COST_USD_PER_TH_DAY.log2() - lo;
        let x = self.log2(cost_usd_per_th_day.max(MIN_COST_USD_PER_TH_DAY));
        ((x - lo) / width * BINS as f64).clamp(0.0, BINS as f64 - 1e-9)
    }

    /// Empties the curve, keeping its buffers.
    pub fn clear(&mut self) {
        self.th_s.iter_mut().for_each(|x| *x = 0.0);
        self.below.iter_mut().for_each(|x| *x = 0.0);
    }

    /// Sums the bins once, so every read after it is O(1).
    pub fn finish(&mut self) {
        let mut sum = 0.0;
        for (i, x) in self.th_s.iter().enumerate() {
            self.below[i] = sum;
            sum += x;
        }
        self.below[BINS] = sum;
    }

    /// Adds `th_s` of machines whose power costs `cost_usd_per_th_day` to run.
    pub fn add(&mut self, cost_usd_per_th_day: f64, th_s: f64) {
        if th_s > 0.0 && cost_usd_per_th_day.is_finite() {
            let bin = self.axis(cost_usd_per_th_day) as usize;
            self.th_s[bin] += th_s;
        }
    }

    /// The curve's non-empty bins, cheapest first: each bin's energy cost at its middle (the
    /// geometric mean of its edges, USD per TH/s per day), its hashrate and the hashrate up to
    /// and including it (TH/s). Read after [`SupplyCurve::finish`].
    pub fn bins(&self) -> impl Iterator<Item = SupplyBin> + '_ {
        let lo = MIN_COST_USD_PER_TH_DAY.log2();
        let width = (MAX_COST_USD_PER_TH_DAY.log2() - lo) / BINS as f64;
        self.th_s.iter().enumerate().filter(|(_, &th)| th > 0.0).map(move |(i, &th_s)| SupplyBin {
            cost_usd_per_th_day: (lo + (i as f64 + 0.5) * width).exp2(),
            th_s,
            cumulative_th_s: self.below[i + 1],
        })
    }

    /// All hashrate on the curve, TH/s.
    pub fn total_th_s(&self) -> f64 {
        self.below[BINS]
    }

    /// Hashrate that runs at hashprice `h`: the machines whose energy cost is at most `h`, TH/s
    /// (machines spread evenly on the log axis inside a bin).
    pub fn th_s_at(&self, h_usd_per_th_day: f64) -> f64 {
        if h_usd_per_th_day < MIN_COST_USD_PER_TH_DAY {
            return 0.0;
        }
        let x = self.axis(h_usd_per_th_day);
        let whole = x as usize;
        self.below[whole] + self.th_s[whole] * (x - whole as f64)
    }

    /// Hashprice after a cut of the reward to `reward_factor` of today's, relative to `h0`,
    /// once the machines it leaves unpaid have stopped and difficulty has followed (price and
    /// fees unchanged, the fleet as it stands).
    ///
    /// # Formula
    /// Revenue is shared by the hashrate that runs, so the new hashprice `q h0` solves
    /// `q S(q h0) = rho S(h0)`, `S` the curve and `rho` the reward factor. `q S(q h0)` rises
    /// with `q`, so the root in `[rho, 1]` is unique (bisection). `q = rho` when every machine
    /// still pays (nothing stops); `q > rho` as the machines between `rho h0` and `h0` stop.
    /// With nothing on the curve, `rho`.
    pub fn hashprice_ratio_after_cut(&self, h0_usd_per_th_day: f64, reward_factor: f64) -> f64 {
        let running = self.th_s_at(h0_usd_per_th_day);
        if running <= 0.0 || reward_factor >= 1.0 {
            return reward_factor;
        }
        let target = reward_factor * running;
        let (mut lo, mut hi) = (reward_factor, 1.0);
        for _ in 0..BISECTION_STEPS {
            let q = 0.5 * (lo + hi);
            if q * self.th_s_at(q * h0_usd_per_th_day) < target {
                lo = q;
            } else {
                hi = q;
            }
        }
        0.5 * (lo + hi)
    }

    /// The next halvings as the curve sees them from the settled hashprice `h0`, with `s` the
    /// subsidy share of today's reward.
    ///
    /// # Formula
    /// `hashprice_after` from [`Self::hashprice_after_halvings`]; stopping share
    /// `1 - S(rho_1 h0) / S(h0)`, `rho_1 = (1 - s) + s / 2` (0 with nothing running).
    pub fn halving_outlook(&self, h0_usd_per_th_day: f64, subsidy_share: f64) -> HalvingOutlook {
        let running = self.th_s_at(h0_usd_per_th_day);
        let rho = reward_after_halvings(subsidy_share)[0];
        HalvingOutlook {
            settled_usd_per_th_day: h0_usd_per_th_day,
            hashprice_after: self.hashprice_after_halvings(h0_usd_per_th_day, subsidy_share),
            stopping_share: if running > 0.0 { 1.0 - self.th_s_at(rho * h0_usd_per_th_day) / running } else { 0.0 },
        }
    }

    /// Hashprice after each of the next [`HALVINGS_AHEAD`] halvings, relative to `h0`: the
    /// `k`-th cuts the reward to `(1 - s) + s 2^-k` of today's
    /// ([`reward_after_halvings`], `s` the subsidy share), each against the fleet as it stands.
    ///
    /// The bisections of [`Self::hashprice_ratio_after_cut`], run side by side: each step of
    /// one waits on the last (a logarithm and a division), so three chains at once take about
    /// the time of one. Every chain does the same arithmetic as alone, so the same bits.
    pub fn hashprice_after_halvings(&self, h0_usd_per_th_day: f64, subsidy_share: f64) -> [f64; HALVINGS_AHEAD] {
        let rhos = reward_after_halvings(subsidy_share);
        let running = self.th_s_at(h0_usd_per_th_day);
        if running <= 0.0 {
            return rhos;
        }
        // A cut to 1 or more is no cut: its chain is carried along and its answer is rho.
        let target = rhos.map(|rho| rho * running);
        let mut lo = rhos;
        let mut hi = [1.0; HALVINGS_AHEAD];
        for _ in 0..BISECTION_STEPS {
            for k in 0..HALVINGS_AHEAD {
                let q = 0.5 * (lo[k] + hi[k]);
                if q * self.th_s_at(q * h0_usd_per_th_day) < target[k] {
                    lo[k] = q;
                } else {
                    hi[k] = q;
                }
            }
        }
        std::array::from_fn(|k| if rhos[k] >= 1.0 { rhos[k] } else { 0.5 * (lo[k] + hi[k]) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bisections run side by side give each cut's bits as run alone, on random curves,
    /// hashprices and subsidy shares (some leaving nothing running, some no cut at all).
    /// Bug caught: a chain reading another's bracket or target, or a step count that differs.
    #[test]
    fn side_by_side_bisections_are_the_single_ones() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for case in 0..300 {
            let mut c = SupplyCurve::default();
            for _ in 0..rng.random_range(0..40) {
                c.add(10f64.powf(rng.random_range(-3.5..0.2)), rng.random_range(0.0..1e6));
            }
            c.finish();
            let h0 = 10f64.powf(rng.random_range(-3.0..0.0));
            let s = [0.0, 1.0, rng.random_range(0.0..1.0), -0.5][case % 4];
            let alone = reward_after_halvings(s).map(|rho| c.hashprice_ratio_after_cut(h0, rho));
            let together = c.hashprice_after_halvings(h0, s);
            assert_eq!(together.map(f64::to_bits), alone.map(f64::to_bits), "case {case}: {together:?} {alone:?}");
        }
    }

    /// The table logarithm agrees with the library's to 1e-5 across the axis and beyond.
    /// Bug caught: exponent bias or mantissa scaling off (errors of whole octaves or bins).
    #[test]
    fn the_table_logarithm_is_close_to_the_library() {
        let c = SupplyCurve::default();
        let mut x = 1e-6;
        while x < 1e3 {
            assert!((c.log2(x) - x.log2()).abs() < 1e-5, "{x}");
            x *= 1.0137;
        }
        assert_eq!(c.log2(1.0), 0.0);
        assert_eq!(c.log2(0.25), -2.0);
    }

    /// Hand-worked: 100 TH/s costing 0.01 a day and 100 costing 0.03, hashprice 0.04, the
    /// reward halved. At the naive 0.02 the dear half stops, and the cheap half alone would
    /// earn 0.04 again, which pays the dear half: hashprice settles where just enough of the
    /// dear machines run, `q S(q h0) = 100` with `q h0` inside the dear machines' bin (~0.03,
    /// `q` ~3/4). Bug caught: the ratio held at the naive 1/2 (no machine stops) or at 1
    /// (all dear machines stop and none restart).
    #[test]
    fn a_halving_stops_the_dear_machines_until_hashprice_pays_them() {
        let mut c = SupplyCurve::default();
        c.add(0.01, 100.0);
        c.add(0.03, 100.0);
        c.finish();
        let q = c.hashprice_ratio_after_cut(0.04, 0.5);
        // The root sits in the dear machines' bin: hashprice ~0.03, between 0.5 and 1 of 0.04.
        assert!((q * 0.04 - 0.03).abs() < 0.03 * 0.04, "{q}");
        let running = c.th_s_at(q * 0.04);
        assert!((q * running - 0.5 * 200.0).abs() < 1e-6, "revenue shared: {q} x {running}");
    }

    /// Hand-worked: every machine costs 0.001 against a hashprice of 0.04: a halving stops
    /// none, so hashprice halves. An empty curve also gives the naive factor. Bug caught: a
    /// recovery where no machine stops.
    #[test]
    fn a_network_with_fat_margins_takes_the_whole_cut() {
        let mut c = SupplyCurve::default();
        assert_eq!(c.hashprice_ratio_after_cut(0.04, 0.5), 0.5);
        c.add(0.001, 500.0);
        c.finish();
        let q = c.hashprice_ratio_after_cut(0.04, 0.5);
        assert!((q - 0.5).abs() < 1e-9, "{q}");
        assert_eq!(c.hashprice_after_halvings(0.04, 1.0)[1], c.hashprice_ratio_after_cut(0.04, 0.25));
        assert_eq!(c.halving_outlook(0.04, 1.0).stopping_share, 0.0);
    }

    /// Hand-worked: 300 TH/s at 0.01 and 100 at 0.03 against 0.04; a halving of an
    /// all-subsidy reward leaves 0.02 on its first day: the dear quarter stops. With 20% fees
    /// the first day leaves 0.024, still below 0.03: the same quarter. Bug caught: the share
    /// taken of the whole curve rather than of what runs at today's hashprice, or fees ignored.
    #[test]
    fn the_stopping_share_is_the_hashrate_between_the_new_and_old_hashprice() {
        let mut c = SupplyCurve::default();
        c.add(0.01, 300.0);
        c.add(0.03, 100.0);
        c.add(0.5, 1000.0); // idle at 0.04: not running, not stopping
        c.finish();
        let o = c.halving_outlook(0.04, 1.0);
        assert!((o.stopping_share - 0.25).abs() < 1e-12, "{}", o.stopping_share);
        assert!((c.halving_outlook(0.04, 0.8).stopping_share - 0.25).abs() < 1e-12);
        assert_eq!(o.settled_usd_per_th_day, 0.04);
        assert!(o.hashprice_after[0] > 0.5 && o.hashprice_after[0] < 1.0);
    }

    /// Hand-worked: hashrate spread evenly on the log axis between 0.01 and 0.04 (the bins
    /// between them equally filled). At 0.02, half the log-span runs: S = 1/2. Bug caught:
    /// interpolation inside a bin dropped, or bins counted from the wrong end.
    #[test]
    fn the_curve_counts_the_machines_that_pay() {
        let mut c = SupplyCurve::default();
        let (a, b) = (c.axis(0.01) as usize, c.axis(0.04) as usize);
        let span = (MAX_COST_USD_PER_TH_DAY / MIN_COST_USD_PER_TH_DAY).ln();
        for i in a..b {
            let mid = MIN_COST_USD_PER_TH_DAY * ((i as f64 + 0.5) / BINS as f64 * span).exp();
            c.add(mid, 1.0);
        }
        c.finish();
        let all = c.total_th_s();
        assert_eq!(c.th_s_at(1.0), all);
        assert_eq!(c.th_s_at(1e-5), 0.0);
        let half = c.th_s_at((0.01f64 * 0.04).sqrt()) / all;
        assert!((half - 0.5).abs() < 1.0 / (b - a) as f64, "{half}");
        // More hashprice never runs less hashrate.
        let mut last = 0.0;
        for j in 0..400 {
            let s = c.th_s_at(0.005 + j as f64 * 1e-4);
            assert!(s >= last);
            last = s;
        }
    }
}

#[cfg(test)]
mod bin_tests {
    use super::*;

    /// Hand-worked: 5 TH/s at $0.01 and 3 TH/s at $0.1 per TH/s-day fall in two bins whose
    /// middles are within half a bin (1.9%) of those costs; cumulative 5 then 8; empty bins are
    /// left out. Bug caught: a bin's middle off by a bin (the curve shifted by 3.9%), or the
    /// cumulative sum taken before the bin itself.
    #[test]
    fn bins_list_the_curve_cheapest_first() {
        let mut c = SupplyCurve::default();
        c.add(0.1, 3.0);
        c.add(0.01, 5.0);
        c.finish();
        let bins: Vec<SupplyBin> = c.bins().collect();
        assert_eq!(bins.len(), 2);
        assert!((bins[0].cost_usd_per_th_day / 0.01 - 1.0).abs() < 0.02, "{bins:?}");
        assert!((bins[1].cost_usd_per_th_day / 0.1 - 1.0).abs() < 0.02, "{bins:?}");
        assert_eq!((bins[0].th_s, bins[0].cumulative_th_s), (5.0, 5.0));
        assert_eq!((bins[1].th_s, bins[1].cumulative_th_s), (3.0, 8.0));
    }
}
