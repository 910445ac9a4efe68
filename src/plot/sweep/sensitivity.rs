//! The sensitivity figures of a sweep folder (`sensitivity.csv`, written by `hashsim
//! sensitivity`): per metric, each parameter's indices as dots with their bootstrap
//! intervals: Sobol's first-order and total indices, or Morris's mu* (mean absolute
//! elementary effect) and sigma.

use super::figures::{Line, Lines};
use crate::error::{Error, Result};
use crate::plot::data::read_table;
use crate::plot::labels::metric_parts;
use crate::plot::render::{render, Rendered};
use crate::plot::style::*;
use crate::plot::Format;
use std::path::Path;

/// The indices drawn, with their legend labels and colours: Sobol's, then Morris's.
const SERIES: [(&str, &str, plotters::style::RGBColor); 4] = [
    ("s1", "first order (S1)", OI_BLUE),
    ("st", "total (ST)", OI_VERMILLION),
    ("mu_star", "\u{03BC}* (mean |elementary effect|)", OI_BLUE),
    ("sigma", "\u{03C3} (spread of the effects)", OI_ORANGE),
];

/// Longest parameter label under a tick, characters: three or four fit side by side.
const MAX_TICK_CHARS: usize = 13;

/// A parameter's tick label: the key's last part, cut with an ellipsis past
/// [`MAX_TICK_CHARS`] (`sensitivity.csv` has the whole key).
fn tick_label(key: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    if last.chars().count() <= MAX_TICK_CHARS {
        last.to_string()
    } else {
        let cut: String = last.chars().take(MAX_TICK_CHARS - 1).collect();
        format!("{cut}\u{2026}")
    }
}

/// One figure per metric of `dir/sensitivity.csv`; none without the file.
pub fn figures(dir: &Path, formats: &[Format]) -> Result<Vec<Rendered>> {
    let path = dir.join("sensitivity.csv");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let table = read_table(&path, &["estimate", "ci_lo", "ci_hi"], &["metric", "parameter", "index"])?;
    let (Some(metric), Some(param), Some(index), Some(est), Some(lo), Some(hi)) = (
        table.text("metric"),
        table.text("parameter"),
        table.text("index"),
        table.num("estimate"),
        table.num("ci_lo"),
        table.num("ci_hi"),
    ) else {
        return Err(Error::Other(format!(
            "{}: expected columns metric, parameter, index, estimate, ci_lo, ci_hi",
            path.display()
        )));
    };
    let mut metrics: Vec<&str> = Vec::new();
    for m in metric {
        if !metrics.contains(&m.as_str()) {
            metrics.push(m);
        }
    }
    let mut out = Vec::new();
    for m in metrics {
        let rows: Vec<usize> = (0..table.rows).filter(|&r| metric[r] == m).collect();
        let mut params: Vec<&str> = Vec::new();
        for &r in &rows {
            if !param[r].is_empty() && !params.contains(&param[r].as_str()) {
                params.push(&param[r]);
            }
        }
        let sobol = rows.iter().any(|&r| index[r] == "s1");
        let mut lines = Vec::new();
        for (n, (key, label, colour)) in SERIES.iter().enumerate().filter(|(i, _)| (*i < 2) == sobol) {
            let at = |p: &str| rows.iter().copied().find(|&r| param[r] == p && index[r] == *key);
            // Two series side by side around each parameter.
            let dodge = if n % 2 == 0 { -0.12 } else { 0.12 };
            let pick = |col: &[f64]| params.iter().map(|p| at(p).map_or(f64::NAN, |r| col[r])).collect::<Vec<f64>>();
            lines.push(Line {
                label: (*label).into(),
                colour: *colour,
                xs: (0..params.len()).map(|i| i as f64 + dodge).collect(),
                p5: pick(lo),
                p50: pick(est),
                p95: pick(hi),
            });
        }
        let noise = rows.iter().find(|&&r| index[r] == "noise_share").map(|&r| est[r]);
        let mut note = format!("{}; whiskers: 95% bootstrap", if sobol { "Saltelli design" } else { "Morris design" });
        if let Some(x) = noise {
            note.push_str(&format!("; replicate noise {:.0}% of the variance", 100.0 * x));
        }
        let (words, unit) = metric_parts(m);
        // Morris's effects carry the metric's unit per unit range; Sobol's indices none.
        let index_unit = if sobol {
            "Sobol index".to_string()
        } else {
            format!("\u{03BC}*, \u{03C3} ({})", unit.unwrap_or_default())
        };
        out.extend(
            render(
                &Lines {
                    name: format!("sensitivity_{m}"),
                    words,
                    unit: Some(index_unit),
                    x_title: "Parameter".into(),
                    x_log: false,
                    x_numbers: None,
                    x_labels: params.iter().map(|p| tick_label(p)).collect(),
                    group_title: None,
                    lines,
                    note,
                    dots: true,
                    interval: "95% bootstrap interval".into(),
                },
                formats,
            )
            .map_err(Error::Other)?,
        );
    }
    Ok(out)
}
