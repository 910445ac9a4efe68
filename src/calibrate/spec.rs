//! A calibration file, in two phases: the TOML as written (unknown keys and wrong types
//! reported by the parser at their line and column), then checked values (bounds, a target,
//! the base scenario loading at every parameter's bounds), every problem at its place.

use crate::error::{line_col, Error, Location, Problem, Result};
use crate::scenario::name::check_name;
use crate::scenario::{self, Override};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Most parameters a calibration fits (the simplex has one more vertex).
pub const MAX_PARAMETERS: usize = 20;

/// Most evaluations of the objective.
pub const MAX_EVALUATIONS: u32 = 100_000;

/// Keys the calibration sets itself.
const RESERVED: [&str; 2] = ["simulation.seed", "simulation.replicates"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    calibrate: Spanned<RawCalibrate>,
    #[serde(default)]
    parameters: Vec<Spanned<RawParameter>>,
    target: Spanned<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibrate {
    name: Spanned<String>,
    base: Spanned<String>,
    seed: u64,
    #[serde(default = "one")]
    replicates: Spanned<u32>,
    #[serde(default = "default_evaluations")]
    max_evaluations: Spanned<u32>,
    #[serde(default)]
    set: Option<Spanned<toml::Table>>,
    #[serde(default)]
    method: Method,
    #[serde(default)]
    particles: Option<Spanned<u32>>,
    #[serde(default)]
    generations: Option<Spanned<u32>>,
    #[serde(default)]
    quantile: Option<Spanned<f64>>,
}

/// How the parameters are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Nelder-Mead: the best point.
    #[default]
    NelderMead,
    /// ABC-SMC: a posterior sample.
    Abc,
}

/// ABC-SMC's settings (`particles`, `generations`, `quantile` in `[calibrate]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AbcSpec {
    pub particles: u32,
    pub generations: u32,
    pub quantile: f64,
}

fn one() -> Spanned<u32> {
    Spanned::new(0..0, 1)
}

fn default_evaluations() -> Spanned<u32> {
    Spanned::new(0..0, 60)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    key: Spanned<String>,
    min: Spanned<f64>,
    max: Spanned<f64>,
    #[serde(default)]
    start: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    #[serde(default)]
    window: Option<Spanned<String>>,
    #[serde(default)]
    series: Option<Spanned<String>>,
    #[serde(default)]
    column: Option<Spanned<String>>,
}

/// A parameter to fit, within `[min, max]`, from `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub key: String,
    pub min: f64,
    pub max: f64,
    pub start: f64,
}

impl Parameter {
    /// The value at `u` in the unit interval.
    pub fn at(&self, u: f64) -> f64 {
        self.min + u * (self.max - self.min)
    }

    /// `value`'s place in the unit interval.
    pub fn unit(&self, value: f64) -> f64 {
        if self.max > self.min {
            ((value - self.min) / (self.max - self.min)).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// What the fit compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A history window's real epochs (`scenarios/history`): the scorecard's log-RMSE.
    Window(String),
    /// A CSV series: its `day` column and `column`, against the run's `column`.
    Series { path: PathBuf, column: String },
}

/// A loaded and checked calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub file: PathBuf,
    pub name: String,
    pub base: PathBuf,
    pub base_text: String,
    pub seed: u64,
    pub replicates: u32,
    pub max_evaluations: u32,
    pub set: Vec<Override>,
    pub parameters: Vec<Parameter>,
    pub target: Target,
    /// `Some` for `method = "abc"`.
    pub abc: Option<AbcSpec>,
}

impl Calibration {
    /// The base scenario with `set`, the parameters at `values`, the seed and replicates.
    pub fn scenario(&self, values: &[f64]) -> Result<scenario::LoadedScenario> {
        let mut o = self.set.clone();
        for (p, v) in self.parameters.iter().zip(values) {
            o.push(Override { key: p.key.clone(), value: crate::sweep::axis::fmt_number(*v) });
        }
        o.push(Override { key: "simulation.seed".into(), value: self.seed.to_string() });
        o.push(Override { key: "simulation.replicates".into(), value: self.replicates.to_string() });
        let dir = self.base.parent().unwrap_or(Path::new(""));
        scenario::load_str(&self.base_text, &self.base.display().to_string(), dir, &o)
    }
}

/// Reads and checks the calibration file at `path`.
pub fn load(path: &Path) -> Result<Calibration> {
    let text = crate::input::read_input(path)?;
    let source = path.display().to_string();
    let at = |offset: usize, key: &str| {
        let (l, c) = line_col(&text, offset);
        Location { source: source.clone(), line: Some(l), column: Some(c), key: Some(key.to_string()) }
    };
    let raw: RawFile = toml::from_str(&text).map_err(|e| {
        let (line, column) =
            e.span().map(|s| line_col(&text, s.start)).map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Error::invalid(Location { source: source.clone(), line, column, key: None }, e.message().trim_end().to_string())
    })?;
    let mut problems: Vec<Problem> = Vec::new();
    let mut fail = |location: Location, message: String| problems.push(Problem { location, message });
    let c = raw.calibrate.get_ref();
    if let Err(m) = check_name(c.name.get_ref()) {
        fail(at(c.name.span().start, "calibrate.name"), m);
    }
    if !(1..=1000).contains(c.replicates.get_ref()) {
        fail(
            at(c.replicates.span().start, "calibrate.replicates"),
            format!("must be between 1 and 1000 (got {})", c.replicates.get_ref()),
        );
    }
    if !(1..=MAX_EVALUATIONS).contains(c.max_evaluations.get_ref()) {
        fail(
            at(c.max_evaluations.span().start, "calibrate.max_evaluations"),
            format!("must be between 1 and {MAX_EVALUATIONS} (got {})", c.max_evaluations.get_ref()),
        );
    }
    let mut set = Vec::new();
    if let Some(t) = &c.set {
        let mut flat = Vec::new();
        crate::sweep::flatten_table("", t.get_ref(), &mut flat);
        for (key, value) in flat {
            if RESERVED.contains(&key.as_str()) {
                fail(at(t.span().start, "calibrate.set"), format!("{key}: set by [calibrate] seed and replicates"));
            } else {
                set.push(Override { key, value: value.to_string() });
            }
        }
    }
    if raw.parameters.is_empty() || raw.parameters.len() > MAX_PARAMETERS {
        fail(
            at(raw.calibrate.span().start, "parameters"),
            format!("give 1 to {MAX_PARAMETERS} [[parameters]] (got {})", raw.parameters.len()),
        );
    }
    let abc = match c.method {
        Method::NelderMead => {
            for (v, key) in [
                (c.particles.as_ref().map(|x| x.span()), "particles"),
                (c.generations.as_ref().map(|x| x.span()), "generations"),
                (c.quantile.as_ref().map(|x| x.span()), "quantile"),
            ] {
                if let Some(span) = v {
                    fail(at(span.start, &format!("calibrate.{key}")), "is for method = \"abc\"".into());
                }
            }
            None
        }
        Method::Abc => {
            let particles = c.particles.as_ref().map_or(100, |x| *x.get_ref());
            let generations = c.generations.as_ref().map_or(5, |x| *x.get_ref());
            let quantile = c.quantile.as_ref().map_or(0.5, |x| *x.get_ref());
            if let Some(x) = c.particles.as_ref().filter(|x| !(10..=100_000).contains(x.get_ref())) {
                fail(
                    at(x.span().start, "calibrate.particles"),
                    format!("must be between 10 and 100000 (got {})", x.get_ref()),
                );
            }
            if let Some(x) = c.generations.as_ref().filter(|x| !(1..=100).contains(x.get_ref())) {
                fail(
                    at(x.span().start, "calibrate.generations"),
                    format!("must be between 1 and 100 (got {})", x.get_ref()),
                );
            }
            if let Some(x) = c.quantile.as_ref().filter(|x| !(x.get_ref() > &0.0 && x.get_ref() < &1.0)) {
                fail(
                    at(x.span().start, "calibrate.quantile"),
                    format!("must be above 0 and below 1 (got {})", x.get_ref()),
                );
            }
            Some(AbcSpec { particles, generations, quantile })
        }
    };
    let mut parameters = Vec::new();
    for (i, p) in raw.parameters.iter().enumerate() {
        let p = p.get_ref();
        let (min, max) = (*p.min.get_ref(), *p.max.get_ref());
        if !(min.is_finite() && max.is_finite() && min < max) {
            fail(
                at(p.max.span().start, &format!("parameters[{i}].max")),
                format!("must be above min = {min} (got {max})"),
            );
        }
        let start = p.start.as_ref().map_or(0.5 * (min + max), |s| *s.get_ref());
        if let Some(s) = &p.start {
            if !(min..=max).contains(s.get_ref()) {
                fail(
                    at(s.span().start, &format!("parameters[{i}].start")),
                    format!("must be between {min} and {max} (got {start})"),
                );
            }
        }
        if parameters.iter().any(|q: &Parameter| &q.key == p.key.get_ref())
            || RESERVED.contains(&p.key.get_ref().as_str())
        {
            fail(
                at(p.key.span().start, &format!("parameters[{i}].key")),
                format!("{} cannot be fitted here (twice, or set by the calibration)", p.key.get_ref()),
            );
        }
        parameters.push(Parameter { key: p.key.get_ref().clone(), min, max, start });
    }
    let t = raw.target.get_ref();
    let target = match (&t.window, &t.series) {
        (Some(w), None) => {
            if crate::history::windows::select(std::slice::from_ref(w.get_ref())).is_err() {
                fail(at(w.span().start, "target.window"), format!("unknown history window {:?}", w.get_ref()));
            }
            Some(Target::Window(w.get_ref().clone()))
        }
        (None, Some(s)) => match &t.column {
            Some(col) => Some(Target::Series {
                path: path.parent().unwrap_or(Path::new("")).join(s.get_ref()),
                column: col.get_ref().clone(),
            }),
            None => {
                fail(at(s.span().start, "target.column"), "a series needs column = \"<timeseries column>\"".into());
                None
            }
        },
        _ => {
            fail(
                at(raw.target.span().start, "target"),
                "give exactly one of window = \"...\" or series = \"file.csv\"".into(),
            );
            None
        }
    };
    let base = path.parent().unwrap_or(Path::new("")).join(c.base.get_ref());
    let base_text = match crate::input::read_input(&base) {
        Ok(t) => t,
        Err(e) => {
            fail(at(c.base.span().start, "calibrate.base"), e.to_string());
            String::new()
        }
    };
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let cal = Calibration {
        file: path.to_path_buf(),
        name: c.name.get_ref().clone(),
        base,
        base_text,
        seed: c.seed,
        replicates: *c.replicates.get_ref(),
        max_evaluations: *c.max_evaluations.get_ref(),
        set,
        parameters,
        target: target.expect("checked above"),
        abc,
    };
    // Every parameter at its bounds (the others at their starts) must make a valid scenario.
    let starts: Vec<f64> = cal.parameters.iter().map(|p| p.start).collect();
    let mut problems = Vec::new();
    for (i, (p, rp)) in cal.parameters.iter().zip(&raw.parameters).enumerate() {
        for (bound, v, span) in [("min", p.min, rp.get_ref().min.span()), ("max", p.max, rp.get_ref().max.span())] {
            let mut values = starts.clone();
            values[i] = v;
            if let Err(e) = cal.scenario(&values) {
                problems.push(Problem {
                    location: at(span.start, &format!("parameters[{i}].{bound}")),
                    message: format!("{} = {v}: {}", p.key, e.to_string().lines().next().unwrap_or_default()),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(cal)
    } else {
        Err(Error::Invalid(problems))
    }
}
