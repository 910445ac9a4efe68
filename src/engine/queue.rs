//! The event queue: a binary heap ordered by (time, class, insertion sequence), so events at
//! the same instant run in a fixed, documented order whatever the heap does internally.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Simulated time in seconds since the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct SimTime(f64);

impl SimTime {
    pub fn new(seconds: f64) -> SimTime {
        SimTime(seconds)
    }

    pub fn from_days(days: u32) -> SimTime {
        SimTime(days as f64 * crate::units::SECONDS_PER_DAY)
    }

    pub fn seconds(self) -> f64 {
        self.0
    }
}

/// What happens. The class (same-time order) is given by [`Event::class`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Day `d` begins: close day `d-1`'s row, move the market to day `d`.
    DayStart(u32),
    /// A scheduled scenario effect (index into the run's schedule).
    Scheduled(usize),
    /// Miners decide for day `d` on the market they observe after the day's shocks.
    Decide(u32),
    /// The pending block is found, if its token is still the current one (a rate change
    /// re-draws the pending block and bumps the token).
    BlockFound { token: u64 },
}

impl Event {
    /// Same-time order: day start, then scheduled shocks, then decisions, then blocks.
    pub fn class(&self) -> u8 {
        match self {
            Event::DayStart(_) => 0,
            Event::Scheduled(_) => 1,
            Event::Decide(_) => 2,
            Event::BlockFound { .. } => 3,
        }
    }
}

#[derive(Debug)]
struct Entry {
    time: SimTime,
    class: u8,
    seq: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so the max-heap pops the earliest (time, class, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.time.0.total_cmp(&self.time.0).then(other.class.cmp(&self.class)).then(other.seq.cmp(&self.seq))
    }
}

/// A priority queue of timestamped events.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    next_seq: u64,
}

impl EventQueue {
    pub fn push(&mut self, time: SimTime, event: Event) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, class: event.class(), seq, event });
    }

    pub fn pop(&mut self) -> Option<(SimTime, Event)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_time_order_is_class_then_insertion() {
        let mut q = EventQueue::default();
        let t = SimTime(86_400.0);
        q.push(t, Event::BlockFound { token: 1 });
        q.push(t, Event::Decide(1));
        q.push(t, Event::Scheduled(7));
        q.push(t, Event::Scheduled(3));
        q.push(t, Event::DayStart(1));
        q.push(SimTime(10.0), Event::BlockFound { token: 0 });
        let order: Vec<Event> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(
            order,
            vec![
                Event::BlockFound { token: 0 },
                Event::DayStart(1),
                Event::Scheduled(7),
                Event::Scheduled(3),
                Event::Decide(1),
                Event::BlockFound { token: 1 },
            ]
        );
    }
}
