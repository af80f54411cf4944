//! `--keep`: how many events the TUI keeps, a count or a size; the oldest go first, and the
//! TUI says what it keeps as the setting has it.

use crate::common;

use std::time::Duration;

use clap::Parser;
use common::pty::Tui;
use common::tui::*;
use mwatch::app::state::{Recording, State};
use mwatch::cli::{Cli, Command};
use mwatch::source::recording::Recorder;
use mwatch::store::{EventStore, Keep};

const SIZE: (u16, u16) = (120, 35);

fn kept(state: &mwatch::app::state::State) -> Vec<i32> {
    state
        .events
        .store
        .iter()
        .filter_map(|row| row.event())
        .filter_map(|event| event.to_document())
        .filter_map(|doc| doc.get_document("fullDocument").ok()?.get_i32("n").ok())
        .collect()
}

#[test]
fn the_flag_is_read_for_a_watch_and_a_replay() {
    let watch = Cli::try_parse_from(["mwatch", "--keep", "3"]).unwrap();
    assert_eq!(watch.watch.keep.keep, Some(Keep::parse("3").unwrap()));
    let replay = Cli::try_parse_from(["mwatch", "replay", "f.jsonl", "--keep", "512MB"]).unwrap();
    let Some(Command::Replay(args)) = replay.command else {
        panic!("a replay");
    };
    assert_eq!(args.keep.keep().bytes, 512_000_000);
    assert_eq!(
        Cli::try_parse_from(["mwatch"]).unwrap().watch.keep.keep,
        None
    );
}

#[test]
fn a_small_keep_drops_the_oldest_events() {
    let mut config = config(Some("shop.orders"), SIZE);
    config.store = EventStore::keeping(Keep::parse("3").unwrap());
    let (mut state, _) = new_connected(config);
    started(&mut state, 1);
    receive(&mut state, 1, (1..=5).map(insert).collect());
    assert_eq!(kept(&state), [3, 4, 5]);
    assert!(screen(&state).contains("dropped 2"), "{}", screen(&state));
}

#[test]
fn a_size_keeps_as_many_events_as_fit() {
    let size = insert(1).size();
    let mut config = config(Some("shop.orders"), SIZE);
    // The seam row of the watch's start counts for nothing.
    config.store = EventStore::keeping(Keep::parse(&format!("{}B", 3 * size)).unwrap());
    let (mut state, _) = new_connected(config);
    started(&mut state, 1);
    receive(&mut state, 1, (1..=10).map(insert).collect());
    assert_eq!(kept(&state), [8, 9, 10]);
}

/// The notice of a dropped selection says what the setting keeps.
#[test]
fn a_dropped_selection_says_what_is_kept() {
    let mut config = config(Some("shop.orders"), SIZE);
    config.store = EventStore::keeping(Keep::parse("2MB").unwrap());
    let (mut state, _) = new_connected(config);
    started(&mut state, 1);
    let big = |n: u32| {
        let mut doc = insert(n).to_document().unwrap();
        doc.insert("pad", "x".repeat(700_000));
        mwatch::event::ChangeEvent::from_document(&doc).unwrap()
    };
    receive(&mut state, 1, vec![big(1), big(2)]);
    press(&mut state, 'g');
    press(&mut state, 'j');
    receive(&mut state, 1, vec![big(3), big(4)]);
    let (said, _) = notice(&state).expect("a notice");
    assert!(said.contains("keeps 2 MB of events"), "{said}");
}

/// End to end: `mwatch replay FILE --keep 2` shows the newest two events of three.
#[test]
fn a_replay_keeps_what_the_flag_says() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("three.jsonl");
    let mut recorder = Recorder::open(&file).unwrap();
    recorder.write(&[insert(1), insert(2), insert(3)]).unwrap();
    drop(recorder);
    let path = file.to_str().unwrap();
    let mut tui = Tui::spawn(&["replay", path, "--keep", "2"], &[], dir.path(), SIZE);
    let shown = tui.wait_for("showing the last 2 of 3 events", Duration::from_secs(30));
    assert!(shown.contains("2 kept"), "{shown}");
    tui.send("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
}

/// A recording that fills the store (as `load` leaves it: exactly as many events as `--keep`
/// keeps) still shows its seam row: `--keep` counts events, and seams count for no bytes.
#[test]
fn a_replay_that_fills_the_store_shows_its_seam() {
    let three = || vec![insert(1), insert(2), insert(3)];
    let bytes: usize = three().iter().map(|event| event.size()).sum();
    for keep in [Keep::count(3), Keep::size(bytes)] {
        let mut config = config(None, SIZE);
        config.store = EventStore::keeping(keep);
        config.recording = Some(Recording {
            name: "full.jsonl".into(),
            events: three(),
            warning: None,
        });
        let (state, _) = State::new(config);
        assert_eq!(kept(&state), [1, 2, 3], "{keep}");
        let first = state.events.store.get(0).unwrap();
        assert!(first.event().is_none(), "{keep}: the seam row is first");
        assert!(screen(&state).contains("recording full.jsonl: 3 events"));
    }
}

/// End to end: `mwatch --demo --keep 3` hands the count to the store the watch fills.
#[test]
fn a_watch_keeps_what_the_flag_says() {
    let dir = tempfile::tempdir().unwrap();
    let mut tui = Tui::spawn(&["--demo", "--keep", "3"], &[], dir.path(), SIZE);
    tui.wait_for("● live", Duration::from_secs(30));
    tui.wait_for("dropped ", Duration::from_secs(30));
    tui.send("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
}
