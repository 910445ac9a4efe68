//! Generating the miner population from a scenario, reproducibly from its own random stream.

use crate::error::{Error, Result};
use crate::rng::SimRng;
use crate::scenario::{DecisionRule, Scenario};
use crate::units::Sat;
use rand::Rng;

/// Whether a miner's machines are on today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinerState {
    Mining,
    Idle,
    /// Switched off for good (a jurisdiction ban).
    Offline,
}

impl MinerState {
    pub fn as_str(self) -> &'static str {
        match self {
            MinerState::Mining => "mining",
            MinerState::Idle => "idle",
            MinerState::Offline => "offline",
        }
    }
}

/// One miner: its fixed economics and what it has earned and spent so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Miner {
    pub hashrate_th_s: f64,
    pub efficiency_j_per_th: f64,
    pub power_usd_per_kwh: f64,
    pub jurisdiction: u16,
    pub rule: DecisionRule,
    pub state: MinerState,
    pub blocks_won: u32,
    pub days_mining: u32,
    pub revenue: Sat,
    pub power_cost_usd: f64,
}

/// All miners of a run, with the names of explicit miners and of jurisdictions.
#[derive(Debug, Clone)]
pub struct Population {
    pub miners: Vec<Miner>,
    /// Names by miner index; generated miners are named `m<index>`.
    pub names: Vec<Option<String>>,
    pub jurisdictions: Vec<String>,
}

impl Population {
    pub fn name(&self, i: usize) -> String {
        self.names[i].clone().unwrap_or_else(|| format!("m{i}"))
    }

    pub fn installed_th_s(&self) -> f64 {
        self.miners.iter().filter(|m| m.state != MinerState::Offline).map(|m| m.hashrate_th_s).sum()
    }

    pub fn jurisdiction_index(&self, name: &str) -> Option<u16> {
        self.jurisdictions.iter().position(|j| j == name).map(|i| i as u16)
    }
}

/// Draws the population. Generated sizes are rescaled to `population.total_hashrate_eh_s`
/// when given; otherwise they are kept as drawn (the world may calibrate them to the
/// difficulty, see [`scale`]).
///
/// Draw order per generated miner (fixed, part of reproducibility): jurisdiction, size,
/// efficiency, power price.
pub fn generate(s: &Scenario, rng: &mut SimRng) -> Result<Population> {
    let p = &s.population;
    let mut jurisdictions: Vec<String> = p.jurisdictions.iter().map(|j| j.name.clone()).collect();
    if jurisdictions.is_empty() && p.miners > 0 {
        jurisdictions.push("other".into());
    }
    for m in &s.miners {
        if !jurisdictions.contains(&m.jurisdiction) {
            jurisdictions.push(m.jurisdiction.clone());
        }
    }
    if jurisdictions.len() > u16::MAX as usize {
        return Err(Error::Other("too many jurisdictions (at most 65,535)".into()));
    }
    let cumulative: Vec<f64> = p
        .jurisdictions
        .iter()
        .scan(0.0, |acc, j| {
            *acc += j.share;
            Some(*acc)
        })
        .collect();

    let n = p.miners as usize;
    let mut miners = Vec::with_capacity(n + s.miners.len());
    for _ in 0..n {
        let jur = if cumulative.is_empty() {
            0
        } else {
            let u: f64 = rng.random::<f64>() * cumulative[cumulative.len() - 1];
            cumulative.iter().position(|&c| u < c).unwrap_or(cumulative.len() - 1)
        };
        let size = p.hashrate_th_s.sample(rng);
        let eff = p.efficiency_j_per_th.sample(rng);
        let power_dist =
            p.jurisdictions.get(jur).and_then(|j| j.power_usd_per_kwh.as_ref()).unwrap_or(&p.power_usd_per_kwh);
        let power = power_dist.sample(rng).max(0.0);
        miners.push(new_miner(size, eff, power, jur as u16, p.decision));
    }

    if let Some(eh) = p.total_hashrate_eh_s {
        scale(&mut miners, eh * crate::units::TH_PER_EH);
    }

    let mut names = vec![None; n];
    for m in &s.miners {
        let jur = jurisdictions.iter().position(|j| *j == m.jurisdiction).unwrap_or(0) as u16;
        miners.push(new_miner(
            m.hashrate_th_s,
            m.efficiency_j_per_th,
            m.power_usd_per_kwh,
            jur,
            m.decision.unwrap_or(p.decision),
        ));
        names.push(Some(m.name.clone()));
    }
    Ok(Population { miners, names, jurisdictions })
}

/// Rescales the hashrates of `miners` so they sum to `total_th_s`.
pub fn scale(miners: &mut [Miner], total_th_s: f64) {
    let sum: f64 = miners.iter().map(|m| m.hashrate_th_s).sum();
    if sum > 0.0 {
        let k = total_th_s / sum;
        for m in miners {
            m.hashrate_th_s *= k;
        }
    }
}

fn new_miner(th: f64, eff: f64, power: f64, jurisdiction: u16, rule: DecisionRule) -> Miner {
    Miner {
        hashrate_th_s: th,
        efficiency_j_per_th: eff,
        power_usd_per_kwh: power,
        jurisdiction,
        rule,
        state: MinerState::Idle,
        blocks_won: 0,
        days_mining: 0,
        revenue: Sat::ZERO,
        power_cost_usd: 0.0,
    }
}
