//! Bitcoin's chain rules: subsidy, difficulty targets, retargeting and fees. Each rule mirrors
//! the Bitcoin Core function named in its doc comment, in integer arithmetic.

pub mod fees;
pub mod retarget;
pub mod subsidy;
pub mod target;

pub use retarget::{is_retarget_boundary, next_bits, RETARGET_INTERVAL};
pub use subsidy::{block_subsidy, next_halving_height, HALVING_INTERVAL};
pub use target::{bits_from_difficulty, difficulty_from_bits};
