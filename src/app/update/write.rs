//! `w`: the selected event written to a file. The runtime writes it and never replaces a file
//! unasked: a file that is there comes back as a question (overwrite, or another name).

use std::path::PathBuf;

use crate::format::json_value;

use super::super::input::LineInput;
use super::super::msg::{Action, Cmd};
use super::super::state::{Overlay, Overwrite, Prompt, Purpose, State};

/// Asks for a file name, proposing one made from the event's cluster time. The event is
/// written as it is now, as pretty Extended JSON, whatever is selected when the name is given.
pub(super) fn ask(state: &mut State) {
    let Some(event) = state.events.selected_event() else {
        state.warn("no event selected");
        return;
    };
    let name = match event.cluster_time() {
        Some(ts) => format!("event-{}-{}.json", ts.time, ts.increment),
        None => "event.json".to_string(),
    };
    let json = match json_value(event, false) {
        Ok(json) => json,
        Err(e) => return state.warn(format!("cannot write the event: {e}")),
    };
    let mut contents = serde_json::to_string_pretty(&json).unwrap_or_default();
    contents.push('\n');
    open_prompt(state, &name, contents);
}

fn open_prompt(state: &mut State, name: &str, contents: String) {
    state.overlay = Some(Overlay::Prompt(Prompt {
        purpose: Purpose::WriteEvent { contents },
        input: LineInput::new(name),
    }));
}

/// The name was given: write the event there.
pub(super) fn prompted(name: String, contents: String) -> Vec<Cmd> {
    vec![Cmd::WriteFile {
        path: name.into(),
        contents,
        overwrite: false,
    }]
}

/// The file was there: ask.
pub(super) fn exists(state: &mut State, typed: String, path: PathBuf, contents: String) {
    state.overlay = Some(Overlay::Overwrite(Overwrite {
        typed,
        path,
        contents,
    }));
}

/// `y` replaces the file; anything else gives the name back to edit.
pub(super) fn confirm(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(Overlay::Overwrite(question)) = state.overlay.take() else {
        return Vec::new();
    };
    if action == Action::Yes {
        return vec![Cmd::WriteFile {
            path: question.path,
            contents: question.contents,
            overwrite: true,
        }];
    }
    open_prompt(state, &question.typed, question.contents);
    Vec::new()
}
