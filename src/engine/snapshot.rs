//! The day's opening: the markets move to the new day (hashprice average, AI demand, scrapping
//! of old listings) and the day's market view is taken once, for every operator to decide on.

use super::world::World;
use crate::agents::decision::{
    operating_hashprice, settled_hashprice, AiOffer, HardwareOffer, MarketView, StrategyParams,
};
use crate::agents::operator::OperatorState;
use crate::agents::pool_choice::PoolOffer;
use crate::chain::retarget::TARGET_SPACING_S;
use crate::chain::{block_subsidy, next_halving_height};
use crate::market::hardware::allotment_th_s_per_mw;
use crate::market::secondary::Pricing;
use crate::scenario::params::PoolChoiceParams;
use crate::units::{hashrate_th_s_for_interval, power_cost_usd_per_th_day, DAYS_PER_YEAR, SECONDS_PER_DAY};

/// Half-life of the moving average of daily difficulty changes that buyers read as the
/// network's growth trend, days: about six retargets, so one epoch's noise (a retarget moves
/// difficulty by a few percent either way) does not swing the trend.
pub const GROWTH_TREND_HALF_LIFE_DAYS: f64 = 90.0;

/// Days between two takes of the merit order (`World::supply`). Placing every machine on the
/// curve was a sixth of a baseline run when taken daily, and a week moves it little: a
/// month's deliveries are a few percent of the network. Each day cuts the latest curve at
/// its own hashprice.
pub const SUPPLY_CURVE_INTERVAL_DAYS: u32 = 7;

/// What every operator sees of day `day`, and the day's terms: computed once, read by all.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub day: u32,
    /// Seed of the day's build-time draws (`agents::expansion::build_days`): the replicate's.
    pub build_seed: u64,
    /// The day's hashprice index before any pool fee (the `hashprice_usd_per_ph_day` column);
    /// `market` holds the net one operators decide on.
    pub gross_hashprice_usd_per_th_day: f64,
    pub market: MarketView,
    /// How used machines are priced today (sales, fire sales, listings).
    pub pricing: Pricing,
    /// New machines at the efficiency frontier.
    pub hw_offer: HardwareOffer,
    pub ai_offer: AiOffer,
    /// Whether AI demand still covers the contracted capacity (a renewal needs it).
    pub demand_covers: bool,
    /// Share of machines surviving a day's failures: `exp(-failure_rate_per_year / 365)`.
    pub decay: f64,
    pub params: StrategyParams,
    /// Whether operators review their strategy at all (`strategy.enabled`), and every how many
    /// days (each on its own day of the cycle: operator `i` on days with `(d + i) % n == 0`).
    pub strategy_enabled: bool,
    pub interval_days: u32,
    pub max_pivot_share: f64,
    pub lead_time_days: u32,
    pub books: Books,
    /// What each pool offers today (its size yesterday's), and how operators choose.
    pub pool_offers: Vec<PoolOffer>,
    pub pool_choice: PoolChoiceParams,
    /// The network's running hashrate yesterday, TH/s (pools' sizes are shares of it).
    pub network_running_th_s: f64,
}

impl Snapshot {
    /// Hashprice today net of the pool fee, USD per TH/s per day: what operators decide on.
    pub fn hashprice_usd_per_th_day(&self) -> f64 {
        self.market.hashprice_usd_per_th_day
    }

    /// Whether operator `i` reviews its strategy today (staggered across operators).
    pub fn reviews_strategy(&self, i: usize) -> bool {
        reviews(self.strategy_enabled, self.day, self.interval_days, i)
    }

    /// The operators of `0..n` that review their strategy today ([`Snapshot::reviews_strategy`]),
    /// in index order, without looking at the others.
    pub fn reviewers(&self, n: usize) -> std::iter::StepBy<std::ops::Range<usize>> {
        reviewers(self.strategy_enabled, self.day, self.interval_days, n)
    }
}

/// Whether operator `i` reviews its strategy on `day`: every `interval_days` days, staggered
/// by index.
fn reviews(enabled: bool, day: u32, interval_days: u32, i: usize) -> bool {
    enabled && (day as usize + i).is_multiple_of(interval_days as usize)
}

/// The `i` of `0..n` for which [`reviews`] holds, in order (`interval_days` >= 1, as validated).
fn reviewers(enabled: bool, day: u32, interval_days: u32, n: usize) -> std::iter::StepBy<std::ops::Range<usize>> {
    let interval = (interval_days as usize).max(1);
    let first = (interval - day as usize % interval) % interval;
    let n = if enabled { n } else { first };
    (first..n.max(first)).step_by(interval)
}

/// What the day's investment decisions read of the whole population (nothing, by default: a
/// world without strategy does not walk the operators for it).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct InvestmentCensus {
    /// Machines on order from the makers and not yet delivered, network-wide, TH/s.
    pub pipeline_th_s: f64,
    /// Mining MW of the active operators (what the makers' open book is shared by).
    pub mining_mw: f64,
}

/// The day's terms of settlement.
#[derive(Debug, Clone, Copy)]
pub struct Books {
    pub day: u32,
    pub price_usd: f64,
    /// Share of hosting revenue spent on running the halls.
    pub opex_share: f64,
    /// `population.finance.enabled`.
    pub keep_books: bool,
    /// Share of the BTC mined that is sold the day it is settled (every operator's).
    pub sell_share: f64,
    /// Rate on debt, per year (every operator's).
    pub interest_rate: f64,
}

impl World {
    /// One walk over the active operators for what investment decisions read: the order book
    /// every buyer sees (machines ordered and not yet delivered), the mining MW, summed in
    /// operator-index order, and, if `with_curve`, the merit order anew (`self.supply`:
    /// installed machines, running or idle, and machines on order, at their site's energy
    /// price).
    pub fn take_investment_census(&mut self, with_curve: bool) -> InvestmentCensus {
        if with_curve {
            self.supply.clear();
        }
        let mut census = InvestmentCensus::default();
        for o in self.population.operators.iter().filter(|o| o.state == OperatorState::Active) {
            census.pipeline_th_s += o.orders().iter().map(|x| x.th_s).sum::<f64>();
            census.mining_mw += o.mining_mw();
            if with_curve {
                let energy = o.energy_usd_per_kwh();
                for (j_per_th, th_s) in
                    o.fleet.iter().map(|v| (v.j_per_th, v.th_s)).chain(o.orders().iter().map(|x| (x.j_per_th, x.th_s)))
                {
                    self.supply.add(power_cost_usd_per_th_day(j_per_th, energy), th_s);
                }
            }
        }
        if with_curve {
            self.supply.finish();
        }
        census
    }

    /// Keeps what the census of full day `d` counted of the order book and the mining MW for
    /// the next day's opening ([`World::open_day`]): the same terms, added in the same
    /// operator order, as [`World::take_investment_census`] (debug builds compare them there).
    pub fn carry_investment_census(&mut self, d: u32, totals: &super::census::Totals) {
        let census = InvestmentCensus { pipeline_th_s: totals.pipeline_th_s, mining_mw: totals.mw_mining };
        self.investment_carried = Some((d + 1, census));
    }

    /// Moves the markets to day `d` and takes the day's view. The moving average of hashprice
    /// follows `ema += a (h - ema)` with `a = 1 - 0.5^(1 / half_life_days)`, so a past day's
    /// weight halves every half-life.
    pub fn open_day(&mut self, d: u32) -> Snapshot {
        let gross = self.hashprice_usd_per_th_day();
        let hp = self.net_hashprice_usd_per_th_day();
        let alpha = 1.0 - 0.5f64.powf(1.0 / self.strategy.adaptive_half_life_days);
        if d > 0 {
            self.hashprice_ema_usd_per_th_day += alpha * (hp - self.hashprice_ema_usd_per_th_day);
            self.ai.advance_day();
            let beta = 1.0 - 0.5f64.powf(1.0 / GROWTH_TREND_HALF_LIFE_DAYS);
            let change = (self.chain.difficulty / self.difficulty_yesterday).ln();
            self.growth_trend_per_day += beta * (change - self.growth_trend_per_day);
            self.difficulty_yesterday = self.chain.difficulty;
            self.hardware_market.build_day();
        }
        let quote = self.hardware_market.quote(self.hashprice_ema_usd_per_th_day);
        // Only investment decisions read the order book and the mining MW: a world without
        // strategy walks the operators only to take the merit order.
        // The curve is taken anew unless no machine has changed since it was last taken.
        let curve_day = d.is_multiple_of(SUPPLY_CURVE_INTERVAL_DAYS) && !self.supply_current;
        self.supply_current |= curve_day;
        let carried = self.investment_carried.take().filter(|&(day, _)| day == d).map(|(_, c)| c);
        let census = match carried {
            Some(c) if self.strategy.enabled && !curve_day => {
                debug_assert_eq!(format!("{c:?}"), format!("{:?}", self.take_investment_census(false)));
                c
            }
            _ if self.strategy.enabled || curve_day => self.take_investment_census(curve_day),
            _ => InvestmentCensus::default(),
        };
        let subsidy = block_subsidy(self.chain.height + 1).to_btc();
        let reward = subsidy + self.fee_level_btc();
        let subsidy_share = if reward > 0.0 { subsidy / reward } else { 0.0 };
        let outlook = self.retarget_outlook(d);
        let network_th_s = hashrate_th_s_for_interval(self.chain.difficulty, TARGET_SPACING_S as f64);
        let settled = settled_hashprice(hp, network_th_s, self.running_th_s);
        self.halving_outlook = self.supply.halving_outlook(settled, subsidy_share);
        let market = MarketView {
            hashprice_usd_per_th_day: hp,
            hashprice_ema_usd_per_th_day: self.hashprice_ema_usd_per_th_day,
            operating_hashprice_usd_per_th_day: operating_hashprice(hp, &outlook, self.strategy.operating_horizon_days),
            settled_hashprice_usd_per_th_day: settled,
            subsidy_share,
            days_to_halving: (next_halving_height(self.chain.height) - self.chain.height) as f64
                * TARGET_SPACING_S as f64
                / SECONDS_PER_DAY,
            btc_price_usd: self.price.price_usd(),
            network_th_s,
            pipeline_th_s: census.pipeline_th_s,
            hashprice_after_halvings: self.halving_outlook.hashprice_after,
            growth_trend_per_year: self.growth_trend_per_day * DAYS_PER_YEAR,
        };
        self.curtailment.open_day(self.start_date_days + i64::from(d), market.operating_hashprice_usd_per_th_day);
        let pricing = self.pricing();
        self.secondary.scrap(d, self.hardware.scrap_after_days, &pricing);
        let frontier = self.catalog.frontier(self.year(d), self.hardware.frontier_improvement_per_year);
        let hw_offer = HardwareOffer {
            j_per_th: frontier.j_per_th,
            price_usd_per_th: frontier.price_usd_per_th * quote.price_factor,
            life_years: self.hardware.life_years,
            lead_time_days: f64::from(quote.lead_time_days),
            allotment_th_s_per_mw: allotment_th_s_per_mw(self.hardware_market.open_th_s(), census.mining_mw),
            used: self.secondary.best_offer(&pricing),
            resale: pricing,
        };
        Snapshot {
            day: d,
            build_seed: self.replicate_seed,
            gross_hashprice_usd_per_th_day: gross,
            market,
            pricing,
            hw_offer,
            ai_offer: self.ai.offer(),
            demand_covers: self.ai.demand_covers_contracts(),
            decay: (-self.hardware.failure_rate_per_year / DAYS_PER_YEAR).exp(),
            params: StrategyParams {
                horizon_days: self.strategy.horizon_days,
                exit_after_idle_days: self.strategy.exit_after_idle_days,
                site_usd_per_mw: self.strategy.site_usd_per_mw,
                site_build_days: f64::from(self.strategy.site_build_days),
                max_expansion_share: self.strategy.max_expansion_share,
            },
            strategy_enabled: self.strategy.enabled,
            interval_days: self.strategy.interval_days,
            max_pivot_share: self.max_pivot_share,
            lead_time_days: quote.lead_time_days,
            books: Books {
                day: d,
                price_usd: self.price.price_usd(),
                opex_share: self.ai.opex_share,
                keep_books: self.finance_enabled,
                sell_share: self.sell_share,
                interest_rate: self.interest_rate,
            },
            pool_offers: self.population.pools.offers(&self.pool_th_s),
            pool_choice: self.pool_choice,
            network_running_th_s: self.running_th_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches an off-by-one in the first reviewer or the stride (a reviewer skipped or an
    /// extra one visited: the used market would see other buyers).
    #[test]
    fn reviewers_are_the_operators_that_review() {
        for enabled in [true, false] {
            for interval in [1, 2, 7, 30, 31] {
                for day in 0..70 {
                    for n in [0, 1, 5, 29, 30, 31, 100] {
                        let got: Vec<usize> = reviewers(enabled, day, interval, n).collect();
                        let want: Vec<usize> = (0..n).filter(|&i| reviews(enabled, day, interval, i)).collect();
                        assert_eq!(got, want, "enabled {enabled} interval {interval} day {day} n {n}");
                    }
                }
            }
        }
    }
}
