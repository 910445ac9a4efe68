//! The world a run simulates: the chain, the markets, the operators and what the day leaves
//! for the observer. State and small accessors only; the world is built in `build.rs`, shocked
//! in `shocks.rs` and moved a day forward in `day.rs`.

use super::curtail::Curtailment;
use super::shocks::Effect;
use crate::agents::finance::DayFlows;
use crate::agents::hardware::Catalog;
use crate::agents::operator::OperatorState;
use crate::agents::Population;
use crate::chain::block_subsidy;
use crate::chain::fees::FeeModel;
use crate::chain::retarget::{retarget_outlook, RetargetOutlook, TARGET_SPACING_S};
use crate::chain::RETARGET_INTERVAL;
use crate::market::secondary::Pricing;
use crate::market::supply::{HalvingOutlook, SupplyCurve};
use crate::market::{AiMarket, HardwareMarket, PriceProcess, SecondaryMarket};
use crate::scenario::params::{HardwareParams, MetricsParams, PoolChoiceParams, StrategyRules};
use crate::units::{hashprice_usd_per_th_day, HASHES_PER_DIFFICULTY, HASH_PER_TH, SECONDS_PER_DAY};
use serde::Serialize;

/// The chain as the simulation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainState {
    /// Height of the tip; the next block is `height + 1`.
    pub height: u64,
    /// Compact target of the next block.
    pub bits: u32,
    /// Difficulty of `bits` (Core's `GetDifficulty`).
    pub difficulty: f64,
    /// Timestamp (whole seconds since the run's start; negative before it) of the first block
    /// of the current epoch, once known.
    pub epoch_first_time_s: Option<i64>,
    pub retargets: u32,
}

impl ChainState {
    /// Block arrival rate at `active_th_s`: `H / (D * 2^32)` blocks per second.
    pub fn block_rate_per_s(&self, active_th_s: f64) -> f64 {
        active_th_s * HASH_PER_TH / (self.difficulty * HASHES_PER_DIFFICULTY)
    }
}

/// One line of `events.csv`: something an operator did.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct LogEvent {
    pub replicate: u32,
    pub day: u32,
    pub operator: usize,
    /// pivot, ai_online, contract_renewed, contract_returned, upgrade, site_build, site_online,
    /// exit, bankruptcy, pool_switch (it moved to another pool: its installed MW and TH/s),
    /// acquisition, rescue (a group pays a defaulted member's shortfall), ban, relocation (a
    /// banned operator moves), used_purchase, sale (idle machines sold), swap_sale (machines a
    /// delivery of new ones pushed out, sold), site_build, site_online.
    pub kind: &'static str,
    pub mw: f64,
    pub th_s: f64,
    pub value_usd: f64,
    /// The other party (the acquirer of an acquisition), if any.
    pub counterparty: Option<usize>,
}

/// Per-day flows that the engine reports in the day's row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayStats {
    pub power_cost_usd: f64,
    pub energy_mwh: f64,
    pub btc_sold: f64,
    pub btc_sold_forced: f64,
    pub ai_revenue_usd: f64,
    pub capex_usd: f64,
    /// New machines ordered today, TH/s (they join the makers' queue at the day's end).
    pub ordered_th_s: f64,
    pub pivots: u32,
    pub exits: u32,
    pub bankruptcies: u32,
    pub acquisitions: u32,
    pub contracts_returned: u32,
    pub hashprice_usd_per_th_day: f64,
}

/// Everything that changes during a run.
#[derive(Debug, Clone)]
pub struct World {
    pub replicate: u32,
    pub replicate_seed: u64,
    pub chain: ChainState,
    pub price: PriceProcess,
    pub fee_model: FeeModel,
    pub fee_mean_btc: f64,
    pub fee_multiplier: f64,
    pub population: Population,
    pub ai: AiMarket,
    pub secondary: SecondaryMarket,
    /// The makers' order book for new machines.
    pub hardware_market: HardwareMarket,
    pub catalog: Catalog,
    pub hardware: HardwareParams,
    pub strategy: StrategyRules,
    pub metrics: MetricsParams,
    /// Share of displaced machines kept in storage at a conversion.
    pub keep_hardware_share: f64,
    pub max_pivot_share: f64,
    /// Median power price of the population: what a typical buyer of used machines pays.
    pub reference_power_usd_per_kwh: f64,
    /// Fee an FPPS pool keeps of its miners' expected revenue (`population.pool_fee`).
    pub pool_fee: f64,
    /// Moving average of the net hashprice (`World::net_hashprice_usd_per_th_day`), for
    /// adaptive expectations.
    pub hashprice_ema_usd_per_th_day: f64,
    /// Hashrate that ran yesterday (the census'), TH/s: the pace at which the chain expects the
    /// epoch to go on. Before day 0, the difficulty's on-schedule hashrate.
    pub running_th_s: f64,
    /// Running hashrate of each pool yesterday (the census'), TH/s; before day 0, installed:
    /// the sizes operators choose pools by.
    pub pool_th_s: Vec<f64>,
    /// `[pool_choice]`.
    pub pool_choice: PoolChoiceParams,
    /// The network's merit order, taken at each day's opening (installed mining machines and
    /// machines on order, by energy cost): where buyers read what a halving will leave.
    pub supply: SupplyCurve,
    /// Whether no machine has changed since `supply` was taken (only merit days, which
    /// switch machines on and off, have run since): the curve need not be taken again.
    pub supply_current: bool,
    /// The order book and mining MW as the census of a full day counted them, with the day
    /// whose opening they are for (the next): that opening reads them instead of walking the
    /// operators again. Cleared by anything that changes operators in between (a scheduled
    /// effect); a merit day leaves it for a later day, which does not take it.
    pub investment_carried: Option<(u32, super::snapshot::InvestmentCensus)>,
    /// What the merit order says of the next halvings, as of the day's opening.
    pub halving_outlook: HalvingOutlook,
    /// Trend of difficulty growth: moving average of daily log changes, per day.
    pub growth_trend_per_day: f64,
    /// Difficulty at the previous day's opening (the trend's last point).
    pub difficulty_yesterday: f64,
    /// Scheduled effects by day, in file order within a day.
    pub schedule: Vec<(u32, Effect)>,
    /// Days since 1970-01-01 of day 0.
    pub start_date_days: i64,
    pub days: u32,
    /// `simulation.merit_order`: whether hashprice-only days run on the merit order.
    pub merit_order: bool,
    /// Operator actions not yet handed to the observer.
    pub log: Vec<LogEvent>,
    /// `population.finance.enabled`: whether operators keep books.
    pub finance_enabled: bool,
    /// `population.finance.sell_share`: the share of mined BTC every operator sells daily.
    pub sell_share: f64,
    /// `population.finance.interest_rate`: every operator's rate on its debt, per year.
    pub interest_rate: f64,
    /// Demand-response schedules and today's uptimes.
    pub curtailment: Curtailment,
    /// Operators found insolvent at yesterday's settlement, resolved (bought or closed) at the
    /// start of today: their machines ran, and were paid for, until then.
    pub in_default: Vec<usize>,
    /// Capex and sales decided today by operators whose settlement waits for the day's AI
    /// grants (those after the day's first conversion request); emptied as they settle.
    pub flows: Vec<DayFlows>,
}

impl World {
    /// Keeps the census' running hashrate of each pool for tomorrow's choices.
    pub(super) fn keep_pool_sizes(&mut self, census: &super::census::Census) {
        let n = self.pool_th_s.len();
        for (j, th) in self.pool_th_s.iter_mut().enumerate() {
            *th = census.by_pool_th_s.get(j).copied().unwrap_or(0.0);
        }
        debug_assert_eq!(n, self.population.pools.names.len());
    }

    /// Today's expected fees per block, BTC.
    pub fn fee_level_btc(&self) -> f64 {
        self.fee_mean_btc * self.fee_multiplier
    }

    /// Hashprice today at the current difficulty, USD per TH/s per day.
    pub fn hashprice_usd_per_th_day(&self) -> f64 {
        let reward = block_subsidy(self.chain.height + 1).to_btc() + self.fee_level_btc();
        hashprice_usd_per_th_day(self.chain.difficulty, reward, self.price.price_usd())
    }

    /// The next retarget as the chain foresees it at the start of day `d`, from the current
    /// epoch's elapsed time and yesterday's running hashrate (`chain::retarget::retarget_outlook`).
    pub fn retarget_outlook(&self, d: u32) -> RetargetOutlook {
        let c = &self.chain;
        let blocks_done = (c.height + 1) % RETARGET_INTERVAL;
        let blocks_left = RETARGET_INTERVAL - blocks_done;
        let now_s = f64::from(d) * SECONDS_PER_DAY;
        let elapsed_s = match c.epoch_first_time_s {
            Some(first) if blocks_done > 0 => now_s - first as f64,
            _ => blocks_done as f64 * TARGET_SPACING_S as f64,
        };
        let rate = c.block_rate_per_s(self.running_th_s);
        let interval_s = if rate > 0.0 { 1.0 / rate } else { f64::INFINITY };
        retarget_outlook(elapsed_s, blocks_left, interval_s)
    }

    /// What a TH/s earns today in a pool, USD per day: the gross hashprice less the pool fee.
    /// Operators decide on this (solo miners too: a solo miner's expected revenue is the
    /// gross, but it bears the variance a pool's fee insures, so it weighs its hashrate the
    /// same; see docs/MODEL.md, "Pooled revenue").
    pub fn net_hashprice_usd_per_th_day(&self) -> f64 {
        self.hashprice_usd_per_th_day() * (1.0 - self.pool_fee)
    }

    /// How the secondary market prices machines today.
    pub fn pricing(&self) -> Pricing {
        Pricing {
            hashprice_usd_per_th_day: self.hashprice_usd_per_th_day(),
            reference_power_usd_per_kwh: self.reference_power_usd_per_kwh,
            horizon_days: self.strategy.horizon_days,
            scrap_usd_per_th: self.hardware.scrap_usd_per_th,
        }
    }

    /// Every machine that exists, wherever it is (sites of active operators, storage for AI
    /// conversions, the secondary market), TH/s: what the hashrate-by-state columns add up to.
    pub fn total_machines_th_s(&self) -> f64 {
        let at_sites: f64 = self
            .population
            .operators
            .iter()
            .filter(|o| o.state == OperatorState::Active)
            .flat_map(|o| o.fleet.iter().chain(o.ai().iter().flat_map(|p| p.stored.iter())))
            .map(|v| v.th_s)
            .sum();
        at_sites + self.secondary.lots.iter().map(|l| l.th_s).sum::<f64>()
    }

    /// The attack assumptions of `[metrics]`.
    pub fn attack_params(&self) -> crate::metrics::attack::AttackParams {
        let m = &self.metrics;
        crate::metrics::attack::AttackParams {
            hours: m.attack_hours,
            facility_usd_per_mw: m.facility_usd_per_mw,
            dormant_facility_usd_per_mw: m.dormant_facility_usd_per_mw,
            attacker_power_usd_per_kwh: m.attacker_power_usd_per_kwh,
            rental_share: m.rental_share,
            rental_premium: m.rental_premium,
            rental_fee: m.rental_fee,
            bribe_premium: m.bribe_premium,
            bribe_capital_share: m.bribe_capital_share,
            manufacturing_th_s_per_day: self.hardware.manufacturing_eh_s_per_month * crate::units::TH_PER_EH
                / crate::units::DAYS_PER_MONTH,
            pool_bribe: crate::metrics::pool_bribe::PoolBribeTerms {
                defection_share: m.pool_defection_share,
                franchise_years: m.pool_franchise_years,
                premium: m.bribe_premium,
            },
        }
    }

    /// Calendar year (decimal) of day `d`.
    pub fn year(&self, d: u32) -> f64 {
        1970.0 + (self.start_date_days + i64::from(d)) as f64 / 365.2425
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn log_event(
        &mut self,
        day: u32,
        operator: usize,
        kind: &'static str,
        mw: f64,
        th_s: f64,
        value_usd: f64,
        counterparty: Option<usize>,
    ) {
        self.log.push(LogEvent { replicate: self.replicate, day, operator, kind, mw, th_s, value_usd, counterparty });
    }

    /// Sells every machine of operator `i` (fleet and stored) on the secondary market, ends
    /// its AI contracts and closes the site. Returns the sale proceeds.
    pub(super) fn close_down(&mut self, i: usize, day: u32, pricing: &Pricing, state: OperatorState) -> f64 {
        let op = &mut self.population.operators[i];
        let mut proceeds = 0.0;
        for v in op.fleet.drain(..).chain(op.projects.ai_mut().iter_mut().flat_map(|p| p.stored.drain(..))) {
            proceeds += v.th_s * pricing.price_usd_per_th(v.j_per_th);
            self.secondary.list(v.th_s, v.j_per_th, day);
        }
        for p in op.projects.take_ai() {
            self.ai.release(p.mw);
        }
        op.projects.cancel_orders();
        op.state = state;
        proceeds
    }
}
