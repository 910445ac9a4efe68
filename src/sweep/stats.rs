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

pub use crate::stats::quantile_sorted;

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
