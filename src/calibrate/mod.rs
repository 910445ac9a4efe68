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

pub mod abc;
pub mod nelder_mead;
pub mod objective;
pub mod spec;

use crate::error::{Error, Result};
use crate::output::atomic::write_atomic;
use crate::sweep::axis::fmt_number;
use crate::sweep::Shard;
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
    /// Replay the journal(s) in `out_dir` and go on from there.
    pub resume: bool,
    /// This process's share of each batch of evaluations (`--shard K/N`, or a Slurm array):
    /// shard `K` evaluates the batch's points `K, K + N, ...`, writes them to its own journal
    /// and reads the others' from the same (shared) folder until the batch is complete, so
    /// every shard follows the same path. Shard 0 writes the outputs.
    pub shard: Shard,
    /// How long a shard waits for the others' evaluations of a batch before giving up.
    pub wait: std::time::Duration,
}

/// How often a shard looks for the others' evaluations.
const POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// The journal of `shard`: `evaluations.csv`, or `evaluations.shard-K-of-N.csv`.
fn journal_name(shard: Shard) -> String {
    if shard.is_all() {
        JOURNAL.into()
    } else {
        format!("evaluations.shard-{}-of-{}.csv", shard.index, shard.count)
    }
}

/// What identifies a calibration's evaluations: its settings but the budget, its base
/// scenario's bytes and a series target's, FNV-1a. Journals in a folder with another
/// calibration's are refused.
fn fingerprint(cal: &Calibration) -> Result<String> {
    use crate::sweep::fingerprint::{fnv1a, FNV_OFFSET};
    // Everything that sets an evaluation's value; not the budget, which only says how many.
    let what = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        cal.seed, cal.replicates, cal.set, cal.parameters, cal.target, cal.abc
    );
    let mut h = fnv1a(fnv1a(FNV_OFFSET, b"hashsim calibrate v1\n"), what.as_bytes());
    h = fnv1a(h, cal.base_text.as_bytes());
    if let spec::Target::Series { path, .. } = &cal.target {
        let bytes = std::fs::read(path).map_err(|e| Error::Read { path: path.clone(), source: e })?;
        h = fnv1a(h, &bytes);
    }
    Ok(format!("{h:016x}"))
}

/// `fingerprint.txt` in the output folder: written on a fresh start, checked when the folder's
/// journals are read (a resume, or shards).
fn check_fingerprint(cal: &Calibration, opts: &CalibrateOptions) -> Result<()> {
    let fp = fingerprint(cal)?;
    let path = opts.out_dir.join("fingerprint.txt");
    let reads_journals = opts.resume || !opts.shard.is_all();
    match std::fs::read_to_string(&path) {
        Ok(old) if reads_journals && old.trim() != fp => Err(Error::Other(format!(
            "{}: holds the journals of another calibration (fingerprint {}, this one {fp}): use another --out",
            opts.out_dir.display(),
            old.trim()
        ))),
        Ok(old) if old.trim() == fp => Ok(()),
        _ => write_atomic(&path, format!("{fp}\n").as_bytes()).map(|_| ()),
    }
}

/// The finished evaluations of every shard's journal in `dir` (other than `own`).
fn read_others(dir: &Path, own: &Path, k: usize, done: &mut HashMap<String, f64>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Read { path: dir.to_path_buf(), source: e })?;
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p != own && name.starts_with("evaluations") && name.ends_with(".csv") {
            done.extend(read_journal(&p, k)?.0);
        }
    }
    Ok(())
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
    /// ABC: each generation's tolerance (the objective's units), and the posterior's
    /// 5th-95th percentiles per parameter.
    pub tolerances: Vec<f64>,
    pub intervals: Vec<(f64, f64)>,
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
    check_fingerprint(cal, opts)?;
    let journal_path = opts.out_dir.join(journal_name(opts.shard));
    let k = cal.parameters.len();
    let resuming = opts.resume && journal_path.exists();
    let (mut done, kept) = if resuming { read_journal(&journal_path, k)? } else { (HashMap::new(), Vec::new()) };
    let own_count = done.len();
    if !opts.shard.is_all() || opts.resume {
        read_others(&opts.out_dir, &journal_path, k, &mut done)?;
    }
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
    let mut count = own_count;
    let mut evaluated = 0usize;
    let shard = opts.shard;
    let mut failure: Option<Error> = None;
    // Evaluates a batch of unit-box points: the journal's values where it has them, the others
    // in parallel, appended to the journal in the batch's order.
    let mut batch = |points: &[Vec<f64>]| -> Vec<f64> {
        let values: Vec<Vec<f64>> =
            points.iter().map(|u| cal.parameters.iter().zip(u).map(|(p, x)| p.at(*x)).collect()).collect();
        let keys: Vec<String> = values.iter().map(|v| key(v)).collect();
        if failure.is_some() {
            return vec![f64::NAN; points.len()];
        }
        let mut missing: Vec<usize> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            if !done.contains_key(k) && !missing.iter().any(|&j| keys[j] == *k) {
                missing.push(i);
            }
        }
        // This shard's share of the missing points, by their place in the batch: the same
        // for every shard, whatever each has already read of the others' journals (a share
        // by place among the missing ones would differ between shards that read more or less,
        // leaving a point to nobody: a test's two shards waited for each other for good).
        let todo: Vec<usize> = missing.iter().copied().filter(|&i| i as u32 % shard.count == shard.index).collect();
        let results: Vec<Result<f64>> = {
            use rayon::prelude::*;
            todo.par_iter()
                .map(|&i| cal.scenario(&values[i]).and_then(|l| evaluate(&reference, &l)).map(|r| r.0))
                .collect()
        };
        for (&i, r) in todo.iter().zip(results) {
            match r {
                Ok(v) => {
                    count += 1;
                    evaluated += 1;
                    let line = format!("{count},{},{}\n", keys[i], fmt_number(v));
                    if let Err(e) = journal.write_all(line.as_bytes()).and_then(|_| journal.flush()) {
                        failure = Some(Error::write(&journal_path, e));
                    }
                    done.insert(keys[i].clone(), v);
                    on_eval();
                }
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        // The other shards' share of the batch.
        let since = std::time::Instant::now();
        while failure.is_none() && missing.iter().any(|&i| !done.contains_key(&keys[i])) {
            if since.elapsed() > opts.wait {
                failure = Some(Error::Other(format!(
                    "shard {}/{}: waited {} s for the other shards' evaluations in {}",
                    shard.index,
                    shard.count,
                    opts.wait.as_secs(),
                    opts.out_dir.display()
                )));
                break;
            }
            std::thread::sleep(POLL);
            if let Err(e) = read_others(&opts.out_dir, &journal_path, k, &mut done) {
                failure = Some(e);
            }
        }
        keys.iter().map(|k| done.get(k).copied().unwrap_or(f64::NAN)).collect()
    };
    let start: Vec<f64> = cal.parameters.iter().map(|p| p.unit(p.start)).collect();
    let (m, tolerances, posterior) = match cal.abc {
        None => {
            let stop = Stopping {
                max_evaluations: cal.max_evaluations as usize,
                value_tolerance: VALUE_TOLERANCE,
                point_tolerance: POINT_TOLERANCE,
            };
            let m = minimize(|u| batch(&[u.to_vec()])[0], &start, SIMPLEX_STEP, &stop);
            (m, Vec::new(), None)
        }
        Some(a) => {
            let settings = abc::AbcSettings {
                particles: a.particles as usize,
                generations: a.generations as usize,
                quantile: a.quantile,
                max_evaluations: cal.max_evaluations as usize,
                seed: cal.seed,
            };
            let post = abc::sample(k, &settings, &mut batch);
            let mean = abc::posterior_mean(&post);
            let value = batch(std::slice::from_ref(&mean))[0];
            let m = nelder_mead::Minimum { point: mean, value, evaluations: post.evaluations, converged: true };
            (m, post.tolerances.clone(), Some(post))
        }
    };
    let start_value = batch(std::slice::from_ref(&start))[0];
    if let Some(e) = failure {
        return Err(e);
    }
    let best: Vec<f64> = cal.parameters.iter().zip(&m.point).map(|(p, u)| p.at(*u)).collect();
    let mut files = vec![journal_path.clone()];
    let mut intervals = Vec::new();
    // Shard 0 writes the outputs (every shard found the same).
    if shard.index == 0 {
        files.push(write_best(cal, &best, m.value, &opts.out_dir)?);
        if let Some(post) = &posterior {
            files.push(write_posterior(cal, post, &opts.out_dir)?);
            intervals = (0..k)
                .map(|j| {
                    let p = &cal.parameters[j];
                    (p.at(abc::posterior_quantile(post, j, 0.05)), p.at(abc::posterior_quantile(post, j, 0.95)))
                })
                .collect();
            files.extend(crate::plot::pairs::render_posterior(&opts.out_dir)?);
        }
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
    }
    Ok(CalibrateReport {
        parameters: cal.parameters.iter().map(|p| p.key.clone()).zip(best).collect(),
        start_objective: start_value,
        best_objective: m.value,
        evaluated,
        evaluations: count,
        converged: m.converged,
        tolerances,
        intervals,
        files,
    })
}

/// `posterior.csv`: the last generation's particles, one row each: `particle`, the parameters'
/// values, `weight`, `distance`.
fn write_posterior(cal: &Calibration, post: &abc::Posterior, dir: &Path) -> Result<PathBuf> {
    let mut s = String::from("particle");
    for p in &cal.parameters {
        s.push(',');
        s.push_str(&p.key);
    }
    s.push_str(",weight,distance\n");
    for (i, x) in post.particles.iter().enumerate() {
        s.push_str(&i.to_string());
        for (p, u) in cal.parameters.iter().zip(&x.point) {
            s.push(',');
            s.push_str(&fmt_number(p.at(*u)));
        }
        s.push_str(&format!(",{},{}\n", fmt_number(x.weight), fmt_number(x.distance)));
    }
    let dest = dir.join("posterior.csv");
    write_atomic(&dest, s.as_bytes())?;
    Ok(dest)
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
