//! `hashsim merge`: shard folders of one sweep -> the `runs.csv` and `aggregate.csv` a
//! single-machine sweep writes (the same bytes: both are written by the same functions from
//! the same rows), refusing mixed sweeps and missing or duplicated runs.

use super::journal::JOURNAL;
use super::output::{
    csv_line, file_name, parse_line, parse_metric, write_aggregate, write_runs, Rows, Shape, SweepManifest,
};
use super::spec::{run_id, run_seed, RUN_COLUMNS};
use crate::error::{Error, Result};
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Run ids listed at most in a "missing runs" message.
const MAX_LISTED: usize = 8;

/// What a merge wrote.
#[derive(Debug, Clone)]
pub struct MergeReport {
    pub name: String,
    pub out_dir: PathBuf,
    pub shards: usize,
    pub runs: u64,
    pub series_files: u64,
    pub files: Vec<PathBuf>,
    pub wall_time_s: f64,
}

impl fmt::Display for MergeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: merged {} runs from {} folder(s) in {:.2} s -> {}",
            self.name,
            self.runs,
            self.shards,
            self.wall_time_s,
            self.out_dir.display()
        )?;
        let names: Vec<String> = self.files.iter().map(|p| file_name(p)).collect();
        write!(f, "wrote {}", names.join(", "))?;
        if self.series_files > 0 {
            write!(f, ", series/ ({} files)", self.series_files)?;
        }
        Ok(())
    }
}

/// The default output folder of a merge: `results/<sweep name>/`, from the first shard's
/// manifest.
pub fn default_out(dirs: &[PathBuf]) -> Result<PathBuf> {
    let first = dirs.first().ok_or_else(|| Error::Other("merge needs at least one shard folder".into()))?;
    Ok(PathBuf::from("results").join(SweepManifest::read(first)?.name))
}

/// Merges the shard folders `dirs` into `out`.
pub fn merge(dirs: &[PathBuf], out: &Path, command: &str) -> Result<MergeReport> {
    let start = Instant::now();
    if dirs.is_empty() {
        return Err(Error::Other("merge needs at least one shard folder".into()));
    }
    // Each folder: a finished sweep or shard of the same sweep, by the same build.
    let mut manifests = Vec::new();
    for d in dirs {
        let finished = d.join("manifest.json").is_file() && d.join("runs.csv").is_file();
        if !finished {
            return Err(Error::Other(match journal_runs(d) {
                Some(n) => format!(
                    "{}: this shard has not finished ({n} runs in its journal, no runs.csv yet): run its \
                     `hashsim sweep ... --shard K/N` again with --resume",
                    d.display()
                ),
                None => {
                    format!("{}: not a sweep or shard folder (no manifest.json, runs.csv or {JOURNAL})", d.display())
                }
            }));
        }
        let m = SweepManifest::read(d)?;
        manifests.push(m);
    }
    let first = &manifests[0];
    for (d, m) in dirs.iter().zip(&manifests).skip(1) {
        if m.fingerprint != first.fingerprint {
            return Err(Error::Other(format!(
                "mixed sweeps: {} is sweep {:?} (fingerprint {}, {} runs), {} is sweep {:?} (fingerprint {}, {} runs); \
                 merge only the shards of one sweep",
                dirs[0].display(),
                first.name,
                first.fingerprint,
                first.runs,
                d.display(),
                m.name,
                m.fingerprint,
                m.runs
            )));
        }
        if (&m.hashsim_version, &m.git_commit) != (&first.hashsim_version, &first.git_commit) {
            return Err(Error::Other(format!(
                "{} was computed by hashsim {} (commit {}), {} by {} (commit {}): shards of one sweep must come \
                 from one build",
                dirs[0].display(),
                first.hashsim_version,
                first.git_commit.as_deref().unwrap_or("unknown"),
                d.display(),
                m.hashsim_version,
                m.git_commit.as_deref().unwrap_or("unknown")
            )));
        }
    }
    let out_abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    for d in dirs {
        if std::path::absolute(d).map(|a| a == out_abs).unwrap_or(false) {
            return Err(Error::Other(format!("--out {} is one of the shard folders: choose another", out.display())));
        }
    }

    // Index every row; refuse duplicates and rows that do not belong.
    let total = first.runs;
    let columns = first.columns();
    let header = csv_line(&columns);
    let mut rows = Rows::new(total);
    for (i, d) in dirs.iter().enumerate() {
        let path = d.join("runs.csv");
        let f = rows.add_file(&path)?;
        debug_assert_eq!(f, i);
        index_rows(&path, &header, first, f, &mut rows, dirs)?;
    }
    let missing: Vec<u64> = rows.missing().collect();
    if !missing.is_empty() {
        let listed: Vec<String> = missing.iter().take(MAX_LISTED).map(|&r| run_id(r, total)).collect();
        let more = if missing.len() > MAX_LISTED {
            format!(" and {} more", missing.len() - MAX_LISTED)
        } else {
            String::new()
        };
        let present: Vec<String> = manifests
            .iter()
            .map(|m| m.shard.as_ref().map_or("all".to_string(), |s| format!("{}/{}", s.index, s.count)))
            .collect();
        let mut hint = String::new();
        if let Some(count) = manifests.iter().find_map(|m| m.shard.as_ref().map(|s| s.count)) {
            let absent: Vec<String> = (0..count)
                .filter(|k| {
                    !manifests.iter().any(|m| m.shard.as_ref().is_some_and(|s| s.index == *k && s.count == count))
                })
                .map(|k| format!("{k}/{count}"))
                .collect();
            if !absent.is_empty() {
                hint = format!("; missing shard(s): {}", absent.join(", "));
            }
        }
        return Err(Error::Other(format!(
            "{} of {total} runs are missing ({}{more}); shards given: {}{hint}",
            missing.len(),
            listed.join(", "),
            present.join(", ")
        )));
    }

    std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    let mut files = vec![write_runs(&out.join("runs.csv"), &columns, &mut rows, 0..total)?];
    let axes: Vec<String> = first.axes.iter().map(|a| a.key.clone()).collect();
    let shape = Shape { points: first.points, replicates: first.replicates, axes: &axes, metrics: &first.metrics };
    files.push(write_aggregate(&out.join("aggregate.csv"), &shape, &mut rows)?);

    // Per-run series, linked (or copied) from the shards that wrote them.
    let mut series_files = 0;
    for r in 0..total {
        let Some(f) = rows.file_of(r) else { continue };
        let name = format!("{}.csv", run_id(r, total));
        let src = dirs[f].join("series").join(&name);
        if src.is_file() {
            let dest_dir = out.join("series");
            std::fs::create_dir_all(&dest_dir).map_err(|e| Error::write(&dest_dir, e))?;
            let dest = dest_dir.join(&name);
            let _ = std::fs::remove_file(&dest);
            if std::fs::hard_link(&src, &dest).is_err() {
                std::fs::copy(&src, &dest).map_err(|e| Error::write(&dest, e))?;
            }
            series_files += 1;
        }
    }

    let wall_time_s = start.elapsed().as_secs_f64();
    let mut m = first.clone();
    m.command = command.to_string();
    m.shard = None;
    m.merged_from = dirs.iter().map(|d| d.display().to_string()).collect();
    m.series = series_files > 0;
    m.files = files.iter().map(|p| file_name(p)).chain(["manifest.json".to_string()]).collect();
    if series_files > 0 {
        m.files.push("series/".into());
    }
    m.threads = 1;
    m.wall_time_s = wall_time_s;
    files.push(m.write(&out.join("manifest.json"))?);
    Ok(MergeReport {
        name: first.name.clone(),
        out_dir: out.to_path_buf(),
        shards: dirs.len(),
        runs: total,
        series_files,
        files,
        wall_time_s,
    })
}

/// Indexes the rows of one shard's `runs.csv` (file number `f`), checking each against the
/// sweep's run list.
fn index_rows(path: &Path, header: &str, m: &SweepManifest, f: usize, rows: &mut Rows, dirs: &[PathBuf]) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    let mut reader = BufReader::new(file);
    let bad = |line: usize, msg: String| Error::Other(format!("{}:{line}: {msg}", path.display()));
    let mut buf = String::new();
    let mut offset = 0u64;
    let ncol = m.columns().len();
    let naxes = m.axes.len();
    for line_no in 1.. {
        buf.clear();
        let n = reader.read_line(&mut buf).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
        if n == 0 {
            break;
        }
        if !buf.ends_with('\n') {
            return Err(bad(line_no, "the file is cut short (no end of line)".into()));
        }
        if line_no == 1 {
            if buf != header {
                return Err(bad(1, "its columns differ from its manifest's".into()));
            }
        } else {
            let fields =
                parse_line(&buf).filter(|x| x.len() == ncol).ok_or_else(|| bad(line_no, "malformed row".into()))?;
            let r: u64 = fields[0]
                .strip_prefix('r')
                .and_then(|d| d.parse().ok())
                .filter(|r| *r < m.runs && run_id(*r, m.runs) == fields[0])
                .ok_or_else(|| bad(line_no, format!("bad run id {:?}", fields[0])))?;
            let reps = u64::from(m.replicates);
            let (p, rep) = (r / reps, (r % reps) as u32);
            let want = [p.to_string(), rep.to_string(), run_seed(m.seed, p, rep).to_string()];
            if fields[1..RUN_COLUMNS.len()] != want[..] {
                return Err(bad(line_no, format!("run {} has the wrong point, replicate or seed", fields[0])));
            }
            if fields[RUN_COLUMNS.len() + naxes..].iter().any(|c| parse_metric(c).is_none()) {
                return Err(bad(line_no, format!("run {}: a metric is not a number", fields[0])));
            }
            if let Err(other) = rows.insert(r, f, offset) {
                let (a, b) = (dirs[other].display(), dirs[f].display());
                return Err(Error::Other(if other == f {
                    format!("run {} appears twice in {a}", fields[0])
                } else {
                    format!(
                        "run {} is in both {a} and {b}: the same shard given twice, or overlapping shards",
                        fields[0]
                    )
                }));
            }
        }
        offset += n as u64;
    }
    Ok(())
}

/// How many finished runs the journal in `dir` holds (for messages about unfinished shards).
pub fn journal_runs(dir: &Path) -> Option<u64> {
    let bytes = std::fs::read(dir.join(JOURNAL)).ok()?;
    let complete_lines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
    Some(complete_lines.saturating_sub(2))
}
