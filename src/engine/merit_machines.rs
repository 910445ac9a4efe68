//! The machines of a world in merit form as the security columns read them (the dormant
//! machines an attacker could switch on, and the sites of each group: `census::SiteMachines`),
//! kept by the merit order as it switches units. A merit day takes them from this copy, a few
//! bytes a machine read in order, instead of walking every operator's record (168 bytes): with
//! the attack metrics on, that walk was a third of a CORE-1 run. A full day takes them from the
//! records, as before.
//!
//! Nothing but the hashprice changes a machine in merit form (no ageing, deliveries, sales or
//! AI halls: `merit::MeritOrder::build`), so the copy of each machine's hashrate and efficiency
//! stays that of its record, and only the running flags move, with the units (the records'
//! flags are set when the index is dropped). The merit order's tests run the same worlds in
//! merit form and day by day and compare what every day took, bit for bit
//! (`merit_tests`).

use super::census::SiteMachines;
use crate::agents::hardware::Pricing;
use crate::agents::operator::{Operator, OperatorState};

/// The machines at active sites in operator, then fleet order.
#[derive(Debug, Clone)]
pub struct MeritMachines {
    /// By vintage: TH/s, J/TH and whether it runs.
    th_s: Vec<f64>,
    j_per_th: Vec<f64>,
    running: Vec<bool>,
    /// By operator: where its vintages start (active operators only).
    starts: Vec<u32>,
    /// (group, operator) of the active operators in a group not their own
    /// (`SiteMachines::others`): no group changes in merit form.
    others: Vec<(u32, u32)>,
}

impl MeritMachines {
    /// The machines of `ops` as their records hold them, or `None` if an active operator hosts
    /// AI halls (its stored machines are dormant too; a world in merit form has none) or the
    /// machines outnumber the indices.
    pub fn of(ops: &[Operator]) -> Option<MeritMachines> {
        let active = || ops.iter().filter(|op| op.state == OperatorState::Active);
        if active().any(Operator::hosts_ai) {
            return None;
        }
        let vintages: usize = active().map(|op| op.fleet.len()).sum();
        u32::try_from(vintages).ok()?;
        let mut m = MeritMachines {
            th_s: Vec::with_capacity(vintages),
            j_per_th: Vec::with_capacity(vintages),
            running: Vec::with_capacity(vintages),
            starts: vec![u32::MAX; ops.len()],
            others: Vec::new(),
        };
        for (i, op) in ops.iter().enumerate().filter(|(_, op)| op.state == OperatorState::Active) {
            m.starts[i] = m.th_s.len() as u32;
            for v in &op.fleet {
                m.th_s.push(v.th_s);
                m.j_per_th.push(v.j_per_th);
                m.running.push(v.running);
            }
            if op.owner as usize != i {
                m.others.push((op.owner, i as u32));
            }
        }
        Some(m)
    }

    /// Vintage `vintage` of active operator `operator` runs (`on`) or idles from now.
    #[inline(always)]
    pub fn set_running(&mut self, operator: u32, vintage: u32, on: bool) {
        self.running[(self.starts[operator as usize] + vintage) as usize] = on;
    }

    /// Takes the machines into `into` as the fused day's census pass takes them from the
    /// records of `operators` operators (`SiteMachines::take`, the same lists in the same
    /// order), priced at `pricing`: the idle machines in one plain loop over the copy.
    pub fn take(&self, pricing: Pricing, operators: usize, into: &mut SiteMachines) {
        into.take_at(pricing, operators);
        into.others.extend_from_slice(&self.others);
        // Each machine written at the next place, which only an idle one takes: no branch
        // on a flag that is a coin flip in CORE-1.
        let idle = &mut into.idle;
        idle.clear();
        idle.resize(self.th_s.len(), (0.0, 0.0));
        let mut taken = 0;
        for ((&th, &e), &runs) in self.th_s.iter().zip(self.j_per_th.iter()).zip(self.running.iter()) {
            idle[taken] = (th, e);
            taken += usize::from(!runs);
        }
        idle.truncate(taken);
        into.from_merit_copy = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::hardware::Vintage;

    fn pricing() -> Pricing {
        Pricing {
            hashprice_usd_per_th_day: 0.05,
            reference_power_usd_per_kwh: 0.05,
            horizon_days: 365.0,
            scrap_usd_per_th: 0.5,
        }
    }

    fn site(owner: u32, fleet: &[(f64, f64, bool)]) -> Operator {
        let fleet = fleet.iter().map(|&(th_s, j_per_th, running)| Vintage { th_s, j_per_th, running }).collect();
        Operator { fleet, ..Operator::blank(owner) }
    }

    fn walked(ops: &[Operator], pricing: Pricing) -> SiteMachines {
        let mut m = SiteMachines::default();
        m.take_at(pricing, ops.len());
        for (i, op) in ops.iter().enumerate().filter(|(_, op)| op.state == OperatorState::Active) {
            m.take(i, op);
        }
        m
    }

    /// What a take holds, the machines as bits.
    #[derive(Debug, PartialEq)]
    struct Taken {
        idle: Vec<(u64, u64)>,
        others: Vec<(u32, u32)>,
        hosts: Vec<u32>,
        groups: usize,
    }

    fn bits(m: &SiteMachines) -> Taken {
        Taken {
            idle: m.idle.iter().map(|x| (x.0.to_bits(), x.1.to_bits())).collect(),
            others: m.others.clone(),
            hosts: m.hosts.clone(),
            groups: m.groups,
        }
    }

    /// The copy takes what a walk over the records takes, bit for bit, after switches:
    /// operators of one, two and three vintages, one exited, two in one group. Catches a
    /// switch written to another operator's vintage, an exited operator's machines counted, a
    /// member of another group left out of the others.
    #[test]
    fn the_copy_takes_what_the_records_hold() {
        let mut ops = vec![
            site(0, &[(100.0, 20.0, true)]),
            site(1, &[(50.0, 30.0, false), (70.0, 15.5, true)]),
            site(2, &[(1.0, 40.0, true)]),
            site(1, &[(30.0, 25.0, true), (0.1, 21.0, false), (9.0, 33.0, true)]),
        ];
        ops[2].state = OperatorState::Exited;
        let mut copy = MeritMachines::of(&ops).expect("no AI");
        for (operator, vintage, on) in [(1, 0, true), (3, 2, false), (0, 0, false), (1, 0, false), (3, 1, true)] {
            copy.set_running(operator, vintage, on);
            ops[operator as usize].fleet[vintage as usize].running = on;
            let mut taken = SiteMachines::default();
            copy.take(pricing(), ops.len(), &mut taken);
            assert_eq!(bits(&taken), bits(&walked(&ops, pricing())));
        }
        assert_eq!(copy.others, [(1, 3)]);
    }

    /// Sites of one vintage each (CORE-1's), two of them in one group. Catches a site's
    /// machines left out, or a site counted in its own index's group instead of its owner's.
    #[test]
    fn sites_of_one_vintage_take_what_the_records_hold() {
        let mut ops =
            vec![site(0, &[(100.0, 20.0, true)]), site(0, &[(50.0, 29.0, false)]), site(2, &[(0.3, 31.0, false)])];
        let mut copy = MeritMachines::of(&ops).expect("no AI");
        assert_eq!(copy.others, [(0, 1)]);
        for (operator, on) in [(1, true), (0, false), (2, true)] {
            copy.set_running(operator, 0, on);
            ops[operator as usize].fleet[0].running = on;
            let mut taken = SiteMachines::default();
            copy.take(pricing(), ops.len(), &mut taken);
            assert_eq!(bits(&taken), bits(&walked(&ops, pricing())));
        }
    }

    /// A site hosting AI has dormant machines the copy does not hold: no copy is made.
    #[test]
    fn no_copy_of_a_world_with_ai_halls() {
        let mut ops = vec![site(0, &[(100.0, 20.0, true)])];
        ops[0].projects.push_ai(crate::agents::operator::AiProject {
            mw: 1.0,
            online_day: 0,
            end_day: 10,
            revenue_usd_per_mw_year: 1.0,
            stored: Vec::new(),
            terminated: false,
        });
        assert!(MeritMachines::of(&ops).is_none());
    }
}
