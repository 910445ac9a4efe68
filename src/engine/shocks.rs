//! Scheduled scenario events: the effects they have on the world, by day.

use super::world::World;
use crate::agents::operator::{Operator, OperatorState};
use crate::agents::Population;
use crate::rng::SimRng;
use crate::scenario::params::Event;
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
