//! Where the day's shared markets clear: yesterday's insolvencies (acquired or closed, at the
//! day's opening) and the AI market's grants of hosting capacity (after every operator has
//! asked).

use super::world::{DayStats, World};
use crate::agents::finance::{settle_day, DayFlows};
use crate::agents::hardware::{remove_least_efficient, Vintage};
use crate::agents::operator::{AiProject, OperatorState};
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
            op.ai.push(project.clone());
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
            *op.ai.last_mut().expect("just pushed") = project;
            let flows = DayFlows { capex_usd: capex, sales_usd: sales, ..DayFlows::default() };
            op.balances = settle_day(op.balances, &flows, self.price.price_usd(), 0.0, 0.0).balances;
            stats.capex_usd += capex;
            stats.pivots += 1;
            self.log_event(d, i, "pivot", mw, th_stored, capex, None);
        }
    }

    /// Each insolvent operator's site is bought at a fire-sale price by the largest liquid
    /// group for which its machines still pay; if none will, its machines go to the secondary
    /// market and the site goes dark.
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
        let n = self.population.operators.len();
        let mut group_mw = vec![0.0; n];
        for o in self.population.operators.iter().filter(|o| o.state == OperatorState::Active) {
            group_mw[o.owner as usize] += o.site_mw;
        }
        let mut is_insolvent = vec![false; n];
        for &i in &insolvent {
            is_insolvent[i] = true;
        }
        for i in insolvent {
            let target = &self.population.operators[i];
            if target.state != OperatorState::Active {
                continue;
            }
            let value: f64 = target.fleet.iter().map(|v| v.th_s * pricing.price_usd_per_th(v.j_per_th)).sum::<f64>()
                * (1.0 - self.hardware.fire_sale_discount);
            let pays =
                target.fleet.iter().any(|v| hp >= power_cost_usd_per_th_day(v.j_per_th, target.power_usd_per_kwh));
            let target_owner = target.owner;
            let buyer = if pays {
                (0..n)
                    .filter(|&j| {
                        let b = &self.population.operators[j];
                        j != i
                            && !is_insolvent[j]
                            && b.state == OperatorState::Active
                            && b.rule == DecisionRule::Profitable
                            && b.owner != target_owner
                            && b.balances.liquidity_usd() >= value
                    })
                    .max_by(|&a, &b| {
                        let (ga, gb) = (
                            group_mw[self.population.operators[a].owner as usize],
                            group_mw[self.population.operators[b].owner as usize],
                        );
                        ga.total_cmp(&gb).then(b.cmp(&a))
                    })
            } else {
                None
            };
            match buyer {
                Some(j) => {
                    let price = self.price.price_usd();
                    let b = &mut self.population.operators[j];
                    b.balances =
                        settle_day(b.balances, &DayFlows { capex_usd: value, ..DayFlows::default() }, price, 0.0, 0.0)
                            .balances;
                    let owner = b.owner;
                    let t = &mut self.population.operators[i];
                    t.owner = owner;
                    t.balances = crate::agents::finance::Balances { credit_limit_usd: value, ..Default::default() };
                    t.days_all_idle = 0;
                    group_mw[owner as usize] += t.site_mw;
                    stats.acquisitions += 1;
                    let (mw, th) = (t.site_mw, t.installed_th_s());
                    self.log_event(d, i, "acquisition", mw, th, value, Some(j));
                }
                None => {
                    let th = self.population.operators[i].installed_th_s();
                    let mw = self.population.operators[i].site_mw;
                    let proceeds = self.close_down(i, d, pricing, OperatorState::Bankrupt);
                    stats.bankruptcies += 1;
                    self.log_event(d, i, "bankruptcy", mw, th, proceeds, None);
                }
            }
        }
    }
}
