//! Operators' money: one day's cash flow, forced BTC sales, credit and insolvency, as a pure
//! function of the balances and the day's flows.

/// What an operator owns and owes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Balances {
    pub cash_usd: f64,
    pub treasury_btc: f64,
    pub debt_usd: f64,
    /// Most the operator may owe (its access to capital).
    pub credit_limit_usd: f64,
}

impl Balances {
    /// Cash plus undrawn credit.
    pub fn liquidity_usd(&self) -> f64 {
        self.cash_usd.max(0.0) + (self.credit_limit_usd - self.debt_usd).max(0.0)
    }
}

/// One day's flows, USD unless stated.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DayFlows {
    /// BTC won in blocks since the last settlement.
    pub mined_btc: f64,
    pub power_usd: f64,
    /// Hosting revenue net of hosting opex.
    pub ai_net_usd: f64,
    /// Capital spending paid today (machines, conversions, acquisitions).
    pub capex_usd: f64,
    /// Proceeds of sales (machines sold) today.
    pub sales_usd: f64,
}

/// The day after settlement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settlement {
    pub balances: Balances,
    /// BTC sold today (routine sales plus forced ones).
    pub btc_sold: f64,
    /// Of which sold only because cash ran short.
    pub btc_forced: f64,
    /// False when even the treasury and the credit line cannot cover the day: bankruptcy.
    pub solvent: bool,
}

/// Settles one day.
///
/// # Formula
/// Mined BTC enter the treasury; `sell_share` of them is sold at `price` (miners sell most
/// production to fund opex). Cash then changes by sales + hosting - power - capex - interest,
/// with daily interest `debt * rate / 365`. A shortfall is covered first by selling treasury
/// BTC (forced selling), then by drawing credit up to the limit; what remains uncovered makes
/// the operator insolvent.
pub fn settle_day(b: Balances, f: &DayFlows, price_usd: f64, sell_share: f64, interest_rate: f64) -> Settlement {
    let mut n = b;
    n.treasury_btc += f.mined_btc;
    let routine = f.mined_btc * sell_share;
    n.treasury_btc -= routine;
    let interest = b.debt_usd * interest_rate / crate::units::DAYS_PER_YEAR;
    n.cash_usd += routine * price_usd + f.ai_net_usd + f.sales_usd - f.power_usd - f.capex_usd - interest;
    let mut forced = 0.0;
    if n.cash_usd < 0.0 && price_usd > 0.0 {
        forced = (-n.cash_usd / price_usd).min(n.treasury_btc);
        n.treasury_btc -= forced;
        n.cash_usd += forced * price_usd;
    }
    if n.cash_usd < 0.0 {
        let draw = (-n.cash_usd).min((n.credit_limit_usd - n.debt_usd).max(0.0));
        n.debt_usd += draw;
        n.cash_usd += draw;
    }
    // Round-off of a few cents is not insolvency.
    let solvent = n.cash_usd >= -1e-6;
    Settlement { balances: n, btc_sold: routine + forced, btc_forced: forced, solvent }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRICE: f64 = 90_000.0;

    #[test]
    fn routine_sales_fund_power() {
        let b = Balances { cash_usd: 1000.0, ..Balances::default() };
        let f = DayFlows { mined_btc: 0.1, power_usd: 5000.0, ..DayFlows::default() };
        let s = settle_day(b, &f, PRICE, 0.8, 0.0);
        // 0.08 BTC sold = $7,200; cash 1000 + 7200 - 5000 = 3200; treasury keeps 0.02.
        assert!((s.balances.cash_usd - 3200.0).abs() < 1e-9);
        assert!((s.balances.treasury_btc - 0.02).abs() < 1e-12);
        assert_eq!(s.btc_forced, 0.0);
        assert!(s.solvent);
    }

    #[test]
    fn zero_cash_forces_btc_sales_then_credit_then_insolvency() {
        let b = Balances { cash_usd: 0.0, treasury_btc: 1.0, debt_usd: 0.0, credit_limit_usd: 50_000.0 };
        let f = DayFlows { power_usd: 45_000.0, ..DayFlows::default() };
        let s = settle_day(b, &f, PRICE, 0.8, 0.0);
        assert!((s.btc_forced - 0.5).abs() < 1e-12);
        assert!(s.solvent && s.balances.debt_usd == 0.0);
        // Treasury too small: credit covers the rest.
        let f = DayFlows { power_usd: 120_000.0, ..DayFlows::default() };
        let s = settle_day(b, &f, PRICE, 0.8, 0.0);
        assert_eq!(s.balances.treasury_btc, 0.0);
        assert!((s.balances.debt_usd - 30_000.0).abs() < 1e-6);
        assert!(s.solvent);
        // Beyond the credit line: insolvent.
        let f = DayFlows { power_usd: 200_000.0, ..DayFlows::default() };
        let s = settle_day(b, &f, PRICE, 0.8, 0.0);
        assert!(!s.solvent);
        assert_eq!(s.balances.debt_usd, 50_000.0);
    }

    #[test]
    fn interest_accrues_daily() {
        let b = Balances { cash_usd: 1000.0, debt_usd: 365_000.0, credit_limit_usd: 365_000.0, ..Balances::default() };
        let s = settle_day(b, &DayFlows::default(), PRICE, 1.0, 0.10);
        assert!((s.balances.cash_usd - 900.0).abs() < 1e-9);
    }

    #[test]
    fn exactly_zero_is_solvent() {
        let b = Balances { cash_usd: 100.0, ..Balances::default() };
        let s = settle_day(b, &DayFlows { power_usd: 100.0, ..DayFlows::default() }, PRICE, 1.0, 0.0);
        assert!(s.solvent);
        assert_eq!(s.balances.cash_usd, 0.0);
    }

    #[test]
    fn liquidity() {
        let b = Balances { cash_usd: 10.0, debt_usd: 30.0, credit_limit_usd: 100.0, ..Balances::default() };
        assert_eq!(b.liquidity_usd(), 80.0);
    }
}
