//! The price path file (`price.model = "csv"`): a `day,price_usd` CSV read and checked at
//! load time, so a run starts only with a complete, in-range path.

use super::bounds::{PRICE_USD_MAX, PRICE_USD_MIN};
use super::check::in_range;
use crate::error::{Error, Location, Result};
use crate::input::read_input;
use std::path::Path;

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
    let text = read_input(path)?;
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
