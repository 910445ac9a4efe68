//! Writers: CSV tables and the JSON manifest, each written atomically.

pub mod atomic;
pub mod manifest;

use crate::engine::observe::{DayRow, Observer};
use crate::engine::World;
use crate::error::{Error, Result};
use atomic::AtomicFile;
use serde::Serialize;
use std::path::Path;

/// Streams day rows into a CSV file as the run goes (memory stays flat).
pub struct CsvSink {
    writer: csv::Writer<AtomicFile>,
}

impl CsvSink {
    pub fn create(dest: &Path) -> Result<CsvSink> {
        Ok(CsvSink { writer: csv::Writer::from_writer(AtomicFile::create(dest)?) })
    }

    pub fn write<T: Serialize>(&mut self, row: &T) -> Result<()> {
        let dest = self.writer.get_ref().path().to_path_buf();
        self.writer.serialize(row).map_err(|e| csv_error(&dest, e))
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

/// One row of `miners.csv`: a miner's state at the end of the run.
#[derive(Debug, Clone, Serialize)]
pub struct MinerRow {
    pub replicate: u32,
    pub miner_id: usize,
    pub name: String,
    pub jurisdiction: String,
    pub hashrate_th_s: f64,
    pub efficiency_j_per_th: f64,
    pub power_usd_per_kwh: f64,
    pub state: &'static str,
    pub days_mining: u32,
    pub blocks_won: u32,
    pub revenue_btc: f64,
    pub power_cost_usd: f64,
}

/// The final state of every miner of `world`.
pub fn miner_rows(world: &World) -> impl Iterator<Item = MinerRow> + '_ {
    let p = &world.population;
    p.miners.iter().enumerate().map(move |(i, m)| MinerRow {
        replicate: world.replicate,
        miner_id: i,
        name: p.name(i),
        jurisdiction: p.jurisdictions[m.jurisdiction as usize].clone(),
        hashrate_th_s: m.hashrate_th_s,
        efficiency_j_per_th: m.efficiency_j_per_th,
        power_usd_per_kwh: m.power_usd_per_kwh,
        state: m.state.as_str(),
        days_mining: m.days_mining,
        blocks_won: m.blocks_won,
        revenue_btc: m.revenue.to_btc(),
        power_cost_usd: m.power_cost_usd,
    })
}
