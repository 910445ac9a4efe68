//! Replace or keep: which of a site's machines new ones would beat in the MW they occupy. The
//! upgrade cycle the industry runs: an S19 that still earns is swapped for an S21 when the
//! newer machine earns so much more from the same power that the swap pays for it, and the
//! old one goes to the used market (to a site with cheaper power, or to scrap). A pure
//! function of the operator's view and the day's offers, called by
//! `agents::decision::strategic` when new machines are worth buying.

use super::valuation::{machine_value_usd_per_th, Outlook};
use super::view::{HardwareOffer, MarketView, OperatorView};
use crate::units::{power_cost_usd_per_th_day, DAYS_PER_YEAR, W_PER_MW};

/// MW of the operator's machines worth more replaced than kept, counted least efficient first
/// (the order the engine takes them out in) up to the first vintage worth keeping.
///
/// # Formula
/// One MW holds `1e6 / e` TH/s of machines of efficiency `e`. Kept, they are worth
/// `K(e) 1e6 / e`, with `K(e)` their value over a machine life from today at the site's power
/// price (`agents::valuation`, no delivery lag, idle when losing): the model's machines do not
/// wear out (failures retire them), so an installed machine has as much life ahead as a new
/// one and a machine is never swapped for its like. Replaced, the MW holds new machines worth their net present value
/// `N 1e6 / e_new` (`N = V_new - P_new` per TH/s, as the upgrade values them) and the old ones
/// fetch the used price `R(e)`. Replace iff `N 1e6 / e_new + (R(e) - K(e)) 1e6 / e > 0`; a
/// machine that loses money in expectation (`K = 0`) is always replaced when `N > 0`.
pub fn replaceable_mw(op: &OperatorView, m: &MarketView, hw: &HardwareOffer, new_npv_per_th: f64) -> f64 {
    if new_npv_per_th <= 0.0 {
        return 0.0;
    }
    let outlook = Outlook::of(op.expectation, m, 0.0);
    let life_days = hw.life_years * DAYS_PER_YEAR;
    let new_per_mw = new_npv_per_th * W_PER_MW / hw.j_per_th;
    let mut fleet: Vec<(f64, f64)> = op.fleet.iter().filter(|v| v.th_s > 0.0).map(|v| (v.j_per_th, v.th_s)).collect();
    fleet.sort_by(|a, b| b.0.total_cmp(&a.0)); // least efficient first
    let mut mw = 0.0;
    for (e, th_s) in fleet {
        let cost = power_cost_usd_per_th_day(e, op.power_usd_per_kwh);
        let keep = machine_value_usd_per_th(&outlook, cost, life_days, op.hurdle_rate);
        let old_per_mw = (hw.resale.price_usd_per_th(e) - keep) * W_PER_MW / e;
        if new_per_mw + old_per_mw <= 0.0 {
            break;
        }
        mw += th_s * e / W_PER_MW;
    }
    mw
}

#[cfg(test)]
mod tests {
    use super::super::decision::tests::{hw, market, op, vintage};
    use super::*;

    /// Hand-worked at a flat hashprice of 0.04 $/TH/day, $0.05/kWh (cost 0.0012 e a day), no
    /// discounting, a 1,460-day life, no resale value. A 30 J/TH machine keeps 0.004 a day:
    /// 5.84 per TH/s, 194,667 per MW. New 13.5 J/TH machines at a net value N per TH/s are
    /// worth N 74,074 per MW: a 30 J/TH MW is replaced iff N > 2.628; a 20 J/TH one (0.016 a
    /// day: 23.36 per TH/s, 1,168,000 per MW) iff N > 15.768. Machines like the new ones are
    /// never replaced (their life value exceeds the new ones' by the price). Bug caught:
    /// machines compared per TH/s rather than per MW of the site they occupy, the best machines
    /// replaced first, machines that earn replaced for nothing, or a machine swapped for its
    /// like (a kept one valued over a shorter life than a new one).
    #[test]
    fn machines_are_replaced_when_new_ones_earn_more_from_the_same_mw() {
        let mut o = op(10.0, 30.0, 1e9);
        o.hurdle_rate = 0.0;
        o.fleet = smallvec::smallvec![vintage(100_000.0, 20.0), vintage(100_000.0, 30.0)];
        let m = market(0.04);
        let h = hw();
        let (mw20, mw30) = (100_000.0 * 20.0 / 1e6, 100_000.0 * 30.0 / 1e6);
        assert_eq!(replaceable_mw(&o, &m, &h, 2.6), 0.0);
        assert!((replaceable_mw(&o, &m, &h, 2.7) - mw30).abs() < 1e-9);
        assert!((replaceable_mw(&o, &m, &h, 15.7) - mw30).abs() < 1e-9);
        assert!((replaceable_mw(&o, &m, &h, 15.9) - (mw20 + mw30)).abs() < 1e-9);
        // Nothing is worth replacing when new machines are not worth buying.
        assert_eq!(replaceable_mw(&o, &m, &h, 0.0), 0.0);
        // 13.5 J/TH machines earn 0.0238 a day, 34.75 over the life: new ones at $20 are worth
        // 14.75 beyond their price, never more than the ones in place.
        o.fleet = smallvec::smallvec![vintage(100_000.0, 13.5)];
        let n = machine_value_usd_per_th(&Outlook::of(o.expectation, &m, 0.0), 0.0162, 1460.0, 0.0) - 20.0;
        assert!((n - 14.748).abs() < 1e-3, "{n}");
        assert_eq!(replaceable_mw(&o, &m, &h, n), 0.0);
    }

    /// The used price counts for the swap: new machines worth 2 per TH/s beyond their price do
    /// not replace 30 J/TH ones that fetch nothing (2 x 74,074 < 5.84 x 33,333 per MW), and do
    /// when these fetch 2 per TH/s (2 x 74,074 + (2 - 5.84) x 33,333 > 0). Bug caught: resale
    /// ignored, or counted per MW of the new machines.
    #[test]
    fn the_used_price_helps_pay_for_the_swap() {
        let mut o = op(3.0, 30.0, 1e9);
        o.hurdle_rate = 0.0;
        let m = market(0.04);
        let mut h = hw();
        assert_eq!(replaceable_mw(&o, &m, &h, 2.0), 0.0);
        h.resale.scrap_usd_per_th = 2.0;
        assert!((replaceable_mw(&o, &m, &h, 2.0) - 3.0).abs() < 1e-9);
    }
}
