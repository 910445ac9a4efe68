//! Folders and files to remove if the process is interrupted (Ctrl-C, SIGTERM, SIGHUP). The binary's
//! signal handler calls [`remove_registered`] and exits; the library only keeps the list.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static REGISTERED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Keeps `path` on the list until dropped.
#[derive(Debug)]
pub struct Registered(PathBuf);

pub fn register(path: &Path) -> Registered {
    lock().push(path.to_path_buf());
    Registered(path.to_path_buf())
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut list = lock();
        if let Some(i) = list.iter().position(|p| *p == self.0) {
            list.swap_remove(i);
        }
    }
}

/// Removes every registered folder or file, the last registered first (a run's staging
/// folder before the lock that guards it). Writers may still be adding files while this runs,
/// so a removal is retried a few times.
pub fn remove_registered() {
    const ATTEMPTS: usize = 5;
    for path in lock().iter().rev() {
        for _ in 0..ATTEMPTS {
            let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
            let gone = if is_dir { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
            match gone {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => continue,
                _ => break,
            }
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere while holding the list must not stop the cleanup.
    REGISTERED.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_folders_are_removed_and_dropped_ones_forgotten() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        std::fs::create_dir_all(a.join("x")).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let _ga = register(&a);
        drop(register(&b));
        remove_registered();
        assert!(!a.exists());
        assert!(b.exists(), "an unregistered folder was removed");
    }
}
