//! Security metrics: concentration of hashrate, attack cost by route, double-spend risk, and
//! the per-run summary.

pub mod attack;
pub mod concentration;
pub mod ranking;
pub mod risk;
pub mod summary;
