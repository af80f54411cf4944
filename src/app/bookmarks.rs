//! The bookmarks overlay (`B`): the filter, the selection and what is being done to the
//! selected bookmark. The bookmarks themselves are in `State::bookmarks`, as the store last
//! reported them.

use crate::bookmarks::Bookmark;

use super::input::LineInput;

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    List,
    /// Typing the filter (after `/`).
    Filter,
    /// Typing a new name for bookmark `from`.
    Rename {
        from: String,
        input: LineInput,
    },
    /// Asking whether to delete this bookmark.
    ConfirmDelete(String),
    /// Asking whether to replay, here, this bookmark made on another deployment.
    ConfirmReplayHere(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct BookmarkPane {
    pub filter: LineInput,
    /// Index into the filtered list.
    pub selected: usize,
    pub mode: Mode,
    /// The store is being read.
    pub loading: bool,
}

impl BookmarkPane {
    pub fn new() -> BookmarkPane {
        BookmarkPane {
            filter: LineInput::default(),
            selected: 0,
            mode: Mode::List,
            loading: true,
        }
    }

    /// The bookmarks the filter lets through, in the store's order (oldest first). The filter
    /// matches, ignoring case, a bookmark's name, namespace, operation or note.
    pub fn visible<'a>(&self, all: &'a [Bookmark]) -> Vec<&'a Bookmark> {
        let wanted = self.filter.text().to_lowercase();
        all.iter()
            .filter(|b| {
                let ns = b.namespace();
                [b.name.as_str(), ns.as_str(), b.op.as_str(), b.note.as_str()]
                    .iter()
                    .any(|field| field.to_lowercase().contains(&wanted))
            })
            .collect()
    }

    pub fn chosen<'a>(&self, all: &'a [Bookmark]) -> Option<&'a Bookmark> {
        self.visible(all).get(self.selected).copied()
    }

    pub fn move_by(&mut self, delta: isize, all: &[Bookmark]) {
        self.selected = self.selected.saturating_add_signed(delta);
        self.clamp(all);
    }

    /// Keeps the selection on a visible bookmark after the list or the filter changed.
    pub fn clamp(&mut self, all: &[Bookmark]) {
        let count = self.visible(all).len();
        self.selected = self.selected.min(count.saturating_sub(1));
    }
}

impl Default for BookmarkPane {
    fn default() -> Self {
        BookmarkPane::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bookmark(name: &str, ns: &str, note: &str) -> Bookmark {
        Bookmark {
            note: note.into(),
            event_ns: Some(ns.into()),
            op: "update".into(),
            ..crate::bookmarks::sample(name)
        }
    }

    #[test]
    fn the_filter_matches_name_namespace_operation_and_note_ignoring_case() {
        let all = [
            bookmark("before-fix", "shop.orders", ""),
            bookmark("x", "shop.customers", "the Refund bug"),
            bookmark("y", "crm.leads", ""),
        ];
        let mut pane = BookmarkPane::new();
        let names = |pane: &BookmarkPane| -> Vec<String> {
            pane.visible(&all).iter().map(|b| b.name.clone()).collect()
        };
        assert_eq!(names(&pane).len(), 3);
        pane.filter = LineInput::new("SHOP");
        assert_eq!(names(&pane), ["before-fix", "x"]);
        pane.filter = LineInput::new("refund");
        assert_eq!(names(&pane), ["x"]);
        pane.filter = LineInput::new("upd");
        assert_eq!(names(&pane).len(), 3);
        pane.selected = 2;
        pane.filter = LineInput::new("crm");
        pane.clamp(&all);
        assert_eq!(pane.chosen(&all).map(|b| b.name.as_str()), Some("y"));
        pane.move_by(5, &all);
        assert_eq!(pane.selected, 0);
    }
}
