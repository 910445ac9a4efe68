//! The observer side of the engine's hook: turns the engine's views into day rows and hands
//! them, with the operators' actions, to an [`Observer`]. It keeps the observation state that
//! lives from day to day (the ranking of operator groups), so it must see the days in order.

use super::day::{end_of_day, start_of_day, Ranks};
use super::observer::Observer;
use super::pools::pool_rows;
use super::row::DayRow;
use super::supply::supply_rows;
use crate::engine::hook::{DayEnd, DayStart, Hook};
use crate::engine::World;
use crate::error::Result;

/// Builds each day's row from the engine's views and streams it to `observer`.
pub struct Recorder<'o> {
    observer: &'o mut dyn Observer,
    ranks: Ranks,
    /// Today's row between the day's start and its end.
    open: Option<DayRow>,
}

impl<'o> Recorder<'o> {
    pub fn new(observer: &'o mut dyn Observer) -> Recorder<'o> {
        Recorder { observer, ranks: Ranks::default(), open: None }
    }
}

impl Hook for Recorder<'_> {
    fn day_start(&mut self, view: &DayStart<'_>) -> Result<()> {
        for e in view.events {
            self.observer.on_event(e)?;
        }
        let row = start_of_day(view, &mut self.ranks);
        let w = view.world;
        self.observer.on_pools(&pool_rows(&row, view.census, &w.population.pools, &w.population.jurisdictions))?;
        let supply = supply_rows(&row, &w.supply);
        if !supply.is_empty() {
            self.observer.on_supply(&supply)?;
        }
        self.open = Some(row);
        Ok(())
    }

    fn day_end(&mut self, end: &DayEnd) -> Result<()> {
        let Some(mut row) = self.open.take() else {
            return Ok(());
        };
        end_of_day(&mut row, end);
        self.observer.on_day(&row)
    }
}

/// Builds replicate `replicate` of a scenario and runs it, streaming its rows and events to
/// `observer`; returns the final world (for `operators.csv`).
pub fn run_replicate(
    loaded: &crate::scenario::LoadedScenario,
    replicate: u32,
    observer: &mut dyn Observer,
) -> Result<World> {
    crate::engine::run_replicate(loaded, replicate, &mut Recorder::new(observer))
}
