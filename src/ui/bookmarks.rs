//! The bookmarks overlay (`B`): one row per bookmark, oldest first, and under the list the
//! selected one's note and pipeline, or what is being typed or asked.

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::bookmarks::{BookmarkPane, Mode};
use crate::app::keys::{key_for, Context};
use crate::app::msg::Action;
use crate::app::state::State;
use crate::bookmarks::Bookmark;
use crate::format::age_text;
use crate::format::utc_seconds;
use crate::printable::printable;
use crate::printable::shell_word;
use crate::redact::has_hidden_secret;

use super::events::pad;
use super::{pane, popup, theme};

/// Lines under the list.
const FOOTER: u16 = 3;

struct Columns {
    name: usize,
    ns: usize,
}

const OP: usize = 9;
/// `11-21 10:00:00`, UTC.
const TIME: usize = 15;
const AGE: usize = 11;

fn row(bookmark: &Bookmark, columns: &Columns, now: i64) -> Line<'static> {
    let ns = bookmark.namespace();
    let (time, age) = match bookmark.event_millis() {
        Some(at) => {
            let utc = utc_seconds(at);
            let time = utc.get(5..19).unwrap_or("").replace('T', " ");
            (time, format!("{} ago", age_text((now - at) / 1000)))
        }
        None => ("time unknown".to_string(), String::new()),
    };
    Line::from(vec![
        Span::styled(pad(&bookmark.name, columns.name), theme::key()),
        Span::raw(pad(&ns, columns.ns)),
        Span::raw(pad(&bookmark.op, OP - 1)),
        Span::styled(pad(&time, TIME - 1), theme::dim()),
        Span::styled(pad(&age, AGE - 1), theme::dim()),
        Span::raw(printable(&bookmark.note).into_owned()),
    ])
}

/// A bookmark of another deployment: where it was made, how to replay it there, and the
/// question whether to replay it here.
fn elsewhere(bookmark: &Bookmark) -> Vec<Line<'static>> {
    let name = shell_word(&bookmark.name);
    let there = if has_hidden_secret(bookmark.deployment.as_str()) {
        format!(" To replay it there, quit and run: mwatch --resume {name} 'URI' (the connection string with its password)")
    } else {
        format!(" To replay it there, quit and run: mwatch --resume {name}")
    };
    vec![
        Line::from(Span::styled(
            format!(
                " {name} was made on another deployment: {}",
                printable(&bookmark.deployment.to_string())
            ),
            theme::error(),
        )),
        Line::from(there),
        Line::from(
            [Span::raw(" Replay it here anyway?  ")]
                .into_iter()
                .chain(super::dialog::keys_line(Context::Confirm).spans)
                .collect::<Vec<_>>(),
        ),
    ]
}

/// What the new name of bookmark `from` is typed after.
fn rename_label(from: &str) -> String {
    format!(" rename '{}' to: ", printable(from))
}

/// The selected bookmark's note and pipeline; or the filter, the new name or the question.
fn footer(pane: &BookmarkPane, chosen: Option<&Bookmark>) -> Vec<Line<'static>> {
    let typing = |label: &str, text: &str| {
        Line::from(vec![
            Span::styled(label.to_string(), theme::key()),
            Span::raw(text.to_string()),
        ])
    };
    match (&pane.mode, chosen) {
        (Mode::Filter, _) => vec![typing(" filter: ", pane.filter.text())],
        (Mode::Rename { from, input }, _) => {
            vec![typing(&rename_label(from), input.text())]
        }
        (Mode::ConfirmDelete(name), _) => {
            let mut question = Line::from(Span::styled(
                format!(" delete bookmark '{}'?  ", printable(name)),
                theme::error(),
            ));
            question
                .spans
                .extend(super::dialog::keys_line(Context::Confirm).spans);
            vec![question]
        }
        (Mode::ConfirmReplayHere(_), Some(bookmark)) => elsewhere(bookmark),
        (Mode::ConfirmReplayHere(_), None) => Vec::new(),
        (Mode::List, Some(bookmark)) => {
            let pipeline = match bookmark.pipeline.as_slice() {
                [] => "no pipeline".to_string(),
                stages => format!(
                    "pipeline {}",
                    crate::pipeline::to_text(stages).replace('\n', "")
                ),
            };
            let start = if bookmark.invalidate {
                "an invalidate: replays with startAfter"
            } else {
                "replays with resumeAfter"
            };
            let mut lines = vec![Line::from(Span::styled(
                printable(&format!(
                    " {pipeline} · {start} · made on {}",
                    bookmark.deployment
                ))
                .into_owned(),
                theme::dim(),
            ))];
            if !bookmark.note.is_empty() {
                lines.push(Line::from(format!(" note: {}", printable(&bookmark.note))));
            }
            lines
        }
        (Mode::List, None) => Vec::new(),
    }
}

pub fn render(state: &State, pane_state: &BookmarkPane, frame: &mut Frame, area: Rect) {
    let rect = popup(
        frame,
        area,
        area.width.saturating_sub(4).min(120),
        area.height.saturating_sub(2),
    );
    let all = &state.bookmarks;
    let visible = pane_state.visible(all);
    let mut title = format!(" Bookmarks ({}", visible.len());
    if visible.len() != all.len() {
        title.push_str(&format!(" of {}", all.len()));
    }
    title.push_str(") ");
    if !pane_state.filter.is_empty() {
        title.push_str(&format!("· /{} ", pane_state.filter.text()));
    }
    if pane_state.loading {
        title.push_str("· reading… ");
    }
    let block = pane(title, true);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    // The question about another deployment takes a line more.
    let footer_height = match pane_state.mode {
        Mode::ConfirmReplayHere(_) => FOOTER + 1,
        _ => FOOTER,
    };
    let [list, under] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(footer_height)]).areas(inner);

    let width = list.width as usize;
    let columns = Columns {
        name: (width / 3).clamp(12, 36),
        ns: (width / 6).clamp(10, 22),
    };
    let header = Line::from(Span::styled(
        format!(
            "{}{}{}{}{}note",
            pad("name", columns.name),
            pad("namespace", columns.ns),
            pad("op", OP - 1),
            pad("time (UTC)", TIME - 1),
            pad("age", AGE - 1),
        ),
        theme::dim(),
    ));
    let mut lines = vec![header];
    let room = (list.height as usize).saturating_sub(1).max(1);
    let offset = pane_state.selected.saturating_sub(room - 1);
    for (i, bookmark) in visible.iter().enumerate().skip(offset).take(room) {
        let line = row(bookmark, &columns, state.now);
        lines.push(if i == pane_state.selected {
            line.style(theme::selected())
        } else {
            line
        });
    }
    if visible.is_empty() {
        let text = if !all.is_empty() {
            format!("no bookmark matches '{}'", pane_state.filter.text())
        } else if pane_state.loading {
            "reading the bookmarks…".to_string()
        } else {
            let key = key_for(Context::Events, Action::Bookmark);
            format!("no bookmarks yet: {key} on an event bookmarks it")
        };
        lines.push(Line::from(Span::styled(text, theme::dim())));
    }
    frame.render_widget(Paragraph::new(lines), list);

    let chosen = visible.get(pane_state.selected).copied();
    let footer_lines = footer(pane_state, chosen);
    let cursor = match &pane_state.mode {
        Mode::Filter => Some(" filter: ".len() + pane_state.filter.cursor()),
        Mode::Rename { from, input } => Some(rename_label(from).chars().count() + input.cursor()),
        _ => None,
    };
    let separator = Line::from(Span::styled(
        "─".repeat(under.width as usize),
        Style::new().fg(Color::DarkGray),
    ));
    let mut under_lines = vec![separator];
    under_lines.extend(footer_lines);
    frame.render_widget(Paragraph::new(under_lines), under);
    if let Some(x) = cursor {
        let x = super::right_of(under.x, x);
        frame.set_cursor_position(Position::new(
            x.min(under.right().saturating_sub(1)),
            under.y + 1,
        ));
    }
}
