//! Test functions with known sensitivity indices, for checking the designs and estimators.
//! Inputs are points of the unit cube, as the designs produce them.

use std::f64::consts::PI;

/// Ishigami's usual coefficients (Ishigami & Homma 1990; Saltelli et al. 2010 use them).
pub const ISHIGAMI_A: f64 = 7.0;
pub const ISHIGAMI_B: f64 = 0.1;

/// Coefficients of Sobol's G function used by Saltelli et al. (2010, section 4): factors of
/// decreasing importance (a = 0 most, a = 99 almost none).
pub const G_COEFFICIENTS: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

/// Exact first-order and total indices of a test function, one entry per factor.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyticIndices {
    pub s1: Vec<f64>,
    pub st: Vec<f64>,
}

/// The Ishigami function (Ishigami & Homma 1990, "An importance quantification technique in
/// uncertainty analysis for computer models", ISUMA '90)
/// `f = sin x1 + a sin^2 x2 + b x3^4 sin x1` with each `x_i = -π + 2π u_i` uniform on
/// [-π, π], `u` a point of the unit cube (3 coordinates).
pub fn ishigami(u: &[f64], a: f64, b: f64) -> f64 {
    let x: Vec<f64> = u[..3].iter().map(|ui| -PI + 2.0 * PI * ui).collect();
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Ishigami's indices (Sobol' & Levitan 1999, "On the use of variable reordering in
/// sensitivity analysis", Comput. Phys. Commun. 117; Marrel et al. 2009, RESS 94):
/// `V_1 = (1 + b π^4/5)^2 / 2`, `V_2 = a^2/8`, `V_13 = b^2 π^8 (1/18 - 1/50)`, no other
/// terms; `V = V_1 + V_2 + V_13`. `S1 = (V_1, V_2, 0) / V`, `ST = (V_1 + V_13, V_2, V_13) / V`.
/// For a = 7, b = 0.1: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
pub fn ishigami_analytic(a: f64, b: f64) -> AnalyticIndices {
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    AnalyticIndices { s1: vec![v1 / v, v2 / v, 0.0], st: vec![(v1 + v13) / v, v2 / v, v13 / v] }
}

/// One factor of the G function, `(|4x - 2| + a) / (1 + a)`: mean 1 over [0, 1].
fn g_factor(x: f64, a: f64) -> f64 {
    ((4.0 * x - 2.0).abs() + a) / (1.0 + a)
}

/// Sobol's G function (Saltelli & Sobol' 1995, "About the use of rank transformation in
/// sensitivity analysis of model output", RESS 50) `prod_i (|4 x_i - 2| + a_i) / (1 + a_i)`
/// on the unit cube, one coefficient per coordinate of `x`.
pub fn g_function(x: &[f64], a: &[f64]) -> f64 {
    x.iter().zip(a).map(|(&xi, &ai)| g_factor(xi, ai)).product()
}

/// The G function's indices (Saltelli et al. 2010, section 4): `V_i = 1 / (3 (1 + a_i)^2)`,
/// `V = prod (1 + V_i) - 1`, `S1_i = V_i / V`, `ST_i = V_i prod_(j≠i) (1 + V_j) / V`.
pub fn g_function_analytic(a: &[f64]) -> AnalyticIndices {
    let partial: Vec<f64> = a.iter().map(|ai| 1.0 / (3.0 * (1.0 + ai).powi(2))).collect();
    let all: f64 = partial.iter().map(|vi| 1.0 + vi).product();
    let v = all - 1.0;
    AnalyticIndices {
        s1: partial.iter().map(|vi| vi / v).collect(),
        st: partial.iter().map(|vi| vi * all / (1.0 + vi) / v).collect(),
    }
}

/// The expected Morris `mu_star` of each factor of the G function under
/// [`super::design::morris_points`] with `levels` levels (even), derived here: when factor `i`
/// moves between grid levels `l` and `l + levels/2` (`l` uniform on `0..levels/2`), every
/// other factor sits at a level uniform over the whole grid, independently, and all G
/// factors are nonnegative, so
/// `E|EE_i| = E_l|g_i(x_(l + levels/2)) - g_i(x_l)| / Δ * prod_(j≠i) E_grid[g_j]`.
/// Not the continuous-input value: it is what the design estimates, so an interval can be
/// checked against it.
pub fn g_function_morris_mu_star(a: &[f64], levels: usize) -> Vec<f64> {
    let half = levels / 2;
    let grid = |level: usize| level as f64 / (levels - 1) as f64;
    let delta = super::design::morris_step(levels);
    let grid_mean: Vec<f64> =
        a.iter().map(|&aj| (0..levels).map(|l| g_factor(grid(l), aj)).sum::<f64>() / levels as f64).collect();
    (0..a.len())
        .map(|i| {
            let jump = (0..half).map(|l| (g_factor(grid(l + half), a[i]) - g_factor(grid(l), a[i])).abs()).sum::<f64>()
                / half as f64;
            let others: f64 = (0..a.len()).filter(|&j| j != i).map(|j| grid_mean[j]).product();
            jump / delta * others
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a mistyped Ishigami variance term; the values are the published ones
    /// (Saltelli et al. 2010; Marrel et al. 2009) to four decimals.
    #[test]
    fn ishigami_analytic_matches_published_values() {
        let indices = ishigami_analytic(ISHIGAMI_A, ISHIGAMI_B);
        let close = |x: &[f64], y: [f64; 3]| x.iter().zip(y).all(|(a, b)| (a - b).abs() < 5e-5);
        assert!(close(&indices.s1, [0.3139, 0.4424, 0.0]), "{indices:?}");
        assert!(close(&indices.st, [0.5576, 0.4424, 0.2437]), "{indices:?}");
    }

    /// Bug caught: the unit cube mapped onto the wrong interval. At u = (3/4, 1/4, 1/2),
    /// x = (π/2, -π/2, 0): f = 1 + a.
    #[test]
    fn ishigami_maps_the_unit_cube_onto_minus_pi_to_pi() {
        assert!((ishigami(&[0.75, 0.25, 0.5], 7.0, 0.1) - 8.0).abs() < 1e-12);
    }

    /// Bug caught: G's total indices computed with the product over all j (not j ≠ i), or
    /// indices that do not add up: an additive check (S1 sums below 1, ST above) and the
    /// one-factor case (S1 = ST = 1).
    #[test]
    fn g_analytic_is_consistent() {
        let one = g_function_analytic(&[2.0]);
        assert!((one.s1[0] - 1.0).abs() < 1e-12 && (one.st[0] - 1.0).abs() < 1e-12);
        let many = g_function_analytic(&G_COEFFICIENTS);
        assert!(many.s1.iter().sum::<f64>() < 1.0 && many.st.iter().sum::<f64>() > 1.0);
        assert!(many.s1.iter().zip(&many.st).all(|(s1, st)| s1 < st));
        // x = 0 puts every factor at (2 + a)/(1 + a); a = 0 doubles.
        assert_eq!(g_function(&[0.0, 0.5], &[0.0, 1.0]), 2.0 * 0.5);
    }

    /// Bug caught: a slip in the grid expectation. With 4 levels (Δ = 2/3) every move
    /// changes |4x - 2| by 4/3, and a factor's grid mean is (4/3 + a)/(1 + a), so
    /// mu_star_i = 2/(1 + a_i) prod_(j≠i) (4/3 + a_j)/(1 + a_j).
    #[test]
    fn g_morris_expectation_on_four_levels() {
        let a = [0.0, 1.0, 9.0];
        let mean = |aj: f64| (4.0 / 3.0 + aj) / (1.0 + aj);
        let expected = [2.0 * mean(1.0) * mean(9.0), 1.0 * mean(0.0) * mean(9.0), 0.2 * mean(0.0) * mean(1.0)];
        for (got, want) in g_function_morris_mu_star(&a, 4).iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }
}
