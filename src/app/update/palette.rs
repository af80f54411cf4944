//! The command palette's side of `update`: choosing, and running the choice where it belongs.

use super::super::msg::{Action, Cmd};
use super::super::state::{Overlay, State};

/// Entries a page moves.
const PAGE: isize = 10;

pub(super) fn palette(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(Overlay::Palette(palette)) = &mut state.overlay else {
        return Vec::new();
    };
    match action {
        Action::Up => palette.move_by(-1),
        Action::Down => palette.move_by(1),
        Action::PageUp => palette.move_by(-PAGE),
        Action::PageDown => palette.move_by(PAGE),
        Action::Open => {
            let chosen = palette.matching().get(palette.selected).copied();
            state.overlay = None;
            if let Some(entry) = chosen {
                // As if its key were pressed in the pane it runs in.
                let (context, pane) = entry.runs_in(state.focus);
                state.focus = pane;
                return super::act(state, context, entry.binding.action);
            }
        }
        _ => state.overlay = None,
    }
    Vec::new()
}
