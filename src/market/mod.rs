//! Markets the operators observe and trade in: the BTC price, AI/HPC hosting, new machines,
//! used machines, insolvent sites.

pub mod acquisitions;
pub mod ai;
pub mod hardware;
pub mod price;
pub mod secondary;
pub mod supply;

pub use ai::AiMarket;
pub use hardware::HardwareMarket;
pub use price::{PriceModel, PriceProcess};
pub use secondary::SecondaryMarket;
