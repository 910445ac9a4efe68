//! The supply-curve figure of a run (`supply.csv`): the network's hashrate that would run at
//! each hashprice (installed machines and machines on order, by the hashprice that pays their
//! energy), at up to [`MAX_CURVES`] snapshot days spread over the run, replicate 0's.

use super::data::read_table;
use super::render::{DrawResult, Figure};
use super::style::*;
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// The figure's name.
pub const SUPPLY_FIGURE: &str = "supply_curve";

/// Most curves drawn: the first snapshot, the last and evenly spaced ones between.
pub const MAX_CURVES: usize = 4;

/// One snapshot: its date label and its steps (break-even hashprice, cumulative EH/s).
struct Curve {
    label: String,
    steps: Vec<(f64, f64)>,
}

/// The supply-curve figure.
pub struct SupplyFigure {
    curves: Vec<Curve>,
}

/// Replicate 0's snapshots in `dir/supply.csv`; `None` without the file or its rows.
pub fn load(dir: &Path) -> Result<Option<SupplyFigure>> {
    let path = dir.join("supply.csv");
    if !path.exists() {
        return Ok(None);
    }
    let t =
        read_table(&path, &["replicate", "day", "breakeven_hashprice_usd_per_ph_day", "cumulative_eh_s"], &["date"])?;
    let (Some(rep), Some(day), Some(x), Some(y)) =
        (t.num("replicate"), t.num("day"), t.num("breakeven_hashprice_usd_per_ph_day"), t.num("cumulative_eh_s"))
    else {
        return Ok(None);
    };
    let dates = t.text("date");
    let mut days: Vec<f64> = (0..t.rows).filter(|&r| rep[r] == 0.0).map(|r| day[r]).collect();
    days.dedup();
    if days.is_empty() {
        return Ok(None);
    }
    let picks: Vec<f64> = if days.len() <= MAX_CURVES {
        days.clone()
    } else {
        (0..MAX_CURVES).map(|i| days[i * (days.len() - 1) / (MAX_CURVES - 1)]).collect()
    };
    let curves = picks
        .iter()
        .map(|&d| {
            let rows: Vec<usize> = (0..t.rows).filter(|&r| rep[r] == 0.0 && day[r] == d).collect();
            let label = dates.and_then(|ds| rows.first().map(|&r| ds[r].clone())).unwrap_or_else(|| format!("day {d}"));
            Curve { label, steps: rows.iter().map(|&r| (x[r], y[r])).filter(|p| p.0 > 0.0).collect() }
        })
        .collect();
    Ok(Some(SupplyFigure { curves }))
}

impl Figure for SupplyFigure {
    fn name(&self) -> String {
        SUPPLY_FIGURE.into()
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = root.margin(8, 8, 8, 8);
        let xs = self.curves.iter().flat_map(|c| c.steps.iter().map(|p| p.0));
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        let (lo, hi) = if lo.is_finite() && hi > lo { (lo, hi) } else { (1.0, 1000.0) };
        let top = self.curves.iter().flat_map(|c| c.steps.iter().map(|p| p.1)).fold(0.0, f64::max).max(1.0) * 1.05;
        let mut c = ChartBuilder::on(&area)
            .margin_top(14)
            .margin_right(MARGIN + 12)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d((lo * 0.9..hi * 1.1).log_scale(), 0.0..top)?;
        c.configure_mesh()
            .x_desc("Break-even hashprice (USD/PH/day, log)")
            .y_desc("Hashrate that would run (EH/s)")
            .label_style(font(TICK))
            .axis_desc_style(font(AXIS_TITLE))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()?;
        for (i, curve) in self.curves.iter().enumerate() {
            let colour = LINES[i % LINES.len()];
            // A step curve: the hashrate jumps at each bin's break-even price.
            let mut pts = Vec::with_capacity(curve.steps.len() * 2);
            let mut prev = 0.0;
            for &(x, y) in &curve.steps {
                pts.push((x, prev));
                pts.push((x, y));
                prev = y;
            }
            // Under the first curve, lightly: the network the later ones are read against.
            if let (0, Some(first), Some(last)) = (i, pts.first().copied(), pts.last().copied()) {
                let mut area = pts.clone();
                area.push((last.0, 0.0));
                area.push((first.0, 0.0));
                c.draw_series(std::iter::once(Polygon::new(area, colour.mix(0.25).filled())))?;
            }
            c.draw_series(LineSeries::new(pts, colour.stroke_width(LINE)))?
                .label(curve.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], colour.stroke_width(LINE)));
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(font(LEGEND))
            .background_style(WHITE.mix(0.8))
            .border_style(GRID)
            .draw()?;
        Ok(())
    }
}
