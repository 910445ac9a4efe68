//! Ranges of physical inputs that several tables (and the catalog and price path files)
//! share, named once so every check and clamp uses the same numbers.

/// Machine efficiencies a scenario or catalog may give, J/TH: a thousand times better than
/// today's best (~13 J/TH) to the first GPUs' order of magnitude. Near zero, a site's TH/s is
/// infinite (a catalog model of 5e-324 J/TH made calibration multiply inf by 0: NaN hashrates).
pub const J_PER_TH_MIN: f64 = 0.01;
pub const J_PER_TH_MAX: f64 = 100_000.0;

/// Prices a scenario may give or a price path may hold, USD per BTC: a cent to a billion, so
/// that products of prices, rewards and days stay finite.
pub const PRICE_USD_MIN: f64 = 0.01;
pub const PRICE_USD_MAX: f64 = 1e9;
