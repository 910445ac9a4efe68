//! Figures of a run directory (`timeseries.csv` + `manifest.json`): one [`TimeFigure`] each,
//! median across replicates with a p5-p95 band, halvings and scenario events marked.

use super::data::{band, parse_date, read_json, read_table, Band, Table, MAX_DAYS, MAX_REPLICATES};
use super::pools::POOL_SHARES_FIGURE;
use super::render::{render, Frame, Marker, MarkerKind, Panel, Rendered, Series, TimeFigure};
use super::style::*;
use super::Format;
use crate::error::{Error, Location, Result};
use plotters::style::RGBColor;
use std::collections::BTreeMap;
use std::path::Path;

/// Blocks between subsidy halvings.
const HALVING_INTERVAL: u64 = 210_000;

/// Halvings marked at most: the subsidy is zero after 64 (the scenario caps `chain.height` at
/// 64 intervals too), and a corrupted height must not make millions of markers.
const MAX_HALVINGS: u64 = 64;

/// Events named on one marker; more on the same day are counted.
const MAX_EVENT_LABELS: usize = 4;

/// Hashrate by operator state, stacked bottom to top.
const STATES: [(&str, &str, RGBColor); 5] = [
    ("hashrate_mining_eh_s", "mining", OI_BLUE),
    ("hashrate_idle_eh_s", "idle", OI_SKY),
    ("hashrate_pivoting_eh_s", "pivoting to AI", OI_ORANGE),
    ("hashrate_ai_eh_s", "AI / HPC", OI_PURPLE),
    ("hashrate_exited_eh_s", "exited", RGBColor(0xBB, 0xBB, 0xBB)),
];

/// The running machines' hours taken by demand-response contracts, stacked on mining.
const CURTAILED: (&str, &str, RGBColor) = ("hashrate_curtailed_eh_s", "curtailed (demand response)", OI_YELLOW);

const ATTACK: [(&str, &str, RGBColor); 4] = [
    ("attack_new_hardware_usd", "new hardware", OI_VERMILLION),
    ("attack_dormant_usd", "dormant hardware", OI_ORANGE),
    ("attack_rental_usd", "hashrate rental", OI_SKY),
    ("attack_coalition_usd", "miner coalition", OI_PURPLE),
];

/// The pool-coalition route (`metrics::pool_bribe`), beside the operator groups' coalition.
const POOL_COALITION: (&str, &str, RGBColor) = ("attack_pool_coalition_usd", "pool coalition", OI_PURPLE);

/// The run figures, each with the columns it needs (all of them) and may use.
pub struct FigureSpec {
    pub name: &'static str,
    pub about: &'static str,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

pub const FIGURES: [FigureSpec; 5] = [
    FigureSpec {
        name: "hashrate_by_state",
        about: "installed hashrate by operator state (stacked medians)",
        required: &[
            "hashrate_mining_eh_s",
            "hashrate_idle_eh_s",
            "hashrate_pivoting_eh_s",
            "hashrate_ai_eh_s",
            "hashrate_exited_eh_s",
        ],
        optional: &["hashrate_curtailed_eh_s"],
    },
    FigureSpec {
        name: "difficulty_interval",
        about: "difficulty and mean block interval",
        required: &["difficulty", "mean_block_interval_s"],
        optional: &[],
    },
    FigureSpec {
        name: "price_hashprice",
        about: "BTC price and hashprice, with what the merit order expects after the next halving",
        required: &["price_usd", "hashprice_usd_per_ph_day"],
        optional: &["hashprice_after_halving_usd_per_ph_day"],
    },
    FigureSpec {
        name: "concentration",
        about: "HHI and Nakamoto coefficients by operator group, jurisdiction, pool and template group",
        required: &["hhi_operators", "nakamoto_50_operators", "nakamoto_33_operators"],
        optional: &[
            "hhi_jurisdictions",
            "nakamoto_50_jurisdictions",
            "hhi_pools",
            "nakamoto_50_pools",
            "hhi_template_groups",
            "nakamoto_50_template_groups",
        ],
    },
    FigureSpec {
        name: "attack_cost",
        about: "cost of a 51% attack for 24 h by route, and the security budget",
        required: &[
            "attack_new_hardware_usd",
            "attack_dormant_usd",
            "attack_rental_usd",
            "attack_coalition_usd",
            "attack_cheapest_usd",
            "security_budget_usd_per_day",
        ],
        optional: &["attack_pool_coalition_usd"],
    },
];

/// A run's time series reduced to per-day bands, ready to draw.
pub struct RunData {
    table: Table,
    day_index: Vec<usize>,
    frame: Frame,
    /// The real epochs' hashrate per day, beside a history window's run (`real.csv`).
    real: Option<Vec<f64>>,
    /// The pools' shares over time (`pools.csv`), if the run has more than one pool.
    pools: Option<Panel>,
    /// The supply curve's snapshots (`supply.csv`), if the run wrote them.
    supply: Option<super::supply::SupplyFigure>,
}

/// The figure of a history window: simulated hashrate against the real epochs.
pub const HISTORY_FIGURE: &str = "history_hashrate";

impl RunData {
    pub fn load(dir: &Path, warnings: &mut Vec<String>) -> Result<RunData> {
        let path = dir.join("timeseries.csv");
        let mut numeric: Vec<&str> = vec!["replicate", "day", "height", "hashrate_eh_s"];
        for f in &FIGURES {
            numeric.extend(f.required);
            numeric.extend(f.optional);
        }
        let table = read_table(&path, &numeric, &["date"])?;
        let missing = table.missing(&["replicate", "day"]);
        if !missing.is_empty() {
            return Err(Error::invalid(
                Location { source: path.display().to_string(), line: Some(1), ..Default::default() },
                format!("missing column(s) {} (is this a hashsim timeseries.csv?)", missing.join(", ")),
            ));
        }
        // Bounded here, as the scenario bounds them: every figure is sized by the days.
        table.check_whole("day", 0, MAX_DAYS)?;
        table.check_whole("replicate", 0, MAX_REPLICATES - 1)?;
        let reps = table.num("replicate").expect("checked");
        let days_col = table.num("day").expect("checked");
        let mut day_set: BTreeMap<i64, usize> = days_col.iter().map(|&d| (d as i64, 0)).collect();
        for (i, v) in day_set.values_mut().enumerate() {
            *v = i;
        }
        let day_index: Vec<usize> = days_col.iter().map(|&d| day_set[&(d as i64)]).collect();
        let days: Vec<f64> = day_set.keys().map(|&d| d as f64).collect();
        let replicates = {
            let mut r: Vec<i64> = reps.iter().map(|&r| r as i64).collect();
            r.sort_unstable();
            r.dedup();
            r.len()
        };
        let start = table
            .text("date")
            .and_then(|dates| dates.first().and_then(|d| parse_date(d)).map(|z| z - days_col[0] as i64));
        let manifest_path = dir.join("manifest.json");
        let manifest = if manifest_path.exists() {
            Some(read_json(&manifest_path)?)
        } else {
            warnings.push(format!("{} not found: scenario events are not marked", manifest_path.display()));
            None
        };
        let start_height = manifest.as_ref().and_then(|m| m.pointer("/scenario/chain/height")).and_then(|h| h.as_u64());
        let mut markers = halvings(&table, start_height);
        if let Some(m) = &manifest {
            markers.extend(events(m));
        }
        markers.sort_by(|a, b| a.day.total_cmp(&b.day));
        let real = super::real::real_hashrate(dir, &days)?;
        let frame = Frame { days, start, markers, replicates };
        let pools = super::pools::pool_share_panel(dir, &frame)?;
        let supply = super::supply::load(dir)?;
        Ok(RunData { table, day_index, frame, real, pools, supply })
    }

    fn band(&self, col: &str) -> Band {
        let values = self.table.num(col).unwrap_or(&[]);
        band(values, &self.day_index, self.frame.days.len(), self.frame.replicates)
    }

    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// Renders every figure whose columns are present; the others are skipped with a warning.
    pub fn render_all(&self, formats: &[Format], warnings: &mut Vec<String>) -> Result<Vec<Rendered>> {
        let mut out = Vec::new();
        for spec in &FIGURES {
            let missing = self.table.missing(spec.required);
            if !missing.is_empty() {
                warnings.push(format!(
                    "skipped {} ({}): {} lacks column(s) {}",
                    spec.name,
                    spec.about,
                    self.table.path.display(),
                    missing.join(", ")
                ));
                continue;
            }
            let fig = TimeFigure { name: spec.name.to_string(), frame: &self.frame, panels: self.panels(spec.name) };
            out.extend(render(&fig, formats).map_err(Error::Other)?);
        }
        if let Some(panel) = &self.pools {
            let fig =
                TimeFigure { name: POOL_SHARES_FIGURE.to_string(), frame: &self.frame, panels: vec![panel.clone()] };
            out.extend(render(&fig, formats).map_err(Error::Other)?);
        }
        if let Some(fig) = &self.supply {
            out.extend(render(fig, formats).map_err(Error::Other)?);
        }
        if let (Some(real), true) = (&self.real, self.table.has("hashrate_eh_s")) {
            let real = Band { p5: real.clone(), p50: real.clone(), p95: real.clone() };
            let panel = Panel {
                y_title: "Hashrate (EH/s)".into(),
                from_zero: true,
                series: vec![
                    Series::new("simulated", self.band("hashrate_eh_s"), OI_BLUE),
                    Series { show_band: false, ..Series::new("real (epochs)", real, OI_BLACK) },
                ],
                ..Panel::default()
            };
            let fig = TimeFigure { name: HISTORY_FIGURE.to_string(), frame: &self.frame, panels: vec![panel] };
            out.extend(render(&fig, formats).map_err(Error::Other)?);
        }
        Ok(out)
    }

    fn panels(&self, name: &str) -> Vec<Panel> {
        match name {
            "hashrate_by_state" => vec![Panel {
                y_title: "Hashrate (EH/s)".into(),
                from_zero: true,
                stacked: {
                    let mut layers: Vec<Series> =
                        STATES.iter().map(|(c, l, k)| Series::new(*l, self.band(c), *k)).collect();
                    // Demand-response hours, above mining, when the run has the column (runs
                    // before it do not).
                    if self.table.has(CURTAILED.0) {
                        layers.insert(1, Series::new(CURTAILED.1, self.band(CURTAILED.0), CURTAILED.2));
                    }
                    layers
                },
                ..Panel::default()
            }],
            "difficulty_interval" => vec![
                Panel {
                    y_title: "Difficulty (\u{00D7}10\u{00B9}\u{00B2})".into(),
                    series: vec![Series::new("difficulty", self.band("difficulty").scaled(1e-12), OI_BLUE)],
                    ..Panel::default()
                },
                Panel {
                    y_title: "Mean block interval (s)".into(),
                    series: vec![Series::new("mean block interval", self.band("mean_block_interval_s"), OI_VERMILLION)],
                    reference: Some((600.0, "600 s target".into())),
                    ..Panel::default()
                },
            ],
            "price_hashprice" => {
                let mut hashprice =
                    vec![Series::new("hashprice", self.band("hashprice_usd_per_ph_day"), OI_VERMILLION)];
                if self.table.has("hashprice_after_halving_usd_per_ph_day") {
                    let after = self.band("hashprice_after_halving_usd_per_ph_day");
                    hashprice.push(Series { dashed: true, ..Series::new("after the next halving", after, OI_ORANGE) });
                }
                vec![
                    Panel {
                        y_title: "BTC price (USD)".into(),
                        series: vec![Series::new("BTC price", self.band("price_usd"), OI_BLUE)],
                        ..Panel::default()
                    },
                    Panel { y_title: "Hashprice (USD/PH/day)".into(), series: hashprice, ..Panel::default() },
                ]
            }
            "concentration" => {
                let mut hhi = vec![Series::new("operators", self.band("hhi_operators"), OI_BLUE)];
                let mut nak = vec![
                    Series::new("operators", self.band("nakamoto_50_operators"), OI_BLUE),
                    Series {
                        dashed: true,
                        ..Series::new("operators, 33% threshold", self.band("nakamoto_33_operators"), OI_BLUE)
                    },
                ];
                if self.table.has("hhi_jurisdictions") {
                    hhi.push(Series::new("jurisdictions", self.band("hhi_jurisdictions"), OI_ORANGE));
                }
                if self.table.has("nakamoto_50_jurisdictions") {
                    nak.push(Series::new("jurisdictions", self.band("nakamoto_50_jurisdictions"), OI_ORANGE));
                }
                // Pools and template groups, where the run has them (runs before pools do not).
                for (entity, label, colour) in
                    [("pools", "pools", OI_VERMILLION), ("template_groups", "template groups", OI_PURPLE)]
                {
                    if self.table.has(&format!("hhi_{entity}")) {
                        hhi.push(Series::new(label, self.band(&format!("hhi_{entity}")), colour));
                    }
                    if self.table.has(&format!("nakamoto_50_{entity}")) {
                        nak.push(Series::new(label, self.band(&format!("nakamoto_50_{entity}")), colour));
                    }
                }
                // Pools count in units and operator groups in hundreds: a log axis shows both.
                let log = self.table.has("nakamoto_50_pools");
                vec![
                    Panel {
                        y_title: "HHI (0\u{2013}10,000)".into(),
                        from_zero: !log,
                        log,
                        series: hhi,
                        ..Panel::default()
                    },
                    Panel {
                        y_title: "Nakamoto coefficient (50%)".into(),
                        from_zero: !log,
                        log,
                        series: nak,
                        ..Panel::default()
                    },
                ]
            }
            "attack_cost" => {
                let mut series = vec![Series {
                    width: LINE + 5,
                    ..Series::new("cheapest route", self.band("attack_cheapest_usd"), OI_BLACK)
                }];
                for (c, l, k) in ATTACK {
                    series.push(Series { show_band: false, ..Series::new(l, self.band(c), k) });
                }
                // Runs before pools have no pool-coalition column.
                if self.table.has(POOL_COALITION.0) {
                    let (c, l, k) = POOL_COALITION;
                    series.push(Series { show_band: false, dashed: true, ..Series::new(l, self.band(c), k) });
                }
                series.push(Series::new(
                    "security budget (USD/day)",
                    self.band("security_budget_usd_per_day"),
                    OI_GREEN,
                ));
                vec![Panel { y_title: "Cost of a 24 h 51% attack (USD)".into(), log: true, series, ..Panel::default() }]
            }
            _ => Vec::new(),
        }
    }
}

/// Days on which the chain height crosses a multiple of 210,000, per halving the median day
/// over the replicates. `start_height` is the tip before day 0 (from the manifest). A
/// replicate crosses each of the first `MAX_HALVINGS` at most once, whatever its heights.
pub fn halvings(table: &Table, start_height: Option<u64>) -> Vec<Marker> {
    let (Some(h), Some(reps), Some(days)) = (table.num("height"), table.num("replicate"), table.num("day")) else {
        return Vec::new();
    };
    let mut rows: Vec<usize> = (0..table.rows).collect();
    rows.sort_by(|&a, &b| reps[a].total_cmp(&reps[b]).then(days[a].total_cmp(&days[b])));
    let mut crossings: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    // The replicate and the last halving it has passed.
    let mut prev: Option<(f64, u64)> = None;
    for &i in &rows {
        if !h[i].is_finite() {
            continue;
        }
        let passed = (h[i] as u64 / HALVING_INTERVAL).min(MAX_HALVINGS);
        let before = match prev {
            Some((r, p)) if r == reps[i] => Some(p),
            _ => start_height.map(|s| (s / HALVING_INTERVAL).min(MAX_HALVINGS)),
        };
        if let Some(p) = before {
            for k in (p + 1)..=passed {
                crossings.entry(k).or_default().push(days[i]);
            }
        }
        prev = Some((reps[i], before.map_or(passed, |p| p.max(passed))));
    }
    crossings
        .into_iter()
        .map(|(k, mut d)| {
            d.sort_by(f64::total_cmp);
            Marker { day: d[(d.len() - 1) / 2], label: format!("{} halving", ordinal(k)), kind: MarkerKind::Halving }
        })
        .collect()
}

fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `scenario.events` of a manifest as markers, labelled by kind (and change, jurisdiction);
/// events on the same day share one marker.
pub fn events(manifest: &serde_json::Value) -> Vec<Marker> {
    let Some(list) = manifest.pointer("/scenario/events").and_then(|e| e.as_array()) else {
        return Vec::new();
    };
    let mut by_day: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for e in list {
        let Some(day) = e.get("day").and_then(serde_json::Value::as_f64) else { continue };
        let kind = e.get("kind").and_then(|k| k.as_str()).unwrap_or("event").replace('_', " ");
        let mut label = kind;
        if let Some(j) = e.get("jurisdiction").and_then(|j| j.as_str()) {
            label.push_str(&format!(" ({j})"));
        }
        if let Some(c) = e.get("change").and_then(serde_json::Value::as_f64) {
            let pct = c * 100.0;
            let sign = if pct < 0.0 { "\u{2212}" } else { "+" };
            label.push_str(&format!(" {sign}{}%", fmt_pct(pct.abs())));
        }
        by_day.entry(day as i64).or_default().push(label);
    }
    by_day
        .into_iter()
        .map(|(day, mut labels)| {
            // A label is one line of text along the marker: a few events, then a count.
            let more = labels.len().saturating_sub(MAX_EVENT_LABELS);
            labels.truncate(MAX_EVENT_LABELS);
            if more > 0 {
                labels.push(format!("{more} more"));
            }
            Marker { day: day as f64, label: labels.join(", "), kind: MarkerKind::Event }
        })
        .collect()
}

fn fmt_pct(p: f64) -> String {
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round())
    } else {
        format!("{p:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let s: Vec<String> = [1, 2, 3, 4, 5, 11, 12, 13, 21, 22, 101].iter().map(|&n| ordinal(n)).collect();
        assert_eq!(s, ["1st", "2nd", "3rd", "4th", "5th", "11th", "12th", "13th", "21st", "22nd", "101st"]);
    }

    #[test]
    fn halving_days_are_median_crossings() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        // replicate 0 crosses 1,050,000 on day 1, replicate 1 on day 2, replicate 2 on day 2
        std::fs::write(
            &p,
            "replicate,day,height\n0,0,1049900\n0,1,1050100\n0,2,1050200\n1,0,1049800\n1,1,1049950\n1,2,1050001\n\
             2,0,1049800\n2,1,1049990\n2,2,1050000\n",
        )
        .unwrap();
        let t = read_table(&p, &["replicate", "day", "height"], &[]).unwrap();
        let m = halvings(&t, Some(1_049_700));
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].day, 2.0);
        assert_eq!(m[0].label, "5th halving");
        // without the start height, the first day cannot cross
        std::fs::write(&p, "replicate,day,height\n0,0,1050100\n0,1,1050200\n").unwrap();
        let t = read_table(&p, &["replicate", "day", "height"], &[]).unwrap();
        assert!(halvings(&t, None).is_empty());
        assert_eq!(halvings(&t, Some(1_049_999))[0].day, 0.0);
    }

    /// Catches halving markers made by walking every multiple of 210,000 up to a corrupted
    /// height (1e18: ~5e12 steps), and heights that go down and up counting a halving twice.
    #[test]
    fn halvings_are_bounded_whatever_the_heights() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "replicate,day,height\n0,0,0\n0,1,1e18\n0,2,0\n0,3,inf\n1,0,100\n1,1,-5\n").unwrap();
        let t = read_table(&p, &["replicate", "day", "height"], &[]).unwrap();
        let m = halvings(&t, Some(u64::MAX));
        assert!(m.is_empty(), "{m:?}");
        let m = halvings(&t, Some(0));
        assert_eq!(m.len(), MAX_HALVINGS as usize);
        assert!(m.iter().all(|m| m.day == 1.0), "each crossed once, on day 1");
        assert_eq!(m[63].label, "64th halving");
    }

    #[test]
    fn events_are_labelled_and_merged_by_day() {
        let m: serde_json::Value = serde_json::json!({"scenario": {"events": [
            {"day": 30, "kind": "price_shock", "change": -0.38, "over_days": 90},
            {"day": 30, "kind": "fee_shock", "multiplier": 2.0},
            {"day": 60, "kind": "jurisdiction_ban", "jurisdiction": "CN", "share": 0.5},
            {"kind": "no_day"}
        ]}});
        let e = events(&m);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].label, "price shock \u{2212}38%, fee shock");
        assert_eq!(e[1].label, "jurisdiction ban (CN)");
        assert!(events(&serde_json::json!({})).is_empty());
        // Catches a marker label as long as the day's events are many (one line of text).
        let many: Vec<serde_json::Value> =
            (0..1000).map(|_| serde_json::json!({"day": 5, "kind": "fee_shock"})).collect();
        let e = events(&serde_json::json!({"scenario": {"events": many}}));
        assert_eq!(e[0].label, "fee shock, fee shock, fee shock, fee shock, 996 more");
    }
}
