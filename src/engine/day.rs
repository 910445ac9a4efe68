//! The day, in phases. Read `World::day` top to bottom:
//!
//! 1. **open**: the markets move to the day and its view is taken once (`snapshot.rs`);
//! 2. **yesterday's defaults clear**: operators found insolvent at yesterday's settlement are
//!    bought or closed (`clear.rs`), before anyone acts on today's market; used machines
//!    arrive at and are sold to operators with room (`redeploy.rs`);
//! 3. **routine**: each active operator takes its deliveries, passes its AI hosting milestones
//!    and ages its machines (`operate.rs`);
//! 4. **plans**: each active operator plans its day from a read-only view of itself and of the
//!    market (`agents::plan`, pure);
//! 5. **apply**: the plans are carried out in operator-index order: run/idle, exits, upgrades
//!    (orders and sales), pivot requests;
//! 6. **markets clear**: the AI market grants conversions;
//! 7. **settle**: every operator pays and collects for the day (`settle.rs`);
//! 8. **census**: every operator is counted for the observer (`census.rs`).
//!
//! The production engine runs the same day fused into one walk over the operators
//! (`fused.rs`); the tests below check that both give the same world, bit for bit.

use super::census::Census;
use super::operate::{
    age_fleet, carry_out, choose_pool, finish_building, hosting_milestones, sell_swapped, switch_pool, take_deliveries,
    view_of, OperatorEvent, Sinks,
};
use super::settle::{settle, DaySums, Ledger};
use super::snapshot::Snapshot;
use super::world::{DayStats, World};
use crate::agents::finance::DayFlows;
use crate::agents::hardware::Vintage;
use crate::agents::operator::OperatorState;
use crate::agents::plan::{plan, Plan, PlanTerms};
use crate::market::ai::Request;

impl World {
    /// One day of every operator, phase by phase (the reference for `World::operate_day`).
    pub fn day(&mut self, d: u32, census: &mut Census) -> DayStats {
        let snap = self.open_day(d);
        let mut stats =
            DayStats { hashprice_usd_per_th_day: snap.gross_hashprice_usd_per_th_day, ..DayStats::default() };
        self.clear_defaults(&snap, &mut stats);
        self.trade_used(&snap, &mut stats);
        let mut log = Vec::new();
        let swapped = self.routine(&snap, &mut stats, &mut log);
        let plans = self.plans(&snap);
        let (flows, requests) = self.apply_plans(&snap, plans, swapped, &mut stats, &mut log);
        self.record(d, log);
        self.grant_ai(d, requests, &snap.pricing, &mut stats);
        let mut sums = self.settle_all(&snap, flows);
        self.count(d, &snap, census, &mut sums);
        self.running_th_s = sums.census.mining_th_s;
        self.carry_investment_census(d, &sums.census);
        self.keep_pool_sizes(census);
        sums.store(&mut stats, census);
        self.hardware_market.book(stats.ordered_th_s);
        // A full day may change any machine: the next curve day takes the curve anew.
        self.supply_current = false;
        stats
    }

    /// Phase 2: yesterday's insolvent operators are bought or closed.
    fn clear_defaults(&mut self, snap: &Snapshot, stats: &mut DayStats) {
        let defaulted = std::mem::take(&mut self.in_default);
        self.resolve_insolvencies(snap.day, defaulted, &snap.pricing, snap.hashprice_usd_per_th_day(), stats);
    }

    /// Phase 3: deliveries, AI hosting milestones and ageing of every active operator. Returns
    /// the machines each operator's deliveries pushed out, sold when it carries out its plan.
    fn routine(&mut self, snap: &Snapshot, stats: &mut DayStats, log: &mut Vec<OperatorEvent>) -> Vec<Vec<Vintage>> {
        let World { population, ai, .. } = self;
        let mut swapped = vec![Vec::new(); population.operators.len()];
        for (i, op) in population.operators.iter_mut().enumerate() {
            if op.state != OperatorState::Active {
                continue;
            }
            // A site standing today holds today's deliveries (a relocated operator's orders are
            // due the day its new site stands).
            log.extend(finish_building(i, op, snap.day));
            swapped[i] = take_deliveries(op, snap.day);
            stats.contracts_returned += hosting_milestones(i, op, snap, ai, log);
            age_fleet(op, snap.decay);
        }
        swapped
    }

    /// Phase 4: every active operator's plan (`None` for the others), from read-only views.
    fn plans(&self, snap: &Snapshot) -> Vec<Option<Plan>> {
        let terms = PlanTerms {
            ai_offer: &snap.ai_offer,
            hw_offer: &snap.hw_offer,
            params: &snap.params,
            restart_cost_usd_per_th: self.hardware.restart_cost_usd_per_th,
            restart_payback_days: self.hardware.restart_payback_days,
        };
        let pools = &self.population.pools;
        let active = |(i, op): (usize, &crate::agents::Operator)| {
            (op.state == OperatorState::Active).then(|| {
                let reviews = snap.reviews_strategy(i);
                let pool = if reviews { choose_pool(i, op, snap, pools) } else { None };
                Plan { pool, ..plan(&view_of(op, snap), &snap.market, &terms, reviews) }
            })
        };
        self.population.operators.iter().enumerate().map(active).collect()
    }

    /// Phase 5: the plans carried out in operator-index order, each after the sale of the
    /// machines its deliveries pushed out. Returns each operator's capex and sales to settle,
    /// and the AI market's requests.
    fn apply_plans(
        &mut self,
        snap: &Snapshot,
        plans: Vec<Option<Plan>>,
        swapped: Vec<Vec<Vintage>>,
        stats: &mut DayStats,
        log: &mut Vec<OperatorEvent>,
    ) -> (Vec<DayFlows>, Vec<Request>) {
        let mut flows = vec![DayFlows::default(); plans.len()];
        let mut requests = Vec::new();
        let World { population, secondary, .. } = self;
        for (i, ((op, plan), swapped)) in population.operators.iter_mut().zip(plans).zip(swapped).enumerate() {
            let Some(plan) = plan else { continue };
            for (v, runs) in op.fleet.iter_mut().zip(plan.runs) {
                v.running = runs;
            }
            op.days_all_idle = plan.days_all_idle;
            let mut out =
                Sinks { secondary: &mut *secondary, stats: &mut *stats, log: &mut *log, requests: &mut requests };
            let swap_sales = if swapped.is_empty() { 0.0 } else { sell_swapped(i, swapped, snap, &mut out) };
            if let Some(to) = plan.pool {
                switch_pool(i, op, to, out.log);
            }
            if let Some(strategy) = plan.strategy {
                flows[i] = carry_out(i, op, strategy, snap, out);
            }
            flows[i].sales_usd += swap_sales;
        }
        (flows, requests)
    }

    /// Hands the day's operator events to the log, each operator's together (routine before
    /// strategic) in index order: the stable sort undoes the phases' interleaving.
    fn record(&mut self, d: u32, mut log: Vec<OperatorEvent>) {
        log.sort_by_key(|e| e.operator);
        for e in log {
            self.log_event(d, e.operator, e.kind, e.mw, e.th_s, e.value_usd, None);
        }
    }

    /// Phase 7: every operator settles, in index order.
    fn settle_all(&mut self, snap: &Snapshot, flows: Vec<DayFlows>) -> DaySums {
        let mut sums = DaySums::default();
        let World { population, in_default, curtailment, .. } = self;
        let mut ledger = Ledger { books: &snap.books, sums: &mut sums, in_default };
        for (i, (op, f)) in population.operators.iter_mut().zip(flows).enumerate() {
            let terms = curtailment.terms_of(i, op);
            settle(i, op, terms, f, &mut ledger);
        }
        sums
    }

    /// Phase 8: the census, in index order (with the machines the security columns read, when
    /// the day's row has them).
    fn count(&self, d: u32, snap: &Snapshot, census: &mut Census, sums: &mut DaySums) {
        let n = self.population.operators.len();
        census.clear(n, self.population.jurisdictions.len());
        if self.metrics.attack_metrics {
            census.machines.take_at(snap.pricing, n);
        }
        for (i, op) in self.population.operators.iter().enumerate() {
            census.count(&mut sums.census, i, op, self.curtailment.terms_of(i, op), d);
        }
        if census.machines.pricing.is_some() {
            census.machines.day = Some(d);
        }
    }
}

#[cfg(test)]
#[path = "day_tests.rs"]
mod tests;
