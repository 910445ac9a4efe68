//! Lots of dormant machines ordered by what each TH/s of them costs an attacker: a counting
//! sort, as a day's idle machines come in a few efficiencies (the catalog's models), handing
//! over to the comparison sort when they do not (a population drawn over every efficiency).

/// Sorts (TH/s, USD per TH/s) lots by unit cost, stably: the order of
/// `lots.sort_by(|a, b| a.1.total_cmp(&b.1))`, as a counting sort. A lot's unit cost depends
/// only on its machines' efficiency, and a day's dormant machines come in a few efficiencies
/// (10-200 among thousands of lots), so with `d` distinct costs this is `O(n + d log d)`.
///
/// A population of machines of every efficiency (CORE-1's uniform draw) has nearly as many
/// costs as lots: once the distinct costs pass half the lots (and 64), the counting stops and
/// the stable comparison sort orders them (the hash map was most of the work).
pub fn sort_by_unit_cost(lots: &mut Vec<(f64, f64)>) {
    UnitCostSort::default().sort(lots);
}

/// The buffers of [`sort_by_unit_cost`], kept from one sort to the next.
#[derive(Debug, Clone, Default)]
pub struct UnitCostSort {
    id_of: rustc_hash::FxHashMap<u64, u32>,
    costs: Vec<f64>,
    ids: Vec<u32>,
    by_cost: Vec<u32>,
    next: Vec<usize>,
    sorted: Vec<(f64, f64)>,
    /// A buffer for the caller's lots ([`crate::metrics::attack::DormantSupply::refill`]'s),
    /// kept with the sort's own.
    lots: Vec<(f64, f64)>,
}

impl UnitCostSort {
    /// The caller's lot buffer, emptied (hand it back with [`UnitCostSort::give_back`]).
    pub fn take_buffer(&mut self) -> Vec<(f64, f64)> {
        let mut lots = std::mem::take(&mut self.lots);
        lots.clear();
        lots
    }

    pub fn give_back(&mut self, lots: Vec<(f64, f64)>) {
        self.lots = lots;
    }

    /// [`sort_by_unit_cost`] with this sort's buffers.
    pub fn sort(&mut self, lots: &mut Vec<(f64, f64)>) {
        let by_cost = |a: &(f64, f64), b: &(f64, f64)| a.1.total_cmp(&b.1);
        let many = (lots.len() / 2).max(64);
        let UnitCostSort { id_of, costs, ids, by_cost: order, next, sorted, .. } = self;
        // Equal under `total_cmp` is equal bits.
        id_of.clear();
        costs.clear();
        ids.clear();
        for &(_, unit) in lots.iter() {
            let id = *id_of.entry(unit.to_bits()).or_insert_with(|| {
                costs.push(unit);
                (costs.len() - 1) as u32
            });
            if costs.len() > many {
                lots.sort_by(by_cost);
                return;
            }
            ids.push(id);
        }
        order.clear();
        order.extend(0..costs.len() as u32);
        order.sort_unstable_by(|&a, &b| costs[a as usize].total_cmp(&costs[b as usize]));
        next.clear();
        next.resize(costs.len(), 0);
        for &id in ids.iter() {
            next[id as usize] += 1;
        }
        let mut start = 0;
        for &id in order.iter() {
            let count = next[id as usize];
            next[id as usize] = start;
            start += count;
        }
        sorted.clear();
        sorted.resize(lots.len(), (0.0, 0.0));
        for (&lot, &id) in lots.iter().zip(ids.iter()) {
            sorted[next[id as usize]] = lot;
            next[id as usize] += 1;
        }
        std::mem::swap(lots, sorted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The counting sort gives exactly the stable comparison sort's order, with few
        /// distinct costs (the usual case) or many (past which it hands over to the
        /// comparison sort: up to 400 lots, most distinct).
        #[test]
        fn counting_sort_is_the_stable_sort(
            lots in proptest::collection::vec(
                (0.0f64..10.0, prop_oneof![Just(1.0), Just(2.5), Just(0.0), Just(-0.0), 0.0f64..5.0]),
                0..400,
            ),
        ) {
            let mut want = lots.clone();
            want.sort_by(|a, b| a.1.total_cmp(&b.1));
            let mut got = lots;
            sort_by_unit_cost(&mut got);
            let bits = |v: &[(f64, f64)]| v.iter().map(|l| (l.0.to_bits(), l.1.to_bits())).collect::<Vec<_>>();
            prop_assert_eq!(bits(&got), bits(&want));
        }

        /// One sort's buffers reused over a sequence of days sort each day as a fresh sort
        /// does. Catches a buffer left holding the last day's costs, counts or lots.
        #[test]
        fn a_reused_sort_is_a_fresh_sort(
            days in proptest::collection::vec(
                proptest::collection::vec((0.0f64..10.0, prop_oneof![Just(1.0), Just(2.5), 0.0f64..5.0]), 0..200),
                1..6,
            ),
        ) {
            let mut reused = UnitCostSort::default();
            for lots in days {
                let mut want = lots.clone();
                sort_by_unit_cost(&mut want);
                let mut got = lots;
                reused.sort(&mut got);
                let bits = |v: &[(f64, f64)]| v.iter().map(|l| (l.0.to_bits(), l.1.to_bits())).collect::<Vec<_>>();
                prop_assert_eq!(bits(&got), bits(&want));
            }
        }
    }
}
