//! The discrete-event engine: one loop, one event at a time, each event handled by a small
//! function. Blocks arrive as a Poisson process whose rate is `H / (D * 2^32)`; whenever the
//! active hashrate or the difficulty changes, the pending block is re-drawn at the new rate,
//! which is exact because exponential waiting times are memoryless.

pub mod build;
pub mod census;
pub mod clear;
pub mod day;
pub mod fused;
pub mod observe;
pub mod operate;
pub mod queue;
pub mod sampler;
pub mod settle;
pub mod shocks;
pub mod snapshot;
pub mod world;

use crate::agents::OperatorState;
use crate::chain::{block_subsidy, difficulty_from_bits, is_retarget_boundary, next_bits, RETARGET_INTERVAL};
use crate::error::Result;
use crate::metrics::concentration::{concentration_of_descending, concentration_with};
use crate::metrics::ranking::Ranking;
use crate::rng::{stream, Purpose, SimRng};
use crate::units::{TH_PER_EH, TH_PER_PH};
use census::Census;
use observe::{DayRow, Observer};
use queue::{Event, EventQueue, SimTime};
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use sampler::Fenwick;
pub use world::World;

/// The random streams of one replicate, one per purpose.
struct Streams {
    block_times: SimRng,
    winners: SimRng,
    price: SimRng,
    fees: SimRng,
    events: SimRng,
}

/// Per-day tallies, reset at each day start.
#[derive(Debug, Default, Clone)]
struct DayTally {
    blocks: u32,
    interval_sum_s: f64,
    intervals: u32,
    subsidy_sat: u64,
    fees_sat: u64,
    retargets: u32,
    /// Start-of-day snapshot, taken after decisions.
    snapshot: Option<DayRow>,
}

/// A run in progress.
pub struct Engine<'o> {
    world: World,
    queue: EventQueue,
    now: SimTime,
    streams: Streams,
    sampler: Fenwick,
    /// Token of the block event that is still valid; older ones are stale.
    block_token: u64,
    /// The rate the pending block was drawn at (blocks per second).
    scheduled_rate_per_s: f64,
    last_block_time: SimTime,
    tally: DayTally,
    observer: &'o mut dyn Observer,
    /// The day's census of the operators (buffers reused, so the daily loop does not allocate).
    census: Census,
    /// Operator groups by decreasing running hashrate, kept from day to day (re-ranking an
    /// almost sorted order is close to linear).
    owner_ranking: Ranking,
    sort_buf: Vec<f64>,
    finished: bool,
}

impl<'o> Engine<'o> {
    pub fn new(world: World, observer: &'o mut dyn Observer) -> Engine<'o> {
        let rs = world.replicate_seed;
        let streams = Streams {
            block_times: stream(rs, Purpose::BlockTimes),
            winners: stream(rs, Purpose::BlockWinners),
            price: stream(rs, Purpose::Price),
            fees: stream(rs, Purpose::Fees),
            events: stream(rs, Purpose::Events),
        };
        let mut queue = EventQueue::default();
        queue.push(SimTime::new(0.0), Event::DayStart(0));
        for (i, (day, _)) in world.schedule.iter().enumerate() {
            queue.push(SimTime::from_days(*day), Event::Scheduled(i));
        }
        let n = world.population.operators.len();
        let nj = world.population.jurisdictions.len();
        Engine {
            world,
            queue,
            now: SimTime::new(0.0),
            streams,
            sampler: Fenwick::from_weights(&vec![0.0; n]),
            block_token: 0,
            scheduled_rate_per_s: 0.0,
            last_block_time: SimTime::new(0.0),
            tally: DayTally::default(),
            observer,
            census: Census::new(n, nj),
            owner_ranking: Ranking::new(n),
            sort_buf: Vec::with_capacity(n),
            finished: false,
        }
    }

    /// Runs to the end and returns the final world.
    pub fn run(mut self) -> Result<World> {
        while self.step()? {}
        Ok(self.world)
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// Handles the next event; `false` once the run is over.
    pub fn step(&mut self) -> Result<bool> {
        if self.finished {
            return Ok(false);
        }
        let Some((time, event)) = self.queue.pop() else {
            return Ok(false);
        };
        self.now = time;
        match event {
            Event::DayStart(d) => self.on_day_start(d)?,
            Event::Scheduled(i) => self.on_scheduled(i),
            Event::Decide(d) => self.on_decide(d)?,
            Event::BlockFound { token } => {
                if token == self.block_token {
                    self.on_block();
                }
            }
        }
        Ok(!self.finished)
    }

    /// Closes yesterday's row, then moves the market to day `d` (or ends the run).
    fn on_day_start(&mut self, d: u32) -> Result<()> {
        if d > 0 {
            self.emit_row()?;
        }
        if d == self.world.days {
            self.finished = true;
            return Ok(());
        }
        if d > 0 {
            self.world.price.advance(d as usize, &mut self.streams.price);
        }
        self.tally = DayTally::default();
        self.queue.push(self.now, Event::Decide(d));
        self.queue.push(SimTime::from_days(d + 1), Event::DayStart(d + 1));
        Ok(())
    }

    fn on_scheduled(&mut self, i: usize) {
        let (day, effect) = self.world.schedule[i].clone();
        self.world.apply(&effect, day, &mut self.streams.events);
    }

    /// Every operator decides on the same observed market (see `World::operate_day`); then the
    /// winner sampler is rebuilt and the day's state is observed.
    fn on_decide(&mut self, d: u32) -> Result<()> {
        let stats = self.world.operate_day(d, &mut self.census);
        for e in std::mem::take(&mut self.world.log) {
            self.observer.on_event(&e)?;
        }
        let row = self.observe_start_of_day(d, &stats);
        self.tally.snapshot = Some(row);
        self.reschedule_block_if_rate_changed();
        Ok(())
    }

    /// The start-of-day part of the day's row from the day's census, and the sampler weights.
    fn observe_start_of_day(&mut self, d: u32, stats: &world::DayStats) -> DayRow {
        // Today's block winners are drawn in proportion to the census' running hashrates.
        self.sampler.rebuild_swap(&mut self.census.running_th_s);
        let w = &self.world;
        let census = &self.census;
        let mut r = DayRow {
            replicate: w.replicate,
            day: d,
            date: crate::scenario::schema::format_date(w.start_date_days + d as i64),
            difficulty: w.chain.difficulty,
            price_usd: w.price.price_usd(),
            fees_btc_per_block: w.fee_level_btc(),
            hashprice_usd_per_ph_day: stats.hashprice_usd_per_th_day * TH_PER_PH,
            power_cost_usd: stats.power_cost_usd,
            energy_mwh: stats.energy_mwh,
            btc_sold: stats.btc_sold,
            btc_sold_forced: stats.btc_sold_forced,
            ai_revenue_usd: stats.ai_revenue_usd,
            capex_usd: stats.capex_usd,
            pivots: stats.pivots,
            exits: stats.exits,
            bankruptcies: stats.bankruptcies,
            acquisitions: stats.acquisitions,
            contracts_returned: stats.contracts_returned,
            ai_demand_mw: w.ai.demand_mw,
            ai_contracted_mw: w.ai.contracted_mw,
            secondary_market_value_usd: w.secondary.value_usd(&w.pricing()),
            operators_active: census.totals.operators_active,
            mining_operators: census.totals.mining_operators,
            operators_hybrid: census.totals.operators_hybrid,
            operators_exited: census.totals.operators_exited,
            operators_bankrupt: census.totals.operators_bankrupt,
            mw_mining: census.totals.mw_mining,
            mw_ai_online: census.totals.mw_ai_online,
            mw_ai_building: census.totals.mw_ai_building,
            mw_dark: census.totals.mw_dark,
            ..DayRow::default()
        };
        let (mining_th, idle_th) = (census.totals.mining_th_s, census.totals.idle_th_s);
        r.hashrate_eh_s = mining_th / TH_PER_EH;
        r.hashrate_mining_eh_s = r.hashrate_eh_s;
        r.hashrate_idle_eh_s = idle_th / TH_PER_EH;
        r.installed_hashrate_eh_s = (mining_th + idle_th) / TH_PER_EH;
        r.hashrate_pivoting_eh_s = census.totals.pivoting_th_s / TH_PER_EH;
        r.hashrate_ai_eh_s = census.totals.ai_th_s / TH_PER_EH;
        r.hashrate_exited_eh_s = w.secondary.total_th_s() / TH_PER_EH;
        r.fleet_eh_s = (census.totals.sites_th_s + w.secondary.total_th_s()) / TH_PER_EH;
        r.mean_efficiency_j_per_th = if mining_th > 0.0 { census.totals.running_mw * 1e6 / mining_th } else { 0.0 };

        let c = concentration_of_descending(self.owner_ranking.update(&census.by_owner_th_s));
        r.hhi_operators = c.hhi;
        r.nakamoto_50_operators = c.nakamoto_50;
        r.nakamoto_33_operators = c.nakamoto_33;
        r.top1_share_operators = c.top1_share;
        r.top5_share_operators = c.top5_share;
        r.gini_operators = c.gini;
        r.effective_operators = c.effective_entities;
        let hybrid_th: f64 =
            census.by_owner_th_s.iter().zip(&census.hybrid_owner).filter(|(_, h)| **h).map(|(x, _)| x).sum();
        r.hybrid_share = if mining_th > 0.0 { hybrid_th / mining_th } else { 0.0 };
        let c = concentration_with(&mut self.sort_buf, &census.by_jurisdiction_th_s);
        r.hhi_jurisdictions = c.hhi;
        r.nakamoto_50_jurisdictions = c.nakamoto_50;
        r.nakamoto_33_jurisdictions = c.nakamoto_33;
        r.top1_share_jurisdictions = c.top1_share;
        r.top5_share_jurisdictions = c.top5_share;
        r.gini_jurisdictions = c.gini;
        r.effective_jurisdictions = c.effective_entities;
        let q = w.metrics.attack_share;
        r.state_attack_feasible = mining_th > 0.0 && c.top1_share >= q;
        if w.metrics.attack_metrics {
            self.observe_security(d, mining_th, &mut r);
        }
        let largest = self
            .census
            .by_jurisdiction_th_s
            .iter()
            .enumerate()
            .filter(|(_, x)| **x > 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)));
        r.largest_jurisdiction = largest.map(|(j, _)| w.population.jurisdictions[j].clone()).unwrap_or_default();
        r
    }

    /// Attack cost by route, the security budget and the double-spend risk a budget buys.
    fn observe_security(&self, d: u32, mining_th: f64, r: &mut DayRow) {
        use crate::metrics::attack::{AttackMarket, DormantSupply};
        let w = &self.world;
        let params = w.attack_params();
        let pricing = w.pricing();
        let reward = crate::chain::block_subsidy(w.chain.height + 1).to_btc() + w.fee_level_btc();
        r.security_budget_usd_per_day = 144.0 * reward * w.price.price_usd();
        // Dormant machines: idle at active sites, then stored for AI conversions, then for sale.
        let mut dormant = Vec::new();
        let active = || w.population.operators.iter().filter(|o| o.state == OperatorState::Active);
        for o in active() {
            dormant.extend(o.fleet.iter().filter(|v| !v.running).map(|v| (v.th_s, v.j_per_th)));
        }
        for o in active().filter(|o| o.hosts_ai()) {
            for p in &o.ai {
                dormant.extend(p.stored.iter().map(|v| (v.th_s, v.j_per_th)));
            }
        }
        dormant.extend(w.secondary.lots.iter().map(|l| (l.th_s, l.j_per_th)));
        let lots = dormant.into_iter().map(|(th, e)| (th, e, pricing.price_usd_per_th(e)));
        let frontier = w.catalog.frontier(w.year(d), w.hardware.frontier_improvement_per_year);
        let (j_new, price_new) = (frontier.j_per_th, frontier.price_usd_per_th);
        let market = AttackMarket {
            honest_th_s: mining_th,
            hashprice_usd_per_th_day: pricing.hashprice_usd_per_th_day,
            new_j_per_th: j_new,
            new_price_usd_per_th: w.metrics.attack_hardware_usd_per_th.unwrap_or(price_new),
            dormant: DormantSupply::new(lots, &params),
            coalitions: self.coalitions(&pricing),
        };
        let c = market.costs(w.metrics.attack_share, &params);
        r.attack_needed_eh_s = c.needed_th_s / TH_PER_EH;
        r.attack_new_hardware_usd = c.new_hardware_usd;
        r.attack_new_hardware_machines_usd = c.new_hardware_machines_usd;
        r.attack_new_hardware_lead_days = c.new_hardware_lead_days;
        r.dormant_eh_s = market.dormant.total_th_s() / TH_PER_EH;
        r.attack_dormant_usd = c.dormant_usd;
        r.attack_rental_usd = c.rental_usd;
        r.attack_rental_usd_per_hour = c.rental_usd_per_hour;
        r.attack_coalition_usd = c.coalition_usd;
        r.attack_coalition_size = c.coalition_size as u32;
        r.attack_cheapest_usd = (mining_th > 0.0).then_some(c.cheapest_usd);
        r.attack_cheapest_route = c.cheapest_route.to_string();
        r.budget_attack_share =
            if mining_th > 0.0 { market.affordable_share(w.metrics.risk_budget_usd, &params) } else { 0.5 };
        r.double_spend_risk =
            crate::metrics::risk::rosenfeld_probability(r.budget_attack_share, w.metrics.risk_confirmations);
    }

    /// Operator groups by decreasing running hashrate (the day's ranking), with their
    /// machines' market value.
    fn coalitions(&self, pricing: &crate::market::secondary::Pricing) -> crate::metrics::attack::Coalitions {
        let mut value_usd = vec![0.0; self.census.by_owner_th_s.len()];
        for o in self.world.population.operators.iter().filter(|o| o.state == OperatorState::Active) {
            let v: f64 = o.fleet.iter().map(|v| v.th_s * pricing.price_usd_per_th(v.j_per_th)).sum();
            value_usd[o.owner as usize] += v;
        }
        let ranked = self.owner_ranking.ranked().iter();
        crate::metrics::attack::Coalitions::from_descending(ranked.map(|&(th, g)| (th, value_usd[g as usize])))
    }

    /// A block is found: pick the winner, pay it, retarget at epoch ends, draw the next block.
    fn on_block(&mut self) {
        let total = self.sampler.total();
        let u: f64 = self.streams.winners.random::<f64>() * total;
        let Some(winner) = self.sampler.find(u) else {
            return; // no active hashrate: cannot happen while a block is scheduled
        };
        let w = &mut self.world;
        let height = w.chain.height + 1;
        w.chain.height = height;
        let subsidy = block_subsidy(height);
        let fees = w.fee_model.draw(w.fee_level_btc(), &mut self.streams.fees);
        let op = &mut w.population.operators[winner];
        op.blocks_won += 1;
        op.revenue += subsidy + fees;
        op.mined_btc_unsettled += (subsidy + fees).to_btc();

        let t = self.now;
        self.tally.blocks += 1;
        self.tally.interval_sum_s += t.seconds() - self.last_block_time.seconds();
        self.tally.intervals += 1;
        self.tally.subsidy_sat = self.tally.subsidy_sat.saturating_add(subsidy.0); // see `units::Sat`
        self.tally.fees_sat = self.tally.fees_sat.saturating_add(fees.0);
        self.last_block_time = t;

        // Core's timestamps are whole seconds.
        let stamp = t.seconds().floor() as i64;
        if height.is_multiple_of(RETARGET_INTERVAL) {
            w.chain.epoch_first_time_s = Some(stamp);
        }
        if is_retarget_boundary(height) {
            // Without a known epoch start (the run began on an epoch's last block), count the
            // epoch as on schedule.
            let first = w.chain.epoch_first_time_s.unwrap_or(stamp - 2015 * 600);
            w.chain.bits = next_bits(w.chain.bits, stamp - first);
            w.chain.difficulty = difficulty_from_bits(w.chain.bits);
            w.chain.retargets += 1;
            self.tally.retargets += 1;
        }
        self.schedule_next_block();
    }

    fn reschedule_block_if_rate_changed(&mut self) {
        let rate = self.world.chain.block_rate_per_s(self.sampler.total());
        if rate != self.scheduled_rate_per_s {
            self.schedule_next_block();
        }
    }

    /// Draws the next block at the current rate, invalidating any pending one.
    fn schedule_next_block(&mut self) {
        self.block_token += 1;
        let rate = self.world.chain.block_rate_per_s(self.sampler.total());
        self.scheduled_rate_per_s = rate;
        if rate > 0.0 {
            let wait: f64 = Exp1.sample(&mut self.streams.block_times);
            self.queue
                .push(SimTime::new(self.now.seconds() + wait / rate), Event::BlockFound { token: self.block_token });
        }
    }

    fn emit_row(&mut self) -> Result<()> {
        let Some(mut row) = self.tally.snapshot.take() else {
            return Ok(());
        };
        let t = &self.tally;
        row.height = self.world.chain.height;
        row.difficulty_end = self.world.chain.difficulty;
        row.blocks = t.blocks;
        row.mean_block_interval_s = (t.intervals > 0).then(|| t.interval_sum_s / t.intervals as f64);
        row.subsidy_btc = crate::units::Sat(t.subsidy_sat).to_btc();
        row.fees_btc = crate::units::Sat(t.fees_sat).to_btc();
        row.miner_revenue_usd = (row.subsidy_btc + row.fees_btc) * row.price_usd;
        row.retargets = t.retargets;
        self.observer.on_day(&row)
    }
}

/// Builds replicate `replicate` of a scenario and runs it, streaming rows to `observer`.
pub fn run_replicate(
    loaded: &crate::scenario::LoadedScenario,
    replicate: u32,
    observer: &mut dyn Observer,
) -> Result<World> {
    let world = World::build(loaded, replicate)?;
    Engine::new(world, observer).run()
}
