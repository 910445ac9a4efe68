//! Words for figure titles and legends: a swept parameter's key with its unit, a summary
//! metric in words (`attack_cheapest_usd_min` -> "Minimum cheapest 51% attack (USD)"), and
//! parameter values in a few digits.

use super::ticks::group_thousands;

/// A long dotted key without its section (`price.log_return_mean_per_day` ->
/// `log_return_mean_per_day`), keeping a distribution's name with its parameter
/// (`population.power_usd_per_kwh.median` -> `power_usd_per_kwh.median`).
pub fn short_key(k: &str) -> &str {
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
        "attack_pool_coalition_usd" => "51% attack, pool coalition",
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
pub fn with_unit(words: &str, unit: Option<&str>, scale: &str) -> String {
    match (unit, scale.trim()) {
        (Some(u), "") => format!("{words} ({u})"),
        (Some(u), s) => format!("{words} ({u}, {s})"),
        (None, "") => words.to_string(),
        (None, s) => format!("{words} ({s})"),
    }
}

/// Only the unit and scale, for an axis too short for the words: `USD, ×10⁶`.
pub fn unit_only(unit: Option<&str>, scale: &str) -> String {
    match (unit, scale.trim()) {
        (Some(u), "") => u.to_string(),
        (Some(u), s) => format!("{u}, {s}"),
        (None, "") => "value".to_string(),
        (None, s) => s.to_string(),
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
}
