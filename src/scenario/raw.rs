//! Phase 1 of loading: the scenario file as written. Every table denies unknown keys (the
//! TOML parser then reports them at their line and column); a table that may be omitted
//! takes its defaults from its one `impl Default` (in [`super::defaults`]), so each default
//! is written once. Field names carry their units. Phase 2 is [`super::validate`].
//!
//! The serialized form of [`Scenario`] is the effective scenario written into
//! `manifest.json` (and fingerprinted by sweeps): its keys are the file's keys.

use super::dist::DistSpec;
use super::params::{CalibrateTo, DecisionRule, Expectation, Payout, PayoutScheme};
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
    /// Mining pools and their shares of the pooled hashrate at the start; none: one pool.
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
    /// How operators choose their pool at their strategy reviews.
    #[serde(default)]
    pub pool_choice: PoolChoiceSpec,
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
    #[serde(default = "super::defaults::one")]
    pub replicates: u32,
    /// Calendar date of day 0, `YYYY-MM-DD` (for the `date` column only).
    #[serde(default = "super::defaults::start_date")]
    pub start_date: String,
    /// Run days on which only the hashprice can change a machine's state by moving the cut of
    /// the merit order (`engine::merit`; the same outputs, bit for bit). `false` walks every
    /// operator every day, the merit order's oracle.
    #[serde(default = "super::defaults::yes")]
    pub merit_order: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Chain {
    /// Height of the chain tip at the start; the first simulated block is `height + 1`.
    pub height: u64,
    /// Starting difficulty. Omit both this and `bits` to set it so the whole installed
    /// population finds a block every 600 s.
    pub difficulty: Option<f64>,
    /// Starting compact target, e.g. "0x17034219"; exclusive with `difficulty`.
    pub bits: Option<String>,
    /// Seconds since the first block of the current epoch. Default: 600 s per block already
    /// mined in the epoch.
    pub epoch_elapsed_s: Option<f64>,
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

impl Fees {
    pub fn mean_btc_per_block(&self) -> f64 {
        match *self {
            Fees::Constant { mean_btc_per_block } | Fees::Lognormal { mean_btc_per_block, .. } => mean_btc_per_block,
        }
    }
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
    pub size_mw: Option<DistSpec>,
    /// Installed hashrate per operator, TH/s, independent of efficiency (the site is sized to
    /// fit); either this or `size_mw`.
    #[serde(default)]
    pub hashrate_th_s: Option<DistSpec>,
    /// Delivered power price, USD/kWh (a jurisdiction may override it).
    pub power_usd_per_kwh: DistSpec,
    /// Hardware models by share of hashrate, from the catalog. Either this or
    /// `efficiency_j_per_th`.
    #[serde(default)]
    pub fleet_mix: Vec<FleetShare>,
    /// Custom hardware efficiency, J/TH, when no `fleet_mix` is given.
    #[serde(default)]
    pub efficiency_j_per_th: Option<DistSpec>,
    /// Vintages (hardware batches) per operator, each drawn from the mix, 1..=10.
    #[serde(default = "super::defaults::two")]
    pub vintages: u32,
    /// Share of each site's MW filled with machines at the start, (0, 1].
    #[serde(default = "super::defaults::fill")]
    pub fill_share: f64,
    /// Log-sd of a site's efficiency around its model's nameplate (chips, firmware, cooling).
    #[serde(default = "super::defaults::efficiency_spread")]
    pub efficiency_spread_log_sd: f64,
    /// Share of a site's delivered power price owed on its connected machines whether they run
    /// or not (demand and capacity charges, take-or-pay minimums), [0, 1].
    #[serde(default = "super::defaults::power_fixed_share")]
    pub power_fixed_share: DistSpec,
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
    /// Fee a pay-per-share (FPPS) pool keeps of the expected value of its miners' work,
    /// [0, 0.5].
    #[serde(default = "super::defaults::pool_fee")]
    pub pool_fee: f64,
    /// Share of generated operators that mine solo (paid whole blocks), [0, 1].
    #[serde(default)]
    pub solo_share: f64,
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
#[serde(default, deny_unknown_fields)]
pub struct FinanceSpec {
    /// Whether operators keep books at all; without, nobody sells BTC or goes bankrupt.
    pub enabled: bool,
    /// BTC held per MW of site.
    pub treasury_btc_per_mw: DistSpec,
    pub cash_usd_per_mw: DistSpec,
    pub debt_usd_per_mw: DistSpec,
    /// Annual interest on debt.
    pub interest_rate: f64,
    /// Credit line per MW for operators of at least `credit_min_mw` (access to capital
    /// markets); smaller operators get none.
    pub credit_usd_per_mw: f64,
    pub credit_min_mw: f64,
    /// Share of mined BTC sold the same day.
    pub sell_share: f64,
}

/// How generated operators think.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BehaviourSpec {
    /// Shares of operators using each expectation rule (normalised).
    pub myopic: f64,
    pub adaptive: f64,
    pub halving_aware: f64,
    /// Annual discount rate for investment decisions.
    pub hurdle_rate: DistSpec,
}

/// The AI/HPC hosting market miners can convert capacity to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiSpec {
    /// Hosting demand open to miners on day 0, MW.
    pub demand_mw: f64,
    /// Growth of that demand, a fraction per year.
    pub demand_growth_per_year: f64,
    /// Contract revenue per MW of IT capacity per year, USD.
    pub revenue_usd_per_mw_year: f64,
    /// Share of revenue spent operating the hall (the tenant pays power through).
    pub opex_share: f64,
    pub capex_usd_per_mw: f64,
    /// Days from decision to a hall earning revenue; the capacity earns nothing meanwhile.
    pub build_days: u32,
    pub contract_years: f64,
    /// Smallest conversion tenants accept, MW.
    pub min_mw: f64,
    /// Most of a site an operator converts at once.
    pub max_share_of_site: f64,
    /// Share of displaced machines kept in storage (the rest is sold at once).
    pub keep_hardware_share: f64,
    /// Share of sites with the power, land and fibre to convert to AI hosting, [0, 1]; the
    /// others never ask.
    pub convertible_share: f64,
}

/// Hardware markets and ageing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HardwareSpec {
    /// A catalog file relative to the scenario; default: the bundled scenarios/hardware.toml.
    pub catalog: Option<String>,
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
    /// Days from the sale of a used machine to its running at the buyer's site (shipping,
    /// customs, installation).
    pub relocation_days: u32,
    /// One-off cost of restarting idle machines, USD per TH/s (hysteresis).
    pub restart_cost_usd_per_th: f64,
    /// Days in which a restart must pay back its cost.
    pub restart_payback_days: f64,
    /// Makers' output of new machines, EH/s per month: the delivery queue is served at this
    /// rate (and the attack metrics' new-hardware lead time).
    pub manufacturing_eh_s_per_month: f64,
    /// Elasticity of the new-machine price per TH/s to hashprice (its moving average).
    pub price_elasticity: f64,
    /// Machines in transit at day 0, EH/s; default: the steady-state pipeline,
    /// manufacturing rate x lead time.
    pub initial_order_book_eh_s: Option<f64>,
}

/// Assumptions of the security metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSpec {
    /// Whether to compute the attack-cost and double-spend columns each day.
    pub attack_metrics: bool,
    /// Share of all hashrate the attacker needs (0.51: a majority).
    pub attack_share: f64,
    pub attack_hours: f64,
    /// Facility capex for new machines, USD per MW (mining sites: ~$0.3-0.8M/MW).
    pub facility_usd_per_mw: f64,
    /// Cost of putting dormant machines back to work (dark or idle sites), USD per MW.
    pub dormant_facility_usd_per_mw: f64,
    pub attacker_power_usd_per_kwh: f64,
    /// Price of new machines for the attack, USD per TH/s; default: the catalog frontier's.
    pub attack_hardware_usd_per_th: Option<f64>,
    /// Share of network hashrate for hire on rental markets.
    pub rental_share: f64,
    /// Premium of rented hashrate over hashprice.
    pub rental_premium: f64,
    /// The rental marketplace's fee on the buyer, a share of the order.
    pub rental_fee: f64,
    /// Share of a bribed pool's miners who leave once its attack is seen.
    pub pool_defection_share: f64,
    /// Years of the leavers' fees a bribed pool's operator wants covered.
    pub pool_franchise_years: f64,
    /// Premium over forgone revenue that a bribed coalition demands.
    pub bribe_premium: f64,
    /// Share of a bribed coalition's machine value the bribe must cover (their capital at risk).
    pub bribe_capital_share: f64,
    /// Budget whose affordable attacker share sets the daily double-spend risk, USD.
    pub risk_budget_usd: f64,
    pub risk_confirmations: u32,
    /// `summary.csv` records the first day the Nakamoto coefficient (50%, by operator group)
    /// falls below this.
    pub nakamoto_threshold: u32,
    /// Eyal & Sirer's gamma: the share of honest hashrate that mines on a selfish pool's block
    /// in a tie, 0..1.
    pub selfish_mining_gamma: f64,
}

/// When and how operators take strategic decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrategySpec {
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
    /// Largest expansion decided at once, a share of the site's mining MW (0: no building).
    pub max_expansion_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub name: String,
    pub share: f64,
    /// This jurisdiction's power price distribution, replacing the population's.
    #[serde(default)]
    pub power_usd_per_kwh: Option<DistSpec>,
    /// Sites on demand-response contracts and the hours a day they stand down, by month.
    #[serde(default)]
    pub demand_response: Option<DemandResponseSpec>,
}

/// `demand_response = { share = 0.4, curtailed_hours_per_day = [0, 0, 0, 0, 0, 4, 5, 5, 3, 0, 0, 0] }`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandResponseSpec {
    /// Probability that a generated site in the jurisdiction holds such a contract.
    pub share: f64,
    /// Mean hours a day such a site stands down, January to December (12 values).
    pub curtailed_hours_per_day: Vec<f64>,
    /// What a kWh not used in those hours is worth to the site, USD (avoided peak charges and
    /// power sold back): a machine takes the hours when it would earn less mining them.
    #[serde(default = "super::defaults::peak_value")]
    pub peak_value_usd_per_kwh: f64,
}

/// A mining pool: `[[pools]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub name: String,
    /// Share of the pooled hashrate that mines in it on day 0 (the pools' shares sum to 1).
    pub share: f64,
    /// The pools that build their blocks from one operator's templates share a group; default:
    /// the pool's own name.
    #[serde(default)]
    pub template_group: Option<String>,
    /// What the pool keeps of its miners' pay, 0..0.5; default `population.pool_fee`.
    #[serde(default)]
    pub fee: Option<f64>,
    /// How it pays: `"fpps"` (the expected value of the work, whatever blocks the pool found)
    /// or `"pplns"` (a share of the blocks it found that day).
    #[serde(default)]
    pub scheme: PayoutScheme,
    /// Where it is run from (a jurisdiction's name); none: no home for operators to prefer.
    #[serde(default)]
    pub jurisdiction: Option<String>,
}

/// `[pool_choice]`: operators choose a pool as a logit over pools (docs/MODEL.md, "Pool
/// choice"); each keeps its pool unless another is better by more than the switching cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoolChoiceSpec {
    /// Whether operators reconsider their pool at their strategy reviews.
    pub enabled: bool,
    /// Utility lost per unit of revenue share a pool costs (`beta`): a point of fee costs
    /// `beta / 100` against tastes of unit scale.
    pub fee_sensitivity: f64,
    /// What moving to another pool costs, a share of revenue.
    pub switching_cost: f64,
    /// What a pool run from another jurisdiction costs, a share of revenue.
    pub home_bias: f64,
    /// Relative risk aversion pricing a PPLNS payout's variance.
    pub risk_aversion: f64,
    /// Days over which an operator's income must meet its bills (the variance's horizon).
    pub payout_horizon_days: f64,
}

/// One named operator with fixed values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorSpec {
    pub name: String,
    pub hashrate_th_s: f64,
    pub efficiency_j_per_th: f64,
    pub power_usd_per_kwh: f64,
    #[serde(default = "super::defaults::jurisdiction")]
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
    #[serde(default)]
    pub expectation: Expectation,
    #[serde(default = "super::defaults::hurdle_rate")]
    pub hurdle_rate: f64,
    /// Overrides the population's decision rule for this operator.
    #[serde(default)]
    pub decision: Option<DecisionRule>,
    /// How it is paid: `"pool"` (FPPS, less `population.pool_fee`) or `"solo"` (whole blocks).
    #[serde(default)]
    pub payout: Payout,
    /// Whether its site can convert to AI hosting; default: drawn as for generated sites
    /// (`ai.convertible_share`).
    #[serde(default)]
    pub convertible: Option<bool>,
    /// Fixed share of its power price, [0, 1]; default: drawn as for generated sites
    /// (`population.power_fixed_share`).
    #[serde(default)]
    pub power_fixed_share: Option<f64>,
    /// The `[[pools]]` name it mines in (pooled payout only); default: assigned as generated
    /// operators are, to the pool furthest below its share.
    #[serde(default)]
    pub pool: Option<String>,
}

/// A scheduled shock. `day` is the simulated day whose start it happens at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventSpec {
    /// The price moves by `change` (e.g. -0.38), spread geometrically over `over_days` days.
    PriceShock {
        day: u32,
        change: f64,
        #[serde(default = "super::defaults::one")]
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
    /// A pool's FPPS fee becomes `fee` (what its members are paid from then on).
    PoolFee { day: u32, pool: String, fee: f64 },
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
            | EventSpec::PoolFee { day, .. }
            | EventSpec::AiShock { day, .. } => day,
        }
    }
}
