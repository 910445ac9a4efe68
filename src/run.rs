//! `hashsim run`: a scenario's replicates, in parallel across replicates, written to
//! `timeseries.csv`, `operators.csv`, `events.csv`, `pools.csv`, `supply.csv`, `summary.csv`
//! and `manifest.json`.

use crate::error::{Error, Result};
use crate::observe::{
    operator_rows, run_replicate, DayRow, LogEvent, Observer, PoolRow, RunSummary, SummaryTally, SupplyRow, Tee,
};
use crate::output::atomic::{write_staged, AtomicFile};
use crate::output::manifest::Manifest;
use crate::output::stage::Staged;
use crate::output::{CsvSink, EventSink, PoolSink, SupplySink};
use crate::scenario::LoadedScenario;
use rayon::prelude::*;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where and how to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub out_dir: PathBuf,
    /// The command line, for the manifest.
    pub command: String,
    /// Write into `out_dir` even if it holds files that are not a hashsim run's (only this
    /// run's files are replaced there).
    pub force: bool,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub out_dir: PathBuf,
    pub files: Vec<PathBuf>,
    pub summaries: Vec<RunSummary>,
    pub wall_time_s: f64,
}

/// The per-day series of one replicate, streamed to per-replicate part files.
const PARTS: [&str; 5] = ["timeseries", "operators", "events", "pools", "supply"];

/// Runs every replicate (in parallel) and writes the outputs. `on_day` is called once per
/// simulated day of any replicate (for progress bars). Outputs are byte-identical whatever
/// the number of threads: each replicate has its own random streams and its own part files,
/// joined in replicate order. The folder appears whole at the end or not at all
/// ([`Staged`]).
pub fn run(loaded: &LoadedScenario, opts: &RunOptions, on_day: &(dyn Fn() + Sync)) -> Result<RunReport> {
    let start = Instant::now();
    let staged = Staged::begin(&opts.out_dir, opts.force)?;
    let out = staged.dir().to_path_buf();
    let reps = loaded.scenario.simulation.replicates;
    let parts = out.join(PARTS_DIR);
    std::fs::create_dir(&parts).map_err(|e| Error::write(&parts, e))?;

    let summaries: Vec<RunSummary> =
        (0..reps).into_par_iter().map(|r| run_one(loaded, r, &parts, on_day)).collect::<Result<Vec<_>>>()?;

    let mut names = Vec::new();
    for stem in PARTS {
        names.push(concat_parts(&parts, stem, reps, &out.join(format!("{stem}.csv")))?);
    }
    std::fs::remove_dir_all(&parts).map_err(|e| Error::write(&parts, e))?;
    names.push(write_summary(&out.join("summary.csv"), &summaries)?);

    let wall_time_s = start.elapsed().as_secs_f64();
    let mut manifest = Manifest::new(&opts.command, loaded);
    manifest.files = names.iter().chain([&out.join("manifest.json")]).map(|f| file_name(f)).collect();
    manifest.wall_time_s = wall_time_s;
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Other(e.to_string()))?;
    write_staged(&out.join("manifest.json"), &json)?;
    let dest = staged.publish()?;
    let files = manifest.files.iter().map(|f| dest.join(f)).collect();
    Ok(RunReport { out_dir: opts.out_dir.clone(), files, summaries, wall_time_s })
}

/// Writes `summary.csv`: one row per replicate, inside the run's staged folder (synced when
/// the folder is published).
pub fn write_summary(dest: &Path, summaries: &[RunSummary]) -> Result<PathBuf> {
    let mut w = csv::Writer::from_writer(AtomicFile::create_staged(dest)?);
    let err = |e: csv::Error| Error::Other(format!("cannot write {}: {e}", dest.display()));
    w.write_record(RunSummary::columns()).map_err(err)?;
    for s in summaries {
        w.write_record(s.record()).map_err(err)?;
    }
    w.into_inner().map_err(|e| Error::Other(format!("cannot write {}: {}", dest.display(), e.error())))?.commit()
}

fn run_one(loaded: &LoadedScenario, r: u32, parts: &Path, on_day: &(dyn Fn() + Sync)) -> Result<RunSummary> {
    struct Tick<'a>(&'a (dyn Fn() + Sync));
    impl Observer for Tick<'_> {
        fn on_day(&mut self, _: &DayRow) -> Result<()> {
            (self.0)();
            Ok(())
        }
    }
    let mut series = CsvSink::create_staged(&part_path(parts, "timeseries", r))?;
    let mut events = EventSink(CsvSink::create_staged(&part_path(parts, "events", r))?);
    let mut pools = PoolSink(CsvSink::create_staged(&part_path(parts, "pools", r))?);
    let mut supply = SupplySink(CsvSink::create_staged(&part_path(parts, "supply", r))?);
    let mut tally = SummaryTally::for_scenario(loaded);
    let mut tick = Tick(on_day);
    let world = {
        let mut t = Tee(&mut tally, &mut tick);
        let mut u = Tee(&mut supply, &mut t);
        let mut a = Tee(&mut pools, &mut u);
        let mut b = Tee(&mut events, &mut a);
        let mut all = Tee(&mut series, &mut b);
        run_replicate(loaded, r, &mut all)?
    };
    series.commit()?;
    events.0.commit_with_header::<LogEvent>()?;
    pools.0.commit_with_header::<PoolRow>()?;
    supply.0.commit_with_header::<SupplyRow>()?;
    let mut ops = CsvSink::create_staged(&part_path(parts, "operators", r))?;
    for row in operator_rows(&world) {
        ops.write(&row)?;
    }
    ops.commit()?;
    Ok(tally.finish())
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn part_path(dir: &Path, stem: &str, r: u32) -> PathBuf {
    dir.join(format!("{stem}.{r}.csv"))
}

/// The per-replicate part files' folder inside the staged run folder.
const PARTS_DIR: &str = ".parts";

/// Joins part files in replicate order, keeping the first header only. A single replicate's
/// part (written whole and synced) is moved into place, not copied: at a million miners its
/// `operators.csv` is 310 MB.
fn concat_parts(dir: &Path, stem: &str, reps: u32, dest: &Path) -> Result<PathBuf> {
    if reps == 1 {
        std::fs::rename(part_path(dir, stem, 0), dest).map_err(|e| Error::write(dest, e))?;
        return Ok(dest.to_path_buf());
    }
    let mut out = AtomicFile::create_staged(dest)?;
    for r in 0..reps {
        let p = part_path(dir, stem, r);
        let f = std::fs::File::open(&p).map_err(|e| Error::Read { path: p.clone(), source: e })?;
        let mut lines = BufReader::new(f);
        let mut header = String::new();
        lines.read_line(&mut header).map_err(|e| Error::Read { path: p.clone(), source: e })?;
        if r == 0 {
            out.write_all(header.as_bytes()).map_err(|e| Error::write(dest, e))?;
        }
        std::io::copy(&mut lines, &mut out).map_err(|e| Error::write(dest, e))?;
    }
    out.commit()
}
