//! `hashsim sensitivity`: the global sensitivity indices of a finished sensitivity sweep
//! (`method = "saltelli"` or `"morris"`), read from its `runs.csv` (a whole run, or shards
//! merged): each point's metric averaged over its replicates, then Sobol's first-order and
//! total indices (Saltelli) or Morris's elementary effects (`crate::sensitivity`), with
//! bootstrap intervals, and how much of the metric's variance is the model's own noise.

use super::axis::{unit_design, Method};
use super::output::parse_metric;
use super::spec::Sweep;
use crate::error::{Error, Result};
use crate::output::atomic::AtomicFile;
use crate::sensitivity::{morris_indices, sobol_indices};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Bootstrap resamples for the intervals.
pub const DEFAULT_BOOTSTRAP: usize = 1000;

/// Confidence level of the intervals.
pub const CONFIDENCE: f64 = 0.95;

/// One line of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityRow {
    /// A `summary.csv` metric, as in `runs.csv`.
    pub metric: String,
    /// A sampled axis's key; empty for `noise_share`.
    pub parameter: String,
    /// `s1`, `st` (Saltelli), `mu_star`, `mu`, `sigma` (Morris), or `noise_share`: the share
    /// of the variance of the point means that replicate noise explains
    /// (`within-point variance / replicates / variance of the means`).
    pub index: &'static str,
    pub estimate: f64,
    /// The bootstrap interval at [`CONFIDENCE`], where there is one.
    pub ci_lo: Option<f64>,
    pub ci_hi: Option<f64>,
}

/// What an analysis found: the rows, and the metrics left out with why.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub rows: Vec<SensitivityRow>,
    pub skipped: Vec<String>,
}

/// Per point, the sum, sum of squares and count of a metric's replicate values.
#[derive(Debug, Clone, Copy, Default)]
struct PointTally {
    sum: f64,
    sum_sq: f64,
    count: u32,
}

/// The indices of `sweep`'s `metrics` (all its summary metrics when empty) from
/// `dir/runs.csv`, with `bootstrap` resamples.
pub fn analyse(sweep: &Sweep, dir: &Path, metrics: &[String], bootstrap: usize) -> Result<Analysis> {
    let method = sweep.method.filter(|m| m.is_sensitivity()).ok_or_else(|| {
        Error::Other(format!(
            "{}: not a sensitivity design: set [sweep] method = \"saltelli\" or \"morris\"",
            sweep.file.display()
        ))
    })?;
    check_metrics(sweep, metrics)?;
    let wanted: Vec<String> =
        if metrics.is_empty() { sweep.metrics.iter().map(|m| m.to_string()).collect() } else { metrics.to_vec() };
    let tallies = read_tallies(&dir.join("runs.csv"), sweep, &wanted)?;
    let sampled = sweep.sampled();
    let params: Vec<String> = sampled.iter().map(|&i| sweep.axes[i].key.clone()).collect();
    let k = params.len();
    let n = sweep.samples.unwrap_or(0) as usize;
    let reps = sweep.replicates;
    let mut out = Analysis::default();
    let unit = if method == Method::Morris { unit_design(sweep.seed, n, k, method) } else { Vec::new() };
    for (m, points) in wanted.iter().zip(&tallies) {
        if let Some(p) = points.iter().position(|t| t.count < reps) {
            out.skipped.push(format!("{m}: point {p} has {} of {reps} values", points[p].count));
            continue;
        }
        let y: Vec<f64> = points.iter().map(|t| t.sum / f64::from(t.count)).collect();
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (y.len() as f64 - 1.0).max(1.0);
        if var <= 0.0 || !var.is_finite() {
            out.skipped.push(format!("{m}: the same value at every point"));
            continue;
        }
        let row = |parameter: &str, index, estimate, ci: Option<(f64, f64)>| SensitivityRow {
            metric: m.clone(),
            parameter: parameter.to_string(),
            index,
            estimate,
            ci_lo: ci.map(|c| c.0),
            ci_hi: ci.map(|c| c.1),
        };
        let seed = sweep.seed ^ crate::rng::mix64(out.rows.len() as u64);
        match method {
            Method::Saltelli => {
                for (p, s) in params.iter().zip(sobol_indices(&y, n, k, bootstrap, CONFIDENCE, seed)) {
                    out.rows.push(row(p, "s1", s.s1, Some((s.s1_lo, s.s1_hi))));
                    out.rows.push(row(p, "st", s.st, Some((s.st_lo, s.st_hi))));
                }
            }
            _ => {
                for (p, e) in params.iter().zip(morris_indices(&unit, &y, n, k, bootstrap, CONFIDENCE, seed)) {
                    out.rows.push(row(p, "mu_star", e.mu_star, Some((e.mu_star_lo, e.mu_star_hi))));
                    out.rows.push(row(p, "mu", e.mu, None));
                    out.rows.push(row(p, "sigma", e.sigma, None));
                }
            }
        }
        if reps > 1 {
            let within: f64 = points
                .iter()
                .map(|t| (t.sum_sq - t.sum * t.sum / f64::from(t.count)) / f64::from(t.count - 1))
                .sum::<f64>()
                / points.len() as f64;
            out.rows.push(row("", "noise_share", (within.max(0.0) / f64::from(reps) / var).min(1.0), None));
        }
    }
    Ok(out)
}

/// Checks that every one of `metrics` is a summary metric of the sweep's runs (before any run).
pub fn check_metrics(sweep: &Sweep, metrics: &[String]) -> Result<()> {
    for m in metrics {
        if !sweep.metrics.iter().any(|x| x == m) {
            return Err(Error::Other(format!(
                "--metric {m}: not a summary metric of the runs (see runs.csv's columns)"
            )));
        }
    }
    Ok(())
}

/// Each wanted metric's per-point tallies from `runs.csv`.
fn read_tallies(path: &Path, sweep: &Sweep, wanted: &[String]) -> Result<Vec<Vec<PointTally>>> {
    let read_err = |e: csv::Error| Error::Other(format!("{}: {e}", path.display()));
    let mut r = csv::Reader::from_path(path).map_err(read_err)?;
    let headers = r.headers().map_err(read_err)?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::Other(format!("{}: no column {name} (is this the sweep's runs.csv?)", path.display()))
        })
    };
    let point_col = col("point")?;
    let cols: Vec<usize> = wanted.iter().map(|m| col(m)).collect::<Result<_>>()?;
    let points = sweep.points as usize;
    let mut tallies = vec![vec![PointTally::default(); points]; wanted.len()];
    for (line, rec) in r.records().enumerate() {
        let rec = rec.map_err(read_err)?;
        let at = |msg: String| Error::Other(format!("{}:{}: {msg}", path.display(), line + 2));
        let p: usize = rec.get(point_col).and_then(|c| c.parse().ok()).ok_or_else(|| at("bad point".into()))?;
        if p >= points {
            return Err(at(format!("point {p} is not one of the sweep's {points}")));
        }
        for (t, &c) in tallies.iter_mut().zip(&cols) {
            let v =
                rec.get(c).and_then(parse_metric).ok_or_else(|| at(format!("column {}: not a number", &headers[c])))?;
            if v.is_finite() {
                let s = &mut t[p];
                s.sum += v;
                s.sum_sq += v * v;
                s.count += 1;
            }
        }
    }
    Ok(tallies)
}

/// Writes `sensitivity.csv` into `dir` (atomically) and returns its path.
pub fn write_csv(dir: &Path, rows: &[SensitivityRow]) -> Result<PathBuf> {
    let dest = dir.join("sensitivity.csv");
    let err = |e: csv::Error| Error::Other(format!("cannot write {}: {e}", dest.display()));
    let mut w = csv::Writer::from_writer(AtomicFile::create(&dest)?);
    for r in rows {
        w.serialize(r).map_err(err)?;
    }
    w.into_inner().map_err(|e| Error::Other(format!("cannot write {}: {}", dest.display(), e.error())))?.commit()
}
