//! The title line: the live state, what is watched, and the deployment (password hidden).
//! Most important first, so a narrow terminal cuts the least useful part.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::app::state::State;
use crate::printable::printable;
use crate::source::connect::Deployment;

use super::status::status_badge;
use super::theme;

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let (what, name, facts) = match &state.recording {
        Some(name) => ("  ", name.clone(), String::new()),
        None => (
            "  watching ",
            state.watch.spec.scope.to_string(),
            // Before the server answered, only its connection string is known.
            match state.connecting {
                Some(_) => format!("  │ {}", state.deployment.uri),
                None => format!("  │ {}", deployment_facts(&state.deployment)),
            },
        ),
    };
    let line = Line::from(vec![
        Span::styled(
            " mwatch ",
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ),
        Span::raw(" "),
        status_badge(state),
        Span::raw(what),
        Span::styled(
            printable(&name).into_owned(),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::styled(printable(&facts).into_owned(), theme::dim()),
    ]);
    frame.render_widget(line, area);
}

/// `uri · replica set rs0 · MongoDB 7.0.14` (the uri's password is already hidden).
fn deployment_facts(deployment: &Deployment) -> String {
    let mut facts = vec![deployment.uri.to_string()];
    match (&deployment.set_name, deployment.mongos) {
        (_, true) => facts.push("mongos".to_string()),
        (Some(set), false) => facts.push(format!("replica set {set}")),
        (None, false) => facts.push("standalone".to_string()),
    }
    if let Some(version) = &deployment.version {
        facts.push(format!("MongoDB {version}"));
    }
    facts.join(" · ")
}
