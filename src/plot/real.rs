//! The real record beside a history window's run (`real.csv`, written by `hashsim history`):
//! the real epochs' hashrate as a step series, drawn against the simulated band in the
//! `history_hashrate` figure.

use super::data::{read_table, MAX_DAYS};
use crate::error::Result;
use std::path::Path;

/// The file `hashsim history` writes into each window's folder.
pub const REAL_FILE: &str = "real.csv";

/// The real hashrate on each of the figure's `days`: the value of the last real row starting
/// on or before that day (NaN before the first), so epochs draw as steps. `None` without
/// `real.csv` (an ordinary run).
pub fn real_hashrate(dir: &Path, days: &[f64]) -> Result<Option<Vec<f64>>> {
    let path = dir.join(REAL_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let table = read_table(&path, &["day", "hashrate_eh_s"], &[])?;
    table.check_whole("day", 0, MAX_DAYS)?;
    let (Some(start), Some(value)) = (table.num("day"), table.num("hashrate_eh_s")) else { return Ok(None) };
    let mut rows: Vec<(f64, f64)> = start.iter().copied().zip(value.iter().copied()).collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(Some(step_values(&rows, days)))
}

/// Each day's value of a step series given as (first day, value) rows in day order.
pub fn step_values(rows: &[(f64, f64)], days: &[f64]) -> Vec<f64> {
    days.iter().map(|&d| rows.iter().rev().find(|(s, _)| *s <= d).map_or(f64::NAN, |(_, v)| *v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a day taking the next epoch's value (off by one at the step) or a value
    /// before the record starts.
    #[test]
    fn steps_hold_until_the_next_epoch() {
        let v = step_values(&[(2.0, 10.0), (4.0, 20.0)], &[0.0, 2.0, 3.0, 4.0, 9.0]);
        assert!(v[0].is_nan());
        assert_eq!(&v[1..], &[10.0, 10.0, 20.0, 20.0]);
    }
}
