//! The question a file that exists asks before the event is written over it.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::Overwrite;

use super::{pane, popup, theme};

pub fn render(question: &Overwrite, frame: &mut Frame, area: Rect) {
    let what = format!("{} exists.", question.path.display());
    let keys = Line::from(vec![
        Span::styled("y", theme::key()),
        Span::raw(" overwrite   "),
        Span::styled("n", theme::key()),
        Span::raw("/"),
        Span::styled("Esc", theme::key()),
        Span::raw(" another name"),
    ]);
    let width = (what.chars().count() as u16 + 4).clamp(40, area.width.saturating_sub(4).max(1));
    // The path wraps: the rows it takes, a blank row, the keys, and the borders.
    let inner = width.saturating_sub(2).max(1) as usize;
    let rows = what.chars().count().div_ceil(inner) as u16;
    let rect = popup(frame, area, width, rows + 4);
    let block = pane(" Write the event ", true);
    let text = vec![Line::from(what), Line::default(), keys];
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
        rect,
    );
}
