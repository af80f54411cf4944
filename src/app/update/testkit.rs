//! Building states and feeding them messages, for the tests of `update`: no terminal, no
//! server, no clock.

use bson::{doc, DateTime, Document, Timestamp};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::msg::{Cmd, Msg};
use crate::app::state::{Config, Overlay, Purpose, State};
use crate::event::ChangeEvent;
use crate::source::connect::Deployment;
use crate::source::{Scope, SourceMsg, Start, StreamOptions, WatchSpec};
use crate::store::{EventStore, Row};

use super::update;

/// 2025-11-21T10:00:00Z.
pub const NOW: i64 = 1_763_719_200_000;

pub fn orders() -> Scope {
    Scope::parse("shop.orders").unwrap()
}

pub fn config(uri: &str) -> Config {
    Config {
        deployment: Deployment {
            uri: uri.to_string(),
            version: Some("7.0.14".into()),
            set_name: Some("rs0".into()),
            mongos: false,
        },
        spec: WatchSpec {
            scope: orders(),
            pipeline: vec![doc! { "$match": { "operationType": "insert" } }],
            options: StreamOptions {
                expanded_events: true,
                ..StreamOptions::default()
            },
            start: Start::Now,
        },
        pipeline_text: "{$match: {operationType: 'insert'}}".into(),
        scope_given: true,
        store: EventStore::default(),
        now: NOW,
        size: (120, 40),
        recording: None,
    }
}

/// A state whose first watch (id 1) runs, on the events pane.
pub fn running() -> State {
    running_on("mongodb://db1:27017/?replicaSet=rs0")
}

pub fn running_on(uri: &str) -> State {
    let (mut state, _) = State::new(config(uri));
    started(&mut state, 1);
    state
}

pub fn source(state: &mut State, msg: SourceMsg) -> Vec<Cmd> {
    update(state, Msg::Source { msg, now: NOW })
}

pub fn started(state: &mut State, watch: u64) -> Vec<Cmd> {
    source(state, SourceMsg::Started { watch })
}

/// The token of the event at `seconds` after [`NOW`], as MongoDB makes them (timestamp first).
pub fn token(seconds: u32) -> Document {
    let time = (NOW / 1000) as u32 + seconds;
    doc! { "_data": format!("82{time:08X}000000012B0229296E04") }
}

/// An insert into `shop.orders` of document `n`, `n` seconds after [`NOW`].
pub fn insert(n: u32) -> ChangeEvent {
    let time = (NOW / 1000) as u32 + n;
    ChangeEvent::from_document(&doc! {
        "_id": token(n),
        "operationType": "insert",
        "clusterTime": Timestamp { time, increment: 1 },
        "wallTime": DateTime::from_millis(i64::from(time) * 1000),
        "ns": { "db": "shop", "coll": "orders" },
        "documentKey": { "_id": n },
        "fullDocument": { "_id": n, "n": n },
    })
    .unwrap()
}

pub fn receive(state: &mut State, watch: u64, events: Vec<ChangeEvent>) {
    source(state, SourceMsg::Events { watch, events });
}

pub fn key(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// A letter or symbol key, shifted if it is a capital (as terminals send it).
pub fn press(state: &mut State, c: char) -> Vec<Cmd> {
    let mods = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    update(state, Msg::Key(KeyEvent::new(KeyCode::Char(c), mods)))
}

pub fn enter(state: &mut State) -> Vec<Cmd> {
    key(state, KeyCode::Enter)
}

pub fn esc(state: &mut State) -> Vec<Cmd> {
    key(state, KeyCode::Esc)
}

/// Types `text` into whatever has the keyboard.
pub fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        let cmds = press(state, c);
        assert!(cmds.is_empty(), "typing '{c}' did {cmds:?}");
    }
}

/// Empties the focused one-line input (Ctrl-U).
pub fn clear_input(state: &mut State) {
    update(
        state,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
}

/// The notice shown, if any, and whether it is an error.
pub fn notice(state: &State) -> Option<(&str, bool)> {
    state.notice.as_ref().map(|n| (n.text.as_str(), n.error))
}

/// The one-line prompt's purpose and text.
pub fn prompt(state: &State) -> Option<(&Purpose, &str)> {
    match &state.overlay {
        Some(Overlay::Prompt(p)) => Some((&p.purpose, p.input.text())),
        _ => None,
    }
}

/// The seam rows' texts, oldest first.
pub fn seams(state: &State) -> Vec<String> {
    state
        .events
        .store
        .iter()
        .filter_map(|row| match row {
            Row::Seam(text) => Some(text.clone()),
            Row::Event(_) => None,
        })
        .collect()
}

/// The watch a command list starts, with its id.
pub fn watch_cmd(cmds: &[Cmd]) -> (u64, WatchSpec) {
    match cmds {
        [Cmd::Watch { id, spec }] => (*id, (**spec).clone()),
        other => panic!("expected one Watch, got {other:?}"),
    }
}
