//! Screens of messages, at the four sizes: the message log, the command palette, connecting
//! and a failed connection (insta snapshots in tests/tui/snapshots/).

use insta::assert_snapshot;
use mwatch::app::msg::Msg;
use mwatch::app::state::State;
use mwatch::app::update::update;

use crate::common::tui::*;

#[test]
fn the_message_log() {
    for size in SIZES {
        let mut state = live(Some("shop.orders"), size);
        press(&mut state, 'y');
        update(
            &mut state,
            Msg::Done(Err(format!(
                "cannot write {}/event.json: No such file or directory (os error 2)",
                "/a/rather/long/path/to/somewhere".repeat(3)
            ))),
        );
        update(&mut state, Msg::Tick { now: NOW + 65_000 });
        press(&mut state, 'b');
        esc(&mut state);
        press(&mut state, 'L');
        assert_snapshot!(sized("message_log", size), screen(&state));
    }
}

#[test]
fn the_command_palette() {
    for size in SIZES {
        let mut state = live(Some("shop.orders"), size);
        press(&mut state, ':');
        assert_snapshot!(sized("palette", size), screen(&state));
        type_text(&mut state, "tab");
        key(&mut state, ratatui::crossterm::event::KeyCode::Down);
        assert_snapshot!(sized("palette_filtered", size), screen(&state));
    }
}

#[test]
fn connecting() {
    for size in SIZES {
        let (mut state, _) = State::new(config(Some("shop.orders"), size));
        update(&mut state, Msg::Tick { now: NOW + 3_000 });
        assert_snapshot!(sized("connecting", size), screen(&state));
    }
}

#[test]
fn connection_failed() {
    for size in SIZES {
        let (mut state, _) = State::new(config(Some("shop.orders"), size));
        update(&mut state, Msg::Tick { now: NOW + 5_000 });
        update(
            &mut state,
            Msg::Connected {
                attempt: 1,
                result: Err(
                    "cannot reach 127.0.0.1:27017 within 5 s: I/O error: Connection refused \
                     (os error 111)"
                        .into(),
                ),
            },
        );
        assert_snapshot!(sized("connection_failed", size), screen(&state));
    }
}
