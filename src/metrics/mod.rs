//! Security metrics: concentration of hashrate and double-spend risk.

pub mod concentration;
pub mod risk;
