//! Site building: whether an operator expands its site, for new machines from the makers or
//! for used ones from the secondary market, whichever pays more per MW. A pure function of the
//! operator's view and the market's offers, called by `agents::decision::strategic` when there
//! is no upgrade to make.

use super::valuation::{machine_value_usd_per_th, Outlook};
use super::view::{HardwareOffer, MarketView, OperatorView, Strategy, StrategyParams, MIN_ORDER_MW};
use crate::units::{power_cost_usd_per_th_day, DAYS_PER_YEAR, W_PER_MW};

/// Share of a machine's life left to a used one bought on the secondary market: machines are
/// sold at every age between new and obsolete, so on average half (an assumption; the market
/// does not track ages).
pub const USED_LIFE_SHARE: f64 = 0.5;

/// Salt of the build-time draws (with the replicate's seed, the operator and the day).
const BUILD_DAYS_SALT: u64 = 0x6275_696c_6464_6179; // "builddays"

/// Days until a site started on day `day` by operator `operator` stands: the mean
/// `strategy.site_build_days` times a factor uniform in [0.5, 1.5), drawn from a hash of
/// (`seed`, operator, day), so the same build takes the same time whatever the order operators
/// are stored or visited in. Builds take from weeks to most of a year (docs/MODEL.md: 4 weeks
/// to 9 months reported): a fixed lag would make every site started after a shock stand on the
/// same day.
pub fn build_days(seed: u64, operator: usize, day: u32, mean_days: f64) -> u32 {
    let h = crate::rng::mix64(seed ^ crate::rng::mix64(BUILD_DAYS_SALT ^ ((operator as u64) << 32 | u64::from(day))));
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    (mean_days * (0.5 + u)).round() as u32
}

/// Whether to expand the site, and by how much: when machines, delivered once the site
/// stands, pay for themselves and for the site at the hurdle rate. The machines are new ones
/// (`hw`) or the best used ones on sale (`hw.used`), whichever gives the MW more value.
///
/// # Formula
/// With `V` the life value of a machine (`agents::valuation`) delivered after
/// `max(lead time, build days)` (new) or `build days` (used, with [`USED_LIFE_SHARE`] of the
/// life left), price `P` per TH/s and efficiency `e`, a MW of new capacity is worth
/// `(V - P) 1e6 / e - S` (site cost `S` per MW). If the better of the two is positive and
/// nothing is being built, build `min(x M, liquidity / (S + P 1e6 / e))` MW (for used machines
/// also at most the MW on sale): at most a share `x` of the mining MW `M` at once, and only what
/// cash and credit can pay for, site and machines.
pub fn build(op: &OperatorView, m: &MarketView, hw: &HardwareOffer, p: &StrategyParams, new_cost: f64) -> Strategy {
    if op.building_mw > 0.0 || p.max_expansion_share <= 0.0 || op.liquidity_usd <= 0.0 {
        return Strategy::Hold;
    }
    let life_days = hw.life_years * DAYS_PER_YEAR;
    let new = {
        let outlook = Outlook::of(op.expectation, m, hw.lead_time_days.max(p.site_build_days));
        let value = machine_value_usd_per_th(&outlook, new_cost, life_days, op.hurdle_rate);
        Machines {
            j_per_th: hw.j_per_th,
            value_usd_per_th: value,
            price_usd_per_th: hw.price_usd_per_th,
            max_mw: f64::INFINITY,
        }
    };
    let used = hw.used.filter(|u| u.th_s > 0.0).map(|u| {
        let outlook = Outlook::of(op.expectation, m, p.site_build_days);
        let cost = power_cost_usd_per_th_day(u.j_per_th, op.power_usd_per_kwh);
        let value = machine_value_usd_per_th(&outlook, cost, life_days * USED_LIFE_SHARE, op.hurdle_rate);
        Machines {
            j_per_th: u.j_per_th,
            value_usd_per_th: value,
            price_usd_per_th: u.price_usd_per_th,
            max_mw: u.th_s * u.j_per_th / W_PER_MW,
        }
    });
    let best = match used {
        Some(u) if u.surplus_per_mw(p) > new.surplus_per_mw(p) => u,
        _ => new,
    };
    if best.surplus_per_mw(p) <= 0.0 {
        return Strategy::Hold;
    }
    let mw_cost = p.site_usd_per_mw + best.price_usd_per_th * W_PER_MW / best.j_per_th;
    let mw = (p.max_expansion_share * op.mining_mw).min(op.liquidity_usd / mw_cost).min(best.max_mw);
    if mw >= MIN_ORDER_MW {
        Strategy::Build { mw }
    } else {
        Strategy::Hold
    }
}

/// Machines that could fill a new MW.
#[derive(Debug, Clone, Copy)]
struct Machines {
    j_per_th: f64,
    value_usd_per_th: f64,
    price_usd_per_th: f64,
    /// The most MW of them there are.
    max_mw: f64,
}

impl Machines {
    /// `(V - P) 1e6 / e - S`.
    fn surplus_per_mw(&self, p: &StrategyParams) -> f64 {
        (self.value_usd_per_th - self.price_usd_per_th) * W_PER_MW / self.j_per_th - p.site_usd_per_mw
    }
}

#[cfg(test)]
mod tests {
    use super::super::decision::tests::{ai, hw, market, op, P};
    use super::super::decision::{strategic, OperatorView, Strategy, StrategyParams, UsedOffer};

    /// Hand-worked: a full 10 MW site of 13.5 J/TH machines at $0.05/kWh (cost 0.0162 a day)
    /// and hashprice 0.05, no discounting: a new machine earns 0.0338 x 1460 = 49.35 over its
    /// life, 29.35 over its $20 price, i.e. 29.35 x 1e6 / 13.5 = $2.17M per MW, above a site
    /// at $0.325M: build 25% of the site, 2.5 MW, or what liquidity pays for site and machines
    /// ($0.325M + 20 x 74,074 = $1.807M per MW). Not at $3M per MW of site, nor while a build
    /// is under way. Bug caught: sites built whatever they cost, beyond the operator's means,
    /// or again and again before the first one stands.
    #[test]
    fn sites_are_built_when_machines_pay_for_them() {
        let p = StrategyParams { max_expansion_share: 0.25, ..P };
        let mut o = op(10.0, 13.5, 1e9);
        o.hurdle_rate = 0.0;
        let build = |o: &OperatorView, p: &StrategyParams| strategic(o, &market(0.05), &ai(1e6, 0.0), &hw(), p);
        assert_eq!(build(&o, &p), Strategy::Build { mw: 2.5 });
        let mw_cost = 325_000.0 + 20.0 * 1e6 / 13.5;
        o.liquidity_usd = mw_cost;
        match build(&o, &p) {
            Strategy::Build { mw } => assert!((mw - 1.0).abs() < 1e-12, "{mw}"),
            s => panic!("{s:?}"),
        }
        o.liquidity_usd = 1e9;
        assert_eq!(build(&o, &StrategyParams { site_usd_per_mw: 3e6, ..p }), Strategy::Hold);
        o.building_mw = 1.0;
        assert_eq!(build(&o, &p), Strategy::Hold);
        // No building when the scenario allows none.
        o.building_mw = 0.0;
        assert_eq!(build(&o, &P), Strategy::Hold);
    }

    /// Hand-worked: new machines cost $3,000/TH (they cannot pay for a site), but 29.5 J/TH used
    /// machines sell at $2/TH: at $0.05/kWh they cost 0.0354 a day, earn 0.0146 at hashprice
    /// 0.05 for half of 1,460 days (no discounting, delivered after 0 build days): 10.66, i.e.
    /// (10.66 - 2) x 1e6 / 29.5 = $0.294M per MW, below a $0.325M site: no build; at hashprice
    /// 0.06 (earning 0.0246 x 730 = 17.96): $0.541M per MW, so build 2.5 MW, but only 1 MW if
    /// only 1 MW of them is for sale. Bug caught: used machines ignored (a banned region's
    /// machines wait for ever for room), or more capacity built than there are machines.
    #[test]
    fn sites_are_built_for_used_machines_when_they_pay() {
        let p = StrategyParams { max_expansion_share: 0.25, site_build_days: 0.0, ..P };
        let mut o: OperatorView = op(10.0, 13.5, 1e9);
        o.hurdle_rate = 0.0;
        let mut offer = hw();
        offer.price_usd_per_th = 3_000.0;
        let mw_for_sale = 1e3;
        offer.used = Some(UsedOffer { j_per_th: 29.5, price_usd_per_th: 2.0, th_s: mw_for_sale * 1e6 / 29.5 });
        assert_eq!(strategic(&o, &market(0.05), &ai(1e6, 0.0), &offer, &p), Strategy::Hold);
        assert_eq!(strategic(&o, &market(0.06), &ai(1e6, 0.0), &offer, &p), Strategy::Build { mw: 2.5 });
        offer.used = Some(UsedOffer { j_per_th: 29.5, price_usd_per_th: 2.0, th_s: 1e6 / 29.5 });
        match strategic(&o, &market(0.06), &ai(1e6, 0.0), &offer, &p) {
            Strategy::Build { mw } => assert!((mw - 1.0).abs() < 1e-9, "{mw}"),
            s => panic!("{s:?}"),
        }
        o.building_mw = 1.0;
        assert_eq!(strategic(&o, &market(0.06), &ai(1e6, 0.0), &offer, &p), Strategy::Hold);
    }

    /// Bug caught: build times that depend on anything but (seed, operator, day), or that leave
    /// the reported range around the mean (half to one and a half times it).
    #[test]
    fn build_days_spread_around_the_mean_reproducibly() {
        let days: Vec<u32> = (0..2_000).map(|i| super::build_days(42, i, 17, 120.0)).collect();
        assert!(days.iter().all(|&d| (60..=180).contains(&d)), "{:?}", (days.iter().min(), days.iter().max()));
        let mean = days.iter().map(|&d| f64::from(d)).sum::<f64>() / days.len() as f64;
        assert!((mean - 120.0).abs() < 2.5, "mean {mean}");
        assert_eq!(super::build_days(42, 5, 17, 120.0), super::build_days(42, 5, 17, 120.0));
        assert_ne!((0..20).map(|d| super::build_days(42, 5, d, 120.0)).collect::<Vec<_>>(), vec![days[5]; 20]);
    }
}
