//! Any bytes as one message: the playground answers with a well-formed reply or closes the
//! connection, and never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mwatch_playground::fuzzing;

fuzz_target!(|message: &[u8]| {
    if let Some(reply) = fuzzing::answer(message) {
        fuzzing::check_reply(&reply);
    }
});
