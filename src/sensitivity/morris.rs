//! Morris elementary effects from model outputs on [`super::design::morris_points`].

use serde::Serialize;

use super::design::{morris_moved_factor, morris_row};
use super::resample::{percentile_interval, resample_indices, stream, Stream};

/// One factor's elementary-effect statistics over `r` trajectories.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MorrisIndex {
    /// Mean elementary effect (Morris 1991); effects of opposite sign cancel in it.
    pub mu: f64,
    /// Mean absolute elementary effect (Campolongo, Cariboni & Saltelli 2007): the factor's
    /// overall influence, used to rank factors.
    pub mu_star: f64,
    /// Bootstrap percentile interval of `mu_star` over trajectories (NaN with no bootstrap).
    pub mu_star_lo: f64,
    pub mu_star_hi: f64,
    /// Sample standard deviation (divisor `r - 1`) of the elementary effects: nonlinearity
    /// or interactions. NaN for fewer than two trajectories.
    pub sigma: f64,
}

/// Elementary effects of each factor in each trajectory, indexed `[factor][trajectory]`:
/// `EE_i = (y(x + Δ_i e_i) - y(x)) / Δ_i` for the step between consecutive rows that moved
/// factor `i`, with `Δ_i` the signed step as found in `points` (so a step down gives the
/// effect at the lower point, with the same sign convention as a step up).
///
/// # Panics
/// If a step does not move exactly one factor, or a trajectory moves a factor twice.
fn elementary_effects(points: &[Vec<f64>], y: &[f64], r: usize, k: usize) -> Vec<Vec<f64>> {
    let mut effects = vec![vec![f64::NAN; r]; k];
    // Every row but a trajectory's first ends a step; k steps that never repeat a factor
    // move each factor exactly once.
    for row in (0..r * (k + 1)).filter(|row| row % (k + 1) != 0) {
        let t = morris_row(row, k).trajectory;
        let (from, to) = (&points[row - 1], &points[row]);
        let i = morris_moved_factor(from, to)
            .unwrap_or_else(|| panic!("Morris: row {row} does not move exactly one factor"));
        assert!(effects[i][t].is_nan(), "Morris: trajectory {t} moves factor {i} twice");
        effects[i][t] = (y[row] - y[row - 1]) / (to[i] - from[i]);
    }
    effects
}

fn mean_abs(values: impl ExactSizeIterator<Item = f64>) -> f64 {
    let count = values.len() as f64;
    values.map(f64::abs).sum::<f64>() / count
}

/// Morris's screening statistics per factor from `points` and outputs `y` in the row order
/// of [`super::design::morris_points`]`(r, k, _, _)`: `mu`, `mu_star`, `sigma` of the
/// elementary effects (see `elementary_effects`), and a percentile interval at `conf_level`
/// of `mu_star` from `bootstrap` resamples of the `r` trajectories with replacement (drawn
/// from `seed` only).
///
/// # Panics
/// If `points` or `y` do not hold `r * (k + 1)` rows, `r` is 0, or the rows are not
/// one-at-a-time trajectories.
pub fn morris_indices(
    points: &[Vec<f64>],
    y: &[f64],
    r: usize,
    k: usize,
    bootstrap: usize,
    conf_level: f64,
    seed: u64,
) -> Vec<MorrisIndex> {
    assert!(r > 0, "Morris: no trajectories");
    assert_eq!(points.len(), r * (k + 1), "Morris: r * (k + 1) points expected");
    assert_eq!(y.len(), points.len(), "Morris: one output per point expected");
    let effects = elementary_effects(points, y, r, k);
    let mut rng = stream(seed, Stream::MorrisBootstrap);
    let mut mu_star_replicates = vec![Vec::with_capacity(bootstrap); k];
    for _ in 0..bootstrap {
        let sample = resample_indices(&mut rng, r);
        for (replicates, ee) in mu_star_replicates.iter_mut().zip(&effects) {
            replicates.push(mean_abs(sample.iter().map(|&t| ee[t])));
        }
    }
    effects
        .iter()
        .zip(mu_star_replicates)
        .map(|(ee, replicates)| {
            let mu = ee.iter().sum::<f64>() / r as f64;
            let sigma = if r < 2 {
                f64::NAN
            } else {
                (ee.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (r - 1) as f64).sqrt()
            };
            let (mu_star_lo, mu_star_hi) = percentile_interval(replicates, conf_level);
            MorrisIndex { mu, mu_star: mean_abs(ee.iter().copied()), mu_star_lo, mu_star_hi, sigma }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::design::morris_points;
    use crate::sensitivity::testfns::{g_function, g_function_morris_mu_star, G_COEFFICIENTS};

    /// Bug caught: an effect divided by |Δ| instead of the signed step (a decreasing factor
    /// would then show mu > 0 on steps down), a missing division by Δ, or effects credited to
    /// the wrong factor. `y = 3 x1 - 2 x2 + 0 x3` has effects exactly (3, -2, 0) on every step.
    #[test]
    fn linear_function_has_exact_effects() {
        let (r, k) = (20, 3);
        let points = morris_points(r, k, 4, 5);
        let y: Vec<f64> = points.iter().map(|x| 3.0 * x[0] - 2.0 * x[1]).collect();
        let indices = morris_indices(&points, &y, r, k, 0, 0.95, 0);
        for (index, slope) in indices.iter().zip([3.0, -2.0, 0.0]) {
            assert!((index.mu - slope).abs() < 1e-12, "{index:?}");
            assert!((index.mu_star - f64::abs(slope)).abs() < 1e-12, "{index:?}");
            assert!(index.sigma.abs() < 1e-12, "{index:?}");
        }
    }

    /// Bug caught: mu_star computed as |mu| (cancelling effects of opposite sign), a step
    /// down divided by |Δ|, or sigma with divisor r. Worked by hand: k = 1 on a 2-level grid
    /// (Δ = 1), trajectory 0 -> 1 with y = (0, 2), effect 2; trajectory 1 -> 0 with
    /// y = (5, 9), effect (9 - 5) / (0 - 1) = -4. mu = -1, mu_star = 3,
    /// sigma = sqrt(((2 + 1)^2 + (-4 + 1)^2) / (2 - 1)) = sqrt(18).
    #[test]
    fn hand_worked_two_trajectories() {
        let points = vec![vec![0.0], vec![1.0], vec![1.0], vec![0.0]];
        let y = [0.0, 2.0, 5.0, 9.0];
        let index = morris_indices(&points, &y, 2, 1, 0, 0.95, 0)[0];
        assert!((index.mu + 1.0).abs() < 1e-12, "{index:?}");
        assert!((index.mu_star - 3.0).abs() < 1e-12, "{index:?}");
        assert!((index.sigma - 18f64.sqrt()).abs() < 1e-12, "{index:?}");
    }

    /// Bug caught: a screening that misranks factors. On Sobol's G with
    /// a = (0, 1, 4.5, 9, 99 x 4), 100 trajectories rank mu_star strictly decreasing over
    /// the first five factors (ties among the a = 99 factors allowed), and each mu_star's
    /// 95% interval covers its exact expectation on the 4-level grid.
    #[test]
    fn g_function_ranking_and_intervals() {
        let (r, k, levels) = (100, G_COEFFICIENTS.len(), 4);
        let points = morris_points(r, k, levels, 21);
        let y: Vec<f64> = points.iter().map(|x| g_function(x, &G_COEFFICIENTS)).collect();
        let indices = morris_indices(&points, &y, r, k, 1000, 0.95, 9);
        for i in 0..4 {
            assert!(indices[i].mu_star > indices[i + 1].mu_star, "{indices:?}");
        }
        for i in 5..k {
            assert!(indices[i].mu_star < indices[3].mu_star, "{indices:?}");
        }
        let expected = g_function_morris_mu_star(&G_COEFFICIENTS, levels);
        for (index, mu_star) in indices.iter().zip(expected) {
            assert!(index.mu_star_lo <= mu_star && mu_star <= index.mu_star_hi, "{index:?} vs {mu_star}");
        }
    }

    /// Bug caught: a trajectory that moves two factors at once accepted silently.
    #[test]
    #[should_panic(expected = "exactly one factor")]
    fn rejects_a_step_moving_two_factors() {
        let points = vec![vec![0.0, 0.0], vec![1.0, 1.0], vec![1.0, 0.0]];
        morris_indices(&points, &[0.0, 1.0, 2.0], 1, 2, 0, 0.95, 0);
    }
}
