//! The question a file that exists asks before the event is written over it.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use crate::app::keys::Context;
use crate::app::state::Overwrite;

use super::{dialog, theme};

pub fn render(question: &Overwrite, frame: &mut Frame, area: Rect) {
    let text = [
        (
            format!("{} exists. Overwrite it?", question.path.display()),
            Style::new(),
        ),
        ("No: choose another name.".to_string(), theme::dim()),
    ];
    dialog::render(frame, area, "Write the event", &text, Context::Confirm);
}
