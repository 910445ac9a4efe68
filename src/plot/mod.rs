//! `hashsim plot`: publication-ready figures from a run or a sweep directory, as SVG and PNG,
//! in pure Rust (plotters) with an embedded font.
//!
//! Everything is read and rendered in memory first; files are written (atomically) only when
//! every figure rendered, so a bad directory or a failure writes nothing. Figures whose columns
//! are missing (older outputs) are skipped with a warning naming the columns.

pub mod data;
pub mod labels;
pub mod pairs;
pub mod pools;
pub mod real;
pub mod render;
pub mod run;
pub mod style;
pub mod supply;
pub mod sweep;
pub mod ticks;

use crate::error::{Error, Result};
use crate::output::atomic::write_atomic;
use std::path::{Path, PathBuf};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "svg" => Ok(Format::Svg),
            "png" => Ok(Format::Png),
            other => Err(Error::Other(format!("--formats: unknown format {other:?}; allowed: svg, png"))),
        }
    }
}

/// What to plot.
#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// Sweep: the summary metric (default: a sensible one, see [`sweep`]).
    pub metric: Option<String>,
    /// Sweep: the parameter on the x axis (default: the first swept).
    pub x: Option<String>,
    /// Sweep: the heatmap's y parameter and the line plot's grouping (default: the second).
    pub y: Option<String>,
    pub formats: Vec<Format>,
}

impl Default for PlotOptions {
    fn default() -> PlotOptions {
        PlotOptions { metric: None, x: None, y: None, formats: vec![Format::Svg, Format::Png] }
    }
}

/// What kind of results directory was plotted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Run,
    Sweep,
}

/// What [`plot`] did.
#[derive(Debug, Clone)]
pub struct PlotReport {
    pub kind: Kind,
    pub out_dir: PathBuf,
    pub files: Vec<PathBuf>,
    /// Figures skipped and why; for the CLI to print.
    pub warnings: Vec<String>,
}

/// A run has `timeseries.csv`; a sweep has `aggregate.csv` (checked first).
pub fn detect(dir: &Path) -> Result<Kind> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::Read { path: dir.to_path_buf(), source: e })?;
    if !meta.is_dir() {
        return Err(Error::Other(format!("{}: not a directory (expected a results directory)", dir.display())));
    }
    if dir.join("aggregate.csv").exists() {
        Ok(Kind::Sweep)
    } else if dir.join("runs.csv").exists() {
        Err(Error::Other(format!(
            "{}: a sweep shard (runs.csv without aggregate.csv): combine the shards with `hashsim merge` first, then plot the merged folder",
            dir.display()
        )))
    } else if dir.join("timeseries.csv").exists() {
        Ok(Kind::Run)
    } else {
        Err(Error::Other(format!(
            "{}: not a hashsim results directory: expected timeseries.csv (from `hashsim run`) or aggregate.csv (from `hashsim sweep`)",
            dir.display()
        )))
    }
}

/// Renders the figures of the results directory `dir` into `dir/figures/`.
pub fn plot(dir: &Path, opts: &PlotOptions) -> Result<PlotReport> {
    if opts.formats.is_empty() {
        return Err(Error::Other("--formats: choose at least one of svg, png".into()));
    }
    let kind = detect(dir)?;
    let mut warnings = Vec::new();
    let rendered = match kind {
        Kind::Run => {
            for (flag, v) in [("--metric", &opts.metric), ("--x", &opts.x), ("--y", &opts.y)] {
                if v.is_some() {
                    return Err(Error::Other(format!(
                        "{flag} applies to sweep directories; {} is a run (it has timeseries.csv)",
                        dir.display()
                    )));
                }
            }
            run::RunData::load(dir, &mut warnings)?.render_all(&opts.formats, &mut warnings)?
        }
        Kind::Sweep => sweep::SweepData::load(dir)?.render_all(opts, &mut warnings)?,
    };
    if rendered.is_empty() {
        return Err(Error::Other(format!("nothing to plot in {}:\n  {}", dir.display(), warnings.join("\n  "))));
    }
    let out_dir = dir.join("figures");
    std::fs::create_dir_all(&out_dir).map_err(|e| Error::write(&out_dir, e))?;
    let mut files = Vec::new();
    for r in &rendered {
        files.push(write_atomic(&out_dir.join(&r.file_name), &r.bytes)?);
    }
    Ok(PlotReport { kind, out_dir, files, warnings })
}
