//! Generating the operator population from a scenario, reproducibly from its own stream.

use super::decision::Expectation;
use super::finance::Balances;
use super::hardware::{Catalog, Fleet, Vintage};
use super::names::OperatorNames;
use super::operator::{Operator, OperatorState};
use super::pools::{assign_pools, Pools};
use crate::error::{Error, Result};
use crate::rng::{mix64, SimRng};
use crate::scenario::dist::Dist;
use crate::scenario::params::{FinanceParams, PoolChoiceParams, PoolParams, PopulationParams};
use crate::scenario::Payout;
use rand::{Rng, SeedableRng};
use rand_distr::Distribution;

/// Salt of the solo-mining draw (`Population::draw_site_terms`); never change it.
const SOLO_SALT: u64 = 0x5010_5010_0000_0001;
/// Salt of the convertible-site draw (`Population::draw_site_terms`); never change it.
const CONVERTIBLE_SALT: u64 = 0xC0_4E47_0000_0002;
/// Salt of the power-contract draw (`Population::draw_site_terms`); never change it.
const FIXED_SHARE_SALT: u64 = 0xF1_4ED0_0000_0003;

/// Salt of the demand-response draw (`Population::draw_site_terms`); never change it.
const DEMAND_RESPONSE_SALT: u64 = 0xD3_4A4D_0000_0004;

/// All operators of a run, with the names of named operators and of jurisdictions.
#[derive(Debug, Clone)]
pub struct Population {
    pub operators: Vec<Operator>,
    /// Names of the named operators; generated operators are named `op<index>`.
    pub names: OperatorNames,
    pub jurisdictions: Vec<String>,
    /// Each jurisdiction's share of generated operators (`population.jurisdictions`; 0 for one
    /// only named operators use): where relocating operators go.
    pub jurisdiction_shares: Vec<f64>,
    /// How many of `operators` were generated (the rest are named).
    pub generated: usize,
    /// The pools operators mine in (`Operator::pool`), as concentration entities; filled by
    /// [`Population::assign_pools`] once sizes are final.
    pub pools: Pools,
    /// Per-MW balance-sheet draws of generated operators, applied after calibration.
    per_mw: Vec<PerMw>,
}

#[derive(Debug, Clone, Copy, Default)]
struct PerMw {
    treasury_btc: f64,
    cash_usd: f64,
    debt_usd: f64,
}

/// What [`Population::draw_site_terms`] draws each site's terms from.
#[derive(Debug, Clone, Copy)]
pub struct SiteTerms<'a> {
    /// Probability that a generated operator mines solo (`population.solo_share`; 0 draws
    /// nothing).
    pub solo_share: f64,
    /// Probability that a site could convert to AI hosting (`ai.convertible_share`).
    pub convertible_share: f64,
    /// Each site's fixed share of its power price (`population.power_fixed_share`, clamped to
    /// [0, 1]).
    pub power_fixed_share: &'a Dist,
    /// Named operator `generated + k`'s `convertible`, if the file gives one.
    pub named_convertible: &'a [Option<bool>],
    /// Named operator `generated + k`'s `power_fixed_share`, if the file gives one.
    pub named_power_fixed_share: &'a [Option<f64>],
}

/// A uniform on [0, 1) from the hash of (replicate seed, `salt`, operator `i`): 53 bits.
fn uniform_of(replicate_seed: u64, salt: u64, i: usize) -> f64 {
    let h = mix64(replicate_seed ^ mix64(salt ^ i as u64));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Each site's draw against its jurisdiction's demand-response share: it holds such a contract
/// where the share exceeds it. A generated site's is a uniform from the hash of (replicate
/// seed, its index), worked out where it is asked for (on curtailment days only) rather than
/// kept in every record (8 bytes an operator); a named operator never holds one (1). Drawn
/// once, so a site that moves takes its chance in the new jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DemandResponseDraws {
    replicate_seed: u64,
    generated: usize,
}

impl DemandResponseDraws {
    /// The draws of replicate `replicate_seed`'s population, whose first `generated` operators
    /// were generated.
    pub fn new(replicate_seed: u64, generated: usize) -> DemandResponseDraws {
        DemandResponseDraws { replicate_seed, generated }
    }

    /// Operator `i`'s draw, in [0, 1].
    #[inline]
    pub fn of(&self, i: usize) -> f64 {
        if i < self.generated {
            uniform_of(self.replicate_seed, DEMAND_RESPONSE_SALT, i)
        } else {
            1.0
        }
    }
}

/// Whether generated operator `i` mines solo (a share of 0 draws nothing).
fn solo_draw(solo_share: f64, replicate_seed: u64, i: usize) -> bool {
    solo_share > 0.0 && uniform_of(replicate_seed, SOLO_SALT, i) < solo_share
}

/// Operator `i`'s fixed share of its power price: `dist` sampled from a stream of its own.
fn fixed_share_draw(dist: &Dist, replicate_seed: u64, i: usize) -> f64 {
    let mut rng = SimRng::seed_from_u64(mix64(replicate_seed ^ mix64(FIXED_SHARE_SALT ^ i as u64)));
    dist.sample(&mut rng).clamp(0.0, 1.0)
}

impl Population {
    pub fn name(&self, i: usize) -> String {
        self.names.name(i)
    }

    pub fn installed_th_s(&self) -> f64 {
        self.operators.iter().filter(|o| o.state == OperatorState::Active).map(Operator::installed_th_s).sum()
    }

    pub fn jurisdiction_index(&self, name: &str) -> Option<u16> {
        self.jurisdictions.iter().position(|j| j == name).map(|i| i as u16)
    }

    /// Multiplies the generated operators' sites and fleets by `k` (calibration).
    pub fn scale_generated(&mut self, k: f64) {
        for op in &mut self.operators[..self.generated] {
            op.site_mw *= k;
            for v in &mut op.fleet {
                v.th_s *= k;
            }
        }
    }

    /// Each site's own draws, in one walk over the operators (at a million operators each walk
    /// over the records costs ~20 ms): whether a generated operator mines solo, whether the site
    /// could convert to AI hosting and its fixed share of the power price (its draw against
    /// its jurisdiction's demand-response share is [`DemandResponseDraws`]'s). Each comes from
    /// its own hash of (replicate seed, operator index), so no draw shifts with another, with
    /// the population's size or with the order operators are later stored in; a named operator
    /// keeps what the file gives.
    pub fn draw_site_terms(&mut self, t: &SiteTerms<'_>, replicate_seed: u64) {
        let generated = self.generated;
        for (i, op) in self.operators.iter_mut().enumerate() {
            let named = i.checked_sub(generated);
            if named.is_none() && solo_draw(t.solo_share, replicate_seed, i) {
                op.payout = Payout::Solo;
            }
            let given_convertible = named.and_then(|k| t.named_convertible.get(k).copied().flatten());
            op.convertible = given_convertible
                .unwrap_or_else(|| uniform_of(replicate_seed, CONVERTIBLE_SALT, i) < t.convertible_share);
            let given_share = named.and_then(|k| t.named_power_fixed_share.get(k).copied().flatten());
            op.power_fixed_share =
                given_share.unwrap_or_else(|| fixed_share_draw(t.power_fixed_share, replicate_seed, i));
        }
    }

    /// Puts every operator in a pool (`agents::pools::assign_pools`); `named[k]` is named
    /// operator `generated + k`'s pool, if the file gives one.
    /// Their choice is then fitted to the assignment (`Pools::fit_choice`) if they will ever
    /// choose: with the choice enabled and more than one pool (`engine::operate::choose_pool`
    /// reads the fit under the same condition and nothing else does).
    pub fn assign_pools(
        &mut self,
        pools: &[PoolParams],
        named: &[Option<String>],
        default_fee: f64,
        choice: &PoolChoiceParams,
        replicate_seed: u64,
    ) {
        let names = &self.jurisdictions;
        let of = |name: &str| names.iter().position(|j| j == name).map(|i| i as u16);
        self.pools = assign_pools(&mut self.operators, self.generated, pools, named, default_fee, of);
        if choice.enabled && self.pools.names.len() > 1 {
            let shares: Vec<f64> = pools.iter().map(|p| p.share).collect();
            self.pools.fit_choice(&self.operators, &shares, choice, replicate_seed);
        }
    }

    /// Sizes the generated operators' balance sheets to their sites, once: the per-MW draws
    /// are dropped afterwards (24 bytes an operator, 24 MB at a million operators).
    pub fn finish_balance_sheets(&mut self, f: &FinanceParams) {
        let per_mw = std::mem::take(&mut self.per_mw);
        debug_assert_eq!(per_mw.len(), self.generated, "balance sheets finished twice");
        for (op, pm) in self.operators[..self.generated].iter_mut().zip(&per_mw) {
            let mw = op.site_mw;
            op.balances = Balances {
                cash_usd: pm.cash_usd * mw,
                treasury_btc: pm.treasury_btc * mw,
                debt_usd: pm.debt_usd * mw,
                credit_limit_usd: if mw >= f.credit_min_mw {
                    (f.credit_usd_per_mw * mw).max(pm.debt_usd * mw)
                } else {
                    pm.debt_usd * mw
                },
            };
        }
    }
}

/// A site's efficiency factor around a model's nameplate: `exp(sd * z)`, `z` standard normal
/// (median 1); no draw at all when `sd` is 0.
fn spread(sd: f64, rng: &mut SimRng) -> f64 {
    if sd > 0.0 {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        (sd * z).exp().clamp(0.25, 4.0)
    } else {
        1.0
    }
}

/// Draws the population. Generated operators' sizes are as drawn (or rescaled to
/// `population.total_hashrate_eh_s`); the world may calibrate them to the difficulty and then
/// calls [`Population::finish_balance_sheets`].
///
/// Draw order per generated operator (fixed, part of reproducibility): jurisdiction, size,
/// power price, then per vintage the model (and its site spread) or the efficiency, then
/// treasury, cash, debt,
/// expectation rule, hurdle rate.
pub fn generate(p: &PopulationParams, catalog: &Catalog, rng: &mut SimRng) -> Result<Population> {
    let mut jurisdictions: Vec<String> = p.jurisdictions.iter().map(|j| j.name.clone()).collect();
    if jurisdictions.is_empty() && p.operators > 0 {
        jurisdictions.push("other".into());
    }
    for m in &p.named {
        if !jurisdictions.contains(&m.jurisdiction) {
            jurisdictions.push(m.jurisdiction.clone());
        }
    }
    if jurisdictions.len() > u16::MAX as usize {
        return Err(Error::Other("too many jurisdictions (at most 65,535)".into()));
    }
    let cumulative = |shares: &mut dyn Iterator<Item = f64>| -> Vec<f64> {
        shares
            .scan(0.0, |acc, x| {
                *acc += x;
                Some(*acc)
            })
            .collect()
    };
    let pick = |cum: &[f64], rng: &mut SimRng| -> usize {
        let u: f64 = rng.random::<f64>() * cum[cum.len() - 1];
        cum.iter().position(|&c| u < c).unwrap_or(cum.len() - 1)
    };
    let jur_cum = cumulative(&mut p.jurisdictions.iter().map(|j| j.share));
    let mix: Vec<(f64, f64)> = p
        .fleet_mix
        .iter()
        .map(|f| {
            let m = &catalog.models[catalog.index_of(&f.model).expect("validated against the catalog")];
            (f.share, m.j_per_th)
        })
        .collect();
    let mix_cum = cumulative(&mut mix.iter().map(|m| m.0));
    let b = &p.behaviour;
    let rule_cum = cumulative(&mut [b.myopic, b.adaptive, b.halving_aware].into_iter());
    let rules = [Expectation::Myopic, Expectation::Adaptive, Expectation::HalvingAware];

    let n = p.operators as usize;
    let mut operators = Vec::with_capacity(n + p.named.len());
    let mut per_mw = Vec::with_capacity(n);
    for i in 0..n {
        let jur = if jur_cum.is_empty() { 0 } else { pick(&jur_cum, rng) };
        // Either a site size (machines fill it) or a hashrate (the site is sized to fit).
        let (mw_drawn, th_drawn) = match (&p.size_mw, &p.hashrate_th_s) {
            (Some(d), _) => (d.sample(rng), None),
            (None, Some(d)) => (0.0, Some(d.sample(rng))),
            (None, None) => (0.0, None),
        };
        let power_dist =
            p.jurisdictions.get(jur).and_then(|j| j.power_usd_per_kwh.as_ref()).unwrap_or(&p.power_usd_per_kwh);
        let power = power_dist.sample(rng).max(0.0);
        let k = p.vintages as usize;
        let mut fleet = Fleet::with_capacity(k);
        for _ in 0..k {
            let e = match &p.efficiency_j_per_th {
                Some(d) => d.sample(rng),
                // A model's nameplate, spread by the site (chips, firmware, cooling).
                None => mix[pick(&mix_cum, rng)].1 * spread(p.efficiency_spread_log_sd, rng),
            };
            let th = match th_drawn {
                Some(th) => th / k as f64,
                None => mw_drawn * p.fill_share / k as f64 * 1e6 / e,
            };
            fleet.push(Vintage { th_s: th, j_per_th: e, running: true });
        }
        let mw = if th_drawn.is_some() { fleet.iter().map(Vintage::mw).sum::<f64>() / p.fill_share } else { mw_drawn };
        let f = &p.finance;
        per_mw.push(PerMw {
            treasury_btc: f.treasury_btc_per_mw.sample(rng),
            cash_usd: f.cash_usd_per_mw.sample(rng),
            debt_usd: f.debt_usd_per_mw.sample(rng),
        });
        let expectation = rules[pick(&rule_cum, rng)];
        let hurdle_rate = b.hurdle_rate.sample(rng);
        operators.push(Operator {
            jurisdiction: jur as u16,
            site_mw: mw,
            power_usd_per_kwh: power,
            fleet,
            rule: p.decision,
            expectation,
            hurdle_rate,
            ..Operator::blank(i as u32)
        });
    }

    let mut names = OperatorNames::default();
    for m in &p.named {
        let jur = jurisdictions.iter().position(|j| *j == m.jurisdiction).unwrap_or(0) as u16;
        let draw_mw = m.hashrate_th_s * m.efficiency_j_per_th / 1e6;
        let idx = operators.len() as u32;
        operators.push(Operator {
            jurisdiction: jur,
            site_mw: m.site_mw.unwrap_or(draw_mw / p.fill_share),
            power_usd_per_kwh: m.power_usd_per_kwh,
            fleet: smallvec::smallvec![Vintage {
                th_s: m.hashrate_th_s,
                j_per_th: m.efficiency_j_per_th,
                running: true
            }],
            balances: Balances {
                cash_usd: m.cash_usd,
                treasury_btc: m.treasury_btc,
                debt_usd: m.debt_usd,
                credit_limit_usd: m.credit_usd.max(m.debt_usd),
            },
            rule: m.decision.unwrap_or(p.decision),
            expectation: m.expectation,
            hurdle_rate: m.hurdle_rate,
            payout: m.payout,
            convertible: m.convertible.unwrap_or(true),
            ..Operator::blank(idx)
        });
        names.insert(idx as usize, m.name.clone());
    }
    let mut jurisdiction_shares: Vec<f64> = p.jurisdictions.iter().map(|j| j.share).collect();
    jurisdiction_shares.resize(jurisdictions.len(), 0.0);
    let mut pop = Population {
        operators,
        names,
        jurisdictions,
        jurisdiction_shares,
        generated: n,
        pools: Pools::default(),
        per_mw,
    };
    if let Some(eh) = p.total_hashrate_eh_s {
        let gen_th: f64 = pop.operators[..n].iter().map(Operator::installed_th_s).sum();
        if gen_th > 0.0 {
            pop.scale_generated(eh * crate::units::TH_PER_EH / gen_th);
        }
    }
    Ok(pop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Purpose};

    fn blank_population(generated: usize, named: usize) -> Population {
        Population {
            operators: (0..generated + named).map(|i| Operator::blank(i as u32)).collect(),
            names: OperatorNames::default(),
            jurisdictions: vec!["x".into()],
            jurisdiction_shares: vec![1.0],
            generated,
            pools: Pools::default(),
            per_mw: Vec::new(),
        }
    }

    /// Site terms that draw only the fixed power share.
    fn fixed_share_terms<'a>(dist: &'a Dist, named: &'a [Option<f64>]) -> SiteTerms<'a> {
        SiteTerms {
            solo_share: 0.0,
            convertible_share: 0.0,
            power_fixed_share: dist,
            named_convertible: &[],
            named_power_fixed_share: named,
        }
    }

    /// Each site's fixed share is its own draw: within the distribution's range with its mean,
    /// the same for operator `i` whatever the population's size, and a named operator's given
    /// share kept; a distribution reaching past 1 is clamped. Bug caught: a draw from the
    /// population's stream (shifting every later draw), one that depends on how many operators
    /// there are, or a named share overwritten.
    #[test]
    fn fixed_shares_are_per_operator_draws() {
        let uniform = Dist::uniform(0.0, 0.5).unwrap();
        let mut big = blank_population(4000, 0);
        big.draw_site_terms(&fixed_share_terms(&uniform, &[]), 11);
        let shares: Vec<f64> = big.operators.iter().map(|o| o.power_fixed_share).collect();
        assert!(shares.iter().all(|&x| (0.0..=0.5).contains(&x)));
        let mean = shares.iter().sum::<f64>() / shares.len() as f64;
        assert!((mean - 0.25).abs() < 0.01, "mean {mean}");
        let mut small = blank_population(10, 2);
        small.draw_site_terms(&fixed_share_terms(&uniform, &[Some(0.9), None]), 11);
        for (o, &share) in small.operators[..10].iter().zip(&shares) {
            assert_eq!(o.power_fixed_share, share);
        }
        assert_eq!(small.operators[10].power_fixed_share, 0.9);
        assert!((0.0..=0.5).contains(&small.operators[11].power_fixed_share));
        let mut other_seed = blank_population(10, 0);
        other_seed.draw_site_terms(&fixed_share_terms(&uniform, &[]), 12);
        assert_ne!(other_seed.operators[0].power_fixed_share, shares[0]);
        let wide = Dist::lognormal(2.0, 0.1).unwrap();
        let mut clamped = blank_population(5, 0);
        clamped.draw_site_terms(&fixed_share_terms(&wide, &[]), 11);
        assert!(clamped.operators.iter().all(|o| o.power_fixed_share == 1.0));
    }

    /// Bug caught: a spread that is not centred on the nameplate (a factor of `exp(sd z)` has
    /// median 1 and log-sd `sd`), or a spread of 0 that still consumes draws (which would
    /// change every population drawn without it).
    #[test]
    fn efficiency_spread_is_lognormal_around_the_nameplate() {
        let mut rng = stream(7, Purpose::Population);
        let logs: Vec<f64> = (0..20_000).map(|_| spread(0.08, &mut rng).ln()).collect();
        let mean = logs.iter().sum::<f64>() / logs.len() as f64;
        let sd = (logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();
        assert!(mean.abs() < 0.003 && (sd - 0.08).abs() < 0.003, "log mean {mean}, log-sd {sd}");
        let (mut a, mut b) = (stream(7, Purpose::Population), stream(7, Purpose::Population));
        assert_eq!(spread(0.0, &mut a), 1.0);
        assert_eq!(a.random::<u64>(), b.random::<u64>(), "a spread of 0 drew a number");
    }

    /// The pool choice is fitted (a taste per operator and pool) exactly when operators will
    /// choose: enabled, among more than one pool. Bug caught: a fit skipped for a population
    /// that reviews its pools (its first review would read tastes that are not there), or a
    /// fit kept where nothing reads it (8 bytes an operator and pool, 8 MB at a million).
    #[test]
    fn the_pool_choice_is_fitted_only_where_it_is_read() {
        let pool = |name: &str| PoolParams {
            name: name.into(),
            share: 0.5,
            template_group: name.into(),
            fee: 0.02,
            scheme: crate::scenario::PayoutScheme::Fpps,
            jurisdiction: None,
        };
        let enabled = PoolChoiceParams::default();
        assert!(enabled.enabled);
        let disabled = PoolChoiceParams { enabled: false, ..enabled };
        for (pools, choice, fitted) in [
            (vec![pool("A"), pool("B")], enabled, true),
            (vec![pool("A"), pool("B")], disabled, false),
            (vec![pool("A")], enabled, false),
            (vec![], enabled, false),
        ] {
            let mut pop = blank_population(6, 0);
            for (i, o) in pop.operators.iter_mut().enumerate() {
                o.fleet = smallvec::smallvec![Vintage { th_s: 100.0 * (i + 1) as f64, j_per_th: 20.0, running: true }];
            }
            pop.assign_pools(&pools, &[], 0.02, &choice, 3);
            let n = pop.pools.names.len();
            assert_eq!(pop.pools.tastes.len(), if fitted { 6 * n } else { 0 }, "{n} pools, {choice:?}");
        }
    }

    /// The site draws in one walk: a generated operator gets every draw (solo with the share's
    /// probability, a convertible flag, a fixed share, and a demand-response uniform from
    /// `DemandResponseDraws`), a named one only those the file leaves open, keeping its payout
    /// and a demand-response draw of 1;
    /// and each draw is its own (the solo share does not move the others). Bug caught: the
    /// walk giving named operators the generated ones' solo or demand-response draws, a
    /// given value overwritten, or one draw's stream shared with another's.
    #[test]
    fn site_draws_are_per_operator_and_keep_what_the_file_gives() {
        let constant = Dist::constant(0.3).unwrap();
        let draw = |solo_share: f64| {
            let mut pop = blank_population(2000, 2);
            let terms = SiteTerms {
                solo_share,
                convertible_share: 0.5,
                power_fixed_share: &constant,
                named_convertible: &[Some(false), None],
                named_power_fixed_share: &[None, Some(0.8)],
            };
            pop.draw_site_terms(&terms, 5);
            pop
        };
        let (none, half) = (draw(0.0), draw(0.5));
        let solo = half.operators[..2000].iter().filter(|o| o.payout == Payout::Solo).count();
        assert!((900..1100).contains(&solo), "{solo} of 2,000 solo at a share of 0.5");
        assert!(none.operators.iter().all(|o| o.payout == Payout::Pool));
        for (a, b) in none.operators.iter().zip(&half.operators) {
            assert_eq!(a.convertible, b.convertible);
        }
        let convertible = half.operators[..2000].iter().filter(|o| o.convertible).count();
        assert!((900..1100).contains(&convertible), "{convertible} of 2,000 convertible at 0.5");
        let both = half.operators[..2000].iter().filter(|o| o.convertible && o.payout == Payout::Solo).count();
        assert!((400..600).contains(&both), "{both} of 2,000 solo and convertible: the draws are not independent");
        let dr = DemandResponseDraws::new(5, half.generated);
        let mean_dr = (0..2000).map(|i| dr.of(i)).sum::<f64>() / 2000.0;
        assert!((mean_dr - 0.5).abs() < 0.03, "demand-response draws average {mean_dr}");
        let solo_dr: Vec<f64> =
            (0..2000).filter(|&i| half.operators[i].payout == Payout::Solo).map(|i| dr.of(i)).collect();
        let mean_solo_dr = solo_dr.iter().sum::<f64>() / solo_dr.len() as f64;
        assert!((mean_solo_dr - 0.5).abs() < 0.05, "the solo sites' demand-response draws average {mean_solo_dr}");
        let named = &half.operators[2000..];
        assert!(named.iter().all(|o| o.payout == Payout::Pool));
        assert_eq!((dr.of(2000), dr.of(2001)), (1.0, 1.0), "named sites hold no contract");
        assert!(!named[0].convertible);
        assert_eq!((named[0].power_fixed_share, named[1].power_fixed_share), (0.3, 0.8));
    }
}
