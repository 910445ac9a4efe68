//! Benchmarks: the cost of a block event, of an operator decision, of taking and cutting the
//! network's supply curve, of whole CORE-1 runs at 1k / 10k / 100k miners (and 10k with the
//! attack metrics), of a baseline run with the full agent model, and of a small sweep. Fixed
//! seeds; outputs go to a no-op observer so only the simulation is timed. Run: `cargo bench`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hashsim::agents::decision::run_vintage;
use hashsim::engine::sampler::Sampler;
use hashsim::market::supply::SupplyCurve;
use hashsim::observe::{run_replicate, DayRow, Observer};
use hashsim::scenario::{load, DecisionRule, LoadedScenario, Override};
use rand::Rng;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

struct Discard;

impl Observer for Discard {
    fn on_day(&mut self, row: &DayRow) -> hashsim::Result<()> {
        black_box(row);
        Ok(())
    }
}

fn scenario(path: &str, set: &[&str]) -> LoadedScenario {
    let o: Vec<Override> = set.iter().map(|s| Override::parse(s).expect("override")).collect();
    load(Path::new(path), &o).expect("bundled scenario loads")
}

/// Per block: drawing the winner among 10,000 miners (the guide table's O(1) search),
/// and whole runs divided by the blocks they contain.
fn block_events(c: &mut Criterion) {
    let mut g = c.benchmark_group("block_event");
    let mut rng = hashsim::rng::stream(1, hashsim::rng::Purpose::BlockWinners);
    let weights: Vec<f64> = (0..10_000).map(|_| rng.random::<f64>()).collect();
    let mut f = Sampler::new(&weights);
    let total = f.total();
    g.throughput(Throughput::Elements(1));
    g.bench_function("winner_draw_10k", |b| b.iter(|| black_box(f.find(rng.random::<f64>() * total, &weights))));
    // A run with one always-on miner is almost only block events: ~144 per day.
    let s = scenario("scenarios/bench/core1.toml", &["population.operators=1", "simulation.days=100"]);
    let blocks = {
        let mut tally = hashsim::observe::SummaryTally::default();
        run_replicate(&s, 0, &mut tally).expect("runs");
        tally.finish().get("blocks_total").unwrap_or(0.0) as u64
    };
    g.throughput(Throughput::Elements(blocks));
    g.bench_function("run_100_days_per_block", |b| b.iter(|| run_replicate(&s, 0, &mut Discard).expect("runs")));
    g.finish();
}

/// Per decision: the daily run/idle choice of one machine batch.
fn decisions(c: &mut Criterion) {
    let mut g = c.benchmark_group("decision");
    let mut rng = hashsim::rng::stream(2, hashsim::rng::Purpose::Agents);
    let v: Vec<(f64, f64, bool)> = (0..10_000)
        .map(|_| (15.0 + 23.0 * rng.random::<f64>(), 0.02 + 0.06 * rng.random::<f64>(), rng.random()))
        .collect();
    g.throughput(Throughput::Elements(v.len() as u64));
    g.bench_function("run_vintage_10k", |b| {
        b.iter(|| {
            v.iter()
                .filter(|&&(e, p, running)| run_vintage(DecisionRule::Profitable, running, e, p, 0.037, 0.02, 7.0))
                .count()
        })
    });
    g.finish();
}

/// The supply curve: placing 10,000 machine batches on it (the weekly census, per batch) and
/// cutting it for the next halvings (once a day).
fn supply_curve(c: &mut Criterion) {
    let mut g = c.benchmark_group("supply_curve");
    let mut rng = hashsim::rng::stream(3, hashsim::rng::Purpose::Agents);
    let batches: Vec<(f64, f64)> =
        (0..10_000).map(|_| (0.005 + 0.05 * rng.random::<f64>(), 1e4 * rng.random::<f64>())).collect();
    let mut curve = SupplyCurve::default();
    g.throughput(Throughput::Elements(batches.len() as u64));
    g.bench_function("place_10k_batches", |b| {
        b.iter(|| {
            curve.clear();
            for &(cost, th_s) in &batches {
                curve.add(cost, th_s);
            }
            curve.finish();
        })
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("halving_outlook", |b| b.iter(|| black_box(curve.halving_outlook(black_box(0.03), 0.97))));
    g.finish();
}

/// Whole CORE-1 runs (1,461 days) at 1k, 10k and 100k miners.
fn core1(c: &mut Criterion) {
    let mut g = c.benchmark_group("core1");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for n in [1_000u32, 10_000, 100_000] {
        let s = scenario("scenarios/bench/core1.toml", &[&format!("population.operators={n}")]);
        g.throughput(Throughput::Elements(u64::from(n) * 1461));
        g.bench_with_input(BenchmarkId::from_parameter(n), &s, |b, s| {
            b.iter(|| run_replicate(s, 0, &mut Discard).expect("runs"))
        });
    }
    g.finish();
}

/// CORE-1 at 10k miners (1,461 days) with `set`, as benchmark `group`/10000.
fn core1_10k_with(c: &mut Criterion, group: &str, set: &str) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let s = scenario("scenarios/bench/core1.toml", &[set]);
    g.throughput(Throughput::Elements(10_000 * 1461));
    g.bench_function("10000", |b| b.iter(|| run_replicate(&s, 0, &mut Discard).expect("runs")));
    g.finish();
}

/// CORE-1 at 10k miners with every operator walked every day (`simulation.merit_order =
/// false`): the merit order's oracle, for the speed-up it buys.
fn core1_full_days(c: &mut Criterion) {
    core1_10k_with(c, "core1_full_days", "simulation.merit_order=false");
}

/// CORE-1 at 10k miners with the attack metrics on (its file turns them off): the security
/// columns on merit days (the dormant machines, the coalitions) on top of `core1/10000`.
fn core1_attack_metrics(c: &mut Criterion) {
    core1_10k_with(c, "core1_attack_metrics", "metrics.attack_metrics=true");
}

/// The bundled baseline with the full agent model (3,000 operators, 1,095 days).
fn baseline(c: &mut Criterion) {
    let mut g = c.benchmark_group("baseline");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    let s = scenario("scenarios/baseline.toml", &[]);
    g.bench_function("full_agents", |b| b.iter(|| run_replicate(&s, 0, &mut Discard).expect("runs")));
    g.finish();
}

/// A small sweep end to end (the bundled ai-premium sweep: 36 runs, journal and outputs
/// included), on all cores.
fn small_sweep(c: &mut Criterion) {
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    let sweep = hashsim::sweep::load(Path::new("scenarios/sweeps/ai-premium.toml")).expect("bundled sweep loads");
    let dir = std::env::temp_dir().join(format!("hashsim-bench-sweep-{}", std::process::id()));
    g.throughput(Throughput::Elements(36));
    g.bench_function("ai_premium_36_runs", |b| {
        b.iter(|| {
            let _ = std::fs::remove_dir_all(&dir);
            let opts = hashsim::sweep::SweepOptions {
                out_dir: dir.clone(),
                shard: hashsim::sweep::Shard::ALL,
                resume: false,
                series: false,
                force: false,
                command: "bench".into(),
            };
            hashsim::sweep::SweepRun::open(&sweep, opts).expect("opens").execute(&|| {}).expect("runs")
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    g.finish();
}

criterion_group!(
    benches,
    block_events,
    decisions,
    supply_curve,
    core1,
    core1_full_days,
    core1_attack_metrics,
    baseline,
    small_sweep
);
criterion_main!(benches);
