//! Mining hardware: the catalog of models, fleets as vintages, the efficiency frontier, and
//! what used machines are worth.

use crate::units::power_cost_usd_per_th_day;

pub use crate::scenario::bounds::{J_PER_TH_MAX, J_PER_TH_MIN};
pub use crate::scenario::catalog::{Catalog, Model, BUNDLED_CATALOG};

/// What the agents do with the catalog: the new machine on sale at a date.
impl Catalog {
    /// The new machine on sale at `year`: the most efficient model released by then; past the
    /// newest model, efficiency keeps improving by `improvement_per_year` (a fraction) and the
    /// price per TH/s stays at the newest model's.
    ///
    /// # Formula
    /// `e(year) = e_best * (1 - improvement)^(year - released_best)` for years after the newest
    /// release.
    pub fn frontier(&self, year: f64, improvement_per_year: f64) -> Frontier {
        let released: Vec<&Model> = self.models.iter().filter(|m| m.released_year <= year).collect();
        let pool = if released.is_empty() { vec![&self.models[0]] } else { released };
        let best = pool.iter().min_by(|a, b| a.j_per_th.total_cmp(&b.j_per_th)).expect("non-empty");
        let newest = self.models.iter().map(|m| m.released_year).fold(f64::MIN, f64::max);
        let years_past = (year - newest.max(best.released_year)).max(0.0);
        Frontier {
            j_per_th: best.j_per_th * (1.0 - improvement_per_year).powf(years_past),
            price_usd_per_th: best.price_usd_per_th,
        }
    }
}

/// The best machine on sale in a year: its efficiency and its price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frontier {
    pub j_per_th: f64,
    pub price_usd_per_th: f64,
}

/// Share of a used machine's margin over the pricing horizon that a buyer pays: half, for
/// the risk that hashprice falls and for resale friction (a fixed assumption, not a scenario
/// parameter; see `secondary_price_usd_per_th`).
pub const SECONDARY_HAIRCUT: f64 = 0.5;

/// Machines of one efficiency in one fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Vintage {
    pub th_s: f64,
    pub j_per_th: f64,
    /// Whether it runs today.
    pub running: bool,
}

/// A site's installed vintages. One is held in the operator record itself (a generated site
/// with `population.vintages = 1`, CORE-1's, has no allocation of its own: 32 bytes an
/// operator, 32 MB at a million miners); more spill to the heap as a `Vec` would hold them.
pub type Fleet = smallvec::SmallVec<[Vintage; 1]>;

impl Vintage {
    /// Power drawn when running, MW: `th * e / 1e6` (J/TH x TH/s = W).
    pub fn mw(&self) -> f64 {
        self.th_s * self.j_per_th / crate::units::W_PER_MW
    }
}

/// TH/s that `mw` megawatts run at efficiency `j_per_th`: `mw * 1e6 / e`.
pub fn th_s_for_mw(mw: f64, j_per_th: f64) -> f64 {
    mw * crate::units::W_PER_MW / j_per_th
}

/// Relative round-off of fleet arithmetic. TH/s and MW and their products carry a few parts
/// in 1e16 of error; a remainder smaller than this share of a vintage is that error, not
/// machines (no real fleet holds a billionth of a vintage).
pub const FLEET_REL_TOL: f64 = 1e-9;

/// Takes machines drawing `mw` out of `fleet`, least efficient first (splitting a vintage if
/// needed), and returns them.
///
/// A vintage whose remainder would be within [`FLEET_REL_TOL`] of zero goes whole: `mw` is
/// often worked out from the fleet itself (all losing machines), and `mw * 1e6 / e` can then
/// exceed the vintage's own TH/s in the last bit, which left a vintage of -1e-11 TH/s behind.
/// So every vintage left keeps a positive hashrate.
pub fn remove_least_efficient(fleet: &mut Fleet, mw: f64) -> Vec<Vintage> {
    let mut out = Vec::new();
    let mut left_mw = mw;
    while left_mw > 0.0 && !fleet.is_empty() {
        let (worst, _) =
            fleet.iter().enumerate().max_by(|a, b| a.1.j_per_th.total_cmp(&b.1.j_per_th)).expect("non-empty");
        let v = &mut fleet[worst];
        let th = th_s_for_mw(left_mw, v.j_per_th);
        if th >= v.th_s * (1.0 - FLEET_REL_TOL) {
            left_mw -= v.mw();
            out.push(fleet.swap_remove(worst));
            // What is left of the request is its own round-off: done.
            if left_mw <= mw * FLEET_REL_TOL {
                break;
            }
        } else {
            // th < th_s (1 - tol): the remainder is positive.
            v.th_s -= th;
            out.push(Vintage { th_s: th, j_per_th: v.j_per_th, running: v.running });
            break;
        }
    }
    out
}

/// Value of a used machine, USD per TH/s: its earning power over a horizon, floored at scrap.
///
/// # Formula
/// `price = max(scrap, max(0, hashprice - e * 0.024 * p_ref) * horizon_days * haircut)`, with
/// `hashprice` in USD per TH/s per day, `p_ref` a typical buyer's power price and `haircut`
/// (< 1) for risk and resale friction. Secondary-market ASIC prices track the machines'
/// margin at current hashprice in this way (hashrate-index price indices quote used machines
/// by efficiency band).
pub fn secondary_price_usd_per_th(
    j_per_th: f64,
    hashprice_usd_per_th_day: f64,
    p_ref_usd_per_kwh: f64,
    horizon_days: f64,
    scrap_usd_per_th: f64,
) -> f64 {
    let margin = hashprice_usd_per_th_day - power_cost_usd_per_th_day(j_per_th, p_ref_usd_per_kwh);
    (margin.max(0.0) * horizon_days * SECONDARY_HAIRCUT).max(scrap_usd_per_th)
}

/// How the secondary market prices used machines today (`market::secondary` lists and sells
/// at it; an owner weighs selling at it).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalog_loads_sorted() {
        let c = Catalog::bundled();
        assert!(c.models.len() >= 10);
        assert!(c.models.windows(2).all(|w| w[0].released_year <= w[1].released_year));
        let xp = &c.models[c.index_of("S21 XP").unwrap()];
        assert_eq!((xp.th_s, xp.j_per_th), (270.0, 13.5));
    }

    #[test]
    fn frontier_follows_releases_then_improves() {
        let c = Catalog::bundled();
        assert_eq!(c.frontier(2021.0, 0.1).j_per_th, 29.5); // S19 Pro
        assert_eq!(c.frontier(2025.0, 0.1).j_per_th, 13.5); // S21 XP, the newest
        assert!((c.frontier(2025.5, 0.1).j_per_th - 13.5 * 0.9f64.sqrt()).abs() < 1e-9);
        let e = c.frontier(2027.0, 0.1).j_per_th;
        assert!((e - 13.5 * 0.81).abs() < 1e-9, "{e}");
    }

    #[test]
    fn catalog_errors_are_located() {
        let e = Catalog::parse(
            "[[models]]\nname = \"x\"\nth_s = 1\nj_per_th = -2\nreleased_year = 2020\nprice_usd_per_th = 1\n",
            "h.toml",
        );
        assert!(e
            .unwrap_err()
            .to_string()
            .starts_with("h.toml:4:12: models[0].j_per_th: must be between 0.01 and 100000"));
        let e = Catalog::parse("[[models]]\nname = \"x\"\nspeed = 1\n", "h.toml").unwrap_err().to_string();
        assert!(e.starts_with("h.toml:3:1"), "{e}");
    }

    /// Bug caught: a model of 5e-324 J/TH (valid: above 0) gave sites infinite hashrate and,
    /// through calibration, NaN (a panic in the attack metrics).
    #[test]
    fn efficiency_has_the_scenario_range() {
        for e in ["5e-324", "0.001", "1e6"] {
            let text = format!(
                "[[models]]\nname = \"x\"\nth_s = 1\nj_per_th = {e}\nreleased_year = 2020\nprice_usd_per_th = 1\n"
            );
            let err = Catalog::parse(&text, "h.toml").unwrap_err().to_string();
            assert!(err.contains("models[0].j_per_th: must be between 0.01 and 100000"), "{err}");
        }
    }

    /// Bug caught: a NaN or infinite `released_year` was accepted (and sorted the catalog
    /// anyhow); years now have the range of `simulation.start_date`.
    #[test]
    fn released_year_must_be_a_calendar_year() {
        for year in ["nan", "inf", "-inf", "1e300", "1969", "10000"] {
            let text = format!(
                "[[models]]\nname = \"x\"\nth_s = 1\nj_per_th = 2\nreleased_year = {year}\nprice_usd_per_th = 1\n"
            );
            let e = Catalog::parse(&text, "h.toml").unwrap_err().to_string();
            assert!(e.starts_with("h.toml:5:17: models[0].released_year: must be between 1970 and 9999"), "{e}");
        }
    }

    #[test]
    fn used_machines_are_priced_by_margin_with_a_scrap_floor() {
        // hashprice $0.038/TH/day, p = $0.045/kWh: a 17.5 J/TH machine makes
        // 0.038 - 17.5*0.024*0.045 = 0.0191 per TH/day -> x 365 x 0.5 = $3.49/TH.
        let p = secondary_price_usd_per_th(17.5, 0.038, 0.045, 365.0, 0.5);
        assert!((p - 0.0191 * 365.0 * 0.5).abs() < 1e-3, "{p}");
        // A 45 J/TH machine loses money: scrap.
        assert_eq!(secondary_price_usd_per_th(45.0, 0.038, 0.045, 365.0, 0.5), 0.5);
        // Doubling the horizon doubles the above-scrap value.
        let q = secondary_price_usd_per_th(17.5, 0.038, 0.045, 730.0, 0.5);
        assert!((q / p - 2.0).abs() < 1e-9);
    }

    #[test]
    fn least_efficient_go_first_and_vintages_split() {
        let mut fleet: Fleet = smallvec::smallvec![
            Vintage { th_s: 1e6, j_per_th: 20.0, running: true }, // 20 MW
            Vintage { th_s: 1e6, j_per_th: 30.0, running: true }, // 30 MW
        ];
        let out = remove_least_efficient(&mut fleet, 40.0);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].j_per_th, 30.0);
        assert!((out[1].th_s - 0.5e6).abs() < 1e-6);
        assert!((fleet[0].th_s - 0.5e6).abs() < 1e-6);
        assert!(remove_least_efficient(&mut fleet, 0.0).is_empty());
        assert!(remove_least_efficient(&mut fleet, -1.0).is_empty());
        assert!(remove_least_efficient(&mut fleet, f64::NAN).is_empty());
    }

    /// Bug caught: removing a vintage's own MW (as computed from the fleet) split it and left
    /// a vintage of -2.9e-11 TH/s (`price-crash.toml`, seed 8, 1000 operators), which made
    /// `strategic`'s `clamp(0.0, losing_mw)` panic.
    #[test]
    fn removing_a_whole_vintage_leaves_nothing_negative() {
        // The vintage seen in that run: 232,056.04534934534 TH/s at 45 J/TH, asked to remove
        // 10.44252204072054 MW, its draw to the last bit but one.
        let v = Vintage { th_s: 2.3205604534934534e5, j_per_th: 45.0, running: true };
        let mw = 1.044252204072054e1;
        assert!(v.mw() > mw && th_s_for_mw(mw, v.j_per_th) > v.th_s, "the case is the rounding one");
        let mut fleet: Fleet = smallvec::smallvec![v.clone(), Vintage { th_s: 1e5, j_per_th: 20.0, running: true }];
        let out = remove_least_efficient(&mut fleet, mw);
        assert_eq!(out, vec![v]);
        assert_eq!(fleet.len(), 1);
        assert_eq!(fleet[0].th_s, 1e5, "the next vintage is not touched for round-off");
        // Many random draws of "remove exactly these vintages' MW" never leave a remainder
        // that is zero or negative.
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..20_000 {
            let mut fleet: Fleet = (0..3)
                .map(|_| Vintage { th_s: 1.0 + next() * 1e7, j_per_th: 10.0 + next() * 90.0, running: true })
                .collect();
            let k = 1 + (next() * 3.0) as usize;
            let mut sorted = fleet.clone();
            sorted.sort_by(|a, b| b.j_per_th.total_cmp(&a.j_per_th));
            let mw: f64 = sorted[..k].iter().map(Vintage::mw).sum();
            remove_least_efficient(&mut fleet, mw);
            assert!(fleet.iter().all(|v| v.th_s > 0.0), "{fleet:?}");
        }
    }

    #[test]
    fn vintage_power() {
        let v = Vintage { th_s: 1e6, j_per_th: 20.0, running: true };
        assert_eq!(v.mw(), 20.0);
        assert_eq!(th_s_for_mw(20.0, 20.0), 1e6);
    }
}
