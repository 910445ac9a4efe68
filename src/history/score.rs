//! The scorecard's arithmetic: series in, numbers out, no I/O.
//!
//! Hashrates are compared at epoch resolution: `sim[k]` is the mean simulated daily hashrate
//! over the dates of real epoch `k`, `real[k]` that epoch's implied hashrate; both series have
//! one value per epoch, in order, and `offset_days[k]` is the epoch's start in days from the
//! window's start (0 for the first).

/// Share of the starting level that counts as recovered (`recovery_days`): within 5%.
pub const RECOVERED_SHARE: f64 = 0.95;
/// A mean block interval above this counts as a slow day, s (twice the 600 s target).
pub const SLOW_INTERVAL_S: f64 = 1200.0;
/// Epochs between the ends of a "30-day" log change (two ~14-day epochs).
pub const CHANGE_LAG_EPOCHS: usize = 2;

/// Change from the first to the last epoch, %.
pub fn change_pct(series: &[f64]) -> f64 {
    match (series.first(), series.last()) {
        (Some(a), Some(b)) => (b / a - 1.0) * 100.0,
        _ => f64::NAN,
    }
}

/// The deepest epoch (~14-day mean) below the first, %: `min_k x_k / x_0 - 1` (0 if the series
/// never falls below its start).
pub fn trough_pct(series: &[f64]) -> f64 {
    let Some(&x0) = series.first() else { return f64::NAN };
    (series.iter().fold(x0, |m, &x| m.min(x)) / x0 - 1.0) * 100.0
}

/// Days from the window's start to the first epoch, at or after the trough, whose level is
/// back within 5% of the first epoch's (0 if it never fell more than 5%); `None` if it never
/// recovers inside the window.
pub fn recovery_days(series: &[f64], offset_days: &[f64]) -> Option<f64> {
    let &x0 = series.first()?;
    let trough = series.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map(|(k, _)| k)?;
    if series[trough] >= RECOVERED_SHARE * x0 {
        return Some(0.0);
    }
    (trough..series.len()).find(|&k| series[k] >= RECOVERED_SHARE * x0).map(|k| offset_days[k])
}

/// `sim / real` in the epoch that holds day `day` of the window (the last epoch starting at or
/// before it).
pub fn ratio_at_day(sim: &[f64], real: &[f64], offset_days: &[f64], day: f64) -> f64 {
    match offset_days.iter().rposition(|&o| o <= day) {
        Some(k) => sim[k] / real[k],
        None => f64::NAN,
    }
}

/// `sim / real` in the last epoch.
pub fn final_ratio(sim: &[f64], real: &[f64]) -> f64 {
    match (sim.last(), real.last()) {
        (Some(s), Some(r)) => s / r,
        _ => f64::NAN,
    }
}

/// Root mean square of `ln sim_k - ln real_k` over the epochs.
///
/// # Formula
/// `sqrt( (1/n) * sum_k (ln s_k - ln r_k)^2 )`: 0 for identical series, `ln 2` for a sim at
/// half (or twice) the real level throughout.
pub fn log_rmse(sim: &[f64], real: &[f64]) -> f64 {
    let n = sim.len().min(real.len());
    if n == 0 {
        return f64::NAN;
    }
    let ss: f64 = sim.iter().zip(real).map(|(s, r)| (s.ln() - r.ln()).powi(2)).sum();
    (ss / n as f64).sqrt()
}

/// Log changes over [`CHANGE_LAG_EPOCHS`] epochs: `ln x_{k+2} - ln x_k`.
pub fn lagged_log_changes(series: &[f64]) -> Vec<f64> {
    series.windows(CHANGE_LAG_EPOCHS + 1).map(|w| w[CHANGE_LAG_EPOCHS].ln() - w[0].ln()).collect()
}

/// Pearson correlation of the two series' ~30-day (two-epoch) log changes; `None` with fewer
/// than three changes or a series whose changes do not vary.
pub fn change_correlation(sim: &[f64], real: &[f64]) -> Option<f64> {
    pearson(&lagged_log_changes(sim), &lagged_log_changes(real))
}

/// Pearson's r of equal-length samples; `None` below three points or with zero variance.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    let (mx, my) = (x[..n].iter().sum::<f64>() / n as f64, y[..n].iter().sum::<f64>() / n as f64);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x[..n].iter().zip(&y[..n]) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// The retarget change of largest magnitude, with its sign, %; `None` without retargets.
pub fn largest_change_pct(changes_pct: &[f64]) -> Option<f64> {
    changes_pct.iter().copied().max_by(|a, b| a.abs().total_cmp(&b.abs()))
}

/// Days whose mean block interval is above [`SLOW_INTERVAL_S`] (a day without blocks counts).
pub fn slow_days(intervals_s: &[Option<f64>]) -> usize {
    intervals_s.iter().filter(|i| i.is_none_or(|s| s > SLOW_INTERVAL_S)).count()
}

/// Percentile `p` (0..=100) by linear interpolation between order statistics (NumPy's default);
/// NaN for no values. Infinite values sort last.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let rank = p / 100.0 * (v.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    if lo == hi || v[lo] == v[hi] {
        return v[lo];
    }
    v[lo] + (rank - lo as f64) * (v[hi] - v[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: [f64; 6] = [100.0, 80.0, 60.0, 70.0, 90.0, 120.0];
    const OFFSETS: [f64; 6] = [0.0, 14.0, 28.0, 42.0, 56.0, 70.0];

    /// A sim identical to the record scores perfectly. Bugs caught: a metric that compares the
    /// wrong epochs or normalises wrongly.
    #[test]
    fn identical_series_score_perfectly() {
        assert_eq!(log_rmse(&REAL, &REAL), 0.0);
        assert!((change_correlation(&REAL, &REAL).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(final_ratio(&REAL, &REAL), 1.0);
        assert_eq!(ratio_at_day(&REAL, &REAL, &OFFSETS, 30.0), 1.0);
    }

    /// Half the real level: log-RMSE ln 2, ratio 0.5, and the same shape (correlation 1, same
    /// change). Bug caught: RMSE of levels instead of logs.
    #[test]
    fn half_level_scores_ln2() {
        let half: Vec<f64> = REAL.iter().map(|r| r / 2.0).collect();
        assert!((log_rmse(&half, &REAL) - std::f64::consts::LN_2).abs() < 1e-12);
        assert_eq!(final_ratio(&half, &REAL), 0.5);
        assert!((change_correlation(&half, &REAL).unwrap() - 1.0).abs() < 1e-12);
        assert!((change_pct(&half) - 20.0).abs() < 1e-12);
    }

    /// Worked by hand on REAL: change 120/100 - 1 = +20%; trough 60/100 - 1 = -40%; the first
    /// epoch at or above 95 after the trough (epoch 2) is epoch 5, which starts on day 70.
    #[test]
    fn change_trough_and_recovery_by_hand() {
        assert!((change_pct(&REAL) - 20.0).abs() < 1e-12);
        assert!((trough_pct(&REAL) + 40.0).abs() < 1e-12);
        assert_eq!(recovery_days(&REAL, &OFFSETS), Some(70.0));
        // Never back: None. Never 5% down: 0. A rise only: trough 0.
        assert_eq!(recovery_days(&[100.0, 50.0, 60.0], &OFFSETS[..3]), None);
        assert_eq!(recovery_days(&[100.0, 96.0, 99.0], &OFFSETS[..3]), Some(0.0));
        assert_eq!(trough_pct(&[100.0, 110.0]), 0.0);
        // Day 30 lies in the epoch starting on day 28 (index 2).
        assert_eq!(ratio_at_day(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0], &OFFSETS[..3], 30.0), 3.0);
    }

    /// Two-epoch changes of [1, e, e^2, e] are [2, 0]; too few for a correlation. Opposite
    /// moves correlate -1. Bugs caught: one-epoch changes; a correlation from two points.
    #[test]
    fn changes_are_two_epochs_long() {
        let e = std::f64::consts::E;
        let c = lagged_log_changes(&[1.0, e, e * e, e]);
        assert!((c[0] - 2.0).abs() < 1e-12 && c[1].abs() < 1e-12 && c.len() == 2);
        assert_eq!(change_correlation(&[1.0, e, e * e, e], &[1.0, e, e * e, e]), None);
        let up = [1.0, 2.0, 4.0, 2.0, 1.0, 2.0];
        let down: Vec<f64> = up.iter().map(|x| 1.0 / x).collect();
        assert!((change_correlation(&up, &down).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    }

    /// Bugs caught: the sign lost (a -28% retarget reported as +28) or the largest rise
    /// preferred to a larger fall; a day without blocks not counted as slow.
    #[test]
    fn largest_retarget_and_slow_days() {
        assert_eq!(largest_change_pct(&[5.0, -27.9, 20.0]), Some(-27.9));
        assert_eq!(largest_change_pct(&[]), None);
        assert_eq!(slow_days(&[Some(600.0), Some(1200.0), Some(1201.0), None]), 2);
    }

    /// NumPy's default percentile: of [1, 2, 3, 4], p50 = 2.5, p5 = 1.15, p95 = 3.85.
    #[test]
    fn percentiles_interpolate() {
        let v = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile(&v, 50.0), 2.5);
        assert!((percentile(&v, 5.0) - 1.15).abs() < 1e-12);
        assert!((percentile(&v, 95.0) - 3.85).abs() < 1e-12);
        assert_eq!(percentile(&[1.0, f64::INFINITY, f64::INFINITY], 50.0), f64::INFINITY);
        assert!(percentile(&[], 50.0).is_nan());
    }
}
