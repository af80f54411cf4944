//! Where each pane goes. Used by the view to draw and by `update` to know what fits (page
//! sizes, what a click hits), so both always agree. It depends on the focus and the zoom: a
//! zoomed pane takes the whole body, and on a small terminal the namespaces and the pipeline
//! fold away until focused.

use ratatui::layout::{Constraint, Layout, Rect};

use super::msg::{Focus, Tab};

/// Below this the panes cannot be drawn usefully.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// Below this width or height the namespaces and the pipeline fold away unless focused: the
/// events and the detail need the room more.
pub const FOLD_WIDTH: u16 = 100;
pub const FOLD_HEIGHT: u16 = 30;

/// A pane that is not drawn (folded away, or another pane zoomed) has an empty rect.
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

impl Areas {
    /// Where `pane` is (empty if not drawn).
    pub fn pane(&self, pane: Focus) -> Rect {
        match pane {
            Focus::Namespaces => self.namespaces,
            Focus::Pipeline => self.pipeline,
            Focus::Events => self.events,
            Focus::Detail => self.detail,
        }
    }
}

/// The panes for a screen of `size` with `focus` (the only pane drawn if `zoomed`), or `None`
/// when the screen is too small.
pub fn areas(size: Rect, focus: Focus, zoomed: bool) -> Option<Areas> {
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
    let mut areas = Areas {
        title,
        namespaces: Rect::default(),
        pipeline: Rect::default(),
        events: Rect::default(),
        detail: Rect::default(),
        status,
        hints,
    };
    if zoomed {
        match focus {
            Focus::Namespaces => areas.namespaces = body,
            Focus::Pipeline => areas.pipeline = body,
            Focus::Events => areas.events = body,
            Focus::Detail => areas.detail = body,
        }
        return Some(areas);
    }
    let fold = size.width < FOLD_WIDTH || size.height < FOLD_HEIGHT;
    let left_panes: Vec<Focus> = [Focus::Namespaces, Focus::Pipeline]
        .into_iter()
        .filter(|pane| !fold || *pane == focus)
        .collect();
    let left_width = if left_panes.is_empty() {
        0
    } else {
        (size.width / 3).clamp(24, 44)
    };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(0)]).areas(body);
    match left_panes[..] {
        [Focus::Namespaces, Focus::Pipeline] => {
            [areas.namespaces, areas.pipeline] =
                Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(left);
        }
        [Focus::Namespaces] => areas.namespaces = left,
        [Focus::Pipeline] => areas.pipeline = left,
        _ => {}
    }
    [areas.events, areas.detail] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
    Some(areas)
}

/// Between the detail's tab labels.
pub const TAB_SEPARATOR: &str = "│";

/// The detail's tab bar as drawn: each tab with its label and the column it starts at, from
/// the bar's left edge. `▸` marks the active tab, so it shows without colour too.
pub fn tab_labels(active: Tab) -> Vec<(Tab, u16, String)> {
    let mut column = 0;
    let mut labels = Vec::new();
    for (i, tab) in Tab::ALL.into_iter().enumerate() {
        if i > 0 {
            column += TAB_SEPARATOR.chars().count() as u16;
        }
        let marker = if tab == active { '▸' } else { ' ' };
        let label = format!("{marker}{} {} ", i + 1, tab.title());
        let width = label.chars().count() as u16;
        labels.push((tab, column, label));
        column += width;
    }
    labels
}

/// The tab whose label is at `column` of the tab bar.
pub fn tab_at(column: u16, active: Tab) -> Option<Tab> {
    tab_labels(active)
        .into_iter()
        .find(|(_, start, label)| (*start..*start + label.chars().count() as u16).contains(&column))
        .map(|(tab, _, _)| tab)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(width: u16, height: u16, focus: Focus, zoomed: bool) -> Areas {
        areas(Rect::new(0, 0, width, height), focus, zoomed).unwrap()
    }

    #[test]
    fn fits_80_by_24_and_refuses_below_60_by_15() {
        let areas = at(80, 24, Focus::Namespaces, false);
        assert_eq!(areas.namespaces.width + areas.events.width, 80);
        assert!(
            areas.events.height >= 8 && areas.detail.height >= 8,
            "{areas:?}"
        );
        let small = |w, h| super::areas(Rect::new(0, 0, w, h), Focus::Events, false);
        assert!(small(59, 30).is_none());
        assert!(small(100, 14).is_none());
        assert!(small(60, 15).is_some());
    }

    #[test]
    fn small_screens_fold_the_left_panes_unless_focused() {
        let wide = at(100, 30, Focus::Events, false);
        assert!(!wide.namespaces.is_empty() && !wide.pipeline.is_empty());
        for (width, height) in [(99, 40), (120, 29)] {
            let folded = at(width, height, Focus::Events, false);
            assert!(folded.namespaces.is_empty() && folded.pipeline.is_empty());
            assert_eq!(folded.events.width, width);
            let editing = at(width, height, Focus::Pipeline, false);
            assert!(editing.namespaces.is_empty());
            assert_eq!(editing.pipeline.height, height - 3);
        }
    }

    #[test]
    fn a_zoomed_pane_takes_the_whole_body() {
        let zoomed = at(120, 35, Focus::Detail, true);
        assert_eq!(zoomed.detail, Rect::new(0, 1, 120, 32));
        for pane in [Focus::Namespaces, Focus::Pipeline, Focus::Events] {
            assert!(zoomed.pane(pane).is_empty(), "{pane:?}");
        }
    }

    #[test]
    fn a_column_of_the_tab_bar_names_its_tab() {
        let labels = tab_labels(Tab::Diff);
        assert_eq!(labels[1].2, "▸2 Diff ");
        let (_, diff_start, _) = labels[1];
        assert_eq!(tab_at(diff_start, Tab::Diff), Some(Tab::Diff));
        assert_eq!(tab_at(diff_start - 1, Tab::Diff), None, "the separator");
        assert_eq!(tab_at(0, Tab::Diff), Some(Tab::Event));
        assert_eq!(tab_at(200, Tab::Diff), None);
    }
}
