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
    /// The pending block, kept out of the heap: only the latest block drawn is ever found (a
    /// new draw makes the last stale), so one slot replaces a heap push and pop per block and
    /// the stale draws that used to wait in the heap.
    block: Option<Entry>,
}

impl EventQueue {
    pub fn push(&mut self, time: SimTime, event: Event) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, class: event.class(), seq, event });
    }

    /// Sets the pending block (found at `at`, if any), replacing the one pending: it pops in
    /// its place in the (time, class, sequence) order as if pushed now.
    pub fn set_block(&mut self, at: Option<SimTime>, token: u64) {
        self.block = at.map(|time| {
            let seq = self.next_seq;
            self.next_seq += 1;
            let event = Event::BlockFound { token };
            Entry { time, class: event.class(), seq, event }
        });
    }

    pub fn pop(&mut self) -> Option<(SimTime, Event)> {
        // `Entry`'s order is reversed: the greater pops first.
        let block_first = match (&self.block, self.heap.peek()) {
            (Some(b), Some(h)) => b > h,
            (block, _) => block.is_some(),
        };
        let next = if block_first { self.block.take() } else { self.heap.pop() };
        next.map(|e| (e.time, e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len() + usize::from(self.block.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    /// The engine's use of the block slot against the heap it replaced: after each event a
    /// block may be re-drawn (at or after that instant, possibly exactly on a day boundary) or
    /// withdrawn (a zero rate); the heap keeps every draw and the engine skips the stale ones.
    /// Both must yield the same live events in the same order. Catches a slot compared the
    /// wrong way round (a block before or after the day's events at the same instant) and a
    /// withdrawn block that still pops.
    #[test]
    fn the_block_slot_pops_as_the_heap_would() {
        let day = 86_400.0;
        let (mut slot, mut heap) = (EventQueue::default(), EventQueue::default());
        for q in [&mut slot, &mut heap] {
            for d in 0..200u32 {
                q.push(SimTime::from_days(d), Event::DayStart(d));
                q.push(SimTime::from_days(d), Event::Decide(d));
            }
        }
        let mut state = 0x1234_5678_9abc_def1u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut token, mut live) = (0u64, None);
        let (mut from_slot, mut from_heap) = (Vec::new(), Vec::new());
        loop {
            let a = slot.pop();
            let mut b = heap.pop();
            while let Some((_, Event::BlockFound { token: t })) = b {
                if Some(t) == live {
                    break;
                }
                b = heap.pop(); // stale: the engine ignores it
            }
            let (Some(a), Some(b)) = (a, b) else {
                assert_eq!(a.is_some(), b.is_some());
                break;
            };
            if let (_, Event::BlockFound { .. }) = a {
                live = None;
            }
            from_slot.push((a.0 .0.to_bits(), a.1));
            from_heap.push((b.0 .0.to_bits(), b.1));
            let now = a.0 .0;
            match next() % 4 {
                0 => {}
                1 => {
                    token += 1;
                    slot.set_block(None, token);
                    live = None;
                }
                k => {
                    token += 1;
                    // On the next day boundary, or a moment later.
                    let at = if k == 2 { ((now / day).floor() + 1.0) * day } else { now + (next() % 20_000) as f64 };
                    slot.set_block(Some(SimTime::new(at)), token);
                    heap.push(SimTime::new(at), Event::BlockFound { token });
                    live = Some(token);
                }
            }
        }
        assert!(from_slot.iter().filter(|(_, e)| matches!(e, Event::BlockFound { .. })).count() > 50);
        assert_eq!(from_slot, from_heap);
    }
}
