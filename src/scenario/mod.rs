//! Scenario files, the bottom of the model: the file as written ([`raw`], defaults in
//! [`defaults`]), checked and parsed ([`validate`] into [`params`]), with the files it refers
//! to ([`catalog`], [`price_path`]) and `--set` overrides ([`load`](mod@load)). It imports nothing of
//! agents, markets, the engine or metrics; they read it.

pub mod bounds;
pub mod catalog;
pub mod check;
pub mod date;
pub mod defaults;
pub mod dist;
pub mod load;
pub mod name;
pub mod params;
pub mod price_path;
pub mod raw;
pub mod validate;

pub use dist::{Dist, DistSpec};
pub use load::{load, load_str, LoadedScenario, Override};
pub use name::check_name;
pub use params::{CalibrateTo, DecisionRule, Expectation, Params, Payout, PayoutScheme};
pub use raw::{EventSpec, Fees, Price, Scenario};
