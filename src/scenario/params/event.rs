//! `[[events]]` as the world schedules them.

use crate::scenario::raw::EventSpec;

/// A scheduled shock, checked (day within the run, jurisdictions known). `day` is the
/// simulated day whose start it happens at.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The price moves by `change`, spread geometrically over `over_days` days.
    PriceShock { day: u32, change: f64, over_days: u32 },
    /// The fee level becomes `multiplier` x the scenario's mean from this day on.
    FeeShock { day: u32, multiplier: f64 },
    /// Installed hashrate of every miner (or of one jurisdiction's) changes by `change`.
    HashrateShock { day: u32, change: f64, jurisdiction: Option<String> },
    /// A share of a jurisdiction's miners, drawn at random, are switched off for good.
    JurisdictionBan { day: u32, jurisdiction: String, share: f64 },
    /// Power prices (everywhere, or in one jurisdiction) change by `change`.
    PowerPriceShock { day: u32, change: f64, jurisdiction: Option<String> },
    /// A pool's fee becomes `fee`.
    PoolFee { day: u32, pool: String, fee: f64 },
    /// The AI market moves: new contracts' revenue and open demand change by the given
    /// fractions, and `terminate_share` of running contracts end at once.
    AiShock { day: u32, revenue_change: f64, demand_change: f64, terminate_share: f64 },
}

impl From<&EventSpec> for Event {
    fn from(e: &EventSpec) -> Event {
        match e.clone() {
            EventSpec::PriceShock { day, change, over_days } => Event::PriceShock { day, change, over_days },
            EventSpec::FeeShock { day, multiplier } => Event::FeeShock { day, multiplier },
            EventSpec::HashrateShock { day, change, jurisdiction } => {
                Event::HashrateShock { day, change, jurisdiction }
            }
            EventSpec::JurisdictionBan { day, jurisdiction, share } => {
                Event::JurisdictionBan { day, jurisdiction, share }
            }
            EventSpec::PowerPriceShock { day, change, jurisdiction } => {
                Event::PowerPriceShock { day, change, jurisdiction }
            }
            EventSpec::PoolFee { day, pool, fee } => Event::PoolFee { day, pool, fee },
            EventSpec::AiShock { day, revenue_change, demand_change, terminate_share } => {
                Event::AiShock { day, revenue_change, demand_change, terminate_share }
            }
        }
    }
}
