//! The civil calendar, once: days since 1970-01-01 to and from proleptic Gregorian dates
//! (`YYYY-MM-DD`). The scenario's `start_date`, the `date` column and the plots' date axes all
//! use it, so a date is parsed and formatted one way everywhere.
//!
//! Source: Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms"
//! (<https://howardhinnant.github.io/date_algorithms.html>), `days_from_civil` and
//! `civil_from_days`.

use std::ops::RangeInclusive;

/// Days in a 400-year Gregorian era.
const DAYS_PER_ERA: i64 = 146_097;
/// Days from 0000-03-01 (the start of Hinnant's era 0) to 1970-01-01.
const EPOCH_SHIFT: i64 = 719_468;

/// Months in a year: the length of any by-month table of a scenario.
pub const MONTHS_PER_YEAR: usize = 12;

/// A calendar date: `month` 1..=12, `day` 1..=31.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilDate {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of `year-month-day` (Hinnant's `days_from_civil`). The caller keeps
/// `|year|` far below `i64::MAX / 366` (parsers bound it), where nothing overflows.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * DAYS_PER_ERA + doe - EPOCH_SHIFT
}

/// The date `days` after 1970-01-01 (Hinnant's `civil_from_days`), for any `days`: the
/// arithmetic is in i128, which no i64 day number can overflow.
pub fn civil_from_days(days: i64) -> CivilDate {
    let z = i128::from(days) + i128::from(EPOCH_SHIFT);
    let era = z.div_euclid(i128::from(DAYS_PER_ERA));
    let doe = z - era * i128::from(DAYS_PER_ERA);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    // |days| / 365 + 1 always fits an i64.
    let year = (yoe + era * 400 + i128::from(month <= 2)) as i64;
    CivilDate { year, month, day }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date whose year lies in `years`; `None` if `s` is
/// not such a date. Bounding the year keeps [`days_from_civil`] far from overflow (a start in
/// year 9e18 once overflowed it).
pub fn parse_date_in(s: &str, years: RangeInclusive<i64>) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !years.contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `YYYY-MM-DD` of days since 1970-01-01, for any `days`.
pub fn format_date(days: i64) -> String {
    let CivilDate { year, month, day } = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bug caught: an off-by-one in the March-based month shift or the era arithmetic (dates
    /// around leap days and before the epoch go wrong first).
    #[test]
    fn known_dates_and_round_trips() {
        // Reference: `date -d 2025-11-21 +%s` / 86400 = 20413.
        assert_eq!(days_from_civil(2025, 11, 21), 20_413);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), CivilDate { year: 1969, month: 12, day: 31 });
        for z in (-800_000..800_000).step_by(97) {
            let c = civil_from_days(z);
            assert_eq!(days_from_civil(c.year, c.month, c.day), z);
        }
        assert_eq!(format_date(20_413 + 100), "2026-03-01");
    }

    /// Bug caught: Feb 29 accepted in a common year, or a fourth `-part` ignored.
    #[test]
    fn parse_checks_the_calendar_and_the_years() {
        let years = 1970..=9999;
        assert_eq!(parse_date_in("2024-02-29", years.clone()), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(parse_date_in("2025-02-29", years.clone()), None);
        assert_eq!(parse_date_in("2025-13-01", years.clone()), None);
        assert_eq!(parse_date_in("2025-11-21-1", years.clone()), None);
        assert_eq!(parse_date_in("1969-12-31", years.clone()), None);
        assert_eq!(parse_date_in("9000000000000000000-01-01", years), None);
        for days in [i64::MIN, i64::MAX] {
            assert!(format_date(days).len() >= 10);
        }
    }
}
