//! What a calibration minimises: how far a scenario's runs are from the target, over its
//! replicates (common random numbers: the same seeds at every evaluation, so the objective is
//! a deterministic function of the parameters and the simplex compares like with like).
//!
//! - A history window: the scorecard's log-RMSE of epoch-mean hashrate against the real
//!   epochs (`history::score_window`, the median over replicates), the metric every window's
//!   fit is judged by in docs/VALIDATION.md.
//! - A series: the root mean square of `ln(sim / observed)` over the series' days, the
//!   simulated value being the mean over replicates of the day's `column`.

use super::spec::{Calibration, Target};
use crate::error::{Error, Result};
use crate::history::windows::{Metric, Window};
use crate::history::{self, data, SimSeries};
use crate::observe::{run_replicate, DayRow, Observer};
use crate::scenario::date::parse_date;
use crate::scenario::LoadedScenario;
use rayon::prelude::*;
use std::path::Path;

/// What the objective compares with, loaded once.
pub enum Reference {
    Window { window: Window, epochs: Vec<data::Epoch> },
    Series { column: String, days: Vec<usize>, values: Vec<f64> },
}

impl Reference {
    pub fn load(cal: &Calibration) -> Result<Reference> {
        match &cal.target {
            Target::Window(name) => {
                let window = history::windows::select(std::slice::from_ref(name))
                    .map_err(Error::Other)?
                    .pop()
                    .ok_or_else(|| Error::Other(format!("unknown window {name}")))?;
                Ok(Reference::Window { window, epochs: data::epochs()? })
            }
            Target::Series { path, column } => {
                let (days, values) = read_series(path, column)?;
                Ok(Reference::Series { column: column.clone(), days, values })
            }
        }
    }
}

/// A CSV's `day` and `column` columns (positive values only).
fn read_series(path: &Path, column: &str) -> Result<(Vec<usize>, Vec<f64>)> {
    let err = |m: String| Error::Other(format!("{}: {m}", path.display()));
    let mut r = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let h = r.headers().map_err(|e| err(e.to_string()))?.clone();
    let find = |n: &str| h.iter().position(|x| x == n).ok_or_else(|| err(format!("no column {n}")));
    let (dc, vc) = (find("day")?, find(column)?);
    let (mut days, mut values) = (Vec::new(), Vec::new());
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let line = i + 2;
        let day: usize = rec.get(dc).and_then(|d| d.parse().ok()).ok_or_else(|| err(format!("line {line}: day")))?;
        let v: f64 = rec.get(vc).and_then(|d| d.parse().ok()).ok_or_else(|| err(format!("line {line}: {column}")))?;
        if !(v.is_finite() && v > 0.0) {
            return Err(err(format!("line {line}: {column} must be a positive number (got {v})")));
        }
        days.push(day);
        values.push(v);
    }
    if days.is_empty() {
        return Err(err("no rows".into()));
    }
    Ok((days, values))
}

/// Keeps the day rows of one replicate.
#[derive(Default)]
struct Rows(Vec<DayRow>);

impl Observer for Rows {
    fn on_day(&mut self, row: &DayRow) -> Result<()> {
        self.0.push(row.clone());
        Ok(())
    }
}

/// Every replicate's day rows, replicates in parallel.
pub fn run_rows(loaded: &LoadedScenario) -> Result<Vec<Vec<DayRow>>> {
    (0..loaded.scenario.simulation.replicates)
        .into_par_iter()
        .map(|r| {
            let mut rows = Rows::default();
            run_replicate(loaded, r, &mut rows)?;
            Ok(rows.0)
        })
        .collect()
}

/// A numeric column of a day row, by name (through its CSV form: any column can be a target).
fn column_of(row: &DayRow, column: &str) -> Result<f64> {
    let v = serde_json::to_value(row).map_err(|e| Error::Other(e.to_string()))?;
    v.get(column)
        .and_then(|x| x.as_f64())
        .ok_or_else(|| Error::Other(format!("{column}: not a numeric column of timeseries.csv")))
}

/// The scorecard rows of the window for these runs.
pub fn window_scores(
    window: &Window,
    epochs: &[data::Epoch],
    loaded: &LoadedScenario,
    runs: &[Vec<DayRow>],
) -> Result<Vec<history::ScoreRow>> {
    let sim = &loaded.scenario.simulation;
    let start = parse_date(&sim.start_date).ok_or_else(|| Error::Other("bad start_date".into()))?;
    let spans = history::epoch_spans(epochs, start, sim.days);
    let series: Vec<SimSeries> = runs
        .iter()
        .map(|rows| SimSeries {
            hashrate_eh_s: rows.iter().map(|r| r.hashrate_eh_s).collect(),
            retarget_changes_pct: rows
                .iter()
                .filter(|r| r.retargets > 0)
                .map(|r| (r.difficulty_end / r.difficulty - 1.0) * 100.0)
                .collect(),
            mean_block_interval_s: rows.iter().map(|r| r.mean_block_interval_s).collect(),
        })
        .collect();
    Ok(history::score_window(window, &spans, epochs, start, sim.days, &series))
}

/// The objective at a scenario, and (for a window) its scorecard.
pub fn evaluate(reference: &Reference, loaded: &LoadedScenario) -> Result<(f64, Vec<history::ScoreRow>)> {
    let runs = run_rows(loaded)?;
    match reference {
        Reference::Window { window, epochs } => {
            let rows = window_scores(window, epochs, loaded, &runs)?;
            let v = rows.iter().find(|r| r.metric == Metric::LogRmse).map_or(f64::NAN, |r| r.sim_median);
            Ok((v, rows))
        }
        Reference::Series { column, days, values } => {
            let mut sq = 0.0;
            let mut n = 0usize;
            for (&d, &obs) in days.iter().zip(values) {
                let mut sum = 0.0;
                for rows in &runs {
                    let row = rows.get(d).ok_or_else(|| Error::Other(format!("day {d} is past the run's last day")))?;
                    sum += column_of(row, column)?;
                }
                let sim = sum / runs.len() as f64;
                let e = if sim > 0.0 { (sim / obs).ln() } else { f64::INFINITY };
                sq += e * e;
                n += 1;
            }
            Ok(((sq / n as f64).sqrt(), Vec::new()))
        }
    }
}
