//! What a new machine is worth to the operator who orders it today: its expected margin over
//! its whole life, from its delivery on, against a hashprice that falls as the network grows
//! (the visible order book, then the trend of difficulty) and at every halving its buyer
//! foresees. A pure function of what the buyer sees, so every operator values the same offer
//! the same way on the same day.

use super::view::{Expectation, MarketView, HALVINGS_AHEAD};
use crate::units::DAYS_PER_YEAR;

/// Days between halvings at the target pace: 210,000 blocks of 600 s.
pub const HALVING_INTERVAL_DAYS: f64 = 210_000.0 * 600.0 / 86_400.0;

/// Length of one step of the valuation sum, days (at most; the life is cut into equal steps).
pub const STEP_DAYS: f64 = 30.0;

/// Time scale over which the trend of difficulty growth fades, days: buyers extrapolate the
/// trend `g` but expect it to slow as hashprice falls, so the network grows by at most
/// `exp(g * TREND_FADE_DAYS)` in all. One year: the network's yearly growth swung from +40%
/// (2022) to +90% (2023) and +47% (2024-25) (docs/MODEL.md, "Expectations over a machine's
/// life"), so a trend is worth about a year of extrapolation.
pub const TREND_FADE_DAYS: f64 = 365.0;

/// What a buyer expects of the network over a machine's life.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outlook {
    /// Hashprice the buyer starts from (set by its expectation rule), USD per TH/s per day.
    pub start_usd_per_th_day: f64,
    /// Machines ordered and not yet delivered, as a share of today's network hashrate.
    pub pipeline_share: f64,
    /// Days until today's order book is delivered (the quoted lead time).
    pub lead_time_days: f64,
    /// Trend of the network's growth, log per year (not below 0: buyers do not bet on the
    /// network shrinking).
    pub trend_per_year: f64,
    /// Hashprice after each of the next halvings relative to the start, as the buyer
    /// foresees it (`MarketView::hashprice_after_halvings`); all 1 for a buyer who does not
    /// foresee halvings.
    pub after_halvings: [f64; HALVINGS_AHEAD],
    /// Days to the next halving.
    pub days_to_halving: f64,
}

impl Outlook {
    /// The outlook of a buyer with expectation rule `rule` on market `m`, for machines
    /// delivered in `lead_time_days`.
    ///
    /// The rule sets the starting level (myopic: today's hashprice once difficulty has caught
    /// up with the running hashrate, `MarketView::settled_hashprice_usd_per_th_day`; adaptive:
    /// the moving average of hashprice; halving-aware: as myopic) and whether halvings are foreseen (halving-aware only);
    /// every buyer sees the order book and the growth trend.
    pub fn of(rule: Expectation, m: &MarketView, lead_time_days: f64) -> Outlook {
        let start = match rule {
            Expectation::Adaptive => m.hashprice_ema_usd_per_th_day,
            Expectation::Myopic | Expectation::HalvingAware => m.settled_hashprice_usd_per_th_day,
        };
        Outlook {
            start_usd_per_th_day: start,
            pipeline_share: if m.network_th_s > 0.0 { m.pipeline_th_s / m.network_th_s } else { 0.0 },
            lead_time_days,
            trend_per_year: m.growth_trend_per_year.max(0.0),
            after_halvings: if rule == Expectation::HalvingAware {
                m.hashprice_after_halvings
            } else {
                [1.0; HALVINGS_AHEAD]
            },
            days_to_halving: m.days_to_halving,
        }
    }

    /// Expected network hashrate `t` days from now, relative to today's.
    ///
    /// # Formula
    /// `G(t) = (1 + P * min(1, t / L)) * exp(g * tau * (1 - exp(-t / tau)))`: the order book
    /// `P` (share of today's hashrate) arrives evenly over the lead time `L`; on top the trend
    /// `g` (per day) fades over `tau` = [`TREND_FADE_DAYS`].
    pub fn growth(&self, t_days: f64) -> f64 {
        let arrived = if self.lead_time_days > 0.0 { (t_days / self.lead_time_days).min(1.0) } else { 1.0 };
        let g = self.trend_per_year / DAYS_PER_YEAR;
        (1.0 + self.pipeline_share * arrived) * (g * TREND_FADE_DAYS * (1.0 - (-t_days / TREND_FADE_DAYS).exp())).exp()
    }

    /// Hashprice `t` days from now relative to the start through the halvings foreseen:
    /// `Q(t) = q_k(t)`, with `k(t)` the halvings in `(0, t]` (at `days_to_halving + j *
    /// 1458.3` days), `q_0 = 1` and `q_k` from `after_halvings` (beyond the last, halved
    /// again per halving).
    pub fn halving_factor(&self, t_days: f64) -> f64 {
        if t_days < self.days_to_halving {
            return 1.0;
        }
        let k = 1 + ((t_days - self.days_to_halving) / HALVING_INTERVAL_DAYS).floor() as usize;
        let known = k.min(HALVINGS_AHEAD);
        self.after_halvings[known - 1] * 0.5f64.powi((k - known) as i32)
    }

    /// Expected hashprice `t` days from now: `h(t) = h0 * Q(t) / G(t)` (fees and price flat).
    pub fn hashprice_at(&self, t_days: f64) -> f64 {
        self.start_usd_per_th_day * self.halving_factor(t_days) / self.growth(t_days)
    }
}

/// Present value of one TH/s of a machine of power cost `cost_usd_per_th_day` ordered today,
/// USD: its expected margin from delivery to the end of its life, idle when it would lose.
///
/// # Formula
/// With the life cut into `n = ceil(life / 30)` equal steps of `D = life / n` days and
/// `t_j = L + (j + 1/2) D` the middle of step `j` after the delivery in `L` days:
/// `V = sum_j max(0, h(t_j) - c) * D * (1 + r)^(-t_j / 365)`, with `h(t)` from
/// [`Outlook::hashprice_at`] and `r` the buyer's hurdle rate.
pub fn machine_value_usd_per_th(o: &Outlook, cost_usd_per_th_day: f64, life_days: f64, hurdle_rate: f64) -> f64 {
    if life_days <= 0.0 {
        return 0.0;
    }
    PATHS.with_borrow_mut(|paths| paths.of(o, life_days).value_usd_per_th(cost_usd_per_th_day, hurdle_rate))
}

/// The hashprice an outlook expects at the middle of each step of a life: the part of a
/// valuation that neither the machine's power cost nor the buyer's hurdle rate changes. On a
/// given day every buyer with the same expectation rule sees the same outlook, so a few dozen
/// paths serve the day's hundreds of valuations (each step an `exp` and two divisions).
#[derive(Debug, Clone, PartialEq)]
struct LifePath {
    /// Middle of the first step, days from today.
    t0: f64,
    step: f64,
    /// Hashprice never rises again along the path (a growing network): the first losing step
    /// ends the sum.
    monotone: bool,
    hashprice: Vec<f64>,
}

impl LifePath {
    /// `h(t_j)` of [`machine_value_usd_per_th`]'s formula for `j < n`: the trend-fade factor
    /// advances geometrically from step to step (one `exp` per path, not per step).
    fn of(o: &Outlook, life_days: f64) -> LifePath {
        let n = (life_days / STEP_DAYS).ceil().max(1.0) as u32;
        let step = life_days / f64::from(n);
        let t0 = o.lead_time_days + 0.5 * step;
        let fade_step = (-step / TREND_FADE_DAYS).exp();
        let mut fade = (-t0 / TREND_FADE_DAYS).exp();
        let g_tau = o.trend_per_year / DAYS_PER_YEAR * TREND_FADE_DAYS;
        let hashprice = (0..n)
            .map(|j| {
                let t = t0 + f64::from(j) * step;
                let arrived = if o.lead_time_days > 0.0 { (t / o.lead_time_days).min(1.0) } else { 1.0 };
                let trend = if g_tau == 0.0 { 1.0 } else { (g_tau * (1.0 - fade)).exp() };
                let growth = (1.0 + o.pipeline_share * arrived) * trend;
                fade *= fade_step;
                o.start_usd_per_th_day * o.halving_factor(t) / growth
            })
            .collect();
        LifePath { t0, step, monotone: o.trend_per_year >= 0.0 && o.pipeline_share >= 0.0, hashprice }
    }

    /// The value of one TH/s of power cost `cost_usd_per_th_day` along the path, discounted at
    /// `hurdle_rate` (one `powf` per valuation for the discount's step, not one per step).
    fn value_usd_per_th(&self, cost_usd_per_th_day: f64, hurdle_rate: f64) -> f64 {
        let discount_step = (1.0 + hurdle_rate).powf(-self.step / DAYS_PER_YEAR);
        let mut discount = (1.0 + hurdle_rate).powf(-self.t0 / DAYS_PER_YEAR);
        let mut value = 0.0;
        for &h in &self.hashprice {
            let margin = h - cost_usd_per_th_day;
            if margin > 0.0 {
                value += margin * self.step * discount;
            } else if self.monotone {
                break;
            }
            discount *= discount_step;
        }
        value
    }
}

/// The paths valued lately, by their outlook's and life's bits: a memo of a pure function,
/// so a valuation returns the same bits whether its path is found or made. One per thread
/// (replicates run on threads of their own); emptied when full, as a day's outlooks are never
/// seen again once the market moves.
#[derive(Default)]
struct Paths {
    /// (digest of the key, key, path), newest last.
    made: Vec<(u64, [u64; PATH_KEY_LEN], LifePath)>,
}

/// An outlook's fields and the life, as bits.
const PATH_KEY_LEN: usize = 6 + HALVINGS_AHEAD;

/// Paths kept at most (a day needs up to 3 rules x 5 kinds of valuation).
const PATHS_KEPT: usize = 64;

impl Paths {
    fn of(&mut self, o: &Outlook, life_days: f64) -> &LifePath {
        // Every field of the outlook, named: a field added to `Outlook` stops this compiling
        // until it is in the key (a path shared by two outlooks would value one wrongly).
        let Outlook {
            start_usd_per_th_day,
            pipeline_share,
            lead_time_days,
            trend_per_year,
            after_halvings,
            days_to_halving,
        } = *o;
        let mut key = [0u64; PATH_KEY_LEN];
        let fields = [start_usd_per_th_day, pipeline_share, lead_time_days, trend_per_year, days_to_halving, life_days];
        for (k, x) in key.iter_mut().zip(fields.iter().chain(&after_halvings)) {
            *k = x.to_bits();
        }
        // Newest first (today's paths were made last), told apart by a digest of the key
        // before the whole key is compared.
        let digest = key.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &k| (h ^ k).wrapping_mul(0x0100_0000_01b3));
        let found = match self.made.iter().rposition(|(h, k, _)| *h == digest && *k == key) {
            Some(i) => i,
            None => {
                if self.made.len() == PATHS_KEPT {
                    self.made.clear();
                }
                self.made.push((digest, key, LifePath::of(o, life_days)));
                self.made.len() - 1
            }
        };
        &self.made[found].2
    }
}

thread_local! {
    static PATHS: std::cell::RefCell<Paths> = std::cell::RefCell::new(Paths::default());
}

/// Days of a life of `life_days` from today, each discounted at `hurdle_rate` a year, in the
/// valuation's steps: what a constant 1 a day over the life is worth today.
///
/// # Formula
/// `W = sum_j D (1 + r)^(-t_j / 365)`, steps as in [`machine_value_usd_per_th`] with no
/// delivery lag.
pub fn discounted_days(life_days: f64, hurdle_rate: f64) -> f64 {
    if life_days <= 0.0 {
        return 0.0;
    }
    let n = (life_days / STEP_DAYS).ceil().max(1.0) as u32;
    let step = life_days / f64::from(n);
    (0..n).map(|j| step * (1.0 + hurdle_rate).powf(-(f64::from(j) + 0.5) * step / DAYS_PER_YEAR)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(h: f64) -> Outlook {
        Outlook {
            start_usd_per_th_day: h,
            pipeline_share: 0.0,
            lead_time_days: 0.0,
            trend_per_year: 0.0,
            after_halvings: [1.0; HALVINGS_AHEAD],
            days_to_halving: 1e9,
        }
    }

    /// Hand-worked: a flat outlook, free power and no discounting: 0.05 a day for 1,460 days
    /// is 73. Bug caught: steps that do not cover the life exactly (a remainder dropped).
    #[test]
    fn flat_outlook_earns_its_hashprice_over_the_life() {
        let v = machine_value_usd_per_th(&flat(0.05), 0.0, 1460.0, 0.0);
        assert!((v - 73.0).abs() < 1e-9, "{v}");
        // Power costing 0.02 a day leaves 0.03 x 1460 = 43.8.
        let v = machine_value_usd_per_th(&flat(0.05), 0.02, 1460.0, 0.0);
        assert!((v - 43.8).abs() < 1e-9, "{v}");
    }

    /// Hand-worked: an order book the size of today's network, delivered in 90 days, halves
    /// hashprice from day 90 on; a machine delivered then earns 0.025 a day: 0.025 x 1460.
    /// Bug caught: the book ignored, or counted before the machine itself is delivered.
    #[test]
    fn the_order_book_halves_hashprice_once_delivered() {
        let o = Outlook { pipeline_share: 1.0, lead_time_days: 90.0, ..flat(0.05) };
        assert!((o.growth(45.0) - 1.5).abs() < 1e-12);
        assert!((o.growth(90.0) - 2.0).abs() < 1e-12);
        let v = machine_value_usd_per_th(&o, 0.0, 1460.0, 0.0);
        assert!((v - 0.025 * 1460.0).abs() < 1e-9, "{v}");
    }

    /// Hand-worked: all subsidy, halving on day 720, life 1,440 days (48 steps of 30), power
    /// 0.025 and hashprice 0.04: 24 steps earn 0.015 x 30, then 0.02 - 0.025 < 0 idles:
    /// V = 10.8.
    /// A buyer who does not foresee the halving values it at 0.02 x 1440 = 28.8.
    /// Bug caught: a machine valued as if it ran at a loss after the halving (negative steps),
    /// or the halving seen only within a one-year horizon.
    #[test]
    fn a_halving_inside_the_life_cuts_the_value_and_the_machine_idles_after_it() {
        let o = Outlook { after_halvings: [0.5, 0.25, 0.125], days_to_halving: 720.0, ..flat(0.04) };
        assert_eq!(o.halving_factor(719.0), 1.0);
        assert_eq!(o.halving_factor(720.0), 0.5);
        assert_eq!(o.halving_factor(721.0 + HALVING_INTERVAL_DAYS), 0.25);
        let v = machine_value_usd_per_th(&o, 0.025, 1440.0, 0.0);
        assert!((v - 24.0 * 30.0 * 0.015).abs() < 1e-9, "{v}");
        let blind = Outlook { after_halvings: [1.0; HALVINGS_AHEAD], ..o };
        assert!((machine_value_usd_per_th(&blind, 0.02, 1440.0, 0.0) - 28.8).abs() < 1e-9);
        // Power at 0.03 loses money after the halving: those steps count 0, not -0.01.
        let v = machine_value_usd_per_th(&o, 0.03, 1440.0, 0.0);
        assert!((v - 24.0 * 30.0 * 0.01).abs() < 1e-9, "{v}");
    }

    /// Hand-worked: a trend of g per year fading over a year grows the network by
    /// `exp(g (1 - 1/e))` in a year and at most `exp(g)`.
    /// Bug caught: a trend extrapolated for ever (a 4-year machine worth nothing).
    #[test]
    fn the_trend_fades() {
        let g = 1.5f64.ln();
        let o = Outlook { trend_per_year: g, ..flat(0.05) };
        assert!((o.growth(365.0) - (g * (1.0 - (-1.0f64).exp())).exp()).abs() < 1e-12);
        assert!(o.growth(1e6) <= 1.5 + 1e-12 && o.growth(1e6) > 1.499);
    }

    /// A constant 1 a day is worth its discounted days: the valuation of a flat outlook of 1
    /// with free power equals [`discounted_days`]; undiscounted it is the life itself.
    /// Bug caught: fixed charges weighed over a different life or discounting than margins.
    #[test]
    fn discounted_days_are_the_valuation_of_one_a_day() {
        assert!((discounted_days(730.0, 0.0) - 730.0).abs() < 1e-9);
        let v = machine_value_usd_per_th(&flat(1.0), 0.0, 730.0, 0.12);
        assert!((discounted_days(730.0, 0.12) / v - 1.0).abs() < 1e-12);
        // One step of 30 days is weighed at its middle: 30 x 1.12^(-15/365).
        assert!((discounted_days(30.0, 0.12) - 30.0 * 1.12f64.powf(-15.0 / 365.0)).abs() < 1e-12);
    }

    /// Hand-worked: one year of life in 13 steps at 10% discounting is worth less than
    /// undiscounted but more than the undiscounted value over 1.1; a later delivery is worth
    /// less by `1.1^(-L / 365)`.
    /// Bug caught: revenue counted from the order rather than the delivery.
    #[test]
    fn discounting_and_delivery_delay() {
        let o = flat(0.05);
        let v0 = machine_value_usd_per_th(&o, 0.0, 365.0, 0.1);
        assert!(v0 < 0.05 * 365.0 && v0 > 0.05 * 365.0 / 1.1, "{v0}");
        let late = Outlook { lead_time_days: 182.5, ..o };
        let v1 = machine_value_usd_per_th(&late, 0.0, 365.0, 0.1);
        assert!((v1 / v0 - 1.1f64.powf(-0.5)).abs() < 1e-12, "{v1} {v0}");
    }

    /// The geometric stepping equals the formula written out with `hashprice_at` and `powf`
    /// per step, with a trend, a book, a halving and discounting all at once.
    /// Bug caught: factors advanced once too often or from the wrong starting point.
    #[test]
    fn stepping_matches_the_formula() {
        let o = Outlook {
            pipeline_share: 0.15,
            lead_time_days: 120.0,
            trend_per_year: 0.35,
            after_halvings: [0.55, 0.3, 0.2],
            days_to_halving: 500.0,
            ..flat(0.05)
        };
        let (life, r, c): (f64, f64, f64) = (1460.0, 0.12, 0.012);
        let n = (life / STEP_DAYS).ceil();
        let step = life / n;
        let want: f64 = (0..n as u32)
            .map(|j| {
                let t = o.lead_time_days + (f64::from(j) + 0.5) * step;
                (o.hashprice_at(t) - c).max(0.0) * step * (1.0 + r).powf(-t / DAYS_PER_YEAR)
            })
            .sum();
        let got = machine_value_usd_per_th(&o, c, life, r);
        assert!(want > 0.0 && (got / want - 1.0).abs() < 1e-12, "{got} {want}");
    }

    /// The rule sets the level and the foresight: adaptive starts from the average, only the
    /// halving-aware buyer sees halvings; all see the book and the trend (a shrinking trend
    /// counts as none). Bug caught: halvings foreseen by every rule, or the book hidden from one.
    #[test]
    fn the_rule_sets_level_and_foresight() {
        let m = MarketView {
            hashprice_usd_per_th_day: 0.04,
            hashprice_ema_usd_per_th_day: 0.05,
            operating_hashprice_usd_per_th_day: 0.04,
            settled_hashprice_usd_per_th_day: 0.04,
            subsidy_share: 0.9,
            days_to_halving: 800.0,
            btc_price_usd: 90_000.0,
            network_th_s: 1e9,
            pipeline_th_s: 2e8,
            growth_trend_per_year: -0.3,
            hashprice_after_halvings: [0.6, 0.35, 0.2],
        };
        let my = Outlook::of(Expectation::Myopic, &m, 90.0);
        let ad = Outlook::of(Expectation::Adaptive, &m, 90.0);
        let ha = Outlook::of(Expectation::HalvingAware, &m, 90.0);
        assert_eq!((my.start_usd_per_th_day, ad.start_usd_per_th_day), (0.04, 0.05));
        assert_eq!((my.after_halvings, ad.after_halvings), ([1.0; HALVINGS_AHEAD], [1.0; HALVINGS_AHEAD]));
        assert_eq!(ha.after_halvings, [0.6, 0.35, 0.2]);
        for o in [my, ad, ha] {
            assert!((o.pipeline_share - 0.2).abs() < 1e-12);
            assert_eq!(o.trend_per_year, 0.0);
            assert_eq!(o.lead_time_days, 90.0);
        }
    }

    /// The valuation as it was written before the paths were memoised: every step computed in
    /// line, the loop ending at the first losing step.
    fn value_directly(o: &Outlook, cost_usd_per_th_day: f64, life_days: f64, hurdle_rate: f64) -> f64 {
        if life_days <= 0.0 {
            return 0.0;
        }
        let n = (life_days / STEP_DAYS).ceil().max(1.0) as u32;
        let step = life_days / f64::from(n);
        let t0 = o.lead_time_days + 0.5 * step;
        // Discount and trend-fade factors advance geometrically from step to step (one `powf` and
        // one `exp` per valuation, not per step: the decision runs for ~100 operators a day).
        let discount_step = (1.0 + hurdle_rate).powf(-step / DAYS_PER_YEAR);
        let mut discount = (1.0 + hurdle_rate).powf(-t0 / DAYS_PER_YEAR);
        let fade_step = (-step / TREND_FADE_DAYS).exp();
        let mut fade = (-t0 / TREND_FADE_DAYS).exp();
        let g_tau = o.trend_per_year / DAYS_PER_YEAR * TREND_FADE_DAYS;
        // With a growing network hashprice never rises again, so the first losing step ends the sum.
        let monotone = o.trend_per_year >= 0.0 && o.pipeline_share >= 0.0;
        let mut value = 0.0;
        for j in 0..n {
            let t = t0 + f64::from(j) * step;
            let arrived = if o.lead_time_days > 0.0 { (t / o.lead_time_days).min(1.0) } else { 1.0 };
            let trend = if g_tau == 0.0 { 1.0 } else { (g_tau * (1.0 - fade)).exp() };
            let growth = (1.0 + o.pipeline_share * arrived) * trend;
            let margin = o.start_usd_per_th_day * o.halving_factor(t) / growth - cost_usd_per_th_day;
            if margin > 0.0 {
                value += margin * step * discount;
            } else if monotone {
                break;
            }
            discount *= discount_step;
            fade *= fade_step;
        }
        value
    }

    /// Catches a memoised path that is not the in-line computation bit for bit (an operation
    /// reordered, the fade advanced at another point, a key missing a field so that two
    /// outlooks share a path): valuations over random outlooks, costs, lives and hurdle
    /// rates, each outlook valued twice (made, then found) and interleaved with others.
    #[test]
    fn memoised_paths_value_as_the_direct_loop() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..400 {
            let o = Outlook {
                start_usd_per_th_day: 0.02 + 0.08 * uniform(),
                pipeline_share: if uniform() < 0.2 { 0.0 } else { 0.3 * uniform() - 0.05 },
                lead_time_days: if uniform() < 0.3 { 0.0 } else { 200.0 * uniform() },
                trend_per_year: if uniform() < 0.3 { 0.0 } else { 0.8 * uniform() - 0.1 },
                after_halvings: [0.5 + 0.5 * uniform(), 0.25 + 0.5 * uniform(), 0.1 + 0.3 * uniform()],
                days_to_halving: 2000.0 * uniform(),
            };
            let life = [1460.0, 1460.0 * 0.5, 3.0 + 2000.0 * uniform()][(uniform() * 3.0) as usize];
            for _ in 0..3 {
                let (cost, hurdle) = (0.08 * uniform(), 0.2 * uniform());
                let got = machine_value_usd_per_th(&o, cost, life, hurdle);
                let want = value_directly(&o, cost, life, hurdle);
                assert_eq!(got.to_bits(), want.to_bits(), "{o:?} cost {cost} life {life} hurdle {hurdle}");
            }
        }
    }
}
