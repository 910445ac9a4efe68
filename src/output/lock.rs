//! One writer per output folder: an OS advisory lock (`flock`) on a hidden file beside the
//! folder, `.NAME.lock`, held for as long as the writer lives. The lock sits beside the folder,
//! not in it, because a run builds its folder elsewhere and renames it into place.
//!
//! The lock file is removed when the lock is released, so nothing is left beside the folder.
//! That is safe with one rule: after locking, a process checks that the path still names the
//! file it locked (same device and inode) and starts again if not, because the holder unlinks
//! the path while it still holds the lock.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Component, Path, PathBuf};

/// Where an output folder lives: its parent (created if missing, made absolute and free of
/// `.`/`..`) and its own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPath {
    pub parent: PathBuf,
    pub name: String,
}

impl OutputPath {
    /// Resolves `dir`; creates its parent folders.
    pub fn resolve(dir: &Path) -> Result<OutputPath> {
        let abs = normalize(&std::path::absolute(dir).map_err(|e| Error::write(dir, e))?);
        let name = match abs.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => return Err(Error::Other(format!("{}: the output must be a folder below /", dir.display()))),
        };
        let parent = abs.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
        std::fs::create_dir_all(&parent).map_err(|e| Error::write(&parent, e))?;
        // Resolve symlinks in the parent, so two spellings of one folder share one lock.
        let parent = parent.canonicalize().map_err(|e| Error::write(&parent, e))?;
        Ok(OutputPath { parent, name })
    }

    /// The folder itself.
    pub fn dir(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// A hidden sibling of the folder: `.NAME.SUFFIX`.
    pub fn sibling(&self, suffix: &str) -> PathBuf {
        self.parent.join(format!(".{}.{suffix}", self.name))
    }
}

/// `a/./b/../c` -> `a/c`, lexically (after `absolute`, so `..` never climbs past the root).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Exclusive right to write one output folder; released when dropped (or when the process
/// dies, however it dies: a kill leaves the file, which the next writer simply locks).
#[derive(Debug)]
pub struct OutputLock {
    path: OutputPath,
    lock: PathBuf,
    file: File,
    /// An interrupted process removes the lock file on its way out, too.
    _cleanup: super::cleanup::Registered,
}

/// How often to start again when the lock file was replaced under us (each time means another
/// writer finished in between; more than a few in a row means something else is going on).
const LOCK_ATTEMPTS: usize = 8;

impl OutputLock {
    /// Locks the output folder `dir`, or fails at once if another process holds it.
    pub fn acquire(dir: &Path) -> Result<OutputLock> {
        let path = OutputPath::resolve(dir)?;
        let lock = path.sibling("lock");
        for _ in 0..LOCK_ATTEMPTS {
            if std::fs::symlink_metadata(&lock).is_ok_and(|m| !m.file_type().is_file()) {
                return Err(Error::Other(format!("{} is not a regular file: remove it", lock.display())));
            }
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock)
                .map_err(|e| Error::write(&lock, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Other(format!(
                        "another hashsim process is writing to {} (it holds {}): wait for it, or choose another --out",
                        path.dir().display(),
                        lock.display()
                    )))
                }
                Err(TryLockError::Error(e)) => return Err(Error::write(&lock, e)),
            }
            if same_file(&file, &lock) {
                let cleanup = super::cleanup::register(&lock);
                return Ok(OutputLock { path, lock, file, _cleanup: cleanup });
            }
            // The holder we waited on removed the path before releasing: lock the new one.
        }
        Err(Error::Other(format!("{}: the lock file keeps changing; try again", lock.display())))
    }

    pub fn path(&self) -> &OutputPath {
        &self.path
    }
}

/// Whether `path` still names the open `file`.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Unlinked while still locked (see the module doc); the lock goes with the descriptor.
        if same_file(&self.file, &self.lock) {
            let _ = std::fs::remove_file(&self.lock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches a lock that does not exclude: a second writer on the same folder, even spelled
    /// differently, must be refused while the first lives, and admitted after.
    #[test]
    fn second_writer_is_refused_until_the_first_drops() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("results").join("run");
        let first = OutputLock::acquire(&out).unwrap();
        let other_spelling = dir.path().join("results").join("x").join("..").join("run");
        let err = OutputLock::acquire(&other_spelling).unwrap_err().to_string();
        assert!(err.contains("another hashsim process"), "{err}");
        drop(first);
        let again = OutputLock::acquire(&other_spelling).unwrap();
        assert!(!out.exists(), "locking must not create the folder itself");
        drop(again);
        let left: Vec<_> = std::fs::read_dir(dir.path().join("results")).unwrap().collect();
        assert!(left.is_empty(), "the lock file outlived the lock: {left:?}");
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("s1/../s1")), PathBuf::from("s1"));
    }

    #[test]
    fn the_root_is_no_output_folder() {
        assert!(OutputPath::resolve(Path::new("/")).is_err());
    }
}

#[cfg(all(test, unix))]
mod unlink_tests {
    use super::*;

    /// Catches the race that unlinking lock files opens without the inode check: a process
    /// that opened the old file before the holder unlinked it must not hold it as a lock once
    /// a third process has created and locked a new one.
    #[test]
    fn a_lock_on_an_unlinked_file_does_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let p = OutputPath::resolve(&out).unwrap();
        // A stale descriptor: opened, then the path replaced by a new file.
        let stale = OpenOptions::new().create(true).truncate(false).write(true).open(p.sibling("lock")).unwrap();
        std::fs::remove_file(p.sibling("lock")).unwrap();
        let holder = OutputLock::acquire(&out).unwrap();
        stale.try_lock().unwrap();
        assert!(!same_file(&stale, &p.sibling("lock")), "the stale descriptor would pass the check");
        assert!(OutputLock::acquire(&out).is_err(), "the real holder must still exclude others");
        drop(holder);
    }
}
