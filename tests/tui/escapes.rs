//! Text from the server reaches the screen with its control characters shown as escapes
//! (`\u001b`), never dropped or passed on: event keys and values in the list, the detail, the
//! diff and the search, server and connection messages in the log, the list's summary
//! column, the namespace picker, bookmark prompts and the pipeline editor's verdict.

use bson::{doc, DateTime, Timestamp};

use crate::common;

use common::tui::*;
use mwatch::app::msg::{Cmd, Msg};
use mwatch::app::state::State;
use mwatch::app::update::update;
use mwatch::event::ChangeEvent;
use mwatch::source::{SourceMsg, Status};
use ratatui::crossterm::event::KeyCode;

/// A screen clear and a bell.
const HOSTILE: &str = "\x1b[2J\x07";
/// [`HOSTILE`] as it is shown.
const SHOWN: &str = "\\u001b[2J\\u0007";

/// An event of `op` whose collection, keys and values carry [`HOSTILE`].
fn hostile(op: &str) -> ChangeEvent {
    let time = (NOW / 1000) as u32 + 1;
    let key = format!("k{HOSTILE}");
    ChangeEvent::from_document(&doc! {
        "_id": token(1),
        "operationType": op,
        "clusterTime": Timestamp { time, increment: 1 },
        "wallTime": DateTime::from_millis(i64::from(time) * 1000),
        "ns": { "db": "shop", "coll": format!("orders{HOSTILE}") },
        "documentKey": { "_id": 1 },
        "fullDocumentBeforeChange": { "_id": 1, &key: "v" },
        "fullDocument": { "_id": 1, &key: format!("v{HOSTILE}w-needle") },
    })
    .unwrap()
}

/// The screen. ratatui drops control characters, so none can be in it: what a test checks is
/// that the text shows escaped (`\u001b`) where it is drawn.
fn shown(state: &State) -> String {
    let screen = screen(state);
    assert!(
        !screen.contains(|c: char| c.is_control() && c != '\n'),
        "{screen}"
    );
    screen
}

#[test]
fn event_content_is_shown_escaped() {
    let mut state = live(Some("shop.orders"), (200, 60));
    let watch = state.watch.id;
    let odd = format!("x{HOSTILE}");
    receive(&mut state, watch, vec![hostile(&odd), hostile("update")]);
    // The columns cut them, the detail has them whole.
    let screen = shown(&state);
    assert!(screen.contains("x\\u001b[2J\\u…"), "{screen}");
    assert!(screen.contains("shop.orders\\u00…"), "{screen}");
    key(&mut state, KeyCode::Up);
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("· x{SHOWN} 1 16:00:01.000")),
        "{screen}"
    );
    key(&mut state, KeyCode::Down);

    enter(&mut state);
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("'k{SHOWN}': 'v{SHOWN}w-needle'")),
        "{screen}"
    );
    press(&mut state, '2');
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("~ k{SHOWN}: 'v' → 'v{SHOWN}w-needle'")),
        "{screen}"
    );

    press(&mut state, '/');
    type_text(&mut state, "w-needle");
    let mut cmds = enter(&mut state);
    while cmds == [Cmd::ContinueSearch] {
        cmds = update(&mut state, Msg::ContinueSearch);
    }
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("matched in fullDocument.k{SHOWN}")),
        "{screen}"
    );
}

#[test]
fn server_and_connection_messages_are_shown_escaped() {
    let mut state = live(Some("shop.orders"), (200, 60));
    let watch = state.watch.id;
    source(
        &mut state,
        SourceMsg::Status {
            watch,
            status: Status::Failed(format!("Command failed (8000): bad {HOSTILE}thing")),
        },
    );
    let screen = shown(&state);
    assert!(screen.contains(&format!("bad {SHOWN}thing")), "{screen}");

    let (mut state, _) = State::new(config(Some("shop.orders"), (200, 60)));
    connection_failed(
        &mut state,
        &format!("cannot reach {HOSTILE}evil:27017 within 5 s"),
    );
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("cannot reach {SHOWN}evil")),
        "{screen}"
    );
    press(&mut state, 'L');
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("cannot reach {SHOWN}evil")),
        "{screen}"
    );
}

#[test]
fn bookmark_fields_from_a_file_are_shown_escaped() {
    let mut state = running();
    press(&mut state, 'B');
    let mut bookmark = sample("hostile");
    bookmark.note = format!("note{HOSTILE}");
    bookmark.op = format!("op{HOSTILE}");
    bookmark.event_ns = Some(format!("shop.orders{HOSTILE}"));
    stored(&mut state, vec![bookmark]);
    let screen = shown(&state);
    assert!(screen.contains(&format!("note: note{SHOWN}")), "{screen}");
    assert!(screen.contains("op\\u001…"), "{screen}");
    assert!(screen.contains("shop.orders\\u001b"), "{screen}");
}

#[test]
fn a_namespace_flag_is_shown_escaped_in_the_title() {
    let (state, _) = fresh(Some("shop.orders\x07x"), (200, 60));
    let screen = shown(&state);
    assert!(screen.contains("watching shop.orders\\u0007x"), "{screen}");
}

#[test]
fn a_message_of_several_lines_keeps_them_in_the_log() {
    let mut state = live(Some("shop.orders"), (200, 60));
    update(
        &mut state,
        Msg::Done(Err(format!("first line {HOSTILE}\nsecond line"))),
    );
    press(&mut state, 'L');
    let screen = shown(&state);
    let first = screen
        .lines()
        .position(|row| row.contains(&format!("first line {SHOWN}")))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        screen
            .lines()
            .nth(first + 1)
            .unwrap()
            .contains("second line"),
        "{screen}"
    );
}

/// An event of `op` with `fields` added, its strings carrying [`HOSTILE`].
fn with_fields(op: &str, fields: bson::Document) -> ChangeEvent {
    let time = (NOW / 1000) as u32 + 1;
    let mut event = doc! {
        "_id": token(1),
        "operationType": op,
        "clusterTime": Timestamp { time, increment: 1 },
        "wallTime": DateTime::from_millis(i64::from(time) * 1000),
        "ns": { "db": "shop", "coll": "orders" },
        "documentKey": { "_id": 1 },
    };
    event.extend(fields);
    ChangeEvent::from_document(&event).unwrap()
}

#[test]
fn the_summary_column_is_shown_escaped() {
    let mut state = live(Some("shop.orders"), (200, 60));
    let watch = state.watch.id;
    let field = format!("f{HOSTILE}");
    let events = vec![
        with_fields(
            "update",
            doc! { "updateDescription": {
                "updatedFields": { &field: 1 },
                "removedFields": [format!("r{HOSTILE}")],
            } },
        ),
        with_fields(
            "rename",
            doc! { "to": { "db": "shop", "coll": format!("t{HOSTILE}") } },
        ),
        with_fields(
            "createIndexes",
            doc! { "operationDescription": { "indexes": [ { "name": format!("i{HOSTILE}") } ] } },
        ),
    ];
    receive(&mut state, watch, events);
    let screen = shown(&state);
    for text in [
        format!("f{SHOWN}, -r{SHOWN}"),
        format!("→ shop.t{SHOWN}"),
        format!("i{SHOWN}"),
    ] {
        assert!(screen.contains(&text), "{text}: {screen}");
    }
}

#[test]
fn a_namespace_listing_refused_is_shown_escaped() {
    let (mut state, _) = fresh(None, (200, 60));
    update(
        &mut state,
        Msg::Namespaces(Err(format!("reset {HOSTILE}by peer"))),
    );
    let screen = shown(&state);
    assert!(screen.contains("reset \\u001b[2J"), "{screen}");
}

#[test]
fn bookmark_prompts_show_names_and_deployments_escaped() {
    let mut state = running();
    press(&mut state, 'B');
    let there = mwatch::bookmarks::Bookmark {
        deployment: mwatch::redact::RedactedUri::new(&format!("mongodb://evil{HOSTILE}:1/")),
        ..sample(&format!("b{HOSTILE}"))
    };
    stored(&mut state, vec![there]);
    enter(&mut state);
    let screen = shown(&state);
    assert!(screen.contains(&format!("evil{SHOWN}")), "{screen}");
    assert!(
        screen.contains(&format!("--resume $'b{SHOWN}'")),
        "{screen}"
    );
    esc(&mut state);
    press(&mut state, 'r');
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("rename 'b{SHOWN}' to:")),
        "{screen}"
    );
    esc(&mut state);
    press(&mut state, 'd');
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("delete bookmark 'b{SHOWN}'?")),
        "{screen}"
    );

    // Replayed here anyway: the seam row names it.
    esc(&mut state);
    enter(&mut state);
    let (watch, _) = watch_cmd(&press(&mut state, 'y'));
    started(&mut state, watch);
    let screen = shown(&state);
    assert!(
        screen.contains(&format!("── replay from b{SHOWN} ─")),
        "{screen}"
    );
}

#[test]
fn a_refused_pipeline_is_shown_escaped() {
    let mut state = live(Some("shop.orders"), (200, 60));
    press(&mut state, 'p');
    type_text(&mut state, "{$project: {_id: 0}}");
    let (watch, _) = watch_cmd(&ctrl(&mut state, 's'));
    rejected(&mut state, watch, &format!("bad {HOSTILE}stage"), false);
    let screen = shown(&state);
    assert!(screen.contains("✖ refused: bad \\u001b"), "{screen}");
}
