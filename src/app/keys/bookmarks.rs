//! The key tables of the bookmarks pane and of the dialogs that offer a way on when a watch
//! cannot go on.

use ratatui::crossterm::event::KeyCode;

use super::{bind, ch, plain, Binding, BOTTOM, DOWN, PAGE_DOWN, PAGE_UP, TOP, UP};
use crate::app::msg::Action;

pub const BOOKMARKS: &[Binding] = &[
    bind(UP, Action::Up, "previous bookmark", None),
    bind(DOWN, Action::Down, "next bookmark", None),
    bind(PAGE_UP, Action::PageUp, "page up", None),
    bind(PAGE_DOWN, Action::PageDown, "page down", None),
    bind(TOP, Action::Top, "oldest bookmark", None),
    bind(BOTTOM, Action::Follow, "newest bookmark", None),
    bind(
        &[plain(KeyCode::Enter)],
        Action::Open,
        "replay: watch again from right after it",
        Some("replay"),
    ),
    bind(
        &[ch('/')],
        Action::Search,
        "filter (name, namespace, op, note)",
        Some("filter"),
    ),
    bind(&[ch('r')], Action::Rename, "rename", Some("rename")),
    bind(
        &[ch('d')],
        Action::Delete,
        "delete (asks first)",
        Some("delete"),
    ),
    bind(
        &[plain(KeyCode::Esc), ch('q'), ch('B')],
        Action::Back,
        "clear the filter, else close",
        Some("close"),
    ),
];

pub const CONFIRM: &[Binding] = &[
    bind(&[ch('y')], Action::Yes, "yes", Some("yes")),
    bind(
        &[ch('n'), plain(KeyCode::Esc)],
        Action::Back,
        "no",
        Some("no"),
    ),
];

/// Esc (or q) closes a dialog and leaves things as they are.
const CLOSE_DIALOG: Binding = bind(
    &[plain(KeyCode::Esc), ch('q')],
    Action::Back,
    "close",
    Some("close"),
);

pub const LOST: &[Binding] = &[
    bind(
        &[ch('s')],
        Action::StartOldest,
        "start at the oldest point the server still has",
        Some("start there"),
    ),
    CLOSE_DIALOG,
];

pub const INVALIDATED: &[Binding] = &[
    bind(
        &[ch('c')],
        Action::ContinueAfter,
        "continue after the invalidate (startAfter)",
        Some("continue"),
    ),
    CLOSE_DIALOG,
];
