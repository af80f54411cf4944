//! Events nested any depth, as a hostile server could send them, as Extended JSON (`--json`,
//! `y`, `w`) and in recordings: refused with the reason past MongoDB's limit, written and read
//! back within it, never a stack overflow.

use std::io::Write;

use bson::DateTime;
use mwatch::bookmarks::{Bookmark, BookmarkStore};
use mwatch::event::ChangeEvent;
use mwatch::format::json_line;
use mwatch::nesting::{TooDeep, MAX_DEPTH};
use mwatch::redact::RedactedUri;
use mwatch::source::recording::{Recorder, Replay};
use mwatch::source::{Scope, Start, StreamOptions, WatchSpec};
use mwatch_testkit::deep;

/// Full documents past the limit: just past it (the event is one level more), and what only
/// a hostile server sends.
const DEPTHS: [usize; 3] = [MAX_DEPTH, 10_000, 100_000];

#[test]
fn json_lines_of_deep_events_are_refused() {
    for depth in DEPTHS {
        let event = ChangeEvent::from_raw(deep::insert(depth));
        for canonical in [false, true] {
            assert_eq!(json_line(&event, canonical), Err(TooDeep), "{depth}");
        }
    }
    // The event is one level, its fullDocument the rest.
    let event = ChangeEvent::from_raw(deep::insert(MAX_DEPTH - 1));
    let line = json_line(&event, true).unwrap();
    assert!(line.contains(r#"{"d":{"d":"#), "{line}");
}

#[test]
fn a_recording_leaves_out_a_deep_event_and_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    for depth in DEPTHS {
        let path = dir.path().join(format!("deep-{depth}.jsonl"));
        let mut recorder = Recorder::open(&path).unwrap();
        let fine = ChangeEvent::from_raw(deep::insert(3));
        let deep = ChangeEvent::from_raw(deep::insert(depth));
        let left_out = recorder.write(&[fine.clone(), deep, fine]).unwrap();
        match &left_out[..] {
            [note] => assert!(
                note.contains("cluster time 1764000001:1") && note.contains("nested deeper than"),
                "{note}"
            ),
            other => panic!("{other:?}"),
        }
        let read: Vec<_> = Replay::open(&path).unwrap().collect();
        assert_eq!(read.len(), 2, "the events around it are kept");
        assert!(read.iter().all(Result::is_ok));
    }
}

/// Code-with-scope values nested in a resume token, each written as two JSON objects, a
/// DBPointer at the bottom written as three: whatever is let through is read back, from a
/// recording and from the bookmark store, and what is not is said.
#[test]
fn code_scopes_let_through_are_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let spec = WatchSpec {
        scope: Scope::Deployment,
        pipeline: Vec::new(),
        options: StreamOptions::default(),
        start: Start::Now,
    };
    let (mut written, mut left_out, mut bookmarked) = (0, 0, 0);
    for scopes in 1..80 {
        let event = ChangeEvent::from_raw(deep::code_scopes(scopes));
        let path = dir.path().join(format!("scopes-{scopes}.jsonl"));
        let mut recorder = Recorder::open(&path).unwrap();
        if recorder
            .write(std::slice::from_ref(&event))
            .unwrap()
            .is_empty()
        {
            written += 1;
            let read: Vec<_> = Replay::open(&path).unwrap().collect();
            match &read[..] {
                [Ok(back)] => assert_eq!(back.raw(), event.raw(), "{scopes}"),
                other => panic!("{scopes} scopes: {other:?}"),
            }
        } else {
            left_out += 1;
        }
        let made = DateTime::now();
        if let Some(bookmark) = Bookmark::from_event(&event, &spec, &RedactedUri::new(""), made) {
            bookmarked += 1;
            let store = dir.path().join(format!("bookmarks-{scopes}.json"));
            BookmarkStore::open(store.clone()).add(bookmark).unwrap();
            let mut again = BookmarkStore::open(store);
            assert_eq!(again.take_warning(), None, "{scopes}");
            assert_eq!(again.list().len(), 1, "{scopes}");
        }
    }
    assert!(
        written > 40 && left_out > 0 && bookmarked > 40,
        "{written} written, {left_out} left out, {bookmarked} bookmarked"
    );
}

#[test]
fn a_recording_as_deep_as_mongodb_allows_is_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.jsonl");
    let event = ChangeEvent::from_raw(deep::insert(MAX_DEPTH - 1));
    Recorder::open(&path)
        .unwrap()
        .write(std::slice::from_ref(&event))
        .unwrap();
    let read: Vec<_> = Replay::open(&path).unwrap().collect();
    match &read[..] {
        [Ok(back)] => assert_eq!(back.raw(), event.raw()),
        other => panic!("{other:?}"),
    }
}

/// A line nested `depth` levels deep, written as text: no writer of ours makes one.
fn deep_line(depth: usize) -> String {
    format!(
        "{}{}\n",
        r#"{"d":"#.repeat(depth),
        "1".to_string() + &"}".repeat(depth)
    )
}

#[test]
fn a_deep_line_in_a_recording_is_a_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    // Past serde_json's 128 levels, and what only a hostile file holds.
    for depth in [200, 10_000, 100_000] {
        let path = dir.path().join(format!("line-{depth}.jsonl"));
        let mut file = std::fs::File::create(&path).unwrap();
        let fine = json_line(&ChangeEvent::from_raw(deep::insert(3)), true).unwrap();
        write!(file, "{fine}\n{}{fine}\n", deep_line(depth)).unwrap();
        let read: Vec<_> = Replay::open(&path).unwrap().collect();
        assert!(read[0].is_ok());
        let error = read[1].as_ref().unwrap_err().to_string();
        assert!(error.contains(":2:"), "{error}");
    }
}
