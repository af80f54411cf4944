//! The retained events: bounded by count and by bytes, oldest dropped first. Between them sit
//! seam rows that mark where a watch started (a new pipeline, scope or options), where the
//! same watch went on after an outage, where the list was cleared. `--keep` counts events, not
//! seams: a replay's seam row is kept beside as many events as `--keep` says. Seams are few
//! and small (one per watch started, outage or clear); `MOST_SEAMS` bounds them all the same.

use std::collections::{HashMap, VecDeque};

use bson::RawDocument;

use crate::event::ChangeEvent;

mod keep;
pub use keep::{Keep, DEFAULT_MAX_EVENTS};

/// The most seam rows kept: beyond, the oldest rows go, whatever they are.
const MOST_SEAMS: usize = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Event(ChangeEvent),
    /// Something happened between the events here; the text says what.
    Seam(Seam),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Seam {
    pub kind: SeamKind,
    pub text: String,
}

/// What happened at a seam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeamKind {
    /// A watch started: the events after it came from it.
    Watch,
    /// The same watch went on, from where it had got to, after the server was gone a while.
    Resumed,
    /// The rows before it were cleared; the same watch went on.
    Cleared,
    /// A recording's events follow.
    Recording,
}

impl Row {
    pub fn seam(kind: SeamKind, text: impl Into<String>) -> Row {
        Row::Seam(Seam {
            kind,
            text: text.into(),
        })
    }

    pub fn event(&self) -> Option<&ChangeEvent> {
        match self {
            Row::Event(event) => Some(event),
            Row::Seam(_) => None,
        }
    }

    /// The bytes it counts for against `--keep`: an event's BSON; a seam none.
    fn size(&self) -> usize {
        self.event().map_or(0, ChangeEvent::size)
    }
}

#[derive(Debug)]
pub struct EventStore {
    rows: VecDeque<Row>,
    bytes: usize,
    keep: Keep,
    dropped: u64,
    /// Seam rows retained.
    seams: usize,
    /// Events retained per namespace, kept as rows come and go so that asking costs nothing:
    /// by the bytes of the event's `ns` document (looked up without building a string for
    /// every event), with its `db.coll` name.
    namespaces: HashMap<Box<[u8]>, (usize, String)>,
    /// Rows (events and seams) dropped from the front so far.
    removed: u64,
    /// Whether the last events dropped went for the size bound, not the count.
    dropped_by_bytes: bool,
}

impl EventStore {
    pub fn new(max_events: usize, max_bytes: usize) -> Self {
        EventStore::keeping(Keep {
            events: max_events.max(1),
            bytes: max_bytes,
            ..Keep::default()
        })
    }

    pub fn keeping(keep: Keep) -> Self {
        EventStore {
            rows: VecDeque::new(),
            bytes: 0,
            keep,
            dropped: 0,
            seams: 0,
            namespaces: HashMap::new(),
            removed: 0,
            dropped_by_bytes: false,
        }
    }

    /// The events retained, oldest first.
    pub fn into_events(self) -> Vec<ChangeEvent> {
        self.rows
            .into_iter()
            .filter_map(|row| match row {
                Row::Event(event) => Some(event),
                Row::Seam(_) => None,
            })
            .collect()
    }

    /// Forgets every row (the count of events dropped for room stays). The cleared rows'
    /// numbers are not given again: a search holds rows by number.
    pub fn clear(&mut self) {
        self.removed += self.rows.len() as u64;
        self.rows.clear();
        self.bytes = 0;
        self.seams = 0;
        self.namespaces.clear();
    }

    /// Appends a row; returns how many old rows were dropped to make room, so that positions
    /// held elsewhere can be shifted.
    pub fn push(&mut self, row: Row) -> usize {
        self.bytes += row.size();
        self.seams += usize::from(matches!(row, Row::Seam(_)));
        if let Some(event) = row.event() {
            self.count_namespace(event);
        }
        self.rows.push_back(row);
        let mut removed = 0;
        while self.keep.exceeded(self.event_count(), self.bytes) || self.seams > MOST_SEAMS {
            self.dropped_by_bytes =
                self.event_count() <= self.keep.events && self.bytes > self.keep.bytes;
            if let Some(old) = self.rows.pop_front() {
                self.bytes -= old.size();
                removed += 1;
                self.removed += 1;
                match old {
                    Row::Event(event) => {
                        self.dropped += 1;
                        self.forget_namespace(&event);
                    }
                    Row::Seam(_) => self.seams -= 1,
                }
            }
        }
        removed
    }

    fn count_namespace(&mut self, event: &ChangeEvent) {
        let Some(key) = namespace_key(event) else {
            return;
        };
        match self.namespaces.get_mut(key) {
            Some((count, _)) => *count += 1,
            None => {
                let name = event.namespace().unwrap_or_default();
                self.namespaces.insert(key.into(), (1, name));
            }
        }
    }

    fn forget_namespace(&mut self, event: &ChangeEvent) {
        let Some(key) = namespace_key(event) else {
            return;
        };
        if let Some((count, _)) = self.namespaces.get_mut(key) {
            *count -= 1;
            if *count == 0 {
                self.namespaces.remove(key);
            }
        }
    }

    /// The namespace every retained event that has one comes from, if there is exactly one.
    pub fn only_namespace(&self) -> Option<&str> {
        if self.namespaces.len() == 1 {
            self.namespaces
                .values()
                .next()
                .map(|(_, name)| name.as_str())
        } else {
            None
        }
    }

    pub fn push_event(&mut self, event: ChangeEvent) -> usize {
        self.push(Row::Event(event))
    }

    /// Rows (events and seams) retained.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Events retained (rows that are not seams).
    pub fn event_count(&self) -> usize {
        self.rows.len() - self.seams
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<&Row> {
        self.rows.get(index)
    }

    pub fn event(&self, index: usize) -> Option<&ChangeEvent> {
        self.get(index).and_then(Row::event)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Row> + ExactSizeIterator {
        self.rows.iter()
    }

    /// Raw BSON bytes of the events retained.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Events kept at most.
    pub fn max_events(&self) -> usize {
        self.keep.events
    }

    /// What it keeps.
    pub fn keep(&self) -> Keep {
        self.keep
    }

    /// The bound that dropped the last events dropped: "the newest 100,000 events" or
    /// "256 MiB of events".
    pub fn dropping_bound(&self) -> String {
        self.keep.bound(self.dropped_by_bytes)
    }

    /// The number of the oldest retained row: row `i` is number `first_number() + i` for as
    /// long as it is retained, whatever is dropped before it.
    pub fn first_number(&self) -> u64 {
        self.removed
    }

    /// Events dropped to stay within the bounds.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// What the namespace of `event` is counted by: its `ns` document's bytes (events without one,
/// like an invalidate, count for none).
fn namespace_key(event: &ChangeEvent) -> Option<&[u8]> {
    event.ns_document().map(RawDocument::as_bytes)
}

impl Default for EventStore {
    fn default() -> Self {
        EventStore::keeping(Keep::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn event(n: i32) -> ChangeEvent {
        ChangeEvent::from_document(&doc! { "operationType": "insert", "n": n }).unwrap()
    }

    /// The README promises the newest 100,000 events, 256 MiB at most: a default store holds
    /// 2,000 events of 8 KiB (16 MiB) without dropping one.
    #[test]
    fn a_default_store_keeps_megabytes_of_events() {
        let mut store = EventStore::default();
        let big = "x".repeat(8 * 1024);
        for n in 0..2_000 {
            let event = doc! { "operationType": "insert", "n": n, "pad": &big };
            store.push(Row::Event(ChangeEvent::from_document(&event).unwrap()));
        }
        assert_eq!((store.event_count(), store.dropped()), (2_000, 0));
    }

    #[test]
    fn drops_oldest_beyond_the_count() {
        let mut store = EventStore::new(3, usize::MAX);
        for n in 0..5 {
            store.push_event(event(n));
        }
        assert_eq!(store.len(), 3);
        assert_eq!(store.dropped(), 2);
        let first = store.event(0).unwrap().to_document().unwrap();
        assert_eq!(first.get_i32("n").unwrap(), 2);
        assert_eq!(
            store.first_number(),
            2,
            "the oldest retained is the third row pushed"
        );
        store.push(Row::seam(SeamKind::Watch, "restart"));
        store.push_event(event(5));
        assert_eq!(
            store.first_number(),
            3,
            "the seam is numbered but not counted: only event 2 made room"
        );
    }

    #[test]
    fn drops_oldest_beyond_the_bytes_but_keeps_the_newest() {
        let size = event(0).size();
        let mut store = EventStore::new(100, size * 2);
        for n in 0..4 {
            store.push_event(event(n));
        }
        assert_eq!(
            (store.len(), store.dropped(), store.bytes()),
            (2, 2, size * 2)
        );
        let mut tiny = EventStore::new(100, 1);
        tiny.push_event(event(9));
        assert_eq!(
            tiny.len(),
            1,
            "one event larger than the budget is still shown"
        );
    }

    /// `--keep 2` keeps two events: a seam before them is not counted and not dropped for
    /// them; it goes when an event before or at it must.
    #[test]
    fn the_count_is_of_events_not_seams() {
        let mut store = EventStore::keeping(Keep::count(2));
        store.push(Row::seam(SeamKind::Watch, "watching shop"));
        store.push_event(event(1));
        assert_eq!(store.push_event(event(2)), 0);
        assert_eq!(
            (store.len(), store.dropped(), store.event_count()),
            (3, 0, 2)
        );
        assert_eq!(store.push_event(event(3)), 2, "the seam and event 1 go");
        assert_eq!((store.len(), store.dropped()), (2, 1));
        assert!(store.get(0).unwrap().event().is_some());
        assert_eq!(store.dropping_bound(), "the newest 2 events");
    }

    /// Seams are bounded too, by a number of their own.
    #[test]
    fn seams_are_bounded() {
        let mut store = EventStore::keeping(Keep::count(5));
        for _ in 0..MOST_SEAMS + 3 {
            store.push(Row::seam(SeamKind::Cleared, "cleared"));
        }
        assert_eq!(store.len(), MOST_SEAMS);
    }

    #[test]
    fn the_store_says_when_the_size_drops_events() {
        let size = event(0).size();
        let mut store = EventStore::keeping(Keep::size(size * 2));
        for n in 0..3 {
            store.push_event(event(n));
        }
        assert_eq!(store.dropped(), 1);
        assert_eq!(store.dropping_bound(), format!("{} B of events", size * 2));
    }

    fn in_collection(coll: &str) -> Row {
        let event = doc! { "operationType": "insert", "ns": { "db": "shop", "coll": coll } };
        Row::Event(ChangeEvent::from_document(&event).unwrap())
    }

    #[test]
    fn a_store_knows_whether_its_events_come_from_one_namespace() {
        let mut store = EventStore::new(2, usize::MAX);
        assert_eq!(store.only_namespace(), None);
        store.push(in_collection("a"));
        store.push(Row::seam(SeamKind::Watch, "scope shop.b"));
        store.push(in_collection("b"));
        assert_eq!(store.only_namespace(), None, "two namespaces");
        store.push(in_collection("b"));
        assert_eq!(store.only_namespace(), Some("shop.b"), "shop.a dropped");
        store.push_event(event(1));
        assert_eq!(
            store.only_namespace(),
            Some("shop.b"),
            "an event with no namespace (an invalidate) counts for none"
        );
    }

    /// Numbers are never given twice (a search holds rows by number), and the namespaces
    /// counted are those of the rows retained.
    #[test]
    fn clearing_moves_the_numbers_on_and_forgets_the_namespaces() {
        let mut store = EventStore::new(10, usize::MAX);
        store.push(in_collection("a"));
        store.push(in_collection("a"));
        store.clear();
        assert_eq!(store.first_number(), 2, "rows 0 and 1 were cleared");
        store.push(in_collection("b"));
        assert_eq!(store.only_namespace(), Some("shop.b"));
        assert_eq!(store.dropped(), 0, "cleared, not dropped for room");
    }

    #[test]
    fn a_store_counts_its_events_apart_from_its_seams() {
        let mut store = EventStore::new(3, usize::MAX);
        assert!(store.is_empty());
        store.push(Row::seam(SeamKind::Watch, "watching shop"));
        assert!(!store.is_empty());
        store.push_event(event(1));
        assert_eq!((store.len(), store.event_count()), (2, 1));
    }
}
