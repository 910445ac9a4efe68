//! The merit order against its oracle, the fused day: the same scenario run both ways must leave
//! every day's census, flows and chain tallies, and the final world, the same bit for bit.

use super::super::census::{Census, SiteMachines};
use super::super::hook::{DayEnd, DayStart, Hook};
use super::super::{run_replicate, Engine, World};
use super::{restart_key, runs_at};
use crate::agents::decision::run_vintage;
use crate::error::Result;
use crate::scenario::DecisionRule;
use crate::scenario::{load, LoadedScenario, Override};
use crate::units::power_cost_usd_per_th_day;
use std::io::Write;

/// Everything a day shows the observer, in Debug form (distinct bits print distinctly).
#[derive(Default)]
struct Trace {
    days: Vec<String>,
}

impl Hook for Trace {
    fn day_start(&mut self, v: &DayStart<'_>) -> Result<()> {
        // The census as counted (not what it says changed since yesterday), with the machines
        // the day took for the security columns where it takes them (with the attack metrics:
        // from the records on a full day, from the merit order's copy on a merit day).
        let machines = if v.world.metrics.attack_metrics { v.census.machines.clone() } else { Default::default() };
        let machines = SiteMachines { from_merit_copy: false, ..machines };
        let census = Census { changed_owners: None, machines, ..v.census.clone() };
        self.days.push(format!("{} {:?} {:?} {:?}", v.day, census, v.stats, v.events));
        Ok(())
    }

    fn day_end(&mut self, end: &DayEnd) -> Result<()> {
        self.days.push(format!("{end:?}"));
        Ok(())
    }
}

/// CORE-1 with `extra` appended to its file and `sets` overridden.
fn core1(extra: &str, sets: &[&str]) -> LoadedScenario {
    let mut text = std::fs::read_to_string("scenarios/bench/core1.toml").expect("bundled scenario");
    text.push_str(extra);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("core1.toml");
    std::fs::File::create(&path).and_then(|mut f| f.write_all(text.as_bytes())).expect("written");
    let sets: Vec<Override> = sets.iter().map(|s| Override::parse(s).expect("override")).collect();
    load(&path, &sets).expect("loads")
}

/// Runs replicate 0 with the merit order on or off: the trace, the final world (Debug) and the
/// days run in merit form.
fn run(loaded: &LoadedScenario, merit: bool) -> (Vec<String>, String, u32) {
    let mut world = World::build(loaded, 0).expect("builds");
    world.merit_order = merit;
    let mut trace = Trace::default();
    let mut engine = Engine::new(world, &mut trace);
    while engine.step().expect("steps") {}
    let merit_days = engine.merit_days;
    engine.leave_merit_form();
    engine.world.merit_order = true;
    engine.world.supply_current = false;
    engine.world.investment_carried = None; // a cache of the last full day's census
    let world = format!("{:?}", engine.world());
    drop(engine);
    (trace.days, world, merit_days)
}

/// Both ways, compared day by day; returns the days run in merit form.
fn same_both_ways(loaded: &LoadedScenario) -> u32 {
    let (trace_m, world_m, merit_days) = run(loaded, true);
    let (trace_f, world_f, none) = run(loaded, false);
    assert_eq!(none, 0, "the oracle ran merit days");
    assert_eq!(trace_m.len(), trace_f.len());
    for (m, f) in trace_m.iter().zip(&trace_f) {
        assert_eq!(m, f, "the merit order and the fused day part");
    }
    if world_m != world_f {
        let at = world_m.bytes().zip(world_f.bytes()).position(|(a, b)| a != b).unwrap_or(0);
        let from = at.saturating_sub(300);
        panic!("final worlds differ at {at}:\n{}\n{}", &world_m[from..at + 100], &world_f[from..at + 100]);
    }
    merit_days
}

/// Catches: a sum the merit day updates by differences that the fused day adds another way
/// (hashrate, idle hashrate, power, MW, mining operators, the owners', jurisdictions' and solo
/// groups' tallies), a power bill or idle spell booked lazily for the wrong days, a unit on the
/// wrong side of the cut (`>` for `>=`), yesterday's winners' BTC left unsettled, and a sampler
/// set from stale weights (the chain's tallies would part at the first block drawn differently).
#[test]
fn core1_runs_the_same_on_the_merit_order() {
    let loaded = core1("", &["population.operators=400", "simulation.days=400"]);
    let merit_days = same_both_ways(&loaded);
    assert_eq!(merit_days, 399, "every day after the first is a merit day");
}

/// Several vintages per operator (units finer than operators: an operator partly runs) and
/// fixed power charges, over two seeds, the second with the attack metrics (the merit order's
/// copy of sites of several machines, `merit_machines`).
#[test]
fn vintages_and_fixed_charges_run_the_same() {
    for (seed, attack) in [(2, false), (3, true)] {
        let seed = format!("simulation.seed={seed}");
        let attack = format!("metrics.attack_metrics={attack}");
        let loaded = core1(
            "",
            &[
                "population.operators=300",
                "simulation.days=300",
                "population.vintages=3",
                "population.power_fixed_share.value=0.3",
                &seed,
                &attack,
            ],
        );
        assert!(same_both_ways(&loaded) > 250);
    }
}

/// Scheduled effects on the operators drop the merit order (a power-price shock moves every
/// key, a hashrate shock shrinks every unit) and it is rebuilt after the next full day; a price
/// shock (one effect a day over 20 days) touches no unit and keeps it. Catches: an index kept across an effect (stale keys), lazily booked power
/// lost when the index is dropped, a rebuilt index that misses closed operators.
#[test]
fn effects_drop_and_rebuild_the_merit_order() {
    let events = r#"
[[events]]
day = 40
kind = "power_price_shock"
change = 0.5

[[events]]
day = 90
kind = "hashrate_shock"
change = -0.3

[[events]]
day = 150
kind = "price_shock"
change = -0.3
over_days = 20
"#;
    let loaded = core1(events, &["population.operators=300", "simulation.days=200"]);
    let merit_days = same_both_ways(&loaded);
    assert_eq!(merit_days, 197, "all days but day 0 and the two days of effects on operators");
}

/// With the attack metrics on, observation reads the machines (the dormant ones, and each
/// group's at market prices) every day: a merit day takes them from the merit order's copy,
/// a full day from the records, and the days' traces hold them; two jurisdictions. Catches: a
/// switch left out of the copy or written to another machine, the copy's idle machines or
/// values by group not the records' (`merit_machines`), a jurisdiction's tally updated under
/// another's index.
#[test]
fn with_attack_metrics_a_merit_day_takes_the_machines_from_its_copy() {
    let jurisdictions = r#"
[[population.jurisdictions]]
name = "north"
share = 0.6
power_usd_per_kwh = { dist = "lognormal", median = 0.04, log_sd = 0.3 }

[[population.jurisdictions]]
name = "south"
share = 0.4
power_usd_per_kwh = { dist = "lognormal", median = 0.06, log_sd = 0.4 }
"#;
    let loaded =
        core1(jurisdictions, &["population.operators=300", "simulation.days=120", "metrics.attack_metrics=true"]);
    assert_eq!(same_both_ways(&loaded), 119);
}

/// Pooled miners (an FPPS and a PPLNS pool, and some solo): the pools' tallies move by
/// differences, the day's pool pay (a walk at the day's close) reads the winner weights the
/// merit day set, and the pay settles the next day. Catches: a pooled machine's hashrate added
/// to the solo tally, pool pay left unsettled, a pool tally under another pool's index.
#[test]
fn pooled_miners_run_the_same() {
    let pools = r#"
[[pools]]
name = "big"
share = 0.7

[[pools]]
name = "small"
share = 0.3
scheme = "pplns"
"#;
    let loaded = core1(
        pools,
        &["population.operators=300", "simulation.days=200", "population.solo_share=0.2", "population.pool_fee=0.02"],
    );
    assert_eq!(same_both_ways(&loaded), 199);
}

/// A run longer than a unit's two-byte day counts hold runs no merit day (validation caps
/// `simulation.days` well below, but a world built in code need not). Bug caught: the counts
/// wrapping, and power billed for the wrong days, in such a run.
#[test]
fn a_run_past_the_units_day_counts_runs_no_merit_day() {
    let loaded = core1("", &["population.operators=50", "simulation.days=10"]);
    for (days, merit) in [(10, true), (super::LAST_UNIT_DAY, true), (super::LAST_UNIT_DAY + 1, false)] {
        let mut world = World::build(&loaded, 0).expect("builds");
        world.days = days;
        let mut trace = Trace::default();
        let mut engine = Engine::new(world, &mut trace);
        // A step is an event (~144 blocks a day): some days, or the whole run of 10.
        for _ in 0..1_200 {
            if !engine.step().expect("steps") {
                break;
            }
        }
        assert_eq!(engine.merit_days > 0, merit, "{days} days");
    }
}

/// A world the merit order cannot hold (strategy, books, ageing) runs no merit day.
#[test]
fn the_full_model_runs_no_merit_day() {
    let sets: Vec<Override> = ["population.operators=60", "simulation.days=20"]
        .iter()
        .map(|s| Override::parse(s).expect("override"))
        .collect();
    let loaded = load(std::path::Path::new("scenarios/baseline.toml"), &sets).expect("bundled");
    assert_eq!(same_both_ways(&loaded), 0);
    let mut trace = Trace::default();
    run_replicate(&loaded, 0, &mut trace).expect("runs");
}

/// The cut's rule is the decision's: for machines of 15-38 J/TH at $0.01-0.20/kWh, at
/// hashprices just below, at and just above break-even (ties included), running or idle, a
/// unit runs iff `run_vintage` without a restart cost says so. Catches: `>` for `>=` (the tie),
/// a key computed by another formula than the decision's margin.
#[test]
fn the_cut_is_the_decision_rule() {
    for j10 in 150..=380 {
        let j = f64::from(j10) / 10.0;
        for c in 1..=20 {
            let e = f64::from(c) / 100.0;
            let key = power_cost_usd_per_th_day(j, e);
            for hp in [key, f64::from_bits(key.to_bits() - 1), f64::from_bits(key.to_bits() + 1), key * 0.5, key * 2.0]
            {
                for running in [false, true] {
                    let decided = run_vintage(DecisionRule::Profitable, running, j, e, hp, 0.0, 30.0);
                    assert_eq!(runs_at(hp, key), decided, "{j} J/TH, ${e}/kWh, hashprice {hp}, key {key}");
                }
            }
        }
    }
}

/// The restart key is the idle machine's rule: at the key an idle machine restarts, one float
/// below it does not, for restart costs of 0-5 USD per TH/s and paybacks of 0-90 days
/// (payback 0 with a cost: never, +inf). Catches: a bisection that stops a float early or
/// late, a key below break-even, the zero-cost shortcut taken with a cost.
#[test]
fn the_restart_key_is_the_idle_rule() {
    for j10 in (150..=380).step_by(7) {
        let j = f64::from(j10) / 10.0;
        for c in [1, 4, 9, 20] {
            let e = f64::from(c) / 100.0;
            for cost in [0.0, 0.5, 2.0, 5.0] {
                for payback in [0.0, 1.0, 30.0, 90.0] {
                    let key = restart_key(j, e, cost, payback);
                    let idle = |hp: f64| run_vintage(DecisionRule::Profitable, false, j, e, hp, cost, payback);
                    assert!(key >= power_cost_usd_per_th_day(j, e), "{j} {e} {cost} {payback}");
                    if key.is_infinite() {
                        assert!(!idle(f64::MAX), "{j} {e} {cost} {payback}");
                        continue;
                    }
                    assert!(idle(key), "{j} {e} {cost} {payback}: {key}");
                    assert!(!idle(f64::from_bits(key.to_bits() - 1)), "{j} {e} {cost} {payback}: {key}");
                }
            }
        }
    }
}

/// `MeritOrder::build` works out no restart key without a restart cost and with a finite
/// payback (scenarios allow 0-3650 days), taking each to be the break-even: so it must be.
/// With an infinite payback a zero cost still keeps an idle machine at break-even idle (0 x inf
/// is no payback), which is why the shortcut asks for a finite one. Catches: an idle machine's
/// rule made strict (`>` for `>=` against the restart cost) or given a cost at zero cost, which
/// would leave the shortcut starting machines the full day keeps idle.
#[test]
fn without_a_restart_cost_the_restart_key_is_the_break_even() {
    for j10 in (150..=380).step_by(13) {
        let j = f64::from(j10) / 10.0;
        for e in [0.01, 0.043, 0.09] {
            let key = power_cost_usd_per_th_day(j, e);
            for payback in [0.0, 1.0, 7.0, 90.0, 1e300] {
                assert_eq!(restart_key(j, e, 0.0, payback).to_bits(), key.to_bits(), "{j} {e} {payback}");
                assert_eq!(restart_key(j, e, -1.0, payback).to_bits(), key.to_bits(), "{j} {e} {payback}");
            }
            assert!(restart_key(j, e, 0.0, f64::INFINITY) > key, "{j} {e}");
        }
    }
}

/// Bug caught: a field that grows the unit a merit day reads per switch (in order: its size
/// is bandwidth, and 64 MB at a million machines; one cache line, where 72 bytes took two).
#[test]
fn a_unit_stays_small() {
    assert_eq!(std::mem::size_of::<super::Unit>(), 64);
}

/// A restart cost makes the machines keep their state between the two keys (hysteresis):
/// each day, on a rise, idle machines past their restart key start; on a fall, running ones
/// below break-even stop. Catches: machines between the keys switched (hysteresis lost), the
/// restart order walked on a fall, a rise that misses machines that stopped on an earlier day.
#[test]
fn hysteresis_runs_the_same_on_the_merit_order() {
    for (cost, payback) in [("0.05", "30"), ("0.02", "7")] {
        let loaded = core1(
            "",
            &[
                "population.operators=300",
                "simulation.days=400",
                "population.vintages=2",
                &format!("hardware.restart_cost_usd_per_th={cost}"),
                &format!("hardware.restart_payback_days={payback}"),
            ],
        );
        assert_eq!(same_both_ways(&loaded), 399);
    }
}
