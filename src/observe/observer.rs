//! Observers: what receives the daily rows and the operators' actions as a run goes (CSV
//! sinks, the summary tally, progress ticks), and [`Tee`] to give one stream to several.

use super::pools::PoolRow;
use super::row::DayRow;
use super::supply::SupplyRow;
use crate::engine::world::LogEvent;
use crate::error::Result;

/// Receives each day's row as soon as the day ends, and operators' actions as they happen.
pub trait Observer {
    fn on_day(&mut self, row: &DayRow) -> Result<()>;

    fn on_event(&mut self, _event: &LogEvent) -> Result<()> {
        Ok(())
    }

    /// Each pool's row of the day, before the day's row.
    fn on_pools(&mut self, _rows: &[PoolRow]) -> Result<()> {
        Ok(())
    }

    /// The supply curve's rows on snapshot days, before the day's row.
    fn on_supply(&mut self, _rows: &[SupplyRow]) -> Result<()> {
        Ok(())
    }
}

/// Keeps every row in memory (tests, small runs).
#[derive(Debug, Default)]
pub struct Collect(pub Vec<DayRow>);

impl Observer for Collect {
    fn on_day(&mut self, row: &DayRow) -> Result<()> {
        self.0.push(row.clone());
        Ok(())
    }
}

/// Forwards each row to two observers.
pub struct Tee<'a, 'b>(pub &'a mut dyn Observer, pub &'b mut dyn Observer);

impl Observer for Tee<'_, '_> {
    fn on_day(&mut self, row: &DayRow) -> Result<()> {
        self.0.on_day(row)?;
        self.1.on_day(row)
    }

    fn on_event(&mut self, event: &LogEvent) -> Result<()> {
        self.0.on_event(event)?;
        self.1.on_event(event)
    }

    fn on_pools(&mut self, rows: &[PoolRow]) -> Result<()> {
        self.0.on_pools(rows)?;
        self.1.on_pools(rows)
    }

    fn on_supply(&mut self, rows: &[SupplyRow]) -> Result<()> {
        self.0.on_supply(rows)?;
        self.1.on_supply(rows)
    }
}
