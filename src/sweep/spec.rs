//! A loaded sweep (`load` reads and checks the file): its axes, its points (the grid's
//! cross-product with the sampled axes drawn jointly), its runs, their ids and seeds, and the
//! limits a sweep file is held to.

use super::axis::{AxisValue, Method, Scale};
use super::fingerprint::{InputFile, PointInputs};
use crate::error::{Error, Location, Result};
use crate::rng::mix64;
use crate::scenario::{load_str, LoadedScenario, Override};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Most runs (points x replicates) one sweep may expand to.
pub const MAX_RUNS: u64 = 1_000_000;
/// Most replicates per point.
pub const MAX_REPLICATES: u32 = 100_000;
/// Most axes one sweep may declare (each is checked against the base scenario on its own).
pub const MAX_AXES: usize = 100;
/// Most sampled values (samples x sampled axes) a sweep draws and keeps in memory (~0.3 GB).
pub const MAX_SAMPLED_VALUES: u64 = 10_000_000;
/// Keys the sweep sets itself for every run.
pub(super) const RESERVED: [&str; 2] = ["simulation.seed", "simulation.replicates"];

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
    pub(super) point_inputs: Vec<u32>,
    pub(super) input_sets: Vec<PointInputs>,
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
