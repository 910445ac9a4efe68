pub mod chain;
pub mod rng;
pub mod units;
