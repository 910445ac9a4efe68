//! Which pool an operator mines in, as a choice (docs/MODEL.md, "Pool choice"): a random
//! utility model over the pools (McFadden 1974; Train, *Discrete Choice Methods with
//! Simulation*, 2009, ch. 3). Operator `i` values pool `j` at
//!
//! `u_ij = delta_j - beta c_ij + eps_ij`,
//!
//! with `c_ij` what mining there costs, a share of revenue (the fee, the price of a PPLNS
//! payout's variance, a foreign pool's home bias), `delta_j` the pool's intercept (service,
//! ties to a maker, reputation: everything the file's shares say that costs do not) and
//! `eps_ij` the operator's own taste, Gumbel. The intercepts are set so the hashrate-weighted
//! choice probabilities on day 0 are the file's shares ([`calibrate_intercepts`], Berry 1994's
//! inversion), and each operator's tastes are drawn given the pool it was put in
//! ([`conditional_tastes`]): the day-0 assignment is what the model would have chosen. At its
//! reviews an operator moves only to a pool better by more than the switching cost.

use crate::scenario::params::PoolChoiceParams;
use crate::scenario::PayoutScheme;

/// Blocks a day at 600-second spacing.
pub const BLOCKS_PER_DAY: f64 = 144.0;

/// What a pool offers today, as every operator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolOffer {
    pub fee: f64,
    pub scheme: PayoutScheme,
    /// The jurisdiction it is run from, if any.
    pub jurisdiction: Option<u16>,
    /// Its running hashrate, TH/s.
    pub th_s: f64,
    /// Its intercept `delta_j`.
    pub intercept: f64,
}

/// What a choosing operator brings: its jurisdiction, its hashrate and the pool it mines in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chooser {
    pub jurisdiction: u16,
    pub th_s: f64,
    /// Its pool, an index into the offers.
    pub pool: usize,
}

/// The price of a PPLNS payout's variance, a share of the member's revenue: a pool with a
/// share `pi` of the network finds Poisson(`144 pi T`) blocks in `T` days, so a member's
/// income over the horizon has a squared coefficient of variation `1 / (144 pi T)`, and a
/// mean-variance miner of relative risk aversion `a` gives up `a/2` of it (the risk premium's
/// second-order approximation; Cong, He & Li 2021 on pools as risk sharing). FPPS: 0, the pool
/// bears the luck. A pool of no hashrate: 1, the whole revenue.
pub fn variance_cost(scheme: PayoutScheme, network_share: f64, p: &PoolChoiceParams) -> f64 {
    match scheme {
        PayoutScheme::Fpps => 0.0,
        PayoutScheme::Pplns => {
            let blocks = BLOCKS_PER_DAY * network_share * p.payout_horizon_days;
            if blocks > 0.0 {
                (0.5 * p.risk_aversion / blocks).min(1.0)
            } else {
                1.0
            }
        }
    }
}

/// The systematic utilities `V_ij = delta_j - beta c_ij` of every pool for operator `c`, into
/// `out`. A pool's size is taken with the operator in it: its hashrate, plus the operator's
/// if it mines elsewhere. `network_th_s` is the network's running hashrate.
pub fn utilities(c: &Chooser, offers: &[PoolOffer], network_th_s: f64, p: &PoolChoiceParams, out: &mut Vec<f64>) {
    out.clear();
    for (j, o) in offers.iter().enumerate() {
        let with_me = if j == c.pool { o.th_s } else { o.th_s + c.th_s };
        let share = if network_th_s > 0.0 { (with_me / network_th_s).min(1.0) } else { 0.0 };
        let foreign = o.jurisdiction.is_some_and(|home| home != c.jurisdiction);
        let cost = o.fee + variance_cost(o.scheme, share, p) + if foreign { p.home_bias } else { 0.0 };
        out.push(o.intercept - p.fee_sensitivity * cost);
    }
}

/// The logit's choice probabilities `exp(V_j) / sum exp(V_k)`, into `out` (stable at any scale).
pub fn probabilities(v: &[f64], out: &mut Vec<f64>) {
    let top = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    out.clear();
    out.extend(v.iter().map(|x| (x - top).exp()));
    let sum: f64 = out.iter().sum();
    out.iter_mut().for_each(|x| *x /= sum);
}

/// Smallest share an intercept is fitted to: a pool listed at 0 stays nearly empty.
const MIN_SHARE: f64 = 1e-9;

/// The intercepts at which the choosers' hashrate-weighted choice probabilities equal
/// `shares`, by Berry's contraction `delta <- delta + ln s - ln s_hat(delta)` (Berry 1994,
/// "Estimating discrete-choice models of product differentiation"), from `ln s`. Stops when
/// no intercept moves by more than 1e-12, or after 1,000 rounds. Tastes are of unit scale,
/// so with `beta = 0` the intercepts are `ln s` exactly.
pub fn calibrate_intercepts(
    choosers: &[Chooser],
    offers: &[PoolOffer],
    shares: &[f64],
    network_th_s: f64,
    p: &PoolChoiceParams,
) -> Vec<f64> {
    let target: Vec<f64> = shares.iter().map(|s| s.max(MIN_SHARE).ln()).collect();
    let mut offers = offers.to_vec();
    for (o, t) in offers.iter_mut().zip(&target) {
        o.intercept = *t;
    }
    let total: f64 = choosers.iter().map(|c| c.th_s).sum();
    if total <= 0.0 {
        return target;
    }
    let (mut v, mut prob) = (Vec::new(), Vec::new());
    for _ in 0..1000 {
        let mut fitted = vec![0.0; offers.len()];
        for c in choosers {
            utilities(c, &offers, network_th_s, p, &mut v);
            probabilities(&v, &mut prob);
            for (f, q) in fitted.iter_mut().zip(&prob) {
                *f += c.th_s * q / total;
            }
        }
        let mut moved = 0.0f64;
        for ((o, t), f) in offers.iter_mut().zip(&target).zip(&fitted) {
            let step = t - f.max(f64::MIN_POSITIVE).ln();
            o.intercept += step;
            moved = moved.max(step.abs());
        }
        if moved < 1e-12 {
            break;
        }
    }
    offers.iter().map(|o| o.intercept).collect()
}

/// Gumbel's distribution function `exp(-exp(-x))`.
fn gumbel_cdf(x: f64) -> f64 {
    (-(-x).exp()).exp()
}

/// Its inverse at `u` in (0, 1).
fn gumbel_quantile(u: f64) -> f64 {
    -(-u.ln()).ln()
}

/// Tastes `eps_j` drawn given that `chosen` maximises `V_j + eps_j`: the maximum is Gumbel
/// at location `ln sum exp(V_j)` whichever alternative attains it (the logit's defining
/// property), so `eps_chosen = M - V_chosen` with `M` drawn from it; every other taste is a
/// Gumbel truncated to leave its utility below `M` (the "top-down" construction of Maddison,
/// Tarlow & Minka 2014, A* sampling). `uniform(k)` is the `k`-th uniform in (0, 1): `k = 0`
/// draws the maximum, `k = 1 + j` the taste of `j`.
pub fn conditional_tastes(v: &[f64], chosen: usize, uniform: impl Fn(usize) -> f64) -> Vec<f64> {
    let top = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_sum = top + v.iter().map(|x| (x - top).exp()).sum::<f64>().ln();
    let max = log_sum + gumbel_quantile(uniform(0));
    v.iter()
        .enumerate()
        .map(|(j, &vj)| if j == chosen { max - vj } else { gumbel_quantile(uniform(1 + j) * gumbel_cdf(max - vj)) })
        .collect()
}

/// The review's choice: the pool of highest utility `V_j + eps_j` (ties: the lower index) if it
/// beats the current pool's by more than `beta` times the switching cost; otherwise `None`.
pub fn choose(current: usize, v: &[f64], tastes: &[f64], p: &PoolChoiceParams) -> Option<usize> {
    let u = |j: usize| v[j] + tastes[j];
    let best = (0..v.len()).fold(current, |b, j| if u(j) > u(b) || (u(j) == u(b) && j < b) { j } else { b });
    (best != current && u(best) - u(current) > p.fee_sensitivity * p.switching_cost).then_some(best)
}

#[cfg(test)]
#[path = "pool_choice_tests.rs"]
mod tests;
