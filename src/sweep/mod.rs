//! Parameter sweeps: a base scenario, axes over any of its values by dotted key, replicates.
//!
//! A sweep file expands to points (the cross-product of its grid axes, first axis slowest,
//! with its sampled axes drawn jointly) and runs (`point * replicates + replicate`), each
//! with a stable id (`r000123`) and a seed derived from (sweep seed, point, replicate) only.
//! Runs go in parallel across rayon threads, or across machines as shards (`--shard K/N`,
//! from Slurm job arrays) that `hashsim merge` combines into the very same files.
//!
//! - `load`: the sweep file read in two phases (as written: `raw`; then checked and expanded);
//!   [`spec`]: the loaded sweep, its points and runs; `validate`: every point checked against
//!   the base scenario (errors placed by `blame`); [`fingerprint`]: what identifies a sweep,
//!   input files included;
//! - [`axis`]: value lists, decimal-exact ranges, log ranges, random and Latin-hypercube samples;
//! - [`exec`]: running in a locked output folder with a [`journal`], `--resume`, outputs;
//! - [`output`]: `runs.csv`, `aggregate.csv`, `manifest.json` (checked when read back:
//!   `manifest_check`);
//! - [`merge`](mod@merge): combining shards; [`shard`]: slices of the run list; [`stats`]: quantiles;
//! - [`sensitivity`]: the indices of a Saltelli or Morris design's finished runs.

pub mod axis;
mod blame;
pub mod exec;
pub mod fingerprint;
pub mod journal;
mod load;
mod manifest_check;
pub mod merge;
pub mod output;
mod raw;
pub mod sensitivity;
pub mod shard;
pub mod spec;
pub mod stats;
mod validate;

pub use exec::{SweepOptions, SweepReport, SweepRun};
pub use load::load;
pub use merge::{merge, MergeReport};
pub(crate) use raw::flatten as flatten_table;
pub use shard::Shard;
pub use spec::{run_seed, RunSpec, Sweep};

use std::path::PathBuf;

/// The default output folder: `results/<name>/`, or `results/<name>/shards/shard-K-of-N/`
/// for a shard.
pub fn default_out(sweep: &Sweep, shard: Shard) -> PathBuf {
    let base = PathBuf::from("results").join(&sweep.name);
    if shard.is_all() {
        base
    } else {
        base.join("shards").join(shard.dir_name())
    }
}
