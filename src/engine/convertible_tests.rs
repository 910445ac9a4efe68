//! AI pivots are capped by convertible sites and follow the operators, not the order they are
//! stored in.

use super::census::Census;
use super::World;
use crate::scenario::{load, Override};
use std::collections::BTreeSet;

/// The AI rush with a small population whose every operator reviews its strategy every day
/// (so who reviews does not depend on the index either).
fn ai_rush(extra: &[&str]) -> World {
    let set: Vec<Override> = ["population.operators=400", "strategy.interval_days=1", "simulation.days=5"]
        .iter()
        .chain(extra)
        .map(|s| Override::parse(s).expect("override"))
        .collect();
    let loaded = load(std::path::Path::new("scenarios/ai-rush.toml"), &set).expect("bundled scenario");
    World::build(&loaded, 0).expect("builds")
}

/// The operators (by `id`) that asked to pivot on day 0, with the MW each converted.
fn pivots(w: &mut World, id: &[usize]) -> BTreeSet<(usize, u64)> {
    let mut census = Census::new(w.population.operators.len(), w.population.jurisdictions.len());
    w.day(0, &mut census);
    w.log.iter().filter(|e| e.kind == "pivot").map(|e| (id[e.operator], e.mw.to_bits())).collect()
}

/// Storing the operators in reverse order changes nothing about who pivots or how much: the
/// convertible flag is drawn once per operator at generation and travels with it, and the
/// AI market grants by size and liquidity. Catches a flag drawn from the storage index at
/// decision time, or grants in storage order.
#[test]
fn who_pivots_does_not_depend_on_storage_order() {
    let mut w = ai_rush(&[]);
    let n = w.population.operators.len();
    let mut shuffled = w.clone();
    // Position p of the shuffled world holds operator n - 1 - p; groups are renumbered with it.
    let id: Vec<usize> = (0..n).rev().collect();
    shuffled.population.operators.reverse();
    shuffled.population.names = shuffled.population.names.renumbered(|i| n - 1 - i);
    for op in &mut shuffled.population.operators {
        op.owner = (n - 1 - op.owner as usize) as u32;
    }
    let straight = pivots(&mut w, &(0..n).collect::<Vec<_>>());
    assert!(straight.len() >= 2, "too few pivots to compare: {straight:?}");
    assert_eq!(pivots(&mut shuffled, &id), straight);
    for &(i, _) in &straight {
        assert!(w.population.operators[i].convertible, "operator {i} pivoted without a convertible site");
    }
}

/// About `ai.convertible_share` of sites may convert; with a share of 0 nobody asks, with 1
/// every large site may. Catches the flag ignored by the plan, or the draw inverted.
#[test]
fn only_convertible_sites_ask_to_pivot() {
    let mut w = ai_rush(&["population.operators=4000", "simulation.days=1"]);
    let n = w.population.operators.len() as f64;
    let share = w.population.operators.iter().filter(|o| o.convertible).count() as f64 / n;
    assert!((share - 0.2).abs() < 0.03, "convertible share {share}");
    let id: Vec<usize> = (0..w.population.operators.len()).collect();
    assert!(!pivots(&mut w, &id).is_empty());
    let mut none = ai_rush(&["ai.convertible_share=0"]);
    assert!(pivots(&mut none, &id).is_empty());
    let mut all = ai_rush(&["ai.convertible_share=1"]);
    assert!(all.population.operators.iter().all(|o| o.convertible));
    let mut some = ai_rush(&[]);
    assert!(pivots(&mut all, &id).len() > pivots(&mut some, &id).len());
}

/// A named operator's `convertible` is kept; without it the operator is drawn like the
/// generated ones. Catches the key ignored, or the named operators' flags shifted by one.
#[test]
fn a_named_operator_may_set_its_site_convertible() {
    let text = "[simulation]\nname = \"c\"\ndays = 1\nseed = 1\n[price]\nmodel = \"constant\"\ninitial_usd = 90000\n\
        [population]\noperators = 50\nsize_mw = { dist = \"constant\", value = 30 }\n\
        power_usd_per_kwh = { dist = \"constant\", value = 0.05 }\nefficiency_j_per_th = { dist = \"constant\", value = 20 }\n\
        [ai]\nconvertible_share = 0\n\
        [[operators]]\nname = \"yes\"\nhashrate_th_s = 1e6\nefficiency_j_per_th = 20\npower_usd_per_kwh = 0.05\nconvertible = true\n\
        [[operators]]\nname = \"drawn\"\nhashrate_th_s = 1e6\nefficiency_j_per_th = 20\npower_usd_per_kwh = 0.05\n\
        [[operators]]\nname = \"no\"\nhashrate_th_s = 1e6\nefficiency_j_per_th = 20\npower_usd_per_kwh = 0.05\nconvertible = false\n";
    let loaded = crate::scenario::load_str(text, "c.toml", std::path::Path::new("."), &[]).expect("scenario");
    let w = World::build(&loaded, 0).expect("builds");
    let flags: Vec<bool> = w.population.operators.iter().map(|o| o.convertible).collect();
    assert!(flags[..50].iter().all(|c| !c), "a share of 0 converts no generated site");
    assert_eq!(&flags[50..], &[true, false, false]);
}
