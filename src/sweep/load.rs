//! Loading a sweep file in two phases, like scenarios: TOML -> raw structs (unknown keys and
//! wrong types reported with line and column), then checks, expansion into points, and the
//! validation of every point against the base scenario (`validate`). Nothing runs and nothing
//! is written unless the whole sweep validates.

use super::axis::{self, AxisValue, SampleSpec, Scale, MAX_AXIS_VALUES};
use super::raw::{flatten, RawFile};
use super::spec::{Axis, AxisSpec, Dim, Sweep, MAX_AXES, MAX_REPLICATES, MAX_RUNS, MAX_SAMPLED_VALUES, RESERVED};
use crate::error::{line_col, Error, Location, Problem, Result};
use crate::observe::RunSummary;
use crate::scenario::{check_name, Override};
use std::path::Path;

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
