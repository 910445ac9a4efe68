//! Block subsidy, mirroring Bitcoin Core `GetBlockSubsidy` (src/validation.cpp).

use crate::units::{Sat, SAT_PER_BTC};

/// Blocks between halvings (`consensus.nSubsidyHalvingInterval`, mainnet).
pub const HALVING_INTERVAL: u64 = 210_000;

/// The subsidy of the block at `height`, in satoshis.
///
/// # Formula
/// `subsidy = (50 * COIN) >> (height / 210_000)`, and 0 once `height / 210_000 >= 64`: Core's
/// guard, since shifting a 64-bit value by 64 or more is undefined in C++.
pub fn block_subsidy(height: u64) -> Sat {
    let halvings = height / HALVING_INTERVAL;
    if halvings >= 64 {
        return Sat::ZERO;
    }
    Sat((50 * SAT_PER_BTC) >> halvings)
}

/// Height of the first block of the next subsidy era after `height`.
pub fn next_halving_height(height: u64) -> u64 {
    (height / HALVING_INTERVAL + 1) * HALVING_INTERVAL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsidy_schedule() {
        assert_eq!(block_subsidy(0), Sat(5_000_000_000));
        assert_eq!(block_subsidy(209_999), Sat(5_000_000_000));
        assert_eq!(block_subsidy(210_000), Sat(2_500_000_000));
        assert_eq!(block_subsidy(840_000), Sat(312_500_000));
        assert_eq!(block_subsidy(1_049_999), Sat(312_500_000));
        assert_eq!(block_subsidy(1_050_000), Sat(156_250_000));
        assert_eq!(block_subsidy(64 * HALVING_INTERVAL), Sat::ZERO);
        assert_eq!(block_subsidy(u64::MAX), Sat::ZERO);
    }

    #[test]
    fn last_subsidy_is_in_33rd_era() {
        // Era 32 (heights 6,720,000..6,929,999) pays 1 sat; era 33 pays 0.
        assert_eq!(block_subsidy(32 * HALVING_INTERVAL), Sat(1));
        assert_eq!(block_subsidy(33 * HALVING_INTERVAL), Sat::ZERO);
    }

    #[test]
    fn total_issuance_matches_published_cap() {
        // 20,999,999.9769 BTC (../shared/calibration.md; Core's MAX_MONEY note).
        let total: u64 = (0..64).map(|era| block_subsidy(era * HALVING_INTERVAL).0 * HALVING_INTERVAL).sum();
        assert_eq!(total, 2_099_999_997_690_000);
    }

    #[test]
    fn halving_heights() {
        assert_eq!(next_halving_height(925_000), 1_050_000);
        assert_eq!(next_halving_height(1_050_000), 1_260_000);
    }
}
