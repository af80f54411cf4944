//! Reading events, as whole screens at the four sizes users have (insta snapshots in
//! tests/tui/snapshots/): the list following the tail, a detail pinned while events arrive,
//! the detail zoomed, and the rows kept from an earlier scope.

use crate::common;

use common::tui::*;
use insta::assert_snapshot;
use mwatch::app::state::State;
use ratatui::crossterm::event::KeyCode;

/// The first event opened and scrolled by two rows, then three more events arrived.
fn pinned(size: (u16, u16)) -> State {
    let mut state = live(None, size);
    for _ in 0..4 {
        press(&mut state, 'k');
    }
    enter(&mut state);
    press(&mut state, 'j');
    press(&mut state, 'j');
    arrive(&mut state, later_events());
    state
}

#[test]
fn following_the_tail() {
    for size in SIZES {
        let mut state = live(None, size);
        arrive(&mut state, later_events());
        assert_snapshot!(sized("following", size), screen(&state));
    }
}

#[test]
fn a_pinned_detail_while_events_arrive() {
    for size in SIZES {
        assert_snapshot!(sized("pinned", size), screen(&pinned(size)));
    }
}

#[test]
fn the_detail_zoomed() {
    for size in SIZES {
        let mut state = pinned(size);
        press(&mut state, 'z');
        assert_snapshot!(sized("zoomed_detail", size), screen(&state));
    }
}

#[test]
fn rows_kept_from_the_whole_deployment_after_choosing_a_collection() {
    for size in SIZES {
        let mut state = live(None, size);
        key(&mut state, KeyCode::Tab);
        key(&mut state, KeyCode::Tab);
        type_text(&mut state, "orders\n");
        started(&mut state, 2);
        arrive(&mut state, later_events());
        assert_snapshot!(sized("scope_changed", size), screen(&state));
    }
}
