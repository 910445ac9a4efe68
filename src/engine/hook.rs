//! The engine's one outlet to observation: a read-only view of the day once its decisions are
//! taken, and the chain's tallies once its last block is found. The engine computes no metric;
//! whoever implements [`Hook`] (the observer in `observe/`) derives rows from these views.

use super::census::Census;
use super::world::{DayStats, LogEvent, World};
use crate::error::Result;
use crate::units::Sat;

/// Day `day` after its shocks and decisions, as the day's blocks will find it.
#[derive(Debug, Clone, Copy)]
pub struct DayStart<'a> {
    pub day: u32,
    /// The world; on merit days (`merit.rs`) the operators' power bills to date, idle spells
    /// and pooled miners' settlement of yesterday's pay are booked lazily, and their machines' running flags are current only with the
    /// attack metrics on: read running hashrate from the census.
    pub world: &'a World,
    /// The day's census (its `running_th_s` is the operators' running hashrate; the engine
    /// hands that buffer to the block-winner sampler only after the hook has seen it).
    pub census: &'a Census,
    /// The day's flows (power, sales, capex, events counted).
    pub stats: &'a DayStats,
    /// Operators' actions since the previous view, in the order they happened.
    pub events: &'a [LogEvent],
}

/// The chain over one finished day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayEnd {
    pub blocks: u32,
    /// Sum of the intervals between consecutive blocks found today, and their number.
    pub interval_sum_s: f64,
    pub intervals: u32,
    pub subsidy: Sat,
    pub fees: Sat,
    /// What pools paid their miners for the day's work (`engine/pool.rs`); the blocks'
    /// subsidy and fees above went to the pools, or to solo miners who found them.
    pub pool_paid: Sat,
    pub retargets: u32,
    /// Chain height and difficulty after the day's last block.
    pub height: u64,
    pub difficulty_end: f64,
}

/// Receives the days in order: `day_start(d)`, then `day_end` of the same day (unless the run
/// stopped on an error in between).
pub trait Hook {
    fn day_start(&mut self, view: &DayStart<'_>) -> Result<()>;
    fn day_end(&mut self, end: &DayEnd) -> Result<()>;
}
