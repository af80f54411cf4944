//! The retained events: bounded by count and by bytes, oldest dropped first.

use std::collections::VecDeque;

use crate::event::ChangeEvent;

pub const DEFAULT_MAX_EVENTS: usize = 100_000;
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug)]
pub struct EventStore {
    events: VecDeque<ChangeEvent>,
    bytes: usize,
    max_events: usize,
    max_bytes: usize,
    dropped: u64,
}

impl EventStore {
    pub fn new(max_events: usize, max_bytes: usize) -> Self {
        EventStore {
            events: VecDeque::new(),
            bytes: 0,
            max_events: max_events.max(1),
            max_bytes,
            dropped: 0,
        }
    }

    pub fn push(&mut self, event: ChangeEvent) {
        self.bytes += event.size();
        self.events.push_back(event);
        while self.events.len() > self.max_events
            || (self.bytes > self.max_bytes && self.events.len() > 1)
        {
            if let Some(old) = self.events.pop_front() {
                self.bytes -= old.size();
                self.dropped += 1;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<&ChangeEvent> {
        self.events.get(index)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &ChangeEvent> {
        self.events.iter()
    }

    /// Raw BSON bytes retained.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Events dropped to stay within the bounds.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

impl Default for EventStore {
    fn default() -> Self {
        EventStore::new(DEFAULT_MAX_EVENTS, DEFAULT_MAX_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn event(n: i32) -> ChangeEvent {
        ChangeEvent::from_document(&doc! { "operationType": "insert", "n": n }).unwrap()
    }

    #[test]
    fn drops_oldest_beyond_the_count() {
        let mut store = EventStore::new(3, usize::MAX);
        for n in 0..5 {
            store.push(event(n));
        }
        assert_eq!(store.len(), 3);
        assert_eq!(store.dropped(), 2);
        let first = store.get(0).unwrap().to_document().unwrap();
        assert_eq!(first.get_i32("n").unwrap(), 2);
    }

    #[test]
    fn drops_oldest_beyond_the_bytes_but_keeps_the_newest() {
        let size = event(0).size();
        let mut store = EventStore::new(100, size * 2);
        for n in 0..4 {
            store.push(event(n));
        }
        assert_eq!(
            (store.len(), store.dropped(), store.bytes()),
            (2, 2, size * 2)
        );
        let mut tiny = EventStore::new(100, 1);
        tiny.push(event(9));
        assert_eq!(
            tiny.len(),
            1,
            "one event larger than the budget is still shown"
        );
    }
}
