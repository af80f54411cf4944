//! The `?` help overlay, generated from the key tables.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::keys::{self, Binding, Context};

use super::{pane, popup, theme};

fn section(lines: &mut Vec<Line<'static>>, title: &str, bindings: &[&[Binding]]) {
    lines.push(Line::from(Span::styled(
        title.to_string(),
        theme::title(true),
    )));
    for binding in bindings.iter().flat_map(|table| table.iter()) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<16}", keys::keys_label(binding)), theme::key()),
            Span::raw(binding.help),
        ]));
    }
    lines.push(Line::default());
}

/// All sections, in the order a newcomer needs them.
pub fn help_lines() -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    section(&mut lines, "Everywhere", &[keys::GLOBAL, keys::ALWAYS]);
    section(&mut lines, "Events and detail", &[keys::COMMANDS]);
    for context in [
        Context::Events,
        Context::Detail,
        Context::Namespaces,
        Context::Pipeline,
        Context::Options,
        Context::Bookmarks,
    ] {
        let own = keys::tables(context)[0];
        section(&mut lines, context.title(), &[own]);
    }
    lines.push(Line::from(Span::styled(
        "In the editor, ratatui-textarea's keys work too: arrows, Ctrl-K, Ctrl-U, Alt-<, Ctrl-Z undo, ...",
        theme::dim(),
    )));
    lines
}

pub fn render(frame: &mut Frame, area: Rect, scroll: usize) {
    let rect = popup(frame, area, 76, area.height.saturating_sub(2));
    let block = pane(" Help · Esc closes · ↑↓ scroll ", true);
    let lines = help_lines();
    let inner_height = block.inner(rect).height as usize;
    let scroll = scroll.min(lines.len().saturating_sub(inner_height));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        rect,
    );
}
