//! Which pool each operator mines in. A pool is an entity of concentration (docs/MODEL.md,
//! "Pools"): blocks are attributed to pools, and the pools that build blocks from one
//! operator's templates form a template group. An operator group mining solo is its own pool
//! and group.

use super::operator::Operator;
use super::pool_choice::{calibrate_intercepts, conditional_tastes, utilities, Chooser, PoolOffer};
use crate::rng::mix64;
use crate::scenario::params::{PoolChoiceParams, PoolParams};
use crate::scenario::{Payout, PayoutScheme};

/// The pool a scenario without `[[pools]]` puts every pooled operator in.
pub const DEFAULT_POOL: &str = "pool";

/// `Operator::pool` of a solo miner: in no pool.
pub const NO_POOL: u32 = u32::MAX;

/// The pools of a run. As concentration entities they stand beside the solo miners, each
/// operator group mining solo counting as its own pool and template group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pools {
    pub names: Vec<String>,
    /// What each pool keeps of its miners' pay (changed by `pool_fee` events).
    pub fees: Vec<f64>,
    pub schemes: Vec<PayoutScheme>,
    /// The jurisdiction each pool is run from, if any (an index into the population's).
    pub jurisdictions: Vec<Option<u16>>,
    /// Each pool's intercept in the operators' choice (`agents::pool_choice`), fitted to the
    /// day-0 shares by [`Pools::fit_choice`].
    pub intercepts: Vec<f64>,
    /// Operator `i`'s taste for pool `j` at `i * names.len() + j` (0 for solo miners).
    pub tastes: Vec<f64>,
    /// Each pool's template group, an index into `group_names`.
    pub group_of: Vec<u32>,
    pub group_names: Vec<String>,
    /// Whether every pool is its own template group (no pool shares another's templates): the
    /// group view is then the pool view.
    pub groups_are_pools: bool,
    /// Whether any operator mines in a pool, and whether any mines solo.
    pub has_pooled: bool,
    pub has_solo: bool,
}

/// Salt of the hashed uniforms behind the operators' pool tastes.
const POOL_TASTE_SALT: u64 = 0x706f_6f6c_7461_7374;

/// Puts every pooled operator in a pool (`Operator::pool`, an index into the returned pools;
/// [`NO_POOL`] for solo miners) and returns the pools. `jurisdiction_of` resolves a pool's
/// jurisdiction name (validation checked it). A named operator's pool (`named[k]` for operator `generated + k`) is
/// kept; the other pooled operators, largest installed hashrate first (ties: lower index), each
/// join the pool furthest below its target, `share * total pooled hashrate` (ties: the pool
/// listed first). So the day-0 shares match the file's to within one operator, and the result
/// depends on sizes and indices only, never on a visiting order. Without `pools`, one pool,
/// [`DEFAULT_POOL`], holds every pooled operator.
pub fn assign_pools(
    operators: &mut [Operator],
    generated: usize,
    pools: &[PoolParams],
    named: &[Option<String>],
    default_fee: f64,
    jurisdiction_of: impl Fn(&str) -> Option<u16>,
) -> Pools {
    let default = [PoolParams {
        name: DEFAULT_POOL.into(),
        share: 1.0,
        template_group: DEFAULT_POOL.into(),
        fee: default_fee,
        scheme: PayoutScheme::Fpps,
        jurisdiction: None,
    }];
    let pools = if pools.is_empty() { &default[..] } else { pools };
    let mut group_names: Vec<String> = Vec::new();
    let mut group_of = Vec::with_capacity(pools.len());
    for p in pools {
        let g = group_names.iter().position(|n| n == &p.template_group).unwrap_or_else(|| {
            group_names.push(p.template_group.clone());
            group_names.len() - 1
        });
        group_of.push(g as u32);
    }
    let pooled = |o: &Operator| o.payout == Payout::Pool;
    // One walk over the operators (each walk over a million records is ~15-20 ms): solo miners
    // marked, the pooled hashrate summed (from -0.0 and in index order, as `Sum` adds), named
    // pools taken, and the rest kept for the shares, unless one pool takes them all.
    let (mut total, mut has_solo, mut has_pooled) = (-0.0, false, false);
    let mut assigned = vec![0.0; pools.len()];
    // Unassigned operators with their installed hashrate, worked out once (a sort's
    // comparisons would walk two fleets each).
    let mut open: Vec<(f64, usize)> = Vec::new();
    for (i, op) in operators.iter_mut().enumerate() {
        if !pooled(op) {
            op.pool = NO_POOL;
            has_solo = true;
            continue;
        }
        has_pooled = true;
        let th = op.installed_th_s();
        total += th;
        let given = i.checked_sub(generated).and_then(|k| named.get(k).cloned().flatten());
        match given.and_then(|name| pools.iter().position(|p| p.name == name)) {
            Some(p) => {
                op.pool = p as u32;
                assigned[p] += th;
            }
            None if pools.len() == 1 => op.pool = 0,
            None => open.push((th, i)),
        }
    }
    if pools.len() > 1 {
        // Largest first, each to the pool furthest below its share.
        open.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    for (th, i) in open {
        let p = (0..pools.len())
            .max_by(|&a, &b| {
                let (da, db) = (pools[a].share * total - assigned[a], pools[b].share * total - assigned[b]);
                da.total_cmp(&db).then(b.cmp(&a))
            })
            .unwrap_or(0);
        operators[i].pool = p as u32;
        assigned[p] += th;
    }
    let groups_are_pools =
        group_names.len() == pools.len() && group_of.iter().enumerate().all(|(i, &g)| g as usize == i);
    Pools {
        names: pools.iter().map(|p| p.name.clone()).collect(),
        fees: pools.iter().map(|p| p.fee).collect(),
        schemes: pools.iter().map(|p| p.scheme).collect(),
        jurisdictions: pools.iter().map(|p| p.jurisdiction.as_deref().and_then(&jurisdiction_of)).collect(),
        intercepts: pools.iter().map(|p| p.share.max(1e-9).ln()).collect(),
        tastes: Vec::new(),
        group_of,
        group_names,
        groups_are_pools,
        has_pooled,
        has_solo,
    }
}

impl Pools {
    /// Today's offers of the pools (`agents::pool_choice::PoolOffer`), `th_s[j]` pool `j`'s
    /// hashrate.
    pub fn offers(&self, th_s: &[f64]) -> Vec<PoolOffer> {
        (0..self.names.len())
            .map(|j| PoolOffer {
                fee: self.fees[j],
                scheme: self.schemes[j],
                jurisdiction: self.jurisdictions[j],
                th_s: th_s.get(j).copied().unwrap_or(0.0),
                intercept: self.intercepts[j],
            })
            .collect()
    }

    /// Operator `i`'s tastes for the pools.
    pub fn tastes_of(&self, i: usize) -> &[f64] {
        let n = self.names.len();
        &self.tastes[i * n..(i + 1) * n]
    }

    /// Fits the operators' pool choice to the day-0 assignment: the intercepts at which the
    /// logit's hashrate-weighted shares are `shares` (the file's), then each pooled operator's
    /// tastes drawn given the pool it is in, from hashed uniforms of (`replicate_seed`,
    /// operator index), so no visiting order matters. Sizes are installed hashrates, the
    /// network's including solo miners.
    pub fn fit_choice(&mut self, operators: &[Operator], shares: &[f64], p: &PoolChoiceParams, replicate_seed: u64) {
        let n = self.names.len();
        let pooled = |o: &Operator| o.payout == Payout::Pool;
        let network: f64 = operators.iter().map(Operator::installed_th_s).sum();
        let mut th_s = vec![0.0; n];
        let choosers: Vec<Chooser> = operators
            .iter()
            .filter(|o| pooled(o))
            .map(|o| {
                th_s[o.pool as usize] += o.installed_th_s();
                Chooser { jurisdiction: o.jurisdiction, th_s: o.installed_th_s(), pool: o.pool as usize }
            })
            .collect();
        let shares: Vec<f64> = if shares.len() == n { shares.to_vec() } else { vec![1.0 / n as f64; n] };
        self.intercepts = calibrate_intercepts(&choosers, &self.offers(&th_s), &shares, network, p);
        let offers = self.offers(&th_s);
        self.tastes = vec![0.0; operators.len() * n];
        let mut v = Vec::new();
        for (i, o) in operators.iter().enumerate().filter(|(_, o)| pooled(o)) {
            let c = Chooser { jurisdiction: o.jurisdiction, th_s: o.installed_th_s(), pool: o.pool as usize };
            utilities(&c, &offers, network, p, &mut v);
            let seed = mix64(replicate_seed ^ mix64(POOL_TASTE_SALT ^ i as u64));
            let uniform = |k: usize| ((mix64(seed ^ mix64(k as u64)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            self.tastes[i * n..(i + 1) * n].copy_from_slice(&conditional_tastes(&v, c.pool, uniform));
        }
    }
}

/// A coalition of pools the double-spend view prices: a label and its share of the pooled
/// hashrate.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolCoalition {
    pub label: String,
    pub share: f64,
}

/// The coalitions a pool-level attack would take, from a scenario's `[[pools]]` shares: the
/// largest pool, the top two and three, the largest template group and the top two groups
/// (ties: the pool listed first). Empty without pools.
pub fn pool_coalitions(pools: &[PoolParams]) -> Vec<PoolCoalition> {
    let mut by_pool: Vec<(&str, f64)> = pools.iter().map(|p| (p.name.as_str(), p.share)).collect();
    let mut by_group: Vec<(&str, f64)> = Vec::new();
    for p in pools {
        match by_group.iter_mut().find(|(g, _)| *g == p.template_group) {
            Some((_, s)) => *s += p.share,
            None => by_group.push((&p.template_group, p.share)),
        }
    }
    let mut out = Vec::new();
    for (list, what) in [(&mut by_pool, "pool"), (&mut by_group, "template group")] {
        list.sort_by(|a, b| b.1.total_cmp(&a.1));
        let tops: &[usize] = if what == "pool" { &[1, 2, 3] } else { &[1, 2] };
        for &k in tops.iter().filter(|&&k| k <= list.len()) {
            let share: f64 = list[..k].iter().map(|(_, s)| s).sum();
            let label = if k == 1 { format!("largest {what}: {}", list[0].0) } else { format!("top {k} {what}s") };
            out.push(PoolCoalition { label, share });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::hardware::Vintage;

    fn op(th_s: f64) -> Operator {
        Operator { fleet: smallvec::smallvec![Vintage { th_s, j_per_th: 20.0, running: true }], ..Operator::blank(0) }
    }

    fn pool(name: &str, share: f64, group: &str) -> PoolParams {
        PoolParams {
            name: name.into(),
            share,
            template_group: group.into(),
            fee: 0.02,
            scheme: PayoutScheme::Fpps,
            jurisdiction: None,
        }
    }

    /// Pools of 0.30 (F), 0.18 (A), 0.22 (S, on A's templates), 0.30 (V): the largest pool is F
    /// (first listed among equals), the top two 0.60, top three 0.82; the largest group A+S
    /// 0.40, the top two 0.70. Bug caught: coalitions over the file's order instead of by
    /// share, template groups not summed.
    #[test]
    fn pool_coalitions_by_share() {
        let pools = [pool("F", 0.30, "F"), pool("A", 0.18, "A"), pool("S", 0.22, "A"), pool("V", 0.30, "V")];
        let c = pool_coalitions(&pools);
        let got: Vec<(&str, f64)> = c.iter().map(|x| (x.label.as_str(), (x.share * 100.0).round() / 100.0)).collect();
        assert_eq!(
            got,
            vec![
                ("largest pool: F", 0.30),
                ("top 2 pools", 0.60),
                ("top 3 pools", 0.82),
                ("largest template group: A", 0.40),
                ("top 2 template groups", 0.70),
            ]
        );
        assert!(pool_coalitions(&[]).is_empty());
    }

    /// Hand-worked: pooled operators of 10, 50, 10 and 30 TH/s (100 in all) into pools A (0.6,
    /// target 60) and B (0.4, target 40), largest first: 50 -> A (60 short against 40), 30 -> B
    /// (A 10 short, B 40), the first 10 -> A (both 10 short: A, listed first), the second 10 -> B.
    /// A solo miner is in no pool; a named operator keeps its pool. Bug caught:
    /// assignment by visiting order (the result changing when operators are stored otherwise),
    /// shares far from the file's, a solo miner counted in a pool.
    #[test]
    fn operators_fill_the_pools_largest_first_by_deficit() {
        let mut ops = vec![op(10.0), op(50.0), op(10.0), op(30.0), op(5.0)];
        ops[4].payout = Payout::Solo;
        let pools = [pool("A", 0.6, "G"), pool("B", 0.4, "B")];
        let p = assign_pools(&mut ops, 5, &pools, &[], 0.02, |_| None);
        let got: Vec<u32> = ops.iter().map(|o| o.pool).collect();
        assert_eq!(got, vec![0, 0, 1, 1, NO_POOL]);
        assert_eq!(p.names, vec!["A", "B"]);
        assert_eq!((p.group_of.clone(), p.group_names.clone()), (vec![0, 1], vec!["G".to_string(), "B".into()]));
        assert!(p.has_pooled && p.has_solo && p.groups_are_pools);
        let shared = [pool("A", 0.6, "G"), pool("B", 0.4, "G")];
        assert!(!assign_pools(&mut ops, 5, &shared, &[], 0.02, |_| None).groups_are_pools);
        // Named: the last operator is named and asks for B; the rest fill around it.
        let mut ops = vec![op(50.0), op(30.0), op(20.0)];
        assign_pools(&mut ops, 2, &pools, &[Some("B".into())], 0.02, |_| None);
        assert_eq!(ops.iter().map(|o| o.pool).collect::<Vec<_>>(), vec![0, 1, 1]);
        // No pools: one.
        let mut ops = vec![op(1.0), op(2.0)];
        let p = assign_pools(&mut ops, 2, &[], &[], 0.02, |_| None);
        assert_eq!((p.names.clone(), ops[0].pool, ops[1].pool), (vec![DEFAULT_POOL.to_string()], 0, 0));
    }
}
