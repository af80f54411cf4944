//! Where each pane goes. Used by the view to draw and by `update` to know what fits, so both
//! always agree.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the panes cannot be drawn usefully.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub title: Rect,
    pub namespaces: Rect,
    pub pipeline: Rect,
    pub events: Rect,
    pub detail: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// The panes for a screen of `size`, or `None` when it is too small.
pub fn areas(size: Rect) -> Option<Areas> {
    if size.width < MIN_WIDTH || size.height < MIN_HEIGHT {
        return None;
    }
    let [title, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(size);
    let left_width = (size.width / 3).clamp(24, 44);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(0)]).areas(body);
    let [namespaces, pipeline] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(left);
    let [events, detail] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
    Some(Areas {
        title,
        namespaces,
        pipeline,
        events,
        detail,
        status,
        hints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_80_by_24_and_refuses_below_60_by_15() {
        let areas = areas(Rect::new(0, 0, 80, 24)).unwrap();
        assert_eq!(areas.namespaces.width + areas.events.width, 80);
        assert!(
            areas.events.height >= 8 && areas.detail.height >= 8,
            "{areas:?}"
        );
        assert!(super::areas(Rect::new(0, 0, 59, 30)).is_none());
        assert!(super::areas(Rect::new(0, 0, 100, 14)).is_none());
        assert!(super::areas(Rect::new(0, 0, 60, 15)).is_some());
    }
}
