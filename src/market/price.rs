//! The BTC/USD price path: constant, geometric Brownian motion, or read from a CSV file
//! (loaded by `scenario::price_path`); scheduled shocks multiply it.

use crate::rng::SimRng;
use rand_distr::{Distribution, StandardNormal};

/// How tomorrow's price follows from today's.
#[derive(Debug, Clone, PartialEq)]
pub enum PriceModel {
    Constant,
    /// Daily log-returns `Normal(mean, sd)`.
    ///
    /// # Formula
    /// `S(d+1) = S(d) * exp(mean + sd * Z)`, `Z ~ N(0,1)`: GBM sampled daily with
    /// `mean = mu - sigma^2/2` (Hull, *Options, Futures and Other Derivatives*, ch. 15).
    Gbm {
        mean: f64,
        sd: f64,
    },
    /// Prices by day from a file; shocks multiply the path.
    Path(Vec<f64>),
}

/// The price process of one run.
#[derive(Debug, Clone)]
pub struct PriceProcess {
    model: PriceModel,
    /// The model's own level (before shocks) and the product of shocks so far.
    base_usd: f64,
    shock_factor: f64,
}

impl PriceProcess {
    pub fn new(model: PriceModel, initial_usd: f64) -> PriceProcess {
        let base_usd = match &model {
            PriceModel::Path(p) => p[0],
            _ => initial_usd,
        };
        PriceProcess { model, base_usd, shock_factor: 1.0 }
    }

    /// The price today, USD: held within [`PRICE_USD_MIN`]..=[`PRICE_USD_MAX`], the range a
    /// scenario may give, however far drift or shocks push (a drift of 0.5 a day overflowed to
    /// an infinite price in four years, 200 shocks of -99% to zero).
    pub fn price_usd(&self) -> f64 {
        (self.base_usd * self.shock_factor).clamp(PRICE_USD_MIN, PRICE_USD_MAX)
    }

    /// Moves to day `day` (called once per day, `day >= 1`).
    pub fn advance(&mut self, day: usize, rng: &mut SimRng) {
        match &self.model {
            PriceModel::Constant => {}
            PriceModel::Gbm { mean, sd } => {
                let z: f64 = StandardNormal.sample(rng);
                // Bounded, so that the product with the shocks is never inf * 0.
                self.base_usd = (self.base_usd * (mean + sd * z).exp()).clamp(PRICE_USD_MIN, PRICE_USD_MAX);
            }
            PriceModel::Path(p) => self.base_usd = p[day.min(p.len() - 1)],
        }
    }

    /// Multiplies the price by `1 + change` from now on.
    pub fn shock(&mut self, change: f64) {
        // Beyond this ratio any base price is moved past the bounds anyway.
        const MOST: f64 = PRICE_USD_MAX / PRICE_USD_MIN;
        self.shock_factor = (self.shock_factor * (1.0 + change)).clamp(1.0 / MOST, MOST);
    }
}

pub use crate::scenario::bounds::{PRICE_USD_MAX, PRICE_USD_MIN};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{replicate_seed, stream, Purpose};

    #[test]
    fn gbm_log_returns_have_the_given_moments() {
        let mut rng = stream(replicate_seed(3, 0), Purpose::Price);
        let mut p = PriceProcess::new(PriceModel::Gbm { mean: 0.0, sd: 0.035 }, 90_000.0);
        let n = 100_000;
        let mut prev = p.price_usd().ln();
        let (mut s, mut s2) = (0.0, 0.0);
        for d in 1..=n {
            p.advance(d, &mut rng);
            let r = p.price_usd().ln() - prev;
            prev = p.price_usd().ln();
            s += r;
            s2 += r * r;
        }
        let mean = s / n as f64;
        let sd = (s2 / n as f64 - mean * mean).sqrt();
        assert!(mean.abs() < 4.0 * 0.035 / (n as f64).sqrt(), "{mean}");
        assert!((sd - 0.035).abs() < 0.001, "{sd}");
    }

    #[test]
    fn shocks_multiply() {
        let mut p = PriceProcess::new(PriceModel::Constant, 100.0);
        p.shock(-0.38);
        assert!((p.price_usd() - 62.0).abs() < 1e-9);
    }

    /// Bug caught: a drift of 0.5 a day made the price infinite after ~1,400 days, and 200
    /// shocks of -99% made it zero (then NaN where the two met).
    #[test]
    fn prices_stay_in_the_scenario_range() {
        let mut rng = stream(replicate_seed(3, 0), Purpose::Price);
        let mut p = PriceProcess::new(PriceModel::Gbm { mean: 0.5, sd: 0.0 }, 90_000.0);
        for d in 1..3000 {
            p.advance(d, &mut rng);
        }
        assert_eq!(p.price_usd(), PRICE_USD_MAX);
        for _ in 0..400 {
            p.shock(-0.99);
        }
        assert_eq!(p.price_usd(), PRICE_USD_MIN);
        let mut q = PriceProcess::new(PriceModel::Constant, 100.0);
        for _ in 0..400 {
            q.shock(100.0);
        }
        assert_eq!(q.price_usd(), PRICE_USD_MAX);
        q.shock(-0.5);
        assert_eq!(q.price_usd(), PRICE_USD_MAX, "still far above the ceiling");
    }
}
