//! The pipeline editor, with the parser's verdict under the text as you type.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::keys::{key_for, Context};
use crate::app::msg::{Action, Focus};
use crate::app::state::State;
use crate::app::stopped;

use super::text::untrusted;
use super::{focused, pane, theme};

/// The line under the text: the parse error with its position, the server's refusal, how
/// many stages would be applied, or whether they run (not before a connection).
fn verdict(state: &State) -> Line<'static> {
    let editor = &state.editor;
    match &editor.parsed {
        Err(e) => Line::from(untrusted(
            &format!("✖ {}:{} {}", e.line, e.column, e.message),
            theme::error(),
        )),
        Ok(_) if editor.rejected.is_some() => Line::from(untrusted(
            &format!(
                "✖ refused: {}",
                editor.rejected.as_deref().unwrap_or_default()
            ),
            theme::error(),
        )),
        Ok(stages) if editor.modified() => Line::from(vec![
            Span::styled(
                format!("✓ {} stage(s) ", stages.len()),
                Style::new().fg(Color::Green),
            ),
            Span::styled("· Ctrl-S applies", theme::dim()),
        ]),
        // The first watch waits for the connection (it is pending from the start).
        Ok(_)
            if state
                .connecting
                .as_ref()
                .is_some_and(|c| c.failed.is_some()) =>
        {
            Line::from(Span::styled(
                "✖ not connected: nothing runs",
                theme::error(),
            ))
        }
        Ok(_) if state.connecting.is_some() => {
            Line::from(Span::styled("… applied once connected", theme::dim()))
        }
        Ok(stages) if state.watch.pending.is_some() => Line::from(Span::styled(
            format!("… applying {} stage(s)", stages.len()),
            theme::dim(),
        )),
        Ok(_) if stopped::has_stopped(state) => {
            let retry = key_for(Context::Pipeline, Action::Apply);
            let back = key_for(Context::Pipeline, Action::HistoryPrev);
            Line::from(Span::styled(
                format!("✖ stopped · {retry} retries · {back} the pipeline before"),
                theme::error(),
            ))
        }
        Ok(stages) if stages.is_empty() => {
            Line::from(Span::styled("running: no stages", theme::dim()))
        }
        Ok(stages) => Line::from(Span::styled(
            format!("running: {} stage(s)", stages.len()),
            theme::dim(),
        )),
    }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let has_focus = focused(state, Focus::Pipeline);
    let title = if state.editor.modified() {
        " Pipeline (edited) "
    } else {
        " Pipeline "
    };
    let block = pane(title, has_focus);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let verdict = verdict(state);
    let verdict_height = if super::cells(verdict.width()) > inner.width {
        2
    } else {
        1
    };
    let [text, bottom] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(verdict_height)]).areas(inner);
    frame.render_widget(&state.editor.textarea, text);
    frame.render_widget(Paragraph::new(verdict).wrap(Wrap { trim: true }), bottom);
}
