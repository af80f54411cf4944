//! Events nested any depth, as a hostile server could send them, as Extended JSON (`--json`,
//! `y`, `w`) and in recordings: refused with the reason past MongoDB's limit, written and read
//! back within it, never a stack overflow.

use std::io::Write;

use mwatch::event::ChangeEvent;
use mwatch::format::json_line;
use mwatch::nesting::{TooDeep, MAX_DEPTH};
use mwatch::source::recording::{Recorder, Replay};
use mwatch_testkit::deep;

/// Depths past the limit: just past it, and what only a hostile server sends.
const DEPTHS: [usize; 3] = [200, 10_000, 100_000];

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
fn a_recording_stops_at_a_deep_event_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    for depth in DEPTHS {
        let path = dir.path().join(format!("deep-{depth}.jsonl"));
        let mut recorder = Recorder::open(&path).unwrap();
        let fine = ChangeEvent::from_raw(deep::insert(3));
        let deep = ChangeEvent::from_raw(deep::insert(depth));
        let error = recorder.write(&[fine, deep]).unwrap_err();
        assert!(error.to_string().contains("nested deeper than"), "{error}");
        let read: Vec<_> = Replay::open(&path).unwrap().collect();
        assert_eq!(read.len(), 1, "the event before it is kept");
    }
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
    for depth in DEPTHS {
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
