//! Hashrate concentration over entities (miners, operators, jurisdictions, pools).
//!
//! Every metric is computed over *active* hashrate: entities with zero hashrate are idle and
//! do not count. With no active hashrate at all every metric is 0.

/// Concentration of one distribution of hashrate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Concentration {
    /// Herfindahl-Hirschman index, shares in percent: 0..=10,000.
    pub hhi: f64,
    /// Fewest entities that together hold at least 50% of the hashrate.
    pub nakamoto_50: u32,
    /// Fewest entities that together hold at least 33% (the selfish-mining threshold).
    pub nakamoto_33: u32,
    /// Share of the largest entity, 0..=1.
    pub top1_share: f64,
    /// Share of the five largest entities together, 0..=1.
    pub top5_share: f64,
    /// Gini coefficient over entities with positive hashrate, 0..1.
    pub gini: f64,
    /// Effective number of entities, `1 / sum(s_i^2)` with shares as fractions.
    pub effective_entities: f64,
    /// Entities with positive hashrate.
    pub active_entities: u32,
}

/// Relative tolerance when comparing a cumulative share with a threshold, so that e.g. two
/// equal halves reach 50% despite rounding.
const SHARE_TOLERANCE: f64 = 1e-12;

/// Concentration of `hashrates` (any non-negative unit).
///
/// # Formula
/// With shares `s_i = h_i / sum(h)` sorted in decreasing order:
/// - `HHI = sum((100 s_i)^2)` (U.S. DoJ/FTC Horizontal Merger Guidelines, 2010 s. 5.3);
/// - Nakamoto coefficient at `t`: the smallest `k` with `s_1 + ... + s_k >= t`
///   (Srinivasan & Lee, "Quantifying Decentralization", 2017, applied to hashrate);
/// - Gini over the `n` positive values sorted ascending `x_(1..n)`:
///   `G = 2 sum(i x_(i)) / (n sum x) - (n + 1) / n`;
/// - effective number of entities `1 / sum(s_i^2) = 10,000 / HHI`.
pub fn concentration(hashrates: &[f64]) -> Concentration {
    concentration_with(&mut Vec::with_capacity(hashrates.len()), hashrates)
}

/// As [`concentration`], reusing `buf` for the sort (no allocation once it is large enough).
pub fn concentration_with(buf: &mut Vec<f64>, hashrates: &[f64]) -> Concentration {
    buf.clear();
    buf.extend(hashrates.iter().copied().filter(|&h| h > 0.0));
    let total: f64 = buf.iter().sum();
    if buf.is_empty() || total <= 0.0 {
        return Concentration::default();
    }
    buf.sort_unstable_by(|a, b| b.total_cmp(a));
    let n = buf.len();
    let hhi_frac: f64 = buf.iter().map(|h| (h / total) * (h / total)).sum();
    let top1 = buf[0] / total;
    let top5 = buf.iter().take(5).sum::<f64>() / total;
    // Descending order: rank from the bottom is n - idx.
    let weighted: f64 = buf.iter().enumerate().map(|(idx, x)| (n - idx) as f64 * x).sum();
    let gini = if n == 1 { 0.0 } else { (2.0 * weighted / (n as f64 * total) - (n as f64 + 1.0) / n as f64).max(0.0) };
    Concentration {
        hhi: hhi_frac * 10_000.0,
        nakamoto_50: count_to_reach(buf, total, 0.5),
        nakamoto_33: count_to_reach(buf, total, 0.33),
        top1_share: top1,
        top5_share: top5,
        gini,
        effective_entities: 1.0 / hhi_frac,
        active_entities: n as u32,
    }
}

/// Smallest `k` such that the `k` largest (of `desc`, sorted decreasing) hold `>= t` of `total`.
fn count_to_reach(desc: &[f64], total: f64, t: f64) -> u32 {
    let mut acc = 0.0;
    for (k, h) in desc.iter().enumerate() {
        acc += h;
        if acc >= t * total * (1.0 - SHARE_TOLERANCE) {
            return k as u32 + 1;
        }
    }
    desc.len() as u32
}

/// The Nakamoto coefficient of `hashrates` at threshold `t` (e.g. 0.5, 0.33, or an attack
/// share q such as 0.51); 0 when nothing is active.
pub fn nakamoto_coefficient(hashrates: &[f64], t: f64) -> u32 {
    let mut desc: Vec<f64> = hashrates.iter().copied().filter(|&h| h > 0.0).collect();
    let total: f64 = desc.iter().sum();
    if desc.is_empty() {
        return 0;
    }
    desc.sort_unstable_by(|a, b| b.total_cmp(a));
    count_to_reach(&desc, total, t)
}

/// Indices of the smallest coalition reaching share `q`: largest first, ties to the lower
/// index. Its length equals [`nakamoto_coefficient`] at `q`.
pub fn coalition(hashrates: &[f64], q: f64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..hashrates.len()).filter(|&i| hashrates[i] > 0.0).collect();
    idx.sort_by(|&a, &b| hashrates[b].total_cmp(&hashrates[a]).then(a.cmp(&b)));
    let total: f64 = idx.iter().map(|&i| hashrates[i]).sum();
    let mut acc = 0.0;
    let mut out = Vec::new();
    for i in idx {
        if total > 0.0 && acc >= q * total * (1.0 - SHARE_TOLERANCE) {
            break;
        }
        acc += hashrates[i];
        out.push(i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * (1.0 + b.abs())
    }

    #[test]
    fn single_miner() {
        let c = concentration(&[7.0]);
        assert!(close(c.hhi, 10_000.0));
        assert_eq!((c.nakamoto_50, c.nakamoto_33, c.active_entities), (1, 1, 1));
        assert!(close(c.gini, 0.0) && close(c.effective_entities, 1.0) && close(c.top1_share, 1.0));
    }

    #[test]
    fn two_equal_halves_reach_fifty_with_one() {
        let c = concentration(&[3.0, 3.0]);
        assert!(close(c.hhi, 5_000.0));
        assert_eq!(c.nakamoto_50, 1);
        assert!(close(c.effective_entities, 2.0) && close(c.gini, 0.0));
    }

    #[test]
    fn hand_worked_five() {
        // Shares 40/30/20/5/5 %: HHI = 1600 + 900 + 400 + 25 + 25 = 2950.
        // Nakamoto 50%: 40 < 50, 70 >= 50 -> 2; 33%: 40 >= 33 -> 1.
        // Gini, ascending x = 5,5,20,30,40, sum 100, n 5:
        //   sum(i x) = 5 + 10 + 60 + 120 + 200 = 395; G = 2*395/500 - 6/5 = 1.58 - 1.2 = 0.38.
        let c = concentration(&[20.0, 5.0, 40.0, 5.0, 30.0]);
        assert!(close(c.hhi, 2950.0), "{}", c.hhi);
        assert_eq!((c.nakamoto_50, c.nakamoto_33), (2, 1));
        assert!(close(c.top1_share, 0.4) && close(c.top5_share, 1.0));
        assert!(close(c.gini, 0.38), "{}", c.gini);
        assert!(close(c.effective_entities, 10_000.0 / 2950.0));
    }

    #[test]
    fn idle_entities_do_not_count_and_all_idle_is_zero() {
        let a = concentration(&[20.0, 5.0, 40.0, 5.0, 30.0]);
        let b = concentration(&[0.0, 20.0, 5.0, 0.0, 40.0, 5.0, 30.0, 0.0]);
        assert_eq!(a, b);
        assert_eq!(concentration(&[0.0, 0.0]), Concentration::default());
        assert_eq!(concentration(&[]), Concentration::default());
        assert_eq!(nakamoto_coefficient(&[0.0], 0.5), 0);
        assert!(coalition(&[0.0, 0.0], 0.5).is_empty());
    }

    #[test]
    fn invariant_to_order_and_scale() {
        let a = concentration(&[1.0, 2.0, 3.0, 4.0, 10.0, 0.5]);
        let b = concentration(&[10.0, 0.5, 4.0, 3.0, 2.0, 1.0].map(|x| x * 1e6));
        assert!(close(a.hhi, b.hhi) && close(a.gini, b.gini) && close(a.top5_share, b.top5_share));
        assert_eq!(a.nakamoto_50, b.nakamoto_50);
    }

    #[test]
    fn ties_and_coalitions() {
        let h = [10.0, 10.0, 10.0, 10.0];
        assert_eq!(nakamoto_coefficient(&h, 0.5), 2);
        assert_eq!(nakamoto_coefficient(&h, 0.51), 3);
        assert_eq!(coalition(&h, 0.51), vec![0, 1, 2]);
        let h = [1.0, 50.0, 0.0, 30.0, 19.0];
        for q in [0.1, 0.33, 0.5, 0.51, 0.8, 1.0] {
            assert_eq!(coalition(&h, q).len() as u32, nakamoto_coefficient(&h, q), "q = {q}");
        }
        assert_eq!(coalition(&h, 0.51), vec![1, 3]);
    }
}
