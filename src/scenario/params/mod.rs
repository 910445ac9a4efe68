//! Phase 2's products, what the world consumes: every table of the file as typed parameters
//! (same unit-suffixed field names as the file's keys), the strings parsed once (dates,
//! compact bits), distributions validated ([`crate::scenario::Dist`]), and the parameter
//! enums the agents read. Only [`crate::scenario::validate`] builds [`Params`]; the raw
//! [`crate::scenario::Scenario`] stays for `manifest.json` and sweep fingerprints.

mod event;
mod population;

pub use event::Event;
pub use population::{
    BehaviourParams, DemandResponse, FinanceParams, JurisdictionParams, NamedOperator, PopulationParams,
};

use super::raw::{AiSpec, HardwareSpec, MetricsSpec, PoolChoiceSpec, StrategySpec};
use serde::{Deserialize, Serialize};

/// How an operator forms its expectation of future hashprice (an operator's
/// `expectation`; the population's shares are `population.behaviour`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// Today's hashprice persists.
    #[default]
    Myopic,
    /// An exponential moving average of past hashprice (half-life `strategy.adaptive_half_life_days`).
    Adaptive,
    /// Today's hashprice, except that the subsidy part halves at the next halving.
    HalvingAware,
}

/// How a miner decides each day whether to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionRule {
    /// Mine iff today's hashprice covers today's power cost.
    #[default]
    Profitable,
    /// Always mine (a price-insensitive population, for chain-rule experiments).
    Always,
}

/// How an operator is paid for its work (`payout` of a named operator; generated operators
/// solo-mine with probability `population.solo_share`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payout {
    /// A pay-per-share (FPPS) pool: the expected value of its work, less the pool's fee.
    #[default]
    Pool,
    /// Solo mining: whole blocks when it finds them, nothing otherwise.
    Solo,
}

/// How a pool pays its miners (`[[pools]] scheme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutScheme {
    /// Full pay-per-share: the expected value of the work, fees included, less the pool's
    /// fee; the pool bears the luck.
    #[default]
    Fpps,
    /// Pay-per-last-N-shares, N a day's shares: the blocks the pool found that day, less the
    /// fee, shared by the day's work; the miners bear the luck.
    Pplns,
}

/// Which hashrate matches the chain's difficulty when calibrating (`population.calibrate_to`):
/// all installed machines, or only those that run on day 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrateTo {
    #[default]
    Installed,
    Active,
}

/// What validation produced: the scenario's strings parsed, and the tables the world reads
/// as typed parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// `simulation.start_date` as days since 1970-01-01.
    pub start_date_days: i64,
    pub simulation: SimulationParams,
    pub chain: ChainParams,
    pub price: PriceParams,
    pub fees: FeeParams,
    pub hardware: HardwareParams,
    pub strategy: StrategyRules,
    pub metrics: MetricsParams,
    pub ai: AiParams,
    /// `[population]` and `[[operators]]`, distributions validated.
    pub population: PopulationParams,
    /// `[[events]]`, checked (days within the run, known jurisdictions), in file order.
    pub events: Vec<Event>,
    /// `[[pools]]`, checked (names unique, shares summing to 1); empty: one pool.
    pub pools: Vec<PoolParams>,
    pub pool_choice: PoolChoiceParams,
}

/// A mining pool as the population generator reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolParams {
    pub name: String,
    /// Share of the pooled hashrate in it on day 0.
    pub share: f64,
    /// Its template group (the pool's own name unless the file gives one).
    pub template_group: String,
    /// What it keeps of its miners' pay.
    pub fee: f64,
    pub scheme: PayoutScheme,
    /// The jurisdiction it is run from (a name the population knows), if any.
    pub jurisdiction: Option<String>,
}

/// `[pool_choice]` as operators read it (the keys' meanings are in `raw::PoolChoiceSpec`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolChoiceParams {
    pub enabled: bool,
    pub fee_sensitivity: f64,
    pub switching_cost: f64,
    pub home_bias: f64,
    pub risk_aversion: f64,
    pub payout_horizon_days: f64,
}

impl From<&PoolChoiceSpec> for PoolChoiceParams {
    fn from(p: &PoolChoiceSpec) -> PoolChoiceParams {
        PoolChoiceParams {
            enabled: p.enabled,
            fee_sensitivity: p.fee_sensitivity,
            switching_cost: p.switching_cost,
            home_bias: p.home_bias,
            risk_aversion: p.risk_aversion,
            payout_horizon_days: p.payout_horizon_days,
        }
    }
}

impl Default for PoolChoiceParams {
    fn default() -> PoolChoiceParams {
        (&PoolChoiceSpec::default()).into()
    }
}

/// `[simulation]` as the world reads it (the name and start date are for the output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulationParams {
    /// Simulated days.
    pub days: u32,
    /// Master seed: every random stream derives from it.
    pub seed: u64,
    /// Independent replicates.
    pub replicates: u32,
    /// Whether days that only the hashprice moves run on the merit order.
    pub merit_order: bool,
}

/// `[chain]` as the world reads it: where the simulated chain starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChainParams {
    /// Height of the chain tip at the start.
    pub height: u64,
    /// The starting compact target: `chain.bits` parsed, or `chain.difficulty` converted;
    /// `None` when neither is given (the world sets it from the population's hashrate).
    pub bits: Option<u32>,
    /// Seconds since the first block of the current epoch, when given.
    pub epoch_elapsed_s: Option<f64>,
}

/// `[price]` as the world reads it: the BTC/USD process, with a CSV path's prices read.
#[derive(Debug, Clone, PartialEq)]
pub enum PriceParams {
    /// A constant price (shocks still apply).
    Constant { initial_usd: f64 },
    /// Geometric Brownian motion in daily steps.
    Gbm { initial_usd: f64, log_return_mean_per_day: f64, log_return_sd_per_day: f64 },
    /// A price for every day from 0 (`price.model = "csv"`; the loader reads the file into it).
    Path { prices_usd: Vec<f64> },
}

impl PriceParams {
    /// The price on day 0, USD.
    pub fn initial_usd(&self) -> f64 {
        match self {
            PriceParams::Constant { initial_usd } | PriceParams::Gbm { initial_usd, .. } => *initial_usd,
            PriceParams::Path { prices_usd } => prices_usd.first().copied().unwrap_or(0.0),
        }
    }
}

/// `[fees]` as the world reads it: fees per block around a daily level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeeParams {
    /// The level's mean, BTC per block.
    pub mean_btc_per_block: f64,
    /// Spread of the lognormal draw around the level; `None`: fees are the level.
    pub log_sd: Option<f64>,
}

/// `[hardware]` as the world reads it (the catalog's path is resolved at load time into
/// `LoadedScenario::catalog`).
#[derive(Debug, Clone, PartialEq)]
pub struct HardwareParams {
    /// Share of machines failing per year (hashrate decays continuously).
    pub failure_rate_per_year: f64,
    /// Efficiency gain of the newest machines per year after the catalog's newest model.
    pub frontier_improvement_per_year: f64,
    /// Days from order to delivery of new machines.
    pub lead_time_days: u32,
    /// Years a new machine is expected to earn (for investment decisions).
    pub life_years: f64,
    /// Floor price of any machine, USD per TH/s.
    pub scrap_usd_per_th: f64,
    /// Discount of a bankrupt operator's fleet sold in a hurry.
    pub fire_sale_discount: f64,
    /// Days a machine at scrap value waits on the secondary market before it is scrapped.
    pub scrap_after_days: u32,
    /// Days from the sale of a used machine to its arrival at the buyer's site.
    pub relocation_days: u32,
    /// One-off cost of restarting idle machines, USD per TH/s (hysteresis).
    pub restart_cost_usd_per_th: f64,
    /// Days in which a restart must pay back its cost.
    pub restart_payback_days: f64,
    /// Makers' output of new machines, EH/s per month.
    pub manufacturing_eh_s_per_month: f64,
    /// Elasticity of the new-machine price per TH/s to hashprice.
    pub price_elasticity: f64,
    /// Machines in transit at day 0, EH/s (default: manufacturing rate x lead time).
    pub initial_order_book_eh_s: f64,
}

impl From<&HardwareSpec> for HardwareParams {
    fn from(h: &HardwareSpec) -> HardwareParams {
        HardwareParams {
            failure_rate_per_year: h.failure_rate_per_year,
            frontier_improvement_per_year: h.frontier_improvement_per_year,
            lead_time_days: h.lead_time_days,
            life_years: h.life_years,
            scrap_usd_per_th: h.scrap_usd_per_th,
            fire_sale_discount: h.fire_sale_discount,
            scrap_after_days: h.scrap_after_days,
            relocation_days: h.relocation_days,
            restart_cost_usd_per_th: h.restart_cost_usd_per_th,
            restart_payback_days: h.restart_payback_days,
            manufacturing_eh_s_per_month: h.manufacturing_eh_s_per_month,
            price_elasticity: h.price_elasticity,
            initial_order_book_eh_s: h
                .initial_order_book_eh_s
                .unwrap_or(h.manufacturing_eh_s_per_month * f64::from(h.lead_time_days) / crate::units::DAYS_PER_MONTH),
        }
    }
}

impl Default for HardwareParams {
    fn default() -> HardwareParams {
        (&HardwareSpec::default()).into()
    }
}

/// `[strategy]` as the world reads it: when and how operators take strategic decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyRules {
    /// Whether operators take strategic decisions (exit, pivot, upgrade) at all.
    pub enabled: bool,
    /// Days between an operator's strategic decisions; operators are staggered across them.
    pub interval_days: u32,
    /// Horizon of expectations, days.
    pub horizon_days: f64,
    /// Half-life of the adaptive expectation's moving average, days.
    pub adaptive_half_life_days: f64,
    /// Days over which the run/idle decision averages expected hashprice, foreseeing the next
    /// retarget (0: today's hashprice only).
    pub operating_horizon_days: f64,
    /// Days with every machine idle before an operator considers leaving.
    pub exit_after_idle_days: u32,
    /// Cost of building mining site capacity, USD per MW.
    pub site_usd_per_mw: f64,
    /// Days from the decision to build to the new capacity holding machines.
    pub site_build_days: u32,
    /// Largest expansion decided at once, a share of the site's mining MW.
    pub max_expansion_share: f64,
}

impl From<&StrategySpec> for StrategyRules {
    fn from(s: &StrategySpec) -> StrategyRules {
        StrategyRules {
            enabled: s.enabled,
            interval_days: s.interval_days,
            horizon_days: s.horizon_days,
            adaptive_half_life_days: s.adaptive_half_life_days,
            operating_horizon_days: s.operating_horizon_days,
            exit_after_idle_days: s.exit_after_idle_days,
            site_usd_per_mw: s.site_usd_per_mw,
            site_build_days: s.site_build_days,
            max_expansion_share: s.max_expansion_share,
        }
    }
}

impl Default for StrategyRules {
    fn default() -> StrategyRules {
        (&StrategySpec::default()).into()
    }
}

/// `[metrics]` as the observer reads it: assumptions of the security metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsParams {
    /// Whether to compute the attack-cost and double-spend columns each day.
    pub attack_metrics: bool,
    /// Share of all hashrate the attacker needs (0.51: a majority).
    pub attack_share: f64,
    pub attack_hours: f64,
    /// Facility capex for new machines, USD per MW.
    pub facility_usd_per_mw: f64,
    /// Cost of putting dormant machines back to work, USD per MW.
    pub dormant_facility_usd_per_mw: f64,
    pub attacker_power_usd_per_kwh: f64,
    /// Price of new machines for the attack, USD per TH/s; `None`: the catalog frontier's.
    pub attack_hardware_usd_per_th: Option<f64>,
    /// Share of network hashrate for hire on rental markets.
    pub rental_share: f64,
    pub rental_premium: f64,
    pub rental_fee: f64,
    pub pool_defection_share: f64,
    pub pool_franchise_years: f64,
    /// Premium over forgone revenue that a bribed coalition demands.
    pub bribe_premium: f64,
    /// Share of a bribed coalition's machine value the bribe must cover.
    pub bribe_capital_share: f64,
    /// Budget whose affordable attacker share sets the daily double-spend risk, USD.
    pub risk_budget_usd: f64,
    pub risk_confirmations: u32,
    /// The Nakamoto coefficient threshold recorded in `summary.csv`.
    pub nakamoto_threshold: u32,
    /// Eyal & Sirer's gamma for the selfish-mining columns.
    pub selfish_mining_gamma: f64,
}

impl From<&MetricsSpec> for MetricsParams {
    fn from(m: &MetricsSpec) -> MetricsParams {
        MetricsParams {
            attack_metrics: m.attack_metrics,
            attack_share: m.attack_share,
            attack_hours: m.attack_hours,
            facility_usd_per_mw: m.facility_usd_per_mw,
            dormant_facility_usd_per_mw: m.dormant_facility_usd_per_mw,
            attacker_power_usd_per_kwh: m.attacker_power_usd_per_kwh,
            attack_hardware_usd_per_th: m.attack_hardware_usd_per_th,
            rental_share: m.rental_share,
            rental_premium: m.rental_premium,
            rental_fee: m.rental_fee,
            pool_defection_share: m.pool_defection_share,
            pool_franchise_years: m.pool_franchise_years,
            bribe_premium: m.bribe_premium,
            bribe_capital_share: m.bribe_capital_share,
            risk_budget_usd: m.risk_budget_usd,
            risk_confirmations: m.risk_confirmations,
            nakamoto_threshold: m.nakamoto_threshold,
            selfish_mining_gamma: m.selfish_mining_gamma,
        }
    }
}

impl Default for MetricsParams {
    fn default() -> MetricsParams {
        (&MetricsSpec::default()).into()
    }
}

/// `[ai]` as the AI hosting market reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct AiParams {
    /// Hosting demand open to miners on day 0, MW.
    pub demand_mw: f64,
    /// Growth of that demand, a fraction per year.
    pub demand_growth_per_year: f64,
    /// Contract revenue per MW of IT capacity per year, USD.
    pub revenue_usd_per_mw_year: f64,
    /// Share of revenue spent operating the hall.
    pub opex_share: f64,
    pub capex_usd_per_mw: f64,
    /// Days from decision to a hall earning revenue.
    pub build_days: u32,
    pub contract_years: f64,
    /// Smallest conversion tenants accept, MW.
    pub min_mw: f64,
    /// Most of a site an operator converts at once.
    pub max_share_of_site: f64,
    /// Share of displaced machines kept in storage (the rest is sold at once).
    pub keep_hardware_share: f64,
    /// Share of sites able to convert to AI hosting.
    pub convertible_share: f64,
}

impl From<&AiSpec> for AiParams {
    fn from(a: &AiSpec) -> AiParams {
        AiParams {
            demand_mw: a.demand_mw,
            demand_growth_per_year: a.demand_growth_per_year,
            revenue_usd_per_mw_year: a.revenue_usd_per_mw_year,
            opex_share: a.opex_share,
            capex_usd_per_mw: a.capex_usd_per_mw,
            build_days: a.build_days,
            contract_years: a.contract_years,
            min_mw: a.min_mw,
            max_share_of_site: a.max_share_of_site,
            keep_hardware_share: a.keep_hardware_share,
            convertible_share: a.convertible_share,
        }
    }
}

impl Default for AiParams {
    fn default() -> AiParams {
        (&AiSpec::default()).into()
    }
}
