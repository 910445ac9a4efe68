//! A sweep's files: `runs.csv` and `aggregate.csv`, written by one code path from finished
//! run rows (wherever they came from: one journal, or the `runs.csv` of many shards), so a
//! single-machine sweep and merged shards give the same bytes; and `manifest.json`.

use super::axis::fmt_number;
use super::fingerprint::InputFile;
use super::shard::Shard;
use super::spec::{AxisSpec, Sweep, RUN_COLUMNS, SEED_DERIVATION};
use super::stats::{summarize, QUANTILE_DEFINITION};
use crate::error::{Error, Result};
use crate::output::atomic::AtomicFile;
use crate::scenario::Override;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The aggregate statistics, as column suffixes.
pub const STATS: [&str; 4] = ["mean", "p5", "p50", "p95"];

/// One CSV record as a line ending in `\n` (fields quoted only when needed).
pub(crate) fn csv_line<I, S>(fields: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(fields);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A metric as a CSV cell: [`fmt_number`], with no value (NaN) as an empty cell, as in
/// `summary.csv`.
pub fn metric_cell(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        fmt_number(v)
    }
}

/// A metric cell back to its value (empty = NaN); `None` if it is not a number.
pub fn parse_metric(cell: &str) -> Option<f64> {
    if cell.is_empty() {
        Some(f64::NAN)
    } else {
        cell.parse().ok().filter(|v: &f64| !v.is_nan())
    }
}

/// The fields of one CSV line.
pub(crate) fn parse_line(line: &str) -> Option<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
    let rec = r.records().next()?.ok()?;
    Some(rec.iter().map(str::to_string).collect())
}

/// Where each finished run's row is: a line in one of several files, found by offset.
pub(crate) struct Rows {
    files: Vec<(PathBuf, BufReader<File>)>,
    /// Per run index: file number in the top 16 bits, byte offset below; `MISSING` if absent.
    index: Vec<u64>,
}

const MISSING: u64 = u64::MAX;
const OFFSET_BITS: u32 = 48;
/// Most row files one [`Rows`] can index (file numbers in the top 16 bits, the last pattern
/// left to `MISSING`).
pub(crate) const MAX_ROW_FILES: usize = (1 << (64 - OFFSET_BITS)) - 1;

impl Rows {
    pub(crate) fn new(total: u64) -> Rows {
        Rows { files: Vec::new(), index: vec![MISSING; total as usize] }
    }

    /// Opens `path` as a row file; returns its number.
    pub(crate) fn add_file(&mut self, path: &Path) -> Result<usize> {
        let f = File::open(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
        self.files.push((path.to_path_buf(), BufReader::new(f)));
        Ok(self.files.len() - 1)
    }

    /// Records that run `run`'s row is at `offset` of file `file`. If the run already has a
    /// row, returns the file that holds it.
    pub(crate) fn insert(&mut self, run: u64, file: usize, offset: u64) -> std::result::Result<(), usize> {
        let slot = &mut self.index[run as usize];
        if *slot != MISSING {
            return Err((*slot >> OFFSET_BITS) as usize);
        }
        *slot = ((file as u64) << OFFSET_BITS) | offset;
        Ok(())
    }

    pub(crate) fn has(&self, run: u64) -> bool {
        self.index[run as usize] != MISSING
    }

    pub(crate) fn file_of(&self, run: u64) -> Option<usize> {
        self.has(run).then(|| (self.index[run as usize] >> OFFSET_BITS) as usize)
    }

    /// The runs without a row, in order.
    pub(crate) fn missing(&self) -> impl Iterator<Item = u64> + '_ {
        self.index.iter().enumerate().filter(|(_, s)| **s == MISSING).map(|(i, _)| i as u64)
    }

    /// Run `run`'s row, with its `\n`.
    pub(crate) fn line(&mut self, run: u64) -> Result<String> {
        let slot = self.index[run as usize];
        if slot == MISSING {
            return Err(Error::Other(format!("internal: run {run} has no row")));
        }
        let (path, f) = &mut self.files[(slot >> OFFSET_BITS) as usize];
        let mut line = String::new();
        let read = f.seek(SeekFrom::Start(slot & ((1 << OFFSET_BITS) - 1))).and_then(|_| f.read_line(&mut line));
        read.map_err(|e| Error::Read { path: path.clone(), source: e })?;
        Ok(line)
    }
}

/// Writes `runs.csv`: the header, then the rows of `runs` (ascending run order).
pub(crate) fn write_runs(
    dest: &Path,
    columns: &[String],
    rows: &mut Rows,
    runs: impl Iterator<Item = u64>,
) -> Result<PathBuf> {
    let mut out = AtomicFile::create(dest)?;
    out.write_all(csv_line(columns).as_bytes()).map_err(|e| Error::write(dest, e))?;
    for r in runs {
        let line = rows.line(r)?;
        out.write_all(line.as_bytes()).map_err(|e| Error::write(dest, e))?;
    }
    out.commit()
}

/// The shape `aggregate.csv` needs: how rows group into points and which columns are what.
pub(crate) struct Shape<'a> {
    pub points: u64,
    pub replicates: u32,
    pub axes: &'a [String],
    pub metrics: &'a [String],
}

/// Writes `aggregate.csv`: one row per point with its axis values, the replicate count, and
/// for every metric its mean, p5, p50 and p95 across the point's replicates (quantiles:
/// [`QUANTILE_DEFINITION`]). Reads one point's rows at a time, so memory stays flat.
pub(crate) fn write_aggregate(dest: &Path, shape: &Shape, rows: &mut Rows) -> Result<PathBuf> {
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(shape.axes.iter().cloned());
    header.push("replicates".into());
    for m in shape.metrics {
        header.extend(STATS.iter().map(|s| format!("{m}_{s}")));
    }
    let mut out = AtomicFile::create(dest)?;
    out.write_all(csv_line(&header).as_bytes()).map_err(|e| Error::write(dest, e))?;
    let first_metric = RUN_COLUMNS.len() + shape.axes.len();
    let reps = u64::from(shape.replicates);
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(reps as usize); shape.metrics.len()];
    for p in 0..shape.points {
        values.iter_mut().for_each(Vec::clear);
        let mut axis_cells: Vec<String> = Vec::new();
        for r in p * reps..(p + 1) * reps {
            let line = rows.line(r)?;
            let fields = parse_line(&line)
                .filter(|f| f.len() == first_metric + shape.metrics.len())
                .ok_or_else(|| Error::Other(format!("run {r}: malformed row {:?}", line.trim_end())))?;
            if r == p * reps {
                axis_cells = fields[RUN_COLUMNS.len()..first_metric].to_vec();
            } else if fields[RUN_COLUMNS.len()..first_metric] != axis_cells[..] {
                return Err(Error::Other(format!("point {p}: its runs have different axis values")));
            }
            for (m, cell) in fields[first_metric..].iter().enumerate() {
                values[m].push(parse_metric(cell).unwrap_or(f64::NAN));
            }
        }
        let mut row: Vec<String> = vec![p.to_string()];
        row.extend(axis_cells);
        row.push(shape.replicates.to_string());
        for v in &values {
            row.extend(summarize(v).iter().map(|x| metric_cell(*x)));
        }
        out.write_all(csv_line(&row).as_bytes()).map_err(|e| Error::write(dest, e))?;
    }
    out.commit()
}

/// One axis in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AxisManifest {
    pub key: String,
    #[serde(flatten)]
    pub spec: AxisSpec,
    /// A grid axis's values, as in the CSV columns (sampled values are in `runs.csv`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// A shard's slice in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardManifest {
    /// K counted from 0.
    pub index: u32,
    pub count: u32,
    pub runs: u64,
}

/// `manifest.json` of a sweep, a shard or a merge: everything needed to reproduce it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepManifest {
    /// Always `hashsim sweep`.
    pub kind: String,
    pub hashsim_version: String,
    pub git_commit: Option<String>,
    pub command: String,
    pub sweep_file: String,
    pub name: String,
    pub base_scenario: String,
    pub set: Vec<Override>,
    pub seed: u64,
    pub seed_derivation: String,
    pub replicates: u32,
    pub samples: Option<u32>,
    pub method: Option<super::axis::Method>,
    pub axes: Vec<AxisManifest>,
    pub points: u64,
    pub runs: u64,
    pub metrics: Vec<String>,
    pub quantiles: String,
    /// Identifies the run list; equal for all shards of one sweep.
    pub fingerprint: String,
    /// The files the scenarios read, with hashes of their bytes (part of the fingerprint).
    #[serde(default)]
    pub inputs: Vec<InputFile>,
    /// The slice this folder holds; absent for a whole or merged sweep.
    pub shard: Option<ShardManifest>,
    /// The shard folders a merge read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    pub series: bool,
    pub files: Vec<String>,
    pub threads: usize,
    pub wall_time_s: f64,
}

pub const MANIFEST_KIND: &str = "hashsim sweep";

/// Largest `manifest.json` read back: its axis values and input list, with room to spare.
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

impl SweepManifest {
    pub(crate) fn new(sweep: &Sweep, shard: Shard, series: bool, command: &str) -> SweepManifest {
        SweepManifest {
            kind: MANIFEST_KIND.into(),
            hashsim_version: env!("CARGO_PKG_VERSION").into(),
            git_commit: crate::output::manifest::GIT_COMMIT.map(str::to_string),
            command: command.into(),
            sweep_file: sweep.file.display().to_string(),
            name: sweep.name.clone(),
            base_scenario: sweep.base.display().to_string(),
            set: sweep.set.clone(),
            seed: sweep.seed,
            seed_derivation: SEED_DERIVATION.into(),
            replicates: sweep.replicates,
            samples: sweep.samples,
            method: sweep.method,
            axes: sweep
                .axes
                .iter()
                .map(|a| AxisManifest {
                    key: a.key.clone(),
                    spec: a.spec.clone(),
                    values: a.values.iter().map(|v| v.to_cell()).collect(),
                })
                .collect(),
            points: sweep.points,
            runs: sweep.runs(),
            metrics: sweep.metrics.iter().map(|m| m.to_string()).collect(),
            quantiles: QUANTILE_DEFINITION.into(),
            fingerprint: sweep.fingerprint.clone(),
            inputs: sweep.inputs.clone(),
            shard: (!shard.is_all()).then(|| ShardManifest {
                index: shard.index,
                count: shard.count,
                runs: shard.len(sweep.runs()),
            }),
            merged_from: Vec::new(),
            series,
            files: Vec::new(),
            threads: rayon::current_num_threads(),
            wall_time_s: 0.0,
        }
    }

    /// The columns of `runs.csv`.
    pub fn columns(&self) -> Vec<String> {
        RUN_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .chain(self.axes.iter().map(|a| a.key.clone()))
            .chain(self.metrics.iter().cloned())
            .collect()
    }

    pub(crate) fn write(&self, dest: &Path) -> Result<PathBuf> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::Other(e.to_string()))?;
        crate::output::atomic::write_atomic(dest, &json)
    }

    /// Reads and checks `dir/manifest.json` (every field: [`super::manifest_check`]).
    pub(crate) fn read(dir: &Path) -> Result<SweepManifest> {
        let path = dir.join("manifest.json");
        let bad = |msg: String| Error::Other(format!("{}: {msg}", path.display()));
        let size = std::fs::metadata(&path).map_err(|e| Error::Read { path: path.clone(), source: e })?.len();
        if size > MAX_MANIFEST_BYTES {
            return Err(bad(format!("{size} bytes: a sweep manifest is at most {MAX_MANIFEST_BYTES}")));
        }
        let text = crate::input::read_input(&path)?;
        let m: SweepManifest = serde_json::from_str(&text).map_err(|e| bad(format!("not a sweep manifest ({e})")))?;
        if m.kind != MANIFEST_KIND {
            return Err(bad(format!("not a sweep manifest (kind {:?})", m.kind)));
        }
        super::manifest_check::check(&m).map_err(bad)?;
        Ok(m)
    }
}

/// A file's name, for manifests and reports.
pub(crate) fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_round_trip() {
        let line = csv_line(["r000001", "a,b", "say \"hi\"", "0.1"]);
        assert_eq!(line, "r000001,\"a,b\",\"say \"\"hi\"\"\",0.1\n");
        assert_eq!(parse_line(&line).unwrap(), ["r000001", "a,b", "say \"hi\"", "0.1"]);
    }

    #[test]
    fn rows_find_lines_and_refuse_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rows");
        std::fs::write(&p, "b\na\n").unwrap();
        let mut rows = Rows::new(3);
        let f = rows.add_file(&p).unwrap();
        rows.insert(1, f, 0).unwrap();
        rows.insert(0, f, 2).unwrap();
        assert_eq!(rows.insert(0, f, 2), Err(f));
        assert_eq!(rows.line(0).unwrap(), "a\n");
        assert_eq!(rows.line(1).unwrap(), "b\n");
        assert_eq!(rows.missing().collect::<Vec<_>>(), vec![2]);
    }
}
