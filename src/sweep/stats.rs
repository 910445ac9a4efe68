//! Statistics across a point's replicates: the mean and quantiles.

/// The quantile definition written into `manifest.json` and the README.
pub const QUANTILE_DEFINITION: &str = "Hyndman-Fan type 7 (R's default, numpy's 'linear'): sort the n values x[0..n], \
     h = (n - 1) p, q = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])";

/// The mean, summed in the order given (replicate order, so the result never depends on
/// thread scheduling). NaN if `xs` is empty or holds a NaN.
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The `p`-quantile (0 <= p <= 1) of values already sorted ascending, by linear interpolation
/// between order statistics (Hyndman & Fan 1996, "Sample quantiles in statistical packages",
/// definition 7).
///
/// # Formula
/// `h = (n - 1) p`, `q = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`, indices
/// from 0; `p = 0` gives the minimum, `p = 1` the maximum.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let lo = (h.floor() as usize).min(n - 1);
    let frac = h - lo as f64;
    if frac == 0.0 || lo + 1 >= n {
        return sorted[lo];
    }
    sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
}

/// Mean, p5, p50 and p95 of `xs` (in replicate order). If any value is NaN, all four are NaN:
/// a point's statistics never silently drop a replicate.
pub fn summarize(xs: &[f64]) -> [f64; 4] {
    if xs.is_empty() || xs.iter().any(|x| x.is_nan()) {
        return [f64::NAN; 4];
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    [mean(xs), quantile_sorted(&sorted, 0.05), quantile_sorted(&sorted, 0.5), quantile_sorted(&sorted, 0.95)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_worked_by_hand() {
        // x = 1, 2, 3, 4, 10 (n = 5):
        //   p5:  h = 4 * 0.05 = 0.2 -> 1 + 0.2 * (2 - 1)  = 1.2
        //   p50: h = 2             -> x[2]                = 3
        //   p95: h = 3.8           -> 4 + 0.8 * (10 - 4)  = 8.8
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile_sorted(&x, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile_sorted(&x, 0.5), 3.0);
        assert!((quantile_sorted(&x, 0.95) - 8.8).abs() < 1e-12);
        assert_eq!(quantile_sorted(&x, 0.0), 1.0);
        assert_eq!(quantile_sorted(&x, 1.0), 10.0);
        // n = 4, x = 10, 20, 30, 40: p50 h = 1.5 -> 25; p95 h = 2.85 -> 30 + 0.85 * 10 = 38.5
        let y = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(quantile_sorted(&y, 0.5), 25.0);
        assert!((quantile_sorted(&y, 0.95) - 38.5).abs() < 1e-12);
        // Same as numpy.percentile([10, 20, 30, 40], 5) = 11.5 and R's quantile(type = 7).
        assert!((quantile_sorted(&y, 0.05) - 11.5).abs() < 1e-12);
    }

    #[test]
    fn summaries_sort_but_keep_the_mean_in_order() {
        let s = summarize(&[4.0, 1.0, 3.0, 2.0, 10.0]);
        assert_eq!(s[0], 4.0);
        assert_eq!(s[2], 3.0);
        assert_eq!(summarize(&[7.0]), [7.0; 4]);
        assert!(summarize(&[1.0, f64::NAN]).iter().all(|x| x.is_nan()));
        assert!(summarize(&[]).iter().all(|x| x.is_nan()));
        let inf = summarize(&[1.0, f64::INFINITY]);
        assert_eq!(inf[3], f64::INFINITY);
        assert_eq!(inf[2], f64::INFINITY);
    }
}
