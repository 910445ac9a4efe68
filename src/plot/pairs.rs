//! The pairs figure of an ABC posterior (`posterior.csv`, written by `hashsim calibrate` with
//! `method = "abc"`): each parameter's weighted histogram on the diagonal, each pair's
//! particles below it (darker for heavier weights). At most [`MAX_PARAMETERS`] parameters are
//! drawn (the first ones), so the panels stay legible.

use super::data::read_table;
use super::render::{render, DrawResult, Figure, Rendered};
use super::style::*;
use super::Format;
use crate::error::{Error, Result};
use crate::output::atomic::write_atomic;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Most parameters in the grid.
pub const MAX_PARAMETERS: usize = 5;

/// Histogram bins on the diagonal.
const BINS: usize = 20;

/// The particles: parameter names, their values by parameter, and weights.
struct Pairs {
    names: Vec<String>,
    values: Vec<Vec<f64>>,
    weights: Vec<f64>,
}

fn span(v: &[f64]) -> (f64, f64) {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() && hi > lo {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    } else {
        (lo - 0.5, lo + 0.5)
    }
}

impl Figure for Pairs {
    fn name(&self) -> String {
        "posterior_pairs".into()
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, WIDTH)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let k = self.names.len();
        let (title, body) = root.split_vertically(60);
        title.draw(&Text::new(
            format!("ABC posterior: {} particles (darker: heavier)", self.weights.len()),
            (20, 12),
            font(NOTE).color(&MARKER),
        ))?;
        let cells = body.split_evenly((k, k));
        let wmax = self.weights.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE);
        let label = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
        for (idx, cell) in cells.iter().enumerate() {
            let (row, col) = (idx / k, idx % k);
            if col > row {
                continue;
            }
            let (x0, x1) = span(&self.values[col]);
            let small = font(TICK * 0.55);
            if row == col {
                let mut hist = [0.0; BINS];
                for (v, w) in self.values[col].iter().zip(&self.weights) {
                    let b = (((v - x0) / (x1 - x0)) * BINS as f64).floor().clamp(0.0, BINS as f64 - 1.0) as usize;
                    hist[b] += w;
                }
                let top = hist.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE) * 1.1;
                let mut c = ChartBuilder::on(cell)
                    .margin(6)
                    .x_label_area_size(if row + 1 == k { 40 } else { 8 })
                    .y_label_area_size(8)
                    .caption(label(&self.names[col]), font(TICK * 0.6))
                    .build_cartesian_2d(x0..x1, 0.0..top)?;
                c.configure_mesh().disable_y_mesh().disable_y_axis().x_labels(3).label_style(small).draw()?;
                let width = (x1 - x0) / BINS as f64;
                c.draw_series(hist.iter().enumerate().map(|(b, h)| {
                    let a = x0 + b as f64 * width;
                    Rectangle::new([(a, 0.0), (a + width, *h)], OI_BLUE.mix(0.7).filled())
                }))?;
            } else {
                let (y0, y1) = span(&self.values[row]);
                let mut c = ChartBuilder::on(cell)
                    .margin(6)
                    .x_label_area_size(if row + 1 == k { 40 } else { 8 })
                    .y_label_area_size(if col == 0 { 70 } else { 8 })
                    .build_cartesian_2d(x0..x1, y0..y1)?;
                c.configure_mesh().x_labels(3).y_labels(3).label_style(small).draw()?;
                c.draw_series(
                    self.values[col].iter().zip(&self.values[row]).zip(&self.weights).map(|((x, y), w)| {
                        Circle::new((*x, *y), 3, OI_VERMILLION.mix(0.15 + 0.85 * w / wmax).filled())
                    }),
                )?;
            }
        }
        Ok(())
    }
}

/// Renders `dir/posterior.csv` into `dir/figures/posterior_pairs.svg` and `.png`; returns the
/// files written.
pub fn render_posterior(dir: &Path) -> Result<Vec<PathBuf>> {
    let path = dir.join("posterior.csv");
    let probe = read_table(&path, &[], &[])?;
    let names: Vec<String> = probe
        .headers
        .iter()
        .filter(|h| !["particle", "weight", "distance"].contains(&h.as_str()))
        .take(MAX_PARAMETERS)
        .cloned()
        .collect();
    let numeric: Vec<&str> = names.iter().map(String::as_str).chain(["weight"]).collect();
    let table = read_table(&path, &numeric, &[])?;
    let col = |n: &str| {
        table.num(n).map(<[f64]>::to_vec).ok_or_else(|| Error::Other(format!("{}: no column {n}", path.display())))
    };
    let pairs = Pairs { values: names.iter().map(|n| col(n)).collect::<Result<_>>()?, weights: col("weight")?, names };
    let rendered: Vec<Rendered> = render(&pairs, &[Format::Svg, Format::Png]).map_err(Error::Other)?;
    let figs = dir.join("figures");
    std::fs::create_dir_all(&figs).map_err(|e| Error::write(&figs, e))?;
    rendered.iter().map(|r| write_atomic(&figs.join(&r.file_name), &r.bytes)).collect()
}
