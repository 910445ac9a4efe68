//! One writer per output folder: an OS advisory lock (`flock`) on a hidden file beside the
//! folder, `.NAME.lock`, held for as long as the writer lives. The lock sits beside the folder,
//! not in it, because a run builds its folder elsewhere and renames it into place.
//!
//! The lock file is never removed: unlinking a lock file lets a second process lock a fresh
//! inode while a third still holds the old one.

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
/// dies, however it dies).
#[derive(Debug)]
pub struct OutputLock {
    path: OutputPath,
    _file: File,
}

impl OutputLock {
    /// Locks the output folder `dir`, or fails at once if another process holds it.
    pub fn acquire(dir: &Path) -> Result<OutputLock> {
        let path = OutputPath::resolve(dir)?;
        let lock = path.sibling("lock");
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
            Ok(()) => Ok(OutputLock { path, _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::Other(format!(
                "another hashsim process is writing to {} (it holds {}): wait for it, or choose another --out",
                path.dir().display(),
                lock.display()
            ))),
            Err(TryLockError::Error(e)) => Err(Error::write(&lock, e)),
        }
    }

    pub fn path(&self) -> &OutputPath {
        &self.path
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
        OutputLock::acquire(&other_spelling).unwrap();
        assert!(!out.exists(), "locking must not create the folder itself");
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
