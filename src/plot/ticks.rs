//! Where an axis puts its ticks and how it labels them: round numbers, powers of ten, month
//! and year starts. Every function here returns at most [`MAX_TICKS`] (+1) ticks for any
//! input, NaN and infinities included, at a cost that does not grow with the span: a
//! corrupted results file must not make a figure hang or panic.

use crate::calendar::{civil_from_days, days_from_civil, CivilDate};

/// Most ticks on one axis (a figure is ~1000 px wide; more labels would not fit anyway).
pub const MAX_TICKS: usize = 12;

/// Day numbers beyond this distance from day 0 are labelled as numbers, not dates: ~2.7
/// million years, far past any simulation and well inside the calendar arithmetic's range.
const DATE_LIMIT_DAYS: f64 = 1e9;

/// Round ticks between `lo` and `hi`, at most `max` of them, and their step.
pub fn nice_ticks(lo: f64, hi: f64, max: usize) -> (Vec<f64>, f64) {
    let max = max.clamp(2, MAX_TICKS);
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (if lo.is_finite() { vec![lo] } else { Vec::new() }, 1.0);
    }
    let raw = span / (max - 1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| (hi / s).floor() - (lo / s).ceil() < max as f64)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // `take`: rounding far from zero (|lo| >> span) must not add ticks.
    ((first..=last).take(max + 1).map(|k| k as f64 * step).collect(), step)
}

/// Round ticks at whole days (no duplicates on a span of a day or two).
pub fn whole_days(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let mut t: Vec<f64> =
        nice_ticks(lo, hi, max).0.into_iter().map(f64::round).filter(|d| *d >= lo && *d <= hi).collect();
    t.dedup();
    t
}

/// Ticks of a log axis whose ends are `lo` and `hi` (log10 values): powers of ten, or 1, 2, 5
/// times them over less than two decades.
pub fn log_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let max = max.clamp(2, MAX_TICKS);
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return Vec::new();
    }
    let (a, b) = (lo.ceil(), hi.floor());
    if b - a >= 1.0 {
        let step = ((b - a + 1.0) / max as f64).ceil().max(1.0);
        let mut out: Vec<f64> = (0..=max).map(|i| a + i as f64 * step).filter(|v| *v <= b).collect();
        out.dedup();
        return out;
    }
    // Less than two decades: 1, 2, 5 x 10^k.
    let mut out = Vec::new();
    for k in [lo.floor(), lo.floor() + 1.0, lo.floor() + 2.0] {
        for m in [1.0f64, 2.0, 5.0] {
            let v = k + m.log10();
            if v >= lo - 1e-9 && v <= hi + 1e-9 {
                out.push(v);
            }
        }
    }
    out
}

/// A number for a tick label: as many decimals as the step needs, thousands separated.
pub fn fmt_number(v: f64, step: f64) -> String {
    // As many decimals as the step has (0.25 -> 2, 2.5 -> 1, 200 -> 0).
    let decimals = if step > 0.0 && step.is_finite() {
        (0..10)
            .find(|&d| {
                let x = step * 10f64.powi(d);
                (x - x.round()).abs() < 1e-6 * x.max(1.0)
            })
            .unwrap_or(10) as usize
    } else {
        0
    };
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    group_thousands(&format!("{v:.decimals$}"))
}

/// `12345.6` -> `12,345.6`.
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 4 {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn superscript(n: i64) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '\u{207B}',
            '0' => '\u{2070}',
            '1' => '\u{00B9}',
            '2' => '\u{00B2}',
            '3' => '\u{00B3}',
            d => char::from_u32(0x2070 + d.to_digit(10).unwrap_or(0)).unwrap_or(d),
        })
        .collect()
}

/// A log10 value as `10⁹` or `2×10⁹` (plain numbers between 0.01 and 1000).
pub fn fmt_power(log: f64) -> String {
    let k = log.floor();
    let m = 10f64.powf(log - k);
    let m = if (m - m.round()).abs() < 1e-6 { m.round() } else { m };
    let v = 10f64.powf(log);
    if (-2.0..3.0).contains(&k) {
        let decimals = if k < 0.0 { (-k) as usize } else { 0 };
        return format!("{v:.decimals$}");
    }
    let k = k as i64;
    if (m - 1.0).abs() < 1e-6 {
        format!("10{}", superscript(k))
    } else {
        format!("{m:.0}\u{00D7}10{}", superscript(k))
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The calendar day (days since 1970) of day `v` of a simulation whose day 0 is `start`, if
/// it is close enough to be dated.
pub fn calendar_day(start: i64, v: f64) -> Option<i64> {
    (v.is_finite() && v.abs() <= DATE_LIMIT_DAYS && start.unsigned_abs() as f64 <= DATE_LIMIT_DAYS)
        .then(|| start + v.round() as i64)
}

/// Months since year 0 of the month holding calendar day `z`.
fn month_index(z: i64) -> i64 {
    let c = civil_from_days(z);
    c.year * 12 + i64::from(c.month) - 1
}

/// The calendar day of the first of month `k` (months since year 0).
fn month_start(k: i64) -> i64 {
    days_from_civil(k.div_euclid(12), k.rem_euclid(12) as u32 + 1, 1)
}

/// Tick steps in months: 1, 2, 3 and 6 months, then 1, 2 and 5 times 10^k years (k up to 7
/// covers any span within [`DATE_LIMIT_DAYS`] with two ticks).
fn month_steps() -> impl Iterator<Item = i64> {
    [1, 2, 3, 6].into_iter().chain((0..8u32).flat_map(|k| [1, 2, 5].map(|m| 12 * m * 10i64.pow(k))))
}

/// Month-start ticks (in days from day 0) every 1, 2, 3, 6, 12, 24, 60, ... months, the first
/// step giving at most `max`, and the step in months (0: too short a span, ticks are days of
/// the month). Ticks are counted from the span's ends, never by walking across it, so a span
/// of a million years costs what a span of a year does.
pub fn date_ticks(lo: f64, hi: f64, start: i64, max: usize) -> (Vec<f64>, i64) {
    let max = max.clamp(2, MAX_TICKS);
    let (Some(first), Some(last)) = (calendar_day(start, lo.ceil()), calendar_day(start, hi.floor())) else {
        return (whole_days(lo, hi, max), 0);
    };
    if first > last {
        return (whole_days(lo, hi, max), 0);
    }
    // Month starts within [first, last]: months a..=b.
    let a = month_index(first) + i64::from(civil_from_days(first).day != 1);
    let b = month_index(last);
    let ceil_div = |x: i64, s: i64| x.div_euclid(s) + i64::from(x.rem_euclid(s) != 0);
    for step in month_steps() {
        let (k0, k1) = (ceil_div(a, step), b.div_euclid(step));
        let count = (k1 - k0 + 1).max(0) as usize;
        if count > max {
            continue;
        }
        if count < 3 && step == 1 {
            break;
        }
        return ((k0..=k1).map(|k| (month_start(k * step) - start) as f64).collect(), step);
    }
    // A few months or less (step 1 gave at most `max` <= MAX_TICKS ticks, so this walks at
    // most ~13 months of days): days of the month.
    const DAYS: [&[u32]; 5] =
        [&[1, 15], &[1, 11, 21], &[1, 8, 15, 22], &[1, 6, 11, 16, 21, 26], &[1, 4, 7, 10, 13, 16, 19, 22, 25, 28]];
    let mut best: Vec<f64> = Vec::new();
    for set in DAYS {
        let ticks: Vec<f64> = (first..=last)
            .filter(|&z| set.contains(&civil_from_days(z).day))
            .map(|z| (z - start) as f64)
            .take(max + 1)
            .collect();
        if ticks.len() > max {
            break;
        }
        best = ticks;
    }
    if best.len() < 2 {
        best = whole_days(lo, hi, max);
    }
    (best, 0)
}

/// The label of calendar day `z` on an axis with ticks every `months` months (0: days).
pub fn fmt_date(z: i64, months: i64) -> String {
    let CivilDate { year: y, month: m, day: d } = civil_from_days(z);
    match months {
        0 => format!("{} {d}", MONTHS[m as usize - 1]),
        s if s >= 12 => format!("{y}"),
        _ if m == 1 => format!("{y}"),
        _ => MONTHS[m as usize - 1].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::data::parse_date;
    use proptest::prelude::*;

    #[test]
    fn nice_ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 10.0, 6).0, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let (t, step) = nice_ticks(0.13, 0.92, 5);
        assert_eq!(step, 0.2);
        assert_eq!(t.len(), 4);
        assert_eq!(fmt_number(0.6000000000000001, 0.2), "0.6");
        assert_eq!(fmt_number(2.5, 2.5), "2.5");
        assert_eq!(fmt_number(12500.0, 2500.0), "12,500");
        assert_eq!(fmt_number(1200.0, 200.0), "1200");
        assert_eq!(fmt_number(-0.0, 1.0), "0");
    }

    #[test]
    fn powers_of_ten() {
        assert_eq!(fmt_power(9.0), "10\u{2079}");
        assert_eq!(fmt_power(10.0), "10\u{00B9}\u{2070}");
        assert_eq!(fmt_power(9.0 + 2f64.log10()), "2\u{00D7}10\u{2079}");
        assert_eq!(fmt_power(2.0), "100");
        assert_eq!(fmt_power(-1.0), "0.1");
        assert_eq!(log_ticks(8.2, 11.9, 6), vec![9.0, 10.0, 11.0]);
        assert_eq!(log_ticks(-300.0, 300.0, 7), vec![-300.0, -214.0, -128.0, -42.0, 44.0, 130.0, 216.0]);
        let few: Vec<String> = log_ticks(8.2, 9.9, 6).into_iter().map(fmt_power).collect();
        assert_eq!(
            few,
            ["2\u{00D7}10\u{2078}", "5\u{00D7}10\u{2078}", "10\u{2079}", "2\u{00D7}10\u{2079}", "5\u{00D7}10\u{2079}"]
        );
    }

    #[test]
    fn date_ticks_fall_on_month_starts() {
        let start = parse_date("2025-11-21").unwrap();
        let (ticks, step) = date_ticks(0.0, 1094.0, start, 7);
        assert_eq!(step, 6);
        let labels: Vec<String> = ticks.iter().map(|&d| fmt_date(start + d as i64, step)).collect();
        assert_eq!(labels, ["2026", "Jul", "2027", "Jul", "2028", "Jul"]);
        assert_eq!(civil_from_days(start + ticks[0] as i64), CivilDate { year: 2026, month: 1, day: 1 });
        let (ticks, step) = date_ticks(0.0, 40.0, start, 6);
        assert_eq!(step, 0);
        let labels: Vec<String> = ticks.iter().map(|&d| fmt_date(start + d as i64, step)).collect();
        assert_eq!(labels, ["Nov 22", "Dec 1", "Dec 8", "Dec 15", "Dec 22"]);
    }

    /// Catches the `plot` hang on day 4e9 (ticks were found by stepping month by month
    /// across the span, then day by day): a century and three days both give a few ticks.
    #[test]
    fn date_ticks_are_few_over_any_span() {
        let start = parse_date("2025-11-21").unwrap();
        let (ticks, step) = date_ticks(0.0, 36_525.0, start, 7);
        assert_eq!(step, 240, "every 20 years");
        let labels: Vec<String> = ticks.iter().map(|&d| fmt_date(start + d as i64, step)).collect();
        assert_eq!(labels, ["2040", "2060", "2080", "2100", "2120"]);
        let (ticks, step) = date_ticks(0.0, 3.0, start, 7);
        assert_eq!(step, 0);
        assert_eq!(ticks, [0.0, 1.0, 2.0, 3.0]);
        for hi in [4e9, 1e12, 1e300, f64::INFINITY, f64::NAN] {
            let (ticks, _) = date_ticks(0.0, hi, start, 7);
            assert!(ticks.len() <= 7, "{hi}: {ticks:?}");
        }
        let (ticks, step) = date_ticks(0.0, 4e8, start, 7);
        assert_eq!(step, 12 * 200_000, "every 200,000 years");
        let labels: Vec<String> = ticks.iter().map(|&d| fmt_date(start + d as i64, step)).collect();
        assert_eq!(labels, ["200000", "400000", "600000", "800000", "1000000"]);
    }

    proptest! {
        /// Catches any tick computation whose count or cost follows the data (a hang or an
        /// allocation of the span's size) or overflows on extreme values.
        #[test]
        fn ticks_are_bounded_for_any_range(
            lo in prop_oneof![any::<f64>(), -1e6..1e6f64, Just(0.0)],
            width in prop_oneof![any::<f64>(), 0.0..1e5f64, 0.0..1e12f64],
            start in -1_000_000i64..1_000_000,
            max in 0usize..1000,
        ) {
            let hi = lo + width;
            let bound = MAX_TICKS + 1;
            prop_assert!(nice_ticks(lo, hi, max).0.len() <= bound);
            prop_assert!(whole_days(lo, hi, max).len() <= bound);
            prop_assert!(log_ticks(lo, hi, max).len() <= bound);
            let (ticks, step) = date_ticks(lo, hi, start, max);
            prop_assert!(ticks.len() <= bound);
            for t in ticks {
                if let Some(z) = calendar_day(start, t) {
                    let _ = fmt_date(z, step);
                }
            }
        }
    }
}
