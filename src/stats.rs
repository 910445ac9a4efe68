//! Sample statistics shared by sweeps (across a point's replicates) and plots (per-day bands):
//! one definition of the quantile, so a sweep's p95 and a plot's band agree.

/// The `p`-quantile (`p` clamped to 0..=1) of values already sorted ascending, by linear
/// interpolation between order statistics (Hyndman & Fan 1996, "Sample quantiles in
/// statistical packages", definition 7; the default of R's `quantile` and NumPy's
/// `percentile`). NaN for no values.
///
/// # Formula
/// `h = (n - 1) p`, `q = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`, indices
/// from 0; `p = 0` gives the minimum, `p = 1` the maximum.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    let frac = h - lo as f64;
    // An exact order statistic is returned as is (x + 0 * (inf - inf) would be NaN).
    if frac == 0.0 || lo + 1 >= n {
        return sorted[lo];
    }
    sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: another quantile definition (nearest rank, type 6's `(n + 1) p`) or an
    /// interpolation off by one order statistic. Reference values from NumPy:
    /// `numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95])` = [1.2, 3.0, 8.8],
    /// `numpy.percentile([10, 20, 30, 40], [5, 50, 95])` = [11.5, 25.0, 38.5].
    #[test]
    fn matches_numpy_reference_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile_sorted(&x, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile_sorted(&x, 0.5), 3.0);
        assert!((quantile_sorted(&x, 0.95) - 8.8).abs() < 1e-12);
        assert_eq!(quantile_sorted(&x, 0.0), 1.0);
        assert_eq!(quantile_sorted(&x, 1.0), 10.0);
        let y = [10.0, 20.0, 30.0, 40.0];
        assert!((quantile_sorted(&y, 0.05) - 11.5).abs() < 1e-12);
        assert_eq!(quantile_sorted(&y, 0.5), 25.0);
        assert!((quantile_sorted(&y, 0.95) - 38.5).abs() < 1e-12);
    }

    /// Bug caught: NaN from `x + 0 * (inf - inf)` at an exact order statistic, or an index
    /// past the end for one value or `p` outside 0..=1.
    #[test]
    fn edges() {
        assert!(quantile_sorted(&[], 0.5).is_nan());
        assert_eq!(quantile_sorted(&[7.0], 0.95), 7.0);
        assert_eq!(quantile_sorted(&[1.0, f64::INFINITY, f64::INFINITY], 0.5), f64::INFINITY);
        assert_eq!(quantile_sorted(&[1.0, 2.0], 2.0), 2.0);
    }
}
