//! The hardware catalog file (`scenarios/hardware.toml` or `hardware.catalog`): its models,
//! read and checked like a scenario (unknown keys refused, problems located by line). The
//! agents' use of it (the efficiency frontier) is in `agents::hardware`.

use super::bounds::{J_PER_TH_MAX, J_PER_TH_MIN};
use super::check::Checker;
use super::date::{YEAR_MAX, YEAR_MIN};
use super::load::locate;
use crate::error::{line_col, Error, Location, Problem, Result};
use crate::input::read_input;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One ASIC model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub name: String,
    /// Hashrate of one unit.
    pub th_s: f64,
    pub j_per_th: f64,
    /// Release date as a decimal year (2024.5 = mid-2024).
    pub released_year: f64,
    /// New-unit price when current, USD per TH/s.
    pub price_usd_per_th: f64,
}

/// The models a scenario knows, newest last after loading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub models: Vec<Model>,
}

/// The bundled catalog (`scenarios/hardware.toml`).
pub const BUNDLED_CATALOG: &str = include_str!("../../scenarios/hardware.toml");

impl Catalog {
    /// Parses and checks a catalog; `source` names it in errors, each located at its line.
    pub fn parse(text: &str, source: &str) -> Result<Catalog> {
        let mut c: Catalog = toml::from_str(text).map_err(|e| {
            let (line, column) =
                e.span().map(|s| line_col(text, s.start)).map_or((None, None), |(l, c)| (Some(l), Some(c)));
            Error::invalid(
                Location { source: source.into(), line, column, key: None },
                e.message().trim_end().to_string(),
            )
        })?;
        let mut check = Checker::default();
        if c.models.is_empty() {
            check.fail("models", "the catalog has no [[models]]");
        }
        for (i, m) in c.models.iter().enumerate() {
            let key = |k: &str| format!("models[{i}].{k}");
            check.range_open_lo(&key("th_s"), m.th_s, 0.0, 1e6);
            check.range(&key("j_per_th"), m.j_per_th, J_PER_TH_MIN, J_PER_TH_MAX);
            check.range(&key("price_usd_per_th"), m.price_usd_per_th, 0.0, 1e5);
            check.range(&key("released_year"), m.released_year, YEAR_MIN as f64, YEAR_MAX as f64);
            if c.models[..i].iter().any(|o| o.name == m.name) {
                check.fail(&key("name"), format!("duplicate model {:?}", m.name));
            }
        }
        if !check.is_ok() {
            let spans = toml::de::DeTable::parse(text).ok();
            let problems = check
                .problems
                .into_iter()
                .map(|(key, message)| Problem { location: locate(text, source, spans.as_ref(), &[], &key), message })
                .collect();
            return Err(Error::Invalid(problems));
        }
        c.models.sort_by(|a, b| a.released_year.total_cmp(&b.released_year));
        Ok(c)
    }

    pub fn load(path: &Path) -> Result<Catalog> {
        Catalog::parse(&read_input(path)?, &path.display().to_string())
    }

    pub fn bundled() -> Catalog {
        Catalog::parse(BUNDLED_CATALOG, "scenarios/hardware.toml").expect("the bundled catalog is valid")
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.models.iter().position(|m| m.name == name)
    }
}
