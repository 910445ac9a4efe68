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
    /// Run a scenario file; write timeseries.csv, operators.csv, events.csv, pools.csv, supply.csv, summary.csv, manifest.json.
    Run(RunArgs),
    /// Check scenario files without running them.
    Validate(ValidateArgs),
    /// Double-spend risk: probability that an attacker with share q overtakes z confirmations.
    Risk(RiskArgs),
    /// Run a parameter sweep (axes x replicates); write runs.csv, aggregate.csv, manifest.json, runs.journal.
    ///
    /// A shard (--shard) writes no aggregate.csv: `hashsim merge` makes it from all the shards.
    Sweep(SweepArgs),
    /// Combine the shard folders of one sweep into runs.csv, aggregate.csv, manifest.json (and series/).
    Merge(MergeArgs),
    /// Global sensitivity of a sweep whose axes are sampled with method = "saltelli" (Sobol
    /// indices) or "morris" (elementary effects): run it (or finish it, --resume), then write
    /// sensitivity.csv and figures/sensitivity_<metric>.svg/png into its folder.
    ///
    /// On a cluster: run the shards (--shard K/N, or a Slurm array), `hashsim merge` them, then
    /// `hashsim sensitivity FILE --analyse-only --out MERGED`.
    Sensitivity(SensitivityArgs),
    /// Fit a scenario's parameters to a history window or a CSV series (Nelder-Mead on common
    /// random numbers); write evaluations.csv (the journal), best.toml and, for a window, the
    /// scorecards at the start and at the fit.
    Calibrate(CalibrateArgs),
    /// Render figures (SVG, PNG) of a run or sweep directory into RESULTS_DIR/figures/.
    Plot(PlotArgs),
    /// Run the history windows (scenarios/history/) over several seeds and score the simulated
    /// hashrate against the real chain's, then the bundled scenarios' stylised targets; write
    /// results/history/ (runs, real.csv, scorecard.csv, stylised/, stylised.csv).
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Replicates per window.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub seeds: u32,
    /// Output folder.
    #[arg(long, default_value = "results/history")]
    pub out: PathBuf,
    /// Windows to run, e.g. bear-2022,halving-2024 [default: all].
    #[arg(long, value_delimiter = ',')]
    pub windows: Vec<String>,
    /// The folder of the window scenarios.
    #[arg(long, default_value = "scenarios/history")]
    pub scenarios: PathBuf,
    /// Override a value in every window, e.g. --set population.operators=300 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Threads for replicates, at most 4 per core [default: all cores].
    #[arg(long, short = 'j', value_parser = parse_jobs, allow_negative_numbers = true)]
    pub jobs: Option<usize>,
    /// Skip the stylised targets of the bundled scenarios (baseline, halving-2028, price-crash,
    /// ai-rush): run the windows only.
    #[arg(long, conflicts_with = "stylised_only")]
    pub no_stylised: bool,
    /// Run only the stylised targets of the bundled scenarios, not the windows.
    #[arg(long)]
    pub stylised_only: bool,
    /// Replicates of each bundled scenario for the stylised targets.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub stylised_seeds: u32,
    /// The folder of the bundled scenarios.
    #[arg(long, default_value = "scenarios")]
    pub bundled: PathBuf,
    /// Only (re)write the windows' daily price paths (<window>-prices.csv in --scenarios) from
    /// the bundled monthly prices, and run nothing.
    #[arg(long)]
    pub write_prices: bool,
    /// No progress bar and no scorecard table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A run directory (timeseries.csv) or a sweep directory (aggregate.csv).
    pub results_dir: PathBuf,
    /// Sweep: the summary metric to plot, e.g. hashrate_eh_s_min [default: attack_cheapest_usd_min if present].
    #[arg(long)]
    pub metric: Option<String>,
    /// Sweep: the swept parameter on the x axis, e.g. price.initial_usd [default: the first].
    #[arg(long, value_name = "KEY")]
    pub x: Option<String>,
    /// Sweep: the heatmap's y parameter, one line per value in the line plot [default: the
    /// first swept parameter other than --x].
    #[arg(long, value_name = "KEY")]
    pub y: Option<String>,
    /// Output formats.
    #[arg(long, value_delimiter = ',', default_value = "svg,png", value_parser = ["svg", "png"])]
    pub formats: Vec<String>,
    /// Print nothing but warnings and errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The sweep file (TOML).
    pub sweep: PathBuf,
    /// Output folder [default: results/<sweep.name>, or results/<name>/shards/shard-K-of-N].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Threads running runs in parallel, at most 4 per core [default: all cores].
    #[arg(long, short = 'j', value_parser = parse_jobs, allow_negative_numbers = true)]
    pub jobs: Option<usize>,
    /// Run only shard K of N, K counted from 0 (e.g. 0/4 .. 3/4) [default: from
    /// SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN when set].
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Continue the sweep in the output folder, skipping runs already finished.
    #[arg(long)]
    pub resume: bool,
    /// Also write each run's daily rows to series/<run_id>.csv.
    #[arg(long)]
    pub series: bool,
    /// Check and expand the sweep, print its size and fingerprint, run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write into --out even if it is not this sweep's folder, or start its journal over
    /// (only the sweep's own files are replaced; others are left alone).
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no report.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The sweep file (TOML) with method = "saltelli" or "morris".
    #[arg(required_unless_present = "self_check")]
    pub sweep: Option<PathBuf>,
    /// Metrics to analyse (repeatable) [default: every summary metric].
    #[arg(long = "metric", value_name = "METRIC")]
    pub metrics: Vec<String>,
    /// Output folder [default: results/<sweep.name>, or results/<name>/shards/shard-K-of-N].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Threads running runs in parallel, at most 4 per core [default: all cores].
    #[arg(long, short = 'j', value_parser = parse_jobs, allow_negative_numbers = true)]
    pub jobs: Option<usize>,
    /// Run only shard K of N of the design (no analysis: merge the shards, then
    /// --analyse-only) [default: from SLURM_ARRAY_TASK_* when set].
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Continue the design's runs in the output folder, skipping those already finished.
    #[arg(long)]
    pub resume: bool,
    /// Run nothing: analyse the finished runs in --out (a merged sweep folder).
    #[arg(long, conflicts_with_all = ["resume", "shard"])]
    pub analyse_only: bool,
    /// Bootstrap resamples for the confidence intervals.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(10..=100_000))]
    pub bootstrap: u32,
    /// Write into --out even if it is not this sweep's folder, or start its journal over.
    #[arg(long)]
    pub force: bool,
    /// Run the estimators on functions with known indices (Ishigami, Sobol's G) and print
    /// estimated against analytic values; no sweep.
    #[arg(long, conflicts_with_all = ["sweep", "analyse_only", "shard", "resume"])]
    pub self_check: bool,
    /// Base points of the self-check's Saltelli design.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(16..=1_000_000))]
    pub samples: u32,
    /// No progress bar and no table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The calibration file (TOML): [calibrate], [[parameters]], [target].
    pub file: PathBuf,
    /// Output folder [default: results/<calibrate.name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Threads running an evaluation's replicates [default: all cores].
    #[arg(long, short = 'j', value_parser = parse_jobs, allow_negative_numbers = true)]
    pub jobs: Option<usize>,
    /// Replay the journal (evaluations.csv) in the output folder and go on from there.
    #[arg(long)]
    pub resume: bool,
    /// Evaluate only share K of N of each batch, reading the other shards' journals from the
    /// same (shared) --out folder [default: from SLURM_ARRAY_TASK_* when set]. Shard 0 writes
    /// the outputs.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Hours a shard waits for the others' evaluations of a batch.
    #[arg(long, default_value_t = 24.0)]
    pub wait_hours: f64,
    /// No progress bar and no report.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `hashsim sweep --shard K/N`.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder [default: results/<sweep name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into --out even if it holds files that are not this sweep's (only the merge's
    /// own files are replaced; others are left alone).
    #[arg(long)]
    pub force: bool,
    /// No report.
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
    /// Threads for replicates, at most 4 per core [default: all cores].
    #[arg(long, short = 'j', value_parser = parse_jobs, allow_negative_numbers = true)]
    pub jobs: Option<usize>,
    /// Write into --out even if it holds files that are not a hashsim run's (only the run's
    /// own files are replaced; others are left alone).
    #[arg(long)]
    pub force: bool,
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
    #[arg(long, value_delimiter = ',', required_unless_present = "pools", num_args = 1.., allow_negative_numbers = true)]
    pub q: Vec<f64>,
    /// Instead of --q, the pools of this scenario file: its largest pool, top two and three
    /// pools, largest template group and top two groups, at their [[pools]] shares.
    #[arg(long, value_name = "SCENARIO", conflicts_with = "q")]
    pub pools: Option<std::path::PathBuf>,
    /// Confirmations: numbers and inclusive ranges, e.g. 6 or 0-10 or 0,5,10 [default: 6].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub z: Vec<String>,
    /// Instead of probabilities, the confirmations needed for a risk below this, e.g. 0.001.
    #[arg(long, allow_negative_numbers = true)]
    pub max_risk: Option<f64>,
    /// Print CSV instead of an aligned table.
    #[arg(long)]
    pub csv: bool,
    /// Decimal places of probabilities in the table, 0..=17 (--csv prints every digit).
    #[arg(long, default_value_t = 7, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u8).range(0..=i64::from(MAX_DIGITS)))]
    pub digits: u8,
}

/// Most `--digits`: an f64 has at most 17 significant decimal digits; more are noise (and
/// Rust's formatter panics past 65,535).
pub const MAX_DIGITS: u8 = 17;

/// Most threads per core for `--jobs`: more only add memory (each runs a simulation) and
/// contention; unbounded, `--jobs 100000` spent minutes creating threads.
pub const JOBS_PER_CORE: usize = 4;

/// The largest `--jobs` on this machine.
pub fn max_jobs() -> usize {
    cores() * JOBS_PER_CORE
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

fn parse_jobs(s: &str) -> Result<usize, String> {
    let max = max_jobs();
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "must be a whole number from 1 to {max} ({JOBS_PER_CORE} threads per core, {} core(s) here)",
            cores()
        )),
    }
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
