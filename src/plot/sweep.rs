//! Figures of a sweep directory (`aggregate.csv` + `manifest.json`): a heatmap of a summary
//! metric's median over two swept parameters, and the metric against one parameter with
//! p5-p95 bands, one line per value of a second parameter.

use super::data::{read_json, read_table, Table};
use super::render::{chart, draw_band, draw_line, render, y_area, DrawResult, Figure, Rendered};
use super::style::*;
use super::PlotOptions;
use crate::error::{Error, Location, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;
use std::path::{Path, PathBuf};

/// Preferred default metrics, first found wins; otherwise the manifest's first metric.
const DEFAULT_METRICS: [&str; 6] = [
    "attack_cheapest_usd_min",
    "attack_cheapest_usd_final",
    "hashrate_eh_s_min",
    "hashrate_eh_s_final",
    "miner_revenue_usd_total",
    "mean_block_interval_s",
];
const STATS: [&str; 4] = ["mean", "p5", "p50", "p95"];

/// A sweep's aggregate table with its axes and metrics.
pub struct SweepData {
    path: PathBuf,
    pub axes: Vec<String>,
    pub metrics: Vec<String>,
    /// Each axis' `kind` in the manifest (`values`, `range`, `sample`), if given, and
    /// whether its `scale` is `log`.
    kinds: Vec<(String, Option<String>, bool)>,
    table: Table,
}

fn invalid(path: &Path, key: Option<&str>, message: impl Into<String>) -> Error {
    Error::invalid(
        Location { source: path.display().to_string(), key: key.map(str::to_string), ..Default::default() },
        message,
    )
}

impl SweepData {
    pub fn load(dir: &Path) -> Result<SweepData> {
        let path = dir.join("aggregate.csv");
        let manifest_path = dir.join("manifest.json");
        let manifest = if manifest_path.exists() { Some(read_json(&manifest_path)?) } else { None };
        // Headers first (cheap) to infer what the manifest does not say.
        let probe = read_table(&path, &[], &[])?;
        let mut axes: Vec<String> = Vec::new();
        let mut kinds = Vec::new();
        if let Some(m) = &manifest {
            if let Some(list) = m.get("axes") {
                let list = list
                    .as_array()
                    .ok_or_else(|| invalid(&manifest_path, Some("axes"), "expected an array of {key = ...} tables"))?;
                for (i, a) in list.iter().enumerate() {
                    let key = a.get("key").and_then(|k| k.as_str()).ok_or_else(|| {
                        invalid(&manifest_path, Some(&format!("axes[{i}].key")), "expected the swept parameter's key")
                    })?;
                    axes.push(key.to_string());
                    let kind = a.get("kind").and_then(|k| k.as_str()).map(str::to_string);
                    let log = a.get("scale").and_then(|k| k.as_str()) == Some("log");
                    kinds.push((key.to_string(), kind, log));
                }
            }
        }
        if axes.is_empty() {
            // point, <parameters...>, replicates, <metrics...>
            let h = &probe.headers;
            if let (Some(p), Some(r)) = (h.iter().position(|c| c == "point"), h.iter().position(|c| c == "replicates"))
            {
                axes = h[p + 1..r].to_vec();
            }
        }
        if axes.is_empty() {
            return Err(invalid(
                &manifest_path,
                Some("axes"),
                "no swept parameters found (expected manifest.json `axes` or aggregate.csv columns between `point` and `replicates`)",
            ));
        }
        let missing: Vec<&str> = axes.iter().map(String::as_str).filter(|a| !probe.has(a)).collect();
        if !missing.is_empty() {
            return Err(invalid(
                &path,
                None,
                format!("missing column(s) for swept parameter(s) {} named in manifest.json", missing.join(", ")),
            ));
        }
        let mut metrics: Vec<String> = manifest
            .as_ref()
            .and_then(|m| m.get("metrics"))
            .and_then(|m| m.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        if metrics.is_empty() {
            metrics = probe.headers.iter().filter_map(|h| h.strip_suffix("_p50").map(str::to_string)).collect();
        }
        // Keep the metrics whose quantile columns exist.
        metrics.retain(|m| probe.has(&format!("{m}_p50")));
        if metrics.is_empty() {
            return Err(invalid(&path, None, "no metric columns (expected <metric>_mean, _p5, _p50, _p95)"));
        }
        let numeric: Vec<String> = metrics
            .iter()
            .flat_map(|m| STATS.iter().map(move |s| format!("{m}_{s}")))
            .chain(["replicates".into()])
            .collect();
        let numeric: Vec<&str> = numeric.iter().map(String::as_str).collect();
        let text: Vec<&str> = axes.iter().map(String::as_str).collect();
        let table = read_table(&path, &numeric, &text)?;
        Ok(SweepData { path, axes, metrics, kinds, table })
    }

    /// The metric to plot: `--metric` (checked) or the default.
    fn metric(&self, chosen: Option<&str>) -> Result<String> {
        match chosen {
            Some(m) if self.metrics.iter().any(|x| x == m) => Ok(m.to_string()),
            Some(m) => Err(invalid(
                &self.path,
                Some("--metric"),
                format!("unknown metric {m:?}; allowed: {}", self.metrics.join(", ")),
            )),
            None => Ok(DEFAULT_METRICS
                .iter()
                .find(|d| self.metrics.iter().any(|m| m == *d))
                .map_or_else(|| self.metrics[0].clone(), |d| d.to_string())),
        }
    }

    fn axis(&self, flag: &str, chosen: Option<&str>, default: Option<usize>) -> Result<Option<String>> {
        match chosen {
            Some(k) if self.axes.iter().any(|a| a == k) => Ok(Some(k.to_string())),
            Some(k) => Err(invalid(
                &self.path,
                Some(flag),
                format!("{k:?} is not a swept parameter; allowed: {}", self.axes.join(", ")),
            )),
            None => Ok(default.and_then(|i| self.axes.get(i).cloned())),
        }
    }

    /// The distinct values of a parameter column: numeric order when all are numbers, else
    /// first appearance.
    fn values(&self, key: &str) -> Values {
        let col = self.table.text(key).unwrap_or(&[]);
        let mut labels: Vec<String> = Vec::new();
        for v in col {
            if !labels.contains(v) {
                labels.push(v.clone());
            }
        }
        let nums: Option<Vec<f64>> = labels.iter().map(|l| l.parse::<f64>().ok().filter(|x| x.is_finite())).collect();
        match nums {
            Some(mut n) => {
                let mut pairs: Vec<(f64, String)> = n.drain(..).zip(labels).collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                Values {
                    numbers: Some(pairs.iter().map(|p| p.0).collect()),
                    labels: pairs.into_iter().map(|p| p.1).collect(),
                }
            }
            None => Values { numbers: None, labels },
        }
    }

    /// Rows where every parameter not in `free` is at its first value; and a note saying so.
    fn fixed_rows(&self, free: &[&str]) -> (Vec<usize>, Vec<String>) {
        let mut rows: Vec<usize> = (0..self.table.rows).collect();
        let mut notes = Vec::new();
        for a in &self.axes {
            if free.contains(&a.as_str()) {
                continue;
            }
            let vals = self.values(a);
            let Some(first) = vals.labels.first() else { continue };
            let col = self.table.text(a).unwrap_or(&[]);
            rows.retain(|&r| &col[r] == first);
            if vals.labels.len() > 1 {
                notes.push(format!("{a} = {first}"));
            }
        }
        (rows, notes)
    }

    fn replicates(&self, rows: &[usize]) -> Option<usize> {
        let r = self.table.num("replicates")?;
        let n: Vec<f64> = rows.iter().map(|&i| r[i]).filter(|v| v.is_finite()).collect();
        let (lo, hi) = n.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        (lo == hi && lo.is_finite()).then_some(lo as usize)
    }

    fn stat(&self, metric: &str, stat: &str, row: usize) -> f64 {
        self.table.num(&format!("{metric}_{stat}")).map_or(f64::NAN, |c| c[row])
    }

    /// Whether a parameter was sampled (not a grid): the manifest says `kind = "sample"`, or
    /// every row has its own value.
    fn sampled(&self, key: &str) -> bool {
        match self.kinds.iter().find(|(k, ..)| k == key).and_then(|(_, kind, _)| kind.as_deref()) {
            Some(kind) => kind == "sample",
            None => self.table.rows > 12 && self.values(key).labels.len() == self.table.rows,
        }
    }

    /// Whether the manifest puts a parameter on a log scale (and all its values are positive).
    fn log_scale(&self, key: &str) -> bool {
        self.kinds.iter().any(|(k, _, log)| k == key && *log)
            && self.values(key).numbers.is_some_and(|n| n.iter().all(|v| *v > 0.0))
    }

    fn x_title(&self, key: &str) -> String {
        let t = param_label(key);
        match (self.log_scale(key), t.strip_suffix(')')) {
            (true, Some(t)) => format!("{t}; log scale)"),
            (true, None) => format!("{t} (log scale)"),
            (false, _) => t,
        }
    }

    /// Renders the heatmap (when there are two parameters) and the line plot.
    pub fn render_all(&self, opts: &PlotOptions, warnings: &mut Vec<String>) -> Result<Vec<Rendered>> {
        let metric = self.metric(opts.metric.as_deref())?;
        let x = self.axis("--x", opts.x.as_deref(), Some(0))?.expect("at least one axis");
        let second = if self.axes[0] == x { 1 } else { 0 };
        let y = self.axis("--y", opts.y.as_deref(), Some(second))?;
        if y.as_deref() == Some(x.as_str()) {
            return Err(invalid(
                &self.path,
                Some("--y"),
                format!("--x and --y are both {x:?}; choose two different parameters"),
            ));
        }
        let mut out = Vec::new();
        match &y {
            Some(y) => out.extend(render(&self.heatmap(&metric, &x, y), &opts.formats).map_err(Error::Other)?),
            None => warnings
                .push(format!("skipped heatmap_{metric}: the sweep varies one parameter ({x}); a heatmap needs two")),
        }
        out.extend(render(&self.lines(&metric, &x, y.as_deref()), &opts.formats).map_err(Error::Other)?);
        Ok(out)
    }

    fn replicates_note(&self, rows: &[usize], what: &str) -> String {
        match self.replicates(rows) {
            Some(n) => format!("{what} of {n} replicates"),
            None => format!("{what} over replicates"),
        }
    }

    fn heatmap(&self, metric: &str, x: &str, y: &str) -> Heatmap {
        let (mparts, unit) = metric_parts(metric);
        let base = Heatmap {
            name: format!("heatmap_{metric}"),
            words: mparts,
            unit,
            x_title: param_label(x),
            y_title: param_label(y),
            layout: Layout::Grid { x: Vec::new(), y: Vec::new(), cells: Vec::new() },
            note: String::new(),
        };
        if self.sampled(x) || self.sampled(y) {
            let (xc, yc) = (self.table.text(x).unwrap_or(&[]), self.table.text(y).unwrap_or(&[]));
            let rows: Vec<usize> = (0..self.table.rows).collect();
            let num = |c: &[String], r: usize| c[r].parse::<f64>().unwrap_or(f64::NAN);
            let points = rows.iter().map(|&r| (num(xc, r), num(yc, r), self.stat(metric, "p50", r))).collect();
            let note = format!("{}; sampled sweep", self.replicates_note(&rows, "dots: median"));
            return Heatmap { layout: Layout::Scatter(points), note, ..base };
        }
        let (rows, fixed) = self.fixed_rows(&[x, y]);
        let (xv, yv) = (self.values(x), self.values(y));
        let (xc, yc) = (self.table.text(x).unwrap_or(&[]), self.table.text(y).unwrap_or(&[]));
        let mut cells = vec![vec![f64::NAN; yv.labels.len()]; xv.labels.len()];
        for &r in &rows {
            let i = xv.labels.iter().position(|l| l == &xc[r]);
            let j = yv.labels.iter().position(|l| l == &yc[r]);
            if let (Some(i), Some(j)) = (i, j) {
                if cells[i][j].is_nan() {
                    cells[i][j] = self.stat(metric, "p50", r);
                }
            }
        }
        let mut note = self.replicates_note(&rows, "cells: median");
        if cells.iter().flatten().any(|v| !v.is_finite()) {
            note.push_str("; grey: no value");
        }
        if !fixed.is_empty() {
            note.push_str(&format!("; fixed: {}", fixed.join(", ")));
        }
        let labels = |v: &Values| v.labels.iter().map(|l| compact(l)).collect::<Vec<_>>();
        Heatmap { layout: Layout::Grid { x: labels(&xv), y: labels(&yv), cells }, note, ..base }
    }

    fn lines(&self, metric: &str, x: &str, group: Option<&str>) -> Lines {
        let (words, unit) = metric_parts(metric);
        let xv = self.values(x);
        let xc = self.table.text(x).unwrap_or(&[]);
        if self.sampled(x) || group.is_some_and(|g| self.sampled(g)) {
            // Every point has its own parameters: no lines, one dot (median) and whisker
            // (p5-p95) per point.
            let rows: Vec<usize> = (0..self.table.rows).collect();
            let mut pts: Vec<(f64, usize)> = rows
                .iter()
                .map(|&r| (xc[r].parse::<f64>().unwrap_or(f64::NAN), r))
                .filter(|p| p.0.is_finite())
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let stat = |s: &str| pts.iter().map(|&(_, r)| self.stat(metric, s, r)).collect::<Vec<f64>>();
            let line = Line {
                label: "median".into(),
                colour: OI_BLUE,
                xs: pts.iter().map(|p| p.0).collect(),
                p5: stat("p5"),
                p50: stat("p50"),
                p95: stat("p95"),
            };
            let note = format!(
                "{}; sampled sweep",
                self.replicates_note(&rows, "dots: median; whiskers: 5th\u{2013}95th percentile")
            );
            return Lines {
                name: format!("lines_{metric}"),
                words,
                unit,
                x_title: self.x_title(x),
                x_log: self.log_scale(x),
                x_numbers: Some(Vec::new()),
                x_labels: Vec::new(),
                group_title: None,
                lines: vec![line],
                note,
                dots: true,
            };
        }
        let free: Vec<&str> = std::iter::once(x).chain(group).collect();
        let (rows, fixed) = self.fixed_rows(&free);
        let groups: Vec<String> = group.map_or_else(|| vec![String::new()], |g| self.values(g).labels);
        let gc = group.and_then(|g| self.table.text(g));
        let mut lines = Vec::new();
        for (k, gval) in groups.iter().enumerate() {
            let mut pts: Vec<(usize, usize)> = Vec::new(); // (x index, row)
            for &r in &rows {
                if gc.is_some_and(|c| &c[r] != gval) {
                    continue;
                }
                if let Some(i) = xv.labels.iter().position(|l| l == &xc[r]) {
                    if !pts.iter().any(|p| p.0 == i) {
                        pts.push((i, r));
                    }
                }
            }
            pts.sort_unstable();
            // Categories: groups side by side around each category.
            let dodge = if xv.numbers.is_none() && groups.len() > 1 {
                (k as f64 - (groups.len() - 1) as f64 / 2.0) * (0.5 / groups.len() as f64)
            } else {
                0.0
            };
            let xs: Vec<f64> = pts.iter().map(|&(i, _)| xv.position(i) + dodge).collect();
            let stat = |s: &str| pts.iter().map(|&(_, r)| self.stat(metric, s, r)).collect::<Vec<f64>>();
            lines.push(Line {
                label: if group.is_some() { compact(gval) } else { "median".into() },
                colour: line_colour(k, groups.len()),
                xs,
                p5: stat("p5"),
                p50: stat("p50"),
                p95: stat("p95"),
            });
        }
        // Categories are not a continuum: dots and whiskers, no lines between them.
        let dots = xv.numbers.is_none();
        let what = if dots {
            "dots: median; whiskers: 5th\u{2013}95th percentile"
        } else {
            "lines: median; bands: 5th\u{2013}95th percentile"
        };
        let mut note = self.replicates_note(&rows, what);
        if !fixed.is_empty() {
            note.push_str(&format!("; fixed: {}", fixed.join(", ")));
        }
        Lines {
            name: format!("lines_{metric}"),
            words,
            unit,
            x_title: self.x_title(x),
            x_log: self.log_scale(x),
            x_numbers: xv.numbers.clone(),
            x_labels: xv.labels.iter().map(|l| compact(l)).collect(),
            group_title: group.map(|g| format!("{}:", short_key(g))),
            lines,
            note,
            dots,
        }
    }
}

struct Values {
    numbers: Option<Vec<f64>>,
    labels: Vec<String>,
}

impl Values {
    fn position(&self, i: usize) -> f64 {
        self.numbers.as_ref().map_or(i as f64, |n| n[i])
    }
}

/// A long dotted key without its section (`price.log_return_mean_per_day` ->
/// `log_return_mean_per_day`), keeping a distribution's name with its parameter
/// (`population.power_usd_per_kwh.median` -> `power_usd_per_kwh.median`).
fn short_key(k: &str) -> &str {
    if k.len() <= 24 {
        return k;
    }
    let parts: Vec<&str> = k.split('.').collect();
    let keep = if parts.len() > 2 && DIST_PARAMS.contains(&parts[parts.len() - 1]) { 2 } else { 1 };
    let skip: usize = parts[..parts.len() - keep].iter().map(|p| p.len() + 1).sum();
    &k[skip..]
}

/// The last segment of a distribution's key: `population.power_usd_per_kwh.median`.
const DIST_PARAMS: [&str; 7] = ["median", "min", "max", "value", "scale", "mean", "log_sd"];

/// A parameter value for a label: numbers to at most 4 significant digits
/// (`0.0790569415042` -> `0.07906`), anything else as is.
pub fn compact(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x != 0.0 => {
            let mag = x.abs().log10().floor() as i32;
            if !(-4..9).contains(&mag) {
                return format!("{x:.3e}");
            }
            let decimals = (3 - mag).max(0) as usize;
            let s = format!("{x:.decimals$}");
            let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
            group_thousands(&s)
        }
        Ok(_) => "0".into(),
        Err(_) => v.to_string(),
    }
}

/// A unit from a snake_case name's suffix (`_eh_s` -> `EH/s`).
pub fn unit_of(name: &str) -> Option<&'static str> {
    const UNITS: [(&str, &str); 12] = [
        ("_usd_per_ph_day", "USD/PH/day"),
        ("_usd_per_day", "USD/day"),
        ("_usd_per_kwh", "USD/kWh"),
        ("_usd_per_mwh", "USD/MWh"),
        ("_j_per_th", "J/TH"),
        ("_btc_per_block", "BTC/block"),
        ("_eh_s", "EH/s"),
        ("_th_s", "TH/s"),
        ("_usd", "USD"),
        ("_btc", "BTC"),
        ("_days", "days"),
        ("_s", "s"),
    ];
    // `population.power_usd_per_kwh.median`: a distribution's parameter has its unit.
    let mut parts = name.rsplit('.');
    let mut last = parts.next().unwrap_or(name);
    if DIST_PARAMS.contains(&last) && last != "log_sd" {
        last = parts.next().unwrap_or(last);
    }
    UNITS.iter().find(|(s, _)| last.ends_with(s)).map(|(_, u)| *u)
}

/// Axis title of a swept parameter: its key, and its unit when the key names one.
pub fn param_label(key: &str) -> String {
    match unit_of(key) {
        Some(u) => format!("{key} ({u})"),
        None => key.to_string(),
    }
}

/// What a time-series column measures, in words.
fn column_words(c: &str) -> String {
    let known = match c {
        "hashrate_eh_s" => "hashrate",
        "hashrate_exited_eh_s" => "exited hashrate",
        "difficulty" => "difficulty",
        "price_usd" => "BTC price",
        "hashprice_usd_per_ph_day" => "hashprice",
        "mining_operators" => "mining operators",
        "hhi_operators" => "HHI of operators",
        "hhi_jurisdictions" => "HHI of jurisdictions",
        "nakamoto_50_operators" => "Nakamoto coefficient (50%)",
        "nakamoto_33_operators" => "Nakamoto coefficient (33%)",
        "top1_share_operators" => "largest operator's share",
        "top1_share_jurisdictions" => "largest jurisdiction's share",
        "hybrid_share" => "hybrid operators' share",
        "miner_revenue_usd" => "miner revenue",
        "attack_cheapest_usd" => "cheapest 51% attack",
        "attack_new_hardware_usd" => "51% attack, new hardware",
        "attack_dormant_usd" => "51% attack, dormant hardware",
        "attack_coalition_usd" => "51% attack, coalition",
        "attack_rental_usd" => "51% attack, rental",
        "double_spend_risk" => "double-spend risk",
        "btc_sold" => "BTC sold",
        "btc_sold_forced" => "BTC sold (forced)",
        "pivots" => "pivots to AI",
        "mean_block_interval_s" => "mean block interval",
        "height_end" => "final height",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let mut stem = c;
    for suffix in ["_usd_per_ph_day", "_usd_per_day", "_eh_s", "_th_s", "_usd", "_btc", "_s"] {
        if let Some(s) = c.strip_suffix(suffix) {
            stem = s;
            break;
        }
    }
    stem.replace('_', " ")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// A summary metric in words and its unit: `attack_cheapest_usd_min` -> ("Minimum cheapest
/// 51% attack", "USD"); `<col>_min_day` -> ("Day of minimum ...", "day").
pub fn metric_parts(m: &str) -> (String, Option<String>) {
    if m == "nakamoto_below_threshold_day" {
        return ("First day below the Nakamoto threshold".into(), Some("day".into()));
    }
    if m == "days" {
        return ("Days simulated".into(), None);
    }
    for (suffix, words, day) in [
        ("_min_day", "day of minimum", true),
        ("_max_day", "day of maximum", true),
        ("_min", "minimum", false),
        ("_max", "maximum", false),
        ("_final", "final", false),
        ("_end", "final", false),
        ("_start", "initial", false),
        ("_total", "total", false),
    ] {
        if let Some(col) = m.strip_suffix(suffix) {
            let unit = if day { Some("day".to_string()) } else { unit_of(col).map(str::to_string) };
            return (capitalise(&format!("{words} {}", column_words(col))), unit);
        }
    }
    (capitalise(&column_words(m)), unit_of(m).map(str::to_string))
}

/// Axis title of a summary metric, e.g. `Minimum hashrate (EH/s)`.
pub fn metric_label(m: &str) -> String {
    with_unit(&metric_parts(m).0, metric_parts(m).1.as_deref(), "")
}

/// `words (unit, ×10⁶)`, or `words (×10⁶)`, or `words`.
fn with_unit(words: &str, unit: Option<&str>, scale: &str) -> String {
    match (unit, scale.trim()) {
        (Some(u), "") => format!("{words} ({u})"),
        (Some(u), s) => format!("{words} ({u}, {s})"),
        (None, "") => words.to_string(),
        (None, s) => format!("{words} ({s})"),
    }
}

/// Only the unit and scale, for an axis too short for the words: `USD, ×10⁶`.
fn unit_only(unit: Option<&str>, scale: &str) -> String {
    match (unit, scale.trim()) {
        (Some(u), "") => u.to_string(),
        (Some(u), s) => format!("{u}, {s}"),
        (None, "") => "value".to_string(),
        (None, s) => s.to_string(),
    }
}

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
enum Layout {
    /// `cells[i][j]`: x value i, y value j.
    Grid { x: Vec<String>, y: Vec<String>, cells: Vec<Vec<f64>> },
    /// Sampled sweeps: (x, y, value) per point.
    Scatter(Vec<(f64, f64, f64)>),
}

/// A metric's median over two parameters, with a colour bar.
pub struct Heatmap {
    name: String,
    words: String,
    unit: Option<String>,
    x_title: String,
    y_title: String,
    layout: Layout,
    note: String,
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

struct Line {
    label: String,
    colour: RGBColor,
    xs: Vec<f64>,
    p5: Vec<f64>,
    p50: Vec<f64>,
    p95: Vec<f64>,
}

/// A metric against one parameter: per group a median line with a p5-p95 band, or (sampled
/// sweeps) a dot with a p5-p95 whisker per point.
pub struct Lines {
    name: String,
    words: String,
    unit: Option<String>,
    x_title: String,
    /// Log-scaled x axis (the sweep's axis has `scale = "log"`).
    x_log: bool,
    /// Numeric parameter values (empty: take the range from the points), or categories.
    x_numbers: Option<Vec<f64>>,
    x_labels: Vec<String>,
    /// `key:` before the group entries of the legend.
    group_title: Option<String>,
    lines: Vec<Line>,
    note: String,
    dots: bool,
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
            LegendEntry::line("5th\u{2013}95th percentile", GREY)
        } else {
            LegendEntry::fill("5th\u{2013}95th percentile", GREY.mix(0.3))
        });
        let (lo, hi) = range(self.lines.iter().flat_map(|l| l.p5.iter().chain(&l.p50).chain(&l.p95)).copied());
        let (k, scale) = scale_for(lo.abs().max(hi.abs()));
        let y = padded(lo * k, hi * k, 6);
        let x = match &self.x_numbers {
            Some(_) => {
                let (a, b) = range(self.lines.iter().flat_map(|l| l.xs.iter().copied()));
                let axis = if self.x_log && a > 0.0 {
                    let pad = 10f64.powf((b / a).log10().max(0.2) * 0.05);
                    Axis::log(a / pad, b * pad, 6)
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
    fn labels_carry_units() {
        assert_eq!(param_label("price.initial_usd"), "price.initial_usd (USD)");
        assert_eq!(param_label("population.miners"), "population.miners");
        assert_eq!(metric_label("hashrate_eh_s_min"), "Minimum hashrate (EH/s)");
        assert_eq!(metric_label("attack_cheapest_usd_min"), "Minimum cheapest 51% attack (USD)");
        assert_eq!(metric_label("price_usd_max_day"), "Day of maximum BTC price (day)");
        assert_eq!(metric_label("power_cost_usd"), "Power cost (USD)");
        assert_eq!(metric_label("blocks_total"), "Total blocks");
        assert_eq!(unit_of("fees.mean_btc_per_block"), Some("BTC/block"));
        assert_eq!(with_unit("Revenue", Some("USD"), " \u{00D7}10\u{2079}"), "Revenue (USD, \u{00D7}10\u{2079})");
        assert_eq!(unit_only(None, ""), "value");
    }

    #[test]
    fn keys_are_shortened() {
        assert_eq!(short_key("price.initial_usd"), "price.initial_usd");
        assert_eq!(short_key("price.log_return_mean_per_day"), "log_return_mean_per_day");
        assert_eq!(short_key("population.power_usd_per_kwh.median"), "power_usd_per_kwh.median");
        assert_eq!(unit_of("population.power_usd_per_kwh.median"), Some("USD/kWh"));
        assert_eq!(unit_of("population.power_usd_per_kwh.log_sd"), None);
    }

    #[test]
    fn values_are_compact() {
        assert_eq!(compact("0.0790569415042"), "0.07906");
        assert_eq!(compact("0.25"), "0.25");
        assert_eq!(compact("90000"), "90,000");
        assert_eq!(compact("-0.001"), "-0.001");
        assert_eq!(compact("0"), "0");
        assert_eq!(compact("gbm"), "gbm");
    }

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
