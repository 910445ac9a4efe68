//! The AI/HPC hosting market: finite demand for powered capacity that miners can convert to,
//! allocated to the largest, best-capitalised operators first.

use crate::agents::decision::AiOffer;
use crate::scenario::params::AiParams;

/// Demand, price and what is already contracted.
#[derive(Debug, Clone, PartialEq)]
pub struct AiMarket {
    /// Demand open to miners, MW (grows over time; shocks move it).
    pub demand_mw: f64,
    pub growth_per_year: f64,
    /// Revenue of new contracts, USD per MW-year.
    pub revenue_usd_per_mw_year: f64,
    /// Capacity under contract (building or online), MW.
    pub contracted_mw: f64,
    pub opex_share: f64,
    pub capex_usd_per_mw: f64,
    pub build_days: u32,
    pub contract_years: f64,
    pub min_mw: f64,
}

/// One operator's request for hosting capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    pub operator: usize,
    pub mw: f64,
    /// Priority keys: larger sites first, then more liquidity, then lower index.
    pub site_mw: f64,
    pub liquidity_usd: f64,
}

impl AiMarket {
    pub fn new(s: &AiParams) -> AiMarket {
        AiMarket {
            demand_mw: s.demand_mw,
            growth_per_year: s.demand_growth_per_year,
            revenue_usd_per_mw_year: s.revenue_usd_per_mw_year,
            contracted_mw: 0.0,
            opex_share: s.opex_share,
            capex_usd_per_mw: s.capex_usd_per_mw,
            build_days: s.build_days,
            contract_years: s.contract_years,
            min_mw: s.min_mw,
        }
    }

    /// One day of demand growth: `demand *= (1 + g)^(1/365)`.
    pub fn advance_day(&mut self) {
        self.demand_mw *= (1.0 + self.growth_per_year).powf(1.0 / crate::units::DAYS_PER_YEAR);
    }

    pub fn available_mw(&self) -> f64 {
        (self.demand_mw - self.contracted_mw).max(0.0)
    }

    /// Whether demand still covers what is contracted (else expiring contracts are not
    /// renewed).
    pub fn demand_covers_contracts(&self) -> bool {
        self.demand_mw >= self.contracted_mw
    }

    pub fn offer(&self) -> AiOffer {
        AiOffer {
            revenue_usd_per_mw_year: self.revenue_usd_per_mw_year,
            opex_share: self.opex_share,
            capex_usd_per_mw: self.capex_usd_per_mw,
            build_days: self.build_days as f64,
            contract_years: self.contract_years,
            min_mw: self.min_mw,
            available_mw: self.available_mw(),
        }
    }

    /// Grants requests in priority order until demand runs out; a grant smaller than the
    /// tenants' minimum deal is refused. Returns (operator, MW granted). The order depends
    /// only on the requests, never on the order they arrived in.
    pub fn allocate(&mut self, mut requests: Vec<Request>) -> Vec<(usize, f64)> {
        requests.sort_by(|a, b| {
            b.site_mw
                .total_cmp(&a.site_mw)
                .then(b.liquidity_usd.total_cmp(&a.liquidity_usd))
                .then(a.operator.cmp(&b.operator))
        });
        let mut grants = Vec::new();
        for r in requests {
            let mw = r.mw.min(self.available_mw());
            if mw >= self.min_mw && mw > 0.0 {
                self.contracted_mw += mw;
                grants.push((r.operator, mw));
            }
        }
        grants
    }

    /// Capacity returned at a contract's end or termination.
    pub fn release(&mut self, mw: f64) {
        self.contracted_mw = (self.contracted_mw - mw).max(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market(demand: f64) -> AiMarket {
        AiMarket::new(&AiParams { demand_mw: demand, min_mw: 20.0, ..AiParams::default() })
    }

    fn req(operator: usize, mw: f64, site: f64, liq: f64) -> Request {
        Request { operator, mw, site_mw: site, liquidity_usd: liq }
    }

    #[test]
    fn largest_first_and_small_ones_shut_out() {
        let mut m = market(150.0);
        let grants = m.allocate(vec![req(0, 30.0, 30.0, 1e9), req(1, 100.0, 100.0, 1e9), req(2, 40.0, 40.0, 1e9)]);
        // 100 to the largest, 40 to the next, 10 left < 20 minimum for the smallest.
        assert_eq!(grants, vec![(1, 100.0), (2, 40.0)]);
        assert_eq!(m.available_mw(), 10.0);
        m.release(40.0);
        assert_eq!(m.available_mw(), 50.0);
    }

    #[test]
    fn ties_break_on_liquidity_then_index_not_arrival() {
        let mut a = market(50.0);
        let mut b = market(50.0);
        let r = vec![req(3, 50.0, 50.0, 1.0), req(1, 50.0, 50.0, 2.0), req(2, 50.0, 50.0, 2.0)];
        let mut rr = r.clone();
        rr.reverse();
        assert_eq!(a.allocate(r), vec![(1, 50.0)]);
        assert_eq!(b.allocate(rr), vec![(1, 50.0)]);
    }

    #[test]
    fn demand_grows_at_the_annual_rate() {
        let mut m = market(100.0);
        m.growth_per_year = 0.25;
        for _ in 0..365 {
            m.advance_day();
        }
        assert!((m.demand_mw - 125.0).abs() < 1e-9);
    }
}
