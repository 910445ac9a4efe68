//! The scenario file's schema. Every table denies unknown keys; defaults are written here
//! once; `validate` range-checks every value. Field names carry their units.

use super::check::Checker;
use super::dist::Dist;
use crate::chain::target::U256;
use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub simulation: Simulation,
    #[serde(default)]
    pub chain: Chain,
    pub price: Price,
    #[serde(default)]
    pub fees: Fees,
    pub population: Population,
    /// Named miners added on top of the generated population (case studies, tests).
    #[serde(default)]
    pub miners: Vec<MinerSpec>,
    /// Scheduled shocks, applied at the start of their day.
    #[serde(default)]
    pub events: Vec<EventSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Names the output folder `results/<name>/`: letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// Simulated days, 1..=36,525 (100 years).
    pub days: u32,
    /// Master seed: every random stream derives from it.
    pub seed: u64,
    /// Independent replicates (seeds derived from (seed, replicate)), 1..=100,000.
    #[serde(default = "one")]
    pub replicates: u32,
    /// Calendar date of day 0, `YYYY-MM-DD` (for the `date` column only).
    #[serde(default = "default_start_date")]
    pub start_date: String,
}

fn one() -> u32 {
    1
}

fn default_start_date() -> String {
    "2025-11-21".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// Height of the chain tip at the start; the first simulated block is `height + 1`.
    #[serde(default = "default_height")]
    pub height: u64,
    /// Starting difficulty. Omit both this and `bits` to set it so the whole installed
    /// population finds a block every 600 s.
    #[serde(default)]
    pub difficulty: Option<f64>,
    /// Starting compact target, e.g. "0x17034219"; exclusive with `difficulty`.
    #[serde(default)]
    pub bits: Option<String>,
    /// Seconds since the first block of the current epoch. Default: 600 s per block already
    /// mined in the epoch.
    #[serde(default)]
    pub epoch_elapsed_s: Option<f64>,
}

fn default_height() -> u64 {
    925_000
}

impl Default for Chain {
    fn default() -> Self {
        Chain { height: default_height(), difficulty: None, bits: None, epoch_elapsed_s: None }
    }
}

/// The BTC/USD price path. One price per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "lowercase", deny_unknown_fields)]
pub enum Price {
    /// A constant price (shocks still apply).
    Constant { initial_usd: f64 },
    /// Geometric Brownian motion in daily steps:
    /// `ln S(d+1) = ln S(d) + log_return_mean_per_day + log_return_sd_per_day * Z`.
    Gbm {
        initial_usd: f64,
        #[serde(default)]
        log_return_mean_per_day: f64,
        log_return_sd_per_day: f64,
    },
    /// A path from a CSV file with header `day,price_usd`, one row for every day from 0,
    /// path relative to the scenario file.
    Csv { path: String },
}

/// Fees per block around a daily level (shocks scale the level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "lowercase", deny_unknown_fields)]
pub enum Fees {
    Constant { mean_btc_per_block: f64 },
    Lognormal { mean_btc_per_block: f64, log_sd: f64 },
}

impl Default for Fees {
    fn default() -> Self {
        Fees::Constant { mean_btc_per_block: 0.025 }
    }
}

impl Fees {
    pub fn mean_btc_per_block(&self) -> f64 {
        match *self {
            Fees::Constant { mean_btc_per_block } | Fees::Lognormal { mean_btc_per_block, .. } => mean_btc_per_block,
        }
    }
}

/// How a miner decides each day whether to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionRule {
    /// Mine iff today's hashprice covers today's power cost.
    #[default]
    Profitable,
    /// Always mine (a price-insensitive population, for chain-rule experiments).
    Always,
}

/// See [`Population::calibrate_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrateTo {
    #[default]
    Installed,
    Active,
}

/// A generated population of miners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Number of generated miners, 0..=10,000,000.
    pub miners: u32,
    /// Installed hashrate of the generated miners together, EH/s: sizes drawn from
    /// `hashrate_th_s` are rescaled to this total. Omit to keep the drawn sizes, or (when the
    /// chain's difficulty is given) to match the difficulty at 600 s blocks.
    #[serde(default)]
    pub total_hashrate_eh_s: Option<f64>,
    /// Size of each miner (relative when `total_hashrate_eh_s` applies), TH/s.
    pub hashrate_th_s: Dist,
    /// Hardware efficiency, J/TH (= W per TH/s).
    pub efficiency_j_per_th: Dist,
    /// Delivered power price, USD/kWh (a jurisdiction may override it).
    pub power_usd_per_kwh: Dist,
    #[serde(default)]
    pub decision: DecisionRule,
    /// Which hashrate matches the chain's difficulty (at 600 s blocks) when
    /// `total_hashrate_eh_s` is omitted and the difficulty is given: all installed machines,
    /// or only those that mine on day 0 (the network starts in equilibrium).
    #[serde(default)]
    pub calibrate_to: CalibrateTo,
    /// Jurisdictions and the probability a miner is in each; shares sum to 1.
    #[serde(default)]
    pub jurisdictions: Vec<Jurisdiction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub name: String,
    pub share: f64,
    /// This jurisdiction's power price distribution, replacing the population's.
    #[serde(default)]
    pub power_usd_per_kwh: Option<Dist>,
}

/// One named miner with fixed values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinerSpec {
    pub name: String,
    pub hashrate_th_s: f64,
    pub efficiency_j_per_th: f64,
    pub power_usd_per_kwh: f64,
    #[serde(default = "default_jurisdiction")]
    pub jurisdiction: String,
    /// Overrides the population's decision rule for this miner.
    #[serde(default)]
    pub decision: Option<DecisionRule>,
}

fn default_jurisdiction() -> String {
    "other".into()
}

/// A scheduled shock. `day` is the simulated day whose start it happens at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventSpec {
    /// The price moves by `change` (e.g. -0.38), spread geometrically over `over_days` days.
    PriceShock {
        day: u32,
        change: f64,
        #[serde(default = "one")]
        over_days: u32,
    },
    /// The fee level becomes `multiplier` x the scenario's mean from this day on.
    FeeShock { day: u32, multiplier: f64 },
    /// Installed hashrate of every miner (or of one jurisdiction's) changes by `change`.
    HashrateShock {
        day: u32,
        change: f64,
        #[serde(default)]
        jurisdiction: Option<String>,
    },
    /// A share of a jurisdiction's miners, drawn at random, are switched off for good.
    JurisdictionBan { day: u32, jurisdiction: String, share: f64 },
    /// Power prices (everywhere, or in one jurisdiction) change by `change`.
    PowerPriceShock {
        day: u32,
        change: f64,
        #[serde(default)]
        jurisdiction: Option<String>,
    },
}

impl EventSpec {
    pub fn day(&self) -> u32 {
        match *self {
            EventSpec::PriceShock { day, .. }
            | EventSpec::FeeShock { day, .. }
            | EventSpec::HashrateShock { day, .. }
            | EventSpec::JurisdictionBan { day, .. }
            | EventSpec::PowerPriceShock { day, .. } => day,
        }
    }
}

/// Parses "0x17034219" (or decimal) compact bits.
pub fn parse_bits(s: &str) -> Option<u32> {
    let t = s.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's `days_from_civil`).
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD` of days since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

impl Scenario {
    /// Range-checks every value, recording each problem under its dotted key.
    pub fn validate(&self, c: &mut Checker) {
        let s = &self.simulation;
        if s.name.is_empty()
            || !s.name.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
            || s.name.starts_with('.')
        {
            c.fail(
                "simulation.name",
                format!("must be letters, digits, '-', '_' or '.', not starting with '.' (got {:?})", s.name),
            );
        }
        c.int_range("simulation.days", s.days.into(), 1, 36_525);
        c.int_range("simulation.replicates", s.replicates.into(), 1, 100_000);
        if parse_date(&s.start_date).is_none() {
            c.fail("simulation.start_date", format!("must be a date YYYY-MM-DD (got {:?})", s.start_date));
        }

        let ch = &self.chain;
        c.int_range("chain.height", ch.height, 0, 13_440_000);
        if let Some(d) = ch.difficulty {
            c.range("chain.difficulty", d, 1.0, 1e22);
        }
        if ch.difficulty.is_some() && ch.bits.is_some() {
            c.fail("chain.bits", "give either chain.difficulty or chain.bits, not both");
        }
        if let Some(b) = &ch.bits {
            match parse_bits(b) {
                None => c.fail("chain.bits", format!("must be compact bits such as \"0x17034219\" (got {b:?})")),
                Some(bits) => {
                    let (t, neg, ovf) = U256::from_compact(bits);
                    if neg || ovf || t == U256::ZERO || t > crate::chain::target::pow_limit() {
                        c.fail("chain.bits", format!("must encode a positive target at most 0x1d00ffff (got {b:?})"));
                    }
                }
            }
        }
        if let Some(e) = ch.epoch_elapsed_s {
            c.range("chain.epoch_elapsed_s", e, 0.0, 1e8);
        }

        match &self.price {
            Price::Constant { initial_usd } => c.range("price.initial_usd", *initial_usd, 0.01, 1e9),
            Price::Gbm { initial_usd, log_return_mean_per_day, log_return_sd_per_day } => {
                c.range("price.initial_usd", *initial_usd, 0.01, 1e9);
                c.range("price.log_return_mean_per_day", *log_return_mean_per_day, -0.5, 0.5);
                c.range("price.log_return_sd_per_day", *log_return_sd_per_day, 0.0, 1.0);
            }
            Price::Csv { path } => {
                if path.trim().is_empty() {
                    c.fail("price.path", "must name a CSV file with columns day,price_usd");
                }
            }
        }

        match &self.fees {
            Fees::Constant { mean_btc_per_block } => {
                c.range("fees.mean_btc_per_block", *mean_btc_per_block, 0.0, 1000.0)
            }
            Fees::Lognormal { mean_btc_per_block, log_sd } => {
                c.range("fees.mean_btc_per_block", *mean_btc_per_block, 0.0, 1000.0);
                c.range("fees.log_sd", *log_sd, 0.0, 5.0);
            }
        }

        let p = &self.population;
        c.int_range("population.miners", p.miners.into(), 0, 10_000_000);
        if let Some(t) = p.total_hashrate_eh_s {
            c.range_open_lo("population.total_hashrate_eh_s", t, 0.0, 1e9);
        }
        p.hashrate_th_s.check(c, "population.hashrate_th_s", 0.0, true, 1e12);
        p.efficiency_j_per_th.check(c, "population.efficiency_j_per_th", 0.0, true, 100_000.0);
        p.power_usd_per_kwh.check(c, "population.power_usd_per_kwh", 0.0, false, 100.0);
        let mut share_sum = 0.0;
        for (i, j) in p.jurisdictions.iter().enumerate() {
            let key = format!("population.jurisdictions[{i}]");
            if j.name.trim().is_empty() {
                c.fail(&format!("{key}.name"), "must not be empty");
            }
            if p.jurisdictions[..i].iter().any(|o| o.name == j.name) {
                c.fail(&format!("{key}.name"), format!("duplicate jurisdiction {:?}", j.name));
            }
            c.range(&format!("{key}.share"), j.share, 0.0, 1.0);
            share_sum += j.share;
            if let Some(d) = &j.power_usd_per_kwh {
                d.check(c, &format!("{key}.power_usd_per_kwh"), 0.0, false, 100.0);
            }
        }
        if !p.jurisdictions.is_empty() && (share_sum - 1.0).abs() > 1e-6 {
            c.fail("population.jurisdictions", format!("shares must sum to 1 (they sum to {share_sum})"));
        }

        for (i, m) in self.miners.iter().enumerate() {
            let key = format!("miners[{i}]");
            c.range_open_lo(&format!("{key}.hashrate_th_s"), m.hashrate_th_s, 0.0, 1e12);
            c.range_open_lo(&format!("{key}.efficiency_j_per_th"), m.efficiency_j_per_th, 0.0, 100_000.0);
            c.range(&format!("{key}.power_usd_per_kwh"), m.power_usd_per_kwh, 0.0, 100.0);
        }
        if p.miners == 0 && self.miners.is_empty() {
            c.fail("population.miners", "the scenario has no miners: set population.miners >= 1 or add [[miners]]");
        }

        let known = |name: &str| {
            p.jurisdictions.iter().any(|j| j.name == name) || self.miners.iter().any(|m| m.jurisdiction == name)
        };
        for (i, e) in self.events.iter().enumerate() {
            let key = format!("events[{i}]");
            if e.day() >= s.days {
                c.fail(&format!("{key}.day"), format!("must be below simulation.days = {} (got {})", s.days, e.day()));
            }
            let check_jur = |c: &mut Checker, j: &Option<String>| {
                if let Some(j) = j {
                    if !known(j) {
                        c.fail(&format!("{key}.jurisdiction"), format!("unknown jurisdiction {j:?}"));
                    }
                }
            };
            match e {
                EventSpec::PriceShock { change, over_days, .. } => {
                    c.range(&format!("{key}.change"), *change, -0.99, 100.0);
                    c.int_range(&format!("{key}.over_days"), (*over_days).into(), 1, 36_525);
                }
                EventSpec::FeeShock { multiplier, .. } => c.range(&format!("{key}.multiplier"), *multiplier, 0.0, 1e4),
                EventSpec::HashrateShock { change, jurisdiction, .. } => {
                    c.range(&format!("{key}.change"), *change, -1.0, 100.0);
                    check_jur(c, jurisdiction);
                }
                EventSpec::JurisdictionBan { jurisdiction, share, .. } => {
                    c.range(&format!("{key}.share"), *share, 0.0, 1.0);
                    check_jur(c, &Some(jurisdiction.clone()));
                }
                EventSpec::PowerPriceShock { change, jurisdiction, .. } => {
                    c.range(&format!("{key}.change"), *change, -1.0, 100.0);
                    check_jur(c, jurisdiction);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2025-11-21"), Some(20_413));
        assert_eq!(format_date(20_413), "2025-11-21");
        assert_eq!(format_date(20_413 + 100), "2026-03-01");
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-02-29").map(format_date), Some("2024-02-29".into()));
        assert_eq!(parse_date("nonsense"), None);
    }

    #[test]
    fn bits_parse() {
        assert_eq!(parse_bits("0x17034219"), Some(0x1703_4219));
        assert_eq!(parse_bits("486604799"), Some(0x1d00_ffff));
        assert_eq!(parse_bits("0xZZ"), None);
    }
}
