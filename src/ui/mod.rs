//! The view: draws the state, never changes it. One file per pane; where each pane goes is
//! `app::layout`, which `update` reads too.

mod bookmarks;
mod connection;
mod detail;
mod dialog;
mod events;
mod help;
mod log;
mod namespaces;
mod offer;
mod options;
mod overwrite;
mod palette;
mod pipeline;
mod search;
mod status;
mod stopped;
mod text;
pub mod theme;
mod title;

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::layout;
use crate::app::msg::Focus;
use crate::app::state::{Overlay, State};

/// How a pane draws itself.
type Render = fn(&State, &mut Frame, Rect);

pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let Some(areas) = layout::areas(area, state.focus, state.zoomed) else {
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
    // A pane folded away or hidden by a zoom has no room: it is not drawn.
    let panes: [(Rect, Render); 4] = [
        (areas.namespaces, namespaces::render),
        (areas.pipeline, pipeline::render),
        (areas.events, events::render),
        (areas.detail, detail::render),
    ];
    for (rect, render) in panes {
        if !rect.is_empty() {
            render(state, frame, rect);
        }
    }
    status::render(state, frame, areas.status, areas.hints);
    if let Some(connecting) = &state.connecting {
        connection::render(state, connecting, frame, area);
    }
    if let Some(offer) = &state.offer {
        offer::render(state, offer, frame, area);
    }
    match &state.overlay {
        Some(Overlay::Help { scroll }) => help::render(frame, area, *scroll),
        Some(Overlay::Log { scroll }) => log::render(state, *scroll, frame, area),
        Some(Overlay::Palette(palette)) => palette::render(palette, state.focus, frame, area),
        Some(Overlay::Options(form)) => options::render(form, frame, area),
        Some(Overlay::Bookmarks(pane)) => bookmarks::render(state, pane, frame, area),
        Some(Overlay::Overwrite(question)) => overwrite::render(question, frame, area),
        Some(Overlay::Prompt(_)) | None => {}
    }
}

/// [`view`] for a terminal that is to show no colour (`NO_COLOR` set). crossterm writes each
/// colour change there as an SGR reset, which also undoes bold and reverse; with the colours
/// taken out first there are no colour changes, and the attributes that mark the active tab
/// and the selection stay.
pub fn view_without_colour(state: &State, frame: &mut Frame) {
    view(state, frame);
    for cell in frame.buffer_mut().content.iter_mut() {
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
    }
}

/// The bordered box every pane sits in; the focused one stands out, also without colour.
fn pane<'a>(title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(theme::border_type(focused))
        .border_style(theme::border(focused))
        .title(title.into().style(theme::title(focused)))
}

/// `n` as a count of terminal cells: at most `u16::MAX`. A screen is never that large, but a
/// length driven by input (a paste, a message) can be; casting it would wrap, adding to it
/// would overflow.
fn cells(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// The column `offset` cells right of `x`, bounded.
fn right_of(x: u16, offset: usize) -> u16 {
    x.saturating_add(cells(offset))
}

fn focused(state: &State, pane: Focus) -> bool {
    state.overlay.is_none()
        && state.offer.is_none()
        && state.connecting.is_none()
        && state.focus == pane
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
