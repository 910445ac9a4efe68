//! The last phase of loading a sweep: the base scenario loaded with the overrides of every
//! axis value alone, then of every point, before anything runs, so a bad value is reported
//! with its place in the sweep file; and the fingerprint of what the points load.

use super::axis::AxisValue;
use super::blame::{blame, blame_set, cap_problems};
use super::fingerprint::{fingerprint, input_files, InputFile, PointInputs};
use super::spec::{AxisSpec, Sweep};
use crate::error::{Error, Location, Problem, Result};
use crate::scenario::Override;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// What [`Sweep::validate`] finds.
pub(super) struct Validated {
    pub(super) fingerprint: String,
    pub(super) inputs: Vec<InputFile>,
    pub(super) point_inputs: Vec<u32>,
    pub(super) input_sets: Vec<PointInputs>,
}

impl Sweep {
    /// Loads the base scenario with the overrides of every axis value alone, then of every
    /// point, before anything runs; a bad value is reported with its place in the sweep file.
    /// Returns the sweep's fingerprint and what each point reads.
    pub(super) fn validate(&self, set_at: &Location) -> Result<Validated> {
        let with = |extra: &[Override]| {
            let mut o = self.set.clone();
            o.extend_from_slice(extra);
            o.push(Override { key: "simulation.replicates".into(), value: "1".into() });
            o.push(Override { key: "simulation.seed".into(), value: "0".into() });
            self.load_base(&o)
        };
        let check = |at: &Location, what: &str, extra: &[Override]| with(extra).map_err(|e| blame(e, at, what));
        // The base with `set` alone: its own errors are located in it, not in `[sweep] set`.
        let source = self.base.display().to_string();
        with(&[]).map_err(|e| {
            let mut problems = blame_set(e, set_at, &source, &self.base_text);
            // Errors inside the base name the base; say which sweep file pointed at it.
            if problems.iter().any(|p| p.location.source != set_at.source) {
                problems.push(Problem {
                    location: Location {
                        source: set_at.source.clone(),
                        key: Some("sweep.base".into()),
                        ..Location::default()
                    },
                    message: format!("the base scenario {source} does not load (see above)"),
                });
            }
            Error::Invalid(problems)
        })?;

        // Each value alone: pins a bad value to its axis and its place in the file.
        let mut problems: Vec<Problem> = Vec::new();
        for a in &self.axes {
            let singles: Vec<(AxisValue, Location)> = match a.spec {
                AxisSpec::Sample { .. } => {
                    let i = self.axes.iter().position(|b| b.key == a.key).unwrap_or(0);
                    let j = self.sampled().iter().position(|&k| k == i).unwrap_or(0);
                    self.sample_rows.iter().map(|row| (row[j].clone(), a.at.clone())).collect()
                }
                _ => a.values.iter().cloned().zip(a.value_at.iter().cloned()).collect(),
            };
            let found: Vec<Problem> = singles
                .par_iter()
                .filter_map(|(v, at)| {
                    let o = Override { key: a.key.clone(), value: v.to_toml() };
                    check(at, &format!("{} = {}", a.key, v.to_cell()), std::slice::from_ref(&o)).err()
                })
                .flatten()
                .collect();
            problems.extend(found);
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(cap_problems(problems)));
        }

        // Every point: combinations can fail where single values do not (cross-field rules).
        let point_at = self.axes.first().map_or(set_at.clone(), |a| a.at.clone());
        type PointResult = std::result::Result<(u64, PointInputs), Vec<Problem>>;
        let results: Vec<PointResult> = (0..self.points)
            .into_par_iter()
            .map(|p| {
                let values = self.point_values(p);
                let extra: Vec<Override> = self
                    .axes
                    .iter()
                    .zip(&values)
                    .map(|(a, v)| Override { key: a.key.clone(), value: v.to_toml() })
                    .collect();
                let label = extra.iter().map(|o| format!("{} = {}", o.key, o.value)).collect::<Vec<_>>().join(", ");
                let mut at = point_at.clone();
                at.key = Some(format!("point {p}"));
                let loaded = check(&at, &label, &extra)?;
                let inputs = PointInputs::of(&loaded, &self.base_dir);
                Ok((inputs.point_hash(&loaded), inputs))
            })
            .collect();
        let mut hashes = Vec::with_capacity(results.len());
        let mut point_inputs = Vec::with_capacity(results.len());
        let mut input_sets: Vec<PointInputs> = Vec::new();
        let mut set_of: HashMap<PointInputs, u32> = HashMap::new();
        for r in results {
            match r {
                Ok((h, inputs)) => {
                    hashes.push(h);
                    let i = *set_of.entry(inputs).or_insert_with_key(|k| {
                        input_sets.push(k.clone());
                        (input_sets.len() - 1) as u32
                    });
                    point_inputs.push(i);
                }
                Err(ps) => problems.extend(ps),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(cap_problems(problems)));
        }
        let sweep_dir = self.file.parent().unwrap_or(Path::new(""));
        let inputs = input_files(sweep_dir, &self.base, &self.base_text, &input_sets)?;
        let identity =
            [self.name.as_str(), &self.seed.to_string(), &self.replicates.to_string(), &self.columns().join(",")];
        Ok(Validated { fingerprint: fingerprint(&identity, &hashes, &inputs), inputs, point_inputs, input_sets })
    }
}
