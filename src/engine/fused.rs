//! The day's fast path: the phases of `day.rs` fused into one walk over the operators, as the
//! production engine runs them. Same results as the phased day, bit for bit (`day.rs`'s tests
//! run both on the same worlds); see docs/PERFORMANCE.md for why it is fused.

use super::census::Census;
use super::curtail::SiteCurtailment;
use super::operate::{
    choose_pool, finish_building, hosting_milestones, sell_swapped, switch_pool, take_deliveries, take_strategy,
    Ageing, Sinks,
};
use super::settle::{age_run_settle_and_count, settle_and_count, DaySums, Ledger};
use super::snapshot::Snapshot;
use super::world::{DayStats, World};
use crate::agents::finance::DayFlows;
use crate::agents::operator::OperatorState;

impl World {
    /// One day of every operator, as `World::day` (the reference) runs it in phases, fused:
    /// each operator takes its deliveries, hosting milestones, ageing, run/idle decision and
    /// strategy, then settles and is counted, in one step.
    ///
    /// The AI market's grants only touch operators that asked for a conversion, so an operator
    /// is settled right after its decisions until the day's first request; the operators from
    /// there on are settled after the grants. Either way operators settle in index order, so
    /// every daily sum is added in the same order as in the phased day.
    pub fn operate_day(&mut self, d: u32, census: &mut Census) -> DayStats {
        let snap = self.open_day(d);
        self.operate(snap, census)
    }

    /// [`World::operate_day`] on the day `snap` opened.
    pub fn operate(&mut self, snap: Snapshot, census: &mut Census) -> DayStats {
        let d = snap.day;
        let hp = snap.hashprice_usd_per_th_day();
        let mut stats =
            DayStats { hashprice_usd_per_th_day: snap.gross_hashprice_usd_per_th_day, ..DayStats::default() };
        let defaulted = std::mem::take(&mut self.in_default);
        self.resolve_insolvencies(d, defaulted, &snap.pricing, hp, &mut stats);
        self.trade_used(&snap, &mut stats);
        let mut requests = Vec::new();
        let mut log = Vec::new();
        let n = self.population.operators.len();
        census.clear(n, self.population.jurisdictions.len());
        if self.metrics.attack_metrics {
            census.machines.take_at(snap.pricing, n);
        }
        let books = snap.books;
        // Operators `..settled` have settled.
        let mut settled = 0;
        let mut sums = DaySums::default();
        for i in 0..n {
            let World { population, ai, secondary, hardware, flows, in_default, curtailment, .. } = self;
            let op = &mut population.operators[i];
            if op.state != OperatorState::Active {
                if requests.is_empty() {
                    let mut ledger = Ledger { books: &books, sums: &mut sums, in_default };
                    settle_and_count(i, op, SiteCurtailment::NONE, DayFlows::default(), &mut ledger, census);
                    settled = i + 1;
                }
                continue;
            }
            if op.building().is_some() {
                log.extend(finish_building(i, op, d));
            }
            let swapped = if op.orders().is_empty() { Vec::new() } else { take_deliveries(op, d) };
            if !op.ai().is_empty() {
                stats.contracts_returned += hosting_milestones(i, op, &snap, ai, &mut log);
            }
            let age = Ageing::of(op, snap.decay, snap.market.operating_hashprice_usd_per_th_day, hardware);
            if swapped.is_empty() && requests.is_empty() && !snap.reviews_strategy(i) {
                // Most operators most days: nothing between the run decisions and settlement,
                // so one walk over the fleet does both.
                let terms = curtailment.terms_of(i, op);
                let mut ledger = Ledger { books: &books, sums: &mut sums, in_default };
                let any_running = age_run_settle_and_count(i, op, age, terms, &mut ledger, census);
                op.days_all_idle = if any_running { 0 } else { op.days_all_idle + 1 };
                settled = i + 1;
                continue;
            }
            let any_running = age.fleet(&mut op.fleet);
            op.days_all_idle = if any_running { 0 } else { op.days_all_idle + 1 };
            let mut out = Sinks { secondary, stats: &mut stats, log: &mut log, requests: &mut requests };
            let swap_sales = if swapped.is_empty() { 0.0 } else { sell_swapped(i, swapped, &snap, &mut out) };
            let mut flow = if snap.reviews_strategy(i) {
                if let Some(to) = choose_pool(i, op, &snap, &population.pools) {
                    switch_pool(i, op, to, out.log);
                }
                take_strategy(i, op, &snap, out)
            } else {
                DayFlows::default()
            };
            flow.sales_usd += swap_sales;
            if requests.is_empty() {
                let terms = curtailment.terms_of(i, op);
                let mut ledger = Ledger { books: &books, sums: &mut sums, in_default };
                settle_and_count(i, op, terms, flow, &mut ledger, census);
                settled = i + 1;
            } else {
                // Capex and sales of operators whose settlement waits for the grants (sized on
                // the first day with a request: most worlds never have one).
                if flows.len() < n {
                    flows.resize(n, DayFlows::default());
                }
                flows[i] = flow;
            }
        }
        for e in log {
            self.log_event(d, e.operator, e.kind, e.mw, e.th_s, e.value_usd, None);
        }

        self.grant_ai(d, requests, &snap.pricing, &mut stats);
        let World { population, flows, in_default, curtailment, .. } = self;
        let rest = population.operators.iter_mut().zip(flows.iter_mut()).enumerate().skip(settled);
        let mut ledger = Ledger { books: &books, sums: &mut sums, in_default };
        for (i, (op, flow)) in rest {
            let terms = curtailment.terms_of(i, op);
            settle_and_count(i, op, terms, std::mem::take(flow), &mut ledger, census);
        }
        if census.machines.pricing.is_some() {
            census.machines.day = Some(d);
        }
        self.running_th_s = sums.census.mining_th_s;
        self.carry_investment_census(d, &sums.census);
        self.keep_pool_sizes(census);
        sums.store(&mut stats, census);
        self.hardware_market.book(stats.ordered_th_s);
        // A full day may change any machine: the next curve day takes the curve anew.
        self.supply_current = false;
        stats
    }
}
