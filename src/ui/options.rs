//! The options overlay (`o`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::options::{Field, OptionsForm};

use super::{pane, popup, theme};

pub fn render(form: &OptionsForm, frame: &mut Frame, area: Rect) {
    let rect = popup(frame, area, 60, Field::ALL.len() as u16 + 6);
    let mut lines = Vec::new();
    for (i, field) in Field::ALL.iter().enumerate() {
        let line = Line::from(vec![
            Span::raw(format!(" {:<26}", field.label())),
            Span::styled(form.value(*field), theme::key()),
        ]);
        lines.push(if i == form.selected {
            line.style(theme::selected())
        } else {
            line
        });
    }
    lines.push(Line::default());
    if let Some(error) = &form.error {
        lines.push(Line::from(Span::styled(
            format!(" {error}"),
            theme::error(),
        )));
    }
    lines.push(Line::from(Span::styled(
        " ↑↓ choose · Space/←/→ change · digits for numbers",
        theme::dim(),
    )));
    lines.push(Line::from(Span::styled(
        " Enter applies (no event lost) · Esc cancels",
        theme::dim(),
    )));
    frame.render_widget(
        Paragraph::new(lines).block(pane(" Change-stream options ", true)),
        rect,
    );
}
