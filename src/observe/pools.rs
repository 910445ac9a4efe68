//! The pool view of concentration: running hashrate by pool and by template group, each
//! operator group mining solo an entity of its own, and the selfish-mining columns it implies
//! (docs/MODEL.md, "Pools" and "Selfish mining").

use super::day::{CensusInput, Ranks};
use super::row::DayRow;
use crate::agents::pools::Pools;
use crate::engine::census::Census;
use crate::metrics::concentration::Concentration;
use crate::metrics::ranking::Ranking;
use crate::metrics::selfish::{optimal_selfish_threshold, selfish_revenue_share, selfish_threshold};
use crate::scenario::PayoutScheme;
use crate::units::TH_PER_EH;
use serde::Serialize;

/// Concentration by pool and by template group: [`Ranking::concentration`] over running
/// hashrate by entity, the entities being the pools (or template groups) and the operator
/// groups that mine solo, each its own. Entities are ranked as `[pools.., solo groups by
/// owner..]`, kept from day to day; without pooled operators the view is the operator groups'
/// (already ranked), and with every pool its own group the group view is the pool view.
///
/// `owners` is the operator groups' concentration, the pool view's when nobody is pooled.
pub(super) fn pool_columns(r: &mut DayRow, input: &CensusInput<'_>, ranks: &mut Ranks, owners: Concentration) {
    let (census, pools) = (input.census, input.pools);
    // `named` entries (pools or groups; the census grows its pool tally only to the last pool
    // with a member, so pad it), then the solo groups.
    let entities = |buf: &mut Vec<f64>, by_pool: &[f64], named: usize| {
        buf.clear();
        buf.extend_from_slice(by_pool);
        buf.resize(named.max(by_pool.len()), 0.0);
        if pools.has_solo {
            buf.extend(census.solo_owner_th_s());
        }
    };
    // The name of entity `e` of `[named.., solo groups..]`.
    let name_of = |named: &[String], e: usize| match named.get(e) {
        Some(n) => n.clone(),
        None => input.operator_names.name(e - named.len()),
    };
    let first = |r: &Ranking| r.active().next().map(|(_, e)| e as usize);
    let (c, largest) = if pools.has_pooled {
        entities(&mut ranks.entities_th_s, &census.by_pool_th_s, pools.names.len());
        ranks.pools.update(&ranks.entities_th_s);
        let c = ranks.pools.concentration();
        (c, first(&ranks.pools).map(|e| name_of(&pools.names, e)))
    } else {
        (owners, first(&ranks.owners).map(|e| name_of(&[], e)))
    };
    r.hhi_pools = c.hhi;
    r.nakamoto_50_pools = c.nakamoto_50;
    r.nakamoto_33_pools = c.nakamoto_33;
    r.nakamoto_25_pools = c.nakamoto_25;
    r.top1_share_pools = c.top1_share;
    r.top5_share_pools = c.top5_share;
    r.effective_pools = c.effective_entities;
    r.largest_pool = largest.clone().unwrap_or_default();
    let (c, largest) = if pools.groups_are_pools || !pools.has_pooled {
        (c, largest)
    } else {
        let groups = &mut ranks.groups_th_s;
        groups.clear();
        groups.resize(pools.group_names.len(), 0.0);
        for (p, th) in census.by_pool_th_s.iter().enumerate() {
            groups[pools.group_of[p] as usize] += th;
        }
        let by_group = std::mem::take(groups);
        entities(&mut ranks.entities_th_s, &by_group, pools.group_names.len());
        ranks.groups_th_s = by_group;
        ranks.groups.update(&ranks.entities_th_s);
        let c = ranks.groups.concentration();
        (c, first(&ranks.groups).map(|e| name_of(&pools.group_names, e)))
    };
    r.hhi_template_groups = c.hhi;
    r.nakamoto_50_template_groups = c.nakamoto_50;
    r.nakamoto_33_template_groups = c.nakamoto_33;
    r.nakamoto_25_template_groups = c.nakamoto_25;
    r.top1_share_template_groups = c.top1_share;
    r.largest_template_group = largest.unwrap_or_default();

    // Selfish mining (`metrics::selfish`): the pools and groups past the threshold, and what
    // the largest pool would earn mining selfishly.
    let threshold = selfish_threshold(input.selfish_gamma);
    let pool_values = if pools.has_pooled { ranks.pools.active() } else { ranks.owners.active() };
    r.selfish_mining_threshold_share = threshold;
    r.selfish_mining_pools = above(pool_values.clone(), r.top1_share_pools, threshold);
    let group_values =
        if pools.groups_are_pools || !pools.has_pooled { pool_values.clone() } else { ranks.groups.active() };
    r.selfish_mining_template_groups = above(group_values, r.top1_share_template_groups, threshold);
    r.selfish_mining_revenue_share = selfish_revenue_share(r.top1_share_pools, input.selfish_gamma);
    let optimal = optimal_selfish_threshold(input.selfish_gamma);
    r.selfish_mining_optimal_threshold_share = optimal;
    r.selfish_mining_optimal_pools = above(pool_values, r.top1_share_pools, optimal);
}

/// How many of `sorted` (active hashrates, largest first, the first holding `top1_share` of
/// their total) hold more than `share` of the total each.
fn above(sorted: impl Iterator<Item = (f64, u32)> + Clone, top1_share: f64, share: f64) -> u32 {
    match sorted.clone().next() {
        Some((top, _)) if top1_share > 0.0 => {
            let total = top / top1_share;
            sorted.take_while(|&(h, _)| h / total > share).count() as u32
        }
        _ => 0,
    }
}

/// One row of `pools.csv`: a pool on a day (one row per pool per day; solo miners are in no
/// pool, so a day's `network_share`s sum to the pooled share of the running hashrate).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PoolRow {
    pub replicate: u32,
    pub day: u32,
    pub date: String,
    pub pool: String,
    pub template_group: String,
    /// `fpps` or `pplns`.
    pub scheme: &'static str,
    /// What it keeps of its miners' pay that day.
    pub fee: f64,
    /// Where it is run from (empty: nowhere in particular).
    pub jurisdiction: String,
    /// Its running hashrate, after the day's decisions.
    pub hashrate_eh_s: f64,
    /// Its share of the network's running hashrate.
    pub network_share: f64,
}

/// The day's pool rows from the census' tally (`day` and `date` of the day's row).
pub fn pool_rows(row: &DayRow, census: &Census, pools: &Pools, jurisdictions: &[String]) -> Vec<PoolRow> {
    let total = census.totals.mining_th_s;
    (0..pools.names.len())
        .map(|j| {
            let th_s = census.by_pool_th_s.get(j).copied().unwrap_or(0.0);
            PoolRow {
                replicate: row.replicate,
                day: row.day,
                date: row.date.clone(),
                pool: pools.names[j].clone(),
                template_group: pools.group_names[pools.group_of[j] as usize].clone(),
                scheme: match pools.schemes[j] {
                    PayoutScheme::Fpps => "fpps",
                    PayoutScheme::Pplns => "pplns",
                },
                fee: pools.fees[j],
                jurisdiction: pools.jurisdictions[j]
                    .and_then(|k| jurisdictions.get(k as usize).cloned())
                    .unwrap_or_default(),
                hashrate_eh_s: th_s / TH_PER_EH,
                network_share: if total > 0.0 { th_s / total } else { 0.0 },
            }
        })
        .collect()
}
