//! The stream's side of `update`: what the change-stream task reports, (re)starting watches,
//! and the ways on that are offered when a watch cannot go on (its history is lost, or its
//! collection was dropped or renamed).

use bson::{Document, Timestamp};

use crate::bookmarks::token_time;
use crate::format::utc_seconds;
use crate::format::{age_text, time_of_day};
use crate::pipeline_history::history_key;
use crate::source::{SourceMsg, Start, Status, WatchSpec};
use crate::store::{Row, SeamKind};

use super::super::keys::{key_for, Context};
use super::super::msg::{Action, Cmd};
use super::super::state::{Lost, Offer, Oldest, Pending, Reason, State};
use super::super::stopped;

fn seam(reason: &Reason, spec: &WatchSpec, now: i64) -> String {
    let time = time_of_day(now, false);
    match reason {
        Reason::First => format!("watching {} since {time}", spec.scope),
        Reason::Pipeline => format!("pipeline changed {time}"),
        Reason::Scope => format!("scope {} {time}", spec.scope),
        Reason::Options => format!("options changed {time}"),
        Reason::Replay(name) => format!("replay from {name}"),
        Reason::FromTime(ts) => format!("replay from {}", utc_seconds(seconds_millis(*ts))),
        Reason::AfterInvalidate => format!("continued after the invalidate {time}"),
        Reason::Restart => format!("restarted {time}"),
    }
}

fn seconds_millis(ts: Timestamp) -> i64 {
    i64::from(ts.time) * 1000
}

pub(super) fn source(state: &mut State, msg: SourceMsg) -> Vec<Cmd> {
    let pending_id = state.watch.pending.as_ref().map(|p| p.id);
    match msg {
        SourceMsg::Started { watch } if Some(watch) == pending_id => {
            let Some(pending) = state.watch.pending.take() else {
                return Vec::new();
            };
            state.watch.id = watch;
            // A new watch: an outage of the one it replaces is over for the user.
            state.watch.outage_since = None;
            let mut cmds = Vec::new();
            if let Some(text) = &pending.pipeline_text {
                // A replay brings its own pipeline; an applied one is in the editor already.
                if matches!(pending.reason, Reason::Replay(_) | Reason::FromTime(_)) {
                    state.editor.set_text(text);
                }
                state.editor.accepted(text);
                cmds.push(Cmd::SaveHistory {
                    deployment: history_key(&state.deployment.uri),
                    pipelines: vec![text.trim().to_string()],
                });
            }
            let label = seam(&pending.reason, &pending.spec, state.now);
            state.watch.started.push(pending.spec.clone());
            state.watch.spec = pending.spec;
            state.events.push(Row::seam(SeamKind::Watch, label));
            // A replay is read from its start: its seam goes to the top of the list.
            if matches!(pending.reason, Reason::Replay(_) | Reason::FromTime(_)) {
                state.events.show_at_top(state.events.store.len() - 1);
            }
            // A stream runs again: whatever was offered when the last one could not go on is moot.
            state.offer = None;
            return cmds;
        }
        SourceMsg::Rejected {
            watch,
            error,
            history_lost,
        } if Some(watch) == pending_id => {
            let Some(pending) = state.watch.pending.take() else {
                return Vec::new();
            };
            let first = state.watch.id == 0;
            // Nothing runs on: the first watch never started, or the running one had stopped.
            let nothing_runs = first || stopped::has_stopped(state);
            if first {
                let failed = Status::Failed(error.clone());
                super::messages::log_status(state, &failed);
                state.watch.status = failed;
            }
            if history_lost {
                let what = match &pending.reason {
                    Reason::Replay(name) => format!("bookmark '{name}'"),
                    Reason::FromTime(ts) => utc_seconds(seconds_millis(*ts)),
                    _ => "the resume point".to_string(),
                };
                let at = start_time(&pending.spec.start);
                let lost = Lost {
                    watch,
                    what,
                    at: at.map(seconds_millis),
                    stopped: nothing_runs,
                    spec: pending.spec,
                    pipeline_text: pending.pipeline_text,
                    oldest: Oldest::Searching,
                };
                return offer_oldest(state, lost, at);
            }
            if first {
                return Vec::new();
            }
            if pending.reason == Reason::Pipeline {
                state.editor.rejected = Some(error.clone());
            }
            let previous = if nothing_runs {
                "no stream runs (the previous one had stopped)"
            } else {
                "the previous stream keeps running"
            };
            state.warn(format!("the server refused it, {previous}: {error}"));
        }
        SourceMsg::Events { watch, events } if watch == state.watch.id => {
            state.stats.record(&events, state.now);
            for event in &events {
                state.namespaces.saw(event);
            }
            if state.events.push_events(events) {
                state.warn(format!(
                    "the event you had selected was dropped: the list keeps {}; the selection is now on the oldest kept",
                    state.events.store.dropping_bound()
                ));
            }
        }
        SourceMsg::Status { watch, status }
            if watch == state.watch.id || (state.watch.id == 0 && Some(watch) == pending_id) =>
        {
            let cmds = match &status {
                Status::HistoryLost(_) => {
                    let at = position(state);
                    let lost = Lost {
                        watch,
                        what: "the stream's position".to_string(),
                        at: at.map(seconds_millis),
                        stopped: true,
                        spec: state.watch.spec.clone(),
                        pipeline_text: None,
                        oldest: Oldest::Searching,
                    };
                    offer_oldest(state, lost, at)
                }
                Status::Invalidated { token: Some(token) } => {
                    state.offer = Some(Offer::Invalidated(token.clone()));
                    Vec::new()
                }
                _ => Vec::new(),
            };
            super::messages::log_status(state, &status);
            outage(state, &status);
            state.watch.status = status;
            return cmds;
        }
        SourceMsg::Reopened { watch } if watch == state.watch.id => resumed(state, true),
        // From a superseded watch.
        _ => state.dirty = false,
    }
    Vec::new()
}

fn outage(state: &mut State, status: &Status) {
    match status {
        Status::Resuming(_) => {
            state.watch.outage_since.get_or_insert(state.now);
        }
        Status::Live => resumed(state, false),
        _ => state.watch.outage_since = None,
    }
}

/// Ends an outage: marks it with a seam row when the stream was opened again (`reopened`) or
/// the server was gone a second or more. A shorter blip of the driver's monitoring, with the
/// stream never reopened, gets none: the log has it.
fn resumed(state: &mut State, reopened: bool) {
    let Some(since) = state.watch.outage_since.take() else {
        return;
    };
    let seconds = (state.now - since) / 1000;
    if !reopened && seconds < 1 {
        return;
    }
    // The same watch goes on after the seam.
    let spec = state.watch.spec.clone();
    state.watch.started.push(spec);
    state.events.push(Row::seam(
        SeamKind::Resumed,
        format!("resumed after {} without the server", age_text(seconds)),
    ));
}

/// The cluster time a start points at, if it tells one.
fn start_time(start: &Start) -> Option<Timestamp> {
    match start {
        Start::ResumeAfter(token) | Start::StartAfter(token) => token_time(token),
        Start::AtTime(ts) => Some(*ts),
        Start::Now | Start::Continue => None,
    }
}

/// Where the running watch had got to: its newest event (after the last seam), else its start.
fn position(state: &State) -> Option<Timestamp> {
    let newest = state
        .events
        .store
        .iter()
        .rev()
        .map_while(Row::event)
        .find_map(|event| event.cluster_time());
    newest.or_else(|| start_time(&state.watch.spec.start))
}

/// Shows the history-lost dialog and asks the runtime where the history now starts.
fn offer_oldest(state: &mut State, lost: Lost, at: Option<Timestamp>) -> Vec<Cmd> {
    let cmd = Cmd::FindOldest {
        watch: lost.watch,
        spec: Box::new(lost.spec.clone()),
        lost: at,
    };
    state.offer = Some(Offer::Lost(Box::new(lost)));
    vec![cmd]
}

/// The search for the oldest point answered.
pub(super) fn oldest(state: &mut State, watch: u64, at: Option<Timestamp>) {
    match &mut state.offer {
        Some(Offer::Lost(lost)) if lost.watch == watch => {
            lost.oldest = at.map_or(Oldest::Unknown, Oldest::At);
        }
        // The dialog it was for is gone.
        _ => state.dirty = false,
    }
}

/// Keys on the dialog of a watch that cannot go on.
pub(super) fn offer(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(offer) = state.offer.take() else {
        return Vec::new();
    };
    match (offer, action) {
        (_, Action::Back) => {}
        (Offer::Lost(lost), Action::StartOldest) => match lost.oldest {
            Oldest::At(ts) => {
                let spec = WatchSpec {
                    start: Start::AtTime(ts),
                    ..lost.spec
                };
                return start_watch(state, spec, Reason::FromTime(ts), lost.pipeline_text);
            }
            Oldest::Searching => {
                state.notify("still looking for the oldest point the server has…");
                state.offer = Some(Offer::Lost(lost));
            }
            Oldest::Unknown => {
                let key = key_for(Context::Events, Action::ReplayTime);
                state.warn(format!(
                    "the server did not say how far back its history goes; {key} replays from a time you give"
                ));
                state.offer = Some(Offer::Lost(lost));
            }
        },
        (Offer::Invalidated(token), Action::ContinueAfter) => return continue_after(state, token),
        (offer, _) => {
            state.offer = Some(offer);
            state.dirty = false;
        }
    }
    Vec::new()
}

/// Goes on after an invalidate event, from its token.
fn continue_after(state: &mut State, token: Document) -> Vec<Cmd> {
    let spec = WatchSpec {
        start: Start::StartAfter(token),
        ..state.watch.spec.clone()
    };
    start_watch(state, spec, Reason::AfterInvalidate, None)
}

/// The continue key from the events pane, once the invalidate dialog is closed.
pub(super) fn continue_invalidated(state: &mut State) -> Vec<Cmd> {
    match &state.watch.status {
        Status::Invalidated { token: Some(token) } => {
            let token = token.clone();
            continue_after(state, token)
        }
        _ => {
            state.notify("the stream is not invalidated: there is nothing to continue after");
            Vec::new()
        }
    }
}

/// `r`: restarts a stream that stopped, from where it got to (a first watch that never
/// started: from where it was to start).
pub(super) fn retry(state: &mut State) -> Vec<Cmd> {
    // A recording never stops, but it has no stream to restart either: it says so first.
    if in_recording(state) {
        return Vec::new();
    }
    if !stopped::has_stopped(state) {
        state.notify("the stream runs: there is nothing to restart");
        return Vec::new();
    }
    let mut spec = state.watch.spec.clone();
    if state.watch.id != 0 {
        spec.start = Start::Continue;
    }
    start_watch(state, spec, Reason::Restart, None)
}

/// Whether this is a recording, where no stream can be changed: if so, says it.
fn in_recording(state: &mut State) -> bool {
    if state.recording.is_some() {
        state.warn("this is a recording: there is no stream to change (search with /)");
    }
    state.recording.is_some()
}

/// Asks the task for a new watch; it replaces the running one once the server accepts it.
pub(super) fn start_watch(
    state: &mut State,
    spec: WatchSpec,
    reason: Reason,
    text: Option<String>,
) -> Vec<Cmd> {
    if in_recording(state) {
        return Vec::new();
    }
    let id = state.watch.next_id;
    state.watch.next_id += 1;
    state.watch.pending = Some(Pending {
        id,
        spec: spec.clone(),
        reason,
        pipeline_text: text,
    });
    vec![Cmd::Watch {
        id,
        spec: Box::new(spec),
    }]
}
