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
    /// The records not yet handed to the file, handed over in chunks of about [`CHUNK`] bytes
    /// (reused).
    pending: Vec<u8>,
    rows: u64,
}

/// Bytes of records gathered before they are handed to the file. A chunk as large as the
/// file's buffer (`AtomicFile`'s, 64 KiB) passes through it to the kernel, so a record's bytes
/// are copied once, not again into that buffer, and the file is called once a chunk, not once
/// a record (a million rows in `operators.csv` at a million miners).
const CHUNK: usize = 1 << 16;

impl CsvSink {
    pub fn create(dest: &Path) -> Result<CsvSink> {
        Ok(CsvSink::on(AtomicFile::create(dest)?))
    }

    /// A table inside a staged folder, synced with the folder ([`AtomicFile::create_staged`]).
    pub fn create_staged(dest: &Path) -> Result<CsvSink> {
        Ok(CsvSink::on(AtomicFile::create_staged(dest)?))
    }

    fn on(file: AtomicFile) -> CsvSink {
        CsvSink { file, pending: Vec::with_capacity(CHUNK + (1 << 12)), rows: 0 }
    }

    pub fn write<T: Serialize>(&mut self, row: &T) -> Result<()> {
        let start = self.pending.len();
        let written = match self.rows {
            0 => {
                record::write_header(&mut self.pending, row).and_then(|()| record::write_record(&mut self.pending, row))
            }
            _ => record::write_record(&mut self.pending, row),
        };
        if let Err(e) = written {
            // No part of a record that could not be written is kept.
            self.pending.truncate(start);
            return Err(self.row_error(e));
        }
        self.rows += 1;
        if self.pending.len() >= CHUNK {
            self.hand_over()?;
        }
        Ok(())
    }

    /// Hands the gathered records to the file.
    fn hand_over(&mut self) -> Result<()> {
        self.file.write_all(&self.pending).map_err(|e| Error::write(self.file.path(), e))?;
        self.pending.clear();
        Ok(())
    }

    fn row_error(&self, e: record::RecordError) -> Error {
        Error::Other(format!("cannot write {}: {e}", self.file.path().display()))
    }

    /// As [`CsvSink::commit`], but writes `T`'s header first if no row was written (so an
    /// empty table still names its columns).
    pub fn commit_with_header<T: Serialize + Default>(mut self) -> Result<std::path::PathBuf> {
        if self.rows == 0 {
            record::write_header(&mut self.pending, &T::default()).map_err(|e| self.row_error(e))?;
        }
        self.commit()
    }

    /// Flushes and moves the file into place.
    pub fn commit(mut self) -> Result<std::path::PathBuf> {
        self.hand_over()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Row {
        day: u32,
        value_usd: f64,
    }

    /// A row whose second field a CSV record cannot hold (a sequence): writing it fails after
    /// its first field is written.
    #[derive(Serialize)]
    struct Bad {
        day: u32,
        list: Vec<u32>,
    }

    /// Rows over several chunks, a failing row among them: the file holds the header once and
    /// every good record in order, the bytes `record` writes for each. Catches the last chunk
    /// left unwritten at commit, a chunk handed over twice, and a failed record's first fields
    /// left in the file.
    #[test]
    fn chunks_hold_every_record_once_and_no_failed_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dest = dir.path().join("t.csv");
        let mut sink = CsvSink::create(&dest).expect("sink");
        let mut want = Vec::new();
        let rows = 3 * CHUNK / 10;
        for day in 0..rows as u32 {
            let row = Row { day, value_usd: f64::from(day) / 7.0 };
            if day == 0 {
                record::write_header(&mut want, &row).expect("header");
            }
            record::write_record(&mut want, &row).expect("record");
            sink.write(&row).expect("written");
            if day == 5 {
                assert!(sink.write(&Bad { day: 99, list: vec![1] }).is_err());
            }
        }
        assert!(want.len() > 2 * CHUNK, "several chunks");
        sink.commit().expect("committed");
        assert_eq!(std::fs::read(&dest).expect("read"), want);
    }
}
