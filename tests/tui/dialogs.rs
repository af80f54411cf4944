//! Dialogs show their own keys from the key tables, on rows the text leaves them however it
//! wraps.

use std::path::PathBuf;

use mwatch::app::msg::Msg;
use mwatch::app::update::update;

use crate::common::tui::*;

/// Words too long to share a row at 60 columns: wrapped at words, they take a row each.
const SPACED: &str = "/home/ann/a folder with a name that is quite long/another folder name here that is long/event number one.json";

#[test]
fn the_overwrite_question_keeps_its_keys_in_view_however_its_path_wraps() {
    for size in SIZES {
        let mut state = live(Some("shop.orders"), size);
        update(
            &mut state,
            Msg::FileExists {
                typed: SPACED.into(),
                path: PathBuf::from(SPACED),
                contents: "{}\n".into(),
            },
        );
        let shown = screen(&state);
        assert!(shown.contains("[y] yes  [n/Esc] no"), "{size:?}:\n{shown}");
        assert!(
            shown.contains("event number one.json"),
            "{size:?}:\n{shown}"
        );
        assert!(shown.contains("Overwrite it?"), "{size:?}:\n{shown}");
    }
}
