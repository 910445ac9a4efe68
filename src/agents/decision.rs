//! Miners' decisions: pure functions of (miner state, observed market) -> action, so they can
//! be tested alone and applied after every miner has decided (agent order cannot matter).

use crate::scenario::DecisionRule;
use crate::units::power_cost_usd_per_th_day;

/// What a miner knows about itself when deciding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinerView {
    pub efficiency_j_per_th: f64,
    pub power_usd_per_kwh: f64,
    pub rule: DecisionRule,
}

/// What a miner observes of the market today.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketView {
    /// Expected revenue of one TH/s today at the current difficulty, USD per day.
    pub hashprice_usd_per_th_day: f64,
}

/// The daily operational choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Mine,
    Idle,
}

/// Run or idle today.
///
/// # Formula
/// Mine iff `hashprice >= e * 0.024 * p` (revenue per TH/s per day covers the power cost per
/// TH/s per day, see [`power_cost_usd_per_th_day`]); the miner's size cancels. Exactly at
/// break-even the miner mines.
pub fn decide_daily(miner: &MinerView, market: &MarketView) -> Action {
    match miner.rule {
        DecisionRule::Always => Action::Mine,
        DecisionRule::Profitable => {
            let cost = power_cost_usd_per_th_day(miner.efficiency_j_per_th, miner.power_usd_per_kwh);
            if market.hashprice_usd_per_th_day >= cost {
                Action::Mine
            } else {
                Action::Idle
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn miner(e: f64, p: f64) -> MinerView {
        MinerView { efficiency_j_per_th: e, power_usd_per_kwh: p, rule: DecisionRule::Profitable }
    }

    #[test]
    fn table() {
        // hashprice $37/PH/day = $0.037/TH/day; break-even at $0.05/kWh is 30.83 J/TH.
        let market = MarketView { hashprice_usd_per_th_day: 0.037 };
        let cases = [
            (17.5, 0.05, Action::Mine),
            (30.0, 0.05, Action::Mine),
            (31.0, 0.05, Action::Idle),
            (98.0, 0.05, Action::Idle),
            (98.0, 0.0, Action::Mine),  // free power: any hardware pays
            (13.5, 0.12, Action::Idle), // 13.5 * 0.024 * 0.12 = 0.03888 > 0.037
        ];
        for (e, p, want) in cases {
            assert_eq!(decide_daily(&miner(e, p), &market), want, "{e} J/TH at ${p}/kWh");
        }
    }

    #[test]
    fn exactly_break_even_mines() {
        let m = miner(25.0, 0.05);
        let market = MarketView { hashprice_usd_per_th_day: power_cost_usd_per_th_day(25.0, 0.05) };
        assert_eq!(decide_daily(&m, &market), Action::Mine);
    }

    #[test]
    fn zero_hashprice_idles_all_but_always() {
        let market = MarketView { hashprice_usd_per_th_day: 0.0 };
        assert_eq!(decide_daily(&miner(15.0, 0.01), &market), Action::Idle);
        let always = MinerView { rule: DecisionRule::Always, ..miner(15.0, 0.01) };
        assert_eq!(decide_daily(&always, &market), Action::Mine);
    }
}
