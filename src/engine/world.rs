//! The world a run simulates, built from a scenario and a replicate number, and the daily
//! operator step: every operator decides on the same observed market (pure functions in
//! `agents::decision`), then shared markets resolve conflicts by priority, never by the order
//! operators were visited.

use super::census::{Census, FleetTally, Totals};
use crate::agents::decision::{
    renew_contract, run_vintage, strategic, AiOffer, HardwareOffer, MarketView, OperatorView, Strategy, StrategyParams,
};
use crate::agents::finance::{settle_day, DayFlows};
use crate::agents::hardware::{remove_least_efficient, Catalog, Vintage};
use crate::agents::operator::{AiProject, Operator, OperatorState, Order};
use crate::agents::{generate, Population};
use crate::chain::fees::FeeModel;
use crate::chain::retarget::{RETARGET_INTERVAL, TARGET_SPACING_S};
use crate::chain::{bits_from_difficulty, block_subsidy, difficulty_from_bits, next_halving_height};
use crate::error::{Error, Location, Result};
use crate::market::ai::Request;
use crate::market::secondary::Pricing;
use crate::market::{AiMarket, PriceModel, PriceProcess, SecondaryMarket};
use crate::rng::{replicate_seed, stream, Purpose, SimRng};
use crate::scenario::schema::{CalibrateTo, HardwareSpec, MetricsSpec, StrategySpec};
use crate::scenario::{DecisionRule, EventSpec, Fees, LoadedScenario, Price, Scenario};
use crate::units::{
    hashprice_usd_per_th_day, hashrate_th_s_for_interval, power_cost_usd_per_th_day, HASHES_PER_DIFFICULTY, HASH_PER_TH,
};
use rand::Rng;
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

/// What a scheduled scenario event does when its time comes.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    PriceFactor(f64),
    FeeMultiplier(f64),
    HashrateFactor { jurisdiction: Option<u16>, factor: f64 },
    Ban { jurisdiction: u16, share: f64 },
    PowerFactor { jurisdiction: Option<u16>, factor: f64 },
    Ai { revenue_factor: f64, demand_factor: f64, terminate_share: f64 },
}

/// One line of `events.csv`: something an operator did.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct LogEvent {
    pub replicate: u32,
    pub day: u32,
    pub operator: usize,
    /// pivot, ai_online, contract_renewed, contract_returned, upgrade, exit, bankruptcy,
    /// acquisition, ban.
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
    pub catalog: Catalog,
    pub hardware: HardwareSpec,
    pub strategy: StrategySpec,
    pub metrics: MetricsSpec,
    /// Share of displaced machines kept in storage at a conversion.
    pub keep_hardware_share: f64,
    pub max_pivot_share: f64,
    /// Median power price of the population: what a typical buyer of used machines pays.
    pub reference_power_usd_per_kwh: f64,
    /// Moving average of hashprice, for adaptive expectations.
    pub hashprice_ema_usd_per_th_day: f64,
    /// Scheduled effects by day, in file order within a day.
    pub schedule: Vec<(u32, Effect)>,
    /// Days since 1970-01-01 of day 0.
    pub start_date_days: i64,
    pub days: u32,
    /// Operator actions not yet handed to the observer.
    pub log: Vec<LogEvent>,
    /// `population.finance.enabled`: whether operators keep books.
    pub finance_enabled: bool,
    /// Operators found insolvent at yesterday's settlement, resolved (bought or closed) at the
    /// start of today: their machines ran, and were paid for, until then.
    pub in_default: Vec<usize>,
    /// Capex and sales decided today by operators whose settlement waits for the day's AI
    /// grants (those after the day's first conversion request); emptied as they settle.
    pub flows: Vec<DayFlows>,
}

impl World {
    pub fn build(loaded: &LoadedScenario, replicate: u32) -> Result<World> {
        let s = &loaded.scenario;
        let rseed = replicate_seed(s.simulation.seed, replicate.into());
        let mut pop_rng = stream(rseed, Purpose::Population);
        let catalog = loaded.catalog.clone();

        let given_bits = match (&s.chain.bits, s.chain.difficulty) {
            (Some(_), _) => loaded.params.chain_bits,
            (None, Some(d)) => Some(bits_from_difficulty(d)),
            (None, None) => None,
        };
        let price0 = match &s.price {
            Price::Constant { initial_usd } | Price::Gbm { initial_usd, .. } => *initial_usd,
            Price::Csv { .. } => loaded.price_path_usd.as_ref().map_or(0.0, |p| p[0]),
        };
        let mut population = generate(s, &catalog, &mut pop_rng)?;
        let bits = match given_bits {
            Some(bits) => {
                if s.population.total_hashrate_eh_s.is_none() {
                    let d = difficulty_from_bits(bits);
                    let reward = block_subsidy(s.chain.height + 1).to_btc() + s.fees.mean_btc_per_block();
                    let hp0 = hashprice_usd_per_th_day(d, reward, price0);
                    let target_th_s = hashrate_th_s_for_interval(d, TARGET_SPACING_S as f64);
                    calibrate(&mut population, s, hp0, target_th_s, &loaded.source)?;
                }
                bits
            }
            None => {
                let installed = population.installed_th_s();
                bits_from_difficulty(crate::units::difficulty_for_hashrate(installed, TARGET_SPACING_S as f64).max(1.0))
            }
        };
        population.finish_balance_sheets(s);

        let h = s.chain.height;
        let next = h + 1;
        let first_of_epoch = next - next % RETARGET_INTERVAL;
        let epoch_first_time_s = if first_of_epoch <= h {
            let elapsed = s.chain.epoch_elapsed_s.unwrap_or(((h - first_of_epoch) * TARGET_SPACING_S as u64) as f64);
            Some(-(elapsed.round() as i64))
        } else {
            None
        };
        let chain =
            ChainState { height: h, bits, difficulty: difficulty_from_bits(bits), epoch_first_time_s, retargets: 0 };

        let price = match &s.price {
            Price::Constant { initial_usd } => PriceProcess::new(PriceModel::Constant, *initial_usd),
            Price::Gbm { initial_usd, log_return_mean_per_day, log_return_sd_per_day } => PriceProcess::new(
                PriceModel::Gbm { mean: *log_return_mean_per_day, sd: *log_return_sd_per_day },
                *initial_usd,
            ),
            Price::Csv { .. } => {
                PriceProcess::new(PriceModel::Path(loaded.price_path_usd.clone().unwrap_or_default()), price0)
            }
        };
        let fee_model = match s.fees {
            Fees::Constant { .. } => FeeModel::Constant,
            Fees::Lognormal { log_sd, .. } => FeeModel::LogNormal { log_sd },
        };

        let schedule = schedule(s, &population);
        let mut powers: Vec<f64> = population.operators.iter().map(|o| o.power_usd_per_kwh).collect();
        powers.sort_by(f64::total_cmp);
        let reference_power_usd_per_kwh = powers.get(powers.len() / 2).copied().unwrap_or(0.05);
        let reward0 = block_subsidy(h + 1).to_btc() + s.fees.mean_btc_per_block();

        Ok(World {
            replicate,
            replicate_seed: rseed,
            hashprice_ema_usd_per_th_day: hashprice_usd_per_th_day(chain.difficulty, reward0, price0),
            chain,
            price,
            fee_model,
            fee_mean_btc: s.fees.mean_btc_per_block(),
            fee_multiplier: 1.0,
            population,
            ai: AiMarket::new(&s.ai),
            secondary: SecondaryMarket::default(),
            catalog,
            hardware: s.hardware.clone(),
            strategy: s.strategy.clone(),
            metrics: s.metrics.clone(),
            keep_hardware_share: s.ai.keep_hardware_share,
            max_pivot_share: s.ai.max_share_of_site,
            reference_power_usd_per_kwh,
            schedule,
            start_date_days: loaded.params.start_date_days,
            days: s.simulation.days,
            log: Vec::new(),
            in_default: Vec::new(),
            flows: Vec::new(),
            finance_enabled: s.population.finance.enabled,
        })
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
            .flat_map(|o| o.fleet.iter().chain(o.ai.iter().flat_map(|p| p.stored.iter())))
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
            bribe_premium: m.bribe_premium,
            bribe_capital_share: m.bribe_capital_share,
            manufacturing_th_s_per_day: m.manufacturing_eh_s_per_month * crate::units::TH_PER_EH / 30.0,
        }
    }

    /// Calendar year (decimal) of day `d`.
    pub fn year(&self, d: u32) -> f64 {
        1970.0 + (self.start_date_days + i64::from(d)) as f64 / 365.2425
    }

    /// Applies one scheduled effect. `rng` serves the random parts (which operators a ban or an
    /// AI termination hits).
    pub fn apply(&mut self, effect: &Effect, day: u32, rng: &mut SimRng) {
        let in_j = |o: &Operator, j: Option<u16>| j.is_none_or(|j| o.jurisdiction == j);
        match *effect {
            Effect::PriceFactor(f) => self.price.shock(f - 1.0),
            Effect::FeeMultiplier(x) => self.fee_multiplier = x,
            Effect::HashrateFactor { jurisdiction, factor } => {
                for o in self.population.operators.iter_mut().filter(|o| in_j(o, jurisdiction)) {
                    for v in &mut o.fleet {
                        v.th_s *= factor;
                    }
                    // A shock of -100% leaves no machines, not vintages of 0 TH/s that "run".
                    o.fleet.retain(|v| v.th_s > 0.0);
                }
            }
            Effect::Ban { jurisdiction, share } => {
                let pricing = self.pricing();
                for i in 0..self.population.operators.len() {
                    let o = &self.population.operators[i];
                    if o.jurisdiction == jurisdiction && o.state == OperatorState::Active && rng.random::<f64>() < share
                    {
                        let th = o.installed_th_s();
                        self.close_down(i, day, &pricing, OperatorState::Exited);
                        self.log_event(day, i, "ban", 0.0, th, 0.0, None);
                    }
                }
            }
            Effect::PowerFactor { jurisdiction, factor } => {
                for o in self.population.operators.iter_mut().filter(|o| in_j(o, jurisdiction)) {
                    o.power_usd_per_kwh *= factor;
                }
            }
            Effect::Ai { revenue_factor, demand_factor, terminate_share } => {
                self.ai.revenue_usd_per_mw_year *= revenue_factor;
                self.ai.demand_mw *= demand_factor;
                for o in self.population.operators.iter_mut().filter(|o| o.state == OperatorState::Active) {
                    for p in &mut o.ai {
                        if rng.random::<f64>() < terminate_share {
                            // Handled by today's contract-end step, without renewal.
                            p.end_day = day;
                            p.terminated = true;
                        }
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn log_event(
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
    fn close_down(&mut self, i: usize, day: u32, pricing: &Pricing, state: OperatorState) -> f64 {
        let op = &mut self.population.operators[i];
        let mut proceeds = 0.0;
        for v in op.fleet.drain(..).chain(op.ai.iter_mut().flat_map(|p| p.stored.drain(..))) {
            proceeds += v.th_s * pricing.price_usd_per_th(v.j_per_th);
            self.secondary.list(v.th_s, v.j_per_th, day);
        }
        for p in op.ai.drain(..) {
            self.ai.release(p.mw);
        }
        op.orders.clear();
        op.state = state;
        proceeds
    }

    /// One day of every active operator, in phases: (0) yesterday's insolvencies are bought or
    /// closed; (1) each operator takes deliveries, ends contracts, ages its machines, decides
    /// which run and takes its strategic decision; (2) the AI market grants conversions;
    /// (3) each operator settles the day for the machines that run after all that, so the
    /// power paid is exactly that of the observed running hashrate.
    ///
    /// Phase 2 only touches operators that asked for a conversion, so an operator is settled
    /// right after its decisions (one pass over the operators) until the day's first request;
    /// the operators from there on are settled after the grants. Either way operators settle
    /// in index order, so every daily sum is added in the same order.
    pub fn operate_day(&mut self, d: u32, census: &mut Census) -> DayStats {
        let hp = self.hashprice_usd_per_th_day();
        let alpha = 1.0 - 0.5f64.powf(1.0 / self.strategy.adaptive_half_life_days);
        if d > 0 {
            self.hashprice_ema_usd_per_th_day += alpha * (hp - self.hashprice_ema_usd_per_th_day);
            self.ai.advance_day();
        }
        let subsidy = block_subsidy(self.chain.height + 1).to_btc();
        let reward = subsidy + self.fee_level_btc();
        let market = MarketView {
            hashprice_usd_per_th_day: hp,
            hashprice_ema_usd_per_th_day: self.hashprice_ema_usd_per_th_day,
            subsidy_share: if reward > 0.0 { subsidy / reward } else { 0.0 },
            days_to_halving: (next_halving_height(self.chain.height) - self.chain.height) as f64
                * TARGET_SPACING_S as f64
                / 86_400.0,
            btc_price_usd: self.price.price_usd(),
        };
        let pricing = self.pricing();
        self.secondary.scrap(d, self.hardware.scrap_after_days, &pricing);
        let (j_new, price_new) = self.catalog.frontier(self.year(d), self.hardware.frontier_improvement_per_year);
        let hw_offer =
            HardwareOffer { j_per_th: j_new, price_usd_per_th: price_new, life_years: self.hardware.life_years };
        let ai_offer = self.ai.offer();
        let demand_covers = self.ai.demand_covers_contracts();
        let decay = (-self.hardware.failure_rate_per_year / 365.0).exp();
        let params = StrategyParams {
            horizon_days: self.strategy.horizon_days,
            exit_after_idle_days: self.strategy.exit_after_idle_days,
        };
        let interval = self.strategy.interval_days;

        let mut stats = DayStats { hashprice_usd_per_th_day: hp, ..DayStats::default() };
        let defaulted = std::mem::take(&mut self.in_default);
        self.resolve_insolvencies(d, defaulted, &pricing, hp, &mut stats);
        let mut requests = Vec::new();
        let mut log = Vec::new();
        let n = self.population.operators.len();
        // Capex and sales of operators whose settlement waits for the grants.
        self.flows.resize(n, DayFlows::default());
        census.clear(n, self.population.jurisdictions.len());
        let books = Settlement {
            day: d,
            price_usd: self.price.price_usd(),
            opex_share: self.ai.opex_share,
            keep_books: self.finance_enabled,
        };
        let terms = StrategyTerms {
            day: d,
            market,
            ai_offer,
            hw_offer,
            params,
            pricing,
            max_pivot_share: self.max_pivot_share,
            lead_time_days: self.hardware.lead_time_days,
        };
        // Operators `..settled` have settled.
        let mut settled = 0;
        let mut sums = DaySums::default();
        for i in 0..n {
            let World { population, ai, secondary, hardware, flows, in_default, .. } = self;
            let op = &mut population.operators[i];
            if op.state != OperatorState::Active {
                if requests.is_empty() {
                    settle(i, op, DayFlows::default(), &books, &mut sums, census, in_default);
                    settled = i + 1;
                }
                continue;
            }
            if !op.orders.is_empty() {
                take_deliveries(op, d);
            }
            if !op.ai.is_empty() {
                let renewal = Renewal { day: d, hashprice_usd_per_th_day: hp, j_new, demand_covers, offer: &ai_offer };
                stats.contracts_returned += hosting_milestones(i, op, &renewal, ai, &mut log);
            }
            let any_running = operate_fleet(op, decay, hp, hardware);
            op.days_all_idle = if any_running { 0 } else { op.days_all_idle + 1 };
            // Strategy, staggered across operators; its capex and sales are settled in phase 3.
            let flow = if self.strategy.enabled && (d as usize + i).is_multiple_of(interval as usize) {
                take_strategy(i, op, &terms, secondary, &mut stats, &mut log, &mut requests)
            } else {
                DayFlows::default()
            };
            if requests.is_empty() {
                settle(i, op, flow, &books, &mut sums, census, in_default);
                settled = i + 1;
            } else {
                flows[i] = flow;
            }
        }
        for (i, kind, mw, th, value) in log {
            self.log_event(d, i, kind, mw, th, value, None);
        }

        self.grant_ai(d, requests, &pricing, &mut stats);
        let World { population, flows, in_default, .. } = self;
        let rest = population.operators.iter_mut().zip(flows.iter_mut()).enumerate().skip(settled);
        for (i, (op, flow)) in rest {
            settle(i, op, std::mem::take(flow), &books, &mut sums, census, in_default);
        }
        sums.store(&mut stats, census);
        stats
    }

    /// Converts granted capacity: pays the capex, takes the least efficient machines out
    /// (keeping a share in storage, selling the rest) and starts the build.
    fn grant_ai(&mut self, d: u32, requests: Vec<Request>, pricing: &Pricing, stats: &mut DayStats) {
        let offer = self.ai.offer();
        for (i, mw) in self.ai.allocate(requests) {
            let op = &mut self.population.operators[i];
            let capex = mw * offer.capex_usd_per_mw;
            let online_day = d + offer.build_days as u32;
            let mut project = AiProject {
                mw,
                online_day,
                end_day: online_day + (offer.contract_years * 365.0).round() as u32,
                revenue_usd_per_mw_year: offer.revenue_usd_per_mw_year,
                stored: Vec::new(),
                terminated: false,
            };
            op.ai.push(project.clone());
            let excess = op.installed_mw() - op.mining_mw();
            let displaced = remove_least_efficient(&mut op.fleet, excess.max(0.0));
            let mut sales = 0.0;
            let mut stored = Vec::new();
            for v in displaced {
                let keep = v.th_s * self.keep_hardware_share;
                if keep > 0.0 {
                    stored.push(Vintage { th_s: keep, j_per_th: v.j_per_th, running: false });
                }
                let sell = v.th_s - keep;
                sales += sell * pricing.price_usd_per_th(v.j_per_th);
                self.secondary.list(sell, v.j_per_th, d);
            }
            let th_stored: f64 = stored.iter().map(|v| v.th_s).sum();
            project.stored = stored;
            *op.ai.last_mut().expect("just pushed") = project;
            let flows = DayFlows { capex_usd: capex, sales_usd: sales, ..DayFlows::default() };
            op.balances = settle_day(op.balances, &flows, self.price.price_usd(), 0.0, 0.0).balances;
            stats.capex_usd += capex;
            stats.pivots += 1;
            self.log_event(d, i, "pivot", mw, th_stored, capex, None);
        }
    }

    /// Each insolvent operator's site is bought at a fire-sale price by the largest liquid
    /// group for which its machines still pay; if none will, its machines go to the secondary
    /// market and the site goes dark.
    fn resolve_insolvencies(
        &mut self,
        d: u32,
        insolvent: Vec<usize>,
        pricing: &Pricing,
        hp: f64,
        stats: &mut DayStats,
    ) {
        if insolvent.is_empty() {
            return;
        }
        let n = self.population.operators.len();
        let mut group_mw = vec![0.0; n];
        for o in self.population.operators.iter().filter(|o| o.state == OperatorState::Active) {
            group_mw[o.owner as usize] += o.site_mw;
        }
        let mut is_insolvent = vec![false; n];
        for &i in &insolvent {
            is_insolvent[i] = true;
        }
        for i in insolvent {
            let target = &self.population.operators[i];
            if target.state != OperatorState::Active {
                continue;
            }
            let value: f64 = target.fleet.iter().map(|v| v.th_s * pricing.price_usd_per_th(v.j_per_th)).sum::<f64>()
                * (1.0 - self.hardware.fire_sale_discount);
            let pays =
                target.fleet.iter().any(|v| hp >= power_cost_usd_per_th_day(v.j_per_th, target.power_usd_per_kwh));
            let target_owner = target.owner;
            let buyer = if pays {
                (0..n)
                    .filter(|&j| {
                        let b = &self.population.operators[j];
                        j != i
                            && !is_insolvent[j]
                            && b.state == OperatorState::Active
                            && b.rule == DecisionRule::Profitable
                            && b.owner != target_owner
                            && b.balances.liquidity_usd() >= value
                    })
                    .max_by(|&a, &b| {
                        let (ga, gb) = (
                            group_mw[self.population.operators[a].owner as usize],
                            group_mw[self.population.operators[b].owner as usize],
                        );
                        ga.total_cmp(&gb).then(b.cmp(&a))
                    })
            } else {
                None
            };
            match buyer {
                Some(j) => {
                    let price = self.price.price_usd();
                    let b = &mut self.population.operators[j];
                    b.balances =
                        settle_day(b.balances, &DayFlows { capex_usd: value, ..DayFlows::default() }, price, 0.0, 0.0)
                            .balances;
                    let owner = b.owner;
                    let t = &mut self.population.operators[i];
                    t.owner = owner;
                    t.balances = crate::agents::finance::Balances { credit_limit_usd: value, ..Default::default() };
                    t.days_all_idle = 0;
                    group_mw[owner as usize] += t.site_mw;
                    stats.acquisitions += 1;
                    let (mw, th) = (t.site_mw, t.installed_th_s());
                    self.log_event(d, i, "acquisition", mw, th, value, Some(j));
                }
                None => {
                    let th = self.population.operators[i].installed_th_s();
                    let mw = self.population.operators[i].site_mw;
                    let proceeds = self.close_down(i, d, pricing, OperatorState::Bankrupt);
                    stats.bankruptcies += 1;
                    self.log_event(d, i, "bankruptcy", mw, th, proceeds, None);
                }
            }
        }
    }
}

/// What an operator's strategic decision is taken on today.
struct StrategyTerms {
    day: u32,
    market: MarketView,
    ai_offer: AiOffer,
    hw_offer: HardwareOffer,
    params: StrategyParams,
    pricing: Pricing,
    max_pivot_share: f64,
    lead_time_days: u32,
}

/// Operator `i`'s strategic decision (`agents::decision::strategic`) and what it sets in
/// motion today: an exit sells the fleet, an upgrade orders machines and sells the worst, a
/// pivot asks the AI market for capacity (granted in phase 2). Returns the capex and sales to
/// settle.
///
/// Kept out of line: it runs for a few operators a day, and inlined into the daily pass its
/// calls would make the compiler keep the pass's running sums in memory rather than registers.
#[inline(never)]
fn take_strategy(
    i: usize,
    op: &mut Operator,
    t: &StrategyTerms,
    secondary: &mut SecondaryMarket,
    stats: &mut DayStats,
    log: &mut Vec<(usize, &'static str, f64, f64, f64)>,
    requests: &mut Vec<Request>,
) -> DayFlows {
    let d = t.day;
    let mut capex = 0.0;
    let mut sales = 0.0;
    let view = OperatorView {
        rule: op.rule,
        expectation: op.expectation,
        hurdle_rate: op.hurdle_rate,
        power_usd_per_kwh: op.power_usd_per_kwh,
        mining_mw: op.mining_mw(),
        fleet: op.fleet.iter().map(|v| (v.th_s, v.j_per_th)).collect(),
        liquidity_usd: op.balances.liquidity_usd(),
        hosts_ai: op.hosts_ai(),
        days_all_idle: op.days_all_idle,
        may_pivot: t.max_pivot_share > 0.0,
        max_pivot_share: t.max_pivot_share,
    };
    match strategic(&view, &t.market, &t.ai_offer, &t.hw_offer, &t.params) {
        Strategy::Hold => {}
        Strategy::Exit => {
            for v in op.fleet.drain(..) {
                sales += v.th_s * t.pricing.price_usd_per_th(v.j_per_th);
                secondary.list(v.th_s, v.j_per_th, d);
            }
            op.orders.clear();
            op.state = OperatorState::Exited;
            stats.exits += 1;
            log.push((i, "exit", op.site_mw, 0.0, sales));
        }
        Strategy::Pivot { mw } => {
            requests.push(Request { operator: i, mw, site_mw: op.site_mw, liquidity_usd: op.balances.liquidity_usd() })
        }
        Strategy::Upgrade { th_s, replace_worst_mw } => {
            for v in remove_least_efficient(&mut op.fleet, replace_worst_mw) {
                sales += v.th_s * t.pricing.price_usd_per_th(v.j_per_th);
                secondary.list(v.th_s, v.j_per_th, d);
            }
            let hw = &t.hw_offer;
            capex += th_s * hw.price_usd_per_th;
            op.orders.push(Order { th_s, j_per_th: hw.j_per_th, deliver_day: d + t.lead_time_days });
            log.push((i, "upgrade", th_s * hw.j_per_th / 1e6, th_s, th_s * hw.price_usd_per_th));
        }
    }
    stats.capex_usd += capex;
    DayFlows { capex_usd: capex, sales_usd: sales, ..DayFlows::default() }
}

/// What settlement adds up over the day's operators, in index order: the census' totals and
/// the day's flows. A plain value, kept in a local for the whole pass (see `census::Totals`).
#[derive(Debug, Clone, Copy, Default)]
struct DaySums {
    census: Totals,
    power_cost_usd: f64,
    energy_mwh: f64,
    btc_sold: f64,
    btc_sold_forced: f64,
    ai_revenue_usd: f64,
}

impl DaySums {
    /// Hands the sums over; settlement is the only step that adds to these fields of `stats`.
    fn store(self, stats: &mut DayStats, census: &mut Census) {
        census.totals = self.census;
        stats.power_cost_usd = self.power_cost_usd;
        stats.energy_mwh = self.energy_mwh;
        stats.btc_sold = self.btc_sold;
        stats.btc_sold_forced = self.btc_sold_forced;
        stats.ai_revenue_usd = self.ai_revenue_usd;
    }
}

/// The day's terms of settlement.
struct Settlement {
    day: u32,
    price_usd: f64,
    /// Share of hosting revenue spent on running the halls.
    opex_share: f64,
    /// `population.finance.enabled`.
    keep_books: bool,
}

/// Phase 3 for operator `i`: if active, it pays for the machines running now and collects its
/// block rewards and hosting revenue (defaulting until tomorrow if insolvent), and is counted
/// in the day's census (nothing changes between settlement and observation). `f` holds the
/// capex and sales it decided today.
#[inline(always)]
fn settle(
    i: usize,
    op: &mut Operator,
    mut f: DayFlows,
    books: &Settlement,
    sums: &mut DaySums,
    census: &mut Census,
    in_default: &mut Vec<usize>,
) {
    let d = books.day;
    if op.state != OperatorState::Active {
        census.count_closed(&mut sums.census, i, op);
        return;
    }
    let mut fleet = FleetTally::default();
    for v in &op.fleet {
        fleet.installed_th_s += v.th_s;
        sums.census.sites_th_s += v.th_s;
        if v.running {
            fleet.running_th_s += v.th_s;
            fleet.running_mw += v.mw();
            f.power_usd += v.th_s * power_cost_usd_per_th_day(v.j_per_th, op.power_usd_per_kwh);
            sums.energy_mwh += crate::units::energy_mwh_per_day(v.th_s, v.j_per_th);
        }
    }
    census.count_active(&mut sums.census, i, op, d, fleet);
    if !op.ai.is_empty() {
        f.ai_net_usd = op
            .ai
            .iter()
            .filter(|p| p.online(d))
            .map(|p| p.mw * p.revenue_usd_per_mw_year / 365.0 * (1.0 - books.opex_share))
            .sum();
    }
    f.mined_btc = op.mined_btc_unsettled;
    op.mined_btc_unsettled = 0.0;
    op.power_cost_usd += f.power_usd;
    sums.power_cost_usd += f.power_usd;
    if !books.keep_books {
        return;
    }
    let s = settle_day(op.balances, &f, books.price_usd, op.sell_share, op.interest_rate);
    op.balances = s.balances;
    op.btc_sold += s.btc_sold;
    op.ai_revenue_usd += f.ai_net_usd;
    sums.btc_sold += s.btc_sold;
    sums.btc_sold_forced += s.btc_forced;
    sums.ai_revenue_usd += f.ai_net_usd;
    if !s.solvent {
        in_default.push(i);
    }
}

/// What an AI contract ending today is weighed against.
struct Renewal<'a> {
    day: u32,
    hashprice_usd_per_th_day: f64,
    /// Efficiency of new machines, for capacity that comes back without stored machines.
    j_new: f64,
    demand_covers: bool,
    offer: &'a AiOffer,
}

/// Machines ordered earlier and due today join the fleet (idle until the run decision), in
/// the order they were ordered; the rest stay on order.
fn take_deliveries(op: &mut Operator, d: u32) {
    let fleet = &mut op.fleet;
    op.orders.retain(|o| {
        let due = o.deliver_day <= d;
        if due {
            fleet.push(Vintage { th_s: o.th_s, j_per_th: o.j_per_th, running: false });
        }
        !due
    });
}

/// Operator `i`'s AI halls coming online today, and contracts ending today: renewed if the
/// tenant stays and hosting still beats mining, otherwise the capacity and its stored machines
/// come back to mining. Returns the number of contracts returned.
fn hosting_milestones(
    i: usize,
    op: &mut Operator,
    r: &Renewal,
    ai: &mut AiMarket,
    log: &mut Vec<(usize, &'static str, f64, f64, f64)>,
) -> u32 {
    let (d, hp) = (r.day, r.hashprice_usd_per_th_day);
    let mut returned = 0;
    let mut k = 0;
    while k < op.ai.len() {
        if op.ai[k].online_day == d {
            log.push((i, "ai_online", op.ai[k].mw, 0.0, 0.0));
        }
        if op.ai[k].end_day == d {
            let p = &op.ai[k];
            let e_back = p.stored.iter().map(|v| v.j_per_th).fold(f64::NAN, f64::min);
            let e = if e_back.is_nan() { r.j_new } else { e_back };
            let mining_per_mw_year =
                (hp - power_cost_usd_per_th_day(e, op.power_usd_per_kwh)).max(0.0) * 1e6 / e * 365.0;
            if !p.terminated && renew_contract(r.demand_covers, r.offer, mining_per_mw_year) {
                let p = &mut op.ai[k];
                p.end_day = d + (r.offer.contract_years * 365.0).round() as u32;
                p.revenue_usd_per_mw_year = r.offer.revenue_usd_per_mw_year;
                log.push((i, "contract_renewed", p.mw, 0.0, 0.0));
            } else {
                let p = op.ai.remove(k);
                ai.release(p.mw);
                let th: f64 = p.stored.iter().map(|v| v.th_s).sum();
                op.fleet.extend(p.stored.into_iter().map(|v| Vintage { running: false, ..v }));
                returned += 1;
                log.push((i, "contract_returned", p.mw, th, 0.0));
                continue;
            }
        }
        k += 1;
    }
    returned
}

/// Ages the fleet by a day (`decay` = survival of a day's failures) and decides which
/// vintages run today at hashprice `hp` (`agents::decision::run_vintage`). Returns whether
/// any runs.
fn operate_fleet(op: &mut Operator, decay: f64, hp: f64, hardware: &HardwareSpec) -> bool {
    let mut any_running = false;
    for v in &mut op.fleet {
        v.th_s *= decay;
        v.running = run_vintage(
            op.rule,
            v.running,
            v.j_per_th,
            op.power_usd_per_kwh,
            hp,
            hardware.restart_cost_usd_per_th,
            hardware.restart_payback_days,
        );
        any_running |= v.running;
    }
    any_running
}

/// Rescales the generated operators so that the population's hashrate (installed, or running
/// on day 0 per `population.calibrate_to`) equals `target_th_s`. The run/idle rule is per
/// TH/s, so which machines run on day 0 does not depend on the scale: one pass is exact.
/// `source` (the scenario's file) is named in the error.
fn calibrate(pop: &mut Population, s: &Scenario, hp0: f64, target_th_s: f64, source: &str) -> Result<()> {
    let n = pop.generated;
    if n == 0 {
        return Ok(());
    }
    let counted = |o: &Operator| -> f64 {
        o.fleet
            .iter()
            .filter(|v| match s.population.calibrate_to {
                CalibrateTo::Installed => true,
                CalibrateTo::Active => run_vintage(o.rule, true, v.j_per_th, o.power_usd_per_kwh, hp0, 0.0, 1.0),
            })
            .map(|v| v.th_s)
            .sum()
    };
    let named: f64 = pop.operators[n..].iter().map(counted).sum();
    let generated: f64 = pop.operators[..n].iter().map(counted).sum();
    let want = target_th_s - named;
    if !(want > 0.0 && generated > 0.0) {
        let why = if generated > 0.0 {
            format!(
                "the named operators alone ({:.3} EH/s) reach the hashrate the difficulty implies ({:.3} EH/s)",
                named / 1e6,
                target_th_s / 1e6
            )
        } else {
            "no generated machine is profitable on day 0".to_string()
        };
        return Err(Error::invalid(
            Location { source: source.into(), key: Some("population.calibrate_to".into()), ..Location::default() },
            format!(
                "cannot calibrate the population to the difficulty: {why}; set population.total_hashrate_eh_s instead"
            ),
        ));
    }
    pop.scale_generated(want / generated);
    Ok(())
}

/// The scenario's events as effects by day.
fn schedule(s: &Scenario, population: &Population) -> Vec<(u32, Effect)> {
    let jur = |name: &Option<String>| name.as_ref().and_then(|n| population.jurisdiction_index(n));
    let mut schedule = Vec::new();
    for e in &s.events {
        match e {
            EventSpec::PriceShock { day, change, over_days } => {
                let step = (1.0 + change).powf(1.0 / *over_days as f64);
                for k in 0..*over_days {
                    if day + k < s.simulation.days {
                        schedule.push((day + k, Effect::PriceFactor(step)));
                    }
                }
            }
            EventSpec::FeeShock { day, multiplier } => schedule.push((*day, Effect::FeeMultiplier(*multiplier))),
            EventSpec::HashrateShock { day, change, jurisdiction } => {
                schedule.push((*day, Effect::HashrateFactor { jurisdiction: jur(jurisdiction), factor: 1.0 + change }))
            }
            EventSpec::JurisdictionBan { day, jurisdiction, share } => {
                if let Some(j) = population.jurisdiction_index(jurisdiction) {
                    schedule.push((*day, Effect::Ban { jurisdiction: j, share: *share }));
                }
            }
            EventSpec::PowerPriceShock { day, change, jurisdiction } => {
                schedule.push((*day, Effect::PowerFactor { jurisdiction: jur(jurisdiction), factor: 1.0 + change }))
            }
            EventSpec::AiShock { day, revenue_change, demand_change, terminate_share } => schedule.push((
                *day,
                Effect::Ai {
                    revenue_factor: 1.0 + revenue_change,
                    demand_factor: 1.0 + demand_change,
                    terminate_share: *terminate_share,
                },
            )),
        }
    }
    schedule.sort_by_key(|(day, _)| *day); // stable: file order within a day
    schedule
}
