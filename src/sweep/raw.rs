//! A sweep file as written: the TOML structures (unknown keys and wrong types are reported by
//! the parser with line and column), before any check.

use super::axis::{Method, Scale};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) sweep: Spanned<RawSweep>,
    #[serde(default)]
    pub(super) axes: Vec<Spanned<RawAxis>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSweep {
    pub(super) name: Spanned<String>,
    pub(super) base: Spanned<String>,
    pub(super) seed: Spanned<u64>,
    #[serde(default)]
    pub(super) replicates: Option<Spanned<u32>>,
    #[serde(default)]
    pub(super) set: Option<Spanned<toml::Table>>,
    #[serde(default)]
    pub(super) samples: Option<Spanned<u32>>,
    #[serde(default)]
    pub(super) method: Option<Spanned<Method>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAxis {
    pub(super) key: Spanned<String>,
    #[serde(default)]
    pub(super) values: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    #[serde(default)]
    pub(super) range: Option<Spanned<RawRange>>,
    #[serde(default)]
    pub(super) sample: Option<Spanned<RawSample>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRange {
    pub(super) from: f64,
    pub(super) to: f64,
    #[serde(default)]
    pub(super) steps: Option<u64>,
    #[serde(default)]
    pub(super) step: Option<f64>,
    #[serde(default)]
    pub(super) scale: Scale,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSample {
    pub(super) min: f64,
    pub(super) max: f64,
    #[serde(default)]
    pub(super) scale: Scale,
}

/// `a = { b = 1 }` -> `a.b = 1`.
pub(crate) fn flatten(prefix: &str, t: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(inner) => flatten(&key, inner, out),
            other => out.push((key, other.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_dotted_tables() {
        let t: toml::Table = toml::from_str("\"a.b\" = 1\nc = { d = 2, e = { f = \"x\" } }").unwrap();
        let mut out = Vec::new();
        flatten("", &t, &mut out);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a.b", "c.d", "c.e.f"]);
    }
}
