//! Running a sweep (or one shard of it): rayon across runs, each finished run appended to the
//! journal ([`super::journal`]) at once, outputs written from the journal at the end.
//!
//! The output folder is locked ([`OutputLock`]) for the whole sweep, outputs included, so two
//! sweeps never write one folder. Under the lock, temporary files a killed process left are
//! removed, and the folder must be this sweep's: absent or empty, holding this sweep's journal
//! (`--resume` continues it), or, with `--force`, anything (only the sweep's own files are
//! replaced). A crash or Ctrl-C loses only the runs in flight.

use super::journal::{check_header, peek, row_line, scan, JournalHeader, Peek, JOURNAL};
use super::output::{csv_line, file_name, metric_cell, write_aggregate, write_runs, Rows, Shape, SweepManifest};
use super::shard::Shard;
use super::spec::{RunSpec, Sweep};
use crate::error::{Error, Result};
use crate::observe::{run_replicate, Observer, SummaryTally, Tee};
use crate::output::atomic::{remove_stale_temps, write_atomic, AtomicFile};
use crate::output::lock::OutputLock;
use crate::output::CsvSink;
use rayon::prelude::*;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// What a sweep folder may hold besides this sweep's journal: its outputs and the figures
/// `hashsim plot` draws from them.
const SWEEP_ENTRIES: [&str; 7] =
    [JOURNAL, "runs.csv", "aggregate.csv", "manifest.json", "series", "figures", "sensitivity.csv"];
/// Entries named at most when a folder is refused.
const MAX_NAMED: usize = 5;

/// Where and how to run a sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub out_dir: PathBuf,
    pub shard: Shard,
    /// Continue the journal in `out_dir`, skipping finished runs.
    pub resume: bool,
    /// Write each run's daily rows to `series/<run_id>.csv`.
    pub series: bool,
    /// Write into a folder that is not this sweep's, or start this sweep's journal over
    /// (replacing only the sweep's own files).
    pub force: bool,
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

/// A sweep ready to run in its output folder: folder locked, journal open, finished runs known.
pub struct SweepRun<'a> {
    sweep: &'a Sweep,
    opts: SweepOptions,
    header: JournalHeader,
    journal_path: PathBuf,
    journal: Mutex<File>,
    pending: Vec<u64>,
    resumed: u64,
    start: Instant,
    /// Held until the outputs are written.
    _lock: OutputLock,
}

impl<'a> SweepRun<'a> {
    /// Locks and prepares `out_dir`: a new journal, or with `resume` the existing one checked
    /// against this sweep, its rows verified, and a last line cut short dropped.
    pub fn open(sweep: &'a Sweep, opts: SweepOptions) -> Result<SweepRun<'a>> {
        let start = Instant::now();
        let out = &opts.out_dir;
        let lock = OutputLock::acquire(out)?;
        check_kinds(out)?;
        // Under the lock no live writer owns temporary files: those left are a killed one's.
        let series_dir = out.join("series");
        remove_stale_temps(out)?;
        remove_stale_temps(&series_dir)?;

        let journal_path = out.join(JOURNAL);
        let header = JournalHeader::new(sweep, opts.shard, opts.series);
        let refuse = |why: String| Error::Other(format!("{}: {why}", out.display()));
        let existing = match peek(&journal_path)? {
            Peek::Header(found) => match (check_header(&found, &header), opts.resume, opts.force) {
                (Ok(()), true, _) => Some(scan(sweep, &journal_path, &header)?),
                (Ok(()), false, true) => None,
                (Ok(()), false, false) => {
                    let n = scan(sweep, &journal_path, &header).map_or("?".into(), |s| s.rows.len().to_string());
                    return Err(refuse(format!(
                        "already holds this sweep's journal ({n} runs done): add --resume to continue it, \
                         --force to start over, or choose another --out"
                    )));
                }
                (Err(_), false, true) => None,
                (Err(why), true, true) => {
                    return Err(refuse(format!("{JOURNAL}: {why} (without --resume)")));
                }
                (Err(why), _, _) => return Err(refuse(format!("{JOURNAL}: {why}"))),
            },
            Peek::Unusable(why) if !opts.force => {
                return Err(refuse(format!("{JOURNAL}: {why}: choose another --out, or --force to start over")));
            }
            Peek::Missing | Peek::Cut | Peek::Unusable(_) => {
                let foreign = if opts.force { Vec::new() } else { foreign_entries(out, sweep, opts.shard)? };
                if !foreign.is_empty() {
                    return Err(refuse(format!(
                        "not empty and not this sweep's folder ({}): choose another --out, or add --force to \
                         write the sweep's files into it (other files are left alone)",
                        foreign.join(", ")
                    )));
                }
                None
            }
        };

        std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
        let mut done = vec![false; sweep.runs() as usize];
        let resumed = existing.as_ref().map_or(0, |s| s.rows.len() as u64);
        match &existing {
            Some(s) => {
                for (r, _) in &s.rows {
                    done[*r as usize] = true;
                }
                if s.good_len < s.len {
                    // A last line cut short: the journal is copied without it and renamed over
                    // itself (never truncated in place, so a crash now loses nothing).
                    copy_prefix(&journal_path, s.good_len)?;
                }
            }
            None => {
                write_atomic(&journal_path, header.text(sweep).as_bytes())?;
            }
        }
        let journal =
            OpenOptions::new().append(true).open(&journal_path).map_err(|e| Error::write(&journal_path, e))?;
        if opts.series {
            std::fs::create_dir_all(&series_dir).map_err(|e| Error::write(&series_dir, e))?;
        }
        let shard = opts.shard;
        let pending: Vec<u64> = (0..sweep.runs()).filter(|&r| shard.contains(r) && !done[r as usize]).collect();
        Ok(SweepRun {
            sweep,
            opts,
            header,
            journal_path,
            journal: Mutex::new(journal),
            pending,
            resumed,
            start,
            _lock: lock,
        })
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
            j.write_all(row_line(&line).as_bytes()).map_err(|e| Error::write(&self.journal_path, e))?;
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
        let s = scan(sweep, &self.journal_path, &self.header)?;
        let mut rows = Rows::new(sweep.runs());
        let f = rows.add_file(&self.journal_path)?;
        for (r, off) in s.rows {
            // A run written twice (never expected under the lock) keeps its first row.
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

/// Refuses an output folder, or a `series/` or journal in it, that is something else than a
/// folder or file: a symbolic link planted there would lead writes outside the folder.
pub(crate) fn check_kinds(out: &Path) -> Result<()> {
    let kind = |p: &Path| std::fs::symlink_metadata(p).ok().map(|m| m.file_type());
    let folder = |p: &Path| kind(p).is_none_or(|t| t.is_dir());
    if !folder(out) {
        return Err(Error::Other(format!(
            "--out {} exists and is not a folder (or is a symbolic link)",
            out.display()
        )));
    }
    let series = out.join("series");
    let journal = out.join(JOURNAL);
    if !folder(&series) || kind(&journal).is_some_and(|t| !t.is_file()) {
        return Err(Error::Other(format!(
            "{}: its series/ or {JOURNAL} is not a plain folder or file: remove it",
            out.display()
        )));
    }
    Ok(())
}

/// The entries that make `out` (which holds no journal of this sweep) another's folder: names
/// a sweep does not write, or outputs without this sweep's (and shard's) `manifest.json`.
fn foreign_entries(out: &Path, sweep: &Sweep, shard: Shard) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(out) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Read { path: out.to_path_buf(), source: e }),
    };
    let mut names = Vec::new();
    for e in entries {
        let e = e.map_err(|e| Error::Read { path: out.to_path_buf(), source: e })?;
        names.push(e.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    let mut foreign: Vec<String> =
        names.iter().filter(|n| !SWEEP_ENTRIES.contains(&n.as_str())).take(MAX_NAMED).cloned().collect();
    let outputs = ["runs.csv", "aggregate.csv", "manifest.json"];
    if foreign.is_empty() && names.iter().any(|n| outputs.contains(&n.as_str())) {
        let ours = SweepManifest::read(out).is_ok_and(|m| {
            let m_shard = m.shard.as_ref().map_or(Shard::ALL, |s| Shard { index: s.index, count: s.count });
            m.fingerprint == sweep.fingerprint && m_shard == shard
        });
        if !ours {
            foreign.push("outputs of another sweep or shard, or without a manifest.json".into());
        }
    }
    Ok(foreign)
}

/// Replaces `path` by its first `len` bytes, atomically.
fn copy_prefix(path: &Path, len: u64) -> Result<()> {
    let src = File::open(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    let mut dest = AtomicFile::create(path)?;
    let copied = std::io::copy(&mut src.take(len), &mut dest).map_err(|e| Error::write(path, e))?;
    if copied != len {
        return Err(Error::Other(format!("{}: shorter than it was a moment ago", path.display())));
    }
    dest.commit().map(drop)
}
