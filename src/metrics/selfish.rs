//! Selfish mining (Eyal & Sirer, "Majority is not Enough: Bitcoin Mining is Vulnerable",
//! Financial Cryptography 2014): a pool that withholds its blocks and publishes them to orphan
//! honest ones earns more than its share of hashrate once its share `alpha` exceeds a threshold
//! set by `gamma`, the share of honest miners that mine on the pool's block in a tie (how well
//! connected the pool is). Pure functions of (`alpha`, `gamma`).

/// The share of hashrate above which selfish mining pays more than honest mining:
/// `(1 - gamma) / (3 - 2 gamma)` (Eyal & Sirer 2014, Observation 1): 1/3 at `gamma = 0`, 1/4 at
/// `gamma = 1/2`, 0 at `gamma = 1`. Sapirshtein, Sompolinsky & Zohar ("Optimal Selfish Mining
/// Strategies in Bitcoin", FC 2016) find strategies that pay from lower shares still.
pub fn selfish_threshold(gamma: f64) -> f64 {
    (1.0 - gamma) / (3.0 - 2.0 * gamma)
}

/// The share of all blocks in the main chain a selfish pool of hashrate share `alpha` earns
/// (Eyal & Sirer 2014, equation 8):
///
/// ```text
/// R = [alpha (1 - alpha)^2 (4 alpha + gamma (1 - 2 alpha)) - alpha^3]
///     / [1 - alpha (1 + (2 - alpha) alpha)]
/// ```
///
/// equal to `alpha` at the threshold, above it beyond; a pool below the threshold gains nothing
/// by it and earns its honest share, `alpha` (returned then). The formula holds for `alpha`
/// below 1/2; a majority pool outruns the rest and ends with every block (1).
pub fn selfish_revenue_share(alpha: f64, gamma: f64) -> f64 {
    if alpha <= selfish_threshold(gamma) {
        return alpha;
    }
    if alpha >= 0.5 {
        return 1.0;
    }
    let a = alpha;
    let num = a * (1.0 - a).powi(2) * (4.0 * a + gamma * (1.0 - 2.0 * a)) - a.powi(3);
    let den = 1.0 - a * (1.0 + (2.0 - a) * a);
    (num / den).max(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paper's thresholds: 1/3, 1/4, 0 at gamma 0, 1/2, 1. Bug caught: the formula inverted
    /// or with gamma's coefficient wrong (0.5 would not give a quarter).
    #[test]
    fn eyal_sirer_thresholds() {
        assert!((selfish_threshold(0.0) - 1.0 / 3.0).abs() < 1e-15);
        assert!((selfish_threshold(0.5) - 0.25).abs() < 1e-15);
        assert_eq!(selfish_threshold(1.0), 0.0);
    }

    /// Hand-worked at the threshold alpha = 1/3, gamma = 0: numerator 16/81 - 3/81 = 13/81,
    /// denominator 1 - 14/27 = 13/27, so R = 1/3 = alpha (the revenue formula and the threshold
    /// agree). Above it a pool gains: at alpha = 0.4, gamma = 0.5, R > 0.4; and a larger gamma
    /// never lowers R. Below it R is the honest share; a majority takes every block. Bug caught:
    /// a sign or power wrong in the formula, a selfish gain reported where it does not pay, or a
    /// majority pool given its honest share (the formula used past 1/2).
    #[test]
    fn the_revenue_share_by_hand() {
        let a = 1.0 / 3.0 + 1e-12;
        assert!((selfish_revenue_share(a, 0.0) - 1.0 / 3.0).abs() < 1e-9);
        let r = selfish_revenue_share(0.4, 0.5);
        assert!(r > 0.4 && r < 0.6, "{r}");
        assert!(selfish_revenue_share(0.4, 1.0) >= r);
        assert_eq!(selfish_revenue_share(0.2, 0.0), 0.2);
        // A majority: the formula's denominator turns negative near 1/2; the pool takes all.
        assert_eq!(selfish_revenue_share(0.6, 0.0), 1.0);
        assert!(selfish_revenue_share(0.49, 0.0) > 0.49);
    }
}
