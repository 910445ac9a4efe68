//! Sell or keep: whether an owner sells machines that do not pay at its site. An idle machine
//! costs its fixed power charges to keep and is worth the margins it may earn again; on the
//! secondary market it fetches what it earns at a typical buyer's power. A pure function of the
//! operator's view and the day's offers, called by `agents::decision::strategic` when there is
//! no upgrade to make.

use super::expansion::USED_LIFE_SHARE;
use super::valuation::{discounted_days, machine_value_usd_per_th, Outlook};
use super::view::{HardwareOffer, MarketView, OperatorView};
use crate::units::{power_cost_usd_per_th_day, DAYS_PER_YEAR, W_PER_MW};

/// MW of the operator's machines worth more sold than kept, least efficient first.
///
/// # Formula
/// A vintage of efficiency `e` at the owner's power `p` (of which the share `phi` is owed
/// whether it runs or not) is worth keeping `K(e) = V(e 0.024 p (1 - phi)) - e 0.024 p phi W`
/// per TH/s: its life value from today at the energy price (`agents::valuation`, no delivery
/// lag, [`USED_LIFE_SHARE`] of a machine life left, idle when losing, at the owner's hurdle
/// rate) less the fixed charges it carries over that life (`W` the discounted days,
/// [`discounted_days`]); it sells for the
/// secondary price `P(e)` (margin at the reference power over the horizon, floored at scrap).
/// The owner sells every vintage with `P(e) > K(e)`: machines that will not pay at its power
/// before they are obsolete go where they pay, or to scrap. Only machines that do not pay today
/// (power cost above the operating hashprice, so idle) are sold: a machine that pays now is
/// kept. (The decision reads no `running` flag, so the phased and fused days agree.)
pub fn sell_mw(op: &OperatorView, m: &MarketView, hw: &HardwareOffer) -> f64 {
    let outlook = Outlook::of(op.expectation, m, 0.0);
    let life_days = hw.life_years * DAYS_PER_YEAR * USED_LIFE_SHARE;
    // Only machines idle today are weighed (most reviews have none): the weight waits for one.
    let weight = std::cell::OnceCell::new();
    op.fleet
        .iter()
        .filter(|v| v.th_s > 0.0)
        .filter(|v| {
            let energy = power_cost_usd_per_th_day(v.j_per_th, op.energy_usd_per_kwh);
            if energy <= m.operating_hashprice_usd_per_th_day {
                return false;
            }
            let fixed = power_cost_usd_per_th_day(v.j_per_th, op.power_usd_per_kwh - op.energy_usd_per_kwh);
            let weight = *weight.get_or_init(|| discounted_days(life_days, op.hurdle_rate));
            let keep = machine_value_usd_per_th(&outlook, energy, life_days, op.hurdle_rate) - fixed * weight;
            hw.resale.price_usd_per_th(v.j_per_th) > keep
        })
        .map(|v| v.th_s * v.j_per_th / W_PER_MW)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::decision::tests::{hw, market, op, vintage};
    use super::*;

    /// Hand-worked at hashprice 0.04 $/TH/day, $0.05/kWh (cost 0.0012 e a day), no growth or
    /// halvings in view: a 45 J/TH machine costs 0.054 and never pays, so it is worth nothing
    /// kept and its scrap price ($0.5/TH) sells it; a 30 J/TH machine (0.036) pays today and
    /// is kept; with the resale price at scrap 0, nothing is sold. Bug caught: machines that pay
    /// sold, machines that never will kept for ever (the idle tail), or the wrong MW summed.
    #[test]
    fn machines_that_will_not_pay_are_sold_for_what_they_fetch() {
        let mut o: OperatorView = op(10.0, 30.0, 1e9);
        o.hurdle_rate = 0.0;
        o.fleet = smallvec::smallvec![vintage(100_000.0, 45.0), vintage(100_000.0, 30.0)];
        let m = market(0.04);
        let mut offer = hw();
        offer.resale.hashprice_usd_per_th_day = 0.04;
        offer.resale.scrap_usd_per_th = 0.5;
        let mw = sell_mw(&o, &m, &offer);
        assert!((mw - 100_000.0 * 45.0 / 1e6).abs() < 1e-9, "{mw}");
        offer.resale.scrap_usd_per_th = 0.0;
        assert_eq!(sell_mw(&o, &m, &offer), 0.0);
    }

    /// Hand-worked with half the power price fixed ($0.025/kWh used): a 45 J/TH machine
    /// costs 0.027 a day in energy, below today's 0.04: it runs and is kept, though it loses
    /// money all in (0.054). Idle at 0.02 (energy above it), it would earn nothing kept and
    /// still owe the fixed 0.027 a day: worth less than its scrap price, so sold. Bug caught:
    /// running machines sold because their all-in cost is above hashprice, or kept machines
    /// valued without the fixed charges they carry.
    #[test]
    fn fixed_charges_keep_running_machines_and_sell_idle_ones() {
        let mut o: OperatorView = op(10.0, 45.0, 1e9);
        o.hurdle_rate = 0.0;
        o.energy_usd_per_kwh = 0.025;
        o.fleet = smallvec::smallvec![vintage(100_000.0, 45.0)];
        let mut offer = hw();
        offer.resale.hashprice_usd_per_th_day = 0.04;
        offer.resale.scrap_usd_per_th = 0.5;
        assert_eq!(sell_mw(&o, &market(0.04), &offer), 0.0);
        offer.resale.hashprice_usd_per_th_day = 0.02;
        assert!((sell_mw(&o, &market(0.02), &offer) - 4.5).abs() < 1e-9);
        // Without fixed charges and with scrap worthless, the idle machine costs nothing kept.
        o.energy_usd_per_kwh = 0.05;
        o.power_usd_per_kwh = 0.05;
        offer.resale.scrap_usd_per_th = 0.0;
        assert_eq!(sell_mw(&o, &market(0.02), &offer), 0.0);
    }

    /// Hand-worked: a 35 J/TH machine at $0.05/kWh costs 0.042 a day, above today's 0.04, but
    /// an owner expecting hashprice back at 0.05 (adaptive: the moving average) values it at
    /// 0.008 x 730 days = $5.84/TH, above a scrap price of $0.5: it keeps it. Bug caught: an
    /// owner selling at the first dip machines it expects to pay again.
    #[test]
    fn machines_expected_to_pay_again_are_kept() {
        let mut o: OperatorView = op(10.0, 35.0, 1e9);
        o.hurdle_rate = 0.0;
        o.expectation = crate::scenario::Expectation::Adaptive;
        let mut m = market(0.04);
        m.hashprice_ema_usd_per_th_day = 0.05;
        let mut offer = hw();
        offer.resale.hashprice_usd_per_th_day = 0.04;
        offer.resale.scrap_usd_per_th = 0.5;
        assert_eq!(sell_mw(&o, &m, &offer), 0.0);
        o.expectation = crate::scenario::Expectation::Myopic;
        assert!(sell_mw(&o, &m, &offer) > 0.0, "a myopic owner sells what loses today and in view");
    }
}
