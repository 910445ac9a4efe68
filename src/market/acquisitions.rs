//! The market for insolvent sites: who buys, rescues or lets close each site that defaulted.
//! A pure function of the defaulters and the candidate buyers, whose result does not depend on
//! the order either list is given in, so swapping two operators' indices cannot change who
//! buys what.

use crate::rng::mix64;

/// Days of power a refinanced site (bought or rescued) starts with in cash, paid by whoever
/// refinances it: a month's buffer against a run of days with few blocks, so that a site just
/// bought with no cash and no credit does not default again the next day (it did: the same
/// site was re-acquired 111 times in one run).
pub const WORKING_CASH_DAYS: f64 = 30.0;

/// A site that could not pay yesterday.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Defaulter {
    /// A stable id (the operator's index): breaks ties, never orders the visit.
    pub id: usize,
    /// The operator group it belongs to.
    pub owner: u32,
    pub site_mw: f64,
    /// Fire-sale value of its machines, USD.
    pub value_usd: f64,
    /// What it owes beyond its credit line, USD (`-cash` after settlement).
    pub shortfall_usd: f64,
    /// Cash it needs to run a few days once refinanced, USD.
    pub working_cash_usd: f64,
    /// Whether any of its machines pays for its power at today's hashprice (else nobody buys).
    pub pays: bool,
}

/// A solvent operator that could buy or rescue a site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Buyer {
    pub id: usize,
    pub owner: u32,
    /// Cash plus unused credit, USD.
    pub liquidity_usd: f64,
}

/// What happens to a defaulter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// An operator of its own group pays its shortfall and working cash: it stays in the group.
    Rescued { by: usize },
    /// An operator of another group buys it: pays its value and its working cash, its debts are
    /// extinguished, it joins the buyer's group.
    Acquired { by: usize },
    /// Nobody will: its machines are sold and the site goes dark.
    Closed,
}

/// One defaulter's fate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub target: usize,
    pub outcome: Outcome,
}

/// Matches defaulters with buyers.
///
/// Rule: defaulters are taken by decreasing value (ties: smaller id first). A defaulter whose
/// own group has a member that can pay `shortfall + working cash` is rescued by the richest
/// such member (ties: smaller id). Otherwise, if its machines pay, it is sold to one of the
/// operators of other groups that can pay `value + working cash`, each as likely as the next:
/// a fire-sale auction among bidders whose valuations are equal (the site keeps its machines
/// and its power contract, so it is worth the same to every buyer), where the winner is a
/// matter of chance, drawn from `draw_seed` and the defaulter's id. (Giving every site to the
/// largest group instead made one group buy a third of the network in three years.)
/// Otherwise it closes. Each payment reduces the payer's liquidity before the next defaulter.
/// Defaulters are not buyers.
///
/// The result lists the defaulters in the order decided, and is the same for any order of
/// `defaulters` and of `buyers` (distinct ids assumed).
pub fn match_defaulters(defaulters: &[Defaulter], mut buyers: Vec<Buyer>, draw_seed: u64) -> Vec<Match> {
    let mut order: Vec<&Defaulter> = defaulters.iter().collect();
    order.sort_by(|a, b| b.value_usd.total_cmp(&a.value_usd).then(a.id.cmp(&b.id)));
    buyers.sort_by_key(|b| b.id);
    let mut out = Vec::with_capacity(order.len());
    for t in order {
        let need_rescue = t.shortfall_usd + t.working_cash_usd;
        let rescuer = buyers
            .iter()
            .enumerate()
            .filter(|(_, b)| b.owner == t.owner && b.liquidity_usd >= need_rescue)
            .max_by(|(_, a), (_, b)| a.liquidity_usd.total_cmp(&b.liquidity_usd).then(b.id.cmp(&a.id)))
            .map(|(k, _)| k);
        if let Some(k) = rescuer {
            buyers[k].liquidity_usd -= need_rescue;
            out.push(Match { target: t.id, outcome: Outcome::Rescued { by: buyers[k].id } });
            continue;
        }
        let price = t.value_usd + t.working_cash_usd;
        let buyer = if t.pays {
            let able: Vec<usize> =
                (0..buyers.len()).filter(|&k| buyers[k].owner != t.owner && buyers[k].liquidity_usd >= price).collect();
            // `able` is in id order, so the draw depends on the seed and the ids only.
            let draw = mix64(draw_seed ^ mix64(t.id as u64));
            (!able.is_empty()).then(|| able[(draw % able.len() as u64) as usize])
        } else {
            None
        };
        match buyer {
            Some(k) => {
                buyers[k].liquidity_usd -= price;
                out.push(Match { target: t.id, outcome: Outcome::Acquired { by: buyers[k].id } });
            }
            None => out.push(Match { target: t.id, outcome: Outcome::Closed }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaulter(id: usize, owner: u32, value_usd: f64) -> Defaulter {
        Defaulter { id, owner, site_mw: 10.0, value_usd, shortfall_usd: 1.0, working_cash_usd: 0.0, pays: true }
    }

    fn buyer(id: usize, owner: u32, liquidity_usd: f64, _group_mw: f64) -> Buyer {
        Buyer { id, owner, liquidity_usd }
    }

    /// Hand-worked: defaulters worth 300 (id 2) and 100 (id 5); buyer 7 (350 USD) and buyer 8
    /// (1,000 USD). The 300 site goes first; only buyer 8 can pay for both, so whichever buys
    /// the 300 site, the 100 site finds a buyer. A site whose machines do not pay closes; so does
    /// one nobody can afford. Bug caught: buying in index order, or not reducing a buyer's
    /// liquidity (buyer 7 buying both with 350 USD).
    #[test]
    fn largest_value_first_to_a_buyer_that_can_pay() {
        let d = [defaulter(5, 5, 100.0), defaulter(2, 2, 300.0)];
        let b = [buyer(7, 7, 350.0, 50.0), buyer(8, 8, 1000.0, 20.0)];
        for seed in 0..64 {
            let m = match_defaulters(&d, b.to_vec(), seed);
            assert_eq!(m.len(), 2);
            assert_eq!(m[0].target, 2);
            let Outcome::Acquired { by: first } = m[0].outcome else { panic!("{m:?}") };
            let Outcome::Acquired { by: second } = m[1].outcome else { panic!("{m:?}") };
            if first == 7 {
                assert_eq!(second, 8, "buyer 7 has 50 USD left: it cannot buy again");
            }
        }
        let d = [Defaulter { pays: false, ..defaulter(1, 1, 10.0) }, defaulter(3, 3, 5000.0)];
        let m = match_defaulters(&d, b.to_vec(), 1);
        assert_eq!(m[0].outcome, Outcome::Closed);
        assert_eq!(m[1].outcome, Outcome::Closed);
    }

    /// Bug caught: a rule that hands every site to one buyer (the largest group), which made one
    /// group buy a third of the network in three years. Over many draws, each able buyer wins
    /// about as often as the others.
    #[test]
    fn able_buyers_are_equally_likely() {
        let b = [buyer(1, 1, 1e9, 500.0), buyer(2, 2, 1e9, 5.0), buyer(3, 3, 1e9, 5.0)];
        let mut wins = [0u32; 4];
        for seed in 0..3000 {
            if let Outcome::Acquired { by } = match_defaulters(&[defaulter(9, 9, 10.0)], b.to_vec(), seed)[0].outcome {
                wins[by] += 1;
            }
        }
        for w in &wins[1..] {
            assert!((850..=1150).contains(w), "{wins:?}");
        }
    }

    /// Bug caught: a group member in trouble sold to a rival while its own group could pay its
    /// shortfall (the same site was re-acquired 111 times in one run).
    #[test]
    fn a_solvent_group_rescues_its_own_site() {
        let d = [Defaulter { shortfall_usd: 40.0, working_cash_usd: 10.0, ..defaulter(1, 9, 100.0) }];
        let b = [buyer(2, 9, 60.0, 5.0), buyer(3, 3, 1e9, 500.0), buyer(4, 9, 49.0, 5.0)];
        assert_eq!(match_defaulters(&d, b.to_vec(), 7), vec![Match { target: 1, outcome: Outcome::Rescued { by: 2 } }]);
    }

    /// Bug caught: matches that depend on the order of the inputs (the old in-place rule
    /// visited defaulters in index order, so swapping two changed who bought what). Every
    /// permutation of a case with ties in value and in group size gives the same matches.
    #[test]
    fn permuting_the_inputs_changes_nothing() {
        let d = vec![
            defaulter(0, 0, 100.0),
            defaulter(1, 1, 100.0),
            defaulter(2, 2, 250.0),
            Defaulter { pays: false, ..defaulter(3, 3, 80.0) },
        ];
        let b = vec![buyer(10, 10, 260.0, 30.0), buyer(11, 11, 220.0, 30.0), buyer(12, 12, 100.0, 10.0)];
        let want = match_defaulters(&d, b.to_vec(), 42);
        assert_eq!(want.len(), 4);
        let mut dp = d.clone();
        let mut bp = b.clone();
        for k in 0..24 {
            dp.rotate_left(1 + k % 3);
            dp.swap(0, k % 4);
            bp.rotate_left(1);
            bp.swap(k % 3, (k + 1) % 3);
            assert_eq!(match_defaulters(&dp, bp.clone(), 42), want, "permutation {k}");
        }
    }
}
