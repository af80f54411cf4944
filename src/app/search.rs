//! Searching the retained events for a text: which events hold it (in a field's name or in
//! a value, as the detail view shows it), which field, and where (for highlighting).
//!
//! A search looks at a bounded number of rows per step ([`STEP`]), so the keys are read between
//! steps however many events are retained. It starts at the row after the selection, goes to
//! the newest, then from the oldest round to the selection, so the first match it finds is
//! the one `n` would go to. Rows that arrive later are looked at as they come.

use std::borrow::Cow;
use std::ops::Range;

use bson::{RawBsonRef, RawDocument};

use crate::event::ChangeEvent;
use crate::format::mongosh;
use crate::nesting::MAX_DEPTH;
use crate::store::EventStore;

/// Rows looked at in one step: 6–9 ms of work for events of 350 bytes (`cargo bench --bench
/// tui_render`), well within a frame.
pub const STEP: usize = 1_000;

/// Bytes of events looked at in one step, at most: a step of large events stays short too.
const STEP_BYTES: usize = 1 << 20;

/// The text searched for, with smart case: case-insensitive unless it has capitals.
#[derive(Debug, Clone, PartialEq)]
pub struct Needle {
    /// Folded (lower case) when the case is ignored.
    text: String,
    /// Its length in characters.
    chars: usize,
    ignore_case: bool,
}

impl Needle {
    pub fn new(text: &str) -> Needle {
        let ignore_case = !text.chars().any(char::is_uppercase);
        let mut needle = Needle {
            text: String::new(),
            chars: text.chars().count(),
            ignore_case,
        };
        needle.text = needle.folded(text).into_owned();
        needle
    }

    /// `text` as compared: lower case when the case is ignored, one character to one, so that
    /// character offsets stay those of `text`.
    fn folded<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let fold = |c: char| {
            if c.is_ascii() {
                c.to_ascii_lowercase()
            } else {
                c.to_lowercase().next().unwrap_or(c)
            }
        };
        if self.ignore_case && text.chars().any(|c| fold(c) != c) {
            Cow::Owned(text.chars().map(fold).collect())
        } else {
            Cow::Borrowed(text)
        }
    }

    pub fn is_in(&self, text: &str) -> bool {
        if self.text.is_empty() {
            return false;
        }
        // ASCII text needs no folded copy (a search looks at every field of every event).
        if self.ignore_case && text.is_ascii() && self.text.len() <= CHUNK / 2 {
            return contains_folded_ascii(text.as_bytes(), &self.text);
        }
        self.folded(text).contains(&self.text)
    }

    /// Where the needle is in `text`, in characters, without overlaps.
    pub fn find_all(&self, text: &str) -> Vec<Range<usize>> {
        if self.text.is_empty() {
            return Vec::new();
        }
        let text = self.folded(text);
        let mut found = Vec::new();
        // Characters before byte `at`, counted on from the previous match.
        let (mut at, mut chars) = (0, 0);
        for (byte, _) in text.match_indices(self.text.as_str()) {
            chars += text[at..byte].chars().count();
            at = byte;
            found.push(chars..chars + self.chars);
        }
        found
    }
}

/// ASCII text is lowercased this much at a time, on the stack, for [`contains_folded_ascii`].
const CHUNK: usize = 4096;

/// Whether ASCII `text`, lowercased, holds `needle` (lower case, at most `CHUNK / 2` bytes):
/// lowercased a chunk at a time into a buffer on the stack, the chunks overlapping by the
/// needle's length less one so that a match across two is found, and searched with `str`'s
/// linear search (comparing every window in place takes the text's length times the
/// needle's). Short text, where that product is small, is compared in place, saving the copy.
fn contains_folded_ascii(text: &[u8], needle: &str) -> bool {
    if text.len() <= SHORT {
        return text
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()));
    }
    let mut buffer = [0u8; CHUNK];
    let mut start = 0;
    loop {
        let end = text.len().min(start + CHUNK);
        let chunk = &mut buffer[..end - start];
        chunk.copy_from_slice(&text[start..end]);
        chunk.make_ascii_lowercase();
        // ASCII, so always text.
        if std::str::from_utf8(chunk).is_ok_and(|chunk| chunk.contains(needle)) {
            return true;
        }
        if end == text.len() {
            return false;
        }
        start = end - (needle.len() - 1);
    }
}

/// Text up to this long is compared in place by [`contains_folded_ascii`]: a field value's
/// usual size, where every window costs at most this squared.
const SHORT: usize = 128;

/// The field of `event` whose name or value holds the needle, first in document order, as a
/// dotted path (`fullDocumentBeforeChange.status`).
pub fn field(event: &ChangeEvent, needle: &Needle) -> Option<String> {
    let mut path = find(event.raw(), false, needle, 0)?;
    path.reverse();
    Some(path.join("."))
}

/// The path to the first match in `doc`, innermost key first. Fields [`MAX_DEPTH`] levels
/// down are not searched: nothing walks deeper.
fn find(doc: &RawDocument, array: bool, needle: &Needle, depth: usize) -> Option<Vec<String>> {
    for (key, value) in doc.iter().filter_map(Result::ok) {
        // An array's keys are its indexes: not names anyone searches for.
        if !array && needle.is_in(key) {
            return Some(vec![key.to_string()]);
        }
        let inner = match value {
            RawBsonRef::Document(inner) => Some((inner, false)),
            RawBsonRef::Array(inner) => RawDocument::from_bytes(inner.as_bytes())
                .ok()
                .map(|inner| (inner, true)),
            _ => None,
        };
        let found = match inner {
            Some((inner, array)) if depth < MAX_DEPTH => find(inner, array, needle, depth + 1),
            Some(_) => None,
            None => {
                let hit = match value {
                    RawBsonRef::String(text) => needle.is_in(text),
                    other => needle.is_in(&mongosh::inline(other, usize::MAX)),
                };
                hit.then(Vec::new)
            }
        };
        if let Some(mut path) = found {
            path.push(key.to_string());
            return Some(path);
        }
    }
    None
}

/// A search and what it has found so far. Rows are counted by their number in the store
/// ([`EventStore::first_number`]), which does not move when old rows are dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub query: String,
    pub needle: Needle,
    /// The row the search started at: the one after the selection.
    start: u64,
    /// The next row to look at from `start` on; it catches up with the newest row, then
    /// with each row that arrives.
    ahead: u64,
    /// The next row to look at before `start`, from the oldest.
    behind: u64,
    /// Matching rows before `start`, and from `start` on, each in order.
    before: Vec<u64>,
    after: Vec<u64>,
    /// The first look is over: the search went to the first match it found, or found none.
    /// Later matches are counted, not gone to.
    pub settled: bool,
}

impl Search {
    /// A search for `query` starting after row `selected`.
    pub fn new(query: &str, store: &EventStore, selected: usize) -> Search {
        let first = store.first_number();
        let start = (first + selected as u64 + 1).min(first + store.len() as u64);
        Search {
            query: query.to_string(),
            needle: Needle::new(query),
            start,
            ahead: start,
            behind: first,
            before: Vec::new(),
            after: Vec::new(),
            settled: false,
        }
    }

    /// Looks at up to `rows` rows (and [`STEP_BYTES`]); returns the first match found, if any.
    pub fn step(&mut self, store: &EventStore, rows: usize) -> Option<u64> {
        let first = store.first_number();
        let end = first + store.len() as u64;
        for matches in [&mut self.before, &mut self.after] {
            let gone = matches.partition_point(|&row| row < first);
            matches.drain(..gone);
        }
        self.behind = self.behind.max(first);
        self.ahead = self.ahead.max(first);
        let needle = &self.needle;
        // Whether the row holds the needle, and its size.
        let look = |row: u64| match store.event((row - first) as usize) {
            Some(event) => (field(event, needle).is_some(), event.size()),
            None => (false, 0),
        };
        let (mut looked, mut bytes) = (0, 0);
        let mut found = None;
        while looked < rows && bytes < STEP_BYTES && self.ahead < end {
            let (hit, size) = look(self.ahead);
            if hit {
                self.after.push(self.ahead);
                found = found.or(Some(self.ahead));
            }
            self.ahead += 1;
            (looked, bytes) = (looked + 1, bytes + size);
        }
        while looked < rows && bytes < STEP_BYTES && self.behind < self.start {
            let (hit, size) = look(self.behind);
            if hit {
                self.before.push(self.behind);
                found = found.or(Some(self.behind));
            }
            self.behind += 1;
            (looked, bytes) = (looked + 1, bytes + size);
        }
        found
    }

    /// Rows are left to look at.
    pub fn scanning(&self, store: &EventStore) -> bool {
        let first = store.first_number();
        self.ahead < first + store.len() as u64 || self.behind.max(first) < self.start
    }

    /// The share of the retained rows looked at, in percent.
    pub fn progress(&self, store: &EventStore) -> u64 {
        let first = store.first_number();
        let ahead = self.ahead.saturating_sub(self.start.max(first));
        let behind = self.behind.max(first).min(self.start).saturating_sub(first);
        ((ahead + behind) * 100 / (store.len() as u64).max(1)).min(100)
    }

    /// The retained matches, oldest first.
    fn retained(&self, first: u64) -> impl Iterator<Item = u64> + '_ {
        self.before
            .iter()
            .chain(&self.after)
            .copied()
            .filter(move |&row| row >= first)
    }

    /// Matches retained.
    pub fn count(&self, store: &EventStore) -> usize {
        self.retained(store.first_number()).count()
    }

    /// Which match (from 1) row `index` is, if it is one.
    pub fn position(&self, store: &EventStore, index: usize) -> Option<usize> {
        let row = store.first_number() + index as u64;
        self.retained(store.first_number())
            .position(|r| r == row)
            .map(|n| n + 1)
    }

    /// The index of the next match after row `index` (or before it, going back), round the
    /// ends; None when there is none yet.
    pub fn next(&self, store: &EventStore, index: usize, forward: bool) -> Option<usize> {
        let first = store.first_number();
        let row = first + index as u64;
        let all: Vec<u64> = self.retained(first).collect();
        let found = if forward {
            all.iter().find(|&&r| r > row).or(all.first())
        } else {
            all.iter().rev().find(|&&r| r < row).or(all.last())
        };
        found.map(|&r| (r - first) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Row;
    use bson::doc;

    fn event(doc: bson::Document) -> ChangeEvent {
        ChangeEvent::from_document(&doc).unwrap()
    }

    #[test]
    fn ascii_text_longer_than_a_chunk_is_searched_across_the_chunks() {
        let needle = Needle::new("needle");
        for at in [0, 100, CHUNK - 3, CHUNK, 2 * CHUNK - 10, 3 * CHUNK - 6] {
            let mut text = "x".repeat(3 * CHUNK);
            text.replace_range(at..at + 6, "NeEdLe");
            assert!(needle.is_in(&text), "at {at}");
            text.replace_range(at..at + 6, "NeEdLx");
            assert!(!needle.is_in(&text), "at {at}");
        }
        let long = "a".repeat(CHUNK / 2 + 1);
        assert!(Needle::new(&long).is_in(&format!("B{}B", long.to_uppercase())));
        assert!(!Needle::new(&format!("{long}b")).is_in(&"A".repeat(3 * CHUNK)));
        assert!(!Needle::new("aab").is_in(&"A".repeat(3 * CHUNK)));
    }

    #[test]
    fn smart_case_finds_every_place_in_characters() {
        let lower = Needle::new("ab");
        assert_eq!(lower.find_all("xAbyabab"), [1..3, 4..6, 6..8]);
        assert_eq!(
            Needle::new("aa").find_all("aaaa"),
            [0..2, 2..4],
            "no overlaps"
        );
        assert_eq!(
            Needle::new("Ab").find_all("ab Ab Ab"),
            [3..5, 6..8],
            "capitals: exact case"
        );
        assert_eq!(Needle::new("é").find_all("ÉtÉ"), [0..1, 2..3]);
        assert!(Needle::new("").find_all("abc").is_empty());
        assert!(!Needle::new("abc").is_in("ab"));
        // ASCII text, compared without a folded copy, and text that is not ASCII.
        assert!(Needle::new("pa").is_in("PAID") && Needle::new("pa").is_in("Pä pA"));
        assert!(!Needle::new("pä").is_in("PA") && Needle::new("pä").is_in("PÄ"));
        assert!(
            Needle::new("k").is_in("\u{212A}"),
            "the Kelvin sign folds to k"
        );
        assert!(!Needle::new("Pa").is_in("PAID") && !Needle::new("pa").is_in("p-a"));
    }

    #[test]
    fn the_field_is_the_first_whose_name_or_value_holds_the_text() {
        let deleted = event(doc! {
            "operationType": "delete",
            "documentKey": { "_id": 7 },
            "fullDocumentBeforeChange": { "_id": 7, "tags": ["new", "replaced"], "n": 12345 },
        });
        let path = |text: &str| field(&deleted, &Needle::new(text));
        assert_eq!(
            path("replaced").as_deref(),
            Some("fullDocumentBeforeChange.tags.1")
        );
        assert_eq!(path("DELETE"), None, "capitals: exact case");
        assert_eq!(path("delete").as_deref(), Some("operationType"));
        assert_eq!(
            path("documentkey").as_deref(),
            Some("documentKey"),
            "names too"
        );
        assert_eq!(path("2345").as_deref(), Some("fullDocumentBeforeChange.n"));
        assert_eq!(
            path("1").as_deref(),
            Some("fullDocumentBeforeChange.n"),
            "not an index"
        );
    }

    fn insert(odd: bool) -> Row {
        let parity = if odd { "odd" } else { "even" };
        Row::Event(event(doc! { "operationType": "insert", "parity": parity }))
    }

    #[test]
    fn steps_go_from_the_selection_round_and_keep_rows_by_number() {
        let mut store = EventStore::new(10, usize::MAX);
        for n in 0..10 {
            store.push(insert(n % 2 == 1));
        }
        // From row 5 on (after the selection, 4), then 0 to 4.
        let mut search = Search::new("odd", &store, 4);
        assert_eq!(search.step(&store, 3), Some(5));
        assert!(search.scanning(&store));
        assert_eq!(search.progress(&store), 30);
        assert_eq!(
            search.step(&store, 100),
            Some(9),
            "the first found in this step"
        );
        assert!(!search.scanning(&store));
        assert_eq!(search.count(&store), 5);
        assert_eq!(search.position(&store, 1), Some(1));
        assert_eq!(search.position(&store, 2), None);
        assert_eq!(search.next(&store, 9, true), Some(1), "round the end");
        assert_eq!(search.next(&store, 1, false), Some(9));
        // Two rows go, two come: numbers stay, indexes shift.
        store.push(insert(false));
        store.push(insert(true));
        assert!(search.scanning(&store));
        assert_eq!(search.step(&store, 100), Some(11));
        assert_eq!(search.count(&store), 5, "row 1 went, row 11 came");
        assert_eq!(search.position(&store, 9), Some(5));
        assert_eq!(
            search.next(&store, 0, true),
            Some(1),
            "row 3, now at index 1"
        );
    }

    #[test]
    fn a_step_of_large_events_stops_after_a_megabyte() {
        let mut store = EventStore::new(10, usize::MAX);
        let big = "x".repeat(600 * 1024);
        for _ in 0..4 {
            store.push(Row::Event(event(
                doc! { "operationType": "insert", "big": &big },
            )));
        }
        let mut search = Search::new("no-such-text", &store, 3);
        search.step(&store, STEP);
        assert_eq!(search.progress(&store), 50, "two of the four events");
        search.step(&store, STEP);
        assert!(!search.scanning(&store));
    }
}
