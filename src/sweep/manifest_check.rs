//! A sweep's `manifest.json` read back (by `merge`, or to recognise a sweep's folder) is
//! input like any other: every field is checked against its limits and against the other
//! fields before anything is allocated from it or written, and the axis values it implies are
//! what each row of `runs.csv` is checked against.

use super::axis::{draw_samples, fmt_number, range_step, range_steps, SampleSpec, Scale, MAX_AXIS_VALUES};
use super::output::SweepManifest;
use super::shard::{Shard, MAX_SHARDS};
use super::spec::{AxisSpec, MAX_AXES, MAX_REPLICATES, MAX_RUNS};
use crate::scenario::check_name;
use std::collections::HashSet;

/// Most metric columns a manifest may list (a run reports about 60).
const MAX_METRICS: usize = 1_000;
/// Hex digits of a fingerprint.
const FINGERPRINT_DIGITS: usize = 16;

/// Checks every field of `m`; the error names the field.
pub(crate) fn check(m: &SweepManifest) -> Result<(), String> {
    check_name(&m.name).map_err(|e| format!("name: {e}"))?;
    if !(1..=MAX_REPLICATES).contains(&m.replicates) {
        return Err(format!("replicates: must be between 1 and {MAX_REPLICATES} (got {})", m.replicates));
    }
    if !(1..=MAX_RUNS).contains(&m.points) {
        return Err(format!("points: must be between 1 and {MAX_RUNS} (got {})", m.points));
    }
    if !(1..=MAX_RUNS).contains(&m.runs) {
        return Err(format!("runs: must be between 1 and {MAX_RUNS} (got {})", m.runs));
    }
    if m.points.checked_mul(u64::from(m.replicates)) != Some(m.runs) {
        return Err(format!("runs: must be points x replicates = {} x {} (got {})", m.points, m.replicates, m.runs));
    }
    if m.fingerprint.len() != FINGERPRINT_DIGITS || !m.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("fingerprint: must be {FINGERPRINT_DIGITS} hex digits (got {:?})", m.fingerprint));
    }
    if let Some(s) = &m.shard {
        if !(1..=MAX_SHARDS).contains(&s.count) || s.index >= s.count {
            return Err(format!(
                "shard: index must be below count, count between 1 and {MAX_SHARDS} (got {}/{})",
                s.index, s.count
            ));
        }
        let want = Shard { index: s.index, count: s.count }.len(m.runs);
        if s.runs != want {
            return Err(format!(
                "shard.runs: shard {}/{} of {} runs holds {want} (got {})",
                s.index, s.count, m.runs, s.runs
            ));
        }
    }
    if m.metrics.is_empty() || m.metrics.len() > MAX_METRICS {
        return Err(format!("metrics: must list 1 to {MAX_METRICS} columns (got {})", m.metrics.len()));
    }
    if m.axes.len() > MAX_AXES {
        return Err(format!("axes: at most {MAX_AXES} (got {})", m.axes.len()));
    }
    let mut columns = HashSet::new();
    for c in m.columns() {
        if c.is_empty() || c.chars().any(char::is_control) || !columns.insert(c.clone()) {
            return Err(format!("axes and metrics: column {c:?} is empty, has control characters or is listed twice"));
        }
    }
    let mut grid: u64 = 1;
    let mut sampled = 0;
    for (i, a) in m.axes.iter().enumerate() {
        match &a.spec {
            AxisSpec::Sample { min, max, scale } => {
                sample_spec(*min, *max, *scale).map_err(|e| format!("axes[{i}]: {e}"))?;
                if !a.values.is_empty() {
                    return Err(format!("axes[{i}].values: a sampled axis lists no values"));
                }
                sampled += 1;
            }
            spec => {
                if !(1..=MAX_AXIS_VALUES).contains(&a.values.len()) {
                    return Err(format!("axes[{i}].values: must list 1 to {MAX_AXIS_VALUES} values"));
                }
                if let AxisSpec::Range { from, to, steps, step, scale } = spec {
                    let values = match (steps, step) {
                        (Some(n), None) => range_steps(*from, *to, *n, *scale),
                        (None, Some(s)) if *scale == Scale::Linear => range_step(*from, *to, *s),
                        _ => Err("give steps, or step for a linear range".into()),
                    };
                    let cells: Vec<String> =
                        values.map_err(|e| format!("axes[{i}].range: {e}"))?.into_iter().map(fmt_number).collect();
                    if cells != a.values {
                        return Err(format!("axes[{i}].values: do not match the axis's range"));
                    }
                }
                grid = grid.saturating_mul(a.values.len() as u64);
            }
        }
    }
    let points = match (sampled, m.samples, m.method) {
        (0, None, None) => grid,
        (1.., Some(n), Some(method)) if n >= 1 => {
            grid.saturating_mul(super::axis::design_points(method, u64::from(n), sampled))
        }
        _ => return Err("samples and method: given exactly when an axis is sampled, samples at least 1".into()),
    };
    if points != m.points {
        return Err(format!("points: the axes give {points} points (got {})", m.points));
    }
    Ok(())
}

fn sample_spec(min: f64, max: f64, scale: Scale) -> Result<SampleSpec, String> {
    if !(min.is_finite() && max.is_finite() && min < max) || (scale == Scale::Log && min <= 0.0) {
        return Err(format!("sample: needs finite min < max, min above 0 on a log scale (got {min} and {max})"));
    }
    Ok(SampleSpec { min, max, scale })
}

/// Whether `a` and `b` describe the same run list (everything but where and how each ran);
/// otherwise the first field that differs.
pub(crate) fn same_sweep(a: &SweepManifest, b: &SweepManifest) -> Result<(), &'static str> {
    let axes = |m: &SweepManifest| {
        m.axes.iter().map(|x| (x.key.clone(), x.spec.clone(), x.values.clone())).collect::<Vec<_>>()
    };
    let checks: [(&str, bool); 10] = [
        ("name", a.name == b.name),
        ("seed", a.seed == b.seed),
        ("replicates", a.replicates == b.replicates),
        ("points", a.points == b.points),
        ("runs", a.runs == b.runs),
        ("axes", axes(a) == axes(b)),
        ("samples", a.samples == b.samples),
        ("method", a.method == b.method),
        ("metrics", a.metrics == b.metrics),
        // By content: the same files may sit at other paths on another machine.
        ("inputs", a.inputs.iter().map(|f| &f.fnv1a).eq(b.inputs.iter().map(|f| &f.fnv1a))),
    ];
    match checks.iter().find(|(_, same)| !same) {
        Some((field, _)) => Err(field),
        None => Ok(()),
    }
}

/// The axis cells of every point of a (checked) manifest, to check rows against.
pub(crate) struct AxisCells {
    /// Slowest first: a grid axis, or all sampled axes together (at the first one's place).
    dims: Vec<Dim>,
    sampled: Vec<usize>,
    /// Drawn values, `[sample][j]` for the j-th sampled axis.
    samples: Vec<Vec<f64>>,
    grid: Vec<Vec<String>>,
}

enum Dim {
    Grid(usize),
    Samples,
}

impl AxisCells {
    /// As the sweep expanded them: grid values from the manifest, samples drawn again from its
    /// seed (the draws depend on nothing else).
    pub(crate) fn new(m: &SweepManifest) -> AxisCells {
        let mut dims = Vec::new();
        let mut sampled = Vec::new();
        let mut specs = Vec::new();
        for (i, a) in m.axes.iter().enumerate() {
            if let AxisSpec::Sample { min, max, scale } = a.spec {
                if sampled.is_empty() {
                    dims.push(Dim::Samples);
                }
                sampled.push(i);
                specs.push(SampleSpec { min, max, scale });
            } else {
                dims.push(Dim::Grid(i));
            }
        }
        let samples = match (m.samples, m.method) {
            (Some(n), Some(method)) if !specs.is_empty() => draw_samples(m.seed, n as usize, &specs, method),
            _ => Vec::new(),
        };
        AxisCells { dims, sampled, samples, grid: m.axes.iter().map(|a| a.values.clone()).collect() }
    }

    /// The axis cells of point `p`, in axis order.
    pub(crate) fn of(&self, p: u64) -> Vec<String> {
        let mut out = vec![String::new(); self.grid.len()];
        let mut rest = p;
        for dim in self.dims.iter().rev() {
            let size = match dim {
                Dim::Grid(i) => self.grid[*i].len() as u64,
                Dim::Samples => self.samples.len() as u64,
            }
            .max(1);
            let k = (rest % size) as usize;
            rest /= size;
            match dim {
                Dim::Grid(i) => out[*i] = self.grid[*i].get(k).cloned().unwrap_or_default(),
                Dim::Samples => {
                    for (j, &i) in self.sampled.iter().enumerate() {
                        out[i] =
                            self.samples.get(k).and_then(|row| row.get(j)).map(|x| fmt_number(*x)).unwrap_or_default();
                    }
                }
            }
        }
        out
    }
}

/// The first column that differs between a row's axis cells and the expected ones.
pub(crate) fn axis_mismatch<'a>(m: &'a SweepManifest, got: &[String], want: &[String]) -> Option<&'a str> {
    m.axes.iter().zip(got.iter().zip(want)).find(|(_, (g, w))| g != w).map(|(a, _)| a.key.as_str())
}
