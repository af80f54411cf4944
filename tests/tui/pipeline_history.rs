//! The pipeline history: Alt-↑ goes first to the pipeline before the running one; it is kept
//! per deployment across sessions (loaded and saved by the runtime, filed under the deployment
//! with no password); a bookmark's pipeline comes back as the user wrote it.

use crate::common;
use crate::stream_state::alt;

use common::tui::*;
use mwatch::app::msg::{Cmd, Msg};
use mwatch::app::state::Purpose;
use mwatch::app::update::update;
use mwatch::bookmarks::Bookmark;
use ratatui::crossterm::event::KeyCode;

/// The fixture's deployment as the history files it: hosts and replica set, no user.
const KEY: &str = "mongodb://127.0.0.1:27017/?replicaSet=rs0";

#[test]
fn the_history_of_earlier_sessions_is_loaded_for_this_deployment() {
    let (mut state, cmds) = fresh(Some("shop.orders"), SIZE);
    assert!(
        cmds.contains(&Cmd::LoadHistory {
            deployment: KEY.into()
        }),
        "{cmds:?}"
    );
    update(
        &mut state,
        Msg::History(Ok(vec!["{$match: {a: 1}}".into(), "".into()])),
    );
    let save = started(&mut state, 1);
    assert_eq!(
        save,
        [Cmd::SaveHistory {
            deployment: KEY.into(),
            pipelines: vec!["".into()]
        }],
        "the pipeline that runs joins the history"
    );
    press(&mut state, 'p');
    alt(&mut state, KeyCode::Up);
    assert_eq!(state.editor.text(), "{$match: {a: 1}}");
    assert!(format!("{save:?}").find(PASSWORD).is_none());
}

#[test]
fn a_history_file_that_cannot_be_read_is_reported() {
    let (mut state, _) = fresh(Some("shop.orders"), SIZE);
    update(
        &mut state,
        Msg::History(Err(
            "pipelines.json:1:3: broken; mwatch moved it to x".into()
        )),
    );
    let (said, error) = notice(&state).unwrap();
    assert!(error && said.contains("moved it to x"), "{said}");
}

#[test]
fn a_bookmark_keeps_the_pipeline_as_written_and_a_replay_brings_it_back() {
    let mut state = running();
    receive(&mut state, 1, vec![insert(1)]);
    press(&mut state, 'b');
    let Some((Purpose::BookmarkName(bookmark), _)) = prompt(&state) else {
        panic!("no bookmark prompt")
    };
    assert_eq!(
        bookmark.pipeline_text.as_deref(),
        Some("{$match: {operationType: 'insert'}}")
    );
    esc(&mut state);

    let written = "// only inserts\n{$match: {operationType: \"insert\"}}";
    let saved = Bookmark {
        pipeline: vec![bson::doc! { "$match": { "operationType": "insert" } }],
        pipeline_text: Some(written.into()),
        ..sample("mine")
    };
    press(&mut state, 'B');
    stored(&mut state, vec![saved]);
    let (id, _) = watch_cmd(&enter(&mut state));
    started(&mut state, id);
    assert_eq!(state.editor.text(), written);

    // A text that does not say what the stages say (a hand-edited file) is not trusted.
    let edited = Bookmark {
        pipeline: vec![bson::doc! { "$match": { "n": 1 } }],
        pipeline_text: Some("{$match: {n: 2}}".into()),
        ..sample("edited")
    };
    assert_eq!(
        edited.pipeline_text(),
        mwatch::pipeline::to_text(&edited.pipeline)
    );
}
