//! What an operator decides on: its read-only view of itself and of the day's market, the
//! offers on the table, and the choices it can make. Plain data, shared by the decision rules
//! (`decision.rs`), the valuation of machines (`valuation.rs`) and site building
//! (`expansion.rs`), which import it and not each other's types.

use super::hardware::{Fleet, Pricing};
use crate::scenario::DecisionRule;

pub use crate::scenario::Expectation;

/// The smallest upgrade an operator orders, MW of machines: less is crumbs of a division
/// (room or cash for a fraction of a machine), not an order worth a purchase.
pub const MIN_ORDER_MW: f64 = 0.1;

/// Halvings a valuation looks through: a machine lives 4 years by default, so its life (with
/// delivery) spans at most two; the third covers longer lives set in a scenario.
pub const HALVINGS_AHEAD: usize = 3;

/// Share of today's reward per block left after each of the next [`HALVINGS_AHEAD`]
/// halvings: `(1 - s) + s 2^-k` for the `k`-th, `s` the subsidy share of today's reward (fees
/// and price unchanged). Hashprice after a halving if no machine stopped.
pub fn reward_after_halvings(subsidy_share: f64) -> [f64; HALVINGS_AHEAD] {
    std::array::from_fn(|k| (1.0 - subsidy_share) + subsidy_share * 0.5f64.powi(k as i32 + 1))
}

/// What every operator observes of the market today (the same for all).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketView {
    /// Revenue of one TH/s today at the current difficulty, USD per day.
    pub hashprice_usd_per_th_day: f64,
    /// Exponential moving average of hashprice.
    pub hashprice_ema_usd_per_th_day: f64,
    /// Hashprice a running machine expects over the operating horizon, foreseeing the next
    /// retarget ([`operating_hashprice`](crate::agents::decision::operating_hashprice)): what the run/idle decision compares with power.
    pub operating_hashprice_usd_per_th_day: f64,
    /// Hashprice once difficulty has caught up with the hashrate that ran yesterday, USD per
    /// TH/s per day: `h * H_D / H_run`, with `H_D` the hashrate today's difficulty implies at
    /// 600 s blocks (the ratio within Core's factor 4). Where machines held for years start
    /// from: a transient gap between difficulty and hashrate (a halving's first weeks) is not
    /// their life's hashprice.
    pub settled_hashprice_usd_per_th_day: f64,
    /// Share of the block reward that is subsidy (the rest is fees), 0..=1.
    pub subsidy_share: f64,
    /// Days until the next halving at the current pace (600 s blocks).
    pub days_to_halving: f64,
    /// Hashprice after each of the next halvings relative to the settled hashprice, once the
    /// machines each halving leaves unpaid have stopped and difficulty has followed
    /// (`market::supply::SupplyCurve::hashprice_after_halvings`, the fleet as it stands):
    /// what a buyer who foresees halvings expects. At least [`reward_after_halvings`].
    pub hashprice_after_halvings: [f64; HALVINGS_AHEAD],
    pub btc_price_usd: f64,
    /// Network hashrate implied by today's difficulty at 600 s blocks, TH/s.
    pub network_th_s: f64,
    /// Machines ordered from the makers and not yet delivered, network-wide, TH/s.
    pub pipeline_th_s: f64,
    /// Trend of difficulty growth, log per year (a moving average of daily log changes).
    pub growth_trend_per_year: f64,
}

/// A new machine on sale today.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HardwareOffer {
    pub j_per_th: f64,
    pub price_usd_per_th: f64,
    /// Years a machine earns before it is obsolete.
    pub life_years: f64,
    /// Days from an order placed today to its delivery (the makers' quote).
    pub lead_time_days: f64,
    /// The most an operator may order today, TH/s per MW of its mining capacity (the makers'
    /// open book shared by size, `market::hardware::allotment_th_s_per_mw`).
    pub allotment_th_s_per_mw: f64,
    /// The best used machines on sale today, if any (`market::secondary`).
    pub used: Option<UsedOffer>,
    /// What used machines sell for today (an owner's alternative to keeping idle ones).
    pub resale: Pricing,
}

/// The most efficient used machines on the secondary market today.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsedOffer {
    pub j_per_th: f64,
    pub price_usd_per_th: f64,
    /// How many are for sale, TH/s.
    pub th_s: f64,
}

/// What the operator knows about itself for a strategic decision.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorView {
    pub rule: DecisionRule,
    pub expectation: Expectation,
    pub hurdle_rate: f64,
    /// Delivered power price, all in, USD/kWh: what a machine costs over its life.
    pub power_usd_per_kwh: f64,
    /// What a kWh used costs beyond the fixed charges, USD (`Operator::energy_usd_per_kwh`):
    /// what decides whether a machine runs today.
    pub energy_usd_per_kwh: f64,
    /// Site capacity not committed to AI, MW.
    pub mining_mw: f64,
    /// Machines installed, in any order (`running` is not read by the strategic decision).
    pub fleet: Fleet,
    /// Machines ordered and not yet delivered, MW: they take room at the site.
    pub on_order_mw: f64,
    /// Site capacity under construction, MW.
    pub building_mw: f64,
    /// Cash plus unused credit, USD.
    pub liquidity_usd: f64,
    /// Whether the operator already hosts AI (it then stays in business through its contracts).
    pub hosts_ai: bool,
    /// Consecutive days on which none of its machines ran.
    pub days_all_idle: u32,
    /// Whether the operator may convert to AI at all (`max_share_of_site > 0`).
    pub may_pivot: bool,
    pub max_pivot_share: f64,
}

/// Strategic parameters shared by all operators.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrategyParams {
    pub horizon_days: f64,
    /// Exit after this many days with every machine idle, if expectations are no better.
    pub exit_after_idle_days: u32,
    /// Cost of new site capacity, USD per MW.
    pub site_usd_per_mw: f64,
    /// Days to build it.
    pub site_build_days: f64,
    /// Largest expansion at once, a share of the site's mining MW.
    pub max_expansion_share: f64,
}

/// The strategic choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strategy {
    Hold,
    /// Sell the fleet and leave.
    Exit,
    /// Ask the AI market for `mw` of hosting.
    Pivot {
        mw: f64,
    },
    /// Buy `th_s` of new machines. When they arrive, the site's least efficient machines
    /// that no longer fit are sold (`engine::operate::take_deliveries`): the old ones earn
    /// until the new ones replace them.
    Upgrade {
        th_s: f64,
    },
    /// Build `mw` of new site capacity (machines for it are ordered once it stands).
    Build {
        mw: f64,
    },
    /// Sell the `mw` least efficient machines on the secondary market: they fetch more there
    /// than they are worth to keep.
    Sell {
        mw: f64,
    },
}
