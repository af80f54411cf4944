//! Accepts connections and answers requests: framing in `wire`, commands in `commands`.
//! Change-stream getMores that find nothing wait for the next write (or `maxTimeMS`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bson::{doc, spec::BinarySubtype, Binary, Document};
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::auth::Login;
use crate::changestream::oplog::ts_key;
use crate::commands;
use crate::error::CmdResult;
use crate::state::failpoints::Injected;
use crate::state::State;
use crate::wire::{self, Intake, Request};

/// What every connection shares: the state, and a signal that something was written.
pub struct Shared {
    pub state: Mutex<State>,
    /// The latest cluster time; waiting getMores wake when it changes.
    written: watch::Sender<u64>,
}

impl Shared {
    pub fn new(state: State) -> Self {
        let (written, _) = watch::channel(ts_key(state.last_ts()));
        Shared {
            state: Mutex::new(state),
            written,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic in one command must not take the whole server down with a poisoned lock.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the state and wakes waiting change streams if it wrote anything.
    pub fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.lock();
        let before = state.last_ts();
        let result = f(&mut state);
        let after = state.last_ts();
        drop(state);
        if ts_key(after) != ts_key(before) {
            self.written.send_replace(ts_key(after));
        }
        result
    }
}

/// The stack of a connection's thread. Documents nest up to 200 levels (`depth`), and the
/// bson crate's decoder and encoder recurse once per level, as do our own walks: an
/// unoptimized build takes some 15 KiB a level, more than a runtime's worker threads have.
/// Only the pages used are ever committed.
const CONNECTION_STACK: usize = 64 << 20;

/// What bounds the server's connections.
pub struct Limits {
    pub intake: Arc<Intake>,
    pub max_connections: usize,
}

/// How long accepting rests after an error: running out of file descriptors fails every
/// accept at once, and retrying at once would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    // Each connection holds a sender; all have ended when `recv` sees none left.
    let (alive, mut ended) = mpsc::channel::<()>(1);
    let slots = Arc::new(Semaphore::new(
        limits.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    let mut next_id: i32 = 0;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                };
                // Past the cap the connection is closed at once, as mongod does.
                let Ok(slot) = slots.clone().try_acquire_owned() else { continue };
                next_id = next_id.wrapping_add(1);
                let (shared, intake) = (shared.clone(), limits.intake.clone());
                let alive = Alive { _ended: alive.clone(), _slot: slot };
                spawn_connection(stream, shared, intake, next_id, &shutdown, alive);
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(alive);
    let _ = ended.recv().await;
}

/// What a connection holds while it is served: dropping it tells shutdown that it ended and
/// frees its place under the cap.
struct Alive {
    _ended: mpsc::Sender<()>,
    _slot: OwnedSemaphorePermit,
}

/// Serves one connection on a thread of its own, with a runtime of its own, until the peer
/// leaves or the server stops; `alive` is dropped when it ends. When no thread can be had,
/// the connection is closed.
fn spawn_connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    intake: Arc<Intake>,
    connection_id: i32,
    shutdown: &watch::Receiver<bool>,
    alive: Alive,
) {
    let Ok(stream) = stream.into_std() else {
        return;
    };
    let mut stop = shutdown.clone();
    let serve = move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async move {
            let Ok(stream) = TcpStream::from_std(stream) else {
                return;
            };
            tokio::select! {
                _ = connection(stream, shared, &intake, connection_id) => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
        });
        drop(alive);
    };
    let _ = std::thread::Builder::new()
        .name(format!("playground-conn-{connection_id}"))
        .stack_size(CONNECTION_STACK)
        .spawn(serve);
}

async fn connection(stream: TcpStream, shared: Arc<Shared>, intake: &Intake, connection_id: i32) {
    let _ = stream.set_nodelay(true);
    let mut login = Login::default();
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut reply_id: i32 = 0;
    // A malformed frame, a message that does not arrive in time or a closed socket ends the
    // connection, as with MongoDB.
    while let Ok(Some(request)) = wire::read_request(&mut reader, intake).await {
        reply_id = reply_id.wrapping_add(1);
        let bytes = match request {
            Request::Msg {
                request_id,
                command,
                more_to_come,
            } => {
                let Some(reply) = handle(&shared, &command, connection_id, &mut login).await else {
                    break;
                };
                if more_to_come {
                    continue;
                }
                wire::encode_msg(reply_id, request_id, &reply)
            }
            Request::Query {
                request_id,
                collection,
                query,
            } => {
                let is_handshake = collection.ends_with(".$cmd")
                    && ["hello", "isMaster", "ismaster"]
                        .iter()
                        .any(|k| query.contains_key(*k));
                let reply = if is_handshake {
                    let Some(reply) = handle(&shared, &query, connection_id, &mut login).await
                    else {
                        break;
                    };
                    reply
                } else {
                    let error = crate::error::CommandError::new(
                        352,
                        "UnsupportedOpQueryCommand",
                        "Unsupported OP_QUERY command: only hello and isMaster are supported",
                    );
                    error.to_document()
                };
                wire::encode_reply(reply_id, request_id, &reply)
            }
            Request::Refused {
                more_to_come: true, ..
            } => continue,
            Request::Refused {
                request_id,
                error,
                legacy,
                ..
            } => {
                let reply = error.to_document();
                if legacy {
                    wire::encode_reply(reply_id, request_id, &reply)
                } else {
                    wire::encode_msg(reply_id, request_id, &reply)
                }
            }
        };
        let Ok(bytes) = bytes else { break };
        if wire::write_all(&mut writer, &bytes).await.is_err() {
            break;
        }
    }
}

/// Runs a command (or the connection's `login` step) and wraps its outcome in the reply
/// envelope; `None` when a fail point says to drop the connection instead.
async fn handle(
    shared: &Shared,
    command: &Document,
    connection_id: i32,
    login: &mut Login,
) -> Option<Document> {
    let name = command.keys().next().map(String::as_str).unwrap_or("");
    let injected = shared.with_state(|state| {
        let on_stream = name == "getMore" && state.is_stream_cursor(command.get("getMore"));
        state.failpoints.intercept(name, on_stream)
    });
    let result = match injected {
        Some(Injected::CloseConnection) => {
            shared.with_state(|state| state.metrics.count(name, command, true, true));
            return None;
        }
        Some(Injected::Error(error)) => Err(error),
        None => {
            match shared.with_state(|state| login.intercept(&state.settings.users, name, command)) {
                Some(answered) => answered,
                None if name == "getMore" => get_more(shared, command).await,
                None => shared.with_state(|state| commands::run(state, command, connection_id)),
            }
        }
    };
    let known = !matches!(&result, Err(e) if e.code == commands::COMMAND_NOT_FOUND);
    let failed = result.is_err();
    let mut reply = result.unwrap_or_else(|error| error.to_document());
    let cluster_time = shared.with_state(|state| {
        state.metrics.count(name, command, known, failed);
        state.last_ts()
    });
    reply.insert("operationTime", cluster_time);
    reply.insert(
        "$clusterTime",
        doc! {
            "clusterTime": cluster_time,
            "signature": {
                "hash": Binary { subtype: BinarySubtype::Generic, bytes: vec![0; 20] },
                "keyId": 0i64,
            },
        },
    );
    Some(reply)
}

/// getMore, waiting on change streams until an event arrives or `maxTimeMS` passes.
async fn get_more(shared: &Shared, command: &Document) -> CmdResult<Document> {
    let wait_ms = command
        .get("maxTimeMS")
        .and_then(crate::values::to_i64)
        .filter(|ms| *ms > 0)
        .unwrap_or(1000);
    let deadline = Instant::now() + Duration::from_millis(wait_ms as u64);
    loop {
        // Subscribe before reading, so a write between the two is not missed.
        let mut written = shared.written.subscribe();
        let may_wait = Instant::now() < deadline;
        if let Some(reply) =
            shared.with_state(|state| commands::get_more(state, command, may_wait))?
        {
            return Ok(reply);
        }
        let _ = tokio::time::timeout_at(deadline, written.changed()).await;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::state::Settings;

    /// A replica set's shared state, without a listener, keeping `history` oplog entries.
    pub(crate) fn shared(history: usize) -> Arc<Shared> {
        let settings = Settings {
            host: "localhost:1".into(),
            standalone: false,
            users: Default::default(),
        };
        Arc::new(Shared::new(State::new(settings, history)))
    }

    /// A server's shared state with a change stream open on `db.c`, and the stream's cursor id.
    fn watched() -> (Arc<Shared>, i64) {
        let shared = shared(1000);
        let open = doc! {
            "aggregate": "c", "pipeline": [{ "$changeStream": {} }], "cursor": {}, "$db": "db",
        };
        let reply = shared
            .with_state(|state| commands::run(state, &open, 1))
            .unwrap();
        let id = reply.get_document("cursor").unwrap().get_i64("id").unwrap();
        (shared, id)
    }

    fn get_more_command(id: i64, max_time_ms: Option<i64>) -> Document {
        let mut command = doc! { "getMore": id, "collection": "c", "$db": "db" };
        if let Some(ms) = max_time_ms {
            command.insert("maxTimeMS", ms);
        }
        command
    }

    fn batch_len(reply: &Document) -> usize {
        let cursor = reply.get_document("cursor").unwrap();
        cursor.get_array("nextBatch").unwrap().len()
    }

    // Tokio's paused clock makes the waits exact and instant: these check the deadlines the
    // server keeps, not the machine's speed.
    #[tokio::test(start_paused = true)]
    async fn an_idle_get_more_waits_max_time_ms_and_one_second_without_it() {
        let (shared, id) = watched();
        for (max_time_ms, waited) in [(Some(400), 400), (None, 1000)] {
            let started = Instant::now();
            let reply = get_more(&shared, &get_more_command(id, max_time_ms))
                .await
                .unwrap();
            assert_eq!(started.elapsed(), Duration::from_millis(waited));
            assert_eq!(batch_len(&reply), 0);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_wakes_a_waiting_get_more_at_once() {
        let (shared, id) = watched();
        let writer = shared.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let insert = doc! { "insert": "c", "documents": [{ "n": 1 }], "$db": "db" };
            writer
                .with_state(|state| commands::run(state, &insert, 1))
                .unwrap();
        });
        let started = Instant::now();
        let reply = get_more(&shared, &get_more_command(id, Some(30_000)))
            .await
            .unwrap();
        assert_eq!(started.elapsed(), Duration::from_millis(300));
        assert_eq!(batch_len(&reply), 1);
    }
}
