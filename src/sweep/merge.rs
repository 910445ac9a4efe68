//! `hashsim merge`: shard folders of one sweep -> the `runs.csv` and `aggregate.csv` a
//! single-machine sweep writes (the same bytes: both are written by the same functions from
//! the same rows), refusing mixed sweeps and missing or duplicated runs.

use super::exec::check_kinds;
use super::fingerprint::why_different;
use super::journal::{peek, Peek, JOURNAL};
use super::manifest_check::{axis_mismatch, same_sweep, AxisCells};
use super::output::{
    csv_line, file_name, parse_line, parse_metric, write_aggregate, write_runs, Rows, Shape, SweepManifest,
    MAX_ROW_FILES,
};
use super::shard::{Shard, MAX_SHARDS};
use super::spec::{run_id, run_seed, seed_point, RUN_COLUMNS};
use crate::error::{Error, Result};
use crate::output::atomic::{remove_stale_temps, AtomicFile};
use crate::output::lock::{normalize, OutputLock};
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
/// manifest (whose name is checked to be one safe folder name).
pub fn default_out(dirs: &[PathBuf]) -> Result<PathBuf> {
    let first = dirs.first().ok_or_else(|| Error::Other("merge needs at least one shard folder".into()))?;
    Ok(PathBuf::from("results").join(SweepManifest::read(first)?.name))
}

/// Merges the shard folders `dirs` into `out`. Everything read is checked before anything is
/// written; `out` is locked while it is written, and must be empty, absent or this sweep's
/// unless `force` (then only the merge's own files are replaced).
pub fn merge(dirs: &[PathBuf], out: &Path, command: &str, force: bool) -> Result<MergeReport> {
    let start = Instant::now();
    if dirs.is_empty() {
        return Err(Error::Other("merge needs at least one shard folder".into()));
    }
    let max_dirs = MAX_ROW_FILES.min(MAX_SHARDS as usize);
    if dirs.len() > max_dirs {
        return Err(Error::Other(format!("at most {max_dirs} shard folders (got {})", dirs.len())));
    }
    // Each folder: a finished sweep or shard of the same sweep, by the same build.
    let mut manifests = Vec::new();
    for d in dirs {
        manifests.push(read_shard(d)?);
    }
    let first = &manifests[0];
    for (d, m) in dirs.iter().zip(&manifests).skip(1) {
        if m.fingerprint != first.fingerprint {
            return Err(Error::Other(format!(
                "mixed sweeps: {} is sweep {:?} (fingerprint {}, {} runs), {} is sweep {:?} (fingerprint {}, {} runs): \
                 {}; merge only the shards of one sweep",
                dirs[0].display(),
                first.name,
                first.fingerprint,
                first.runs,
                d.display(),
                m.name,
                m.fingerprint,
                m.runs,
                why_different(&first.inputs, &m.inputs)
            )));
        }
        if let Err(field) = same_sweep(first, m) {
            return Err(Error::Other(format!(
                "{}: manifest.json differs from {}'s in {field} though their fingerprints match: one was edited; \
                 merge only unedited shard folders",
                d.display(),
                dirs[0].display()
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
    let written = check_out_apart(dirs, out)?;

    // Index every row; refuse duplicates and rows that do not belong.
    let total = first.runs;
    let columns = first.columns();
    let header = csv_line(&columns);
    let cells = AxisCells::new(first);
    let mut rows = Rows::new(total);
    for (i, (d, m)) in dirs.iter().zip(&manifests).enumerate() {
        let path = d.join("runs.csv");
        let f = rows.add_file(&path)?;
        debug_assert_eq!(f, i);
        let n = index_rows(&path, &header, first, &cells, f, &mut rows, dirs)?;
        let want = m.shard.as_ref().map_or(m.runs, |s| s.runs);
        if n != want {
            return Err(Error::Other(format!("{}: {n} runs, its manifest.json says {want}", path.display())));
        }
    }
    let missing: Vec<u64> = rows.missing().collect();
    if !missing.is_empty() {
        return Err(missing_error(&missing, total, &manifests));
    }

    // Everything checks out: write, holding the folder's lock.
    let _lock = OutputLock::acquire(out)?;
    check_kinds(out)?;
    if !force {
        let foreign = foreign_entries(out, first, &written)?;
        if !foreign.is_empty() {
            return Err(Error::Other(format!(
                "{} is not empty and not this sweep's folder ({}): choose another --out, or add --force to write \
                 the merge's files into it (other files are left alone)",
                out.display(),
                foreign.join(", ")
            )));
        }
    }
    std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    let dest_dir = out.join("series");
    remove_stale_temps(out)?;
    remove_stale_temps(&dest_dir)?;
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
            std::fs::create_dir_all(&dest_dir).map_err(|e| Error::write(&dest_dir, e))?;
            link_or_copy(&src, &dest_dir.join(&name))?;
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

/// A shard folder's checked manifest, once the folder is known to be finished and its
/// journal (if any) to agree with it.
fn read_shard(d: &Path) -> Result<SweepManifest> {
    let finished = d.join("manifest.json").is_file() && d.join("runs.csv").is_file();
    if !finished {
        return Err(Error::Other(match journal_runs(d) {
            Some(n) => format!(
                "{}: this shard has not finished ({n} runs in its journal, no runs.csv yet): run its \
                 `hashsim sweep ... --shard K/N` again with --resume",
                d.display()
            ),
            None => format!("{}: not a sweep or shard folder (no manifest.json, runs.csv or {JOURNAL})", d.display()),
        }));
    }
    let m = SweepManifest::read(d)?;
    if let Peek::Header(h) = peek(&d.join(JOURNAL))? {
        let shard = m.shard.as_ref().map_or(Shard::ALL, |s| Shard { index: s.index, count: s.count });
        if (&h.fingerprint, h.shard, h.runs) != (&m.fingerprint, shard, m.runs) {
            return Err(Error::Other(format!(
                "{}: manifest.json (fingerprint {}, shard {shard}, {} runs) disagrees with {JOURNAL} (fingerprint {}, \
                 shard {}, {} runs)",
                d.display(),
                m.fingerprint,
                m.runs,
                h.fingerprint,
                h.shard,
                h.runs
            )));
        }
    }
    Ok(m)
}

/// "N of TOTAL runs are missing", naming a few and the shards not given.
fn missing_error(missing: &[u64], total: u64, manifests: &[SweepManifest]) -> Error {
    let listed: Vec<String> = missing.iter().take(MAX_LISTED).map(|&r| run_id(r, total)).collect();
    let more =
        if missing.len() > MAX_LISTED { format!(" and {} more", missing.len() - MAX_LISTED) } else { String::new() };
    let present: Vec<String> = manifests
        .iter()
        .map(|m| m.shard.as_ref().map_or("all".to_string(), |s| format!("{}/{}", s.index, s.count)))
        .collect();
    let mut hint = String::new();
    if let Some(count) = manifests.iter().find_map(|m| m.shard.as_ref().map(|s| s.count)) {
        let absent: Vec<String> = (0..count)
            .filter(|k| !manifests.iter().any(|m| m.shard.as_ref().is_some_and(|s| s.index == *k && s.count == count)))
            .take(MAX_LISTED)
            .map(|k| format!("{k}/{count}"))
            .collect();
        if !absent.is_empty() {
            hint = format!("; missing shard(s): {}", absent.join(", "));
        }
    }
    Error::Other(format!(
        "{} of {total} runs are missing ({}{more}); shards given: {}{hint}",
        missing.len(),
        listed.join(", "),
        present.join(", ")
    ))
}

/// What a merge writes in its output folder.
const MERGE_OUTPUTS: [&str; 4] = ["runs.csv", "aggregate.csv", "manifest.json", "series"];

/// Refuses an output folder whose files would land in a shard folder (`out` equal to one, or
/// inside one, or a shard folder where the merge writes), comparing absolute paths with `.`
/// and `..` resolved and symbolic links followed. A shard folder elsewhere inside `out`
/// (`OUT/shards/shard-K-of-N`, the default layout) is fine. Returns the folders' resolved paths.
fn check_out_apart(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>> {
    let out_real = real_path(out)?;
    let written: Vec<PathBuf> = MERGE_OUTPUTS.iter().map(|n| out_real.join(n)).collect();
    for d in dirs {
        let d_real = real_path(d)?;
        if written.iter().any(|w| w.starts_with(&d_real) || d_real.starts_with(w)) {
            return Err(Error::Other(format!(
                "--out {} would write into the shard folder {}: choose another --out",
                out.display(),
                d.display()
            )));
        }
    }
    dirs.iter().map(|d| real_path(d)).collect()
}

/// `p` absolute, its existing part with symbolic links resolved, the rest with `.` and `..`
/// applied as `create_dir_all` would create it.
fn real_path(p: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(p).map_err(|e| Error::Read { path: p.to_path_buf(), source: e })?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for c in rest.iter().rev() {
                out.push(c);
            }
            return Ok(normalize(&out));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            // `..` as the last component: keep it for `normalize`.
            (Some(parent), None) => {
                rest.push("..".into());
                existing = parent;
            }
            (None, _) => return Ok(normalize(&abs)),
        }
    }
}

/// The entries that make `out` another's folder: names a merge does not write (other than
/// folders holding the shard folders `inputs`), or outputs without this sweep's manifest.
/// The folder `scripts/slurm/submit.sh` keeps the job logs in, inside the sweep's folder
/// beside `shards/`: part of a Slurm sweep's own layout, not foreign.
const SLURM_LOGS: &str = "logs";

fn foreign_entries(out: &Path, sweep: &SweepManifest, inputs: &[PathBuf]) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(out) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Read { path: out.to_path_buf(), source: e }),
    };
    let mut foreign = Vec::new();
    let mut outputs = false;
    for e in entries {
        let e = e.map_err(|e| Error::Read { path: out.to_path_buf(), source: e })?;
        let name = e.file_name().to_string_lossy().into_owned();
        let holds_input = real_path(&e.path()).is_ok_and(|p| inputs.iter().any(|i| i.starts_with(&p)));
        if MERGE_OUTPUTS.contains(&name.as_str()) || name == "figures" || name == SLURM_LOGS {
            outputs |= name != "series" && name != "figures" && name != SLURM_LOGS;
        } else if name == JOURNAL {
            outputs = true;
        } else if !holds_input {
            foreign.push(name);
        }
    }
    foreign.sort();
    foreign.truncate(MAX_LISTED);
    if foreign.is_empty() && outputs && !SweepManifest::read(out).is_ok_and(|m| m.fingerprint == sweep.fingerprint) {
        foreign.push("outputs of another sweep, or without a manifest.json".into());
    }
    Ok(foreign)
}

/// Puts `src` at `dest` as a hard link, or a copy written atomically where links fail.
fn link_or_copy(src: &Path, dest: &Path) -> Result<()> {
    match std::fs::remove_file(dest) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::write(dest, e)),
        _ => {}
    }
    if std::fs::hard_link(src, dest).is_ok() {
        return Ok(());
    }
    let mut from = std::fs::File::open(src).map_err(|e| Error::Read { path: src.to_path_buf(), source: e })?;
    let mut to = AtomicFile::create(dest)?;
    std::io::copy(&mut from, &mut to).map_err(|e| Error::write(dest, e))?;
    to.commit().map(drop)
}

/// Indexes the rows of one shard's `runs.csv` (file number `f`), checking each against the
/// sweep's run list and axis values; returns how many there are.
fn index_rows(
    path: &Path,
    header: &str,
    m: &SweepManifest,
    cells: &AxisCells,
    f: usize,
    rows: &mut Rows,
    dirs: &[PathBuf],
) -> Result<u64> {
    let file = std::fs::File::open(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    let mut reader = BufReader::new(file);
    let bad = |line: usize, msg: String| Error::Other(format!("{}:{line}: {msg}", path.display()));
    let mut buf = String::new();
    let mut offset = 0u64;
    let mut count = 0;
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
            let want = [p.to_string(), rep.to_string(), run_seed(m.seed, seed_point(m.method, p), rep).to_string()];
            if fields[1..RUN_COLUMNS.len()] != want[..] {
                return Err(bad(line_no, format!("run {} has the wrong point, replicate or seed", fields[0])));
            }
            let got = &fields[RUN_COLUMNS.len()..RUN_COLUMNS.len() + naxes];
            if let Some(key) = axis_mismatch(m, got, &cells.of(p)) {
                return Err(bad(
                    line_no,
                    format!("run {}: its {key} is not the manifest's value for point {p}", fields[0]),
                ));
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
            count += 1;
        }
        offset += n as u64;
    }
    Ok(count)
}

/// How many finished runs the journal in `dir` holds (for messages about unfinished shards).
pub fn journal_runs(dir: &Path) -> Option<u64> {
    let mut reader = BufReader::new(std::fs::File::open(dir.join(JOURNAL)).ok()?);
    let mut lines = 0u64;
    loop {
        let buf = reader.fill_buf().ok()?;
        if buf.is_empty() {
            break;
        }
        lines += buf.iter().filter(|b| **b == b'\n').count() as u64;
        let n = buf.len();
        reader.consume(n);
    }
    Some(lines.saturating_sub(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches path comparisons that `..`, `.` or a symbolic link get around.
    #[test]
    fn real_paths_resolve_dots_and_links() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("s1")).unwrap();
        assert_eq!(real_path(&real.join("s1/../s1")).unwrap(), real.join("s1"));
        assert_eq!(real_path(&real.join("./s1/.")).unwrap(), real.join("s1"));
        assert_eq!(real_path(&real.join("new/../s1/x")).unwrap(), real.join("s1/x"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(real.join("s1"), real.join("link")).unwrap();
            assert_eq!(real_path(&real.join("link/sub/..")).unwrap(), real.join("s1"));
        }
    }
}
