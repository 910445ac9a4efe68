//! `operators.csv`: one row per operator, its state at the end of the run, read from the
//! final world.

use super::W_PER_MW;
use crate::engine::World;
use serde::{Serialize, Serializer};

/// One row of `operators.csv`: an operator's state at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorRow<'a> {
    pub replicate: u32,
    pub operator_id: usize,
    pub name: OperatorName<'a>,
    /// The group it belongs to at the end (its own id unless acquired).
    pub owner_id: u32,
    pub jurisdiction: &'a str,
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
    pub pool: &'a str,
    /// Whether the site could convert to AI hosting.
    pub convertible: bool,
}

/// An operator's name: its own, or `op<index>` for a generated one
/// (`agents::names::OperatorNames::name`), written without a string of its own per row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OperatorName<'a> {
    Named(&'a str),
    Generated(usize),
}

impl Serialize for OperatorName<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            OperatorName::Named(name) => s.serialize_str(name),
            OperatorName::Generated(i) => {
                let mut digits = itoa::Buffer::new();
                let digits = digits.format(i);
                let mut name = [0u8; 2 + 20];
                name[..2].copy_from_slice(b"op");
                name[2..2 + digits.len()].copy_from_slice(digits.as_bytes());
                s.serialize_str(std::str::from_utf8(&name[..2 + digits.len()]).unwrap_or_default())
            }
        }
    }
}

/// The final state of every operator of `world`.
pub fn operator_rows(world: &World) -> impl Iterator<Item = OperatorRow<'_>> + '_ {
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
            name: match p.names.get(i) {
                Some(name) => OperatorName::Named(name),
                None => OperatorName::Generated(i),
            },
            owner_id: o.owner,
            jurisdiction: &p.jurisdictions[o.jurisdiction as usize],
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
            pool: p.pools.names.get(o.pool as usize).map_or("", String::as_str),
            convertible: o.convertible,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a generated operator named otherwise than `OperatorNames` names it (the
    /// digits cut, an index off by one).
    #[test]
    fn generated_names_are_the_populations() {
        let names = crate::agents::names::OperatorNames::default();
        for i in [0, 2, 10, 99_999, usize::MAX] {
            let mut out = Vec::new();
            crate::output::record::write_record(&mut out, &Row { name: OperatorName::Generated(i) }).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), format!("{}\n", names.name(i)));
        }
        let mut out = Vec::new();
        crate::output::record::write_record(&mut out, &Row { name: OperatorName::Named("a,b") }).unwrap();
        assert_eq!(out, b"\"a,b\"\n");
    }

    #[derive(Serialize)]
    struct Row<'a> {
        name: OperatorName<'a>,
    }
}
