//! The discrete-event engine: one loop, one event at a time, each event handled by a small
//! function. Blocks arrive as a Poisson process whose rate is `H / (D * 2^32)`; whenever the
//! active hashrate or the difficulty changes, the pending block is re-drawn at the new rate,
//! which is exact because exponential waiting times are memoryless.
//!
//! The engine computes no metric: it shows each day to a [`hook::Hook`] (a read-only view after
//! the day's decisions, the chain's tallies after its last block), and `observe/` makes rows.

pub mod build;
pub mod census;
pub mod clear;
pub mod curtail;
pub mod day;
pub mod fused;
pub mod hook;
pub mod merit;
pub mod merit_machines;
pub mod operate;
pub mod pool;
pub mod queue;
pub mod redeploy;
pub mod sampler;
pub mod settle;
pub mod shocks;
pub mod snapshot;
pub mod world;

use crate::chain::{block_subsidy, difficulty_from_bits, is_retarget_boundary, next_bits, RETARGET_INTERVAL};
use crate::error::Result;
use crate::prefetch::{prefetch, AHEAD};
use crate::rng::{stream, Purpose, SimRng};
use crate::scenario::{Payout, PayoutScheme};
use crate::units::Sat;
use census::Census;
use hook::{DayEnd, DayStart, Hook};
use merit::MeritOrder;
use pool::{pool_pay, pplns_pay, PoolDay};
use queue::{Event, EventQueue, SimTime};
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use sampler::Sampler;
pub use world::World;

/// The random streams of one replicate, one per purpose.
struct Streams {
    block_times: SimRng,
    winners: SimRng,
    price: SimRng,
    fees: SimRng,
    events: SimRng,
}

/// A run in progress.
pub struct Engine<'o> {
    world: World,
    queue: EventQueue,
    now: SimTime,
    streams: Streams,
    sampler: Sampler,
    /// Token of the block event that is still valid; older ones are stale.
    block_token: u64,
    /// The rate the pending block was drawn at (blocks per second).
    scheduled_rate_per_s: f64,
    last_block_time: SimTime,
    /// The chain's tallies of the day under way.
    tally: DayEnd,
    /// Whether the hook has seen the current day's start (and so awaits its end).
    day_open: bool,
    hook: &'o mut dyn Hook,
    /// The day's census of the operators (buffers reused, so the daily loop does not allocate).
    census: Census,
    /// What a TH/s of pooled work has earned since the day's decisions (`pool.rs`).
    pool_day: PoolDay,
    /// What each PPLNS pool's blocks of the day paid (subsidy and fees), satoshis.
    pplns_found_sat: Vec<u64>,
    /// The blocks found since the last close, in order: (winner, subsidy and fees). Their
    /// winners are paid at the day's close (`pay_winners`), where their records are visited
    /// one after another; visited block by block, each was a cache miss on the event loop's
    /// path. Nothing reads a winner's pay before the close.
    wins: Vec<(u32, Sat)>,
    /// Each PPLNS pool's running hashrate today (scratch of `pay_pool`).
    pplns_th_s: Vec<f64>,
    /// The merit order, while the world is in merit form (`merit.rs`).
    merit: Option<MeritOrder>,
    /// Days run in merit form.
    merit_days: u32,
    finished: bool,
}

impl<'o> Engine<'o> {
    pub fn new(world: World, hook: &'o mut dyn Hook) -> Engine<'o> {
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
            sampler: Sampler::new(&vec![0.0; n]),
            block_token: 0,
            scheduled_rate_per_s: 0.0,
            last_block_time: SimTime::new(0.0),
            tally: DayEnd::default(),
            day_open: false,
            hook,
            census: Census::new(n, nj),
            pool_day: PoolDay::default(),
            pplns_found_sat: Vec::new(),
            wins: Vec::new(),
            pplns_th_s: Vec::new(),
            merit: None,
            merit_days: 0,
            finished: false,
        }
    }

    /// Runs to the end and returns the final world.
    pub fn run(mut self) -> Result<World> {
        while self.step()? {}
        self.pay_winners();
        self.leave_merit_form();
        Ok(self.world)
    }

    /// Drops the merit order, booking what it kept lazily into the operators.
    fn leave_merit_form(&mut self) {
        if let Some(m) = self.merit.take() {
            m.book_through(&mut self.world);
        }
    }

    /// The world as it stands. In merit form some operator fields are booked lazily (power
    /// bills to date, idle spells, pooled miners' unsettled pay, and, without the attack
    /// metrics, the machines' running flags): read them after [`Engine::run`], or through the census.
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
        self.close_day()?;
        if d == self.world.days {
            self.finished = true;
            return Ok(());
        }
        if d > 0 {
            self.world.price.advance(d as usize, &mut self.streams.price);
        }
        self.tally = DayEnd::default();
        self.queue.push(self.now, Event::Decide(d));
        self.queue.push(SimTime::from_days(d + 1), Event::DayStart(d + 1));
        Ok(())
    }

    fn on_scheduled(&mut self, i: usize) {
        // An effect may read or change the operators: the blocks found so far are theirs.
        self.pay_winners();
        let (day, effect) = self.world.schedule[i].clone();
        // An effect on the operators may change any unit: the merit order is rebuilt after the
        // next full day.
        if effect.touches_operators() {
            self.leave_merit_form();
            self.world.supply_current = false;
            self.world.investment_carried = None;
        }
        self.world.apply(&effect, day, &mut self.streams.events);
    }

    /// Every operator decides on the same observed market (see `World::operate_day`), or, in
    /// merit form, the day's hashprice moves the merit order's cut (`World::merit_day`); the
    /// hook sees the day; then the winner sampler takes the census' running hashrates.
    fn on_decide(&mut self, d: u32) -> Result<()> {
        let snap = self.world.open_day(d);
        let merit_possible = self.world.merit_order && self.world.merit_day_possible(&snap);
        let merit_day = merit_possible && self.merit.is_some();
        let stats = match self.merit.as_mut() {
            Some(m) if merit_day => {
                self.merit_days += 1;
                self.world.merit_day(&snap, m, &mut self.census)
            }
            _ => {
                self.leave_merit_form();
                let hashprice = snap.market.operating_hashprice_usd_per_th_day;
                let stats = self.world.operate(snap, &mut self.census);
                if merit_possible {
                    self.merit = MeritOrder::build(&self.world, d, hashprice, &self.census);
                }
                stats
            }
        };
        let events = std::mem::take(&mut self.world.log);
        let view = DayStart { day: d, world: &self.world, census: &self.census, stats: &stats, events: &events };
        self.hook.day_start(&view)?;
        self.day_open = true;
        // Today's block winners are drawn in proportion to the census' running hashrates (the
        // sampler keeps sums over them, not a copy). On a merit day only the changed
        // operators' runs are summed again (O(1) each; the sums are exact, so they are the
        // ones a rebuild gives), unless more than a sixteenth changed (then one O(n) rebuild:
        // as fast, measured up to a half), each one's run sum asked for a few ahead (at
        // 100,000 miners 0.95-0.98: they are cache misses).
        let running = &self.census.running_th_s;
        match &self.merit {
            Some(m) if merit_day && m.changed().len() * 16 < running.len() => {
                let changed = m.changed();
                for (j, &i) in changed.iter().enumerate() {
                    if let Some(&next) = changed.get(j + AHEAD) {
                        self.sampler.ask(next as usize);
                        prefetch(&running[next as usize]);
                    }
                    self.sampler.changed(i as usize, running);
                }
            }
            _ => self.sampler.rebuild(running),
        }
        self.reschedule_block_if_rate_changed();
        self.open_pool_segment();
        Ok(())
    }

    /// Starts a segment of pooled pay at the chain's current difficulty, subsidy of the block
    /// being mined and expected fee level.
    fn open_pool_segment(&mut self) {
        let c = &self.world.chain;
        let reward_sat = block_subsidy(c.height + 1).0 as f64 + Sat::from_btc(self.world.fee_level_btc()).0 as f64;
        self.pool_day.open(self.now.seconds(), c.difficulty, reward_sat);
    }

    /// Pays every pooled operator for the work of the day now closing, in whole satoshis
    /// (`pool.rs`), settled with the day's blocks at tomorrow's settlement. Its work is its
    /// running hashrate (its census entry, the winner draw's weight, constant since the day's
    /// decisions). An FPPS pool pays the work's expected value less its fee; a PPLNS pool
    /// shares what its blocks of the day paid, less its fee, by the day's work (`pplns_pay`).
    fn pay_pool(&mut self) {
        if !self.pool_day.is_open() {
            return;
        }
        let sat_per_th_s = self.pool_day.close_day(self.now.seconds());
        let population = &mut self.world.population;
        // A population of solo miners has nothing to pay (payouts never change after build).
        if !population.pools.has_pooled {
            return;
        }
        let pools = &population.pools;
        self.pplns_th_s.clear();
        self.pplns_th_s.resize(pools.names.len(), 0.0);
        self.pplns_found_sat.resize(pools.names.len(), 0);
        // The PPLNS pools' work of the day: the census' pool tallies, which add the same grid
        // terms as the pooled miners' weights (exact sums, so the same bits as walking them;
        // debug builds walk them and compare).
        for (p, th_s) in self.pplns_th_s.iter_mut().enumerate() {
            if pools.schemes[p] == PayoutScheme::Pplns {
                *th_s = self.census.by_pool_th_s.get(p).copied().unwrap_or(0.0);
            }
        }
        #[cfg(debug_assertions)]
        {
            let mut walked = vec![0.0; pools.names.len()];
            for (i, op) in population.operators.iter().enumerate() {
                if op.payout == Payout::Pool {
                    walked[op.pool as usize] += self.census.running_th_s[i];
                }
            }
            for (p, w) in walked.iter().enumerate() {
                if pools.schemes[p] == PayoutScheme::Pplns {
                    debug_assert_eq!(w.to_bits(), self.pplns_th_s[p].to_bits(), "pool {p}: census tally and weights");
                }
            }
        }
        // In merit form nobody settles at the next day's opening: yesterday's pay is settled
        // here, before today's (the merit day would otherwise walk every pooled miner for it).
        let settle_first = self.merit.is_some();
        for (i, op) in population.operators.iter_mut().enumerate() {
            if op.payout != Payout::Pool {
                continue;
            }
            if settle_first {
                op.mined_btc_unsettled = 0.0;
            }
            let th_s = self.census.running_th_s[i];
            if th_s > 0.0 {
                let p = op.pool as usize;
                let pay = match pools.schemes[p] {
                    PayoutScheme::Fpps => pool_pay(th_s, sat_per_th_s, pools.fees[p]),
                    PayoutScheme::Pplns => pplns_pay(th_s, self.pplns_th_s[p], self.pplns_found_sat[p], pools.fees[p]),
                };
                op.revenue += pay;
                op.mined_btc_unsettled += pay.to_btc();
                self.tally.pool_paid = Sat(self.tally.pool_paid.0.saturating_add(pay.0));
            }
        }
        self.pplns_found_sat.fill(0);
    }

    /// A block is found: pick the winner, pay it, retarget at epoch ends, draw the next block.
    fn on_block(&mut self) {
        let total = self.sampler.total();
        let u: f64 = self.streams.winners.random::<f64>() * total;
        let Some(winner) = self.sampler.find(u, &self.census.running_th_s) else {
            return; // no active hashrate: cannot happen while a block is scheduled
        };
        let w = &mut self.world;
        let height = w.chain.height + 1;
        w.chain.height = height;
        let subsidy = block_subsidy(height);
        let fees = w.fee_model.draw(w.fee_level_btc(), &mut self.streams.fees);
        self.wins.push((winner as u32, subsidy + fees));

        let t = self.now;
        self.tally.blocks += 1;
        self.tally.interval_sum_s += t.seconds() - self.last_block_time.seconds();
        self.tally.intervals += 1;
        self.tally.subsidy = Sat(self.tally.subsidy.0.saturating_add(subsidy.0)); // see `units::Sat`
        self.tally.fees = Sat(self.tally.fees.0.saturating_add(fees.0));
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
        // The pooled pay's segment ends where the difficulty or the next block's subsidy
        // changes (a retarget, a halving).
        if is_retarget_boundary(height) || block_subsidy(height + 1) != subsidy {
            self.open_pool_segment();
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
        // The last pending block is stale now: the slot takes the new one, or none.
        let at = (rate > 0.0).then(|| {
            let wait: f64 = Exp1.sample(&mut self.streams.block_times);
            SimTime::new(self.now.seconds() + wait / rate)
        });
        self.queue.set_block(at, self.block_token);
    }

    /// Pays the blocks found since the last close to their winners, in the order they were
    /// found (so each winner's sums are added as block by block): a solo miner its block, a
    /// PPLNS pool its share of the day's finds (a pool miner is paid for its work instead,
    /// `pay_pool`).
    fn pay_winners(&mut self) {
        let w = &mut self.world;
        for &(winner, reward) in &self.wins {
            let op = &mut w.population.operators[winner as usize];
            op.blocks_won += 1;
            if let Some(m) = self.merit.as_mut() {
                m.won(winner as usize);
            }
            match op.payout {
                Payout::Solo => {
                    op.revenue += reward;
                    op.mined_btc_unsettled += reward.to_btc();
                }
                Payout::Pool if w.population.pools.schemes[op.pool as usize] == PayoutScheme::Pplns => {
                    let p = op.pool as usize;
                    if p >= self.pplns_found_sat.len() {
                        self.pplns_found_sat.resize(p + 1, 0);
                    }
                    self.pplns_found_sat[p] = self.pplns_found_sat[p].saturating_add(reward.0);
                }
                Payout::Pool => {}
            }
        }
        self.wins.clear();
    }

    /// Hands the finished day's chain tallies to the hook.
    fn close_day(&mut self) -> Result<()> {
        self.pay_winners();
        if !std::mem::take(&mut self.day_open) {
            return Ok(());
        }
        self.pay_pool();
        self.tally.height = self.world.chain.height;
        self.tally.difficulty_end = self.world.chain.difficulty;
        self.hook.day_end(&self.tally)
    }
}

/// Builds replicate `replicate` of a scenario and runs it, showing every day to `hook`.
pub fn run_replicate(loaded: &crate::scenario::LoadedScenario, replicate: u32, hook: &mut dyn Hook) -> Result<World> {
    let world = World::build(loaded, replicate)?;
    Engine::new(world, hook).run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{load, Override};

    /// What a hook saw: (day, the census' running hashrate summed, its total) at each start, and
    /// the day each end closed.
    #[derive(Default)]
    struct Seen {
        starts: Vec<(u32, f64, f64)>,
        ends: Vec<(u32, u64)>,
        open: Option<u32>,
    }

    impl Hook for Seen {
        fn day_start(&mut self, v: &DayStart<'_>) -> Result<()> {
            assert_eq!(self.open, None, "day {} started before the previous one ended", v.day);
            self.open = Some(v.day);
            let running: f64 = v.census.running_th_s.iter().sum();
            self.starts.push((v.day, running, v.census.totals.mining_th_s));
            Ok(())
        }

        fn day_end(&mut self, end: &DayEnd) -> Result<()> {
            let d = self.open.take().expect("an end without a start");
            self.ends.push((d, end.height));
            Ok(())
        }
    }

    /// Catches: the hook shown a census other than today's (yesterday's, or on day 0 no,
    /// running hashrate); days shown out of order, a day left unclosed at the end of the run,
    /// or a day-end before its start.
    #[test]
    fn the_hook_sees_each_day_in_order_with_todays_census() {
        let set: Vec<Override> = ["population.operators=50", "simulation.days=5"]
            .iter()
            .map(|s| Override::parse(s).expect("override"))
            .collect();
        let loaded = load(std::path::Path::new("scenarios/bench/core1.toml"), &set).expect("bundled scenario");
        let mut seen = Seen::default();
        run_replicate(&loaded, 0, &mut seen).expect("runs");
        assert_eq!(seen.starts.iter().map(|s| s.0).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
        assert_eq!(seen.ends.iter().map(|e| e.0).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
        for &(d, running, total) in &seen.starts {
            assert!(total > 0.0, "day {d}: nothing mines");
            assert!((running - total).abs() <= 1e-9 * total, "day {d}: census {running} vs total {total}");
        }
        // Heights only grow, and blocks were found.
        assert!(seen.ends.windows(2).all(|w| w[0].1 <= w[1].1) && seen.ends[4].1 > seen.ends[0].1);
    }
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod pool_tests;

#[cfg(test)]
#[path = "convertible_tests.rs"]
mod convertible_tests;
