//! The `hashsim` binary: parse arguments, call the library, render results and errors.

mod cli;

use clap::Parser;
use cli::{Cli, Command, RunArgs, ValidateArgs};
use hashsim::run::{RunOptions, RunReport};
use hashsim::scenario::{self, Override};
use hashsim::{Error, Result};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Validate(args) => cmd_validate(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn overrides(set: &[String]) -> Result<Vec<Override>> {
    set.iter().map(|s| Override::parse(s)).collect()
}

fn thread_pool(jobs: Option<usize>) -> Result<()> {
    if let Some(n) = jobs {
        if n == 0 {
            return Err(Error::Other("--jobs must be at least 1".into()));
        }
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().map_err(|e| Error::Other(e.to_string()))?;
    }
    Ok(())
}

fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

fn cmd_run(args: RunArgs) -> Result<()> {
    thread_pool(args.jobs)?;
    let loaded = scenario::load(&args.scenario, &overrides(&args.set)?)?;
    let sim = &loaded.scenario.simulation;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("results").join(&sim.name));
    let total = u64::from(sim.days) * u64::from(sim.replicates);
    let bar = hashsim::progress::bar(total, "days", args.quiet);
    let opts = RunOptions { out_dir: out, command: command_line() };
    let report = hashsim::run::run(&loaded, &opts, &|| bar.inc(1))?;
    bar.finish_and_clear();
    if !args.quiet {
        print_report(&loaded.scenario.simulation.name, &report);
    }
    Ok(())
}

fn print_report(name: &str, r: &RunReport) {
    let n = r.summaries.len();
    println!("{name}: {n} replicate(s) in {:.2} s -> {}", r.wall_time_s, r.out_dir.display());
    println!(
        "{:>4} {:>6} {:>8} {:>9} {:>13} {:>13} {:>12} {:>12} {:>11} {:>11} {:>8}",
        "rep",
        "days",
        "blocks",
        "interval",
        "hashrate",
        "hashrate",
        "difficulty",
        "difficulty",
        "hashprice",
        "hashprice",
        "active"
    );
    println!(
        "{:>4} {:>6} {:>8} {:>9} {:>13} {:>13} {:>12} {:>12} {:>11} {:>11} {:>8}",
        "", "", "", "mean s", "start EH/s", "end EH/s", "start T", "end T", "start $/PH", "end $/PH", "end"
    );
    for s in r.summaries.iter().take(10) {
        println!(
            "{:>4} {:>6} {:>8} {:>9.1} {:>13.1} {:>13.1} {:>12.2} {:>12.2} {:>11.2} {:>11.2} {:>8}",
            s.replicate,
            s.days,
            s.blocks,
            s.mean_block_interval_s,
            s.hashrate_start_eh_s,
            s.hashrate_end_eh_s,
            s.difficulty_start / 1e12,
            s.difficulty_end / 1e12,
            s.hashprice_start_usd_per_ph_day,
            s.hashprice_end_usd_per_ph_day,
            s.active_miners_end
        );
    }
    if n > 10 {
        println!("... {} more in summary.csv", n - 10);
    }
    let files: Vec<String> =
        r.files.iter().map(|f| f.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    println!("wrote {}", files.join(", "));
}

fn cmd_validate(args: ValidateArgs) -> Result<()> {
    let o = overrides(&args.set)?;
    let mut problems = Vec::new();
    for path in &args.scenarios {
        match scenario::load(path, &o) {
            Ok(l) => {
                let s = &l.scenario;
                println!(
                    "ok: {} ({} days, {} replicate(s), {} generated + {} named miners, {} events)",
                    path.display(),
                    s.simulation.days,
                    s.simulation.replicates,
                    s.population.miners,
                    s.miners.len(),
                    s.events.len()
                );
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Other(problems.join("\n")))
    }
}
