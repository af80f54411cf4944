//! Any bytes a server could send as an event, through everything that shows one: every tab
//! of the detail (no control character may reach the screen), the search, and Extended JSON
//! (refused exactly when nested deeper than mwatch walks). No input may panic or overflow.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mwatch::app::detail::{content, Context};
use mwatch::app::msg::Tab;
use mwatch::app::search::{field, Needle};
use mwatch::event::ChangeEvent;
use mwatch::format::json_line;
use mwatch::nesting::within_limit;
use mwatch::source::StreamOptions;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = bson::RawDocumentBuf::from_bytes(data.to_vec()) else {
        return;
    };
    let event = ChangeEvent::from_raw(raw);
    let options = StreamOptions::default();
    let context = Context {
        options: &options,
        images_enabled: true,
        width: 80,
    };
    for tab in [Tab::Event, Tab::Diff, Tab::FullDocument, Tab::PreImage] {
        for line in content(&event, tab, context, 500) {
            assert!(!line.text().contains(char::is_control));
        }
    }
    let _ = field(&event, &Needle::new("a"));
    assert_eq!(json_line(&event, true).is_ok(), within_limit(event.raw()));
});
