//! The look shared by every figure: the embedded font, sizes for a journal column, the
//! Okabe-Ito and viridis palettes, axes with date, numeric, logarithmic or categorical ticks,
//! and a legend drawn above the plot so it never hides data.

use super::ticks::{
    calendar_day, date_ticks, fmt_date, fmt_number, fmt_power, log_ticks, nice_ticks, whole_days, MAX_TICKS,
};
use crate::calendar::civil_from_days;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;
use std::ops::Range;
use std::sync::OnceLock;

/// DejaVu Sans 2.37 (Bitstream Vera licence, see `fonts/LICENSE-DejaVu.txt`), embedded so that
/// rendering needs no system fonts.
static DEJAVU_SANS: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// The family name figures use; SVGs name it too, so viewers substitute their sans-serif.
pub const FONT: &str = "sans-serif";

/// Registers the embedded font with plotters (once per process).
pub fn register_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, DEJAVU_SANS)
            .map_err(|_| "the embedded font (DejaVu Sans) could not be loaded".to_string())
    })
    .clone()
}

// Sizes in pixels. A 1050 px wide PNG is 3.5 in (one journal column) at 300 dpi; plotters'
// font size is the line height, about 1.16 em for DejaVu Sans, so 32 px is ~6.6 pt.
pub const WIDTH: u32 = 1050;
pub const HEIGHT: u32 = 700;
/// Two stacked panels sharing the x axis.
pub const HEIGHT_TWO: u32 = 1000;
pub const TICK: f64 = 32.0;
pub const AXIS_TITLE: f64 = 35.0;
pub const LEGEND: f64 = 31.0;
pub const NOTE: f64 = 27.0;
pub const MARGIN: u32 = 18;
pub const Y_LABEL_AREA: u32 = 150;
pub const X_LABEL_AREA: u32 = 100;
pub const LINE: u32 = 3;

pub fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

// Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
// colour-vision deficiency.
pub const OI_BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
pub const OI_ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const OI_SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const OI_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const OI_YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub const OI_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const OI_VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const OI_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub const MARKER: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// Okabe-Ito colours for lines, in order of preference (black last: it is kept for totals).
pub const LINES: [RGBColor; 7] = [OI_BLUE, OI_VERMILLION, OI_GREEN, OI_ORANGE, OI_PURPLE, OI_SKY, OI_BLACK];

/// The `i`-th of `n` line colours: Okabe-Ito up to 7, viridis beyond.
pub fn line_colour(i: usize, n: usize) -> RGBColor {
    if n <= LINES.len() {
        LINES[i % LINES.len()]
    } else {
        viridis(i as f64 / (n - 1).max(1) as f64 * 0.9)
    }
}

/// Viridis (perceptually uniform, colour-blind-safe), `t` in 0..=1: linear between the ten
/// evenly spaced stops of R's `viridis(10)`.
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 10] = [
        (0x44, 0x01, 0x54),
        (0x48, 0x28, 0x78),
        (0x3E, 0x4A, 0x89),
        (0x31, 0x68, 0x8E),
        (0x26, 0x82, 0x8E),
        (0x1F, 0x9E, 0x89),
        (0x35, 0xB7, 0x79),
        (0x6D, 0xCD, 0x59),
        (0xB4, 0xDE, 0x2C),
        (0xFD, 0xE7, 0x25),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * 9.0;
    let i = (x.floor() as usize).min(8);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let m = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Relative luminance, to pick black or white text over a colour.
pub fn is_dark(c: RGBColor) -> bool {
    0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2) < 128.0
}

/// How an axis places and labels its ticks.
#[derive(Debug, Clone)]
pub enum Ticks {
    /// Day numbers; labelled with calendar dates when day 0's date is known (days since 1970).
    Days { start: Option<i64> },
    /// Round numbers.
    Linear,
    /// Powers of ten (values are plotted as log10 internally: pass them through [`Axis::to`]).
    Log,
    /// Positions 0..n with these labels.
    Categories(Vec<String>),
    /// Ticks at these positions (in the axis' coordinate) with these labels.
    Fixed(Vec<(f64, String)>),
}

/// An axis: a range of values and a tick style; one coordinate type for every figure.
#[derive(Debug, Clone)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Ticks,
    /// How many labels at most (from the figure's width).
    pub labels: usize,
    /// Values are plotted as their log10 (see [`Axis::to`]).
    pub log: bool,
}

/// Axis ends are kept within this, so that their difference is finite.
const AXIS_LIMIT: f64 = f64::MAX / 4.0;

/// Log axes' ends in decades: past f64's range (1e-324..1e308) there is nothing to show.
const LOG_LIMIT: f64 = 400.0;

/// Usable ends for an axis over `lo..hi`, whatever the data: finite, within `limit`, and
/// apart (a single value gets an axis around it, a unit wide unless the value is huge).
fn ends(lo: f64, hi: f64, limit: f64) -> (f64, f64) {
    let (lo, hi) = (lo.clamp(-limit, limit), hi.clamp(-limit, limit));
    let around = |v: f64| {
        let w = (v.abs() * 1e-9).max(0.5);
        (v - w, v + w)
    };
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) if hi > lo => (lo, hi),
        (true, _) => around(lo),
        (false, true) => around(hi),
        (false, false) => (0.0, 1.0),
    }
}

impl Axis {
    pub fn linear(lo: f64, hi: f64, labels: usize) -> Axis {
        let (lo, hi) = ends(lo, hi, AXIS_LIMIT);
        Axis { lo, hi, ticks: Ticks::Linear, labels, log: false }
    }

    /// A log axis over positive values `lo..hi` (stored as their log10).
    pub fn log(lo: f64, hi: f64, labels: usize) -> Axis {
        Axis::log_decades(lo.log10(), hi.log10(), labels)
    }

    /// A log axis from 10^`lo` to 10^`hi`.
    pub fn log_decades(lo: f64, hi: f64, labels: usize) -> Axis {
        let (lo, hi) = ends(lo, hi, LOG_LIMIT);
        Axis { lo, hi, ticks: Ticks::Log, labels, log: true }
    }

    pub fn days(lo: f64, hi: f64, start: Option<i64>, labels: usize) -> Axis {
        let (lo, hi) = ends(lo, hi, AXIS_LIMIT);
        Axis { lo, hi, ticks: Ticks::Days { start }, labels, log: false }
    }

    pub fn categories(labels: Vec<String>, max_labels: usize) -> Axis {
        let n = labels.len().max(1) as f64;
        Axis { lo: -0.5, hi: n - 0.5, ticks: Ticks::Categories(labels), labels: max_labels, log: false }
    }

    /// This axis with ticks exactly at `values` (data values), labelled by `labels`.
    pub fn with_ticks_at(mut self, values: &[f64], labels: &[String]) -> Axis {
        let log = self.log;
        let ticks = values
            .iter()
            .zip(labels)
            .map(|(&v, l)| (if log { v.log10() } else { v }, l.clone()))
            .filter(|(p, _)| p.is_finite())
            .collect();
        self.ticks = Ticks::Fixed(ticks);
        self
    }

    /// A data value in this axis' coordinate (log10 for log axes; NaN if not positive there).
    pub fn to(&self, v: f64) -> f64 {
        match self.log {
            true if v > 0.0 => v.log10(),
            true => f64::NAN,
            false => v,
        }
    }

    /// Where the ticks go, at most `max` (and never more than [`MAX_TICKS`]) of them.
    pub fn tick_values(&self, max: usize) -> Vec<f64> {
        let max = max.clamp(2, MAX_TICKS);
        match &self.ticks {
            Ticks::Linear => nice_ticks(self.lo, self.hi, max).0,
            Ticks::Log => log_ticks(self.lo, self.hi, max),
            Ticks::Categories(labels) => {
                let n = labels.len();
                let step = n.div_ceil(max).max(1);
                (0..n).step_by(step).map(|i| i as f64).collect()
            }
            Ticks::Fixed(ticks) => {
                let step = ticks.len().div_ceil(max).max(1);
                ticks.iter().step_by(step).map(|t| t.0).collect()
            }
            Ticks::Days { start: Some(start) } => date_ticks(self.lo, self.hi, *start, max).0,
            Ticks::Days { start: None } => whole_days(self.lo, self.hi, max),
        }
    }

    /// For a date axis whose labels name no year: the years it spans, e.g. ` (2028)`, for
    /// the axis title.
    pub fn year_suffix(&self) -> String {
        let Ticks::Days { start: Some(start) } = self.ticks else { return String::new() };
        let labels: Vec<String> = self.tick_values(self.labels).into_iter().map(|v| self.label(v)).collect();
        if labels.iter().any(|l| l.len() == 4 && l.chars().all(|c| c.is_ascii_digit())) {
            return String::new();
        }
        let (Some(first), Some(last)) = (calendar_day(start, self.lo), calendar_day(start, self.hi)) else {
            return String::new();
        };
        let (y0, y1) = (civil_from_days(first).year, civil_from_days(last).year);
        if y0 == y1 {
            format!(" ({y0})")
        } else {
            format!(" ({y0}\u{2013}{y1})")
        }
    }

    /// The label of tick `v`.
    pub fn label(&self, v: f64) -> String {
        match &self.ticks {
            Ticks::Linear => {
                let step = nice_ticks(self.lo, self.hi, self.labels.max(2)).1;
                fmt_number(v, step)
            }
            Ticks::Log => fmt_power(v),
            Ticks::Categories(labels) => {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
            Ticks::Fixed(ticks) => ticks
                .iter()
                .find(|t| (t.0 - v).abs() <= 1e-9 * t.0.abs().max(1.0))
                .map(|t| t.1.clone())
                .unwrap_or_default(),
            Ticks::Days { start: Some(start) } => {
                let (_, months) = date_ticks(self.lo, self.hi, *start, self.labels);
                match calendar_day(*start, v) {
                    Some(z) => fmt_date(z, months),
                    None => format!("{}", v.round() as i64),
                }
            }
            Ticks::Days { start: None } => format!("{}", v.round() as i64),
        }
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = (v - self.lo) / (self.hi - self.lo);
        // `as` saturates (NaN -> 0); the sum must too, for values far outside the axis.
        limit.0.saturating_add((f * f64::from(limit.1 - limit.0)).round() as i32)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        self.tick_values(hint.max_num_points())
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, v: &f64) -> String {
        self.label(*v)
    }
}

/// What a legend entry looks like.
#[derive(Debug, Clone)]
pub enum Swatch {
    Line {
        colour: RGBColor,
        width: u32,
        dashed: bool,
    },
    Fill(RGBAColor),
    /// No swatch: a heading for the entries after it.
    Title,
    /// A dot (for points without lines).
    Dot(RGBColor),
}

#[derive(Debug, Clone)]
pub struct LegendEntry {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendEntry {
    pub fn line(label: impl Into<String>, colour: RGBColor) -> LegendEntry {
        LegendEntry { label: label.into(), swatch: Swatch::Line { colour, width: LINE + 1, dashed: false } }
    }
    pub fn dashed(label: impl Into<String>, colour: RGBColor, width: u32) -> LegendEntry {
        LegendEntry { label: label.into(), swatch: Swatch::Line { colour, width, dashed: true } }
    }
    pub fn fill(label: impl Into<String>, colour: RGBAColor) -> LegendEntry {
        LegendEntry { label: label.into(), swatch: Swatch::Fill(colour) }
    }
    pub fn title(label: impl Into<String>) -> LegendEntry {
        LegendEntry { label: label.into(), swatch: Swatch::Title }
    }
}

const SWATCH_W: i32 = 52;
const SWATCH_GAP: i32 = 10;
const ENTRY_GAP: i32 = 34;

fn text_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, size: f64) -> i32 {
    area.estimate_text_size(text, &font(size))
        .map_or((text.chars().count() as f64 * size * 0.55) as i32, |s| s.0 as i32)
}

/// Entries laid out in rows no wider than `width`: the rows, each a list of (entry, x).
fn legend_rows<'e, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &'e [LegendEntry],
    width: i32,
) -> Vec<Vec<(&'e LegendEntry, i32)>> {
    let mut rows: Vec<Vec<(&LegendEntry, i32)>> = vec![Vec::new()];
    let mut x = 0;
    for e in entries {
        let swatch = if matches!(e.swatch, Swatch::Title) { 0 } else { SWATCH_W + SWATCH_GAP };
        let w = swatch + text_width(area, &e.label, LEGEND);
        if x > 0 && x + w > width {
            rows.push(Vec::new());
            x = 0;
        }
        rows.last_mut().expect("a row").push((e, x));
        x += w + ENTRY_GAP;
    }
    rows
}

fn legend_row_height() -> i32 {
    (LEGEND * 1.3) as i32
}

/// Height a legend of `entries` needs in `area` when drawn after `indent` px (0 for none).
pub fn legend_height<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry], indent: i32) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    let width = area.dim_in_pixel().0 as i32 - indent - MARGIN as i32;
    let rows = legend_rows(area, entries, width).len() as i32;
    (rows * legend_row_height() + 12) as u32
}

/// Draws the legend rows in `area` (from [`legend_height`]), left-aligned after `indent` px.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    indent: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let width = area.dim_in_pixel().0 as i32 - indent - MARGIN as i32;
    let rh = legend_row_height();
    let style = font(LEGEND).pos(text_anchor::Pos::new(text_anchor::HPos::Left, text_anchor::VPos::Center));
    for (r, row) in legend_rows(area, entries, width).iter().enumerate() {
        let cy = 6 + r as i32 * rh + rh / 2;
        for (e, x) in row {
            let x = indent + x;
            let text_x = if matches!(e.swatch, Swatch::Title) { x } else { x + SWATCH_W + SWATCH_GAP };
            match &e.swatch {
                Swatch::Title => {}
                Swatch::Dot(c) => {
                    area.draw(&Circle::new((x + SWATCH_W / 2, cy), 7, c.filled()))?;
                }
                Swatch::Line { colour, width, dashed: false } => {
                    area.draw(&PathElement::new(vec![(x, cy), (x + SWATCH_W, cy)], colour.stroke_width(*width)))?;
                }
                Swatch::Line { colour, width, dashed: true } => {
                    let mut s = x;
                    while s < x + SWATCH_W {
                        let e = (s + 12).min(x + SWATCH_W);
                        area.draw(&PathElement::new(vec![(s, cy), (e, cy)], colour.stroke_width(*width)))?;
                        s += 20;
                    }
                }
                Swatch::Fill(c) => {
                    area.draw(&Rectangle::new([(x, cy - rh / 3), (x + SWATCH_W, cy + rh / 3)], c.filled()))?;
                }
            }
            area.draw(&Text::new(e.label.clone(), (text_x, cy), style.clone()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::data::parse_date;

    #[test]
    fn date_axes_name_the_years_their_labels_do_not() {
        let start = parse_date("2025-11-21").unwrap();
        assert_eq!(Axis::days(0.0, 1094.0, Some(start), 7).year_suffix(), "");
        assert_eq!(Axis::days(0.0, 45.0, Some(start), 6).year_suffix(), " (2025\u{2013}2026)");
        assert_eq!(Axis::days(0.0, 20.0, Some(start), 6).year_suffix(), " (2025)");
    }

    /// Catches axes that hang, panic (overflow in date arithmetic or in a tick count) or
    /// produce unbounded tick lists on extreme or non-finite data.
    #[test]
    fn axes_stay_usable_on_extreme_ranges() {
        let start = Some(parse_date("2025-11-21").unwrap());
        let extremes = [0.0, 1.0, -1e300, 1e300, f64::MAX, f64::MIN, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
        for &lo in &extremes {
            for &hi in &extremes {
                let axes = [
                    Axis::linear(lo, hi, 6),
                    Axis::log(lo, hi, 6),
                    Axis::log_decades(lo, hi, 6),
                    Axis::days(lo, hi, start, 7),
                    Axis::days(lo, hi, None, 7),
                ];
                for a in axes {
                    assert!(a.lo.is_finite() && a.hi.is_finite() && a.hi > a.lo, "{lo:e} {hi:e}: {a:?}");
                    assert!((a.hi - a.lo).is_finite(), "{lo:e} {hi:e}: {a:?}");
                    let ticks = a.tick_values(usize::MAX);
                    assert!(ticks.len() <= MAX_TICKS + 1, "{lo:e} {hi:e}: {a:?}: {} ticks", ticks.len());
                    for t in ticks {
                        let _ = a.label(t);
                        let _ = a.map(&t, (0, 1000));
                    }
                    let _ = a.year_suffix();
                    let _ = a.map(&f64::MAX, (100, 1000));
                }
            }
        }
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert!(is_dark(viridis(0.1)) && !is_dark(viridis(0.95)));
    }
}
