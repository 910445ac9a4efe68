//! Markets the operators observe and trade in: the BTC price, AI/HPC hosting, used machines,
//! insolvent sites.

pub mod acquisitions;
pub mod ai;
pub mod price;
pub mod secondary;

pub use ai::AiMarket;
pub use price::{PriceModel, PriceProcess};
pub use secondary::SecondaryMarket;
