//! The `?` help overlay, generated from the key tables; two columns when there is room.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::keys::{self, Binding, Context};

use super::{pane, popup, theme};

/// Wide enough for two columns of keys and their help.
const TWO_COLUMNS: u16 = 110;

fn section(title: &str, bindings: &[&[Binding]]) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        title.to_string(),
        theme::title(true),
    ))];
    for binding in bindings.iter().flat_map(|table| table.iter()) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<12}", keys::keys_label(binding)), theme::key()),
            Span::raw(binding.help),
        ]));
    }
    lines.push(Line::default());
    lines
}

/// The keys that work in every context, overlays too.
const EVERYWHERE: &[&[Binding]] = &[keys::ALWAYS];

/// All sections, in the order a newcomer needs them.
fn sections() -> Vec<Vec<Line<'static>>> {
    let mut sections = vec![
        section("Everywhere", EVERYWHERE),
        section("In the four panes", &[keys::GLOBAL]),
        section("Events and detail", &[keys::COMMANDS]),
    ];
    for context in [
        Context::Events,
        Context::Detail,
        Context::Namespaces,
        Context::Pipeline,
        Context::Options,
        Context::Bookmarks,
    ] {
        sections.push(section(context.title(), &[keys::tables(context)[0]]));
    }
    sections.push(vec![
        Line::from(Span::styled(
            "In the editor, ratatui-textarea's keys",
            theme::dim(),
        )),
        Line::from(Span::styled(
            "work too: Ctrl-K, Alt-<, Ctrl-U undo, Ctrl-R redo...",
            theme::dim(),
        )),
    ]);
    sections
}

/// The sections in `columns` columns of about equal height.
fn columns(count: usize) -> Vec<Vec<Line<'static>>> {
    let sections = sections();
    let total: usize = sections.iter().map(Vec::len).sum();
    let mut columns = vec![Vec::new()];
    for section in sections {
        let current = columns.len() - 1;
        if columns.len() < count && columns[current].len() >= total / count {
            columns.push(Vec::new());
        }
        columns
            .last_mut()
            .expect("one column at least")
            .extend(section);
    }
    columns
}

pub fn render(frame: &mut Frame, area: Rect, scroll: usize) {
    let two = area.width >= TWO_COLUMNS;
    let width = if two { area.width - 2 } else { 76 };
    let rect = popup(frame, area, width, area.height.saturating_sub(2));
    let block = pane(" Help · Esc closes · ↑↓ scroll ", true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let columns = columns(if two { 2 } else { 1 });
    let areas = Layout::horizontal(vec![Constraint::Fill(1); columns.len()]).split(inner);
    for (lines, area) in columns.into_iter().zip(areas.iter()) {
        let scroll = scroll.min(lines.len().saturating_sub(area.height as usize));
        frame.render_widget(
            Paragraph::new(lines).scroll((super::cells(scroll), 0)),
            *area,
        );
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyEvent;

    use super::*;

    #[test]
    fn everywhere_means_in_every_context() {
        for binding in EVERYWHERE.iter().flat_map(|table| table.iter()) {
            for key in binding.keys {
                for context in Context::ALL {
                    assert_eq!(
                        keys::lookup(context, &KeyEvent::new(key.code, key.mods)),
                        Some(binding.action),
                        "{} in {}",
                        key.label(),
                        context.title()
                    );
                }
            }
        }
    }
}
