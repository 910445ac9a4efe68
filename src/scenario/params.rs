//! Phase 2's products: values the file writes as strings, parsed once at load time, and the
//! parameter enums the agents read. The engine takes these instead of parsing the file's
//! strings again.

use serde::{Deserialize, Serialize};

/// How an operator forms its expectation of future hashprice (an operator's
/// `expectation`; the population's shares are `population.behaviour`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// Today's hashprice persists.
    #[default]
    Myopic,
    /// An exponential moving average of past hashprice (half-life `strategy.adaptive_half_life_days`).
    Adaptive,
    /// Today's hashprice, except that the subsidy part halves at the next halving.
    HalvingAware,
}

/// What validation parsed out of the scenario's strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    /// `simulation.start_date` as days since 1970-01-01.
    pub start_date_days: i64,
    /// `chain.bits` as a compact target, when given.
    pub chain_bits: Option<u32>,
}
