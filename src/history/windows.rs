//! The history windows and the targets the model should earn in them (issue 14's "Targets";
//! the numbers are the record's, with tolerances, never tuned to the model).

/// A scorecard metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Hashrate change from the first to the last epoch of the window.
    ChangePct,
    /// The deepest epoch mean below the first epoch (a ~14-day trough).
    TroughPct,
    /// Days until back within 5% of the first epoch after the trough.
    RecoveryDays,
    /// Sim over real in the epoch that holds day 180.
    RatioDay180,
    /// Sim over real in the last epoch.
    FinalRatio,
    /// Root mean square of the epochs' log differences.
    LogRmse,
    /// Correlation of the two-epoch (~30-day) log changes.
    Corr30d,
    /// The retarget change of largest magnitude.
    MaxRetargetPct,
    /// Days with a mean block interval above 1,200 s.
    SlowDays,
}

impl Metric {
    pub const ALL: [Metric; 9] = [
        Metric::ChangePct,
        Metric::TroughPct,
        Metric::RecoveryDays,
        Metric::RatioDay180,
        Metric::FinalRatio,
        Metric::LogRmse,
        Metric::Corr30d,
        Metric::MaxRetargetPct,
        Metric::SlowDays,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::ChangePct => "hashrate_change",
            Metric::TroughPct => "trough_14d",
            Metric::RecoveryDays => "recovery",
            Metric::RatioDay180 => "ratio_day180",
            Metric::FinalRatio => "final_ratio",
            Metric::LogRmse => "log_rmse",
            Metric::Corr30d => "corr_30d_changes",
            Metric::MaxRetargetPct => "largest_retarget",
            Metric::SlowDays => "days_above_1200s",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Metric::ChangePct | Metric::TroughPct | Metric::MaxRetargetPct => "pct",
            Metric::RecoveryDays | Metric::SlowDays => "days",
            Metric::RatioDay180 | Metric::FinalRatio => "sim/real",
            Metric::LogRmse => "ln",
            Metric::Corr30d => "r",
        }
    }
}

/// A bound on a metric's median over seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub metric: Metric,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A window: its scenario is `scenarios/history/<name>.toml` (start, length, chain state, price
/// path and population are the scenario's), its targets are its own plus [`COMMON_TARGETS`].
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub name: &'static str,
    /// Day 0: the first day whose midday falls in the starting epoch (its scenario's
    /// `simulation.start_date`, checked by a test).
    pub start_date: &'static str,
    /// Simulated days (its scenario's `simulation.days`).
    pub days: u32,
    pub targets: &'static [Target],
}

/// Log-RMSE at most 0.12 and no retarget beyond ±35% (history since 2019: never beyond ±28%).
pub const COMMON_TARGETS: [Target; 2] = [
    Target { metric: Metric::LogRmse, min: None, max: Some(0.12) },
    Target { metric: Metric::MaxRetargetPct, min: Some(-35.0), max: Some(35.0) },
];

/// Every window, in calendar order.
pub const WINDOWS: [Window; 4] = [
    Window {
        name: "china-ban-2021",
        start_date: "2021-05-02", // epoch 338 (height 681,408) began 2021-05-01 20:13 UTC
        days: 240,                // to late December 2021, when hashrate was back near the pre-ban level
        targets: &[
            Target { metric: Metric::TroughPct, min: Some(-58.0), max: Some(-40.0) },
            Target { metric: Metric::RatioDay180, min: Some(0.85), max: None },
        ],
    },
    Window {
        name: "bear-2022",
        start_date: "2022-01-08", // epoch 356 (height 717,696) began 2022-01-08 08:20 UTC
        days: 365,
        targets: &[Target { metric: Metric::ChangePct, min: Some(25.0), max: Some(55.0) }],
    },
    Window {
        name: "halving-2024",
        start_date: "2024-04-11", // epoch 416 (height 838,656, halving at 840,000) began 2024-04-10 20:13 UTC
        days: 183,
        targets: &[
            Target { metric: Metric::TroughPct, min: Some(-15.0), max: Some(-5.0) },
            Target { metric: Metric::RecoveryDays, min: None, max: Some(120.0) },
        ],
    },
    Window {
        name: "growth-2024-25",
        start_date: "2024-11-05", // epoch 431 (height 868,896) began 2024-11-04 22:40 UTC
        days: 365,
        targets: &[
            Target { metric: Metric::ChangePct, min: Some(32.0), max: Some(62.0) },
            Target { metric: Metric::Corr30d, min: Some(0.3), max: None },
        ],
    },
];

impl Window {
    /// The bound on `metric` in this window, if any.
    pub fn target(&self, metric: Metric) -> Option<Target> {
        self.targets.iter().chain(&COMMON_TARGETS).copied().find(|t| t.metric == metric)
    }
}

impl Target {
    /// Whether `value` lies within the bounds (NaN never does).
    pub fn holds(&self, value: f64) -> bool {
        !value.is_nan() && self.min.is_none_or(|m| value >= m) && self.max.is_none_or(|m| value <= m)
    }
}

/// The windows named in `names` (all when empty), in calendar order; an unknown name is an
/// error listing the known ones.
pub fn select(names: &[String]) -> Result<Vec<Window>, String> {
    for n in names {
        if !WINDOWS.iter().any(|w| w.name == n) {
            let known: Vec<&str> = WINDOWS.iter().map(|w| w.name).collect();
            return Err(format!("no history window {n:?}; known: {}", known.join(", ")));
        }
    }
    Ok(WINDOWS.iter().filter(|w| names.is_empty() || names.iter().any(|n| n == w.name)).copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bugs caught: a window's own target shadowed by a common one, a NaN passing.
    #[test]
    fn targets_combine_and_hold() {
        let w = select(&["growth-2024-25".into()]).unwrap()[0];
        assert!(w.target(Metric::Corr30d).unwrap().holds(0.3));
        assert!(!w.target(Metric::Corr30d).unwrap().holds(f64::NAN));
        assert!(w.target(Metric::LogRmse).unwrap().holds(0.12));
        assert!(!w.target(Metric::MaxRetargetPct).unwrap().holds(-36.0));
        assert!(w.target(Metric::TroughPct).is_none());
        assert!(select(&["nope".into()]).unwrap_err().contains("china-ban-2021"));
        assert_eq!(select(&[]).unwrap().len(), WINDOWS.len());
    }
}
