//! The real record the history check compares with, shipped in `data/history/` (sources in
//! its README): every difficulty epoch since 2021 and monthly BTC prices; and the daily price
//! paths of the windows, derived from the monthly means by one documented rule.

use crate::error::{Error, Result};
use crate::scenario::date::{format_date, parse_date};
use serde::Deserialize;

/// `data/history/epochs.csv`, compiled in so that the check needs no data folder at run time.
pub const EPOCHS_CSV: &str = include_str!("../../data/history/epochs.csv");
/// `data/history/btc_price_monthly.csv`.
pub const MONTHLY_PRICES_CSV: &str = include_str!("../../data/history/btc_price_monthly.csv");

const SECONDS_PER_DAY: f64 = 86_400.0;

/// One 2016-block difficulty epoch of the real chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Epoch {
    pub epoch: u32,
    pub first_height: u64,
    /// Time of the epoch's first block, in days since 1970-01-01 (fractional).
    pub start_day: f64,
    pub bits: String,
    pub difficulty: f64,
    /// Implied hashrate `D * 2^32 * 2015 / timespan`.
    pub hashrate_eh_s: f64,
    pub mean_block_interval_s: f64,
    /// Difficulty change at the retarget that ends this epoch, %.
    pub next_retarget_change_pct: f64,
}

#[derive(Debug, Deserialize)]
struct EpochRecord {
    epoch: u32,
    first_height: u64,
    first_time_utc: String,
    bits: String,
    difficulty: f64,
    hashrate_eh_s: f64,
    mean_block_interval_s: f64,
    next_retarget_change_pct: f64,
}

/// One calendar month's mean of daily closes.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyPrice {
    /// First day of the month, days since 1970-01-01.
    pub first_day: i64,
    pub mean_price_usd: f64,
    /// Days the mean covers (the last month may be partial).
    pub days: u32,
}

#[derive(Debug, Deserialize)]
struct MonthRecord {
    month: String,
    mean_price_usd: f64,
    days: u32,
}

/// Days since 1970 of `YYYY-MM-DDTHH:MM:SSZ`.
fn parse_time_days(s: &str) -> Option<f64> {
    let (date, time) = s.strip_suffix('Z')?.split_once('T')?;
    let mut hms = time.split(':').map(|p| p.parse::<u32>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    let seconds = f64::from(h * 3600 + m * 60 + sec);
    Some(parse_date(date)? as f64 + seconds / SECONDS_PER_DAY)
}

fn bad(file: &str, line: usize, what: impl std::fmt::Display) -> Error {
    Error::Other(format!("{file}:{line}: {what}"))
}

fn records<T: for<'de> Deserialize<'de>>(text: &str, file: &str) -> Result<Vec<(usize, T)>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.deserialize().enumerate().map(|(i, rec)| rec.map(|t| (i + 2, t)).map_err(|e| bad(file, i + 2, e))).collect()
}

/// Parses an epochs CSV (the layout of `data/history/epochs.csv`), in height order.
pub fn parse_epochs(text: &str) -> Result<Vec<Epoch>> {
    const FILE: &str = "epochs.csv";
    let mut out: Vec<Epoch> = Vec::new();
    for (line, r) in records::<EpochRecord>(text, FILE)? {
        let start_day =
            parse_time_days(&r.first_time_utc).ok_or_else(|| bad(FILE, line, "first_time_utc: not a UTC time"))?;
        if out.last().is_some_and(|p| p.first_height >= r.first_height || p.start_day >= start_day) {
            return Err(bad(FILE, line, "epochs must be in height and time order"));
        }
        out.push(Epoch {
            epoch: r.epoch,
            first_height: r.first_height,
            start_day,
            bits: r.bits,
            difficulty: r.difficulty,
            hashrate_eh_s: r.hashrate_eh_s,
            mean_block_interval_s: r.mean_block_interval_s,
            next_retarget_change_pct: r.next_retarget_change_pct,
        });
    }
    Ok(out)
}

/// Parses a monthly price CSV (the layout of `data/history/btc_price_monthly.csv`).
pub fn parse_monthly_prices(text: &str) -> Result<Vec<MonthlyPrice>> {
    const FILE: &str = "btc_price_monthly.csv";
    let mut out: Vec<MonthlyPrice> = Vec::new();
    for (line, r) in records::<MonthRecord>(text, FILE)? {
        let first_day =
            parse_date(&format!("{}-01", r.month)).ok_or_else(|| bad(FILE, line, "month: expected YYYY-MM"))?;
        if !(r.mean_price_usd > 0.0 && r.mean_price_usd.is_finite()) || r.days == 0 {
            return Err(bad(FILE, line, "mean_price_usd and days must be positive"));
        }
        if out.last().is_some_and(|p| p.first_day >= first_day) {
            return Err(bad(FILE, line, "months must be in order"));
        }
        out.push(MonthlyPrice { first_day, mean_price_usd: r.mean_price_usd, days: r.days });
    }
    Ok(out)
}

/// The bundled epochs.
pub fn epochs() -> Result<Vec<Epoch>> {
    parse_epochs(EPOCHS_CSV)
}

/// The bundled monthly prices.
pub fn monthly_prices() -> Result<Vec<MonthlyPrice>> {
    parse_monthly_prices(MONTHLY_PRICES_CSV)
}

/// The daily price of calendar day `day` (days since 1970) from monthly means.
///
/// # Formula
/// Each month's mean is placed at the middle of the days it covers, `a_m = first_day_m +
/// days_m / 2`; the price at midday `t = day + 0.5` is interpolated linearly in log price
/// between the two anchors around it, `ln p(t) = ln p_m + (t - a_m) / (a_{m+1} - a_m) *
/// (ln p_{m+1} - ln p_m)`, and held at the first or last mean outside the anchors. The path is
/// smooth: it keeps the months' levels and trends, not the daily volatility.
pub fn daily_price_usd(months: &[MonthlyPrice], day: i64) -> f64 {
    let anchor = |m: &MonthlyPrice| m.first_day as f64 + f64::from(m.days) / 2.0;
    let t = day as f64 + 0.5;
    let (Some(first), Some(last)) = (months.first(), months.last()) else { return f64::NAN };
    if t <= anchor(first) {
        return first.mean_price_usd;
    }
    if t >= anchor(last) {
        return last.mean_price_usd;
    }
    let k = months.windows(2).position(|w| t < anchor(&w[1])).expect("t lies between the anchors");
    let (a, b) = (&months[k], &months[k + 1]);
    let f = (t - anchor(a)) / (anchor(b) - anchor(a));
    (a.mean_price_usd.ln() + f * (b.mean_price_usd.ln() - a.mean_price_usd.ln())).exp()
}

/// A scenario's price path (`price.model = "csv"`): header `day,price_usd`, day 0 = `start_date`,
/// `days` rows, prices rounded to cents.
pub fn price_path_csv(months: &[MonthlyPrice], start_date: &str, days: u32) -> Result<String> {
    let start = parse_date(start_date).ok_or_else(|| Error::Other(format!("not a date: {start_date:?}")))?;
    let mut s = String::from("day,price_usd\n");
    for d in 0..days {
        s.push_str(&format!("{d},{:.2}\n", daily_price_usd(months, start + i64::from(d))));
    }
    Ok(s)
}

/// `YYYY-MM-DD` of a fractional day number (the day it falls in).
pub fn date_of(day: f64) -> String {
    format_date(day.floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: the bundled data no longer parses (a damaged copy or a changed layout).
    #[test]
    fn bundled_data_parses() {
        let e = epochs().unwrap();
        assert!(e.len() > 100);
        let block_840k = e.iter().find(|e| e.first_height == 838_656).unwrap();
        assert_eq!(block_840k.bits, "0x17034219"); // the bits of block 840,000 (Core's chain)
        assert_eq!(date_of(block_840k.start_day), "2024-04-10");
        assert_eq!(monthly_prices().unwrap().len(), 59);
    }

    /// Worked by hand: months of 29 and 31 days at 100 and 400 have anchors at 14.5 and 44.5;
    /// midday of day 29 (29.5) is half way, so sqrt(100 * 400) = 200; day 30 (30.5) is 16/30
    /// of the way: 100 * 4^(16/30) = 209.46. Bugs caught: interpolating prices instead of log
    /// prices (250), anchoring at month starts.
    #[test]
    fn interpolation_is_log_linear_between_mid_months() {
        let m = [
            MonthlyPrice { first_day: 0, mean_price_usd: 100.0, days: 29 },
            MonthlyPrice { first_day: 29, mean_price_usd: 400.0, days: 31 },
        ];
        assert!((daily_price_usd(&m, 29) - 200.0).abs() < 1e-9);
        assert_eq!(daily_price_usd(&m, 3), 100.0); // before the first anchor: held
        assert_eq!(daily_price_usd(&m, 59), 400.0); // after the last: held
        let csv = price_path_csv(&m, "1970-01-30", 2).unwrap();
        assert_eq!(csv, "day,price_usd\n0,200.00\n1,209.46\n");
    }

    #[test]
    fn times_parse_to_fractional_days() {
        assert_eq!(parse_time_days("1970-01-02T12:00:00Z"), Some(1.5));
        assert_eq!(parse_time_days("1970-01-02 12:00:00"), None);
    }
}
