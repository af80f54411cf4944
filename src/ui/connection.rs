//! The connecting screen's dialog: where mwatch connects and for how long it has tried, or
//! why it could not, with its keys.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use crate::app::connection::Connecting;
use crate::app::keys::Context;
use crate::app::state::State;

use super::{dialog, theme};

pub fn render(state: &State, connecting: &Connecting, frame: &mut Frame, area: Rect) {
    let to = &connecting.to;
    let (title, text) = match &connecting.failed {
        None => (
            "Connecting",
            vec![(
                format!(
                    "Connecting to {} · {} s (gives up after {} s)",
                    to.hosts,
                    connecting.elapsed(state.now),
                    to.timeout.as_secs_f64()
                ),
                Style::new(),
            )],
        ),
        Some(error) => (
            "Cannot connect",
            vec![
                (error.clone(), theme::error()),
                (String::new(), Style::new()),
                (
                    format!(
                        "Check the connection string ({}), or try mwatch on its built-in playground: mwatch --demo",
                        state.deployment.uri
                    ),
                    theme::dim(),
                ),
            ],
        ),
    };
    dialog::render(frame, area, title, &text, Context::Connection);
}
