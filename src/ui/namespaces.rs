//! The namespace picker: a filter line over the tree.

use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::msg::Focus;
use crate::app::namespaces::{Known, NsRow};
use crate::app::state::State;
use crate::printable::printable;

use super::text::untrusted;
use super::{focused, pane, theme};

fn row_line(row: &NsRow, watched: bool, selected: bool) -> Line<'static> {
    let marker = if watched { "● " } else { "  " };
    let mut spans = vec![Span::styled(marker, Style::new().fg(Color::Green))];
    match row {
        NsRow::Deployment => spans.push(Span::raw("◆ whole deployment")),
        NsRow::Database(db) => spans.push(Span::styled(
            format!("▾ {}", printable(db)),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        NsRow::Collection { info, .. } => {
            spans.push(Span::raw(format!("    {}", printable(&info.name))));
            if info.images {
                spans.push(Span::styled(" ◑", Style::new().fg(Color::Cyan)));
            }
            if info.view {
                spans.push(Span::styled(" (view)", theme::dim()));
            }
        }
    }
    let line = Line::from(spans);
    if selected {
        line.style(theme::selected())
    } else {
        line
    }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let has_focus = focused(state, Focus::Namespaces);
    let picker = &state.namespaces;
    let title = if picker.loading {
        " Namespaces (listing…) "
    } else {
        " Namespaces "
    };
    let block =
        pane(title, has_focus).title_bottom(Line::from(" ◑ pre/post images ").style(theme::dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let filter = if picker.filter.is_empty() {
        Line::from(Span::styled("type to filter", theme::dim()))
    } else {
        Line::from(vec![
            Span::styled("filter: ", theme::key()),
            Span::raw(picker.filter.text().to_string()),
        ])
    };
    let mut lines = vec![filter];
    if let Known::Unavailable(reason) = &picker.known {
        lines.push(Line::from(untrusted(reason, theme::error())));
    }
    let rows = picker.rows();
    let room = (inner.height as usize).saturating_sub(lines.len()).max(1);
    let offset = picker.selected.saturating_sub(room - 1);
    for (i, row) in rows.iter().enumerate().skip(offset).take(room) {
        let watched = row.scope() == state.watch.spec.scope;
        lines.push(row_line(row, watched, has_focus && i == picker.selected));
    }
    if rows.is_empty() && !picker.filter.is_empty() {
        lines.push(Line::from(Span::styled(
            "no match: Enter watches the typed namespace",
            theme::dim(),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if has_focus && !picker.filter.is_empty() {
        let x = super::right_of(inner.x, "filter: ".len() + picker.filter.cursor());
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y,
        ));
    }
}
