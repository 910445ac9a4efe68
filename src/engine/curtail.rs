//! Demand response: sites whose power contracts make them stand down at the grid's peak
//! hours (ERCOT's Four Coincident Peak program and price-responsive contracts; docs/MODEL.md,
//! "Demand response"). The run/idle decision is the day's; curtailment takes hours out of it:
//! on a contracted site, a running machine that would earn less in the peak hours than their
//! power is worth hashes, and draws power, `uptime = 1 - hours / 24` of the day, by its
//! jurisdiction's schedule for the month.

use crate::agents::operator::Operator;
use crate::agents::population::DemandResponseDraws;
use crate::calendar::civil_from_days;
use crate::scenario::params::{DemandResponse, JurisdictionParams};
use crate::units::power_cost_usd_per_th_day;

/// Every jurisdiction's demand-response schedule and what it makes of today.
#[derive(Debug, Clone, Default)]
pub struct Curtailment {
    /// By population jurisdiction index; `None` where no site has such contracts.
    schedules: Vec<Option<DemandResponse>>,
    /// Today's uptime of a contracted site's curtailing machines, by jurisdiction (1 without a
    /// schedule).
    uptime: Vec<f64>,
    /// Today's operating hashprice, USD per TH/s per day (what the run decision uses).
    hashprice_usd_per_th_day: f64,
    /// Whether any jurisdiction curtails today (most days of most runs: none).
    any_today: bool,
    /// Each site's draw against its jurisdiction's share of contracted sites.
    draws: DemandResponseDraws,
}

/// What a site's contract does to its running machines today: those less efficient than
/// `above_j_per_th` run `uptime` of the day, the others all of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteCurtailment {
    pub uptime: f64,
    pub above_j_per_th: f64,
}

impl SiteCurtailment {
    /// No curtailment: every machine runs the whole day.
    pub const NONE: SiteCurtailment = SiteCurtailment { uptime: 1.0, above_j_per_th: f64::INFINITY };

    /// Share of today a running machine of `j_per_th` runs (exactly 1 when it does not curtail).
    #[inline(always)]
    pub fn uptime(&self, j_per_th: f64) -> f64 {
        if j_per_th > self.above_j_per_th {
            self.uptime
        } else {
            1.0
        }
    }
}

impl Curtailment {
    /// Schedules of `params` placed at the population's jurisdiction indices (`names`, which
    /// hold the scenario's jurisdictions and those only named operators use), and the sites'
    /// draws against their shares.
    pub fn new(params: &[JurisdictionParams], names: &[String], draws: DemandResponseDraws) -> Curtailment {
        let schedules: Vec<Option<DemandResponse>> =
            names.iter().map(|n| params.iter().find(|j| &j.name == n).and_then(|j| j.demand_response)).collect();
        let uptime = vec![1.0; schedules.len()];
        Curtailment { schedules, uptime, hashprice_usd_per_th_day: 0.0, any_today: false, draws }
    }

    /// Sets today's uptimes from the calendar month of `date_days` (days since 1970-01-01),
    /// and the operating hashprice the machines weigh their peak hours at.
    pub fn open_day(&mut self, date_days: i64, hashprice_usd_per_th_day: f64) {
        let month = civil_from_days(date_days).month;
        self.any_today = false;
        self.hashprice_usd_per_th_day = hashprice_usd_per_th_day;
        for (u, s) in self.uptime.iter_mut().zip(&self.schedules) {
            *u = s.map_or(1.0, |s| s.uptime(month));
            self.any_today |= *u < 1.0;
        }
    }

    /// Operator `i`'s (`op`'s) terms today. A site holds a contract if its draw is below its
    /// jurisdiction's share; a machine on it takes the contract's hours iff what it earns per
    /// kWh net of energy is below what the peak kWh is worth, `v`:
    ///
    /// ```text
    /// h / (0.024 e) - p (1 - phi) < v   <=>   e > h / (0.024 (v + p (1 - phi)))
    /// ```
    ///
    /// Whether some site curtails today.
    pub fn any_today(&self) -> bool {
        self.any_today
    }

    /// (`h` the operating hashprice per TH/s-day, `e` J/TH, `0.024 e` kWh per TH/s-day).
    #[inline]
    pub fn terms_of(&self, i: usize, op: &Operator) -> SiteCurtailment {
        if !self.any_today {
            return SiteCurtailment::NONE;
        }
        let j = op.jurisdiction as usize;
        match self.schedules.get(j).copied().flatten() {
            Some(s) if self.uptime[j] < 1.0 && self.draws.of(i) < s.share => SiteCurtailment {
                uptime: self.uptime[j],
                // What a 1 J/TH machine would pay a day for the kWh at `v + p (1 - phi)`.
                above_j_per_th: self.hashprice_usd_per_th_day
                    / power_cost_usd_per_th_day(1.0, s.peak_value_usd_per_kwh + op.energy_usd_per_kwh()),
            },
            _ => SiteCurtailment::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::days_from_civil;

    fn texas() -> JurisdictionParams {
        let mut hours = [0.0; 12];
        hours[6] = 6.0; // July
        JurisdictionParams {
            name: "US".into(),
            share: 0.5,
            power_usd_per_kwh: None,
            demand_response: Some(DemandResponse {
                share: 0.4,
                curtailed_hours_per_day: hours,
                peak_value_usd_per_kwh: 0.15,
            }),
        }
    }

    /// Hand-worked, at $0.05 per TH/s-day and $0.05/kWh of energy: a machine takes a July
    /// day's 6 hours (uptime 0.75) iff `e > 0.05 / (0.024 * (0.15 + 0.05))` = 10.42 J/TH, on a
    /// contracted site (its draw below 0.4) only; none on an uncontracted one (a draw of 0.4
    /// or more), a named one, in another jurisdiction or month. At 20x the hashprice (2021's
    /// margins) a 30 J/TH machine earns
    /// more than the peak kWh is worth and runs all day. Bugs caught: the month off by one,
    /// the share or the margin compared the wrong way, a schedule applied by the scenario's
    /// order rather than the population's jurisdiction index.
    #[test]
    fn machines_that_earn_less_than_the_peak_kwh_stand_down_their_months_hours() {
        let names = vec!["other".to_string(), "US".to_string()];
        let other = JurisdictionParams { name: "other".into(), demand_response: None, ..texas() };
        // 20 generated sites, then named ones; a contracted site and an uncontracted one.
        let draws = DemandResponseDraws::new(7, 20);
        let mut c = Curtailment::new(&[texas(), other], &names, draws);
        let contracted = (0..20).find(|&i| draws.of(i) < 0.4).expect("some of 20 draws below 0.4");
        let not = (0..20).find(|&i| draws.of(i) >= 0.4).expect("some of 20 draws above");
        let site = |j: u16| Operator { jurisdiction: j, power_usd_per_kwh: 0.05, ..Operator::blank(0) };
        c.open_day(days_from_civil(2025, 7, 1), 0.05);
        let t = c.terms_of(contracted, &site(1));
        assert!((t.above_j_per_th - 0.05 / (0.024 * 0.2)).abs() < 1e-12, "{t:?}");
        assert_eq!((t.uptime(30.0), t.uptime(10.0)), (0.75, 1.0));
        assert_eq!(c.terms_of(not, &site(1)), SiteCurtailment::NONE);
        assert_eq!(c.terms_of(20, &site(1)), SiteCurtailment::NONE, "a named site");
        assert_eq!(c.terms_of(contracted, &site(0)), SiteCurtailment::NONE);
        c.open_day(days_from_civil(2025, 7, 1), 1.0);
        assert_eq!(c.terms_of(contracted, &site(1)).uptime(30.0), 1.0);
        for (m, d) in [(6, 30), (8, 1)] {
            c.open_day(days_from_civil(2025, m, d), 0.05);
            assert_eq!(c.terms_of(contracted, &site(1)), SiteCurtailment::NONE, "month {m}");
        }
    }
}
