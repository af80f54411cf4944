//! A dialog box: its text wrapped to fit (never cut at the edge), and its own keys inside it
//! (`[c] continue  [Esc/q] close`), taken from the key table of its context.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::keys::{own_hints, Context};
use crate::printable::printable;

use super::text::wrap;
use super::{pane, popup, theme};

/// Widest a dialog gets.
const WIDTH: u16 = 76;

/// `[keys] hint` for each of `context`'s own keys.
pub fn keys_line(context: Context) -> Line<'static> {
    let mut spans = Vec::new();
    for (keys, hint) in own_hints(context) {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(format!("[{keys}]"), theme::key()));
        spans.push(Span::raw(format!(" {hint}")));
    }
    Line::from(spans)
}

/// Draws a dialog titled `title` over `area`: `paragraphs` (text and style; an empty text is a
/// blank row) wrapped to its width, then `context`'s keys. As tall as its text needs.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    paragraphs: &[(String, Style)],
    context: Context,
) {
    let width = WIDTH.min(area.width);
    let inner = width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = paragraphs
        .iter()
        .flat_map(|(text, style)| wrap(&printable(text), *style, inner))
        .collect();
    lines.push(Line::default());
    lines.extend(keys_rows(context, inner));
    let height = super::cells(lines.len()).saturating_add(2);
    let rect = popup(frame, area, width, height);
    frame.render_widget(
        Paragraph::new(lines).block(pane(format!(" {title} "), true)),
        rect,
    );
}

/// `context`'s keys line on as many rows of `width` as it needs, breaking between keys.
pub fn keys_rows(context: Context, width: usize) -> Vec<Line<'static>> {
    let mut rows = vec![Line::default()];
    for span in keys_line(context).spans {
        let row = rows.last_mut().expect("one row at least");
        if row.width() + span.width() > width && row.width() > 0 && span.content.starts_with('[') {
            rows.push(Line::default());
        }
        rows.last_mut().expect("one row at least").spans.push(span);
    }
    rows
}
