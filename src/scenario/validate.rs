//! Phase 2 of loading: range and cross-field checks, table by table, each problem recorded
//! under its dotted key (the loader locates it in the file: `file:line:col: key: must be
//! between A and B (got X)`), and the strings parsed into [`Params`].

use super::bounds::{J_PER_TH_MAX, J_PER_TH_MIN, PRICE_USD_MAX, PRICE_USD_MIN};
use super::check::Checker;
use super::date::{parse_date, YEAR_MAX, YEAR_MIN};
use super::params::{
    ChainParams, Event, FeeParams, Params, Payout, PoolParams, PopulationParams, PriceParams, SimulationParams,
};
use super::raw::*;
use crate::calendar::MONTHS_PER_YEAR;
use crate::chain::bits_from_difficulty;
use crate::chain::target::U256;

/// Parses "0x17034219" (or decimal) compact bits.
pub fn parse_bits(s: &str) -> Option<u32> {
    let t = s.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// Most a pool may keep of its miners' pay (the population's `pool_fee` has the same bound).
const MAX_POOL_FEE: f64 = 0.5;

impl Scenario {
    /// Range-checks every value, recording each problem under its dotted key, and parses the
    /// strings and tables into typed [`Params`]; `None` when `c` records a problem.
    pub fn validate(&self, c: &mut Checker) -> Option<Params> {
        self.check_simulation(c);
        self.check_chain(c);
        self.check_price(c);
        self.check_fees(c);
        self.check_population(c);
        self.check_operators(c);
        self.check_ai(c);
        self.check_hardware(c);
        self.check_metrics(c);
        self.check_strategy(c);
        self.check_events(c);
        self.check_pools(c);
        if !c.is_ok() {
            return None;
        }
        // The checks above held every distribution to its constructor, so this cannot fail;
        // were a check ever to miss one, the problem is still reported at its key.
        let population = match PopulationParams::new(&self.population, &self.operators) {
            Ok(p) => p,
            Err(e) => {
                c.fail(&format!("population.{}", e.param), e.message);
                return None;
            }
        };
        Some(Params {
            start_date_days: parse_date(&self.simulation.start_date).unwrap_or(0),
            simulation: SimulationParams {
                days: self.simulation.days,
                seed: self.simulation.seed,
                replicates: self.simulation.replicates,
                merit_order: self.simulation.merit_order,
            },
            chain: ChainParams {
                height: self.chain.height,
                bits: match (&self.chain.bits, self.chain.difficulty) {
                    (Some(b), _) => parse_bits(b),
                    (None, Some(d)) => Some(bits_from_difficulty(d)),
                    (None, None) => None,
                },
                epoch_elapsed_s: self.chain.epoch_elapsed_s,
            },
            price: match self.price {
                Price::Constant { initial_usd } => PriceParams::Constant { initial_usd },
                Price::Gbm { initial_usd, log_return_mean_per_day, log_return_sd_per_day } => {
                    PriceParams::Gbm { initial_usd, log_return_mean_per_day, log_return_sd_per_day }
                }
                // The loader reads the file once these checks pass.
                Price::Csv { .. } => PriceParams::Path { prices_usd: Vec::new() },
            },
            fees: FeeParams {
                mean_btc_per_block: self.fees.mean_btc_per_block(),
                log_sd: match self.fees {
                    Fees::Constant { .. } => None,
                    Fees::Lognormal { log_sd, .. } => Some(log_sd),
                },
            },
            hardware: (&self.hardware).into(),
            strategy: (&self.strategy).into(),
            metrics: (&self.metrics).into(),
            ai: (&self.ai).into(),
            population,
            events: self.events.iter().map(Event::from).collect(),
            pools: self
                .pools
                .iter()
                .map(|p| PoolParams {
                    name: p.name.clone(),
                    share: p.share,
                    template_group: p.template_group.clone().unwrap_or_else(|| p.name.clone()),
                    fee: p.fee.unwrap_or(self.population.pool_fee),
                    scheme: p.scheme,
                    jurisdiction: p.jurisdiction.clone(),
                })
                .collect(),
            pool_choice: (&self.pool_choice).into(),
        })
    }

    /// `[[pools]]`: names unique and not empty, shares in [0, 1] summing to 1, template groups
    /// named; a named operator's `pool` among them (and only with a pooled payout).
    fn check_pools(&self, c: &mut Checker) {
        let named: Vec<(&str, f64)> = self.pools.iter().map(|p| (p.name.as_str(), p.share)).collect();
        c.named_shares("pools", "pool", &named);
        for (i, p) in self.pools.iter().enumerate() {
            if p.template_group.as_ref().is_some_and(|g| g.trim().is_empty()) {
                c.fail(&format!("pools[{i}].template_group"), "must not be empty");
            }
            if let Some(fee) = p.fee {
                c.range(&format!("pools[{i}].fee"), fee, 0.0, MAX_POOL_FEE);
            }
            if let Some(j) = &p.jurisdiction {
                if !self.jurisdiction_known(j) {
                    c.fail(&format!("pools[{i}].jurisdiction"), format!("unknown jurisdiction {j:?}"));
                }
            }
        }
        let pc = &self.pool_choice;
        c.range("pool_choice.fee_sensitivity", pc.fee_sensitivity, 0.0, 1000.0);
        c.range("pool_choice.switching_cost", pc.switching_cost, 0.0, MAX_POOL_FEE);
        c.range("pool_choice.home_bias", pc.home_bias, 0.0, MAX_POOL_FEE);
        c.range("pool_choice.risk_aversion", pc.risk_aversion, 0.0, 100.0);
        c.range_open_lo("pool_choice.payout_horizon_days", pc.payout_horizon_days, 0.0, 3650.0);
        for (i, m) in self.operators.iter().enumerate() {
            let Some(pool) = &m.pool else { continue };
            let key = format!("operators[{i}].pool");
            if m.payout == Payout::Solo {
                c.fail(&key, "a solo miner is in no pool (payout = \"solo\")");
            } else if !self.pools.iter().any(|p| &p.name == pool) {
                let names: Vec<&str> = self.pools.iter().map(|p| p.name.as_str()).collect();
                c.fail(&key, format!("unknown pool {pool:?} (the [[pools]] are {names:?})"));
            }
        }
    }

    /// `[simulation]`: name, horizon, replicates, start date.
    fn check_simulation(&self, c: &mut Checker) {
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
    }

    /// `[chain]`: the starting tip, difficulty or bits, and epoch progress.
    fn check_chain(&self, c: &mut Checker) {
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
    }

    /// `[price]`.
    fn check_price(&self, c: &mut Checker) {
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
    }

    /// `[fees]`.
    fn check_fees(&self, c: &mut Checker) {
        match &self.fees {
            Fees::Constant { mean_btc_per_block } => {
                c.range("fees.mean_btc_per_block", *mean_btc_per_block, 0.0, 1000.0)
            }
            Fees::Lognormal { mean_btc_per_block, log_sd } => {
                c.range("fees.mean_btc_per_block", *mean_btc_per_block, 0.0, 1000.0);
                c.range("fees.log_sd", *log_sd, 0.0, 5.0);
            }
        }
    }

    /// `[population]` and its `finance`, `behaviour` and `jurisdictions`.
    fn check_population(&self, c: &mut Checker) {
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
        c.range("population.efficiency_spread_log_sd", p.efficiency_spread_log_sd, 0.0, 1.0);
        p.power_fixed_share.check(c, "population.power_fixed_share", 0.0, false, 1.0);
        let f = &p.finance;
        f.treasury_btc_per_mw.check(c, "population.finance.treasury_btc_per_mw", 0.0, false, 1e4);
        f.cash_usd_per_mw.check(c, "population.finance.cash_usd_per_mw", 0.0, false, 1e9);
        f.debt_usd_per_mw.check(c, "population.finance.debt_usd_per_mw", 0.0, false, 1e9);
        c.range("population.finance.interest_rate", f.interest_rate, 0.0, 1.0);
        c.range("population.finance.credit_usd_per_mw", f.credit_usd_per_mw, 0.0, 1e9);
        c.range("population.finance.credit_min_mw", f.credit_min_mw, 0.0, 1e5);
        c.range("population.finance.sell_share", f.sell_share, 0.0, 1.0);
        c.range("population.pool_fee", p.pool_fee, 0.0, MAX_POOL_FEE);
        c.range("population.solo_share", p.solo_share, 0.0, 1.0);
        let b = &p.behaviour;
        for (k, v) in [("myopic", b.myopic), ("adaptive", b.adaptive), ("halving_aware", b.halving_aware)] {
            c.range(&format!("population.behaviour.{k}"), v, 0.0, 1.0);
        }
        if b.myopic + b.adaptive + b.halving_aware <= 0.0 {
            c.fail("population.behaviour", "at least one of myopic, adaptive, halving_aware must be positive");
        }
        b.hurdle_rate.check(c, "population.behaviour.hurdle_rate", 0.0, false, 1.0);
        let named: Vec<(&str, f64)> = p.jurisdictions.iter().map(|j| (j.name.as_str(), j.share)).collect();
        c.named_shares("population.jurisdictions", "jurisdiction", &named);
        for (i, j) in p.jurisdictions.iter().enumerate() {
            let key = format!("population.jurisdictions[{i}]");
            if let Some(d) = &j.power_usd_per_kwh {
                d.check(c, &format!("{key}.power_usd_per_kwh"), 0.0, false, 100.0);
            }
            if let Some(dr) = &j.demand_response {
                c.range(&format!("{key}.demand_response.share"), dr.share, 0.0, 1.0);
                c.range(
                    &format!("{key}.demand_response.peak_value_usd_per_kwh"),
                    dr.peak_value_usd_per_kwh,
                    0.0,
                    100.0,
                );
                let hours = format!("{key}.demand_response.curtailed_hours_per_day");
                if dr.curtailed_hours_per_day.len() != MONTHS_PER_YEAR {
                    c.fail(
                        &hours,
                        format!(
                            "needs {MONTHS_PER_YEAR} values, January to December (has {})",
                            dr.curtailed_hours_per_day.len()
                        ),
                    );
                }
                for (m, &h) in dr.curtailed_hours_per_day.iter().enumerate() {
                    c.range(&format!("{hours}[{m}]"), h, 0.0, 24.0);
                }
            }
        }
    }

    /// `[[operators]]`, and that the scenario has operators at all.
    fn check_operators(&self, c: &mut Checker) {
        let p = &self.population;
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
            if let Some(s) = m.power_fixed_share {
                c.range(&format!("{key}.power_fixed_share"), s, 0.0, 1.0);
            }
        }
        if p.operators == 0 && self.operators.is_empty() {
            c.fail(
                "population.operators",
                "the scenario has no operators: set population.operators >= 1 or add [[operators]]",
            );
        }
    }

    /// `[ai]`.
    fn check_ai(&self, c: &mut Checker) {
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
        c.range("ai.convertible_share", a.convertible_share, 0.0, 1.0);
    }

    /// `[hardware]`.
    fn check_hardware(&self, c: &mut Checker) {
        let h = &self.hardware;
        c.range("hardware.failure_rate_per_year", h.failure_rate_per_year, 0.0, 1.0);
        c.range("hardware.frontier_improvement_per_year", h.frontier_improvement_per_year, 0.0, 0.9);
        c.int_range("hardware.lead_time_days", h.lead_time_days.into(), 0, 3650);
        c.range_open_lo("hardware.life_years", h.life_years, 0.0, 30.0);
        c.range("hardware.scrap_usd_per_th", h.scrap_usd_per_th, 0.0, 1e4);
        c.range("hardware.fire_sale_discount", h.fire_sale_discount, 0.0, 1.0);
        c.int_range("hardware.scrap_after_days", h.scrap_after_days.into(), 0, 36_525);
        c.int_range("hardware.relocation_days", h.relocation_days.into(), 0, 3650);
        c.range("hardware.restart_cost_usd_per_th", h.restart_cost_usd_per_th, 0.0, 1e4);
        c.range_open_lo("hardware.restart_payback_days", h.restart_payback_days, 0.0, 3650.0);
        c.range_open_lo("hardware.manufacturing_eh_s_per_month", h.manufacturing_eh_s_per_month, 0.0, 1e6);
        c.range("hardware.price_elasticity", h.price_elasticity, 0.0, 3.0);
        if let Some(x) = h.initial_order_book_eh_s {
            c.range("hardware.initial_order_book_eh_s", x, 0.0, 1e5);
        }
    }

    /// `[metrics]`.
    fn check_metrics(&self, c: &mut Checker) {
        let mt = &self.metrics;
        c.range_open_lo("metrics.attack_share", mt.attack_share, 0.0, 0.99);
        c.range_open_lo("metrics.attack_hours", mt.attack_hours, 0.0, 8760.0);
        c.range("metrics.facility_usd_per_mw", mt.facility_usd_per_mw, 0.0, 1e9);
        c.range("metrics.dormant_facility_usd_per_mw", mt.dormant_facility_usd_per_mw, 0.0, 1e9);
        c.range("metrics.attacker_power_usd_per_kwh", mt.attacker_power_usd_per_kwh, 0.0, 100.0);
        if let Some(x) = mt.attack_hardware_usd_per_th {
            c.range("metrics.attack_hardware_usd_per_th", x, 0.0, 1e5);
        }
        c.range("metrics.rental_share", mt.rental_share, 0.0, 1.0);
        c.range("metrics.rental_premium", mt.rental_premium, -0.5, 100.0);
        c.range("metrics.rental_fee", mt.rental_fee, 0.0, 1.0);
        c.range("metrics.pool_defection_share", mt.pool_defection_share, 0.0, 1.0);
        c.range("metrics.pool_franchise_years", mt.pool_franchise_years, 0.0, 100.0);
        c.range("metrics.bribe_premium", mt.bribe_premium, 0.0, 100.0);
        c.range("metrics.bribe_capital_share", mt.bribe_capital_share, 0.0, 10.0);
        c.range("metrics.risk_budget_usd", mt.risk_budget_usd, 0.0, 1e15);
        c.int_range("metrics.risk_confirmations", mt.risk_confirmations.into(), 0, 10_000);
        c.int_range("metrics.nakamoto_threshold", mt.nakamoto_threshold.into(), 0, 1_000_000);
        c.range("metrics.selfish_mining_gamma", mt.selfish_mining_gamma, 0.0, 1.0);
    }

    /// `[strategy]`.
    fn check_strategy(&self, c: &mut Checker) {
        let st = &self.strategy;
        c.int_range("strategy.interval_days", st.interval_days.into(), 1, 3650);
        c.range_open_lo("strategy.horizon_days", st.horizon_days, 0.0, 36_525.0);
        c.range_open_lo("strategy.adaptive_half_life_days", st.adaptive_half_life_days, 0.0, 36_525.0);
        c.range("strategy.operating_horizon_days", st.operating_horizon_days, 0.0, 3650.0);
        c.int_range("strategy.exit_after_idle_days", st.exit_after_idle_days.into(), 0, 36_525);
        c.range("strategy.site_usd_per_mw", st.site_usd_per_mw, 0.0, 1e9);
        c.int_range("strategy.site_build_days", st.site_build_days.into(), 0, 3650);
        c.range("strategy.max_expansion_share", st.max_expansion_share, 0.0, 10.0);
    }

    /// Whether `name` is a jurisdiction of the population or of a named operator.
    fn jurisdiction_known(&self, name: &str) -> bool {
        self.population.jurisdictions.iter().any(|j| j.name == name)
            || self.operators.iter().any(|m| m.jurisdiction == name)
    }

    /// `[[events]]`: days within the run, ranges, known jurisdictions.
    fn check_events(&self, c: &mut Checker) {
        let s = &self.simulation;
        let known = |name: &str| self.jurisdiction_known(name);
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
                EventSpec::PoolFee { pool, fee, .. } => {
                    c.range(&format!("{key}.fee"), *fee, 0.0, MAX_POOL_FEE);
                    if !self.pools.iter().any(|p| &p.name == pool) {
                        c.fail(&format!("{key}.pool"), format!("unknown pool {pool:?}"));
                    }
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
