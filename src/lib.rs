//! hashsim: an agent-based, discrete-event simulator of Bitcoin network security.
//!
//! Data flows one way: [`scenario`] -> world -> [`engine`] loop -> daily observations ->
//! [`output`] writers. The library never prints or exits; the `hashsim` binary does.

pub mod chain;
pub mod error;
pub mod market;
pub mod rng;
pub mod scenario;
pub mod units;

pub use error::{Error, Result};
