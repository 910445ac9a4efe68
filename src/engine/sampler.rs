//! Choosing the block winner in proportion to running hashrate, in O(1): over weights it is
//! handed (the census' running hashrates, not a copy of them), the sums of runs of
//! [`RUN_LEN`] and of blocks of [`BLOCK`], and over the blocks their starting prefix sums and
//! a guide table (Chen & Asau 1974, "indexed search"). A draw finds its block through the
//! guide (a step or two on average), then counts the prefix sums of its 8 run sums and of
//! one run's 8 weights at or below what is left, without a branch; a changed
//! weight's run is summed again and its change added to its block. The starts and the guide
//! are brought up to date by the first draw after a day's changes, in O(n / 64).
//!
//! A draw inverts the cumulative weights in operator order: `u` in `[0, total)` picks the
//! operator `i` with `prefix(i) <= u < prefix(i + 1)`. Every weight is a running hashrate on
//! the grid (`units::grid`), so every prefix sum is exact, and so is every `u - prefix` (a
//! double's step is at most the grid's below 2^43 TH/s): any exact search finds the same
//! operator for the same `u`. The winners are those of the Fenwick tree (Fenwick 1994) this
//! replaced, draw for draw (the tests keep that tree as the oracle).

use crate::prefetch::prefetch;

/// Weights in a run whose sum is kept.
pub const RUN_LEN: usize = 8;
/// Runs in a block whose starting prefix sum is kept.
pub const RUNS_PER_BLOCK: usize = 8;
/// Weights in a block.
pub const BLOCK: usize = RUN_LEN * RUNS_PER_BLOCK;

/// The sum of a run of weights, in order (as every path sums it, so the same bits).
#[inline(always)]
fn run_sum(run: &[f64]) -> f64 {
    run.iter().sum()
}

/// How many of `xs` (non-negative, on the grid) a walk from the first passes with `rest`
/// (while each is at or below what is left of it), and their sum: the count of the prefix sums
/// at or below `rest` (they only grow, so those are the first ones), taken without a branch.
/// Exact on the grid, so the walk's own answer (which subtracted as it went), bit for bit;
/// its exits (after 0 to 8 steps, at random) were mispredicted about once a draw.
///
/// The prefix sums are taken as a tree (three additions deep, not eight): exact, so in any
/// order the same. Places past `xs` are infinite, never passed.
#[inline(always)]
fn passed(xs: &[f64], rest: f64) -> (usize, f64) {
    const _: () = assert!(RUN_LEN == 8 && RUNS_PER_BLOCK == 8, "`passed` sums eight at most");
    // A full run is copied as eight values, not as a slice of any length (a call to `memmove`
    // per step, 3.5% of CORE-1 at 10k); only the last run or block is shorter. That one is
    // filled value by value: a `memmove` onto the stack padding, read back as pairs, stalled
    // on store forwarding in each draw landing there, which below 449 miners is nearly every
    // draw (a one-miner run's block event 80 -> 62 ns, issue 17's seventeenth session).
    let x = <[f64; 8]>::try_from(xs)
        .unwrap_or_else(|_| std::array::from_fn(|i| xs.get(i).copied().unwrap_or(f64::INFINITY)));
    let (s01, s23, s45, s67) = (x[0] + x[1], x[2] + x[3], x[4] + x[5], x[6] + x[7]);
    let s03 = s01 + s23;
    let prefixes = [x[0], s01, s01 + x[2], s03, s03 + x[4], s03 + s45, s03 + (s45 + x[6]), s03 + (s45 + s67)];
    let (mut count, mut below) = (0, 0.0);
    for p in prefixes {
        let within = p <= rest;
        count += usize::from(within);
        below = if within { p } else { below };
    }
    (count, below)
}

/// `Sampler::stale_from` when the starts and the guide are up to date.
const FRESH: usize = usize::MAX;

/// Prefix sums over weights for proportional sampling. The weights stay with their owner,
/// which hands them to every call: a copy kept here was a second array read at random per
/// changed weight on a merit day (issue 17's tenth session).
#[derive(Debug, Clone)]
pub struct Sampler {
    /// How many weights the sums are of.
    len: usize,
    /// The sum of each run of [`RUN_LEN`] weights.
    run_sums: Vec<f64>,
    /// The sum of each block of [`BLOCK`] weights.
    block_sums: Vec<f64>,
    /// `starts[b]`: the sum of the blocks before `b`; `starts[blocks]` is the total.
    starts: Vec<f64>,
    /// `guide[g]`: about the block holding `g / guide_per_weight` (one bucket per block, so a
    /// draw steps past about one block boundary on average); one slot more than buckets.
    guide: Vec<u32>,
    guide_per_weight: f64,
    /// The first block whose start is stale ([`FRESH`]: none, and the guide is up to date).
    stale_from: usize,
}

impl Default for Sampler {
    fn default() -> Sampler {
        Sampler::new(&[])
    }
}

impl Sampler {
    /// The sampler over `weights`, in O(n).
    pub fn new(weights: &[f64]) -> Sampler {
        let mut s = Sampler {
            len: 0,
            run_sums: Vec::new(),
            block_sums: Vec::new(),
            starts: vec![0.0],
            guide: Vec::new(),
            guide_per_weight: 0.0,
            stale_from: 0,
        };
        s.rebuild(weights);
        s
    }

    /// Takes all of `weights` again in O(n), reusing the allocations: the run and block sums;
    /// the starts and guide follow at the next draw.
    pub fn rebuild(&mut self, weights: &[f64]) {
        self.len = weights.len();
        self.run_sums.clear();
        self.run_sums.extend(weights.chunks(RUN_LEN).map(run_sum));
        self.block_sums.clear();
        self.block_sums.extend(self.run_sums.chunks(RUNS_PER_BLOCK).map(|runs| runs.iter().sum::<f64>()));
        let blocks = self.block_sums.len();
        self.starts.resize(blocks + 1, 0.0);
        self.stale_from = 0;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Takes weight `i` of `weights` (the weights the sums are of, changed since in this
    /// weight and maybe others, each of which is taken too) in O(1): its run is summed again,
    /// as a rebuild sums it, and its block takes the run's change (exact on the grid, so the
    /// sums a rebuild would give).
    pub fn changed(&mut self, i: usize, weights: &[f64]) {
        debug_assert_eq!(weights.len(), self.len, "the weights the sums are of");
        let run = i / RUN_LEN;
        let sum = run_sum(&weights[run * RUN_LEN..((run + 1) * RUN_LEN).min(weights.len())]);
        let delta = sum - self.run_sums[run];
        self.run_sums[run] = sum;
        let block = i / BLOCK;
        self.block_sums[block] += delta;
        self.stale_from = self.stale_from.min(block);
    }

    /// Asks for the run sum taking weight `i` will read and write (a hint: nothing is read).
    #[inline(always)]
    pub fn ask(&self, i: usize) {
        if let Some(run) = self.run_sums.get(i / RUN_LEN) {
            prefetch(run);
        }
    }

    /// Sum of all weights.
    pub fn total(&mut self) -> f64 {
        self.refresh();
        self.starts[self.block_sums.len()]
    }

    /// The blocks' starts from the first stale one on, and the guide: one bucket per block,
    /// each naming the last block starting at or before (about) the bucket's lower end,
    /// counted without a branch: each block after the first adds one to the bucket its start
    /// falls in (rounded up), and the counts are summed. The search corrects a bucket named a
    /// block off either way, so rounding here changes no draw.
    fn refresh(&mut self) {
        if self.stale_from == FRESH {
            return;
        }
        let blocks = self.block_sums.len();
        let mut start = self.starts[self.stale_from];
        for b in self.stale_from..blocks {
            start += self.block_sums[b];
            self.starts[b + 1] = start;
        }
        let total = self.starts[blocks];
        let buckets = blocks;
        self.guide_per_weight = if total > 0.0 { buckets as f64 / total } else { 0.0 };
        // One more slot than buckets takes the starts rounded past the last.
        self.guide.clear();
        self.guide.resize(buckets + 1, 0);
        for &start in &self.starts[1..blocks.max(1)] {
            self.guide[((start * self.guide_per_weight).ceil() as usize).min(buckets)] += 1;
        }
        let mut blocks_before = 0;
        for entry in &mut self.guide {
            blocks_before += *entry;
            *entry = blocks_before;
        }
        self.stale_from = FRESH;
    }

    /// The index `i` with `prefix(i) <= u < prefix(i + 1)`, for `u` in `[0, total)`: drawn
    /// with `u = U(0,1) * total`, index `i` comes up with probability `w_i / total`. A `u` at
    /// or past the total gives the last positive weight; never a zero-weight index while some
    /// weight is positive, and `None` while none is. `weights` are those the sums are of.
    pub fn find(&mut self, u: f64, weights: &[f64]) -> Option<usize> {
        debug_assert_eq!(weights.len(), self.len, "the weights the sums are of");
        self.refresh();
        let n = self.len;
        if n == 0 {
            return None;
        }
        // The last block starting at or before `u`: the guide's, stepped back where rounding
        // put the bucket past it and forward past the boundaries inside the bucket.
        let blocks = self.block_sums.len();
        let bucket = ((u * self.guide_per_weight) as usize).min(blocks - 1);
        let mut b = self.guide[bucket] as usize;
        while b > 0 && self.starts[b] > u {
            b -= 1;
        }
        while b + 1 < blocks && self.starts[b + 1] <= u {
            b += 1;
        }
        // Then the last position in it whose prefix is at or below `u`, over the runs and
        // their weights; `rest` stays `u - prefix(position)`, exactly.
        let mut rest = u - self.starts[b];
        let first_run = b * RUNS_PER_BLOCK;
        let runs = &self.run_sums[first_run..(first_run + RUNS_PER_BLOCK).min(self.run_sums.len())];
        let (run, before) = passed(runs, rest);
        rest -= before;
        let start = ((first_run + run) * RUN_LEN).min(n);
        let (k, _) = passed(&weights[start..(start + RUN_LEN).min(n)], rest);
        let pos = start + k;
        // Past the end (`u` at the total, by rounding), or on a zero weight: step back to the
        // nearest positive weight.
        let mut i = pos.min(n - 1);
        while weights[i] <= 0.0 {
            if i == 0 {
                return weights.iter().position(|&w| w > 0.0);
            }
            i -= 1;
        }
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::grid;
    use proptest::prelude::*;

    /// The Fenwick tree the sampler replaced (its descent, as the engine ran it): the oracle
    /// whose winners the sampler must give, draw for draw.
    struct Fenwick {
        tree: Vec<f64>,
        weights: Vec<f64>,
    }

    impl Fenwick {
        fn new(weights: &[f64]) -> Fenwick {
            let mut tree = weights.to_vec();
            let n = tree.len();
            for i in 0..n {
                let parent = i | (i + 1);
                if parent < n {
                    tree[parent] += tree[i];
                }
            }
            Fenwick { tree, weights: weights.to_vec() }
        }

        fn find(&self, mut u: f64) -> Option<usize> {
            let n = self.tree.len();
            if n == 0 {
                return None;
            }
            let (mut pos, mut step) = (0, n.next_power_of_two());
            while step > 0 {
                let next = pos + step;
                if next <= n && self.tree[next - 1] <= u {
                    pos = next;
                    u -= self.tree[next - 1];
                }
                step >>= 1;
            }
            // The nearest positive weight at or before it, else the first one.
            let positive = |w: &f64| *w > 0.0;
            self.weights[..=pos.min(n - 1)]
                .iter()
                .rposition(positive)
                .or_else(|| self.weights.iter().position(positive))
        }
    }

    /// The walk `passed` replaced, on grid values of up to eight (some zero) and every `rest`
    /// where its answer changes. Catches a prefix left out of the tree or added twice, `<`
    /// for `<=`, and places past the values counted (a short last run or block).
    #[test]
    fn passed_is_the_walk() {
        use rand::{Rng, SeedableRng};
        let walk = |xs: &[f64], mut rest: f64| {
            let (mut k, mut sum) = (0, 0.0);
            while k < xs.len() && xs[k] <= rest {
                rest -= xs[k];
                sum += xs[k];
                k += 1;
            }
            (k, sum)
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(8);
        for _ in 0..2_000 {
            let xs: Vec<f64> = (0..rng.random_range(0..=8))
                .map(|_| if rng.random_bool(0.3) { 0.0 } else { grid::on(rng.random_range(0.0..1e6), grid::TH_S) })
                .collect();
            let total: f64 = xs.iter().sum();
            let mut prefix = 0.0;
            for x in std::iter::once(0.0).chain(xs.iter().copied()) {
                prefix += x;
                for rest in [prefix, prefix.next_down(), prefix.next_up(), total * 2.0 + 1.0] {
                    let ((k, sum), want) = (passed(&xs, rest), walk(&xs, rest));
                    assert_eq!((k, sum.to_bits()), (want.0, want.1.to_bits()), "{xs:?} {rest}");
                }
            }
        }
    }

    #[test]
    fn find_hits_the_right_bucket() {
        let w = [1.0, 0.0, 2.0, 3.0];
        let mut f = Sampler::new(&w);
        assert_eq!(f.total(), 6.0);
        assert_eq!(f.find(0.0, &w), Some(0));
        assert_eq!(f.find(0.999, &w), Some(0));
        assert_eq!(f.find(1.0, &w), Some(2));
        assert_eq!(f.find(2.999, &w), Some(2));
        assert_eq!(f.find(3.0, &w), Some(3));
        assert_eq!(f.find(5.999, &w), Some(3));
        assert_eq!(f.find(6.5, &w), Some(3)); // rounding past the end
        assert_eq!(Sampler::new(&[0.0, 0.0]).find(0.0, &[0.0, 0.0]), None);
        assert_eq!(Sampler::new(&[]).find(0.0, &[]), None);
        assert_eq!(Sampler::default().total(), 0.0);
    }

    #[test]
    fn frequencies_are_proportional() {
        use rand::Rng;
        let w = [5.0, 1.0, 0.0, 4.0];
        let mut f = Sampler::new(&w);
        let mut rng = crate::rng::stream(1, crate::rng::Purpose::BlockWinners);
        let mut counts = [0u32; 4];
        let n = 100_000;
        for _ in 0..n {
            let u = rng.random::<f64>() * f.total();
            counts[f.find(u, &w).unwrap()] += 1;
        }
        assert_eq!(counts[2], 0);
        for i in [0, 1, 3] {
            let expect = w[i] / 10.0;
            assert!((counts[i] as f64 / n as f64 - expect).abs() < 0.006, "{i}: {counts:?}");
        }
    }

    /// Grid weights over several blocks, many of them zero (idle miners), some whole runs
    /// and blocks of zeros, and a few heavy ones (the guide's buckets then hold many blocks).
    fn weights(n: usize, seed: u64) -> Vec<f64> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let dead = rng.random_range(0..n.max(1));
        (0..n)
            .map(|i| match rng.random_range(0..10) {
                _ if i / BLOCK == dead / BLOCK && n > 2 * BLOCK => 0.0,
                0..=2 => 0.0,
                3 => grid::on(10f64.powf(rng.random_range(5.0..8.0)), grid::TH_S),
                _ => grid::on(10f64.powf(rng.random_range(0.0..5.0)), grid::TH_S),
            })
            .collect()
    }

    /// Every `u` where the answer changes (each prefix, the largest double below it) and
    /// random ones, on the sampler and the Fenwick tree, before and after point updates and a
    /// rebuild. Bug caught: a step past a run or block taken on `<` rather than `<=` (a
    /// boundary `u` goes to the weight before), a start or guide not refreshed after a change,
    /// a run sum not summed again or its change not given to its block (or given twice when a
    /// run holds several changes), a last partial run or block read past its end, a guide
    /// bucket past its block not stepped back.
    #[test]
    fn winners_are_the_fenwick_trees_at_every_boundary() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for (case, n) in [1, 2, 7, 8, 9, 63, 64, 65, 200, 511, 512, 1000, 4099].into_iter().enumerate() {
            let mut w = weights(n, case as u64);
            let mut s = Sampler::new(&w);
            for round in 0..4 {
                let oracle = Fenwick::new(&w);
                let total: f64 = w.iter().sum();
                assert_eq!(s.total().to_bits(), total.to_bits(), "n {n} round {round}");
                let mut prefix = 0.0;
                let mut us = vec![0.0, total, total * 1.5, f64::from_bits(total.to_bits().saturating_sub(1))];
                for &x in &w {
                    prefix += x;
                    us.extend([prefix, f64::from_bits(prefix.to_bits().saturating_sub(1))]);
                }
                us.extend((0..200).map(|_| rng.random::<f64>() * total));
                for u in us {
                    assert_eq!(s.find(u, &w), oracle.find(u), "n {n} round {round} u {u}");
                }
                // Changes as a merit day makes them (miners stopping, restarting: the census
                // takes them all, then the sampler each, repeats and neighbours in a run
                // included), then every other round a rebuild with fresh weights.
                if round % 2 == 0 {
                    let changed: Vec<usize> =
                        (0..rng.random_range(1..=n.min(40))).map(|_| rng.random_range(0..n)).collect();
                    for &i in &changed {
                        w[i] =
                            if rng.random_bool(0.5) { 0.0 } else { grid::on(rng.random_range(1.0..1e6), grid::TH_S) };
                    }
                    for &i in &changed {
                        s.changed(i, &w);
                    }
                } else {
                    w = weights(n, 100 + case as u64 * 10 + round);
                    s.rebuild(&w);
                }
            }
        }
    }

    /// The guide is only where the search starts: with every entry at the first block, or at
    /// the last (as rounding of `u * guide_per_weight` could put a bucket past its block), the
    /// winners are the same. Bug caught: no step back from a guide entry past the block
    /// holding `u`, or no step forward from one before it.
    #[test]
    fn the_guide_only_shortens_the_search() {
        let w = weights(1000, 3);
        let oracle = Fenwick::new(&w);
        let mut s = Sampler::new(&w);
        let total = s.total();
        let blocks = s.block_sums.len() as u32;
        for entry in [0, blocks - 1] {
            s.guide.fill(entry);
            let mut prefix = 0.0;
            for (i, &x) in w.iter().enumerate() {
                prefix += x;
                for u in [prefix, f64::from_bits(prefix.to_bits().saturating_sub(1)), total * i as f64 / 1000.0] {
                    assert_eq!(s.find(u, &w), oracle.find(u), "guide at {entry}, u {u}");
                }
            }
        }
    }

    /// Each bucket names the last block starting at or before its lower end (up to rounding),
    /// so a draw steps past about one boundary. Bug caught: starts counted into the wrong
    /// bucket or not summed (the draws stay right, each a walk over the blocks).
    #[test]
    fn each_bucket_names_the_block_at_its_lower_end() {
        for (n, seed) in [(64, 1), (650, 2), (4099, 3)] {
            let mut s = Sampler::new(&weights(n, seed));
            let total = s.total();
            let blocks = s.block_sums.len();
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * total;
            for g in 0..blocks {
                let lower = total * g as f64 / blocks as f64;
                let b = s.guide[g] as usize;
                assert!(
                    s.starts[b] <= lower || close(s.starts[b], lower),
                    "n {n} bucket {g}: block {b} starts past it"
                );
                assert!(
                    b + 1 == blocks || s.starts[b + 1] > lower || close(s.starts[b + 1], lower),
                    "n {n} bucket {g}: {b}"
                );
            }
        }
    }

    proptest! {
        /// Random grid weights and updates: the same winner as the Fenwick tree for random
        /// draws, and the total the plain sum.
        #[test]
        fn updates_match_the_fenwick_tree(ws in proptest::collection::vec(0u32..2_000, 1..300),
                                          ups in proptest::collection::vec((0usize..300, 0u32..2_000), 0..40),
                                          draws in proptest::collection::vec(0.0f64..1.0, 1..40)) {
            let grid_w = |k: u32| if k < 600 { 0.0 } else { f64::from(k) * 0.25 };
            let mut plain: Vec<f64> = ws.iter().map(|&k| grid_w(k)).collect();
            let mut s = Sampler::new(&plain);
            for (i, k) in ups {
                let i = i % plain.len();
                plain[i] = grid_w(k);
                s.changed(i, &plain);
            }
            let total: f64 = plain.iter().sum();
            prop_assert_eq!(s.total().to_bits(), total.to_bits());
            let oracle = Fenwick::new(&plain);
            for d in draws {
                prop_assert_eq!(s.find(d * total, &plain), oracle.find(d * total));
            }
        }
    }
}
