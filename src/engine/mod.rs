//! The discrete-event engine: one loop, one event at a time, each event handled by a small
//! function. Blocks arrive as a Poisson process whose rate is `H / (D * 2^32)`; whenever the
//! active hashrate or the difficulty changes, the pending block is re-drawn at the new rate,
//! which is exact because exponential waiting times are memoryless.

pub mod observe;
pub mod queue;
pub mod sampler;
pub mod world;

use crate::agents::{decide_daily, Action, MarketView, MinerState, MinerView};
use crate::chain::{block_subsidy, difficulty_from_bits, is_retarget_boundary, next_bits, RETARGET_INTERVAL};
use crate::error::Result;
use crate::metrics::concentration::concentration_with;
use crate::rng::{stream, Purpose, SimRng};
use crate::units::{energy_mwh_per_day, hashprice_usd_per_th_day, power_cost_usd_per_th_day, TH_PER_EH, TH_PER_PH};
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
    /// Reused buffers, so the daily loop does not allocate.
    weights: Vec<f64>,
    by_jurisdiction: Vec<f64>,
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
        queue.push(SimTime(0.0), Event::DayStart(0));
        for (i, (day, _)) in world.schedule.iter().enumerate() {
            queue.push(SimTime::from_days(*day), Event::Scheduled(i));
        }
        let n = world.population.miners.len();
        let nj = world.population.jurisdictions.len();
        Engine {
            world,
            queue,
            now: SimTime(0.0),
            streams,
            sampler: Fenwick::from_weights(&vec![0.0; n]),
            block_token: 0,
            scheduled_rate_per_s: 0.0,
            last_block_time: SimTime(0.0),
            tally: DayTally::default(),
            observer,
            weights: vec![0.0; n],
            by_jurisdiction: vec![0.0; nj],
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
            Event::Decide(d) => self.on_decide(d),
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
        let effect = self.world.schedule[i].1.clone();
        self.world.apply(&effect, &mut self.streams.events);
    }

    /// Every miner decides on the same observed market; decisions are applied afterwards.
    fn on_decide(&mut self, d: u32) {
        let w = &mut self.world;
        let reward_btc = block_subsidy(w.chain.height + 1).to_btc() + w.fee_level_btc();
        let price = w.price.price_usd();
        let hashprice = hashprice_usd_per_th_day(w.chain.difficulty, reward_btc, price);
        let market = MarketView { hashprice_usd_per_th_day: hashprice };

        let (mut active, mut idle, mut offline) = (0u32, 0u32, 0u32);
        let (mut active_th, mut installed_th, mut cost_usd, mut energy_mwh) = (0.0, 0.0, 0.0, 0.0);
        self.by_jurisdiction.iter_mut().for_each(|x| *x = 0.0);
        for (i, m) in w.population.miners.iter_mut().enumerate() {
            if m.state == MinerState::Offline {
                offline += 1;
                self.weights[i] = 0.0;
                continue;
            }
            let view = MinerView {
                efficiency_j_per_th: m.efficiency_j_per_th,
                power_usd_per_kwh: m.power_usd_per_kwh,
                rule: m.rule,
            };
            installed_th += m.hashrate_th_s;
            match decide_daily(&view, &market) {
                Action::Mine => {
                    m.state = MinerState::Mining;
                    m.days_mining += 1;
                    let cost = m.hashrate_th_s * power_cost_usd_per_th_day(m.efficiency_j_per_th, m.power_usd_per_kwh);
                    m.power_cost_usd += cost;
                    cost_usd += cost;
                    energy_mwh += energy_mwh_per_day(m.hashrate_th_s, m.efficiency_j_per_th);
                    active += 1;
                    active_th += m.hashrate_th_s;
                    self.weights[i] = m.hashrate_th_s;
                    self.by_jurisdiction[m.jurisdiction as usize] += m.hashrate_th_s;
                }
                Action::Idle => {
                    m.state = MinerState::Idle;
                    idle += 1;
                    self.weights[i] = 0.0;
                }
            }
        }
        self.sampler.rebuild(&self.weights);

        let by_miner = concentration_with(&mut self.sort_buf, &self.weights);
        let by_jur = concentration_with(&mut self.sort_buf, &self.by_jurisdiction);
        let w = &self.world;
        self.tally.snapshot = Some(DayRow {
            replicate: w.replicate,
            day: d,
            date: crate::scenario::schema::format_date(w.start_date_days + d as i64),
            height: 0,
            difficulty: w.chain.difficulty,
            difficulty_end: 0.0,
            hashrate_eh_s: active_th / TH_PER_EH,
            installed_hashrate_eh_s: installed_th / TH_PER_EH,
            price_usd: price,
            fees_btc_per_block: w.fee_level_btc(),
            hashprice_usd_per_ph_day: hashprice * TH_PER_PH,
            blocks: 0,
            mean_block_interval_s: None,
            active_miners: active,
            idle_miners: idle,
            offline_miners: offline,
            subsidy_btc: 0.0,
            fees_btc: 0.0,
            miner_revenue_usd: 0.0,
            power_cost_usd: cost_usd,
            energy_mwh,
            retargets: 0,
            hhi_miners: by_miner.hhi,
            nakamoto_50_miners: by_miner.nakamoto_50,
            top1_share_miners: by_miner.top1_share,
            top5_share_miners: by_miner.top5_share,
            hhi_jurisdictions: by_jur.hhi,
            nakamoto_50_jurisdictions: by_jur.nakamoto_50,
            top1_share_jurisdictions: by_jur.top1_share,
        });
        self.reschedule_block_if_rate_changed();
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
        let m = &mut w.population.miners[winner];
        m.blocks_won += 1;
        m.revenue += subsidy + fees;

        let t = self.now;
        self.tally.blocks += 1;
        self.tally.interval_sum_s += t.0 - self.last_block_time.0;
        self.tally.intervals += 1;
        self.tally.subsidy_sat += subsidy.0;
        self.tally.fees_sat += fees.0;
        self.last_block_time = t;

        // Core's timestamps are whole seconds.
        let stamp = t.0.floor() as i64;
        if height % RETARGET_INTERVAL == 0 {
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
            self.queue.push(SimTime(self.now.0 + wait / rate), Event::BlockFound { token: self.block_token });
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
