//! Security metrics, as pure functions of hashrates and prices: concentration of hashrate,
//! attack cost by route, double-spend risk. (The daily row and the per-run summary that use
//! them are in `observe/`.)

pub mod attack;
pub mod concentration;
pub mod pool_bribe;
pub mod rank_sums;
pub mod ranking;
pub mod risk;
pub mod selfish;
pub mod unit_cost_sort;
