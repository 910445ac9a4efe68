//! The BTC/USD price path: constant, geometric Brownian motion, or read from a CSV file;
//! scheduled shocks multiply it.

use crate::error::{Error, Location, Result};
use crate::rng::SimRng;
use rand_distr::{Distribution, StandardNormal};
use std::path::Path;

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

    /// The price today, USD.
    pub fn price_usd(&self) -> f64 {
        self.base_usd * self.shock_factor
    }

    /// Moves to day `day` (called once per day, `day >= 1`).
    pub fn advance(&mut self, day: usize, rng: &mut SimRng) {
        match &self.model {
            PriceModel::Constant => {}
            PriceModel::Gbm { mean, sd } => {
                let z: f64 = StandardNormal.sample(rng);
                self.base_usd *= (mean + sd * z).exp();
            }
            PriceModel::Path(p) => self.base_usd = p[day.min(p.len() - 1)],
        }
    }

    /// Multiplies the price by `1 + change` from now on.
    pub fn shock(&mut self, change: f64) {
        self.shock_factor *= 1.0 + change;
    }
}

/// Reads a `day,price_usd` CSV covering days `0..days`: days consecutive from 0, prices
/// positive. Extra rows past the horizon are ignored.
pub fn load_price_csv(path: &Path, days: usize) -> Result<Vec<f64>> {
    let file = path.display().to_string();
    let at = |line: Option<u64>, msg: String| {
        Error::invalid(Location { source: file.clone(), line: line.map(|l| l as usize), ..Location::default() }, msg)
    };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(path).map_err(|e| match e.kind() {
        csv::ErrorKind::Io(_) => at(None, format!("cannot read the price path: {e}")),
        _ => at(None, e.to_string()),
    })?;
    let headers = reader.headers().map_err(|e| at(Some(1), e.to_string()))?.clone();
    if headers.len() != 2 || &headers[0] != "day" || &headers[1] != "price_usd" {
        return Err(at(
            Some(1),
            format!("the header must be `day,price_usd` (got `{}`)", headers.iter().collect::<Vec<_>>().join(",")),
        ));
    }
    let mut prices = Vec::with_capacity(days);
    for record in reader.records() {
        let record = record.map_err(|e| at(e.position().map(|p| p.line()), e.to_string()))?;
        let line = record.position().map(|p| p.line());
        let day: usize =
            record[0].parse().map_err(|_| at(line, format!("day must be a whole number (got {:?})", &record[0])))?;
        let price: f64 =
            record[1].parse().map_err(|_| at(line, format!("price_usd must be a number (got {:?})", &record[1])))?;
        if day != prices.len() {
            return Err(at(
                line,
                format!("days must run 0, 1, 2, ... without gaps: expected day {} (got {day})", prices.len()),
            ));
        }
        if !(price.is_finite() && price > 0.0) {
            return Err(at(line, format!("price_usd must be positive (got {price})")));
        }
        prices.push(price);
        if prices.len() == days {
            break;
        }
    }
    if prices.len() < days {
        return Err(at(None, format!("the price path covers {} days but the scenario runs {days}", prices.len())));
    }
    Ok(prices)
}

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

    #[test]
    fn csv_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.csv");
        std::fs::write(&f, "day,price_usd\n0,100\n1,abc\n").unwrap();
        let e = load_price_csv(&f, 2).unwrap_err().to_string();
        assert!(e.contains("p.csv:3"), "{e}");
        std::fs::write(&f, "day,price_usd\n0,100\n2,100\n").unwrap();
        assert!(load_price_csv(&f, 2).unwrap_err().to_string().contains("expected day 1"));
        std::fs::write(&f, "day,price_usd\n0,100\n").unwrap();
        assert!(load_price_csv(&f, 2).unwrap_err().to_string().contains("covers 1 days"));
        std::fs::write(&f, "date,price\n").unwrap();
        assert!(load_price_csv(&f, 2).unwrap_err().to_string().contains("header"));
        std::fs::write(&f, "day,price_usd\n0,100\n1,120\n2,1\n").unwrap();
        assert_eq!(load_price_csv(&f, 2).unwrap(), vec![100.0, 120.0]);
    }
}
