//! Active hashrates in decreasing order, kept from one day to the next.
//!
//! The daily concentration metrics need every entity's running hashrate sorted (the Gini
//! coefficient needs all ranks). Sorting from scratch each day costs `O(n log n)`. Day to day,
//! though, the order changes little, in one of three ways:
//!
//! - *entities stop and restart at the hashrate they had* (a merit day: machines switched off
//!   and on by the hashprice, nothing else changes): an entity that stops keeps its place as a
//!   *dormant* entry of hashrate 0, and one that restarts at its old hashrate takes it back, in
//!   place: `O(k)` for `k` changes, no sort and no copy (after one `O(n)` index of the places);
//! - *few entities change otherwise*: the dormant entries are dropped, one sequential pass finds
//!   the `k` that changed, they are sorted, and one merge pass drops their old entries and
//!   inserts the new ones: `O(n + k log k)`;
//! - *many change, but keep their order* (every fleet aged by the same failure rate): yesterday's
//!   order is refreshed with today's values and re-sorted with the adaptive stable sort, which
//!   finds the long runs left in order: close to `O(n)`, `O(n log n)` at worst.
//!
//! The order is read with its dormant entries (`metrics::concentration` skips entries of
//! hashrate 0, so the sums come out the same bits as over the active entries alone) or through
//! [`Ranking::active`]. Its concentration ([`Ranking::concentration`]) comes from exact sums
//! kept with it (`metrics::rank_sums`): changed by each stop and restart, taken again after a
//! merge or a day of many stops and restarts (`BULK_SHARE`).

use super::concentration::Concentration;
use super::rank_sums::{RankSums, BLOCK};
use crate::prefetch::{prefetch, AHEAD};

/// Entries of an order in a 64-byte cache line (16 bytes each).
const ENTRIES_PER_LINE: usize = 64 / std::mem::size_of::<(f64, u32)>();

/// A persistent descending order of the active (finite, positive) entries of a vector of
/// hashrates.
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    /// By entity: what the ranking holds for it, and its place.
    slots: Vec<Slot>,
    /// (hashrate, entity) of the active and dormant entities, by decreasing hashrate (a dormant
    /// one by its old hashrate, its entry 0), ties in entity order.
    ranked: Vec<(f64, u32)>,
    /// Whether the slots' places index `ranked` (set when a day of stops and restarts needs
    /// it, kept while only such days follow).
    places_valid: bool,
    /// Dormant entries in `ranked`.
    dormant: usize,
    /// The entities a day stops or restarts (scratch; repeats allowed).
    toggles: Vec<u32>,
    /// By entity: in `ranked` with a hashrate that changed in this update (scratch; all false
    /// between updates).
    moved: Vec<bool>,
    /// Entities active after this update that were not before: (hashrate, entity). A day of
    /// few changes adds the moved entities that stay active; a day of many does not (every
    /// fleet aged at a million miners: the list would hold a second copy of `leaving`).
    joining: Vec<(f64, u32)>,
    /// Entities active before this update whose hashrate changed: (old hashrate, entity).
    leaving: Vec<(f64, u32)>,
    /// The merge's output (a reused buffer).
    merged: Vec<(f64, u32)>,
    /// The concentration sums of `ranked`.
    sums: RankSums,
}

/// An entity's entries, side by side: a stop or restart reads both (one cache miss, not two,
/// in long orders).
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// Its hashrate if active (> 0, then it is in `ranked` with it); minus its old hashrate if
    /// dormant (< 0: in `ranked` with 0, at the place of its old hashrate); 0 if neither.
    held: f64,
    /// Its index in `Ranking::ranked`, where `Ranking::places_valid`.
    place: u32,
}

/// Most newcomers whose buffer a ranking keeps after taking everyone in at once.
const JOINING_KEPT: usize = 1 << 16;

/// Finite and positive (NaN fails both comparisons).
fn active(h: f64) -> bool {
    h > 0.0 && h < f64::INFINITY
}

/// How an entity's new hashrate `h` meets what the ranking holds for it (`held`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    /// Nothing to do: the same active hashrate, or inactive before and after.
    None,
    /// Active, now inactive: it stays in place, dormant.
    Stops,
    /// Dormant, now active at its old hashrate: it takes its place back.
    Restarts,
    /// Anything else: its entry moves, leaves or joins.
    Moves,
}

fn change(held: f64, h: f64) -> Change {
    if held > 0.0 {
        if held.to_bits() == h.to_bits() {
            Change::None
        } else if !active(h) {
            Change::Stops
        } else {
            Change::Moves
        }
    } else if !active(h) {
        Change::None
    } else if held < 0.0 && (-held).to_bits() == h.to_bits() {
        Change::Restarts
    } else {
        Change::Moves
    }
}

/// The parts of a ranking a stop or restart in place changes.
struct InPlace<'a> {
    ranked: &'a mut [(f64, u32)],
    dormant: &'a mut usize,
    sums: &'a mut RankSums,
    /// Whether each stop or restart changes the sums (`RankSums::toggle`); if not, a day of
    /// many takes them again after the last ([`BULK_SHARE`]).
    keep_sums: bool,
}

/// A day stopping or restarting more than one entry in this many of the order (a retarget's
/// jump of the hashprice) takes them without the sums and then takes the sums again: one pass
/// over the order in sequence costs less than that many toggles, each a few cache misses at
/// 100,000 entries.
const BULK_SHARE: usize = 8;

/// Whether a day changing `changes` entities of an order of `entries` takes its stops and
/// restarts without the sums ([`BULK_SHARE`]).
fn bulk(changes: usize, entries: usize) -> bool {
    changes > entries / BULK_SHARE
}

impl InPlace<'_> {
    /// Asks for what a stop or restart at `place` will read and write: its entry, and where
    /// sums are kept the order's entries from its block's start and the block's sums
    /// (`RankSums::toggle`). A place past the order (an entity not in it) asks for nothing.
    #[inline(always)]
    fn ask(&self, place: usize) {
        if place >= self.ranked.len() {
            return;
        }
        if !(self.keep_sums && self.sums.incremental()) {
            prefetch(&self.ranked[place]);
            return;
        }
        let base = place - place % BLOCK;
        for e in self.ranked[base..=place].iter().step_by(ENTRIES_PER_LINE) {
            prefetch(e);
        }
        self.sums.ask(place);
    }

    /// Takes a stop or restart of an entity at `place` in the order: `held` its entry in
    /// `Slot::held`, `h` its new hashrate. Anything else (a repeat in the list, already
    /// taken) is left alone.
    #[inline(always)]
    fn take(&mut self, c: Change, held: &mut f64, h: f64, place: usize) {
        match c {
            Change::Stops => {
                // Its entry holds what `held` does: a store, not a load (a cache miss in long
                // orders, on which the store need not wait).
                let old = *held;
                self.ranked[place].0 = 0.0;
                *held = -old;
                *self.dormant += 1;
                if self.keep_sums {
                    self.sums.toggle(self.ranked, place, old, false);
                }
            }
            Change::Restarts => {
                self.ranked[place].0 = h;
                *held = h;
                *self.dormant -= 1;
                if self.keep_sums {
                    self.sums.toggle(self.ranked, place, h, true);
                }
            }
            _ => {}
        }
    }
}

/// The number of leading entries of `xs` for which `before` holds (`before` true then false
/// along `xs`, as `partition_point`), found by galloping: doubling steps from the start, then a
/// binary search in the last step, O(log k) for an answer `k`.
fn gallop<T>(xs: &[T], before: impl Fn(&T) -> bool) -> usize {
    let mut hi = 1;
    while hi <= xs.len() && before(&xs[hi - 1]) {
        hi *= 2;
    }
    let lo = hi / 2;
    let hi = hi.min(xs.len());
    lo + xs[lo..hi].partition_point(&before)
}

/// Appends the merge of `a` and `b` (each in `order`, no entry in both) to `out`: runs of `a`
/// copied whole, each ending where the next entry of `b` goes (found by galloping).
fn merge_into<T: Copy>(out: &mut Vec<T>, a: &[T], b: &[T], order: impl Fn(&T, &T) -> std::cmp::Ordering) {
    let mut from = 0;
    for y in b {
        let to = from + gallop(&a[from..], |x| order(x, y).is_lt());
        out.extend_from_slice(&a[from..to]);
        out.push(*y);
        from = to;
    }
    out.extend_from_slice(&a[from..]);
}

impl Ranking {
    /// (hashrate, entity) of the active entities after the last update, largest first, ties
    /// in entity order, with dormant entries (hashrate 0) among them: read through
    /// [`Ranking::active`] unless zeros count as nothing (as in `metrics::concentration`).
    pub fn ranked(&self) -> &[(f64, u32)] {
        &self.ranked
    }

    /// (hashrate, entity) of the active entities after the last update, largest first, ties
    /// in entity order.
    pub fn active(&self) -> impl Iterator<Item = (f64, u32)> + Clone + '_ {
        self.ranked.iter().copied().filter(|e| e.0 > 0.0)
    }

    /// The concentration of the active entries after the last update, from the exact sums
    /// (`metrics::rank_sums`; the hashrates on the census' grid).
    pub fn concentration(&self) -> Concentration {
        self.sums.concentration(&self.ranked)
    }

    pub fn new(entities: usize) -> Ranking {
        // The order and the merge's buffers hold at most every entity: sized once, so that no
        // doubling leaves up to twice that behind (at a million entities, ~40 MB).
        Ranking {
            slots: vec![Slot::default(); entities],
            moved: vec![false; entities],
            ranked: Vec::with_capacity(entities),
            merged: Vec::with_capacity(entities),
            ..Ranking::default()
        }
    }

    /// Re-ranks on today's `hashrates` (one per entity) and returns [`Ranking::ranked`]: its
    /// active entries are exactly the values (bit for bit, in the same order) of sorting the
    /// active entries from scratch. Entities with equal hashrates rank in entity order: the
    /// stable sort of the active entities by decreasing hashrate.
    pub fn update(&mut self, hashrates: &[f64]) -> &[(f64, u32)] {
        self.update_some(hashrates, None)
    }

    /// As [`Ranking::update`], told that only the entities in `changed` (repeats allowed) may
    /// differ from the last update's hashrates: only they are looked at, not every entity.
    /// `None` looks at every entity.
    pub fn update_some(&mut self, hashrates: &[f64], changed: Option<&[u32]>) -> &[(f64, u32)] {
        let mut changed = changed;
        if self.slots.len() != hashrates.len() {
            // A different population: start from nothing, and look at everyone.
            *self = Ranking::new(hashrates.len());
            changed = None;
        }
        // Stops and restarts alone are taken in place; the first other change sends the day
        // to the merge. While the places are indexed, each is taken as it is found (one visit
        // to the entity's entries); otherwise they are collected, and the places indexed only
        // if no other change follows (a day that merges would not use them).
        let in_place = self.places_valid;
        let keep_sums = !bulk(changed.map_or(hashrates.len(), <[u32]>::len), self.ranked.len());
        let Ranking { slots, ranked, dormant, toggles, sums, .. } = self;
        let mut at = InPlace { ranked, dormant, sums, keep_sums };
        let mut moves = false;
        toggles.clear();
        // In place, the entries of the changes two steps down the list are asked for first:
        // an entity's slot and hashrate, then (its place known) its block (`InPlace::ask`).
        // The hashrate (its census tally, written by the merit day and evicted since) was a
        // fifth of this loop's samples at 100,000 groups; asked for, 100k 0.97-0.99, 10k 0.96.
        let mut classify = |i: usize, ahead: [Option<&u32>; 2]| {
            if let [Some(&far), _] = ahead {
                prefetch(&slots[far as usize]);
                prefetch(&hashrates[far as usize]);
            }
            if let [_, Some(&near)] = ahead {
                at.ask(slots[near as usize].place as usize);
            }
            let h = hashrates[i];
            let slot = &mut slots[i];
            let c = change(slot.held, h);
            match c {
                Change::None => {}
                Change::Moves => moves = true,
                _ if in_place => at.take(c, &mut slot.held, h, slot.place as usize),
                _ => toggles.push(i as u32),
            }
            !moves
        };
        match changed {
            Some(list) => {
                for (j, &i) in list.iter().enumerate() {
                    let ahead = if in_place { [list.get(j + 2 * AHEAD), list.get(j + AHEAD)] } else { [None, None] };
                    if !classify(i as usize, ahead) {
                        break;
                    }
                }
            }
            None => _ = (0..hashrates.len()).all(|i| classify(i, [None, None])),
        }
        if !moves {
            if !self.toggles.is_empty() {
                self.stop_and_restart(hashrates);
            } else if in_place && !keep_sums {
                self.sums.rebuild(&self.ranked);
            }
            return &self.ranked;
        }
        // Stops and restarts already taken leave a consistent ranking (a dormant entry, or an
        // active one at its place), which the merge starts from like any other.
        self.merge_changes(hashrates, changed);
        self.sums.rebuild(&self.ranked);
        &self.ranked
    }

    /// Takes a day of stops and restarts alone (`toggles`) in place, the places indexed first.
    fn stop_and_restart(&mut self, hashrates: &[f64]) {
        if !self.places_valid {
            for (k, &(_, i)) in self.ranked.iter().enumerate() {
                self.slots[i as usize].place = k as u32;
            }
            self.places_valid = true;
        }
        let keep_sums = !bulk(self.toggles.len(), self.ranked.len());
        let mut at = InPlace { ranked: &mut self.ranked, dormant: &mut self.dormant, sums: &mut self.sums, keep_sums };
        for (j, &i) in self.toggles.iter().enumerate() {
            if let Some(&far) = self.toggles.get(j + 2 * AHEAD) {
                prefetch(&self.slots[far as usize]);
            }
            if let Some(&near) = self.toggles.get(j + AHEAD) {
                at.ask(self.slots[near as usize].place as usize);
            }
            let i = i as usize;
            let (slot, h) = (&mut self.slots[i], hashrates[i]);
            at.take(change(slot.held, h), &mut slot.held, h, slot.place as usize);
        }
        if !keep_sums {
            self.sums.rebuild(&self.ranked);
        }
    }

    /// Takes a day with other changes: the dormant entries dropped, the changed entities'
    /// entries moved by a merge.
    fn merge_changes(&mut self, hashrates: &[f64], changed: Option<&[u32]>) {
        self.places_valid = false;
        if self.dormant > 0 {
            let slots = &mut self.slots;
            self.ranked.retain(|&(h, i)| {
                if h > 0.0 {
                    return true;
                }
                slots[i as usize].held = 0.0;
                false
            });
            self.dormant = 0;
        }
        self.joining.clear();
        self.leaving.clear();
        let first = self.ranked.is_empty();
        let mut moved = 0;
        let mut look = |i: usize, held: &mut f64, moved_flag: &mut bool, h: f64| {
            if change(*held, h) == Change::None {
                return;
            }
            let was_active = *held > 0.0;
            if was_active {
                *moved_flag = true;
                moved += 1;
                self.leaving.push((*held, i as u32));
            }
            if active(h) && !was_active {
                self.joining.push((h, i as u32));
            }
            *held = if active(h) { h } else { 0.0 };
        };
        match changed {
            Some(list) => {
                for &i in list {
                    let i = i as usize;
                    look(i, &mut self.slots[i].held, &mut self.moved[i], hashrates[i]);
                }
            }
            None => {
                for (i, ((slot, flag), &h)) in self.slots.iter_mut().zip(&mut self.moved).zip(hashrates).enumerate() {
                    look(i, &mut slot.held, flag, h);
                }
            }
        }
        if moved == 0 && self.joining.is_empty() {
            return;
        }
        let descending = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if moved > self.ranked.len() / 4 {
            // Many moved (every fleet aged): today's values in yesterday's order, newcomers
            // after; the entries out of place there are set aside, sorted and merged back.
            let (slots, flags) = (&self.slots, &mut self.moved);
            self.ranked.retain_mut(|(h, i)| {
                let i = *i as usize;
                if !flags[i] {
                    return true;
                }
                flags[i] = false;
                *h = slots[i].held;
                active(*h)
            });
            self.ranked.extend_from_slice(&self.joining);
            // An entry stays if it follows the last one kept and precedes its successor: what
            // is kept is in order, and an entry that moved far sets aside itself (and at most
            // a neighbour), not the run after it. A day of ageing sets aside 1-30% of the
            // order, which the adaptive sort took as 10-130 runs to merge.
            let (kept, aside) = (&mut self.merged, &mut self.leaving);
            kept.clear();
            aside.clear(); // the leaving entries: the flags found them here
            let r = &self.ranked;
            for (idx, x) in r.iter().enumerate() {
                let follows = kept.last().is_none_or(|p| descending(p, x).is_lt());
                if follows && r.get(idx + 1).is_none_or(|next| descending(x, next).is_lt()) {
                    kept.push(*x);
                } else {
                    aside.push(*x);
                }
            }
            aside.sort_unstable_by(descending);
            self.ranked.clear();
            merge_into(&mut self.ranked, &self.merged, &self.leaving, descending);
            self.leaving.clear();
        } else {
            // Few moved: yesterday's order copied in runs, each run ending where the next
            // leaving entry is or the next newcomer goes, found by galloping forward from the
            // run's start (the places come in order, a few dozen entries apart; a binary
            // search over the whole order from scratch was slower, a dozen cache misses each,
            // and so was a per-entry merge).
            // The moved entities that stay active join again at their new hashrate.
            let slots = &self.slots;
            self.joining.extend(self.leaving.iter().filter_map(|&(_, i)| {
                let h = slots[i as usize].held;
                active(h).then_some((h, i))
            }));
            self.joining.sort_unstable_by(descending);
            self.leaving.sort_unstable_by(descending);
            for &(_, i) in &self.leaving {
                self.moved[i as usize] = false;
            }
            self.merged.clear();
            let ranked = &self.ranked;
            let (mut from, mut l, mut j) = (0, 0, 0);
            loop {
                // Where the next leaving entry is, and where the next newcomer goes.
                let leave_at =
                    self.leaving.get(l).map(|e| from + gallop(&ranked[from..], |r| descending(r, e).is_lt()));
                let join_at = self.joining.get(j).map(|e| from + gallop(&ranked[from..], |r| descending(r, e).is_lt()));
                let to = match (leave_at, join_at) {
                    (None, None) => ranked.len(),
                    (a, b) => a.unwrap_or(usize::MAX).min(b.unwrap_or(usize::MAX)),
                };
                self.merged.extend_from_slice(&ranked[from..to]);
                from = to;
                if join_at == Some(to) {
                    // A newcomer goes before the entry here (even one that leaves).
                    self.merged.push(self.joining[j]);
                    j += 1;
                } else if leave_at == Some(to) {
                    debug_assert_eq!(ranked[to].1, self.leaving[l].1, "a moved entity is ranked");
                    from += 1;
                    l += 1;
                } else {
                    break;
                }
            }
            std::mem::swap(&mut self.ranked, &mut self.merged);
        }
        debug_assert!(self.moved.iter().all(|m| !m));
        if first && self.joining.len() > JOINING_KEPT {
            // Everyone joined at once (the first day): later days take a few in, so the
            // buffer is not kept at this size (16 MB at a million entities).
            self.joining = Vec::new();
        }
    }
}

#[cfg(test)]
#[path = "ranking_tests.rs"]
mod tests;
