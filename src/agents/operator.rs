//! A mining operator: one site with a power contract, a fleet of hardware vintages, AI hosting
//! projects, a balance sheet and a way of thinking.

use super::decision::Expectation;
use super::finance::Balances;
use super::hardware::Vintage;
use crate::scenario::{DecisionRule, Payout};
use crate::units::{Sat, KWH_PER_MW_DAY};
use thin_vec::ThinVec;

/// Where an operator is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorState {
    Active,
    /// Left voluntarily: machines sold, site dark.
    Exited,
    /// Insolvent and not bought: machines sold on the secondary market, site dark.
    Bankrupt,
}

impl OperatorState {
    pub fn as_str(self) -> &'static str {
        match self {
            OperatorState::Active => "active",
            OperatorState::Exited => "exited",
            OperatorState::Bankrupt => "bankrupt",
        }
    }
}

/// Capacity converted to AI/HPC hosting.
#[derive(Debug, Clone, PartialEq)]
pub struct AiProject {
    pub mw: f64,
    /// First day the hall earns revenue.
    pub online_day: u32,
    /// Day the contract ends (the decision to renew or return is taken that day).
    pub end_day: u32,
    pub revenue_usd_per_mw_year: f64,
    /// Machines taken out of the site for the conversion and kept in storage.
    pub stored: Vec<Vintage>,
    /// The tenant walked away (an AI shock): the contract ends without renewal.
    pub terminated: bool,
}

impl AiProject {
    pub fn online(&self, day: u32) -> bool {
        day >= self.online_day
    }
}

/// Machines ordered and not yet delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub th_s: f64,
    pub j_per_th: f64,
    pub deliver_day: u32,
}

/// Site capacity under construction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteBuild {
    pub mw: f64,
    /// First day the new capacity can hold machines.
    pub online_day: u32,
}

/// One operator.
#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    /// The group it belongs to: its own index, or its acquirer's group.
    pub owner: u32,
    pub jurisdiction: u16,
    pub site_mw: f64,
    /// Delivered power price, all in, USD/kWh.
    pub power_usd_per_kwh: f64,
    /// Share of `power_usd_per_kwh` owed on the connected machines whether they run or not
    /// (demand charges, take-or-pay minimums); the rest is paid per kWh used.
    pub power_fixed_share: f64,
    /// The site's uniform draw against its jurisdiction's demand-response share: it holds such
    /// a contract where the share exceeds it (1: never). Drawn once, so a site that moves
    /// takes its chance in the new jurisdiction.
    pub demand_response_draw: f64,
    /// The pool it mines in: an index into `Population::pools` (a solo miner's own entity).
    pub pool: u32,
    pub fleet: Vec<Vintage>,
    /// Rarely any, so a pointer (`ThinVec`: the length lives with the items) rather than a
    /// `Vec`'s three words: the record is read for every operator every day.
    pub orders: ThinVec<Order>,
    /// Expansion of the site under construction, if any (boxed for the same reason).
    pub building: Option<Box<SiteBuild>>,
    pub ai: ThinVec<AiProject>,
    pub balances: Balances,
    pub interest_rate: f64,
    pub sell_share: f64,
    pub rule: DecisionRule,
    pub expectation: Expectation,
    pub hurdle_rate: f64,
    pub state: OperatorState,
    /// Consecutive days on which none of its machines ran.
    pub days_all_idle: u32,
    /// BTC won since the last daily settlement.
    pub mined_btc_unsettled: f64,
    pub blocks_won: u32,
    /// What it earned mining: its pool's payouts, or the blocks it found if it mines solo.
    pub revenue: Sat,
    /// Paid by a pool for its work, or whole blocks solo.
    pub payout: Payout,
    /// Whether the site has the power, land and fibre to convert to AI hosting.
    pub convertible: bool,
    pub power_cost_usd: f64,
    pub btc_sold: f64,
    pub ai_revenue_usd: f64,
}

impl Operator {
    /// An active operator with an empty site and nothing earned yet; callers fill in what
    /// they know with struct-update syntax (`Operator { site_mw, ..Operator::blank(owner) }`).
    pub fn blank(owner: u32) -> Operator {
        Operator {
            owner,
            jurisdiction: 0,
            site_mw: 0.0,
            power_usd_per_kwh: 0.0,
            power_fixed_share: 0.0,
            demand_response_draw: 1.0,
            pool: 0,
            fleet: Vec::new(),
            orders: ThinVec::new(),
            building: None,
            ai: ThinVec::new(),
            balances: Balances::default(),
            interest_rate: 0.0,
            sell_share: 1.0,
            rule: DecisionRule::Profitable,
            expectation: Expectation::Myopic,
            hurdle_rate: 0.1,
            state: OperatorState::Active,
            days_all_idle: 0,
            mined_btc_unsettled: 0.0,
            blocks_won: 0,
            revenue: Sat::ZERO,
            payout: Payout::Pool,
            convertible: true,
            power_cost_usd: 0.0,
            btc_sold: 0.0,
            ai_revenue_usd: 0.0,
        }
    }

    /// Hashrate of the machines running today, TH/s.
    pub fn running_th_s(&self) -> f64 {
        self.fleet.iter().filter(|v| v.running).map(|v| v.th_s).sum()
    }

    /// Hashrate of the machines installed at the site, TH/s.
    pub fn installed_th_s(&self) -> f64 {
        self.fleet.iter().map(|v| v.th_s).sum()
    }

    /// Power the installed machines draw when all run, MW.
    pub fn installed_mw(&self) -> f64 {
        self.fleet.iter().map(Vintage::mw).sum()
    }

    /// Site capacity committed to AI (building or online), MW.
    pub fn ai_mw(&self) -> f64 {
        self.ai.iter().map(|p| p.mw).sum()
    }

    /// Site capacity left for mining, MW.
    pub fn mining_mw(&self) -> f64 {
        (self.site_mw - self.ai_mw()).max(0.0)
    }

    pub fn hosts_ai(&self) -> bool {
        !self.ai.is_empty()
    }

    /// What a kWh used costs on top of the fixed charges, USD: the price that decides
    /// whether a machine runs today. `p (1 - phi)`.
    pub fn energy_usd_per_kwh(&self) -> f64 {
        self.power_usd_per_kwh * (1.0 - self.power_fixed_share)
    }

    /// The fixed power charges of a day, USD: owed on the installed machines' full draw,
    /// running or idle. `phi p * MW * 24,000 kWh`.
    pub fn fixed_power_usd_per_day(&self) -> f64 {
        self.power_fixed_share * self.power_usd_per_kwh * self.installed_mw() * KWH_PER_MW_DAY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a field that grows the record read for every operator every day (a
    /// million-miner run holds a million of them: 248 bytes before the rarely used lists
    /// became one pointer each; docs/PERFORMANCE.md, "Memory").
    #[test]
    fn the_operator_record_stays_small() {
        assert_eq!(std::mem::size_of::<Operator>(), 200);
    }

    #[test]
    fn capacity_accounting() {
        let op = Operator {
            site_mw: 100.0,
            power_usd_per_kwh: 0.05,
            fleet: vec![
                Vintage { th_s: 1e6, j_per_th: 20.0, running: true },
                Vintage { th_s: 1e6, j_per_th: 30.0, running: false },
            ],
            ai: thin_vec::thin_vec![AiProject {
                mw: 40.0,
                online_day: 10,
                end_day: 100,
                revenue_usd_per_mw_year: 1e6,
                stored: vec![],
                terminated: false,
            }],
            ..Operator::blank(0)
        };
        assert_eq!(op.running_th_s(), 1e6);
        assert_eq!(op.installed_th_s(), 2e6);
        assert_eq!(op.installed_mw(), 50.0);
        assert_eq!(op.mining_mw(), 60.0);
        assert!(!op.ai[0].online(9) && op.ai[0].online(10));
    }

    /// Hand-worked: $0.05/kWh with 30% fixed: a kWh used costs $0.035; 50 MW of machines
    /// installed (one vintage idle) owe 0.3 * 0.05 * 50 * 24,000 = $18,000 a day whatever
    /// runs. Bug caught: the fixed charge on running machines only, or on the site's MW
    /// rather than the machines connected.
    #[test]
    fn power_splits_into_energy_and_fixed_charges() {
        let op = Operator {
            site_mw: 100.0,
            power_usd_per_kwh: 0.05,
            power_fixed_share: 0.3,
            fleet: vec![
                Vintage { th_s: 1e6, j_per_th: 20.0, running: true },
                Vintage { th_s: 1e6, j_per_th: 30.0, running: false },
            ],
            ..Operator::blank(0)
        };
        assert!((op.energy_usd_per_kwh() - 0.035).abs() < 1e-15);
        assert!((op.fixed_power_usd_per_day() - 18_000.0).abs() < 1e-6);
        assert_eq!(Operator { power_fixed_share: 0.0, ..op.clone() }.fixed_power_usd_per_day(), 0.0);
    }
}
