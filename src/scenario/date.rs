//! Calendar dates: `YYYY-MM-DD` to days since 1970-01-01 and back.

/// Calendar years a date may have (`simulation.start_date`, a catalog's `released_year`):
/// day numbers count from 1970, and four digits keep date arithmetic far from overflow (a
/// start in year 9e18 once overflowed it).
pub const YEAR_MIN: i64 = 1970;
pub const YEAR_MAX: i64 = 9999;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date in years [`YEAR_MIN`]..=[`YEAR_MAX`]
/// (Howard Hinnant's `days_from_civil`).
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some()
        || !(YEAR_MIN..=YEAR_MAX).contains(&y)
        || !(1..=12).contains(&m)
        || d == 0
        || d > days_in_month(y, m)
    {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD` of days since 1970-01-01 (Hinnant's `civil_from_days`), for any `days`:
/// the arithmetic is in i128, which no i64 day number can overflow.
pub fn format_date(days: i64) -> String {
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i128::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2025-11-21"), Some(20_413));
        assert_eq!(format_date(20_413), "2025-11-21");
        assert_eq!(format_date(20_413 + 100), "2026-03-01");
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-02-29").map(format_date), Some("2024-02-29".into()));
        assert_eq!(parse_date("nonsense"), None);
    }

    /// Bug caught: a start in year 9e18 overflowed `days_from_civil` (dates such as
    /// 10026365715106572-08-16, or a panic in a debug build).
    #[test]
    fn dates_outside_four_digit_years_are_refused() {
        assert_eq!(parse_date("9000000000000000000-01-01"), None);
        assert_eq!(parse_date("10000-01-01"), None);
        assert_eq!(parse_date("1969-12-31"), None);
        assert_eq!(parse_date("9999-12-31").map(format_date), Some("9999-12-31".into()));
        // Any day number formats without overflow.
        for days in [i64::MIN, -1, i64::MAX] {
            assert!(format_date(days).len() >= 10);
        }
        assert_eq!(format_date(-1), "1969-12-31");
    }
}
