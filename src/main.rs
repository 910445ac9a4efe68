//! The `hashsim` binary: parse arguments, call the library, render results and errors.

mod cli;
mod console;

use clap::Parser;
use cli::{Cli, Command, MergeArgs, PlotArgs, RiskArgs, RunArgs, SweepArgs, ValidateArgs};
use console::Outcome;
use hashsim::run::{RunOptions, RunReport};
use hashsim::scenario::{self, Override};
use hashsim::{Error, Result};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status after SIGINT/SIGTERM/SIGHUP: 128 + SIGINT, what shells report for Ctrl-C.
const EXIT_INTERRUPTED: i32 = 130;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return console::clap_exit(&e, &mut io::stderr()),
    };
    // An interrupted run removes its unfinished output folder; a kill (SIGKILL) cannot be
    // caught, and the next writer of that folder removes what it left.
    let _ = ctrlc::set_handler(|| {
        hashsim::output::cleanup::remove_registered();
        std::process::exit(EXIT_INTERRUPTED);
    });
    // All results go through `out` (see `console`: no write may panic). Not locked for the
    // whole command, so that no other thread (a signal handler, say) can block on it.
    let mut out = io::stdout();
    let outcome = match cli.command {
        Command::Run(args) => cmd_run(args, &mut out),
        Command::Validate(args) => cmd_validate(args, &mut out),
        Command::Risk(args) => cmd_risk(args, &mut out),
        Command::Sweep(args) => cmd_sweep(args, &mut out),
        Command::Merge(args) => cmd_merge(args, &mut out),
        Command::Sensitivity(args) => cmd_sensitivity(args, &mut out),
        Command::Calibrate(args) => cmd_calibrate(args, &mut out),
        Command::Plot(args) => cmd_plot(args, &mut out),
        Command::History(args) => cmd_history(args, &mut out),
    };
    console::finish(outcome, &mut out, &mut io::stderr())
}

fn overrides(set: &[String]) -> Result<Vec<Override>> {
    set.iter().map(|s| Override::parse(s)).collect()
}

/// `jobs` threads (at most `cli::max_jobs()`, checked when parsing).
fn thread_pool(jobs: Option<usize>) -> Result<()> {
    if let Some(n) = jobs {
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().map_err(|e| Error::Other(e.to_string()))?;
    }
    Ok(())
}

fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

fn cmd_run(args: RunArgs, out: &mut impl Write) -> Outcome {
    thread_pool(args.jobs)?;
    let loaded = scenario::load(&args.scenario, &overrides(&args.set)?)?;
    let sim = &loaded.scenario.simulation;
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("results").join(&sim.name));
    let total = u64::from(sim.days) * u64::from(sim.replicates);
    let bar = hashsim::progress::bar(total, "days", args.quiet);
    let opts = RunOptions { out_dir, command: command_line(), force: args.force };
    let report = hashsim::run::run(&loaded, &opts, &|| bar.inc(1))?;
    bar.finish_and_clear();
    if !args.quiet {
        print_report(out, &loaded.scenario.simulation.name, &report)?;
    }
    Ok(())
}

fn print_report(out: &mut impl Write, name: &str, r: &RunReport) -> io::Result<()> {
    let n = r.summaries.len();
    writeln!(out, "{name}: {n} replicate(s) in {:.2} s -> {}", r.wall_time_s, r.out_dir.display())?;
    // (label, summary column, divisor, decimals)
    let cols: [(&str, &str, f64, usize); 10] = [
        ("blocks", "blocks_total", 1.0, 0),
        ("interval s", "mean_block_interval_s", 1.0, 1),
        ("EH/s min", "hashrate_eh_s_min", 1.0, 1),
        ("EH/s end", "hashrate_eh_s_final", 1.0, 1),
        ("diff. end T", "difficulty_final", 1e12, 2),
        ("$/PH/d end", "hashprice_usd_per_ph_day_final", 1.0, 2),
        ("HHI end", "hhi_operators_final", 1.0, 0),
        ("Nakamoto end", "nakamoto_50_operators_final", 1.0, 0),
        ("51% min $B", "attack_cheapest_usd_min", 1e9, 2),
        ("pivots", "pivots_total", 1.0, 0),
    ];
    write!(out, "{:>4}", "rep")?;
    for (label, ..) in cols {
        write!(out, " {label:>12}")?;
    }
    writeln!(out)?;
    for s in r.summaries.iter().take(10) {
        write!(out, "{:>4}", s.replicate)?;
        for (_, key, div, dec) in cols {
            match s.get(key).filter(|v| v.is_finite()) {
                Some(v) => write!(out, " {:>12.dec$}", v / div)?,
                None => write!(out, " {:>12}", "-")?,
            }
        }
        writeln!(out)?;
    }
    if n > 10 {
        writeln!(out, "... {} more in summary.csv", n - 10)?;
    }
    let files: Vec<String> =
        r.files.iter().map(|f| f.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    writeln!(out, "wrote {}", files.join(", "))
}

fn cmd_validate(args: ValidateArgs, out: &mut impl Write) -> Outcome {
    let o = overrides(&args.set)?;
    let mut problems = Vec::new();
    // Every file is checked even if printing fails: the status must say whether all are valid.
    let mut printed = Ok(());
    for path in &args.scenarios {
        match scenario::load(path, &o) {
            Ok(l) if printed.is_ok() => {
                let s = &l.scenario;
                printed = writeln!(
                    out,
                    "ok: {} ({} days, {} replicate(s), {} generated + {} named operators, {} events)",
                    path.display(),
                    s.simulation.days,
                    s.simulation.replicates,
                    s.population.operators,
                    s.operators.len(),
                    s.events.len()
                );
            }
            Ok(_) => {}
            Err(e) => problems.push(e.to_string()),
        }
    }
    if problems.is_empty() {
        Ok(printed?)
    } else {
        Err(Error::Other(problems.join("\n")).into())
    }
}

/// Parses `6`, `0-10` (inclusive) and lists of them: at most `MAX_CONFIRMATIONS + 1` values
/// in all (each once), counted before any is listed, so a long list cannot exhaust memory.
fn parse_confirmations(items: &[String]) -> Result<Vec<u32>> {
    use hashsim::metrics::risk::MAX_CONFIRMATIONS;
    let bad = |s: &str| {
        Error::Other(format!("--z {s:?}: expected whole numbers or ranges like 0-10, at most {MAX_CONFIRMATIONS}"))
    };
    let mut ranges = Vec::new();
    for item in items {
        let (a, b) = match item.split_once('-') {
            Some((a, b)) => {
                (a.trim().parse::<u32>().map_err(|_| bad(item))?, b.trim().parse::<u32>().map_err(|_| bad(item))?)
            }
            None => {
                let v = item.trim().parse::<u32>().map_err(|_| bad(item))?;
                (v, v)
            }
        };
        if a > b || b > MAX_CONFIRMATIONS {
            return Err(bad(item));
        }
        ranges.push(a..=b);
    }
    let count: u64 = ranges.iter().map(|r| u64::from(r.end() - r.start()) + 1).sum();
    if count > u64::from(MAX_CONFIRMATIONS) + 1 {
        return Err(Error::Other(format!(
            "--z: {count} values in all; at most {} (every z from 0 to {MAX_CONFIRMATIONS} once)",
            u64::from(MAX_CONFIRMATIONS) + 1
        )));
    }
    let mut out: Vec<u32> = ranges.into_iter().flatten().collect();
    if out.is_empty() {
        out.push(6);
    }
    Ok(out)
}

fn cmd_risk(args: RiskArgs, out: &mut impl Write) -> Outcome {
    use hashsim::metrics::risk::{confirmations_needed, nakamoto_probability, rosenfeld_probability, RiskModel};
    // Attackers: the --q shares, or a scenario's pool coalitions (labelled in a first column).
    let attackers: Vec<(Option<String>, f64)> = match &args.pools {
        Some(path) => {
            let loaded = hashsim::scenario::load(path, &[])?;
            let coalitions = hashsim::agents::pools::pool_coalitions(&loaded.params.pools);
            if coalitions.is_empty() {
                return Err(Error::Other(format!("--pools {}: the scenario has no [[pools]]", path.display())).into());
            }
            coalitions.into_iter().map(|c| (Some(c.label), c.share)).collect()
        }
        None => args.q.iter().map(|&q| (None, q)).collect(),
    };
    for &(_, q) in &attackers {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::Other(format!("--q {q}: the attacker share must be between 0 and 1")).into());
        }
    }
    let sep = if args.csv { "," } else { "  " };
    let width = attackers.iter().filter_map(|(l, _)| l.as_ref().map(String::len)).max().unwrap_or(0).max(8);
    // The attacker column, when there are labels.
    let label = |l: &Option<String>| match l {
        Some(l) if args.csv => format!("\"{l}\"{sep}"),
        Some(l) => format!("{l:<width$}{sep}"),
        None => String::new(),
    };
    let head = if args.pools.is_none() {
        String::new()
    } else if args.csv {
        format!("attacker{sep}")
    } else {
        format!("{:<width$}{sep}", "attacker")
    };
    if let Some(risk) = args.max_risk {
        if !(risk > 0.0 && risk < 1.0) {
            return Err(Error::Other(format!("--max-risk {risk}: must be between 0 and 1 (exclusive)")).into());
        }
        let show =
            |z: Option<u32>| z.map_or_else(|| if args.csv { String::new() } else { "never".into() }, |z| z.to_string());
        if args.csv {
            writeln!(out, "{head}q,max_risk,nakamoto_confirmations,rosenfeld_confirmations")?;
        } else {
            writeln!(
                out,
                "{head}{:<5}{sep}{:<8}{sep}{:>22}{sep}{:>23}",
                "q", "max_risk", "nakamoto_confirmations", "rosenfeld_confirmations"
            )?;
        }
        for (l, q) in &attackers {
            let n = show(confirmations_needed(*q, risk, RiskModel::Nakamoto));
            let r = show(confirmations_needed(*q, risk, RiskModel::Rosenfeld));
            if args.csv {
                writeln!(out, "{}{q},{risk},{n},{r}", label(l))?;
            } else {
                writeln!(out, "{}{:<5}{sep}{risk:<8}{sep}{n:>22}{sep}{r:>23}", label(l), q_text(*q))?;
            }
        }
        return Ok(());
    }
    let zs = parse_confirmations(&args.z)?;
    let d = usize::from(args.digits);
    if args.csv {
        writeln!(out, "{head}q,z,nakamoto_probability,rosenfeld_probability")?;
    } else {
        writeln!(
            out,
            "{head}{:<5}{sep}{:>3}{sep}{:>20}{sep}{:>21}",
            "q", "z", "nakamoto_probability", "rosenfeld_probability"
        )?;
    }
    for (l, q) in &attackers {
        for &z in &zs {
            let (n, r) = (nakamoto_probability(*q, z), rosenfeld_probability(*q, z));
            if args.csv {
                writeln!(out, "{}{q},{z},{n:e},{r:e}", label(l))?;
            } else {
                writeln!(out, "{}{:<5}{sep}{z:>3}{sep}{n:>20.d$}{sep}{r:>21.d$}", label(l), q_text(*q))?;
            }
        }
    }
    Ok(())
}

/// A share as the table prints it: as given for `--q`, rounded to 4 places when summed from
/// pool shares (0.30 + 0.22 is 0.52, not 0.52000000000000002).
fn q_text(q: f64) -> String {
    let rounded = (q * 1e4).round() / 1e4;
    if (rounded - q).abs() < 1e-12 {
        rounded.to_string()
    } else {
        q.to_string()
    }
}

fn cmd_sweep(args: SweepArgs, out: &mut impl Write) -> Outcome {
    use hashsim::sweep::{self, Shard, SweepOptions};
    thread_pool(args.jobs)?;
    let shard = match &args.shard {
        Some(s) => Shard::parse(s)?,
        None => Shard::from_slurm(|k| std::env::var(k).ok())?.unwrap_or(Shard::ALL),
    };
    let sw = sweep::load(&args.sweep)?;
    if args.dry_run {
        writeln!(out, "{}", sw.describe())?;
        return Ok(());
    }
    let out_dir = args.out.unwrap_or_else(|| sweep::default_out(&sw, shard));
    let opts = SweepOptions {
        out_dir,
        shard,
        resume: args.resume,
        series: args.series,
        force: args.force,
        command: command_line(),
    };
    let report = execute_sweep(&sw, opts, args.quiet)?;
    if !args.quiet {
        writeln!(out, "{report}")?;
    }
    Ok(())
}

/// Seed of the self-check's designs and bootstrap.
const SELF_CHECK_SEED: u64 = 2026;

fn cmd_sensitivity(args: cli::SensitivityArgs, out: &mut impl Write) -> Outcome {
    use hashsim::sweep::{self, sensitivity, Shard, SweepOptions};
    if args.self_check {
        let rows = hashsim::sensitivity::self_check(args.samples as usize, SELF_CHECK_SEED);
        writeln!(out, "{}", hashsim::sensitivity::SELF_CHECK_HEADER)?;
        for r in &rows {
            writeln!(out, "{r}")?;
        }
        return Ok(());
    }
    thread_pool(args.jobs)?;
    let path = args.sweep.expect("clap requires a sweep file without --self-check");
    let sw = sweep::load(&path)?;
    if !sw.method.is_some_and(|m| m.is_sensitivity()) {
        return Err(Error::Other(format!(
            "{}: sweep.method: not a sensitivity design (set method = \"saltelli\" or \"morris\")",
            path.display()
        ))
        .into());
    }
    sensitivity::check_metrics(&sw, &args.metrics)?;
    let shard = match &args.shard {
        Some(s) => Shard::parse(s)?,
        None if args.analyse_only => Shard::ALL,
        None => Shard::from_slurm(|k| std::env::var(k).ok())?.unwrap_or(Shard::ALL),
    };
    let out_dir = args.out.unwrap_or_else(|| sweep::default_out(&sw, shard));
    if !args.analyse_only {
        let opts = SweepOptions {
            out_dir: out_dir.clone(),
            shard,
            resume: args.resume,
            series: false,
            force: args.force,
            command: command_line(),
        };
        let report = execute_sweep(&sw, opts, args.quiet)?;
        if !shard.is_all() {
            if !args.quiet {
                writeln!(out, "{report}")?;
            }
            return Ok(());
        }
    }
    let analysis = sensitivity::analyse(&sw, &out_dir, &args.metrics, args.bootstrap as usize)?;
    for why in &analysis.skipped {
        console::warn(&format!("skipped {why}"))?;
    }
    let csv = sensitivity::write_csv(&out_dir, &analysis.rows)?;
    let figures = hashsim::plot::plot(&out_dir, &hashsim::plot::PlotOptions::default())?;
    if !args.quiet {
        writeln!(
            out,
            "{:<40} {:<40} {:<12} {:>10} {:>23}",
            "metric", "parameter", "index", "estimate", "95% interval"
        )?;
        for r in &analysis.rows {
            let ci = match (r.ci_lo, r.ci_hi) {
                (Some(a), Some(b)) => format!("[{a:.4}, {b:.4}]"),
                _ => String::new(),
            };
            writeln!(out, "{:<40} {:<40} {:<12} {:>10.4} {:>23}", r.metric, r.parameter, r.index, r.estimate, ci)?;
        }
        writeln!(
            out,
            "wrote {} and {} figure file(s) to {}",
            csv.display(),
            figures.files.len(),
            figures.out_dir.display()
        )?;
    }
    Ok(())
}

fn cmd_calibrate(args: cli::CalibrateArgs, out: &mut impl Write) -> Outcome {
    use hashsim::calibrate::{self, CalibrateOptions};
    thread_pool(args.jobs)?;
    let cal = calibrate::load(&args.file)?;
    let out_dir = args.out.unwrap_or_else(|| PathBuf::from("results").join(&cal.name));
    let bar = hashsim::progress::bar(u64::from(cal.max_evaluations), "evaluations", args.quiet);
    let shard = match &args.shard {
        Some(s) => hashsim::sweep::Shard::parse(s)?,
        None => hashsim::sweep::Shard::from_slurm(|k| std::env::var(k).ok())?.unwrap_or(hashsim::sweep::Shard::ALL),
    };
    if !(args.wait_hours.is_finite() && args.wait_hours > 0.0) {
        return Err(Error::Other(format!("--wait-hours: must be a positive number (got {})", args.wait_hours)).into());
    }
    let wait = std::time::Duration::from_secs_f64(args.wait_hours * 3600.0);
    let opts = CalibrateOptions { out_dir, resume: args.resume, shard, wait };
    let report = calibrate::run(&cal, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    let report = report?;
    if !args.quiet {
        writeln!(
            out,
            "{}: objective {:.6} at the start, {:.6} fitted ({} evaluations, {} this run{}); values: the posterior mean for ABC",
            cal.name,
            report.start_objective,
            report.best_objective,
            report.evaluations,
            report.evaluated,
            if report.converged { "" } else { "; the budget ran out before the simplex converged" }
        )?;
        for (i, (k, v)) in report.parameters.iter().enumerate() {
            let interval = report
                .intervals
                .get(i)
                .map(|(a, b)| format!("  (posterior 5th-95th: {} .. {})", fmt_sig(*a), fmt_sig(*b)))
                .unwrap_or_default();
            writeln!(out, "  {k} = {}{interval}", hashsim::sweep::axis::fmt_number(*v))?;
        }
        if !report.tolerances.is_empty() {
            let t: Vec<String> = report.tolerances.iter().map(|x| fmt_sig(*x)).collect();
            writeln!(out, "  ABC tolerances by generation: {}", t.join(", "))?;
        }
        let names: Vec<String> = report.files.iter().map(|f| f.display().to_string()).collect();
        writeln!(out, "wrote {}", names.join(", "))?;
    }
    Ok(())
}

/// Four significant digits.
fn fmt_sig(x: f64) -> String {
    if x.is_finite() {
        format!("{}", (x * 1e4).round() / 1e4).chars().take(12).collect()
    } else {
        "inf".into()
    }
}

/// Runs a sweep's pending runs with a progress bar.
fn execute_sweep(
    sw: &hashsim::sweep::Sweep,
    opts: hashsim::sweep::SweepOptions,
    quiet: bool,
) -> Result<hashsim::sweep::SweepReport> {
    let run = hashsim::sweep::SweepRun::open(sw, opts)?;
    let bar = hashsim::progress::bar(run.pending(), "runs", quiet);
    let report = run.execute(&|| bar.inc(1));
    bar.finish_and_clear();
    report
}

fn cmd_merge(args: MergeArgs, out: &mut impl Write) -> Outcome {
    let out_dir = match args.out {
        Some(o) => o,
        None => hashsim::sweep::merge::default_out(&args.dirs)?,
    };
    let report = hashsim::sweep::merge(&args.dirs, &out_dir, &command_line(), args.force)?;
    if !args.quiet {
        writeln!(out, "{report}")?;
    }
    Ok(())
}

fn cmd_plot(args: PlotArgs, out: &mut impl Write) -> Outcome {
    use hashsim::plot::{self, Format, PlotOptions};
    let formats = args.formats.iter().map(|f| f.parse::<Format>()).collect::<Result<Vec<_>>>()?;
    let opts = PlotOptions { metric: args.metric, x: args.x, y: args.y, formats };
    let report = plot::plot(&args.results_dir, &opts)?;
    for w in &report.warnings {
        console::warn(w)?;
    }
    if !args.quiet {
        let names: Vec<String> =
            report.files.iter().map(|f| f.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
        writeln!(out, "wrote {} figure file(s) to {}: {}", names.len(), report.out_dir.display(), names.join(", "))?;
    }
    Ok(())
}

fn cmd_history(args: cli::HistoryArgs, out: &mut impl Write) -> Outcome {
    use hashsim::history::{self, HistoryOptions};
    if args.write_prices {
        let files = history::write_price_paths(&args.scenarios)?;
        if !args.quiet {
            writeln!(out, "wrote {} price path(s) to {}", files.len(), args.scenarios.display())?;
        }
        return Ok(());
    }
    thread_pool(args.jobs)?;
    let opts = HistoryOptions {
        scenarios_dir: args.scenarios,
        out_dir: args.out,
        seeds: args.seeds,
        windows: args.windows,
        overrides: overrides(&args.set)?,
        command: command_line(),
    };
    let windows = if args.stylised_only { Vec::new() } else { history::load_windows(&opts)? };
    let bundled = if args.no_stylised {
        Vec::new()
    } else {
        history::bundled::load_bundled(&args.bundled, &opts.overrides, args.stylised_seeds)?
    };
    let bundled_days: u64 = bundled
        .iter()
        .map(|(_, l)| u64::from(l.scenario.simulation.days) * u64::from(l.scenario.simulation.replicates))
        .sum();
    let bar = hashsim::progress::bar(history::total_days(&windows) + bundled_days, "days", args.quiet);
    let report = if windows.is_empty() { None } else { Some(history::run_windows(&windows, &opts, &|| bar.inc(1))) };
    let stylised = if bundled.is_empty() {
        None
    } else {
        Some(history::bundled::run_bundled(&bundled, &opts.out_dir, &opts.command, &|| bar.inc(1)))
    };
    bar.finish_and_clear();
    let (report, stylised) = (report.transpose()?, stylised.transpose()?);
    if !args.quiet {
        if let Some(r) = &report {
            write!(out, "{}", history::render_scorecard(r))?;
        }
        if let Some(r) = &stylised {
            write!(out, "{}", history::bundled::render_stylised(r))?;
        }
    }
    Ok(())
}
