//! The message log overlay: every notice and error of the session, newest first, each with
//! its time (UTC, as the seam rows) and wrapped whole.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::keys::Context;
use crate::app::state::State;
use crate::format::time_of_day;

use super::dialog::keys_line;
use super::text::wrap;
use super::{pane, popup, theme};

pub fn render(state: &State, scroll: usize, frame: &mut Frame, area: Rect) {
    let rect = popup(
        frame,
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2).max(5),
    );
    let inner = rect.width.saturating_sub(2) as usize;
    let rows = rect.height.saturating_sub(3) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if state.log.is_empty() {
        lines.push(Line::styled("No messages yet.", theme::dim()));
    }
    for entry in state.log.newest_first().skip(scroll) {
        if lines.len() >= rows {
            break;
        }
        let style = if entry.error {
            theme::error()
        } else {
            Style::new()
        };
        let text = format!("{}  {}", time_of_day(entry.at, false), entry.text);
        for line in text.split('\n') {
            lines.extend(wrap(line, style, inner));
        }
    }
    lines.truncate(rows);
    lines.resize(rows, Line::default());
    lines.push(keys_line(Context::Log));
    let count = state.log.len();
    let title = format!(
        " Message log · {count} message{} · newest first · UTC ",
        if count == 1 { "" } else { "s" }
    );
    frame.render_widget(Paragraph::new(lines).block(pane(title, true)), rect);
}
