//! The event list: retained rows, the selection, the scroll position, and whether the list
//! follows the tail. Positions are row indices into the store, shifted when old rows go.

use crate::event::ChangeEvent;
use crate::store::{EventStore, Row};

#[derive(Debug)]
pub struct EventList {
    pub store: EventStore,
    pub selected: usize,
    /// The first visible row.
    pub offset: usize,
    /// Keep the newest event selected and in view.
    pub follow: bool,
    /// Events that arrived while not following.
    pub unseen: u64,
    /// Rows that fit on screen (set from the layout).
    pub height: usize,
    /// The selected row was dropped and the selection moved to the oldest kept, where the user
    /// did not put it: that row being dropped in turn is no news.
    slid: bool,
}

impl EventList {
    pub fn new(store: EventStore) -> EventList {
        EventList {
            store,
            selected: 0,
            offset: 0,
            follow: true,
            unseen: 0,
            height: 1,
            slid: false,
        }
    }

    /// Appends a row; returns whether the row the user had selected (not following) was
    /// dropped to make room, once per selection.
    pub fn push(&mut self, row: Row) -> bool {
        let is_event = matches!(row, Row::Event(_));
        let removed = self.store.push(row);
        let evicted = !self.follow && !self.slid && self.selected < removed;
        self.slid |= evicted;
        self.selected = self.selected.saturating_sub(removed);
        self.offset = self.offset.saturating_sub(removed);
        if self.follow {
            self.show_tail();
        } else if is_event {
            self.unseen += 1;
        }
        evicted
    }

    /// Appends events; returns whether the selected row was dropped to make room.
    pub fn push_events(&mut self, events: Vec<ChangeEvent>) -> bool {
        let mut evicted = false;
        for event in events {
            evicted |= self.push(Row::Event(event));
        }
        evicted
    }

    /// Forgets every row and follows the tail again.
    pub fn clear(&mut self) {
        self.store.clear();
        self.selected = 0;
        self.offset = 0;
        self.follow = true;
        self.unseen = 0;
        self.slid = false;
    }

    pub fn selected_event(&self) -> Option<&ChangeEvent> {
        self.store.event(self.selected)
    }

    pub fn set_height(&mut self, height: usize) {
        self.height = height.max(1);
        if self.follow {
            self.show_tail();
        } else {
            self.reveal();
        }
    }

    /// Stops following the tail: the selection stays where it is as events arrive.
    pub fn pause(&mut self) {
        self.follow = false;
    }

    /// Moves the selection by `delta` rows; stops following.
    pub fn move_by(&mut self, delta: isize) {
        self.pause();
        self.select(self.selected.saturating_add_signed(delta));
    }

    pub fn select(&mut self, index: usize) {
        self.slid = false;
        self.selected = index.min(self.store.len().saturating_sub(1));
        self.reveal();
    }

    /// Selects row `index` and scrolls it to the top, to read on from there.
    pub fn show_at_top(&mut self, index: usize) {
        self.pause();
        self.unseen = 0;
        self.slid = false;
        self.selected = index.min(self.store.len().saturating_sub(1));
        self.offset = self.selected;
    }

    pub fn top(&mut self) {
        self.pause();
        self.select(0);
    }

    /// Selects the newest event and follows the tail again.
    pub fn follow_tail(&mut self) {
        self.follow = true;
        self.slid = false;
        self.unseen = 0;
        self.show_tail();
    }

    fn show_tail(&mut self) {
        self.selected = self.store.len().saturating_sub(1);
        self.offset = self.store.len().saturating_sub(self.height);
    }

    /// Scrolls just enough to show the selection.
    fn reveal(&mut self) {
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + self.height {
            self.offset = self.selected + 1 - self.height;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn event(n: i32) -> ChangeEvent {
        ChangeEvent::from_document(&doc! { "operationType": "insert", "n": n }).unwrap()
    }

    fn list(rows: usize, capacity: usize) -> EventList {
        let mut list = EventList::new(EventStore::new(capacity, usize::MAX));
        list.set_height(3);
        list.push_events((0..rows as i32).map(event).collect());
        list
    }

    #[test]
    fn follows_the_tail_until_paused_then_counts_new_events() {
        let mut list = list(5, 100);
        assert_eq!((list.selected, list.offset), (4, 2));
        list.pause();
        list.push_events(vec![event(5), event(6)]);
        assert_eq!((list.selected, list.offset, list.unseen), (4, 2, 2));
        list.follow_tail();
        assert_eq!((list.selected, list.offset, list.unseen), (6, 4, 0));
    }

    #[test]
    fn moving_reveals_the_selection_and_stops_following() {
        let mut list = list(10, 100);
        list.move_by(-5);
        assert!(!list.follow);
        assert_eq!((list.selected, list.offset), (4, 4));
        list.top();
        assert_eq!((list.selected, list.offset), (0, 0));
        list.move_by(100);
        assert_eq!((list.selected, list.offset), (9, 7));
    }

    #[test]
    fn a_row_shown_at_the_top_stays_there_as_events_arrive() {
        let mut list = list(10, 100);
        list.show_at_top(4);
        list.push_events(vec![event(10)]);
        assert_eq!((list.selected, list.offset, list.follow), (4, 4, false));
    }

    /// A dropped selection is said once: then it sits on the oldest kept row, which the next
    /// batch drops too, and that is no news until the user selects again (`g` included).
    #[test]
    fn a_dropped_selection_is_reported_once_per_selection() {
        let mut list = list(4, 4);
        list.move_by(-1);
        assert!(list.push_events(vec![event(4), event(5), event(6)]));
        assert!(!list.push_events(vec![event(7)]), "already said");
        list.top();
        assert!(list.push_events(vec![event(8)]), "a new selection");
        assert!(!list.push_events(vec![event(9)]));
    }

    #[test]
    fn positions_shift_when_old_rows_are_dropped() {
        let mut list = list(4, 4);
        list.move_by(-1);
        assert_eq!(list.selected, 2);
        let selected = list.selected_event().unwrap().to_document().unwrap();
        list.push_events(vec![event(4), event(5)]);
        assert_eq!(list.selected, 0);
        assert_eq!(
            list.selected_event().unwrap().to_document().unwrap(),
            selected
        );
    }
}
