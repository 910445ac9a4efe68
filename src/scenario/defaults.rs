//! Every default of the scenario file, written once: one `impl Default` per table that may
//! be omitted (serde fills a table's missing keys from it, `#[serde(default)]` on the
//! table), and the few defaults of tables with required keys. What each key means is its
//! doc comment in [`super::raw`]; the reasons for the values are in docs/MODEL.md (sections
//! 5-9 by subject, section 11 for the baseline's calibration).

use super::dist::DistSpec;
use super::raw::{
    AiSpec, BehaviourSpec, Chain, Fees, FinanceSpec, HardwareSpec, MetricsSpec, PoolChoiceSpec, StrategySpec,
};

/// `simulation.replicates` and a price shock's `over_days`.
pub(super) fn yes() -> bool {
    true
}

pub(super) fn one() -> u32 {
    1
}

/// `simulation.start_date`: the day the bundled baseline's chain state was taken.
pub(super) fn start_date() -> String {
    "2025-11-21".into()
}

/// `population.vintages`: an old and a new batch per site.
pub(super) fn two() -> u32 {
    2
}

/// `population.fill_share`: sites run near, not at, their capacity.
pub(super) fn fill() -> f64 {
    0.95
}

/// `population.efficiency_spread_log_sd`: off by default. Machines of one model differ at the
/// wall by their chips (the "silicon lottery"), firmware tuning and ambient temperature, but no
/// source gives the size of the spread, and at 0.08 it moved no target beyond seed noise (see
/// docs/MODEL.md); a sensitivity parameter until it is sourced.
pub(super) fn efficiency_spread() -> f64 {
    0.0
}

/// `population.power_fixed_share`: uniform on [0, 0.5]. Industrial tariffs bill a demand
/// (capacity) charge per kW of peak load beside the energy charge; NREL's survey of US tariffs
/// (McLaren et al. 2017) puts demand charges at 30-70% of a commercial customer's bill, less
/// for a load that runs flat out: $10/kW-month over 730 hours is $0.014/kWh, ~30% of a
/// $0.045/kWh delivered price. Take-or-pay minimums of power purchase and hosting contracts
/// fix a share too; sites billed per kWh used (hosting with curtailment rights, retail power)
/// fix none. See docs/MODEL.md, "Power contracts".
pub(super) fn power_fixed_share() -> DistSpec {
    DistSpec::Uniform { min: 0.0, max: 0.5 }
}

/// `population.pool_fee`: the FPPS fee of the large public pools' schedules (AntPool, F2Pool,
/// SpiderPool publish 4% for FPPS; Braiins and ViaBTC 2-2.5% for other schemes); see
/// docs/MODEL.md, "Pooled revenue".
pub(super) fn pool_fee() -> f64 {
    0.04
}

/// `demand_response.peak_value_usd_per_kwh`: what a kWh not used at the grid's summer peak is
/// worth to a contracted site, $0.15. ERCOT's 4CP transmission charges, avoided by standing
/// down at the peaks, are $45,000 per MW-year (Enel X) to $50-150 per kW-year (NFM
/// Consulting), $0.06-0.20 per kWh over the ~730 hours of 6 a day in June-September; power
/// bought at a fixed price sells back at afternoon spot prices above $0.10/kWh on heat-wave
/// days (S&P Global, 18 Aug 2023). The middle of that range.
pub(super) fn peak_value() -> f64 {
    0.15
}

/// A named operator's `jurisdiction`.
pub(super) fn jurisdiction() -> String {
    "other".into()
}

/// A named operator's `hurdle_rate`: the middle of the population's default range.
pub(super) fn hurdle_rate() -> f64 {
    0.10
}

impl Default for Chain {
    /// The tip at the baseline's start date; difficulty from the population (see
    /// `chain.difficulty`).
    fn default() -> Self {
        Chain { height: 925_000, difficulty: None, bits: None, epoch_elapsed_s: None }
    }
}

impl Default for Fees {
    /// Fees near their 2025 level, 0.025 BTC per block.
    fn default() -> Self {
        Fees::Constant { mean_btc_per_block: 0.025 }
    }
}

impl Default for FinanceSpec {
    fn default() -> Self {
        FinanceSpec {
            enabled: true,
            treasury_btc_per_mw: DistSpec::Lognormal { median: 2.0, log_sd: 1.0 },
            cash_usd_per_mw: DistSpec::Lognormal { median: 100_000.0, log_sd: 0.8 },
            debt_usd_per_mw: DistSpec::Lognormal { median: 150_000.0, log_sd: 0.8 },
            interest_rate: 0.09,
            credit_usd_per_mw: 1_500_000.0,
            credit_min_mw: 20.0,
            sell_share: 0.7,
        }
    }
}

impl Default for BehaviourSpec {
    fn default() -> Self {
        BehaviourSpec {
            myopic: 0.4,
            adaptive: 0.3,
            halving_aware: 0.3,
            hurdle_rate: DistSpec::Uniform { min: 0.08, max: 0.15 },
        }
    }
}

impl Default for AiSpec {
    fn default() -> Self {
        AiSpec {
            demand_mw: 3_000.0,
            demand_growth_per_year: 0.25,
            revenue_usd_per_mw_year: 1_600_000.0,
            opex_share: 0.15,
            capex_usd_per_mw: 9_000_000.0,
            build_days: 450,
            contract_years: 12.0,
            min_mw: 20.0,
            max_share_of_site: 1.0,
            keep_hardware_share: 0.5,
            convertible_share: 0.2,
        }
    }
}

impl Default for HardwareSpec {
    fn default() -> Self {
        HardwareSpec {
            catalog: None,
            failure_rate_per_year: 0.05,
            frontier_improvement_per_year: 0.08,
            lead_time_days: 90,
            life_years: 4.0,
            scrap_usd_per_th: 0.5,
            fire_sale_discount: 0.5,
            scrap_after_days: 365,
            relocation_days: 60,
            restart_cost_usd_per_th: 0.02,
            restart_payback_days: 7.0,
            manufacturing_eh_s_per_month: 50.0,
            price_elasticity: 1.0,
            initial_order_book_eh_s: None,
        }
    }
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec {
            attack_metrics: true,
            attack_share: 0.51,
            attack_hours: 24.0,
            facility_usd_per_mw: 500_000.0,
            dormant_facility_usd_per_mw: 100_000.0,
            attacker_power_usd_per_kwh: 0.05,
            attack_hardware_usd_per_th: None,
            // Marketplaces (NiceHash) held 0.05-0.3% of the network in 2019-21 (MODEL.md,
            // "Attack routes"); at or just below hashprice, plus the buyer's 3% fee.
            rental_share: 0.001,
            rental_premium: 0.0,
            rental_fee: 0.03,
            // GHash.io 2014 lost most of its miners within months of nearing a majority; a
            // year of their fees is the pool operator's business at stake (unmeasured).
            pool_defection_share: 0.8,
            pool_franchise_years: 1.0,
            bribe_premium: 0.5,
            bribe_capital_share: 0.5,
            risk_budget_usd: 1e9,
            risk_confirmations: 6,
            nakamoto_threshold: 4,
            // Eyal & Sirer's middle case (their proposed random tie-breaking gives 1/2, the
            // 25% threshold); a pool's real connectivity is not public: a parameter to sweep.
            selfish_mining_gamma: 0.5,
        }
    }
}

impl Default for PoolChoiceSpec {
    fn default() -> Self {
        PoolChoiceSpec {
            enabled: true,
            // Not measured by any source we have: a point of fee moves about a tenth of a 30%
            // pool's members (`beta (1 - s) / 100`), the size of a year's swings in the public
            // pools' shares while their fees differ by points (MODEL.md, "Pool choice").
            fee_sensitivity: 15.0,
            switching_cost: 0.005,
            home_bias: 0.01,
            // A conventional relative risk aversion (Mehra & Prescott's plausible range 1-10;
            // 2 is the macro-finance default).
            risk_aversion: 2.0,
            // Power is billed monthly.
            payout_horizon_days: 30.0,
        }
    }
}

impl Default for StrategySpec {
    fn default() -> Self {
        StrategySpec {
            enabled: true,
            interval_days: 30,
            horizon_days: 365.0,
            adaptive_half_life_days: 30.0,
            operating_horizon_days: 14.0,
            exit_after_idle_days: 60,
            site_usd_per_mw: 325_000.0,
            site_build_days: 120,
            max_expansion_share: 0.25,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a default changed in one place but not another (before this file, each
    /// default was written twice: in a `default_*` function for serde and in `impl Default`).
    /// An omitted table and an empty one must give the same values.
    #[test]
    fn omitted_and_empty_tables_agree() {
        assert_eq!(toml::from_str::<AiSpec>("").unwrap(), AiSpec::default());
        assert_eq!(toml::from_str::<HardwareSpec>("").unwrap(), HardwareSpec::default());
        assert_eq!(toml::from_str::<MetricsSpec>("").unwrap(), MetricsSpec::default());
        assert_eq!(toml::from_str::<StrategySpec>("").unwrap(), StrategySpec::default());
        assert_eq!(toml::from_str::<FinanceSpec>("").unwrap(), FinanceSpec::default());
        assert_eq!(toml::from_str::<BehaviourSpec>("").unwrap(), BehaviourSpec::default());
        assert_eq!(toml::from_str::<Chain>("").unwrap(), Chain::default());
        // The default distributions are distributions.
        let (f, b) = (FinanceSpec::default(), BehaviourSpec::default());
        for d in [f.treasury_btc_per_mw, f.cash_usd_per_mw, f.debt_usd_per_mw, b.hurdle_rate] {
            assert_eq!(d.validated().map(|v| v.spec().clone()), Ok(d.clone()));
        }
        let partial: HardwareSpec = toml::from_str("lead_time_days = 10").unwrap();
        assert_eq!(partial, HardwareSpec { lead_time_days: 10, ..HardwareSpec::default() });
    }
}
