//! The view: draws the state, never changes it. One file per pane; where each pane goes is
//! `app::layout`, which `update` reads too.

mod bookmarks;
mod detail;
mod events;
mod help;
mod namespaces;
mod offer;
mod options;
mod overwrite;
mod pipeline;
mod search;
mod status;
pub mod theme;
mod title;

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::layout;
use crate::app::msg::Focus;
use crate::app::state::{Overlay, State};

pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let Some(areas) = layout::areas(area) else {
        let text = format!(
            "The terminal is too small ({}x{}); mwatch needs {}x{}. Ctrl-C quits.",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    };
    title::render(state, frame, areas.title);
    namespaces::render(state, frame, areas.namespaces);
    pipeline::render(state, frame, areas.pipeline);
    events::render(state, frame, areas.events);
    detail::render(state, frame, areas.detail);
    status::render(state, frame, areas.status, areas.hints);
    if let Some(offer) = &state.offer {
        offer::render(state, offer, frame, area);
    }
    match &state.overlay {
        Some(Overlay::Help { scroll }) => help::render(frame, area, *scroll),
        Some(Overlay::Options(form)) => options::render(form, frame, area),
        Some(Overlay::Bookmarks(pane)) => bookmarks::render(state, pane, frame, area),
        Some(Overlay::Overwrite(question)) => overwrite::render(question, frame, area),
        Some(Overlay::Prompt(_)) | None => {}
    }
}

/// The bordered box every pane sits in; the focused one stands out.
fn pane<'a>(title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(focused))
        .title(title.into().style(theme::title(focused)))
}

fn focused(state: &State, pane: Focus) -> bool {
    state.overlay.is_none() && state.offer.is_none() && state.focus == pane
}

/// A centred box of at most `width` x `height`, cleared, for overlays.
fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    frame.render_widget(Clear, rect);
    rect
}
