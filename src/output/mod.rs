//! Writers: CSV tables and the JSON manifest, each written atomically. They write the rows
//! they are handed (`observe::DayRow`, `observe::OperatorRow`, `observe::LogEvent`), never
//! read the world.

pub mod atomic;
pub mod cleanup;
pub mod lock;
pub mod manifest;
pub mod record;
pub mod stage;

use crate::error::{Error, Result};
use crate::observe::{DayRow, LogEvent, Observer, PoolRow, SupplyRow};
use atomic::AtomicFile;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Streams rows into a CSV file as the run goes (memory stays flat): the header before the
/// first row, then a record per row ([`record`]: the bytes of the `csv` crate's defaults).
pub struct CsvSink {
    file: AtomicFile,
    /// One record's bytes (reused).
    line: Vec<u8>,
    rows: u64,
}

impl CsvSink {
    pub fn create(dest: &Path) -> Result<CsvSink> {
        Ok(CsvSink::on(AtomicFile::create(dest)?))
    }

    /// A table inside a staged folder, synced with the folder ([`AtomicFile::create_staged`]).
    pub fn create_staged(dest: &Path) -> Result<CsvSink> {
        Ok(CsvSink::on(AtomicFile::create_staged(dest)?))
    }

    fn on(file: AtomicFile) -> CsvSink {
        CsvSink { file, line: Vec::with_capacity(1 << 12), rows: 0 }
    }

    pub fn write<T: Serialize>(&mut self, row: &T) -> Result<()> {
        self.line.clear();
        if self.rows == 0 {
            record::write_header(&mut self.line, row).map_err(|e| self.row_error(e))?;
        }
        record::write_record(&mut self.line, row).map_err(|e| self.row_error(e))?;
        self.rows += 1;
        self.file.write_all(&self.line).map_err(|e| Error::write(self.file.path(), e))
    }

    fn row_error(&self, e: record::RecordError) -> Error {
        Error::Other(format!("cannot write {}: {e}", self.file.path().display()))
    }

    /// As [`CsvSink::commit`], but writes `T`'s header first if no row was written (so an
    /// empty table still names its columns).
    pub fn commit_with_header<T: Serialize + Default>(mut self) -> Result<std::path::PathBuf> {
        if self.rows == 0 {
            self.line.clear();
            record::write_header(&mut self.line, &T::default()).map_err(|e| self.row_error(e))?;
            self.file.write_all(&self.line).map_err(|e| Error::write(self.file.path(), e))?;
        }
        self.commit()
    }

    /// Flushes and moves the file into place.
    pub fn commit(self) -> Result<std::path::PathBuf> {
        self.file.commit()
    }
}

impl Observer for CsvSink {
    fn on_day(&mut self, row: &DayRow) -> Result<()> {
        self.write(row)
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
