//! The stylised scorecard of the bundled scenarios (issue 14, "Targets: bundled baseline over
//! 12 seeds ..."): `hashsim history` runs `baseline`, `halving-2028` (its price is flat),
//! `price-crash` and `ai-rush` over several seeds, measures each replicate with
//! [`super::stylised`], and writes the medians against their targets to `stylised.csv`.

use super::score::{largest_change_pct, percentile, slow_days};
use super::stylised::{
    collapsed_without_price_fall, first_day_reaching, lag1_autocorrelation, pivot_size_percentile, pivoted_share,
    retarget_changes, trough_after, Pivot, TROUGH_AVERAGE_DAYS,
};
use crate::chain::next_halving_height;
use crate::error::{Error, Result};
use crate::output::atomic::write_atomic;
use crate::run::{run, RunOptions};
use crate::scenario::raw::EventSpec;
use crate::scenario::{self, LoadedScenario, Override};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The bundled scenarios the scorecard runs, in its order.
pub const SCENARIOS: [&str; 4] = ["baseline", "halving-2028", "price-crash", "ai-rush"];

/// A stylised target: bounds on the median (or count) over seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    pub scenario: &'static str,
    pub metric: &'static str,
    pub unit: &'static str,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Every check, in table order (issue 14's targets).
pub const CHECKS: [Check; 8] = [
    Check { scenario: "baseline", metric: "collapsed_seeds", unit: "seeds", min: None, max: Some(0.0) },
    Check { scenario: "baseline", metric: "max_retarget_abs_pct", unit: "%", min: None, max: Some(40.0) },
    Check { scenario: "baseline", metric: "retarget_lag1_autocorr", unit: "", min: Some(-0.35), max: None },
    Check { scenario: "baseline", metric: "slow_days", unit: "days", min: None, max: Some(5.0) },
    Check { scenario: "halving-2028", metric: "halving_trough_pct", unit: "%", min: Some(-25.0), max: None },
    Check { scenario: "price-crash", metric: "crash_trough_14d_pct", unit: "%", min: Some(-22.0), max: Some(-6.0) },
    Check { scenario: "ai-rush", metric: "pivot_size_percentile", unit: "", min: Some(0.9), max: None },
    Check { scenario: "ai-rush", metric: "pivoted_mw_share", unit: "", min: None, max: Some(0.2) },
];

/// One line of the stylised table.
#[derive(Debug, Clone, PartialEq)]
pub struct StylisedRow {
    pub check: Check,
    /// The median over seeds (`collapsed_seeds`: the count).
    pub value: f64,
    pub seeds: u32,
    pub pass: bool,
}

/// What the stylised part of `hashsim history` produced.
#[derive(Debug, Clone)]
pub struct StylisedReport {
    pub rows: Vec<StylisedRow>,
    pub file: PathBuf,
    pub wall_time_s: f64,
}

/// Loads the bundled scenarios from `dir` with the overrides and `seeds` replicates.
pub fn load_bundled(dir: &Path, overrides: &[Override], seeds: u32) -> Result<Vec<(&'static str, LoadedScenario)>> {
    let mut set = overrides.to_vec();
    set.push(Override::parse(&format!("simulation.replicates={seeds}"))?);
    SCENARIOS.iter().map(|&name| Ok((name, scenario::load(&dir.join(format!("{name}.toml")), &set)?))).collect()
}

/// Runs the bundled scenarios into `out_dir/stylised/<name>` and writes `out_dir/stylised.csv`.
pub fn run_bundled(
    loaded: &[(&'static str, LoadedScenario)],
    out_dir: &Path,
    command: &str,
    on_day: &(dyn Fn() + Sync),
) -> Result<StylisedReport> {
    let mut values: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut wall_time_s = 0.0;
    let mut seeds = 0;
    for (name, l) in loaded {
        let dir = out_dir.join("stylised").join(name);
        let report = run(l, &RunOptions { out_dir: dir.clone(), command: command.into(), force: true }, on_day)?;
        wall_time_s += report.wall_time_s;
        seeds = l.scenario.simulation.replicates;
        let series = read_days(&dir.join("timeseries.csv"))?;
        match *name {
            "baseline" => baseline(&series, &mut values),
            "halving-2028" => {
                let halving = next_halving_height(l.scenario.chain.height);
                for s in &series {
                    let v = first_day_reaching(&s.height, halving).and_then(|d| trough_after(&s.hashrate, d, 1));
                    values.entry("halving_trough_pct").or_default().push(v.map_or(f64::NAN, |x| x * 100.0));
                }
            }
            "price-crash" => {
                let day = l.scenario.events.iter().find_map(|e| match e {
                    EventSpec::PriceShock { day, .. } => Some(*day as usize),
                    _ => None,
                });
                for s in &series {
                    let v = day.and_then(|d| trough_after(&s.hashrate, d, TROUGH_AVERAGE_DAYS));
                    values.entry("crash_trough_14d_pct").or_default().push(v.map_or(f64::NAN, |x| x * 100.0));
                }
            }
            _ => ai_rush(&dir, series.len(), &mut values)?,
        }
    }
    let rows: Vec<StylisedRow> = CHECKS
        .iter()
        .map(|&check| {
            let v = values.get(check.metric).map_or(&[][..], Vec::as_slice);
            let value = if check.metric == "collapsed_seeds" { v.iter().sum() } else { percentile(v, 50.0) };
            let pass = !value.is_nan() && check.min.is_none_or(|m| value >= m) && check.max.is_none_or(|m| value <= m);
            StylisedRow { check, value, seeds, pass }
        })
        .collect();
    let file = out_dir.join("stylised.csv");
    write_table(&file, &rows)?;
    Ok(StylisedReport { rows, file, wall_time_s })
}

/// Baseline: per seed, 1 if it collapsed unexcused, its largest |retarget| (%), the lag-1
/// autocorrelation of its retarget changes and its slow days.
fn baseline(series: &[Days], values: &mut BTreeMap<&str, Vec<f64>>) {
    for s in series {
        let changes = retarget_changes(&s.difficulty, &s.difficulty_end, &s.retargets);
        let pct: Vec<f64> = changes.iter().map(|c| c * 100.0).collect();
        let collapsed = collapsed_without_price_fall(&s.hashrate, &s.price);
        values.entry("collapsed_seeds").or_default().push(f64::from(u8::from(collapsed)));
        values.entry("max_retarget_abs_pct").or_default().push(largest_change_pct(&pct).map_or(0.0, f64::abs));
        values.entry("retarget_lag1_autocorr").or_default().push(lag1_autocorrelation(&changes).unwrap_or(f64::NAN));
        values.entry("slow_days").or_default().push(slow_days(&s.interval_s) as f64);
    }
}

/// AI rush: per seed, where the pivoting sites rank by size and the share of MW pivoted
/// (`events.csv` pivots against `operators.csv` site sizes).
fn ai_rush(dir: &Path, replicates: usize, values: &mut BTreeMap<&str, Vec<f64>>) -> Result<()> {
    let mut sites: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); replicates];
    for r in records::<OperatorRecord>(&dir.join("operators.csv"))? {
        if let Some(m) = sites.get_mut(r.replicate as usize) {
            m.insert(r.operator_id, r.site_mw);
        }
    }
    let mut pivots: Vec<Vec<Pivot>> = vec![Vec::new(); replicates];
    for e in records::<EventRecord>(&dir.join("events.csv"))? {
        let k = e.replicate as usize;
        if e.kind == "pivot" && k < replicates {
            let site_mw = sites[k].get(&e.operator).copied().unwrap_or(0.0);
            pivots[k].push(Pivot { site_mw, mw: e.mw });
        }
    }
    for (m, p) in sites.iter().zip(&pivots) {
        let site_mw: Vec<f64> = m.values().copied().collect();
        values.entry("pivot_size_percentile").or_default().push(pivot_size_percentile(&site_mw, p).unwrap_or(f64::NAN));
        values.entry("pivoted_mw_share").or_default().push(pivoted_share(&site_mw, p));
    }
    Ok(())
}

/// The daily columns of one replicate that the checks read.
#[derive(Debug, Clone, Default)]
struct Days {
    height: Vec<u64>,
    difficulty: Vec<f64>,
    difficulty_end: Vec<f64>,
    retargets: Vec<u32>,
    hashrate: Vec<f64>,
    price: Vec<f64>,
    interval_s: Vec<Option<f64>>,
}

#[derive(Debug, serde::Deserialize)]
struct DayRecord {
    replicate: u32,
    height: u64,
    difficulty: f64,
    difficulty_end: f64,
    retargets: u32,
    hashrate_eh_s: f64,
    price_usd: f64,
    mean_block_interval_s: Option<f64>,
}

#[derive(Debug, serde::Deserialize)]
struct OperatorRecord {
    replicate: u32,
    operator_id: usize,
    site_mw: f64,
}

#[derive(Debug, serde::Deserialize)]
struct EventRecord {
    replicate: u32,
    operator: usize,
    kind: String,
    mw: f64,
}

fn records<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let err = |e: csv::Error| Error::Other(format!("{}: {e}", path.display()));
    csv::Reader::from_path(path).map_err(err)?.deserialize().collect::<std::result::Result<_, _>>().map_err(err)
}

/// A run's `timeseries.csv`, one [`Days`] per replicate (rows come in replicate, then day
/// order).
fn read_days(path: &Path) -> Result<Vec<Days>> {
    let mut out: Vec<Days> = Vec::new();
    for r in records::<DayRecord>(path)? {
        let k = r.replicate as usize;
        if out.len() <= k {
            out.resize(k + 1, Days::default());
        }
        let s = &mut out[k];
        s.height.push(r.height);
        s.difficulty.push(r.difficulty);
        s.difficulty_end.push(r.difficulty_end);
        s.retargets.push(r.retargets);
        s.hashrate.push(r.hashrate_eh_s);
        s.price.push(r.price_usd);
        s.interval_s.push(r.mean_block_interval_s);
    }
    Ok(out)
}

/// The columns of `stylised.csv`.
pub const STYLISED_COLUMNS: [&str; 8] =
    ["scenario", "metric", "unit", "seeds", "value", "target_min", "target_max", "pass"];

fn write_table(dest: &Path, rows: &[StylisedRow]) -> Result<()> {
    let opt = |v: Option<f64>| v.map_or(String::new(), super::format_value);
    let mut s = STYLISED_COLUMNS.join(",");
    s.push('\n');
    for r in rows {
        let c = r.check;
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            c.scenario,
            c.metric,
            c.unit,
            r.seeds,
            super::format_value(r.value),
            opt(c.min),
            opt(c.max),
            if r.pass { "yes" } else { "no" }
        ));
    }
    std::fs::create_dir_all(dest.parent().unwrap_or(Path::new("."))).map_err(|e| Error::write(dest, e))?;
    write_atomic(dest, s.as_bytes()).map(|_| ())
}

/// The stylised table, aligned.
pub fn render_stylised(report: &StylisedReport) -> String {
    let show = |v: f64| match super::format_value(v).as_str() {
        "" => "-".to_string(),
        s => s.trim_end_matches('0').trim_end_matches('.').to_string(),
    };
    let mut s = format!("bundled scenarios ({:.2} s)\n", report.wall_time_s);
    s.push_str(&format!(
        "  {:<13} {:<24} {:>6} {:>5} {:>10}  {:<14} {}\n",
        "scenario", "metric", "unit", "seeds", "value", "target", "pass"
    ));
    for r in &report.rows {
        let c = r.check;
        let target = match (c.min, c.max) {
            (Some(a), Some(b)) => format!("{}..{}", show(a), show(b)),
            (Some(a), None) => format!(">= {}", show(a)),
            (None, Some(b)) => format!("<= {}", show(b)),
            (None, None) => String::new(),
        };
        s.push_str(&format!(
            "  {:<13} {:<24} {:>6} {:>5} {:>10}  {:<14} {}\n",
            c.scenario,
            c.metric,
            c.unit,
            r.seeds,
            show(r.value),
            target,
            if r.pass { "yes" } else { "NO" }
        ));
    }
    let passed = report.rows.iter().filter(|r| r.pass).count();
    s.push_str(&format!("{passed} of {} stylised targets met; wrote {}\n", report.rows.len(), report.file.display()));
    s
}
