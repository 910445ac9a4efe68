//! What operators do to themselves in the day: routine steps (deliveries, AI hosting
//! milestones, ageing) and carrying out their plans (run/idle, exit, upgrade, pivot request).
//! Shared by the phased day (`day.rs`) and its fused fast path (`fused.rs`).

use super::snapshot::Snapshot;
use super::world::DayStats;
use crate::agents::decision::{renew_contract, run_vintage, strategic, OperatorView, Strategy};
use crate::agents::expansion::build_days;
use crate::agents::finance::DayFlows;
use crate::agents::hardware::{remove_least_efficient, Vintage, FLEET_REL_TOL};
use crate::agents::operator::{Operator, OperatorState, Order, SiteBuild};
use crate::agents::pool_choice::{choose, utilities, Chooser};
use crate::agents::pools::Pools;
use crate::market::ai::Request;
use crate::market::{AiMarket, SecondaryMarket};
use crate::scenario::params::HardwareParams;
use crate::scenario::Payout;
use crate::units::{power_cost_usd_per_th_day, DAYS_PER_YEAR, W_PER_MW};

/// Something an operator did today, before it is stamped with the replicate and the day.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorEvent {
    pub operator: usize,
    /// One of `world::LogEvent`'s kinds.
    pub kind: &'static str,
    pub mw: f64,
    pub th_s: f64,
    pub value_usd: f64,
}

impl OperatorEvent {
    fn new(operator: usize, kind: &'static str, mw: f64, th_s: f64, value_usd: f64) -> OperatorEvent {
        OperatorEvent { operator, kind, mw, th_s, value_usd }
    }
}

/// Site capacity finished today joins the site (machines for it are ordered at the next
/// review). Returns the event to log.
pub fn finish_building(i: usize, op: &mut Operator, d: u32) -> Option<OperatorEvent> {
    let b = op.projects.take_building_online(d)?;
    op.site_mw += b.mw;
    Some(OperatorEvent::new(i, "site_online", b.mw, 0.0, 0.0))
}

/// Machines ordered earlier and due today join the fleet (idle until the run decision), in
/// the order they were ordered; the rest stay on order. A site draws at most its mining MW:
/// if the arrivals overfill it, its least efficient machines make room (the swap an upgrade
/// ordered, `agents::replacement`) and are returned, to be sold.
pub fn take_deliveries(op: &mut Operator, d: u32) -> Vec<Vintage> {
    let mut arrived = false;
    let fleet = &mut op.fleet;
    op.projects.retain_orders(|o| {
        let due = o.deliver_day <= d;
        if due {
            fleet.push(Vintage { th_s: o.th_s, j_per_th: o.j_per_th, running: false });
            arrived = true;
        }
        !due
    });
    if !arrived {
        return Vec::new();
    }
    let over_mw = op.fleet.iter().map(Vintage::mw).sum::<f64>() - op.mining_mw();
    if over_mw > FLEET_REL_TOL * op.mining_mw() {
        remove_least_efficient(&mut op.fleet, over_mw)
    } else {
        Vec::new()
    }
}

/// Sells machines a delivery pushed out (`take_deliveries`) on the used market at today's
/// prices. Returns the proceeds, to settle with the day's other flows.
pub fn sell_swapped(i: usize, swapped: Vec<Vintage>, s: &Snapshot, out: &mut Sinks) -> f64 {
    let (mut sales, mut th, mut mw) = (0.0, 0.0, 0.0);
    for v in swapped {
        sales += v.th_s * s.pricing.price_usd_per_th(v.j_per_th);
        th += v.th_s;
        mw += v.mw();
        out.secondary.list(v.th_s, v.j_per_th, s.day);
    }
    out.log.push(OperatorEvent::new(i, "swap_sale", mw, th, sales));
    sales
}

/// Operator `i`'s AI halls coming online today, and contracts ending today: renewed if the
/// tenant stays and hosting still beats mining (`agents::decision::renew_contract`), otherwise
/// the capacity and its stored machines come back to mining. Returns the number of contracts
/// returned.
///
/// Mining one MW for a year with machines of `e` J/TH earns
/// `max(0, h - e * 0.024 * p) * 1e6 / e * 365`; `e` is that of the best stored machine, or of
/// new machines if none are stored.
pub fn hosting_milestones(
    i: usize,
    op: &mut Operator,
    s: &Snapshot,
    ai: &mut AiMarket,
    log: &mut Vec<OperatorEvent>,
) -> u32 {
    let (d, hp, offer) = (s.day, s.hashprice_usd_per_th_day(), &s.ai_offer);
    let mut returned = 0;
    let mut k = 0;
    while k < op.ai().len() {
        if op.ai()[k].online_day == d {
            log.push(OperatorEvent::new(i, "ai_online", op.ai()[k].mw, 0.0, 0.0));
        }
        if op.ai()[k].end_day == d {
            let p = &op.ai()[k];
            let e_back = p.stored.iter().map(|v| v.j_per_th).fold(f64::NAN, f64::min);
            let e = if e_back.is_nan() { s.hw_offer.j_per_th } else { e_back };
            let mining_per_mw_year =
                (hp - power_cost_usd_per_th_day(e, op.power_usd_per_kwh)).max(0.0) * W_PER_MW / e * DAYS_PER_YEAR;
            if !p.terminated && renew_contract(s.demand_covers, offer, mining_per_mw_year) {
                let p = &mut op.projects.ai_mut()[k];
                p.end_day = d + (offer.contract_years * DAYS_PER_YEAR).round() as u32;
                p.revenue_usd_per_mw_year = offer.revenue_usd_per_mw_year;
                log.push(OperatorEvent::new(i, "contract_renewed", p.mw, 0.0, 0.0));
            } else {
                let p = op.projects.remove_ai(k);
                ai.release(p.mw);
                let th: f64 = p.stored.iter().map(|v| v.th_s).sum();
                op.fleet.extend(p.stored.into_iter().map(|v| Vintage { running: false, ..v }));
                returned += 1;
                log.push(OperatorEvent::new(i, "contract_returned", p.mw, th, 0.0));
                continue;
            }
        }
        k += 1;
    }
    returned
}

/// Ages the fleet by a day: `decay` is the share of machines surviving the day's failures.
pub fn age_fleet(op: &mut Operator, decay: f64) {
    for v in &mut op.fleet {
        v.th_s *= decay;
    }
}

/// The fused form of [`age_fleet`] and the run plan (`agents::plan::plan`): one operator's day
/// of ageing and run decisions, vintage by vintage, in one walk over its fleet
/// ([`Ageing::fleet`]), or in the settlement's (`settle::age_run_settle_and_count`).
#[derive(Debug, Clone, Copy)]
pub struct Ageing {
    rule: crate::scenario::DecisionRule,
    energy_usd_per_kwh: f64,
    decay: f64,
    hashprice_usd_per_th_day: f64,
    restart_cost_usd_per_th: f64,
    restart_payback_days: f64,
}

impl Ageing {
    /// `op`'s day: a share `decay` of its machines survive, and each runs at hashprice `hp`
    /// (`agents::decision::run_vintage`).
    #[inline(always)]
    pub fn of(op: &Operator, decay: f64, hp: f64, hardware: &HardwareParams) -> Ageing {
        Ageing {
            rule: op.rule,
            energy_usd_per_kwh: op.energy_usd_per_kwh(),
            decay,
            hashprice_usd_per_th_day: hp,
            restart_cost_usd_per_th: hardware.restart_cost_usd_per_th,
            restart_payback_days: hardware.restart_payback_days,
        }
    }

    /// Ages every vintage of `fleet` and decides which run; returns whether any does.
    #[inline(always)]
    pub fn fleet(&self, fleet: &mut crate::agents::hardware::Fleet) -> bool {
        let mut any_running = false;
        for v in fleet {
            any_running |= self.vintage(v);
        }
        any_running
    }

    /// Ages vintage `v` by the day and decides whether it runs; returns that.
    #[inline(always)]
    pub fn vintage(&self, v: &mut Vintage) -> bool {
        v.th_s *= self.decay;
        v.running = run_vintage(
            self.rule,
            v.running,
            v.j_per_th,
            self.energy_usd_per_kwh,
            self.hashprice_usd_per_th_day,
            self.restart_cost_usd_per_th,
            self.restart_payback_days,
        );
        v.running
    }
}

/// What operator `op` knows about itself for its plan, under today's terms `s`.
pub fn view_of(op: &Operator, s: &Snapshot) -> OperatorView {
    OperatorView {
        rule: op.rule,
        expectation: op.expectation,
        hurdle_rate: op.hurdle_rate,
        power_usd_per_kwh: op.power_usd_per_kwh,
        energy_usd_per_kwh: op.energy_usd_per_kwh(),
        mining_mw: op.mining_mw(),
        fleet: op.fleet.clone(),
        on_order_mw: op.orders().iter().map(|o| o.th_s * o.j_per_th / W_PER_MW).sum(),
        building_mw: op.building().map_or(0.0, |b| b.mw),
        liquidity_usd: op.balances.liquidity_usd(),
        hosts_ai: op.hosts_ai(),
        days_all_idle: op.days_all_idle,
        may_pivot: s.max_pivot_share > 0.0 && op.convertible,
        max_pivot_share: s.max_pivot_share,
    }
}

/// Operator `i`'s pool choice at a review (`agents::pool_choice::choose`): the pool it moves
/// to, if any. Only pooled operators choose, and only among more than one pool.
pub fn choose_pool(i: usize, op: &Operator, s: &Snapshot, pools: &Pools) -> Option<u32> {
    if !s.pool_choice.enabled || op.payout != Payout::Pool || s.pool_offers.len() < 2 {
        return None;
    }
    let c = Chooser { jurisdiction: op.jurisdiction, th_s: op.installed_th_s(), pool: op.pool as usize };
    let mut v = Vec::with_capacity(s.pool_offers.len());
    utilities(&c, &s.pool_offers, s.network_running_th_s, &s.pool_choice, &mut v);
    choose(c.pool, &v, pools.tastes_of(i), &s.pool_choice).map(|p| p as u32)
}

/// Operator `i` moves to pool `to`: its work is paid by that pool from today.
pub fn switch_pool(i: usize, op: &mut Operator, to: u32, log: &mut Vec<OperatorEvent>) {
    op.pool = to;
    log.push(OperatorEvent::new(i, "pool_switch", op.installed_mw(), op.installed_th_s(), 0.0));
}

/// Where carrying out a strategy leaves its traces: the machines it lists, the day's totals,
/// the event log and the AI market's requests.
pub struct Sinks<'a> {
    pub secondary: &'a mut SecondaryMarket,
    pub stats: &'a mut DayStats,
    pub log: &'a mut Vec<OperatorEvent>,
    pub requests: &'a mut Vec<Request>,
}

/// Carries out operator `i`'s strategic choice: an exit sells the fleet, an upgrade orders
/// machines and sells the worst, a pivot asks the AI market for capacity (granted when the
/// markets clear). Returns the capex and sales to settle.
pub fn carry_out(i: usize, op: &mut Operator, strategy: Strategy, s: &Snapshot, out: Sinks) -> DayFlows {
    let d = s.day;
    let mut capex = 0.0;
    let mut sales = 0.0;
    match strategy {
        Strategy::Hold => {}
        Strategy::Exit => {
            for v in op.fleet.drain(..) {
                sales += v.th_s * s.pricing.price_usd_per_th(v.j_per_th);
                out.secondary.list(v.th_s, v.j_per_th, d);
            }
            op.projects.cancel_orders();
            op.state = OperatorState::Exited;
            out.stats.exits += 1;
            out.log.push(OperatorEvent::new(i, "exit", op.site_mw, 0.0, sales));
        }
        Strategy::Pivot { mw } => out.requests.push(Request {
            operator: i,
            mw,
            site_mw: op.site_mw,
            liquidity_usd: op.balances.liquidity_usd(),
        }),
        Strategy::Upgrade { th_s } => {
            let hw = &s.hw_offer;
            capex += th_s * hw.price_usd_per_th;
            out.stats.ordered_th_s += th_s;
            op.projects.push_order(Order { th_s, j_per_th: hw.j_per_th, deliver_day: d + s.lead_time_days });
            let mw = th_s * hw.j_per_th / W_PER_MW;
            out.log.push(OperatorEvent::new(i, "upgrade", mw, th_s, th_s * hw.price_usd_per_th));
        }
        Strategy::Sell { mw } => {
            let mut th = 0.0;
            for v in remove_least_efficient(&mut op.fleet, mw) {
                sales += v.th_s * s.pricing.price_usd_per_th(v.j_per_th);
                th += v.th_s;
                out.secondary.list(v.th_s, v.j_per_th, d);
            }
            out.log.push(OperatorEvent::new(i, "sale", mw, th, sales));
        }
        Strategy::Build { mw } => {
            let cost = mw * s.params.site_usd_per_mw;
            capex += cost;
            let lag = build_days(s.build_seed, i, d, s.params.site_build_days);
            op.projects.start_building(SiteBuild { mw, online_day: d + lag });
            out.log.push(OperatorEvent::new(i, "site_build", mw, 0.0, cost));
        }
    }
    out.stats.capex_usd += capex;
    DayFlows { capex_usd: capex, sales_usd: sales, ..DayFlows::default() }
}

/// The fused form of the strategic plan and [`carry_out`], for the fast path.
///
/// Kept out of line: it runs for a few operators a day, and inlined into the daily pass its
/// calls would make the compiler keep the pass's running sums in memory rather than registers.
#[inline(never)]
pub fn take_strategy(i: usize, op: &mut Operator, s: &Snapshot, out: Sinks) -> DayFlows {
    let strategy = strategic(&view_of(op, s), &s.market, &s.ai_offer, &s.hw_offer, &s.params);
    carry_out(i, op, strategy, s, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-worked: 5 MW due on day 10 join a 20 MW site on day 10, not on day 9, with a
    /// `site_online` event; the build is then over. Bug caught: capacity that never comes
    /// online, or comes online a day early (machines ordered for it would sit unused).
    #[test]
    fn a_site_under_construction_joins_on_its_day() {
        let mut op = Operator { site_mw: 20.0, ..Operator::blank(0) };
        op.projects.start_building(SiteBuild { mw: 5.0, online_day: 10 });
        assert_eq!(finish_building(3, &mut op, 9), None);
        assert_eq!(op.site_mw, 20.0);
        let e = finish_building(3, &mut op, 10).expect("online");
        assert_eq!((e.operator, e.kind, e.mw), (3, "site_online", 5.0));
        assert_eq!((op.site_mw, op.building()), (25.0, None));
        assert_eq!(finish_building(3, &mut op, 11), None);
    }
}
