//! The market for insolvent sites: who buys, rescues or lets close each site that defaulted.
//! A pure function of the defaulters and the candidate buyers, whose result does not depend on
//! the order either list is given in, so swapping two operators' indices cannot change who
//! buys what.

use std::collections::BTreeMap;

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
    /// MW of its group's active sites: the largest group buys first.
    pub group_mw: f64,
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
/// such member (ties: smaller id). Otherwise, if its machines pay, it is bought by the operator
/// of another group that can pay `value + working cash` and whose group is the largest (MW,
/// counting sites bought earlier today; ties: smaller id). Otherwise it closes. Each payment
/// reduces the payer's liquidity before the next defaulter. Defaulters are not buyers.
///
/// The result lists the defaulters in the order decided, and is the same for any order of
/// `defaulters` and of `buyers` (distinct ids assumed).
pub fn match_defaulters(defaulters: &[Defaulter], buyers: &[Buyer]) -> Vec<Match> {
    let mut order: Vec<&Defaulter> = defaulters.iter().collect();
    order.sort_by(|a, b| b.value_usd.total_cmp(&a.value_usd).then(a.id.cmp(&b.id)));
    let mut buyers: Vec<Buyer> = buyers.to_vec();
    buyers.sort_by_key(|b| b.id);
    let mut bought_mw: BTreeMap<u32, f64> = BTreeMap::new();
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
        let group = |b: &Buyer| b.group_mw + bought_mw.get(&b.owner).copied().unwrap_or(0.0);
        let buyer = t
            .pays
            .then(|| {
                buyers
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.owner != t.owner && b.liquidity_usd >= price)
                    .max_by(|(_, a), (_, b)| group(a).total_cmp(&group(b)).then(b.id.cmp(&a.id)))
                    .map(|(k, _)| k)
            })
            .flatten();
        match buyer {
            Some(k) => {
                buyers[k].liquidity_usd -= price;
                *bought_mw.entry(buyers[k].owner).or_insert(0.0) += t.site_mw;
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

    fn buyer(id: usize, owner: u32, liquidity_usd: f64, group_mw: f64) -> Buyer {
        Buyer { id, owner, liquidity_usd, group_mw }
    }

    /// Hand-worked: defaulters worth 100 (id 5) and 300 (id 2); buyer 7 (group of 50 MW, 350
    /// USD) and buyer 8 (20 MW, 1,000 USD). The 300 site goes first, to the largest group (7),
    /// leaving it 50 USD; the 100 site then goes to 8. A site whose machines do not pay closes;
    /// so does one nobody can afford.
    /// Bug caught: buying in index order (5 first would take buyer 7's money for the cheap site
    /// and leave the expensive one to the smaller group), or not reducing a buyer's liquidity.
    #[test]
    fn largest_value_first_to_the_largest_group_that_can_pay() {
        let d = [defaulter(5, 5, 100.0), defaulter(2, 2, 300.0)];
        let b = [buyer(7, 7, 350.0, 50.0), buyer(8, 8, 1000.0, 20.0)];
        let m = match_defaulters(&d, &b);
        assert_eq!(
            m,
            vec![
                Match { target: 2, outcome: Outcome::Acquired { by: 7 } },
                Match { target: 5, outcome: Outcome::Acquired { by: 8 } },
            ]
        );
        let d = [Defaulter { pays: false, ..defaulter(1, 1, 10.0) }, defaulter(3, 3, 5000.0)];
        let m = match_defaulters(&d, &b);
        assert_eq!(m[0].outcome, Outcome::Closed);
        assert_eq!(m[1].outcome, Outcome::Closed);
    }

    /// Bug caught: a group member in trouble sold to a rival while its own group could pay its
    /// shortfall (the same site was re-acquired 111 times in one run).
    #[test]
    fn a_solvent_group_rescues_its_own_site() {
        let d = [Defaulter { shortfall_usd: 40.0, working_cash_usd: 10.0, ..defaulter(1, 9, 100.0) }];
        let b = [buyer(2, 9, 60.0, 5.0), buyer(3, 3, 1e9, 500.0), buyer(4, 9, 49.0, 5.0)];
        assert_eq!(match_defaulters(&d, &b), vec![Match { target: 1, outcome: Outcome::Rescued { by: 2 } }]);
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
        let want = match_defaulters(&d, &b);
        assert_eq!(want.len(), 4);
        let mut dp = d.clone();
        let mut bp = b.clone();
        for k in 0..24 {
            dp.rotate_left(1 + k % 3);
            dp.swap(0, k % 4);
            bp.rotate_left(1);
            bp.swap(k % 3, (k + 1) % 3);
            assert_eq!(match_defaulters(&dp, &bp), want, "permutation {k}");
        }
    }
}
