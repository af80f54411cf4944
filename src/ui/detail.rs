//! The detail view: tabs over the selected event's content (see `app::detail`), in colour.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::detail::{content, Context, DetailLine, Mark};
use crate::app::layout::{tab_labels, TAB_SEPARATOR};
use crate::app::msg::Focus;
use crate::app::state::State;
use crate::format::mongosh::Kind;
use crate::printable::printable;
use crate::store::{Row, Seam, SeamKind};

use super::events::{document_key, time};
use super::theme::{self, syntax};

use super::{focused, pane, search};

fn kind_style(kind: Kind) -> Style {
    match kind {
        Kind::Field => syntax::field(),
        Kind::Str => syntax::string(),
        Kind::Number => syntax::number(),
        Kind::Typed => syntax::typed(),
        Kind::Keyword => syntax::keyword(),
        Kind::Punct => syntax::punctuation(),
    }
}

fn mark_style(mark: Mark) -> Option<Style> {
    match mark {
        Mark::Added => Some(syntax::added()),
        Mark::Removed => Some(syntax::removed()),
        Mark::Changed => Some(syntax::changed()),
        Mark::Note => Some(theme::dim()),
        Mark::Plain => None,
    }
}

fn styled(line: &DetailLine) -> Line<'static> {
    let mark = mark_style(line.mark);
    let mut spans = vec![Span::raw(" ".repeat(line.line.indent))];
    for (i, piece) in line.line.pieces.iter().enumerate() {
        // Diff lines: the sign and the path take the mark's colour; values keep theirs.
        let style = match mark {
            Some(style) if i < 2 || line.mark == Mark::Note => style,
            _ => kind_style(piece.kind),
        };
        spans.push(Span::styled(piece.text.clone(), style));
    }
    Line::from(spans)
}

/// Cuts `line` into rows at `starts` (character offsets, from `DetailLine::row_starts`), so
/// long values wrap rather than vanish at the edge, and scrolling by rows is exact.
fn wrap(line: Line<'static>, starts: &[usize]) -> Vec<Line<'static>> {
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut next = starts.iter().copied().peekable();
    let mut at = 0;
    for span in line.spans {
        let mut rest: &str = &span.content;
        while !rest.is_empty() {
            if next.peek() == Some(&at) {
                next.next();
                rows.push(Line::default());
            }
            let room = next.peek().map_or(usize::MAX, |&start| start - at);
            let take = rest.char_indices().nth(room).map_or(rest.len(), |(i, _)| i);
            let (piece, after) = rest.split_at(take);
            at += piece.chars().count();
            if let Some(row) = rows.last_mut() {
                row.spans.push(Span::styled(piece.to_string(), span.style));
            }
            rest = after;
        }
    }
    if rows.is_empty() {
        rows.push(Line::default());
    }
    rows
}

/// The rows `line` (drawn as `drawn`) takes on a pane `width` columns wide; a diff line's
/// marker starts each.
fn rows(drawn: Line<'static>, line: &DetailLine, width: usize) -> Vec<Line<'static>> {
    let mut rows = wrap(drawn, &line.row_starts(width));
    if let Some(marker) = line.marker() {
        let style = mark_style(line.mark).unwrap_or_default();
        for row in rows.iter_mut().skip(1) {
            row.spans.insert(0, Span::styled(marker.to_string(), style));
        }
    }
    rows
}

fn tabs(state: &State) -> Line<'static> {
    let mut spans = Vec::new();
    for (tab, column, label) in tab_labels(state.detail.tab) {
        if column > 0 {
            spans.push(Span::styled(TAB_SEPARATOR, theme::dim()));
        }
        let style = if tab == state.detail.tab {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
        };
        spans.push(Span::styled(label, style));
    }
    Line::from(spans)
}

/// Whether the event shown holds still: pinned (the list does not follow the tail, so arriving
/// events change nothing here), following (the newest, which changes as events arrive) or
/// stopped (nothing arrives); then which event it is. In that order: a narrow pane cuts the end.
fn title(state: &State) -> String {
    let list = &state.events;
    let shown = match list.store.get(list.selected) {
        None => return " Detail ".to_string(),
        Some(Row::Seam(_)) => "a seam".to_string(),
        Some(Row::Event(event)) => {
            let key = document_key(event, 16);
            let key = if key.is_empty() {
                key
            } else {
                format!(" {key}")
            };
            format!("{}{key} {}", printable(event.op_name()), time(event, true))
        }
    };
    if crate::app::stopped::has_stopped(state) {
        // Nothing arrives: following would claim what is not so.
        format!(" Detail · stopped · {shown} ")
    } else if list.follow {
        format!(" Detail · following · {shown} ")
    } else {
        format!(" Detail · pinned · {shown} · Space follows ")
    }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let has_focus = focused(state, Focus::Detail);
    let block = pane(title(state), has_focus);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tab_bar, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    frame.render_widget(tabs(state), tab_bar);
    let list = &state.events;
    let paragraph = match list.store.get(list.selected) {
        None => note("Select an event to see it here.".to_string()),
        Some(Row::Seam(seam)) => note(seam_note(seam)),
        Some(Row::Event(event)) => {
            // The scroll counts rows; every line takes one at least.
            let scroll = state.detail.scroll;
            let height = body.height as usize;
            let width = body.width as usize;
            let lines: Vec<Line> =
                content(event, state.detail.tab, Context::of(state), scroll + height)
                    .iter()
                    .flat_map(|line| rows(search::highlight(state, styled(line)), line, width))
                    .skip(scroll)
                    .take(height)
                    .collect();
            Paragraph::new(lines)
        }
    };
    frame.render_widget(paragraph, body);
}

/// What happened at a seam, in a sentence.
fn seam_note(seam: &Seam) -> String {
    let text = printable(&seam.text);
    match seam.kind {
        SeamKind::Watch => {
            format!("A watch started here: {text}. Events before it came from the previous watch.")
        }
        SeamKind::Resumed => format!(
            "The stream {text}: the same watch went on from where it had got to, so no event is missing."
        ),
        SeamKind::Cleared => {
            format!("{text}: the events before it were removed from the list; the same watch went on.")
        }
        SeamKind::Recording => format!("Here starts the {text}, read from the file."),
    }
}

/// A few words about what is selected, wrapped at words: a narrow pane shows all of them.
fn note(text: String) -> Paragraph<'static> {
    Paragraph::new(Line::from(Span::styled(text, theme::dim()))).wrap(Wrap { trim: true })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::mongosh::{DocLine, Piece};

    #[test]
    fn every_row_of_a_wrapped_diff_line_starts_with_its_marker() {
        let piece = |kind, text: &str| Piece {
            kind,
            text: text.to_string(),
        };
        let line = DetailLine {
            mark: Mark::Removed,
            line: DocLine {
                indent: 0,
                pieces: vec![
                    piece(Kind::Punct, "- "),
                    piece(Kind::Field, "note"),
                    piece(Kind::Punct, ": "),
                    piece(Kind::Str, &format!("'{}'", "x".repeat(20))),
                ],
            },
        };
        let rows: Vec<String> = rows(styled(&line), &line, 12)
            .iter()
            .map(|row| row.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(rows, ["- note: ", "- 'xxxxxxxxx", "- xxxxxxxxxx", "- x'"]);
    }
}
