//! Commands of the dispatch table, with arguments made of MongoDB's operators, field names
//! and variables, run on a fresh state: the reply is well formed, and nothing panics.

#![no_main]

use bson::{Bson, Document};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mwatch_playground::fuzzing::{self, ARGUMENTS, COMMANDS, KEYS, STRINGS};

/// Deeper than MongoDB stores (180) and within what a message may hold (200).
const MAX_DEPTH: usize = 190;

fn key(u: &mut Unstructured) -> Result<String> {
    if u.ratio(3, 4)? {
        Ok(u.choose(KEYS)?.to_string())
    } else {
        u.arbitrary()
    }
}

fn value(u: &mut Unstructured, depth: usize) -> Result<Bson> {
    let nests = depth < MAX_DEPTH;
    Ok(match u.int_in_range(0..=8)? {
        0 => Bson::Int32(u.arbitrary()?),
        1 => Bson::Int64(u.arbitrary()?),
        2 => Bson::Double(u.arbitrary()?),
        3 => Bson::Boolean(u.arbitrary()?),
        4 => Bson::String(u.arbitrary()?),
        5 => Bson::String(u.choose(STRINGS)?.to_string()),
        6 if nests => {
            let len = u.int_in_range(0..=4)?;
            Bson::Array(
                (0..len)
                    .map(|_| value(u, depth + 1))
                    .collect::<Result<_>>()?,
            )
        }
        7 if nests => {
            let mut doc = Document::new();
            for _ in 0..u.int_in_range(0..=4)? {
                doc.insert(key(u)?, value(u, depth + 1)?);
            }
            Bson::Document(doc)
        }
        _ => Bson::Null,
    })
}

fn command(u: &mut Unstructured) -> Result<Document> {
    let mut command = Document::new();
    let first = if u.ratio(3, 4)? {
        Bson::from("c")
    } else {
        value(u, 1)?
    };
    command.insert(*u.choose(COMMANDS)?, first);
    for _ in 0..u.int_in_range(0..=4)? {
        command.insert(*u.choose(ARGUMENTS)?, value(u, 1)?);
    }
    command.insert("$db", "db");
    Ok(command)
}

fuzz_target!(|data: &[u8]| {
    let Ok(command) = command(&mut Unstructured::new(data)) else {
        return;
    };
    // Only what can come over the wire: keys are C strings, without NUL bytes.
    if bson::to_vec(&command).is_ok() {
        fuzzing::check_reply(&fuzzing::dispatch(&command));
    }
});
