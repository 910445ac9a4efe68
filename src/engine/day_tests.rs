//! Tests of the day: the phased day against its fused fast path on real scenarios, and single
//! days of hand-built worlds with their numbers worked by hand.

use super::*;
use crate::agents::finance::Balances;
use crate::agents::hardware::Vintage;
use crate::agents::operator::{Operator, Order, Projects};
use crate::market::PriceModel;
use crate::rng::{stream, Purpose};
use crate::scenario::{load, Override};
use std::path::Path;

/// What rounding each sum's terms to their grids (`units::grid`) may move a hand-worked total:
/// a few of the smallest grid's steps (2^-16 USD, 2^-20 MWh, 2^-24 MW, 2^-10 TH/s: the
/// totals here are of a few terms, in USD and MWh).
const ON_GRID: f64 = 4.0 / 1024.0;

/// A scenario of the repository, with `overrides` (`key=value`).
fn scenario(path: &str, overrides: &[&str]) -> crate::scenario::LoadedScenario {
    let o: Vec<Override> = overrides.iter().map(|s| Override::parse(s).unwrap()).collect();
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path), &o).unwrap()
}

/// Runs `days` days of `path` through both forms of the day, from the same world each day,
/// and asserts the same world, day statistics, census and events. Between days the world
/// moves as the engine moves it, with a day's blocks shared by running hashrate instead of
/// drawn: scheduled shocks, the price, mined coins. Returns the kinds of events seen.
fn same_days(path: &str, overrides: &[&str], days: u32) -> Vec<&'static str> {
    let loaded = scenario(path, overrides);
    let mut world = World::build(&loaded, 0).unwrap();
    let (n, nj) = (world.population.operators.len(), world.population.jurisdictions.len());
    let (mut fused_census, mut phased_census) = (Census::new(n, nj), Census::new(n, nj));
    let mut rng = stream(1, Purpose::Events);
    let mut price_rng = stream(1, Purpose::Price);
    let mut kinds = Vec::new();
    for d in 0..days {
        if d > 0 {
            world.price.advance(d as usize, &mut price_rng);
        }
        for (day, effect) in world.schedule.clone() {
            if day == d {
                world.apply(&effect, day, &mut rng);
            }
        }
        // The day's 144 blocks, shared in proportion to yesterday's running hashrate.
        let reward = crate::chain::block_subsidy(world.chain.height + 1).to_btc() + world.fee_level_btc();
        let total: f64 = fused_census.running_th_s.iter().sum();
        for (op, th) in world.population.operators.iter_mut().zip(&fused_census.running_th_s) {
            if total > 0.0 {
                op.mined_btc_unsettled += 144.0 * reward * th / total;
            }
        }
        let mut phased = world.clone();
        let fused_stats = world.operate_day(d, &mut fused_census);
        let phased_stats = phased.day(d, &mut phased_census);
        assert_eq!(fused_stats, phased_stats, "{path} day {d}: day statistics");
        assert_eq!(world.log, phased.log, "{path} day {d}: events");
        assert_eq!(format!("{fused_census:?}"), format!("{phased_census:?}"), "{path} day {d}: census");
        if d % 25 == 0 || d + 1 == days {
            // `flows` is the fast path's scratch, empty between days.
            world.flows.clear();
            phased.flows.clear();
            assert_eq!(format!("{world:?}"), format!("{phased:?}"), "{path} day {d}: world");
        }
        kinds.extend(world.log.drain(..).map(|e| e.kind));
    }
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// Bug caught: any difference between the phased day and the fused pass the engine runs
/// (a phase in the wrong order, a sum added in another order, events logged out of order,
/// a listing on the secondary market in another order): the first differing day is named.
/// The scenarios between them exercise upgrades, exits, pivots, AI renewals and returns,
/// insolvencies, acquisitions, bankruptcies, used-machine purchases, swaps and pool switches (asserted, so the test
/// cannot pass vacuously).
#[test]
fn phased_day_equals_the_fused_pass() {
    let mut kinds = same_days("scenarios/baseline.toml", &["population.operators=300"], 1000);
    kinds.extend(same_days("scenarios/ai-bust.toml", &["population.operators=1000"], 1400));
    kinds.extend(same_days("scenarios/ai-rush.toml", &["population.operators=300"], 1400));
    kinds.extend(same_days("scenarios/price-crash.toml", &["population.operators=300"], 300));
    // A crash deep enough that whole sites idle for months and leave.
    kinds.extend(same_days("scenarios/price-crash.toml", &["population.operators=300", "events.0.change=-0.7"], 300));
    kinds.extend(same_days("scenarios/bench/core1.toml", &["population.operators=300"], 200));
    // A large PPLNS pool whose payout variance weighs: its size moves its members' choices.
    let pplns = [
        "population.operators=300",
        "pools.6.share=0.05",
        "pool_choice.risk_aversion=20",
        "pool_choice.switching_cost=0",
    ];
    kinds.extend(same_days("scenarios/baseline.toml", &pplns, 400));
    for kind in [
        "upgrade",
        "pivot",
        "exit",
        "ai_online",
        "contract_returned",
        "bankruptcy",
        "acquisition",
        "rescue",
        "used_purchase",
        "sale",
        "swap_sale",
        "pool_switch",
    ] {
        assert!(kinds.contains(&kind), "no {kind} event: the comparison does not cover it ({kinds:?})");
    }
}

/// A world of hand-built operators on a scenario's markets: constant price, no strategy
/// review unless asked, and `ops` as the population.
fn hand_world(ops: Vec<Operator>, strategy: bool) -> World {
    let loaded =
        scenario("scenarios/baseline.toml", &["population.operators=2", &format!("strategy.enabled={strategy}")]);
    let mut w = World::build(&loaded, 0).unwrap();
    w.price = crate::market::PriceProcess::new(PriceModel::Constant, 100_000.0);
    w.population.operators = ops;
    w.population.names = crate::agents::names::OperatorNames::default();
    w.population.jurisdictions = vec!["x".into()];
    w.hardware.restart_cost_usd_per_th = 0.0;
    w.hardware.failure_rate_per_year = 0.0;
    w.in_default.clear();
    w.max_pivot_share = 0.0;
    w
}

fn vintage(th_s: f64, j_per_th: f64, running: bool) -> Vintage {
    Vintage { th_s, j_per_th, running }
}

/// Break-even efficiency at power price `p`, J/TH: the `e` with `e * 0.024 * p = hashprice`.
fn break_even(w: &World, p: f64) -> f64 {
    w.hashprice_usd_per_th_day() / (0.024 * p)
}

/// One day of two operators, worked by hand (hashprice `h`, break-even `e* = h / (0.024 p)`):
/// - operator 0, at $0.05/kWh: 1,000 TH/s at e*/2 (runs) and 500 TH/s at 2 e* (idles);
///   it pays 1000 * (e*/2) * 0.024 * 0.05 = 500 h USD for power and uses
///   1000 * (e*/2) * 24 / 1e6 MWh; 1 BTC mined, all sold at $100,000: cash 0 + 100,000 - 500 h;
/// - operator 1, at $0.10/kWh, whose break-even is e*/2: its 2,000 TH/s at e*/4 run, and its
///   order of 300 TH/s at e*/4 is delivered today and runs too; it pays
///   2300 * (e*/4) * 0.024 * 0.10 = 2300 * h / 2 = 1,150 h USD.
///
/// The census: running 1,000 + 2,300 TH/s, idle 500 TH/s, two active mining operators.
/// Bug caught: a day that pays for idle machines, skips the delivery, runs the machine that
/// does not pay, or counts the census before the run decisions.
#[test]
fn one_day_of_two_operators_by_hand() {
    let mut w = hand_world(vec![Operator::blank(0), Operator::blank(1)], false);
    w.sell_share = 1.0; // every operator sells what it mines the day it settles
    let h = w.hashprice_usd_per_th_day();
    let es = break_even(&w, 0.05);
    w.population.operators[0] = Operator {
        power_usd_per_kwh: 0.05,
        site_mw: 100.0,
        fleet: smallvec::smallvec![vintage(1000.0, es / 2.0, false), vintage(500.0, 2.0 * es, true)],
        mined_btc_unsettled: 1.0,
        balances: Balances { credit_limit_usd: 1e9, ..Balances::default() },
        ..Operator::blank(0)
    };
    w.population.operators[1] = Operator {
        power_usd_per_kwh: 0.10,
        site_mw: 100.0,
        fleet: smallvec::smallvec![vintage(2000.0, es / 4.0, true)],
        projects: Projects::of(vec![Order { th_s: 300.0, j_per_th: es / 4.0, deliver_day: 0 }], None, vec![]),
        balances: Balances { cash_usd: 1e6, credit_limit_usd: 1e9, ..Balances::default() },
        ..Operator::blank(1)
    };
    for fused in [false, true] {
        let mut w = w.clone();
        let mut census = Census::new(2, 1);
        let stats = if fused { w.operate_day(0, &mut census) } else { w.day(0, &mut census) };
        let (a, b) = (&w.population.operators[0], &w.population.operators[1]);
        assert_eq!(a.fleet.iter().map(|v| v.running).collect::<Vec<_>>(), vec![true, false]);
        assert_eq!(b.fleet.len(), 2, "the order is delivered");
        assert!(b.fleet.iter().all(|v| v.running));
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0) + ON_GRID;
        assert!(close(a.power_cost_usd, 500.0 * h), "{} vs {}", a.power_cost_usd, 500.0 * h);
        assert!(close(b.power_cost_usd, 1150.0 * h), "{} vs {}", b.power_cost_usd, 1150.0 * h);
        assert!(close(stats.power_cost_usd, 1650.0 * h));
        assert!(close(stats.energy_mwh, (1000.0 * es / 2.0 + 2300.0 * es / 4.0) * 24.0 / 1e6));
        assert!(close(a.balances.cash_usd, 100_000.0 - 500.0 * h));
        assert!(close(b.balances.cash_usd, 1e6 - 1150.0 * h));
        assert!(close(census.totals.mining_th_s, 3300.0));
        assert!(close(census.totals.idle_th_s, 500.0));
        assert_eq!(census.totals.mining_operators, 2);
        assert_eq!(census.running_th_s, vec![1000.0, 2300.0]);
        assert!(w.in_default.is_empty());
    }
}

/// A site that stands today takes today's deliveries: an operator whose 10 MW site was being
/// built (0 MW standing, as after a relocation) with 4 MW of machines arrived and an order of
/// 3 MW due today keeps all of them, and a full 5 MW site receiving 2 MW pushes out exactly its
/// 2 MW of least efficient machines. Bug caught: deliveries before site completions (the
/// relocated operator's whole fleet pushed out and sold), or a delivery that pushes out more
/// than it needs, or the wrong machines.
#[test]
fn deliveries_fill_the_site_and_push_out_only_what_does_not_fit() {
    let mut w = hand_world(vec![Operator::blank(0), Operator::blank(1)], false);
    let es = break_even(&w, 0.05);
    let th = |mw: f64, e: f64| mw * 1e6 / e;
    let (good, old) = (es / 4.0, es / 2.0);
    w.population.operators[0] = Operator {
        power_usd_per_kwh: 0.05,
        site_mw: 0.0,
        fleet: smallvec::smallvec![vintage(th(4.0, old), old, false)],
        projects: Projects::of(
            vec![Order { th_s: th(3.0, good), j_per_th: good, deliver_day: 0 }],
            Some(crate::agents::operator::SiteBuild { mw: 10.0, online_day: 0 }),
            vec![],
        ),
        balances: Balances { cash_usd: 1e9, ..Balances::default() },
        ..Operator::blank(0)
    };
    w.population.operators[1] = Operator {
        power_usd_per_kwh: 0.05,
        site_mw: 5.0,
        fleet: smallvec::smallvec![vintage(th(1.0, es / 1.5), es / 1.5, true), vintage(th(4.0, old), old, true)],
        projects: Projects::of(vec![Order { th_s: th(2.0, good), j_per_th: good, deliver_day: 0 }], None, vec![]),
        balances: Balances { cash_usd: 1e9, ..Balances::default() },
        ..Operator::blank(1)
    };
    for fused in [false, true] {
        let mut w = w.clone();
        let mut census = Census::new(2, 1);
        if fused {
            w.operate_day(0, &mut census);
        } else {
            w.day(0, &mut census);
        }
        let mw = |o: &Operator| o.fleet.iter().map(Vintage::mw).sum::<f64>();
        let (a, b) = (&w.population.operators[0], &w.population.operators[1]);
        assert!((mw(a) - 7.0).abs() < 1e-9 && a.site_mw == 10.0, "fused {fused}: {} MW", mw(a));
        assert!((mw(b) - 5.0).abs() < 1e-9, "fused {fused}: {} MW", mw(b));
        // Out went the 1 MW at e*/1.5 and 1 MW of the e*/2 machines.
        assert!(b.fleet.iter().all(|v| v.j_per_th <= old));
        assert!((w.secondary.total_th_s() - (th(1.0, es / 1.5) + th(1.0, old))).abs() < 1e-6);
        let swaps: Vec<_> = w.log.iter().filter(|e| e.kind == "swap_sale").map(|e| e.operator).collect();
        assert_eq!(swaps, vec![1]);
    }
}

/// Fixed power charges by hand (hashprice `h`, `e* = h / (0.024 p)` at p = $0.05/kWh), half
/// the price fixed (`phi` = 0.5, so a kWh used costs $0.025):
/// - 1,000 TH/s at 1.5 e* lose money all in (1.5 h a TH/s) but cover the energy (0.75 h): run;
/// - 500 TH/s at 3 e* cost 1.5 h in energy alone: idle.
///
/// Power: energy 1000 * 0.75 h = 750 h, plus the fixed half on every installed machine,
/// running or not: 1000 * 0.75 h + 500 * 1.5 h = 1,500 h; 2,250 h in all.
/// Bug caught: the run decision taken on the all-in price (the first vintage idles), the fixed
/// charges skipped for idle machines or charged twice for running ones, or the phased and
/// fused days disagreeing.
#[test]
fn fixed_power_charges_by_hand() {
    let mut w = hand_world(vec![Operator::blank(0)], false);
    let h = w.hashprice_usd_per_th_day();
    let es = break_even(&w, 0.05);
    w.population.operators[0] = Operator {
        power_usd_per_kwh: 0.05,
        power_fixed_share: 0.5,
        site_mw: 100.0,
        fleet: smallvec::smallvec![vintage(1000.0, 1.5 * es, false), vintage(500.0, 3.0 * es, true)],
        balances: Balances { cash_usd: 1e9, credit_limit_usd: 1e9, ..Balances::default() },
        ..Operator::blank(0)
    };
    for fused in [false, true] {
        let mut w = w.clone();
        let mut census = Census::new(1, 1);
        let stats = if fused { w.operate_day(0, &mut census) } else { w.day(0, &mut census) };
        let a = &w.population.operators[0];
        assert_eq!(a.fleet.iter().map(|v| v.running).collect::<Vec<_>>(), vec![true, false], "fused {fused}");
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0) + ON_GRID;
        assert!(close(a.power_cost_usd, 2250.0 * h), "fused {fused}: {} vs {}", a.power_cost_usd, 2250.0 * h);
        assert!(close(stats.power_cost_usd, 2250.0 * h));
        assert!(close(stats.energy_mwh, 1000.0 * 1.5 * es * 24.0 / 1e6), "energy counts running machines only");
    }
}

/// Demand response by hand: in July, on a contracted site (its draw under the jurisdiction's
/// 0.28; a replicate seed is found where operator 0's is and operator 1's is not) with 6 curtailed hours a day and a peak kWh worth $0.15, a machine stands down iff
/// `e > h / (0.024 (0.15 + 0.05))` = e*/4 (`e* = h / (0.024 * 0.05)`): its 1,000 TH/s at e*/2
/// run 18 hours, its 400 TH/s at e*/8 (which earn more than the peak kWh) all day. It pays
/// 0.75 x 500 h + 50 h USD for power against the uncontracted twin's 550 h; the census counts
/// 750 + 400 TH/s mining and 250 TH/s curtailed (the idle vintages stay idle, and the twin's
/// 1,400 TH/s all mine); the next day's blocks follow the census. In May, nothing is
/// curtailed. Bug caught: curtailment that leaves the power bill or the hashrate whole, counts
/// the curtailed hours as idle machines, curtails the machines that earn more than the peak
/// kWh, or applies to the uncontracted site or the wrong month; or one path (phased or fused)
/// without it.
#[test]
fn demand_response_takes_the_contracted_hours_by_hand() {
    use crate::agents::population::DemandResponseDraws;
    use crate::calendar::days_from_civil;
    use crate::engine::curtail::Curtailment;
    use crate::scenario::params::{DemandResponse, JurisdictionParams};
    let mut w = hand_world(vec![Operator::blank(0), Operator::blank(1)], false);
    let h = w.hashprice_usd_per_th_day();
    let es = break_even(&w, 0.05);
    let mut hours = [0.0; 12];
    hours[6] = 6.0;
    let x = JurisdictionParams {
        name: "x".into(),
        share: 1.0,
        power_usd_per_kwh: None,
        demand_response: Some(DemandResponse {
            share: 0.28,
            curtailed_hours_per_day: hours,
            peak_value_usd_per_kwh: 0.15,
        }),
    };
    let draws = (0..)
        .map(|seed| DemandResponseDraws::new(seed, 2))
        .find(|d| d.of(0) < 0.28 && d.of(1) >= 0.28)
        .expect("a seed splits the two sites");
    w.curtailment = Curtailment::new(&[x], &w.population.jurisdictions, draws);
    let site = |owner: u32| Operator {
        power_usd_per_kwh: 0.05,
        site_mw: 100.0,
        fleet: smallvec::smallvec![
            vintage(1000.0, es / 2.0, true),
            vintage(500.0, 2.0 * es, false),
            vintage(400.0, es / 8.0, true)
        ],
        balances: Balances { cash_usd: 1e9, credit_limit_usd: 1e9, ..Balances::default() },
        ..Operator::blank(owner)
    };
    w.population.operators = vec![site(0), site(1)];
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0) + ON_GRID;
    for (month, u) in [(7, 0.75), (5, 1.0)] {
        for fused in [false, true] {
            let mut w = w.clone();
            w.start_date_days = days_from_civil(2025, month, 10);
            let mut census = Census::new(2, 1);
            let stats = if fused { w.operate_day(0, &mut census) } else { w.day(0, &mut census) };
            let (a, b) = (&w.population.operators[0], &w.population.operators[1]);
            let at = format!("month {month}, fused {fused}");
            let want = u * 500.0 * h + 50.0 * h;
            assert!(close(a.power_cost_usd, want), "{at}: {} vs {want}", a.power_cost_usd);
            assert!(close(b.power_cost_usd, 550.0 * h), "{at}");
            assert!(close(stats.power_cost_usd, want + 550.0 * h), "{at}");
            let mwh = |u: f64| (u * 1000.0 * es / 2.0 + 400.0 * es / 8.0) * 24.0 / 1e6;
            assert!(close(stats.energy_mwh, mwh(u) + mwh(1.0)), "{at}");
            assert!(close(census.totals.mining_th_s, 1000.0 * u + 400.0 + 1400.0), "{at}");
            assert!(close(census.totals.curtailed_th_s, 1000.0 * (1.0 - u)), "{at}");
            assert!(close(census.totals.idle_th_s, 1000.0), "{at}: the two idle vintages only");
            assert_eq!(census.running_th_s, vec![1000.0 * u + 400.0, 1400.0], "{at}");
        }
    }
}

/// An upgrade worked by hand: one operator on a 10 MW site at $0.02/kWh, 1,000 TH/s of
/// machines at 10 e* (they lose money: they idle) and $10M of cash; the frontier's machines
/// are far better than break-even, so new machines have a positive NPV. Room: the whole site
/// is losing machines or free, so it orders `10 MW * 1e6 / e_new` TH/s (if affordable), pays
/// the capex from its cash and logs one `upgrade` event. The old machines stay until the order
/// arrives after the lead time (no review in between): the new ones fill the site and push
/// the old ones out, listed on the secondary market at that day's price (`swap_sale`).
/// Bug caught: an upgrade that does not pay its capex, is not delivered after
/// `lead_time_days`, takes the old machines out before the new ones arrive (months without
/// hashrate), or does not sell what the new ones replace.
#[test]
fn an_upgrade_orders_then_swaps_and_pays() {
    let mut w = hand_world(vec![Operator::blank(0)], true);
    w.strategy.interval_days = 10_000; // one review, on day 0
    let es = break_even(&w, 0.02);
    w.population.operators[0] = Operator {
        power_usd_per_kwh: 0.02,
        site_mw: 10.0,
        fleet: smallvec::smallvec![vintage(1000.0, 10.0 * es, false)],
        balances: Balances { cash_usd: 1e10, ..Balances::default() },
        ..Operator::blank(0)
    };
    let snap = w.clone().open_day(0);
    let e_new = snap.hw_offer.j_per_th;
    assert!(e_new < es, "the frontier must pay for this test");
    let mut census = Census::new(1, 1);
    let stats = w.day(0, &mut census);
    let op = &w.population.operators[0];
    let th_new = 10.0 * 1e6 / e_new;
    assert_eq!(op.orders().len(), 1);
    assert!((op.orders()[0].th_s - th_new).abs() < 1e-6 * th_new);
    let lead = w.hardware.lead_time_days;
    assert_eq!(op.orders()[0].deliver_day, lead);
    assert_eq!(op.fleet.len(), 1, "the old machines wait for the new ones");
    assert_eq!(w.secondary.total_th_s(), 0.0);
    let capex = th_new * snap.hw_offer.price_usd_per_th;
    assert!((stats.capex_usd - capex).abs() < 1e-6 * capex);
    assert!((w.population.operators[0].balances.cash_usd - (1e10 - capex)).abs() < 1e-3);
    assert_eq!(w.log.iter().map(|e| e.kind).collect::<Vec<_>>(), vec!["upgrade"]);
    for d in 1..lead {
        w.day(d, &mut census);
    }
    assert_eq!(w.population.operators[0].fleet.len(), 1);
    let pricing = w.clone().open_day(lead).pricing;
    w.day(lead, &mut census);
    let op = &w.population.operators[0];
    assert_eq!(op.fleet.len(), 1);
    assert!((op.fleet[0].th_s - th_new).abs() < 1e-6 * th_new && op.fleet[0].j_per_th == e_new);
    assert!((w.secondary.total_th_s() - 1000.0).abs() < 1e-9, "no failures in this world");
    let swap = w.log.iter().find(|e| e.kind == "swap_sale").expect("the swap is logged");
    assert_eq!((swap.day, swap.th_s), (lead, 1000.0));
    assert!((swap.value_usd - 1000.0 * pricing.price_usd_per_th(10.0 * es)).abs() < 1e-9);
}

/// Insolvency by hand: an operator with no cash, no credit and nothing mined pays for its
/// running machines, cannot, and is in default at the end of the day; at the next day's
/// opening nobody buys it (its only possible buyer has no money), so it goes bankrupt, its
/// machines are listed and its site goes dark in the census.
/// Bug caught: a default that is lost between days, or a bankrupt site still counted.
#[test]
fn an_insolvent_operator_defaults_then_closes() {
    let mut w = hand_world(vec![Operator::blank(0), Operator::blank(1)], false);
    let es = break_even(&w, 0.05);
    for (i, op) in w.population.operators.iter_mut().enumerate() {
        *op = Operator {
            power_usd_per_kwh: 0.05,
            site_mw: 5.0,
            fleet: smallvec::smallvec![vintage(100.0, es / 2.0, true)],
            ..Operator::blank(i as u32)
        };
    }
    w.population.operators[1].balances.cash_usd = 1e-3;
    let mut census = Census::new(2, 1);
    w.day(0, &mut census);
    assert_eq!(w.in_default, vec![0, 1]);
    let stats = w.day(1, &mut census);
    assert_eq!(stats.bankruptcies, 2);
    assert_eq!(stats.acquisitions, 0);
    assert_eq!(census.totals.operators_bankrupt, 2);
    assert_eq!(census.totals.mw_dark, 10.0);
    assert!((w.secondary.total_th_s() - 200.0).abs() < 1e-9);
}

/// An acquisition's balance sheet by hand: operator 0 (owner 0) defaulted yesterday with
/// $5,000 of debt and -$100 of cash; its 100 TH/s at e*/2 pay. Operator 1 (owner 1, $1M of
/// cash) buys it at the opening for its fire-sale value `V` plus 30 days of its machines'
/// power, `W = 30 * 100 * (e*/2) * 0.024 * 0.05 = 30 * 50 h`: the site joins group 1 with `W`
/// in cash and no debt, and the buyer's cash falls by `V + W` (before the day's settlement,
/// which the test turns off to keep the numbers by hand: no books today).
/// Bug caught: the old acquisition left the site with no cash and a credit line equal to its
/// price, so it defaulted again at once and was re-acquired (111 times in one run).
#[test]
fn an_acquired_site_starts_with_working_cash_and_no_debt() {
    let mut w = hand_world(vec![Operator::blank(0), Operator::blank(1)], false);
    let h = w.hashprice_usd_per_th_day();
    let es = break_even(&w, 0.05);
    let site = |owner: u32, balances: Balances| Operator {
        power_usd_per_kwh: 0.05,
        site_mw: 5.0,
        fleet: smallvec::smallvec![vintage(100.0, es / 2.0, true)],
        balances,
        ..Operator::blank(owner)
    };
    w.population.operators[0] = site(0, Balances { cash_usd: -100.0, debt_usd: 5000.0, ..Balances::default() });
    w.population.operators[1] = site(1, Balances { cash_usd: 1e6, ..Balances::default() });
    w.in_default = vec![0];
    w.finance_enabled = false;
    let snap = w.clone().open_day(0);
    let value = 100.0 * snap.pricing.price_usd_per_th(es / 2.0) * (1.0 - w.hardware.fire_sale_discount);
    let working = 30.0 * 50.0 * h;
    let mut census = Census::new(2, 1);
    let stats = w.day(0, &mut census);
    assert_eq!(stats.acquisitions, 1);
    let (a, b) = (&w.population.operators[0], &w.population.operators[1]);
    assert_eq!(a.owner, 1);
    assert_eq!(a.balances.debt_usd, 0.0);
    assert!((a.balances.cash_usd - working).abs() < 1e-9 * working);
    assert!((b.balances.cash_usd - (1e6 - value - working)).abs() < 1e-6);
}
