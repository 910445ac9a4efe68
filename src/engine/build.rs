//! Building a world from a scenario: the population, the chain's starting point, the price
//! and fee processes, and the calibration of the generated operators to the difficulty.

use super::curtail::Curtailment;
use super::shocks::schedule;
use super::world::{ChainState, World};
use crate::agents::decision::run_vintage;
use crate::agents::operator::Operator;
use crate::agents::operator::{OperatorState, Order};
use crate::agents::population::{DemandResponseDraws, SiteTerms};
use crate::agents::{generate, Population};
use crate::chain::fees::FeeModel;
use crate::chain::retarget::{RETARGET_INTERVAL, TARGET_SPACING_S};
use crate::chain::{bits_from_difficulty, block_subsidy, difficulty_from_bits};
use crate::error::{Error, Location, Result};
use crate::market::hardware::initial_book;
use crate::market::{AiMarket, HardwareMarket, PriceModel, PriceProcess, SecondaryMarket};
use crate::rng::{replicate_seed, stream, Purpose};
use crate::scenario::params::CalibrateTo;
use crate::scenario::params::PriceParams;
use crate::scenario::DecisionRule;
use crate::scenario::LoadedScenario;
use crate::units::{hashprice_usd_per_th_day, hashrate_th_s_for_interval, TH_PER_EH, W_PER_MW};

impl World {
    pub fn build(loaded: &LoadedScenario, replicate: u32) -> Result<World> {
        let sim = loaded.params.simulation;
        let rseed = replicate_seed(sim.seed, replicate.into());
        let mut pop_rng = stream(rseed, Purpose::Population);
        let catalog = loaded.catalog.clone();

        let chain_start = loaded.params.chain;
        let price0 = loaded.params.price.initial_usd();
        let fees = loaded.params.fees;
        let mut population = generate(&loaded.params.population, &catalog, &mut pop_rng)?;
        let named = &loaded.params.population.named;
        let named_convertible: Vec<Option<bool>> = named.iter().map(|m| m.convertible).collect();
        let named_power_fixed_share: Vec<Option<f64>> = named.iter().map(|m| m.power_fixed_share).collect();
        let terms = SiteTerms {
            solo_share: loaded.params.population.solo_share,
            convertible_share: loaded.params.ai.convertible_share,
            power_fixed_share: &loaded.params.population.power_fixed_share,
            named_convertible: &named_convertible,
            named_power_fixed_share: &named_power_fixed_share,
        };
        population.draw_site_terms(&terms, rseed);
        let draws = DemandResponseDraws::new(rseed, population.generated);
        let curtailment = Curtailment::new(&loaded.params.population.jurisdictions, &population.jurisdictions, draws);
        // Operators decide on the hashprice net of the pool fee (`World::net_hashprice`).
        let pool_fee = loaded.params.population.pool_fee;
        let bits = match chain_start.bits {
            Some(bits) => {
                if loaded.params.population.total_hashrate_eh_s.is_none() {
                    let d = difficulty_from_bits(bits);
                    let reward = block_subsidy(chain_start.height + 1).to_btc() + fees.mean_btc_per_block;
                    let hp0 = hashprice_usd_per_th_day(d, reward, price0) * (1.0 - pool_fee);
                    let target_th_s = hashrate_th_s_for_interval(d, TARGET_SPACING_S as f64);
                    calibrate(
                        &mut population,
                        loaded.params.population.calibrate_to,
                        hp0,
                        target_th_s,
                        &loaded.source,
                    )?;
                }
                bits
            }
            None => {
                let installed = population.installed_th_s();
                bits_from_difficulty(crate::units::difficulty_for_hashrate(installed, TARGET_SPACING_S as f64).max(1.0))
            }
        };
        population.finish_balance_sheets(&loaded.params.population.finance);
        let named_pools: Vec<Option<String>> = loaded.params.population.named.iter().map(|m| m.pool.clone()).collect();
        let p = &loaded.params;
        population.assign_pools(&p.pools, &named_pools, p.population.pool_fee, &p.pool_choice, rseed);

        let h = chain_start.height;
        let next = h + 1;
        let first_of_epoch = next - next % RETARGET_INTERVAL;
        let epoch_first_time_s = if first_of_epoch <= h {
            let elapsed =
                chain_start.epoch_elapsed_s.unwrap_or(((h - first_of_epoch) * TARGET_SPACING_S as u64) as f64);
            Some(-(elapsed.round() as i64))
        } else {
            None
        };
        let chain =
            ChainState { height: h, bits, difficulty: difficulty_from_bits(bits), epoch_first_time_s, retargets: 0 };

        let price = match &loaded.params.price {
            PriceParams::Constant { initial_usd } => PriceProcess::new(PriceModel::Constant, *initial_usd),
            PriceParams::Gbm { initial_usd, log_return_mean_per_day, log_return_sd_per_day } => PriceProcess::new(
                PriceModel::Gbm { mean: *log_return_mean_per_day, sd: *log_return_sd_per_day },
                *initial_usd,
            ),
            PriceParams::Path { prices_usd } => PriceProcess::new(PriceModel::Path(prices_usd.clone()), price0),
        };
        let fee_model = match fees.log_sd {
            None => FeeModel::Constant,
            Some(log_sd) => FeeModel::LogNormal { log_sd },
        };

        let schedule = schedule(&loaded.params.events, sim.days, &population);
        // The median power price: the element a sort would put at the middle, found in O(n).
        let mut powers: Vec<f64> = population.operators.iter().map(|o| o.power_usd_per_kwh).collect();
        let reference_power_usd_per_kwh = if powers.is_empty() {
            0.05
        } else {
            let mid = powers.len() / 2;
            *powers.select_nth_unstable_by(mid, f64::total_cmp).1
        };
        let reward0 = block_subsidy(h + 1).to_btc() + fees.mean_btc_per_block;
        let hw = &loaded.params.hardware;

        let mut world = World {
            replicate,
            replicate_seed: rseed,
            hashprice_ema_usd_per_th_day: hashprice_usd_per_th_day(chain.difficulty, reward0, price0)
                * (1.0 - pool_fee),
            pool_fee,
            // On schedule before the first day: 600 s blocks at the difficulty.
            running_th_s: chain.difficulty * crate::units::HASHES_PER_DIFFICULTY
                / (crate::chain::retarget::TARGET_SPACING_S as f64 * crate::units::HASH_PER_TH),
            pool_th_s: {
                let mut th = vec![0.0; population.pools.names.len()];
                for o in population.operators.iter().filter(|o| o.payout == crate::scenario::Payout::Pool) {
                    th[o.pool as usize] += o.installed_th_s();
                }
                th
            },
            pool_choice: loaded.params.pool_choice,
            supply: crate::market::supply::SupplyCurve::default(),
            supply_current: false,
            investment_carried: None,
            halving_outlook: crate::market::supply::HalvingOutlook::default(),
            growth_trend_per_day: 0.0,
            hardware_market: HardwareMarket::new(
                hw.manufacturing_eh_s_per_month,
                hw.lead_time_days,
                hashprice_usd_per_th_day(chain.difficulty, reward0, price0) * (1.0 - pool_fee),
                hw.price_elasticity,
            ),
            difficulty_yesterday: chain.difficulty,
            chain,
            price,
            fee_model,
            fee_mean_btc: fees.mean_btc_per_block,
            fee_multiplier: 1.0,
            population,
            ai: AiMarket::new(&loaded.params.ai),
            secondary: SecondaryMarket::default(),
            catalog,
            hardware: loaded.params.hardware.clone(),
            strategy: loaded.params.strategy.clone(),
            metrics: loaded.params.metrics.clone(),
            keep_hardware_share: loaded.params.ai.keep_hardware_share,
            max_pivot_share: loaded.params.ai.max_share_of_site,
            reference_power_usd_per_kwh,
            schedule,
            start_date_days: loaded.params.start_date_days,
            days: sim.days,
            merit_order: sim.merit_order,
            log: Vec::new(),
            in_default: Vec::new(),
            flows: Vec::new(),
            finance_enabled: loaded.params.population.finance.enabled,
            sell_share: loaded.params.population.finance.sell_share,
            interest_rate: loaded.params.population.finance.interest_rate,
            curtailment,
        };
        world.seed_order_book();
        Ok(world)
    }

    /// Puts the order book in transit at day 0 (`hardware.initial_order_book_eh_s`) on the
    /// operators' sites, by `market::hardware::initial_book`: frontier machines, already paid
    /// for, shared by free room. None when operators take no strategic decisions
    /// (`strategy.enabled = false`): a model without investment has no orders either.
    fn seed_order_book(&mut self) {
        if !self.strategy.enabled {
            return;
        }
        let frontier = self.catalog.frontier(self.year(0), self.hardware.frontier_improvement_per_year);
        let e = frontier.j_per_th;
        let free_th_s: Vec<f64> = self
            .population
            .operators
            .iter()
            .map(|o| {
                let installed_mw: f64 = o.fleet.iter().map(|v| v.th_s * v.j_per_th / W_PER_MW).sum();
                let active = o.state == OperatorState::Active && o.rule == DecisionRule::Profitable;
                if active {
                    (o.mining_mw() - installed_mw).max(0.0) * W_PER_MW / e
                } else {
                    0.0
                }
            })
            .collect();
        let book_th_s = self.hardware.initial_order_book_eh_s * TH_PER_EH;
        for o in initial_book(&free_th_s, book_th_s, self.hardware.lead_time_days) {
            let order = Order { th_s: o.th_s, j_per_th: e, deliver_day: o.deliver_day };
            self.population.operators[o.operator].projects.push_order(order);
        }
    }
}

/// Rescales the generated operators so that the population's hashrate (installed, or running
/// on day 0 per `population.calibrate_to`) equals `target_th_s`. The run/idle rule is per
/// TH/s, so which machines run on day 0 does not depend on the scale: one pass is exact.
/// `source` (the scenario's file) is named in the error.
fn calibrate(pop: &mut Population, calibrate_to: CalibrateTo, hp0: f64, target_th_s: f64, source: &str) -> Result<()> {
    let n = pop.generated;
    if n == 0 {
        return Ok(());
    }
    let counted = |o: &Operator| -> f64 {
        o.fleet
            .iter()
            .filter(|v| match calibrate_to {
                CalibrateTo::Installed => true,
                CalibrateTo::Active => run_vintage(o.rule, true, v.j_per_th, o.energy_usd_per_kwh(), hp0, 0.0, 1.0),
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
