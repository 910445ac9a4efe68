//! Choosing the block winner in proportion to active hashrate: a Fenwick (binary indexed)
//! tree over weights, O(log n) to sample and to update one weight (Fenwick 1994).

use std::cell::Cell;

/// Weights with prefix sums for proportional sampling.
#[derive(Debug, Clone, Default)]
pub struct Fenwick {
    tree: Vec<f64>,
    weights: Vec<f64>,
    /// [`Fenwick::total`] since the last change: every block reads it twice (its draw and
    /// the next arrival's rate), and the weights change once a day.
    total: Cell<Option<f64>>,
}

impl Fenwick {
    /// Builds the tree over `weights` in O(n).
    pub fn from_weights(weights: &[f64]) -> Fenwick {
        let mut f = Fenwick::default();
        f.rebuild(weights);
        f
    }

    /// Replaces all weights in O(n), reusing the allocation (and clearing accumulated
    /// rounding from point updates).
    pub fn rebuild(&mut self, weights: &[f64]) {
        self.weights.clear();
        self.weights.extend_from_slice(weights);
        self.build_tree();
    }

    /// As [`Fenwick::rebuild`], taking the weights' buffer and handing back the old one (so a
    /// caller that refills a buffer every day does not copy it).
    pub fn rebuild_swap(&mut self, weights: &mut Vec<f64>) {
        std::mem::swap(&mut self.weights, weights);
        self.build_tree();
    }

    /// The tree over `self.weights`, in O(n): each node adds itself to its parent.
    fn build_tree(&mut self) {
        self.total.set(None);
        self.tree.clear();
        self.tree.extend_from_slice(&self.weights);
        let n = self.tree.len();
        for i in 0..n {
            let parent = i | (i + 1);
            if parent < n {
                self.tree[parent] += self.tree[i];
            }
        }
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    pub fn weight(&self, i: usize) -> f64 {
        self.weights[i]
    }

    /// Sets weight `i` in O(log n).
    pub fn set(&mut self, i: usize, w: f64) {
        let delta = w - self.weights[i];
        self.weights[i] = w;
        self.total.set(None);
        let mut j = i;
        while j < self.tree.len() {
            self.tree[j] += delta;
            j |= j + 1;
        }
    }

    /// Sum of all weights: `prefix(n)`, worked out once per change of the weights.
    pub fn total(&self) -> f64 {
        self.total.get().unwrap_or_else(|| {
            let total = self.prefix(self.tree.len());
            self.total.set(Some(total));
            total
        })
    }

    /// Sum of weights `0..end`.
    pub fn prefix(&self, end: usize) -> f64 {
        let mut s = 0.0;
        let mut j = end;
        while j > 0 {
            s += self.tree[j - 1];
            j &= j - 1;
        }
        s
    }

    /// The index `i` with `prefix(i) <= u < prefix(i + 1)`, for `u` in `[0, total)`: drawn
    /// with `u = U(0,1) * total`, index `i` comes up with probability `w_i / total`. Never
    /// returns a zero-weight index while some weight is positive.
    pub fn find(&self, mut u: f64) -> Option<usize> {
        let n = self.tree.len();
        if n == 0 {
            return None;
        }
        let mut pos = 0; // number of leading items whose weight sum is <= u
        let mut step = n.next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next - 1] <= u {
                pos = next;
                u -= self.tree[next - 1];
            }
            step >>= 1;
        }
        // Rounding can leave `pos` at n or on an item of weight zero: step back to the
        // nearest positive weight.
        let mut i = pos.min(n - 1);
        while self.weights[i] <= 0.0 {
            if i == 0 {
                return self.weights.iter().position(|&w| w > 0.0);
            }
            i -= 1;
        }
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn find_hits_the_right_bucket() {
        let f = Fenwick::from_weights(&[1.0, 0.0, 2.0, 3.0]);
        assert_eq!(f.total(), 6.0);
        assert_eq!(f.find(0.0), Some(0));
        assert_eq!(f.find(0.999), Some(0));
        assert_eq!(f.find(1.0), Some(2));
        assert_eq!(f.find(2.999), Some(2));
        assert_eq!(f.find(3.0), Some(3));
        assert_eq!(f.find(5.999), Some(3));
        assert_eq!(f.find(6.5), Some(3)); // rounding past the end
        assert_eq!(Fenwick::from_weights(&[0.0, 0.0]).find(0.0), None);
    }

    #[test]
    fn frequencies_are_proportional() {
        use rand::Rng;
        let w = [5.0, 1.0, 0.0, 4.0];
        let f = Fenwick::from_weights(&w);
        let mut rng = crate::rng::stream(1, crate::rng::Purpose::BlockWinners);
        let mut counts = [0u32; 4];
        let n = 100_000;
        for _ in 0..n {
            counts[f.find(rng.random::<f64>() * f.total()).unwrap()] += 1;
        }
        assert_eq!(counts[2], 0);
        for i in [0, 1, 3] {
            let expect = w[i] / 10.0;
            assert!((counts[i] as f64 / n as f64 - expect).abs() < 0.006, "{i}: {counts:?}");
        }
    }

    proptest! {
        #[test]
        fn updates_match_a_rebuild(ws in proptest::collection::vec(0.0f64..100.0, 1..64),
                                   ups in proptest::collection::vec((0usize..64, 0.0f64..100.0), 0..32)) {
            let mut f = Fenwick::from_weights(&ws);
            let mut plain = ws.clone();
            for (i, w) in ups {
                let i = i % plain.len();
                // The total read before and after each change is the tree's sum then, bit for
                // bit (a total kept from before a change would be caught here).
                prop_assert_eq!(f.total().to_bits(), f.prefix(plain.len()).to_bits());
                f.set(i, w);
                plain[i] = w;
                prop_assert_eq!(f.total().to_bits(), f.prefix(plain.len()).to_bits());
            }
            let total = f.total();
            let mut swapped: Vec<f64> = plain.iter().map(|w| w * 2.0).collect();
            f.rebuild_swap(&mut swapped);
            prop_assert_eq!(f.total().to_bits(), f.prefix(plain.len()).to_bits());
            prop_assert!(plain.iter().any(|&w| w > 0.0) == (f.total() != total));
            f.rebuild(&plain);
            prop_assert_eq!(f.total().to_bits(), Fenwick::from_weights(&plain).prefix(plain.len()).to_bits());
            let g = Fenwick::from_weights(&plain);
            for end in 0..=plain.len() {
                let want: f64 = plain[..end].iter().sum();
                prop_assert!((f.prefix(end) - want).abs() < 1e-9 * (1.0 + want));
                prop_assert!((g.prefix(end) - want).abs() < 1e-9 * (1.0 + want));
            }
        }
    }
}
