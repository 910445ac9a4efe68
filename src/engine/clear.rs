//! Where the day's shared markets clear: yesterday's insolvencies (acquired or closed, at the
//! day's opening) and the AI market's grants of hosting capacity (after every operator has
//! asked).

use super::world::{DayStats, World};
use crate::agents::finance::{settle_day, Balances, DayFlows};
use crate::agents::hardware::{remove_least_efficient, Vintage};
use crate::agents::operator::{AiProject, OperatorState};
use crate::market::acquisitions::{match_defaulters, Buyer, Defaulter, Outcome, WORKING_CASH_DAYS};

/// Salt of the fire-sale draws' seeds (with the replicate's seed and the day), apart from every
/// random stream's (`rng::Purpose` discriminants are small integers).
const ACQUISITION_DRAWS: u64 = 0x6163_7175_6972_6573; // "acquires"

use crate::market::ai::Request;
use crate::market::secondary::Pricing;
use crate::scenario::DecisionRule;
use crate::units::{power_cost_usd_per_th_day, DAYS_PER_YEAR};

impl World {
    /// Converts granted capacity: pays the capex, takes the least efficient machines out
    /// (keeping a share in storage, selling the rest) and starts the build.
    pub(super) fn grant_ai(&mut self, d: u32, requests: Vec<Request>, pricing: &Pricing, stats: &mut DayStats) {
        let offer = self.ai.offer();
        for (i, mw) in self.ai.allocate(requests) {
            let op = &mut self.population.operators[i];
            let capex = mw * offer.capex_usd_per_mw;
            let online_day = d + offer.build_days as u32;
            let mut project = AiProject {
                mw,
                online_day,
                end_day: online_day + (offer.contract_years * DAYS_PER_YEAR).round() as u32,
                revenue_usd_per_mw_year: offer.revenue_usd_per_mw_year,
                stored: Vec::new(),
                terminated: false,
            };
            op.projects.push_ai(project.clone());
            let excess = op.installed_mw() - op.mining_mw();
            let displaced = remove_least_efficient(&mut op.fleet, excess.max(0.0));
            let mut sales = 0.0;
            let mut stored = Vec::new();
            for v in displaced {
                let keep = v.th_s * self.keep_hardware_share;
                if keep > 0.0 {
                    stored.push(Vintage { th_s: keep, j_per_th: v.j_per_th, running: false });
                }
                let sell = v.th_s - keep;
                sales += sell * pricing.price_usd_per_th(v.j_per_th);
                self.secondary.list(sell, v.j_per_th, d);
            }
            let th_stored: f64 = stored.iter().map(|v| v.th_s).sum();
            project.stored = stored;
            *op.projects.ai_mut().last_mut().expect("just pushed") = project;
            let flows = DayFlows { capex_usd: capex, sales_usd: sales, ..DayFlows::default() };
            op.balances = settle_day(op.balances, &flows, self.price.price_usd(), 0.0, 0.0).balances;
            stats.capex_usd += capex;
            stats.pivots += 1;
            self.log_event(d, i, "pivot", mw, th_stored, capex, None);
        }
    }

    /// Yesterday's insolvent operators, matched by `market::acquisitions::match_defaulters`
    /// (an order-independent rule): each is rescued by its own group, bought by another group
    /// for which its machines still pay, or closed (its machines go to the secondary market and
    /// the site goes dark). A payer pays from its own liquidity; a refinanced site starts with
    /// `WORKING_CASH_DAYS` of its paying machines' power in cash, and a bought one without
    /// debts (extinguished in the sale) and with its credit line.
    pub(super) fn resolve_insolvencies(
        &mut self,
        d: u32,
        insolvent: Vec<usize>,
        pricing: &Pricing,
        hp: f64,
        stats: &mut DayStats,
    ) {
        if insolvent.is_empty() {
            return;
        }
        let ops = &self.population.operators;
        let n = ops.len();
        let mut is_insolvent = vec![false; n];
        for &i in &insolvent {
            is_insolvent[i] = true;
        }
        let discount = 1.0 - self.hardware.fire_sale_discount;
        let defaulters: Vec<Defaulter> = insolvent
            .iter()
            .map(|&i| (i, &ops[i]))
            .filter(|(_, t)| t.state == OperatorState::Active)
            .map(|(i, t)| {
                let value: f64 = t.fleet.iter().map(|v| v.th_s * pricing.price_usd_per_th(v.j_per_th)).sum();
                // Power a day of the machines that pay at today's hashprice (those that would run).
                let paying_power_usd: f64 = t
                    .fleet
                    .iter()
                    .map(|v| (v.th_s, power_cost_usd_per_th_day(v.j_per_th, t.energy_usd_per_kwh())))
                    .filter(|&(_, cost)| hp >= cost)
                    .map(|(th, cost)| th * cost)
                    .sum();
                Defaulter {
                    id: i,
                    owner: t.owner,
                    site_mw: t.site_mw,
                    value_usd: value * discount,
                    shortfall_usd: (-t.balances.cash_usd).max(0.0),
                    working_cash_usd: paying_power_usd * WORKING_CASH_DAYS,
                    pays: t.fleet.iter().any(|v| hp >= power_cost_usd_per_th_day(v.j_per_th, t.energy_usd_per_kwh())),
                }
            })
            .collect();
        let mut buyers: Vec<Buyer> = Vec::with_capacity(n);
        buyers.extend(
            ops.iter()
                .enumerate()
                .filter(|(j, b)| {
                    !is_insolvent[*j] && b.state == OperatorState::Active && b.rule == DecisionRule::Profitable
                })
                .map(|(j, b)| Buyer { id: j, owner: b.owner, liquidity_usd: b.balances.liquidity_usd() }),
        );
        let by_id: Vec<(usize, Defaulter)> = defaulters.iter().map(|t| (t.id, *t)).collect();
        let terms = |i: usize| by_id.iter().find(|(id, _)| *id == i).map(|(_, t)| *t).expect("matched");
        let price = self.price.price_usd();
        let draw_seed = crate::rng::mix64(self.replicate_seed ^ crate::rng::mix64(ACQUISITION_DRAWS ^ u64::from(d)));
        for m in match_defaulters(&defaulters, buyers, draw_seed) {
            let (i, t) = (m.target, terms(m.target));
            let pay = |b: &mut crate::agents::Operator, usd: f64| {
                let f = DayFlows { capex_usd: usd, ..DayFlows::default() };
                b.balances = settle_day(b.balances, &f, price, 0.0, 0.0).balances;
            };
            match m.outcome {
                Outcome::Rescued { by } => {
                    let cost = t.shortfall_usd + t.working_cash_usd;
                    pay(&mut self.population.operators[by], cost);
                    self.population.operators[i].balances.cash_usd = t.working_cash_usd;
                    let (mw, th) = (t.site_mw, self.population.operators[i].installed_th_s());
                    self.log_event(d, i, "rescue", mw, th, cost, Some(by));
                }
                Outcome::Acquired { by } => {
                    pay(&mut self.population.operators[by], t.value_usd + t.working_cash_usd);
                    let owner = self.population.operators[by].owner;
                    let site = &mut self.population.operators[i];
                    site.owner = owner;
                    // Its debts are the seller's lenders' loss, absorbed in the price; its credit
                    // line (lent against the site) stays.
                    let credit_limit_usd = site.balances.credit_limit_usd;
                    site.balances = Balances { cash_usd: t.working_cash_usd, credit_limit_usd, ..Balances::default() };
                    site.days_all_idle = 0;
                    stats.acquisitions += 1;
                    let (mw, th) = (site.site_mw, site.installed_th_s());
                    self.log_event(d, i, "acquisition", mw, th, t.value_usd, Some(by));
                }
                Outcome::Closed => {
                    let th = self.population.operators[i].installed_th_s();
                    let proceeds = self.close_down(i, d, pricing, OperatorState::Bankrupt);
                    stats.bankruptcies += 1;
                    self.log_event(d, i, "bankruptcy", t.site_mw, th, proceeds, None);
                }
            }
        }
    }
}
