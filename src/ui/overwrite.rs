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
    // As wide as the path (40 columns at least), within the screen.
    let room = usize::from(area.width.saturating_sub(4));
    let width = (what.chars().count() + 4).max(40).min(room);
    // The path wraps: the rows it takes, a blank row, the keys, and the borders.
    let rows = what
        .chars()
        .count()
        .div_ceil(width.saturating_sub(2).max(1));
    let height = u16::try_from(rows + 4).unwrap_or(u16::MAX);
    let rect = popup(frame, area, width as u16, height);
    let block = pane(" Write the event ", true);
    let text = vec![Line::from(what), Line::default(), keys];
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
        rect,
    );
}
