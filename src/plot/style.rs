//! The look shared by every figure: the embedded font, sizes for a journal column, the
//! Okabe-Ito and viridis palettes, axes with date, numeric, logarithmic or categorical ticks,
//! and a legend drawn above the plot so it never hides data.

use super::data::{civil_from_days, days_from_civil};
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

impl Axis {
    pub fn linear(lo: f64, hi: f64, labels: usize) -> Axis {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, lo + 0.5) };
        Axis { lo, hi, ticks: Ticks::Linear, labels, log: false }
    }

    /// A log axis over positive values `lo..hi` (stored as their log10).
    pub fn log(lo: f64, hi: f64, labels: usize) -> Axis {
        let (lo, hi) = (lo.log10(), hi.log10());
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, lo + 0.5) };
        Axis { lo, hi, ticks: Ticks::Log, labels, log: true }
    }

    pub fn days(lo: f64, hi: f64, start: Option<i64>, labels: usize) -> Axis {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, lo + 0.5) };
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

    pub fn tick_values(&self, max: usize) -> Vec<f64> {
        let max = max.max(2);
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
        let (y0, _, _) = civil_from_days(start + self.lo.round() as i64);
        let (y1, _, _) = civil_from_days(start + self.hi.round() as i64);
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
                let (_, months) = date_ticks(self.lo, self.hi, *start, self.labels.max(2));
                fmt_date(start + v.round() as i64, months)
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
        limit.0 + (f * f64::from(limit.1 - limit.0)).round() as i32
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

/// Round ticks between `lo` and `hi`, at most `max` of them, and their step.
pub fn nice_ticks(lo: f64, hi: f64, max: usize) -> (Vec<f64>, f64) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], 1.0);
    }
    let raw = span / (max.max(2) - 1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| (hi / s).floor() - (lo / s).ceil() < max as f64)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    ((first..=last).map(|k| k as f64 * step).collect(), step)
}

/// Round ticks at whole days (no duplicates on a span of a day or two).
fn whole_days(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let mut t: Vec<f64> =
        nice_ticks(lo, hi, max).0.into_iter().map(f64::round).filter(|d| *d >= lo && *d <= hi).collect();
    t.dedup();
    t
}

fn log_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
    let decades = (b - a + 1).max(0) as usize;
    if decades >= 2 {
        let step = decades.div_ceil(max).max(1);
        return (a..=b).step_by(step).map(|k| k as f64).collect();
    }
    // Less than two decades: 1, 2, 5 x 10^k.
    let mut out = Vec::new();
    for k in (lo.floor() as i64)..=(hi.ceil() as i64) {
        for m in [1.0f64, 2.0, 5.0] {
            let v = k as f64 + m.log10();
            if v >= lo - 1e-9 && v <= hi + 1e-9 {
                out.push(v);
            }
        }
    }
    out
}

/// A number for a tick label: as many decimals as the step needs, thousands separated.
pub fn fmt_number(v: f64, step: f64) -> String {
    // As many decimals as the step has (0.25 -> 2, 2.5 -> 1, 200 -> 0).
    let decimals = if step > 0.0 && step.is_finite() {
        (0..10)
            .find(|&d| {
                let x = step * 10f64.powi(d);
                (x - x.round()).abs() < 1e-6 * x.max(1.0)
            })
            .unwrap_or(10) as usize
    } else {
        0
    };
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    group_thousands(&format!("{v:.decimals$}"))
}

/// `12345.6` -> `12,345.6`.
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 4 {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn superscript(n: i64) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '\u{207B}',
            '0' => '\u{2070}',
            '1' => '\u{00B9}',
            '2' => '\u{00B2}',
            '3' => '\u{00B3}',
            d => char::from_u32(0x2070 + d.to_digit(10).unwrap_or(0)).unwrap_or(d),
        })
        .collect()
}

/// A log10 value as `10⁹` or `2×10⁹` (plain numbers between 0.01 and 1000).
pub fn fmt_power(log: f64) -> String {
    let k = log.floor();
    let m = 10f64.powf(log - k);
    let m = if (m - m.round()).abs() < 1e-6 { m.round() } else { m };
    let v = 10f64.powf(log);
    if (-2.0..3.0).contains(&k) {
        let decimals = if k < 0.0 { (-k) as usize } else { 0 };
        return format!("{v:.decimals$}");
    }
    let k = k as i64;
    if (m - 1.0).abs() < 1e-6 {
        format!("10{}", superscript(k))
    } else {
        format!("{m:.0}\u{00D7}10{}", superscript(k))
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Month-start ticks (in days from day 0) every 1, 2, 3, 6, 12, ... months, at most `max`, and
/// the step in months (0: too short a span, ticks are days).
fn date_ticks(lo: f64, hi: f64, start: i64, max: usize) -> (Vec<f64>, u32) {
    let (y0, m0, _) = civil_from_days(start + lo.floor() as i64);
    for step in [1u32, 2, 3, 6, 12, 24, 60, 120, 240, 600] {
        let mut ticks = Vec::new();
        let (mut y, mut m) = (y0, m0);
        loop {
            let month_index = y * 12 + i64::from(m) - 1;
            if month_index % i64::from(step) == 0 {
                let day = (days_from_civil(y, m, 1) - start) as f64;
                if day > hi {
                    break;
                }
                if day >= lo {
                    ticks.push(day);
                }
            }
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
            if (days_from_civil(y, m, 1) - start) as f64 > hi {
                break;
            }
        }
        if ticks.len() <= max {
            if ticks.len() >= 3 || step > 1 {
                return (ticks, step);
            }
            break;
        }
    }
    // A few months or less: days of the month.
    const DAYS: [&[u32]; 5] =
        [&[1, 15], &[1, 11, 21], &[1, 8, 15, 22], &[1, 6, 11, 16, 21, 26], &[1, 4, 7, 10, 13, 16, 19, 22, 25, 28]];
    let mut best: Vec<f64> = Vec::new();
    for set in DAYS {
        let ticks: Vec<f64> = ((lo.ceil() as i64)..=(hi.floor() as i64))
            .filter(|&d| set.contains(&civil_from_days(start + d).2))
            .map(|d| d as f64)
            .collect();
        if ticks.len() > max {
            break;
        }
        best = ticks;
    }
    if best.len() < 2 {
        best = whole_days(lo, hi, max);
    }
    (best, 0)
}

fn fmt_date(z: i64, months: u32) -> String {
    let (y, m, d) = civil_from_days(z);
    match months {
        0 => format!("{} {d}", MONTHS[m as usize - 1]),
        s if s >= 12 => format!("{y}"),
        _ if m == 1 => format!("{y}"),
        _ => MONTHS[m as usize - 1].to_string(),
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
    fn nice_ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 10.0, 6).0, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let (t, step) = nice_ticks(0.13, 0.92, 5);
        assert_eq!(step, 0.2);
        assert_eq!(t.len(), 4);
        assert_eq!(fmt_number(0.6000000000000001, 0.2), "0.6");
        assert_eq!(fmt_number(2.5, 2.5), "2.5");
        assert_eq!(fmt_number(12500.0, 2500.0), "12,500");
        assert_eq!(fmt_number(1200.0, 200.0), "1200");
        assert_eq!(fmt_number(-0.0, 1.0), "0");
    }

    #[test]
    fn powers_of_ten() {
        assert_eq!(fmt_power(9.0), "10\u{2079}");
        assert_eq!(fmt_power(10.0), "10\u{00B9}\u{2070}");
        assert_eq!(fmt_power(9.0 + 2f64.log10()), "2\u{00D7}10\u{2079}");
        assert_eq!(fmt_power(2.0), "100");
        assert_eq!(fmt_power(-1.0), "0.1");
        assert_eq!(log_ticks(8.2, 11.9, 6), vec![9.0, 10.0, 11.0]);
    }

    #[test]
    fn date_ticks_fall_on_month_starts() {
        let start = parse_date("2025-11-21").unwrap();
        let (ticks, step) = date_ticks(0.0, 1094.0, start, 7);
        assert_eq!(step, 6);
        let labels: Vec<String> = ticks.iter().map(|&d| fmt_date(start + d as i64, step)).collect();
        assert_eq!(labels, ["2026", "Jul", "2027", "Jul", "2028", "Jul"]);
        assert_eq!(civil_from_days(start + ticks[0] as i64), (2026, 1, 1));
        let axis = Axis::days(0.0, 1094.0, Some(start), 7);
        assert_eq!(axis.year_suffix(), "");
        let (ticks, step) = date_ticks(0.0, 40.0, start, 6);
        assert_eq!(step, 0);
        let labels: Vec<String> = ticks.iter().map(|&d| fmt_date(start + d as i64, step)).collect();
        assert_eq!(labels, ["Nov 22", "Dec 1", "Dec 8", "Dec 15", "Dec 22"]);
        assert_eq!(Axis::days(0.0, 45.0, Some(start), 6).year_suffix(), " (2025\u{2013}2026)");
        assert_eq!(Axis::days(0.0, 20.0, Some(start), 6).year_suffix(), " (2025)");
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert!(is_dark(viridis(0.1)) && !is_dark(viridis(0.95)));
    }
}
