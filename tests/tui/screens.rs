//! Whole screens at the four sizes of `SIZES`, from seeded data and a fixed clock (insta snapshots in
//! tests/tui/snapshots/). A change to what users see shows up here for review.

use crate::common;

use common::tui::*;
use insta::assert_snapshot;
use mwatch::source::SourceMsg;
use ratatui::crossterm::event::KeyCode;

#[test]
fn first_screen_on_the_whole_deployment() {
    for size in SIZES {
        let state = live(None, size);
        assert_snapshot!(sized("first", size), screen(&state));
    }
}

#[test]
fn an_update_with_its_diff() {
    for size in SIZES {
        let mut state = live(Some("shop.orders"), size);
        press(&mut state, 'g');
        press(&mut state, 'j');
        press(&mut state, 'j');
        enter(&mut state);
        press(&mut state, '2');
        assert_snapshot!(sized("diff", size), screen(&state));
    }
}

#[test]
fn an_update_without_images_explains_how_to_get_them() {
    for size in SIZES {
        let mut state = live(None, size);
        esc(&mut state);
        press(&mut state, 'g');
        for _ in 0..3 {
            press(&mut state, 'j');
        }
        press(&mut state, '4');
        assert_snapshot!(sized("no_pre_image", size), screen(&state));
    }
}

#[test]
fn a_pipeline_being_typed_with_an_error_and_then_applied() {
    for size in SIZES {
        let mut state = live(Some("shop.orders"), size);
        press(&mut state, 'p');
        type_text(
            &mut state,
            "{$match: {operationType: 'update',\n  'fullDocument.status' 'paid'}}",
        );
        assert_snapshot!(sized("pipeline_error", size), screen(&state));
        for _ in 0..9 {
            key(&mut state, KeyCode::Left);
        }
        type_text(&mut state, ":");
        ctrl(&mut state, 's');
        source(&mut state, SourceMsg::Started { watch: 2 });
        // The new watch resumes after the last event: of what comes next, the server sends
        // only what its scope and pipeline let through (order 3 paid, not the customer seen
        // or the new order).
        arrive(&mut state, later_events());
        assert_snapshot!(sized("pipeline_applied", size), screen(&state));
    }
}

#[test]
fn help_and_options_overlays() {
    for size in SIZES {
        let mut state = live(Some("shop.orders"), size);
        press(&mut state, '?');
        assert_snapshot!(sized("help", size), screen(&state));
        esc(&mut state);
        press(&mut state, 'o');
        assert_snapshot!(sized("options", size), screen(&state));
    }
}

#[test]
fn a_terminal_too_small_says_so() {
    let state = live(None, (59, 14));
    assert_snapshot!("too_small", screen(&state));
}
