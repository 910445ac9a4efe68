//! The secondary market for used machines: what exiting, bankrupt and pivoting operators
//! sell. Machines here are dormant hashrate: switched off, but not scrapped.

use crate::agents::hardware::secondary_price_usd_per_th;

/// A batch of used machines for sale.
#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    pub th_s: f64,
    pub j_per_th: f64,
    pub listed_day: u32,
}

/// Inventory and pricing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecondaryMarket {
    pub lots: Vec<Lot>,
    /// Hashrate scrapped so far, TH/s.
    pub scrapped_th_s: f64,
}

/// What the market needs to price machines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pricing {
    pub hashprice_usd_per_th_day: f64,
    /// A typical buyer's power price, USD/kWh.
    pub reference_power_usd_per_kwh: f64,
    pub horizon_days: f64,
    pub scrap_usd_per_th: f64,
}

impl Pricing {
    /// USD per TH/s for a machine of efficiency `e`; see [`secondary_price_usd_per_th`].
    pub fn price_usd_per_th(&self, j_per_th: f64) -> f64 {
        secondary_price_usd_per_th(
            j_per_th,
            self.hashprice_usd_per_th_day,
            self.reference_power_usd_per_kwh,
            self.horizon_days,
            self.scrap_usd_per_th,
        )
    }
}

impl SecondaryMarket {
    pub fn list(&mut self, th_s: f64, j_per_th: f64, day: u32) {
        if th_s > 0.0 {
            self.lots.push(Lot { th_s, j_per_th, listed_day: day });
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
            let keep = !(at_scrap && day.saturating_sub(l.listed_day) >= after_days);
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
}
