//! The pool-coalition route to a majority (docs/MODEL.md, "Attack routes"): the fewest pools
//! whose hashrate reaches the attack's share, and what it costs to bribe their operators. A
//! pool's operator builds the blocks its miners hash on, so a few operators can point a
//! majority at one chain without their miners' consent; their miners go on being paid, so what
//! the operators stand to lose is their business: the miners who leave once the attack is
//! seen take their fees with them (GHash.io in 2014, near half of the network, lost most of its
//! miners within months of coming near a majority).

/// Days a year, for the franchise horizon.
const DAYS_PER_YEAR: f64 = 365.0;

/// Pools by decreasing hashrate, with what each earns in fees per TH/s of its hashrate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolCoalitions {
    /// Running totals, largest pool first: hashrate, TH/s, and hashrate times fee.
    cumulative_th_s: Vec<f64>,
    cumulative_fee_th_s: Vec<f64>,
}

/// What bribing pool operators costs: the share of their miners who leave once an attack is
/// seen, the years of fee income that loses, and the premium they demand over it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolBribeTerms {
    pub defection_share: f64,
    pub franchise_years: f64,
    pub premium: f64,
}

impl PoolCoalitions {
    /// `pools`: (running TH/s, fee) of each pool; sorted here largest first (ties: the pool
    /// listed first).
    pub fn new(pools: &[(f64, f64)]) -> PoolCoalitions {
        let mut order: Vec<usize> = (0..pools.len()).filter(|&j| pools[j].0 > 0.0).collect();
        order.sort_by(|&a, &b| pools[b].0.total_cmp(&pools[a].0).then(a.cmp(&b)));
        let (mut th, mut fee_th) = (0.0, 0.0);
        let mut c = PoolCoalitions::default();
        for j in order {
            th += pools[j].0;
            fee_th += pools[j].0 * pools[j].1;
            c.cumulative_th_s.push(th);
            c.cumulative_fee_th_s.push(fee_th);
        }
        c
    }

    /// The fewest pools holding share `q` of `total_th_s` (the network's running hashrate,
    /// solo miners included): their count, the pool-level Nakamoto coefficient at `q` (same
    /// `>= q` rule and tolerance). `None` if all the pools together fall short.
    pub fn smallest(&self, q: f64, total_th_s: f64) -> Option<usize> {
        if total_th_s <= 0.0 || q > 1.0 {
            return None;
        }
        let target = q * total_th_s * (1.0 - crate::metrics::concentration::SHARE_TOLERANCE);
        let k = self.cumulative_th_s.partition_point(|&c| c < target);
        (k < self.cumulative_th_s.len()).then_some(k + 1)
    }

    /// The bribe for the smallest coalition at `q`: what its operators lose, the fee income of
    /// the miners who leave over the franchise horizon, plus the premium:
    ///
    /// `B = (1 + premium) * d * Y * 365 * h * sum_k f_k H_k`
    ///
    /// with `h` the day's hashprice (USD per TH/s per day, before fees), `f_k` and `H_k` each
    /// member pool's fee and hashrate. Returns (pools, USD).
    pub fn bribe_usd(
        &self,
        q: f64,
        total_th_s: f64,
        hashprice_usd_per_th_day: f64,
        t: &PoolBribeTerms,
    ) -> Option<(usize, f64)> {
        self.smallest(q, total_th_s).map(|k| {
            let fees_usd_per_day = self.cumulative_fee_th_s[k - 1] * hashprice_usd_per_th_day;
            (k, (1.0 + t.premium) * t.defection_share * t.franchise_years * DAYS_PER_YEAR * fees_usd_per_day)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::concentration::nakamoto_coefficient;

    const T: PoolBribeTerms = PoolBribeTerms { defection_share: 0.8, franchise_years: 1.0, premium: 0.5 };

    /// The coalition's size is the pool-level Nakamoto coefficient at every q, solo hashrate
    /// counting in the total but in no pool. Bug caught: a coalition share taken of the pooled
    /// hashrate only (smaller coalitions than the Nakamoto coefficient), or pools not sorted.
    #[test]
    fn coalition_size_is_the_pool_nakamoto_coefficient() {
        let pools = [(14.0, 0.04), (30.0, 0.02), (22.0, 0.0), (18.0, 0.04), (10.0, 0.03), (5.0, 0.0)];
        let solo = 1.0;
        let total: f64 = pools.iter().map(|p| p.0).sum::<f64>() + solo;
        let c = PoolCoalitions::new(&pools);
        let mut shares: Vec<f64> = pools.iter().map(|p| p.0).collect();
        shares.push(solo);
        for q in [0.1, 0.25, 0.33, 0.5, 0.51, 0.75, 0.9] {
            assert_eq!(c.smallest(q, total).map(|k| k as u32), Some(nakamoto_coefficient(&shares, q)), "q = {q}");
        }
        assert_eq!(c.smallest(1.0, total), None, "the pools hold 99 of 100");
    }

    /// Hand-worked: pools of 30 (2%), 22 (0%) and 18 (4%) TH/s reach 60% of 100; at a hashprice
    /// of $0.05 per TH/s-day their fees earn 30 * 0.02 * 0.05 + 18 * 0.04 * 0.05 = $0.066 a
    /// day; the bribe is 1.5 * 0.8 * 365 * 0.066 = $28.908. Bug caught: the fee-free pool
    /// charged a fee, the defection share or the year left out, pools beyond the coalition paid.
    #[test]
    fn the_bribe_by_hand() {
        let c = PoolCoalitions::new(&[(14.0, 0.04), (30.0, 0.02), (22.0, 0.0), (18.0, 0.04), (16.0, 0.03)]);
        let (k, usd) = c.bribe_usd(0.6, 100.0, 0.05, &T).unwrap();
        assert_eq!(k, 3);
        assert!((usd - 1.5 * 0.8 * 365.0 * 0.066).abs() < 1e-9, "{usd}");
    }
}
