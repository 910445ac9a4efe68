//! Rendering a figure to SVG and PNG bytes, and the time-series figure that every run figure
//! is an instance of: panels sharing a date axis, median lines with p5-p95 bands, stacked
//! areas, reference lines and labelled vertical markers (halvings, scenario events).

use super::data::Band;
use super::style::*;
use super::Format;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;

pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
pub type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    /// File name without extension.
    fn name(&self) -> String;
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// A rendered file: name (with extension) and contents.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Renders `fig` in every format, in memory (nothing is written here).
pub fn render<F: Figure>(fig: &F, formats: &[Format]) -> Result<Vec<Rendered>, String> {
    register_font()?;
    let (w, h) = fig.size();
    let name = fig.name();
    let fail = |e: &dyn std::fmt::Display| format!("cannot draw {name}: {e}");
    let mut out = Vec::new();
    for format in formats {
        match format {
            Format::Svg => {
                let mut svg = String::new();
                {
                    let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                    root.fill(&WHITE).map_err(|e| fail(&e))?;
                    fig.draw(&root).map_err(|e| fail(&e))?;
                    root.present().map_err(|e| fail(&e))?;
                }
                out.push(Rendered { file_name: format!("{name}.svg"), bytes: svg.into_bytes() });
            }
            Format::Png => {
                let mut rgb = vec![0u8; w as usize * h as usize * 3];
                {
                    let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                    root.fill(&WHITE).map_err(|e| fail(&e))?;
                    fig.draw(&root).map_err(|e| fail(&e))?;
                    root.present().map_err(|e| fail(&e))?;
                }
                let bytes = encode_png(&rgb, w, h).map_err(|e| fail(&e))?;
                out.push(Rendered { file_name: format!("{name}.png"), bytes });
            }
        }
    }
    Ok(out)
}

/// RGB pixels as a PNG tagged 300 dpi (so 1050 px prints 3.5 in wide).
pub fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Best);
        // 300 dots per inch = 11,811 per metre.
        enc.set_pixel_dims(Some(png::PixelDimensions { xppu: 11_811, yppu: 11_811, unit: png::Unit::Meter }));
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Builds a chart with our axes and mesh style. `x_title: None` hides the x tick labels (the
/// upper panel of a pair).
pub fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Axis,
    y: Axis,
    x_title: Option<&str>,
    y_title: &str,
    y_area: u32,
) -> Result<Chart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    // As many x labels as fit side by side.
    let plot_w = area.dim_in_pixel().0.saturating_sub(y_area + MARGIN + 12) as usize;
    let style = font(TICK);
    let mut xl = x.labels;
    while xl > 2 {
        let labels: Vec<String> = x.tick_values(xl).into_iter().map(|v| x.label(v)).collect();
        let widest =
            labels.iter().filter_map(|l| area.estimate_text_size(l, &style).ok()).map(|s| s.0).max().unwrap_or(0);
        if labels.len() * (widest as usize + 28) <= plot_w {
            break;
        }
        xl -= 1;
    }
    let x = Axis { labels: xl, ..x };
    let yl = y.labels;
    let mut c = ChartBuilder::on(area)
        .margin_top(14)
        .margin_right(MARGIN + 12)
        .x_label_area_size(if x_title.is_some() { X_LABEL_AREA } else { 14 })
        .y_label_area_size(y_area)
        .build_cartesian_2d(x, y)?;
    let blank = |_: &f64| String::new();
    let mut mesh = c.configure_mesh();
    mesh.x_labels(xl)
        .y_labels(yl)
        .label_style(font(TICK))
        .axis_desc_style(font(AXIS_TITLE))
        .y_desc(y_title)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(BLACK.stroke_width(2))
        .set_all_tick_mark_size(8);
    match x_title {
        Some(t) => {
            mesh.x_desc(t);
        }
        None => {
            mesh.x_label_formatter(&blank);
        }
    }
    mesh.draw()?;
    Ok(c)
}

/// Width for the y tick labels and the axis title of `axes` (panels sharing it align).
pub fn y_area<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, axes: &[&Axis]) -> u32 {
    let style = font(TICK);
    let widest = axes
        .iter()
        .flat_map(|a| a.tick_values(a.labels).into_iter().map(move |v| a.label(v)))
        .map(|l| area.estimate_text_size(&l, &style).map_or(l.chars().count() as u32 * 18, |s| s.0))
        .max()
        .unwrap_or(0);
    (widest + (AXIS_TITLE * 1.2) as u32 + 34).max(Y_LABEL_AREA)
}

/// Splits `values` (with x positions) into runs of finite points.
pub fn segments(xs: &[f64], ys: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur = Vec::new();
    for (&x, &y) in xs.iter().zip(ys) {
        if x.is_finite() && y.is_finite() {
            cur.push((x, y));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A line through the finite points, with gaps where values are missing.
pub fn draw_line<DB: DrawingBackend>(
    c: &mut Chart<'_, DB>,
    xs: &[f64],
    ys: &[f64],
    colour: RGBColor,
    width: u32,
    dashed: bool,
) -> DrawResult<DB> {
    let ys: Vec<f64> = ys.iter().map(|&v| c.as_coord_spec().y_spec().to(v)).collect();
    for seg in segments(xs, &ys) {
        if seg.len() == 1 {
            c.draw_series(std::iter::once(Circle::new(seg[0], width as i32 + 1, colour.filled())))?;
        } else if dashed {
            c.draw_series(DashedLineSeries::new(seg, 14, 9, colour.stroke_width(width)))?;
        } else if is_vector::<DB>() || width <= 1 {
            c.draw_series(LineSeries::new(seg, colour.stroke_width(width)))?;
        } else {
            // plotters' raster backend turns a wide polyline into one polygon with unlimited
            // miter joins, which spikes far outside the plot on jagged daily data; draw each
            // segment on its own and round the joints instead.
            let style = colour.stroke_width(width);
            c.draw_series(seg.windows(2).map(|w| PathElement::new(vec![w[0], w[1]], style)))?;
            if width >= 3 {
                let r = (width / 2) as i32;
                c.draw_series(seg[1..seg.len() - 1].iter().map(|&p| Circle::new(p, r, colour.filled())))?;
            }
        }
    }
    Ok(())
}

/// Whether `DB` draws vectors (SVG: the viewer joins lines properly).
fn is_vector<DB: DrawingBackend>() -> bool {
    std::any::type_name::<DB>().contains("SVGBackend")
}

/// A filled band between `lo` and `hi`, with gaps where either is missing.
pub fn draw_band<DB: DrawingBackend>(
    c: &mut Chart<'_, DB>,
    xs: &[f64],
    lo: &[f64],
    hi: &[f64],
    colour: RGBAColor,
) -> DrawResult<DB> {
    let y = c.as_coord_spec().y_spec().clone();
    let mut seg: Vec<(f64, f64, f64)> = Vec::new();
    let flush = |seg: &mut Vec<(f64, f64, f64)>, c: &mut Chart<'_, DB>| -> DrawResult<DB> {
        if seg.len() >= 2 {
            let mut pts: Vec<(f64, f64)> = seg.iter().map(|&(x, _, h)| (x, h)).collect();
            pts.extend(seg.iter().rev().map(|&(x, l, _)| (x, l)));
            c.draw_series(std::iter::once(Polygon::new(pts, colour.filled())))?;
        }
        seg.clear();
        Ok(())
    };
    for i in 0..xs.len() {
        let (l, h) = (y.to(lo[i]), y.to(hi[i]));
        if xs[i].is_finite() && l.is_finite() && h.is_finite() {
            seg.push((xs[i], l, h));
        } else {
            flush(&mut seg, c)?;
        }
    }
    flush(&mut seg, c)
}

/// A vertical marker on the time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub day: f64,
    pub label: String,
    pub kind: MarkerKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    Halving,
    Event,
}

/// Vertical lines for `markers` (drawn under the data).
pub fn draw_marker_lines<DB: DrawingBackend>(c: &mut Chart<'_, DB>, markers: &[Marker]) -> DrawResult<DB> {
    let (x, y) = (c.as_coord_spec().x_spec().clone(), c.as_coord_spec().y_spec().clone());
    for m in markers.iter().filter(|m| m.day >= x.lo && m.day <= x.hi) {
        let pts = vec![(m.day, y.lo), (m.day, y.hi)];
        match m.kind {
            MarkerKind::Halving => {
                c.draw_series(std::iter::once(PathElement::new(pts, MARKER.stroke_width(2))))?;
            }
            MarkerKind::Event => {
                c.draw_series(DashedLineSeries::new(pts, 10, 7, MARKER.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}

/// The markers' labels (drawn over the data on a light backing), rotated to read upwards
/// from the top of the plot, left of their line; a marker close to the previous one puts its
/// label on the right instead so the two do not overlap.
pub fn draw_marker_labels<DB: DrawingBackend>(c: &mut Chart<'_, DB>, markers: &[Marker]) -> DrawResult<DB> {
    let (x, y) = (c.as_coord_spec().x_spec().clone(), c.as_coord_spec().y_spec().clone());
    let mut last_px: Option<i32> = None;
    let mut flip = false;
    for m in markers.iter().filter(|m| m.day >= x.lo && m.day <= x.hi) {
        let px = c.backend_coord(&(m.day, y.hi)).0;
        let close = last_px.is_some_and(|p| (px - p).abs() < (NOTE * 1.3) as i32);
        flip = close && !flip;
        last_px = Some(px);
        let style = font(NOTE)
            .color(&MARKER)
            .transform(FontTransform::Rotate270)
            .pos(text_anchor::Pos::new(text_anchor::HPos::Right, text_anchor::VPos::Bottom));
        // Rotated this way, the text occupies [anchor x - its height, anchor x].
        let th = (NOTE * 0.95) as i32;
        let right = if flip { th + 5 } else { -5 };
        let (tw, _) = c.plotting_area().estimate_text_size(&m.label, &font(NOTE))?;
        let paper = Rectangle::new([(right - th - 2, 4), (right + 2, 12 + tw as i32)], WHITE.mix(0.85).filled());
        let label = EmptyElement::at((m.day, y.hi)) + paper + Text::new(m.label.clone(), (right, 8), style);
        c.draw_series(std::iter::once(label))?;
    }
    Ok(())
}

/// A horizontal reference line (e.g. the 600 s target interval).
pub fn draw_hline<DB: DrawingBackend>(c: &mut Chart<'_, DB>, value: f64, colour: RGBColor) -> DrawResult<DB> {
    let (x, y) = (c.as_coord_spec().x_spec().clone(), c.as_coord_spec().y_spec().clone());
    let v = y.to(value);
    if v.is_finite() {
        c.draw_series(DashedLineSeries::new(vec![(x.lo, v), (x.hi, v)], 14, 9, colour.stroke_width(2)))?;
    }
    Ok(())
}

/// One median line (and p5-p95 band) of a time-series panel.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub band: Band,
    pub colour: RGBColor,
    pub width: u32,
    pub dashed: bool,
    /// Draw the p5-p95 band (when there are replicates).
    pub show_band: bool,
}

impl Series {
    pub fn new(label: impl Into<String>, band: Band, colour: RGBColor) -> Series {
        Series { label: label.into(), band, colour, width: LINE, dashed: false, show_band: true }
    }
}

/// One panel of a time-series figure.
#[derive(Debug, Clone, Default)]
pub struct Panel {
    pub y_title: String,
    pub log: bool,
    /// Start the y axis at zero.
    pub from_zero: bool,
    /// Median lines with bands.
    pub series: Vec<Series>,
    /// Stacked areas of the medians, bottom first.
    pub stacked: Vec<Series>,
    /// A dashed horizontal line and its legend label.
    pub reference: Option<(f64, String)>,
}

/// What every run figure shares: the time axis, the markers and the replicate count.
#[derive(Debug, Clone)]
pub struct Frame {
    pub days: Vec<f64>,
    pub start: Option<i64>,
    pub markers: Vec<Marker>,
    pub replicates: usize,
}

impl Frame {
    fn axis(&self) -> Axis {
        let lo = self.days.first().copied().unwrap_or(0.0);
        let hi = self.days.last().copied().unwrap_or(1.0);
        Axis::days(lo, hi, self.start, 7)
    }

    fn x_title(&self) -> String {
        if self.start.is_some() {
            format!("Date{}", self.axis().year_suffix())
        } else {
            "Day of simulation".into()
        }
    }
}

/// Panels over a shared time axis, with a legend above them.
pub struct TimeFigure<'a> {
    pub name: String,
    pub frame: &'a Frame,
    pub panels: Vec<Panel>,
}

impl TimeFigure<'_> {
    fn legend(&self) -> Vec<LegendEntry> {
        let mut out = Vec::new();
        for p in &self.panels {
            for s in p.stacked.iter().rev() {
                out.push(LegendEntry::fill(s.label.clone(), s.colour.mix(0.85)));
            }
            for s in &p.series {
                let label = if s.band.p50.iter().all(|v| !v.is_finite()) {
                    format!("{} (not available)", s.label)
                } else {
                    s.label.clone()
                };
                if out.iter().any(|e: &LegendEntry| e.label == label) {
                    continue;
                }
                out.push(if s.dashed {
                    LegendEntry::dashed(label, s.colour, s.width)
                } else {
                    LegendEntry { label, swatch: Swatch::Line { colour: s.colour, width: s.width + 1, dashed: false } }
                });
            }
            if let Some((_, label)) = &p.reference {
                out.push(LegendEntry::dashed(label.clone(), GREY, 2));
            }
        }
        if self.frame.replicates > 1 && self.panels.iter().any(|p| p.series.iter().any(|s| s.show_band)) {
            out.push(LegendEntry::fill(
                format!("5th\u{2013}95th percentile of {} replicates (lines: median)", self.frame.replicates),
                GREY.mix(0.3),
            ));
        }
        if self.frame.markers.iter().any(|m| m.kind == MarkerKind::Halving) {
            out.push(LegendEntry {
                label: "halving".into(),
                swatch: Swatch::Line { colour: MARKER, width: 2, dashed: false },
            });
        }
        if self.frame.markers.iter().any(|m| m.kind == MarkerKind::Event) {
            out.push(LegendEntry::dashed("scenario event", MARKER, 2));
        }
        if self.frame.replicates > 1 && self.panels.iter().any(|p| !p.stacked.is_empty()) {
            out.push(LegendEntry::title(format!("(areas: medians of {} replicates)", self.frame.replicates)));
        }
        out
    }

    fn y_axis(&self, p: &Panel) -> Axis {
        let bands = self.frame.replicates > 1;
        let mut vals: Vec<f64> = Vec::new();
        for s in &p.series {
            if bands && s.show_band {
                vals.extend(s.band.finite());
            } else {
                vals.extend(s.band.p50.iter().copied().filter(|v| v.is_finite()));
            }
        }
        if !p.stacked.is_empty() {
            let n = self.frame.days.len();
            for d in 0..n {
                let total: f64 =
                    p.stacked.iter().map(|s| s.band.p50.get(d).copied().unwrap_or(0.0)).filter(|v| v.is_finite()).sum();
                vals.push(total);
            }
            vals.push(0.0);
        }
        if let Some((v, _)) = p.reference {
            vals.push(v);
        }
        if p.log {
            let pos: Vec<f64> = vals.into_iter().filter(|v| *v > 0.0).collect();
            let lo = pos.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = pos.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if !lo.is_finite() {
                return Axis::log(1.0, 10.0, 6);
            }
            let (l, h) = (lo.log10(), hi.log10());
            let pad = ((h - l) * 0.06).max(0.1);
            // In decades: 10^(l - pad) can underflow to 0 for tiny values.
            return Axis::log_decades(l - pad, h + pad, 6);
        }
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            return Axis::linear(0.0, 1.0, 6);
        }
        let span = if hi > lo { hi - lo } else { hi.abs().max(1.0) };
        // Non-negative data on a from-zero panel start at zero.
        let lo = if p.from_zero && lo >= 0.0 { 0.0 } else { lo - span * 0.06 };
        Axis::linear(lo, hi + span * 0.06, 6)
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        p: &Panel,
        y: Axis,
        y_area: u32,
        bottom: bool,
        top: bool,
    ) -> DrawResult<DB> {
        let x = self.frame.axis();
        let xs = &self.frame.days;
        let x_title = self.frame.x_title();
        let mut c = chart(area, x, y, bottom.then_some(x_title.as_str()), &p.y_title, y_area)?;
        if !p.stacked.is_empty() {
            let n = xs.len();
            let mut base = vec![0.0; n];
            for s in &p.stacked {
                let top: Vec<f64> = (0..n)
                    .map(|d| base[d] + s.band.p50.get(d).copied().filter(|v| v.is_finite()).unwrap_or(0.0))
                    .collect();
                draw_band(&mut c, xs, &base, &top, s.colour.mix(0.85))?;
                base = top;
            }
        }
        if self.frame.replicates > 1 {
            for s in p.series.iter().filter(|s| s.show_band) {
                draw_band(&mut c, xs, &s.band.p5, &s.band.p95, s.colour.mix(0.2))?;
            }
        }
        if let Some((v, _)) = p.reference {
            draw_hline(&mut c, v, GREY)?;
        }
        draw_marker_lines(&mut c, &self.frame.markers)?;
        for s in &p.series {
            draw_line(&mut c, xs, &s.band.p50, s.colour, s.width, s.dashed)?;
        }
        if top {
            draw_marker_labels(&mut c, &self.frame.markers)?;
        }
        Ok(())
    }
}

impl Figure for TimeFigure<'_> {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, if self.panels.len() > 1 { HEIGHT_TWO } else { HEIGHT })
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = root.margin(8, 8, 8, 8);
        let legend = self.legend();
        let axes: Vec<Axis> = self.panels.iter().map(|p| self.y_axis(p)).collect();
        let y_area = y_area(&area, &axes.iter().collect::<Vec<_>>());
        let indent = y_area as i32 - 40;
        let (leg, rest) = area.split_vertically(legend_height(&area, &legend, indent));
        draw_legend(&leg, &legend, indent)?;
        let n = self.panels.len();
        if n == 1 {
            return self.draw_panel(&rest, &self.panels[0], axes[0].clone(), y_area, true, true);
        }
        // Equal plot heights: the bottom panel also holds the x labels.
        let h = rest.dim_in_pixel().1 as i32;
        let each = (h - X_LABEL_AREA as i32 + 14) / n as i32;
        let mut remaining = rest;
        for (i, p) in self.panels.iter().enumerate() {
            if i + 1 == n {
                self.draw_panel(&remaining, p, axes[i].clone(), y_area, true, i == 0)?;
            } else {
                let (this, next) = remaining.split_vertically(each);
                self.draw_panel(&this, p, axes[i].clone(), y_area, false, i == 0)?;
                remaining = next;
            }
        }
        Ok(())
    }
}
