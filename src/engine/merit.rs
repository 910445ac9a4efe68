//! The merit order: the engine's index of every installed unit (an operator's vintage) by the
//! hashprice at which it breaks even. In a world whose units run or idle on the day's hashprice
//! alone (no strategy, books, ageing, restart costs, deliveries, AI halls, pools or
//! demand-response hours: CORE-1 and the like), the running units are a prefix of this order,
//! and each day's hashprice moves the cut: only the units between yesterday's cut and today's
//! change state, and only their operators are recounted. Everything the fused day sums over the
//! operators is then updated by differences, which give the same bits as the fused day's sums
//! because every term is on its grid (`units::grid`); the tests run both days and compare every
//! output byte for byte.
//!
//! What the fused day books daily for every operator and nothing reads until the run ends (the
//! power bill to date, the days it has stood idle) is booked lazily: at each change, and when
//! the index is dropped ([`MeritOrder::book_through`]) before a full day or at the run's end.
//!
//! The index is a cache of the world's state: built after a full day that left the world in
//! merit form, dropped on any day or event that could change a unit for another reason (a
//! scheduled effect, a demand-response day, a listing on the used market), and built again
//! after the next full day.

use super::census::{Census, FleetTally};
use super::settle::{fixed_power_usd, running_cost};
use super::snapshot::Snapshot;
use super::world::{DayStats, World};
use crate::agents::operator::{Operator, OperatorState};
use crate::scenario::{DecisionRule, Payout};
use crate::units::power_cost_usd_per_th_day;

/// One installed vintage, the hashprice (USD per TH/s per day) at which it breaks even, and
/// what it adds to the day's sums when it runs, each on its grid as the fused day counts it
/// (`FleetTally::run`, `settle::running_cost`). It runs iff `hashprice - key >= 0`
/// (`agents::decision::run_vintage` without a restart cost), i.e. iff `hashprice >= key`;
/// `-inf` for operators that always mine.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Unit {
    key_usd_per_th_day: f64,
    operator: u32,
    vintage: u32,
    owner: u32,
    jurisdiction: u16,
    th_s: f64,
    mw: f64,
    power_usd: f64,
    energy_mwh: f64,
}

/// Whether a unit of break-even `key` runs at `hashprice`.
#[inline(always)]
fn runs_at(hashprice: f64, key_usd_per_th_day: f64) -> bool {
    hashprice >= key_usd_per_th_day
}

/// One operator in merit form: its running sums (on the grids, so a unit switched on and off
/// adds and takes away exactly) and what is booked lazily.
#[derive(Debug, Clone, Copy, Default)]
struct OperatorMerit {
    running_th_s: f64,
    /// The day's power bill: fixed charges and running machines.
    power_usd: f64,
    running_units: u32,
    /// Whether, before today's changes, some unit ran / its running hashrate was positive
    /// (scratch of a merit day, set when it is first touched; they differ only for a machine
    /// below the hashrate grid's step).
    ran: bool,
    mined: bool,
    touched: bool,
    /// The first day whose power bill is in neither `Operator::power_cost_usd` nor `booked_usd`.
    booked_from: u32,
    /// Power billed for the days before `booked_from` and not yet in `Operator::power_cost_usd`.
    booked_usd: f64,
    /// The day its idle spell began, shifted so that `days_all_idle` on day `d` is
    /// `d + 1 - idle_from` (meaningless while it runs).
    idle_from: i64,
}

impl OperatorMerit {
    /// Books the power bill of the days from `booked_from` to before `d`, at the bill it has
    /// run up since (the fused day adds it day by day; on the grid, `k` equal additions are
    /// one product, and the sum is exact whichever way it is grouped).
    #[inline(always)]
    fn book(&mut self, d: u32) {
        if d > self.booked_from {
            self.booked_usd += self.power_usd * f64::from(d - self.booked_from);
            self.booked_from = d;
        }
    }
}

/// The merit order of a world in merit form, with the lazily booked state of its operators.
#[derive(Debug, Clone)]
pub struct MeritOrder {
    /// Units by increasing break-even hashprice (ties by operator, then vintage).
    units: Vec<Unit>,
    /// `units[..cut]` run.
    cut: usize,
    /// By operator.
    states: Vec<OperatorMerit>,
    /// The last day settled (by a merit day, or the full day the index was built after).
    settled_day: u32,
    /// The network's power bill and energy of the day, on the grids.
    power_usd: f64,
    energy_mwh: f64,
    /// Operators whose running hashrate changed today (their census and sampler entries).
    changed: Vec<u32>,
    /// Solo miners that won blocks since the last settlement (their unsettled BTC clears).
    winners: Vec<u32>,
    /// Whether the machines' running flags are written every day: only where the day's
    /// observation reads them (the attack metrics' dormant machines); otherwise the flags
    /// are set from the cut when the index is dropped (a write into every switched
    /// operator's fleet was half of a merit day).
    flags_daily: bool,
}

impl World {
    /// Whether nothing but the hashprice can change a unit today (given a population in merit
    /// form, [`MeritOrder::build`]): the day-level conditions of a merit day.
    pub fn merit_day_possible(&self, snap: &Snapshot) -> bool {
        !snap.strategy_enabled
            && !self.finance_enabled
            && snap.decay == 1.0
            && self.hardware.restart_cost_usd_per_th == 0.0
            && self.hardware.restart_payback_days >= 0.0
            && !self.curtailment.any_today()
            && self.secondary.lots.is_empty()
            && self.in_default.is_empty()
    }

    /// Day `snap.day` in merit form: the market steps of the fused day (none touches an
    /// operator here), the cut moved to today's operating hashprice, the changed operators
    /// recounted. The census and `merit.changed()` are left as the fused day would leave them.
    pub fn merit_day(&mut self, snap: &Snapshot, merit: &mut MeritOrder, census: &mut Census) -> DayStats {
        let d = snap.day;
        let mut stats =
            DayStats { hashprice_usd_per_th_day: snap.gross_hashprice_usd_per_th_day, ..DayStats::default() };
        self.resolve_insolvencies(d, Vec::new(), &snap.pricing, snap.hashprice_usd_per_th_day(), &mut stats);
        self.trade_used(snap, &mut stats);
        let ops = &mut self.population.operators;
        // Yesterday's blocks settle (the books are off: the BTC is only taken off the tally).
        for i in merit.winners.drain(..) {
            ops[i as usize].mined_btc_unsettled = 0.0;
        }
        merit.move_cut(d, snap.market.operating_hashprice_usd_per_th_day, ops, census);
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
    /// The merit order of `world` as day `d`'s full day left it, cut at that day's operating
    /// hashprice, or `None` if some unit could change for a reason other than the hashprice:
    /// an active operator with orders, a site being built, AI halls or a pool's pay.
    pub fn build(world: &World, d: u32, census: &Census) -> Option<MeritOrder> {
        let ops = &world.population.operators;
        let mut units = Vec::new();
        let mut states = vec![OperatorMerit::default(); ops.len()];
        let (mut power_usd, mut energy_mwh) = (0.0, 0.0);
        for (i, (op, state)) in ops.iter().zip(&mut states).enumerate() {
            if op.state != OperatorState::Active {
                continue;
            }
            let in_merit_form = op.orders.is_empty()
                && op.building.is_none()
                && op.ai.is_empty()
                && op.payout == Payout::Solo
                && op.fleet.len() <= u32::MAX as usize;
            if !in_merit_form {
                return None;
            }
            let energy = op.energy_usd_per_kwh();
            *state = OperatorMerit {
                power_usd: fixed_power_usd(op),
                booked_from: d + 1,
                idle_from: i64::from(d) + 1 - i64::from(op.days_all_idle),
                ..OperatorMerit::default()
            };
            for (k, v) in op.fleet.iter().enumerate() {
                let key = match op.rule {
                    DecisionRule::Always => f64::NEG_INFINITY,
                    DecisionRule::Profitable => power_cost_usd_per_th_day(v.j_per_th, energy),
                };
                let cost = running_cost(v, 1.0, energy);
                let mut tally = FleetTally::default();
                tally.run(v, 1.0);
                let unit = Unit {
                    key_usd_per_th_day: key,
                    operator: i as u32,
                    vintage: k as u32,
                    owner: op.owner,
                    jurisdiction: op.jurisdiction,
                    th_s: tally.running_th_s,
                    mw: tally.running_mw,
                    power_usd: cost.power_usd,
                    energy_mwh: cost.energy_mwh,
                };
                if v.running {
                    state.running_th_s += unit.th_s;
                    state.power_usd += unit.power_usd;
                    state.running_units += 1;
                    energy_mwh += unit.energy_mwh;
                }
                units.push(unit);
            }
            power_usd += state.power_usd;
        }
        if units.iter().any(|u| u.key_usd_per_th_day.is_nan()) {
            return None;
        }
        units.sort_unstable_by(|a, b| {
            a.key_usd_per_th_day
                .total_cmp(&b.key_usd_per_th_day)
                .then(a.operator.cmp(&b.operator))
                .then(a.vintage.cmp(&b.vintage))
        });
        // The full day ran every unit at or below its cut; a unit out of line (a NaN
        // hashprice) leaves the world out of merit form.
        let running = |u: &Unit| ops[u.operator as usize].fleet[u.vintage as usize].running;
        let cut = units.iter().take_while(|u| running(u)).count();
        if units[cut..].iter().any(running) {
            return None;
        }
        debug_assert_eq!(census.running_th_s.len(), ops.len());
        Some(MeritOrder {
            units,
            cut,
            states,
            settled_day: d,
            power_usd,
            energy_mwh,
            changed: Vec::new(),
            winners: Vec::new(),
            flags_daily: world.metrics.attack_metrics,
        })
    }

    /// Operators whose running hashrate changed on the last merit day.
    pub fn changed(&self) -> &[u32] {
        &self.changed
    }

    /// Units that run after the last day.
    pub fn running_units(&self) -> usize {
        self.cut
    }

    /// Notes that solo miner `i` won a block (its unsettled BTC clears at the next settlement).
    pub fn won(&mut self, i: usize) {
        self.winners.push(i as u32);
    }

    /// Moves the cut to `hashprice` on day `d`: the units between the old and new cuts switch,
    /// and the census takes their differences (exact on the grids) unit by unit; then each
    /// changed operator's entry is set.
    fn move_cut(&mut self, d: u32, hashprice: f64, ops: &mut [Operator], census: &mut Census) {
        self.changed.clear();
        let mut owners = census.changed_owners.take().unwrap_or_default();
        owners.clear();
        let runs = |u: &Unit| runs_at(hashprice, u.key_usd_per_th_day);
        let cut = if self.cut < self.units.len() && runs(&self.units[self.cut]) {
            self.cut + self.units[self.cut..].partition_point(runs)
        } else {
            self.units[..self.cut].partition_point(runs)
        };
        let (lo, hi, on) = if cut > self.cut { (self.cut, cut, true) } else { (cut, self.cut, false) };
        let sign = if on { 1.0 } else { -1.0 };
        let t = &mut census.totals;
        for u in &self.units[lo..hi] {
            let i = u.operator as usize;
            let s = &mut self.states[i];
            if !s.touched {
                s.touched = true;
                s.ran = s.running_units > 0;
                s.mined = s.running_th_s > 0.0;
                s.book(d);
                self.changed.push(u.operator);
                owners.push(u.owner);
            }
            // Exact: every term and sum is on its grid.
            let th_s = sign * u.th_s;
            s.running_th_s += th_s;
            s.power_usd += sign * u.power_usd;
            s.running_units = if on { s.running_units + 1 } else { s.running_units - 1 };
            self.power_usd += sign * u.power_usd;
            self.energy_mwh += sign * u.energy_mwh;
            t.mining_th_s += th_s;
            t.idle_th_s -= th_s;
            t.running_mw += sign * u.mw;
            census.by_owner_th_s[u.owner as usize] += th_s;
            census.by_jurisdiction_th_s[u.jurisdiction as usize] += th_s;
            census.by_solo_owner_th_s[u.owner as usize] += th_s;
            if self.flags_daily {
                ops[i].fleet[u.vintage as usize].running = on;
            }
        }
        self.cut = cut;
        for &i in &self.changed {
            let i = i as usize;
            let s = &mut self.states[i];
            s.touched = false;
            census.running_th_s[i] = s.running_th_s;
            let runs_now = s.running_th_s > 0.0;
            t.mining_operators = t.mining_operators + u32::from(runs_now) - u32::from(s.mined);
            if s.running_units == 0 && s.ran {
                s.idle_from = i64::from(d);
            }
        }
        census.changed_owners = Some(owners);
        self.settled_day = d;
    }

    /// Books every operator through the last settled day, leaving the world as the fused days
    /// would have: before a full day runs on it, and at the run's end.
    pub fn book_through(&mut self, world: &mut World) {
        let next = self.settled_day + 1;
        let ops = &mut world.population.operators;
        for (k, u) in self.units.iter().enumerate() {
            ops[u.operator as usize].fleet[u.vintage as usize].running = k < self.cut;
        }
        for (op, s) in ops.iter_mut().zip(&mut self.states) {
            if op.state != OperatorState::Active {
                continue;
            }
            s.book(next);
            op.power_cost_usd += std::mem::take(&mut s.booked_usd);
            op.days_all_idle =
                if s.running_units > 0 { 0 } else { u32::try_from(i64::from(next) - s.idle_from).unwrap_or(0) };
        }
    }
}

#[cfg(test)]
#[path = "merit_tests.rs"]
mod tests;
