//! The pool-shares figure of a run (`pools.csv`): each pool's share of the network's running
//! hashrate over time, medians across replicates stacked as areas, the largest pool on day 0 at
//! the bottom, and the solo miners' remainder on top.

use super::data::{band, read_table, Band};
use super::render::{Frame, Panel, Series};
use super::style::*;
use crate::error::Result;
use plotters::style::RGBColor;
use std::collections::BTreeMap;
use std::path::Path;

/// The figure's name.
pub const POOL_SHARES_FIGURE: &str = "pool_shares";

/// Pools drawn in a colour of their own; smaller ones are drawn as one layer.
const COLOURS: [RGBColor; 7] = [OI_BLUE, OI_ORANGE, OI_GREEN, OI_VERMILLION, OI_PURPLE, OI_SKY, OI_YELLOW];

/// The solo miners' layer.
const SOLO: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);

/// What the smaller pools are merged into.
const OTHERS: RGBColor = RGBColor(0x66, 0x66, 0x66);

/// The stacked panel of pool shares in percent, from `dir/pools.csv` on `frame`'s days; `None`
/// without the file (runs before pools), or with one pool only (nothing to tell apart).
pub fn pool_share_panel(dir: &Path, frame: &Frame) -> Result<Option<Panel>> {
    let path = dir.join("pools.csv");
    if !path.exists() {
        return Ok(None);
    }
    let table = read_table(&path, &["replicate", "day", "network_share"], &["pool"])?;
    table.check_whole("day", 0, super::data::MAX_DAYS)?;
    table.check_whole("replicate", 0, super::data::MAX_REPLICATES - 1)?;
    let (Some(reps), Some(days), Some(shares), Some(names)) =
        (table.num("replicate"), table.num("day"), table.num("network_share"), table.text("pool"))
    else {
        return Ok(None);
    };
    let day_of: BTreeMap<i64, usize> = frame.days.iter().enumerate().map(|(i, &d)| (d as i64, i)).collect();
    // Pools in order of first appearance, each with its rows' shares and day indices.
    let mut pools: Vec<(String, Vec<f64>, Vec<usize>)> = Vec::new();
    // Each (replicate, day)'s pooled share, for the solo remainder.
    let mut pooled: BTreeMap<(i64, usize), f64> = BTreeMap::new();
    for row in 0..table.rows {
        let Some(&d) = day_of.get(&(days[row] as i64)) else { continue };
        let k = match pools.iter().position(|p| p.0 == names[row]) {
            Some(k) => k,
            None => {
                pools.push((names[row].clone(), Vec::new(), Vec::new()));
                pools.len() - 1
            }
        };
        let share = shares[row] * 100.0;
        pools[k].1.push(share);
        pools[k].2.push(d);
        *pooled.entry((reps[row] as i64, d)).or_insert(0.0) += share;
    }
    if pools.len() < 2 {
        return Ok(None);
    }
    let n = frame.days.len();
    let bands: Vec<(String, Band)> =
        pools.into_iter().map(|(name, v, d)| (name, band(&v, &d, n, frame.replicates))).collect();
    // Largest on the first day first.
    let mut order: Vec<usize> = (0..bands.len()).collect();
    let first = |b: &Band| b.p50.first().copied().filter(|v| v.is_finite()).unwrap_or(0.0);
    order.sort_by(|&a, &b| first(&bands[b].1).total_cmp(&first(&bands[a].1)).then(a.cmp(&b)));
    let mut layers: Vec<Series> = Vec::new();
    let mut others: Option<(usize, Band)> = None;
    for (rank, &k) in order.iter().enumerate() {
        let (name, b) = &bands[k];
        if rank < COLOURS.len() {
            layers.push(Series::new(name.clone(), b.clone(), COLOURS[rank]));
        } else {
            let (count, sum) = others.get_or_insert_with(|| (0, Band { p50: vec![0.0; n], ..Band::default() }));
            *count += 1;
            for (s, v) in sum.p50.iter_mut().zip(&b.p50) {
                *s += v;
            }
        }
    }
    if let Some((count, sum)) = others {
        layers.push(Series::new(format!("{count} smaller pools"), sum, OTHERS));
    }
    let (solo, solo_days): (Vec<f64>, Vec<usize>) =
        pooled.iter().map(|(&(_, d), &s)| ((100.0 - s).max(0.0), d)).unzip();
    let solo = band(&solo, &solo_days, n, frame.replicates);
    if solo.p50.iter().any(|v| *v > 0.05) {
        layers.push(Series::new("solo miners", solo, SOLO));
    }
    Ok(Some(Panel {
        y_title: "Share of the network's hashrate (%)".into(),
        from_zero: true,
        stacked: layers,
        ..Panel::default()
    }))
}
