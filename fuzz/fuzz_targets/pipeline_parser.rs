//! Any text into the pipeline parser: no panic, no stack overflow, and an error's line:column
//! is a place in the text (a line it has, at most one past that line's end).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mwatch::pipeline::{parse, parse_value};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for result in [parse(text).map(drop), parse_value(text).map(drop)] {
        if let Err(e) = result {
            assert!(e.points_into(text), "{e} is outside {text:?}");
        }
    }
});
