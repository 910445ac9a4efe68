//! A self-check of the whole pipeline (design -> model -> estimator) on test functions with
//! known answers, for `hashsim sensitivity --self-check` to print.

use std::fmt;

use serde::Serialize;

use super::design::{morris_points, saltelli_points};
use super::morris::morris_indices;
use super::sobol::sobol_indices;
use super::testfns::{
    g_function, g_function_analytic, g_function_morris_mu_star, ishigami, ishigami_analytic, G_COEFFICIENTS,
    ISHIGAMI_A, ISHIGAMI_B,
};
use crate::rng::mix64;

/// Bootstrap resamples behind every interval of the self-check.
pub const SELF_CHECK_BOOTSTRAP: usize = 1000;
/// Confidence level of those intervals.
pub const SELF_CHECK_CONF_LEVEL: f64 = 0.95;
/// Grid levels of the Morris design (the customary 4, so Δ = 2/3).
pub const SELF_CHECK_MORRIS_LEVELS: usize = 4;

/// One estimated index next to its known value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelfCheckRow {
    /// Test function: `ishigami` or `g_function`.
    pub function: &'static str,
    /// The factor, e.g. `x2` or `x3 (a=4.5)`.
    pub parameter: String,
    /// `S1`, `ST` (Sobol') or `mu_star` (Morris).
    pub index: &'static str,
    pub estimate: f64,
    /// Bootstrap percentile interval at [`SELF_CHECK_CONF_LEVEL`].
    pub ci_lo: f64,
    pub ci_hi: f64,
    /// The exact value (for `mu_star`, its expectation under the design's grid).
    pub analytic: f64,
}

impl SelfCheckRow {
    /// Whether the interval covers the known value.
    pub fn covered(&self) -> bool {
        self.ci_lo <= self.analytic && self.analytic <= self.ci_hi
    }
}

/// Column titles aligned with [`SelfCheckRow`]'s `Display`.
pub const SELF_CHECK_HEADER: &str = "function   parameter     index    estimate     ci_lo     ci_hi  analytic  covered";

impl fmt::Display for SelfCheckRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<10} {:<13} {:<7} {:>9.4} {:>9.4} {:>9.4} {:>9.4}  {}",
            self.function,
            self.parameter,
            self.index,
            self.estimate,
            self.ci_lo,
            self.ci_hi,
            self.analytic,
            if self.covered() { "yes" } else { "no" }
        )
    }
}

/// Runs Sobol' (Saltelli design, `n` base points) on Ishigami (a = 7, b = 0.1) and on G
/// (a = [`G_COEFFICIENTS`]), and Morris (`n` trajectories, 4 levels) on G, returning each
/// index with its interval and known value: Ishigami's S1 and ST rows, then G's, then G's
/// mu_star rows. Every design and bootstrap is drawn from `seed` (through distinct derived
/// seeds), so the rows are reproducible.
pub fn self_check(n: usize, seed: u64) -> Vec<SelfCheckRow> {
    let seed_for = |case: u64| mix64(seed ^ mix64(case));
    let mut rows = Vec::new();

    let k = 3;
    let y: Vec<f64> = saltelli_points(n, k, seed_for(1)).iter().map(|x| ishigami(x, ISHIGAMI_A, ISHIGAMI_B)).collect();
    let estimates = sobol_indices(&y, n, k, SELF_CHECK_BOOTSTRAP, SELF_CHECK_CONF_LEVEL, seed_for(2));
    let analytic = ishigami_analytic(ISHIGAMI_A, ISHIGAMI_B);
    let names: Vec<String> = (1..=k).map(|i| format!("x{i}")).collect();
    push_sobol(&mut rows, "ishigami", &names, &estimates, &analytic.s1, &analytic.st);

    let k = G_COEFFICIENTS.len();
    let names: Vec<String> = G_COEFFICIENTS.iter().enumerate().map(|(i, a)| format!("x{} (a={a})", i + 1)).collect();
    let y: Vec<f64> = saltelli_points(n, k, seed_for(3)).iter().map(|x| g_function(x, &G_COEFFICIENTS)).collect();
    let estimates = sobol_indices(&y, n, k, SELF_CHECK_BOOTSTRAP, SELF_CHECK_CONF_LEVEL, seed_for(4));
    let analytic = g_function_analytic(&G_COEFFICIENTS);
    push_sobol(&mut rows, "g_function", &names, &estimates, &analytic.s1, &analytic.st);

    let points = morris_points(n, k, SELF_CHECK_MORRIS_LEVELS, seed_for(5));
    let y: Vec<f64> = points.iter().map(|x| g_function(x, &G_COEFFICIENTS)).collect();
    let estimates = morris_indices(&points, &y, n, k, SELF_CHECK_BOOTSTRAP, SELF_CHECK_CONF_LEVEL, seed_for(6));
    let expected = g_function_morris_mu_star(&G_COEFFICIENTS, SELF_CHECK_MORRIS_LEVELS);
    for ((name, estimate), analytic) in names.iter().zip(&estimates).zip(expected) {
        rows.push(SelfCheckRow {
            function: "g_function",
            parameter: name.clone(),
            index: "mu_star",
            estimate: estimate.mu_star,
            ci_lo: estimate.mu_star_lo,
            ci_hi: estimate.mu_star_hi,
            analytic,
        });
    }
    rows
}

/// Appends one S1 row and one ST row per factor.
fn push_sobol(
    rows: &mut Vec<SelfCheckRow>,
    function: &'static str,
    names: &[String],
    estimates: &[super::sobol::SobolIndex],
    s1: &[f64],
    st: &[f64],
) {
    for (i, (name, e)) in names.iter().zip(estimates).enumerate() {
        for (index, estimate, ci_lo, ci_hi, analytic) in
            [("S1", e.s1, e.s1_lo, e.s1_hi, s1[i]), ("ST", e.st, e.st_lo, e.st_hi, st[i])]
        {
            rows.push(SelfCheckRow { function, parameter: name.clone(), index, estimate, ci_lo, ci_hi, analytic });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a self-check that drops a function or factor, or that is not
    /// reproducible. 3 x 2 Ishigami rows, 8 x 2 G rows, 8 Morris rows; same seed, same rows.
    #[test]
    fn rows_are_complete_and_reproducible() {
        let rows = self_check(256, 1);
        assert_eq!(rows.len(), 3 * 2 + 8 * 2 + 8);
        assert_eq!(rows, self_check(256, 1));
        assert!(rows.iter().all(|r| r.ci_lo <= r.ci_hi && r.analytic.is_finite()));
        assert_eq!(rows[0].to_string().split_whitespace().count(), 8);
    }
}
