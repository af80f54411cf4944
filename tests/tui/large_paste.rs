//! A large paste into any one-line input draws without a panic: screen positions are bounded
//! before they become terminal columns.

use mwatch::app::msg::Msg;
use mwatch::app::update::update;
use ratatui::crossterm::event::KeyCode;

use crate::common::tui::*;

/// Nearly as many characters as a terminal column (u16) counts: one more position overflows.
fn large() -> String {
    "x".repeat(65_534)
}

#[test]
fn a_large_paste_into_any_input_draws() {
    for size in SIZES {
        // The palette.
        let mut state = live(Some("shop.orders"), size);
        press(&mut state, ':');
        update(&mut state, Msg::Paste(large()));
        screen(&state);

        // A prompt (the search).
        let mut state = live(Some("shop.orders"), size);
        press(&mut state, '/');
        update(&mut state, Msg::Paste(large()));
        screen(&state);

        // The namespace filter.
        let mut state = live(Some("shop.orders"), size);
        key(&mut state, KeyCode::BackTab);
        update(&mut state, Msg::Paste(large()));
        screen(&state);

        // The bookmarks' filter.
        let mut state = live(Some("shop.orders"), size);
        press(&mut state, 'B');
        press(&mut state, '/');
        update(&mut state, Msg::Paste(large()));
        screen(&state);
    }
}
