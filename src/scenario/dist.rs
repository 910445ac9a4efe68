//! Probability distributions that scenario files use to describe a population.

use crate::scenario::check::Checker;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// A distribution of a positive quantity, written in TOML as an inline table tagged by
/// `dist`, e.g. `{ dist = "lognormal", median = 0.045, log_sd = 0.35 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    /// Always `value`.
    Constant { value: f64 },
    /// Uniform on `[min, max]`.
    Uniform { min: f64, max: f64 },
    /// `median * exp(log_sd * Z)`, `Z ~ N(0,1)`: the log-mean is `ln(median)`.
    Lognormal { median: f64, log_sd: f64 },
    /// Pareto (type I): `scale / U^(1/shape)`, `U ~ U(0,1]`; heavy-tailed sizes.
    Pareto { scale: f64, shape: f64 },
}

impl Dist {
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Constant { value } => value,
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Lognormal { median, log_sd } => {
                let z: f64 = StandardNormal.sample(rng);
                median * (log_sd * z).exp()
            }
            Dist::Pareto { scale, shape } => {
                // 1 - U lies in (0, 1], so the power never divides by zero.
                let u = 1.0 - rng.random::<f64>();
                scale / u.powf(1.0 / shape)
            }
        }
    }

    /// Mean of the distribution (infinite for Pareto with shape <= 1).
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Constant { value } => value,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Lognormal { median, log_sd } => median * (0.5 * log_sd * log_sd).exp(),
            Dist::Pareto { scale, shape } => {
                if shape > 1.0 {
                    scale * shape / (shape - 1.0)
                } else {
                    f64::INFINITY
                }
            }
        }
    }

    /// Checks that every value the distribution can produce lies in `[lo, hi]` (`lo_open`:
    /// strictly above `lo`), recording problems under `key`.
    pub fn check(&self, c: &mut Checker, key: &str, lo: f64, lo_open: bool, hi: f64) {
        let unit_ok = |v: f64| v.is_finite() && (if lo_open { v > lo } else { v >= lo }) && v <= hi;
        let lo_word = if lo_open { "above" } else { "at least" };
        let range = format!("{lo_word} {lo} and at most {hi}");
        match *self {
            Dist::Constant { value } => {
                if !unit_ok(value) {
                    c.fail(&format!("{key}.value"), format!("must be {range} (got {value})"));
                }
            }
            Dist::Uniform { min, max } => {
                if !unit_ok(min) {
                    c.fail(&format!("{key}.min"), format!("must be {range} (got {min})"));
                }
                if !unit_ok(max) {
                    c.fail(&format!("{key}.max"), format!("must be {range} (got {max})"));
                }
                if min > max {
                    c.fail(&format!("{key}.max"), format!("must be >= min ({min}) (got {max})"));
                }
            }
            Dist::Lognormal { median, log_sd } => {
                if !(unit_ok(median) && median > 0.0) {
                    c.fail(&format!("{key}.median"), format!("must be above 0, {range} (got {median})"));
                }
                c.range(&format!("{key}.log_sd"), log_sd, 0.0, 5.0);
            }
            Dist::Pareto { scale, shape } => {
                if !(unit_ok(scale) && scale > 0.0) {
                    c.fail(&format!("{key}.scale"), format!("must be above 0, {range} (got {scale})"));
                }
                c.range(&format!("{key}.shape"), shape, 0.1, 100.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{replicate_seed, stream, Purpose};

    fn sample_mean(d: &Dist, n: usize) -> f64 {
        let mut rng = stream(replicate_seed(7, 0), Purpose::Population);
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_formulas() {
        for d in [
            Dist::Constant { value: 3.0 },
            Dist::Uniform { min: 15.0, max: 38.0 },
            Dist::Lognormal { median: 0.05, log_sd: 0.4 },
            Dist::Pareto { scale: 1.0, shape: 3.0 },
        ] {
            let m = sample_mean(&d, 200_000);
            assert!((m / d.mean() - 1.0).abs() < 0.01, "{d:?}: {m} vs {}", d.mean());
        }
    }

    #[test]
    fn parses_from_toml() {
        #[derive(Deserialize)]
        struct W {
            d: Dist,
        }
        let w: W = toml::from_str("d = { dist = \"uniform\", min = 1, max = 2 }").unwrap();
        assert_eq!(w.d, Dist::Uniform { min: 1.0, max: 2.0 });
        let e = toml::from_str::<W>("d = { dist = \"uniform\", min = 1, max = 2, mode = 3 }");
        assert!(e.is_err());
    }
}
