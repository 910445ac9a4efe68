//! The stylised facts of issue 14 as pure arithmetic on one replicate's daily series: whether
//! hashrate collapsed without a price collapse, the largest retarget, the lag-1
//! autocorrelation of successive retarget changes, slow days, the trough after a shock, and
//! the order of AI pivots. `bundled.rs` runs the bundled scenarios and feeds these.

/// A collapse: hashrate below this share of day 0's ...
pub const COLLAPSE_HASHRATE_RATIO: f64 = 0.5;
/// ... in a replicate whose price never fell below this share of day 0's (a fall of > 60%
/// excuses it).
pub const EXCUSING_PRICE_RATIO: f64 = 0.4;
/// Days averaged for the price-crash trough (issue 14: "14-day trough").
pub const TROUGH_AVERAGE_DAYS: usize = 14;

/// The retarget changes of a run, in order: the relative change of difficulty on every day
/// with a retarget, `difficulty_end / difficulty - 1` (a day with two retargets, which needs
/// blocks at over 140 a day, counts once with their product).
pub fn retarget_changes(difficulty: &[f64], difficulty_end: &[f64], retargets: &[u32]) -> Vec<f64> {
    difficulty
        .iter()
        .zip(difficulty_end)
        .zip(retargets)
        .filter(|(_, &r)| r > 0)
        .map(|((&d, &e), _)| e / d - 1.0)
        .collect()
}

/// Whether a replicate collapsed unexcused: its hashrate fell below
/// [`COLLAPSE_HASHRATE_RATIO`] of day 0's while its price stayed above
/// [`EXCUSING_PRICE_RATIO`] of day 0's. `false` for an empty series.
pub fn collapsed_without_price_fall(hashrate: &[f64], price: &[f64]) -> bool {
    let (Some(&h0), Some(&p0)) = (hashrate.first(), price.first()) else { return false };
    let h_min = hashrate.iter().copied().fold(f64::INFINITY, f64::min);
    let p_min = price.iter().copied().fold(f64::INFINITY, f64::min);
    h_min < COLLAPSE_HASHRATE_RATIO * h0 && p_min > EXCUSING_PRICE_RATIO * p0
}

/// Lag-1 autocorrelation of successive changes `x`:
/// `sum_t (x_t - m)(x_{t+1} - m) / sum_t (x_t - m)^2` with `m` their mean (Box & Jenkins'
/// sample autocorrelation). Negative when rises and falls alternate (a limit cycle).
/// `None` with fewer than 4 changes or no variation.
pub fn lag1_autocorrelation(x: &[f64]) -> Option<f64> {
    if x.len() < 4 {
        return None;
    }
    if x.iter().all(|&v| v == x[0]) {
        return None;
    }
    let m = x.iter().sum::<f64>() / x.len() as f64;
    let den: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    let num: f64 = x.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum();
    Some(num / den)
}

/// The trough after day `event_day` against the day before it: the minimum of the
/// `average_days`-day means of days wholly from `event_day` on, over the value of day
/// `event_day - 1`, minus 1 (so -0.2 is a 20% trough). `None` when the event is on day 0 or
/// the series ends before one whole window after it.
pub fn trough_after(series: &[f64], event_day: usize, average_days: usize) -> Option<f64> {
    if event_day == 0 || average_days == 0 || event_day + average_days > series.len() {
        return None;
    }
    let before = series[event_day - 1];
    let trough = series[event_day..]
        .windows(average_days)
        .map(|w| w.iter().sum::<f64>() / average_days as f64)
        .fold(f64::INFINITY, f64::min);
    Some(trough / before - 1.0)
}

/// The first day whose closing height reaches `height`; `None` if none does.
pub fn first_day_reaching(height_end: &[u64], height: u64) -> Option<usize> {
    height_end.iter().position(|&h| h >= height)
}

/// One AI pivot: the site's capacity, MW, and the MW it converted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pivot {
    pub site_mw: f64,
    pub mw: f64,
}

/// Where the pivots fell in the size ranking of all sites: the MW-weighted mean percentile
/// (share of sites strictly smaller, 0..1) of the pivoting sites. Near 1 when only the
/// largest sites convert; about 0.5 if pivots took no account of size. `None` without pivots.
pub fn pivot_size_percentile(site_mw: &[f64], pivots: &[Pivot]) -> Option<f64> {
    let total: f64 = pivots.iter().map(|p| p.mw).sum();
    if total <= 0.0 || site_mw.is_empty() {
        return None;
    }
    let mut sorted = site_mw.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let pct = |mw: f64| sorted.partition_point(|&s| s < mw) as f64 / n;
    Some(pivots.iter().map(|p| p.mw * pct(p.site_mw)).sum::<f64>() / total)
}

/// Share of all sites' MW converted to AI hosting.
pub fn pivoted_share(site_mw: &[f64], pivots: &[Pivot]) -> f64 {
    let total: f64 = site_mw.iter().sum();
    if total > 0.0 {
        pivots.iter().map(|p| p.mw).sum::<f64>() / total
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A limit cycle (+50%, -40%, +50%, -40%, ...) is strongly negative, a steady trend with
    /// noise that persists is positive. Catches a wrong sign, the lag-0 term in the numerator
    /// (which would give +1), or a mean left uncentred.
    #[test]
    fn the_autocorrelation_of_a_limit_cycle_is_negative() {
        let cycle = [0.5, -0.4, 0.5, -0.4, 0.5, -0.4];
        let r = lag1_autocorrelation(&cycle).unwrap();
        assert!((r - (-5.0 / 6.0)).abs() < 1e-12, "{r}");
        let persistent = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06];
        assert!(lag1_autocorrelation(&persistent).unwrap() > 0.0);
        assert_eq!(lag1_autocorrelation(&[0.1, 0.2, 0.3]), None);
        assert_eq!(lag1_autocorrelation(&[0.1; 6]), None);
    }

    /// Retarget changes come only from days with a retarget, once each, signed. Catches a
    /// retarget counted twice (the day before and the day of) or a day without one counted
    /// as 0%.
    #[test]
    fn retarget_changes_count_each_retarget_once() {
        let d = [100.0, 100.0, 120.0, 120.0, 90.0];
        let e = [100.0, 120.0, 120.0, 90.0, 90.0];
        let r = [0, 1, 0, 1, 0];
        let c = retarget_changes(&d, &e, &r);
        assert_eq!(c.len(), 2);
        assert!((c[0] - 0.2).abs() < 1e-12 && (c[1] + 0.25).abs() < 1e-12);
        assert_eq!(super::super::score::largest_change_pct(&c), Some(-0.25));
    }

    /// A fall to 40% with the price down only 30% is a collapse; with the price down 70% it is
    /// excused; a fall to 55% is none. Catches the price test inverted or ratios against the
    /// maximum instead of day 0.
    #[test]
    fn a_collapse_is_excused_only_by_a_price_collapse() {
        let h = [100.0, 80.0, 40.0, 90.0];
        assert!(collapsed_without_price_fall(&h, &[1.0, 0.9, 0.7, 0.8]));
        assert!(!collapsed_without_price_fall(&h, &[1.0, 0.5, 0.3, 0.4]));
        assert!(!collapsed_without_price_fall(&[100.0, 55.0, 120.0], &[1.0, 1.0, 1.0]));
        assert!(!collapsed_without_price_fall(&[], &[]));
    }

    /// The shock on day 3: day 2's value (100) is the reference; 3-day means of days from the
    /// shock on bottom at days 3..=5 (80, 70, 90 -> 80): -20%. Daily: -30%.
    /// Catches the reference taken on the event day itself, or a window reaching back before
    /// the event (which would mix in pre-shock days and soften the trough).
    #[test]
    fn the_trough_is_measured_after_the_event_against_the_day_before() {
        let s = [100.0, 100.0, 100.0, 80.0, 70.0, 90.0, 100.0, 100.0];
        assert!((trough_after(&s, 3, 1).unwrap() + 0.3).abs() < 1e-12);
        assert!((trough_after(&s, 3, 3).unwrap() + 0.2).abs() < 1e-12);
        assert_eq!(trough_after(&s, 0, 3), None);
        assert_eq!(trough_after(&s, 6, 3), None);
        assert_eq!(first_day_reaching(&[10, 20, 30], 20), Some(1));
        assert_eq!(first_day_reaching(&[10, 20, 30], 31), None);
    }

    /// Sites of 1, 2, ..., 10 MW: a pivot at the 10 MW site sits at percentile 0.9, one at the
    /// 1 MW site at 0; weighted by MW. Catches the percentile counted from the top, or an
    /// unweighted mean.
    #[test]
    fn pivots_are_ranked_by_site_size() {
        let sites: Vec<f64> = (1..=10).map(f64::from).collect();
        let p = [Pivot { site_mw: 10.0, mw: 3.0 }, Pivot { site_mw: 1.0, mw: 1.0 }];
        assert!((pivot_size_percentile(&sites, &p).unwrap() - 0.9 * 3.0 / 4.0).abs() < 1e-12);
        assert_eq!(pivot_size_percentile(&sites, &[]), None);
        assert!((pivoted_share(&sites, &p) - 4.0 / 55.0).abs() < 1e-12);
    }
}
