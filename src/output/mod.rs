//! Writers: CSV tables and the JSON manifest, each written atomically.

pub mod atomic;
pub mod cleanup;
pub mod lock;
pub mod manifest;
pub mod stage;

use crate::engine::observe::{DayRow, Observer};
use crate::engine::World;
use crate::error::{Error, Result};
use atomic::AtomicFile;
use serde::Serialize;
use std::path::Path;

/// Streams day rows into a CSV file as the run goes (memory stays flat).
pub struct CsvSink {
    writer: csv::Writer<AtomicFile>,
    rows: u64,
}

impl CsvSink {
    pub fn create(dest: &Path) -> Result<CsvSink> {
        Ok(CsvSink { writer: csv::Writer::from_writer(AtomicFile::create(dest)?), rows: 0 })
    }

    pub fn write<T: Serialize>(&mut self, row: &T) -> Result<()> {
        self.rows += 1;
        let written = self.writer.serialize(row);
        written.map_err(|e| csv_error(self.writer.get_ref().path(), e))
    }

    /// As [`CsvSink::commit`], but writes `T`'s header first if no row was written (so an
    /// empty table still names its columns).
    pub fn commit_with_header<T: Serialize + Default>(mut self) -> Result<std::path::PathBuf> {
        if self.rows == 0 {
            let dest = self.writer.get_ref().path().to_path_buf();
            let mut probe = csv::Writer::from_writer(Vec::new());
            probe.serialize(T::default()).map_err(|e| csv_error(&dest, e))?;
            let bytes = probe.into_inner().map_err(|e| Error::Other(e.to_string()))?;
            let text = String::from_utf8_lossy(&bytes);
            let header: Vec<&str> = text.lines().next().unwrap_or_default().split(',').collect();
            self.writer.write_record(&header).map_err(|e| csv_error(&dest, e))?;
        }
        self.commit()
    }

    /// Flushes and moves the file into place.
    pub fn commit(self) -> Result<std::path::PathBuf> {
        let inner = self.writer.into_inner().map_err(|e| Error::Other(format!("cannot flush CSV: {}", e.error())))?;
        inner.commit()
    }
}

impl Observer for CsvSink {
    fn on_day(&mut self, row: &DayRow) -> Result<()> {
        self.write(row)
    }
}

fn csv_error(dest: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::write(dest, io),
        other => Error::Other(format!("cannot write {}: {other:?}", dest.display())),
    }
}

/// One row of `operators.csv`: an operator's state at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorRow {
    pub replicate: u32,
    pub operator_id: usize,
    pub name: String,
    /// The group it belongs to at the end (its own id unless acquired).
    pub owner_id: u32,
    pub jurisdiction: String,
    pub state: &'static str,
    /// Insolvent at the last settlement; bought or closed the next morning.
    pub in_default: bool,
    pub site_mw: f64,
    pub mining_mw: f64,
    pub ai_mw: f64,
    pub installed_th_s: f64,
    pub running_th_s: f64,
    /// Hashrate-weighted mean efficiency of the installed machines; empty without machines.
    pub efficiency_j_per_th: Option<f64>,
    pub power_usd_per_kwh: f64,
    pub expectation: crate::agents::Expectation,
    pub hurdle_rate: f64,
    pub cash_usd: f64,
    pub treasury_btc: f64,
    pub debt_usd: f64,
    pub credit_limit_usd: f64,
    pub blocks_won: u32,
    pub revenue_btc: f64,
    pub btc_sold: f64,
    pub power_cost_usd: f64,
    pub ai_revenue_usd: f64,
}

/// The final state of every operator of `world`.
pub fn operator_rows(world: &World) -> impl Iterator<Item = OperatorRow> + '_ {
    let p = &world.population;
    let mut in_default = vec![false; p.operators.len()];
    for &i in &world.in_default {
        in_default[i] = true;
    }
    p.operators.iter().enumerate().map(move |(i, o)| {
        let th = o.installed_th_s();
        OperatorRow {
            replicate: world.replicate,
            operator_id: i,
            name: p.name(i),
            owner_id: o.owner,
            jurisdiction: p.jurisdictions[o.jurisdiction as usize].clone(),
            state: o.state.as_str(),
            in_default: in_default[i],
            site_mw: o.site_mw,
            mining_mw: o.mining_mw(),
            ai_mw: o.ai_mw(),
            installed_th_s: th,
            running_th_s: o.running_th_s(),
            efficiency_j_per_th: (th > 0.0).then(|| o.installed_mw() * 1e6 / th),
            power_usd_per_kwh: o.power_usd_per_kwh,
            expectation: o.expectation,
            hurdle_rate: o.hurdle_rate,
            cash_usd: o.balances.cash_usd,
            treasury_btc: o.balances.treasury_btc,
            debt_usd: o.balances.debt_usd,
            credit_limit_usd: o.balances.credit_limit_usd,
            blocks_won: o.blocks_won,
            revenue_btc: o.revenue.to_btc(),
            btc_sold: o.btc_sold,
            power_cost_usd: o.power_cost_usd,
            ai_revenue_usd: o.ai_revenue_usd,
        }
    })
}

/// Streams operators' actions into `events.csv`.
pub struct EventSink(pub CsvSink);

impl Observer for EventSink {
    fn on_day(&mut self, _: &DayRow) -> Result<()> {
        Ok(())
    }

    fn on_event(&mut self, e: &crate::engine::world::LogEvent) -> Result<()> {
        self.0.write(e)
    }
}
