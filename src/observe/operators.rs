//! `operators.csv`: one row per operator, its state at the end of the run, read from the
//! final world.

use super::W_PER_MW;
use crate::engine::World;
use serde::Serialize;

/// One row of `operators.csv`: an operator's state at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorRow {
    pub replicate: u32,
    pub operator_id: usize,
    pub name: String,
    /// The group it belongs to at the end (its own id unless acquired).
    pub owner_id: u32,
    pub jurisdiction: String,
    pub state: &'static str,
    /// Insolvent at the last settlement; bought or closed the next morning.
    pub in_default: bool,
    pub site_mw: f64,
    pub mining_mw: f64,
    pub ai_mw: f64,
    pub installed_th_s: f64,
    pub running_th_s: f64,
    /// Hashrate-weighted mean efficiency of the installed machines; empty without machines.
    pub efficiency_j_per_th: Option<f64>,
    pub power_usd_per_kwh: f64,
    /// Share of the power price owed whether the machines run or not.
    pub power_fixed_share: f64,
    pub expectation: crate::agents::Expectation,
    pub hurdle_rate: f64,
    pub cash_usd: f64,
    pub treasury_btc: f64,
    pub debt_usd: f64,
    pub credit_limit_usd: f64,
    pub blocks_won: u32,
    pub revenue_btc: f64,
    pub btc_sold: f64,
    pub power_cost_usd: f64,
    pub ai_revenue_usd: f64,
    /// `pool` or `solo` (what `revenue_btc` was paid as).
    pub payout: crate::scenario::Payout,
    /// The pool it mines in (empty for a solo miner).
    pub pool: String,
    /// Whether the site could convert to AI hosting.
    pub convertible: bool,
}

/// The final state of every operator of `world`.
pub fn operator_rows(world: &World) -> impl Iterator<Item = OperatorRow> + '_ {
    let p = &world.population;
    let mut in_default = vec![false; p.operators.len()];
    for &i in &world.in_default {
        in_default[i] = true;
    }
    p.operators.iter().enumerate().map(move |(i, o)| {
        let th = o.installed_th_s();
        OperatorRow {
            replicate: world.replicate,
            operator_id: i,
            name: p.name(i),
            owner_id: o.owner,
            jurisdiction: p.jurisdictions[o.jurisdiction as usize].clone(),
            state: o.state.as_str(),
            in_default: in_default[i],
            site_mw: o.site_mw,
            mining_mw: o.mining_mw(),
            ai_mw: o.ai_mw(),
            installed_th_s: th,
            running_th_s: o.running_th_s(),
            efficiency_j_per_th: (th > 0.0).then(|| o.installed_mw() * W_PER_MW / th),
            power_usd_per_kwh: o.power_usd_per_kwh,
            power_fixed_share: o.power_fixed_share,
            expectation: o.expectation,
            hurdle_rate: o.hurdle_rate,
            cash_usd: o.balances.cash_usd,
            treasury_btc: o.balances.treasury_btc,
            debt_usd: o.balances.debt_usd,
            credit_limit_usd: o.balances.credit_limit_usd,
            blocks_won: o.blocks_won,
            revenue_btc: o.revenue.to_btc(),
            btc_sold: o.btc_sold,
            power_cost_usd: o.power_cost_usd,
            ai_revenue_usd: o.ai_revenue_usd,
            payout: o.payout,
            pool: p.pools.names.get(o.pool as usize).cloned().unwrap_or_default(),
            convertible: o.convertible,
        }
    })
}
