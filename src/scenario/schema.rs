//! The scenario file's schema. Every table denies unknown keys; defaults are written here
//! once; `validate` range-checks every value. Field names carry their units.

use super::check::Checker;
pub use super::date::{format_date, parse_date, YEAR_MAX, YEAR_MIN};
use super::dist::Dist;
use crate::agents::hardware::{J_PER_TH_MAX, J_PER_TH_MIN};
use crate::chain::target::U256;
use crate::market::price::{PRICE_USD_MAX, PRICE_USD_MIN};
use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub simulation: Simulation,
    #[serde(default)]
    pub chain: Chain,
    pub price: Price,
    #[serde(default)]
    pub fees: Fees,
    pub population: Population,
    /// Named operators added on top of the generated population (case studies, tests).
    #[serde(default)]
    pub operators: Vec<OperatorSpec>,
    #[serde(default)]
    pub ai: AiSpec,
    #[serde(default)]
    pub hardware: HardwareSpec,
    #[serde(default)]
    pub strategy: StrategySpec,
    #[serde(default)]
    pub metrics: MetricsSpec,
    /// Scheduled shocks, applied at the start of their day.
    #[serde(default)]
    pub events: Vec<EventSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Names the output folder `results/<name>/`: letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// Simulated days, 1..=36,525 (100 years).
    pub days: u32,
    /// Master seed: every random stream derives from it.
    pub seed: u64,
    /// Independent replicates (seeds derived from (seed, replicate)), 1..=100,000.
    #[serde(default = "one")]
    pub replicates: u32,
    /// Calendar date of day 0, `YYYY-MM-DD` (for the `date` column only).
    #[serde(default = "default_start_date")]
    pub start_date: String,
}

fn one() -> u32 {
    1
}

fn default_start_date() -> String {
    "2025-11-21".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// Height of the chain tip at the start; the first simulated block is `height + 1`.
    #[serde(default = "default_height")]
    pub height: u64,
    /// Starting difficulty. Omit both this and `bits` to set it so the whole installed
    /// population finds a block every 600 s.
    #[serde(default)]
    pub difficulty: Option<f64>,
    /// Starting compact target, e.g. "0x17034219"; exclusive with `difficulty`.
    #[serde(default)]
    pub bits: Option<String>,
    /// Seconds since the first block of the current epoch. Default: 600 s per block already
    /// mined in the epoch.
    #[serde(default)]
    pub epoch_elapsed_s: Option<f64>,
}

fn default_height() -> u64 {
    925_000
}

impl Default for Chain {
    fn default() -> Self {
        Chain { height: default_height(), difficulty: None, bits: None, epoch_elapsed_s: None }
    }
}

/// The BTC/USD price path. One price per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "lowercase", deny_unknown_fields)]
pub enum Price {
    /// A constant price (shocks still apply).
    Constant { initial_usd: f64 },
    /// Geometric Brownian motion in daily steps:
    /// `ln S(d+1) = ln S(d) + log_return_mean_per_day + log_return_sd_per_day * Z`.
    Gbm {
        initial_usd: f64,
        #[serde(default)]
        log_return_mean_per_day: f64,
        log_return_sd_per_day: f64,
    },
    /// A path from a CSV file with header `day,price_usd`, one row for every day from 0,
    /// path relative to the scenario file.
    Csv { path: String },
}

/// Fees per block around a daily level (shocks scale the level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "lowercase", deny_unknown_fields)]
pub enum Fees {
    Constant { mean_btc_per_block: f64 },
    Lognormal { mean_btc_per_block: f64, log_sd: f64 },
}

impl Default for Fees {
    fn default() -> Self {
        Fees::Constant { mean_btc_per_block: 0.025 }
    }
}

impl Fees {
    pub fn mean_btc_per_block(&self) -> f64 {
        match *self {
            Fees::Constant { mean_btc_per_block } | Fees::Lognormal { mean_btc_per_block, .. } => mean_btc_per_block,
        }
    }
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

/// See [`Population::calibrate_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrateTo {
    #[default]
    Installed,
    Active,
}

/// A generated population of mining operators (each runs one site).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Number of generated operators, 0..=10,000,000.
    pub operators: u32,
    /// Installed hashrate of the generated operators together, EH/s: sites are rescaled to it.
    /// Omit to keep the drawn sizes, or (when the chain's difficulty is given) to calibrate to
    /// the difficulty, see `calibrate_to`.
    #[serde(default)]
    pub total_hashrate_eh_s: Option<f64>,
    /// Site power capacity, MW (heavy-tailed: a few industrial firms, many small miners).
    /// Either this or `hashrate_th_s`.
    #[serde(default)]
    pub size_mw: Option<Dist>,
    /// Installed hashrate per operator, TH/s, independent of efficiency (the site is sized to
    /// fit); either this or `size_mw`.
    #[serde(default)]
    pub hashrate_th_s: Option<Dist>,
    /// Delivered power price, USD/kWh (a jurisdiction may override it).
    pub power_usd_per_kwh: Dist,
    /// Hardware models by share of hashrate, from the catalog. Either this or
    /// `efficiency_j_per_th`.
    #[serde(default)]
    pub fleet_mix: Vec<FleetShare>,
    /// Custom hardware efficiency, J/TH, when no `fleet_mix` is given.
    #[serde(default)]
    pub efficiency_j_per_th: Option<Dist>,
    /// Vintages (hardware batches) per operator, each drawn from the mix, 1..=10.
    #[serde(default = "two")]
    pub vintages: u32,
    /// Share of each site's MW filled with machines at the start, (0, 1].
    #[serde(default = "default_fill")]
    pub fill_share: f64,
    #[serde(default)]
    pub decision: DecisionRule,
    /// Which hashrate matches the chain's difficulty (at 600 s blocks) when
    /// `total_hashrate_eh_s` is omitted and the difficulty is given: all installed machines,
    /// or only those that run on day 0 (the network starts in equilibrium).
    #[serde(default)]
    pub calibrate_to: CalibrateTo,
    #[serde(default)]
    pub finance: FinanceSpec,
    #[serde(default)]
    pub behaviour: BehaviourSpec,
    /// Jurisdictions and the probability an operator is in each; shares sum to 1.
    #[serde(default)]
    pub jurisdictions: Vec<Jurisdiction>,
}

fn two() -> u32 {
    2
}

fn default_fill() -> f64 {
    0.95
}

/// One hardware model's share of the generated fleet's hashrate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetShare {
    pub model: String,
    pub share: f64,
}

/// Balance sheets of generated operators, scaled by site size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinanceSpec {
    /// Whether operators keep books at all; without, nobody sells BTC or goes bankrupt.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// BTC held per MW of site.
    #[serde(default = "default_treasury")]
    pub treasury_btc_per_mw: Dist,
    #[serde(default = "default_cash")]
    pub cash_usd_per_mw: Dist,
    #[serde(default = "default_debt")]
    pub debt_usd_per_mw: Dist,
    /// Annual interest on debt.
    #[serde(default = "default_interest")]
    pub interest_rate: f64,
    /// Credit line per MW for operators of at least `credit_min_mw` (access to capital
    /// markets); smaller operators get none.
    #[serde(default = "default_credit")]
    pub credit_usd_per_mw: f64,
    #[serde(default = "default_credit_min")]
    pub credit_min_mw: f64,
    /// Share of mined BTC sold the same day.
    #[serde(default = "default_sell")]
    pub sell_share: f64,
}

fn yes() -> bool {
    true
}

fn default_treasury() -> Dist {
    Dist::Lognormal { median: 2.0, log_sd: 1.0 }
}
fn default_cash() -> Dist {
    Dist::Lognormal { median: 100_000.0, log_sd: 0.8 }
}
fn default_debt() -> Dist {
    Dist::Lognormal { median: 150_000.0, log_sd: 0.8 }
}
fn default_interest() -> f64 {
    0.09
}
fn default_credit() -> f64 {
    1_500_000.0
}
fn default_credit_min() -> f64 {
    20.0
}
fn default_sell() -> f64 {
    0.7
}

impl Default for FinanceSpec {
    fn default() -> Self {
        FinanceSpec {
            enabled: true,
            treasury_btc_per_mw: default_treasury(),
            cash_usd_per_mw: default_cash(),
            debt_usd_per_mw: default_debt(),
            interest_rate: default_interest(),
            credit_usd_per_mw: default_credit(),
            credit_min_mw: default_credit_min(),
            sell_share: default_sell(),
        }
    }
}

/// How generated operators think.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourSpec {
    /// Shares of operators using each expectation rule (normalised).
    #[serde(default = "default_myopic")]
    pub myopic: f64,
    #[serde(default = "default_adaptive")]
    pub adaptive: f64,
    #[serde(default = "default_halving_aware")]
    pub halving_aware: f64,
    /// Annual discount rate for investment decisions.
    #[serde(default = "default_hurdle")]
    pub hurdle_rate: Dist,
}

fn default_myopic() -> f64 {
    0.4
}
fn default_adaptive() -> f64 {
    0.3
}
fn default_halving_aware() -> f64 {
    0.3
}
fn default_hurdle() -> Dist {
    Dist::Uniform { min: 0.08, max: 0.15 }
}

impl Default for BehaviourSpec {
    fn default() -> Self {
        BehaviourSpec {
            myopic: default_myopic(),
            adaptive: default_adaptive(),
            halving_aware: default_halving_aware(),
            hurdle_rate: default_hurdle(),
        }
    }
}

/// The AI/HPC hosting market miners can convert capacity to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiSpec {
    /// Hosting demand open to miners on day 0, MW.
    #[serde(default = "default_ai_demand")]
    pub demand_mw: f64,
    /// Growth of that demand, a fraction per year.
    #[serde(default = "default_ai_growth")]
    pub demand_growth_per_year: f64,
    /// Contract revenue per MW of IT capacity per year, USD.
    #[serde(default = "default_ai_revenue")]
    pub revenue_usd_per_mw_year: f64,
    /// Share of revenue spent operating the hall (the tenant pays power through).
    #[serde(default = "default_ai_opex")]
    pub opex_share: f64,
    #[serde(default = "default_ai_capex")]
    pub capex_usd_per_mw: f64,
    /// Days from decision to a hall earning revenue; the capacity earns nothing meanwhile.
    #[serde(default = "default_ai_build")]
    pub build_days: u32,
    #[serde(default = "default_ai_contract")]
    pub contract_years: f64,
    /// Smallest conversion tenants accept, MW.
    #[serde(default = "default_ai_min")]
    pub min_mw: f64,
    /// Most of a site an operator converts at once.
    #[serde(default = "one_f")]
    pub max_share_of_site: f64,
    /// Share of displaced machines kept in storage (the rest is sold at once).
    #[serde(default = "half")]
    pub keep_hardware_share: f64,
}

fn default_ai_demand() -> f64 {
    3_000.0
}
fn default_ai_growth() -> f64 {
    0.25
}
fn default_ai_revenue() -> f64 {
    1_600_000.0
}
fn default_ai_opex() -> f64 {
    0.15
}
fn default_ai_capex() -> f64 {
    9_000_000.0
}
fn default_ai_build() -> u32 {
    450
}
fn default_ai_contract() -> f64 {
    12.0
}
fn default_ai_min() -> f64 {
    20.0
}
fn one_f() -> f64 {
    1.0
}
fn half() -> f64 {
    0.5
}

impl Default for AiSpec {
    fn default() -> Self {
        AiSpec {
            demand_mw: default_ai_demand(),
            demand_growth_per_year: default_ai_growth(),
            revenue_usd_per_mw_year: default_ai_revenue(),
            opex_share: default_ai_opex(),
            capex_usd_per_mw: default_ai_capex(),
            build_days: default_ai_build(),
            contract_years: default_ai_contract(),
            min_mw: default_ai_min(),
            max_share_of_site: one_f(),
            keep_hardware_share: half(),
        }
    }
}

/// Hardware markets and ageing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareSpec {
    /// A catalog file relative to the scenario; default: the bundled scenarios/hardware.toml.
    #[serde(default)]
    pub catalog: Option<String>,
    /// Share of machines failing per year (hashrate decays continuously).
    #[serde(default = "default_failure")]
    pub failure_rate_per_year: f64,
    /// Efficiency gain of the newest machines per year after the catalog's newest model.
    #[serde(default = "default_improvement")]
    pub frontier_improvement_per_year: f64,
    /// Days from order to delivery of new machines.
    #[serde(default = "default_lead")]
    pub lead_time_days: u32,
    /// Years a new machine is expected to earn (for investment decisions).
    #[serde(default = "default_life")]
    pub life_years: f64,
    /// Floor price of any machine, USD per TH/s.
    #[serde(default = "default_scrap")]
    pub scrap_usd_per_th: f64,
    /// Discount of a bankrupt operator's fleet sold in a hurry.
    #[serde(default = "half")]
    pub fire_sale_discount: f64,
    /// Days a machine at scrap value waits on the secondary market before it is scrapped.
    #[serde(default = "default_scrap_after")]
    pub scrap_after_days: u32,
    /// One-off cost of restarting idle machines, USD per TH/s (hysteresis).
    #[serde(default = "default_restart")]
    pub restart_cost_usd_per_th: f64,
    /// Days in which a restart must pay back its cost.
    #[serde(default = "default_payback")]
    pub restart_payback_days: f64,
}

fn default_failure() -> f64 {
    0.05
}
fn default_improvement() -> f64 {
    0.08
}
fn default_lead() -> u32 {
    90
}
fn default_life() -> f64 {
    4.0
}
fn default_scrap() -> f64 {
    0.5
}
fn default_scrap_after() -> u32 {
    365
}
fn default_restart() -> f64 {
    0.02
}
fn default_payback() -> f64 {
    7.0
}

impl Default for HardwareSpec {
    fn default() -> Self {
        HardwareSpec {
            catalog: None,
            failure_rate_per_year: default_failure(),
            frontier_improvement_per_year: default_improvement(),
            lead_time_days: default_lead(),
            life_years: default_life(),
            scrap_usd_per_th: default_scrap(),
            fire_sale_discount: half(),
            scrap_after_days: default_scrap_after(),
            restart_cost_usd_per_th: default_restart(),
            restart_payback_days: default_payback(),
        }
    }
}

/// Assumptions of the security metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// Whether to compute the attack-cost and double-spend columns each day.
    #[serde(default = "yes")]
    pub attack_metrics: bool,
    /// Share of all hashrate the attacker needs (0.51: a majority).
    #[serde(default = "default_q")]
    pub attack_share: f64,
    #[serde(default = "default_hours")]
    pub attack_hours: f64,
    /// Facility capex for new machines, USD per MW (mining sites: ~$0.3-0.8M/MW).
    #[serde(default = "default_facility")]
    pub facility_usd_per_mw: f64,
    /// Cost of putting dormant machines back to work (dark or idle sites), USD per MW.
    #[serde(default = "default_dormant_facility")]
    pub dormant_facility_usd_per_mw: f64,
    #[serde(default = "default_attacker_power")]
    pub attacker_power_usd_per_kwh: f64,
    /// Price of new machines for the attack, USD per TH/s; default: the catalog frontier's.
    #[serde(default)]
    pub attack_hardware_usd_per_th: Option<f64>,
    /// Manufacturers' output of new machines, EH/s per month (sets the lead time).
    #[serde(default = "default_manufacturing")]
    pub manufacturing_eh_s_per_month: f64,
    /// Share of network hashrate for hire on rental markets.
    #[serde(default = "default_rental_share")]
    pub rental_share: f64,
    #[serde(default = "default_rental_premium")]
    pub rental_premium: f64,
    /// Premium over forgone revenue that a bribed coalition demands.
    #[serde(default = "half")]
    pub bribe_premium: f64,
    /// Share of a bribed coalition's machine value the bribe must cover (their capital at risk).
    #[serde(default = "half")]
    pub bribe_capital_share: f64,
    /// Budget whose affordable attacker share sets the daily double-spend risk, USD.
    #[serde(default = "default_budget")]
    pub risk_budget_usd: f64,
    #[serde(default = "default_confirmations")]
    pub risk_confirmations: u32,
    /// `summary.csv` records the first day the Nakamoto coefficient (50%, by operator group)
    /// falls below this.
    #[serde(default = "default_nakamoto_threshold")]
    pub nakamoto_threshold: u32,
}

fn default_q() -> f64 {
    0.51
}
fn default_hours() -> f64 {
    24.0
}
fn default_facility() -> f64 {
    500_000.0
}
fn default_dormant_facility() -> f64 {
    100_000.0
}
fn default_attacker_power() -> f64 {
    0.05
}
fn default_manufacturing() -> f64 {
    50.0
}
fn default_rental_share() -> f64 {
    0.05
}
fn default_rental_premium() -> f64 {
    0.2
}
fn default_budget() -> f64 {
    1e9
}
fn default_confirmations() -> u32 {
    6
}
fn default_nakamoto_threshold() -> u32 {
    4
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec {
            attack_metrics: true,
            attack_share: default_q(),
            attack_hours: default_hours(),
            facility_usd_per_mw: default_facility(),
            dormant_facility_usd_per_mw: default_dormant_facility(),
            attacker_power_usd_per_kwh: default_attacker_power(),
            attack_hardware_usd_per_th: None,
            manufacturing_eh_s_per_month: default_manufacturing(),
            rental_share: default_rental_share(),
            rental_premium: default_rental_premium(),
            bribe_premium: half(),
            bribe_capital_share: half(),
            risk_budget_usd: default_budget(),
            risk_confirmations: default_confirmations(),
            nakamoto_threshold: default_nakamoto_threshold(),
        }
    }
}

/// When and how operators take strategic decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
    /// Whether operators take strategic decisions (exit, pivot, upgrade) at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Days between an operator's strategic decisions; operators are staggered across them.
    #[serde(default = "default_interval")]
    pub interval_days: u32,
    /// Horizon of expectations, days.
    #[serde(default = "default_horizon")]
    pub horizon_days: f64,
    /// Half-life of the adaptive expectation's moving average, days.
    #[serde(default = "default_half_life")]
    pub adaptive_half_life_days: f64,
    /// Days with every machine idle before an operator considers leaving.
    #[serde(default = "default_exit_idle")]
    pub exit_after_idle_days: u32,
}

fn default_interval() -> u32 {
    30
}
fn default_horizon() -> f64 {
    365.0
}
fn default_half_life() -> f64 {
    30.0
}
fn default_exit_idle() -> u32 {
    60
}

impl Default for StrategySpec {
    fn default() -> Self {
        StrategySpec {
            enabled: true,
            interval_days: default_interval(),
            horizon_days: default_horizon(),
            adaptive_half_life_days: default_half_life(),
            exit_after_idle_days: default_exit_idle(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub name: String,
    pub share: f64,
    /// This jurisdiction's power price distribution, replacing the population's.
    #[serde(default)]
    pub power_usd_per_kwh: Option<Dist>,
}

/// One named operator with fixed values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorSpec {
    pub name: String,
    pub hashrate_th_s: f64,
    pub efficiency_j_per_th: f64,
    pub power_usd_per_kwh: f64,
    #[serde(default = "default_jurisdiction")]
    pub jurisdiction: String,
    /// Site capacity, MW; default: what the machines draw divided by `population.fill_share`.
    #[serde(default)]
    pub site_mw: Option<f64>,
    #[serde(default)]
    pub cash_usd: f64,
    #[serde(default)]
    pub treasury_btc: f64,
    #[serde(default)]
    pub debt_usd: f64,
    #[serde(default)]
    pub credit_usd: f64,
    #[serde(default = "default_expectation")]
    pub expectation: crate::agents::decision::Expectation,
    #[serde(default = "default_hurdle_rate")]
    pub hurdle_rate: f64,
    /// Overrides the population's decision rule for this operator.
    #[serde(default)]
    pub decision: Option<DecisionRule>,
}

fn default_expectation() -> crate::agents::decision::Expectation {
    crate::agents::decision::Expectation::Myopic
}

fn default_hurdle_rate() -> f64 {
    0.10
}

fn default_jurisdiction() -> String {
    "other".into()
}

/// A scheduled shock. `day` is the simulated day whose start it happens at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventSpec {
    /// The price moves by `change` (e.g. -0.38), spread geometrically over `over_days` days.
    PriceShock {
        day: u32,
        change: f64,
        #[serde(default = "one")]
        over_days: u32,
    },
    /// The fee level becomes `multiplier` x the scenario's mean from this day on.
    FeeShock { day: u32, multiplier: f64 },
    /// Installed hashrate of every miner (or of one jurisdiction's) changes by `change`.
    HashrateShock {
        day: u32,
        change: f64,
        #[serde(default)]
        jurisdiction: Option<String>,
    },
    /// A share of a jurisdiction's miners, drawn at random, are switched off for good.
    JurisdictionBan { day: u32, jurisdiction: String, share: f64 },
    /// Power prices (everywhere, or in one jurisdiction) change by `change`.
    PowerPriceShock {
        day: u32,
        change: f64,
        #[serde(default)]
        jurisdiction: Option<String>,
    },
    /// The AI market moves: revenue of new contracts and open demand change by the given
    /// fractions, and `terminate_share` of running contracts end at once (tenants walk away).
    AiShock {
        day: u32,
        #[serde(default)]
        revenue_change: f64,
        #[serde(default)]
        demand_change: f64,
        #[serde(default)]
        terminate_share: f64,
    },
}

impl EventSpec {
    pub fn day(&self) -> u32 {
        match *self {
            EventSpec::PriceShock { day, .. }
            | EventSpec::FeeShock { day, .. }
            | EventSpec::HashrateShock { day, .. }
            | EventSpec::JurisdictionBan { day, .. }
            | EventSpec::PowerPriceShock { day, .. }
            | EventSpec::AiShock { day, .. } => day,
        }
    }
}

/// Parses "0x17034219" (or decimal) compact bits.
pub fn parse_bits(s: &str) -> Option<u32> {
    let t = s.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

impl Scenario {
    /// Range-checks every value, recording each problem under its dotted key.
    pub fn validate(&self, c: &mut Checker) {
        let s = &self.simulation;
        if let Err(msg) = super::name::check_name(&s.name) {
            c.fail("simulation.name", msg);
        }
        c.int_range("simulation.days", s.days.into(), 1, 36_525);
        c.int_range("simulation.replicates", s.replicates.into(), 1, 100_000);
        if parse_date(&s.start_date).is_none() {
            c.fail(
                "simulation.start_date",
                format!("must be a date YYYY-MM-DD from {YEAR_MIN}-01-01 to {YEAR_MAX}-12-31 (got {:?})", s.start_date),
            );
        }

        let ch = &self.chain;
        c.int_range("chain.height", ch.height, 0, 13_440_000);
        if let Some(d) = ch.difficulty {
            c.range("chain.difficulty", d, 1.0, 1e22);
        }
        if ch.difficulty.is_some() && ch.bits.is_some() {
            c.fail("chain.bits", "give either chain.difficulty or chain.bits, not both");
        }
        if let Some(b) = &ch.bits {
            match parse_bits(b) {
                None => c.fail("chain.bits", format!("must be compact bits such as \"0x17034219\" (got {b:?})")),
                Some(bits) => {
                    let (t, neg, ovf) = U256::from_compact(bits);
                    if neg || ovf || t == U256::ZERO || t > crate::chain::target::pow_limit() {
                        c.fail("chain.bits", format!("must encode a positive target at most 0x1d00ffff (got {b:?})"));
                    }
                }
            }
        }
        if let Some(e) = ch.epoch_elapsed_s {
            c.range("chain.epoch_elapsed_s", e, 0.0, 1e8);
        }

        match &self.price {
            Price::Constant { initial_usd } => c.range("price.initial_usd", *initial_usd, PRICE_USD_MIN, PRICE_USD_MAX),
            Price::Gbm { initial_usd, log_return_mean_per_day, log_return_sd_per_day } => {
                c.range("price.initial_usd", *initial_usd, PRICE_USD_MIN, PRICE_USD_MAX);
                c.range("price.log_return_mean_per_day", *log_return_mean_per_day, -0.5, 0.5);
                c.range("price.log_return_sd_per_day", *log_return_sd_per_day, 0.0, 1.0);
            }
            Price::Csv { path } => {
                if path.trim().is_empty() {
                    c.fail("price.path", "must name a CSV file with columns day,price_usd");
                }
            }
        }

        match &self.fees {
            Fees::Constant { mean_btc_per_block } => {
                c.range("fees.mean_btc_per_block", *mean_btc_per_block, 0.0, 1000.0)
            }
            Fees::Lognormal { mean_btc_per_block, log_sd } => {
                c.range("fees.mean_btc_per_block", *mean_btc_per_block, 0.0, 1000.0);
                c.range("fees.log_sd", *log_sd, 0.0, 5.0);
            }
        }

        let p = &self.population;
        c.int_range("population.operators", p.operators.into(), 0, 10_000_000);
        if let Some(t) = p.total_hashrate_eh_s {
            c.range_open_lo("population.total_hashrate_eh_s", t, 0.0, 1e9);
        }
        match (&p.size_mw, &p.hashrate_th_s) {
            (Some(d), None) => d.check(c, "population.size_mw", 0.0, true, 1e5),
            (None, Some(d)) => d.check(c, "population.hashrate_th_s", 0.0, true, 1e12),
            (Some(_), Some(_)) => c.fail(
                "population.hashrate_th_s",
                "give either population.size_mw or population.hashrate_th_s, not both",
            ),
            (None, None) => {
                if p.operators > 0 {
                    c.fail(
                        "population.size_mw",
                        "give population.size_mw (site MW) or population.hashrate_th_s (TH/s per operator)",
                    )
                }
            }
        }
        p.power_usd_per_kwh.check(c, "population.power_usd_per_kwh", 0.0, false, 100.0);
        match (&p.efficiency_j_per_th, p.fleet_mix.is_empty()) {
            (Some(d), true) => d.check(c, "population.efficiency_j_per_th", J_PER_TH_MIN, false, J_PER_TH_MAX),
            (None, false) => {
                let mut sum = 0.0;
                for (i, f) in p.fleet_mix.iter().enumerate() {
                    c.range(&format!("population.fleet_mix[{i}].share"), f.share, 0.0, 1.0);
                    sum += f.share;
                }
                if (sum - 1.0).abs() > 1e-6 {
                    c.fail("population.fleet_mix", format!("shares must sum to 1 (they sum to {sum})"));
                }
            }
            (Some(_), false) => c.fail(
                "population.efficiency_j_per_th",
                "give either population.fleet_mix or population.efficiency_j_per_th, not both",
            ),
            (None, true) => {
                if p.operators > 0 {
                    c.fail(
                        "population.fleet_mix",
                        "give population.fleet_mix (catalog models with shares) or population.efficiency_j_per_th",
                    )
                }
            }
        }
        c.int_range("population.vintages", p.vintages.into(), 1, 10);
        c.range_open_lo("population.fill_share", p.fill_share, 0.0, 1.0);
        let f = &p.finance;
        f.treasury_btc_per_mw.check(c, "population.finance.treasury_btc_per_mw", 0.0, false, 1e4);
        f.cash_usd_per_mw.check(c, "population.finance.cash_usd_per_mw", 0.0, false, 1e9);
        f.debt_usd_per_mw.check(c, "population.finance.debt_usd_per_mw", 0.0, false, 1e9);
        c.range("population.finance.interest_rate", f.interest_rate, 0.0, 1.0);
        c.range("population.finance.credit_usd_per_mw", f.credit_usd_per_mw, 0.0, 1e9);
        c.range("population.finance.credit_min_mw", f.credit_min_mw, 0.0, 1e5);
        c.range("population.finance.sell_share", f.sell_share, 0.0, 1.0);
        let b = &p.behaviour;
        for (k, v) in [("myopic", b.myopic), ("adaptive", b.adaptive), ("halving_aware", b.halving_aware)] {
            c.range(&format!("population.behaviour.{k}"), v, 0.0, 1.0);
        }
        if b.myopic + b.adaptive + b.halving_aware <= 0.0 {
            c.fail("population.behaviour", "at least one of myopic, adaptive, halving_aware must be positive");
        }
        b.hurdle_rate.check(c, "population.behaviour.hurdle_rate", 0.0, false, 1.0);
        let mut share_sum = 0.0;
        for (i, j) in p.jurisdictions.iter().enumerate() {
            let key = format!("population.jurisdictions[{i}]");
            if j.name.trim().is_empty() {
                c.fail(&format!("{key}.name"), "must not be empty");
            }
            if p.jurisdictions[..i].iter().any(|o| o.name == j.name) {
                c.fail(&format!("{key}.name"), format!("duplicate jurisdiction {:?}", j.name));
            }
            c.range(&format!("{key}.share"), j.share, 0.0, 1.0);
            share_sum += j.share;
            if let Some(d) = &j.power_usd_per_kwh {
                d.check(c, &format!("{key}.power_usd_per_kwh"), 0.0, false, 100.0);
            }
        }
        if !p.jurisdictions.is_empty() && (share_sum - 1.0).abs() > 1e-6 {
            c.fail("population.jurisdictions", format!("shares must sum to 1 (they sum to {share_sum})"));
        }

        for (i, m) in self.operators.iter().enumerate() {
            let key = format!("operators[{i}]");
            c.range_open_lo(&format!("{key}.hashrate_th_s"), m.hashrate_th_s, 0.0, 1e12);
            c.range(&format!("{key}.efficiency_j_per_th"), m.efficiency_j_per_th, J_PER_TH_MIN, J_PER_TH_MAX);
            c.range(&format!("{key}.power_usd_per_kwh"), m.power_usd_per_kwh, 0.0, 100.0);
            if let Some(mw) = m.site_mw {
                let draw = m.hashrate_th_s * m.efficiency_j_per_th / 1e6;
                if !(mw.is_finite() && mw >= draw * (1.0 - 1e-9) && mw <= 1e5) {
                    c.fail(
                        &format!("{key}.site_mw"),
                        format!("must be at least the machines' draw ({draw} MW) and at most 1e5 (got {mw})"),
                    );
                }
            }
            c.range(&format!("{key}.cash_usd"), m.cash_usd, 0.0, 1e13);
            c.range(&format!("{key}.treasury_btc"), m.treasury_btc, 0.0, 2.1e7);
            c.range(&format!("{key}.debt_usd"), m.debt_usd, 0.0, 1e13);
            c.range(&format!("{key}.credit_usd"), m.credit_usd, 0.0, 1e13);
            c.range(&format!("{key}.hurdle_rate"), m.hurdle_rate, 0.0, 1.0);
        }
        if p.operators == 0 && self.operators.is_empty() {
            c.fail(
                "population.operators",
                "the scenario has no operators: set population.operators >= 1 or add [[operators]]",
            );
        }

        let a = &self.ai;
        c.range("ai.demand_mw", a.demand_mw, 0.0, 1e7);
        c.range("ai.demand_growth_per_year", a.demand_growth_per_year, -0.99, 10.0);
        c.range("ai.revenue_usd_per_mw_year", a.revenue_usd_per_mw_year, 0.0, 1e9);
        c.range("ai.opex_share", a.opex_share, 0.0, 1.0);
        c.range("ai.capex_usd_per_mw", a.capex_usd_per_mw, 0.0, 1e9);
        c.int_range("ai.build_days", a.build_days.into(), 0, 3650);
        c.range_open_lo("ai.contract_years", a.contract_years, 0.0, 50.0);
        c.range("ai.min_mw", a.min_mw, 0.0, 1e5);
        c.range("ai.max_share_of_site", a.max_share_of_site, 0.0, 1.0);
        c.range("ai.keep_hardware_share", a.keep_hardware_share, 0.0, 1.0);

        let h = &self.hardware;
        c.range("hardware.failure_rate_per_year", h.failure_rate_per_year, 0.0, 1.0);
        c.range("hardware.frontier_improvement_per_year", h.frontier_improvement_per_year, 0.0, 0.9);
        c.int_range("hardware.lead_time_days", h.lead_time_days.into(), 0, 3650);
        c.range_open_lo("hardware.life_years", h.life_years, 0.0, 30.0);
        c.range("hardware.scrap_usd_per_th", h.scrap_usd_per_th, 0.0, 1e4);
        c.range("hardware.fire_sale_discount", h.fire_sale_discount, 0.0, 1.0);
        c.int_range("hardware.scrap_after_days", h.scrap_after_days.into(), 0, 36_525);
        c.range("hardware.restart_cost_usd_per_th", h.restart_cost_usd_per_th, 0.0, 1e4);
        c.range_open_lo("hardware.restart_payback_days", h.restart_payback_days, 0.0, 3650.0);

        let mt = &self.metrics;
        c.range_open_lo("metrics.attack_share", mt.attack_share, 0.0, 0.99);
        c.range_open_lo("metrics.attack_hours", mt.attack_hours, 0.0, 8760.0);
        c.range("metrics.facility_usd_per_mw", mt.facility_usd_per_mw, 0.0, 1e9);
        c.range("metrics.dormant_facility_usd_per_mw", mt.dormant_facility_usd_per_mw, 0.0, 1e9);
        c.range("metrics.attacker_power_usd_per_kwh", mt.attacker_power_usd_per_kwh, 0.0, 100.0);
        if let Some(x) = mt.attack_hardware_usd_per_th {
            c.range("metrics.attack_hardware_usd_per_th", x, 0.0, 1e5);
        }
        c.range_open_lo("metrics.manufacturing_eh_s_per_month", mt.manufacturing_eh_s_per_month, 0.0, 1e6);
        c.range("metrics.rental_share", mt.rental_share, 0.0, 1.0);
        c.range("metrics.rental_premium", mt.rental_premium, 0.0, 100.0);
        c.range("metrics.bribe_premium", mt.bribe_premium, 0.0, 100.0);
        c.range("metrics.bribe_capital_share", mt.bribe_capital_share, 0.0, 10.0);
        c.range("metrics.risk_budget_usd", mt.risk_budget_usd, 0.0, 1e15);
        c.int_range("metrics.risk_confirmations", mt.risk_confirmations.into(), 0, 10_000);
        c.int_range("metrics.nakamoto_threshold", mt.nakamoto_threshold.into(), 0, 1_000_000);

        let st = &self.strategy;
        c.int_range("strategy.interval_days", st.interval_days.into(), 1, 3650);
        c.range_open_lo("strategy.horizon_days", st.horizon_days, 0.0, 36_525.0);
        c.range_open_lo("strategy.adaptive_half_life_days", st.adaptive_half_life_days, 0.0, 36_525.0);
        c.int_range("strategy.exit_after_idle_days", st.exit_after_idle_days.into(), 0, 36_525);

        let known = |name: &str| {
            p.jurisdictions.iter().any(|j| j.name == name) || self.operators.iter().any(|m| m.jurisdiction == name)
        };
        for (i, e) in self.events.iter().enumerate() {
            let key = format!("events[{i}]");
            if e.day() >= s.days {
                c.fail(&format!("{key}.day"), format!("must be below simulation.days = {} (got {})", s.days, e.day()));
            }
            let check_jur = |c: &mut Checker, j: &Option<String>| {
                if let Some(j) = j {
                    if !known(j) {
                        c.fail(&format!("{key}.jurisdiction"), format!("unknown jurisdiction {j:?}"));
                    }
                }
            };
            match e {
                EventSpec::PriceShock { change, over_days, .. } => {
                    c.range(&format!("{key}.change"), *change, -0.99, 100.0);
                    c.int_range(&format!("{key}.over_days"), (*over_days).into(), 1, 36_525);
                }
                EventSpec::FeeShock { multiplier, .. } => c.range(&format!("{key}.multiplier"), *multiplier, 0.0, 1e4),
                EventSpec::HashrateShock { change, jurisdiction, .. } => {
                    c.range(&format!("{key}.change"), *change, -1.0, 100.0);
                    check_jur(c, jurisdiction);
                }
                EventSpec::JurisdictionBan { jurisdiction, share, .. } => {
                    c.range(&format!("{key}.share"), *share, 0.0, 1.0);
                    check_jur(c, &Some(jurisdiction.clone()));
                }
                EventSpec::PowerPriceShock { change, jurisdiction, .. } => {
                    c.range(&format!("{key}.change"), *change, -1.0, 100.0);
                    check_jur(c, jurisdiction);
                }
                EventSpec::AiShock { revenue_change, demand_change, terminate_share, .. } => {
                    c.range(&format!("{key}.revenue_change"), *revenue_change, -1.0, 100.0);
                    c.range(&format!("{key}.demand_change"), *demand_change, -1.0, 100.0);
                    c.range(&format!("{key}.terminate_share"), *terminate_share, 0.0, 1.0);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_parse() {
        assert_eq!(parse_bits("0x17034219"), Some(0x1703_4219));
        assert_eq!(parse_bits("486604799"), Some(0x1d00_ffff));
        assert_eq!(parse_bits("0xZZ"), None);
    }
}
