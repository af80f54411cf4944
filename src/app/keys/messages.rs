//! The key tables of the message log and of the connecting screen.

use ratatui::crossterm::event::KeyCode;

use super::{bind, ch, plain, Binding, BOTTOM, DOWN, PAGE_DOWN, PAGE_UP, TOP, UP};
use crate::app::msg::Action;

pub const LOG: &[Binding] = &[
    bind(UP, Action::Up, "newer message", None),
    bind(DOWN, Action::Down, "older message", None),
    bind(PAGE_UP, Action::PageUp, "page up", None),
    bind(PAGE_DOWN, Action::PageDown, "page down", None),
    bind(TOP, Action::Top, "newest message", None),
    bind(BOTTOM, Action::Follow, "oldest message", None),
    bind(
        &[plain(KeyCode::Esc), ch('q'), ch('L')],
        Action::Back,
        "close the log",
        Some("close"),
    ),
];

pub const CONNECTION: &[Binding] = &[
    bind(
        &[ch('r')],
        Action::Reconnect,
        "connect again",
        Some("retry"),
    ),
    bind(
        &[plain(KeyCode::Esc), ch('q')],
        Action::Quit,
        "quit",
        Some("quit"),
    ),
    bind(
        &[ch('L')],
        Action::MessageLog,
        "the message log",
        Some("log"),
    ),
];
