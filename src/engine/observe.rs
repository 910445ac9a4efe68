//! Daily observations: one flat row per simulated day, columns snake_case with units.

use crate::error::Result;
use serde::Serialize;

/// One simulated day. State columns are observed at the start of the day after the day's
/// shocks and decisions; flow columns (`blocks`, `*_btc`, `miner_revenue_usd`, ...) cover the
/// whole day; `height` and `difficulty_end` are at the end of the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRow {
    pub replicate: u32,
    pub day: u32,
    pub date: String,
    /// Chain height at the end of the day.
    pub height: u64,
    /// Difficulty miners faced at the start of the day.
    pub difficulty: f64,
    /// Difficulty at the end of the day (differs on retarget days).
    pub difficulty_end: f64,
    /// Hashrate of the miners that are mining.
    pub hashrate_eh_s: f64,
    /// Hashrate of all machines not switched off for good (mining or idle).
    pub installed_hashrate_eh_s: f64,
    pub price_usd: f64,
    /// Expected fees per block today (the fee level).
    pub fees_btc_per_block: f64,
    /// Expected revenue per PH/s per day at the start-of-day difficulty.
    pub hashprice_usd_per_ph_day: f64,
    pub blocks: u32,
    /// Mean interval between consecutive blocks found today; empty when none was.
    pub mean_block_interval_s: Option<f64>,
    pub active_miners: u32,
    pub idle_miners: u32,
    pub offline_miners: u32,
    pub subsidy_btc: f64,
    pub fees_btc: f64,
    /// Value of today's subsidy + fees at today's price: the security budget.
    pub miner_revenue_usd: f64,
    /// Power bought by the mining miners today.
    pub power_cost_usd: f64,
    pub energy_mwh: f64,
    /// Difficulty retargets today.
    pub retargets: u32,
    /// Hashrate concentration over active hashrate, by miner (HHI 0..10,000).
    pub hhi_miners: f64,
    pub nakamoto_50_miners: u32,
    pub top1_share_miners: f64,
    pub top5_share_miners: f64,
    pub hhi_jurisdictions: f64,
    pub nakamoto_50_jurisdictions: u32,
    pub top1_share_jurisdictions: f64,
}

/// Receives each day's row as soon as the day ends.
pub trait Observer {
    fn on_day(&mut self, row: &DayRow) -> Result<()>;
}

/// Keeps every row in memory (tests, small runs).
#[derive(Debug, Default)]
pub struct Collect(pub Vec<DayRow>);

impl Observer for Collect {
    fn on_day(&mut self, row: &DayRow) -> Result<()> {
        self.0.push(row.clone());
        Ok(())
    }
}

/// Forwards each row to two observers.
pub struct Tee<'a, 'b>(pub &'a mut dyn Observer, pub &'b mut dyn Observer);

impl Observer for Tee<'_, '_> {
    fn on_day(&mut self, row: &DayRow) -> Result<()> {
        self.0.on_day(row)?;
        self.1.on_day(row)
    }
}
