//! The status line (stream state, rate with a sparkline of the last minute, counts, dropped,
//! lag) and the hint line under it (a prompt, a notice, or the keys of the focused pane).

use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::app::footer;
use crate::app::keys;
use crate::app::msg::Action;
use crate::app::state::{Overlay, Purpose, State};
use crate::app::stopped;
use crate::numbers::thousands;
use crate::printable::printable;
use crate::source::Status;

use super::text::{fit, to_the_log};
use super::theme;

const SPARK: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The stream's state, coloured: also used by the title line.
pub fn status_badge(state: &State) -> Span<'static> {
    if state.recording.is_some() {
        return Span::styled("▶ recording", Style::new().fg(Color::Cyan));
    }
    if state
        .connecting
        .as_ref()
        .is_some_and(|c| c.failed.is_some())
    {
        return Span::styled("✖ not connected", Style::new().fg(Color::Red));
    }
    let (text, color) = match &state.watch.status {
        Status::Connecting => ("◌ connecting".to_string(), Color::Yellow),
        Status::Live => ("● live".to_string(), Color::Green),
        Status::Paused => ("❚❚ paused".to_string(), Color::Yellow),
        Status::Resuming(_) => ("◌ resuming".to_string(), Color::Yellow),
        Status::HistoryLost(_) => ("✖ history lost".to_string(), Color::Red),
        // Once the dialog is closed, this is where the way on shows.
        Status::Invalidated { token: Some(_) } => (
            format!(
                "■ invalidated · {} continue",
                keys::key_for(keys::Context::Events, Action::ContinueAfter)
            ),
            Color::Magenta,
        ),
        Status::Invalidated { token: None } => ("■ invalidated".to_string(), Color::Magenta),
        Status::Failed(_) => ("✖ stopped".to_string(), Color::Red),
    };
    Span::styled(text, Style::new().fg(color))
}

/// Per-second counts of the last minute as about `width` block characters, scaled to the
/// busiest moment.
pub fn sparkline(history: &[u32], width: usize) -> String {
    let per_char = history.len().div_ceil(width.max(1)).max(1);
    let sums: Vec<u32> = history.chunks(per_char).map(|c| c.iter().sum()).collect();
    let max = sums.iter().copied().max().unwrap_or(0).max(1);
    sums.iter()
        .map(|&n| {
            let level = if n == 0 {
                0
            } else {
                (n * 8).div_ceil(max) as usize
            };
            SPARK[level.min(8)]
        })
        .collect()
}

/// Most useful first: a narrow terminal cuts the counts, not the state or the lag.
fn status_line(state: &State, width: u16) -> Line<'static> {
    let stats = &state.stats;
    let spark_width = (width / 8).clamp(10, 30) as usize;
    let mut spans = vec![status_badge(state)];
    // A recording has no rate or lag: its events arrived long ago.
    if state.recording.is_none() {
        spans.push(Span::raw(format!(" {:.1}/s ", stats.rate())));
        spans.push(Span::styled(
            sparkline(&stats.history(), spark_width),
            Style::new().fg(Color::Cyan),
        ));
        // A stopped stream has no lag: nothing is read.
        if let Some(lag) = stats.lag_ms.filter(|_| !stopped::has_stopped(state)) {
            spans.push(Span::raw(format!(" │ lag {:.1}s", lag as f64 / 1000.0)));
        }
    }
    let dropped = state.events.store.dropped();
    if dropped > 0 {
        spans.push(Span::styled(
            format!(" │ dropped {}", thousands(dropped)),
            Style::new().fg(Color::Yellow),
        ));
    }
    match &state.watch.status {
        Status::Resuming(reason) | Status::HistoryLost(reason) | Status::Failed(reason) => {
            let reason = printable(reason);
            spans.push(Span::styled(format!(" │ {reason}"), theme::error()));
        }
        Status::Invalidated { .. } => spans.push(Span::styled(
            format!(" │ the stream ended: {}", stopped::INVALIDATED),
            Style::new().fg(Color::Magenta),
        )),
        _ => {}
    }
    spans.push(Span::raw(format!(
        " │ {} received",
        thousands(stats.total())
    )));
    for (op, count) in stats.by_op() {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(op.name(), theme::op(op)));
        spans.push(Span::raw(format!(" {}", thousands(count))));
    }
    Line::from(spans)
}

/// The notice, else the focused pane's keys: as many whole hints as fit in `width`.
fn hint_line(state: &State, width: u16) -> Line<'static> {
    if let Some(notice) = &state.notice {
        let style = if notice.error {
            theme::error()
        } else {
            Style::new().fg(Color::Green)
        };
        return fit(
            Line::from(Span::styled(notice.text.clone(), style)),
            width,
            &to_the_log(state.context()),
        );
    }
    let mut spans = Vec::new();
    let mut used = 0;
    let hints = footer::hints(state);
    let count = hints.len();
    for (i, (key, hint)) in hints.into_iter().enumerate() {
        let separator = if spans.is_empty() { "" } else { " · " };
        let hint = format!(" {hint}");
        let length = [separator, &key, &hint]
            .map(|s| s.chars().count())
            .iter()
            .sum::<usize>();
        // Room for ` …` if more hints follow: what does not fit is not dropped silently.
        let room = if i + 1 < count { 2 } else { 0 };
        if used + length + room > width as usize {
            spans.push(Span::styled(" …", theme::dim()));
            break;
        }
        used += length;
        spans.push(Span::styled(separator, theme::dim()));
        spans.push(Span::styled(key, theme::key()));
        spans.push(Span::raw(hint));
    }
    Line::from(spans)
}

pub fn render(state: &State, frame: &mut Frame, status: Rect, hints: Rect) {
    if let Some(Overlay::Prompt(prompt)) = &state.overlay {
        let label = match prompt.purpose {
            Purpose::Search => "search: ",
            Purpose::WriteEvent { .. } => "write the event to: ",
            Purpose::BookmarkName(_) => "bookmark name: ",
            Purpose::BookmarkNote(_) => "note (optional): ",
            Purpose::ReplayTime => "replay from (RFC 3339 · HH:MM UTC today · -10m): ",
        };
        // What was wrong with the last Enter takes the status line, whole, until the next key.
        match &state.notice {
            Some(notice) => {
                let line = Line::from(Span::styled(notice.text.clone(), theme::error()));
                frame.render_widget(
                    fit(line, status.width, &to_the_log(state.context())),
                    status,
                );
            }
            None => frame.render_widget(fitted_status_line(state, status.width), status),
        }
        let line = Line::from(vec![
            Span::styled(label, theme::key()),
            Span::raw(prompt.input.text().to_string()),
            Span::styled("   Enter confirm · Esc cancel", theme::dim()),
        ]);
        frame.render_widget(line, hints);
        let x = super::right_of(hints.x, label.chars().count() + prompt.input.cursor());
        frame.set_cursor_position(Position::new(
            x.min(hints.right().saturating_sub(1)),
            hints.y,
        ));
        return;
    }
    frame.render_widget(fitted_status_line(state, status.width), status);
    frame.render_widget(hint_line(state, hints.width), hints);
}

/// The status line cut to `width`; when it carries a stream error, the cut points to the
/// message log, which has the error whole.
fn fitted_status_line(state: &State, width: u16) -> Line<'static> {
    let tail = match &state.watch.status {
        Status::Resuming(_)
        | Status::HistoryLost(_)
        | Status::Failed(_)
        | Status::Invalidated { .. } => to_the_log(state.context()),
        _ => "…".to_string(),
    };
    fit(status_line(state, width), width, &tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_busiest_moment() {
        let mut history = vec![0; 60];
        history[59] = 30;
        history[0] = 3;
        let line = sparkline(&history, 20);
        assert_eq!(line.chars().count(), 20);
        assert_eq!(line.chars().last(), Some('█'));
        assert_eq!(line.chars().next(), Some('▁'));
        assert_eq!(sparkline(&[0; 60], 20).trim(), "");
    }
}
