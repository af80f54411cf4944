//! The dialog of a watch that cannot go on: what happened, and the way on that the footer's
//! keys take.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{Lost, Offer, Oldest, State};
use crate::format::age_text;
use crate::format::utc_seconds;

use super::{pane, popup, theme};

fn lost_lines(lost: &Lost, now: i64) -> Vec<Line<'static>> {
    let age = match lost.at {
        Some(at) => format!(
            "{} is {} old ({})",
            lost.what,
            age_text((now - at) / 1000),
            utc_seconds(at)
        ),
        None => format!("{} is of an unknown time", lost.what),
    };
    let running = if lost.stopped {
        "No stream is running now."
    } else {
        "The previous stream keeps running."
    };
    let oldest = match lost.oldest {
        Oldest::Searching => "Looking for the oldest point the server still has…".to_string(),
        Oldest::At(ts) => {
            let at = i64::from(ts.time) * 1000;
            format!(
                "The oldest point the server still has is {} ({} ago): start there?",
                utc_seconds(at),
                age_text((now - at) / 1000)
            )
        }
        Oldest::Unknown => "The server did not say how far back its history goes.".to_string(),
    };
    vec![
        Line::from(format!(
            "{age}: the server's oplog no longer goes back that far, so its events cannot be replayed."
        )),
        Line::from(Span::styled(running, theme::dim())),
        Line::default(),
        Line::from(Span::styled(oldest, theme::key())),
    ]
}

pub fn render(state: &State, offer: &Offer, frame: &mut Frame, area: Rect) {
    let (title, lines) = match offer {
        Offer::Lost(lost) => (" History lost ", lost_lines(lost, state.now)),
        Offer::Invalidated(_) => (
            " Stream invalidated ",
            vec![
                Line::from(format!(
                    "The stream of {} ended: its collection or database was dropped or renamed.",
                    state.watch.spec.scope
                )),
                Line::default(),
                Line::from(Span::styled(
                    "Continue after the invalidate event (startAfter) to see what happens to that namespace next?",
                    theme::key(),
                )),
            ],
        ),
    };
    let rect = popup(frame, area, 72, 10);
    frame.render_widget(
        Paragraph::new(lines)
            .block(pane(title, true))
            .wrap(Wrap { trim: true }),
        rect,
    );
}
