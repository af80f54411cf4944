//! `b`, `B` and `t`, key by key, with the Cmds they return.

use bson::{doc, Timestamp};
use mwatch::app::bookmarks::Mode;
use mwatch::app::keys::Context;
use mwatch::app::msg::{Cmd, Msg, StoreReply};
use mwatch::app::state::{Overlay, Purpose, State};
use mwatch::app::update::update;
use mwatch::bookmarks::Bookmark;
use mwatch::source::{Scope, Start, StreamOptions};
use ratatui::crossterm::event::KeyCode;

use crate::common::tui::*;

/// Presses `b` on the newest of three events and accepts the default name.
fn bookmark_the_newest(state: &mut State) -> Bookmark {
    receive(state, 1, vec![insert(1), insert(2), insert(3)]);
    assert!(press(state, 'b').is_empty());
    assert_eq!(
        prompt(state).map(|(_, text)| text),
        Some("shop.orders@2025-11-24T16:00:03Z")
    );
    assert!(enter(state).is_empty(), "the note comes first");
    assert!(matches!(
        prompt(state),
        Some((Purpose::BookmarkNote(_), ""))
    ));
    match enter(state).as_slice() {
        [Cmd::SaveBookmark(bookmark)] => (**bookmark).clone(),
        other => panic!("expected SaveBookmark, got {other:?}"),
    }
}

fn reply(list: Vec<Bookmark>) -> Msg {
    Msg::Bookmarks(StoreReply {
        list,
        notice: None,
        unsaved: None,
    })
}

fn pane_mode(state: &State) -> &Mode {
    match &state.overlay {
        Some(Overlay::Bookmarks(pane)) => &pane.mode,
        other => panic!("no bookmarks pane: {other:?}"),
    }
}

#[test]
fn b_asks_a_name_then_a_note_and_saves_everything_replay_needs() {
    let mut state = running();
    receive(&mut state, 1, vec![insert(1), insert(2), insert(3)]);
    key(&mut state, KeyCode::Up);
    press(&mut state, 'b');
    let Some((Purpose::BookmarkName(_), name)) = prompt(&state) else {
        panic!("no name prompt: {:?}", state.overlay);
    };
    assert_eq!(name, "shop.orders@2025-11-24T16:00:02Z");
    clear_input(&mut state);
    type_text(&mut state, "before the fix");
    enter(&mut state);
    type_text(&mut state, "orders paid twice");
    let cmds = enter(&mut state);
    let [Cmd::SaveBookmark(bookmark)] = cmds.as_slice() else {
        panic!("expected SaveBookmark, got {cmds:?}");
    };
    assert_eq!(bookmark.name, "before the fix");
    assert_eq!(bookmark.note, "orders paid twice");
    assert_eq!(bookmark.token, token(2));
    assert_eq!(bookmark.scope, orders());
    assert_eq!(bookmark.pipeline, state.watch.spec.pipeline);
    assert_eq!(bookmark.options, state.watch.spec.options);
    assert_eq!(bookmark.op, "insert");
    assert_eq!(bookmark.document_key, Some(doc! { "_id": 2 }));
    assert_eq!(bookmark.created_at.map(|t| t.timestamp_millis()), Some(NOW));
    assert_eq!(state.overlay, None);
}

#[test]
fn b_works_from_the_detail_pane_and_needs_an_event_with_a_token() {
    let mut state = running();
    press(&mut state, 'b');
    assert_eq!(notice(&state), Some(("no event selected", true)));
    let no_token = mwatch::event::ChangeEvent::from_document(&doc! {
        "operationType": "insert", "ns": { "db": "shop", "coll": "orders" },
    })
    .unwrap();
    receive(&mut state, 1, vec![no_token]);
    press(&mut state, 'b');
    assert_eq!(
        notice(&state),
        Some((
            "this event has no resume token, so it cannot be bookmarked",
            true
        ))
    );
    receive(&mut state, 1, vec![insert(4)]);
    enter(&mut state);
    assert_eq!(state.context(), Context::Detail);
    press(&mut state, 'b');
    assert!(matches!(
        prompt(&state),
        Some((Purpose::BookmarkName(_), _))
    ));
}

#[test]
fn a_bad_or_taken_name_keeps_the_prompt_and_esc_cancels() {
    let mut state = running();
    update(&mut state, reply(vec![sample("taken")]));
    receive(&mut state, 1, vec![insert(1)]);
    press(&mut state, 'b');
    clear_input(&mut state);
    type_text(&mut state, "{x");
    assert!(enter(&mut state).is_empty());
    assert!(matches!(
        prompt(&state),
        Some((Purpose::BookmarkName(_), "{x"))
    ));
    assert!(notice(&state).is_some_and(|(text, error)| error && text.contains("'{'")));
    clear_input(&mut state);
    type_text(&mut state, "taken");
    enter(&mut state);
    assert_eq!(
        notice(&state),
        Some(("a bookmark named 'taken' already exists", true))
    );
    assert!(esc(&mut state).is_empty());
    assert_eq!(state.overlay, None);
}

#[test]
fn a_bookmark_the_store_refused_comes_back_to_be_renamed() {
    let mut state = running();
    let bookmark = bookmark_the_newest(&mut state);
    update(
        &mut state,
        Msg::Bookmarks(StoreReply {
            list: Vec::new(),
            notice: Some(Err(
                "not saved: cannot write /x/bookmarks.json: disk full".into()
            )),
            unsaved: Some(Box::new(bookmark.clone())),
        }),
    );
    let Some((Purpose::BookmarkName(unsaved), name)) = prompt(&state) else {
        panic!("no prompt: {:?}", state.overlay);
    };
    assert_eq!((**unsaved).clone(), bookmark);
    assert_eq!(name, bookmark.name);
    assert_eq!(
        notice(&state),
        Some(("not saved: cannot write /x/bookmarks.json: disk full", true))
    );
}

#[test]
fn an_event_is_bookmarked_with_the_watch_that_received_it() {
    let mut state = running();
    receive(&mut state, 1, vec![insert(1)]);
    let elsewhere = Bookmark {
        scope: Scope::Database("crm".into()),
        pipeline: Vec::new(),
        ..sample("crm")
    };
    update(&mut state, reply(vec![elsewhere]));
    press(&mut state, 'B');
    let (id, _) = watch_cmd(&enter(&mut state));
    started(&mut state, id);
    receive(&mut state, id, vec![insert(9)]);
    key(&mut state, KeyCode::End);
    assert_eq!(press(&mut state, 'b').len(), 0);
    let Some((Purpose::BookmarkName(newest), _)) = prompt(&state) else {
        panic!()
    };
    assert_eq!(newest.scope, Scope::Database("crm".into()));
    esc(&mut state);
    // insert(1), above the "replay from crm" seam, came from the first watch.
    key(&mut state, KeyCode::Home);
    key(&mut state, KeyCode::Down);
    press(&mut state, 'b');
    let Some((Purpose::BookmarkName(older), _)) = prompt(&state) else {
        panic!()
    };
    assert_eq!(older.token, token(1));
    assert_eq!(older.scope, orders());
    assert_eq!(older.pipeline.len(), 1);
}

#[test]
fn big_b_lists_filters_and_closes() {
    let mut state = running();
    assert_eq!(press(&mut state, 'B'), vec![Cmd::LoadBookmarks]);
    assert_eq!(state.context(), Context::Bookmarks);
    let list = vec![
        sample("before-fix"),
        Bookmark {
            note: "refund bug".into(),
            ..sample("after")
        },
        sample("other"),
    ];
    update(&mut state, reply(list));
    let Some(Overlay::Bookmarks(pane)) = &state.overlay else {
        panic!()
    };
    assert!(!pane.loading);
    press(&mut state, '/');
    assert_eq!(state.context(), Context::Input);
    type_text(&mut state, "REFUND");
    enter(&mut state);
    assert_eq!(
        state.context(),
        Context::Bookmarks,
        "Enter keeps the filter"
    );
    let Some(Overlay::Bookmarks(pane)) = &state.overlay else {
        panic!()
    };
    assert_eq!(pane.chosen(&state.bookmarks).unwrap().name, "after");
    assert_eq!(pane.visible(&state.bookmarks).len(), 1);
    esc(&mut state);
    let Some(Overlay::Bookmarks(pane)) = &state.overlay else {
        panic!("the first Esc clears the filter")
    };
    assert_eq!(pane.visible(&state.bookmarks).len(), 3);
    press(&mut state, 'G');
    let Some(Overlay::Bookmarks(pane)) = &state.overlay else {
        panic!()
    };
    assert_eq!(pane.selected, 2);
    esc(&mut state);
    assert_eq!(state.overlay, None);
}

#[test]
fn r_renames_through_the_store_and_refuses_a_taken_name() {
    let mut state = running();
    press(&mut state, 'B');
    update(&mut state, reply(vec![sample("a"), sample("b")]));
    press(&mut state, 'j');
    press(&mut state, 'r');
    assert_eq!(state.context(), Context::Input);
    clear_input(&mut state);
    type_text(&mut state, "a");
    assert!(enter(&mut state).is_empty());
    assert_eq!(
        notice(&state),
        Some(("a bookmark named 'a' already exists", true))
    );
    assert!(matches!(pane_mode(&state), Mode::Rename { from, .. } if from == "b"));
    clear_input(&mut state);
    type_text(&mut state, "after the fix");
    assert_eq!(
        enter(&mut state),
        vec![Cmd::RenameBookmark {
            from: "b".into(),
            to: "after the fix".into()
        }]
    );
    assert_eq!(pane_mode(&state), &Mode::List);
    press(&mut state, 'r');
    assert!(esc(&mut state).is_empty());
    assert_eq!(pane_mode(&state), &Mode::List, "Esc leaves the rename only");
}

#[test]
fn d_deletes_only_after_y() {
    let mut state = running();
    press(&mut state, 'B');
    update(&mut state, reply(vec![sample("a"), sample("b")]));
    press(&mut state, 'd');
    assert_eq!(state.context(), Context::Confirm);
    assert!(press(&mut state, 'n').is_empty());
    assert_eq!(pane_mode(&state), &Mode::List);
    press(&mut state, 'd');
    assert_eq!(
        press(&mut state, 'y'),
        vec![Cmd::DeleteBookmark("a".into())]
    );
    assert_eq!(pane_mode(&state), &Mode::List);
    update(&mut state, reply(vec![sample("b")]));
    update(&mut state, reply(Vec::new()));
    press(&mut state, 'd');
    assert_eq!(notice(&state), Some(("no bookmark selected", true)));
}

#[test]
fn enter_replays_with_the_bookmarks_scope_pipeline_and_options() {
    let mut state = running();
    let saved = Bookmark {
        scope: Scope::Database("shop".into()),
        pipeline: vec![doc! { "$match": { "operationType": "update" } }],
        options: StreamOptions {
            batch_size: Some(7),
            ..StreamOptions::default()
        },
        ..sample("before-fix")
    };
    press(&mut state, 'B');
    update(&mut state, reply(vec![saved.clone()]));
    let (id, spec) = watch_cmd(&enter(&mut state));
    assert_eq!(state.overlay, None);
    assert_eq!(spec.scope, saved.scope);
    assert_eq!(spec.pipeline, saved.pipeline);
    assert_eq!(spec.options, saved.options);
    assert_eq!(spec.start, Start::ResumeAfter(saved.token.clone()));
    started(&mut state, id);
    assert_eq!(seams(&state).last().unwrap(), "replay from before-fix");
    let seam = state.events.store.len() - 1;
    assert_eq!(
        (
            state.events.selected,
            state.events.offset,
            state.events.follow
        ),
        (seam, seam, false),
        "the replay is read from its seam"
    );
    assert_eq!(state.watch.spec, spec);
    assert_eq!(
        mwatch::pipeline::parse(&state.editor.text())
            .unwrap()
            .stages,
        saved.pipeline,
        "the editor shows the bookmark's pipeline"
    );
    assert!(!state.editor.modified());

    let invalidate = Bookmark {
        invalidate: true,
        ..sample("dropped")
    };
    press(&mut state, 'B');
    update(&mut state, reply(vec![invalidate.clone()]));
    let (_, spec) = watch_cmd(&enter(&mut state));
    assert_eq!(spec.start, Start::StartAfter(invalidate.token));
}

#[test]
fn a_bookmark_of_another_deployment_asks_before_replaying_here() {
    let mut state = running();
    let there = Bookmark {
        deployment: mwatch::redact::RedactedUri::new("mongodb://elsewhere:27017/?replicaSet=rs0"),
        ..sample("x y")
    };
    press(&mut state, 'B');
    update(&mut state, reply(vec![there]));
    assert!(enter(&mut state).is_empty(), "not run on this deployment");
    let text = screen(&state);
    assert!(
        text.contains("'x y' was made on another deployment"),
        "{text}"
    );
    assert!(
        text.contains("mongodb://elsewhere:27017/?replicaSet=rs0"),
        "{text}"
    );
    assert!(text.contains("mwatch --resume 'x y'"), "{text}");
    assert!(
        text.contains("Replay it here anyway?  [y] yes  [n/Esc] no"),
        "{text}"
    );
    // No: back to the list, nothing run.
    assert!(press(&mut state, 'n').is_empty());
    assert!(matches!(state.overlay, Some(Overlay::Bookmarks(_))));
    enter(&mut state);
    let (_, spec) = watch_cmd(&press(&mut state, 'y'));
    assert_eq!(spec.scope, orders());

    // The same servers named another way are this deployment: no question.
    let mut state = running();
    let here = Bookmark {
        deployment: mwatch::redact::RedactedUri::new("mongodb://bob:pw@127.0.0.1/?replicaSet=rs0"),
        ..sample("here")
    };
    press(&mut state, 'B');
    update(&mut state, reply(vec![here]));
    watch_cmd(&enter(&mut state));
}

#[test]
fn t_replays_from_a_time_with_the_same_scope_pipeline_and_options() {
    let mut state = running();
    state.now = NOW + 3_600_000;
    assert!(press(&mut state, 't').is_empty());
    type_text(&mut state, "yesterday");
    assert!(enter(&mut state).is_empty());
    assert!(matches!(
        prompt(&state),
        Some((Purpose::ReplayTime, "yesterday"))
    ));
    assert!(notice(&state).is_some_and(|(text, error)| error && text.contains("HH:MM")));
    clear_input(&mut state);
    type_text(&mut state, "-10m");
    let (id, spec) = watch_cmd(&enter(&mut state));
    let at = Timestamp {
        time: (NOW / 1000) as u32 + 3000,
        increment: 0,
    };
    assert_eq!(spec.start, Start::AtTime(at));
    assert_eq!(spec.scope, state.watch.spec.scope);
    assert_eq!(spec.pipeline, state.watch.spec.pipeline);
    assert_eq!(spec.options, state.watch.spec.options);
    started(&mut state, id);
    assert_eq!(
        seams(&state).last().unwrap(),
        "replay from 2025-11-24T16:50:00Z"
    );

    press(&mut state, 't');
    type_text(&mut state, "16:00");
    let (_, spec) = watch_cmd(&enter(&mut state));
    assert_eq!(
        spec.start,
        Start::AtTime(Timestamp {
            time: (NOW / 1000) as u32,
            increment: 0
        }),
        "HH:MM is today, in UTC"
    );
}
