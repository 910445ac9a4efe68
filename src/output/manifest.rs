//! `manifest.json`: everything needed to reproduce a run.

use crate::scenario::{LoadedScenario, Override, Scenario};
use serde::Serialize;

/// Git commit the binary was built from, when known at build time.
pub const GIT_COMMIT: Option<&str> = option_env!("HASHSIM_GIT_COMMIT");

#[derive(Debug, Clone, Serialize)]
pub struct Manifest<'a> {
    /// `run` (a sweep's manifest says `sweep`): what may replace this folder.
    pub kind: &'static str,
    pub hashsim_version: &'static str,
    pub git_commit: Option<&'static str>,
    pub command: &'a str,
    pub scenario_file: &'a str,
    pub seed: u64,
    pub replicates: u32,
    pub overrides: &'a [Override],
    /// The scenario after defaults and overrides: running it again reproduces the outputs.
    pub scenario: &'a Scenario,
    pub files: Vec<String>,
    pub threads: usize,
    pub wall_time_s: f64,
}

impl<'a> Manifest<'a> {
    pub fn new(command: &'a str, loaded: &'a LoadedScenario) -> Manifest<'a> {
        Manifest {
            kind: super::stage::RUN_MANIFEST_KIND,
            hashsim_version: env!("CARGO_PKG_VERSION"),
            git_commit: GIT_COMMIT,
            command,
            scenario_file: &loaded.source,
            seed: loaded.scenario.simulation.seed,
            replicates: loaded.scenario.simulation.replicates,
            overrides: &loaded.overrides,
            scenario: &loaded.scenario,
            files: Vec::new(),
            threads: rayon::current_num_threads(),
            wall_time_s: 0.0,
        }
    }
}
