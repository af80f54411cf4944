//! When a replay cannot happen: lost history (refused, or lost while running) and invalidated
//! streams, with the ways on that are offered.

use bson::{doc, Timestamp};
use mwatch::app::keys::Context;
use mwatch::app::msg::{Cmd, Msg, StoreReply};
use mwatch::app::state::{Config, Lost, Offer, Oldest, Overlay, Reason, State};
use mwatch::app::update::update;
use mwatch::bookmarks::{token_time, Bookmark};
use mwatch::source::{SourceMsg, Start, Status, WatchSpec};
use ratatui::crossterm::event::KeyCode;

use crate::common::tui::*;

/// Presses Enter on bookmark `saved` in the `B` pane; returns the replay's watch id.
fn replay(state: &mut State, saved: &Bookmark) -> u64 {
    press(state, 'B');
    update(
        state,
        Msg::Bookmarks(StoreReply {
            list: vec![saved.clone()],
            notice: None,
            unsaved: None,
        }),
    );
    watch_cmd(&enter(state)).0
}

fn lost(state: &State) -> &Lost {
    match &state.offer {
        Some(Offer::Lost(lost)) => lost,
        other => panic!("no history-lost offer: {other:?}"),
    }
}

fn refuse(state: &mut State, watch: u64, history_lost: bool) -> Vec<Cmd> {
    source(
        state,
        SourceMsg::Rejected {
            watch,
            error: "history lost: the resume point is older than the oplog".into(),
            history_lost,
        },
    )
}

#[test]
fn a_refused_replay_says_how_old_the_bookmark_is_and_offers_the_oldest_point() {
    let mut state = running();
    let saved = Bookmark {
        pipeline: vec![doc! { "$match": { "n": 1 } }],
        ..sample("before-fix")
    };
    let id = replay(&mut state, &saved);
    let cmds = refuse(&mut state, id, true);
    let bookmark_time = token_time(&saved.token);
    let [Cmd::FindOldest {
        watch,
        spec,
        lost: at,
    }] = cmds.as_slice()
    else {
        panic!("expected FindOldest, got {cmds:?}");
    };
    assert_eq!((*watch, *at), (id, bookmark_time));
    assert_eq!(spec.pipeline, saved.pipeline);
    let offer = lost(&state);
    assert_eq!(offer.what, "bookmark 'before-fix'");
    assert_eq!(offer.at, Some(NOW));
    assert!(!offer.stopped, "the previous stream keeps running");
    assert_eq!(offer.oldest, Oldest::Searching);
    assert_eq!(state.context(), Context::Lost);

    assert!(press(&mut state, 's').is_empty());
    assert!(notice(&state).is_some_and(|(text, _)| text.contains("still looking")));
    let oldest = Timestamp {
        time: (NOW / 1000) as u32 + 3600,
        increment: 3,
    };
    update(
        &mut state,
        Msg::Oldest {
            watch: 99,
            at: None,
        },
    );
    assert_eq!(
        lost(&state).oldest,
        Oldest::Searching,
        "not for this dialog"
    );
    update(
        &mut state,
        Msg::Oldest {
            watch: id,
            at: Some(oldest),
        },
    );
    assert_eq!(lost(&state).oldest, Oldest::At(oldest));
    let (next, spec) = watch_cmd(&press(&mut state, 's'));
    assert_eq!(state.offer, None);
    assert_eq!(spec.start, Start::AtTime(oldest));
    assert_eq!(spec.scope, saved.scope);
    assert_eq!(spec.pipeline, saved.pipeline);
    assert_eq!(
        state.watch.pending.as_ref().map(|p| p.reason.clone()),
        Some(Reason::FromTime(oldest))
    );
    started(&mut state, next);
    assert_eq!(
        seams(&state).last().unwrap(),
        "replay from 2025-11-24T17:00:00Z"
    );
    assert_eq!(
        mwatch::pipeline::parse(&state.editor.text())
            .unwrap()
            .stages,
        saved.pipeline
    );
}

#[test]
fn when_the_server_will_not_say_where_history_starts_s_says_what_else_to_do() {
    let mut state = running();
    let id = replay(&mut state, &sample("x"));
    refuse(&mut state, id, true);
    update(
        &mut state,
        Msg::Oldest {
            watch: id,
            at: None,
        },
    );
    assert!(press(&mut state, 's').is_empty());
    assert!(
        notice(&state).is_some_and(|(text, error)| error && text.contains("t replays from a time")),
        "{:?}",
        state.notice
    );
    assert_eq!(lost(&state).oldest, Oldest::Unknown);
    assert!(esc(&mut state).is_empty());
    assert_eq!(state.offer, None);
    assert_eq!(state.context(), Context::Events);
}

#[test]
fn a_replay_from_a_time_too_old_is_offered_the_oldest_point_too() {
    let mut state = running();
    press(&mut state, 't');
    type_text(&mut state, "2025-11-20T10:00:00Z");
    let (id, _) = watch_cmd(&enter(&mut state));
    let cmds = refuse(&mut state, id, true);
    assert!(matches!(cmds.as_slice(), [Cmd::FindOldest { .. }]));
    assert_eq!(lost(&state).what, "2025-11-20T10:00:00Z");
    assert_eq!(lost(&state).at, Some(1_763_632_800_000));
}

#[test]
fn a_refusal_for_another_reason_only_warns() {
    let mut state = running();
    let id = replay(&mut state, &sample("x"));
    assert!(refuse(&mut state, id, false).is_empty());
    assert_eq!(state.offer, None);
    assert!(notice(&state).is_some_and(|(text, error)| error
        && text.starts_with("the server refused it, the previous stream keeps running")));
    assert_eq!(state.watch.id, 1);
}

#[test]
fn history_lost_while_running_counts_from_the_newest_event() {
    let mut state = running();
    receive(&mut state, 1, vec![insert(1), insert(5)]);
    let cmds = source(
        &mut state,
        SourceMsg::Status {
            watch: 1,
            status: Status::HistoryLost("history lost".into()),
        },
    );
    let newest = Timestamp {
        time: (NOW / 1000) as u32 + 5,
        increment: 1,
    };
    assert_eq!(
        cmds,
        vec![Cmd::FindOldest {
            watch: 1,
            spec: Box::new(state.watch.spec.clone()),
            lost: Some(newest),
        }]
    );
    let offer = lost(&state);
    assert!(offer.stopped);
    assert_eq!(offer.what, "the stream's position");
    assert_eq!(offer.at, Some(NOW + 5000));
    assert!(matches!(state.watch.status, Status::HistoryLost(_)));
}

#[test]
fn the_first_watch_refused_for_lost_history_is_offered_the_oldest_point() {
    let config = config(Some("shop.orders"), SIZE);
    let (mut state, _) = new_connected(Config {
        spec: WatchSpec {
            start: Start::ResumeAfter(token(0)),
            ..config.spec
        },
        ..config
    });
    let cmds = refuse(&mut state, 1, true);
    assert!(matches!(
        cmds.as_slice(),
        [Cmd::FindOldest { watch: 1, .. }]
    ));
    assert!(matches!(state.watch.status, Status::Failed(_)));
    let offer = lost(&state);
    assert!(offer.stopped);
    assert_eq!(offer.what, "the resume point");
    assert_eq!(offer.at, Some(NOW));
}

#[test]
fn an_invalidated_stream_offers_to_continue_after_it() {
    let mut state = running();
    let invalidate = doc! { "_data": "82AA" };
    invalidated(&mut state, 1, Some(invalidate.clone()));
    assert_eq!(state.offer, Some(Offer::Invalidated(invalidate.clone())));
    assert_eq!(state.context(), Context::Invalidated);
    assert!(press(&mut state, 'x').is_empty(), "other keys do nothing");
    let (id, spec) = watch_cmd(&press(&mut state, 'c'));
    assert_eq!(state.offer, None);
    assert_eq!(spec.start, Start::StartAfter(invalidate));
    assert_eq!(spec.scope, orders());
    started(&mut state, id);
    assert!(seams(&state)
        .last()
        .unwrap()
        .starts_with("continued after the invalidate"));

    invalidated(&mut state, id, None);
    assert_eq!(
        state.offer, None,
        "without a token there is nothing to offer"
    );
}

#[test]
fn an_offer_waits_under_a_prompt_being_typed() {
    let mut state = running();
    press(&mut state, 't');
    type_text(&mut state, "-5");
    invalidated(&mut state, 1, Some(doc! { "_data": "82AA" }));
    assert_eq!(state.context(), Context::Input);
    type_text(&mut state, "m");
    assert!(matches!(&state.overlay, Some(Overlay::Prompt(p)) if p.input.text() == "-5m"));
    key(&mut state, KeyCode::Esc);
    assert_eq!(state.context(), Context::Invalidated);
}

#[test]
fn a_tick_that_changes_nothing_keeps_the_redraw_the_stream_asked_for() {
    let (mut state, _) = new_connected(config(Some("shop.orders"), SIZE));
    state.dirty = false;
    started(&mut state, 1);
    source(
        &mut state,
        SourceMsg::Status {
            watch: 1,
            status: Status::Live,
        },
    );
    update(&mut state, Msg::Tick { now: NOW });
    assert!(state.dirty, "the screen must still come to say live");
    state.dirty = false;
    update(&mut state, Msg::Tick { now: NOW });
    assert!(!state.dirty, "an idle tick alone draws nothing");
}
