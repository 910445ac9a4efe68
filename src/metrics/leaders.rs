//! The concentration metrics of the pool view: HHI, the Nakamoto coefficients at 50, 33 and 25%,
//! top shares and the effective number, from an order kept from day to day. Pools are a
//! handful, but a run whose miners mine solo has one pool entity per miner (thousands): the
//! order is then a [`super::ranking::Ranking`] (few entities change in a day), and these
//! metrics read it in one pass, stopping the cumulative scan at half the hashrate.

use super::concentration::SHARE_TOLERANCE;

/// Concentration metrics that need no full order (no Gini).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Leaders {
    /// `10,000 sum s_i^2`, shares `s_i` of the active total.
    pub hhi: f64,
    /// Fewest entities reaching 50%, 33% and 25% of the active total.
    pub nakamoto_50: u32,
    pub nakamoto_33: u32,
    pub nakamoto_25: u32,
    pub top1_share: f64,
    pub top5_share: f64,
    /// `1 / sum s_i^2`.
    pub effective_entities: f64,
}

/// The [`Leaders`] of active hashrates sorted in decreasing order (as
/// [`super::ranking::Ranking::update`] returns them, kept from day to day). Same definitions
/// as [`super::concentration::concentration`] (Srinivasan & Lee 2017 for the Nakamoto
/// coefficient, DoJ/FTC 2010 for the HHI, Laakso & Taagepera 1979 for the effective number),
/// the total summed from the smallest up as there: one pass for the sums, and the cumulative
/// scan stops at half the hashrate.
pub fn leaders_of_descending(sorted: &[f64]) -> Leaders {
    let total: f64 = sorted.iter().rev().sum();
    if sorted.is_empty() || total <= 0.0 {
        return Leaders::default();
    }
    let sum_sq: f64 = sorted.iter().rev().map(|&h| (h / total) * (h / total)).sum();
    let (mut nakamoto, mut cumulative) = ([0u32; 3], 0.0);
    let targets = [0.25, 0.33, 0.5].map(|q| (q - SHARE_TOLERANCE) * total);
    for (i, &h) in sorted.iter().enumerate() {
        cumulative += h;
        for (n, &t) in nakamoto.iter_mut().zip(&targets) {
            if *n == 0 && cumulative >= t {
                *n = i as u32 + 1;
            }
        }
        if nakamoto[2] > 0 {
            break;
        }
    }
    let top5: f64 = sorted.iter().take(5).sum();
    Leaders {
        hhi: 10_000.0 * sum_sq,
        nakamoto_50: nakamoto[2],
        nakamoto_33: nakamoto[1],
        nakamoto_25: nakamoto[0],
        top1_share: sorted[0] / total,
        top5_share: (top5 / total).min(1.0),
        effective_entities: if sum_sq > 0.0 { 1.0 / sum_sq } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::super::concentration::concentration;
    use super::super::ranking::Ranking;
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Against [`concentration`] (the full metrics, an independent implementation) on
    /// populations from 1 to 5,000 entities, with idle ones and shapes from one giant to many
    /// near-equals: the same counts, shares within rounding. Bug caught: the scan stopping before half the
    /// hashrate (a coefficient too small), a coefficient left at 0 when the scan stops, a
    /// top-5 over fewer entries, inactive entries counted.
    #[test]
    fn the_leaders_agree_with_the_full_sort() {
        let mut rng = crate::rng::SimRng::seed_from_u64(7);
        for n in [1usize, 2, 5, 9, 40, 300, 5_000] {
            for shape in 0..3 {
                let h: Vec<f64> = (0..n)
                    .map(|i| match shape {
                        0 => rng.random_range(0.5..1.5),
                        1 => (rng.random::<f64>() * 6.0).exp(),
                        _ if i % 7 == 3 => 0.0,
                        _ => 1.0 / (1 + i) as f64,
                    })
                    .collect();
                let full = concentration(&h);
                let l = leaders_of_descending(Ranking::default().update(&h));
                let at = format!("n {n}, shape {shape}");
                assert_eq!(
                    (l.nakamoto_50, l.nakamoto_33, l.nakamoto_25),
                    (full.nakamoto_50, full.nakamoto_33, full.nakamoto_25),
                    "{at}"
                );
                assert!((l.hhi - full.hhi).abs() <= 1e-9 * full.hhi, "{at}");
                assert!((l.top1_share - full.top1_share).abs() <= 1e-12, "{at}");
                assert!((l.top5_share - full.top5_share).abs() <= 1e-12, "{at}");
                assert!(
                    (l.effective_entities - full.effective_entities).abs() <= 1e-9 * full.effective_entities,
                    "{at}"
                );
            }
        }
        assert_eq!(leaders_of_descending(&[]), Leaders::default());
    }
}
