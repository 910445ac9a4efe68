//! The journal (`runs.journal`): what a sweep has finished, in completion order, so a killed
//! sweep resumes with only the runs that are missing.
//!
//! Format v2: a header line `#hashsim-sweep-journal v2 {json}` (fingerprint, shard, options,
//! build, input files), the `runs.csv` header, then one line per finished run:
//! `CHECKSUM ROW`, where ROW is the run's `runs.csv` row and CHECKSUM the FNV-1a 64 of ROW's
//! bytes (without its `\n`) as 16 lowercase hex digits. Each line is appended with a single
//! `write` to a file opened for appending only. A line that does not end in `\n`, or the last
//! line if its checksum fails, is a write cut short (runs in flight when the process died);
//! a failing line anywhere else is corruption, reported with its line number.

use super::fingerprint::{fnv1a, why_different, InputFile, FNV_OFFSET};
use super::output::{csv_line, parse_line, parse_metric};
use super::shard::Shard;
use super::spec::{run_id, Sweep, RUN_COLUMNS};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The journal's file name in the output folder.
pub const JOURNAL: &str = "runs.journal";
/// The start of every journal's first line, whatever its version.
const JOURNAL_TAG: &str = "#hashsim-sweep-journal ";
const MAGIC: &str = "#hashsim-sweep-journal v2 ";
/// Hex digits of a row's checksum, then one space.
const CHECKSUM_DIGITS: usize = 16;
const ROW_PREFIX: usize = CHECKSUM_DIGITS + 1;
/// Longest header line read (it holds a fingerprint and a list of input files).
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// The journal's first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct JournalHeader {
    pub fingerprint: String,
    pub shard: Shard,
    pub series: bool,
    pub runs: u64,
    pub hashsim_version: String,
    pub git_commit: Option<String>,
    pub inputs: Vec<InputFile>,
}

impl JournalHeader {
    pub(crate) fn new(sweep: &Sweep, shard: Shard, series: bool) -> JournalHeader {
        JournalHeader {
            fingerprint: sweep.fingerprint.clone(),
            shard,
            series,
            runs: sweep.runs(),
            hashsim_version: env!("CARGO_PKG_VERSION").into(),
            git_commit: crate::output::manifest::GIT_COMMIT.map(str::to_string),
            inputs: sweep.inputs.clone(),
        }
    }

    /// The header's two lines: this line and the `runs.csv` columns.
    pub(crate) fn text(&self, sweep: &Sweep) -> String {
        format!("{MAGIC}{}\n{}", serde_json::to_string(self).unwrap_or_default(), csv_line(sweep.columns()))
    }
}

/// A finished run's journal line: its checksum, a space, its `runs.csv` row (`row` ends in `\n`).
pub(crate) fn row_line(row: &str) -> String {
    let body = row.strip_suffix('\n').unwrap_or(row);
    format!("{:016x} {body}\n", fnv1a(FNV_OFFSET, body.as_bytes()))
}

/// What the first line of the journal at a path says.
pub(crate) enum Peek {
    Missing,
    /// Cut inside its first line by a kill, holding nothing: to be started afresh.
    Cut,
    Header(JournalHeader),
    /// Unusable; why.
    Unusable(String),
}

pub(crate) fn peek(path: &Path) -> Result<Peek> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Peek::Missing),
        Err(e) => return Err(Error::Read { path: path.to_path_buf(), source: e }),
    };
    let mut line = Vec::new();
    BufReader::new(f.take(MAX_HEADER_BYTES))
        .read_until(b'\n', &mut line)
        .map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    let text = String::from_utf8_lossy(&line);
    if !text.ends_with('\n') {
        let cut = JOURNAL_TAG.starts_with(&*text) || text.starts_with(JOURNAL_TAG);
        return Ok(if cut { Peek::Cut } else { Peek::Unusable("not a hashsim sweep journal".into()) });
    }
    if let Some(json) = text.strip_prefix(MAGIC) {
        return Ok(match serde_json::from_str(json) {
            Ok(h) => Peek::Header(h),
            Err(_) => Peek::Unusable("its header is damaged".into()),
        });
    }
    Ok(Peek::Unusable(match text.strip_prefix(JOURNAL_TAG) {
        Some(rest) => format!(
            "it is a journal of another format ({}) from another hashsim version",
            rest.split_whitespace().next().unwrap_or("?")
        ),
        None => "not a hashsim sweep journal".into(),
    }))
}

/// What a journal holds.
pub(crate) struct Scan {
    /// (run, byte offset of its `runs.csv` row, past the checksum), in file order.
    pub rows: Vec<(u64, u64)>,
    /// Length up to the end of the last good line.
    pub good_len: u64,
    /// The file's length: more than `good_len` if its last line was cut short.
    pub len: u64,
}

/// Reads a journal: checks its header against `expect` and every row against the sweep and
/// its checksum.
pub(crate) fn scan(sweep: &Sweep, path: &Path, expect: &JournalHeader) -> Result<Scan> {
    let f = File::open(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    let len = f.metadata().map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?.len();
    let mut reader = BufReader::new(f);
    let bad = |line: usize, msg: String| Error::Other(format!("{}:{line}: {msg}", path.display()));
    let mut buf = Vec::new();
    let (mut offset, mut line_no, mut rows) = (0u64, 0usize, Vec::new());
    let columns = csv_line(sweep.columns());
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
        if n == 0 || buf.last() != Some(&b'\n') {
            break; // the end, or a line cut short
        }
        line_no += 1;
        let text = String::from_utf8_lossy(&buf);
        match line_no {
            1 => {
                let h: JournalHeader = text
                    .strip_prefix(MAGIC)
                    .and_then(|j| serde_json::from_str(j).ok())
                    .ok_or_else(|| bad(1, "not a hashsim sweep journal of this version".into()))?;
                check_header(&h, expect).map_err(|m| bad(1, m))?;
            }
            2 if text != columns => {
                return Err(bad(
                    2,
                    format!("its columns differ from this sweep's: {} vs {}", text.trim_end(), columns.trim_end()),
                ));
            }
            2 => {}
            _ => {
                let Some(row) = verified_row(&text) else {
                    if offset + n as u64 == len {
                        break; // the last line, cut short
                    }
                    return Err(bad(
                        line_no,
                        "the row's checksum does not match: the journal is damaged; restore it or start the sweep \
                         over (--force)"
                            .into(),
                    ));
                };
                let r = check_row(sweep, row).map_err(|m| bad(line_no, m))?;
                rows.push((r, offset + ROW_PREFIX as u64));
            }
        }
        offset += n as u64;
    }
    if line_no < 2 {
        return Err(Error::Other(format!(
            "{}: the journal is cut inside its header: start the sweep over with --force",
            path.display()
        )));
    }
    Ok(Scan { rows, good_len: offset, len })
}

/// The row of a journal line (with its `\n`) if its checksum matches.
fn verified_row(line: &str) -> Option<&str> {
    let (sum, rest) = line.split_at_checked(CHECKSUM_DIGITS)?;
    let row = rest.strip_prefix(' ')?;
    let body = row.strip_suffix('\n')?;
    let sum = u64::from_str_radix(sum, 16).ok()?;
    (sum == fnv1a(FNV_OFFSET, body.as_bytes())).then_some(row)
}

pub(crate) fn check_header(found: &JournalHeader, want: &JournalHeader) -> std::result::Result<(), String> {
    if found.fingerprint != want.fingerprint {
        return Err(format!(
            "it belongs to another sweep: {} since it was started (fingerprint {}, now {}); use another --out, or \
             --force to start over",
            why_different(&found.inputs, &want.inputs),
            found.fingerprint,
            want.fingerprint
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches a checksum that does not cover the row, or a prefix that is not stripped.
    #[test]
    fn rows_carry_a_checksum_of_their_bytes() {
        let line = row_line("r000001,0,1,42,0.5\n");
        assert_eq!(line.len(), ROW_PREFIX + "r000001,0,1,42,0.5\n".len());
        assert_eq!(verified_row(&line), Some("r000001,0,1,42,0.5\n"));
        assert_eq!(verified_row(&line.replace("0.5", "0.6")), None, "a changed digit is caught");
        assert_eq!(verified_row(&line[..line.len() - 1]), None, "a row cut short is caught");
        assert_eq!(verified_row("r000001,0,1,42,0.5\n"), None);
        assert_eq!(verified_row(""), None);
    }
}
