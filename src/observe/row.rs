//! The daily row: one flat struct per simulated day whose fields are the columns of
//! `timeseries.csv`, in order. The type is the declaration of what is collected (in the spirit
//! of Agents.jl's declared data collection): each field's name carries its unit, and its doc
//! comment its meaning. The test below keeps names and units honest.

use serde::Serialize;

/// One simulated day. State columns are observed at the start of the day after the day's
/// shocks and decisions; flow columns (`blocks`, `*_btc`, `*_usd` flows, counts of events) cover
/// the whole day; `height` and `difficulty_end` are at the end of the day.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DayRow {
    pub replicate: u32,
    pub day: u32,
    pub date: String,
    /// Chain height at the end of the day.
    pub height: u64,
    /// Difficulty miners faced at the start of the day.
    pub difficulty: f64,
    /// Difficulty at the end of the day (differs on retarget days).
    pub difficulty_end: f64,
    /// Hashrate of the machines running today (= `hashrate_mining_eh_s`).
    pub hashrate_eh_s: f64,
    /// Hashrate installed at active sites (running or idle).
    pub installed_hashrate_eh_s: f64,
    pub hashrate_mining_eh_s: f64,
    pub hashrate_idle_eh_s: f64,
    /// What running machines would have hashed in the hours demand-response contracts took
    /// (`installed = mining + curtailed + idle`).
    pub hashrate_curtailed_eh_s: f64,
    /// Machines taken out for AI conversions still being built, kept in storage.
    pub hashrate_pivoting_eh_s: f64,
    /// Machines taken out for AI halls now online, kept in storage.
    pub hashrate_ai_eh_s: f64,
    /// Machines on the secondary market (sold by exiting, bankrupt and pivoting operators):
    /// dormant, not scrapped.
    pub hashrate_exited_eh_s: f64,
    /// Every machine that exists (the states above add up to it).
    pub fleet_eh_s: f64,
    pub price_usd: f64,
    /// Expected fees per block today (the fee level).
    pub fees_btc_per_block: f64,
    /// Expected revenue per PH/s per day at the start-of-day difficulty.
    pub hashprice_usd_per_ph_day: f64,
    /// Hashprice the merit order expects after the next halving, once the machines it leaves
    /// unpaid have stopped and difficulty has followed (price, fees and today's fleet held;
    /// `market::supply`), on the footing of `hashprice_usd_per_ph_day`.
    pub hashprice_after_halving_usd_per_ph_day: f64,
    /// Share of the hashrate that pays at today's settled hashprice whose energy cost the next
    /// halving's first day would not cover: the network's exposure to the halving.
    pub halving_stopping_share: f64,
    pub blocks: u32,
    /// Mean interval between consecutive blocks found today; empty when none was.
    pub mean_block_interval_s: Option<f64>,
    /// Active operators with at least one machine running.
    pub mining_operators: u32,
    pub operators_active: u32,
    /// Active operators with AI capacity (building or online).
    pub operators_hybrid: u32,
    pub operators_exited: u32,
    pub operators_bankrupt: u32,
    /// Site capacity of active operators used for mining (running or idle machines, or empty).
    pub mw_mining: f64,
    pub mw_ai_building: f64,
    /// Mining site capacity under construction.
    pub mw_building: f64,
    pub mw_ai_online: f64,
    /// Capacity of sites that closed.
    pub mw_dark: f64,
    /// Hashrate-weighted mean efficiency of the running machines.
    pub mean_efficiency_j_per_th: f64,
    pub subsidy_btc: f64,
    pub fees_btc: f64,
    /// Value of today's subsidy + fees at today's price: the security budget.
    pub miner_revenue_usd: f64,
    /// Power bought by running machines today.
    pub power_cost_usd: f64,
    pub energy_mwh: f64,
    /// BTC operators sold today, and of those the ones sold because cash ran short.
    pub btc_sold: f64,
    pub btc_sold_forced: f64,
    pub ai_revenue_usd: f64,
    pub capex_usd: f64,
    pub pivots: u32,
    pub exits: u32,
    pub bankruptcies: u32,
    pub acquisitions: u32,
    pub contracts_returned: u32,
    pub ai_demand_mw: f64,
    pub ai_contracted_mw: f64,
    pub secondary_market_value_usd: f64,
    /// Difficulty retargets today.
    pub retargets: u32,
    /// Concentration of running hashrate by operator group (an acquirer and its acquisitions
    /// count as one), HHI 0..10,000, shares 0..1.
    pub hhi_operators: f64,
    pub nakamoto_50_operators: u32,
    pub nakamoto_33_operators: u32,
    pub top1_share_operators: f64,
    pub top5_share_operators: f64,
    pub gini_operators: f64,
    pub effective_operators: f64,
    /// Share of running hashrate held by groups that also host AI.
    pub hybrid_share: f64,
    /// The same by jurisdiction.
    pub hhi_jurisdictions: f64,
    pub nakamoto_50_jurisdictions: u32,
    pub nakamoto_33_jurisdictions: u32,
    pub top1_share_jurisdictions: f64,
    pub top5_share_jurisdictions: f64,
    pub gini_jurisdictions: f64,
    pub effective_jurisdictions: f64,
    pub largest_jurisdiction: String,
    /// Whether the largest jurisdiction alone holds the attack share (`metrics.attack_share`).
    pub state_attack_feasible: bool,
    /// The same by pool (blocks are attributed to the pool; an operator group mining solo is
    /// its own), with the 25% Nakamoto coefficient beside 50% and 33%.
    pub hhi_pools: f64,
    pub nakamoto_50_pools: u32,
    pub nakamoto_33_pools: u32,
    pub nakamoto_25_pools: u32,
    pub top1_share_pools: f64,
    pub top5_share_pools: f64,
    pub effective_pools: f64,
    pub largest_pool: String,
    /// The same by template group (pools that build their blocks from one operator's templates).
    pub hhi_template_groups: f64,
    pub nakamoto_50_template_groups: u32,
    pub nakamoto_33_template_groups: u32,
    pub nakamoto_25_template_groups: u32,
    pub top1_share_template_groups: f64,
    pub largest_template_group: String,
    /// Selfish mining (Eyal & Sirer 2014) at `metrics.selfish_mining_gamma`: the share above
    /// which it pays, how many pools and template groups hold more, and the share of blocks the
    /// largest pool would earn mining selfishly (its own share where it does not pay).
    pub selfish_mining_threshold_share: f64,
    pub selfish_mining_pools: u32,
    pub selfish_mining_template_groups: u32,
    pub selfish_mining_revenue_share: f64,
    /// The optimal strategies' threshold at the same gamma (Sapirshtein, Sompolinsky & Zohar
    /// 2016; at most Eyal & Sirer's), and the pools past it.
    pub selfish_mining_optimal_threshold_share: f64,
    pub selfish_mining_optimal_pools: u32,
    /// Expected miner revenue today: `144 * (subsidy + fee level) * price`.
    pub security_budget_usd_per_day: f64,
    /// Budish's bound: the largest value an attack of `metrics.attack_share` for
    /// `metrics.attack_hours` could extract and still not pay (`A t P_block`).
    pub budish_deterred_value_usd: f64,
    /// Attack for `metrics.attack_share` over `metrics.attack_hours`: hashrate the attacker adds.
    pub attack_needed_eh_s: f64,
    /// New machines + power + facility; `_machines_usd` is the machines alone.
    pub attack_new_hardware_usd: f64,
    pub attack_new_hardware_machines_usd: f64,
    /// Days manufacturers need to build the machines.
    pub attack_new_hardware_lead_days: f64,
    /// Machines that exist but are not mining (idle, stored by pivots, on the secondary
    /// market); empty when they cannot reach the share.
    pub dormant_eh_s: f64,
    pub attack_dormant_usd: Option<f64>,
    /// Rented hashrate; empty when the rental market cannot supply enough.
    pub attack_rental_usd: Option<f64>,
    pub attack_rental_usd_per_hour: f64,
    /// Bribing the smallest coalition of operator groups that holds the share.
    pub attack_coalition_usd: Option<f64>,
    pub attack_coalition_size: u32,
    /// The fewest pools reaching `metrics.attack_share` of the network, and the bribe their
    /// operators would want (`metrics::pool_bribe`); empty if the pools cannot reach it.
    pub attack_pool_coalition_usd: Option<f64>,
    pub attack_pool_coalition_size: u32,
    pub attack_cheapest_usd: Option<f64>,
    pub attack_cheapest_route: String,
    /// Share of hashrate `metrics.risk_budget_usd` buys through the cheapest route.
    pub budget_attack_share: f64,
    /// Rosenfeld probability that attacker succeeds against `metrics.risk_confirmations`.
    pub double_spend_risk: f64,
}

/// Unit tokens a column name may start or end with (`mw_dark`, `price_usd`,
/// `attack_rental_usd_per_hour`).
pub const UNITS: &[&str] = &[
    "eh_s",
    "usd",
    "btc",
    "mw",
    "mwh",
    "j_per_th",
    "s",
    "days",
    "usd_per_ph_day",
    "btc_per_block",
    "usd_per_day",
    "usd_per_hour",
];

/// Columns with no physical unit that are neither counts nor concentration indices: labels,
/// the run's coordinates, and the chain's difficulty (a pure number in Core).
pub const UNITLESS: &[&str] = &[
    "replicate",
    "day",
    "date",
    "difficulty",
    "difficulty_end",
    "largest_jurisdiction",
    "largest_pool",
    "largest_template_group",
    "attack_cheapest_route",
];

/// Unitless by family: concentration indices by operator group or jurisdiction (HHI 0..10,000,
/// shares 0..1, entity counts), and probabilities or shares (suffixes).
pub const UNITLESS_PREFIXES: &[&str] = &["hhi_", "nakamoto_", "top1_share_", "top5_share_", "gini_", "effective_"];
pub const UNITLESS_SUFFIXES: &[&str] = &["_share", "_risk", "_feasible"];

#[cfg(test)]
mod tests {
    use super::*;

    /// The header and first record of a default row: (name, cell) in column order.
    fn columns() -> Vec<(String, String)> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(DayRow::default()).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let mut lines = text.lines();
        let names = lines.next().unwrap().split(',').map(String::from);
        names.zip(lines.next().unwrap().split(',').map(String::from)).collect()
    }

    fn has_unit(name: &str) -> bool {
        UNITS.iter().any(|u| name.ends_with(&format!("_{u}")) || name.starts_with(&format!("{u}_")))
    }

    /// Catches: a new column without its unit in the name (`foo_value`), or in camelCase.
    /// Integer columns ("0" in the default row) are counts and need no unit.
    #[test]
    fn every_column_is_snake_case_with_a_unit_or_declared_unitless() {
        let snake =
            |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let mut bad = Vec::new();
        for (name, cell) in columns() {
            let count = cell == "0";
            let unitless = UNITLESS.contains(&name.as_str())
                || UNITLESS_PREFIXES.iter().any(|p| name.starts_with(p))
                || UNITLESS_SUFFIXES.iter().any(|s| name.ends_with(s));
            if !snake(&name) || !(count || unitless || has_unit(&name)) {
                bad.push(name);
            }
        }
        assert!(bad.is_empty(), "columns without a unit: {bad:?}");
    }

    /// Catches: the test above passing vacuously (no columns read, or every name accepted).
    #[test]
    fn the_unit_check_rejects_a_bare_name() {
        assert!(columns().len() > 70);
        assert!(!has_unit("hashrate") && !has_unit("fees_btcx"));
        assert!(has_unit("mw_dark") && has_unit("attack_rental_usd_per_hour"));
    }
}
