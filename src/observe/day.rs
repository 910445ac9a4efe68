//! The day's row built from the engine's views: the start-of-day columns (the state after the
//! day's decisions: totals, concentration and, with `metrics.attack_metrics`, the security
//! columns of [`super::security`]) and the day-end columns (blocks, rewards, height).

use super::row::DayRow;
use super::security::security_columns;
use super::W_PER_MW;
use crate::agents::names::OperatorNames;
use crate::agents::pools::Pools;
use crate::engine::census::Census;
use crate::engine::hook::{DayEnd, DayStart};
use crate::engine::world::DayStats;
use crate::metrics::concentration::concentration_with;
use crate::metrics::ranking::Ranking;
use crate::units::{TH_PER_EH, TH_PER_PH};

/// What observation keeps from one day to the next, so the days must be seen in order.
#[derive(Debug, Default)]
pub struct Ranks {
    /// Operator groups by decreasing running hashrate, kept from day to day (re-ranking an
    /// almost sorted order is close to linear); the security columns read today's order.
    pub(super) owners: Ranking,
    /// Scratch for sorting the jurisdictions (reused, so the daily pass does not allocate).
    sort_buf: Vec<f64>,
    /// Pool entities and template groups by decreasing running hashrate, kept from day to day
    /// (a run whose miners mine solo has an entity per miner).
    pub(super) pools: Ranking,
    pub(super) groups: Ranking,
    /// Running TH/s by template group, and the entities' (pools or groups, then solo groups).
    pub(super) groups_th_s: Vec<f64>,
    pub(super) entities_th_s: Vec<f64>,
    /// The security columns' buffers.
    security: super::security::SecurityScratch,
}

/// The census' part of the start-of-day row, the world's parameters it needs aside.
pub(super) struct CensusInput<'a> {
    pub census: &'a Census,
    /// Jurisdiction names, indexed as the census' `by_jurisdiction_th_s`.
    pub jurisdictions: &'a [String],
    /// The pools and their template groups, indexed as the census' `by_pool_th_s`.
    pub pools: &'a Pools,
    /// Operator names by index (`[[operators]]` names; `None`: generated): solo groups' names.
    pub operator_names: &'a OperatorNames,
    /// `metrics.attack_share`: the share a state would need.
    pub attack_share: f64,
    /// `metrics.selfish_mining_gamma`: how well connected a selfish pool is.
    pub selfish_gamma: f64,
}

/// The start-of-day row of `view`'s day (day-end columns left at their defaults).
pub fn start_of_day(view: &DayStart<'_>, ranks: &mut Ranks) -> DayRow {
    let (w, d) = (view.world, view.day);
    let mut r = DayRow {
        replicate: w.replicate,
        day: d,
        date: crate::scenario::date::format_date(w.start_date_days + d as i64),
        difficulty: w.chain.difficulty,
        price_usd: w.price.price_usd(),
        fees_btc_per_block: w.fee_level_btc(),
        ai_demand_mw: w.ai.demand_mw,
        ai_contracted_mw: w.ai.contracted_mw,
        secondary_market_value_usd: w.secondary.value_usd(&w.pricing()),
        ..DayRow::default()
    };
    set_flows(&mut r, view.stats);
    let halving = &w.halving_outlook;
    // The outlook is cut at the net settled hashprice; the column is before the pool fee.
    r.hashprice_after_halving_usd_per_ph_day =
        halving.settled_usd_per_th_day * halving.hashprice_after[0] / (1.0 - w.pool_fee) * TH_PER_PH;
    r.halving_stopping_share = halving.stopping_share;
    let input = CensusInput {
        census: view.census,
        jurisdictions: &w.population.jurisdictions,
        pools: &w.population.pools,
        operator_names: &w.population.names,
        attack_share: w.metrics.attack_share,
        selfish_gamma: w.metrics.selfish_mining_gamma,
    };
    census_columns(&mut r, &input, ranks);
    let secondary_th_s = w.secondary.total_th_s();
    r.hashrate_exited_eh_s = secondary_th_s / TH_PER_EH;
    r.fleet_eh_s = (view.census.totals.sites_th_s + secondary_th_s) / TH_PER_EH;
    if w.metrics.attack_metrics {
        let owners = view.census.by_owner_th_s.len();
        security_columns(&mut r, w, d, view.census, &ranks.owners, owners, &mut ranks.security);
    }
    r
}

/// The day's flows, as the engine tallied them (the one place `DayStats` becomes columns).
fn set_flows(r: &mut DayRow, s: &DayStats) {
    r.hashprice_usd_per_ph_day = s.hashprice_usd_per_th_day * TH_PER_PH;
    r.power_cost_usd = s.power_cost_usd;
    r.energy_mwh = s.energy_mwh;
    r.btc_sold = s.btc_sold;
    r.btc_sold_forced = s.btc_sold_forced;
    r.ai_revenue_usd = s.ai_revenue_usd;
    r.capex_usd = s.capex_usd;
    r.pivots = s.pivots;
    r.exits = s.exits;
    r.bankruptcies = s.bankruptcies;
    r.acquisitions = s.acquisitions;
    r.contracts_returned = s.contracts_returned;
}

/// Totals, operator counts, capacity and concentration: the columns the census alone gives.
///
/// Concentration (HHI, Nakamoto coefficients, top shares, Gini, effective entities) is that of
/// `metrics::concentration` over running hashrate by operator group and by jurisdiction.
pub(super) fn census_columns(r: &mut DayRow, input: &CensusInput<'_>, ranks: &mut Ranks) {
    let census = input.census;
    let t = &census.totals;
    r.operators_active = t.operators_active;
    r.mining_operators = t.mining_operators;
    r.operators_hybrid = t.operators_hybrid;
    r.operators_exited = t.operators_exited;
    r.operators_bankrupt = t.operators_bankrupt;
    r.mw_mining = t.mw_mining;
    r.mw_ai_online = t.mw_ai_online;
    r.mw_ai_building = t.mw_ai_building;
    r.mw_building = t.mw_building;
    r.mw_dark = t.mw_dark;
    let (mining_th, idle_th) = (t.mining_th_s, t.idle_th_s);
    r.hashrate_eh_s = mining_th / TH_PER_EH;
    r.hashrate_mining_eh_s = r.hashrate_eh_s;
    r.hashrate_idle_eh_s = idle_th / TH_PER_EH;
    r.hashrate_curtailed_eh_s = t.curtailed_th_s / TH_PER_EH;
    r.installed_hashrate_eh_s = (mining_th + t.curtailed_th_s + idle_th) / TH_PER_EH;
    r.hashrate_pivoting_eh_s = t.pivoting_th_s / TH_PER_EH;
    r.hashrate_ai_eh_s = t.ai_th_s / TH_PER_EH;
    r.mean_efficiency_j_per_th = if mining_th > 0.0 { t.running_mw * W_PER_MW / mining_th } else { 0.0 };

    ranks.owners.update_some(&census.by_owner_th_s, census.changed_owners.as_deref());
    let owners = ranks.owners.concentration();
    let c = owners;
    r.hhi_operators = c.hhi;
    r.nakamoto_50_operators = c.nakamoto_50;
    r.nakamoto_33_operators = c.nakamoto_33;
    r.top1_share_operators = c.top1_share;
    r.top5_share_operators = c.top5_share;
    r.gini_operators = c.gini;
    r.effective_operators = c.effective_entities;
    // Without a hybrid operator, the empty sum (-0.0, as `Iterator::sum` gives) without a walk.
    let hybrid_th: f64 = if t.operators_hybrid == 0 {
        -0.0
    } else {
        census.by_owner_th_s.iter().zip(&census.hybrid_owner).filter(|(_, h)| **h).map(|(x, _)| x).sum()
    };
    r.hybrid_share = if mining_th > 0.0 { hybrid_th / mining_th } else { 0.0 };
    let c = concentration_with(&mut ranks.sort_buf, &census.by_jurisdiction_th_s);
    r.hhi_jurisdictions = c.hhi;
    r.nakamoto_50_jurisdictions = c.nakamoto_50;
    r.nakamoto_33_jurisdictions = c.nakamoto_33;
    r.top1_share_jurisdictions = c.top1_share;
    r.top5_share_jurisdictions = c.top5_share;
    r.gini_jurisdictions = c.gini;
    r.effective_jurisdictions = c.effective_entities;
    r.state_attack_feasible = mining_th > 0.0 && c.top1_share >= input.attack_share;
    // The largest by running hashrate; a tie goes to the lower index.
    let largest = census
        .by_jurisdiction_th_s
        .iter()
        .enumerate()
        .filter(|(_, x)| **x > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)));
    r.largest_jurisdiction = largest.map(|(j, _)| input.jurisdictions[j].clone()).unwrap_or_default();
    super::pools::pool_columns(r, input, ranks, owners);
}

/// Fills the day-end columns of `r` (its start-of-day columns already set).
pub fn end_of_day(r: &mut DayRow, end: &DayEnd) {
    r.height = end.height;
    r.difficulty_end = end.difficulty_end;
    r.blocks = end.blocks;
    r.mean_block_interval_s = (end.intervals > 0).then(|| end.interval_sum_s / end.intervals as f64);
    r.subsidy_btc = end.subsidy.to_btc();
    r.fees_btc = end.fees.to_btc();
    r.miner_revenue_usd = (r.subsidy_btc + r.fees_btc) * r.price_usd;
    r.retargets = end.retargets;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::census::Totals;

    /// Three operator groups of 50, 30 and 20 TH/s (group 1 hosts AI; index 3 is an idle
    /// group), in two jurisdictions of 70 and 30 TH/s, and in pools of 20 ("A"), 30 ("B") and
    /// 35 TH/s ("C", which builds from A's templates) beside the 15 TH/s group 2 mines solo ("op2"; its other 5 in a pool).
    fn census() -> Census {
        Census {
            running_th_s: vec![50.0, 30.0, 20.0, 0.0],
            by_owner_th_s: vec![50.0, 30.0, 20.0, 0.0],
            by_jurisdiction_th_s: vec![30.0, 70.0],
            by_pool_th_s: vec![20.0, 30.0, 35.0],
            by_pooled_owner_th_s: vec![50.0, 30.0, 5.0, 0.0],
            hybrid_owner: vec![false, true, false, false],
            totals: Totals {
                mining_th_s: 100.0,
                idle_th_s: 25.0,
                running_mw: 0.002,
                operators_hybrid: 1,
                ..Totals::default()
            },
            changed_owners: None,
            machines: Default::default(),
        }
    }

    /// Pools `names` in groups `group_of` (indices into `groups`), with members and solo miners.
    fn pools_of(names: &[&str], group_of: Vec<u32>, groups: &[&str]) -> Pools {
        let groups_are_pools =
            group_of.iter().enumerate().all(|(i, &g)| g as usize == i) && groups.len() == names.len();
        Pools {
            names: names.iter().map(|n| n.to_string()).collect(),
            fees: vec![0.02; names.len()],
            group_of,
            group_names: groups.iter().map(|n| n.to_string()).collect(),
            groups_are_pools,
            has_pooled: true,
            has_solo: true,
            ..Pools::default()
        }
    }

    fn row_of(census: &Census, attack_share: f64) -> DayRow {
        let pools = pools_of(&["A", "B", "C"], vec![0, 1, 0], &["A", "B"]);
        row_with(census, &pools, &OperatorNames::default(), attack_share, 0.5)
    }

    /// The census columns of `census` in jurisdictions "north" and "south", with `pools`.
    fn row_with(
        census: &Census,
        pools: &Pools,
        operator_names: &OperatorNames,
        attack_share: f64,
        selfish_gamma: f64,
    ) -> DayRow {
        let names = ["north".to_string(), "south".to_string()];
        let input = CensusInput { census, jurisdictions: &names, pools, operator_names, attack_share, selfish_gamma };
        let mut r = DayRow::default();
        census_columns(&mut r, &input, &mut Ranks::default());
        r
    }

    /// Worked by hand. Catches: concentration read from the wrong vector (per operator or per
    /// jurisdiction swapped), hybrid share over installed instead of running hashrate, the
    /// largest jurisdiction taken by index, and a J/TH conversion off by the MW -> W factor.
    #[test]
    fn census_of_three_groups_by_hand() {
        let r = row_of(&census(), 0.6);
        // HHI = 50^2 + 30^2 + 20^2 = 3800 (shares in percent).
        assert!((r.hhi_operators - 3800.0).abs() < 1e-9, "{}", r.hhi_operators);
        // 50% is reached by the largest group alone; 33% too.
        assert_eq!(r.nakamoto_50_operators, 1);
        assert_eq!(r.nakamoto_33_operators, 1);
        assert!((r.top1_share_operators - 0.5).abs() < 1e-12);
        // Effective groups = 10,000 / HHI.
        assert!((r.effective_operators - 10_000.0 / 3800.0).abs() < 1e-9);
        assert!((r.hybrid_share - 0.3).abs() < 1e-12);
        // Jurisdictions 70/30: HHI 4900 + 900; the largest is "south" (index 1).
        assert!((r.hhi_jurisdictions - 5800.0).abs() < 1e-9);
        assert!((r.top1_share_jurisdictions - 0.7).abs() < 1e-12);
        assert_eq!(r.largest_jurisdiction, "south");
        assert!(r.state_attack_feasible, "70% >= 60%");
        assert!(!row_of(&census(), 0.75).state_attack_feasible, "70% < 75%");
        // 100 TH/s running, 25 idle: 1e-4 EH/s and 1.25e-4 installed.
        assert!((r.hashrate_eh_s - 1e-4).abs() < 1e-18);
        assert!((r.installed_hashrate_eh_s - 1.25e-4).abs() < 1e-18);
        // 0.002 MW = 2000 W over 100 TH/s = 20 J/TH.
        assert!((r.mean_efficiency_j_per_th - 20.0).abs() < 1e-9);
    }

    /// Pools 20/30/35/15: HHI 400 + 900 + 1225 + 225 = 2750; 50% takes C and B (65%), 33% and
    /// 25% C alone (35%); the largest is "C". Template groups:
    /// A + C = 55, B 30, solo 15: HHI 3025 + 900 + 225 = 4150, one group holds 55% (>= 50%).
    /// Catches: pools read from another vector, groups summed by position instead of by
    /// `group_of`, the 25% coefficient computed at another threshold.
    #[test]
    fn pools_and_template_groups_by_hand() {
        let r = row_of(&census(), 0.6);
        assert!((r.hhi_pools - 2750.0).abs() < 1e-9, "{}", r.hhi_pools);
        assert_eq!((r.nakamoto_50_pools, r.nakamoto_33_pools, r.nakamoto_25_pools), (2, 1, 1));
        assert!((r.top1_share_pools - 0.35).abs() < 1e-12);
        assert!((r.effective_pools - 10_000.0 / 2750.0).abs() < 1e-9);
        assert_eq!(r.largest_pool, "C");
        assert!((r.hhi_template_groups - 4150.0).abs() < 1e-9, "{}", r.hhi_template_groups);
        assert_eq!((r.nakamoto_50_template_groups, r.nakamoto_33_template_groups), (1, 1));
        assert!((r.top1_share_template_groups - 0.55).abs() < 1e-12);
        assert_eq!(r.largest_template_group, "A");
        // At gamma 1/2 the threshold is 1/4: pools C (35%) and B (30%), groups A+C (55%) and
        // B (30%) are past it; C would earn more than its 35% mining selfishly.
        assert_eq!(r.selfish_mining_threshold_share, 0.25);
        assert_eq!((r.selfish_mining_pools, r.selfish_mining_template_groups), (2, 2));
        assert!(r.selfish_mining_revenue_share > 0.35, "{}", r.selfish_mining_revenue_share);
    }

    /// With nobody in a pool every operator group mining solo is its own pool: the pool view is
    /// the operator groups' (50/30/20: HHI 3800, one group reaches 50%, 33% and 25%), named
    /// after the largest group's operator ("big"). Catches: the pools' columns left at zero, or read from the
    /// empty pools, when every miner mines solo (CORE-1).
    #[test]
    fn without_pools_the_pool_view_is_the_operator_groups() {
        let mut c = census();
        c.by_pool_th_s.clear();
        c.by_pooled_owner_th_s.clear();
        let pools = Pools { has_pooled: false, has_solo: true, ..Pools::default() };
        let mut names = OperatorNames::default();
        names.insert(0, "big".to_string());
        let r = row_with(&c, &pools, &names, 0.5, 0.0);
        assert!((r.hhi_pools - 3800.0).abs() < 1e-9, "{}", r.hhi_pools);
        assert_eq!((r.nakamoto_50_pools, r.nakamoto_25_pools), (1, 1));
        assert_eq!((r.hhi_pools, r.top1_share_pools), (r.hhi_template_groups, r.top1_share_template_groups));
        assert_eq!(r.largest_pool, "big");
        // At gamma 0 the threshold is 1/3: only the 50% group is past it, and earns more.
        assert_eq!((r.selfish_mining_pools, r.selfish_mining_template_groups), (1, 1));
        assert!(r.selfish_mining_revenue_share > 0.5);
        assert_eq!(r.largest_template_group, "big");
    }

    /// A pool without members (the census' tally stops before it) and a larger solo group: the
    /// solo group is named after its operator, not shifted onto another. Catches: solo groups
    /// indexed after the census' pool tally instead of after every pool.
    #[test]
    fn an_empty_last_pool_does_not_shift_the_solo_groups() {
        let mut c = census();
        c.by_pool_th_s = vec![5.0];
        c.by_owner_th_s[3] = 20.0;
        c.by_pooled_owner_th_s = vec![50.0, 30.0, 20.0, 0.0];
        let pools = pools_of(&["A", "B"], vec![0, 1], &["A", "B"]);
        let r = row_with(&c, &pools, &OperatorNames::default(), 0.5, 0.5);
        assert_eq!((r.largest_pool.as_str(), r.largest_template_group.as_str()), ("op3", "op3"));
        assert!((r.top1_share_pools - 0.8).abs() < 1e-12);
    }

    /// Catches: a division by zero hashrate (NaN in the row) when nothing mines.
    #[test]
    fn no_running_hashrate_gives_zeros_not_nan() {
        let mut c = census();
        c.by_owner_th_s.fill(0.0);
        c.by_pooled_owner_th_s.fill(0.0);
        c.by_jurisdiction_th_s.fill(0.0);
        c.totals.mining_th_s = 0.0;
        let r = row_of(&c, 0.5);
        assert_eq!(r.mean_efficiency_j_per_th, 0.0);
        assert_eq!(r.hybrid_share, 0.0);
        assert!(!r.state_attack_feasible);
        assert_eq!(r.largest_jurisdiction, "");
    }

    /// Catches: rewards counted in BTC twice or revenue valued at a price other than the
    /// day's, and a mean interval over blocks instead of intervals.
    #[test]
    fn end_of_day_by_hand() {
        let mut r = DayRow { price_usd: 100_000.0, ..DayRow::default() };
        let end = DayEnd {
            blocks: 3,
            interval_sum_s: 1_000.0,
            intervals: 2,
            subsidy: crate::units::Sat(3 * 312_500_000),
            fees: crate::units::Sat(15_000_000),
            pool_paid: crate::units::Sat::ZERO,
            retargets: 1,
            height: 900_000,
            difficulty_end: 2.0,
        };
        end_of_day(&mut r, &end);
        assert_eq!(r.mean_block_interval_s, Some(500.0));
        assert!((r.subsidy_btc - 9.375).abs() < 1e-12);
        assert!((r.fees_btc - 0.15).abs() < 1e-12);
        assert!((r.miner_revenue_usd - 952_500.0).abs() < 1e-6);
        assert_eq!((r.height, r.blocks, r.retargets), (900_000, 3, 1));
    }
}
