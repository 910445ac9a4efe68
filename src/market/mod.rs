//! Markets the miners observe: the BTC price.

pub mod price;

pub use price::{PriceModel, PriceProcess};
