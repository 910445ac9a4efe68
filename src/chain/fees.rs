//! Transaction fees per block.

use crate::units::{Sat, MAX_MONEY};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// How the fees of each block are drawn around the day's fee level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FeeModel {
    /// Every block carries exactly the level.
    Constant,
    /// Lognormal with mean equal to the level and log-sd `log_sd`.
    ///
    /// # Formula
    /// `fee = level * exp(log_sd * Z - log_sd^2 / 2)`, `Z ~ N(0, 1)`; the `-log_sd^2/2` makes
    /// `E[fee] = level`.
    LogNormal { log_sd: f64 },
}

impl FeeModel {
    /// Fees of one block, in satoshis, when the expected fee is `level_btc`; at most
    /// [`MAX_MONEY`] (the lognormal's tail is unbounded, the coins are not).
    pub fn draw<R: Rng + ?Sized>(&self, level_btc: f64, rng: &mut R) -> Sat {
        let fees = match *self {
            FeeModel::Constant => Sat::from_btc(level_btc),
            FeeModel::LogNormal { log_sd } => {
                let z: f64 = StandardNormal.sample(rng);
                Sat::from_btc(level_btc * (log_sd * z - 0.5 * log_sd * log_sd).exp())
            }
        };
        fees.min(MAX_MONEY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{replicate_seed, stream, Purpose};

    #[test]
    fn constant_is_exact() {
        let mut rng = stream(replicate_seed(1, 0), Purpose::Fees);
        assert_eq!(FeeModel::Constant.draw(0.025, &mut rng), Sat(2_500_000));
    }

    #[test]
    fn lognormal_mean_is_the_level() {
        let mut rng = stream(replicate_seed(1, 0), Purpose::Fees);
        let m = FeeModel::LogNormal { log_sd: 0.5 };
        let n = 200_000;
        let total: f64 = (0..n).map(|_| m.draw(0.025, &mut rng).to_btc()).sum();
        let mean = total / n as f64;
        // Standard error: 0.025 * sqrt(e^0.25 - 1) / sqrt(n) ~ 3e-5; allow 5 of them.
        assert!((mean - 0.025).abs() < 1.5e-4, "{mean}");
    }

    /// Bug caught: a fee level of 1e7 BTC (1000 BTC x a 10,000x shock) drew fees past u64.
    #[test]
    fn no_block_pays_more_than_all_coins() {
        let mut rng = stream(replicate_seed(1, 0), Purpose::Fees);
        let m = FeeModel::LogNormal { log_sd: 5.0 };
        assert!((0..10_000).all(|_| m.draw(1e7, &mut rng) <= MAX_MONEY));
        assert_eq!(FeeModel::Constant.draw(1e300, &mut rng), MAX_MONEY);
    }
}
