//! Random draws shared by the designs and the bootstraps: one generator (xoshiro256++, as in
//! [`crate::rng`]) and integer draws whose result is the same on every platform.

use rand::{Rng, SeedableRng};

use crate::rng::{mix64, SimRng};

/// What a stream is used for; mixed into its seed so the design's shift and a bootstrap's
/// resamples never share draws. Never renumber.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    SaltelliShift = 1,
    MorrisTrajectories = 2,
    SobolBootstrap = 3,
    MorrisBootstrap = 4,
}

/// The generator for `stream` under the caller's `seed` (derived as [`crate::rng::stream`]
/// derives its streams).
pub(crate) fn stream(seed: u64, stream: Stream) -> SimRng {
    SimRng::seed_from_u64(mix64(mix64(seed) ^ mix64(stream as u64)))
}

/// A uniform integer in `0..n`, drawn as a `u64` so the result does not depend on the
/// platform's pointer width.
pub(crate) fn index_below(rng: &mut SimRng, n: usize) -> usize {
    rng.random_range(0..n as u64) as usize
}

/// `n` indices drawn uniformly from `0..n` with replacement: one bootstrap resample.
pub(crate) fn resample_indices(rng: &mut SimRng, n: usize) -> Vec<usize> {
    (0..n).map(|_| index_below(rng, n)).collect()
}

/// The percentile interval (Efron & Tibshirani 1993, "An Introduction to the Bootstrap",
/// ch. 13) at `conf_level` of bootstrap `replicates`: their `(1 - c)/2` and `(1 + c)/2`
/// quantiles (Hyndman & Fan definition 7, [`crate::stats::quantile_sorted`]). NaN for none.
pub(crate) fn percentile_interval(mut replicates: Vec<f64>, conf_level: f64) -> (f64, f64) {
    replicates.sort_by(f64::total_cmp);
    let tail = (1.0 - conf_level) / 2.0;
    (crate::stats::quantile_sorted(&replicates, tail), crate::stats::quantile_sorted(&replicates, 1.0 - tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: streams that coincide, or a draw outside its range.
    #[test]
    fn streams_differ_and_indices_stay_in_range() {
        let a: u64 = stream(7, Stream::SobolBootstrap).random();
        let b: u64 = stream(7, Stream::MorrisBootstrap).random();
        assert_ne!(a, b);
        let mut rng = stream(7, Stream::SaltelliShift);
        assert!(resample_indices(&mut rng, 5).iter().all(|&i| i < 5));
    }

    /// Bug caught: the tails swapped or a tail of (1 - c) instead of (1 - c) / 2.
    #[test]
    fn percentile_interval_of_0_to_100_at_90_percent_is_5_to_95() {
        let values: Vec<f64> = (0..=100).rev().map(f64::from).collect();
        let (lo, hi) = percentile_interval(values, 0.9);
        assert!((lo - 5.0).abs() < 1e-9 && (hi - 95.0).abs() < 1e-9, "{lo}, {hi}");
    }
}
