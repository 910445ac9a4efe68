//! The market for new machines: makers build a finite number of machines a month and serve
//! orders first come, first served, so a boom lengthens the quoted lead time instead of
//! delivering the world; the price per TH/s follows miners' margins (hashprice) and the
//! order book. Operators see the quote (lead time and price) in the day's view and decide on
//! it; the day's orders join the queue together at the day's end, so no operator's place in
//! storage changes what it pays or when it is delivered.

use crate::units::{DAYS_PER_MONTH, TH_PER_EH};

/// Price premium per month of manufacturing queued ahead of a new order: makers raise prices
/// when their order books fill (2021: new machines sold above list, delivered 6-12 months
/// out). A model assumption (docs/MODEL.md, "Hardware market"): 3% per month of queue.
pub const BOOK_PREMIUM_PER_QUEUE_MONTH: f64 = 0.03;

/// Days of production the makers sell forward: an order is accepted only while the queue is
/// shorter than this. 2021's boom sold the leading maker's machines out 6-9 months ahead
/// (docs/MODEL.md, "Hardware market"): 180 days.
pub const MAX_FORWARD_DAYS: f64 = 180.0;

/// The makers' order book.
#[derive(Debug, Clone, PartialEq)]
pub struct HardwareMarket {
    /// Machines the makers build a day, TH/s (`hardware.manufacturing_eh_s_per_month` / 30).
    pub capacity_th_s_per_day: f64,
    /// Days from a machine's manufacture to its delivery (`hardware.lead_time_days`): shipping,
    /// customs, installation.
    pub base_lead_time_days: u32,
    /// Machines ordered and not yet built, TH/s.
    pub queue_th_s: f64,
    /// Hashprice at which catalog prices hold, USD per TH/s per day (the run's first day).
    pub reference_hashprice_usd_per_th_day: f64,
    /// Elasticity of the price per TH/s to hashprice (`hardware.price_elasticity`).
    pub price_elasticity: f64,
}

/// What the makers quote today.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    /// Days from an order placed today to its delivery.
    pub lead_time_days: u32,
    /// Multiplier of the catalog's price per TH/s.
    pub price_factor: f64,
}

/// The most one operator may order today, TH/s per MW of its mining capacity: the makers'
/// open book shared among operators by size.
///
/// # Formula
/// `a = open / M`, with `M` the mining MW of all active operators. Each operator reviews once
/// per strategy interval, so over an interval the orders add up to at most about one open
/// book, whatever order operators are stored in and however many want to buy.
pub fn allotment_th_s_per_mw(open_th_s: f64, mining_mw_total: f64) -> f64 {
    if mining_mw_total > 0.0 {
        open_th_s / mining_mw_total
    } else {
        0.0
    }
}

impl HardwareMarket {
    pub fn new(
        manufacturing_eh_s_per_month: f64,
        base_lead_time_days: u32,
        reference_hashprice_usd_per_th_day: f64,
        price_elasticity: f64,
    ) -> HardwareMarket {
        HardwareMarket {
            capacity_th_s_per_day: manufacturing_eh_s_per_month * TH_PER_EH / DAYS_PER_MONTH,
            base_lead_time_days,
            queue_th_s: 0.0,
            reference_hashprice_usd_per_th_day,
            price_elasticity,
        }
    }

    /// Days of manufacturing queued ahead of an order placed now: `Q / c`.
    pub fn queue_days(&self) -> f64 {
        if self.capacity_th_s_per_day > 0.0 {
            self.queue_th_s / self.capacity_th_s_per_day
        } else {
            0.0
        }
    }

    /// Today's quote, at the moving average of hashprice `h_ema`.
    ///
    /// # Formula
    /// Lead time `L = L0 + ceil(Q / c)` (base lead time, queue `Q` over capacity `c` per day).
    /// Price factor `(h_ema / h_ref)^eps * (1 + k Q / (30 c))`: the catalog price scaled by
    /// hashprice with elasticity `eps`, plus a premium `k` per month of queue
    /// ([`BOOK_PREMIUM_PER_QUEUE_MONTH`]).
    pub fn quote(&self, h_ema_usd_per_th_day: f64) -> Quote {
        let queue_days = self.queue_days();
        let ratio = if self.reference_hashprice_usd_per_th_day > 0.0 {
            (h_ema_usd_per_th_day / self.reference_hashprice_usd_per_th_day).max(0.0)
        } else {
            1.0
        };
        Quote {
            lead_time_days: self.base_lead_time_days + queue_days.ceil() as u32,
            price_factor: ratio.powf(self.price_elasticity)
                * (1.0 + BOOK_PREMIUM_PER_QUEUE_MONTH * queue_days / DAYS_PER_MONTH),
        }
    }

    /// Machines the makers can still accept, TH/s: `max(0, c * MAX_FORWARD_DAYS - Q)`.
    pub fn open_th_s(&self) -> f64 {
        (self.capacity_th_s_per_day * MAX_FORWARD_DAYS - self.queue_th_s).max(0.0)
    }

    /// A day of manufacturing: the queue shrinks by the day's output.
    pub fn build_day(&mut self) {
        self.queue_th_s = (self.queue_th_s - self.capacity_th_s_per_day).max(0.0);
    }

    /// The day's orders, `th_s` in all, join the queue (after every operator has ordered on
    /// the same quote).
    pub fn book(&mut self, th_s: f64) {
        self.queue_th_s += th_s;
    }
}

/// Machines in transit to one operator at the start of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InitialOrder {
    pub operator: usize,
    pub th_s: f64,
    pub deliver_day: u32,
}

/// The order book in transit at day 0: `book_th_s` of machines shared among operators in
/// proportion to their free room, never beyond it, each operator's delivered on one day of the
/// lead time.
///
/// # Formula
/// Operator `i` with free room `f_i` TH/s gets `f_i * min(1, B / sum f)`, delivered on day
/// `1 + mix(i) mod L` (`mix` a fixed integer hash of the operator's id), so deliveries spread
/// evenly over the lead time `L` whatever order operators are stored in. Operators without
/// room get nothing.
pub fn initial_book(free_th_s: &[f64], book_th_s: f64, lead_time_days: u32) -> Vec<InitialOrder> {
    let total: f64 = free_th_s.iter().filter(|f| **f > 0.0).sum();
    if total <= 0.0 || book_th_s <= 0.0 {
        return Vec::new();
    }
    let scale = (book_th_s / total).min(1.0);
    let spread = u64::from(lead_time_days.max(1));
    free_th_s
        .iter()
        .enumerate()
        .filter(|(_, f)| **f > 0.0)
        .map(|(i, f)| {
            let mix = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
            InitialOrder { operator: i, th_s: f * scale, deliver_day: 1 + (mix % spread) as u32 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-worked: 30 EH/s a month is 1 EH/s (1e6 TH/s) a day; 45 days of queue on a base of
    /// 90 days quote 135 days, and 1.5 months of queue add 4.5% to the price. A day's orders
    /// of 10 EH/s add 10 days; a day of manufacturing takes one off.
    /// Bug caught: orders delivered regardless of what the makers can build.
    #[test]
    fn the_queue_sets_lead_time_and_premium() {
        let mut m = HardwareMarket::new(30.0, 90, 0.04, 1.0);
        assert_eq!(m.capacity_th_s_per_day, 1e6);
        assert_eq!(m.quote(0.04), Quote { lead_time_days: 90, price_factor: 1.0 });
        m.book(45e6);
        let q = m.quote(0.04);
        assert_eq!(q.lead_time_days, 135);
        assert!((q.price_factor - 1.045).abs() < 1e-12, "{q:?}");
        m.book(10e6);
        assert_eq!(m.quote(0.04).lead_time_days, 145);
        m.build_day();
        assert_eq!(m.quote(0.04).lead_time_days, 144);
        for _ in 0..100 {
            m.build_day();
        }
        assert_eq!(m.queue_th_s, 0.0);
    }

    /// Hand-worked: 30 EH/s a month sold 180 days forward is 180 EH/s open; with 150 EH/s
    /// queued 30 EH/s stay open, which 3,000 MW of mining share at 10,000 TH/s per MW; a full
    /// book allots nothing. Bug caught: a boom that orders more than the makers can build.
    #[test]
    fn the_open_book_is_shared_by_size() {
        let mut m = HardwareMarket::new(30.0, 90, 0.04, 1.0);
        assert!((m.open_th_s() - 180e6).abs() < 1e-3);
        m.book(150e6);
        assert!((allotment_th_s_per_mw(m.open_th_s(), 3000.0) - 1e4).abs() < 1e-6);
        m.book(40e6);
        assert_eq!(m.open_th_s(), 0.0);
        assert_eq!(allotment_th_s_per_mw(m.open_th_s(), 3000.0), 0.0);
        assert_eq!(allotment_th_s_per_mw(1e6, 0.0), 0.0);
    }

    /// Hand-worked: free rooms 10, 0, 30 TH/s and a book of 20: half of each room (5, 15),
    /// nothing for the full site; a book of 100 fills each room and no more. Deliveries fall
    /// within the lead time. Bug caught: a book delivered beyond the sites' room.
    #[test]
    fn the_initial_book_is_shared_by_room() {
        let b = initial_book(&[10.0, 0.0, 30.0], 20.0, 90);
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].operator, b[0].th_s, b[1].operator, b[1].th_s), (0, 5.0, 2, 15.0));
        assert!(b.iter().all(|o| (1..=90).contains(&o.deliver_day)));
        let b = initial_book(&[10.0, 0.0, 30.0], 100.0, 90);
        assert_eq!(b.iter().map(|o| o.th_s).sum::<f64>(), 40.0);
        assert!(initial_book(&[0.0], 100.0, 90).is_empty());
        // Spread: 1,000 operators' deliveries cover most of 90 days.
        let b = initial_book(&[1.0; 1000], 1000.0, 90);
        let mut days: Vec<u32> = b.iter().map(|o| o.deliver_day).collect();
        days.sort_unstable();
        days.dedup();
        assert!(days.len() > 80, "{}", days.len());
    }

    /// Hand-worked: hashprice at half the reference halves the price at elasticity 1, and
    /// multiplies it by 0.5^0.5 = 0.7071 at 0.5; elasticity 0 keeps the catalog price.
    /// Bug caught: a price that ignores miners' margins (2022: hashprice -77%, machines kept
    /// their list price and nobody bought).
    #[test]
    fn price_follows_hashprice() {
        let m = HardwareMarket::new(30.0, 90, 0.04, 1.0);
        assert!((m.quote(0.02).price_factor - 0.5).abs() < 1e-12);
        let m = HardwareMarket { price_elasticity: 0.5, ..m };
        assert!((m.quote(0.02).price_factor - 0.5f64.sqrt()).abs() < 1e-12);
        let m = HardwareMarket { price_elasticity: 0.0, ..m };
        assert_eq!(m.quote(0.02).price_factor, 1.0);
    }
}
