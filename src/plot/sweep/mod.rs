//! Figures of a sweep directory (`aggregate.csv` + `manifest.json`): a heatmap of a summary
//! metric's median over two swept parameters, and the metric against one parameter with
//! p5-p95 bands, one line per value of a second parameter.

mod figures;
pub mod sensitivity;

use super::data::{read_json, read_table, Table};
use super::labels::{compact, metric_parts, param_label, short_key};
use super::render::{render, Rendered};
use super::style::*;
use super::PlotOptions;
use crate::error::{Error, Location, Result};
use figures::{Heatmap, Layout, Line, Lines};
use std::collections::{HashMap, HashSet};
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

/// What the line plot's bands and whiskers show.
const PERCENTILES: &str = "5th\u{2013}95th percentile";

/// Most values of a parameter a heatmap shows as cells (~8 px each); beyond, numbers are
/// shown as dots and text is not shown (a hostile file must not size the grid).
const MAX_GRID: usize = 100;

/// Most lines (values of the grouping parameter) in the line plot, beyond which they could
/// not be told apart; the plot then fixes that parameter at its first value.
const MAX_LINES: usize = 24;

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
        let mut seen: HashSet<&str> = HashSet::new();
        for v in col {
            if seen.insert(v) {
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
            Some(y) => match self.heatmap(&metric, &x, y) {
                Ok(h) => out.extend(render(&h, &opts.formats).map_err(Error::Other)?),
                Err(why) => warnings.push(format!("skipped heatmap_{metric}: {why}")),
            },
            None => warnings
                .push(format!("skipped heatmap_{metric}: the sweep varies one parameter ({x}); a heatmap needs two")),
        }
        let group = match y.as_deref() {
            Some(g) if !self.sampled(&x) && !self.sampled(g) => {
                let n = self.values(g).labels.len();
                if n > MAX_LINES {
                    warnings.push(format!(
                        "lines_{metric}: {g} has {n} values, too many lines (at most {MAX_LINES}); drawn at its first value only (choose another --y)"
                    ));
                    None
                } else {
                    Some(g)
                }
            }
            other => other,
        };
        out.extend(render(&self.lines(&metric, &x, group), &opts.formats).map_err(Error::Other)?);
        // A sensitivity design's indices, once `hashsim sensitivity` wrote them.
        let dir = self.path.parent().unwrap_or(Path::new("."));
        out.extend(sensitivity::figures(dir, &opts.formats)?);
        Ok(out)
    }

    fn replicates_note(&self, rows: &[usize], what: &str) -> String {
        match self.replicates(rows) {
            Some(n) => format!("{what} of {n} replicates"),
            None => format!("{what} over replicates"),
        }
    }

    /// The heatmap, or why there is none.
    fn heatmap(&self, metric: &str, x: &str, y: &str) -> std::result::Result<Heatmap, String> {
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
        let (xc, yc) = (self.table.text(x).unwrap_or(&[]), self.table.text(y).unwrap_or(&[]));
        let sampled = self.sampled(x) || self.sampled(y);
        let (xv, yv) = (self.values(x), self.values(y));
        let big = xv.labels.len() > MAX_GRID || yv.labels.len() > MAX_GRID;
        if sampled || (big && xv.numbers.is_some() && yv.numbers.is_some()) {
            // Sampled: every point has its own values. Too big a grid: a dot per point.
            let (rows, fixed) =
                if sampled { ((0..self.table.rows).collect(), Vec::new()) } else { self.fixed_rows(&[x, y]) };
            let num = |c: &[String], r: usize| c[r].parse::<f64>().unwrap_or(f64::NAN);
            let points = rows.iter().map(|&r| (num(xc, r), num(yc, r), self.stat(metric, "p50", r))).collect();
            let mut note = self.replicates_note(&rows, "dots: median");
            if sampled {
                note.push_str("; sampled sweep");
            }
            if !fixed.is_empty() {
                note.push_str(&format!("; fixed: {}", fixed.join(", ")));
            }
            return Ok(Heatmap { layout: Layout::Scatter(points), note, ..base });
        }
        if big {
            return Err(format!(
                "{x} and {y} have {} and {} values, not all numbers: too many for cells (at most {MAX_GRID} a side)",
                xv.labels.len(),
                yv.labels.len()
            ));
        }
        let (rows, fixed) = self.fixed_rows(&[x, y]);
        let (xi, yi) = (xv.index(), yv.index());
        let mut cells = vec![vec![f64::NAN; yv.labels.len()]; xv.labels.len()];
        for &r in &rows {
            let i = xi.get(xc[r].as_str()).copied();
            let j = yi.get(yc[r].as_str()).copied();
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
        Ok(Heatmap { layout: Layout::Grid { x: labels(&xv), y: labels(&yv), cells }, note, ..base })
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
                interval: PERCENTILES.into(),
            };
        }
        let free: Vec<&str> = std::iter::once(x).chain(group).collect();
        let (rows, fixed) = self.fixed_rows(&free);
        let groups: Vec<String> = group.map_or_else(|| vec![String::new()], |g| self.values(g).labels);
        let gc = group.and_then(|g| self.table.text(g));
        let xi = xv.index();
        let mut lines = Vec::new();
        for (k, gval) in groups.iter().enumerate() {
            let mut pts: Vec<(usize, usize)> = Vec::new(); // (x index, row)
            let mut taken = vec![false; xv.labels.len()];
            for &r in &rows {
                if gc.is_some_and(|c| &c[r] != gval) {
                    continue;
                }
                if let Some(&i) = xi.get(xc[r].as_str()) {
                    if !std::mem::replace(&mut taken[i], true) {
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
            interval: PERCENTILES.into(),
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

    /// Each value's position in `labels`.
    fn index(&self) -> HashMap<&str, usize> {
        self.labels.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect()
    }
}
