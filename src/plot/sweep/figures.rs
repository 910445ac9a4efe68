//! The sweep figures, drawn: a heatmap of a metric over two parameters (a grid of cells, or
//! dots for sampled sweeps) with a colour bar, and the metric against one parameter.

use crate::plot::labels::{unit_only, with_unit};
use crate::plot::render::{chart, draw_band, draw_line, y_area, DrawResult, Figure};
use crate::plot::style::*;
use crate::plot::ticks::{fmt_power, group_thousands};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;

/// Values this large are shown in units of 10^k with `×10^k` appended to the title.
fn scale_for(max_abs: f64) -> (f64, String) {
    if !(max_abs.is_finite() && max_abs >= 1e6) {
        return (1.0, String::new());
    }
    let k = ((max_abs.log10() / 3.0).floor() * 3.0) as i32;
    (10f64.powi(-k), format!(" \u{00D7}{}", fmt_power(f64::from(k))))
}

/// Three significant digits, for cell annotations.
fn fmt_sig(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (2 - mag).max(0) as usize;
    group_thousands(&format!("{v:.decimals$}"))
}

fn note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, x: i32, y: i32) -> DrawResult<DB> {
    area.draw(&Text::new(text.to_string(), (x, y), font(NOTE).color(&MARKER)))
}

fn headline<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, x: i32) -> DrawResult<DB> {
    area.draw(&Text::new(text.to_string(), (x, 4), font(AXIS_TITLE)))
}

/// Whether `text` at `size` fits in `px` pixels.
fn fits<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, size: f64, px: u32) -> bool {
    area.estimate_text_size(text, &font(size)).map_or(true, |s| s.0 <= px)
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if lo.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

/// A numeric axis over `lo..hi` with a margin.
fn padded(lo: f64, hi: f64, labels: usize) -> Axis {
    let span = if hi > lo { hi - lo } else { hi.abs().max(1.0) };
    Axis::linear(lo - span * 0.06, hi + span * 0.06, labels)
}

/// Where the heatmap's values are.
pub(super) enum Layout {
    /// `cells[i][j]`: x value i, y value j.
    Grid { x: Vec<String>, y: Vec<String>, cells: Vec<Vec<f64>> },
    /// Sampled sweeps: (x, y, value) per point.
    Scatter(Vec<(f64, f64, f64)>),
}

/// A metric's median over two parameters, with a colour bar.
pub struct Heatmap {
    pub(super) name: String,
    pub(super) words: String,
    pub(super) unit: Option<String>,
    pub(super) x_title: String,
    pub(super) y_title: String,
    pub(super) layout: Layout,
    pub(super) note: String,
}

impl Heatmap {
    fn values(&self) -> Vec<f64> {
        match &self.layout {
            Layout::Grid { cells, .. } => cells.iter().flatten().copied().collect(),
            Layout::Scatter(p) => p.iter().map(|p| p.2).collect(),
        }
    }
}

impl Figure for Heatmap {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, 820)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = root.margin(8, 8, 8, 8);
        let (lo, hi) = range(self.values().into_iter());
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let (k, scale) = scale_for(lo.abs().max(hi.abs()));
        let (x, y) = match &self.layout {
            Layout::Grid { x, y, .. } => (Axis::categories(x.clone(), 7), Axis::categories(y.clone(), 12)),
            Layout::Scatter(p) => {
                let (x0, x1) = range(p.iter().map(|p| p.0));
                let (y0, y1) = range(p.iter().map(|p| p.1));
                (padded(x0, x1, 6), padded(y0, y1, 7))
            }
        };
        let y_area = y_area(&area, &[&y]);
        // The colour bar's title: the metric in words if the bar is tall enough, else its
        // unit with the words above the plot.
        let full = with_unit(&self.words, self.unit.as_deref(), &scale);
        let bar_len = area.dim_in_pixel().1.saturating_sub(X_LABEL_AREA + 120);
        let long = !fits(&area, &full, AXIS_TITLE, bar_len);
        let head_h = (NOTE * 1.5) as u32 + if long { (AXIS_TITLE * 1.3) as u32 } else { 0 };
        let (head, body) = area.split_vertically(head_h);
        if long {
            headline(&head, &full, y_area as i32 - 40)?;
        }
        note(&head, &self.note, y_area as i32 - 40, if long { (AXIS_TITLE * 1.3) as i32 } else { 4 })?;
        let bar_title = if long { unit_only(self.unit.as_deref(), &scale) } else { full };
        let (main, bar) = body.split_horizontally(area.dim_in_pixel().0 - 230);
        let mut c = chart(&main, x, y, Some(&self.x_title), &self.y_title, y_area)?;
        let colour = |v: f64| viridis((v - lo) / (hi - lo));
        match &self.layout {
            Layout::Grid { cells, .. } => {
                let cell_px = c.backend_coord(&(1.0, 0.0)).0 - c.backend_coord(&(0.0, 0.0)).0;
                let cell_py = c.backend_coord(&(0.0, 0.0)).1 - c.backend_coord(&(0.0, 1.0)).1;
                let annotate = cell_px >= 80 && cell_py >= (NOTE * 1.4) as i32;
                for (i, column) in cells.iter().enumerate() {
                    for (j, &v) in column.iter().enumerate() {
                        let (x0, y0, x1, y1) = (i as f64 - 0.5, j as f64 - 0.5, i as f64 + 0.5, j as f64 + 0.5);
                        let fill = if v.is_finite() { colour(v) } else { GRID };
                        c.draw_series(std::iter::once(Rectangle::new([(x0, y0), (x1, y1)], fill.filled())))?;
                        if annotate && v.is_finite() {
                            let ink = if is_dark(fill) { WHITE } else { BLACK };
                            let style = font(NOTE)
                                .color(&ink)
                                .pos(text_anchor::Pos::new(text_anchor::HPos::Center, text_anchor::VPos::Center));
                            c.draw_series(std::iter::once(Text::new(fmt_sig(v * k), (i as f64, j as f64), style)))?;
                        }
                    }
                }
            }
            Layout::Scatter(points) => {
                for &(px, py, v) in points.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
                    let fill = if v.is_finite() { colour(v) } else { GRID };
                    c.draw_series(std::iter::once(Circle::new((px, py), 9, fill.filled())))?;
                    c.draw_series(std::iter::once(Circle::new((px, py), 9, BLACK.mix(0.5).stroke_width(1))))?;
                }
            }
        }
        // Colour bar.
        let bar = bar.margin(14, X_LABEL_AREA, 30, 0);
        let mut cb = ChartBuilder::on(&bar)
            .right_y_label_area_size(140)
            .build_cartesian_2d(Axis::linear(0.0, 1.0, 2), Axis::linear(lo * k, hi * k, 7))?;
        cb.configure_mesh()
            .disable_x_mesh()
            .disable_y_mesh()
            .disable_x_axis()
            .y_labels(7)
            .label_style(font(TICK))
            .axis_desc_style(font(AXIS_TITLE))
            .y_desc(bar_title)
            .axis_style(BLACK.stroke_width(2))
            .set_all_tick_mark_size(8)
            .draw()?;
        let steps = 200;
        let span = (hi - lo) * k;
        cb.draw_series((0..steps).map(|s| {
            let a = lo * k + span * s as f64 / steps as f64;
            let b = lo * k + span * (s + 1) as f64 / steps as f64;
            Rectangle::new([(0.0, a), (1.0, b)], viridis((s as f64 + 0.5) / steps as f64).filled())
        }))?;
        Ok(())
    }
}

pub(super) struct Line {
    pub(super) label: String,
    pub(super) colour: RGBColor,
    pub(super) xs: Vec<f64>,
    pub(super) p5: Vec<f64>,
    pub(super) p50: Vec<f64>,
    pub(super) p95: Vec<f64>,
}

/// A metric against one parameter: per group a median line with a p5-p95 band, or (sampled
/// sweeps) a dot with a p5-p95 whisker per point.
pub struct Lines {
    pub(super) name: String,
    pub(super) words: String,
    pub(super) unit: Option<String>,
    pub(super) x_title: String,
    /// Log-scaled x axis (the sweep's axis has `scale = "log"`).
    pub(super) x_log: bool,
    /// Numeric parameter values (empty: take the range from the points), or categories.
    pub(super) x_numbers: Option<Vec<f64>>,
    pub(super) x_labels: Vec<String>,
    /// `key:` before the group entries of the legend.
    pub(super) group_title: Option<String>,
    pub(super) lines: Vec<Line>,
    pub(super) note: String,
    pub(super) dots: bool,
    /// What the whiskers or bands show, for the legend.
    pub(super) interval: String,
}

impl Figure for Lines {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, 760)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = root.margin(8, 8, 8, 8);
        let mut legend: Vec<LegendEntry> = Vec::new();
        if let Some(t) = &self.group_title {
            legend.push(LegendEntry::title(t.clone()));
        }
        legend.extend(self.lines.iter().map(|l| {
            if self.dots {
                LegendEntry { label: l.label.clone(), swatch: Swatch::Dot(l.colour) }
            } else {
                LegendEntry::line(l.label.clone(), l.colour)
            }
        }));
        legend.push(if self.dots {
            LegendEntry::line(self.interval.clone(), GREY)
        } else {
            LegendEntry::fill(self.interval.clone(), GREY.mix(0.3))
        });
        let (lo, hi) = range(self.lines.iter().flat_map(|l| l.p5.iter().chain(&l.p50).chain(&l.p95)).copied());
        let (k, scale) = scale_for(lo.abs().max(hi.abs()));
        let y = padded(lo * k, hi * k, 6);
        let x = match &self.x_numbers {
            Some(_) => {
                let (a, b) = range(self.lines.iter().flat_map(|l| l.xs.iter().copied()));
                let axis = if self.x_log && a > 0.0 {
                    // In decades: b / a can overflow.
                    let (la, lb) = (a.log10(), b.log10());
                    let pad = (lb - la).max(0.2) * 0.05;
                    Axis::log_decades(la - pad, lb + pad, 6)
                } else {
                    padded(a, b, 6)
                };
                // A grid of a few values: tick exactly at them.
                match &self.x_numbers {
                    Some(n) if !n.is_empty() && n.len() <= 8 => axis.with_ticks_at(n, &self.x_labels),
                    _ => axis,
                }
            }
            None => Axis::categories(self.x_labels.clone(), 8),
        };
        let x_at = |v: &[f64]| v.iter().map(|&p| x.to(p)).collect::<Vec<f64>>();
        let y_area = y_area(&area, &[&y]);
        let leg_h = legend_height(&area, &legend, y_area as i32 - 40);
        let full = with_unit(&self.words, self.unit.as_deref(), &scale);
        let plot_h = area.dim_in_pixel().1.saturating_sub(leg_h + X_LABEL_AREA + (NOTE * 1.5) as u32 + 30);
        let long = !fits(&area, &full, AXIS_TITLE, plot_h);
        let head_h = (NOTE * 1.5) as u32 + if long { (AXIS_TITLE * 1.3) as u32 } else { 0 };
        let (top, rest) = area.split_vertically(head_h);
        if long {
            headline(&top, &full, y_area as i32 - 40)?;
        }
        note(&top, &self.note, y_area as i32 - 40, if long { (AXIS_TITLE * 1.3) as i32 } else { 4 })?;
        let (leg, body) = rest.split_vertically(leg_h);
        draw_legend(&leg, &legend, y_area as i32 - 40)?;
        let y_title = if long { unit_only(self.unit.as_deref(), &scale) } else { full };
        let xs: Vec<Vec<f64>> = self.lines.iter().map(|l| x_at(&l.xs)).collect();
        let mut c = chart(&body, x, y, Some(&self.x_title), &y_title, y_area)?;
        let scaled = |v: &[f64]| v.iter().map(|x| x * k).collect::<Vec<f64>>();
        for (l, xs) in self.lines.iter().zip(&xs) {
            if self.dots {
                let whiskers = xs
                    .iter()
                    .zip(l.p5.iter().zip(&l.p95))
                    .filter(|(x, (a, b))| x.is_finite() && a.is_finite() && b.is_finite());
                let style = l.colour.mix(0.7).stroke_width(3);
                c.draw_series(whiskers.map(|(&x, (&a, &b))| PathElement::new(vec![(x, a * k), (x, b * k)], style)))?;
            } else {
                draw_band(&mut c, xs, &scaled(&l.p5), &scaled(&l.p95), l.colour.mix(0.2))?;
            }
        }
        for (l, xs) in self.lines.iter().zip(&xs) {
            if !self.dots {
                draw_line(&mut c, xs, &scaled(&l.p50), l.colour, LINE, false)?;
            }
            let pts = xs.iter().zip(&l.p50).filter(|(x, y)| x.is_finite() && y.is_finite());
            c.draw_series(pts.map(|(&x, &y)| Circle::new((x, y * k), 6, l.colour.filled())))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_values_are_scaled() {
        let (k, s) = scale_for(3.1e10);
        assert_eq!(k, 1e-9);
        assert_eq!(s, " \u{00D7}10\u{2079}");
        assert_eq!(scale_for(90_000.0).0, 1.0);
        assert_eq!(fmt_sig(1234.6), "1235");
        assert_eq!(fmt_sig(0.012345), "0.0123");
        assert_eq!(fmt_sig(31.28), "31.3");
    }
}
