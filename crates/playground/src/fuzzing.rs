//! Entry points for `fuzz/` (the `fuzzing` feature) and the property tests below: the wire
//! decoder and the command dispatcher, on a fresh state, without sockets.

use bson::{doc, Bson, Document};

use crate::commands;
use crate::state::{Settings, State};
use crate::wire::{self, Request};

pub use crate::depth::nested;

/// A fresh replica set with `db.c` holding a few documents, for commands to work on.
fn fresh_state() -> State {
    let settings = Settings {
        host: "localhost:27017".into(),
        standalone: false,
        users: Default::default(),
    };
    let mut state = State::new(settings, 100);
    let seed = doc! {
        "insert": "c",
        "documents": [
            { "_id": 1, "a": 1, "b": { "c": [1, 2, { "d": "x" }] } },
            { "_id": 2, "a": "two", "tags": ["p", "q"] },
            { "_id": 3 },
        ],
        "$db": "db",
    };
    // A fixed insert into an empty state: it cannot fail.
    let _ = commands::run(&mut state, &seed, 1);
    state
}

/// The reply to one command, as the dispatcher gives it on a fresh state (a failure as
/// MongoDB's error document).
pub fn dispatch(command: &Document) -> Document {
    let mut state = fresh_state();
    commands::run(&mut state, command, 1).unwrap_or_else(|error| error.to_document())
}

/// The reply document the server gives one whole message (header included), or `None`
/// when it closes the connection instead.
pub fn answer(message: &[u8]) -> Option<Document> {
    match wire::decode(message).ok()? {
        Request::Msg { command, .. } => Some(dispatch(&command)),
        Request::Query { query, .. } => Some(dispatch(&query)),
        Request::Refused { error, .. } => Some(error.to_document()),
    }
}

/// Panics unless `reply` is a reply a driver can take: `ok` 1, or 0 with a code, a code name
/// and a message; and it encodes as an OP_MSG that decodes back to it.
pub fn check_reply(reply: &Document) {
    match reply.get("ok") {
        Some(Bson::Double(ok)) if *ok == 1.0 => {}
        Some(Bson::Double(ok)) if *ok == 0.0 => {
            assert!(reply.get_i32("code").is_ok(), "no code: {reply}");
            assert!(reply.get_str("codeName").is_ok(), "no codeName: {reply}");
            assert!(reply.get_str("errmsg").is_ok(), "no errmsg: {reply}");
        }
        other => panic!("ok is {other:?}: {reply}"),
    }
    let bytes = wire::encode_msg(1, 1, reply).expect("the reply encodes");
    // The header, the flags and the body section's kind, then the document. Not read back
    // by the request decoder: a reply may nest deeper than a request may (a cursor around a
    // document as deep as a stage may build).
    let (frame, document) = bytes.split_at(21);
    assert_eq!(frame[..4], (bytes.len() as i32).to_le_bytes(), "{reply}");
    // Compared as bytes, since a NaN is not equal to itself.
    let again = Document::from_reader(document).map(|doc| bson::to_vec(&doc));
    assert!(
        matches!(&again, Ok(Ok(same)) if same == document),
        "the reply changes when decoded: {reply}"
    );
}

/// Commands of the dispatch table (and one that is not), for generated commands.
pub const COMMANDS: &[&str] = &[
    "find",
    "insert",
    "update",
    "delete",
    "findAndModify",
    "aggregate",
    "count",
    "getMore",
    "killCursors",
    "create",
    "drop",
    "createIndexes",
    "listIndexes",
    "listCollections",
    "renameCollection",
    "collMod",
    "hello",
    "ping",
    "nosuch",
];

/// Argument names commands take, for generated commands.
pub const ARGUMENTS: &[&str] = &[
    "filter",
    "projection",
    "sort",
    "limit",
    "skip",
    "batchSize",
    "pipeline",
    "cursor",
    "documents",
    "updates",
    "deletes",
    "query",
    "update",
    "fields",
    "new",
    "remove",
    "upsert",
    "indexes",
    "to",
    "collection",
    "maxTimeMS",
    "ordered",
    "let",
];

/// Field names and operators, for generated documents.
pub const KEYS: &[&str] = &[
    "_id",
    "a",
    "b",
    "a.b",
    "b.c.0",
    "tags",
    "$and",
    "$or",
    "$nor",
    "$not",
    "$gt",
    "$in",
    "$eq",
    "$exists",
    "$type",
    "$regex",
    "$elemMatch",
    "$size",
    "$all",
    "$expr",
    "$set",
    "$unset",
    "$inc",
    "$push",
    "$each",
    "$slice",
    "$sort",
    "$pull",
    "$addToSet",
    "$rename",
    "$min",
    "$mul",
    "$currentDate",
    "$match",
    "$project",
    "$addFields",
    "$group",
    "$replaceRoot",
    "newRoot",
    "$redact",
    "$sum",
    "$cond",
    "$add",
    "$concat",
    "$literal",
    "$mergeObjects",
    "$objectToArray",
    "$getField",
    "$limit",
    "$skip",
    "$count",
    "$changeStream",
    "if",
    "then",
    "else",
    "q",
    "u",
    "multi",
    "upsert",
    "limit",
];

/// Field paths and variables, for generated values.
pub const STRINGS: &[&str] = &[
    "$a",
    "$b.c",
    "$$ROOT",
    "$$CURRENT",
    "$$REMOVE",
    "$$KEEP",
    "",
    "x",
];

/// An OP_MSG with one body section, the document `body` (its bytes).
pub fn message(body: &[u8]) -> Vec<u8> {
    let mut message = ((16 + 5 + body.len()) as i32).to_le_bytes().to_vec();
    message.extend(1i32.to_le_bytes());
    message.extend(0i32.to_le_bytes());
    message.extend(2013i32.to_le_bytes());
    message.extend([0, 0, 0, 0, 0]);
    message.extend(body);
    message
}

/// `{ping: 1, $db: "admin", deep: ...}` whose `deep` nests `kinds.len() + 1` levels of
/// documents and arrays (`true` for an array), written without
/// recursion ([`nested`]).
pub fn deep_ping(kinds: &[bool]) -> Vec<u8> {
    let deep = nested(kinds);
    let mut command = bson::to_vec(&doc! { "ping": 1, "$db": "admin" }).unwrap();
    command.pop();
    command.push(0x03);
    command.extend(b"deep\0");
    command.extend(deep);
    command.push(0);
    let size = command.len() as i32;
    command[..4].copy_from_slice(&size.to_le_bytes());
    message(&command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::depth::MAX_DEPTH;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    /// Runs `test` on `cases` values of the strategy `make` makes, on a thread whose stack
    /// holds what the server's connection threads hold (documents 200 levels deep, decoded
    /// unoptimized).
    fn check<S: Strategy>(
        cases: u32,
        make: impl FnOnce() -> S + Send,
        test: impl Fn(S::Value) + Sync,
    ) {
        std::thread::scope(|scope| {
            let runner = std::thread::Builder::new().stack_size(64 << 20);
            let run = runner.spawn_scoped(scope, || {
                let config = Config {
                    cases,
                    failure_persistence: None,
                    ..Config::default()
                };
                let outcome = TestRunner::new(config).run(&make(), |value| {
                    test(value);
                    Ok(())
                });
                outcome.map_err(|failure| failure.to_string())
            });
            if let Err(failure) = run.unwrap().join().unwrap() {
                panic!("{failure}");
            }
        });
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::sample::select(KEYS).prop_map(String::from),
            1 => "[a-z$.]{0,4}",
        ]
    }

    fn leaf() -> impl Strategy<Value = Bson> {
        prop_oneof![
            any::<i32>().prop_map(Bson::Int32),
            any::<i64>().prop_map(Bson::Int64),
            any::<f64>().prop_map(Bson::Double),
            Just(Bson::Double(f64::NAN)),
            any::<bool>().prop_map(Bson::Boolean),
            Just(Bson::Null),
            proptest::sample::select(STRINGS).prop_map(Bson::from),
            ".{0,8}".prop_map(Bson::String),
        ]
    }

    fn value() -> impl Strategy<Value = Bson> {
        leaf().prop_recursive(6, 48, 5, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Bson::Array),
                vec((key(), inner), 0..5)
                    .prop_map(|fields| Bson::Document(fields.into_iter().collect())),
            ]
        })
    }

    /// A command of the dispatch table on `db.c` (or a random first value), with arguments
    /// named as commands name theirs.
    fn command() -> impl Strategy<Value = Document> {
        let first = prop_oneof![3 => Just(Bson::from("c")), 1 => value()];
        let argument = (proptest::sample::select(ARGUMENTS), value());
        (
            proptest::sample::select(COMMANDS),
            first,
            vec(argument, 0..4),
        )
            .prop_map(|(name, first, arguments)| {
                let mut command = doc! { name: first };
                for (field, value) in arguments {
                    command.insert(field, value);
                }
                command.insert("$db", "db");
                command
            })
    }

    fn op_msg(command: &Document) -> Vec<u8> {
        message(&bson::to_vec(command).unwrap())
    }

    #[test]
    fn deep_ping_builds_the_nesting_it_names() {
        let expected = doc! { "0": { "0": [1] } };
        assert_eq!(nested(&[false, true]), bson::to_vec(&expected).unwrap());
        let message = deep_ping(&[false, true, false]);
        let command = match wire::decode(&message).unwrap() {
            Request::Msg { command, .. } => command,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            command,
            doc! { "ping": 1, "$db": "admin", "deep": { "0": { "0": [{ "0": 1 }] } } }
        );
    }

    // Found by fuzzing: the check compared documents, and a NaN is not equal to itself.
    #[test]
    fn a_reply_holding_nan_is_well_formed() {
        check_reply(&doc! { "v": f64::NAN, "ok": 1.0 });
    }

    // A cursor wraps the documents of its batch 3 levels below the reply: a document as deep
    // as a stage may build makes a reply deeper than a request may be.
    #[test]
    fn a_reply_as_deep_as_a_cursor_makes_is_well_formed() {
        check(
            1,
            || Just(()),
            |()| {
                let built =
                    Document::from_reader(&nested(&[false; MAX_DEPTH - 1][..])[..]).unwrap();
                assert_eq!(crate::depth::check_built(&built), Ok(()));
                check_reply(&doc! { "cursor": { "firstBatch": [built] }, "ok": 1.0 });
            },
        );
    }

    /// Cases per run of each property below: 3 x 256, well under a minute unoptimized.
    const CASES: u32 = 256;

    #[test]
    fn random_bytes_are_answered_or_the_connection_closed() {
        // Raw bytes, and bytes behind a sound header so that they reach the body parsers.
        let header = (
            prop_oneof![Just(2013), Just(2004)],
            vec(any::<u8>(), 0..600),
        );
        let framed = header.prop_map(|(op_code, body): (i32, Vec<u8>)| {
            let mut message = ((16 + body.len()) as i32).to_le_bytes().to_vec();
            message.extend(7i32.to_le_bytes());
            message.extend(0i32.to_le_bytes());
            message.extend(op_code.to_le_bytes());
            message.extend(body);
            message
        });
        let bytes = prop_oneof![vec(any::<u8>(), 0..600), framed];
        check(
            CASES,
            || bytes,
            |bytes| {
                if let Some(reply) = answer(&bytes) {
                    check_reply(&reply);
                }
            },
        );
    }

    #[test]
    fn random_commands_are_answered() {
        check(CASES, command, |command| {
            check_reply(&dispatch(&command));
            // The same through the decoder, as bytes.
            let reply = answer(&op_msg(&command)).expect("a sound message is answered");
            check_reply(&reply);
        });
    }

    #[test]
    fn random_nesting_is_answered_up_to_the_limit_and_refused_past_it() {
        let kinds = prop_oneof![vec(any::<bool>(), 0..400), vec(any::<bool>(), 0..20_000)];
        check(
            CASES,
            || kinds,
            |kinds| {
                let reply = answer(&deep_ping(&kinds)).expect("answered");
                check_reply(&reply);
                // `deep` is one level below the top, and its value's levels below it.
                let levels = kinds.len() + 1;
                if levels <= MAX_DEPTH {
                    assert_eq!(reply.get_f64("ok"), Ok(1.0), "{levels} levels");
                } else {
                    assert_eq!(reply.get_i32("code"), Ok(15), "{levels} levels");
                }
            },
        );
    }
}
