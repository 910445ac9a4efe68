//! Running a sweep (or one shard of it): rayon across runs, each finished run appended to an
//! append-only journal at once, outputs written from the journal at the end.
//!
//! The journal (`runs.journal`) is a header line (`#hashsim-sweep-journal v1 {json}`: the
//! fingerprint, shard, options and build), the `runs.csv` header, then one `runs.csv` row per
//! finished run in completion order, each written with a single `write` call. A crash or
//! Ctrl-C loses only the runs in flight; a half-written last line (no `\n`) is cut off on
//! `--resume`, which then runs only what is missing.

use super::output::{
    csv_line, file_name, metric_cell, parse_line, parse_metric, write_aggregate, write_runs, Rows, Shape, SweepManifest,
};
use super::shard::Shard;
use super::spec::{run_id, RunSpec, Sweep, RUN_COLUMNS};
use crate::engine::observe::{Observer, Tee};
use crate::engine::run_replicate;
use crate::error::{Error, Result};
use crate::output::CsvSink;
use crate::run::SummaryTally;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// The journal's file name in the output folder.
pub const JOURNAL: &str = "runs.journal";
const MAGIC: &str = "#hashsim-sweep-journal v1 ";

/// Where and how to run a sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub out_dir: PathBuf,
    pub shard: Shard,
    /// Continue the journal in `out_dir`, skipping finished runs.
    pub resume: bool,
    /// Write each run's daily rows to `series/<run_id>.csv`.
    pub series: bool,
    /// The command line, for the manifest.
    pub command: String,
}

/// What a sweep (or shard) did.
#[derive(Debug, Clone)]
pub struct SweepReport {
    pub name: String,
    pub out_dir: PathBuf,
    pub shard: Shard,
    /// Runs in this shard (all runs for a whole sweep).
    pub runs: u64,
    /// Runs found finished in the journal and skipped (`--resume`).
    pub resumed: u64,
    /// Runs computed now.
    pub ran: u64,
    pub wall_time_s: f64,
    pub files: Vec<PathBuf>,
}

impl fmt::Display for SweepReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.shard.is_all() { self.name.clone() } else { format!("{} shard {}", self.name, self.shard) };
        let rate = if self.wall_time_s > 0.0 { self.ran as f64 / self.wall_time_s } else { 0.0 };
        write!(f, "{what}: {} runs in {:.2} s ({rate:.1} runs/s)", self.ran, self.wall_time_s)?;
        if self.resumed > 0 {
            write!(f, ", {} already done", self.resumed)?;
        }
        writeln!(f, " -> {}", self.out_dir.display())?;
        let names: Vec<String> = self.files.iter().map(|p| file_name(p)).collect();
        write!(f, "wrote {}", names.join(", "))?;
        if !self.shard.is_all() {
            write!(f, "\ncombine the shards with: hashsim merge <shard folders...>")?;
        }
        Ok(())
    }
}

/// The journal's first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct JournalHeader {
    fingerprint: String,
    shard: Shard,
    series: bool,
    runs: u64,
    hashsim_version: String,
    git_commit: Option<String>,
}

impl JournalHeader {
    fn new(sweep: &Sweep, opts: &SweepOptions) -> JournalHeader {
        JournalHeader {
            fingerprint: sweep.fingerprint.clone(),
            shard: opts.shard,
            series: opts.series,
            runs: sweep.runs(),
            hashsim_version: env!("CARGO_PKG_VERSION").into(),
            git_commit: crate::output::manifest::GIT_COMMIT.map(str::to_string),
        }
    }

    fn line(&self) -> String {
        format!("{MAGIC}{}\n", serde_json::to_string(self).unwrap_or_default())
    }
}

/// A sweep ready to run in its output folder: journal open, finished runs known.
pub struct SweepRun<'a> {
    sweep: &'a Sweep,
    opts: SweepOptions,
    journal_path: PathBuf,
    journal: Mutex<File>,
    pending: Vec<u64>,
    resumed: u64,
    start: Instant,
}

/// What a journal holds.
struct Scan {
    /// (run, byte offset of its row), in file order.
    rows: Vec<(u64, u64)>,
    /// Length up to the end of the last complete line.
    complete_len: u64,
}

impl<'a> SweepRun<'a> {
    /// Prepares `out_dir`: a new journal, or with `resume` the existing one checked against
    /// this sweep and cut after its last complete line.
    pub fn open(sweep: &'a Sweep, opts: SweepOptions) -> Result<SweepRun<'a>> {
        let start = Instant::now();
        let out = &opts.out_dir;
        let journal_path = out.join(JOURNAL);
        let header = JournalHeader::new(sweep, &opts);
        let columns = csv_line(sweep.columns());
        let mut done = vec![false; sweep.runs() as usize];
        let mut resumed = 0;
        // A journal cut before its two header lines (killed at once) holds nothing: start afresh.
        let exists = has_header(&journal_path);
        if exists && !opts.resume {
            let n = scan(sweep, &journal_path, None).map(|s| s.rows.len().to_string()).unwrap_or_else(|_| "?".into());
            return Err(Error::Other(format!(
                "{} already holds a sweep journal ({n} runs done): add --resume to continue it, \
                 or choose another --out (or remove the folder) to start over",
                out.display()
            )));
        }
        std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
        let series_dir = out.join("series");
        if opts.series {
            std::fs::create_dir_all(&series_dir).map_err(|e| Error::write(&series_dir, e))?;
            remove_stale_temp_files(&series_dir);
        }
        let journal = if exists {
            let s = scan(sweep, &journal_path, Some(&header))?;
            for (r, _) in &s.rows {
                done[*r as usize] = true;
            }
            resumed = s.rows.len() as u64;
            let f = OpenOptions::new().write(true).open(&journal_path).map_err(|e| Error::write(&journal_path, e))?;
            // Cut a half-written last line, then append after it.
            f.set_len(s.complete_len).map_err(|e| Error::write(&journal_path, e))?;
            drop(f);
            OpenOptions::new().append(true).open(&journal_path).map_err(|e| Error::write(&journal_path, e))?
        } else {
            let mut f = File::create(&journal_path).map_err(|e| Error::write(&journal_path, e))?;
            f.write_all(format!("{}{columns}", header.line()).as_bytes())
                .map_err(|e| Error::write(&journal_path, e))?;
            f
        };
        let shard = opts.shard;
        let pending: Vec<u64> = (0..sweep.runs()).filter(|&r| shard.contains(r) && !done[r as usize]).collect();
        Ok(SweepRun { sweep, opts, journal_path, journal: Mutex::new(journal), pending, resumed, start })
    }

    /// Runs still to do.
    pub fn pending(&self) -> u64 {
        self.pending.len() as u64
    }

    /// Runs the pending runs in parallel (the current rayon pool), calling `on_run` after each,
    /// then writes `runs.csv` (+ `aggregate.csv` for a whole sweep) and `manifest.json`.
    pub fn execute(self, on_run: &(dyn Fn() + Sync)) -> Result<SweepReport> {
        let sweep = self.sweep;
        let series_dir = self.opts.series.then(|| self.opts.out_dir.join("series"));
        self.pending.par_iter().try_for_each(|&r| {
            let line = run_one(sweep, &sweep.run(r), series_dir.as_deref())?;
            let mut j = self.journal.lock().map_err(|_| Error::Other("journal lock poisoned".into()))?;
            j.write_all(line.as_bytes()).map_err(|e| Error::write(&self.journal_path, e))?;
            drop(j);
            on_run();
            Ok::<(), Error>(())
        })?;
        let journal = self.journal.into_inner().map_err(|_| Error::Other("journal lock poisoned".into()))?;
        journal.sync_all().map_err(|e| Error::write(&self.journal_path, e))?;
        drop(journal);

        // Outputs, from the journal alone.
        let out = &self.opts.out_dir;
        let shard = self.opts.shard;
        let s = scan(sweep, &self.journal_path, None)?;
        let mut rows = Rows::new(sweep.runs());
        let f = rows.add_file(&self.journal_path)?;
        for (r, off) in s.rows {
            // A run written twice (two processes resuming one folder) keeps its first row.
            let _ = rows.insert(r, f, off);
        }
        let mine = || (0..sweep.runs()).filter(move |&r| shard.contains(r));
        if let Some(r) = mine().find(|&r| !rows.has(r)) {
            return Err(Error::Other(format!("internal: run {} finished but is not in the journal", sweep.run_id(r))));
        }
        let columns = sweep.columns();
        let mut files = vec![write_runs(&out.join("runs.csv"), &columns, &mut rows, mine())?];
        if shard.is_all() {
            let axes: Vec<String> = sweep.axes.iter().map(|a| a.key.clone()).collect();
            let metrics: Vec<String> = sweep.metrics.iter().map(|m| m.to_string()).collect();
            let shape = Shape { points: sweep.points, replicates: sweep.replicates, axes: &axes, metrics: &metrics };
            files.push(write_aggregate(&out.join("aggregate.csv"), &shape, &mut rows)?);
        }
        let wall_time_s = self.start.elapsed().as_secs_f64();
        let mut m = SweepManifest::new(sweep, shard, self.opts.series, &self.opts.command);
        m.files = files.iter().map(|p| file_name(p)).chain([JOURNAL.to_string(), "manifest.json".into()]).collect();
        if self.opts.series {
            m.files.push("series/".into());
        }
        m.wall_time_s = wall_time_s;
        files.push(m.write(&out.join("manifest.json"))?);
        Ok(SweepReport {
            name: sweep.name.clone(),
            out_dir: out.clone(),
            shard,
            runs: shard.len(sweep.runs()),
            resumed: self.resumed,
            ran: self.pending.len() as u64,
            wall_time_s,
            files,
        })
    }
}

/// Runs one run and returns its `runs.csv` row. Any failure, a bug's panic included, names
/// the run and the seed that reproduces it.
fn run_one(sweep: &Sweep, run: &RunSpec, series_dir: Option<&Path>) -> Result<String> {
    let id = sweep.run_id(run.index);
    let named = |msg: String| {
        Error::Other(format!("run {id} (point {}, replicate {}, seed {}): {msg}", run.point, run.replicate, run.seed))
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_row(sweep, run, series_dir, &id))) {
        Ok(row) => row.map_err(|e| named(e.to_string())),
        Err(panic) => {
            let why =
                panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
            Err(named(format!("internal error: {}", why.unwrap_or_else(|| "panic".into()))))
        }
    }
}

fn run_row(sweep: &Sweep, run: &RunSpec, series_dir: Option<&Path>, id: &str) -> Result<String> {
    let loaded = sweep.scenario(run)?;
    let mut tally = SummaryTally::for_scenario(&loaded);
    match series_dir {
        Some(dir) => {
            let mut sink = CsvSink::create(&dir.join(format!("{id}.csv")))?;
            run_replicate(&loaded, 0, &mut Tee(&mut tally, &mut sink as &mut dyn Observer))?;
            sink.commit()?;
        }
        None => {
            run_replicate(&loaded, 0, &mut tally)?;
        }
    }
    let metrics = tally.finish().metrics();
    let mut fields: Vec<String> =
        vec![id.to_string(), run.point.to_string(), run.replicate.to_string(), run.seed.to_string()];
    fields.extend(sweep.point_values(run.point).iter().map(|v| v.to_cell()));
    // By name, so a metric missing from this run (never expected) shows as NaN, not a shift.
    for (i, name) in sweep.metrics.iter().enumerate() {
        let v = match metrics.get(i) {
            Some((n, v)) if n == name => *v,
            _ => metrics.iter().find(|(n, _)| n == name).map_or(f64::NAN, |(_, v)| *v),
        };
        fields.push(metric_cell(v));
    }
    Ok(csv_line(&fields))
}

/// Reads a journal: checks its header against `expect` (when given) and every complete row
/// against the sweep. A last line without `\n` (a write cut short) is left out.
fn scan(sweep: &Sweep, path: &Path, expect: Option<&JournalHeader>) -> Result<Scan> {
    let f = File::open(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    let mut reader = BufReader::new(f);
    let bad = |msg: String| Error::Other(format!("{}: {msg}", path.display()));
    let mut buf = Vec::new();
    let mut offset = 0u64;
    let mut line_no = 0usize;
    let mut rows = Vec::new();
    let mut complete_len = 0u64;
    let columns = csv_line(sweep.columns());
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
        if n == 0 || buf.last() != Some(&b'\n') {
            break; // end, or a half-written last line
        }
        line_no += 1;
        let text = String::from_utf8_lossy(&buf);
        match line_no {
            1 => {
                let h: JournalHeader = text
                    .strip_prefix(MAGIC)
                    .and_then(|j| serde_json::from_str(j).ok())
                    .ok_or_else(|| bad("not a hashsim sweep journal".into()))?;
                if let Some(e) = expect {
                    check_header(&h, e).map_err(bad)?;
                }
            }
            2 => {
                if text != columns {
                    return Err(bad(format!(
                        "its columns differ from this sweep's: {} vs {}",
                        text.trim_end(),
                        columns.trim_end()
                    )));
                }
            }
            _ => {
                let r = check_row(sweep, &text).map_err(|m| bad(format!("line {line_no}: {m}")))?;
                rows.push((r, offset));
            }
        }
        offset += n as u64;
        complete_len = offset;
    }
    if line_no < 2 {
        return Err(bad("the journal has no header: remove the folder and start again".into()));
    }
    Ok(Scan { rows, complete_len })
}

fn check_header(found: &JournalHeader, want: &JournalHeader) -> std::result::Result<(), String> {
    if found.fingerprint != want.fingerprint {
        return Err(format!(
            "it belongs to another sweep (fingerprint {}, this sweep {}): the sweep file or its base \
             scenario changed; use another --out",
            found.fingerprint, want.fingerprint
        ));
    }
    if found.shard != want.shard {
        return Err(format!("it was written by shard {}; this is shard {}", found.shard, want.shard));
    }
    if (&found.hashsim_version, &found.git_commit) != (&want.hashsim_version, &want.git_commit) {
        return Err(format!(
            "it was written by hashsim {} (commit {}), this is {} (commit {}): resuming would mix two builds' \
             results; use another --out",
            found.hashsim_version,
            found.git_commit.as_deref().unwrap_or("unknown"),
            want.hashsim_version,
            want.git_commit.as_deref().unwrap_or("unknown")
        ));
    }
    if found.series != want.series {
        return Err(format!(
            "it was started {} --series: resume with the same setting",
            if found.series { "with" } else { "without" }
        ));
    }
    Ok(())
}

/// Checks one row against the sweep (id, point, replicate, seed, axis values, numbers);
/// returns its run index.
pub(crate) fn check_row(sweep: &Sweep, line: &str) -> std::result::Result<u64, String> {
    let fields = parse_line(line).ok_or("not a CSV row")?;
    let ncol = RUN_COLUMNS.len() + sweep.axes.len() + sweep.metrics.len();
    if fields.len() != ncol {
        return Err(format!("{} fields, expected {ncol}", fields.len()));
    }
    let r: u64 = fields[0]
        .strip_prefix('r')
        .and_then(|d| d.parse().ok())
        .filter(|r| *r < sweep.runs() && run_id(*r, sweep.runs()) == fields[0])
        .ok_or_else(|| format!("bad run id {:?}", fields[0]))?;
    let spec = sweep.run(r);
    let mut want = vec![spec.point.to_string(), spec.replicate.to_string(), spec.seed.to_string()];
    want.extend(sweep.point_values(spec.point).iter().map(|v| v.to_cell()));
    if fields[1..RUN_COLUMNS.len() + sweep.axes.len()] != want[..] {
        return Err(format!("run {} does not match this sweep's point, replicate, seed or axis values", fields[0]));
    }
    if let Some(cell) = fields[RUN_COLUMNS.len() + sweep.axes.len()..].iter().find(|c| parse_metric(c).is_none()) {
        return Err(format!("run {}: {cell:?} is not a number", fields[0]));
    }
    Ok(r)
}

/// Whether `path` is a journal with at least its two header lines.
fn has_header(path: &Path) -> bool {
    let Ok(f) = File::open(path) else { return false };
    let mut r = BufReader::new(f);
    let mut buf = Vec::new();
    (0..2).all(|_| {
        buf.clear();
        matches!(r.read_until(b'\n', &mut buf), Ok(n) if n > 0 && buf.last() == Some(&b'\n'))
    })
}

/// Removes temporary files a killed run left in `dir` (its atomic writers' `.NAME.PID.tmp`).
fn remove_stale_temp_files(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
