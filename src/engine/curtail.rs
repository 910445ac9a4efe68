//! Demand response: sites whose power contracts make them stand down at the grid's peak
//! hours (ERCOT's Four Coincident Peak program and price-responsive contracts; docs/MODEL.md,
//! "Demand response"). The run/idle decision is the day's; curtailment takes hours out of it:
//! a contracted site's running machines hash, and draw power, `uptime = 1 - hours / 24` of
//! the day, by its jurisdiction's schedule for the month.

use crate::agents::operator::Operator;
use crate::calendar::civil_from_days;
use crate::scenario::params::{DemandResponse, JurisdictionParams};

/// Every jurisdiction's demand-response schedule and what it makes of today.
#[derive(Debug, Clone, Default)]
pub struct Curtailment {
    /// By population jurisdiction index; `None` where no site has such contracts.
    schedules: Vec<Option<DemandResponse>>,
    /// Today's uptime of a contracted site, by jurisdiction (1 without a schedule).
    uptime: Vec<f64>,
    /// Whether any jurisdiction curtails today (most days of most runs: none).
    any_today: bool,
}

impl Curtailment {
    /// Schedules of `params` placed at the population's jurisdiction indices (`names`, which
    /// hold the scenario's jurisdictions and those only named operators use).
    pub fn new(params: &[JurisdictionParams], names: &[String]) -> Curtailment {
        let schedules: Vec<Option<DemandResponse>> =
            names.iter().map(|n| params.iter().find(|j| &j.name == n).and_then(|j| j.demand_response)).collect();
        let uptime = vec![1.0; schedules.len()];
        Curtailment { schedules, uptime, any_today: false }
    }

    /// Sets today's uptimes from the calendar month of `date_days` (days since 1970-01-01).
    pub fn open_day(&mut self, date_days: i64) {
        let month = civil_from_days(date_days).month;
        self.any_today = false;
        for (u, s) in self.uptime.iter_mut().zip(&self.schedules) {
            *u = s.map_or(1.0, |s| s.uptime(month));
            self.any_today |= *u < 1.0;
        }
    }

    /// Share of today that operator `op`'s running machines run: its jurisdiction's uptime if
    /// its site holds a demand-response contract (its draw below the jurisdiction's share),
    /// else 1.
    #[inline]
    pub fn uptime_of(&self, op: &Operator) -> f64 {
        if !self.any_today {
            return 1.0;
        }
        let j = op.jurisdiction as usize;
        match self.schedules.get(j).copied().flatten() {
            Some(s) if op.demand_response_draw < s.share => self.uptime[j],
            _ => 1.0,
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
            demand_response: Some(DemandResponse { share: 0.4, curtailed_hours_per_day: hours }),
        }
    }

    /// Hand-worked: 6 hours of a July day is an uptime of 0.75 for a contracted site (draw
    /// 0.1 < 0.4), none for an uncontracted one (0.7), none in another jurisdiction or month.
    /// Bugs caught: the month off by one (June or August curtailed), the share compared the
    /// wrong way, a schedule applied by the scenario's order rather than the population's
    /// jurisdiction index.
    #[test]
    fn contracted_sites_stand_down_their_months_hours() {
        let names = vec!["other".to_string(), "US".to_string()];
        let other = JurisdictionParams { name: "other".into(), demand_response: None, ..texas() };
        let mut c = Curtailment::new(&[texas(), other], &names);
        let site = |j: u16, draw: f64| Operator { jurisdiction: j, demand_response_draw: draw, ..Operator::blank(0) };
        c.open_day(days_from_civil(2025, 7, 1));
        assert_eq!(c.uptime_of(&site(1, 0.1)), 0.75);
        assert_eq!(c.uptime_of(&site(1, 0.7)), 1.0);
        assert_eq!(c.uptime_of(&site(0, 0.1)), 1.0);
        for (m, d) in [(6, 30), (8, 1)] {
            c.open_day(days_from_civil(2025, m, d));
            assert_eq!(c.uptime_of(&site(1, 0.1)), 1.0, "month {m}");
        }
    }
}
