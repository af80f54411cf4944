//! The TUI's behaviour through `update` alone: keys in, state and commands out.

use crate::common;

use bson::doc;
use common::tui::*;
use mwatch::app::msg::{Cmd, Focus, Msg, Tab};
use mwatch::app::state::{Overlay, Recording, State};
use mwatch::app::update::update;
use mwatch::source::{FullDocument, Scope, SourceMsg, Start, Status};
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseEvent, MouseEventKind};

#[test]
fn starts_by_watching_and_listing_with_focus_where_the_user_needs_it() {
    let (state, cmds) = fresh(None, SIZE);
    assert_eq!(state.focus, Focus::Events, "the first q or ? is a command");
    assert_eq!(cmds[..2], [Cmd::Connect { attempt: 1 }, Cmd::LoadBookmarks]);
    let (id, spec) = watch_cmd(&cmds[3..4]);
    assert_eq!((id, spec.scope), (1, Scope::Deployment));
    assert_eq!(cmds[4], Cmd::ListNamespaces);
    let (state, _) = fresh(Some("shop.orders"), SIZE);
    assert_eq!(state.focus, Focus::Events, "a scope given: show its events");
}

#[test]
fn tab_cycles_the_panes_and_letters_jump_from_the_event_list() {
    let mut state = live(Some("shop.orders"), SIZE);
    key(&mut state, KeyCode::Tab);
    assert_eq!(state.focus, Focus::Detail);
    key(&mut state, KeyCode::Tab);
    assert_eq!(state.focus, Focus::Namespaces);
    update(
        &mut state,
        Msg::Key(key_event(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(state.focus, Focus::Detail);
    esc(&mut state);
    assert_eq!(state.focus, Focus::Events);
    press(&mut state, 'p');
    assert_eq!(state.focus, Focus::Pipeline);
}

/// Ctrl-Z is a key in raw mode, not SIGTSTP: it asks the runtime to stop the process, from
/// any pane or overlay (tests/tui/e2e_suspend.rs sees it done).
#[test]
fn ctrl_z_suspends_everywhere_also_in_the_editor() {
    let mut state = live(Some("shop.orders"), SIZE);
    assert_eq!(ctrl(&mut state, 'z'), vec![Cmd::Suspend]);
    press(&mut state, 'p');
    assert_eq!(ctrl(&mut state, 'z'), vec![Cmd::Suspend]);
    assert_eq!(state.editor.text(), "", "not text");
    esc(&mut state);
    press(&mut state, '?');
    assert_eq!(ctrl(&mut state, 'z'), vec![Cmd::Suspend]);
}

#[test]
fn q_quits_from_lists_but_is_text_in_the_editor_and_ctrl_c_always_quits() {
    let mut state = live(Some("shop.orders"), SIZE);
    assert_eq!(press(&mut state, 'q'), vec![Cmd::Quit]);
    press(&mut state, 'p');
    assert!(press(&mut state, 'q').is_empty());
    assert_eq!(state.editor.text(), "q");
    assert_eq!(ctrl(&mut state, 'c'), vec![Cmd::Quit]);
    press(&mut state, '?');
    assert_eq!(state.editor.text(), "q?", "? is text in the editor too");
}

#[test]
fn the_editor_checks_as_you_type_and_applies_without_a_gap() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'p');
    type_text(&mut state, "{$match: {operationType: 'update'");
    // The text ends at column 34 with the `{` at column 10 still open.
    let error = state.editor.parsed.clone().unwrap_err();
    assert_eq!((error.line, error.column), (1, 34));
    assert!(
        ctrl(&mut state, 's').is_empty(),
        "an invalid pipeline is not sent"
    );
    assert_eq!(
        state.notice.as_ref().unwrap().text,
        "not applied: the pipeline has an error at 1:34: unexpected end of input: '{' at 1:10 \
         is not closed"
    );
    type_text(&mut state, "}}");
    let (id, spec) = watch_cmd(&ctrl(&mut state, 's'));
    assert_eq!(
        spec.start,
        Start::Continue,
        "resume where the running stream is"
    );
    assert_eq!(
        spec.pipeline,
        vec![doc! { "$match": { "operationType": "update" } }]
    );
    assert!(
        state.watch.spec.pipeline.is_empty(),
        "the old one runs until the new one starts"
    );
    source(&mut state, SourceMsg::Started { watch: id });
    assert_eq!(state.watch.spec.pipeline.len(), 1);
    assert!(!state.editor.modified());
    assert_eq!(seams(&state).last().unwrap(), "pipeline changed 16:00:00");
    assert_eq!(
        state.editor.history,
        vec!["", "{$match: {operationType: 'update'}}"],
        "the empty pipeline ran before"
    );
}

#[test]
fn a_refused_pipeline_leaves_the_running_one_and_says_why() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'p');
    type_text(&mut state, "{$project: {_id: 0}}");
    let (id, _) = watch_cmd(&ctrl(&mut state, 's'));
    let error = "ChangeStreamFatalError (280): cannot modify _id".to_string();
    source(
        &mut state,
        SourceMsg::Rejected {
            watch: id,
            error: error.clone(),
            history_lost: false,
        },
    );
    assert!(state.watch.spec.pipeline.is_empty());
    assert!(state.watch.pending.is_none());
    assert_eq!(state.editor.rejected, Some(error));
    assert!(state.editor.modified(), "the text stays for fixing");
    assert!(common::tui::screen(&state).contains("✖ refused: ChangeStreamFatalError"));
    assert!(state.notice.as_ref().unwrap().error);
    type_text(&mut state, " ");
    assert_eq!(
        state.editor.rejected, None,
        "editing the text clears the refusal"
    );
    // Events of the running watch still arrive.
    let before = state.events.store.len();
    source(
        &mut state,
        SourceMsg::Events {
            watch: 1,
            events: events()[..1].to_vec(),
        },
    );
    assert_eq!(state.events.store.len(), before + 1);
}

#[test]
fn events_of_a_superseded_watch_are_dropped() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'p');
    let (id, _) = watch_cmd(&ctrl(&mut state, 's'));
    source(&mut state, SourceMsg::Started { watch: id });
    let before = state.events.store.len();
    source(
        &mut state,
        SourceMsg::Events {
            watch: 1,
            events: events(),
        },
    );
    source(
        &mut state,
        SourceMsg::Status {
            watch: 1,
            status: Status::Failed("old".into()),
        },
    );
    assert_eq!(state.events.store.len(), before);
    assert_eq!(state.watch.status, Status::Live);
}

#[test]
fn space_pauses_following_while_events_keep_coming_and_g_follows_again() {
    let mut state = live(Some("shop.orders"), SIZE);
    let last = state.events.store.len() - 1;
    assert_eq!(state.events.selected, last);
    press(&mut state, ' ');
    source(
        &mut state,
        SourceMsg::Events {
            watch: 1,
            events: events(),
        },
    );
    assert_eq!((state.events.selected, state.events.unseen), (last, 8));
    assert!(common::tui::screen(&state).contains("paused · +8 new"));
    press(&mut state, 'G');
    assert_eq!(state.events.selected, state.events.store.len() - 1);
    assert_eq!(state.events.unseen, 0);
}

#[test]
fn moving_opens_and_tabs_the_detail_view() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'g');
    assert_eq!(state.events.selected, 0);
    assert!(!state.events.follow);
    press(&mut state, 'j');
    key(&mut state, KeyCode::Down);
    assert_eq!(state.events.selected_event().unwrap().op_name(), "update");
    enter(&mut state);
    assert_eq!(state.focus, Focus::Detail);
    press(&mut state, '2');
    assert_eq!(state.detail.tab, Tab::Diff);
    key(&mut state, KeyCode::Right);
    assert_eq!(state.detail.tab, Tab::FullDocument);
    key(&mut state, KeyCode::Left);
    key(&mut state, KeyCode::Left);
    key(&mut state, KeyCode::Left);
    assert_eq!(state.detail.tab, Tab::PreImage, "tabs wrap around");
    press(&mut state, '1');
    for _ in 0..100 {
        key(&mut state, KeyCode::Down);
    }
    let scrolled = state.detail.scroll;
    assert!(scrolled > 0, "a long event scrolls");
    press(&mut state, 'G');
    assert_eq!(state.detail.scroll, scrolled, "and stops at its end");
    esc(&mut state);
    assert_eq!(state.focus, Focus::Events);
}

#[test]
fn the_namespace_filter_picks_a_scope_and_restarts_from_now() {
    let mut state = live(None, SIZE);
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    type_text(&mut state, "orders");
    assert_eq!(state.namespaces.rows().len(), 2, "shop and shop.orders");
    key(&mut state, KeyCode::Down);
    let (id, spec) = watch_cmd(&enter(&mut state));
    assert_eq!(spec.scope, Scope::parse("shop.orders").unwrap());
    assert_eq!(spec.start, Start::Now);
    assert_eq!(state.focus, Focus::Events);
    source(&mut state, SourceMsg::Started { watch: id });
    assert_eq!(seams(&state).last().unwrap(), "scope shop.orders 16:00:00");
    // A namespace that is not listed can be typed.
    let to_namespaces = |state: &mut State| {
        key(state, KeyCode::Tab);
        key(state, KeyCode::Tab);
        assert_eq!(state.focus, Focus::Namespaces);
    };
    to_namespaces(&mut state);
    type_text(&mut state, "billing.invoices");
    let (_, spec) = watch_cmd(&enter(&mut state));
    assert_eq!(spec.scope, Scope::parse("billing.invoices").unwrap());
    to_namespaces(&mut state);
    type_text(&mut state, "bad name");
    assert!(enter(&mut state).is_empty());
    assert!(state.notice.as_ref().unwrap().error);
    esc(&mut state);
    assert!(
        state.namespaces.filter.is_empty(),
        "Esc clears the filter first"
    );
}

#[test]
fn options_change_through_the_form_and_restart_without_a_gap() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'o');
    assert!(matches!(state.overlay, Some(Overlay::Options(_))));
    press(&mut state, ' ');
    let (_, spec) = watch_cmd(&enter(&mut state));
    assert_eq!(
        spec.options.full_document,
        Some(FullDocument::WhenAvailable)
    );
    assert_eq!(spec.start, Start::Continue);
    assert!(state.overlay.is_none());
    press(&mut state, 'o');
    for _ in 0..3 {
        key(&mut state, KeyCode::Down);
    }
    type_text(&mut state, "0");
    assert!(enter(&mut state).is_empty());
    let Some(Overlay::Options(form)) = &state.overlay else {
        panic!("the form stays open")
    };
    assert_eq!(
        form.error.as_deref(),
        Some("batchSize must be a positive number")
    );
    esc(&mut state);
    assert!(state.overlay.is_none());
}

#[test]
fn copy_and_write_hand_the_event_to_the_runtime() {
    let mut state = live(Some("shop.orders"), SIZE);
    match &press(&mut state, 'y')[..] {
        [Cmd::Copy(json)] => assert!(json.starts_with("{\"_id\":{\"_data\":"), "{json}"),
        other => panic!("{other:?}"),
    }
    press(&mut state, 'w');
    match &state.overlay {
        Some(Overlay::Prompt(prompt)) => assert!(prompt.input.text().starts_with("event-")),
        other => panic!("{other:?}"),
    }
    ctrl(&mut state, 'u');
    type_text(&mut state, "out.json");
    match &enter(&mut state)[..] {
        [Cmd::WriteFile {
            path,
            contents,
            overwrite: false,
        }] => {
            assert_eq!(path.to_str(), Some("out.json"));
            assert!(
                contents.contains("\n  \"operationType\": \"insert\""),
                "{contents}"
            );
        }
        other => panic!("{other:?}"),
    }
    update(
        &mut state,
        Msg::Done(Err("cannot write out.json: exists".into())),
    );
    assert!(common::tui::screen(&state).contains("cannot write out.json: exists"));
}

#[test]
fn an_idle_tick_draws_nothing_and_new_namespaces_are_listed_again() {
    let (mut state, cmds) = live_with_commands(None, SIZE);
    // shop.scratch is not in the listing: the rename event names it, so the first tick
    // asked for a new listing.
    assert_eq!(cmds, vec![Cmd::ListNamespaces]);
    update(&mut state, Msg::Namespaces(Ok(listing())));
    let mut now = NOW + 2000;
    // Seventy ticks at most: a minute of history and a margin. A tick that still marks the
    // state dirty after them fails the assertion below.
    while now < NOW + 70_000 {
        // As the runtime does: a frame is drawn whenever one is owed.
        state.dirty = false;
        if !update(&mut state, Msg::Tick { now }).is_empty() || !state.dirty {
            break;
        }
        now += 1000;
    }
    assert!(
        !state.dirty,
        "once the minute of history is quiet, ticks change nothing"
    );
}

#[test]
fn resizing_keeps_the_selection_and_the_mouse_scrolls_the_list() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'g');
    update(
        &mut state,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    assert_eq!(state.events.selected, 0);
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 60,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut state, Msg::Mouse(wheel));
    assert_eq!(state.events.selected, 3);
    update(
        &mut state,
        Msg::Resize {
            width: 40,
            height: 10,
        },
    );
    assert!(common::tui::screen(&state).contains("too small"));
}

#[test]
fn help_lists_the_keys_and_closes() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, '?');
    let text = common::tui::screen(&state);
    assert!(
        text.contains("Ctrl-S") && text.contains("apply the pipeline"),
        "{text}"
    );
    esc(&mut state);
    assert!(state.overlay.is_none());
    press(&mut state, '?');
    assert_eq!(ctrl(&mut state, 'c'), vec![Cmd::Quit]);
}

#[test]
fn stream_trouble_shows_in_the_status_line() {
    let mut state = live(Some("shop.orders"), SIZE);
    source(
        &mut state,
        SourceMsg::Status {
            watch: 1,
            status: Status::Resuming("connection refused".into()),
        },
    );
    assert!(common::tui::screen(&state).contains("resuming"));
    invalidated(&mut state, 1, None);
    assert!(common::tui::screen(&state).contains("invalidated"));
    // A first watch that the server refuses is explained, not a blank screen.
    let (mut state, _) = fresh(Some("shop.orders"), SIZE);
    rejected(&mut state, 1, "change streams need a replica set", false);
    assert!(common::tui::screen(&state).contains("change streams need a replica set"));
}

#[test]
fn a_recording_is_browsed_but_not_watched() {
    let mut config = config(None, SIZE);
    config.recording = Some(Recording {
        name: "shop.ndjson".into(),
        events: events(),
        warning: Some("shop.ndjson:9: skipped a truncated last line".into()),
    });
    let (mut state, cmds) = State::new(config);
    assert!(cmds.is_empty(), "no server: nothing to watch or list");
    assert_eq!(state.events.store.len(), 9);
    assert_eq!(state.focus, Focus::Events);
    let text = common::tui::screen(&state);
    assert!(text.contains("▶ recording  shop.ndjson"), "{text}");
    assert!(text.contains("skipped a truncated last line"), "{text}");
    press(&mut state, 'g');
    press(&mut state, 'j');
    assert_eq!(state.events.selected_event().unwrap().op_name(), "insert");
    press(&mut state, 'p');
    type_text(&mut state, "{$match: {}}");
    assert!(ctrl(&mut state, 's').is_empty());
    assert_eq!(
        state.notice.as_ref().unwrap().text,
        "this is a recording: there is no stream to change (search with /)"
    );
}

#[test]
fn r_in_a_recording_says_it_is_a_recording() {
    let mut config = config(None, SIZE);
    config.recording = Some(Recording {
        name: "shop.ndjson".into(),
        events: events(),
        warning: None,
    });
    let (mut state, _) = State::new(config);
    assert!(press(&mut state, 'r').is_empty());
    assert_eq!(
        state.notice.as_ref().unwrap().text,
        "this is a recording: there is no stream to change (search with /)"
    );
}

#[test]
fn the_end_of_an_event_with_long_wrapped_values_can_be_scrolled_into_view() {
    let mut state = live(Some("shop.orders"), SIZE);
    let long = format!("{}END", "x".repeat(2_000));
    let event = mwatch::event::ChangeEvent::from_document(&doc! {
        "operationType": "insert",
        "ns": { "db": "shop", "coll": "orders" },
        "fullDocument": { "_id": 1, "note": long, "last": "the last field" },
    })
    .unwrap();
    source(
        &mut state,
        SourceMsg::Events {
            watch: 1,
            events: vec![event],
        },
    );
    enter(&mut state);
    press(&mut state, 'G');
    let text = common::tui::screen(&state);
    assert!(text.contains("END"), "{text}");
    assert!(text.contains("the last field"), "{text}");
}

#[test]
fn scrolling_the_detail_row_by_row_stops_where_its_end_is() {
    let mut state = live(Some("shop.orders"), (80, 24));
    enter(&mut state);
    let end = |state: &mut State| {
        press(state, 'G');
        state.detail.scroll
    };
    let last = end(&mut state);
    assert!(
        last > state.detail.height,
        "the event is longer than a page"
    );
    press(&mut state, 'g');
    key(&mut state, KeyCode::PageDown);
    assert_eq!(state.detail.scroll, state.detail.height);
    for _ in 0..last * 2 {
        key(&mut state, KeyCode::Down);
    }
    assert_eq!(state.detail.scroll, last);
    key(&mut state, KeyCode::PageDown);
    assert_eq!(state.detail.scroll, last);
    key(&mut state, KeyCode::PageUp);
    assert_eq!(state.detail.scroll, last - state.detail.height);
}
