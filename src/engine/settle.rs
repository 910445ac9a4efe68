//! Settlement: every operator pays for the machines that run after the day's decisions and
//! grants, collects its block rewards and hosting revenue, and defaults until tomorrow if it
//! cannot pay. Operators settle in index order, so every daily sum is added in the same order.

use super::census::{Census, FleetTally, Totals};
use super::curtail::SiteCurtailment;
use super::operate::Ageing;
use super::snapshot::Books;
use super::world::DayStats;
use crate::agents::finance::{settle_day, DayFlows};
use crate::agents::hardware::Vintage;
use crate::agents::operator::{Operator, OperatorState};
use crate::units::{grid, power_cost_usd_per_th_day, DAYS_PER_YEAR};

/// What settlement adds up over the day's operators, in index order: the census' totals and
/// the day's flows. A plain value, kept in a local for the whole pass (see `census::Totals`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DaySums {
    pub census: Totals,
    pub power_cost_usd: f64,
    pub energy_mwh: f64,
    pub btc_sold: f64,
    pub btc_sold_forced: f64,
    pub ai_revenue_usd: f64,
}

impl DaySums {
    /// Hands the sums over; settlement is the only step that adds to these fields of `stats`.
    pub fn store(self, stats: &mut DayStats, census: &mut Census) {
        census.totals = self.census;
        stats.power_cost_usd = self.power_cost_usd;
        stats.energy_mwh = self.energy_mwh;
        stats.btc_sold = self.btc_sold;
        stats.btc_sold_forced = self.btc_sold_forced;
        stats.ai_revenue_usd = self.ai_revenue_usd;
    }
}

/// Where the day's settlement goes: the books' terms it reads, the sums it adds to and the
/// operators it finds insolvent (resolved at tomorrow's opening).
pub struct Ledger<'a> {
    pub books: &'a Books,
    pub sums: &'a mut DaySums,
    pub in_default: &'a mut Vec<usize>,
}

/// The fused form of [`settle`] and `Census::count`, for the fast path: operator `i` settles
/// and is counted in one walk over its fleet.
#[inline(always)]
pub fn settle_and_count(
    i: usize,
    op: &mut Operator,
    curtail: SiteCurtailment,
    f: DayFlows,
    ledger: &mut Ledger,
    census: &mut Census,
) {
    if op.state != OperatorState::Active {
        census.count_closed(&mut ledger.sums.census, i, op);
        return;
    }
    settle_and_count_each(i, op, curtail, f, ledger, census, |_| {});
}

/// The fused form of the day's ageing and run decisions ([`Ageing`]) and
/// [`settle_and_count`], for an active operator nothing else touches between the two (no
/// strategic review, no swap, no AI request waiting on the grants): each vintage ages,
/// decides and settles in one walk over the fleet. A vintage's settlement reads only that
/// vintage and the site, so this is the two walks' arithmetic, in their order. Returns whether
/// any vintage runs.
#[inline(always)]
pub fn age_run_settle_and_count(
    i: usize,
    op: &mut Operator,
    age: Ageing,
    curtail: SiteCurtailment,
    ledger: &mut Ledger,
    census: &mut Census,
) -> bool {
    debug_assert_eq!(op.state, OperatorState::Active);
    let mut any_running = false;
    settle_and_count_each(i, op, curtail, DayFlows::default(), ledger, census, |v| {
        any_running |= age.vintage(v);
    });
    any_running
}

/// [`settle_and_count`] of active operator `i`, each vintage handed to `each` first.
#[inline(always)]
fn settle_and_count_each(
    i: usize,
    op: &mut Operator,
    curtail: SiteCurtailment,
    mut f: DayFlows,
    ledger: &mut Ledger,
    census: &mut Census,
    mut each: impl FnMut(&mut Vintage),
) {
    let d = ledger.books.day;
    let sums = &mut *ledger.sums;
    let mut fleet = FleetTally::default();
    let energy = op.energy_usd_per_kwh();
    // The draws of every machine, added up in fleet order as `Operator::installed_mw` adds
    // them, for the fixed charges; those are added after the running machines' power, which
    // is the same sum: every term is on the money grid (`units::grid`).
    let mut installed_mw = 0.0;
    // The site's power and energy, added to the day's sums once the walk is done: every term
    // is on its grid, so the sums are the same as added machine by machine, and the walk
    // carries no sum from one operator to the next (those sat on the stack, each addition
    // waiting on the last operator's).
    let (mut power_usd, mut energy_mwh) = (0.0, 0.0);
    // The security columns' idle machines (`Census::machines`), taken in the same walk.
    let taking = census.machines.taking();
    for v in op.fleet.iter_mut() {
        each(v);
        let v = &*v;
        let th = grid::on(v.th_s, grid::TH_S);
        let mw = v.mw();
        installed_mw += mw;
        fleet.installed_th_s += th;
        if v.running {
            let u = curtail.uptime(v.j_per_th);
            fleet.run(v, th, mw, u);
            let run = running_cost(v, u, energy);
            power_usd += run.power_usd;
            energy_mwh += run.energy_mwh;
        } else if taking {
            census.machines.take_idle(v);
        }
    }
    sums.census.sites_th_s += fleet.installed_th_s;
    sums.energy_mwh += energy_mwh;
    f.power_usd += power_usd + grid::on(op.fixed_power_usd_per_day_for(installed_mw), grid::USD);
    if taking {
        census.machines.take_site(i, op);
    }
    census.count_active(&mut sums.census, i, op, d, fleet);
    collect_and_book(i, op, f, ledger);
}

/// Operator `i` settles the day: if active, it pays for the machines running now and collects
/// its block rewards and hosting revenue (pushed onto `in_default` if insolvent, resolved at
/// tomorrow's opening). `f` holds the capex and sales it decided today. Adds to the day's
/// flows in `sums` (not to `sums.census`: the census counts apart, `Census::count`).
///
/// Power: `u * th * e * 0.024 * p (1 - phi)` USD a day per running vintage (`u` the share of
/// the day it runs under a demand-response contract, `engine::curtail`; 1 for the rest), plus the fixed charges
/// `phi * p * 24,000 * MW` on every installed machine (`Operator::fixed_power_usd_per_day`);
/// hosting: `mw * R / 365 * (1 - o)` per online hall.
pub fn settle(i: usize, op: &mut Operator, curtail: SiteCurtailment, mut f: DayFlows, ledger: &mut Ledger) {
    if op.state != OperatorState::Active {
        return;
    }
    f.power_usd += fixed_power_usd(op);
    let energy = op.energy_usd_per_kwh();
    for v in op.fleet.iter().filter(|v| v.running) {
        let run = running_cost(v, curtail.uptime(v.j_per_th), energy);
        f.power_usd += run.power_usd;
        ledger.sums.energy_mwh += run.energy_mwh;
    }
    collect_and_book(i, op, f, ledger);
}

/// A running vintage's day on the books, each on its grid (`units::grid`), so that daily sums
/// and running totals are exact whatever the order they are added in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunningCost {
    pub power_usd: f64,
    pub energy_mwh: f64,
}

/// What vintage `v` costs for the `uptime` share of a day at `energy_usd_per_kwh`:
/// `u * th * e * 0.024 * p` USD and `u * th * e * 24 / 1e6` MWh.
#[inline(always)]
pub fn running_cost(v: &crate::agents::hardware::Vintage, uptime: f64, energy_usd_per_kwh: f64) -> RunningCost {
    RunningCost {
        power_usd: grid::on(uptime * v.th_s * power_cost_usd_per_th_day(v.j_per_th, energy_usd_per_kwh), grid::USD),
        energy_mwh: grid::on(uptime * crate::units::energy_mwh_per_day(v.th_s, v.j_per_th), grid::MWH),
    }
}

/// Operator `op`'s fixed power charges of a day, on the money grid.
#[inline(always)]
pub fn fixed_power_usd(op: &Operator) -> f64 {
    grid::on(op.fixed_power_usd_per_day(), grid::USD)
}

/// What both forms of settlement do once the power `f.power_usd` of the running machines is
/// known: hosting revenue of the halls online today, the day's mined BTC, and the books
/// (`agents::finance::settle_day`), pushing `i` onto `in_default` if it cannot pay.
#[inline(always)]
fn collect_and_book(i: usize, op: &mut Operator, mut f: DayFlows, ledger: &mut Ledger) {
    let Ledger { books, sums, in_default } = ledger;
    let d = books.day;
    if !op.ai().is_empty() {
        f.ai_net_usd = op
            .ai()
            .iter()
            .filter(|p| p.online(d))
            .map(|p| p.mw * p.revenue_usd_per_mw_year / DAYS_PER_YEAR * (1.0 - books.opex_share))
            .sum();
    }
    f.mined_btc = op.mined_btc_unsettled;
    op.mined_btc_unsettled = 0.0;
    op.power_cost_usd += f.power_usd;
    sums.power_cost_usd += f.power_usd;
    if !books.keep_books {
        return;
    }
    let s = settle_day(op.balances, &f, books.price_usd, books.sell_share, books.interest_rate);
    op.balances = s.balances;
    op.btc_sold += s.btc_sold;
    op.ai_revenue_usd += f.ai_net_usd;
    sums.btc_sold += s.btc_sold;
    sums.btc_sold_forced += s.btc_forced;
    sums.ai_revenue_usd += f.ai_net_usd;
    if !s.solvent {
        in_default.push(i);
    }
}
