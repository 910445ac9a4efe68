//! hashsim: an agent-based, discrete-event simulator of Bitcoin network security.
//!
//! Data flows one way: [`scenario`] -> world -> [`engine`] loop -> its hook -> [`observe`]
//! (rows, computed with [`metrics`]) -> [`output`] writers. The library never prints or exits; the `hashsim` binary
//! does.

pub mod agents;
pub mod calendar;
pub mod calibrate;
pub mod chain;
pub mod engine;
pub mod error;
pub mod history;
pub mod input;
pub mod market;
pub mod metrics;
pub mod observe;
pub mod output;
pub mod plot;
pub mod prefetch;
pub mod progress;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
pub mod units;

pub use error::{Error, Result};
