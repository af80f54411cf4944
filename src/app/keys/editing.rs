//! The keys where letters are text: the pipeline editor, the options form and one-line
//! prompts.

use ratatui::crossterm::event::KeyCode;

use super::{alt, bind, ch, ctrl, plain, Binding, DOWN, UP};
use crate::app::msg::Action;

pub const PIPELINE: &[Binding] = &[
    bind(
        &[ctrl('s')],
        Action::Apply,
        "apply the pipeline (no event lost)",
        Some("apply"),
    ),
    bind(
        &[alt(KeyCode::Up)],
        Action::HistoryPrev,
        "previous applied pipeline",
        Some("history"),
    ),
    bind(
        &[alt(KeyCode::Down)],
        Action::HistoryNext,
        "next applied pipeline",
        None,
    ),
    bind(
        &[plain(KeyCode::Esc)],
        Action::Back,
        "leave the editor",
        Some("leave"),
    ),
];

pub const OPTIONS: &[Binding] = &[
    bind(UP, Action::Up, "previous option", None),
    bind(DOWN, Action::Down, "next option", None),
    bind(
        &[plain(KeyCode::Left), plain(KeyCode::Right), ch(' ')],
        Action::ChangeValue,
        "change the value (numbers: type digits)",
        Some("change"),
    ),
    bind(
        &[plain(KeyCode::Enter)],
        Action::Open,
        "apply (no event lost)",
        Some("apply"),
    ),
    bind(
        &[plain(KeyCode::Esc)],
        Action::Back,
        "cancel",
        Some("cancel"),
    ),
];

pub const INPUT: &[Binding] = &[
    bind(
        &[plain(KeyCode::Enter)],
        Action::Open,
        "confirm",
        Some("confirm"),
    ),
    bind(
        &[plain(KeyCode::Esc)],
        Action::Back,
        "cancel",
        Some("cancel"),
    ),
];
