//! Exact concentration sums over a ranking's order (`metrics::ranking`), kept up to date by a
//! day's stops and restarts instead of added up again over every entry.
//!
//! Hashrates count in steps of the daily sums' grid (`units::grid::TH_S`, 2^-10 TH/s) as
//! integers, so the total, the sum of squares (HHI) and the rank-weighted sum (Gini) are exact:
//! sums changed entry by entry are the sums taken from scratch, whatever the order (issue 17,
//! items 2 and 4). The order is cut into blocks of [`BLOCK`] places; a block keeps which of its
//! entries are active, their sum and their rank-weighted sum within the block, so a stop or a
//! restart changes one block in `O(BLOCK)`, and a day's metrics combine the blocks in
//! `O(n / BLOCK)`. The blocks follow the order's memory, not its first place: block `b` holds
//! the entries in the `b`-th aligned window of `BLOCK` entries (one cache line), so a stop or
//! restart reads one line of entries, wherever the allocator put the order. The sums do not
//! depend on where the blocks are cut. Census hashrates are on the grid already; other values are
//! rounded down to it.
//!
//! # Formula
//! With the active entries `x_(1) <= ... <= x_(n)` in steps and `T = sum x_i`, the Gini
//! coefficient's rank-weighted sum `R = sum_i i x_(i)` splits by block: an entry's ascending
//! rank is the number of active entries at or after its place, those after its block (`A_b`)
//! and those of its own block at or after it, so `R = sum_b (W_b + S_b A_b)`, where `S_b` is
//! the block's active sum and `W_b = sum_{j in b} x_j * #{active k in b, k >= j}`; and
//! `sum_b S_b A_b = sum_b c_b Q_b`, with `c_b` the block's active count and `Q_b` the sum of the
//! blocks before it (each block's steps counted once for every active entry after it). Restarting
//! entry `j` (value `x`) adds `x (1 + #{active k in b, k > j}) + sum_{active k in b, k < j} x_k`
//! to `W_b`: its own term, and one more rank for each larger entry of the block; a stop takes
//! the same away. Equal values may stand in either order: `R` is the same.

use super::concentration::{concentration_of_descending, Concentration, Hashrate, SHARE_TOLERANCE};
use crate::prefetch::prefetch;
use crate::units::grid;

/// Places per block: a stop or restart reads at most this many entries of its block (one
/// cache line), a day's combination one block sum in this many places.
pub const BLOCK: usize = 64 / std::mem::size_of::<Held>();

/// Longest order whose sums are kept. Past it (2 MiB of entries) a stop or restart misses the
/// cache for its block's entries and sums, and the floating-point pass over the order
/// (`metrics::concentration`, streamed) costs less: CORE-1 at a million miners stops and
/// restarts ~27,000 a day, ~100 ns each kept, against ~1 ns an entry passed
/// (docs/PERFORMANCE.md). Its HHI, Gini and effective entities may differ from exact sums' in
/// the last digit (~1e-16); its other metrics are the same bits.
pub const INCREMENTAL_MAX: usize = 1 << 17;

/// An entry of an order (`metrics::ranking`): an active entity's hashrate (> 0), or a dormant
/// one's old hashrate negated (< 0), which keeps its place and counts as 0. Kept apart from
/// the entities, a stop or restart reads 8 bytes an entry of its block, and the day's pass over
/// the order reads nothing else.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Held(pub f64);

impl Held {
    /// The hashrate it counts for: its own if active, 0 if dormant.
    #[inline(always)]
    pub fn th_s(self) -> f64 {
        self.0.max(0.0)
    }
}

impl Hashrate for Held {
    #[inline(always)]
    fn th_s(&self) -> f64 {
        Held::th_s(*self)
    }
}

/// A block's active entries, one bit a place.
type Mask = u32;
const _: () = assert!(BLOCK <= Mask::BITS as usize);

/// `h` TH/s in whole steps of the grid (exact on the grid; off it, rounded down, the same way
/// wherever an entry is counted, so the sums stay consistent). Through `i64`: a conversion to
/// `u64` is several instructions on x86-64 without AVX-512.
#[inline(always)]
fn steps(h: f64) -> u64 {
    (h * grid::TH_S) as i64 as u64
}

/// The concentration sums of an order of entries ([`Held`]), largest first, dormant entries
/// among them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankSums {
    /// By block of [`BLOCK`] places.
    blocks: Vec<Block>,
    /// Active entries.
    count: u64,
    /// Their steps, added up.
    total: u64,
    /// Their steps squared, added up.
    squares: u128,
    /// Whether the blocks and sums are kept (the order is at most [`INCREMENTAL_MAX`] long);
    /// if not, a day's metrics are the floating-point pass over the order.
    incremental: bool,
    /// Where the order's first entry sits in its block ([`shift_of`]).
    shift: usize,
}

/// Where the first entry of `ranked` sits in its block: the blocks are the aligned windows of
/// [`BLOCK`] entries in memory, so place `p` is at `p + shift` of the blocks' places.
fn shift_of(ranked: &[Held]) -> usize {
    (ranked.as_ptr() as usize / std::mem::size_of::<Held>()) % BLOCK
}

/// One block's sums: a stop or restart reads and writes them together, so they share a cache
/// line (aligned so that none straddles two: a toggle's misses are the cost at 100,000 groups).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(align(32))]
struct Block {
    /// Its active entries' steps, added up.
    sum: u64,
    /// `W_b` (module documentation).
    within: u64,
    /// Bit `k` set if the entry at place `BLOCK * b + k - shift` is active.
    active: Mask,
}

/// The four exact sums behind the metrics.
struct Sums {
    count: u64,
    total: u64,
    squares: u128,
    /// `R` (module documentation).
    rank_weighted: u128,
}

impl RankSums {
    /// The sums of `ranked` taken from scratch.
    pub fn of(ranked: &[Held]) -> RankSums {
        let mut s = RankSums::default();
        s.rebuild(ranked);
        s
    }

    /// Takes the sums of `ranked` from scratch, `O(n)` (its buffers kept).
    pub fn rebuild(&mut self, ranked: &[Held]) {
        let incremental = ranked.len() <= INCREMENTAL_MAX;
        self.incremental = incremental;
        self.shift = shift_of(ranked);
        self.blocks.clear();
        (self.count, self.total, self.squares) = (0, 0, 0);
        if !incremental {
            return;
        }
        let (mut count, mut total, mut squares) = (0, 0, 0);
        // The first block holds the entries up to the first window's end, at its places from
        // `shift` on.
        let head = ((BLOCK - self.shift) % BLOCK).min(ranked.len());
        let (first, rest) = ranked.split_at(head);
        let first = (!first.is_empty()).then_some((first, self.shift));
        for (chunk, from) in first.into_iter().chain(rest.chunks(BLOCK).map(|c| (c, 0))) {
            let (mut mask, mut sum, mut within, mut at_or_after) = (0, 0, 0, 0);
            // Without a branch (dormant and active entries mix at random): a dormant entry's
            // steps are 0, so it adds nothing but its bit, which is 0 too.
            for (k, &h) in chunk.iter().enumerate().rev() {
                let on = u64::from(h.0 > 0.0);
                let s = steps(h.th_s());
                mask |= (on as Mask) << (k + from);
                at_or_after += on;
                sum += s;
                within += s * at_or_after;
                squares += u128::from(s) * u128::from(s);
            }
            self.blocks.push(Block { sum, within, active: mask });
            count += at_or_after;
            total += sum;
        }
        (self.count, self.total, self.squares) = (count, total, squares);
    }

    /// Takes the entry at `place` of `ranked` (the order the sums were taken of, where it was
    /// then in memory ([`RankSums::follow`]), changed only in this entry's value) to active at `h` TH/s (`restarts`) or to dormant from `h`.
    #[inline(always)]
    pub fn toggle(&mut self, ranked: &[Held], place: usize, h: f64, restarts: bool) {
        if !self.incremental {
            return;
        }
        debug_assert_eq!(shift_of(ranked), self.shift, "the order moved: `follow` it first");
        let (b, k) = ((place + self.shift) / BLOCK, (place + self.shift) % BLOCK);
        let start = self.block_start(place);
        let bit: Mask = 1 << k;
        let block = &mut self.blocks[b];
        let others = block.active & !bit;
        // The block's other active entries after the place, and the steps of those before it
        // (a dormant entry's are 0: all of them are added, without a branch).
        let after = u64::from((others >> k >> 1).count_ones());
        let above: u64 = ranked[start..place].iter().map(|e| steps(e.th_s())).sum();
        let s = steps(h);
        let change = s * (after + 1) + above;
        let square = u128::from(s) * u128::from(s);
        if restarts {
            block.active = others | bit;
            block.within += change;
            block.sum += s;
            self.count += 1;
            self.total += s;
            self.squares += square;
        } else {
            block.active = others;
            block.within -= change;
            block.sum -= s;
            self.count -= 1;
            self.total -= s;
            self.squares -= square;
        }
    }

    /// Whether the sums are kept (the order is at most [`INCREMENTAL_MAX`] long).
    pub fn incremental(&self) -> bool {
        self.incremental
    }

    /// Cuts the blocks anew if `ranked` (the order the sums were taken of) has moved in memory
    /// since (a cloned ranking), before stops and restarts are taken.
    pub fn follow(&mut self, ranked: &[Held]) {
        if self.incremental && shift_of(ranked) != self.shift {
            self.rebuild(ranked);
        }
    }

    /// The first place of the block of `place`.
    #[inline(always)]
    pub fn block_start(&self, place: usize) -> usize {
        place.saturating_sub((place + self.shift) % BLOCK)
    }

    /// Asks for the block sums a toggle at `place` changes (a hint: nothing is read).
    #[inline(always)]
    pub fn ask(&self, place: usize) {
        let b = (place + self.shift) / BLOCK;
        if let Some(block) = self.blocks.get(b) {
            prefetch(block);
        }
    }

    /// The concentration of the active entries of `ranked` (see `metrics::concentration` for
    /// each metric's formula): the Nakamoto coefficients, top shares and active count those of
    /// [`super::concentration::concentration_of_descending`] over the same grid values, the
    /// HHI, Gini coefficient and effective entities from the exact sums (rounded once).
    pub fn concentration(&self, ranked: &[Held]) -> Concentration {
        if !self.incremental {
            return concentration_of_descending(ranked);
        }
        if shift_of(ranked) != self.shift {
            return RankSums::of(ranked).concentration(ranked);
        }
        let Sums { count, total, squares, rank_weighted } = self.combined();
        if count == 0 || total == 0 {
            return Concentration::default();
        }
        let (n, total) = (count as f64, total as f64);
        let sum_sq_share = squares as f64 / (total * total);
        let gini = if count == 1 { 0.0 } else { (2.0 * rank_weighted as f64 / (n * total) - (n + 1.0) / n).max(0.0) };
        // Reached where the cumulative hashrate is at least `(q - tol) T` (in TH/s as
        // `count_to_reach`; steps and TH/s differ by an exact power of two).
        let targets = [0.25, 0.33, 0.5].map(|q| (q - SHARE_TOLERANCE) * (total / grid::TH_S) * grid::TH_S);
        let top = self.walk_blocks(ranked, targets);
        let [nakamoto_25, nakamoto_33, nakamoto_50] = top.reached.map(|k| u32::try_from(k).unwrap_or(u32::MAX));
        Concentration {
            hhi: 10_000.0 * sum_sq_share,
            nakamoto_50,
            nakamoto_33,
            nakamoto_25,
            top1_share: top.top1 as f64 / total,
            top5_share: (top.top5 as f64 / total).min(1.0),
            gini,
            effective_entities: if sum_sq_share > 0.0 { 1.0 / sum_sq_share } else { 0.0 },
            active_entities: u32::try_from(count).unwrap_or(u32::MAX),
        }
    }

    /// The kept sums, `R` combined from the blocks. `sum_b S_b A_b` is taken as
    /// `sum_b c_b Q_b`, with `c_b` the block's active entries and `Q_b` the steps of the blocks
    /// before it: a product of at most `BLOCK * 2^53`, which fits 64 bits (`S_b A_b` would not).
    fn combined(&self) -> Sums {
        let (mut rank_weighted, mut before): (u128, u64) = (0, 0);
        for block in &self.blocks {
            rank_weighted += u128::from(block.within + u64::from(block.active.count_ones()) * before);
            before += block.sum;
        }
        Sums { count: self.count, total: self.total, squares: self.squares, rank_weighted }
    }

    /// The first five entries and the thresholds' counts, from the largest down, whole blocks
    /// passed at once while they fall short.
    fn walk_blocks(&self, ranked: &[Held], targets: [f64; 3]) -> Top {
        let mut walk = Walk { b: 0, left: self.blocks[0].active, steps: 0, entries: 0 };
        let top1 = walk.next_entry(self, ranked).unwrap_or(0);
        let top5 = top1 + (1..5).map_while(|_| walk.next_entry(self, ranked)).sum::<u64>();
        let mut walk = Walk { b: 0, left: self.blocks[0].active, steps: 0, entries: 0 };
        Top { top1, top5, reached: targets.map(|t| walk.reach(self, ranked, t)) }
    }
}

/// The steps of the largest entry and of the largest five, and the entries it takes to reach
/// each target (increasing), all of them if never.
struct Top {
    top1: u64,
    top5: u64,
    reached: [u64; 3],
}

/// A walk down the order's active entries: at block `b`, its active places not yet passed
/// (`left`), the steps and entries passed.
struct Walk {
    b: usize,
    left: Mask,
    steps: u64,
    entries: u64,
}

impl Walk {
    /// The next active entry's steps, taken.
    fn next_entry(&mut self, sums: &RankSums, ranked: &[Held]) -> Option<u64> {
        while self.left == 0 {
            self.b += 1;
            self.left = sums.blocks.get(self.b)?.active;
        }
        let s = steps(ranked[self.b * BLOCK + self.left.trailing_zeros() as usize - sums.shift].0);
        self.left &= self.left - 1;
        self.steps += s;
        self.entries += 1;
        Some(s)
    }

    /// Entries passed when the steps passed first reach `target`, or all of them if never:
    /// whole blocks passed at once while they fall short.
    fn reach(&mut self, sums: &RankSums, ranked: &[Held], target: f64) -> u64 {
        while (self.steps as f64) < target {
            if self.left == 0 {
                self.b += 1;
                match sums.blocks.get(self.b) {
                    Some(block) => self.left = block.active,
                    None => break,
                }
            } else if self.left == sums.blocks[self.b].active
                && ((self.steps + sums.blocks[self.b].sum) as f64) < target
            {
                self.steps += sums.blocks[self.b].sum;
                self.entries += u64::from(self.left.count_ones());
                self.left = 0;
            } else {
                self.next_entry(sums, ranked);
            }
        }
        self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::concentration::concentration_of_descending;
    use proptest::prelude::*;

    /// An order of grid values, largest first, dormant (negated) where `dormant`.
    fn order(values: &[f64], dormant: &[bool]) -> Vec<Held> {
        let mut v: Vec<f64> = values.iter().map(|&h| grid::on(h, grid::TH_S)).collect();
        v.sort_by(|a, b| b.total_cmp(a));
        v.iter().zip(dormant).map(|(&h, &d)| Held(if d { -h } else { h })).collect()
    }

    /// Hand-worked: 4, 3, 2, 1 TH/s. `T` = 10; ascending ranks give `R` = 1 + 4 + 9 + 16 = 30,
    /// so Gini = 2 * 30 / (4 * 10) - 5 / 4 = 0.25; HHI = 10,000 * 30 / 100 = 3,000 (the squares
    /// also add to 30); the largest two hold 70% >= 50%, the largest 40% >= 33%.
    #[test]
    fn four_entries_by_hand() {
        let ranked = [4.0, 3.0, 2.0, 1.0].map(Held);
        let c = RankSums::of(&ranked).concentration(&ranked);
        assert_eq!(c.gini, 0.25);
        assert_eq!(c.hhi, 3_000.0);
        assert_eq!((c.nakamoto_50, c.nakamoto_33, c.nakamoto_25), (2, 1, 1));
        assert_eq!((c.top1_share, c.top5_share, c.active_entities), (0.4, 1.0, 4));
    }

    /// Catches: a restart counted with the larger entries' ranks unchanged (`above` left out),
    /// its own rank off by one, a block boundary misplaced (a place in the next block's mask).
    #[test]
    fn a_restart_in_the_middle_of_a_block() {
        let values: Vec<f64> = (0..40).map(|i| 100.0 - i as f64).collect();
        let mut ranked = order(&values, &[false; 40]);
        let full = RankSums::of(&ranked);
        for place in [0, 5, BLOCK - 1, BLOCK, BLOCK + 7, 39] {
            let h = ranked[place].0;
            ranked[place] = Held(-h);
            let mut kept = full.clone();
            kept.toggle(&ranked, place, h, false);
            assert_eq!(kept, RankSums::of(&ranked), "stop at {place}");
            ranked[place] = Held(h);
            kept.toggle(&ranked, place, h, true);
            assert_eq!(kept, full, "restart at {place}");
        }
    }

    /// Past [`INCREMENTAL_MAX`] no sums are kept: the metrics are the floating-point pass's,
    /// bit for bit, before and after a stop. Catches a long order's blocks read after a stop
    /// they did not take (stale sums), or kept after all.
    #[test]
    fn a_long_order_is_passed_over() {
        let values: Vec<f64> = (0..INCREMENTAL_MAX + 1).map(|i| 1.0 + (i % 1000) as f64).collect();
        let mut ranked = order(&values, &vec![false; values.len()]);
        let mut sums = RankSums::of(&ranked);
        assert!(sums.blocks.is_empty());
        assert_eq!(sums.concentration(&ranked), concentration_of_descending(&ranked));
        let h = ranked[7].0;
        ranked[7] = Held(-h);
        sums.toggle(&ranked, 7, h, false);
        assert_eq!(sums.concentration(&ranked), concentration_of_descending(&ranked));
    }

    proptest! {
        /// Any sequence of stops and restarts leaves the sums a rebuild takes, field for field,
        /// wherever the order starts in its block (`lead` entries before it in memory).
        /// Catches a place's block or bit taken without the shift.
        #[test]
        fn toggles_keep_the_sums_a_rebuild_takes(
            values in proptest::collection::vec(prop_oneof![Just(1.0), Just(2.5), 0.001f64..1e6], 1..80),
            flips in proptest::collection::vec(any::<prop::sample::Index>(), 0..60),
            lead in 0..BLOCK,
        ) {
            let mut buffer = vec![Held(1.0); lead];
            buffer.extend(order(&values, &vec![false; values.len()]));
            let ranked = &mut buffer[lead..];
            let own: Vec<f64> = ranked.iter().map(|e| e.0).collect();
            let mut sums = RankSums::of(ranked);
            for f in &flips {
                let place = f.index(ranked.len());
                let restarts = ranked[place].0 < 0.0;
                ranked[place].0 = if restarts { own[place] } else { -own[place] };
                sums.toggle(ranked, place, own[place], restarts);
                prop_assert_eq!(&sums, &RankSums::of(ranked));
            }
        }

        /// The metrics do not depend on where the order sits in memory (the blocks' cut): the
        /// same bits at every shift. Catches a block's sums combined with its cut's offset.
        #[test]
        fn the_cut_of_the_blocks_changes_nothing(
            values in proptest::collection::vec(prop_oneof![Just(1.0), Just(2.5), 0.001f64..1e6], 0..100),
            dormant in proptest::collection::vec(prop_oneof![3 => Just(false), 1 => Just(true)], 100),
        ) {
            let ranked = order(&values, &dormant[..values.len()]);
            let at = |lead: usize| {
                let mut buffer = vec![Held(1.0); lead];
                buffer.extend(&ranked);
                let c = RankSums::of(&buffer[lead..]).concentration(&buffer[lead..]);
                format!("{c:?}")
            };
            let first = at(0);
            for lead in 1..BLOCK {
                prop_assert_eq!(&at(lead), &first);
            }
        }

        /// Against the floating-point pass over the same grid values: the counts and shares
        /// bit for bit (their sums are exact in both), the HHI, Gini coefficient and effective
        /// entities to rounding. Catches ranks counted from the top (the Gini's sign flips), a
        /// block's entries combined with the wrong count after it, a threshold crossed inside a
        /// block skipped.
        #[test]
        fn agrees_with_the_floating_point_pass(
            values in proptest::collection::vec(prop_oneof![Just(1.0), Just(2.5), 0.001f64..1e6], 0..200),
            dormant in proptest::collection::vec(prop_oneof![3 => Just(false), 1 => Just(true)], 200),
        ) {
            let ranked = order(&values, &dormant[..values.len()]);
            let got = RankSums::of(&ranked).concentration(&ranked);
            let want = concentration_of_descending(&ranked);
            prop_assert_eq!(
                (got.nakamoto_50, got.nakamoto_33, got.nakamoto_25, got.active_entities),
                (want.nakamoto_50, want.nakamoto_33, want.nakamoto_25, want.active_entities)
            );
            prop_assert_eq!((got.top1_share.to_bits(), got.top5_share.to_bits()), (want.top1_share.to_bits(), want.top5_share.to_bits()));
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
            prop_assert!(close(got.hhi, want.hhi), "hhi {} {}", got.hhi, want.hhi);
            prop_assert!(close(got.gini, want.gini), "gini {} {}", got.gini, want.gini);
            prop_assert!(close(got.effective_entities, want.effective_entities));
        }
    }
}
