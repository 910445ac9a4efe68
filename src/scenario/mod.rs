//! Scenario files: schema, defaults, validation and `--set` overrides.

pub mod check;
pub mod date;
pub mod dist;
pub mod load;
pub mod name;
pub mod schema;

pub use dist::Dist;
pub use load::{load, load_str, LoadedScenario, Override};
pub use name::check_name;
pub use schema::{DecisionRule, EventSpec, Fees, Price, Scenario};
