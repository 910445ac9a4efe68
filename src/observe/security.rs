//! The security columns of the day's row: the security budget, the dormant machines an
//! attacker could switch on, the coalitions of operator groups one could bribe, the attack cost
//! by route (`metrics::attack`) and the double-spend risk a budget buys (`metrics::risk`).
//! They are read from the world after the day's decisions; nothing here changes it.

use super::row::DayRow;
use crate::agents::OperatorState;
use crate::engine::census::{Census, GroupValues, SiteMachines};
use crate::engine::World;
use crate::market::secondary::Pricing;
use crate::metrics::attack::{
    budish_deterred_value_usd, AttackMarket, Coalitions, DormantSupply, AFFORDABLE_SHARE_MAX,
};
use crate::metrics::pool_bribe::PoolCoalitions;
use crate::metrics::ranking::Ranking;
use crate::metrics::unit_cost_sort::UnitCostSort;
use crate::units::TH_PER_EH;

/// Blocks expected per day at the 600 s target spacing (86,400 s / 600 s).
const EXPECTED_BLOCKS_PER_DAY: f64 = 144.0;

/// What the security columns build every day, kept from one day to the next so that their
/// buffers are reused (a few hundred kB a day freed and taken again made the allocator return
/// the heap's top to the kernel and take it back daily: ~4% of the baseline).
#[derive(Debug, Default)]
pub struct SecurityScratch {
    /// The machines walked here on days the census did not take them (and in debug builds).
    scan: SiteMachines,
    sort: UnitCostSort,
    dormant: DormantSupply,
    coalitions: Coalitions,
    /// The sites in other groups than their own, by group (`GroupValues`).
    others_by_group: Vec<(u32, u32)>,
}

/// Fills the security columns of day `d`'s row. `mining_th_s` is the honest running hashrate;
/// `owners` ranks the operator groups by it (today's ranking, of `groups` groups).
pub(super) fn security_columns(
    r: &mut DayRow,
    w: &World,
    d: u32,
    census: &Census,
    owners: &Ranking,
    groups: usize,
    scratch: &mut SecurityScratch,
) {
    let mining_th_s = census.totals.mining_th_s;
    let params = w.attack_params();
    let pricing = w.pricing();
    let reward = crate::chain::block_subsidy(w.chain.height + 1).to_btc() + w.fee_level_btc();
    r.security_budget_usd_per_day = EXPECTED_BLOCKS_PER_DAY * reward * w.price.price_usd();
    r.budish_deterred_value_usd =
        budish_deterred_value_usd(reward * w.price.price_usd(), w.metrics.attack_share, w.metrics.attack_hours);
    let SecurityScratch { scan, sort, dormant, coalitions, others_by_group } = scratch;
    let machines = sites(w, d, census, &pricing, groups, scan);
    let lots = dormant_lots(machines, w).map(|(th, e)| (th, e, pricing.price_usd_per_th(e)));
    dormant.refill(lots, &params, sort);
    // The day asks for coalitions of the attack share and, for the risk a budget buys, of
    // shares up to half; only their groups' machines are valued.
    let largest_share = w.metrics.attack_share.max(AFFORDABLE_SHARE_MAX);
    GroupValues::order(machines.others, others_by_group);
    let values = GroupValues::new(&w.population.operators, pricing, others_by_group);
    coalitions.refill_to_share(
        owners.active(),
        owners.active_th_s(),
        |g| values.value_usd(g),
        |g| values.ask(g),
        largest_share,
    );
    let frontier = w.catalog.frontier(w.year(d), w.hardware.frontier_improvement_per_year);
    let (j_new, price_new) = (frontier.j_per_th, frontier.price_usd_per_th);
    let market = AttackMarket {
        honest_th_s: mining_th_s,
        hashprice_usd_per_th_day: pricing.hashprice_usd_per_th_day,
        new_j_per_th: j_new,
        new_price_usd_per_th: w.metrics.attack_hardware_usd_per_th.unwrap_or(price_new),
        dormant: std::mem::take(dormant),
        coalitions: std::mem::take(coalitions),
        pools: pool_coalitions(w, census),
    };
    let c = market.costs(w.metrics.attack_share, &params);
    r.attack_needed_eh_s = c.needed_th_s / TH_PER_EH;
    r.attack_new_hardware_usd = c.new_hardware_usd;
    r.attack_new_hardware_machines_usd = c.new_hardware_machines_usd;
    r.attack_new_hardware_lead_days = c.new_hardware_lead_days;
    r.dormant_eh_s = market.dormant.total_th_s() / TH_PER_EH;
    r.attack_dormant_usd = c.dormant_usd;
    r.attack_rental_usd = c.rental_usd;
    r.attack_rental_usd_per_hour = c.rental_usd_per_hour;
    r.attack_coalition_usd = c.coalition_usd;
    r.attack_coalition_size = c.coalition_size as u32;
    r.attack_pool_coalition_usd = c.pool_coalition_usd;
    r.attack_pool_coalition_size = c.pool_coalition_size as u32;
    r.attack_cheapest_usd = (mining_th_s > 0.0).then_some(c.cheapest_usd);
    r.attack_cheapest_route = c.cheapest_route.to_string();
    r.budget_attack_share =
        if mining_th_s > 0.0 { market.affordable_share(w.metrics.risk_budget_usd, &params) } else { 0.5 };
    r.double_spend_risk =
        crate::metrics::risk::rosenfeld_probability(r.budget_attack_share, w.metrics.risk_confirmations);
    (*dormant, *coalitions) = (market.dormant, market.coalitions);
}

/// The machines at active sites, as the security columns read them: taken by the day's
/// census pass (`engine::census::SiteMachines`), or on a merit day from the merit order's
/// copy, when taken today at these prices, else walked here. Debug builds walk them always
/// after a census pass and compare, bit for bit: no fleet may change between an operator's
/// count and the day's observation.
fn sites<'a>(
    w: &World,
    d: u32,
    census: &'a Census,
    pricing: &Pricing,
    groups: usize,
    scan: &'a mut SiteMachines,
) -> Machines<'a> {
    let m = &census.machines;
    let taken = m.day == Some(d) && m.pricing.as_ref() == Some(pricing) && m.groups == groups;
    // The merit order's copy holds running flags its records get only when the index is
    // dropped (its tests compare it with the full days' walks instead).
    if !taken || (cfg!(debug_assertions) && !m.from_merit_copy) {
        walk(scan, w, pricing, groups);
    }
    if !taken {
        return Machines { idle: &scan.idle, hosts: &scan.hosts, others: &scan.others };
    }
    if m.from_merit_copy {
        return Machines { idle: &m.idle, hosts: &m.hosts, others: &m.others };
    }
    debug_assert!(m
        .idle
        .iter()
        .map(|x| (x.0.to_bits(), x.1.to_bits()))
        .eq(scan.idle.iter().map(|x| (x.0.to_bits(), x.1.to_bits()))));
    debug_assert_eq!(m.hosts, scan.hosts);
    debug_assert_eq!(m.others, scan.others);
    Machines { idle: &m.idle, hosts: &m.hosts, others: &m.others }
}

/// The machines at active sites ([`sites`]).
#[derive(Clone, Copy)]
struct Machines<'a> {
    /// (TH/s, J/TH) of the machines idle at active sites, in operator then fleet order.
    idle: &'a [(f64, f64)],
    /// Active operators hosting AI halls (their stored machines are dormant too).
    hosts: &'a [u32],
    /// (group, operator) of the active operators in other groups than their own.
    others: &'a [(u32, u32)],
}

/// (TH/s, J/TH) of the machines that exist but do not mine: idle at active sites, then stored
/// for AI conversions, then on the secondary market (the order `DormantSupply` receives them
/// in).
fn dormant_lots<'a>(m: Machines<'a>, w: &'a World) -> impl Iterator<Item = (f64, f64)> + 'a {
    let ops = &w.population.operators;
    let stored = m
        .hosts
        .iter()
        .flat_map(move |&i| ops[i as usize].ai().iter().flat_map(|p| p.stored.iter().map(|v| (v.th_s, v.j_per_th))));
    let for_sale = w.secondary.lots.iter().map(|l| (l.th_s, l.j_per_th));
    m.idle.iter().copied().chain(stored).chain(for_sale)
}

/// Walks every active operator's fleet for the machines, as the census' pass takes them.
fn walk(scan: &mut SiteMachines, w: &World, pricing: &Pricing, groups: usize) {
    scan.take_at(*pricing, groups);
    for (i, o) in w.population.operators.iter().enumerate().filter(|(_, o)| o.state == OperatorState::Active) {
        scan.take(i, o);
    }
}

/// The pools with their running hashrate and fee (none without pooled operators).
fn pool_coalitions(w: &World, census: &Census) -> PoolCoalitions {
    let pools = &w.population.pools;
    if !pools.has_pooled {
        return PoolCoalitions::default();
    }
    let by_pool: Vec<(f64, f64)> =
        (0..pools.names.len()).map(|j| (census.by_pool_th_s.get(j).copied().unwrap_or(0.0), pools.fees[j])).collect();
    PoolCoalitions::new(&by_pool)
}
