//! `hashsim calibrate`: fits a scenario's parameters to a target (a history window's real
//! epochs, or a CSV series) by Nelder-Mead on common random numbers (docs/MODEL.md,
//! "Calibration"). Each evaluation runs the base scenario with the parameters at a point of
//! their box, all replicates at the same seeds, and is appended to a journal
//! (`evaluations.csv`); `--resume` replays the journal, so a killed fit goes on where it
//! stopped and gives the same result. Outputs: the journal, `best.toml` (the base scenario
//! with the fitted values, ready to run) and, for a window, the scorecard at the start and at
//! the fit.
//!
//! At the command floor beside `run`, `sweep` and `history`: it uses `history`'s scoring.

pub mod nelder_mead;
pub mod objective;
pub mod spec;

use crate::error::{Error, Result};
use crate::output::atomic::write_atomic;
use crate::sweep::axis::fmt_number;
use nelder_mead::{minimize, Stopping};
use objective::{evaluate, Reference};
pub use spec::load;
use spec::Calibration;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The initial simplex's step, a share of each parameter's range.
pub const SIMPLEX_STEP: f64 = 0.25;

/// Stop when the simplex's objective values agree to this...
pub const VALUE_TOLERANCE: f64 = 1e-6;
/// ...and its vertices to this share of each range.
pub const POINT_TOLERANCE: f64 = 1e-3;

/// The journal's file name.
pub const JOURNAL: &str = "evaluations.csv";

/// Where and how to calibrate.
#[derive(Debug, Clone)]
pub struct CalibrateOptions {
    pub out_dir: PathBuf,
    /// Replay `evaluations.csv` in `out_dir` and go on from there.
    pub resume: bool,
}

/// What a calibration found.
#[derive(Debug, Clone)]
pub struct CalibrateReport {
    pub parameters: Vec<(String, f64)>,
    pub start_objective: f64,
    pub best_objective: f64,
    /// Evaluations run by this invocation, and in all (the journal's).
    pub evaluated: usize,
    pub evaluations: usize,
    pub converged: bool,
    pub files: Vec<PathBuf>,
}

/// The journal's key of a point: its values' canonical text.
fn key(values: &[f64]) -> String {
    values.iter().map(|v| fmt_number(*v)).collect::<Vec<_>>().join(",")
}

/// The journal's finished evaluations by point, and their lines in order (a torn last line,
/// from a kill, is left out).
fn read_journal(path: &Path, k: usize) -> Result<(HashMap<String, f64>, Vec<String>)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    let mut done = HashMap::new();
    let mut kept = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let complete = text.split_inclusive('\n').nth(i).is_some_and(|l| l.ends_with('\n'));
        if f.len() != k + 2 || !complete || f[0] != (kept.len() + 1).to_string() {
            continue;
        }
        let values: std::result::Result<Vec<f64>, _> = f[1..=k].iter().map(|x| x.parse::<f64>()).collect();
        let (Ok(values), Some(v)) = (values, f[k + 1].parse::<f64>().ok()) else {
            continue;
        };
        done.insert(key(&values), v);
        kept.push(line.to_string());
    }
    Ok((done, kept))
}

/// Runs the calibration; `on_eval` is called after each evaluation (progress).
pub fn run(cal: &Calibration, opts: &CalibrateOptions, on_eval: &(dyn Fn() + Sync)) -> Result<CalibrateReport> {
    let reference = Reference::load(cal)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| Error::write(&opts.out_dir, e))?;
    let journal_path = opts.out_dir.join(JOURNAL);
    let k = cal.parameters.len();
    let resuming = opts.resume && journal_path.exists();
    let (mut done, kept) = if resuming { read_journal(&journal_path, k)? } else { (HashMap::new(), Vec::new()) };
    // The journal starts over with its header and the finished evaluations it held (a torn
    // last line, from a kill, is dropped and that evaluation run again).
    let header: Vec<String> = std::iter::once("evaluation".to_string())
        .chain(cal.parameters.iter().map(|p| p.key.clone()))
        .chain(["objective".into()])
        .collect();
    let mut text = format!("{}\n", header.join(","));
    for line in &kept {
        text.push_str(line);
        text.push('\n');
    }
    write_atomic(&journal_path, text.as_bytes())?;
    let mut journal =
        std::fs::OpenOptions::new().append(true).open(&journal_path).map_err(|e| Error::write(&journal_path, e))?;
    let mut count = done.len();
    let mut evaluated = 0usize;
    let mut failure: Option<Error> = None;
    let mut objective = |u: &[f64]| -> f64 {
        let values: Vec<f64> = cal.parameters.iter().zip(u).map(|(p, x)| p.at(*x)).collect();
        let key = key(&values);
        if let Some(v) = done.get(&key) {
            return *v;
        }
        if failure.is_some() {
            return f64::NAN;
        }
        let v = match cal.scenario(&values).and_then(|l| evaluate(&reference, &l)) {
            Ok((v, _)) => v,
            Err(e) => {
                failure = Some(e);
                return f64::NAN;
            }
        };
        count += 1;
        evaluated += 1;
        let line = format!("{count},{key},{}\n", fmt_number(v));
        if let Err(e) = journal.write_all(line.as_bytes()).and_then(|_| journal.flush()) {
            failure = Some(Error::write(&journal_path, e));
        }
        done.insert(key, v);
        on_eval();
        v
    };
    let start: Vec<f64> = cal.parameters.iter().map(|p| p.unit(p.start)).collect();
    let stop = Stopping {
        max_evaluations: cal.max_evaluations as usize,
        value_tolerance: VALUE_TOLERANCE,
        point_tolerance: POINT_TOLERANCE,
    };
    let m = minimize(&mut objective, &start, SIMPLEX_STEP, &stop);
    let start_value = objective(&start);
    if let Some(e) = failure {
        return Err(e);
    }
    let best: Vec<f64> = cal.parameters.iter().zip(&m.point).map(|(p, u)| p.at(*u)).collect();
    let mut files = vec![journal_path.clone()];
    files.push(write_best(cal, &best, m.value, &opts.out_dir)?);
    if let Reference::Window { window, epochs } = &reference {
        for (name, values) in [
            ("scorecard_start.csv", cal.parameters.iter().map(|p| p.start).collect()),
            ("scorecard_best.csv", best.clone()),
        ] {
            let loaded = cal.scenario(&values)?;
            let runs = objective::run_rows(&loaded)?;
            let rows = objective::window_scores(window, epochs, &loaded, &runs)?;
            let dest = opts.out_dir.join(name);
            crate::history::write_scorecard(&dest, rows.iter())?;
            files.push(dest);
        }
    }
    Ok(CalibrateReport {
        parameters: cal.parameters.iter().map(|p| p.key.clone()).zip(best).collect(),
        start_objective: start_value,
        best_objective: m.value,
        evaluated,
        evaluations: count,
        converged: m.converged,
        files,
    })
}

/// `best.toml`: the base scenario with `set` and the fitted values; a CSV price path is made
/// absolute so the file runs from the results folder.
fn write_best(cal: &Calibration, best: &[f64], value: f64, dir: &Path) -> Result<PathBuf> {
    let mut o = cal.set.clone();
    for (p, v) in cal.parameters.iter().zip(best) {
        o.push(crate::scenario::Override { key: p.key.clone(), value: fmt_number(*v) });
    }
    // Files the scenario names relative to itself, made absolute.
    let loaded = cal.scenario(best)?;
    let base_dir = cal.base.parent().unwrap_or(Path::new(""));
    let absolute = |rel: &str| {
        let p = base_dir.join(rel);
        let abs = std::fs::canonicalize(&p).unwrap_or(p);
        toml::Value::String(abs.display().to_string()).to_string()
    };
    if let crate::scenario::raw::Price::Csv { path } = &loaded.scenario.price {
        o.push(crate::scenario::Override { key: "price.path".into(), value: absolute(path) });
    }
    if let Some(c) = &loaded.scenario.hardware.catalog {
        o.push(crate::scenario::Override { key: "hardware.catalog".into(), value: absolute(c) });
    }
    let text = crate::scenario::load::with_overrides(&cal.base_text, &cal.base.display().to_string(), &o)?;
    let header = format!(
        "# hashsim calibrate {}: {} with the fitted values below (objective {}).\n",
        cal.name,
        cal.base.display(),
        fmt_number(value)
    );
    let fitted: String =
        cal.parameters.iter().zip(best).map(|(p, v)| format!("#   {} = {}\n", p.key, fmt_number(*v))).collect();
    let dest = dir.join("best.toml");
    write_atomic(&dest, format!("{header}{fitted}\n{text}").as_bytes())?;
    Ok(dest)
}
