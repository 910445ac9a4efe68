//! Tests of `metrics::ranking`: against sorting from scratch, day by day.

use super::*;

fn from_scratch(hashrates: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = hashrates.iter().copied().filter(|h| h.is_finite() && *h > 0.0).collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v
}

/// Catches, by blocks and entry by entry: a run moved past the place of `b`'s next entry,
/// `b`'s first entries lost, an entry of `b` written over one of the order's.
#[test]
fn merge_back_is_a_sort_of_both() {
    let order = |v: &[f64]| -> Vec<(f64, u32)> { v.iter().map(|&h| (h, (h * 10.0) as u32)).collect() };
    let first_change = |a: &[(f64, u32)], got: &[(f64, u32)]| a.iter().zip(got).take_while(|(x, y)| x == y).count();
    for (a, b) in [
        (vec![9.0, 7.0, 5.0, 3.0], vec![8.0, 2.0]),
        (vec![], vec![4.0, 1.0]),
        (vec![6.0, 5.0], vec![]),
        (vec![3.0], vec![9.0, 8.0, 7.0]),
        (vec![9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0], vec![8.5, 0.5]),
        // Long enough that the runs move as blocks (`RUNS_PER_SEARCH`).
        ((1..=400).rev().map(f64::from).collect(), vec![400.5, 150.5, 3.5, 0.5]),
        ((1..=400).rev().map(f64::from).collect(), vec![]),
    ] {
        let (a, b) = (order(&a), order(&b));
        let mut held: Vec<Held> = a.iter().map(|e| Held(e.0)).collect();
        let mut entities: Vec<u32> = a.iter().map(|e| e.1).collect();
        let changed_from = merge_back(&mut held, &mut entities, &b);
        let got: Vec<(f64, u32)> = held.iter().zip(&entities).map(|(h, &e)| (h.0, e)).collect();
        assert_eq!(changed_from, first_change(&a, &got), "{a:?} {b:?}");
        let mut want = [a.clone(), b.clone()].concat();
        want.sort_by(descending);
        assert_eq!(got, want, "{a:?} {b:?}");
    }
}

/// Catches: an answer off by one at a power of two from the end, or past either end.
#[test]
fn gallop_back_is_partition_point() {
    for n in 0..70usize {
        let xs: Vec<usize> = (0..n).collect();
        for k in 0..=n + 1 {
            assert_eq!(gallop_back(n, |p| xs[p] < k), xs.partition_point(|&x| x < k), "n {n}, k {k}");
        }
    }
}

/// The active values of a ranking's order after an update (its dormant entries skipped).
fn values(r: &Ranking) -> Vec<f64> {
    r.active().map(|(h, _)| h).collect()
}

/// The active values of a ranking's order after an update on `hashrates`.
fn values_after(r: &mut Ranking, hashrates: &[f64]) -> Vec<f64> {
    r.update(hashrates);
    values(r)
}

/// A ranking's order after an update on `hashrates`, dormant entries as 0.
fn order(r: &mut Ranking, hashrates: &[f64], changed: Option<&[u32]>) -> Vec<(f64, u32)> {
    r.update_some(hashrates, changed);
    r.held.iter().zip(&r.entities).map(|(h, &e)| (h.th_s(), e)).collect()
}

fn active_of(r: &Ranking) -> Vec<(f64, u32)> {
    r.active().collect()
}

/// Catches: a stopped entity dropped instead of kept dormant (then a restart would be a
/// move), a restart at another hashrate taken in place, places not re-indexed after a merge.
#[test]
fn stops_and_restarts_stay_in_place() {
    let mut r = Ranking::new(4);
    r.update(&[1.0, 3.0, 2.0, 4.0]);
    assert_eq!(order(&mut r, &[1.0, 0.0, 2.0, 4.0], None), [(4.0, 3), (0.0, 1), (2.0, 2), (1.0, 0)]);
    assert_eq!(order(&mut r, &[0.0, 3.0, 2.0, 4.0], Some(&[0, 1])), [(4.0, 3), (3.0, 1), (2.0, 2), (0.0, 0)]);
    assert_eq!(r.dormant, 1);
    // A restart at another hashrate moves: the dormant entries go, the order is merged.
    assert_eq!(order(&mut r, &[0.0, 3.0, 5.0, 0.0], None), [(5.0, 2), (3.0, 1)]);
    assert_eq!(r.dormant, 0);
    // After the merge the places are indexed again before the next stop.
    assert_eq!(order(&mut r, &[0.0, 0.0, 5.0, 0.0], None), [(5.0, 2), (0.0, 1)]);
    assert_eq!(active_of(&r), [(5.0, 2)]);
    assert_eq!(order(&mut r, &[0.0, 3.0, 5.0, 0.0], None), [(5.0, 2), (3.0, 1)]);
}

#[test]
fn follows_entities_that_stop_start_and_move() {
    let mut r = Ranking::new(4);
    assert_eq!(values_after(&mut r, &[1.0, 3.0, 0.0, 2.0]), [3.0, 2.0, 1.0]);
    assert_eq!(values_after(&mut r, &[1.0, 0.0, 5.0, 2.0]), [5.0, 2.0, 1.0]);
    assert!(values_after(&mut r, &[0.0, 0.0, 0.0, f64::NAN]).is_empty());
    assert_eq!(order(&mut r, &[4.0, 4.0, 1.0, 0.5], None), [(4.0, 0), (4.0, 1), (1.0, 2), (0.5, 3)]);
    assert_eq!(order(&mut r, &[4.0, 1.0, 4.0, f64::INFINITY], None), [(4.0, 0), (4.0, 2), (1.0, 1)]);
    // A population of another size starts afresh.
    assert_eq!(values_after(&mut r, &[2.0, 7.0]), [7.0, 2.0]);
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
            // Every other day, also a day on which every hashrate ages by the same factor.
            let aged: Vec<Vec<f64>> = days.iter().map(|d| d.iter().map(|h| h * 0.999).collect()).collect();
            for hashrates in days.iter().zip(&aged).flat_map(|(a, b)| [a, b]) {
                r.update(hashrates);
                let got: Vec<u64> = values(&r).iter().map(|x| x.to_bits()).collect();
                let want: Vec<u64> = from_scratch(hashrates).iter().map(|x| x.to_bits()).collect();
                prop_assert_eq!(got, want);
                let mut stable: Vec<(f64, u32)> = hashrates.iter().enumerate()
                    .filter(|(_, h)| h.is_finite() && **h > 0.0).map(|(i, &h)| (h, i as u32)).collect();
                stable.sort_by(|a, b| b.0.total_cmp(&a.0));
                prop_assert_eq!(active_of(&r), stable);
            }
        }

        /// Told which entities changed (the changed ones and some that did not, repeats
        /// allowed), the ranking is the one a look at every entity gives. Catches: an
        /// entity told about twice counted as moving twice, an unchanged one dropped.
        #[test]
        fn told_what_changed_it_matches_a_full_look(
            days in proptest::collection::vec(
                proptest::collection::vec(prop_oneof![Just(0.0), Just(1.0), 0.0f64..10.0], 10),
                1..20,
            ),
            extra in proptest::collection::vec(0u32..10, 0..4),
        ) {
            let (mut told, mut full) = (Ranking::new(10), Ranking::new(10));
            let mut yesterday: Vec<f64> = vec![0.0; 10];
            for today in &days {
                let mut changed: Vec<u32> = (0..10u32)
                    .filter(|&i| today[i as usize].to_bits() != yesterday[i as usize].to_bits())
                    .flat_map(|i| [i, i])
                    .collect();
                changed.extend(&extra);
                told.update_some(today, Some(&changed));
                full.update(today);
                prop_assert_eq!(active_of(&told), active_of(&full));
                yesterday.clone_from(today);
            }
        }

        /// Days on which entities mostly stop and restart at their own hashrate (a merit
        /// day), now and then one moves: the active order is the fresh stable sort, and the
        /// concentration over the order with its dormant entries, and the one its kept sums
        /// give, are those of the fresh sort, bit for bit. Catches: a restart at a new
        /// hashrate taken in place, dormant entries counted in a rank or a Nakamoto
        /// coefficient, stale places after a merge, a stop or restart not given to the
        /// sums, sums not taken again after a merge.
        #[test]
        fn stops_restarts_and_moves_match_a_fresh_sort(
            own in proptest::collection::vec(prop_oneof![Just(1.0), Just(2.5), 0.1f64..10.0], 16),
            days in proptest::collection::vec(
                (proptest::collection::vec(0usize..16, 0..4), proptest::option::weighted(0.2, (0usize..16, 0.1f64..10.0))),
                1..40,
            ),
            told_in_list in any::<bool>(),
        ) {
            let mut own = own;
            let mut r = Ranking::new(16);
            let mut yesterday = vec![0.0; 16];
            // Each day a few entities switch; now and then one takes a new hashrate.
            let mut runs = [true; 16];
            for (switch, moves) in &days {
                for &i in switch {
                    runs[i] = !runs[i];
                }
                if let Some((i, h)) = moves {
                    own[*i] = *h;
                }
                let today: Vec<f64> = own.iter().zip(&runs).map(|(&h, &on)| if on { h } else { 0.0 }).collect();
                let changed: Vec<u32> = (0..16u32).filter(|&i| today[i as usize] != yesterday[i as usize]).collect();
                let entries = order(&mut r, &today, told_in_list.then_some(&changed[..]));
                let got = (crate::metrics::concentration::concentration_of_descending(&entries), r.concentration());
                let fresh: Vec<Held> = from_scratch(&today).into_iter().map(Held).collect();
                let want = (crate::metrics::concentration::concentration_of_descending(&fresh), RankSums::of(&fresh).concentration(&fresh));
                prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
                let mut stable: Vec<(f64, u32)> = today.iter().enumerate()
                    .filter(|(_, h)| **h > 0.0).map(|(i, &h)| (h, i as u32)).collect();
                stable.sort_by(|a, b| b.0.total_cmp(&a.0));
                prop_assert_eq!(active_of(&r), stable);
                yesterday = today;
            }
        }
    }
}

/// A cloned ranking (its order elsewhere in memory, its blocks cut elsewhere) takes stops and
/// restarts as the original does. Catches sums toggled in the blocks of the original's cut.
#[test]
fn a_clone_takes_stops_and_restarts_as_the_original() {
    let own: Vec<f64> = (0..40).map(|i| 1.0 + f64::from(i % 7) * 0.5).collect();
    let mut r = Ranking::new(own.len());
    r.update(&own);
    let mut clones: Vec<Ranking> = (0..8).map(|_| r.clone()).collect();
    let mut today = own.clone();
    for i in [3, 17, 18, 39] {
        today[i] = 0.0;
    }
    for c in clones.iter_mut().chain([&mut r]) {
        c.update_some(&today, Some(&[3, 17, 18, 39]));
    }
    let fresh: Vec<Held> = from_scratch(&today).into_iter().map(Held).collect();
    let want = format!("{:?}", RankSums::of(&fresh).concentration(&fresh));
    for c in clones.iter().chain([&r]) {
        assert_eq!(format!("{:?}", c.concentration()), want);
    }
}

/// A full census of more entities than a merge's scratch keeps (everyone joining on the
/// first day, then every value moved and the whole order refreshed) leaves no buffer at that
/// size, and the order is still the sort from scratch. Bug caught: `refreshed` (or `joining`,
/// `aside`) kept at the size of the whole order, 16 MB at a million groups for the rest of the
/// run.
#[test]
fn a_full_census_keeps_no_buffer_of_its_size() {
    let n = 2 * SCRATCH_KEPT;
    let day0: Vec<f64> = (0..n).map(|i| 1.0 + (i * 7919 % n) as f64).collect();
    let day1: Vec<f64> = day0.iter().enumerate().map(|(i, h)| if i % 3 == 0 { h * 1.5 } else { *h }).collect();
    let mut r = Ranking::new(n);
    for hashrates in [&day0, &day1] {
        assert_eq!(values_after(&mut r, hashrates), from_scratch(hashrates));
        for buffer in [&r.joining, &r.aside, &r.refreshed] {
            assert!(buffer.capacity() <= SCRATCH_KEPT, "a buffer of {} entries kept", buffer.capacity());
        }
    }
}

/// The active total is the walk over the active entries, bit for bit, with dormant entries
/// among them: values that round differently in another order (not on a grid) and signed
/// zeros. Catches a dormant entry's negated hashrate added, a total started at -0 (Rust's
/// empty float sum) and a total added in another order.
#[test]
fn the_active_total_is_the_walk_s() {
    let walk = |r: &Ranking| r.active().fold(0.0, |s: f64, (h, _)| s + h);
    let mut r = Ranking::new(6);
    assert_eq!(r.active_th_s().to_bits(), 0.0f64.to_bits());
    let mut h = [0.1, 4.4e8, 0.7, 3.3, 1.0, 0.2];
    r.update(&h);
    assert_eq!(r.active_th_s().to_bits(), walk(&r).to_bits());
    h[1] = 0.0;
    h[4] = 0.0;
    r.update_some(&h, Some(&[1, 4]));
    assert_eq!(r.dormant, 2);
    assert_eq!(r.active_th_s().to_bits(), walk(&r).to_bits());
    r.update_some(&[0.0; 6], None);
    assert_eq!(r.active_th_s().to_bits(), 0.0f64.to_bits());
}
