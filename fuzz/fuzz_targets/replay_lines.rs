//! Any bytes as a recording: the bounded line reader (with a small bound and buffer, so long
//! lines and lines split across reads are reached) and the replay over it. No panic; a line is
//! never longer than the bound nor holds a newline; the replay ends.
#![no_main]

use std::io::{BufReader, Cursor};
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use mwatch::source::recording::{read_line, Line, Replay};

const BOUND: usize = 64;

fuzz_target!(|data: &[u8]| {
    let mut input = BufReader::with_capacity(7, data);
    let mut line = Vec::new();
    loop {
        match read_line(&mut input, BOUND, &mut line).expect("reading a slice") {
            Line::Read => assert!(line.len() <= BOUND && !line.contains(&b'\n')),
            // A line without its newline is the last.
            Line::Unended => {
                assert!(line.len() <= BOUND && !line.contains(&b'\n'));
                assert!(!data.ends_with(b"\n"));
                let end = read_line(&mut input, BOUND, &mut line).expect("reading a slice");
                assert_eq!(end, Line::End);
                break;
            }
            // The reader is not to be asked again after a line too long.
            Line::TooLong | Line::End => break,
        }
    }
    // Each event takes a line, and an error ends the replay: this ends.
    Replay::from_reader(Path::new("fuzz"), Cursor::new(data.to_vec())).for_each(drop);
});
