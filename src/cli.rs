//! The command line, built in one place (clap derive); `main.rs` only orchestrates.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "hashsim", version, about = "Agent-based, discrete-event simulator of Bitcoin network security", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario file; write timeseries.csv, miners.csv, summary.csv, manifest.json.
    Run(RunArgs),
    /// Check scenario files without running them.
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Output folder [default: results/<simulation.name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario value, e.g. --set price.initial_usd=60000 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Threads for replicates [default: all cores].
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// No progress bar and no summary table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Overrides to check along with the files.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
