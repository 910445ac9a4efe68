//! Files that appear whole or not at all: written to a hidden temporary file in the same
//! directory, then renamed over the destination (rename is atomic within a filesystem).
//!
//! The temporary file is created exclusively (`O_EXCL`) under an unpredictable name, so a
//! file or symlink planted at a guessable name can neither be followed nor overwritten.

use crate::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Every temporary file hashsim writes ends with this: what [`remove_stale_temps`] removes.
pub const TEMP_SUFFIX: &str = ".hashsim-tmp";

/// Random characters in a temporary file's name (62^10: never guessed, never collides).
const TEMP_RAND_CHARS: usize = 10;

/// A file being written; it replaces `dest` on [`AtomicFile::commit`] and vanishes if dropped
/// before that (a failed or interrupted run leaves no half-written output).
#[derive(Debug)]
pub struct AtomicFile {
    dest: PathBuf,
    writer: Option<BufWriter<NamedTempFile>>,
    /// Whether committing syncs the file to disk first (not inside a staged folder, which is
    /// synced whole before it is published).
    sync: bool,
}

impl AtomicFile {
    pub fn create(dest: impl Into<PathBuf>) -> Result<AtomicFile> {
        AtomicFile::open(dest.into(), true)
    }

    /// A file inside a staged folder ([`super::stage::Staged`]): committing it renames it
    /// without syncing, as [`super::stage::Staged::publish`] syncs every file of the folder at
    /// once before the folder appears (one sync a file, all in parallel, instead of one after
    /// another: ~1 ms each on the development machine, a tenth of a 10,000-miner CORE-1 run).
    pub fn create_staged(dest: impl Into<PathBuf>) -> Result<AtomicFile> {
        AtomicFile::open(dest.into(), false)
    }

    fn open(dest: PathBuf, sync: bool) -> Result<AtomicFile> {
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(TEMP_SUFFIX)
            .rand_bytes(TEMP_RAND_CHARS)
            .tempfile_in(&dir)
            .map_err(|e| Error::write(&dest, e))?;
        Ok(AtomicFile { dest, writer: Some(BufWriter::with_capacity(1 << 16, tmp)), sync })
    }

    pub fn path(&self) -> &Path {
        &self.dest
    }

    /// Flushes, syncs (unless staged) and renames into place.
    pub fn commit(mut self) -> Result<PathBuf> {
        let Some(w) = self.writer.take() else {
            return Err(Error::Other(format!("internal: {} committed twice", self.dest.display())));
        };
        let tmp = w.into_inner().map_err(|e| Error::write(&self.dest, e.into_error()))?;
        if self.sync {
            tmp.as_file().sync_all().map_err(|e| Error::write(&self.dest, e))?;
        }
        tmp.persist(&self.dest).map_err(|e| Error::write(&self.dest, e.error))?;
        Ok(self.dest.clone())
    }

    fn writer(&mut self) -> std::io::Result<&mut BufWriter<NamedTempFile>> {
        self.writer.as_mut().ok_or_else(|| std::io::Error::other("write after commit"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer()?.flush()
    }
}

// Dropping an uncommitted `AtomicFile` drops its `NamedTempFile`, which deletes the file.

/// Writes `bytes` to `dest` atomically.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<PathBuf> {
    write_whole(AtomicFile::create(dest)?, bytes)
}

/// [`write_atomic`] for a file inside a staged folder ([`AtomicFile::create_staged`]).
pub fn write_staged(dest: &Path, bytes: &[u8]) -> Result<PathBuf> {
    write_whole(AtomicFile::create_staged(dest)?, bytes)
}

fn write_whole(mut f: AtomicFile, bytes: &[u8]) -> Result<PathBuf> {
    f.write_all(bytes).map_err(|e| Error::write(&f.dest, e))?;
    f.commit()
}

/// Removes the temporary files that a killed process left in `dir` (a kill skips destructors).
/// Call it only while holding the folder's [`OutputLock`](super::lock::OutputLock): then no
/// live writer owns them.
pub fn remove_stale_temps(dir: &Path) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(0) };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(TEMP_SUFFIX) {
            let path = entry.path();
            // symlink_metadata: a planted link is removed as a link, its target untouched.
            let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            let gone = if is_dir { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
            gone.map_err(|e| Error::write(&path, e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_renames_and_drop_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.csv");
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.write_all(b"partial").unwrap();
            // dropped without commit
        }
        assert!(!dest.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "temp file left behind");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"whole").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Catches a temp file opened by a guessable name that follows a planted symlink (the old
    /// `.NAME.PID.tmp` with `File::create` overwrote the link's target).
    #[cfg(unix)]
    #[test]
    fn planted_symlinks_are_neither_followed_nor_kept() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let dest = dir.path().join("summary.csv");
        // Every name a predictable scheme could pick, and the destination itself.
        std::os::unix::fs::symlink(&victim, dir.path().join(format!(".summary.csv.{}.tmp", std::process::id())))
            .unwrap();
        std::os::unix::fs::symlink(&victim, &dest).unwrap();
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&dest).unwrap().file_type().is_symlink(), "dest is still a link");
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
    }

    #[test]
    fn stale_temps_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(format!(".a.csv.x1{TEMP_SUFFIX}")), b"stale").unwrap();
        std::fs::write(dir.path().join(".keep.tmp"), b"not ours").unwrap();
        std::fs::write(dir.path().join("a.csv"), b"result").unwrap();
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 1);
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        left.sort();
        assert_eq!(left, [".keep.tmp", "a.csv"]);
    }
}
