//! The options overlay (`o`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::keys::Context;
use crate::app::options::{Field, OptionsForm};

use super::dialog::keys_rows;
use super::text::wrap;
use super::{pane, popup, theme};

/// Widest the form gets.
const WIDTH: u16 = 60;

pub fn render(form: &OptionsForm, frame: &mut Frame, area: Rect) {
    let inner = WIDTH.min(area.width).saturating_sub(2) as usize;
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
        lines.extend(wrap(error, theme::error(), inner));
    }
    lines.push(Line::styled("Numbers: type the digits.", theme::dim()));
    lines.extend(keys_rows(Context::Options, inner));
    let rect = popup(
        frame,
        area,
        WIDTH,
        super::cells(lines.len()).saturating_add(2),
    );
    frame.render_widget(
        Paragraph::new(lines).block(pane(" Change-stream options ", true)),
        rect,
    );
}
