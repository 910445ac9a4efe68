//! `supply.csv`: the network's hash supply curve every [`SUPPLY_SNAPSHOT_DAYS`] days, the
//! merit order the industry reads the network through: installed machines and machines on
//! order by the hashprice that pays their energy (`market::supply`), one row per non-empty
//! bin, cheapest first.

use super::row::DayRow;
use crate::market::supply::SupplyCurve;
use crate::units::{TH_PER_EH, TH_PER_PH};
use serde::Serialize;

/// Days between two snapshots: four of the curve's weekly takes (`engine::snapshot`).
pub const SUPPLY_SNAPSHOT_DAYS: u32 = 28;

/// One row of `supply.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SupplyRow {
    pub replicate: u32,
    pub day: u32,
    pub date: String,
    /// The hashprice (net of the pool fee) at which the bin's machines just pay their energy.
    pub breakeven_hashprice_usd_per_ph_day: f64,
    pub hashrate_eh_s: f64,
    /// Hashrate that would run at this hashprice: this bin and every cheaper one.
    pub cumulative_eh_s: f64,
}

/// The day's rows, on snapshot days (none on the others).
pub fn supply_rows(row: &DayRow, curve: &SupplyCurve) -> Vec<SupplyRow> {
    if !row.day.is_multiple_of(SUPPLY_SNAPSHOT_DAYS) {
        return Vec::new();
    }
    curve
        .bins()
        .map(|b| SupplyRow {
            replicate: row.replicate,
            day: row.day,
            date: row.date.clone(),
            breakeven_hashprice_usd_per_ph_day: b.cost_usd_per_th_day * TH_PER_PH,
            hashrate_eh_s: b.th_s / TH_PER_EH,
            cumulative_eh_s: b.cumulative_th_s / TH_PER_EH,
        })
        .collect()
}
