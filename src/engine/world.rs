//! The world a run simulates, built from a scenario and a replicate number.

use crate::agents::{decide_daily, generate, Action, MarketView, MinerState, MinerView, Population};
use crate::chain::block_subsidy;
use crate::chain::fees::FeeModel;
use crate::chain::retarget::{RETARGET_INTERVAL, TARGET_SPACING_S};
use crate::chain::{bits_from_difficulty, difficulty_from_bits};
use crate::error::Result;
use crate::error::{Error, Location};
use crate::market::{PriceModel, PriceProcess};
use crate::rng::{replicate_seed, stream, Purpose};
use crate::scenario::schema::parse_bits;
use crate::scenario::schema::CalibrateTo;
use crate::scenario::Scenario;
use crate::scenario::{EventSpec, Fees, LoadedScenario, Price};
use crate::units::{hashrate_th_s_for_interval, HASHES_PER_DIFFICULTY, HASH_PER_TH};

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

/// Rescales the generated miners so that the population's hashrate (installed, or mining on
/// day 0 per `population.calibrate_to`) equals `target_th_s`. The profitability rule is per
/// TH/s, so which miners mine on day 0 does not depend on the scale: one pass is exact.
fn calibrate(pop: &mut Population, s: &Scenario, market: &MarketView, target_th_s: f64) -> Result<()> {
    let n = s.population.miners as usize;
    let counts = |m: &crate::agents::Miner, market: &MarketView| match s.population.calibrate_to {
        CalibrateTo::Installed => true,
        CalibrateTo::Active => {
            let view = MinerView {
                efficiency_j_per_th: m.efficiency_j_per_th,
                power_usd_per_kwh: m.power_usd_per_kwh,
                rule: m.rule,
            };
            decide_daily(&view, market) == Action::Mine
        }
    };
    let (generated, named) = pop.miners.split_at_mut(n);
    let named_th: f64 = named.iter().filter(|m| counts(m, market)).map(|m| m.hashrate_th_s).sum();
    let gen_total: f64 = generated.iter().map(|m| m.hashrate_th_s).sum();
    let gen_counted: f64 = generated.iter().filter(|m| counts(m, market)).map(|m| m.hashrate_th_s).sum();
    if n == 0 {
        return Ok(());
    }
    let want = target_th_s - named_th;
    if !(want > 0.0 && gen_counted > 0.0) {
        let why = if gen_counted > 0.0 {
            format!(
                "the named miners alone ({:.3} EH/s) reach the hashrate the difficulty implies ({:.3} EH/s)",
                named_th / 1e6,
                target_th_s / 1e6
            )
        } else {
            "no generated miner is profitable on day 0".to_string()
        };
        return Err(Error::invalid(
            Location { source: "scenario".into(), key: Some("population.calibrate_to".into()), ..Location::default() },
            format!(
                "cannot calibrate the population to the difficulty: {why}; set population.total_hashrate_eh_s instead"
            ),
        ));
    }
    crate::agents::population::scale(generated, gen_total * want / gen_counted);
    Ok(())
}

/// The market miners see on day 0 before any shock (used for calibration).
fn day0_market(s: &Scenario, difficulty: f64, price_usd: f64) -> MarketView {
    let reward = block_subsidy(s.chain.height + 1).to_btc() + s.fees.mean_btc_per_block();
    MarketView { hashprice_usd_per_th_day: crate::units::hashprice_usd_per_th_day(difficulty, reward, price_usd) }
}

/// What a scheduled scenario event does when its time comes.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    PriceFactor(f64),
    FeeMultiplier(f64),
    HashrateFactor { jurisdiction: Option<u16>, factor: f64 },
    Ban { jurisdiction: u16, share: f64 },
    PowerFactor { jurisdiction: Option<u16>, factor: f64 },
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
    /// Scheduled effects by day, in file order within a day.
    pub schedule: Vec<(u32, Effect)>,
    /// Days since 1970-01-01 of day 0.
    pub start_date_days: i64,
    pub days: u32,
}

impl World {
    pub fn build(loaded: &LoadedScenario, replicate: u32) -> Result<World> {
        let s = &loaded.scenario;
        let rseed = replicate_seed(s.simulation.seed, replicate.into());
        let mut pop_rng = stream(rseed, Purpose::Population);

        let given_bits = match (&s.chain.bits, s.chain.difficulty) {
            (Some(b), _) => parse_bits(b),
            (None, Some(d)) => Some(bits_from_difficulty(d)),
            (None, None) => None,
        };
        let mut population = generate(s, &mut pop_rng)?;
        let bits = match given_bits {
            Some(bits) => {
                if s.population.total_hashrate_eh_s.is_none() {
                    let d = difficulty_from_bits(bits);
                    let price0 = match &s.price {
                        Price::Constant { initial_usd } | Price::Gbm { initial_usd, .. } => *initial_usd,
                        Price::Csv { .. } => loaded.price_path_usd.as_ref().map_or(0.0, |p| p[0]),
                    };
                    let market = day0_market(s, d, price0);
                    calibrate(&mut population, s, &market, hashrate_th_s_for_interval(d, TARGET_SPACING_S as f64))?;
                }
                bits
            }
            None => {
                let installed = population.installed_th_s();
                bits_from_difficulty(crate::units::difficulty_for_hashrate(installed, TARGET_SPACING_S as f64).max(1.0))
            }
        };

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
                let path = loaded.price_path_usd.clone().unwrap_or_default();
                let first = path.first().copied().unwrap_or(1.0);
                PriceProcess::new(PriceModel::Path(path), first)
            }
        };
        let fee_model = match s.fees {
            Fees::Constant { .. } => FeeModel::Constant,
            Fees::Lognormal { log_sd, .. } => FeeModel::LogNormal { log_sd },
        };

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
                EventSpec::HashrateShock { day, change, jurisdiction } => schedule
                    .push((*day, Effect::HashrateFactor { jurisdiction: jur(jurisdiction), factor: 1.0 + change })),
                EventSpec::JurisdictionBan { day, jurisdiction, share } => {
                    if let Some(j) = population.jurisdiction_index(jurisdiction) {
                        schedule.push((*day, Effect::Ban { jurisdiction: j, share: *share }));
                    }
                }
                EventSpec::PowerPriceShock { day, change, jurisdiction } => {
                    schedule.push((*day, Effect::PowerFactor { jurisdiction: jur(jurisdiction), factor: 1.0 + change }))
                }
            }
        }
        schedule.sort_by_key(|(day, _)| *day); // stable: file order within a day

        Ok(World {
            replicate,
            replicate_seed: rseed,
            chain,
            price,
            fee_model,
            fee_mean_btc: s.fees.mean_btc_per_block(),
            fee_multiplier: 1.0,
            population,
            schedule,
            start_date_days: crate::scenario::schema::parse_date(&s.simulation.start_date).unwrap_or(0),
            days: s.simulation.days,
        })
    }

    /// Today's expected fees per block, BTC.
    pub fn fee_level_btc(&self) -> f64 {
        self.fee_mean_btc * self.fee_multiplier
    }

    /// Hashrate of the miners that are mining, TH/s.
    pub fn active_th_s(&self) -> f64 {
        self.population.miners.iter().filter(|m| m.state == MinerState::Mining).map(|m| m.hashrate_th_s).sum()
    }

    /// Applies one scheduled effect. `rng` serves bans (which miners go dark).
    pub fn apply(&mut self, effect: &Effect, rng: &mut crate::rng::SimRng) {
        use rand::Rng;
        let in_j = |m: &crate::agents::Miner, j: Option<u16>| j.is_none_or(|j| m.jurisdiction == j);
        match *effect {
            Effect::PriceFactor(f) => self.price.shock(f - 1.0),
            Effect::FeeMultiplier(x) => self.fee_multiplier = x,
            Effect::HashrateFactor { jurisdiction, factor } => {
                for m in self.population.miners.iter_mut().filter(|m| in_j(m, jurisdiction)) {
                    m.hashrate_th_s *= factor;
                }
            }
            Effect::Ban { jurisdiction, share } => {
                for m in self.population.miners.iter_mut().filter(|m| m.jurisdiction == jurisdiction) {
                    if m.state != MinerState::Offline && rng.random::<f64>() < share {
                        m.state = MinerState::Offline;
                    }
                }
            }
            Effect::PowerFactor { jurisdiction, factor } => {
                for m in self.population.miners.iter_mut().filter(|m| in_j(m, jurisdiction)) {
                    m.power_usd_per_kwh *= factor;
                }
            }
        }
    }
}
