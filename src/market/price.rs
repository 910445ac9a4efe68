//! The BTC/USD price path: constant, geometric Brownian motion, or read from a CSV file;
//! scheduled shocks multiply it.

use crate::error::{Error, Location, Result};
use crate::rng::SimRng;
use crate::scenario::check::in_range;
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

/// Prices a scenario may give or a price path may hold, USD per BTC: a cent to a billion, so
/// that products of prices, rewards and days stay finite.
pub const PRICE_USD_MIN: f64 = 0.01;
pub const PRICE_USD_MAX: f64 = 1e9;

/// The price path's header.
const PRICE_CSV_HEADER: &str = "day,price_usd";

/// Reads a `day,price_usd` CSV covering days `0..days`: days consecutive from 0, prices in
/// [`PRICE_USD_MIN`]..=[`PRICE_USD_MAX`]. Extra rows past the horizon are ignored.
///
/// Errors name the line and the column but quote nothing of the file: `price.path` may point
/// at any file (it once echoed the environment from `/proc/self/environ`).
pub fn load_price_csv(path: &Path, days: usize) -> Result<Vec<f64>> {
    let file = path.display().to_string();
    let at = |line: Option<u64>, column: Option<&str>, msg: String| {
        let location = Location {
            source: file.clone(),
            line: line.map(|l| l as usize),
            key: column.map(str::to_string),
            ..Location::default()
        };
        Error::invalid(location, msg)
    };
    let text = crate::scenario::load::read_input(path)?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let not_csv = |line: Option<u64>| {
        at(line, None, format!("not a price path: expected a CSV file with the header `{PRICE_CSV_HEADER}`"))
    };
    let headers = reader.headers().map_err(|_| not_csv(Some(1)))?.clone();
    if headers.len() != 2 || &headers[0] != "day" || &headers[1] != "price_usd" {
        return Err(not_csv(Some(1)));
    }
    let mut prices = Vec::with_capacity(days.min(text.len()));
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line());
            at(line, None, format!("expected two columns, `{PRICE_CSV_HEADER}`"))
        })?;
        let line = record.position().map(|p| p.line());
        let want = prices.len();
        let day: Option<usize> = record[0].parse().ok();
        if day != Some(want) {
            return Err(at(
                line,
                Some("day"),
                format!("days must be whole numbers 0, 1, 2, ... without gaps: expected day {want}"),
            ));
        }
        let price: f64 =
            record[1].parse().map_err(|_| at(line, Some("price_usd"), "must be a number (USD per BTC)".to_string()))?;
        in_range(price, PRICE_USD_MIN, PRICE_USD_MAX).map_err(|msg| at(line, Some("price_usd"), msg))?;
        prices.push(price);
        if prices.len() == days {
            break;
        }
    }
    if prices.len() < days {
        return Err(at(
            None,
            None,
            format!("the price path covers {} days but the scenario runs {days}", prices.len()),
        ));
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

    #[test]
    fn csv_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.csv");
        std::fs::write(&f, "day,price_usd\n0,100\n1,abc\n").unwrap();
        let e = load_price_csv(&f, 2).unwrap_err().to_string();
        assert!(e.contains("p.csv:3: price_usd: must be a number"), "{e}");
        std::fs::write(&f, "day,price_usd\n0,100\n2,100\n").unwrap();
        assert!(load_price_csv(&f, 2).unwrap_err().to_string().contains("p.csv:3: day: days must be whole numbers"));
        std::fs::write(&f, "day,price_usd\n0,100\n").unwrap();
        assert!(load_price_csv(&f, 2).unwrap_err().to_string().contains("covers 1 days"));
        std::fs::write(&f, "date,price\n").unwrap();
        assert!(load_price_csv(&f, 2).unwrap_err().to_string().contains("header `day,price_usd`"));
        std::fs::write(&f, "day,price_usd\n0,100\n1,120\n2,1\n").unwrap();
        assert_eq!(load_price_csv(&f, 2).unwrap(), vec![100.0, 120.0]);
    }

    /// Bug caught: prices up to f64::MAX were accepted (a scenario's `initial_usd` stops at 1e9).
    #[test]
    fn csv_prices_have_the_scenario_range() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.csv");
        for bad in ["1.7976931348623157e308", "1e10", "0.001", "-5", "NaN", "inf"] {
            std::fs::write(&f, format!("day,price_usd\n0,100\n1,{bad}\n")).unwrap();
            let e = load_price_csv(&f, 2).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("{}:3: price_usd: must be between 0.01 and 1000000000", f.display())),
                "{e}"
            );
        }
        std::fs::write(&f, "day,price_usd\n0,0.01\n1,1e9\n").unwrap();
        assert_eq!(load_price_csv(&f, 2).unwrap(), vec![0.01, 1e9]);
    }

    /// Bug caught: the error for a file that is not a price path quoted its first line (for
    /// `/proc/self/environ`, the environment); now nothing of the file is quoted.
    #[test]
    fn a_file_of_another_shape_is_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("secret.txt");
        let secret = "API_TOKEN=hunter2";
        for text in [
            format!("{secret}\0HOME=/root\0"),
            format!("{secret},x\n"),
            format!("day,price_usd\n0,{secret}\n"),
            format!("day,price_usd\n{secret},1\n"),
            format!("day,price_usd\n0,1,{secret}\n"),
        ] {
            std::fs::write(&f, &text).unwrap();
            let e = load_price_csv(&f, 2).unwrap_err().to_string();
            assert!(!e.contains("hunter2") && !e.contains("API_TOKEN"), "{e}");
            assert!(e.contains("secret.txt:"), "{e}");
        }
        // Not a regular file: refused before it is read (a FIFO would block, /dev/zero never ends).
        let e = load_price_csv(dir.path(), 2).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }
}
