//! The secondary market for used machines: what exiting, bankrupt and pivoting operators
//! sell. Machines here are dormant hashrate: switched off, but not scrapped.

use crate::agents::decision::{UsedOffer, MIN_ORDER_MW};
pub use crate::agents::hardware::Pricing;
use crate::agents::hardware::{th_s_for_mw, FLEET_REL_TOL};
use crate::units::power_cost_usd_per_th_day;

/// A batch of used machines for sale.
#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    pub th_s: f64,
    pub j_per_th: f64,
    pub listed_day: u32,
    /// Sold and on its way: the buyer and the day the machines arrive at its site. Until then
    /// they stay here, dormant (counted with the market's machines, never scrapped).
    pub bound_for: Option<Shipment>,
}

/// Where a sold lot is going.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shipment {
    pub buyer: usize,
    pub arrival_day: u32,
}

/// An operator that may buy used machines today: room at its site and money to pay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsedBuyer {
    pub id: usize,
    pub power_usd_per_kwh: f64,
    /// Site capacity for mining not taken by machines installed, ordered or on their way, MW.
    pub room_mw: f64,
    pub liquidity_usd: f64,
}

/// One sale: `th_s` of lot `lot` to `buyer` at `price_usd_per_th`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsedSale {
    pub lot: usize,
    pub buyer: usize,
    pub th_s: f64,
    pub price_usd_per_th: f64,
}

/// Matches the unsold lots with buyers (those with at least [`MIN_ORDER_MW`] of room; a
/// purchase is at least that much, or the rest of a lot), an order-independent rule: the most efficient lots go
/// first to the buyers with the cheapest power (ties: lower listing day, then lot position;
/// lower operator index), each buying what fits its room and its liquidity, if the machines
/// earn their price back at its power within `payback_days` at hashprice `h`.
///
/// # Formula
/// Buyer `b` buys machines of `e` J/TH at price `P` per TH/s iff
/// `(h - e * 0.024 * p_b) * payback_days >= P`; `th = min(lot, room * 1e6 / e, liquidity / P)`.
/// Since a lot that does not pay at the cheapest remaining buyer's power pays at no later
/// buyer's, one pass over both sorted lists clears the market.
pub fn match_used(
    lots: &[Lot],
    buyers: &[UsedBuyer],
    h: f64,
    payback_days: f64,
    price_usd_per_th: impl Fn(f64) -> f64,
) -> Vec<UsedSale> {
    let mut bs: Vec<UsedBuyer> =
        buyers.iter().filter(|b| b.room_mw >= MIN_ORDER_MW && b.liquidity_usd > 0.0).copied().collect();
    if bs.is_empty() {
        return Vec::new(); // nobody shops today: the inventory need not be ordered
    }
    bs.sort_by(|a, b| a.power_usd_per_kwh.total_cmp(&b.power_usd_per_kwh).then(a.id.cmp(&b.id)));
    let order = efficiency_order(lots);
    let mut sales = Vec::new();
    let mut bi = 0;
    for k in order {
        let lot = &lots[k];
        let price = price_usd_per_th(lot.j_per_th);
        let mut left = lot.th_s;
        while left > 0.0 && bi < bs.len() {
            let b = &mut bs[bi];
            let margin = h - power_cost_usd_per_th_day(lot.j_per_th, b.power_usd_per_kwh);
            if margin <= 0.0 || margin * payback_days < price {
                break; // nor at any buyer after it (their power costs more)
            }
            let fits = th_s_for_mw(b.room_mw, lot.j_per_th);
            let affords = if price > 0.0 { b.liquidity_usd / price } else { f64::INFINITY };
            let th = left.min(fits).min(affords);
            // Crumbs of room or cash are no purchase (the rest of a lot is, however small).
            let worth_buying =
                th * lot.j_per_th / crate::units::W_PER_MW >= MIN_ORDER_MW || th >= left * (1.0 - FLEET_REL_TOL);
            if worth_buying && th > lot.th_s * FLEET_REL_TOL {
                sales.push(UsedSale { lot: k, buyer: b.id, th_s: th, price_usd_per_th: price });
                left -= th;
                b.room_mw -= th * lot.j_per_th / crate::units::W_PER_MW;
                b.liquidity_usd -= th * price;
            }
            if left > lot.th_s * FLEET_REL_TOL {
                bi += 1; // this buyer is full or out of money
            } else {
                break;
            }
        }
    }
    sales
}

/// Most distinct efficiencies [`efficiency_order`] buckets (the catalog's models: 3-11 seen
/// among 50-1,000 unsold lots in the bundled scenarios); past it the lots are sorted.
const MAX_MODELS: usize = 32;

/// The unsold lots' positions, most efficient first (ties: lower listing day, then position):
/// the order of sorting them by `(j_per_th.total_cmp, listed_day, position)`.
///
/// Lots come in a few models, so they are counted into one bucket per efficiency, which keeps
/// them in position order; a bucket is then sorted by listing day only where a lot a failed
/// buyer gave back (appended with its old listing day) broke the vector's day order. This is
/// `O(n + d log d)` for `d` models instead of a comparison sort through the indices (~8% of a
/// 500-operator run's time when lots were sorted daily).
fn efficiency_order(lots: &[Lot]) -> Vec<usize> {
    const SOLD: u8 = u8::MAX; // on its way, or empty: not offered
    let mut models: Vec<u64> = Vec::new();
    let mut model_of: Vec<u8> = Vec::with_capacity(lots.len());
    // The last lot's model first: lots listed together often share one.
    let (mut last_bits, mut last) = (None, 0);
    for l in lots {
        let offered = l.bound_for.is_none() && l.th_s > 0.0; // NaN is not offered either
        if !offered {
            model_of.push(SOLD);
            continue;
        }
        // Equal under `total_cmp` is equal bits.
        let bits = l.j_per_th.to_bits();
        if last_bits != Some(bits) {
            last = match models.iter().position(|&m| m == bits) {
                Some(m) => m,
                None if models.len() < MAX_MODELS => {
                    models.push(bits);
                    models.len() - 1
                }
                None => return sorted_order(lots),
            };
            last_bits = Some(bits);
        }
        model_of.push(last as u8);
    }
    let mut rank: Vec<usize> = (0..models.len()).collect();
    rank.sort_unstable_by(|&a, &b| f64::from_bits(models[a]).total_cmp(&f64::from_bits(models[b])));
    // start[m]: where model m's bucket begins (a counting sort of the offered lots).
    let mut start = vec![0usize; models.len()];
    for &m in model_of.iter().filter(|&&m| m != SOLD) {
        start[m as usize] += 1;
    }
    let mut bounds = Vec::with_capacity(models.len() + 1);
    let mut at = 0;
    for &m in &rank {
        let count = start[m];
        start[m] = at;
        bounds.push(at);
        at += count;
    }
    bounds.push(at);
    let mut order = vec![0usize; at];
    for (k, &m) in model_of.iter().enumerate().filter(|(_, &m)| m != SOLD) {
        order[start[m as usize]] = k;
        start[m as usize] += 1;
    }
    for b in bounds.windows(2) {
        let bucket = &mut order[b[0]..b[1]];
        if !bucket.is_sorted_by_key(|&k| lots[k].listed_day) {
            bucket.sort_by_key(|&k| lots[k].listed_day); // stable: ties stay in position order
        }
    }
    order
}

/// [`efficiency_order`] by a comparison sort, for inventories of many models.
fn sorted_order(lots: &[Lot]) -> Vec<usize> {
    let mut order: Vec<usize> =
        (0..lots.len()).filter(|&k| lots[k].bound_for.is_none() && lots[k].th_s > 0.0).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&lots[a], &lots[b]);
        x.j_per_th.total_cmp(&y.j_per_th).then(x.listed_day.cmp(&y.listed_day)).then(a.cmp(&b))
    });
    order
}

/// Inventory and pricing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecondaryMarket {
    pub lots: Vec<Lot>,
    /// Hashrate scrapped so far, TH/s.
    pub scrapped_th_s: f64,
}

impl SecondaryMarket {
    /// Lists machines for sale. Machines of the same efficiency listed on the same day are one
    /// lot (they are alike to every buyer and scrapped on the same day): the market holds a lot
    /// per model and day, not per seller, which keeps its daily matching short. Only the last
    /// few lots are searched, where today's listings are.
    pub fn list(&mut self, th_s: f64, j_per_th: f64, day: u32) {
        if th_s <= 0.0 {
            return;
        }
        let recent = self.lots.iter_mut().rev().take_while(|l| l.listed_day == day);
        if let Some(l) = recent.into_iter().find(|l| l.j_per_th == j_per_th && l.bound_for.is_none()) {
            l.th_s += th_s;
        } else {
            self.lots.push(Lot { th_s, j_per_th, listed_day: day, bound_for: None });
        }
    }

    /// The most efficient unsold lot, at today's price: what an operator expanding its site
    /// for used machines would fill it with.
    pub fn best_offer(&self, pricing: &Pricing) -> Option<UsedOffer> {
        let best = self
            .lots
            .iter()
            .filter(|l| l.bound_for.is_none() && l.th_s > 0.0)
            .min_by(|a, b| a.j_per_th.total_cmp(&b.j_per_th).then(a.listed_day.cmp(&b.listed_day)))?;
        Some(UsedOffer {
            j_per_th: best.j_per_th,
            price_usd_per_th: pricing.price_usd_per_th(best.j_per_th),
            th_s: best.th_s,
        })
    }

    /// Machines on their way to `shipment.buyer` (a relocating owner's own): dormant here until
    /// they arrive.
    pub fn ship(&mut self, th_s: f64, j_per_th: f64, day: u32, shipment: Shipment) {
        if th_s > 0.0 {
            self.lots.push(Lot { th_s, j_per_th, listed_day: day, bound_for: Some(shipment) });
        }
    }

    pub fn total_th_s(&self) -> f64 {
        self.lots.iter().map(|l| l.th_s).sum()
    }

    /// Market value of the inventory, USD.
    pub fn value_usd(&self, pricing: &Pricing) -> f64 {
        self.lots.iter().map(|l| l.th_s * pricing.price_usd_per_th(l.j_per_th)).sum()
    }

    /// Scraps lots that are worth only scrap and have waited `after_days`.
    pub fn scrap(&mut self, day: u32, after_days: u32, pricing: &Pricing) {
        let mut scrapped = 0.0;
        self.lots.retain(|l| {
            let at_scrap = pricing.price_usd_per_th(l.j_per_th) <= pricing.scrap_usd_per_th;
            let keep = l.bound_for.is_some() || !(at_scrap && day.saturating_sub(l.listed_day) >= after_days);
            if !keep {
                scrapped += l.th_s;
            }
            keep
        });
        self.scrapped_th_s += scrapped;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Pricing = Pricing {
        hashprice_usd_per_th_day: 0.038,
        reference_power_usd_per_kwh: 0.045,
        horizon_days: 365.0,
        scrap_usd_per_th: 0.5,
    };

    #[test]
    fn scrap_only_worthless_lots_after_waiting() {
        let mut m = SecondaryMarket::default();
        m.list(100.0, 45.0, 0); // unprofitable: scrap value
        m.list(200.0, 17.5, 0); // profitable
        m.list(0.0, 20.0, 0); // nothing: not listed
        assert_eq!(m.lots.len(), 2);
        m.scrap(10, 30, &P);
        assert_eq!(m.total_th_s(), 300.0);
        m.scrap(30, 30, &P);
        assert_eq!(m.total_th_s(), 200.0);
        assert_eq!(m.scrapped_th_s, 100.0);
    }

    #[test]
    fn value_is_priced_by_efficiency() {
        let mut m = SecondaryMarket::default();
        m.list(100.0, 45.0, 0);
        assert_eq!(m.value_usd(&P), 50.0);
    }

    /// Bug caught: one lot per seller (thousands of lots matched and sorted every day), lots of
    /// different days or models merged (their scrap dates and prices differ), or machines added
    /// to a lot already sold.
    #[test]
    fn one_lot_per_model_and_day() {
        let mut m = SecondaryMarket::default();
        m.list(100.0, 30.0, 5);
        m.list(50.0, 30.0, 5);
        m.list(10.0, 20.0, 5);
        assert_eq!(m.lots.len(), 2);
        assert_eq!(m.lots[0].th_s, 150.0);
        m.list(1.0, 30.0, 6);
        assert_eq!(m.lots.len(), 3);
        m.lots[2].bound_for = Some(Shipment { buyer: 1, arrival_day: 60 });
        m.list(2.0, 30.0, 6);
        assert_eq!((m.lots.len(), m.lots[2].th_s, m.lots[3].th_s), (4, 1.0, 2.0));
    }

    /// The bucketed order against the comparison sort it replaces, on random inventories with
    /// a few models or many, lots on their way, empty (or NaN) lots and lots given back out of
    /// day order.
    /// Bug caught: buckets not re-sorted by listing day where a given-back lot broke the order,
    /// models ranked by first appearance, or sold lots offered again.
    #[test]
    fn efficiency_order_is_the_comparison_sort() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(17);
        for case in 0..400 {
            let models = if case % 5 == 0 { 40 } else { rng.random_range(1..8) };
            let n = rng.random_range(0..200);
            let mut lots: Vec<Lot> = (0..n)
                .map(|k| Lot {
                    th_s: [0.0, f64::NAN, 1.0][rng.random_range(0..3usize).max(rng.random_range(0..3))],
                    j_per_th: 15.0 + rng.random_range(0..models) as f64 * 2.5,
                    // mostly in day order, as listed; sometimes an old lot given back at the end
                    listed_day: if rng.random_bool(0.1) { rng.random_range(0..50) } else { k / 3 },
                    bound_for: rng.random_bool(0.2).then_some(Shipment { buyer: 0, arrival_day: 9 }),
                })
                .collect();
            if case % 7 == 0 {
                lots.reverse();
            }
            let mut expected: Vec<usize> =
                (0..lots.len()).filter(|&k| lots[k].bound_for.is_none() && lots[k].th_s > 0.0).collect();
            expected.sort_by(|&a, &b| {
                let (x, y) = (&lots[a], &lots[b]);
                x.j_per_th.total_cmp(&y.j_per_th).then(x.listed_day.cmp(&y.listed_day)).then(a.cmp(&b))
            });
            assert_eq!(efficiency_order(&lots), expected, "case {case}");
        }
    }

    fn lot(th_s: f64, j_per_th: f64) -> Lot {
        Lot { th_s, j_per_th, listed_day: 0, bound_for: None }
    }

    fn buyer(id: usize, p: f64, room_mw: f64, liquidity_usd: f64) -> UsedBuyer {
        UsedBuyer { id, power_usd_per_kwh: p, room_mw, liquidity_usd }
    }

    /// Hand-worked at h = 0.04 $/TH/day, price $2/TH, payback 365 days: a 20 J/TH machine costs
    /// 0.024 at $0.05/kWh (margin 0.016 x 365 = 5.84 >= 2: buys) and 0.0384 at $0.08 (margin
    /// 0.0016 x 365 = 0.58 < 2: does not). The cheap buyer has room for 1 MW = 50,000 TH/s, so of
    /// a 80,000 TH/s lot it takes 50,000 and the rest stays (the expensive buyer declines).
    /// Bug caught: buyers served in storage order (the expensive one first) or room ignored.
    #[test]
    fn cheapest_power_buys_the_best_lots_within_room() {
        let lots = vec![lot(80_000.0, 20.0)];
        let buyers = vec![buyer(0, 0.08, 10.0, 1e9), buyer(1, 0.05, 1.0, 1e9)];
        let sales = match_used(&lots, &buyers, 0.04, 365.0, |_| 2.0);
        assert_eq!(sales.len(), 1);
        assert_eq!((sales[0].buyer, sales[0].lot), (1, 0));
        assert!((sales[0].th_s - 50_000.0).abs() < 1e-6);
        // Swapping the buyers' storage order changes nothing.
        let swapped = vec![buyers[1], buyers[0]];
        assert_eq!(match_used(&lots, &swapped, 0.04, 365.0, |_| 2.0), sales);
    }

    /// Bug caught: a lot already sold (on its way) sold again, or liquidity ignored.
    #[test]
    fn sold_lots_wait_and_money_limits() {
        let mut lots = vec![lot(1e6, 20.0), lot(1e6, 25.0)];
        lots[0].bound_for = Some(Shipment { buyer: 7, arrival_day: 60 });
        // $500k buys 250,000 TH/s (6.25 MW) of the 25 MW lot.
        let sales = match_used(&lots, &[buyer(3, 0.03, 100.0, 500_000.0)], 0.04, 365.0, |_| 2.0);
        assert_eq!(sales.len(), 1);
        assert_eq!(sales[0].lot, 1);
        assert!((sales[0].th_s - 250_000.0).abs() < 1e-6, "{sales:?}");
        // $500 would buy 250 TH/s (6 kW): crumbs, not a purchase.
        assert!(match_used(&lots, &[buyer(3, 0.03, 100.0, 500.0)], 0.04, 365.0, |_| 2.0).is_empty());
    }
}
