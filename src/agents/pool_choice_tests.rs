//! The pool choice's pieces by hand, and its random parts against the logit's closed forms.

use super::*;
use crate::rng::mix64;

fn params(beta: f64, switching: f64) -> PoolChoiceParams {
    PoolChoiceParams { fee_sensitivity: beta, switching_cost: switching, ..PoolChoiceParams::default() }
}

fn offer(fee: f64, scheme: PayoutScheme, jurisdiction: Option<u16>, th_s: f64) -> PoolOffer {
    PoolOffer { fee, scheme, jurisdiction, th_s, intercept: 0.0 }
}

/// The `k`-th uniform in (0, 1) of draw `n`.
fn uniform(n: u64, k: usize) -> f64 {
    ((mix64(mix64(n) ^ k as u64) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// Hand-worked: a PPLNS pool with 1% of the network finds 144 * 0.01 * 30 = 43.2 blocks a
/// month; at risk aversion 2 its variance costs 2/2 / 43.2 = 2.315% of revenue; 10%: 0.2315%;
/// FPPS nothing; an empty PPLNS pool everything. Bug caught: the variance of a day instead of
/// the horizon, or a cost growing with the pool's size.
#[test]
fn pplns_variance_costs_less_in_a_larger_pool() {
    let p = PoolChoiceParams::default();
    assert!((variance_cost(PayoutScheme::Pplns, 0.01, &p) - 1.0 / 43.2).abs() < 1e-12);
    assert!((variance_cost(PayoutScheme::Pplns, 0.10, &p) - 1.0 / 432.0).abs() < 1e-12);
    assert_eq!(variance_cost(PayoutScheme::Fpps, 0.01, &p), 0.0);
    assert_eq!(variance_cost(PayoutScheme::Pplns, 0.0, &p), 1.0);
}

/// Hand-worked utilities for an operator of 10 TH/s in jurisdiction 0, in pool 0, on a network
/// of 1,000 TH/s, beta 15, home bias 0.01: pool 0 (FPPS 2%, home) `-0.3`; pool 1 (FPPS 1%,
/// run from jurisdiction 1) `-15 * 0.02 = -0.3`; pool 2 (PPLNS, no fee, 90 TH/s + my 10 =
/// 10% of the network) `-15 / 432`. Bug caught: the operator's own hashrate left out of a
/// pool it would join, or the home bias charged for a pool of its own jurisdiction.
#[test]
fn utilities_by_hand() {
    let p = params(15.0, 0.0);
    let offers = [
        offer(0.02, PayoutScheme::Fpps, Some(0), 500.0),
        offer(0.01, PayoutScheme::Fpps, Some(1), 400.0),
        offer(0.0, PayoutScheme::Pplns, None, 90.0),
    ];
    let c = Chooser { jurisdiction: 0, th_s: 10.0, pool: 0 };
    let mut v = Vec::new();
    utilities(&c, &offers, 1000.0, &p, &mut v);
    let want = [-0.3, -0.3, -15.0 / 432.0];
    assert!(v.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12), "{v:?}");
}

/// Choosers of different sizes and jurisdictions, a foreign FPPS pool, a cheap PPLNS pool: the
/// fitted intercepts give back the target shares (hashrate-weighted) to 1e-9; with `beta = 0`
/// they are `ln s`. Bug caught: shares weighted by count rather than hashrate, or a
/// contraction that stops short.
#[test]
fn intercepts_reproduce_the_target_shares() {
    let p = params(15.0, 0.005);
    let offers = [
        offer(0.025, PayoutScheme::Fpps, Some(0), 300.0),
        offer(0.02, PayoutScheme::Fpps, Some(1), 200.0),
        offer(0.0, PayoutScheme::Pplns, None, 20.0),
    ];
    let choosers: Vec<Chooser> = (0..40)
        .map(|i| Chooser { jurisdiction: (i % 3) as u16, th_s: 1.0 + (i * 7 % 11) as f64, pool: i % 3 })
        .collect();
    let shares = [0.55, 0.40, 0.05];
    let delta = calibrate_intercepts(&choosers, &offers, &shares, 1000.0, &p);
    let total: f64 = choosers.iter().map(|c| c.th_s).sum();
    let mut fitted = [0.0; 3];
    let (mut v, mut prob) = (Vec::new(), Vec::new());
    let calibrated: Vec<PoolOffer> =
        offers.iter().zip(&delta).map(|(o, d)| PoolOffer { intercept: *d, ..*o }).collect();
    for c in &choosers {
        utilities(c, &calibrated, 1000.0, &p, &mut v);
        probabilities(&v, &mut prob);
        for (f, q) in fitted.iter_mut().zip(&prob) {
            *f += c.th_s * q / total;
        }
    }
    assert!(fitted.iter().zip(shares).all(|(f, s)| (f - s).abs() < 1e-9), "{fitted:?}");
    let plain = calibrate_intercepts(&choosers, &offers, &shares, 1000.0, &params(0.0, 0.0));
    assert!(plain.iter().zip(shares).all(|(d, s)| (d - s.ln()).abs() < 1e-12), "{plain:?}");
}

/// Oracle: choosing by the logit's probabilities and then drawing tastes given the choice must
/// give back unconditional tastes, standard Gumbels (mean Euler's 0.5772, variance
/// pi^2/6 = 1.645), and the chosen pool must always maximise utility. 40,000 draws: the mean's
/// standard error is 0.0064, the variance's about 0.02. Bug caught: a truncation at the wrong
/// bound (tastes too low or too high), or the maximum drawn at the chosen pool's own location.
#[test]
fn conditional_tastes_are_gumbel_once_the_choice_is_integrated_out() {
    let v = [0.4, -1.0, 0.0, -2.5];
    let mut prob = Vec::new();
    probabilities(&v, &mut prob);
    let n = 40_000u64;
    let (mut sum, mut sum_sq) = ([0.0; 4], [0.0; 4]);
    for draw in 0..n {
        let u = uniform(draw, 99);
        let mut acc = 0.0;
        let chosen = prob.iter().position(|q| {
            acc += q;
            u < acc
        });
        let chosen = chosen.unwrap_or(3);
        let eps = conditional_tastes(&v, chosen, |k| uniform(draw, k));
        let best = (0..4).max_by(|&a, &b| (v[a] + eps[a]).total_cmp(&(v[b] + eps[b]))).unwrap();
        assert_eq!(best, chosen, "draw {draw}");
        for j in 0..4 {
            sum[j] += eps[j];
            sum_sq[j] += eps[j] * eps[j];
        }
    }
    for j in 0..4 {
        let mean = sum[j] / n as f64;
        let var = sum_sq[j] / n as f64 - mean * mean;
        assert!((mean - 0.577_215_7).abs() < 0.03, "pool {j}: mean {mean}");
        assert!((var - std::f64::consts::PI.powi(2) / 6.0).abs() < 0.1, "pool {j}: variance {var}");
    }
}

/// Hand-worked: tastes 0.1, 0.3, 0.2 on equal utilities; pool 1 beats the current pool 0 by
/// 0.2. At beta 15 a switching cost of 0.005 (0.075 of utility) lets it move; 0.02 (0.3)
/// keeps it. Bug caught: a move for any gain (no stickiness), or to a pool other than the best.
#[test]
fn an_operator_moves_only_for_more_than_the_switching_cost() {
    let (v, eps) = ([0.0, 0.0, 0.0], [0.1, 0.3, 0.2]);
    assert_eq!(choose(0, &v, &eps, &params(15.0, 0.005)), Some(1));
    assert_eq!(choose(0, &v, &eps, &params(15.0, 0.02)), None);
    assert_eq!(choose(1, &v, &eps, &params(15.0, 0.0)), None);
}

/// Oracle: with no switching cost, after pool 0's fee rises by two points the members who stay
/// are those who would have chosen it at the new fee, so pool 0 keeps `s0' / s0` of its members,
/// `s0'` the logit share at the new fee (pools of equal size of many small operators, shares
/// 0.5, 0.3, 0.2 by intercept). 20,000 members: standard error ~0.003. Bug caught: tastes not
/// tied to the day-0 choice (members leave on day 0 without a fee change, or too many leave).
#[test]
fn a_fee_rise_keeps_the_members_the_logit_predicts() {
    let p = params(15.0, 0.0);
    let delta = [0.5f64.ln(), 0.3f64.ln(), 0.2f64.ln()];
    let before: Vec<PoolOffer> =
        delta.iter().map(|d| PoolOffer { intercept: *d, ..offer(0.02, PayoutScheme::Fpps, None, 0.0) }).collect();
    let mut after = before.clone();
    after[0].fee = 0.04;
    let (mut v0, mut v1, mut prob) = (Vec::new(), Vec::new(), Vec::new());
    let c = Chooser { jurisdiction: 0, th_s: 0.0, pool: 0 };
    utilities(&c, &before, 1.0, &p, &mut v0);
    utilities(&c, &after, 1.0, &p, &mut v1);
    probabilities(&v1, &mut prob);
    let (n, mut stay, mut unmoved) = (20_000u64, 0u64, 0u64);
    for draw in 0..n {
        let eps = conditional_tastes(&v0, 0, |k| uniform(draw, k));
        unmoved += u64::from(choose(0, &v0, &eps, &p).is_none());
        stay += u64::from(choose(0, &v1, &eps, &p).is_none());
    }
    assert_eq!(unmoved, n, "members left without a change");
    let want = prob[0] / 0.5;
    let got = stay as f64 / n as f64;
    assert!((got - want).abs() < 0.015, "kept {got}, the logit predicts {want}");
}
