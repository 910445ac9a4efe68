//! The day: every operator decides on the same observed market, the shared markets clear,
//! every operator settles, and the census counts what the observer will see.

use super::census::{Census, FleetTally, Totals};
use super::world::{DayStats, World};
use crate::agents::decision::{
    renew_contract, run_vintage, strategic, AiOffer, HardwareOffer, MarketView, OperatorView, Strategy, StrategyParams,
};
use crate::agents::finance::{settle_day, DayFlows};
use crate::agents::hardware::{remove_least_efficient, Vintage};
use crate::agents::operator::{AiProject, Operator, OperatorState, Order};
use crate::chain::retarget::TARGET_SPACING_S;
use crate::chain::{block_subsidy, next_halving_height};
use crate::market::ai::Request;
use crate::market::secondary::Pricing;
use crate::market::{AiMarket, SecondaryMarket};
use crate::scenario::schema::HardwareSpec;
use crate::scenario::DecisionRule;
use crate::units::power_cost_usd_per_th_day;

impl World {
    /// One day of every active operator, in phases: (0) yesterday's insolvencies are bought or
    /// closed; (1) each operator takes deliveries, ends contracts, ages its machines, decides
    /// which run and takes its strategic decision; (2) the AI market grants conversions;
    /// (3) each operator settles the day for the machines that run after all that, so the
    /// power paid is exactly that of the observed running hashrate.
    ///
    /// Phase 2 only touches operators that asked for a conversion, so an operator is settled
    /// right after its decisions (one pass over the operators) until the day's first request;
    /// the operators from there on are settled after the grants. Either way operators settle
    /// in index order, so every daily sum is added in the same order.
    pub fn operate_day(&mut self, d: u32, census: &mut Census) -> DayStats {
        let hp = self.hashprice_usd_per_th_day();
        let alpha = 1.0 - 0.5f64.powf(1.0 / self.strategy.adaptive_half_life_days);
        if d > 0 {
            self.hashprice_ema_usd_per_th_day += alpha * (hp - self.hashprice_ema_usd_per_th_day);
            self.ai.advance_day();
        }
        let subsidy = block_subsidy(self.chain.height + 1).to_btc();
        let reward = subsidy + self.fee_level_btc();
        let market = MarketView {
            hashprice_usd_per_th_day: hp,
            hashprice_ema_usd_per_th_day: self.hashprice_ema_usd_per_th_day,
            subsidy_share: if reward > 0.0 { subsidy / reward } else { 0.0 },
            days_to_halving: (next_halving_height(self.chain.height) - self.chain.height) as f64
                * TARGET_SPACING_S as f64
                / 86_400.0,
            btc_price_usd: self.price.price_usd(),
        };
        let pricing = self.pricing();
        self.secondary.scrap(d, self.hardware.scrap_after_days, &pricing);
        let (j_new, price_new) = self.catalog.frontier(self.year(d), self.hardware.frontier_improvement_per_year);
        let hw_offer =
            HardwareOffer { j_per_th: j_new, price_usd_per_th: price_new, life_years: self.hardware.life_years };
        let ai_offer = self.ai.offer();
        let demand_covers = self.ai.demand_covers_contracts();
        let decay = (-self.hardware.failure_rate_per_year / 365.0).exp();
        let params = StrategyParams {
            horizon_days: self.strategy.horizon_days,
            exit_after_idle_days: self.strategy.exit_after_idle_days,
        };
        let interval = self.strategy.interval_days;

        let mut stats = DayStats { hashprice_usd_per_th_day: hp, ..DayStats::default() };
        let defaulted = std::mem::take(&mut self.in_default);
        self.resolve_insolvencies(d, defaulted, &pricing, hp, &mut stats);
        let mut requests = Vec::new();
        let mut log = Vec::new();
        let n = self.population.operators.len();
        // Capex and sales of operators whose settlement waits for the grants.
        self.flows.resize(n, DayFlows::default());
        census.clear(n, self.population.jurisdictions.len());
        let books = Settlement {
            day: d,
            price_usd: self.price.price_usd(),
            opex_share: self.ai.opex_share,
            keep_books: self.finance_enabled,
        };
        let terms = StrategyTerms {
            day: d,
            market,
            ai_offer,
            hw_offer,
            params,
            pricing,
            max_pivot_share: self.max_pivot_share,
            lead_time_days: self.hardware.lead_time_days,
        };
        // Operators `..settled` have settled.
        let mut settled = 0;
        let mut sums = DaySums::default();
        for i in 0..n {
            let World { population, ai, secondary, hardware, flows, in_default, .. } = self;
            let op = &mut population.operators[i];
            if op.state != OperatorState::Active {
                if requests.is_empty() {
                    settle(i, op, DayFlows::default(), &books, &mut sums, census, in_default);
                    settled = i + 1;
                }
                continue;
            }
            if !op.orders.is_empty() {
                take_deliveries(op, d);
            }
            if !op.ai.is_empty() {
                let renewal = Renewal { day: d, hashprice_usd_per_th_day: hp, j_new, demand_covers, offer: &ai_offer };
                stats.contracts_returned += hosting_milestones(i, op, &renewal, ai, &mut log);
            }
            let any_running = operate_fleet(op, decay, hp, hardware);
            op.days_all_idle = if any_running { 0 } else { op.days_all_idle + 1 };
            // Strategy, staggered across operators; its capex and sales are settled in phase 3.
            let flow = if self.strategy.enabled && (d as usize + i).is_multiple_of(interval as usize) {
                take_strategy(i, op, &terms, secondary, &mut stats, &mut log, &mut requests)
            } else {
                DayFlows::default()
            };
            if requests.is_empty() {
                settle(i, op, flow, &books, &mut sums, census, in_default);
                settled = i + 1;
            } else {
                flows[i] = flow;
            }
        }
        for (i, kind, mw, th, value) in log {
            self.log_event(d, i, kind, mw, th, value, None);
        }

        self.grant_ai(d, requests, &pricing, &mut stats);
        let World { population, flows, in_default, .. } = self;
        let rest = population.operators.iter_mut().zip(flows.iter_mut()).enumerate().skip(settled);
        for (i, (op, flow)) in rest {
            settle(i, op, std::mem::take(flow), &books, &mut sums, census, in_default);
        }
        sums.store(&mut stats, census);
        stats
    }

    /// Converts granted capacity: pays the capex, takes the least efficient machines out
    /// (keeping a share in storage, selling the rest) and starts the build.
    fn grant_ai(&mut self, d: u32, requests: Vec<Request>, pricing: &Pricing, stats: &mut DayStats) {
        let offer = self.ai.offer();
        for (i, mw) in self.ai.allocate(requests) {
            let op = &mut self.population.operators[i];
            let capex = mw * offer.capex_usd_per_mw;
            let online_day = d + offer.build_days as u32;
            let mut project = AiProject {
                mw,
                online_day,
                end_day: online_day + (offer.contract_years * 365.0).round() as u32,
                revenue_usd_per_mw_year: offer.revenue_usd_per_mw_year,
                stored: Vec::new(),
                terminated: false,
            };
            op.ai.push(project.clone());
            let excess = op.installed_mw() - op.mining_mw();
            let displaced = remove_least_efficient(&mut op.fleet, excess.max(0.0));
            let mut sales = 0.0;
            let mut stored = Vec::new();
            for v in displaced {
                let keep = v.th_s * self.keep_hardware_share;
                if keep > 0.0 {
                    stored.push(Vintage { th_s: keep, j_per_th: v.j_per_th, running: false });
                }
                let sell = v.th_s - keep;
                sales += sell * pricing.price_usd_per_th(v.j_per_th);
                self.secondary.list(sell, v.j_per_th, d);
            }
            let th_stored: f64 = stored.iter().map(|v| v.th_s).sum();
            project.stored = stored;
            *op.ai.last_mut().expect("just pushed") = project;
            let flows = DayFlows { capex_usd: capex, sales_usd: sales, ..DayFlows::default() };
            op.balances = settle_day(op.balances, &flows, self.price.price_usd(), 0.0, 0.0).balances;
            stats.capex_usd += capex;
            stats.pivots += 1;
            self.log_event(d, i, "pivot", mw, th_stored, capex, None);
        }
    }

    /// Each insolvent operator's site is bought at a fire-sale price by the largest liquid
    /// group for which its machines still pay; if none will, its machines go to the secondary
    /// market and the site goes dark.
    fn resolve_insolvencies(
        &mut self,
        d: u32,
        insolvent: Vec<usize>,
        pricing: &Pricing,
        hp: f64,
        stats: &mut DayStats,
    ) {
        if insolvent.is_empty() {
            return;
        }
        let n = self.population.operators.len();
        let mut group_mw = vec![0.0; n];
        for o in self.population.operators.iter().filter(|o| o.state == OperatorState::Active) {
            group_mw[o.owner as usize] += o.site_mw;
        }
        let mut is_insolvent = vec![false; n];
        for &i in &insolvent {
            is_insolvent[i] = true;
        }
        for i in insolvent {
            let target = &self.population.operators[i];
            if target.state != OperatorState::Active {
                continue;
            }
            let value: f64 = target.fleet.iter().map(|v| v.th_s * pricing.price_usd_per_th(v.j_per_th)).sum::<f64>()
                * (1.0 - self.hardware.fire_sale_discount);
            let pays =
                target.fleet.iter().any(|v| hp >= power_cost_usd_per_th_day(v.j_per_th, target.power_usd_per_kwh));
            let target_owner = target.owner;
            let buyer = if pays {
                (0..n)
                    .filter(|&j| {
                        let b = &self.population.operators[j];
                        j != i
                            && !is_insolvent[j]
                            && b.state == OperatorState::Active
                            && b.rule == DecisionRule::Profitable
                            && b.owner != target_owner
                            && b.balances.liquidity_usd() >= value
                    })
                    .max_by(|&a, &b| {
                        let (ga, gb) = (
                            group_mw[self.population.operators[a].owner as usize],
                            group_mw[self.population.operators[b].owner as usize],
                        );
                        ga.total_cmp(&gb).then(b.cmp(&a))
                    })
            } else {
                None
            };
            match buyer {
                Some(j) => {
                    let price = self.price.price_usd();
                    let b = &mut self.population.operators[j];
                    b.balances =
                        settle_day(b.balances, &DayFlows { capex_usd: value, ..DayFlows::default() }, price, 0.0, 0.0)
                            .balances;
                    let owner = b.owner;
                    let t = &mut self.population.operators[i];
                    t.owner = owner;
                    t.balances = crate::agents::finance::Balances { credit_limit_usd: value, ..Default::default() };
                    t.days_all_idle = 0;
                    group_mw[owner as usize] += t.site_mw;
                    stats.acquisitions += 1;
                    let (mw, th) = (t.site_mw, t.installed_th_s());
                    self.log_event(d, i, "acquisition", mw, th, value, Some(j));
                }
                None => {
                    let th = self.population.operators[i].installed_th_s();
                    let mw = self.population.operators[i].site_mw;
                    let proceeds = self.close_down(i, d, pricing, OperatorState::Bankrupt);
                    stats.bankruptcies += 1;
                    self.log_event(d, i, "bankruptcy", mw, th, proceeds, None);
                }
            }
        }
    }
}

/// What an operator's strategic decision is taken on today.
struct StrategyTerms {
    day: u32,
    market: MarketView,
    ai_offer: AiOffer,
    hw_offer: HardwareOffer,
    params: StrategyParams,
    pricing: Pricing,
    max_pivot_share: f64,
    lead_time_days: u32,
}

/// Operator `i`'s strategic decision (`agents::decision::strategic`) and what it sets in
/// motion today: an exit sells the fleet, an upgrade orders machines and sells the worst, a
/// pivot asks the AI market for capacity (granted in phase 2). Returns the capex and sales to
/// settle.
///
/// Kept out of line: it runs for a few operators a day, and inlined into the daily pass its
/// calls would make the compiler keep the pass's running sums in memory rather than registers.
#[inline(never)]
fn take_strategy(
    i: usize,
    op: &mut Operator,
    t: &StrategyTerms,
    secondary: &mut SecondaryMarket,
    stats: &mut DayStats,
    log: &mut Vec<(usize, &'static str, f64, f64, f64)>,
    requests: &mut Vec<Request>,
) -> DayFlows {
    let d = t.day;
    let mut capex = 0.0;
    let mut sales = 0.0;
    let view = OperatorView {
        rule: op.rule,
        expectation: op.expectation,
        hurdle_rate: op.hurdle_rate,
        power_usd_per_kwh: op.power_usd_per_kwh,
        mining_mw: op.mining_mw(),
        fleet: op.fleet.iter().map(|v| (v.th_s, v.j_per_th)).collect(),
        liquidity_usd: op.balances.liquidity_usd(),
        hosts_ai: op.hosts_ai(),
        days_all_idle: op.days_all_idle,
        may_pivot: t.max_pivot_share > 0.0,
        max_pivot_share: t.max_pivot_share,
    };
    match strategic(&view, &t.market, &t.ai_offer, &t.hw_offer, &t.params) {
        Strategy::Hold => {}
        Strategy::Exit => {
            for v in op.fleet.drain(..) {
                sales += v.th_s * t.pricing.price_usd_per_th(v.j_per_th);
                secondary.list(v.th_s, v.j_per_th, d);
            }
            op.orders.clear();
            op.state = OperatorState::Exited;
            stats.exits += 1;
            log.push((i, "exit", op.site_mw, 0.0, sales));
        }
        Strategy::Pivot { mw } => {
            requests.push(Request { operator: i, mw, site_mw: op.site_mw, liquidity_usd: op.balances.liquidity_usd() })
        }
        Strategy::Upgrade { th_s, replace_worst_mw } => {
            for v in remove_least_efficient(&mut op.fleet, replace_worst_mw) {
                sales += v.th_s * t.pricing.price_usd_per_th(v.j_per_th);
                secondary.list(v.th_s, v.j_per_th, d);
            }
            let hw = &t.hw_offer;
            capex += th_s * hw.price_usd_per_th;
            op.orders.push(Order { th_s, j_per_th: hw.j_per_th, deliver_day: d + t.lead_time_days });
            log.push((i, "upgrade", th_s * hw.j_per_th / 1e6, th_s, th_s * hw.price_usd_per_th));
        }
    }
    stats.capex_usd += capex;
    DayFlows { capex_usd: capex, sales_usd: sales, ..DayFlows::default() }
}

/// What settlement adds up over the day's operators, in index order: the census' totals and
/// the day's flows. A plain value, kept in a local for the whole pass (see `census::Totals`).
#[derive(Debug, Clone, Copy, Default)]
struct DaySums {
    census: Totals,
    power_cost_usd: f64,
    energy_mwh: f64,
    btc_sold: f64,
    btc_sold_forced: f64,
    ai_revenue_usd: f64,
}

impl DaySums {
    /// Hands the sums over; settlement is the only step that adds to these fields of `stats`.
    fn store(self, stats: &mut DayStats, census: &mut Census) {
        census.totals = self.census;
        stats.power_cost_usd = self.power_cost_usd;
        stats.energy_mwh = self.energy_mwh;
        stats.btc_sold = self.btc_sold;
        stats.btc_sold_forced = self.btc_sold_forced;
        stats.ai_revenue_usd = self.ai_revenue_usd;
    }
}

/// The day's terms of settlement.
struct Settlement {
    day: u32,
    price_usd: f64,
    /// Share of hosting revenue spent on running the halls.
    opex_share: f64,
    /// `population.finance.enabled`.
    keep_books: bool,
}

/// Phase 3 for operator `i`: if active, it pays for the machines running now and collects its
/// block rewards and hosting revenue (defaulting until tomorrow if insolvent), and is counted
/// in the day's census (nothing changes between settlement and observation). `f` holds the
/// capex and sales it decided today.
#[inline(always)]
fn settle(
    i: usize,
    op: &mut Operator,
    mut f: DayFlows,
    books: &Settlement,
    sums: &mut DaySums,
    census: &mut Census,
    in_default: &mut Vec<usize>,
) {
    let d = books.day;
    if op.state != OperatorState::Active {
        census.count_closed(&mut sums.census, i, op);
        return;
    }
    let mut fleet = FleetTally::default();
    for v in &op.fleet {
        fleet.installed_th_s += v.th_s;
        sums.census.sites_th_s += v.th_s;
        if v.running {
            fleet.running_th_s += v.th_s;
            fleet.running_mw += v.mw();
            f.power_usd += v.th_s * power_cost_usd_per_th_day(v.j_per_th, op.power_usd_per_kwh);
            sums.energy_mwh += crate::units::energy_mwh_per_day(v.th_s, v.j_per_th);
        }
    }
    census.count_active(&mut sums.census, i, op, d, fleet);
    if !op.ai.is_empty() {
        f.ai_net_usd = op
            .ai
            .iter()
            .filter(|p| p.online(d))
            .map(|p| p.mw * p.revenue_usd_per_mw_year / 365.0 * (1.0 - books.opex_share))
            .sum();
    }
    f.mined_btc = op.mined_btc_unsettled;
    op.mined_btc_unsettled = 0.0;
    op.power_cost_usd += f.power_usd;
    sums.power_cost_usd += f.power_usd;
    if !books.keep_books {
        return;
    }
    let s = settle_day(op.balances, &f, books.price_usd, op.sell_share, op.interest_rate);
    op.balances = s.balances;
    op.btc_sold += s.btc_sold;
    op.ai_revenue_usd += f.ai_net_usd;
    sums.btc_sold += s.btc_sold;
    sums.btc_sold_forced += s.btc_forced;
    sums.ai_revenue_usd += f.ai_net_usd;
    if !s.solvent {
        in_default.push(i);
    }
}

/// What an AI contract ending today is weighed against.
struct Renewal<'a> {
    day: u32,
    hashprice_usd_per_th_day: f64,
    /// Efficiency of new machines, for capacity that comes back without stored machines.
    j_new: f64,
    demand_covers: bool,
    offer: &'a AiOffer,
}

/// Machines ordered earlier and due today join the fleet (idle until the run decision), in
/// the order they were ordered; the rest stay on order.
fn take_deliveries(op: &mut Operator, d: u32) {
    let fleet = &mut op.fleet;
    op.orders.retain(|o| {
        let due = o.deliver_day <= d;
        if due {
            fleet.push(Vintage { th_s: o.th_s, j_per_th: o.j_per_th, running: false });
        }
        !due
    });
}

/// Operator `i`'s AI halls coming online today, and contracts ending today: renewed if the
/// tenant stays and hosting still beats mining, otherwise the capacity and its stored machines
/// come back to mining. Returns the number of contracts returned.
fn hosting_milestones(
    i: usize,
    op: &mut Operator,
    r: &Renewal,
    ai: &mut AiMarket,
    log: &mut Vec<(usize, &'static str, f64, f64, f64)>,
) -> u32 {
    let (d, hp) = (r.day, r.hashprice_usd_per_th_day);
    let mut returned = 0;
    let mut k = 0;
    while k < op.ai.len() {
        if op.ai[k].online_day == d {
            log.push((i, "ai_online", op.ai[k].mw, 0.0, 0.0));
        }
        if op.ai[k].end_day == d {
            let p = &op.ai[k];
            let e_back = p.stored.iter().map(|v| v.j_per_th).fold(f64::NAN, f64::min);
            let e = if e_back.is_nan() { r.j_new } else { e_back };
            let mining_per_mw_year =
                (hp - power_cost_usd_per_th_day(e, op.power_usd_per_kwh)).max(0.0) * 1e6 / e * 365.0;
            if !p.terminated && renew_contract(r.demand_covers, r.offer, mining_per_mw_year) {
                let p = &mut op.ai[k];
                p.end_day = d + (r.offer.contract_years * 365.0).round() as u32;
                p.revenue_usd_per_mw_year = r.offer.revenue_usd_per_mw_year;
                log.push((i, "contract_renewed", p.mw, 0.0, 0.0));
            } else {
                let p = op.ai.remove(k);
                ai.release(p.mw);
                let th: f64 = p.stored.iter().map(|v| v.th_s).sum();
                op.fleet.extend(p.stored.into_iter().map(|v| Vintage { running: false, ..v }));
                returned += 1;
                log.push((i, "contract_returned", p.mw, th, 0.0));
                continue;
            }
        }
        k += 1;
    }
    returned
}

/// Ages the fleet by a day (`decay` = survival of a day's failures) and decides which
/// vintages run today at hashprice `hp` (`agents::decision::run_vintage`). Returns whether
/// any runs.
fn operate_fleet(op: &mut Operator, decay: f64, hp: f64, hardware: &HardwareSpec) -> bool {
    let mut any_running = false;
    for v in &mut op.fleet {
        v.th_s *= decay;
        v.running = run_vintage(
            op.rule,
            v.running,
            v.j_per_th,
            op.power_usd_per_kwh,
            hp,
            hardware.restart_cost_usd_per_th,
            hardware.restart_payback_days,
        );
        any_running |= v.running;
    }
    any_running
}
