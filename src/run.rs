//! `hashsim run`: a scenario's replicates, in parallel across replicates, written to
//! `timeseries.csv`, `miners.csv`, `summary.csv` and `manifest.json`.

use crate::engine::observe::{DayRow, Observer, Tee};
use crate::engine::run_replicate;
use crate::error::{Error, Result};
use crate::output::atomic::{write_atomic, AtomicFile};
use crate::output::manifest::Manifest;
use crate::output::{miner_rows, CsvSink};
use crate::scenario::LoadedScenario;
use rayon::prelude::*;
use serde::Serialize;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One replicate's headline numbers (a row of `summary.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RunSummary {
    pub replicate: u32,
    pub days: u32,
    pub blocks: u64,
    pub mean_block_interval_s: f64,
    pub height_end: u64,
    pub difficulty_start: f64,
    pub difficulty_end: f64,
    pub hashrate_start_eh_s: f64,
    pub hashrate_end_eh_s: f64,
    pub hashrate_min_eh_s: f64,
    pub hashrate_min_day: u32,
    pub price_start_usd: f64,
    pub price_end_usd: f64,
    pub hashprice_start_usd_per_ph_day: f64,
    pub hashprice_end_usd_per_ph_day: f64,
    pub active_miners_start: u32,
    pub active_miners_end: u32,
    pub hhi_miners_end: f64,
    pub nakamoto_50_miners_end: u32,
    pub miner_revenue_usd: f64,
}

impl RunSummary {
    /// The summary's numeric metrics as (column name, value), in column order, without the
    /// `replicate` key. Sweeps aggregate these across replicates without knowing the fields.
    pub fn metrics(&self) -> Vec<(&'static str, f64)> {
        let v = serde_json::to_value(self).unwrap_or_default();
        let mut out = Vec::new();
        // serde_json keeps struct field order only with `preserve_order`; use the CSV header
        // order instead, which is the declaration order.
        for name in Self::columns() {
            if name == "replicate" {
                continue;
            }
            if let Some(x) = v.get(name).and_then(serde_json::Value::as_f64) {
                out.push((name, x));
            }
        }
        out
    }

    /// The CSV column names, in order.
    pub fn columns() -> Vec<&'static str> {
        SUMMARY_COLUMNS.to_vec()
    }
}

const SUMMARY_COLUMNS: &[&str] = &[
    "replicate",
    "days",
    "blocks",
    "mean_block_interval_s",
    "height_end",
    "difficulty_start",
    "difficulty_end",
    "hashrate_start_eh_s",
    "hashrate_end_eh_s",
    "hashrate_min_eh_s",
    "hashrate_min_day",
    "price_start_usd",
    "price_end_usd",
    "hashprice_start_usd_per_ph_day",
    "hashprice_end_usd_per_ph_day",
    "active_miners_start",
    "active_miners_end",
    "hhi_miners_end",
    "nakamoto_50_miners_end",
    "miner_revenue_usd",
];

/// Tallies a [`RunSummary`] from the day rows as they stream past.
#[derive(Debug, Default)]
pub struct SummaryTally {
    s: RunSummary,
    interval_s: f64,
    started: bool,
}

impl Observer for SummaryTally {
    fn on_day(&mut self, r: &DayRow) -> Result<()> {
        let s = &mut self.s;
        if !self.started {
            self.started = true;
            s.replicate = r.replicate;
            s.difficulty_start = r.difficulty;
            s.hashrate_start_eh_s = r.hashrate_eh_s;
            s.hashrate_min_eh_s = r.hashrate_eh_s;
            s.price_start_usd = r.price_usd;
            s.hashprice_start_usd_per_ph_day = r.hashprice_usd_per_ph_day;
            s.active_miners_start = r.active_miners;
        }
        s.days = r.day + 1;
        s.blocks += u64::from(r.blocks);
        self.interval_s += r.mean_block_interval_s.unwrap_or(0.0) * f64::from(r.blocks);
        s.height_end = r.height;
        s.difficulty_end = r.difficulty_end;
        s.hashrate_end_eh_s = r.hashrate_eh_s;
        if r.hashrate_eh_s < s.hashrate_min_eh_s {
            s.hashrate_min_eh_s = r.hashrate_eh_s;
            s.hashrate_min_day = r.day;
        }
        s.price_end_usd = r.price_usd;
        s.hashprice_end_usd_per_ph_day = r.hashprice_usd_per_ph_day;
        s.active_miners_end = r.active_miners;
        s.hhi_miners_end = r.hhi_miners;
        s.nakamoto_50_miners_end = r.nakamoto_50_miners;
        s.miner_revenue_usd += r.miner_revenue_usd;
        Ok(())
    }
}

impl SummaryTally {
    pub fn finish(mut self) -> RunSummary {
        if self.s.blocks > 0 {
            self.s.mean_block_interval_s = self.interval_s / self.s.blocks as f64;
        }
        self.s
    }
}

/// Where and how to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub out_dir: PathBuf,
    /// The command line, for the manifest.
    pub command: String,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub out_dir: PathBuf,
    pub files: Vec<PathBuf>,
    pub summaries: Vec<RunSummary>,
    pub wall_time_s: f64,
}

/// Runs every replicate (in parallel) and writes the outputs. `on_day` is called once per
/// simulated day of any replicate (for progress bars). Outputs are byte-identical whatever
/// the number of threads: each replicate has its own random streams and its own part files,
/// joined in replicate order.
pub fn run(loaded: &LoadedScenario, opts: &RunOptions, on_day: &(dyn Fn() + Sync)) -> Result<RunReport> {
    let start = Instant::now();
    let out = &opts.out_dir;
    std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    let reps = loaded.scenario.simulation.replicates;
    let parts = PartsDir::create(out)?;

    let summaries: Vec<RunSummary> =
        (0..reps).into_par_iter().map(|r| run_one(loaded, r, &parts.0, on_day)).collect::<Result<Vec<_>>>()?;

    let mut files = Vec::new();
    files.push(concat_parts(&parts.0, "timeseries", reps, &out.join("timeseries.csv"))?);
    files.push(concat_parts(&parts.0, "miners", reps, &out.join("miners.csv"))?);
    let mut sink = CsvSink::create(&out.join("summary.csv"))?;
    for s in &summaries {
        sink.write(s)?;
    }
    files.push(sink.commit()?);
    drop(parts);

    let wall_time_s = start.elapsed().as_secs_f64();
    let mut manifest = Manifest::new(&opts.command, loaded);
    manifest.files = files.iter().chain([&out.join("manifest.json")]).map(|f| file_name(f)).collect();
    manifest.wall_time_s = wall_time_s;
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Other(e.to_string()))?;
    files.push(write_atomic(&out.join("manifest.json"), &json)?);
    Ok(RunReport { out_dir: out.clone(), files, summaries, wall_time_s })
}

fn run_one(loaded: &LoadedScenario, r: u32, parts: &Path, on_day: &(dyn Fn() + Sync)) -> Result<RunSummary> {
    struct Tick<'a>(&'a (dyn Fn() + Sync));
    impl Observer for Tick<'_> {
        fn on_day(&mut self, _: &DayRow) -> Result<()> {
            (self.0)();
            Ok(())
        }
    }
    let mut series = CsvSink::create(&part_path(parts, "timeseries", r))?;
    let mut tally = SummaryTally::default();
    let mut tick = Tick(on_day);
    let world = {
        let mut both = Tee(&mut tally, &mut tick);
        let mut all = Tee(&mut series, &mut both);
        run_replicate(loaded, r, &mut all)?
    };
    series.commit()?;
    let mut miners = CsvSink::create(&part_path(parts, "miners", r))?;
    for row in miner_rows(&world) {
        miners.write(&row)?;
    }
    miners.commit()?;
    Ok(tally.finish())
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn part_path(dir: &Path, stem: &str, r: u32) -> PathBuf {
    dir.join(format!("{stem}.{r}.csv"))
}

/// A hidden folder of per-replicate part files, removed when dropped.
struct PartsDir(PathBuf);

impl PartsDir {
    fn create(out: &Path) -> Result<PartsDir> {
        let dir = out.join(format!(".parts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
        Ok(PartsDir(dir))
    }
}

impl Drop for PartsDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Joins part files in replicate order, keeping the first header only.
fn concat_parts(dir: &Path, stem: &str, reps: u32, dest: &Path) -> Result<PathBuf> {
    let mut out = AtomicFile::create(dest)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_match_the_csv_header() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(RunSummary::default()).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        assert_eq!(header, RunSummary::columns());
        let names: Vec<&str> = RunSummary::default().metrics().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, header[1..].to_vec());
    }
}
