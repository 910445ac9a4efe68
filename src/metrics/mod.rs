//! Security metrics: concentration of hashrate.

pub mod concentration;
