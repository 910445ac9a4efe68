//! A mining operator: one site with a power contract, a fleet of hardware vintages, AI hosting
//! projects, a balance sheet and a way of thinking.

use super::decision::Expectation;
use super::finance::Balances;
use super::hardware::{Fleet, Vintage};
use crate::scenario::{DecisionRule, Payout};
use crate::units::{Sat, KWH_PER_MW_DAY};

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

/// What an operator has under way: machines on order, site capacity under construction and
/// AI hosting halls. Most operators have none (every one of CORE-1's), so the record holds one
/// pointer for the three (24 bytes before: 16 MB at a million operators), allocated while
/// something is under way and freed when the last of it ends: a day's reads of an operator
/// with nothing under way are one test of the pointer. Equality and `Debug` compare what is
/// under way.
#[derive(Clone, Default)]
pub struct Projects(Option<Box<UnderWay>>);

#[derive(Debug, Clone, Default, PartialEq)]
struct UnderWay {
    orders: Vec<Order>,
    building: Option<SiteBuild>,
    ai: Vec<AiProject>,
}

impl Projects {
    /// These orders, build and halls (no allocation if there are none).
    pub fn of(orders: Vec<Order>, building: Option<SiteBuild>, ai: Vec<AiProject>) -> Projects {
        let none = orders.is_empty() && building.is_none() && ai.is_empty();
        Projects((!none).then(|| Box::new(UnderWay { orders, building, ai })))
    }

    /// Machines ordered and not yet delivered.
    pub fn orders(&self) -> &[Order] {
        self.0.as_ref().map_or(&[], |u| &u.orders)
    }

    /// Site capacity under construction, if any.
    pub fn building(&self) -> Option<&SiteBuild> {
        self.0.as_ref().and_then(|u| u.building.as_ref())
    }

    /// Capacity converted to AI hosting (building or online).
    pub fn ai(&self) -> &[AiProject] {
        self.0.as_ref().map_or(&[], |u| &u.ai)
    }

    /// Nothing on order, being built or hosting AI: what the merit order asks of a unit.
    pub fn is_empty(&self) -> bool {
        self.orders().is_empty() && self.building().is_none() && self.ai().is_empty()
    }

    fn under_way(&mut self) -> &mut UnderWay {
        self.0.get_or_insert_with(Box::default)
    }

    /// Frees the allocation once nothing is under way (after every change that can end a
    /// project).
    fn tidy(&mut self) {
        if self.is_empty() {
            self.0 = None;
        }
    }

    /// The orders, to change in place.
    pub fn orders_mut(&mut self) -> &mut [Order] {
        self.0.as_mut().map_or(&mut [], |u| &mut u.orders)
    }

    /// The AI halls, to change in place.
    pub fn ai_mut(&mut self) -> &mut [AiProject] {
        self.0.as_mut().map_or(&mut [], |u| &mut u.ai)
    }

    pub fn push_order(&mut self, order: Order) {
        self.under_way().orders.push(order);
    }

    pub fn push_ai(&mut self, project: AiProject) {
        self.under_way().ai.push(project);
    }

    /// Keeps the orders for which `keep` holds, in order (`Vec::retain`).
    pub fn retain_orders(&mut self, keep: impl FnMut(&Order) -> bool) {
        if let Some(u) = self.0.as_mut() {
            u.orders.retain(keep);
            self.tidy();
        }
    }

    /// Hall `k`, taken out.
    pub fn remove_ai(&mut self, k: usize) -> AiProject {
        let p = self.under_way().ai.remove(k);
        self.tidy();
        p
    }

    /// Every hall, taken out.
    pub fn take_ai(&mut self) -> Vec<AiProject> {
        let halls = self.0.as_mut().map(|u| std::mem::take(&mut u.ai)).unwrap_or_default();
        self.tidy();
        halls
    }

    /// Starts building `b` (replacing any build under way).
    pub fn start_building(&mut self, b: SiteBuild) {
        self.under_way().building = Some(b);
    }

    /// The build under way, taken if it is online by day `d`.
    pub fn take_building_online(&mut self, d: u32) -> Option<SiteBuild> {
        let b = self.0.as_mut()?.building.take_if(|b| b.online_day <= d);
        self.tidy();
        b
    }

    /// Drops every order (the machines will not come).
    pub fn cancel_orders(&mut self) {
        if let Some(u) = self.0.as_mut() {
            u.orders.clear();
            self.tidy();
        }
    }

    /// Whether an allocation is held (the tests' check that it is freed).
    #[cfg(test)]
    fn allocated(&self) -> bool {
        self.0.is_some()
    }

    /// Orders, build and halls as one value, for equality and `Debug` (allocated or not).
    fn parts(&self) -> (&[Order], Option<&SiteBuild>, &[AiProject]) {
        (self.orders(), self.building(), self.ai())
    }
}

impl PartialEq for Projects {
    fn eq(&self, other: &Projects) -> bool {
        self.parts() == other.parts()
    }
}

impl std::fmt::Debug for Projects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (orders, building, ai) = self.parts();
        f.debug_struct("Projects").field("orders", &orders).field("building", &building).field("ai", &ai).finish()
    }
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
    /// The pool it mines in: an index into `Population::pools` (a solo miner's own entity).
    pub pool: u32,
    pub fleet: Fleet,
    /// Machines on order, a site build and AI halls (one pointer: the record is read for
    /// every operator every day).
    pub projects: Projects,
    pub balances: Balances,
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
            pool: 0,
            fleet: Fleet::new(),
            projects: Projects::default(),
            balances: Balances::default(),
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

    /// Machines ordered and not yet delivered.
    pub fn orders(&self) -> &[Order] {
        self.projects.orders()
    }

    /// Expansion of the site under construction, if any.
    pub fn building(&self) -> Option<&SiteBuild> {
        self.projects.building()
    }

    /// Capacity converted to AI/HPC hosting.
    pub fn ai(&self) -> &[AiProject] {
        self.projects.ai()
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
        self.ai().iter().map(|p| p.mw).sum()
    }

    /// Site capacity left for mining, MW.
    pub fn mining_mw(&self) -> f64 {
        (self.site_mw - self.ai_mw()).max(0.0)
    }

    pub fn hosts_ai(&self) -> bool {
        !self.ai().is_empty()
    }

    /// What a kWh used costs on top of the fixed charges, USD: the price that decides
    /// whether a machine runs today. `p (1 - phi)`.
    pub fn energy_usd_per_kwh(&self) -> f64 {
        self.power_usd_per_kwh * (1.0 - self.power_fixed_share)
    }

    /// The fixed power charges of a day, USD: owed on the installed machines' full draw,
    /// running or idle. `phi p * MW * 24,000 kWh`.
    pub fn fixed_power_usd_per_day(&self) -> f64 {
        self.fixed_power_usd_per_day_for(self.installed_mw())
    }

    /// [`Self::fixed_power_usd_per_day`] for machines drawing `installed_mw` when all run, as
    /// a walk over the fleet that adds up the draws in fleet order has it (settlement's).
    #[inline(always)]
    pub fn fixed_power_usd_per_day_for(&self, installed_mw: f64) -> f64 {
        self.power_fixed_share * self.power_usd_per_kwh * installed_mw * KWH_PER_MW_DAY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: a field that grows the record read for every operator every day (a
    /// million-miner run holds a million of them: 248 bytes before the rarely used lists
    /// became one pointer each, 200 before the projects became one pointer for the three,
    /// the fleet's first vintage moved in, the population's finance terms out and the
    /// demand-response draw worked out where it is asked for;
    /// docs/PERFORMANCE.md, "Memory at a million miners").
    #[test]
    fn the_operator_record_stays_small() {
        assert_eq!(std::mem::size_of::<Operator>(), 168);
    }

    /// A fleet of one vintage needs no allocation of its own (CORE-1's sites: 32 bytes an
    /// operator). Bug caught: `Fleet` back to a `Vec`, or an inline capacity of none.
    #[test]
    fn one_vintage_lives_in_the_record() {
        let mut fleet = Fleet::new();
        fleet.push(Vintage { th_s: 1.0, j_per_th: 20.0, running: true });
        assert!(!fleet.spilled());
        fleet.push(Vintage { th_s: 1.0, j_per_th: 30.0, running: true });
        assert!(fleet.spilled());
    }

    /// The projects' allocation lives while something is under way: every change that can
    /// end the last project frees it, and reads of what is not under way allocate nothing;
    /// an operator whose orders were delivered equals, and prints as, one that never ordered
    /// (the merit order's oracle compares worlds by `Debug`). Bug caught: a change that leaves
    /// an empty allocation (a day's reads then chase it for every such operator), a read
    /// that allocates, or the derived forms telling an empty allocation from none.
    #[test]
    fn projects_are_allocated_while_something_is_under_way() {
        let none = Projects::default();
        let order = Order { th_s: 1.0, j_per_th: 20.0, deliver_day: 3 };
        let hall = AiProject {
            mw: 1.0,
            online_day: 0,
            end_day: 9,
            revenue_usd_per_mw_year: 1.0,
            stored: vec![],
            terminated: false,
        };
        assert!(!Projects::of(vec![], None, vec![]).allocated());
        let mut p = Projects::default();
        assert!(p.orders_mut().is_empty() && p.ai_mut().is_empty() && !p.allocated(), "reads allocate nothing");
        p.cancel_orders();
        p.retain_orders(|_| false);
        assert!(p.take_building_online(0).is_none() && p.take_ai().is_empty() && !p.allocated());

        p.push_order(order.clone());
        assert!(p.allocated() && !p.is_empty() && p != none);
        p.retain_orders(|o| o.deliver_day > 3);
        assert!(!p.allocated() && p.is_empty());
        assert_eq!((&p, format!("{p:?}")), (&none, format!("{none:?}")));
        p.push_order(order.clone());
        p.cancel_orders();
        assert!(!p.allocated());

        p.start_building(SiteBuild { mw: 5.0, online_day: 10 });
        p.push_order(order);
        assert_eq!(p.take_building_online(9), None, "not online yet");
        assert_eq!(p.take_building_online(10), Some(SiteBuild { mw: 5.0, online_day: 10 }));
        assert!(p.allocated(), "the order is still under way");
        p.cancel_orders();
        assert!(!p.allocated());

        p.push_ai(hall.clone());
        p.push_ai(hall.clone());
        assert_eq!(p.remove_ai(0), hall);
        assert!(p.allocated());
        assert_eq!(p.take_ai(), vec![hall.clone()]);
        assert!(!p.allocated());
        p.push_ai(hall);
        p.remove_ai(0);
        assert!(!p.allocated() && p == none);
    }

    #[test]
    fn capacity_accounting() {
        let op = Operator {
            site_mw: 100.0,
            power_usd_per_kwh: 0.05,
            fleet: smallvec::smallvec![
                Vintage { th_s: 1e6, j_per_th: 20.0, running: true },
                Vintage { th_s: 1e6, j_per_th: 30.0, running: false },
            ],
            projects: Projects::of(
                vec![],
                None,
                vec![AiProject {
                    mw: 40.0,
                    online_day: 10,
                    end_day: 100,
                    revenue_usd_per_mw_year: 1e6,
                    stored: vec![],
                    terminated: false,
                }],
            ),
            ..Operator::blank(0)
        };
        assert_eq!(op.running_th_s(), 1e6);
        assert_eq!(op.installed_th_s(), 2e6);
        assert_eq!(op.installed_mw(), 50.0);
        assert_eq!(op.mining_mw(), 60.0);
        assert!(!op.ai()[0].online(9) && op.ai()[0].online(10));
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
            fleet: smallvec::smallvec![
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
