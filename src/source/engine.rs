//! The change-stream task. It owns the driver cursors and talks only through channels.
//!
//! A *reader* task per open stream pulls events one by one, awaiting each driver call to its end
//! (see [`read`]), and queues them for the engine (also the resume token during quiet periods,
//! from the post-batch resume token). The *engine* forwards what is queued in batches and
//! handles control. What is queued is bounded in bytes: [`READER_BYTES`] from the reader to the
//! engine, and batches of at most [`BATCH_BYTES`] (or one larger event), a few of them, from
//! the engine to its consumer. A new pipeline or new options on the same scope open a
//! new stream resuming from the last token forwarded, while the old stream's unread output is
//! held back: once the new stream is open the old one is dropped, so nothing is lost or repeated;
//! if the server refuses the new stream, the old one simply carries on.

use std::sync::Arc;
use std::time::Duration;

use bson::{Bson, Document, RawDocumentBuf};
use mongodb::change_stream::event::ResumeToken;
use mongodb::change_stream::ChangeStream;
use mongodb::options::ChangeStreamOptions;
use mongodb::Client;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

use super::connect::{describe_error, Connection};
use super::{Control, FullDocument, PreImage, Scope, SourceMsg, Start, Status, WatchSpec};
use crate::event::{ChangeEvent, OpType};
use crate::nesting;

/// Events forwarded in one message at most.
const MAX_BATCH: usize = 1000;
/// BSON bytes of the events in one message at most, unless one event is larger.
const BATCH_BYTES: usize = 1 << 20;
/// Events per reply the server is asked for when the user says nothing: still needed, as the
/// driver holds a whole reply (and a copy of the event being read), and a server's reply may be
/// 16 MB when it is not asked for fewer events.
const DEFAULT_BATCH_SIZE: u32 = MAX_BATCH as u32;
/// BSON bytes queued from the reader to the engine at most, unless one event is larger (it
/// then takes the whole budget). Large enough for whole batches to be ready when the engine
/// takes one.
const READER_BYTES: usize = 4 << 20;
/// What a queued token or status is counted for: a generous guess at its size, so that however
/// many queue up, they stay within the budget.
const SMALL_MESSAGE: usize = 1024;
/// Batches queued from the engine to the consumer: with the one each side holds, what is in
/// flight is a few MB whatever the events.
const QUEUED: usize = 2;
const HISTORY_LOST: i32 = 286;
/// ChangeStreamFatalError, and what it says when the resume token is not in the history.
const FATAL: i32 = 280;
const TOKEN_NOT_FOUND: &str = "resume token was not found";
const NOT_A_REPLICA_SET: i32 = 40573;

/// Starts the task; returns its control sender and its message receiver (bounded: a slow
/// consumer slows reading instead of growing a queue).
pub fn spawn(connection: Connection) -> (mpsc::Sender<Control>, mpsc::Receiver<SourceMsg>) {
    let (control_tx, control_rx) = mpsc::channel(16);
    let (out_tx, out_rx) = mpsc::channel(QUEUED);
    tokio::spawn(run(connection, control_rx, out_tx));
    (control_tx, out_rx)
}

enum ReaderMsg {
    Event(ChangeEvent),
    /// No new events, but the stream's position moved on.
    Quiet(Document),
    Status(Status),
}

/// A message of the reader, with the share of the byte budget it holds until it is forwarded.
struct Queued {
    message: ReaderMsg,
    permit: OwnedSemaphorePermit,
}

/// The reader's end of its queue to the engine: unbounded in messages, bounded in bytes.
struct ReaderQueue {
    tx: mpsc::UnboundedSender<Queued>,
    budget: Arc<Semaphore>,
}

impl ReaderQueue {
    /// Queues `message` once its bytes fit in the budget; false when the engine has gone.
    async fn send(&self, message: ReaderMsg) -> bool {
        let bytes = match &message {
            ReaderMsg::Event(event) => event.size(),
            ReaderMsg::Quiet(_) | ReaderMsg::Status(_) => SMALL_MESSAGE,
        };
        // READER_BYTES fits in a u32.
        let cost = bytes.clamp(1, READER_BYTES) as u32;
        // Waits only when the budget is spent: an awaited acquire counts against the task's
        // cooperative budget, which would hand what the driver holds over 128 events at a time.
        let permit = match self.budget.clone().try_acquire_many_owned(cost) {
            Ok(permit) => permit,
            Err(_) => match self.budget.clone().acquire_many_owned(cost).await {
                Ok(permit) => permit,
                Err(_) => return false,
            },
        };
        self.tx.send(Queued { message, permit }).is_ok()
    }
}

/// What the reader is doing, as its last status said.
#[derive(Clone, Copy, PartialEq)]
enum ReaderState {
    Reading,
    /// Reopening the stream after an outage: it says when it is live again.
    Reopening,
    /// Stopped for good (failed, history lost, invalidated).
    Ended,
}

/// The open watch.
struct Current {
    id: u64,
    spec: WatchSpec,
    /// The last resume token forwarded to the consumer.
    token: Option<Document>,
    invalidated: bool,
    reader_state: ReaderState,
    rx: mpsc::UnboundedReceiver<Queued>,
    /// A message read past the end of a batch, forwarded next.
    held: Option<Queued>,
    reader: JoinHandle<()>,
}

impl Drop for Current {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

async fn run(
    connection: Connection,
    mut control: mpsc::Receiver<Control>,
    out: mpsc::Sender<SourceMsg>,
) {
    let Connection {
        client,
        mut reachable,
    } = connection;
    let mut current: Option<Current> = None;
    let mut paused = false;
    let mut server_known = true;
    loop {
        tokio::select! {
            command = control.recv() => match command {
                None | Some(Control::Stop) => return,
                Some(Control::Pause) => {
                    paused = true;
                    report(&out, current.as_ref(), Status::Paused).await;
                }
                Some(Control::Resume) => {
                    paused = false;
                    report(&out, current.as_ref(), reachability(server_known)).await;
                }
                Some(Control::Watch { id, spec }) => {
                    if current.is_none() {
                        let _ = out.send(SourceMsg::Status { watch: id, status: Status::Connecting }).await;
                    }
                    let start = resolve_start(&spec, current.as_ref());
                    match open(&client, &spec, &start).await {
                        Ok(stream) => {
                            // Before any event is read, the driver's token is the start token
                            // (resumeAfter, startAfter) or the server's post-batch token.
                            let token = stream.resume_token().and_then(token_document);
                            current = Some(start_reader(&client, id, *spec, stream, token));
                            let _ = out.send(SourceMsg::Started { watch: id }).await;
                            let status = if paused { Status::Paused } else { Status::Live };
                            let _ = out.send(SourceMsg::Status { watch: id, status }).await;
                        }
                        Err(e) => {
                            let history_lost = history_gone(&e);
                            let _ = out.send(SourceMsg::Rejected { watch: id, error: explain(&e), history_lost }).await;
                        }
                    }
                }
            },
            Ok(()) = reachable.changed() => {
                let known = *reachable.borrow_and_update();
                let reading = current.as_ref().is_some_and(|w| w.reader_state == ReaderState::Reading);
                // Paused, the status says so; reopening, the reader says when it is live; ended,
                // there is nothing to resume.
                if known != server_known && !paused && reading {
                    report(&out, current.as_ref(), reachability(known)).await;
                }
                server_known = known;
            }
            Some(first) = next_message(&mut current), if !paused => {
                let Some(watch) = current.as_mut() else { continue };
                if !forward(watch, first, &out).await {
                    return;
                }
            }
        }
    }
}

/// What the stream's status is while the driver knows (or does not know) a server to read from.
fn reachability(server_known: bool) -> Status {
    if server_known {
        Status::Live
    } else {
        Status::Resuming("no server answers; resuming when one does".to_string())
    }
}

/// The next message of the open watch; pending while there is none (or it has ended).
async fn next_message(current: &mut Option<Current>) -> Option<Queued> {
    if let Some(watch) = current {
        if let Some(message) = watch.held.take() {
            return Some(message);
        }
        if let Some(message) = watch.rx.recv().await {
            return Some(message);
        }
    }
    std::future::pending().await
}

async fn report(out: &mpsc::Sender<SourceMsg>, current: Option<&Current>, status: Status) {
    if let Some(watch) = current {
        let _ = out
            .send(SourceMsg::Status {
                watch: watch.id,
                status,
            })
            .await;
    }
}

/// Forwards a message of the reader, with the events queued after it as one batch. Returns
/// false when the consumer has gone.
async fn forward(watch: &mut Current, first: Queued, out: &mpsc::Sender<SourceMsg>) -> bool {
    let Queued {
        message,
        mut permit,
    } = first;
    match message {
        ReaderMsg::Event(event) => {
            let mut bytes = event.size();
            let mut events = vec![event];
            while events.len() < MAX_BATCH && bytes < BATCH_BYTES {
                match watch.rx.try_recv() {
                    Ok(Queued {
                        message: ReaderMsg::Event(event),
                        permit: more,
                    }) => {
                        bytes += event.size();
                        events.push(event);
                        permit.merge(more);
                    }
                    Ok(other) => {
                        watch.held = Some(other);
                        break;
                    }
                    Err(_) => break,
                }
            }
            // Only the last token is needed: decoded once per batch.
            if let Some(token) = events.iter().rev().find_map(ChangeEvent::resume_token) {
                watch.token = Some(token);
            }
            watch.invalidated = events.last().map(ChangeEvent::op) == Some(OpType::Invalidate);
            let watch = watch.id;
            // The budget is given back once the batch is handed over: what is in flight stays
            // bounded while the consumer is slow.
            let sent = out.send(SourceMsg::Events { watch, events }).await.is_ok();
            drop(permit);
            sent
        }
        ReaderMsg::Quiet(token) => {
            watch.token = Some(token);
            true
        }
        ReaderMsg::Status(status) => {
            // Live after reopening: the stream was opened again from its last token.
            let reopened =
                matches!(status, Status::Live) && watch.reader_state == ReaderState::Reopening;
            watch.reader_state = match status {
                Status::Resuming(_) => ReaderState::Reopening,
                Status::Live => ReaderState::Reading,
                Status::Failed(_) | Status::HistoryLost(_) | Status::Invalidated { .. } => {
                    ReaderState::Ended
                }
                Status::Connecting | Status::Paused => watch.reader_state,
            };
            let watch = watch.id;
            if reopened && out.send(SourceMsg::Reopened { watch }).await.is_err() {
                return false;
            }
            out.send(SourceMsg::Status { watch, status }).await.is_ok()
        }
    }
}

/// Turns `Continue` into a concrete start: right after the current position on the same scope.
fn resolve_start(spec: &WatchSpec, current: Option<&Current>) -> Start {
    match (&spec.start, current) {
        (Start::Continue, Some(watch)) if watch.spec.scope == spec.scope => match &watch.token {
            Some(token) if watch.invalidated => Start::StartAfter(token.clone()),
            Some(token) => Start::ResumeAfter(token.clone()),
            None => Start::Now,
        },
        (Start::Continue, _) => Start::Now,
        (start, _) => start.clone(),
    }
}

/// The token as a document: a copy of its bytes, checked before it is converted.
fn token_document(token: ResumeToken) -> Option<Document> {
    let raw = bson::to_raw_document_buf(&token).ok()?;
    nesting::to_document(&raw).ok().flatten()
}

fn resume_token(token: &Document) -> mongodb::error::Result<ResumeToken> {
    bson::from_bson(Bson::Document(token.clone()))
        .map_err(|e| mongodb::error::Error::custom(e.to_string()))
}

/// Opens a change stream for `spec` starting at `start`.
pub(super) async fn open(
    client: &Client,
    spec: &WatchSpec,
    start: &Start,
) -> mongodb::error::Result<ChangeStream<RawDocumentBuf>> {
    let mut options = ChangeStreamOptions::default();
    options.full_document = spec.options.full_document.map(FullDocument::driver_option);
    options.full_document_before_change = spec.options.pre_image.map(PreImage::driver_option);
    options.show_expanded_events = spec.options.expanded_events.then_some(true);
    options.batch_size = Some(spec.options.batch_size.unwrap_or(DEFAULT_BATCH_SIZE));
    options.max_await_time = spec.options.max_await;
    options.comment = spec.options.comment.clone().map(Bson::String);
    if let Some(collation) = &spec.options.collation {
        options.collation =
            Some(super::collation(collation).map_err(mongodb::error::Error::custom)?);
    }
    match start {
        Start::Now | Start::Continue => {}
        Start::ResumeAfter(token) => options.resume_after = Some(resume_token(token)?),
        Start::StartAfter(token) => options.start_after = Some(resume_token(token)?),
        Start::AtTime(ts) => options.start_at_operation_time = Some(*ts),
    }
    let pipeline = spec.pipeline.clone();
    let stream = match &spec.scope {
        Scope::Deployment => {
            client
                .watch()
                .pipeline(pipeline)
                .with_options(options)
                .await?
        }
        Scope::Database(db) => {
            client
                .database(db)
                .watch()
                .pipeline(pipeline)
                .with_options(options)
                .await?
        }
        Scope::Collection { db, coll } => {
            client
                .database(db)
                .collection::<Document>(coll)
                .watch()
                .pipeline(pipeline)
                .with_options(options)
                .await?
        }
    };
    Ok(stream.with_type::<RawDocumentBuf>())
}

/// The server's history no longer holds the point to start from: 286, or 280 for a resume
/// token it does not know (what a server restarted with its history gone says).
pub(super) fn history_gone(error: &mongodb::error::Error) -> bool {
    match error.kind.as_ref() {
        mongodb::error::ErrorKind::Command(c) => {
            c.code == HISTORY_LOST || (c.code == FATAL && c.message.contains(TOKEN_NOT_FOUND))
        }
        _ => false,
    }
}

pub(super) fn error_code(error: &mongodb::error::Error) -> Option<i32> {
    match error.kind.as_ref() {
        mongodb::error::ErrorKind::Command(c) => Some(c.code),
        _ => None,
    }
}

/// The error as the user should read it, with the way out where there is one.
pub fn explain(error: &mongodb::error::Error) -> String {
    match error_code(error) {
        Some(NOT_A_REPLICA_SET) => "change streams need a replica set, and this server is a standalone mongod. \
            Make it a single-node replica set (restart mongod with --replSet rs0, then run rs.initiate() in mongosh), \
            or try `mwatch --demo`."
            .to_string(),
        Some(HISTORY_LOST) => format!(
            "history lost: the resume point is older than the oldest entry in the server's oplog ({})",
            describe_error(error)
        ),
        _ if history_gone(error) => format!(
            "history lost: the resume point is no longer in the server's history (a server \
             restarted without its oplog says so) ({})",
            describe_error(error)
        ),
        _ => describe_error(error),
    }
}

fn start_reader(
    client: &Client,
    id: u64,
    spec: WatchSpec,
    stream: ChangeStream<RawDocumentBuf>,
    token: Option<Document>,
) -> Current {
    let (tx, rx) = mpsc::unbounded_channel();
    let queue = ReaderQueue {
        tx,
        budget: Arc::new(Semaphore::new(READER_BYTES)),
    };
    let reader = tokio::spawn(read(
        client.clone(),
        spec.clone(),
        stream,
        token.clone(),
        queue,
    ));
    Current {
        id,
        spec,
        token,
        invalidated: false,
        reader_state: ReaderState::Reading,
        rx,
        held: None,
        reader,
    }
}

/// Errors worth retrying: the driver already resumed once on its own, so these are outages.
fn is_transient(error: &mongodb::error::Error) -> bool {
    use mongodb::error::ErrorKind;
    error.contains_label("ResumableChangeStreamError")
        || matches!(
            error.kind.as_ref(),
            ErrorKind::Io(_)
                | ErrorKind::ConnectionPoolCleared { .. }
                | ErrorKind::ServerSelection { .. }
        )
}

/// Pulls events until the stream ends, reopening it from the last token after outages.
///
/// Each driver call is awaited to its end, never polled once and dropped: the future holds the
/// cursor's state itself, and one that meets a resumable error starts the driver's own resume
/// (taking the stream's session and awaiting a new `aggregate`); dropped then, the stream would
/// be left on its failed cursor, later ending (read as invalidated) or resuming from where it
/// first started (events lost or repeated). Batches form in the queue instead: the engine takes
/// whatever has been queued when it forwards.
async fn read(
    client: Client,
    spec: WatchSpec,
    mut stream: ChangeStream<RawDocumentBuf>,
    mut token: Option<Document>,
    queue: ReaderQueue,
) {
    loop {
        let message = match stream.next_if_any().await {
            Ok(Some(raw)) => ReaderMsg::Event(ChangeEvent::from_raw(raw)),
            // A server closes a change stream only when it is invalidated, even when the
            // pipeline filtered the invalidate event out; the last token then is its token.
            Ok(None) if !stream.is_alive() => {
                let token = stream.resume_token().and_then(token_document).or(token);
                queue
                    .send(ReaderMsg::Status(Status::Invalidated { token }))
                    .await;
                return;
            }
            Ok(None) => match stream.resume_token().and_then(token_document) {
                Some(t) if Some(&t) != token.as_ref() => {
                    token = Some(t.clone());
                    ReaderMsg::Quiet(t)
                }
                _ => continue,
            },
            Err(e) if is_transient(&e) => {
                if !queue
                    .send(ReaderMsg::Status(Status::Resuming(explain(&e))))
                    .await
                {
                    return;
                }
                // The driver's token is the last event read: every one of them is queued.
                token = stream.resume_token().and_then(token_document).or(token);
                match reopen(&client, &spec, token.as_ref()).await {
                    Ok(reopened) => {
                        stream = reopened;
                        ReaderMsg::Status(Status::Live)
                    }
                    Err(e) => ReaderMsg::Status(failure(&e)),
                }
            }
            Err(e) => ReaderMsg::Status(failure(&e)),
        };
        let last = matches!(
            &message,
            ReaderMsg::Status(Status::Failed(_) | Status::HistoryLost(_))
        );
        if !queue.send(message).await || last {
            return;
        }
    }
}

fn failure(error: &mongodb::error::Error) -> Status {
    if history_gone(error) {
        Status::HistoryLost(explain(error))
    } else {
        Status::Failed(explain(error))
    }
}

/// Retries opening the stream from `token`, backing off up to 10 s between tries, until it
/// opens or fails for a reason waiting will not fix. The token is never an invalidate's: the
/// server closes the stream in the batch that ends with one, so no outage can follow it.
async fn reopen(
    client: &Client,
    spec: &WatchSpec,
    token: Option<&Document>,
) -> mongodb::error::Result<ChangeStream<RawDocumentBuf>> {
    let start = match token {
        Some(t) => Start::ResumeAfter(t.clone()),
        None => spec.start.clone(),
    };
    let mut delay = Duration::from_millis(250);
    loop {
        match open(client, spec, &start).await {
            Err(e) if is_transient(&e) => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            result => return result,
        }
    }
}
