//! `[population]` (and the named operators) as the population generator reads it: every
//! distribution a validated [`Dist`], so an invalid one cannot reach a draw.

use crate::calendar::MONTHS_PER_YEAR;
use crate::scenario::dist::{Dist, DistError, DistSpec};
use crate::scenario::params::{CalibrateTo, DecisionRule, Expectation, Payout};
use crate::scenario::raw::{BehaviourSpec, FinanceSpec, FleetShare, Jurisdiction, OperatorSpec, Population};
use crate::units::HOURS_PER_DAY;

/// A generated population of mining operators (the fields of `[population]`).
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationParams {
    /// Number of generated operators.
    pub operators: u32,
    /// Installed hashrate of the generated operators together, EH/s (sites rescaled to it).
    pub total_hashrate_eh_s: Option<f64>,
    /// Site power capacity, MW; either this or `hashrate_th_s`.
    pub size_mw: Option<Dist>,
    /// Installed hashrate per operator, TH/s; either this or `size_mw`.
    pub hashrate_th_s: Option<Dist>,
    /// Delivered power price, USD/kWh (a jurisdiction may override it).
    pub power_usd_per_kwh: Dist,
    /// Hardware models by share of hashrate, from the catalog (checked against it).
    pub fleet_mix: Vec<FleetShare>,
    /// Custom hardware efficiency, J/TH, when no `fleet_mix` is given.
    pub efficiency_j_per_th: Option<Dist>,
    /// Vintages (hardware batches) per operator.
    pub vintages: u32,
    /// Share of each site's MW filled with machines at the start, (0, 1].
    pub fill_share: f64,
    /// Log-sd of a generated vintage's efficiency around its model's nameplate.
    pub efficiency_spread_log_sd: f64,
    /// Share of a site's power price owed on its connected machines whether they run or not.
    pub power_fixed_share: Dist,
    pub decision: DecisionRule,
    pub calibrate_to: CalibrateTo,
    pub finance: FinanceParams,
    pub behaviour: BehaviourParams,
    /// Jurisdictions and the probability an operator is in each.
    pub jurisdictions: Vec<JurisdictionParams>,
    /// Named operators added on top of the generated population (`[[operators]]`).
    pub named: Vec<NamedOperator>,
    /// Fee an FPPS pool keeps of its miners' expected revenue, [0, 0.5].
    pub pool_fee: f64,
    /// Share of generated operators that mine solo, [0, 1].
    pub solo_share: f64,
}

/// One named operator with fixed values (`[[operators]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedOperator {
    pub name: String,
    pub hashrate_th_s: f64,
    pub efficiency_j_per_th: f64,
    pub power_usd_per_kwh: f64,
    pub jurisdiction: String,
    /// Site capacity, MW; `None`: what the machines draw divided by `population.fill_share`.
    pub site_mw: Option<f64>,
    pub cash_usd: f64,
    pub treasury_btc: f64,
    pub debt_usd: f64,
    pub credit_usd: f64,
    pub expectation: Expectation,
    pub hurdle_rate: f64,
    /// Overrides the population's decision rule for this operator.
    pub decision: Option<DecisionRule>,
    pub payout: Payout,
    /// `None`: drawn as for generated sites.
    pub convertible: Option<bool>,
    /// Fixed share of its power price; `None`: drawn as for generated sites.
    pub power_fixed_share: Option<f64>,
    /// The pool it mines in; `None`: assigned as generated operators are.
    pub pool: Option<String>,
}

impl From<&OperatorSpec> for NamedOperator {
    fn from(m: &OperatorSpec) -> NamedOperator {
        NamedOperator {
            name: m.name.clone(),
            hashrate_th_s: m.hashrate_th_s,
            efficiency_j_per_th: m.efficiency_j_per_th,
            power_usd_per_kwh: m.power_usd_per_kwh,
            jurisdiction: m.jurisdiction.clone(),
            site_mw: m.site_mw,
            cash_usd: m.cash_usd,
            treasury_btc: m.treasury_btc,
            debt_usd: m.debt_usd,
            credit_usd: m.credit_usd,
            expectation: m.expectation,
            hurdle_rate: m.hurdle_rate,
            decision: m.decision,
            payout: m.payout,
            convertible: m.convertible,
            power_fixed_share: m.power_fixed_share,
            pool: m.pool.clone(),
        }
    }
}

/// Balance sheets of generated operators, scaled by site size.
#[derive(Debug, Clone, PartialEq)]
pub struct FinanceParams {
    /// Whether operators keep books at all.
    pub enabled: bool,
    /// BTC held per MW of site.
    pub treasury_btc_per_mw: Dist,
    pub cash_usd_per_mw: Dist,
    pub debt_usd_per_mw: Dist,
    /// Annual interest on debt.
    pub interest_rate: f64,
    /// Credit line per MW for operators of at least `credit_min_mw`.
    pub credit_usd_per_mw: f64,
    pub credit_min_mw: f64,
    /// Share of mined BTC sold the same day.
    pub sell_share: f64,
}

/// How generated operators think.
#[derive(Debug, Clone, PartialEq)]
pub struct BehaviourParams {
    /// Shares of operators using each expectation rule (normalised).
    pub myopic: f64,
    pub adaptive: f64,
    pub halving_aware: f64,
    /// Annual discount rate for investment decisions.
    pub hurdle_rate: Dist,
}

/// A jurisdiction and the probability an operator is in it.
#[derive(Debug, Clone, PartialEq)]
pub struct JurisdictionParams {
    pub name: String,
    pub share: f64,
    /// This jurisdiction's power price distribution, replacing the population's.
    pub power_usd_per_kwh: Option<Dist>,
    pub demand_response: Option<DemandResponse>,
}

/// Demand-response contracts of a jurisdiction (`population.jurisdictions[].demand_response`):
/// a share of its sites stand down at the grid's peak hours, more hours in the peak months.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandResponse {
    /// Probability that a generated site in the jurisdiction holds such a contract.
    pub share: f64,
    /// Mean hours a day such a site stands down, January to December.
    pub curtailed_hours_per_day: [f64; MONTHS_PER_YEAR],
    /// What a kWh not used in those hours is worth to the site, USD.
    pub peak_value_usd_per_kwh: f64,
}

impl DemandResponse {
    /// Share of the day a contracted site runs in `month` (1..=12): `1 - hours / 24`.
    pub fn uptime(&self, month: u32) -> f64 {
        1.0 - self.curtailed_hours_per_day[month as usize - 1] / HOURS_PER_DAY
    }
}

fn opt(d: &Option<DistSpec>) -> Result<Option<Dist>, DistError> {
    d.as_ref().map(DistSpec::validated).transpose()
}

impl FinanceParams {
    fn new(f: &FinanceSpec) -> Result<FinanceParams, DistError> {
        Ok(FinanceParams {
            enabled: f.enabled,
            treasury_btc_per_mw: f.treasury_btc_per_mw.validated()?,
            cash_usd_per_mw: f.cash_usd_per_mw.validated()?,
            debt_usd_per_mw: f.debt_usd_per_mw.validated()?,
            interest_rate: f.interest_rate,
            credit_usd_per_mw: f.credit_usd_per_mw,
            credit_min_mw: f.credit_min_mw,
            sell_share: f.sell_share,
        })
    }
}

impl BehaviourParams {
    fn new(b: &BehaviourSpec) -> Result<BehaviourParams, DistError> {
        Ok(BehaviourParams {
            myopic: b.myopic,
            adaptive: b.adaptive,
            halving_aware: b.halving_aware,
            hurdle_rate: b.hurdle_rate.validated()?,
        })
    }
}

impl JurisdictionParams {
    fn new(j: &Jurisdiction) -> Result<JurisdictionParams, DistError> {
        Ok(JurisdictionParams {
            name: j.name.clone(),
            share: j.share,
            power_usd_per_kwh: opt(&j.power_usd_per_kwh)?,
            // The loader has checked the 12 values.
            demand_response: j.demand_response.as_ref().map(|d| {
                let mut hours = [0.0; MONTHS_PER_YEAR];
                for (h, &v) in hours.iter_mut().zip(&d.curtailed_hours_per_day) {
                    *h = v;
                }
                DemandResponse {
                    share: d.share,
                    curtailed_hours_per_day: hours,
                    peak_value_usd_per_kwh: d.peak_value_usd_per_kwh,
                }
            }),
        })
    }
}

impl PopulationParams {
    /// The population's tables with every distribution built through its validating
    /// constructor; an error names the parameter of the first that is none (the loader's
    /// checks have reported it at its key before this is called).
    pub fn new(p: &Population, named: &[OperatorSpec]) -> Result<PopulationParams, DistError> {
        Ok(PopulationParams {
            operators: p.operators,
            total_hashrate_eh_s: p.total_hashrate_eh_s,
            size_mw: opt(&p.size_mw)?,
            hashrate_th_s: opt(&p.hashrate_th_s)?,
            power_usd_per_kwh: p.power_usd_per_kwh.validated()?,
            fleet_mix: p.fleet_mix.clone(),
            efficiency_j_per_th: opt(&p.efficiency_j_per_th)?,
            vintages: p.vintages,
            fill_share: p.fill_share,
            efficiency_spread_log_sd: p.efficiency_spread_log_sd,
            power_fixed_share: p.power_fixed_share.validated()?,
            decision: p.decision,
            calibrate_to: p.calibrate_to,
            finance: FinanceParams::new(&p.finance)?,
            behaviour: BehaviourParams::new(&p.behaviour)?,
            jurisdictions: p.jurisdictions.iter().map(JurisdictionParams::new).collect::<Result<_, _>>()?,
            named: named.iter().map(NamedOperator::from).collect(),
            pool_fee: p.pool_fee,
            solo_share: p.solo_share,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;
    use std::path::Path;

    const MIN: &str = "[simulation]\nname = \"t\"\ndays = 1\nseed = 1\n[price]\nmodel = \"constant\"\ninitial_usd = 50000\n\
        [population]\noperators = 3\nsize_mw = { dist = \"constant\", value = 2 }\n\
        power_usd_per_kwh = { dist = \"lognormal\", median = 0.05, log_sd = 0.3 }\nefficiency_j_per_th = { dist = \"constant\", value = 20 }\n";

    /// The typed parameters carry the file's distributions, validated.
    #[test]
    fn population_params_carry_validated_distributions() {
        let loaded = load_str(MIN, "t", Path::new("."), &[]).unwrap();
        let p = &loaded.params.population;
        assert_eq!(p.operators, 3);
        assert_eq!(p.power_usd_per_kwh.spec(), &DistSpec::Lognormal { median: 0.05, log_sd: 0.3 });
        assert_eq!(p.size_mw.as_ref().map(Dist::spec), Some(&DistSpec::Constant { value: 2.0 }));
    }

    /// Bug caught: a distribution that is none (a lognormal median of 0, a Pareto shape of 0)
    /// reaching the generator's draws: building the parameters refuses it, naming the
    /// parameter, even when no range check ran before.
    #[test]
    fn an_invalid_distribution_cannot_reach_the_population() {
        let loaded = load_str(MIN, "t", Path::new("."), &[]).unwrap();
        let mut raw = loaded.scenario.population.clone();
        raw.power_usd_per_kwh = DistSpec::Lognormal { median: 0.0, log_sd: 0.3 };
        assert_eq!(PopulationParams::new(&raw, &[]).unwrap_err().param, "median");
        raw.power_usd_per_kwh = DistSpec::Constant { value: 0.05 };
        raw.behaviour.hurdle_rate = DistSpec::Pareto { scale: 1.0, shape: 0.0 };
        assert_eq!(PopulationParams::new(&raw, &[]).unwrap_err().param, "shape");
        // And the loader reports it at its key rather than running with it.
        let bad = MIN.replace("median = 0.05", "median = 0");
        let e = load_str(&bad, "t", Path::new("."), &[]).unwrap_err().to_string();
        assert!(e.contains("population.power_usd_per_kwh.median"), "{e}");
    }
}
