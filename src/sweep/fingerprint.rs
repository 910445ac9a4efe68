//! A sweep's fingerprint: one hash of everything that determines its outputs. Shards of one
//! sweep share it; `--resume` and `merge` refuse folders with another.
//!
//! It covers the name, seed, replicates and columns; every point's resolved scenario with the
//! values it loaded from other files (hardware catalog, price path); and the bytes of every
//! file the scenarios read (the base scenario, catalogs, price CSVs), listed with their own
//! hashes in the journal and `manifest.json` so a refusal can name the file that changed.
//! Paths are listed but not hashed: shards on machines with other folders still match.

use crate::error::{Error, Result};
use crate::scenario::{LoadedScenario, Price};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// FNV-1a, 64 bits: a stable, platform-independent hash for fingerprints and checksums.
pub(crate) fn fnv1a(state: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(state, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3))
}
pub(crate) const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;

/// The fingerprint's version: changing what it covers changes this.
const FINGERPRINT_VERSION: &[u8] = b"hashsim sweep v2\n";

/// One file the sweep's scenarios read, and the FNV-1a hash of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: String,
    pub fnv1a: String,
}

/// What one point's scenario read from files other than the base scenario: the resolved
/// paths, and hashes of the values loaded from them (so a file changed after validation is
/// caught when a run loads it again).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PointInputs {
    pub catalog: Option<PathBuf>,
    pub price: Option<PathBuf>,
    /// Hash of the catalog's models (the bundled one when `catalog` is `None`).
    pub catalog_values: u64,
    /// Hash of the price path's prices (0 without a price file).
    pub price_values: u64,
}

impl PointInputs {
    /// The files `loaded` (read from a base scenario in `base_dir`) depends on.
    pub(crate) fn of(loaded: &LoadedScenario, base_dir: &Path) -> PointInputs {
        let catalog = loaded.scenario.hardware.catalog.as_deref().map(|p| resolve(base_dir, p));
        let price = match &loaded.scenario.price {
            Price::Csv { path } => Some(resolve(base_dir, path)),
            _ => None,
        };
        let json = serde_json::to_string(&loaded.catalog).unwrap_or_default();
        let catalog_values = fnv1a(FNV_OFFSET, json.as_bytes());
        let price_values = loaded
            .price_path_usd
            .iter()
            .flatten()
            .fold(if price.is_some() { FNV_OFFSET } else { 0 }, |h, x| fnv1a(h, &x.to_bits().to_le_bytes()));
        PointInputs { catalog, price, catalog_values, price_values }
    }

    /// The point's part of the fingerprint: its resolved scenario (with seed 0, which the
    /// validation uses) and these values.
    pub(crate) fn point_hash(&self, loaded: &LoadedScenario) -> u64 {
        let json = serde_json::to_string(&loaded.scenario).unwrap_or_default();
        let h = fnv1a(FNV_OFFSET, json.as_bytes());
        let h = fnv1a(h, &self.catalog_values.to_le_bytes());
        fnv1a(h, &self.price_values.to_le_bytes())
    }

    /// `Err(file)` if `now` (a run's inputs) loaded other values than the validation did.
    pub(crate) fn check_unchanged(&self, now: &PointInputs) -> std::result::Result<(), PathBuf> {
        if now.catalog_values != self.catalog_values {
            return Err(now.catalog.clone().unwrap_or_else(|| PathBuf::from("the bundled hardware catalog")));
        }
        if now.price_values != self.price_values {
            return Err(now.price.clone().unwrap_or_default());
        }
        Ok(())
    }
}

/// A path inside a scenario, as `scenario::load` resolves it: relative to the scenario's folder.
fn resolve(base_dir: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base_dir.join(path)
    }
}

/// Hashes the base scenario's text and every other file in `points` (first use first). Paths
/// are listed relative to `sweep_dir` (the sweep file's folder), so they read the same from
/// any working directory.
pub(crate) fn input_files(
    sweep_dir: &Path,
    base: &Path,
    base_text: &str,
    points: &[PointInputs],
) -> Result<Vec<InputFile>> {
    let hex = |bytes: &[u8]| format!("{:016x}", fnv1a(FNV_OFFSET, bytes));
    let label = |p: &Path| p.strip_prefix(sweep_dir).unwrap_or(p).display().to_string();
    let mut files = vec![InputFile { path: label(base), fnv1a: hex(base_text.as_bytes()) }];
    let mut seen: Vec<&Path> = Vec::new();
    for p in points.iter().flat_map(|p| p.catalog.iter().chain(&p.price)) {
        if seen.contains(&p.as_path()) {
            continue;
        }
        seen.push(p);
        let bytes = std::fs::read(p).map_err(|e| Error::Read { path: p.clone(), source: e })?;
        files.push(InputFile { path: label(p), fnv1a: hex(&bytes) });
    }
    Ok(files)
}

/// The fingerprint, as 16 hex digits.
pub(crate) fn fingerprint(identity: &[&str], point_hashes: &[u64], inputs: &[InputFile]) -> String {
    let mut h = fnv1a(FNV_OFFSET, FINGERPRINT_VERSION);
    for part in identity {
        h = fnv1a(h, part.as_bytes());
        h = fnv1a(h, b"\n");
    }
    for ph in point_hashes {
        h = fnv1a(h, &ph.to_le_bytes());
    }
    for f in inputs {
        h = fnv1a(h, f.fnv1a.as_bytes());
    }
    format!("{h:016x}")
}

/// The files listed in both `a` and `b` (by path) whose contents differ, e.g. for "hardware.toml
/// changed since the sweep started".
pub fn changed_files(a: &[InputFile], b: &[InputFile]) -> Vec<String> {
    a.iter().filter(|x| b.iter().any(|y| y.path == x.path && y.fnv1a != x.fnv1a)).map(|x| x.path.clone()).collect()
}

/// Why two fingerprints differ, for messages: the files that changed if the lists tell, else
/// what may have.
pub fn why_different(a: &[InputFile], b: &[InputFile]) -> String {
    let changed = changed_files(a, b);
    if changed.is_empty() {
        "the sweep file, its base scenario or a file they read changed".into()
    } else {
        format!("{} changed", changed.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches a hash that is not FNV-1a (fingerprints and checksums would not be portable).
    #[test]
    fn fnv1a_is_the_reference_function() {
        // Reference values of FNV-1a 64 (the published test vectors).
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(FNV_OFFSET, b"foobar"), 0x8594_4171_f739_67e8);
    }

    /// Catches a refusal that names the wrong file, or a file only one list has.
    #[test]
    fn changed_files_are_named() {
        let f = |p: &str, h: &str| InputFile { path: p.into(), fnv1a: h.into() };
        let a = [f("base.toml", "1"), f("cat.toml", "2")];
        let b = [f("base.toml", "1"), f("cat.toml", "3"), f("new.csv", "4")];
        assert_eq!(changed_files(&a, &b), ["cat.toml"]);
        assert!(why_different(&a, &a).contains("the sweep file"));
        assert_eq!(why_different(&a, &b), "cat.toml changed");
    }
}
