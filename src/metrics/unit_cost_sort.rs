//! Lots of dormant machines ordered by what each TH/s of them costs an attacker: a counting
//! sort, as a day's idle machines come in a few efficiencies (the catalog's models), handing
//! over to a bucket sort by the costs' bits when they do not (a population drawn over every
//! efficiency). Both give the stable comparison sort's order, bit for bit.

/// Sorts (TH/s, USD per TH/s) lots by unit cost, stably: the order of
/// `lots.sort_by(|a, b| a.1.total_cmp(&b.1))`, as a counting sort. A lot's unit cost depends
/// only on its machines' efficiency, and a day's dormant machines come in a few efficiencies
/// (10-200 among thousands of lots), so with `d` distinct costs this is `O(n + d log d)`.
///
/// A population of machines of every efficiency (CORE-1's uniform draw) has nearly as many
/// costs as lots: once the distinct costs pass half the lots (and 64), the counting stops and
/// a bucket sort (`BucketSort`) orders them in `O(n)` (the stable comparison sort took 40 ns
/// a lot in CORE-1, and the hash map most of the rest); the next sort goes to it directly
/// while the costs stay that many.
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
    buckets: BucketSort,
    /// Whether the last sort found more distinct costs than it counts (over half the lots).
    many_last: bool,
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
        let many = (lots.len() / 2).max(64);
        if self.many_last && lots.len() > 64 {
            self.many_last = self.buckets.sort(lots) > lots.len() / 2;
            return;
        }
        self.many_last = false;
        let UnitCostSort { id_of, costs, ids, by_cost: order, next, sorted, buckets, many_last, .. } = self;
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
                *many_last = true;
                buckets.sort(lots);
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

/// `x`'s key in the order of `f64::total_cmp`, as an unsigned integer: a non-negative value's
/// sign bit set, a negative value's every bit flipped (the transform `total_cmp` makes, read
/// unsigned).
#[inline(always)]
fn total_key(x: f64) -> u64 {
    let b = x.to_bits();
    b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
}

/// The value whose [`total_key`] is `k`, bit for bit.
#[inline(always)]
fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k ^ (1 << 63) } else { !k })
}

/// Buckets of more lots than this are sorted by the stable sort before the insertion pass.
const BUCKET_INSERTED: u32 = 32;

/// Sorts lots by unit cost, stably, in `O(n)` when the costs are spread out (many distinct):
/// a counting sort by the leading bits of their keys (`total_key`) past the bits all share (as
/// many buckets as lots, rounded up to a power of two: a key's bucket never decreases with
/// the key), then one insertion pass, in which a lot moves only within its bucket. A bucket of
/// more than [`BUCKET_INSERTED`] lots is sorted by the stable sort first, so a skewed day
/// costs at most the comparison sort's `O(n log n)`. The buffers are kept from one sort to the
/// next.
#[derive(Debug, Clone, Default)]
struct BucketSort {
    /// (key, TH/s) of each lot, by bucket.
    bucketed: Vec<(u64, f64)>,
    /// Where each bucket starts (then ends, once filled).
    starts: Vec<u32>,
}

impl BucketSort {
    /// Sorts `lots` as `lots.sort_by(|a, b| a.1.total_cmp(&b.1))` does; returns how many
    /// distinct costs they have.
    fn sort(&mut self, lots: &mut [(f64, f64)]) -> usize {
        let n = lots.len();
        let BucketSort { bucketed, starts } = self;
        if n == 0 {
            return 0;
        }
        // The keys are worked out where they are read (an exclusive or): a copy of the lots
        // with their keys cost more, in time and in memory, than three times the arithmetic.
        let (mut lo, mut hi) = (u64::MAX, 0);
        for &(_, unit) in lots.iter() {
            let k = total_key(unit);
            (lo, hi) = (lo.min(k), hi.max(k));
        }
        if lo == hi {
            return 1;
        }
        let span_bits = u64::BITS - (hi - lo).leading_zeros();
        let bucket_bits = (usize::BITS - n.leading_zeros()).min(span_bits);
        let shift = span_bits - bucket_bits;
        let bucket = |k: u64| ((k - lo) >> shift) as usize;
        starts.clear();
        starts.resize(1 << bucket_bits, 0);
        for &(_, unit) in lots.iter() {
            starts[bucket(total_key(unit))] += 1;
        }
        let (mut start, mut largest) = (0, 0);
        for s in starts.iter_mut() {
            largest = largest.max(*s);
            (*s, start) = (start, start + *s);
        }
        bucketed.clear();
        bucketed.resize(n, (0, 0.0));
        for &(th, unit) in lots.iter() {
            let k = total_key(unit);
            let slot = &mut starts[bucket(k)];
            bucketed[*slot as usize] = (k, th);
            *slot += 1;
        }
        // Each `starts[b]` is now where bucket `b` ends.
        if largest > BUCKET_INSERTED {
            let mut from = 0;
            for &end in starts.iter() {
                if end - from > BUCKET_INSERTED {
                    bucketed[from as usize..end as usize].sort_by_key(|x| x.0);
                }
                from = end;
            }
        }
        for i in 1..n {
            let x = bucketed[i];
            let mut j = i;
            while j > 0 && bucketed[j - 1].0 > x.0 {
                bucketed[j] = bucketed[j - 1];
                j -= 1;
            }
            bucketed[j] = x;
        }
        let mut distinct = 0;
        let mut last = None;
        for (lot, &(k, th)) in lots.iter_mut().zip(bucketed.iter()) {
            *lot = (th, from_total_key(k));
            distinct += usize::from(last != Some(k));
            last = Some(k);
        }
        distinct
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bits(v: &[(f64, f64)]) -> Vec<(u64, u64)> {
        v.iter().map(|l| (l.0.to_bits(), l.1.to_bits())).collect()
    }

    fn stable(lots: &[(f64, f64)]) -> Vec<(f64, f64)> {
        let mut want = lots.to_vec();
        want.sort_by(|a, b| a.1.total_cmp(&b.1));
        want
    }

    /// The keys order every value as `total_cmp` does, and give back its bits. Catches a key
    /// that orders the negatives upwards, puts -0 after +0 or loses a NaN's payload.
    #[test]
    fn keys_are_total_cmp_s_order() {
        let values = [
            f64::NEG_INFINITY,
            -f64::MAX,
            -2.5,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            1.0,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::from_bits(0x7ff8_0000_0000_0001),
        ];
        for a in values {
            assert_eq!(from_total_key(total_key(a)).to_bits(), a.to_bits());
            for b in values {
                assert_eq!(total_key(a).cmp(&total_key(b)), a.total_cmp(&b), "{a} {b}");
            }
        }
    }

    /// A day whose costs crowd into a few buckets (two far outliers stretch the key range:
    /// buckets of over `BUCKET_INSERTED` lots, sorted before the insertion pass), a day of one
    /// cost and an empty day. Catches a crowded bucket's bounds taken wrong (a panic or lots
    /// lost), a wrong order or count of distinct costs there, and a day of one cost reordered
    /// or miscounted.
    #[test]
    fn crowded_buckets_are_sorted_stably() {
        let mut buckets = BucketSort::default();
        let mut lots: Vec<(f64, f64)> =
            (0..500).map(|i| (f64::from(i), 1.0 + f64::from((i * 7919) % 101) * 1e-13)).collect();
        lots.push((1e3, 1e300));
        lots.push((2e3, -1.0));
        let want = stable(&lots);
        assert_eq!(buckets.sort(&mut lots), 103);
        assert_eq!(bits(&lots), bits(&want));
        let mut same: Vec<(f64, f64)> = (0..100).map(|i| (f64::from(i), 4.0)).collect();
        let want = same.clone();
        assert_eq!(buckets.sort(&mut same), 1);
        assert_eq!(bits(&same), bits(&want));
        assert_eq!(buckets.sort(&mut []), 0);
    }

    proptest! {
        /// The bucket sort gives exactly the stable comparison sort's order, and counts the
        /// distinct costs: spread costs (the usual case), ties, signed zeros, infinities and
        /// NaNs, and costs crowded near one value among spread ones (buckets over
        /// `BUCKET_INSERTED`).
        #[test]
        fn the_bucket_sort_is_the_stable_sort(
            lots in proptest::collection::vec(
                (0.0f64..10.0, prop_oneof![
                    4 => 0.0f64..5.0,
                    1 => Just(2.5),
                    1 => Just(-0.0),
                    1 => Just(0.0),
                    1 => prop_oneof![Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(f64::NAN), Just(-f64::NAN)],
                    2 => (0u32..64).prop_map(|i| 3.0 + f64::from(i) * 1e-14),
                    1 => -1e6f64..1e6,
                ]),
                0..2_000,
            ),
        ) {
            let want = stable(&lots);
            let distinct = {
                let mut keys: Vec<u64> = lots.iter().map(|l| l.1.to_bits()).collect();
                keys.sort_unstable();
                keys.dedup();
                keys.len()
            };
            let mut got = lots;
            prop_assert_eq!(BucketSort::default().sort(&mut got), distinct);
            prop_assert_eq!(bits(&got), bits(&want));
        }

        /// The counting sort gives exactly the stable comparison sort's order, with few
        /// distinct costs (the usual case) or many (past which it hands over to the bucket
        /// sort: up to 400 lots, most distinct).
        #[test]
        fn counting_sort_is_the_stable_sort(
            lots in proptest::collection::vec(
                (0.0f64..10.0, prop_oneof![Just(1.0), Just(2.5), Just(0.0), Just(-0.0), 0.0f64..5.0]),
                0..400,
            ),
        ) {
            let want = stable(&lots);
            let mut got = lots;
            sort_by_unit_cost(&mut got);
            prop_assert_eq!(bits(&got), bits(&want));
        }

        /// One sort's buffers reused over a sequence of days sort each day as a fresh sort
        /// does, days of few costs and of many (sent to the bucket sort directly after a day
        /// of many) in any succession. Catches a buffer left holding the last day's costs,
        /// counts, buckets or lots.
        #[test]
        fn a_reused_sort_is_a_fresh_sort(
            days in proptest::collection::vec(
                prop_oneof![
                    proptest::collection::vec((0.0f64..10.0, prop_oneof![Just(1.0), Just(2.5), 0.0f64..5.0]), 0..200),
                    proptest::collection::vec((0.0f64..10.0, prop_oneof![Just(1.0), Just(2.5)]), 100..300),
                    proptest::collection::vec((0.0f64..10.0, 0.0f64..5.0), 100..600),
                ],
                1..8,
            ),
        ) {
            let mut reused = UnitCostSort::default();
            for lots in days {
                let want = stable(&lots);
                let mut got = lots;
                reused.sort(&mut got);
                prop_assert_eq!(bits(&got), bits(&want));
            }
        }
    }
}
