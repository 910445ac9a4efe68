//! Loading a scenario in two phases: TOML -> typed structs (unknown keys and wrong types are
//! reported with their line and column by the TOML parser), then range validation, whose
//! problems are located back in the file through the parser's spans.

use super::catalog::Catalog;
use super::check::Checker;
use super::params::{Params, PriceParams};
use super::price_path::load_price_csv;
use super::raw::{Price, Scenario};
use crate::error::{line_col, Error, Location, Problem, Result};
use crate::input::read_input;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// One `--set key.path=value` override, as given on the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub key: String,
    pub value: String,
}

impl Override {
    /// Parses `key.path=value`.
    pub fn parse(s: &str) -> Result<Override> {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            Error::invalid(
                Location { source: format!("--set {s}"), ..Location::default() },
                "expected KEY=VALUE, e.g. --set population.operators=500",
            )
        })?;
        let key = k.trim().to_string();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(Error::invalid(
                Location { source: format!("--set {s}"), ..Location::default() },
                "the key must be a dotted path such as price.initial_usd",
            ));
        }
        Ok(Override { key, value: v.trim().to_string() })
    }

    fn source(&self) -> String {
        format!("--set {}={}", self.key, self.value)
    }

    /// The override's value as TOML: a number, boolean, array or inline table where it parses
    /// as one, else a plain string (so `--set simulation.name=crash` needs no quotes).
    fn toml_value(&self) -> toml::Value {
        toml::from_str::<toml::Table>(&format!("v = {}", self.value))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(self.value.clone()))
    }
}

/// A scenario ready to run: the file as validated, its typed parameters, and everything it
/// refers to.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file as written (with its defaults): what `manifest.json` records and sweeps
    /// fingerprint. The world reads [`LoadedScenario::params`].
    pub scenario: Scenario,
    /// The file it came from (or a label for in-memory scenarios).
    pub source: String,
    pub overrides: Vec<Override>,
    /// What validation produced: the strings parsed (dates, compact bits) and the tables as
    /// typed parameters (distributions validated).
    pub params: Params,
    /// The price path's prices by day, when `price.model = "csv"`.
    pub price_path_usd: Option<Vec<f64>>,
    /// The hardware catalog (`hardware.catalog`, or the bundled one).
    pub catalog: Catalog,
}

/// Reads, overrides, parses and validates the scenario file at `path`.
pub fn load(path: &Path, overrides: &[Override]) -> Result<LoadedScenario> {
    let text = read_input(path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str(&text, &path.display().to_string(), &base, overrides)
}

/// As [`load`], from text; `base_dir` resolves relative paths inside the scenario.
pub fn load_str(text: &str, source: &str, base_dir: &Path, overrides: &[Override]) -> Result<LoadedScenario> {
    let file_error = |e: toml::de::Error| {
        let (line, column) = match e.span() {
            Some(span) => {
                let (l, c) = line_col(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Error::invalid(
            Location { source: source.to_string(), line, column, key: None },
            e.message().trim_end().to_string(),
        )
    };
    // Phase 1: the file as written must parse on its own, so its errors carry its positions.
    let mut scenario: Scenario = toml::from_str(text).map_err(file_error)?;
    if !overrides.is_empty() {
        let mut table: toml::Table = text.parse().map_err(file_error)?;
        for o in overrides {
            apply_override(&mut table, o)?;
        }
        rebalance_pool_shares(&mut table, overrides);
        scenario = Scenario::deserialize(toml::Value::Table(table)).map_err(|e| {
            let label = overrides.iter().map(Override::source).collect::<Vec<_>>().join(" ");
            Error::invalid(Location { source: label, ..Location::default() }, e.message().trim_end().to_string())
        })?;
    }

    // Phase 2: ranges and cross-field rules.
    let mut checker = Checker::default();
    let params = scenario.validate(&mut checker);
    let Some(mut params) = params.filter(|_| checker.is_ok()) else {
        let spans = DeTable::parse(text).ok();
        let problems = checker
            .problems
            .into_iter()
            .map(|(key, message)| Problem { location: locate(text, source, spans.as_ref(), overrides, &key), message })
            .collect();
        return Err(Error::Invalid(problems));
    };

    let price_path_usd = match &scenario.price {
        Price::Csv { path } => {
            let p = resolve(base_dir, path);
            Some(load_price_csv(&p, scenario.simulation.days as usize)?)
        }
        _ => None,
    };
    if let Some(prices) = &price_path_usd {
        params.price = PriceParams::Path { prices_usd: prices.clone() };
    }
    let (catalog, catalog_name) = match &scenario.hardware.catalog {
        Some(path) => {
            let p = resolve(base_dir, path);
            (Catalog::load(&p)?, p.display().to_string())
        }
        None => (Catalog::bundled(), "scenarios/hardware.toml (bundled)".to_string()),
    };
    let unknown: Vec<Problem> = scenario
        .population
        .fleet_mix
        .iter()
        .enumerate()
        .filter(|(_, f)| catalog.index_of(&f.model).is_none())
        .map(|(i, f)| {
            let names: Vec<&str> = catalog.models.iter().map(|m| m.name.as_str()).collect();
            Problem {
                location: locate(
                    text,
                    source,
                    DeTable::parse(text).ok().as_ref(),
                    overrides,
                    &format!("population.fleet_mix[{i}].model"),
                ),
                message: format!(
                    "unknown hardware model {:?}; the catalog {catalog_name} has: {}",
                    f.model,
                    names.join(", ")
                ),
            }
        })
        .collect();
    if !unknown.is_empty() {
        return Err(Error::Invalid(unknown));
    }
    Ok(LoadedScenario {
        scenario,
        source: source.to_string(),
        overrides: overrides.to_vec(),
        params,
        price_path_usd,
        catalog,
    })
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// A dotted key as segments: `events[2].day` -> [Key(events), Index(2), Key(day)].
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn segments(key: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            out.push(Seg::Key(rest[..i].to_string()));
            rest = &rest[i..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(n) = stripped[..end].parse() {
                    out.push(Seg::Index(n));
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else if let Ok(n) = part.parse::<usize>() {
            out.push(Seg::Index(n));
        } else {
            out.push(Seg::Key(part.to_string()));
        }
    }
    out
}

/// Where `key` is: an override that set it, else its position in the file (or that of its
/// nearest enclosing table when the key itself is not written, i.e. left at its default).
pub(crate) fn locate(
    text: &str,
    source: &str,
    spans: Option<&toml::Spanned<DeTable>>,
    overrides: &[Override],
    key: &str,
) -> Location {
    let segs = segments(key);
    if let Some(o) = overrides.iter().rev().find(|o| segments(&o.key) == segs) {
        return Location { source: o.source(), key: Some(key.to_string()), ..Location::default() };
    }
    let mut offset = None;
    if let Some(root) = spans {
        let mut current: Option<&DeValue> = None;
        let mut table: Option<&DeTable> = Some(root.get_ref());
        for seg in &segs {
            let next = match (seg, table, current) {
                (Seg::Key(k), Some(t), _) => {
                    t.iter().find(|(name, _)| name.get_ref().as_ref() == k.as_str()).map(|(_, v)| v)
                }
                (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
                _ => None,
            };
            let Some(v) = next else { break };
            offset = Some(v.span().start);
            current = Some(v.get_ref());
            table = match v.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            };
        }
    }
    let (line, column) = match offset {
        Some(o) => {
            let (l, c) = line_col(text, o);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    Location { source: source.to_string(), line, column, key: Some(key.to_string()) }
}

/// The scenario text `text` with `overrides` applied (pool shares rebalanced as on loading),
/// as TOML: what a fitted scenario is written as (comments are not kept).
pub fn with_overrides(text: &str, source: &str, overrides: &[Override]) -> Result<String> {
    let mut table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| Error::Other(format!("{source}: {}", e.message().trim_end())))?;
    for o in overrides {
        apply_override(&mut table, o)?;
    }
    rebalance_pool_shares(&mut table, overrides);
    toml::to_string(&table).map_err(|e| Error::Other(format!("{source}: {e}")))
}

/// Keeps the pools' shares summing to 1 when overrides set some of them (a sweep axis on a
/// pool's share): the pools not set are scaled by `(1 - set) / rest`, in proportion to their
/// shares in the file. Set shares summing past 1, or nothing left to scale, are left for
/// validation to report.
fn rebalance_pool_shares(root: &mut toml::Table, overrides: &[Override]) {
    let set: Vec<usize> = overrides
        .iter()
        .filter_map(|o| match segments(&o.key).as_slice() {
            [Seg::Key(t), Seg::Index(n), Seg::Key(k)] if t == "pools" && k == "share" => Some(*n),
            _ => None,
        })
        .collect();
    let Some(toml::Value::Array(pools)) = root.get_mut("pools") else { return };
    if set.is_empty() {
        return;
    }
    let share = |p: &toml::Value| p.get("share").and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)));
    let (mut fixed, mut rest) = (0.0, 0.0);
    for (i, p) in pools.iter().enumerate() {
        let s = share(p).unwrap_or(0.0);
        if set.contains(&i) {
            fixed += s;
        } else {
            rest += s;
        }
    }
    if rest <= 0.0 || fixed > 1.0 {
        return;
    }
    let k = (1.0 - fixed) / rest;
    for (i, p) in pools.iter_mut().enumerate() {
        if let (false, Some(s), toml::Value::Table(t)) = (set.contains(&i), share(p), &mut *p) {
            t.insert("share".into(), toml::Value::Float(s * k));
        }
    }
}

/// Sets one scalar in the TOML table, creating intermediate tables as needed.
fn apply_override(root: &mut toml::Table, o: &Override) -> Result<()> {
    set_in_table(root, &segments(&o.key), o.toml_value()).map_err(|msg| {
        Error::invalid(Location { source: o.source(), key: Some(o.key.clone()), ..Location::default() }, msg)
    })
}

fn set_in_table(t: &mut toml::Table, segs: &[Seg], value: toml::Value) -> std::result::Result<(), String> {
    match segs {
        [Seg::Key(k)] => {
            if let Some(toml::Value::Table(_) | toml::Value::Array(_)) = t.get(k) {
                return Err(format!("{k} is a table or array: set one of its values instead"));
            }
            t.insert(k.clone(), value);
            Ok(())
        }
        [Seg::Key(k), rest @ ..] => {
            let child = t.entry(k.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            set_in_value(child, rest, value)
        }
        _ => Err("the key must start with a table name, e.g. population.operators".into()),
    }
}

fn set_in_value(v: &mut toml::Value, segs: &[Seg], value: toml::Value) -> std::result::Result<(), String> {
    match (v, segs.first()) {
        (toml::Value::Table(t), Some(Seg::Key(_))) => set_in_table(t, segs, value),
        (toml::Value::Array(a), Some(Seg::Index(n))) => {
            let len = a.len();
            let item =
                a.get_mut(*n).ok_or_else(|| format!("index {n} is out of range: the array has {len} entries"))?;
            if segs.len() == 1 {
                *item = value;
                Ok(())
            } else {
                set_in_value(item, &segs[1..], value)
            }
        }
        _ => Err("does not name a settable value".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[simulation]
name = "t"
days = 10
seed = 1

[price]
model = "constant"
initial_usd = 90000

[population]
operators = 10
size_mw = { dist = "constant", value = 2 }
efficiency_j_per_th = { dist = "uniform", min = 15, max = 30 }
power_usd_per_kwh = { dist = "constant", value = 0.05 }

[[events]]
day = 3
kind = "price_shock"
change = -0.2
"#;

    fn load_min(overrides: &[&str]) -> Result<LoadedScenario> {
        let o: Vec<Override> = overrides.iter().map(|s| Override::parse(s).unwrap()).collect();
        load_str(MINIMAL, "min.toml", Path::new("."), &o)
    }

    /// Bug caught: the typed price losing the CSV path's prices (the world would start from 0)
    /// or the fee model's spread.
    #[test]
    fn params_carry_the_price_process_and_fees() {
        let p = load_min(&[]).unwrap().params;
        assert_eq!(p.price, PriceParams::Constant { initial_usd: 90_000.0 });
        let p = load_min(&["fees.model=\"lognormal\"", "fees.mean_btc_per_block=0.2", "fees.log_sd=0.5"]).unwrap();
        assert_eq!((p.params.fees.mean_btc_per_block, p.params.fees.log_sd), (0.2, Some(0.5)));
        let dir = tempfile::tempdir().unwrap();
        let prices: Vec<f64> = (0..10).map(|d| 100.0 + f64::from(d)).collect();
        let rows: String = prices.iter().enumerate().map(|(d, p)| format!("{d},{p}\n")).collect();
        std::fs::write(dir.path().join("p.csv"), format!("day,price_usd\n{rows}")).unwrap();
        let text = MINIMAL.replace("model = \"constant\"\ninitial_usd = 90000", "model = \"csv\"\npath = \"p.csv\"");
        let l = load_str(&text, "min.toml", dir.path(), &[]).unwrap();
        assert_eq!(l.params.price, PriceParams::Path { prices_usd: prices });
        assert_eq!(l.params.price.initial_usd(), 100.0);
    }

    use crate::scenario::params::{Event, SimulationParams};

    #[test]
    fn loads_with_defaults() {
        let s = load_min(&[]).unwrap().scenario;
        assert_eq!(s.chain.height, 925_000);
        assert_eq!(s.simulation.replicates, 1);
        let l = load_min(&["simulation.seed=7"]).unwrap();
        assert_eq!(l.params.simulation, SimulationParams { days: 10, seed: 7, replicates: 1, merit_order: true });
        assert_eq!(l.params.events, vec![Event::PriceShock { day: 3, change: -0.2, over_days: 1 }]);
    }

    /// Bug caught: the typed phase losing or misreading a string the engine used to parse
    /// itself (the start date feeds the `date` column, the bits the starting target).
    #[test]
    fn params_hold_the_parsed_strings() {
        let p = load_min(&[]).unwrap().params;
        assert_eq!((p.start_date_days, p.chain.bits), (20_413, None));
        let p = load_min(&["chain.bits=\"0x17034219\"", "simulation.start_date=\"1970-01-02\""]).unwrap().params;
        assert_eq!((p.start_date_days, p.chain.bits), (1, Some(0x1703_4219)));
        // A difficulty is the same start as its compact target (difficulty 1: the genesis bits).
        let p = load_min(&["chain.difficulty=1"]).unwrap().params;
        assert_eq!((p.chain.height, p.chain.bits), (925_000, Some(0x1d00_ffff)));
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let text = MINIMAL.replace("seed = 1", "seed = 1\nspeed = 2");
        let e = load_str(&text, "x.toml", Path::new("."), &[]).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:6:1:"), "{e}");
        assert!(e.contains("unknown field `speed`"), "{e}");
    }

    #[test]
    fn wrong_type_is_reported() {
        let text = MINIMAL.replace("days = 10", "days = \"ten\"");
        let e = load_str(&text, "x.toml", Path::new("."), &[]).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:4:"), "{e}");
    }

    #[test]
    fn range_errors_are_located() {
        let text = MINIMAL.replace("max = 30", "max = -30");
        let e = load_str(&text, "x.toml", Path::new("."), &[]).unwrap_err().to_string();
        assert!(e.contains("x.toml:14:"), "{e}");
        assert!(e.contains("population.efficiency_j_per_th.max"), "{e}");
        let text = MINIMAL.replace("day = 3", "day = 30");
        let e = load_str(&text, "x.toml", Path::new("."), &[]).unwrap_err().to_string();
        assert!(e.contains("x.toml:18:7: events[0].day: must be below simulation.days = 10 (got 30)"), "{e}");
    }

    /// A fixed share of the power price outside [0, 1] is named at its line and key with the
    /// range, for the population and for a named operator. Bug caught: a share above 1 (power
    /// cheaper than free to run) accepted.
    #[test]
    fn power_fixed_share_errors_are_located() {
        let text = MINIMAL.replace(
            "power_usd_per_kwh = { dist = \"constant\", value = 0.05 }",
            "power_usd_per_kwh = { dist = \"constant\", value = 0.05 }\npower_fixed_share = { dist = \"uniform\", min = 0, max = 1.5 }",
        );
        let e = load_str(&text, "x.toml", Path::new("."), &[]).unwrap_err().to_string();
        assert!(e.contains("x.toml:16:"), "{e}");
        assert!(e.contains("population.power_fixed_share.max: must be at least 0 and at most 1 (got 1.5)"), "{e}");
        let named = format!(
            "{MINIMAL}\n[[operators]]\nname = \"a\"\nhashrate_th_s = 1000\nefficiency_j_per_th = 20\npower_usd_per_kwh = 0.05\npower_fixed_share = -0.1\n"
        );
        let e = load_str(&named, "x.toml", Path::new("."), &[]).unwrap_err().to_string();
        assert!(e.contains("operators[0].power_fixed_share"), "{e}");
        assert!(e.contains("(got -0.1)"), "{e}");
    }

    /// A demand-response schedule is checked at its key with the allowed range: a share above
    /// 1, a table without 12 months, and more than 24 hours in a day. Bug caught: a schedule
    /// of 11 months (a month silently without curtailment, or an index out of bounds at the
    /// first December) or of negative or 30-hour days accepted.
    #[test]
    fn demand_response_errors_are_located() {
        let with = |dr: &str| {
            format!("{MINIMAL}\n[[population.jurisdictions]]\nname = \"US\"\nshare = 1\ndemand_response = {dr}\n")
        };
        let good = with("{ share = 0.28, curtailed_hours_per_day = [0, 0, 0, 0, 0, 6, 6, 6, 6, 0, 0, 0] }");
        let s = load_str(&good, "x.toml", Path::new("."), &[]).unwrap();
        let dr = s.params.population.jurisdictions[0].demand_response.unwrap();
        assert_eq!((dr.share, dr.curtailed_hours_per_day[5], dr.uptime(6), dr.uptime(5)), (0.28, 6.0, 0.75, 1.0));
        let err = |dr: &str| load_str(&with(dr), "x.toml", Path::new("."), &[]).unwrap_err().to_string();
        let e = err("{ share = 1.5, curtailed_hours_per_day = [0, 0, 0, 0, 0, 6, 6, 6, 6, 0, 0, 0] }");
        assert!(e.contains("x.toml:25:29:"), "{e}");
        assert!(
            e.contains("population.jurisdictions[0].demand_response.share: must be between 0 and 1 (got 1.5)"),
            "{e}"
        );
        let e = err("{ share = 0.3, curtailed_hours_per_day = [0, 0, 0, 0, 0, 6, 6, 6, 6, 0, 0] }");
        assert!(e.contains("population.jurisdictions[0].demand_response.curtailed_hours_per_day: needs 12 values, January to December (has 11)"), "{e}");
        let e = err("{ share = 0.3, curtailed_hours_per_day = [0, 0, 0, 0, 0, 6, 6, 30, 6, 0, 0, 0] }");
        assert!(e.contains("curtailed_hours_per_day[7]: must be between 0 and 24 (got 30)"), "{e}");
    }

    #[test]
    fn overrides_apply_and_are_blamed() {
        let s = load_min(&["population.operators=25", "simulation.name=other", "events.0.change=-0.5"]).unwrap();
        assert_eq!(s.scenario.population.operators, 25);
        assert_eq!(s.scenario.simulation.name, "other");
        assert_eq!(s.overrides.len(), 3);
        let e = load_min(&["simulation.days=0"]).unwrap_err().to_string();
        assert!(e.starts_with("--set simulation.days=0: simulation.days: must be between 1 and 36525"), "{e}");
        let e = load_min(&["population.bogus=1"]).unwrap_err().to_string();
        assert!(e.contains("unknown field `bogus`"), "{e}");
        let e = load_min(&["population=1"]).unwrap_err().to_string();
        assert!(e.contains("is a table or array"), "{e}");
        let e = load_min(&["events.5.day=1"]).unwrap_err().to_string();
        assert!(e.contains("out of range"), "{e}");
    }

    /// The hardware market's keys are range-checked with their allowed range, and the moved
    /// manufacturing rate is read from `[hardware]`, with the order book's default derived
    /// from it. Bug caught: a negative capacity or elasticity accepted (an empty or inverted
    /// market), or the old `[metrics]` key still silently read.
    #[test]
    fn hardware_market_keys_are_checked() {
        let e = load_min(&["hardware.manufacturing_eh_s_per_month=0"]).unwrap_err().to_string();
        assert!(e.contains("hardware.manufacturing_eh_s_per_month: must be"), "{e}");
        let e = load_min(&["hardware.price_elasticity=-1"]).unwrap_err().to_string();
        assert!(e.contains("hardware.price_elasticity: must be between 0 and 3"), "{e}");
        let e = load_min(&["hardware.initial_order_book_eh_s=-1"]).unwrap_err().to_string();
        assert!(e.contains("hardware.initial_order_book_eh_s"), "{e}");
        let e = load_min(&["metrics.manufacturing_eh_s_per_month=10"]).unwrap_err().to_string();
        assert!(e.contains("unknown field"), "{e}");
        let s = load_min(&["hardware.manufacturing_eh_s_per_month=20", "hardware.lead_time_days=60"]).unwrap();
        assert_eq!(s.params.hardware.manufacturing_eh_s_per_month, 20.0);
        assert!((s.params.hardware.initial_order_book_eh_s - 40.0).abs() < 1e-12);
        let s = load_min(&["hardware.initial_order_book_eh_s=0"]).unwrap();
        assert_eq!(s.params.hardware.initial_order_book_eh_s, 0.0);
        let e = load_min(&["strategy.max_expansion_share=-0.1"]).unwrap_err().to_string();
        assert!(e.contains("strategy.max_expansion_share: must be between 0 and 10"), "{e}");
        let e = load_min(&["strategy.site_usd_per_mw=-1"]).unwrap_err().to_string();
        assert!(e.contains("strategy.site_usd_per_mw"), "{e}");
        let e = load_min(&["strategy.site_build_days=99999"]).unwrap_err().to_string();
        assert!(e.contains("strategy.site_build_days"), "{e}");
    }

    #[test]
    fn unknown_fleet_model_is_located_and_lists_the_catalog() {
        let line = "efficiency_j_per_th = { dist = \"uniform\", min = 15, max = 30 }";
        assert!(MINIMAL.contains(line));
        let text =
            MINIMAL.replace(line, "fleet_mix = [{ model = \"S21\", share = 0.5 }, { model = \"S99\", share = 0.5 }]");
        let e = load_str(&text, "m.toml", Path::new("."), &[]).unwrap_err().to_string();
        assert!(e.contains("m.toml:14:"), "{e}");
        assert!(e.contains("population.fleet_mix[1].model: unknown hardware model \"S99\""), "{e}");
        assert!(e.contains("S21 XP"), "{e}");
    }

    /// A pool's share set by an override scales the others to keep the sum 1: A 0.5 -> 0.7
    /// leaves 0.3 for B and C (0.3 and 0.2 in the file), 0.18 and 0.12. Bug caught: a sweep
    /// axis on a share that can never validate, or the others scaled equally.
    #[test]
    fn an_override_of_a_pool_share_rescales_the_others() {
        let pools = "[[pools]]\nname = \"A\"\nshare = 0.5\n[[pools]]\nname = \"B\"\nshare = 0.3\n\
                     [[pools]]\nname = \"C\"\nshare = 0.2\n";
        let text = format!("{MINIMAL}{pools}");
        let o = [Override::parse("pools.0.share=0.7").unwrap()];
        let l = load_str(&text, "p.toml", Path::new("."), &o).expect("rebalanced");
        let got: Vec<f64> = l.params.pools.iter().map(|p| p.share).collect();
        assert!(got.iter().zip([0.7, 0.18, 0.12]).all(|(a, b)| (a - b).abs() < 1e-12), "{got:?}");
        let o = [Override::parse("pools.0.share=1.2").unwrap()];
        assert!(load_str(&text, "p.toml", Path::new("."), &o).is_err());
    }

    #[test]
    fn segments_parse() {
        assert_eq!(segments("events[2].day"), vec![Seg::Key("events".into()), Seg::Index(2), Seg::Key("day".into())]);
        assert_eq!(segments("events.2.day"), segments("events[2].day"));
    }
}
