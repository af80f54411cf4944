//! Colours and styles, in one place so every pane looks alike.
//!
//! With `NO_COLOR` set there is no colour (`super::view_without_colour`): what must be seen,
//! the focused pane, the active tab and the selected row, also shows by a border, a marker
//! or an attribute.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use crate::event::OpType;

/// The focused pane has a double border.
pub fn border_type(focused: bool) -> BorderType {
    if focused {
        BorderType::Double
    } else {
        BorderType::Plain
    }
}

pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}

pub fn title(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::BOLD)
    }
}

/// Each operation type has its colour in the event list and the detail view.
pub fn op(op: OpType) -> Style {
    let color = match op {
        OpType::Insert => Color::Green,
        OpType::Update => Color::Yellow,
        OpType::Replace => Color::Magenta,
        OpType::Delete => Color::Red,
        OpType::Invalidate => Color::LightRed,
        OpType::Drop | OpType::DropDatabase | OpType::Rename => Color::LightMagenta,
        OpType::Create
        | OpType::CreateIndexes
        | OpType::DropIndexes
        | OpType::Modify
        | OpType::ShardCollection => Color::Blue,
        OpType::Other => Color::Gray,
    };
    Style::new().fg(color)
}

pub fn selected() -> Style {
    Style::new()
        .bg(Color::DarkGray)
        .add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn error() -> Style {
    Style::new().fg(Color::Red)
}

/// What a search found: also seen without colour (underlined).
pub fn found() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::UNDERLINED)
}

pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// Syntax colours for documents.
pub mod syntax {
    use ratatui::style::{Color, Style};

    pub fn field() -> Style {
        Style::new().fg(Color::Cyan)
    }
    pub fn string() -> Style {
        Style::new().fg(Color::Green)
    }
    pub fn number() -> Style {
        Style::new().fg(Color::Yellow)
    }
    /// `ObjectId(..)`, `ISODate(..)` and other typed values.
    pub fn typed() -> Style {
        Style::new().fg(Color::Magenta)
    }
    /// null, true, false.
    pub fn keyword() -> Style {
        Style::new().fg(Color::Blue)
    }
    pub fn punctuation() -> Style {
        Style::new().fg(Color::Gray)
    }
    pub fn added() -> Style {
        Style::new().fg(Color::Green)
    }
    pub fn removed() -> Style {
        Style::new().fg(Color::Red)
    }
    pub fn changed() -> Style {
        Style::new().fg(Color::Yellow)
    }
}
