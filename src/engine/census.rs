//! The day's census of the operators: what the start-of-day row, the block-winner sampler and
//! the concentration metrics need to know about every operator once the day's decisions are
//! taken. The day counts it after settlement (`day.rs`); the fast path fills it in the same pass
//! as the settlement (`fused.rs`), so the operators are walked once, not once to pay and once
//! to look.

use super::curtail::SiteCurtailment;
use crate::agents::hardware::{Pricing, Vintage};
use crate::agents::{Operator, OperatorState};
use crate::prefetch::prefetch;
use crate::scenario::Payout;
use crate::units::grid;

/// Running hashrate by operator, group and jurisdiction, and the network's totals. The
/// buffers are reused from day to day, so the daily loop does not allocate.
#[derive(Debug, Clone, Default)]
pub struct Census {
    /// Running TH/s of each operator (0 for operators that are not active): the weights of the
    /// block-winner draw.
    pub running_th_s: Vec<f64>,
    /// Running TH/s of each operator group (indexed by the group's owner).
    pub by_owner_th_s: Vec<f64>,
    /// Running TH/s of each jurisdiction.
    pub by_jurisdiction_th_s: Vec<f64>,
    /// Running TH/s of each pool (`Population::pools`; grown to the largest index seen).
    pub by_pool_th_s: Vec<f64>,
    /// Running TH/s each operator group mines in pools (indexed by the group's owner; empty
    /// until a pooled miner is counted). What it mines solo is the rest
    /// ([`Census::solo_owner_th_s`]): a solo miner's switch on a merit day updates one tally
    /// fewer (CORE-1 at 100,000 miners 0.97-0.99).
    pub by_pooled_owner_th_s: Vec<f64>,
    /// Whether any operator of the group hosts AI.
    pub hybrid_owner: Vec<bool>,
    pub totals: Totals,
    /// `Some(owners)` when only those operator groups' entries (repeats allowed) can differ
    /// from the previous day's census (a merit day, `merit.rs`); `None` after a full count.
    pub changed_owners: Option<Vec<u32>>,
    /// The machines at active sites as the security columns read them, when the day's pass
    /// took them ([`SiteMachines`]).
    pub machines: SiteMachines,
}

/// What the security columns (`observe::security`) read of every active site: its idle
/// machines, whether it hosts AI, and which group it belongs to when that is not its own. The
/// census pass takes them where each fleet is at hand (`settle::settle_and_count`, and
/// [`Census::count`] in the phased day), when asked to ([`SiteMachines::take_at`]); walking
/// every fleet again for them was a tenth of a full-model run. On merit days the merit order's
/// copy of the machines fills them (`engine::merit_machines`); the security columns walk the
/// fleets themselves only when neither took them at today's prices, and debug builds walk
/// after a census pass and compare.
///
/// The groups' machines at the secondary market's prices are not taken: only the groups of the
/// largest coalition asked for need them (a few hundred of CORE-1's 10,000, 90 of the
/// baseline's 3,000), and [`GroupValues`] works those out from the records when asked.
#[derive(Debug, Clone, Default)]
pub struct SiteMachines {
    /// The day they were taken, and the prices the machines were valued at.
    pub day: Option<u32>,
    pub pricing: Option<Pricing>,
    /// (TH/s, J/TH) of the machines idle at active sites, in operator then fleet order.
    pub idle: Vec<(f64, f64)>,
    /// The active operators hosting AI halls, in order.
    pub hosts: Vec<u32>,
    /// How many operator groups the day counts (group ids are below it).
    pub groups: usize,
    /// (group, operator) of the active operators whose group is not their own index (bought,
    /// or named members of a group), in operator order.
    pub others: Vec<(u32, u32)>,
    /// Taken from the merit order's copy of the machines (`engine::merit_machines`), whose
    /// running flags the records only get when the index is dropped.
    pub from_merit_copy: bool,
}

impl SiteMachines {
    /// Empties the tally; nothing is taken until [`SiteMachines::take_at`].
    fn clear(&mut self) {
        self.day = None;
        self.pricing = None;
        self.from_merit_copy = false;
        self.idle.clear();
        self.hosts.clear();
        self.groups = 0;
        self.others.clear();
    }

    /// Asks the next settlement pass over `operators` operators to take the machines, valued at
    /// `pricing` (it is marked as day `d`'s by the caller once every operator is counted).
    pub fn take_at(&mut self, pricing: Pricing, operators: usize) {
        self.clear();
        self.pricing = Some(pricing);
        self.groups = operators;
    }

    /// Takes active operator `i`: its idle machines, its group if not its own, and whether it
    /// hosts AI. Only while a pass takes them.
    #[inline(always)]
    pub fn take(&mut self, i: usize, op: &Operator) {
        if !self.taking() {
            return;
        }
        for v in &op.fleet {
            // Pushed, and taken back if it runs: whether a machine idles is a coin flip for
            // the branch predictor (CORE-1), and a missed branch cost more than the push.
            self.idle.push((v.th_s, v.j_per_th));
            let kept = self.idle.len() - usize::from(v.running);
            self.idle.truncate(kept);
        }
        self.take_site(i, op);
    }

    /// Whether the pass takes the machines today ([`SiteMachines::take_at`]).
    #[inline(always)]
    pub fn taking(&self) -> bool {
        self.pricing.is_some()
    }

    /// Takes idle machine `v` of the operator being taken, in fleet order: the settlement's
    /// walk over the fleet does, where it branches on whether each machine runs anyway.
    #[inline(always)]
    pub fn take_idle(&mut self, v: &Vintage) {
        self.idle.push((v.th_s, v.j_per_th));
    }

    /// Takes active operator `i` but for its fleet (taken machine by machine,
    /// [`SiteMachines::take_idle`]): its group if not its own, and whether it hosts AI.
    #[inline(always)]
    pub fn take_site(&mut self, i: usize, op: &Operator) {
        if op.owner as usize != i {
            self.others.push((op.owner, i as u32));
        }
        if op.hosts_ai() {
            self.hosts.push(i as u32);
        }
    }
}

/// Each operator group's machines at active sites, at the secondary market's prices, worked out
/// when asked: its active operators in index order, each one's fleet summed in fleet order from
/// zero, the sites added from zero. These are the sums, in this order, that the census pass
/// used to add for every group every day, so a value is the same bits.
#[derive(Debug, Clone, Copy)]
pub struct GroupValues<'a> {
    operators: &'a [Operator],
    pricing: Pricing,
    /// [`SiteMachines::others`] ordered by group, each group's in operator order.
    others_by_group: &'a [(u32, u32)],
}

impl<'a> GroupValues<'a> {
    /// The values of the groups of `operators` at `pricing`; `others_by_group` is
    /// [`SiteMachines::others`] sorted stably by group (`GroupValues::order`).
    pub fn new(operators: &'a [Operator], pricing: Pricing, others_by_group: &'a [(u32, u32)]) -> Self {
        debug_assert!(others_by_group.windows(2).all(|w| w[0] < w[1]), "others not in (group, operator) order");
        GroupValues { operators, pricing, others_by_group }
    }

    /// `others` ([`SiteMachines::others`]) copied into `into` in the order [`GroupValues::new`]
    /// reads.
    pub fn order(others: &[(u32, u32)], into: &mut Vec<(u32, u32)>) {
        into.clear();
        into.extend_from_slice(others);
        // Stable: each group's operators stay in operator order.
        into.sort_by_key(|&(group, _)| group);
    }

    /// Group `group`'s machines at active sites, USD.
    pub fn value_usd(&self, group: u32) -> f64 {
        let from = self.others_by_group.partition_point(|&(g, _)| g < group);
        let to = from + self.others_by_group[from..].partition_point(|&(g, _)| g == group);
        let others = &self.others_by_group[from..to];
        // The group's own operator (when it is in it) among the others, by index.
        let own = self
            .operators
            .get(group as usize)
            .filter(|op| op.state == OperatorState::Active && op.owner == group)
            .map(|_| group);
        let before = others.partition_point(|&(_, i)| i < group);
        let members =
            others[..before].iter().map(|&(_, i)| i).chain(own).chain(others[before..].iter().map(|&(_, i)| i));
        members.fold(0.0, |sum, i| sum + self.site_usd(&self.operators[i as usize]))
    }

    /// Group `group`'s value will be asked for soon: its own operator's record is fetched
    /// (at a million operators a cache miss each; the rare members of other indices are not).
    #[inline(always)]
    pub fn ask(&self, group: u32) {
        if let Some(op) = self.operators.get(group as usize) {
            prefetch(&op.state);
            prefetch(&op.owner);
            prefetch(&op.fleet);
        }
    }

    /// One site's fleet at the day's prices.
    fn site_usd(&self, op: &Operator) -> f64 {
        op.fleet.iter().fold(0.0, |sum, v| sum + v.th_s * self.pricing.price_usd_per_th(v.j_per_th))
    }
}

/// The network's totals, added up operator by operator in index order.
///
/// A plain `Copy` value so that the daily pass can keep it in a local, which the compiler is
/// free to hold in registers, and store it once at the end: as fields of the census behind
/// `&mut`, every operator's additions went through memory, since the compiler cannot tell the
/// census' fields from the buffers the same pass writes. The sums, and so the bits, are the
/// same either way.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub mining_th_s: f64,
    pub idle_th_s: f64,
    /// Running machines' hashrate taken by demand-response hours (`FleetTally::run`).
    pub curtailed_th_s: f64,
    /// Machines stored for AI conversions still being built / whose halls are online.
    pub pivoting_th_s: f64,
    pub ai_th_s: f64,
    /// Power drawn by the running machines.
    pub running_mw: f64,
    /// Every machine at active sites, installed or stored.
    pub sites_th_s: f64,
    /// Machines the active operators have on order and not yet delivered (what the next
    /// day's opening reads as the makers' order book, `snapshot::InvestmentCensus`).
    pub pipeline_th_s: f64,
    pub operators_active: u32,
    pub mining_operators: u32,
    pub operators_hybrid: u32,
    pub operators_exited: u32,
    pub operators_bankrupt: u32,
    pub mw_mining: f64,
    pub mw_ai_online: f64,
    pub mw_ai_building: f64,
    pub mw_dark: f64,
    /// Mining site capacity under construction at active operators.
    pub mw_building: f64,
}

impl Census {
    pub fn new(operators: usize, jurisdictions: usize) -> Census {
        Census {
            running_th_s: vec![0.0; operators],
            by_owner_th_s: vec![0.0; operators],
            by_jurisdiction_th_s: vec![0.0; jurisdictions],
            by_pool_th_s: Vec::new(),
            by_pooled_owner_th_s: Vec::new(),
            hybrid_owner: vec![false; operators],
            totals: Totals::default(),
            changed_owners: None,
            machines: SiteMachines::default(),
        }
    }

    /// Running TH/s each operator group mines solo, by owner: its running hashrate less what it
    /// mines in pools. Exact: both are sums of the same grid terms (`units::grid`), so the
    /// difference is the sum of its solo miners' terms, bit for bit.
    pub fn solo_owner_th_s(&self) -> impl Iterator<Item = f64> + '_ {
        let pooled = self.by_pooled_owner_th_s.iter().copied().chain(std::iter::repeat(0.0));
        self.by_owner_th_s.iter().zip(pooled).map(|(all, pooled)| all - pooled)
    }

    /// Empties the census for a new day, keeping the buffers. `running_th_s` keeps stale
    /// values: settlement writes every operator's entry each day.
    pub fn clear(&mut self, operators: usize, jurisdictions: usize) {
        let zeros = |v: &mut Vec<f64>, n: usize| {
            v.clear();
            v.resize(n, 0.0);
        };
        self.running_th_s.resize(operators, 0.0);
        zeros(&mut self.by_owner_th_s, operators);
        zeros(&mut self.by_jurisdiction_th_s, jurisdictions);
        self.by_pool_th_s.fill(0.0);
        self.by_pooled_owner_th_s.fill(0.0);
        self.hybrid_owner.clear();
        self.hybrid_owner.resize(operators, false);
        self.totals = Totals::default();
        self.changed_owners = None;
        self.machines.clear();
    }

    /// Counts operator `i` on day `d`, after settlement: the census phase of the day (the
    /// fast path counts in the settlement pass, `settle::settle_and_count`).
    pub fn count(&mut self, totals: &mut Totals, i: usize, op: &Operator, curtail: SiteCurtailment, d: u32) {
        if op.state != OperatorState::Active {
            self.count_closed(totals, i, op);
            return;
        }
        let mut fleet = FleetTally::default();
        for v in &op.fleet {
            let th = grid::on(v.th_s, grid::TH_S);
            fleet.installed_th_s += th;
            totals.sites_th_s += th;
            if v.running {
                fleet.run(v, th, v.mw(), curtail.uptime(v.j_per_th));
            }
        }
        self.machines.take(i, op);
        self.count_active(totals, i, op, d, fleet);
    }

    /// Counts operator `i`, which is not active (its site is dark).
    pub fn count_closed(&mut self, totals: &mut Totals, i: usize, op: &Operator) {
        self.running_th_s[i] = 0.0;
        match op.state {
            OperatorState::Exited => totals.operators_exited += 1,
            OperatorState::Bankrupt => totals.operators_bankrupt += 1,
            OperatorState::Active => unreachable!("active operators are counted with their fleet"),
        }
        totals.mw_dark += op.site_mw;
    }

    /// Counts active operator `i` on day `d`, given its running and installed hashrate and
    /// running power (summed by the caller in the same pass that pays for the power).
    #[inline(always)]
    pub fn count_active(&mut self, totals: &mut Totals, i: usize, op: &Operator, d: u32, fleet: FleetTally) {
        self.running_th_s[i] = fleet.running_th_s;
        totals.operators_active += 1;
        // Most sites have nothing on order, and an empty sum (-0) adds nothing.
        if !op.orders().is_empty() {
            totals.pipeline_th_s += op.orders().iter().map(|x| x.th_s).sum::<f64>();
        }
        if fleet.running_th_s > 0.0 {
            totals.mining_operators += 1;
        }
        totals.mining_th_s += fleet.running_th_s;
        totals.idle_th_s += fleet.installed_th_s - fleet.running_th_s - fleet.curtailed_th_s;
        totals.curtailed_th_s += fleet.curtailed_th_s;
        totals.running_mw += fleet.running_mw;
        self.by_owner_th_s[op.owner as usize] += fleet.running_th_s;
        self.by_jurisdiction_th_s[op.jurisdiction as usize] += fleet.running_th_s;
        if op.payout != Payout::Solo {
            let pool = op.pool as usize;
            if pool >= self.by_pool_th_s.len() {
                self.by_pool_th_s.resize(pool + 1, 0.0);
            }
            self.by_pool_th_s[pool] += fleet.running_th_s;
            if self.by_pooled_owner_th_s.len() != self.by_owner_th_s.len() {
                self.by_pooled_owner_th_s.resize(self.by_owner_th_s.len(), 0.0);
            }
            self.by_pooled_owner_th_s[op.owner as usize] += fleet.running_th_s;
        }
        if let Some(b) = op.building() {
            totals.mw_building += b.mw;
        }
        if !op.hosts_ai() {
            // `mining_mw` without the empty sum of AI capacity (site - (-0.0) = site).
            totals.mw_mining += op.site_mw.max(0.0);
            return;
        }
        totals.operators_hybrid += 1;
        self.hybrid_owner[op.owner as usize] = true;
        totals.mw_mining += op.mining_mw();
        for p in op.ai() {
            let th: f64 = p.stored.iter().map(|v| grid::on(v.th_s, grid::TH_S)).sum();
            totals.sites_th_s += th;
            if p.online(d) {
                totals.mw_ai_online += p.mw;
                totals.ai_th_s += th;
            } else {
                totals.mw_ai_building += p.mw;
                totals.pivoting_th_s += th;
            }
        }
    }
}

/// One active operator's fleet today.
#[derive(Debug, Clone, Copy, Default)]
pub struct FleetTally {
    /// What its running machines hash over the day (after curtailment).
    pub running_th_s: f64,
    pub installed_th_s: f64,
    pub running_mw: f64,
    /// What its running machines would hash in the hours a demand-response contract took.
    pub curtailed_th_s: f64,
}

impl FleetTally {
    /// Counts running vintage `v` for the `uptime` share of the day it runs; the rest of its
    /// day is curtailed (at 1, exactly the whole vintage runs). Each term on its grid
    /// (`units::grid`), so the sums are exact. `th_s` is `v`'s hashrate on its grid and `mw`
    /// its draw (`Vintage::mw`), which the caller's walk has worked out already.
    ///
    /// A whole day (no demand response: almost every day of every run) adds `th_s` and the
    /// draw as they are and nothing curtailed: the same bits as the products by 1 (`1 * x` is
    /// `x`) and the curtailed term's +0 (a sum of terms at or above +0 does not change by
    /// +0), without their roundings.
    #[inline(always)]
    pub fn run(&mut self, v: &Vintage, th_s: f64, mw: f64, uptime: f64) {
        if uptime == 1.0 {
            self.running_th_s += th_s;
            self.running_mw += grid::on(mw, grid::MW);
            return;
        }
        self.running_th_s += grid::on(uptime * v.th_s, grid::TH_S);
        self.running_mw += grid::on(uptime * mw, grid::MW);
        self.curtailed_th_s += grid::on((1.0 - uptime) * v.th_s, grid::TH_S);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pricing() -> Pricing {
        Pricing {
            hashprice_usd_per_th_day: 0.047,
            reference_power_usd_per_kwh: 0.05,
            horizon_days: 365.0,
            scrap_usd_per_th: 0.5,
        }
    }

    fn site(owner: u32, fleet: &[(f64, f64)]) -> Operator {
        let fleet = fleet.iter().map(|&(th_s, j_per_th)| Vintage { th_s, j_per_th, running: false }).collect();
        Operator { fleet, ..Operator::blank(owner) }
    }

    /// The values the census pass added for every group before they were worked out when
    /// asked: each active site's fleet summed from zero, added to its group's entry in
    /// operator order.
    fn every_group(ops: &[Operator], p: Pricing) -> Vec<f64> {
        let mut value = vec![0.0; ops.len()];
        for op in ops.iter().filter(|op| op.state == OperatorState::Active) {
            let mut site = 0.0;
            for v in &op.fleet {
                site += v.th_s * p.price_usd_per_th(v.j_per_th);
            }
            value[op.owner as usize] += site;
        }
        value
    }

    /// A vintage's tally, whole day or curtailed, is its terms each rounded to its grid as
    /// first written: at uptime 1 the whole day adds the hashrate on its grid and the rounded
    /// draw and nothing curtailed, bit for bit as the products by 1 and the +0 did. Bug caught:
    /// the whole day's path adding the hashrate or the draw unrounded, or a curtailed day
    /// taken by it.
    #[test]
    fn a_whole_day_tallies_as_the_general_terms() {
        let mut x = 0.412_345_678_f64;
        for k in 0..2_000 {
            x = (x * 7.123_456_7 + 0.37).fract();
            let v = Vintage { th_s: 10f64.powf(x * 7.0 - 1.0), j_per_th: 12.0 + 30.0 * x, running: true };
            let uptime = [1.0, 0.75, 1.0 - 1e-12, 0.0][k % 4];
            let mut got = FleetTally::default();
            got.run(&v, grid::on(v.th_s, grid::TH_S), v.mw(), uptime);
            let want = FleetTally {
                running_th_s: grid::on(uptime * v.th_s, grid::TH_S),
                installed_th_s: 0.0,
                running_mw: grid::on(uptime * v.mw(), grid::MW),
                curtailed_th_s: grid::on((1.0 - uptime) * v.th_s, grid::TH_S),
            };
            let bits =
                |t: &FleetTally| [t.running_th_s, t.installed_th_s, t.running_mw, t.curtailed_th_s].map(f64::to_bits);
            assert_eq!(bits(&got), bits(&want), "{v:?} at uptime {uptime}");
        }
    }

    /// Machines this inefficient sell for scrap ($0.5/TH/s) at [`pricing`]: group 4's sites
    /// are worth 2^-53, 2^-53 and 1 USD, whose sum rounds to 1 + 2^-52 in operator order and
    /// to 1 with the own site first.
    const SCRAP_J_PER_TH: f64 = 45.0;
    const TINY_TH_S: f64 = 1.0 / 4_503_599_627_370_496.0;

    /// Each group's value asked for is the pass's, bit for bit: a group with members before
    /// and after its own operator (sums that round differently in another order), a group
    /// whose own operator was bought (empty), an exited member, a multi-vintage fleet.
    /// Catches the own operator added first instead of in index order, another group's
    /// sites counted, an exited site counted, a group's members read out of operator order.
    #[test]
    fn values_asked_for_are_the_pass_s() {
        let mut ops = vec![
            site(4, &[(TINY_TH_S, SCRAP_J_PER_TH)]),
            site(3, &[(1.0 / 3.0, 25.1), (7.7, 19.9)]),
            site(4, &[(TINY_TH_S, SCRAP_J_PER_TH)]),
            site(3, &[(12.5, 21.7)]),
            site(4, &[(2.0, SCRAP_J_PER_TH)]),
            site(5, &[(0.7, 29.0)]),
            site(3, &[(2.2, 38.0)]),
        ];
        ops[5].state = OperatorState::Exited;
        let p = pricing();
        let mut m = SiteMachines::default();
        m.take_at(p, ops.len());
        for (i, op) in ops.iter().enumerate().filter(|(_, op)| op.state == OperatorState::Active) {
            m.take(i, op);
        }
        assert_eq!(m.others, [(4, 0), (3, 1), (4, 2), (3, 6)]);
        let mut ordered = Vec::new();
        GroupValues::order(&m.others, &mut ordered);
        let values = GroupValues::new(&ops, p, &ordered);
        let want = every_group(&ops, p);
        for g in 0..ops.len() as u32 {
            assert_eq!(values.value_usd(g).to_bits(), want[g as usize].to_bits(), "group {g}");
        }
        // The test tells the orders apart: group 4's sites added with its own one first sum
        // to other bits than the pass's.
        let site = |i: usize| GroupValues::new(&ops, p, &[]).site_usd(&ops[i]);
        assert_ne!(((site(4) + site(0)) + site(2)).to_bits(), want[4].to_bits());
        assert_eq!((want[0], want[2], want[5]), (0.0, 0.0, 0.0));
    }
}
