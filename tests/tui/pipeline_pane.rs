//! The Pipeline pane's verdict line says what is so before the stream exists: nothing is
//! applied while connecting, nor after a failed connection.

use mwatch::app::msg::Msg;
use mwatch::app::state::State;
use mwatch::app::update::update;

use crate::common::tui::*;

#[test]
fn the_pipeline_is_not_said_to_be_applying_before_a_connection() {
    let (mut state, _) = State::new(config(Some("shop.orders"), (200, 60)));
    let shown = screen(&state);
    assert!(!shown.contains("applying"), "{shown}");
    assert!(shown.contains("applied once connected"), "{shown}");

    let error = "cannot reach 127.0.0.1:27017 within 5 s: connection refused";
    connection_failed(&mut state, error);
    let shown = screen(&state);
    assert!(!shown.contains("applying"), "{shown}");
    assert!(shown.contains("not connected: nothing runs"), "{shown}");

    // Once connected, the first watch is on its way.
    update(&mut state, Msg::Tick { now: NOW + 1_000 });
    press(&mut state, 'r');
    connected(&mut state, 2);
    assert!(screen(&state).contains("… applying"));
}
