//! The dates a scenario may give: `YYYY-MM-DD` in four-digit years from the epoch on (the
//! calendar itself is [`crate::calendar`]).

pub use crate::calendar::format_date;

/// Calendar years a date may have (`simulation.start_date`, a catalog's `released_year`):
/// day numbers count from 1970, and four digits keep date arithmetic far from overflow (a
/// start in year 9e18 once overflowed it).
pub const YEAR_MIN: i64 = 1970;
pub const YEAR_MAX: i64 = 9999;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date in years [`YEAR_MIN`]..=[`YEAR_MAX`].
pub fn parse_date(s: &str) -> Option<i64> {
    crate::calendar::parse_date_in(s, YEAR_MIN..=YEAR_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2025-11-21"), Some(20_413));
        assert_eq!(format_date(20_413), "2025-11-21");
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
        assert_eq!(format_date(-1), "1969-12-31");
    }
}
