//! Concentration of hashrate over entities (operators, pools, jurisdictions).
//!
//! Every metric is computed over *active* hashrate. An entity is active when its hashrate is
//! finite and strictly positive; zero entries (idle entities) are allowed and simply do not
//! count, so they change neither the Gini coefficient nor `active_entities`. Entries that are
//! not valid hashrates (negative, NaN, infinite) are treated as idle rather than causing a
//! panic.
//!
//! When the active total is zero (empty input, or every entity idle) every metric is 0:
//! `hhi = 0`, both Nakamoto coefficients 0, both shares 0, `gini = 0`,
//! `effective_entities = 0` and `active_entities = 0`. (A concentration of "nothing" is
//! undefined; 0 is the neutral value that cannot be mistaken for a real distribution, since any
//! real one has `hhi > 0` and `effective_entities >= 1`.)
//!
//! All functions sort the active hashrates once, in decreasing order with [`f64::total_cmp`],
//! and derive every metric from that sorted list, so results are deterministic and exactly
//! (bit-for-bit) invariant under any permutation of the input.

use std::cmp::Ordering;

/// An entry of a list of active hashrates: the hashrate alone, or a ranking's
/// (hashrate, entity) pair (`metrics::ranking`), read in place without copying the values out.
pub trait Hashrate: Copy {
    fn th_s(&self) -> f64;
}

impl Hashrate for f64 {
    #[inline(always)]
    fn th_s(&self) -> f64 {
        *self
    }
}

impl Hashrate for (f64, u32) {
    #[inline(always)]
    fn th_s(&self) -> f64 {
        self.0
    }
}

/// Tolerance, in share units (a fraction of the active total), used when comparing a
/// cumulative share with a threshold: a coalition "reaches" `q` when its share is at least
/// `q - SHARE_TOLERANCE`. This keeps e.g. two equal halves at 50% despite rounding, and is far
/// below any share that matters economically.
pub const SHARE_TOLERANCE: f64 = 1e-12;

/// Concentration of one distribution of hashrate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Concentration {
    /// Herfindahl-Hirschman index with shares in percent: `0..=10_000`.
    pub hhi: f64,
    /// Fewest entities that together hold at least 50% of active hashrate
    /// ([`nakamoto_coefficient`] with `q = 0.5`).
    pub nakamoto_50: u32,
    /// Fewest entities that together hold at least 33% of active hashrate
    /// ([`nakamoto_coefficient`] with `q = 0.33`, the selfish-mining threshold).
    pub nakamoto_33: u32,
    /// Fewest entities that together hold at least 25% of active hashrate (`q = 0.25`, the
    /// selfish-mining threshold with a well-connected attacker, Eyal & Sirer's `gamma = 1/2`).
    pub nakamoto_25: u32,
    /// Share of the largest entity, as a fraction `0..=1`.
    pub top1_share: f64,
    /// Combined share of the five largest entities (all of them if fewer), as a fraction.
    pub top5_share: f64,
    /// Gini coefficient over entities with positive hashrate, `0..1`.
    pub gini: f64,
    /// Effective number of entities `1 / sum(s_i^2)`, shares `s_i` as fractions.
    pub effective_entities: f64,
    /// Number of entities with positive hashrate.
    pub active_entities: u32,
}

/// Whether `hashrate` counts as active (finite and strictly positive).
fn is_active(hashrate: f64) -> bool {
    hashrate.is_finite() && hashrate > 0.0
}

/// Decreasing order on hashrates; NaN-free inputs are guaranteed by [`is_active`], and
/// `total_cmp` makes the order total anyway.
fn descending(a: &f64, b: &f64) -> Ordering {
    b.total_cmp(a)
}

/// Saturating conversion of a count to `u32` (more than `u32::MAX` entities cannot occur in
/// practice, but the conversion must not panic).
fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Fill `buf` with the active entries of `hashrates` sorted in decreasing order and return
/// their total, summed from the smallest up (more accurate and order-independent).
fn fill_active_descending(buf: &mut Vec<f64>, hashrates: &[f64]) -> f64 {
    buf.clear();
    buf.extend(hashrates.iter().copied().filter(|&h| is_active(h)));
    buf.sort_unstable_by(descending);
    buf.iter().rev().sum()
}

/// Smallest `k` such that the `k` largest entries of `sorted_desc` hold at least `q - tol` of
/// `total_hashrate` (zero entries, anywhere, not counted). Returns 0 when `q <= 0`, `q` is NaN
/// or the total is not positive, and the number of positive entries when even all fall short
/// (`q > 1`).
fn count_to_reach<T: Hashrate>(sorted_desc: &[T], total_hashrate: f64, q: f64) -> usize {
    if q.is_nan() || q <= 0.0 || total_hashrate <= 0.0 {
        return 0;
    }
    let target_hashrate = (q - SHARE_TOLERANCE) * total_hashrate;
    let (mut cumulative_hashrate, mut count) = (0.0, 0);
    for h in sorted_desc {
        // A zero entry adds nothing and is not counted (the target is positive, so it is
        // never reached on one).
        let h = h.th_s();
        count += usize::from(h > 0.0);
        cumulative_hashrate += h;
        if cumulative_hashrate >= target_hashrate {
            return count;
        }
    }
    count
}

/// Concentration of `hashrates` (one entry per entity, any non-negative unit).
///
/// Allocates one buffer; use [`concentration_with`] to reuse one across calls.
/// O(n log n) for n entries.
///
/// # Formula
/// Let `x_1 >= x_2 >= ... >= x_n > 0` be the active hashrates, `T = sum x_i` and
/// `s_i = x_i / T` the shares as fractions.
/// - Herfindahl-Hirschman index, shares in percent:
///   `HHI = sum_i (100 s_i)^2 = 10_000 sum_i s_i^2`
///   (U.S. DoJ & FTC, *Horizontal Merger Guidelines*, 2010, §5.3).
/// - Nakamoto coefficients: see [`nakamoto_coefficient`], with `q = 0.5`, `0.33` and `0.25`.
/// - `top1_share = s_1`, `top5_share = s_1 + ... + s_min(5,n)`.
/// - Gini coefficient over the active entities, with `x_(1) <= ... <= x_(n)` the same values
///   sorted ascending and ranks `i = 1..n`:
///   `G = 2 sum_i i x_(i) / (n T) - (n + 1) / n`
///   (the rank form of the mean-difference definition, e.g. Damgaard & Weiner, "Describing
///   inequality in plant size or fecundity", *Ecology* 81(4), 2000). `G = 0` for a single
///   entity or equal entities; `G <= (n - 1) / n < 1`. Rounding below 0 is clamped to 0.
///   Idle entities are excluded by choice: an idle operator is not "poor", it is absent.
/// - Effective number of entities `N_eff = 1 / sum_i s_i^2 = 10_000 / HHI`
///   (Laakso & Taagepera, "Effective number of parties", *Comparative Political Studies*
///   12(1), 1979).
///
/// With no active hashrate every field is 0 (see the module documentation).
pub fn concentration(hashrates: &[f64]) -> Concentration {
    let mut buf = Vec::with_capacity(hashrates.len());
    concentration_with(&mut buf, hashrates)
}

/// As [`concentration`], using `buf` as scratch space for the sort, so repeated calls do not
/// allocate once `buf` has grown to the largest input. The contents of `buf` on entry are
/// ignored; on return it holds the active hashrates sorted in decreasing order.
///
/// # Formula
/// Identical to [`concentration`].
pub fn concentration_with(buf: &mut Vec<f64>, hashrates: &[f64]) -> Concentration {
    fill_active_descending(buf, hashrates);
    concentration_of_descending(buf)
}

/// As [`concentration`], for active hashrates already sorted in decreasing order (callers
/// that keep an order from day to day re-sort it cheaply), among which entries of exactly 0
/// may stand anywhere (a ranking's dormant entries, `metrics::ranking`): they count as
/// nothing. The same active values in the same order give bit-identical results to
/// [`concentration_with`], whichever way they were sorted and wherever zeros stand.
///
/// # Formula
/// Identical to [`concentration`].
pub fn concentration_of_descending<T: Hashrate>(buf: &[T]) -> Concentration {
    debug_assert!({
        let mut positive = buf.iter().map(T::th_s).filter(|&h| h != 0.0);
        positive.clone().all(is_active) && positive.clone().zip(positive.by_ref().skip(1)).all(|(a, b)| a >= b)
    });
    // The three sums in one pass (independent chains of additions), each added from the
    // smallest up and from the same -0.0 as `Iterator::sum`; the squares are divided by the
    // squared total once, not share by share. A zero entry adds +0.0 to each: the same bits
    // as without it once the first positive entry is added (and with none, every metric is 0).
    let (mut total_hashrate, mut rank_weighted, mut sum_sq) = (-0.0f64, -0.0f64, -0.0f64);
    // The ascending rank among the positive entries counted in floating point: exact below
    // 2^53, so the same bits as converting `n - idx` (a conversion from an unsigned integer is
    // several instructions without AVX-512, and was most of the loop).
    let mut rank = 0.0f64;
    for h in buf.iter().rev() {
        let h = h.th_s();
        rank += if h > 0.0 { 1.0 } else { 0.0 };
        total_hashrate += h;
        rank_weighted += rank * h;
        sum_sq += h * h;
    }
    let n = rank as usize;
    if n == 0 || total_hashrate <= 0.0 {
        return Concentration::default();
    }
    let n_f64 = rank;
    let sum_sq_share = sum_sq / (total_hashrate * total_hashrate);
    let positive = || buf.iter().map(T::th_s).filter(|&h| h > 0.0);
    let top5_hashrate: f64 = positive().take(5).sum();
    let gini =
        if n == 1 { 0.0 } else { (2.0 * rank_weighted / (n_f64 * total_hashrate) - (n_f64 + 1.0) / n_f64).max(0.0) };

    Concentration {
        hhi: 10_000.0 * sum_sq_share,
        nakamoto_50: count_u32(count_to_reach(buf, total_hashrate, 0.5)),
        nakamoto_33: count_u32(count_to_reach(buf, total_hashrate, 0.33)),
        nakamoto_25: count_u32(count_to_reach(buf, total_hashrate, 0.25)),
        top1_share: positive().next().map_or(0.0, |h| h / total_hashrate),
        top5_share: (top5_hashrate / total_hashrate).min(1.0),
        gini,
        effective_entities: if sum_sq_share > 0.0 { 1.0 / sum_sq_share } else { 0.0 },
        active_entities: count_u32(n),
    }
}

/// Nakamoto coefficient: the fewest entities whose combined share of active hashrate reaches
/// `threshold` (written `q` below).
///
/// `q` is the attack threshold passed directly as a fraction: `0.5` for a majority attack,
/// `0.33` for selfish mining, or `0.51` for a strict majority with margin. "Reaches" means
/// `>=` (up to [`SHARE_TOLERANCE`]), so two equal miners give 1 at `q = 0.5` because one holds
/// exactly 50%; pass `0.5 + epsilon` or `0.51` for "more than half".
///
/// Edge cases: 0 when the active total is 0, when `q <= 0` (the empty set already reaches it)
/// or when `q` is NaN; the number of active entities when `q > 1` (no coalition can reach it;
/// all of them is the closest). Always equals `coalition(hashrates, q).len()`.
///
/// # Formula
/// With active hashrates sorted decreasingly `x_1 >= ... >= x_n` and `T = sum x_i`:
/// `N_q = min { k : (x_1 + ... + x_k) / T >= q - 1e-12 }`
/// (Srinivasan & Lee, "Quantifying Decentralization", 2017, applied to hashrate). Taking the
/// largest entities first is optimal, so this is the size of the smallest coalition.
pub fn nakamoto_coefficient(hashrates: &[f64], threshold: f64) -> u32 {
    let mut buf = Vec::with_capacity(hashrates.len());
    let total_hashrate = fill_active_descending(&mut buf, hashrates);
    count_u32(count_to_reach(&buf, total_hashrate, threshold))
}

/// Indices into `hashrates` of the smallest coalition whose combined share reaches `q`:
/// entities are taken largest first, ties broken by lower index. Its length always equals
/// [`nakamoto_coefficient`]`(hashrates, q)`.
///
/// Empty when the active total is 0, `q <= 0` or `q` is NaN; all active entities (in that
/// order) when `q > 1`. Idle entities are never included.
///
/// # Formula
/// Order the active indices by `(x_j decreasing, j increasing)` and return the first `N_q` of
/// them, with `N_q` as in [`nakamoto_coefficient`] (Srinivasan & Lee, 2017).
pub fn coalition(hashrates: &[f64], q: f64) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..hashrates.len()).filter(|&j| is_active(hashrates[j])).collect();
    indices.sort_unstable_by(|&a, &b| descending(&hashrates[a], &hashrates[b]).then(a.cmp(&b)));
    // Same values in the same order as `fill_active_descending`, hence the same cumulative
    // sums and the same count as `nakamoto_coefficient`.
    let sorted_desc: Vec<f64> = indices.iter().map(|&j| hashrates[j]).collect();
    let total_hashrate: f64 = sorted_desc.iter().rev().sum();
    let k = count_to_reach(&sorted_desc, total_hashrate, q);
    indices.truncate(k);
    indices
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= EPS * b.abs().max(1.0)
    }

    /// Catches: a zero entry counted in a rank, in a Nakamoto coefficient or as the largest.
    #[test]
    fn zero_entries_among_the_sorted_count_as_nothing() {
        let active = [9.0, 7.0, 7.0, 3.0, 2.0, 1.0, 0.5];
        let with_zeros = [0.0, 9.0, 0.0, 7.0, 7.0, 0.0, 3.0, 2.0, 1.0, 0.0, 0.5, 0.0];
        let (a, b) = (concentration_of_descending(&active), concentration_of_descending(&with_zeros));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(b.active_entities, 7);
        assert_eq!(b.top1_share, 9.0 / 29.5);
        assert_eq!(concentration_of_descending(&[0.0, 0.0]), Concentration::default());
    }

    #[test]
    fn single_miner() {
        // One share s = 1: HHI = 100^2 = 10_000; N_eff = 1/1 = 1; one entity reaches any q <= 1;
        // Gini of a single entity is 0 by definition (formula: 2*1*x/(1*x) - 2/1 = 0).
        let c = concentration(&[7.5]);
        assert_eq!(c.hhi, 10_000.0);
        assert_eq!(c.nakamoto_50, 1);
        assert_eq!(c.nakamoto_33, 1);
        assert_eq!(c.top1_share, 1.0);
        assert_eq!(c.top5_share, 1.0);
        assert_eq!(c.gini, 0.0);
        assert_eq!(c.effective_entities, 1.0);
        assert_eq!(c.active_entities, 1);
        assert_eq!(coalition(&[7.5], 0.5), vec![0]);
    }

    #[test]
    fn two_equal_miners() {
        // Shares 0.5, 0.5: HHI = 50^2 + 50^2 = 5_000; N_eff = 1/(0.25+0.25) = 2.
        // nakamoto_50 = 1 because the largest miner alone holds 0.5 >= 0.5 (">=" convention).
        // Gini: ascending ranks 1,2 -> sum i x = 1+2 = 3 (x=1), n=2, T=2:
        // 2*3/(2*2) - 3/2 = 1.5 - 1.5 = 0.
        let h = [1.0, 1.0];
        let c = concentration(&h);
        assert_eq!(c.hhi, 5_000.0);
        assert_eq!(c.nakamoto_50, 1);
        assert_eq!(c.nakamoto_33, 1);
        assert_eq!(c.top1_share, 0.5);
        assert_eq!(c.top5_share, 1.0);
        assert_eq!(c.gini, 0.0);
        assert_eq!(c.effective_entities, 2.0);
        assert_eq!(c.active_entities, 2);
        // A strict majority needs both.
        assert_eq!(nakamoto_coefficient(&h, 0.51), 2);
        assert_eq!(coalition(&h, 0.51), vec![0, 1]);
        // Tie broken by lower index.
        assert_eq!(coalition(&h, 0.5), vec![0]);
    }

    #[test]
    fn ties_four_equal_and_tie_breaking() {
        // Four equal shares 0.25: HHI = 4 * 25^2 = 2_500; N_eff = 4; Gini 0
        // (sum i x = 1+2+3+4 = 10, 2*10/(4*4) - 5/4 = 1.25 - 1.25 = 0).
        // q=0.5: 0.25 < 0.5, 0.50 >= 0.5 -> 2. q=0.33: 0.25 < 0.33, 0.5 >= 0.33 -> 2. q=0.25:
        // one entity holds exactly 0.25 -> 1 (">=", as at 50% for two equal halves).
        let c = concentration(&[10.0; 4]);
        assert_eq!(c.nakamoto_25, 1);
        assert_eq!(c.hhi, 2_500.0);
        assert_eq!(c.effective_entities, 4.0);
        assert_eq!(c.gini, 0.0);
        assert_eq!(c.nakamoto_50, 2);
        assert_eq!(c.nakamoto_33, 2);
        assert_eq!(c.top1_share, 0.25);
        assert_eq!(coalition(&[10.0; 4], 0.5), vec![0, 1]);
        // [5, 10, 10, 5], T = 30: largest-first order is 1, 2 (tie 10/10 by index), then 0, 3.
        // q = 0.5 needs 15: 10 < 15, 20 >= 15 -> [1, 2]. q = 0.8 needs 24: 25 >= 24 -> [1, 2, 0].
        let h = [5.0, 10.0, 10.0, 5.0];
        assert_eq!(coalition(&h, 0.5), vec![1, 2]);
        assert_eq!(coalition(&h, 0.8), vec![1, 2, 0]);
        assert_eq!(nakamoto_coefficient(&h, 0.8), 3);
    }

    #[test]
    fn five_entity_hand_worked() {
        // h = [40, 30, 20, 5, 5], T = 100, shares 0.40 0.30 0.20 0.05 0.05.
        // HHI = 40^2 + 30^2 + 20^2 + 5^2 + 5^2 = 1600 + 900 + 400 + 25 + 25 = 2950.
        // N_eff = 10_000 / 2950 = 3.389830508...
        // nakamoto_50: 0.40 < 0.5, 0.70 >= 0.5 -> 2. nakamoto_33: 0.40 >= 0.33 -> 1.
        // top1 = 0.40, top5 = 1.00.
        // Gini: ascending 5, 5, 20, 30, 40; sum i x = 1*5 + 2*5 + 3*20 + 4*30 + 5*40
        //   = 5 + 10 + 60 + 120 + 200 = 395; G = 2*395/(5*100) - 6/5 = 1.58 - 1.20 = 0.38.
        let h = [40.0, 30.0, 20.0, 5.0, 5.0];
        let c = concentration(&h);
        assert!(close(c.hhi, 2950.0), "{}", c.hhi);
        assert!(close(c.effective_entities, 10_000.0 / 2950.0));
        assert_eq!(c.nakamoto_50, 2);
        assert_eq!(c.nakamoto_33, 1);
        assert!(close(c.top1_share, 0.4));
        assert!(close(c.top5_share, 1.0));
        assert!(close(c.gini, 0.38), "{}", c.gini);
        assert_eq!(c.active_entities, 5);
        assert_eq!(coalition(&h, 0.5), vec![0, 1]);
        assert_eq!(coalition(&h, 0.33), vec![0]);
        // q = 0.95: 40, 70, 90 < 95, 95 >= 95 -> 4 (the tie 5/5 resolved to index 3).
        assert_eq!(coalition(&h, 0.95), vec![0, 1, 2, 3]);
    }

    #[test]
    fn top5_with_more_than_five() {
        // h = [30, 20, 15, 10, 10, 10, 5], T = 100: top1 = 0.30;
        // top5 = (30+20+15+10+10)/100 = 0.85.
        let c = concentration(&[10.0, 30.0, 5.0, 20.0, 10.0, 15.0, 10.0]);
        assert!(close(c.top1_share, 0.30));
        assert!(close(c.top5_share, 0.85));
        assert_eq!(c.active_entities, 7);
    }

    #[test]
    fn all_idle_and_empty() {
        let zero = Concentration::default();
        assert_eq!(concentration(&[]), zero);
        assert_eq!(concentration(&[0.0, 0.0, 0.0]), zero);
        assert_eq!(nakamoto_coefficient(&[0.0, 0.0], 0.5), 0);
        assert_eq!(nakamoto_coefficient(&[], 0.5), 0);
        assert!(coalition(&[0.0, 0.0], 0.5).is_empty());
        assert!(coalition(&[], 2.0).is_empty());
    }

    #[test]
    fn zeros_mixed_in_are_ignored() {
        // Same active distribution as `five_entity_hand_worked` with idle entities interleaved:
        // every metric is identical (bit-for-bit, since the sorted active list is identical).
        let with_zeros = [0.0, 40.0, 0.0, 30.0, 20.0, 5.0, 0.0, 5.0];
        let c = concentration(&with_zeros);
        assert_eq!(c, concentration(&[40.0, 30.0, 20.0, 5.0, 5.0]));
        assert_eq!(c.active_entities, 5);
        // Indices refer to the original slice: 40 is at 1, 30 at 3.
        assert_eq!(coalition(&with_zeros, 0.5), vec![1, 3]);
        // q > 1: every active entity, never an idle one: 1, 3, 4, then the 5s at 5 and 7.
        assert_eq!(coalition(&with_zeros, 1.5), vec![1, 3, 4, 5, 7]);
        assert_eq!(nakamoto_coefficient(&with_zeros, 1.5), 5);
    }

    #[test]
    fn invalid_entries_are_idle() {
        let h = [f64::NAN, -3.0, f64::INFINITY, 2.0, 2.0, f64::NEG_INFINITY];
        assert_eq!(concentration(&h), concentration(&[2.0, 2.0]));
        assert_eq!(coalition(&h, 0.6), vec![3, 4]);
    }

    #[test]
    fn threshold_edge_cases() {
        let h = [3.0, 1.0];
        assert_eq!(nakamoto_coefficient(&h, 0.0), 0);
        assert_eq!(nakamoto_coefficient(&h, -1.0), 0);
        assert_eq!(nakamoto_coefficient(&h, f64::NAN), 0);
        assert!(coalition(&h, 0.0).is_empty());
        assert!(coalition(&h, f64::NAN).is_empty());
        // q = 1 needs everyone; q = 0.75 is exactly the top miner (3/4).
        assert_eq!(nakamoto_coefficient(&h, 1.0), 2);
        assert_eq!(nakamoto_coefficient(&h, 0.75), 1);
        assert_eq!(nakamoto_coefficient(&h, 0.75 + 1e-9), 2);
    }

    #[test]
    fn tolerance_absorbs_rounding() {
        // h = [0.7, 0.1, 0.1, 0.1]: exactly, the top two hold 0.8. In f64 the running sum
        // 0.7 + 0.1 = 0.7999999999999999 while T = 0.1+0.1+0.1+0.7 = 1.0, so a plain ">="
        // against 0.8 * T = 0.8 would demand a third miner. The tolerance gives the exact answer.
        let h = [0.7, 0.1, 0.1, 0.1];
        let top_two = std::hint::black_box(h[0]) + h[1];
        let total: f64 = h.iter().rev().sum();
        assert!(top_two < 0.8 * total, "premise of the test: {top_two} vs {total}");
        assert_eq!(nakamoto_coefficient(&h, 0.8), 2);
        assert_eq!(coalition(&h, 0.8), vec![0, 1]);
    }

    #[test]
    fn permutation_invariance_is_exact() {
        let base = [3.0, 0.0, 17.25, 1e-3, 8.0, 8.0, 0.5, 42.0, 0.0, 6.125];
        let c = concentration(&base);
        let mut perm = base;
        perm.reverse();
        assert_eq!(concentration(&perm), c);
        perm.rotate_left(3);
        assert_eq!(concentration(&perm), c);
        perm.swap(0, 7);
        assert_eq!(concentration(&perm), c);
    }

    #[test]
    fn scaling_invariance() {
        let base = [40.0, 30.0, 20.0, 5.0, 5.0, 0.0, 1.5];
        let c = concentration(&base);
        // A power of two scales every value exactly, so results are bit-identical.
        let doubled: Vec<f64> = base.iter().map(|h| h * 1024.0).collect();
        assert_eq!(concentration(&doubled), c);
        // Any other factor agrees to rounding.
        let scaled: Vec<f64> = base.iter().map(|h| h * 3.7e18).collect();
        let s = concentration(&scaled);
        assert!(close(s.hhi, c.hhi));
        assert!(close(s.gini, c.gini));
        assert!(close(s.effective_entities, c.effective_entities));
        assert!(close(s.top1_share, c.top1_share));
        assert!(close(s.top5_share, c.top5_share));
        assert_eq!(s.nakamoto_50, c.nakamoto_50);
        assert_eq!(s.nakamoto_33, c.nakamoto_33);
        assert_eq!(s.active_entities, c.active_entities);
    }

    #[test]
    fn coalition_length_equals_nakamoto() {
        let cases: [&[f64]; 5] =
            [&[40.0, 30.0, 20.0, 5.0, 5.0], &[1.0, 1.0], &[0.7, 0.1, 0.1, 0.1], &[0.0, 2.0, 0.0, 2.0, 2.0, 1.0], &[]];
        for h in cases {
            for q in [0.0, 0.1, 0.25, 0.33, 0.5, 0.51, 0.66, 0.9, 1.0, 1.2] {
                assert_eq!(coalition(h, q).len(), nakamoto_coefficient(h, q) as usize, "{h:?} q={q}");
            }
        }
    }

    #[test]
    fn buffer_reuse_gives_same_result() {
        let mut buf = vec![99.0; 3];
        let a = concentration_with(&mut buf, &[40.0, 30.0, 20.0, 5.0, 5.0]);
        assert_eq!(buf, vec![40.0, 30.0, 20.0, 5.0, 5.0]);
        let b = concentration_with(&mut buf, &[1.0, 0.0, 1.0]);
        assert_eq!(a, concentration(&[40.0, 30.0, 20.0, 5.0, 5.0]));
        assert_eq!(b, concentration(&[1.0, 1.0]));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn hashrates() -> impl Strategy<Value = Vec<f64>> {
            prop::collection::vec(prop_oneof![Just(0.0), 1e-6..1e6f64, Just(1.0), Just(5.0)], 0..40)
        }

        proptest! {
            #[test]
            fn order_invariant(h in hashrates(), seed in any::<u64>()) {
                let mut p = h.clone();
                // Deterministic shuffle driven by `seed` (Fisher-Yates with an LCG).
                let mut state = seed;
                for i in (1..p.len()).rev() {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let j = (state >> 33) as usize % (i + 1);
                    p.swap(i, j);
                }
                prop_assert_eq!(concentration(&p), concentration(&h));
            }

            #[test]
            fn bounds_hold(h in hashrates()) {
                let c = concentration(&h);
                let n = h.iter().filter(|&&x| x > 0.0).count();
                prop_assert_eq!(c.active_entities as usize, n);
                if n == 0 {
                    prop_assert_eq!(c, Concentration::default());
                } else {
                    let nf = n as f64;
                    prop_assert!(c.hhi <= 10_000.0 * (1.0 + 1e-12));
                    prop_assert!(c.hhi >= 10_000.0 / nf * (1.0 - 1e-12));
                    prop_assert!(c.effective_entities >= 1.0 - 1e-12);
                    prop_assert!(c.effective_entities <= nf * (1.0 + 1e-12));
                    prop_assert!(c.gini >= 0.0 && c.gini <= (nf - 1.0) / nf + 1e-12);
                    prop_assert!(c.top1_share <= c.top5_share && c.top5_share <= 1.0);
                    prop_assert!(c.nakamoto_33 >= 1 && c.nakamoto_33 <= c.nakamoto_50);
                    prop_assert!(c.nakamoto_50 as usize <= n);
                }
            }

            #[test]
            fn coalition_is_minimal_and_consistent(h in hashrates(), q in 0.0..1.2f64) {
                let members = coalition(&h, q);
                prop_assert_eq!(members.len(), nakamoto_coefficient(&h, q) as usize);
                let total: f64 = h.iter().sum();
                if total > 0.0 && q <= 1.0 {
                    let share: f64 = members.iter().map(|&j| h[j]).sum::<f64>() / total;
                    prop_assert!(share >= q - 1e-9);
                    // Minimal: without its smallest member the coalition falls short.
                    if let Some((_, rest)) = members.split_last() {
                        let rest_share: f64 = rest.iter().map(|&j| h[j]).sum::<f64>() / total;
                        prop_assert!(rest_share < q + 1e-9);
                    }
                }
                for &j in &members {
                    prop_assert!(h[j] > 0.0);
                }
            }
        }
    }
}
