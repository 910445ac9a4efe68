//! Active hashrates in decreasing order, kept from one day to the next.
//!
//! The daily concentration metrics need every entity's running hashrate sorted (the Gini
//! coefficient needs all ranks). Sorting from scratch each day costs `O(n log n)` and, through
//! an index, a random memory access per entity. Day to day, though, few entities change: some
//! stop mining, some start, most run exactly as yesterday. [`Ranking`] keeps yesterday's
//! hashrates and their sorted values; each day it finds the `k` entities whose hashrate
//! changed (one sequential pass), sorts their old and new values, and merges them into the
//! sorted values (one more sequential pass): `O(n + k log k)`, and never worse than a full
//! sort. Only values are kept: statistics of the sorted values cannot tell equal entities
//! apart, so nothing is lost.

/// A persistent descending order of the active (finite, positive) entries of a vector of
/// hashrates.
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    /// The hashrates of the last update, by entity.
    last: Vec<f64>,
    /// The active values of `last`, largest first.
    sorted: Vec<f64>,
    /// Reused buffers: values leaving and joining the order, and the merge's output.
    leaving: Vec<f64>,
    joining: Vec<f64>,
    merged: Vec<f64>,
}

/// Finite and positive (NaN fails both comparisons).
fn active(h: f64) -> bool {
    h > 0.0 && h < f64::INFINITY
}

/// Decreasing order, total over the values `active` lets through.
fn descending(a: &f64, b: &f64) -> std::cmp::Ordering {
    b.total_cmp(a)
}

impl Ranking {
    pub fn new(entities: usize) -> Ranking {
        Ranking { last: vec![0.0; entities], ..Ranking::default() }
    }

    /// Re-ranks on today's `hashrates` (one per entity) and returns the active ones, largest
    /// first: exactly the values (bit for bit, in the same order) of sorting the active
    /// entries from scratch.
    pub fn update(&mut self, hashrates: &[f64]) -> &[f64] {
        if self.last.len() != hashrates.len() {
            // A different population: start from nothing.
            self.last.clear();
            self.last.resize(hashrates.len(), 0.0);
            self.sorted.clear();
        }
        self.leaving.clear();
        self.joining.clear();
        for (last, &h) in self.last.iter_mut().zip(hashrates) {
            if last.to_bits() != h.to_bits() {
                if active(*last) {
                    self.leaving.push(*last);
                }
                if active(h) {
                    self.joining.push(h);
                }
                *last = h;
            }
        }
        if self.leaving.is_empty() && self.joining.is_empty() {
            return &self.sorted;
        }
        self.leaving.sort_unstable_by(descending);
        self.joining.sort_unstable_by(descending);
        // One pass: drop one copy of each leaving value, insert the joining ones in place.
        self.merged.clear();
        let (mut leave, mut join) = (self.leaving.iter().peekable(), self.joining.iter().peekable());
        for &x in &self.sorted {
            if leave.peek().is_some_and(|&&l| l.to_bits() == x.to_bits()) {
                leave.next();
                continue;
            }
            while let Some(&&j) = join.peek() {
                if j > x {
                    self.merged.push(j);
                    join.next();
                } else {
                    break;
                }
            }
            self.merged.push(x);
        }
        debug_assert!(leave.next().is_none(), "every leaving value was in the order");
        self.merged.extend(join);
        std::mem::swap(&mut self.sorted, &mut self.merged);
        &self.sorted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_scratch(hashrates: &[f64]) -> Vec<f64> {
        let mut v: Vec<f64> = hashrates.iter().copied().filter(|h| h.is_finite() && *h > 0.0).collect();
        v.sort_by(|a, b| b.total_cmp(a));
        v
    }

    #[test]
    fn follows_entities_that_stop_start_and_move() {
        let mut r = Ranking::new(4);
        assert_eq!(r.update(&[1.0, 3.0, 0.0, 2.0]), [3.0, 2.0, 1.0]);
        assert_eq!(r.update(&[1.0, 0.0, 5.0, 2.0]), [5.0, 2.0, 1.0]);
        assert!(r.update(&[0.0, 0.0, 0.0, f64::NAN]).is_empty());
        assert_eq!(r.update(&[4.0, 4.0, 1.0, 0.5]), [4.0, 4.0, 1.0, 0.5]);
        assert_eq!(r.update(&[4.0, 1.0, 4.0, f64::INFINITY]), [4.0, 4.0, 1.0]);
        // A population of another size starts afresh.
        assert_eq!(r.update(&[2.0, 7.0]), [7.0, 2.0]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever the history of updates (few or many changes, ties, inactive
            /// entries), the output is the from-scratch sort, bit for bit.
            #[test]
            fn matches_a_fresh_sort_after_any_history(
                days in proptest::collection::vec(
                    proptest::collection::vec(prop_oneof![Just(0.0), Just(1.0), Just(2.5), 0.0f64..10.0], 12),
                    1..20,
                ),
            ) {
                let mut r = Ranking::new(12);
                for hashrates in &days {
                    let got: Vec<u64> = r.update(hashrates).iter().map(|x| x.to_bits()).collect();
                    let want: Vec<u64> = from_scratch(hashrates).iter().map(|x| x.to_bits()).collect();
                    prop_assert_eq!(got, want);
                }
            }
        }
    }
}
