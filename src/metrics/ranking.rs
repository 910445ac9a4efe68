//! Active hashrates in decreasing order, kept from one day to the next.
//!
//! The daily concentration metrics need every entity's running hashrate sorted (the Gini
//! coefficient needs all ranks). Sorting from scratch each day costs `O(n log n)`. Day to day,
//! though, the order changes little, in one of three ways:
//!
//! - *entities stop and restart at the hashrate they had* (a merit day: machines switched off
//!   and on by the hashprice, nothing else changes): an entity that stops keeps its place as a
//!   *dormant* entry (its old hashrate negated, counted as 0), and one that restarts at its old
//!   hashrate takes it back, in place: `O(k)` for `k` changes, no sort and no copy (every
//!   entity's place is kept);
//! - *few entities change otherwise*: the dormant entries are dropped, the `k` that changed are
//!   found by their places and sorted, and one merge pass inserts their new entries:
//!   `O(n + k log k)`, and the places indexed again in `O(n)`;
//! - *many change, but keep their order* (every fleet aged by the same failure rate): yesterday's
//!   order is refreshed with today's values; the entries kept in order stay, the others are
//!   set aside, sorted and merged back: close to `O(n)`, `O(n log n)` at worst.
//!
//! The order is read through [`Ranking::active`]. Its concentration ([`Ranking::concentration`]) comes from exact sums kept with it
//! (`metrics::rank_sums`): changed by each stop and restart, taken again after a merge or a day
//! of many stops and restarts (`BULK_SHARE`).

use super::concentration::Concentration;
use super::rank_sums::{Held, RankSums};
use crate::prefetch::{prefetch, AHEAD};

/// The place of an entity not in the order.
const UNRANKED: u32 = u32::MAX;

/// A persistent descending order of the active (finite, positive) entries of a vector of
/// hashrates.
///
/// The order is kept as two arrays by place (what is held, and for whom) and one by entity
/// (its place), valid at all times: a stop or restart reads the entity's place (4 bytes an
/// entity) and then its entry and block, and the day's concentration pass reads the values
/// alone (8 bytes an entry). Merges, which move places, are rare on days of stops and
/// restarts (a few dozen in CORE-1's four years) and index the places again.
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    /// By entity: its place in `held` and `entities`, [`UNRANKED`] if none.
    places: Vec<u32>,
    /// By place: the hashrate held, active (> 0) or dormant (< 0: minus its old hashrate),
    /// by decreasing hashrate (a dormant entry by its old one), ties in entity order.
    held: Vec<Held>,
    /// By place: whose entry it is.
    entities: Vec<u32>,
    /// Dormant entries in `held`.
    dormant: usize,
    /// By entity: looked at in this merge with a change (scratch; all false between updates).
    moved: Vec<bool>,
    /// In a merge, the entities active now that were not before: (hashrate, entity).
    joining: Vec<(f64, u32)>,
    /// In a merge, the places of the active entries whose hashrate changed.
    leaving: Vec<u32>,
    /// A merge of many moved entries: yesterday's order at today's values (a reused buffer).
    refreshed: Vec<(f64, u32)>,
    /// A merge's entries set aside to be sorted and merged back (a reused buffer).
    aside: Vec<(f64, u32)>,
    /// The concentration sums of `held`.
    sums: RankSums,
}

/// Most entries a merge's scratch buffer keeps after the merge (1 MB of `(f64, u32)`).
const SCRATCH_KEPT: usize = 1 << 16;

/// Finite and positive (NaN fails both comparisons).
fn active(h: f64) -> bool {
    h > 0.0 && h < f64::INFINITY
}

/// How an entity's new hashrate `h` meets what the ranking holds for it (`held`: its entry, 0
/// if it has none).
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
    held: &'a mut [Held],
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
    /// sums are kept its block's entries (one cache line, with the entry) and sums
    /// (`RankSums::toggle`). A place past the order (an entity not in it) asks for nothing.
    #[inline(always)]
    fn ask(&self, place: usize) {
        if place >= self.held.len() {
            return;
        }
        if !(self.keep_sums && self.sums.incremental()) {
            prefetch(&self.held[place]);
            return;
        }
        prefetch(&self.held[self.sums.block_start(place)]);
        self.sums.ask(place);
    }

    /// Takes a stop (`c`) of the active entry at `place`, or a restart of the dormant one there
    /// at `h`; anything else is left alone.
    #[inline(always)]
    fn take(&mut self, c: Change, h: f64, place: usize) {
        match c {
            Change::Stops => {
                let old = self.held[place].0;
                self.held[place] = Held(-old);
                *self.dormant += 1;
                if self.keep_sums {
                    self.sums.toggle(self.held, place, old, false);
                }
            }
            Change::Restarts => {
                self.held[place] = Held(h);
                *self.dormant -= 1;
                if self.keep_sums {
                    self.sums.toggle(self.held, place, h, true);
                }
            }
            _ => {}
        }
    }
}

/// The number of leading places in `0..end` at which `before` holds (`before` true then false
/// along the places, as `partition_point`), found by galloping back from `end`: doubling steps,
/// then a binary search in the last step, O(log k) for `k` places after the answer.
fn gallop_back(end: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut hi, mut step) = (end, 1);
    let mut lo = loop {
        if step > hi {
            break 0;
        }
        let p = hi - step;
        if before(p) {
            break p + 1;
        }
        hi = p;
        step *= 2;
    };
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Merges `b` (in [`descending`] order, none of its entities in the order) into the order,
/// in place from the back: the order grows by `b.len()`. Returns the first place whose entry
/// changed (the order's length if none did).
///
/// Each entry of `b` moves the run of the order's entries after it once, as a block found by
/// galloping; when `b` is more than a quarter of the order, entry by entry (a block move and a
/// search for every run of a few entries would cost more).
fn merge_back(held: &mut Vec<Held>, entities: &mut Vec<u32>, b: &[(f64, u32)]) -> usize {
    let mut end = held.len();
    held.resize(end + b.len(), Held::default());
    entities.resize(end + b.len(), 0);
    if b.len() * RUNS_PER_SEARCH < end {
        for (j, y) in b.iter().enumerate().rev() {
            let at = gallop_back(end, |p| descending(&(held[p].0, entities[p]), y).is_lt());
            held.copy_within(at..end, at + j + 1);
            entities.copy_within(at..end, at + j + 1);
            (held[at + j], entities[at + j]) = (Held(y.0), y.1);
            end = at;
        }
        return end;
    }
    let mut to = held.len();
    for y in b.iter().rev() {
        // The order's entries after `y` move up to the free places' end, then `y` goes.
        while end > 0 && descending(y, &(held[end - 1].0, entities[end - 1])).is_lt() {
            end -= 1;
            to -= 1;
            (held[to], entities[to]) = (held[end], entities[end]);
        }
        to -= 1;
        (held[to], entities[to]) = (Held(y.0), y.1);
    }
    to
}

/// Entries of the order per entry of a merged list above which a merge moves runs as blocks:
/// the baseline's days of ageing (3-30% set aside, from near the top) took 0.5% fewer
/// instructions at 4 or 8 than merged entry by entry from 1 in 64.
const RUNS_PER_SEARCH: usize = 4;

/// Decreasing hashrate, ties in entity order.
fn descending(a: &(f64, u32), b: &(f64, u32)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

impl Ranking {
    /// (hashrate, entity) of the active entities after the last update, largest first, ties
    /// in entity order.
    pub fn active(&self) -> impl Iterator<Item = (f64, u32)> + Clone + '_ {
        self.held.iter().zip(&self.entities).filter(|(h, _)| h.0 > 0.0).map(|(h, &e)| (h.0, e))
    }

    /// The active entries' hashrate added in order, as a walk over [`Ranking::active`] adds
    /// it: a dormant entry adds +0, which changes no sum, so no entry is skipped by a branch
    /// (CORE-1's dormant entries stand among the active ones at random).
    pub fn active_th_s(&self) -> f64 {
        self.held.iter().fold(0.0, |total, h| total + h.th_s())
    }

    /// The concentration of the active entries after the last update, from the exact sums
    /// (`metrics::rank_sums`; the hashrates on the census' grid).
    pub fn concentration(&self) -> Concentration {
        self.sums.concentration(&self.held)
    }

    pub fn new(entities: usize) -> Ranking {
        // The order holds at most every entity: sized once, so that no doubling leaves up to
        // twice that behind (at a million entities, ~12 MB).
        Ranking {
            places: vec![UNRANKED; entities],
            moved: vec![false; entities],
            held: Vec::with_capacity(entities),
            entities: Vec::with_capacity(entities),
            ..Ranking::default()
        }
    }

    /// Re-ranks on today's `hashrates` (one per entity): the active entries are then exactly
    /// the values (bit for bit, in the same order) of sorting the active entries from scratch.
    /// Entities with equal hashrates rank in entity order: the stable sort of the active
    /// entities by decreasing hashrate.
    pub fn update(&mut self, hashrates: &[f64]) {
        self.update_some(hashrates, None);
    }

    /// As [`Ranking::update`], told that only the entities in `changed` (repeats allowed) may
    /// differ from the last update's hashrates: only they are looked at, not every entity.
    /// `None` looks at every entity.
    pub fn update_some(&mut self, hashrates: &[f64], changed: Option<&[u32]>) {
        let mut changed = changed;
        if self.places.len() != hashrates.len() {
            // A different population: start from nothing, and look at everyone.
            *self = Ranking::new(hashrates.len());
            changed = None;
        }
        // Stops and restarts are taken in place as they are found; the first other change
        // sends the day to the merge.
        let keep_sums = !bulk(changed.map_or(hashrates.len(), <[u32]>::len), self.held.len());
        self.sums.follow(&self.held);
        let Ranking { places, held, dormant, sums, .. } = self;
        let mut at = InPlace { held, dormant, sums, keep_sums };
        let mut moves = false;
        // The entries of the changes two steps down the list are asked for first: an entity's
        // place and hashrate, then (its place known) its entry and block (`InPlace::ask`).
        // The hashrate (its census tally, written by the merit day and evicted since) was a
        // fifth of this loop's samples at 100,000 groups; asked for, 100k 0.97-0.99, 10k 0.96.
        let mut classify = |i: usize, ahead: [Option<&u32>; 2]| {
            if let [Some(&far), _] = ahead {
                prefetch(&places[far as usize]);
                prefetch(&hashrates[far as usize]);
            }
            if let [_, Some(&near)] = ahead {
                at.ask(places[near as usize] as usize);
            }
            let (h, place) = (hashrates[i], places[i] as usize);
            let c = change(at.held.get(place).map_or(0.0, |e| e.0), h);
            match c {
                Change::None => {}
                Change::Moves => moves = true,
                _ => at.take(c, h, place),
            }
            !moves
        };
        match changed {
            Some(list) => {
                for (j, &i) in list.iter().enumerate() {
                    if !classify(i as usize, [list.get(j + 2 * AHEAD), list.get(j + AHEAD)]) {
                        break;
                    }
                }
            }
            None => _ = (0..hashrates.len()).all(|i| classify(i, [None, None])),
        }
        if moves {
            // Stops and restarts already taken leave a consistent ranking (a dormant entry, or
            // an active one at its place), which the merge starts from like any other.
            self.merge_changes(hashrates, changed);
            self.sums.rebuild(&self.held);
        } else if !keep_sums {
            self.sums.rebuild(&self.held);
        }
    }

    /// Takes a day with other changes: the dormant entries dropped, the changed entities'
    /// entries moved by a merge, the places indexed again.
    fn merge_changes(&mut self, hashrates: &[f64], changed: Option<&[u32]>) {
        self.joining.clear();
        self.aside.clear();
        self.refreshed.clear();
        // The places before the first that changes keep their entries: only those after it
        // are indexed again (none on a day of ageing that keeps the order).
        let mut first_change = usize::MAX;
        let many = match changed {
            Some(list) => self.take_moved(hashrates, list, &mut first_change),
            None => {
                self.refresh_all(hashrates, &mut first_change);
                true
            }
        };
        if many {
            // Many moved (every fleet aged): today's values in yesterday's order. An entry
            // stays if it follows the last one kept and precedes its successor: what is kept is
            // in order, and an entry that moved far sets aside itself (and at most a
            // neighbour), not the run after it. A day of ageing sets aside 1-30% of the order,
            // which the adaptive sort took as 10-130 runs to merge.
            self.held.clear();
            self.entities.clear();
            let r = &self.refreshed;
            for (idx, x) in r.iter().enumerate() {
                let follows = self
                    .held
                    .last()
                    .is_none_or(|&p| descending(&(p.0, self.entities[self.entities.len() - 1]), x).is_lt());
                if follows && r.get(idx + 1).is_none_or(|next| descending(x, next).is_lt()) {
                    self.held.push(Held(x.0));
                    self.entities.push(x.1);
                } else {
                    first_change = first_change.min(self.held.len());
                    self.aside.push(*x);
                }
            }
        }
        if self.aside.is_empty() && self.joining.len() > SCRATCH_KEPT {
            // The first day's newcomers (everyone) are not copied: at a million groups the
            // copy was 10 MB alive at the run's peak. (Small lists are copied, so that each
            // buffer keeps the size its own use grew it to.)
            std::mem::swap(&mut self.aside, &mut self.joining);
        } else {
            self.aside.extend_from_slice(&self.joining);
        }
        self.aside.sort_unstable_by(descending);
        let first_change = first_change.min(merge_back(&mut self.held, &mut self.entities, &self.aside));
        for (place, &i) in self.entities.iter().enumerate().skip(first_change) {
            self.places[i as usize] = place as u32;
        }
        self.dormant = 0;
        debug_assert!(self.moved.iter().all(|m| !m));
        debug_assert!(self.entities.iter().enumerate().all(|(p, &i)| self.places[i as usize] == p as u32));
        // Everyone joined at once (the first day), or a full census took the whole order
        // into `refreshed`: such days are rare in a large world (the merit order's days take
        // a few), so the buffers are not kept at that size (16 MB each at a million entries,
        // alive at the run's peak, when the merit order is built).
        for buffer in [&mut self.joining, &mut self.aside, &mut self.refreshed] {
            if buffer.capacity() > SCRATCH_KEPT {
                *buffer = Vec::new();
            }
        }
    }

    /// A day told which entities changed (`list`, repeats allowed): they are looked at, and
    /// yesterday's order is compacted without its dormant entries and theirs. Few moved: in
    /// place (an entry written at or before the place it is read from), the moved ones set
    /// aside at their new hashrate, found by their places in order. Many: into `refreshed` at
    /// today's values, found by their flags (a sort of every place would cost more than the
    /// pass). Returns whether many moved.
    fn take_moved(&mut self, hashrates: &[f64], list: &[u32], first_change: &mut usize) -> bool {
        self.leaving.clear();
        for &i in list {
            let i = i as usize;
            let place = self.places[i];
            let was = self.held.get(place as usize).map_or(0.0, |e| e.0);
            let h = hashrates[i];
            if self.moved[i] || change(was, h) == Change::None {
                continue;
            }
            self.moved[i] = true;
            if was > 0.0 {
                self.leaving.push(place);
            } else if active(h) {
                self.joining.push((h, i as u32));
            }
        }
        for &(_, i) in &self.joining {
            self.moved[i as usize] = false;
        }
        let many = self.leaving.len() > (self.held.len() - self.dormant) / 4;
        if !many {
            self.leaving.sort_unstable();
        } else if self.held.len() > SCRATCH_KEPT {
            self.refreshed.reserve_exact(self.held.len());
        }
        let mut leaving = self.leaving.iter().map(|&p| p as usize).peekable();
        let mut kept = 0;
        for place in 0..self.held.len() {
            let (mut h, i) = (self.held[place], self.entities[place]);
            let e = i as usize;
            if h.0 < 0.0 {
                self.places[e] = UNRANKED;
                *first_change = (*first_change).min(kept);
                continue;
            }
            if if many { self.moved[e] } else { leaving.next_if_eq(&place).is_some() } {
                self.moved[e] = false;
                let now = hashrates[e];
                if !active(now) {
                    self.places[e] = UNRANKED;
                    *first_change = (*first_change).min(kept);
                    continue;
                }
                if !many {
                    // Few moved: it joins again at its new hashrate.
                    self.aside.push((now, i));
                    *first_change = (*first_change).min(kept);
                    continue;
                }
                h = Held(now);
            }
            if many {
                self.refreshed.push((h.0, i));
            } else {
                (self.held[kept], self.entities[kept]) = (h, i);
            }
            kept += 1;
        }
        if !many {
            self.held.truncate(kept);
            self.entities.truncate(kept);
        }
        many
    }

    /// A day that looks at every entity (a full census): yesterday's order at today's values
    /// in one pass (into `refreshed`; entries that are no longer active dropped), then the
    /// entities not in it that are active now, as newcomers.
    fn refresh_all(&mut self, hashrates: &[f64], first_change: &mut usize) {
        if hashrates.len() > SCRATCH_KEPT {
            // Sized exactly: doubling would leave up to half of a buffer freed after the merge
            // unused while it lives (at the run's peak, the first day's merge).
            let joining = self.places.iter().zip(hashrates).filter(|&(&p, &h)| p == UNRANKED && active(h)).count();
            self.refreshed.reserve_exact(self.entities.len());
            self.joining.reserve_exact(joining);
        }
        for &i in &self.entities {
            let now = hashrates[i as usize];
            if active(now) {
                self.refreshed.push((now, i));
            } else {
                self.places[i as usize] = UNRANKED;
                *first_change = (*first_change).min(self.refreshed.len());
            }
        }
        for (i, (&place, &now)) in self.places.iter().zip(hashrates).enumerate() {
            if place == UNRANKED && active(now) {
                self.joining.push((now, i as u32));
            }
        }
    }
}

#[cfg(test)]
#[path = "ranking_tests.rs"]
mod tests;
