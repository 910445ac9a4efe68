//! Miners: the population and their decisions.

pub mod decision;
pub mod population;

pub use decision::{decide_daily, Action, MarketView, MinerView};
pub use population::{generate, Miner, MinerState, Population};
