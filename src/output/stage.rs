//! A run's folder appears whole or not at all: it is written into a hidden staging folder
//! beside the target (`.NAME.staging-XXXXXXXXXX`) and renamed into place at the end, under the
//! folder's [`OutputLock`]. A failed, interrupted or killed run leaves no partial folder: an
//! error or a signal removes the staging folder at once, and a kill's leftovers are removed by
//! the next writer of the same folder (which holds the lock, so no live writer owns them).
//!
//! What may be replaced: a missing or empty folder, or a folder a previous `hashsim run` wrote
//! (its `manifest.json` says so and it holds nothing else but run outputs). Anything else is
//! refused unless forced; forcing replaces only the files this run writes, never others.

use super::cleanup;
use super::lock::{OutputLock, OutputPath};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// `manifest.json`'s `kind` for a run (a sweep's says `sweep`).
pub const RUN_MANIFEST_KIND: &str = "run";

/// The files and folders a run's folder may hold: its outputs, and the figures `hashsim plot`
/// draws from them.
const RUN_ENTRIES: [&str; 8] = [
    "timeseries.csv",
    "operators.csv",
    "events.csv",
    "pools.csv",
    "supply.csv",
    "summary.csv",
    "manifest.json",
    "figures",
];

/// Hidden entries that earlier versions left in a run folder when killed.
const LEGACY_PARTS_PREFIX: &str = ".parts-";

/// Random characters in a staging or retired folder's name.
const RAND_CHARS: usize = 10;

/// What stands at the target path today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Absent,
    Empty,
    /// A folder written by an earlier `hashsim run`.
    PreviousRun,
    /// Anything else; the names of a few entries that make it so.
    Foreign(Vec<String>),
}

/// Classifies `dir` (which need not exist).
pub fn classify(dir: &Path) -> Result<Target> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Target::Absent),
        Err(e) => return Err(Error::Read { path: dir.to_path_buf(), source: e }),
    };
    if !meta.is_dir() {
        return Ok(Target::Foreign(vec![format!("{} is not a folder", dir.display())]));
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::Read { path: dir.to_path_buf(), source: e })? {
        let entry = entry.map_err(|e| Error::Read { path: dir.to_path_buf(), source: e })?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    if names.is_empty() {
        return Ok(Target::Empty);
    }
    names.sort();
    let foreign: Vec<String> = names
        .iter()
        .filter(|n| !RUN_ENTRIES.contains(&n.as_str()) && !n.starts_with(LEGACY_PARTS_PREFIX))
        .take(5)
        .cloned()
        .collect();
    if !foreign.is_empty() {
        return Ok(Target::Foreign(foreign));
    }
    if is_run_manifest(&dir.join("manifest.json")) {
        Ok(Target::PreviousRun)
    } else {
        Ok(Target::Foreign(vec!["manifest.json (not a hashsim run's)".into()]))
    }
}

/// Whether `path` is the manifest of a `hashsim run` (this version's, or an earlier one's,
/// which had no `kind` but a scenario and no run list).
fn is_run_manifest(path: &Path) -> bool {
    // A run's manifest is a few kB; a huge file is not one (and is not read whole).
    const MAX_MANIFEST_BYTES: u64 = 16 << 20;
    if std::fs::symlink_metadata(path).map_or(true, |m| !m.is_file() || m.len() > MAX_MANIFEST_BYTES) {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
    let kind_ok = match m.get("kind") {
        Some(k) => k.as_str() == Some(RUN_MANIFEST_KIND),
        None => !m.contains_key("runs"),
    };
    kind_ok && m.contains_key("hashsim_version") && m.get("scenario").is_some_and(|s| s.is_object())
}

/// A run's folder under construction.
#[derive(Debug)]
pub struct Staged {
    lock: OutputLock,
    target: Target,
    /// Removed when dropped, unless published (then it no longer exists).
    staging: tempfile::TempDir,
    _cleanup: cleanup::Registered,
}

impl Staged {
    /// Locks `dir`, removes what killed writers left beside it, checks that it may be replaced
    /// (`force`: replace only this run's files in a foreign folder) and creates the staging
    /// folder.
    pub fn begin(dir: &Path, force: bool) -> Result<Staged> {
        let lock = OutputLock::acquire(dir)?;
        remove_leftovers(lock.path())?;
        let target = classify(&lock.path().dir())?;
        if let Target::Foreign(why) = &target {
            if !force {
                return Err(Error::Other(format!(
                    "{} is not empty and is not a hashsim run's folder ({}): choose another --out, or add \
                     --force to write this run's files into it (other files are left alone)",
                    dir.display(),
                    why.join(", ")
                )));
            }
            if why.iter().any(|w| w.ends_with("is not a folder")) {
                return Err(Error::Other(format!("{} exists and is not a folder", dir.display())));
            }
        }
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{}.staging-", lock.path().name))
            .rand_bytes(RAND_CHARS)
            .tempdir_in(&lock.path().parent)
            .map_err(|e| Error::write(&lock.path().parent, e))?;
        let registered = cleanup::register(staging.path());
        Ok(Staged { lock, target, staging, _cleanup: registered })
    }

    /// Where to write the run's files now.
    pub fn dir(&self) -> &Path {
        self.staging.path()
    }

    /// Where they will be once published.
    pub fn final_dir(&self) -> PathBuf {
        self.lock.path().dir()
    }

    /// Syncs the staged folder's files and the folder to disk, then moves it into place (one
    /// rename; an earlier run's folder is swapped out first and then removed). Returns the
    /// final folder. Files written into it with `AtomicFile::create_staged` are synced here,
    /// all at once, so the folder never appears with data still only in memory.
    pub fn publish(self) -> Result<PathBuf> {
        let dest = self.final_dir();
        let staged = self.staging.path().to_path_buf();
        sync_tree(&staged)?;
        match &self.target {
            Target::Absent => rename(&staged, &dest)?,
            Target::Empty => {
                std::fs::remove_dir(&dest).map_err(|e| Error::write(&dest, e))?;
                rename(&staged, &dest)?;
            }
            Target::PreviousRun => {
                let retired = self.lock.path().sibling(&format!("old-{}", std::process::id()));
                rename(&dest, &retired)?;
                rename(&staged, &dest)?;
                std::fs::remove_dir_all(&retired).map_err(|e| Error::write(&retired, e))?;
            }
            Target::Foreign(_) => {
                for entry in std::fs::read_dir(&staged).map_err(|e| Error::Read { path: staged.clone(), source: e })? {
                    let entry = entry.map_err(|e| Error::Read { path: staged.clone(), source: e })?;
                    rename(&entry.path(), &dest.join(entry.file_name()))?;
                }
            }
        }
        Ok(dest)
    }
}

/// Syncs every file under `dir`, then `dir` itself, and returns how many files it synced. The
/// files are synced in parallel, one thread each (a run's folder holds a handful), so the
/// device's flushes overlap instead of following one another.
fn sync_tree(dir: &Path) -> Result<usize> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|e| Error::Read { path: folder.clone(), source: e })? {
            let entry = entry.map_err(|e| Error::Read { path: folder.clone(), source: e })?;
            let kind = entry.file_type().map_err(|e| Error::Read { path: entry.path(), source: e })?;
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    let sync = |p: &Path| std::fs::File::open(p).and_then(|f| f.sync_all()).map_err(|e| Error::write(p, e));
    std::thread::scope(|s| {
        let syncs: Vec<_> = files.iter().map(|f| s.spawn(move || sync(f))).collect();
        syncs.into_iter().try_for_each(|h| h.join().unwrap_or_else(|_| Err(Error::Other("a sync panicked".into()))))
    })?;
    sync(dir)?;
    Ok(files.len())
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| Error::write(to, e))
}

/// Removes the staging and retired folders of writers that were killed (`.NAME.staging-*`,
/// `.NAME.old-*`) and the part folders earlier versions left inside the target.
fn remove_leftovers(path: &OutputPath) -> Result<()> {
    let ours = [format!(".{}.staging-", path.name), format!(".{}.old-", path.name)];
    let mut doomed = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&path.parent) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if ours.iter().any(|p| n.starts_with(p.as_str())) {
                doomed.push(e.path());
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(path.dir()) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(LEGACY_PARTS_PREFIX) {
                doomed.push(e.path());
            }
        }
    }
    for p in doomed {
        let is_dir = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir());
        let gone = if is_dir { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        gone.map_err(|e| Error::write(&p, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_manifest() -> &'static str {
        r#"{"kind": "run", "hashsim_version": "0.1.0", "scenario": {"simulation": {}}}"#
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        v.sort();
        v
    }

    #[test]
    fn classify_tells_runs_from_foreign_folders() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("t");
        assert_eq!(classify(&t).unwrap(), Target::Absent);
        std::fs::create_dir(&t).unwrap();
        assert_eq!(classify(&t).unwrap(), Target::Empty);
        std::fs::write(t.join("manifest.json"), run_manifest()).unwrap();
        std::fs::write(t.join("summary.csv"), "x").unwrap();
        assert_eq!(classify(&t).unwrap(), Target::PreviousRun);
        // A sweep's manifest is not a run's.
        std::fs::write(t.join("manifest.json"), r#"{"kind": "sweep", "hashsim_version": "0", "runs": 4}"#).unwrap();
        assert!(matches!(classify(&t).unwrap(), Target::Foreign(_)));
        std::fs::write(t.join("manifest.json"), run_manifest()).unwrap();
        std::fs::write(t.join("thesis.tex"), "x").unwrap();
        assert_eq!(classify(&t).unwrap(), Target::Foreign(vec!["thesis.tex".into()]));
    }

    /// Catches a publish that mixes old and new files, or leaves staging behind.
    #[test]
    fn publishing_replaces_a_previous_run_whole() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("t");
        std::fs::create_dir(&t).unwrap();
        std::fs::write(t.join("manifest.json"), run_manifest()).unwrap();
        std::fs::write(t.join("events.csv"), "old").unwrap();
        let s = Staged::begin(&t, false).unwrap();
        std::fs::write(s.dir().join("manifest.json"), run_manifest()).unwrap();
        std::fs::write(s.dir().join("summary.csv"), "new").unwrap();
        s.publish().unwrap();
        assert_eq!(names(&t), ["manifest.json", "summary.csv"]);
        assert_eq!(names(d.path()), ["t"]);
    }

    #[test]
    fn foreign_folders_are_refused_unless_forced_and_then_kept() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("t");
        std::fs::create_dir(&t).unwrap();
        std::fs::write(t.join("manifest.json"), r#"{"mine": true}"#).unwrap();
        std::fs::write(t.join("notes.txt"), "keep me").unwrap();
        let err = Staged::begin(&t, false).unwrap_err().to_string();
        assert!(err.contains("--force"), "{err}");
        let s = Staged::begin(&t, true).unwrap();
        std::fs::write(s.dir().join("manifest.json"), run_manifest()).unwrap();
        s.publish().unwrap();
        assert_eq!(names(&t), ["manifest.json", "notes.txt"]);
        assert_eq!(std::fs::read_to_string(t.join("notes.txt")).unwrap(), "keep me");
    }

    /// Catches staging folders that outlive a failure, and leftovers of killed writers that are
    /// never removed.
    #[test]
    fn failures_and_kills_leave_nothing() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("t");
        {
            let s = Staged::begin(&t, false).unwrap();
            std::fs::write(s.dir().join("timeseries.csv"), "partial").unwrap();
            // dropped: the run failed
        }
        assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
        // What a SIGKILL leaves: a staging folder of a dead process.
        std::fs::create_dir(d.path().join(".t.staging-abc")).unwrap();
        std::fs::write(d.path().join(".t.staging-abc").join("events.csv"), "x").unwrap();
        let s = Staged::begin(&t, false).unwrap();
        assert_eq!(names(d.path()).len(), 2, "{:?}", names(d.path()));
        drop(s);
        assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
    }

    /// Bug caught: files in a sub-folder (figures) or the folder's own entries left unsynced
    /// before publishing, or a missing folder passing silently.
    #[test]
    fn sync_tree_syncs_every_file_below() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("a.csv"), "x").unwrap();
        std::fs::create_dir_all(t.path().join("figures/deep")).unwrap();
        std::fs::write(t.path().join("figures/b.svg"), "y").unwrap();
        std::fs::write(t.path().join("figures/deep/c.png"), "z").unwrap();
        assert_eq!(sync_tree(t.path()).unwrap(), 3);
        assert!(sync_tree(&t.path().join("missing")).is_err());
    }
}
