//! The command palette's keys, and the actions that have no key of their own (the palette
//! lists them with the others).

use ratatui::crossterm::event::KeyCode;

use super::{bind, plain, Binding, PAGE_DOWN, PAGE_UP};
use crate::app::msg::Action;

/// Letters are the search text, so only arrows move.
pub const PALETTE: &[Binding] = &[
    bind(&[plain(KeyCode::Up)], Action::Up, "previous action", None),
    bind(&[plain(KeyCode::Down)], Action::Down, "next action", None),
    bind(PAGE_UP, Action::PageUp, "page up", None),
    bind(PAGE_DOWN, Action::PageDown, "page down", None),
    bind(
        &[plain(KeyCode::Enter)],
        Action::Open,
        "run the action",
        Some("run"),
    ),
    bind(&[plain(KeyCode::Esc)], Action::Back, "close", Some("close")),
];

/// Actions of the events pane that only the palette offers.
pub const KEYLESS: &[Binding] = &[bind(
    &[],
    Action::ClearEvents,
    "clear the events shown (the stream goes on)",
    None,
)];
