//! Scheduled scenario events: the effects they have on the world, by day.

use super::world::World;
use crate::agents::expansion::build_days;
use crate::agents::finance::{settle_day, DayFlows};
use crate::agents::operator::{Operator, OperatorState, SiteBuild};
use crate::agents::Population;
use crate::market::secondary::Shipment;
use crate::rng::SimRng;
use crate::scenario::params::Event;
use crate::scenario::DecisionRule;
use rand::Rng;

/// What a scheduled scenario event does when its time comes.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    PriceFactor(f64),
    FeeMultiplier(f64),
    HashrateFactor { jurisdiction: Option<u16>, factor: f64 },
    Ban { jurisdiction: u16, share: f64 },
    PowerFactor { jurisdiction: Option<u16>, factor: f64 },
    Ai { revenue_factor: f64, demand_factor: f64, terminate_share: f64 },
    PoolFee { pool: usize, fee: f64 },
}

impl Effect {
    /// Whether the effect can change an operator's machines, costs or pool (the merit order's
    /// keys and units); the market's effects (price, fees, AI terms) cannot.
    pub fn touches_operators(&self) -> bool {
        match self {
            Effect::PriceFactor(_) | Effect::FeeMultiplier(_) => false,
            Effect::HashrateFactor { .. } | Effect::Ban { .. } | Effect::PowerFactor { .. } => true,
            // Terminated halls return machines; a pool's fee is its members' pay.
            Effect::Ai { .. } | Effect::PoolFee { .. } => true,
        }
    }
}

impl World {
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
                        if !self.relocate(i, jurisdiction, day, rng) {
                            self.close_down(i, day, &pricing, OperatorState::Exited);
                        }
                        self.log_event(day, i, "ban", 0.0, th, 0.0, None);
                    }
                }
            }
            Effect::PoolFee { pool, fee } => self.population.pools.fees[pool] = fee,
            Effect::PowerFactor { jurisdiction, factor } => {
                for o in self.population.operators.iter_mut().filter(|o| in_j(o, jurisdiction)) {
                    o.power_usd_per_kwh *= factor;
                }
            }
            Effect::Ai { revenue_factor, demand_factor, terminate_share } => {
                self.ai.revenue_usd_per_mw_year *= revenue_factor;
                self.ai.demand_mw *= demand_factor;
                for o in self.population.operators.iter_mut().filter(|o| o.state == OperatorState::Active) {
                    for p in o.projects.ai_mut() {
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
}

impl World {
    /// A banned operator that can pay for a new site moves: it builds one of its size in
    /// another jurisdiction (drawn by the population's shares, `rng`) at
    /// `strategy.site_usd_per_mw`, ships its machines there (dormant in the secondary market's
    /// inventory, bound for it, until the site stands after `strategy.site_build_days`) and
    /// keeps its power price (miners move to power as cheap as they had). Operators that
    /// cannot pay, hold AI halls or do not follow prices (`decision = "always"`) close instead.
    /// Returns whether it moved. Machines are not destroyed when a region shuts: in 2021 China's
    /// were moved to the US, Kazakhstan and Russia within months (../shared/history/README.md).
    fn relocate(&mut self, i: usize, banned: u16, day: u32, rng: &mut SimRng) -> bool {
        let o = &self.population.operators[i];
        let cost = o.site_mw * self.strategy.site_usd_per_mw;
        let shares: Vec<f64> = self
            .population
            .jurisdiction_shares
            .iter()
            .enumerate()
            .map(|(j, &s)| if j == usize::from(banned) { 0.0 } else { s })
            .collect();
        let total: f64 = shares.iter().sum();
        let able = o.rule == DecisionRule::Profitable && o.ai().is_empty() && o.balances.liquidity_usd() >= cost;
        if !able || total <= 0.0 || !self.strategy.enabled {
            return false;
        }
        let mut u = rng.random::<f64>() * total;
        let to = shares.iter().position(|&s| {
            u -= s;
            u < 0.0
        });
        let to = to.unwrap_or_else(|| shares.iter().rposition(|&s| s > 0.0).expect("a positive share")) as u16;
        let online_day = day + build_days(self.replicate_seed, i, day, f64::from(self.strategy.site_build_days));
        let price = self.price.price_usd();
        let o = &mut self.population.operators[i];
        let (mw, th) = (o.site_mw, o.installed_th_s());
        let shipment = Shipment { buyer: i, arrival_day: online_day };
        for v in o.fleet.drain(..) {
            self.secondary.ship(v.th_s, v.j_per_th, day, shipment);
        }
        for order in o.projects.orders_mut() {
            order.deliver_day = order.deliver_day.max(online_day);
        }
        o.jurisdiction = to;
        o.site_mw = 0.0;
        o.projects.start_building(SiteBuild { mw, online_day });
        o.days_all_idle = 0;
        let f = DayFlows { capex_usd: cost, ..DayFlows::default() };
        o.balances = settle_day(o.balances, &f, price, 0.0, 0.0).balances;
        self.log_event(day, i, "relocation", mw, th, cost, None);
        true
    }
}

/// The scenario's events as effects by day (within the run's `days`).
pub(super) fn schedule(events: &[Event], days: u32, population: &Population) -> Vec<(u32, Effect)> {
    let jur = |name: &Option<String>| name.as_ref().and_then(|n| population.jurisdiction_index(n));
    let mut schedule = Vec::new();
    for e in events {
        match e {
            Event::PriceShock { day, change, over_days } => {
                let step = (1.0 + change).powf(1.0 / *over_days as f64);
                for k in 0..*over_days {
                    if day + k < days {
                        schedule.push((day + k, Effect::PriceFactor(step)));
                    }
                }
            }
            Event::FeeShock { day, multiplier } => schedule.push((*day, Effect::FeeMultiplier(*multiplier))),
            Event::HashrateShock { day, change, jurisdiction } => {
                schedule.push((*day, Effect::HashrateFactor { jurisdiction: jur(jurisdiction), factor: 1.0 + change }))
            }
            Event::JurisdictionBan { day, jurisdiction, share } => {
                if let Some(j) = population.jurisdiction_index(jurisdiction) {
                    schedule.push((*day, Effect::Ban { jurisdiction: j, share: *share }));
                }
            }
            Event::PowerPriceShock { day, change, jurisdiction } => {
                schedule.push((*day, Effect::PowerFactor { jurisdiction: jur(jurisdiction), factor: 1.0 + change }))
            }
            Event::PoolFee { day, pool, fee } => {
                if let Some(p) = population.pools.names.iter().position(|n| n == pool) {
                    schedule.push((*day, Effect::PoolFee { pool: p, fee: *fee }));
                }
            }
            Event::AiShock { day, revenue_change, demand_change, terminate_share } => schedule.push((
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
