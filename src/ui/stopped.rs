//! The foot of the event list when the stream has stopped: why, in full, and the ways out.
//! It takes the rows it needs from the list (all of them in a small pane: this matters more).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::detail::row_starts;
use crate::app::keys::{key_for, Context};
use crate::app::msg::Action;
use crate::app::state::State;
use crate::app::stopped;

use super::theme;

/// The banner's text: the ways out, then the reason.
fn texts(state: &State, reason: &str) -> [String; 2] {
    let retry = key_for(Context::Events, Action::RetryStream);
    if state.watch.id == 0 {
        return [
            format!("✖ The stream could not start. {retry} retry"),
            reason.to_string(),
        ];
    }
    let pipeline = key_for(Context::Events, Action::FocusPipeline);
    let back = key_for(Context::Pipeline, Action::HistoryPrev);
    [
        format!(
            "✖ The stream stopped. {retry} retry from where it got to · {pipeline} then {back} the pipeline before"
        ),
        format!("Why: {reason}"),
    ]
}

/// Draws the banner in the list's area, if the stream stopped; returns the rows left for the
/// list.
pub fn render(state: &State, frame: &mut Frame, area: Rect) -> Rect {
    let Some(reason) = stopped::reason(state) else {
        return area;
    };
    let width = area.width as usize;
    let mut rows: Vec<String> = texts(state, &reason)
        .iter()
        .flat_map(|text| {
            let chars: Vec<char> = text.chars().collect();
            let starts = row_starts(text, width, 0);
            let ends: Vec<usize> = starts
                .iter()
                .skip(1)
                .copied()
                .chain([chars.len()])
                .collect();
            starts
                .iter()
                .zip(ends)
                .map(|(&start, end)| chars[start..end].iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect();
    let height = area.height as usize;
    if rows.len() > height {
        rows.truncate(height);
        if let Some(last) = rows.last_mut() {
            let kept: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{kept}…");
        }
    }
    // Under the rows it ends; at the top of a list with none.
    let banner_height = Constraint::Length(rows.len() as u16);
    let (list, banner) = if state.events.store.is_empty() {
        let [banner, list] = Layout::vertical([banner_height, Constraint::Min(0)]).areas(area);
        (list, banner)
    } else {
        let [list, banner] = Layout::vertical([Constraint::Min(0), banner_height]).areas(area);
        (list, banner)
    };
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|row| Line::from(Span::styled(row, theme::error())))
        .collect();
    frame.render_widget(Paragraph::new(lines), banner);
    list
}
