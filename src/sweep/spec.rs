//! Sweep files, loaded in two phases like scenarios: TOML -> raw structs (unknown keys and
//! wrong types reported with line and column), then checks, expansion into points, and the
//! validation of every point against the base scenario. Nothing runs and nothing is written
//! unless the whole sweep validates.

use super::axis::{self, AxisValue, Method, SampleSpec, Scale, MAX_AXIS_VALUES};
use super::fingerprint::{InputFile, PointInputs};
use super::raw::{flatten, RawFile};
use crate::error::{line_col, Error, Location, Problem, Result};
use crate::observe::RunSummary;
use crate::rng::mix64;
use crate::scenario::{check_name, load_str, LoadedScenario, Override};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Most runs (points x replicates) one sweep may expand to.
pub const MAX_RUNS: u64 = 1_000_000;
/// Most replicates per point.
pub const MAX_REPLICATES: u32 = 100_000;
/// Most axes one sweep may declare (each is checked against the base scenario on its own).
pub const MAX_AXES: usize = 100;
/// Most sampled values (samples x sampled axes) a sweep draws and keeps in memory (~0.3 GB).
pub const MAX_SAMPLED_VALUES: u64 = 10_000_000;
/// Keys the sweep sets itself for every run.
const RESERVED: [&str; 2] = ["simulation.seed", "simulation.replicates"];

/// How an axis gets its values, as written (recorded in `manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AxisSpec {
    /// `values = [...]`.
    Values,
    /// `range = { from, to, steps | step, scale }`.
    Range {
        from: f64,
        to: f64,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        steps: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        step: Option<f64>,
        scale: Scale,
    },
    /// `sample = { min, max, scale }`, drawn jointly with the other sampled axes.
    Sample { min: f64, max: f64, scale: Scale },
}

/// One declared axis.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Dotted scenario key, e.g. `price.log_return_sd_per_day`.
    pub key: String,
    pub spec: AxisSpec,
    /// The values of a grid axis (`values` or `range`); empty for sampled axes, whose values
    /// are drawn per sample.
    pub values: Vec<AxisValue>,
    /// Where the axis is in the sweep file, and each listed value.
    pub(super) at: Location,
    pub(super) value_at: Vec<Location>,
}

/// One dimension of the point grid: a grid axis, or all sampled axes together.
#[derive(Debug, Clone)]
pub(super) enum Dim {
    Grid(usize),
    Samples(Vec<usize>),
}

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    /// Index in the run list: `point * replicates + replicate`.
    pub index: u64,
    pub point: u64,
    pub replicate: u32,
    /// The run's scenario seed, `run_seed(sweep seed, seed_point(method, point), replicate)`.
    pub seed: u64,
}

/// A loaded, expanded and validated sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file as given.
    pub file: PathBuf,
    pub name: String,
    /// The base scenario's path (relative to the working directory).
    pub base: PathBuf,
    pub seed: u64,
    pub replicates: u32,
    /// `[sweep] set` overrides, applied to every run (sorted by key).
    pub set: Vec<Override>,
    pub axes: Vec<Axis>,
    pub samples: Option<u32>,
    pub method: Option<Method>,
    /// Number of points (grid sizes x samples).
    pub points: u64,
    /// The summary metrics of every run, in column order.
    pub metrics: Vec<&'static str>,
    /// Hash of everything that determines the outputs ([`super::fingerprint`]). Shards of
    /// one sweep share it; `--resume` and merge refuse others.
    pub fingerprint: String,
    /// The files the scenarios read (base scenario first) with hashes of their bytes.
    pub inputs: Vec<InputFile>,
    pub(super) dims: Vec<Dim>,
    /// Drawn values of the sampled axes, `[sample][i]` for the i-th sampled axis.
    pub(super) sample_rows: Vec<Vec<AxisValue>>,
    pub(super) base_text: String,
    pub(super) base_dir: PathBuf,
    /// Per point, its entry in `input_sets`: what it loaded at validation, checked again by
    /// every run so a file changed meanwhile cannot slip into the results.
    point_inputs: Vec<u32>,
    input_sets: Vec<PointInputs>,
}

/// The seed of run (`point`, `replicate`) of a sweep with seed `sweep_seed`:
///
/// `mix64(mix64(mix64(seed) ^ point * 0x9E3779B97F4A7C15) ^ replicate * 0xD1B54A32D192ED03) >> 1`
///
/// (SplitMix64's finaliser, `rng::mix64`; shifted to 63 bits so it is a TOML integer and
/// `hashsim run --set simulation.seed=SEED` reproduces the run). It depends on nothing else:
/// not on the shard, the thread or the machine.
pub fn run_seed(sweep_seed: u64, point: u64, replicate: u32) -> u64 {
    let p = mix64(mix64(sweep_seed) ^ point.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    mix64(p ^ u64::from(replicate).wrapping_mul(0xD1B5_4A32_D192_ED03)) >> 1
}

/// The point a run's seed derives from: its own, except in a sensitivity design, where every
/// point takes point 0's seeds (common random numbers: replicate `r` of every point sees the
/// same price path, block draws and population, so the design's differences between points are
/// the parameters', not the noise's; with independent seeds the noise would enter every total
/// index, Jansen's estimator being a mean of squared differences).
pub fn seed_point(method: Option<Method>, point: u64) -> u64 {
    if method.is_some_and(Method::is_sensitivity) {
        0
    } else {
        point
    }
}

/// Written into `manifest.json`.
pub const SEED_DERIVATION: &str =
    "seed(point, replicate) = mix64(mix64(mix64(sweep_seed) ^ point * 0x9E3779B97F4A7C15) \
     ^ replicate * 0xD1B54A32D192ED03) >> 1, mix64 = SplitMix64 finaliser, with point = 0 for \
     every point of a sensitivity design (method saltelli or morris: common random numbers); \
     each run sets simulation.seed to it with simulation.replicates = 1 and runs replicate 0";

/// The columns of `runs.csv` before the axes.
pub const RUN_COLUMNS: [&str; 4] = ["run_id", "point", "replicate", "seed"];

/// Reads, checks, expands and validates the sweep file at `path`.
pub fn load(path: &Path) -> Result<Sweep> {
    let text = crate::input::read_input(path)?;
    load_text(&text, path)
}

/// As [`load`], from text; `path` names the file in errors and resolves `base`.
pub fn load_text(text: &str, path: &Path) -> Result<Sweep> {
    let source = path.display().to_string();
    let at = |offset: usize, key: &str| {
        let (l, c) = line_col(text, offset);
        Location { source: source.clone(), line: Some(l), column: Some(c), key: Some(key.to_string()) }
    };
    // Phase 1: structure and types.
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (line, column) =
            e.span().map(|s| line_col(text, s.start)).map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Error::invalid(Location { source: source.clone(), line, column, key: None }, e.message().trim_end().to_string())
    })?;

    // Phase 2: values, ranges and cross-field rules; every problem found is reported.
    let mut problems: Vec<Problem> = Vec::new();
    let sw = raw.sweep.get_ref();
    let name = sw.name.get_ref().clone();
    if let Err(msg) = check_name(&name) {
        push(&mut problems, at(sw.name.span().start, "sweep.name"), msg);
    }
    let replicates = sw.replicates.as_ref().map_or(1, |r| *r.get_ref());
    if let Some(r) = &sw.replicates {
        if !(1..=MAX_REPLICATES).contains(r.get_ref()) {
            push(
                &mut problems,
                at(r.span().start, "sweep.replicates"),
                format!("must be between 1 and {MAX_REPLICATES} (got {replicates})"),
            );
        }
    }

    // [sweep] set: single values only, flattened to dotted keys.
    let mut set = Vec::new();
    if let Some(t) = &sw.set {
        let loc = at(t.span().start, "sweep.set");
        let mut flat = Vec::new();
        flatten("", t.get_ref(), &mut flat);
        for (key, value) in flat {
            if RESERVED.contains(&key.as_str()) {
                let msg = format!("{key}: the sweep sets it for every run; use [sweep] seed and replicates");
                push(&mut problems, loc.clone(), msg);
                continue;
            }
            match AxisValue::from_toml(&value) {
                Ok(v) => set.push(Override { key, value: v.to_toml() }),
                Err(msg) => push(&mut problems, loc.clone(), format!("{key}: {msg}")),
            }
        }
    }

    // Axes.
    if let Some(extra) = raw.axes.get(MAX_AXES) {
        let msg = format!("at most {MAX_AXES} axes (got {})", raw.axes.len());
        push(&mut problems, at(extra.span().start, &format!("axes[{MAX_AXES}]")), msg);
        return Err(Error::Invalid(problems));
    }
    let mut axes: Vec<Axis> = Vec::new();
    let mut sample_specs: Vec<(usize, SampleSpec)> = Vec::new();
    // Points of the grid axes so far: past MAX_RUNS, no further range is expanded (memory).
    let mut grid: u128 = 1;
    for (i, a) in raw.axes.iter().enumerate() {
        let ra = a.get_ref();
        let key = ra.key.get_ref().trim().to_string();
        let axis_at = at(a.span().start, &format!("axes[{i}]"));
        let key_at = at(ra.key.span().start, &format!("axes[{i}].key"));
        if key.is_empty() || key.split('.').any(str::is_empty) {
            push(&mut problems, key_at.clone(), "must be a dotted scenario key such as price.initial_usd".into());
        } else if RESERVED.contains(&key.as_str()) {
            push(
                &mut problems,
                key_at.clone(),
                format!("{key} is set by the sweep for every run; use [sweep] seed and replicates"),
            );
        } else if set.iter().any(|o| o.key == key) {
            push(
                &mut problems,
                key_at.clone(),
                format!("{key} is also in [sweep] set: a key is either fixed or swept"),
            );
        } else if axes.iter().any(|b| b.key == key) {
            push(&mut problems, key_at.clone(), format!("{key} is swept twice: list all its values in one axis"));
        }
        let given = [ra.values.is_some(), ra.range.is_some(), ra.sample.is_some()].iter().filter(|b| **b).count();
        if given != 1 {
            push(
                &mut problems,
                axis_at.clone(),
                format!("{key}: give exactly one of values = [...], range = {{...}} or sample = {{...}}"),
            );
            continue;
        }
        let mut axis = Axis {
            key: key.clone(),
            spec: AxisSpec::Values,
            values: Vec::new(),
            at: axis_at.clone(),
            value_at: Vec::new(),
        };
        if let Some(vs) = &ra.values {
            let vat = |j: usize, off: usize| at(off, &format!("axes[{i}].values[{j}]"));
            if vs.get_ref().is_empty() {
                push(
                    &mut problems,
                    at(vs.span().start, &format!("axes[{i}].values")),
                    "must list at least one value".into(),
                );
            }
            if vs.get_ref().len() > MAX_AXIS_VALUES {
                push(
                    &mut problems,
                    at(vs.span().start, &format!("axes[{i}].values")),
                    format!("at most {MAX_AXIS_VALUES} values"),
                );
            }
            let mut seen = std::collections::HashSet::new();
            for (j, v) in vs.get_ref().iter().enumerate() {
                match AxisValue::from_toml(v.get_ref()) {
                    Ok(x) if !seen.insert(x.to_toml()) => {
                        push(&mut problems, vat(j, v.span().start), format!("{key}: {} is listed twice", x.to_cell()))
                    }
                    Ok(x) => {
                        axis.values.push(x);
                        axis.value_at.push(vat(j, v.span().start));
                    }
                    Err(msg) => push(&mut problems, vat(j, v.span().start), format!("{key}: {msg}")),
                }
            }
        } else if let Some(r) = &ra.range {
            let rr = r.get_ref().clone();
            let range_at = at(r.span().start, &format!("axes[{i}].range"));
            let values = match (rr.steps, rr.step, rr.scale) {
                _ if grid > u128::from(MAX_RUNS) => {
                    Err(format!("the axes before it already expand to more than {MAX_RUNS} points"))
                }
                (Some(n), None, s) => axis::range_steps(rr.from, rr.to, n, s),
                (None, Some(st), Scale::Linear) => axis::range_step(rr.from, rr.to, st),
                (None, Some(_), Scale::Log) => Err("step is for linear ranges: give a log range steps = N".into()),
                _ => Err("give exactly one of steps = N (number of values) or step = X (increment)".into()),
            };
            match values {
                Ok(v) => {
                    axis.values = v.into_iter().map(AxisValue::Float).collect();
                    axis.value_at = vec![range_at; axis.values.len()];
                }
                Err(msg) => push(&mut problems, range_at, format!("{key}: {msg}")),
            }
            axis.spec = AxisSpec::Range { from: rr.from, to: rr.to, steps: rr.steps, step: rr.step, scale: rr.scale };
        } else if let Some(s) = &ra.sample {
            let rs = s.get_ref().clone();
            let sample_at = at(s.span().start, &format!("axes[{i}].sample"));
            if !(rs.min.is_finite() && rs.max.is_finite() && rs.min < rs.max) {
                push(
                    &mut problems,
                    sample_at,
                    format!("{key}: needs finite min < max (got {} and {})", rs.min, rs.max),
                );
            } else if rs.scale == Scale::Log && rs.min <= 0.0 {
                push(&mut problems, sample_at, format!("{key}: a log scale needs min above 0 (got {})", rs.min));
            }
            axis.spec = AxisSpec::Sample { min: rs.min, max: rs.max, scale: rs.scale };
            sample_specs.push((i, SampleSpec { min: rs.min, max: rs.max, scale: rs.scale }));
        }
        if !matches!(axis.spec, AxisSpec::Sample { .. }) {
            grid = grid.saturating_mul(axis.values.len().max(1) as u128);
        }
        axes.push(axis);
    }

    let samples = sw.samples.as_ref().map(|s| *s.get_ref());
    let method = sw.method.as_ref().map(|m| *m.get_ref());
    match (&sw.samples, sample_specs.is_empty()) {
        (None, false) => push(
            &mut problems,
            at(raw.sweep.span().start, "sweep.samples"),
            "sampled axes need [sweep] samples = N (how many points to draw)".into(),
        ),
        (Some(s), true) => push(
            &mut problems,
            at(s.span().start, "sweep.samples"),
            "no axis is sampled: samples needs axes with sample = {...}".into(),
        ),
        (Some(s), false) if !(1..=MAX_RUNS as u32).contains(s.get_ref()) => push(
            &mut problems,
            at(s.span().start, "sweep.samples"),
            format!("must be between 1 and {MAX_RUNS} (got {})", s.get_ref()),
        ),
        (Some(s), false)
            if axis::design_points(method.unwrap_or_default(), u64::from(*s.get_ref()), sample_specs.len())
                .saturating_mul(sample_specs.len() as u64)
                > MAX_SAMPLED_VALUES =>
        {
            push(&mut problems, at(s.span().start, "sweep.samples"), {
                let n = *s.get_ref();
                let pts = axis::design_points(method.unwrap_or_default(), u64::from(n), sample_specs.len());
                let design = if pts == u64::from(n) { String::new() } else { format!(" ({pts} points)") };
                format!(
                    "{n} samples{design} x {} sampled axes: at most {MAX_SAMPLED_VALUES} drawn values",
                    sample_specs.len()
                )
            })
        }
        _ => {}
    }
    if let (Some(m), None) = (&sw.method, &sw.samples) {
        push(
            &mut problems,
            at(m.span().start, "sweep.method"),
            "method is for sampled axes: it needs samples = N".into(),
        );
    }
    if let Some(m) = sw.method.as_ref().filter(|m| m.get_ref().is_sensitivity()) {
        if axes.iter().any(|a| !matches!(a.spec, AxisSpec::Sample { .. })) {
            push(
                &mut problems,
                at(m.span().start, "sweep.method"),
                format!("{}: a sensitivity design needs every axis sampled (sample = {{...}})", m.get_ref().name()),
            );
        }
    }

    // Dimensions: grid axes in declaration order, the sampled axes together at the place of
    // the first of them. The first dimension varies slowest.
    let mut dims = Vec::new();
    for (i, a) in axes.iter().enumerate() {
        match a.spec {
            AxisSpec::Sample { .. } => {
                if !dims.iter().any(|d| matches!(d, Dim::Samples(_))) {
                    dims.push(Dim::Samples(sample_specs.iter().map(|(j, _)| *j).collect()));
                }
            }
            _ => dims.push(Dim::Grid(i)),
        }
    }
    let sizes: Vec<u128> = dims
        .iter()
        .map(|d| match d {
            Dim::Grid(i) => axes[*i].values.len() as u128,
            Dim::Samples(_) => u128::from(axis::design_points(
                method.unwrap_or_default(),
                u64::from(samples.unwrap_or(0)),
                sample_specs.len(),
            )),
        })
        .collect();
    // Saturating: a product past u128 is as refused as any above MAX_RUNS.
    let points: u128 = sizes.iter().fold(1u128, |acc, &n| acc.saturating_mul(n));
    let runs = points.saturating_mul(u128::from(replicates));
    if problems.is_empty() && runs > u128::from(MAX_RUNS) {
        let shape = sizes.iter().map(u128::to_string).collect::<Vec<_>>().join(" x ");
        push(
            &mut problems,
            at(raw.sweep.span().start, "sweep"),
            format!("expands to {runs} runs ({shape} points x {replicates} replicates); at most {MAX_RUNS}"),
        );
    }

    // The base scenario.
    let base = path.parent().unwrap_or(Path::new("")).join(sw.base.get_ref());
    let base_text = match crate::input::read_input(&base) {
        Ok(t) => t,
        Err(e) => {
            push(&mut problems, at(sw.base.span().start, "sweep.base"), e.to_string());
            String::new()
        }
    };
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }

    let sample_rows = match (samples, method) {
        (Some(n), m) if !sample_specs.is_empty() => {
            let specs: Vec<SampleSpec> = sample_specs.iter().map(|(_, s)| *s).collect();
            axis::draw_samples(sw.seed.get_ref().to_owned(), n as usize, &specs, m.unwrap_or_default())
                .into_iter()
                .map(|row| row.into_iter().map(AxisValue::Float).collect())
                .collect()
        }
        _ => Vec::new(),
    };
    let base_dir = base.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut sweep = Sweep {
        file: path.to_path_buf(),
        name,
        base,
        seed: *sw.seed.get_ref(),
        replicates,
        set,
        axes,
        samples: if sample_specs.is_empty() { None } else { samples },
        method: if sample_specs.is_empty() { None } else { Some(method.unwrap_or_default()) },
        points: points as u64,
        metrics: RunSummary::columns().into_iter().filter(|c| *c != "replicate").collect(),
        fingerprint: String::new(),
        inputs: Vec::new(),
        dims,
        sample_rows,
        base_text,
        base_dir,
        point_inputs: Vec::new(),
        input_sets: Vec::new(),
    };
    let set_at = at(sw.set.as_ref().map_or(raw.sweep.span().start, |t| t.span().start), "sweep.set");
    let v = sweep.validate(&set_at)?;
    sweep.fingerprint = v.fingerprint;
    sweep.inputs = v.inputs;
    sweep.point_inputs = v.point_inputs;
    sweep.input_sets = v.input_sets;
    Ok(sweep)
}

fn push(problems: &mut Vec<Problem>, location: Location, message: String) {
    problems.push(Problem { location, message });
}

impl Sweep {
    /// Total runs: points x replicates.
    pub fn runs(&self) -> u64 {
        self.points * u64::from(self.replicates)
    }

    /// Run `index` of the run list (`point * replicates + replicate`).
    pub fn run(&self, index: u64) -> RunSpec {
        let reps = u64::from(self.replicates);
        let (point, replicate) = (index / reps, (index % reps) as u32);
        RunSpec { index, point, replicate, seed: run_seed(self.seed, seed_point(self.method, point), replicate) }
    }

    /// `r000123`: zero-padded to at least 6 digits (more when the sweep has more runs).
    pub fn run_id(&self, index: u64) -> String {
        run_id(index, self.runs())
    }

    /// The columns of `runs.csv`.
    pub fn columns(&self) -> Vec<String> {
        RUN_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .chain(self.axes.iter().map(|a| a.key.clone()))
            .chain(self.metrics.iter().map(|m| m.to_string()))
            .collect()
    }

    /// The axis values of point `p`, in axis order.
    pub fn point_values(&self, p: u64) -> Vec<AxisValue> {
        let mut out = vec![AxisValue::Bool(false); self.axes.len()];
        let mut rest = p;
        for dim in self.dims.iter().rev() {
            let size = match dim {
                Dim::Grid(i) => self.axes[*i].values.len() as u64,
                Dim::Samples(_) => self.sample_rows.len() as u64,
            };
            let k = (rest % size) as usize;
            rest /= size;
            match dim {
                Dim::Grid(i) => out[*i] = self.axes[*i].values[k].clone(),
                Dim::Samples(list) => {
                    for (j, &i) in list.iter().enumerate() {
                        out[i] = self.sample_rows[k][j].clone();
                    }
                }
            }
        }
        out
    }

    /// The overrides of point `p`'s run with seed `seed`: `set`, the axes, then
    /// `simulation.replicates = 1` and `simulation.seed`.
    pub fn overrides(&self, p: u64, seed: u64) -> Vec<Override> {
        let mut o = self.set.clone();
        for (a, v) in self.axes.iter().zip(self.point_values(p)) {
            o.push(Override { key: a.key.clone(), value: v.to_toml() });
        }
        o.push(Override { key: "simulation.replicates".into(), value: "1".into() });
        o.push(Override { key: "simulation.seed".into(), value: seed.to_string() });
        o
    }

    /// The scenario of run `run`, ready for `observe::run_replicate(.., 0, ..)`. Refused if a
    /// file it reads (catalog, price path) no longer holds what the validation loaded.
    pub fn scenario(&self, run: &RunSpec) -> Result<LoadedScenario> {
        let loaded = self.load_base(&self.overrides(run.point, run.seed))?;
        let expected = self.point_inputs.get(run.point as usize).and_then(|&i| self.input_sets.get(i as usize));
        if let Some(expected) = expected {
            expected.check_unchanged(&PointInputs::of(&loaded, &self.base_dir)).map_err(|file| {
                Error::Other(format!(
                    "{} changed while the sweep was running: its runs would mix two versions of it; restore \
                     it, or start the sweep over (--force)",
                    file.display()
                ))
            })?;
        }
        Ok(loaded)
    }

    pub(super) fn load_base(&self, overrides: &[Override]) -> Result<LoadedScenario> {
        load_str(&self.base_text, &self.base.display().to_string(), &self.base_dir, overrides)
    }

    /// One line about the sweep, e.g. for `--dry-run`.
    pub fn describe(&self) -> String {
        let axes: Vec<String> = self
            .axes
            .iter()
            .map(|a| match a.spec {
                AxisSpec::Sample { .. } => format!("{} (sampled)", a.key),
                _ => format!("{} ({} values)", a.key, a.values.len()),
            })
            .collect();
        let samples = self
            .samples
            .map(|n| format!(", {n} samples ({})", self.method.unwrap_or_default().name()))
            .unwrap_or_default();
        format!(
            "{}: {} point(s) x {} replicate(s) = {} runs; axes: {}{samples}; fingerprint {}",
            self.name,
            self.points,
            self.replicates,
            self.runs(),
            if axes.is_empty() { "none".into() } else { axes.join(", ") },
            self.fingerprint
        )
    }

    /// Indices of the sampled axes, in the order of `sample_rows` columns.
    pub(super) fn sampled(&self) -> Vec<usize> {
        self.dims
            .iter()
            .find_map(|d| match d {
                Dim::Samples(list) => Some(list.clone()),
                Dim::Grid(_) => None,
            })
            .unwrap_or_default()
    }
}

/// `r000123`, padded to at least 6 digits and to the width of the largest id of `total`.
pub fn run_id(index: u64, total: u64) -> String {
    let width = total.saturating_sub(1).to_string().len().max(6);
    format!("r{index:0width$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_seeds_are_pinned_and_distinct() {
        // Pinned: changing the derivation changes every published sweep. The values were
        // computed independently with a 10-line Python SplitMix64 (64-bit masked arithmetic).
        assert_eq!(run_seed(1, 0, 0), (mix64(mix64(mix64(1))) >> 1));
        assert_eq!([run_seed(1, 0, 0), run_seed(20251121, 3, 2)], [6396520470166291297, 8392534930163269932]);
        let mut seen = std::collections::HashSet::new();
        for p in 0..50 {
            for r in 0..50 {
                let s = run_seed(7, p, r);
                assert!(s < 1 << 63, "fits a TOML integer");
                assert!(seen.insert(s), "collision at point {p} replicate {r}");
            }
        }
        assert_ne!(run_seed(7, 0, 1), run_seed(8, 0, 1));
        assert_ne!(run_seed(7, 1, 0), run_seed(7, 0, 1));
    }

    #[test]
    fn run_ids_are_padded() {
        assert_eq!(run_id(123, 1000), "r000123");
        assert_eq!(run_id(0, 1), "r000000");
        assert_eq!(run_id(5, 12_345_678), "r00000005");
    }
}
