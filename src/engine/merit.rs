//! The merit order: the engine's index of every installed unit (an operator's vintage) by the
//! hashprice at which it breaks even (and, with a restart cost, by the hashprice at which an
//! idle one restarts). In a world whose units run or idle on the day's hashprice alone (no
//! strategy, books, ageing, deliveries, AI halls or demand-response hours: CORE-1 and the
//! like), a day's move of the hashprice switches only the units whose key it crosses (on
//! a rise, idle units past their restart key; on a fall, running units below break-even), and
//! only their operators are recounted. Everything the fused day sums over the operators is
//! then updated by differences, which give the same bits as the fused day's sums because every
//! term is on its grid (`units::grid`); the tests run both days and compare every output byte
//! for byte.
//!
//! What the fused day books daily for every operator and nothing reads until the run ends (the
//! power bill to date, the days it has stood idle) is booked lazily, by unit: a unit counts the
//! days it ran and notes the day it last stopped, and its operator's books take them when the
//! index is dropped ([`MeritOrder::book_through`]) before a full day or at the run's end. So a
//! switch touches its unit (read in order) and its operator's census entries, and no state of
//! the operator's own.
//!
//! The index is a cache of the world's state: built after a full day that left the world in
//! merit form, dropped on any day or event that could change a unit for another reason (a
//! scheduled effect, a demand-response day, a listing on the used market), and built again
//! after the next full day.

use super::census::{Census, FleetTally};
use super::merit_machines::MeritMachines;
use super::settle::{fixed_power_usd, running_cost};
use super::snapshot::Snapshot;
use super::world::{DayStats, World};
use crate::agents::decision::run_vintage;
use crate::agents::operator::OperatorState;
use crate::prefetch::{prefetch, AHEAD};
use crate::scenario::{DecisionRule, Payout};
use crate::units::{grid, power_cost_usd_per_th_day};

/// One installed vintage, the hashprices (USD per TH/s per day) at which it stops and restarts,
/// and what it adds to the day's sums when it runs, each on its grid as the fused day counts it
/// (`FleetTally::run`, `settle::running_cost`). A running machine keeps running iff
/// `hashprice - c >= 0` (`agents::decision::run_vintage`), i.e. iff `hashprice >= key`; an idle
/// one restarts iff also `(hashprice - c) * payback >= restart cost`, i.e. iff
/// `hashprice >= restart_key` (the smallest hashprice that passes, found on the floats);
/// between the two it keeps its state (hysteresis). `-inf` for operators that always mine.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Unit {
    key_usd_per_th_day: f64,
    operator: u32,
    vintage: u32,
    owner: u32,
    jurisdiction: u16,
    /// Its operator's pool ([`SOLO`]: it mines solo).
    pool: u32,
    th_s: f64,
    mw: f64,
    power_usd: f64,
    energy_mwh: f64,
    /// Whether it runs (read with the rest of the unit when a day switches it).
    running: bool,
    /// Days of power billed before `since` (while it runs) or in all (while it idles), after
    /// the full day the index was built on.
    billed_days: u16,
    /// While it runs, the first day not in `billed_days`; while it idles, the day it stopped
    /// (its operator's idle spell began on its units' last stop).
    since: u16,
}

/// The last day a unit's day counts hold: a run's days are at most 36,525
/// (`simulation.days`), so two bytes each keep a unit at 64 bytes, one cache line.
const LAST_UNIT_DAY: u32 = u16::MAX as u32 - 1;

/// A unit switched on a merit day, with what its operator's entries take from it.
#[derive(Debug, Clone, Copy)]
struct Switch {
    operator: u32,
    owner: u32,
    pool: u32,
    vintage: u32,
    /// Signed: positive when it starts.
    th_s: f64,
}

/// `Unit::pool` of a solo miner's machine.
const SOLO: u32 = u32::MAX;

/// Whether a unit of break-even `key` runs at `hashprice` (if it ran; and, if idle, whether
/// it restarts, given its restart key).
#[inline(always)]
fn runs_at(hashprice: f64, key_usd_per_th_day: f64) -> bool {
    hashprice >= key_usd_per_th_day
}

/// The smallest hashprice at which an idle machine of `j_per_th` at `energy_usd_per_kwh`
/// restarts (`run_vintage`'s rule for an idle machine, monotone in the hashprice for a
/// non-negative payback), found by bisection on the non-negative floats' bit patterns (which
/// are ordered as the floats), or `+inf` if none does. Without a restart cost it is the
/// break-even hashprice.
fn restart_key(j_per_th: f64, energy_usd_per_kwh: f64, restart_cost_usd_per_th: f64, payback_days: f64) -> f64 {
    let key = power_cost_usd_per_th_day(j_per_th, energy_usd_per_kwh);
    let restarts = |hp: f64| {
        run_vintage(
            DecisionRule::Profitable,
            false,
            j_per_th,
            energy_usd_per_kwh,
            hp,
            restart_cost_usd_per_th,
            payback_days,
        )
    };
    if restart_cost_usd_per_th <= 0.0 && restarts(key) {
        return key;
    }
    let (mut lo, mut hi) = (key.max(0.0).to_bits(), f64::MAX.to_bits());
    if !restarts(f64::MAX) {
        return f64::INFINITY;
    }
    // restarts(hi) holds; find the smallest such bit pattern above lo.
    if restarts(f64::from_bits(lo)) {
        return f64::from_bits(lo);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if restarts(f64::from_bits(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    f64::from_bits(hi)
}

/// The units by increasing restart key (ties by unit index), each with its key: a restart
/// day's binary search reads the keys alone, in order, and the units (64 bytes) carry no key
/// that only worlds with restart costs use.
#[derive(Debug, Clone)]
struct RestartOrder {
    /// Indices into `MeritOrder::units`.
    units: Vec<u32>,
    /// `keys_usd_per_th_day[j]`: the restart key of unit `units[j]`, USD per TH/s per day.
    keys_usd_per_th_day: Vec<f64>,
}

/// The merit order of a world in merit form, with the lazily booked state of its operators.
#[derive(Debug, Clone)]
pub struct MeritOrder {
    /// Units by increasing break-even hashprice (ties by operator, then vintage).
    units: Vec<Unit>,
    /// The units by increasing restart key, where some restart key is above its break-even (a
    /// restart cost); `None`: the keys are the same, and `units` serves for both.
    by_restart: Option<RestartOrder>,
    /// The hashprice of the last day settled: every unit with a restart key at or below it
    /// runs, every unit with a break-even above it idles, the others kept their state.
    hashprice: f64,
    /// Scratch: the units a day may switch.
    switching: Vec<u32>,
    /// The full day the index was built after: from the next, the units bill their days.
    built_day: u32,
    /// The last day settled (by a merit day, or the full day the index was built after).
    settled_day: u32,
    /// The network's power bill and energy of the day, on the grids.
    power_usd: f64,
    energy_mwh: f64,
    /// Operators whose running hashrate changed today (their census and sampler entries),
    /// once for each of their units switched.
    changed: Vec<u32>,
    /// Solo miners that won blocks since the last settlement (their unsettled BTC clears).
    winners: Vec<u32>,
    /// With the attack metrics, a copy of the machines a merit day takes for the security
    /// columns (`merit_machines`), kept as the units switch: the machines' running flags in
    /// the operators' records are set when the index is dropped, as without the attack
    /// metrics (until issue 17's thirteenth session they were written by every switch for the
    /// security columns' walk over the records: a write into a random record, half of a merit
    /// day without them).
    machines: Option<MeritMachines>,
}

impl World {
    /// Whether nothing but the hashprice can change a unit today (given a population in merit
    /// form, [`MeritOrder::build`]): the day-level conditions of a merit day.
    pub fn merit_day_possible(&self, snap: &Snapshot) -> bool {
        !snap.strategy_enabled
            && !self.finance_enabled
            && snap.decay == 1.0
            && self.hardware.restart_payback_days >= 0.0
            && !self.curtailment.any_today()
            && self.secondary.lots.is_empty()
            && self.in_default.is_empty()
    }

    /// Day `snap.day` in merit form: the market steps of the fused day (none touches an
    /// operator here), the merit order moved to today's operating hashprice, the changed operators
    /// recounted. The census and `merit.changed()` are left as the fused day would leave them.
    pub fn merit_day(&mut self, snap: &Snapshot, merit: &mut MeritOrder, census: &mut Census) -> DayStats {
        let d = snap.day;
        let mut stats =
            DayStats { hashprice_usd_per_th_day: snap.gross_hashprice_usd_per_th_day, ..DayStats::default() };
        self.resolve_insolvencies(d, Vec::new(), &snap.pricing, snap.hashprice_usd_per_th_day(), &mut stats);
        self.trade_used(snap, &mut stats);
        let ops = &mut self.population.operators;
        // Yesterday's blocks settle (the books are off: the BTC is only taken off the tally);
        // pooled miners' pay settles at the next pay walk (`Engine::pay_pool`).
        for i in merit.winners.drain(..) {
            ops[i as usize].mined_btc_unsettled = 0.0;
        }
        merit.move_to(d, snap.market.operating_hashprice_usd_per_th_day, census);
        if let Some(m) = &merit.machines {
            m.take(snap.pricing, ops.len(), &mut census.machines);
            census.machines.day = Some(d);
        }
        self.grant_ai(d, Vec::new(), &snap.pricing, &mut stats);
        self.running_th_s = census.totals.mining_th_s;
        self.keep_pool_sizes(census);
        stats.power_cost_usd = merit.power_usd;
        stats.energy_mwh = merit.energy_mwh;
        self.hardware_market.book(stats.ordered_th_s);
        stats
    }
}

impl MeritOrder {
    /// The merit order of `world` as day `d`'s full day left it, at that day's operating
    /// hashprice, or `None` if some unit could change for a reason other than the hashprice
    /// (an active operator with orders, a site being built or AI halls), or if the attack
    /// metrics are on and the machines cannot be copied (`MeritMachines::of`).
    pub fn build(world: &World, d: u32, hashprice: f64, census: &Census) -> Option<MeritOrder> {
        let (restart_cost, payback) = (world.hardware.restart_cost_usd_per_th, world.hardware.restart_payback_days);
        if world.days > LAST_UNIT_DAY {
            return None;
        }
        let ops = &world.population.operators;
        // Sized once: at a million machines a doubling vector would hold two copies at its last growth.
        let mut units = Vec::with_capacity(ops.iter().map(|o| o.fleet.len()).sum());
        let (mut power_usd, mut energy_mwh) = (0.0, 0.0);
        for (i, op) in ops.iter().enumerate() {
            if op.state != OperatorState::Active {
                continue;
            }
            let in_merit_form = op.projects.is_empty()
                && (op.payout == Payout::Solo
                    || (census.by_pool_th_s.len() > op.pool as usize
                        && census.by_pooled_owner_th_s.len() > op.owner as usize))
                && op.fleet.len() <= u32::MAX as usize;
            if !in_merit_form {
                return None;
            }
            let energy = op.energy_usd_per_kwh();
            power_usd += fixed_power_usd(op);
            let idle_from = idle_spell_from(d, op.days_all_idle);
            let mut running_th_s = 0.0;
            for (k, v) in op.fleet.iter().enumerate() {
                let key = match op.rule {
                    DecisionRule::Always => f64::NEG_INFINITY,
                    DecisionRule::Profitable => power_cost_usd_per_th_day(v.j_per_th, energy),
                };
                let cost = running_cost(v, 1.0, energy);
                let mut tally = FleetTally::default();
                tally.run(v, grid::on(v.th_s, grid::TH_S), v.mw(), 1.0);
                let unit = Unit {
                    key_usd_per_th_day: key,
                    operator: i as u32,
                    vintage: k as u32,
                    owner: op.owner,
                    jurisdiction: op.jurisdiction,
                    pool: if op.payout == Payout::Solo { SOLO } else { op.pool },
                    th_s: tally.running_th_s,
                    mw: tally.running_mw,
                    power_usd: cost.power_usd,
                    energy_mwh: cost.energy_mwh,
                    running: v.running,
                    billed_days: 0,
                    since: if v.running { d + 1 } else { idle_from } as u16,
                };
                if v.running {
                    running_th_s += unit.th_s;
                    power_usd += unit.power_usd;
                    energy_mwh += unit.energy_mwh;
                }
                units.push(unit);
            }
            // The census entry the switches keep: the full day's (the same grid terms added).
            if running_th_s.to_bits() != census.running_th_s[i].to_bits() {
                return None;
            }
        }
        if hashprice.is_nan() || units.iter().any(|u| u.key_usd_per_th_day.is_nan()) {
            return None;
        }
        units.sort_unstable_by(|a, b| {
            a.key_usd_per_th_day
                .total_cmp(&b.key_usd_per_th_day)
                .then(a.operator.cmp(&b.operator))
                .then(a.vintage.cmp(&b.vintage))
        });
        // By unit, its restart key: worked out (from its operator) only with a restart cost or
        // an infinite payback; otherwise every restart key is the break-even (`restart_key`).
        let keys_differ = !(restart_cost <= 0.0 && payback.is_finite());
        let restart_of = |u: &Unit| {
            let op = &ops[u.operator as usize];
            match op.rule {
                DecisionRule::Always => f64::NEG_INFINITY,
                DecisionRule::Profitable => {
                    restart_key(op.fleet[u.vintage as usize].j_per_th, op.energy_usd_per_kwh(), restart_cost, payback)
                }
            }
        };
        let restarts: Vec<f64> = if keys_differ { units.iter().map(restart_of).collect() } else { Vec::new() };
        let restart = |k: usize| if keys_differ { restarts[k] } else { units[k].key_usd_per_th_day };
        // The full day ran every unit whose restart key it reached and idled every unit whose
        // break-even it did not; a unit out of line leaves the world out of merit form.
        let in_line = units.iter().enumerate().all(|(k, u)| {
            (u.running || !runs_at(hashprice, restart(k))) && (!u.running || runs_at(hashprice, u.key_usd_per_th_day))
        });
        if !in_line {
            return None;
        }
        let by_restart = (0..units.len()).any(|k| restart(k) != units[k].key_usd_per_th_day).then(|| {
            let mut order: Vec<u32> = (0..units.len() as u32).collect();
            order.sort_by(|&a, &b| restart(a as usize).total_cmp(&restart(b as usize)).then(a.cmp(&b)));
            let keys_usd_per_th_day = order.iter().map(|&k| restart(k as usize)).collect();
            RestartOrder { units: order, keys_usd_per_th_day }
        });
        debug_assert_eq!(census.running_th_s.len(), ops.len());
        // With the attack metrics, no merit day without the copy: the records' running flags
        // wait for the index to be dropped.
        let machines = if world.metrics.attack_metrics { Some(MeritMachines::of(ops)?) } else { None };
        Some(MeritOrder {
            units,
            by_restart,
            hashprice,
            switching: Vec::new(),
            built_day: d,
            settled_day: d,
            power_usd,
            energy_mwh,
            changed: Vec::new(),
            winners: Vec::new(),
            machines,
        })
    }

    /// Operators whose running hashrate changed on the last merit day.
    pub fn changed(&self) -> &[u32] {
        &self.changed
    }

    /// Notes that solo miner `i` won a block (its unsettled BTC clears at the next settlement).
    pub fn won(&mut self, i: usize) {
        self.winners.push(i as u32);
    }

    /// Moves the merit order to `hashprice` on day `d`: on a rise, the idle units whose restart
    /// key it passes start; on a fall, the running units whose break-even it falls below stop
    /// (each range found by binary search in its order); the census takes their differences
    /// (exact on the grids) unit by unit, each operator's entries with its units.
    fn move_to(&mut self, d: u32, hashprice: f64, census: &mut Census) {
        self.changed.clear();
        let mut owners = census.changed_owners.take().unwrap_or_default();
        owners.clear();
        let (from, to) = (self.hashprice, hashprice);
        self.hashprice = hashprice;
        let on = to > from;
        let below = |hp: f64| move |k: f64| runs_at(hp, k);
        let mut switching = std::mem::take(&mut self.switching);
        switching.clear();
        let stops = |hp: f64| self.units.partition_point(|u| below(hp)(u.key_usd_per_th_day));
        let range = match &self.by_restart {
            Some(order) if on => {
                let restarts = |hp: f64| order.keys_usd_per_th_day.partition_point(|&k| below(hp)(k));
                restarts(from)..restarts(to)
            }
            _ if on => stops(from)..stops(to),
            _ if to < from => stops(to)..stops(from),
            _ => 0..0,
        };
        // The day's lists grow to the day's switches exactly: doubled, they kept up to twice
        // the busiest day's (a retarget day at a million miners: ~12 MB in all).
        for list in [&mut switching, &mut self.changed, &mut owners] {
            list.reserve_exact(range.len());
        }
        match &self.by_restart {
            Some(order) if on => switching.extend_from_slice(&order.units[range]),
            _ => switching.extend(range.start as u32..range.end as u32),
        }
        // Every sum below is exact, so the order the units are taken in changes no bit. They
        // are taken in the order's (each unit read in sequence), their operators' entries at
        // random but asked for a few switches ahead. (Until issue 17's tenth session a day of
        // many switches at over 131,072 operators sorted them into operator order first; with
        // no operator state of its own left to a switch the sort cost more than it saved: 1M x
        // 365 0.94-0.99 without it, 300,000 x 730 0.92.)
        for (j, &k) in switching.iter().enumerate() {
            if let Some(&next) = switching.get(j + AHEAD) {
                let u = &self.units[next as usize];
                self.prefetch_entries(u.operator, u.owner, u.pool, census);
            }
            if let Some(w) = self.switch(k as usize, on, d, census) {
                self.credit(&w, on, census, &mut owners);
            }
        }
        census.changed_owners = Some(owners);
        self.switching = switching;
        self.settled_day = d;
    }

    /// Asks for the entries a switch of `operator`'s (owned by `owner`, mining in `pool`) will
    /// update: its census entry, owner's tally and solo owner's or pool's tally.
    #[inline(always)]
    fn prefetch_entries(&self, operator: u32, owner: u32, pool: u32, census: &Census) {
        prefetch(&census.running_th_s[operator as usize]);
        prefetch(&census.by_owner_th_s[owner as usize]);
        if pool != SOLO {
            prefetch(&census.by_pool_th_s[pool as usize]);
            prefetch(&census.by_pooled_owner_th_s[owner as usize]);
        }
    }

    /// Switches unit `k` on or off on day `d` (unless it already is) and takes it into the
    /// network's sums; returns what its operator's entries take from it.
    #[inline(always)]
    fn switch(&mut self, k: usize, on: bool, d: u32, census: &mut Census) -> Option<Switch> {
        let u = &mut self.units[k];
        if u.running == on {
            return None;
        }
        u.running = on;
        if !on {
            // It ran, and was billed, from `since` to yesterday.
            u.billed_days += d as u16 - u.since;
        }
        u.since = d as u16;
        let sign = if on { 1.0 } else { -1.0 };
        let th_s = sign * u.th_s;
        self.power_usd += sign * u.power_usd;
        self.energy_mwh += sign * u.energy_mwh;
        let t = &mut census.totals;
        t.mining_th_s += th_s;
        t.idle_th_s -= th_s;
        t.running_mw += sign * u.mw;
        census.by_jurisdiction_th_s[u.jurisdiction as usize] += th_s;
        Some(Switch { operator: u.operator, owner: u.owner, pool: u.pool, vintage: u.vintage, th_s })
    }

    /// Takes a switched unit into its operator's entries (census entries and owner's
    /// tallies), noting the operator (and its owner) as changed.
    #[inline(always)]
    fn credit(&mut self, w: &Switch, on: bool, census: &mut Census, owners: &mut Vec<u32>) {
        let i = w.operator as usize;
        self.changed.push(w.operator);
        owners.push(w.owner);
        // Exact: every term and sum is on its grid. The operator's census entry and the count
        // of mining operators follow each switch (switch by switch they add up to the day's
        // change).
        let running_th_s = &mut census.running_th_s[i];
        let mined = *running_th_s > 0.0;
        *running_th_s += w.th_s;
        let mines = *running_th_s > 0.0;
        let t = &mut census.totals;
        t.mining_operators = t.mining_operators + u32::from(mines) - u32::from(mined);
        census.by_owner_th_s[w.owner as usize] += w.th_s;
        if w.pool != SOLO {
            census.by_pool_th_s[w.pool as usize] += w.th_s;
            census.by_pooled_owner_th_s[w.owner as usize] += w.th_s;
        }
        if let Some(m) = &mut self.machines {
            m.set_running(w.operator, w.vintage, on);
        }
    }

    /// Books every operator through the last settled day, leaving the world as the fused days
    /// would have: before a full day runs on it, and at the run's end (the index is dropped).
    ///
    /// The fused days added each day's bill, its fixed charges and running machines, to
    /// `Operator::power_cost_usd`; here the fixed charges come as one product and each unit's
    /// machines as another. Every term is on the money grid (`units::grid`), and so is the
    /// operator's total (a sum of such terms), so adding them one by one gives the bits of
    /// adding their sum, which is the fused days' sum.
    pub fn book_through(self, world: &mut World) {
        let (from, next) = (self.built_day + 1, self.settled_day + 1);
        let ops = &mut world.population.operators;
        // By operator: the day its idle spell began (`RUNS`: it runs). Its idle days before the
        // index was built are those of the full day it was built after.
        const RUNS: u32 = u32::MAX;
        // One walk over the records for both (at a million operators each walk streams 168 MB).
        let mut spell_from = Vec::with_capacity(ops.len());
        for op in ops.iter_mut() {
            spell_from.push(idle_spell_from(self.built_day, op.days_all_idle));
            if op.state == OperatorState::Active {
                op.power_cost_usd += fixed_power_usd(op) * f64::from(next - from);
            }
        }
        for u in &self.units {
            let i = u.operator as usize;
            let op = &mut ops[i];
            op.fleet[u.vintage as usize].running = u.running;
            let days = u32::from(u.billed_days) + if u.running { next - u32::from(u.since) } else { 0 };
            op.power_cost_usd += u.power_usd * f64::from(days);
            spell_from[i] =
                if u.running || spell_from[i] == RUNS { RUNS } else { spell_from[i].max(u32::from(u.since)) };
        }
        for (op, spell) in ops.iter_mut().zip(spell_from) {
            if op.state == OperatorState::Active {
                op.days_all_idle = if spell == RUNS { 0 } else { next.saturating_sub(spell) };
            }
        }
    }
}

/// The day an operator's idle spell began, given the full day `d` counted `days_all_idle` days
/// of it (shifted so that the count on day `n` is `n + 1 - from`; never before day 0).
fn idle_spell_from(d: u32, days_all_idle: u32) -> u32 {
    (d + 1).saturating_sub(days_all_idle)
}

#[cfg(test)]
#[path = "merit_tests.rs"]
mod tests;
