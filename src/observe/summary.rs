//! The per-run summary (`summary.csv`, and the metrics a sweep aggregates): for each tracked
//! daily metric its minimum, maximum and final value with the days they occurred, totals of
//! the daily flows, and the first day the Nakamoto coefficient fell below a threshold.

use super::observer::Observer;
use super::row::DayRow;
use crate::error::Result;

type Extract = fn(&DayRow) -> Option<f64>;

/// Daily metrics summarised by min / max / final.
const TRACKED: &[(&str, Extract)] = &[
    ("hashrate_eh_s", |r| Some(r.hashrate_eh_s)),
    ("difficulty", |r| Some(r.difficulty)),
    ("price_usd", |r| Some(r.price_usd)),
    ("hashprice_usd_per_ph_day", |r| Some(r.hashprice_usd_per_ph_day)),
    ("mining_operators", |r| Some(r.mining_operators.into())),
    ("hhi_operators", |r| Some(r.hhi_operators)),
    ("nakamoto_50_operators", |r| Some(r.nakamoto_50_operators.into())),
    ("nakamoto_33_operators", |r| Some(r.nakamoto_33_operators.into())),
    ("top1_share_operators", |r| Some(r.top1_share_operators)),
    ("hhi_jurisdictions", |r| Some(r.hhi_jurisdictions)),
    ("top1_share_jurisdictions", |r| Some(r.top1_share_jurisdictions)),
    ("hhi_pools", |r| Some(r.hhi_pools)),
    ("nakamoto_50_pools", |r| Some(r.nakamoto_50_pools.into())),
    ("top1_share_pools", |r| Some(r.top1_share_pools)),
    ("nakamoto_50_template_groups", |r| Some(r.nakamoto_50_template_groups.into())),
    ("top1_share_template_groups", |r| Some(r.top1_share_template_groups)),
    ("selfish_mining_pools", |r| Some(r.selfish_mining_pools.into())),
    ("selfish_mining_revenue_share", |r| Some(r.selfish_mining_revenue_share)),
    ("hybrid_share", |r| Some(r.hybrid_share)),
    ("hashrate_exited_eh_s", |r| Some(r.hashrate_exited_eh_s)),
    ("miner_revenue_usd", |r| Some(r.miner_revenue_usd)),
    ("attack_cheapest_usd", |r| r.attack_cheapest_usd),
    ("budish_deterred_value_usd", |r| (r.budish_deterred_value_usd > 0.0).then_some(r.budish_deterred_value_usd)),
    ("attack_new_hardware_usd", |r| (r.attack_new_hardware_usd > 0.0).then_some(r.attack_new_hardware_usd)),
    ("attack_dormant_usd", |r| r.attack_dormant_usd),
    ("attack_coalition_usd", |r| r.attack_coalition_usd),
    ("attack_pool_coalition_usd", |r| r.attack_pool_coalition_usd),
    ("double_spend_risk", |r| r.attack_cheapest_usd.map(|_| r.double_spend_risk)),
];

/// Daily flows summed over the run.
const TOTALS: &[(&str, Extract)] = &[
    ("blocks_total", |r| Some(r.blocks.into())),
    ("btc_sold_total", |r| Some(r.btc_sold)),
    ("btc_sold_forced_total", |r| Some(r.btc_sold_forced)),
    ("miner_revenue_usd_total", |r| Some(r.miner_revenue_usd)),
    ("pivots_total", |r| Some(r.pivots.into())),
    ("exits_total", |r| Some(r.exits.into())),
    ("bankruptcies_total", |r| Some(r.bankruptcies.into())),
    ("acquisitions_total", |r| Some(r.acquisitions.into())),
];

/// One replicate's summary: a row of `summary.csv`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunSummary {
    pub replicate: u32,
    /// (column, value) in [`RunSummary::columns`] order after `replicate`; NaN = no value.
    pub values: Vec<(&'static str, f64)>,
}

impl RunSummary {
    /// The numeric metrics as (column name, value), in column order, without `replicate`.
    pub fn metrics(&self) -> Vec<(&'static str, f64)> {
        self.values.clone()
    }

    /// One metric by column name.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// The CSV column names, in order (the same for every run).
    pub fn columns() -> Vec<&'static str> {
        COLUMNS.with(|c| c.clone())
    }

    /// The CSV record: values as written (NaN as an empty cell).
    pub fn record(&self) -> Vec<String> {
        std::iter::once(self.replicate.to_string())
            .chain(self.values.iter().map(|(_, v)| if v.is_nan() { String::new() } else { v.to_string() }))
            .collect()
    }
}

thread_local! {
    static COLUMNS: Vec<&'static str> = build_columns();
}

fn build_columns() -> Vec<&'static str> {
    let mut c = vec!["replicate", "days", "height_end", "mean_block_interval_s"];
    for (name, _) in TRACKED {
        for suffix in ["min", "min_day", "max", "max_day", "final"] {
            c.push(Box::leak(format!("{name}_{suffix}").into_boxed_str()));
        }
    }
    c.extend(TOTALS.iter().map(|(n, _)| *n));
    c.push("nakamoto_below_threshold_day");
    c
}

#[derive(Debug, Clone, Copy)]
struct Extremes {
    min: f64,
    min_day: u32,
    max: f64,
    max_day: u32,
    last: f64,
}

/// Tallies a [`RunSummary`] from the day rows as they stream past (constant memory).
#[derive(Debug)]
pub struct SummaryTally {
    replicate: u32,
    days: u32,
    height_end: u64,
    interval_s: f64,
    blocks: f64,
    extremes: Vec<Option<Extremes>>,
    totals: Vec<f64>,
    nakamoto_threshold: u32,
    below_day: Option<u32>,
}

impl SummaryTally {
    /// `nakamoto_threshold`: record the first day `nakamoto_50_operators` is below it.
    pub fn new(nakamoto_threshold: u32) -> SummaryTally {
        SummaryTally {
            replicate: 0,
            days: 0,
            height_end: 0,
            interval_s: 0.0,
            blocks: 0.0,
            extremes: vec![None; TRACKED.len()],
            totals: vec![0.0; TOTALS.len()],
            nakamoto_threshold,
            below_day: None,
        }
    }

    /// The tally a scenario's runs use (its `metrics.nakamoto_threshold`); `hashsim run` and
    /// `hashsim sweep` both build theirs here, so their summaries cannot drift apart.
    pub fn for_scenario(loaded: &crate::scenario::LoadedScenario) -> SummaryTally {
        SummaryTally::new(loaded.params.metrics.nakamoto_threshold)
    }

    pub fn finish(self) -> RunSummary {
        let names = RunSummary::columns();
        let mut values = Vec::with_capacity(names.len());
        let mut it = names.into_iter().skip(1);
        let mut push = |v: f64| values.push((it.next().expect("column"), v));
        push(self.days.into());
        push(self.height_end as f64);
        push(if self.blocks > 0.0 { self.interval_s / self.blocks } else { f64::NAN });
        for e in &self.extremes {
            match e {
                Some(e) => {
                    for v in [e.min, e.min_day.into(), e.max, e.max_day.into(), e.last] {
                        push(v);
                    }
                }
                None => (0..5).for_each(|_| push(f64::NAN)),
            }
        }
        for t in &self.totals {
            push(*t);
        }
        push(self.below_day.map_or(f64::NAN, f64::from));
        RunSummary { replicate: self.replicate, values }
    }
}

impl Default for SummaryTally {
    fn default() -> Self {
        SummaryTally::new(0)
    }
}

impl Observer for SummaryTally {
    fn on_day(&mut self, r: &DayRow) -> Result<()> {
        self.replicate = r.replicate;
        self.days = r.day + 1;
        self.height_end = r.height;
        self.interval_s += r.mean_block_interval_s.unwrap_or(0.0) * f64::from(r.blocks);
        self.blocks += f64::from(r.blocks);
        for (slot, (_, f)) in self.extremes.iter_mut().zip(TRACKED) {
            let Some(v) = f(r).filter(|v| v.is_finite()) else { continue };
            let e = slot.get_or_insert(Extremes { min: v, min_day: r.day, max: v, max_day: r.day, last: v });
            if v < e.min {
                e.min = v;
                e.min_day = r.day;
            }
            if v > e.max {
                e.max = v;
                e.max_day = r.day;
            }
            e.last = v;
        }
        for (t, (_, f)) in self.totals.iter_mut().zip(TOTALS) {
            *t += f(r).unwrap_or(0.0);
        }
        if self.below_day.is_none() && r.nakamoto_50_operators < self.nakamoto_threshold {
            self.below_day = Some(r.day);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: u32, hashrate: f64, nakamoto: u32) -> DayRow {
        DayRow {
            day,
            hashrate_eh_s: hashrate,
            nakamoto_50_operators: nakamoto,
            blocks: 144,
            mean_block_interval_s: Some(600.0),
            ..DayRow::default()
        }
    }

    #[test]
    fn extremes_days_and_threshold() {
        let mut t = SummaryTally::new(3);
        for (d, h, n) in [(0, 10.0, 5), (1, 7.0, 4), (2, 12.0, 2), (3, 9.0, 1)] {
            t.on_day(&row(d, h, n)).unwrap();
        }
        let s = t.finish();
        assert_eq!(s.get("hashrate_eh_s_min"), Some(7.0));
        assert_eq!(s.get("hashrate_eh_s_min_day"), Some(1.0));
        assert_eq!(s.get("hashrate_eh_s_max"), Some(12.0));
        assert_eq!(s.get("hashrate_eh_s_max_day"), Some(2.0));
        assert_eq!(s.get("hashrate_eh_s_final"), Some(9.0));
        assert_eq!(s.get("nakamoto_below_threshold_day"), Some(2.0));
        assert_eq!(s.get("blocks_total"), Some(576.0));
        assert_eq!(s.get("mean_block_interval_s"), Some(600.0));
        assert_eq!(s.get("days"), Some(4.0));
        // Metrics with no value on any day are NaN, written as empty cells.
        assert!(s.get("attack_dormant_usd_min").unwrap().is_nan());
        let rec = s.record();
        assert_eq!(rec.len(), RunSummary::columns().len());
        let i = RunSummary::columns().iter().position(|c| *c == "attack_dormant_usd_min").unwrap();
        assert_eq!(rec[i], "");
    }

    #[test]
    fn never_below_threshold_is_empty() {
        let mut t = SummaryTally::new(1);
        t.on_day(&row(0, 1.0, 3)).unwrap();
        assert!(t.finish().get("nakamoto_below_threshold_day").unwrap().is_nan());
    }

    #[test]
    fn metrics_follow_columns() {
        let s = SummaryTally::new(0).finish();
        let names: Vec<&str> = s.metrics().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, RunSummary::columns()[1..].to_vec());
    }
}
