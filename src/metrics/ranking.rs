//! Active hashrates in decreasing order, kept from one day to the next.
//!
//! The daily concentration metrics need every entity's running hashrate sorted (the Gini
//! coefficient needs all ranks). Sorting from scratch each day costs `O(n log n)` comparisons
//! through an index. Day to day, though, the order barely changes: most entities keep their
//! rank, some stop mining and some start. [`Ranking`] keeps yesterday's order of the active
//! entities, drops those that stopped (an order-preserving filter), appends the newcomers and
//! re-sorts with the adaptive stable sort, which finds yesterday's order as one long run and
//! only has to sort and merge the changes. Keys are stored inline next to the index, so
//! comparisons never chase an index into another array.

/// A persistent descending order of the positive entries of a vector of hashrates.
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    /// (hashrate, entity) of the active entities, in decreasing hashrate after `update`.
    keyed: Vec<(f64, u32)>,
    /// Whether each entity is in `keyed`.
    member: Vec<bool>,
}

impl Ranking {
    pub fn new(entities: usize) -> Ranking {
        Ranking { keyed: Vec::with_capacity(entities), member: vec![false; entities] }
    }

    /// Re-ranks on today's `hashrates` (one per entity; entities that are not finite and
    /// positive are inactive) and writes the active ones, largest first, into `out`.
    ///
    /// The values written are exactly those of sorting the active entries from scratch:
    /// entities with equal hashrates may swap places, but their values are equal, so every
    /// statistic of `out` is bit-identical.
    pub fn update(&mut self, hashrates: &[f64], out: &mut Vec<f64>) {
        // Finite and positive (NaN fails both comparisons).
        let active = |h: f64| h > 0.0 && h < f64::INFINITY;
        if self.member.len() < hashrates.len() {
            self.member.resize(hashrates.len(), false);
        }
        // Yesterday's active entities that are still active, in yesterday's order.
        let member = &mut self.member;
        self.keyed.retain_mut(|(h, i)| {
            let now = hashrates.get(*i as usize).copied().unwrap_or(0.0);
            if active(now) {
                *h = now;
                true
            } else {
                member[*i as usize] = false;
                false
            }
        });
        // Newcomers, in index order.
        for (i, (&h, member)) in hashrates.iter().zip(&mut self.member).enumerate() {
            if active(h) && !*member {
                *member = true;
                self.keyed.push((h, i as u32));
            }
        }
        self.keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
        out.clear();
        out.extend(self.keyed.iter().map(|&(h, _)| h));
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
        let mut out = Vec::new();
        r.update(&[1.0, 3.0, 0.0, 2.0], &mut out);
        assert_eq!(out, [3.0, 2.0, 1.0]);
        r.update(&[1.0, 0.0, 5.0, 2.0], &mut out);
        assert_eq!(out, [5.0, 2.0, 1.0]);
        r.update(&[0.0, 0.0, 0.0, f64::NAN], &mut out);
        assert!(out.is_empty());
        r.update(&[4.0, 4.0, 1.0, 0.5], &mut out);
        assert_eq!(out, [4.0, 4.0, 1.0, 0.5]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever the history of updates, the output is the from-scratch sort.
            #[test]
            fn matches_a_fresh_sort_after_any_history(
                days in proptest::collection::vec(
                    proptest::collection::vec(prop_oneof![Just(0.0), Just(1.0), 0.0f64..10.0], 12),
                    1..20,
                ),
            ) {
                let mut r = Ranking::new(12);
                let mut out = Vec::new();
                for hashrates in &days {
                    r.update(hashrates, &mut out);
                    prop_assert_eq!(&out, &from_scratch(hashrates));
                }
            }
        }
    }
}
