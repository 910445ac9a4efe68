//! An operator's plan for the day: which of its vintages run and, on the days it reviews its
//! strategy, what it does strategically. A pure function of what the operator sees of itself
//! and of the market, so every operator plans on the same observed day and the order in which
//! operators are visited cannot change a plan.

use super::decision::{
    run_vintage, strategic, AiOffer, HardwareOffer, MarketView, OperatorView, Strategy, StrategyParams,
};

/// What every operator plans on today, besides its own view and the market view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanTerms<'a> {
    pub ai_offer: &'a AiOffer,
    pub hw_offer: &'a HardwareOffer,
    pub params: &'a StrategyParams,
    /// What restarting an idle machine costs, USD per TH/s (`hardware.restart_cost_usd_per_th`).
    pub restart_cost_usd_per_th: f64,
    /// Days within which a restart must pay for itself (`hardware.restart_payback_days`).
    pub restart_payback_days: f64,
}

/// The operator's day.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Whether each vintage of `OperatorView::fleet` runs today, in the fleet's order.
    pub runs: Vec<bool>,
    /// Consecutive days with every machine idle, today included.
    pub days_all_idle: u32,
    /// The strategic choice, on a day the operator reviews its strategy.
    pub strategy: Option<Strategy>,
    /// The pool it moves to, on a review day (`agents::pool_choice`; set by the engine, which
    /// holds the pools' offers).
    pub pool: Option<u32>,
}

/// Plans the day of an operator that sees itself as `op` (its fleet aged and its deliveries
/// taken) and the market as `m`; `reviews_strategy` says whether today is one of its strategy
/// days. The strategic choice is taken on the day's run decisions (`days_all_idle` counts
/// today), as `agents::decision::strategic` documents.
pub fn plan(op: &OperatorView, m: &MarketView, t: &PlanTerms, reviews_strategy: bool) -> Plan {
    let hp = m.operating_hashprice_usd_per_th_day;
    let runs: Vec<bool> = op
        .fleet
        .iter()
        .map(|v| {
            let (cost, payback) = (t.restart_cost_usd_per_th, t.restart_payback_days);
            run_vintage(op.rule, v.running, v.j_per_th, op.energy_usd_per_kwh, hp, cost, payback)
        })
        .collect();
    let days_all_idle = if runs.iter().any(|&r| r) { 0 } else { op.days_all_idle + 1 };
    let strategy = reviews_strategy.then(|| {
        let today = OperatorView { days_all_idle, ..op.clone() };
        strategic(&today, m, t.ai_offer, t.hw_offer, t.params)
    });
    Plan { runs, days_all_idle, strategy, pool: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::decision::Expectation;
    use crate::agents::hardware::{Fleet, Vintage};
    use crate::scenario::DecisionRule;

    fn view(fleet: Fleet, days_all_idle: u32) -> OperatorView {
        OperatorView {
            rule: DecisionRule::Profitable,
            expectation: Expectation::Myopic,
            hurdle_rate: 0.15,
            power_usd_per_kwh: 0.05,
            energy_usd_per_kwh: 0.05,
            mining_mw: 10.0,
            fleet,
            on_order_mw: 0.0,
            building_mw: 0.0,
            liquidity_usd: 0.0,
            hosts_ai: false,
            days_all_idle,
            may_pivot: false,
            max_pivot_share: 0.0,
        }
    }

    const AI: AiOffer = AiOffer {
        revenue_usd_per_mw_year: 0.0,
        opex_share: 0.0,
        capex_usd_per_mw: 0.0,
        build_days: 0.0,
        contract_years: 1.0,
        min_mw: 1.0,
        available_mw: 0.0,
    };
    /// New machines that cannot pay for themselves: no upgrade (the decision tests' offer at
    /// 15 J/TH and $1e9 per TH/s).
    fn hw() -> HardwareOffer {
        HardwareOffer { j_per_th: 15.0, price_usd_per_th: 1e9, ..crate::agents::decision::tests::hw() }
    }
    const PARAMS: StrategyParams = StrategyParams {
        horizon_days: 180.0,
        exit_after_idle_days: 2,
        site_usd_per_mw: 325_000.0,
        site_build_days: 180.0,
        max_expansion_share: 0.0,
    };

    fn market(hp: f64) -> MarketView {
        MarketView {
            hashprice_usd_per_th_day: hp,
            hashprice_ema_usd_per_th_day: hp,
            operating_hashprice_usd_per_th_day: hp,
            settled_hashprice_usd_per_th_day: hp,
            subsidy_share: 1.0,
            days_to_halving: 1000.0,
            btc_price_usd: 1.0,
            network_th_s: 1e9,
            pipeline_th_s: 0.0,
            growth_trend_per_year: 0.0,
            hashprice_after_halvings: crate::agents::view::reward_after_halvings(1.0),
        }
    }

    /// Hand-worked: at $0.05/kWh a machine of e J/TH costs e * 0.024 * 0.05 = 0.0012 e USD per
    /// TH/s per day. At a hashprice of 0.04: 20 J/TH costs 0.024 (runs), 40 J/TH costs 0.048
    /// (idles). A restart cost of 0.1 USD/TH paid back in 10 days needs a margin of 0.01:
    /// an idle 25 J/TH machine (margin 0.04 - 0.03 = 0.01) restarts, an idle 30 J/TH machine
    /// (margin 0.004) does not, though a running one keeps running.
    /// Bug caught: a plan that ignores the idle state (no hysteresis) or the vintage's order.
    #[test]
    fn runs_the_vintages_that_pay_with_restart_hysteresis() {
        let v = |e: f64, running: bool| Vintage { th_s: 100.0, j_per_th: e, running };
        let fleet = smallvec::smallvec![v(20.0, true), v(40.0, true), v(25.0, false), v(30.0, false), v(30.0, true)];
        let t = PlanTerms {
            ai_offer: &AI,
            hw_offer: &hw(),
            params: &PARAMS,
            restart_cost_usd_per_th: 0.1,
            restart_payback_days: 10.0,
        };
        let p = plan(&view(fleet, 5), &market(0.04), &t, false);
        assert_eq!(p.runs, vec![true, false, true, false, true]);
        assert_eq!(p.days_all_idle, 0);
        assert_eq!(p.strategy, None);
    }

    /// Hand-worked: at a hashprice of 0.01 nothing pays (20 J/TH costs 0.024); yesterday's
    /// count of 1 idle day becomes 2 today, which reaches `exit_after_idle_days` = 2, and new
    /// machines have a negative NPV: the operator exits.
    /// Bug caught: the strategic choice taken on yesterday's idle count (the fused pass
    /// updates the count before deciding), which would hold one more day.
    #[test]
    fn strategy_sees_todays_idle_count() {
        let fleet = smallvec::smallvec![Vintage { th_s: 100.0, j_per_th: 20.0, running: true }];
        let t = PlanTerms {
            ai_offer: &AI,
            hw_offer: &hw(),
            params: &PARAMS,
            restart_cost_usd_per_th: 0.0,
            restart_payback_days: 1.0,
        };
        let p = plan(&view(fleet, 1), &market(0.01), &t, true);
        assert_eq!(p.runs, vec![false]);
        assert_eq!(p.days_all_idle, 2);
        assert_eq!(p.strategy, Some(Strategy::Exit));
    }
}
