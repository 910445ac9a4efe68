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
    /// Double-spend risk: probability that an attacker with share q overtakes z confirmations.
    Risk(RiskArgs),
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

#[derive(Debug, Args)]
pub struct RiskArgs {
    /// Attacker share(s) of total hashrate, 0..=1: e.g. 0.3 or 0.1,0.2,0.3.
    #[arg(long, value_delimiter = ',', required = true, num_args = 1..)]
    pub q: Vec<f64>,
    /// Confirmations: numbers and inclusive ranges, e.g. 6 or 0-10 or 0,5,10 [default: 6].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub z: Vec<String>,
    /// Instead of probabilities, the confirmations needed for a risk below this, e.g. 0.001.
    #[arg(long)]
    pub max_risk: Option<f64>,
    /// Print CSV instead of an aligned table.
    #[arg(long)]
    pub csv: bool,
    /// Decimal places of probabilities in the table.
    #[arg(long, default_value_t = 7)]
    pub digits: usize,
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
