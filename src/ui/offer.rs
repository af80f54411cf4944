//! The dialog of a watch that cannot go on: what happened, and the way on, with its keys.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use crate::app::keys::Context;
use crate::app::state::{Lost, Offer, Oldest, State};
use crate::format::age_text;
use crate::format::utc_seconds;

use super::{dialog, theme};

fn lost_text(lost: &Lost, now: i64) -> Vec<(String, Style)> {
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
        (
            format!(
                "{age}: the server's oplog no longer goes back that far, so its events cannot be replayed."
            ),
            Style::new(),
        ),
        (running.to_string(), theme::dim()),
        (String::new(), Style::new()),
        (oldest, theme::key()),
    ]
}

pub fn render(state: &State, offer: &Offer, frame: &mut Frame, area: Rect) {
    let (context, text) = match offer {
        Offer::Lost(lost) => (Context::Lost, lost_text(lost, state.now)),
        Offer::Invalidated(_) => (
            Context::Invalidated,
            vec![
                (
                    format!(
                        "The stream of {} ended: {}.",
                        state.watch.spec.scope,
                        crate::app::stopped::INVALIDATED
                    ),
                    Style::new(),
                ),
                (String::new(), Style::new()),
                (
                    "Continue after the invalidate event (startAfter) to see what happens to that namespace next?".to_string(),
                    theme::key(),
                ),
            ],
        ),
    };
    dialog::render(frame, area, context.title(), &text, context);
}
