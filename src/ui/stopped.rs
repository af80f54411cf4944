//! The foot of the event list when the stream has stopped: why, in full, and the ways out
//! (`app::stopped` says which rows it takes).

use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::stopped::ListAreas;

use super::theme;

/// Draws the banner, if the stream stopped.
pub fn render(areas: &ListAreas, frame: &mut Frame) {
    let lines: Vec<Line> = areas
        .banner_rows
        .iter()
        .map(|row| Line::from(Span::styled(row.clone(), theme::error())))
        .collect();
    frame.render_widget(Paragraph::new(lines), areas.banner);
}
