//! The command palette: what is typed, the actions that match with their keys and pane, the
//! choice highlighted, and the palette's own keys.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::keys::Context;
use crate::app::msg::Focus;
use crate::app::palette::Palette;

use super::dialog::keys_line;
use super::{pane, popup, right_of, theme};

/// Widest the palette gets.
const WIDTH: u16 = 90;

/// `from`: the pane the palette was opened from, where the commands it also has run.
pub fn render(palette: &Palette, from: Focus, frame: &mut Frame, area: Rect) {
    let rect = popup(
        frame,
        area,
        WIDTH.min(area.width),
        area.height.saturating_sub(2).max(6),
    );
    // The typed line, the keys line and the borders take four rows.
    let rows = rect.height.saturating_sub(4) as usize;
    let matching = palette.matching();
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", theme::key()),
        Span::raw(palette.input.text().to_string()),
    ])];
    if matching.is_empty() {
        lines.push(Line::styled("no action matches", theme::dim()));
    }
    // The choice stays in view.
    let first = palette.selected.saturating_sub(rows.saturating_sub(1));
    for (i, entry) in matching.iter().enumerate().skip(first).take(rows) {
        let keys = entry.keys();
        let keys = if keys.is_empty() {
            "—".to_string()
        } else {
            keys
        };
        let chosen = i == palette.selected;
        // The marker shows the choice also without colour.
        let marker = if chosen { "▸" } else { " " };
        let mut line = Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{keys:<14}"), theme::key()),
            Span::raw(entry.binding.help),
            Span::styled(format!("  {}", entry.runs_in(from).0.title()), theme::dim()),
        ]);
        if chosen {
            line = line.style(theme::selected());
        }
        lines.push(line);
    }
    lines.resize(rows + 1, Line::default());
    lines.push(keys_line(Context::Palette));
    let title = format!(
        " Command palette · {} of {} actions ",
        matching.len(),
        crate::app::palette::entries().len()
    );
    frame.render_widget(Paragraph::new(lines).block(pane(title, true)), rect);
    let x = right_of(rect.x, 3 + palette.input.cursor());
    frame.set_cursor_position((x.min(rect.right().saturating_sub(2)), rect.y + 1));
}
