//! What the TUI says about the stream is true: a stopped stream says so everywhere, with the
//! way out; a resume after an outage is marked; the counts say what they count.

use crate::common;

use common::tui::*;
use mwatch::app::msg::{Cmd, Focus, Msg};
use mwatch::app::state::State;
use mwatch::app::update::update;
use mwatch::source::{SourceMsg, Start, Status};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// What the server says of a pipeline that changes the `_id` (a real MongoDB's words).
pub const FATAL: &str = "Executor error during getMore :: caused by :: Encountered an event \
whose _id field, which contains the resume token, was modified by the pipeline. Modifying the \
_id field of an event makes it impossible to resume the stream from that point. Only \
transformations that retain the unmodified _id field are allowed. (ChangeStreamFatalError \
(280))";

pub fn alt(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(state, Msg::Key(key_event(code, KeyModifiers::ALT)))
}

/// A live state on the whole deployment whose second watch, `{$project: {_id: 0}}`, the server
/// accepted and then failed on its first event; the pipeline editor has the keyboard.
pub fn stopped(size: (u16, u16)) -> State {
    let mut state = live(Some("shop.orders"), size);
    press(&mut state, 'p');
    type_text(&mut state, "{$project: {_id: 0}}");
    let (id, _) = watch_cmd(&ctrl(&mut state, 's'));
    started(&mut state, id);
    for status in [Status::Live, Status::Failed(FATAL.into())] {
        source(&mut state, SourceMsg::Status { watch: id, status });
    }
    state
}

#[test]
fn a_stopped_stream_says_so_in_every_place_that_shows_state() {
    let mut state = stopped(SIZE);
    let text = screen(&state);
    assert!(!text.contains("running:"), "{text}");
    assert!(!text.contains("following"), "{text}");
    assert!(!text.contains("live"), "{text}");
    assert!(text.contains("✖ stopped"), "the badges: {text}");
    assert!(text.contains("Events · 5 kept · stopped"), "{text}");
    // The whole reason is in the events pane, however long, and the ways out.
    // The right-hand panes start at column 40 at this size.
    let right: String = text
        .lines()
        .map(|line| line.chars().skip(40).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    let joined: String = right
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let reason: String = FATAL.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(joined.contains(&reason), "{text}");
    assert!(text.contains("r retry"), "{text}");
    assert!(text.contains("Alt-↑"), "{text}");

    // Applying again and being refused does not claim a stream runs.
    type_text(&mut state, " ");
    let (id, _) = watch_cmd(&ctrl(&mut state, 's'));
    rejected(&mut state, id, "bad", false);
    let (said, error) = notice(&state).unwrap();
    assert!(error && !said.contains("keeps running"), "{said}");
    assert!(said.contains("no stream runs"), "{said}");
}

#[test]
fn r_restarts_a_stopped_stream_from_where_it_got_to() {
    let mut state = stopped(SIZE);
    esc(&mut state);
    assert_eq!(state.focus, Focus::Events);
    let (id, spec) = watch_cmd(&press(&mut state, 'r'));
    assert_eq!(spec.start, Start::Continue);
    assert_eq!(spec.pipeline, state.watch.spec.pipeline);
    started(&mut state, id);
    assert!(seams(&state).last().unwrap().starts_with("restarted "));
    source(
        &mut state,
        SourceMsg::Status {
            watch: id,
            status: Status::Live,
        },
    );
    assert!(
        press(&mut state, 'r').is_empty(),
        "a running stream is not restarted"
    );
    assert!(notice(&state).unwrap().0.contains("runs"));
}

#[test]
fn alt_up_goes_back_to_the_pipeline_before_even_an_empty_one() {
    let mut state = stopped(SIZE);
    alt(&mut state, KeyCode::Up);
    assert_eq!(state.editor.text(), "", "the empty pipeline ran before");
    let (_, spec) = watch_cmd(&ctrl(&mut state, 's'));
    assert!(spec.pipeline.is_empty());
    assert_eq!(spec.start, Start::Continue);
}

#[test]
fn the_counts_say_what_they_count() {
    let state = live(Some("shop.orders"), SIZE);
    let text = screen(&state);
    assert!(text.contains("Events · 5 kept"), "{text}");
    assert!(text.contains("│ 5 received"), "{text}");
}

#[test]
fn a_paused_selection_that_leaves_the_store_says_so() {
    let mut config = config(Some("shop.orders"), SIZE);
    config.store = mwatch::store::EventStore::new(4, usize::MAX);
    let (mut state, _) = new_connected(config);
    started(&mut state, 1);
    receive(&mut state, 1, vec![insert(1), insert(2), insert(3)]);
    press(&mut state, 'g');
    press(&mut state, 'j');
    assert!(notice(&state).is_none());
    receive(&mut state, 1, vec![insert(4)]);
    assert!(notice(&state).is_none(), "the selected event is still kept");
    receive(&mut state, 1, vec![insert(5)]);
    let (said, _) = notice(&state).expect("a notice");
    assert!(said.contains("selected was dropped"), "{said}");
    assert!(said.contains('4'), "says the bound: {said}");
}

#[test]
fn a_resume_after_an_outage_gets_a_seam_row_with_how_long_it_lasted() {
    let mut state = running();
    receive(&mut state, 1, vec![insert(1)]);
    let status = |state: &mut State, status: Status, now: i64| {
        let msg = SourceMsg::Status { watch: 1, status };
        update(state, Msg::Source { msg, now });
    };
    status(&mut state, Status::Resuming("I/O error".into()), NOW);
    assert!(screen(&state).contains("◌ resuming"));
    // The task says it again at each failed try: the outage started at the first.
    status(
        &mut state,
        Status::Resuming("I/O error".into()),
        NOW + 5_000,
    );
    status(&mut state, Status::Live, NOW + 12_400);
    assert_eq!(
        seams(&state).last().unwrap(),
        "resumed after 12 s without the server"
    );
    status(&mut state, Status::Live, NOW + 13_000);
    assert_eq!(seams(&state).len(), 2, "one seam per outage");
}

#[test]
fn a_replay_refused_after_the_stream_stopped_does_not_claim_a_stream_runs() {
    let mut state = stopped(SIZE);
    esc(&mut state);
    press(&mut state, 't');
    type_text(&mut state, "-10m");
    let (id, _) = watch_cmd(&enter(&mut state));
    rejected(&mut state, id, "history lost", true);
    let text = screen(&state);
    assert!(text.contains("No stream is running now."), "{text}");
    assert!(!text.contains("keeps running"), "{text}");
}

#[test]
fn a_first_watch_the_server_refuses_says_it_could_not_start_and_nothing_else() {
    let (mut state, _) = fresh(Some("shop.orders"), SIZE);
    rejected(
        &mut state,
        1,
        "not authorized on shop to execute command { aggregate }",
        false,
    );
    let text = screen(&state);
    assert!(
        text.contains("✖ The stream could not start. r retry"),
        "{text}"
    );
    assert!(text.contains("not authorized on shop"), "{text}");
    assert!(!text.contains("Waiting for events"), "{text}");
    let (_, spec) = watch_cmd(&press(&mut state, 'r'));
    assert_eq!(spec.start, Start::Now, "where the first watch was to start");
}
