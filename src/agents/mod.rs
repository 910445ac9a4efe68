//! Mining operators: hardware, the population, their pure decisions and their finances.

pub mod decision;
pub mod disposal;
pub mod expansion;
pub mod finance;
pub mod hardware;
pub mod names;
pub mod operator;
pub mod plan;
pub mod pool_choice;
pub mod pools;
pub mod population;
pub mod replacement;
pub mod valuation;
pub mod view;

pub use decision::{Expectation, MarketView};
pub use hardware::{Catalog, Vintage};
pub use operator::{Operator, OperatorState};
pub use population::{generate, Population};
