//! Observation, apart from the engine: the engine shows each day through one hook
//! (`engine::hook`), and this module turns what it shows into rows: the daily row
//! ([`row::DayRow`], built in [`day`] and [`security`]), operators' final rows
//! ([`operators`]), and the per-run summary ([`summary`]). Writers in `output/` only write
//! the rows they are handed.
//!
//! Imports run one way: `engine` -> `observe` -> `output`.

pub mod day;
pub mod observer;
pub mod operators;
pub mod pools;
pub mod recorder;
pub mod row;
pub mod security;
pub mod summary;
pub mod supply;

pub use crate::engine::world::LogEvent;
pub use observer::{Collect, Observer, Tee};
pub use operators::{operator_rows, OperatorRow};
pub use pools::PoolRow;
pub use recorder::{run_replicate, Recorder};
pub use row::DayRow;
pub use summary::{RunSummary, SummaryTally};
pub use supply::SupplyRow;

/// Watts per megawatt: power columns are in MW, efficiency in J/TH (= W per TH/s).
const W_PER_MW: f64 = 1e6;
