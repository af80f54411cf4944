//! hello / isMaster and the other commands drivers send about the server itself.

use bson::{doc, oid::ObjectId, DateTime, Document};

use crate::state::State;

/// The MongoDB version the playground reports (`buildInfo`, `serverStatus`).
pub const VERSION: &str = "7.0.14";
/// The replica set's name, as `hello` reports it and [`Playground::uri`](crate::Playground::uri)
/// asks for.
pub const SET_NAME: &str = "rs0";
const MAX_WIRE_VERSION: i32 = 21;

/// The reply to `hello`, `isMaster` and `ismaster`. No `topologyVersion`: drivers then poll
/// every heartbeat interval instead of streaming hellos.
pub fn hello(state: &State, command: &Document, connection_id: i32) -> Document {
    let mut reply = Document::new();
    if command.get_bool("helloOk").unwrap_or(false) {
        reply.insert("helloOk", true);
    }
    if let Some(mechanisms) = command
        .get_str("saslSupportedMechs")
        .ok()
        .and_then(|user| state.settings.users.mechanisms(user))
    {
        reply.insert("saslSupportedMechs", mechanisms);
    }
    reply.insert("ismaster", true);
    reply.insert("isWritablePrimary", true);
    if !state.settings.standalone {
        let host = &state.settings.host;
        let last = state.last_ts();
        let last_date = DateTime::from_millis(i64::from(last.time) * 1000);
        let op_time = doc! { "ts": last, "t": 1i64 };
        reply.insert("hosts", vec![host.clone()]);
        reply.insert("setName", SET_NAME);
        reply.insert("setVersion", 1);
        reply.insert("secondary", false);
        reply.insert("primary", host.clone());
        reply.insert("me", host.clone());
        reply.insert(
            "electionId",
            ObjectId::from_bytes([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1]),
        );
        reply.insert(
            "lastWrite",
            doc! {
                "opTime": op_time.clone(),
                "lastWriteDate": last_date,
                "majorityOpTime": op_time,
                "majorityWriteDate": last_date,
            },
        );
    }
    reply.insert("maxBsonObjectSize", 16_777_216);
    reply.insert("maxMessageSizeBytes", 48_000_000);
    reply.insert("maxWriteBatchSize", 100_000);
    reply.insert("localTime", DateTime::now());
    reply.insert("logicalSessionTimeoutMinutes", 30);
    reply.insert("connectionId", connection_id);
    reply.insert("minWireVersion", 0);
    reply.insert("maxWireVersion", MAX_WIRE_VERSION);
    reply.insert("readOnly", false);
    reply.insert("ok", 1.0);
    reply
}

/// `serverStatus`: who the server is and what it has been asked (`metrics.commands`).
pub fn server_status(state: &State) -> Document {
    let host = &state.settings.host;
    let mut reply = doc! {
        "host": host.clone(),
        "version": VERSION,
        "process": "mongod",
        "uptime": state.metrics.uptime(),
        "localTime": DateTime::now(),
        "metrics": { "commands": state.metrics.commands() },
    };
    if !state.settings.standalone {
        reply.insert(
            "repl",
            doc! { "setName": SET_NAME, "isWritablePrimary": true, "hosts": [host.clone()], "primary": host.clone(), "me": host.clone() },
        );
    }
    reply.insert("ok", 1.0);
    reply
}

pub fn build_info() -> Document {
    doc! {
        "version": VERSION,
        "gitVersion": "mwatch-playground",
        "versionArray": [7, 0, 14, 0],
        "modules": [],
        "allocator": "system",
        "javascriptEngine": "none",
        "sysInfo": "deprecated",
        "bits": 64,
        "debug": false,
        "maxBsonObjectSize": 16_777_216,
        "storageEngines": ["inMemory"],
        "ok": 1.0,
    }
}
