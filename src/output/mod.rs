//! Writers: CSV tables and the JSON manifest, each written atomically. They write the rows
//! they are handed (`observe::DayRow`, `observe::OperatorRow`, `observe::LogEvent`), never
//! read the world.

pub mod atomic;
pub mod cleanup;
pub mod lock;
pub mod manifest;
pub mod stage;

use crate::error::{Error, Result};
use crate::observe::{DayRow, LogEvent, Observer, PoolRow, SupplyRow};
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

/// Streams each day's pool rows into `pools.csv`.
pub struct PoolSink(pub CsvSink);

impl Observer for PoolSink {
    fn on_day(&mut self, _: &DayRow) -> Result<()> {
        Ok(())
    }

    fn on_pools(&mut self, rows: &[PoolRow]) -> Result<()> {
        rows.iter().try_for_each(|r| self.0.write(r))
    }
}

/// Streams the supply curve's snapshots into `supply.csv`.
pub struct SupplySink(pub CsvSink);

impl Observer for SupplySink {
    fn on_day(&mut self, _: &DayRow) -> Result<()> {
        Ok(())
    }

    fn on_supply(&mut self, rows: &[SupplyRow]) -> Result<()> {
        rows.iter().try_for_each(|r| self.0.write(r))
    }
}

/// Streams operators' actions into `events.csv`.
pub struct EventSink(pub CsvSink);

impl Observer for EventSink {
    fn on_day(&mut self, _: &DayRow) -> Result<()> {
        Ok(())
    }

    fn on_event(&mut self, e: &LogEvent) -> Result<()> {
        self.0.write(e)
    }
}
