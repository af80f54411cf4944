//! Screens of what the stream's state is, at the four sizes (insta snapshots in
//! tests/tui/snapshots/): a stream that stopped says so everywhere, with the way out.

use crate::common;
use crate::stream_state::stopped;

use common::tui::*;
use insta::assert_snapshot;

#[test]
fn a_stream_that_stopped_on_its_first_event() {
    for size in SIZES {
        let mut state = stopped(size);
        esc(&mut state);
        assert_snapshot!(sized("stopped", size), screen(&state));
    }
}
