//! MongoDB wire protocol framing: OP_MSG both ways, OP_QUERY in and OP_REPLY out for the
//! legacy handshake that older pymongo versions still send.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bson::{Bson, Document};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::depth;
use crate::error::{location_error, CommandError};

const OP_REPLY: i32 = 1;
const OP_QUERY: i32 = 2004;
const OP_MSG: i32 = 2013;

const CHECKSUM_PRESENT: u32 = 1;
const MORE_TO_COME: u32 = 1 << 1;

/// Larger than any legal message (maxMessageSizeBytes is 48,000,000); guards memory.
pub const MAX_MESSAGE: usize = 48_000_000 + 1024;

/// The room a message's body gets before its bytes show it is as large as it says: taken
/// outside the shared budget (each connection reads one message at a time, and their number
/// is capped), so that small messages never wait for room behind large ones.
pub const FIRST_ROOM: usize = 64 * 1024;

#[derive(Debug)]
pub enum Request {
    /// An OP_MSG: its kind-0 document with every kind-1 section merged in as an array.
    Msg {
        request_id: i32,
        command: Document,
        more_to_come: bool,
    },
    /// A legacy OP_QUERY (only the handshake uses it); `collection` is e.g. `admin.$cmd`.
    Query {
        request_id: i32,
        collection: String,
        query: Document,
    },
    /// A whole message whose content MongoDB would refuse with an error reply (a document
    /// that is not BSON or nests too deeply, a section it does not know) rather than by
    /// closing the connection: the message's end is known, so the next one can be read.
    Refused {
        request_id: i32,
        error: CommandError,
        /// Answered with an OP_REPLY (the refused message was an OP_QUERY).
        legacy: bool,
        more_to_come: bool,
    },
}

/// What bounds reading messages: how long a started message may take to arrive, and the
/// bytes the unfinished messages of all connections may hold together beyond their first
/// [`FIRST_ROOM`].
#[derive(Debug)]
pub struct Intake {
    timeout: Duration,
    memory: Arc<Semaphore>,
}

impl Intake {
    /// `memory` is raised to one largest message, so that any legal message can be read.
    pub fn new(timeout: Duration, memory: usize) -> Intake {
        let permits = memory.clamp(MAX_MESSAGE, Semaphore::MAX_PERMITS);
        Intake {
            timeout,
            memory: Arc::new(Semaphore::new(permits)),
        }
    }

    /// Shared bytes not held by unfinished messages.
    #[cfg(test)]
    pub fn available(&self) -> usize {
        self.memory.available_permits()
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// A message's length and op code from its header, checked before its body is read, so
/// that a peer that does not speak the wire protocol (a TLS handshake, an HTTP request) is
/// turned away at once instead of being waited on.
fn check_header(header: &[u8; 16]) -> io::Result<(usize, i32, i32)> {
    let field =
        |i: usize| i32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let (length, request_id, op_code) = (field(0), field(4), field(12));
    // OP_COMPRESSED (2012) too: the server offers no compressor in its hello.
    if op_code != OP_MSG && op_code != OP_QUERY {
        return Err(invalid(format!("unsupported opcode {op_code}")));
    }
    let length = usize::try_from(length)
        .ok()
        .filter(|l| (16..=MAX_MESSAGE).contains(l))
        .ok_or_else(|| invalid(format!("bad message length {length}")))?;
    Ok((length, request_id, op_code))
}

/// Reads one request; `Ok(None)` when the peer closed the connection between messages, an
/// error when the connection should be closed. Waiting for a message to start has no limit
/// (idle connections are normal); once its first byte is in, the whole message must arrive
/// within the intake's timeout.
pub async fn read_request<R: AsyncRead + Unpin>(
    reader: &mut R,
    intake: &Intake,
) -> io::Result<Option<Request>> {
    let mut header = [0u8; 16];
    if reader.read(&mut header[..1]).await? == 0 {
        return Ok(None);
    }
    let rest = async {
        reader.read_exact(&mut header[1..]).await?;
        let (length, request_id, op_code) = check_header(&header)?;
        let (body, held) = read_body(reader, length - 16, &intake.memory).await?;
        let request = parse(request_id, op_code, &body);
        drop(held);
        request
    };
    match tokio::time::timeout(intake.timeout, rest).await {
        Ok(request) => request.map(Some),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the message did not arrive in time",
        )),
    }
}

/// Reads `length` bytes: the first [`FIRST_ROOM`] into room of the connection's own, and
/// only once they are in, room for all the rest from `memory` in one go. A peer that
/// declares a large message and sends little holds little; a message never holds part of
/// `memory` while it waits for more of it, so messages cannot starve each other; and all of
/// them together hold no more than `memory` has.
async fn read_body<R: AsyncRead + Unpin>(
    reader: &mut R,
    length: usize,
    memory: &Arc<Semaphore>,
) -> io::Result<(Vec<u8>, Option<OwnedSemaphorePermit>)> {
    let first = length.min(FIRST_ROOM);
    let mut body = Vec::with_capacity(first);
    read_to(reader, &mut body, first).await?;
    if length == first {
        return Ok((body, None));
    }
    let rest = u32::try_from(length - first).map_err(|_| invalid("message too large"))?;
    // `Intake` never closes its semaphore.
    let held = memory.clone().acquire_many_owned(rest).await.ok();
    body.reserve_exact(length - first);
    read_to(reader, &mut body, length).await?;
    Ok((body, held))
}

/// Reads into `body` until it has `length` bytes.
async fn read_to<R: AsyncRead + Unpin>(
    reader: &mut R,
    body: &mut Vec<u8>,
    length: usize,
) -> io::Result<()> {
    while body.len() < length {
        let want = (length - body.len()) as u64;
        if (&mut *reader).take(want).read_buf(body).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    Ok(())
}

/// A whole message (header included) as the server takes it: the request, or an error when
/// the connection would be closed. For tests and fuzzing, which have messages in memory.
#[cfg(any(test, feature = "fuzzing"))]
pub fn decode(message: &[u8]) -> io::Result<Request> {
    let header: &[u8; 16] = message
        .get(..16)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| invalid("message ends early"))?;
    let (length, request_id, op_code) = check_header(header)?;
    let body = message
        .get(16..length)
        .ok_or_else(|| invalid("message ends early"))?;
    parse(request_id, op_code, body)
}

/// A message's body: `Refused` for content MongoDB answers with an error, an error for what
/// makes it close the connection.
fn parse(request_id: i32, op_code: i32, body: &[u8]) -> io::Result<Request> {
    let legacy = op_code == OP_QUERY;
    let parsed = if legacy {
        parse_query(request_id, body)
    } else {
        parse_msg(request_id, body)
    };
    match parsed {
        Ok(request) => Ok(request),
        Err(Fault::Close(message)) => Err(invalid(message)),
        Err(Fault::Refuse(error)) => Ok(Request::Refused {
            request_id,
            error,
            legacy,
            // A refused message's flags may be what is wrong; read them only when sound.
            more_to_come: !legacy && flags(body).is_some_and(|f| f & MORE_TO_COME != 0),
        }),
    }
}

/// Why a message's body is not a request.
enum Fault {
    /// MongoDB closes the connection (its ConnectionFatalMessageParseError codes).
    Close(String),
    /// MongoDB answers with this error.
    Refuse(CommandError),
}

impl From<CommandError> for Fault {
    fn from(error: CommandError) -> Self {
        Fault::Refuse(error)
    }
}

fn flags(body: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(body.get(..4)?.try_into().ok()?))
}

/// The flag bits a client may set: checksumPresent, moreToCome, and the upper 16 bits,
/// which are optional (exhaustAllowed among them).
const KNOWN_FLAGS: u32 = CHECKSUM_PRESENT | MORE_TO_COME | 0xffff_0000;

fn parse_msg(request_id: i32, body: &[u8]) -> Result<Request, Fault> {
    let flags = flags(body).ok_or_else(|| protocol_error("OP_MSG without flags"))?;
    if flags & !KNOWN_FLAGS != 0 {
        return Err(Fault::Close(format!(
            "Message contains illegal flags value: Ob{flags:032b}"
        )));
    }
    // The checksum is not verified: no driver sends one unasked.
    let end = if flags & CHECKSUM_PRESENT != 0 {
        body.len()
            .checked_sub(4)
            .filter(|end| *end >= 4)
            .ok_or_else(|| protocol_error("OP_MSG too short for its checksum"))?
    } else {
        body.len()
    };
    let mut command: Option<Document> = None;
    let mut sequences: Vec<(String, Vec<Bson>)> = Vec::new();
    let mut at = 4;
    while at < end {
        let kind = body[at];
        at += 1;
        match kind {
            0 => {
                let (doc, size) = read_document(&body[at..end])?;
                if command.replace(doc).is_some() {
                    return Err(location_error!(40430, "Multiple body sections in message").into());
                }
                at += size;
            }
            1 => {
                if sequences.len() == 2 {
                    return Err(Fault::Close("Too many document sequences in OP_MSG".into()));
                }
                let section = sized(&body[at..end], 4).ok_or_else(|| {
                    protocol_error("a document sequence's size does not fit the message")
                })?;
                at += section.len();
                let section = &section[4..];
                let name_end = section
                    .iter()
                    .position(|b| *b == 0)
                    .ok_or_else(|| protocol_error("unterminated document sequence name"))?;
                let name = String::from_utf8_lossy(&section[..name_end]).into_owned();
                if sequences.iter().any(|(seen, _)| *seen == name) {
                    return Err(location_error!(
                        40431,
                        format!("Duplicate document sequence: {name}")
                    )
                    .into());
                }
                let mut docs = Vec::new();
                let mut pos = name_end + 1;
                while pos < section.len() {
                    let (doc, used) = read_document(&section[pos..])?;
                    docs.push(Bson::Document(doc));
                    pos += used;
                }
                sequences.push((name, docs));
            }
            other => {
                return Err(location_error!(40432, format!("Unknown section kind {other}")).into())
            }
        }
    }
    let mut command = command
        .ok_or_else(|| Fault::from(location_error!(40587, "OP_MSG messages must have a body")))?;
    for (name, docs) in sequences {
        if command.contains_key(&name) {
            let message = format!("Duplicate field between body and document sequence {name}");
            return Err(location_error!(40433, message).into());
        }
        command.insert(name, docs);
    }
    Ok(Request::Msg {
        request_id,
        command,
        more_to_come: flags & MORE_TO_COME != 0,
    })
}

fn parse_query(request_id: i32, body: &[u8]) -> Result<Request, Fault> {
    // flags(4) fullCollectionName(cstring) numberToSkip(4) numberToReturn(4) query [fields]
    let name_end = body
        .iter()
        .skip(4)
        .position(|b| *b == 0)
        .map(|p| p + 4)
        .ok_or_else(|| protocol_error("unterminated collection name"))?;
    let collection = String::from_utf8_lossy(&body[4..name_end]).into_owned();
    let query_at = name_end + 1 + 8;
    let (query, _) = read_document(body.get(query_at..).unwrap_or_default())?;
    Ok(Request::Query {
        request_id,
        collection,
        query,
    })
}

fn protocol_error(message: &str) -> Fault {
    Fault::Refuse(CommandError::new(17, "ProtocolError", message))
}

/// The length-prefixed part at the start of `bytes` (a BSON document, a kind-1 section: its
/// int32 size counts itself), at least `min` bytes long. The size comes from the peer, so it
/// is checked against `bytes` before anything is sliced or added with it.
fn sized(bytes: &[u8], min: usize) -> Option<&[u8]> {
    let size = i32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
    usize::try_from(size)
        .ok()
        .filter(|s| (min..=bytes.len()).contains(s))
        .map(|s| &bytes[..s])
}

/// One BSON document from the start of `bytes`, and how many bytes it used. Its depth is
/// checked on the bytes first: decoding recurses once per level.
fn read_document(bytes: &[u8]) -> Result<(Document, usize), CommandError> {
    let bytes = sized(bytes, 5).ok_or_else(|| {
        CommandError::new(
            22,
            "InvalidBSON",
            "a document's size does not fit the message",
        )
    })?;
    depth::check_raw(bytes)?;
    let doc = Document::from_reader(bytes)
        .map_err(|e| CommandError::new(22, "InvalidBSON", format!("invalid BSON document: {e}")))?;
    Ok((doc, bytes.len()))
}

/// A message with its header; `body` writes everything after the header.
fn message(
    request_id: i32,
    response_to: i32,
    op_code: i32,
    body: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(&0i32.to_le_bytes()); // length, patched below
    out.extend_from_slice(&request_id.to_le_bytes());
    out.extend_from_slice(&response_to.to_le_bytes());
    out.extend_from_slice(&op_code.to_le_bytes());
    body(&mut out)?;
    let length = i32::try_from(out.len()).map_err(|_| invalid("reply too large"))?;
    out[..4].copy_from_slice(&length.to_le_bytes());
    Ok(out)
}

fn write_document(out: &mut Vec<u8>, doc: &Document) -> io::Result<()> {
    doc.to_writer(out).map_err(|e| invalid(e.to_string()))
}

/// An OP_MSG reply: flags 0, one kind-0 section, no checksum.
pub fn encode_msg(request_id: i32, response_to: i32, reply: &Document) -> io::Result<Vec<u8>> {
    message(request_id, response_to, OP_MSG, |out| {
        out.extend_from_slice(&0u32.to_le_bytes());
        out.push(0);
        write_document(out, reply)
    })
}

/// An OP_REPLY with one document, the answer to a legacy OP_QUERY handshake.
pub fn encode_reply(request_id: i32, response_to: i32, reply: &Document) -> io::Result<Vec<u8>> {
    message(request_id, response_to, OP_REPLY, |out| {
        out.extend_from_slice(&0i32.to_le_bytes()); // responseFlags
        out.extend_from_slice(&0i64.to_le_bytes()); // cursorID
        out.extend_from_slice(&0i32.to_le_bytes()); // startingFrom
        out.extend_from_slice(&1i32.to_le_bytes()); // numberReturned
        write_document(out, reply)
    })
}

pub async fn write_all<W: AsyncWrite + Unpin>(writer: &mut W, bytes: &[u8]) -> io::Result<()> {
    writer.write_all(bytes).await?;
    writer.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn msg_bytes(flags: u32, sections: &[u8], checksum: bool) -> Vec<u8> {
        message(7, 0, OP_MSG, |out| {
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(sections);
            if checksum {
                out.extend_from_slice(&[1, 2, 3, 4]);
            }
            Ok(())
        })
        .unwrap()
    }

    fn intake() -> Intake {
        Intake::new(Duration::from_secs(5), MAX_MESSAGE)
    }

    #[tokio::test]
    async fn merges_kind_one_sections_and_skips_checksum() {
        let mut sections = vec![0u8];
        sections.extend(bson::to_vec(&doc! { "insert": "c", "$db": "d" }).unwrap());
        let docs: Vec<u8> = [doc! { "a": 1 }, doc! { "a": 2 }]
            .iter()
            .flat_map(|d| bson::to_vec(d).unwrap())
            .collect();
        let size = 4 + "documents\0".len() + docs.len();
        sections.push(1);
        sections.extend((size as i32).to_le_bytes());
        sections.extend(b"documents\0");
        sections.extend(docs);
        let bytes = msg_bytes(CHECKSUM_PRESENT | MORE_TO_COME, &sections, true);
        let request = read_request(&mut bytes.as_slice(), &intake())
            .await
            .unwrap()
            .unwrap();
        let Request::Msg {
            command,
            more_to_come,
            request_id,
        } = request
        else {
            panic!("not a msg")
        };
        assert_eq!(request_id, 7);
        assert!(more_to_come);
        assert_eq!(command.get_array("documents").unwrap().len(), 2);
        assert_eq!(command.get_str("insert").unwrap(), "c");
    }

    /// The code of the error a message is refused with.
    fn refused(bytes: &[u8]) -> i32 {
        match decode(bytes) {
            Ok(Request::Refused { error, .. }) => error.code,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[tokio::test]
    async fn bad_framing_closes_and_bad_content_is_refused() {
        let short = [10u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xdd, 7, 0, 0];
        assert!(read_request(&mut short.as_slice(), &intake())
            .await
            .is_err());
        assert!(read_request(&mut [].as_slice(), &intake())
            .await
            .unwrap()
            .is_none());
        // A document claiming 200 bytes where 1 follows.
        assert_eq!(refused(&msg_bytes(0, &[0, 200, 0, 0, 0, 1], false)), 22);
        // A kind-1 section claiming a negative size.
        assert_eq!(
            refused(&msg_bytes(0, &[1, 0xff, 0xff, 0xff, 0xff, 0], false)),
            17
        );
        assert_eq!(refused(&msg_bytes(0, &[2], false)), 40432);
        assert_eq!(refused(&msg_bytes(0, &[], false)), 40587);
        // A required flag bit no client may set closes the connection.
        assert!(decode(&msg_bytes(1 << 3, &[], false)).is_err());
    }

    #[test]
    fn documents_nested_too_deeply_are_refused_before_decoding() {
        for levels in [depth::MAX_DEPTH + 1, 2_000, 10_000, 100_000] {
            let mut sections = vec![0u8];
            sections.extend(depth::nested(&vec![false; levels]));
            assert_eq!(refused(&msg_bytes(0, &sections, false)), 15, "{levels}");
        }
    }

    #[tokio::test]
    async fn a_message_takes_shared_room_only_once_its_bytes_are_in() {
        let intake = Intake::new(Duration::from_secs(5), MAX_MESSAGE);
        let all = intake.available();
        // 40 connections each declare a 48 MB message and send 20 bytes of it.
        let mut readers = Vec::new();
        let mut writers = Vec::new();
        for _ in 0..40 {
            let (mut writer, reader) = tokio::io::duplex(1024);
            let mut header = ((MAX_MESSAGE) as i32).to_le_bytes().to_vec();
            header.extend([0; 8]);
            header.extend(OP_MSG.to_le_bytes());
            header.extend([0; 20]);
            writer.write_all(&header).await.unwrap();
            writers.push(writer);
            readers.push(reader);
        }
        let intake = std::sync::Arc::new(intake);
        let mut tasks = tokio::task::JoinSet::new();
        for mut reader in readers {
            let intake = intake.clone();
            tasks.spawn(async move { read_request(&mut reader, &intake).await.is_err() });
        }
        // Let every reader take what it needs for the bytes it has.
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        // Their first room is their own.
        assert_eq!(intake.available(), all);
        // Closing the connections gives it all back.
        drop(writers);
        while let Some(failed) = tasks.join_next().await {
            assert!(failed.unwrap());
        }
        assert_eq!(intake.available(), all);
    }

    #[tokio::test]
    async fn the_memory_of_unfinished_messages_is_capped() {
        // Room for one largest message: a second waits until the first is done.
        let intake = std::sync::Arc::new(Intake::new(Duration::from_secs(60), 0));
        let (mut first_writer, mut first) = tokio::io::duplex(1 << 20);
        let (mut second_writer, mut second) = tokio::io::duplex(1 << 20);
        let one = largest(1);
        let reading = {
            let intake = intake.clone();
            tokio::spawn(async move { read_request(&mut first, &intake).await })
        };
        first_writer.write_all(&one[..one.len() - 1]).await.unwrap();
        let second_task = {
            let intake = intake.clone();
            tokio::spawn(async move { read_request(&mut second, &intake).await })
        };
        second_writer.write_all(&one[..1 << 20]).await.unwrap();
        // The first holds all but its header and first room.
        assert_eq!(intake.available(), 16 + FIRST_ROOM);
        // The first ends (it is not BSON: refused), and gives its room to the second.
        first_writer.write_all(&one[one.len() - 1..]).await.unwrap();
        assert!(matches!(
            reading.await.unwrap(),
            Ok(Some(Request::Refused { .. }))
        ));
        drop(second_writer);
        assert!(second_task.await.unwrap().is_err());
        assert_eq!(intake.available(), MAX_MESSAGE);
    }

    /// A largest message (its body not BSON: refused once whole).
    fn largest(fill: u8) -> Vec<u8> {
        let mut body = vec![0u8; MAX_MESSAGE - 16];
        body[5..].fill(fill);
        message(1, 0, OP_MSG, |out| {
            out.extend(body);
            Ok(())
        })
        .unwrap()
    }

    // Paused clock: a reader stuck for room times out at once instead of in 30 s.
    #[tokio::test(start_paused = true)]
    async fn largest_messages_arriving_together_never_hold_room_and_wait() {
        let intake = Arc::new(Intake::new(Duration::from_secs(30), 2 * MAX_MESSAGE));
        let mut tasks = tokio::task::JoinSet::new();
        for fill in 1..=3 {
            let (mut writer, mut reader) = tokio::io::duplex(1 << 20);
            let intake = intake.clone();
            tasks.spawn(async move { read_request(&mut reader, &intake).await });
            tokio::spawn(async move { writer.write_all(&largest(fill)).await });
        }
        while let Some(read) = tasks.join_next().await {
            let read = read.unwrap();
            assert!(
                matches!(read, Ok(Some(Request::Refused { .. }))),
                "{read:?}"
            );
        }
        assert_eq!(intake.available(), 2 * MAX_MESSAGE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_small_message_never_waits_for_room() {
        let intake = Arc::new(Intake::new(Duration::from_secs(30), MAX_MESSAGE));
        // Another large message holds all the room; this one waits for it.
        let all = intake.memory.clone().acquire_many_owned(MAX_MESSAGE as u32);
        let _all = all.await.unwrap();
        let (mut writer, mut reader) = tokio::io::duplex(1 << 20);
        let waiting = {
            let intake = intake.clone();
            tokio::spawn(async move { read_request(&mut reader, &intake).await })
        };
        tokio::spawn(async move { writer.write_all(&largest(1)).await });
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        let ping = msg_bytes(
            0,
            &{
                let mut section = vec![0u8];
                section.extend(bson::to_vec(&doc! { "ping": 1, "$db": "admin" }).unwrap());
                section
            },
            false,
        );
        let started = tokio::time::Instant::now();
        let read = read_request(&mut ping.as_slice(), &intake).await;
        assert!(matches!(read, Ok(Some(Request::Msg { .. }))), "{read:?}");
        assert_eq!(started.elapsed(), Duration::ZERO);
        assert!(!waiting.is_finished());
    }

    #[tokio::test(start_paused = true)]
    async fn a_started_message_must_arrive_in_time() {
        let intake = Intake::new(Duration::from_secs(3), MAX_MESSAGE);
        let (mut writer, mut reader) = tokio::io::duplex(1024);
        let mut partial = 1000i32.to_le_bytes().to_vec();
        partial.extend([0; 8]);
        partial.extend(OP_MSG.to_le_bytes());
        partial.extend([0; 4]);
        writer.write_all(&partial).await.unwrap();
        let started = tokio::time::Instant::now();
        let error = read_request(&mut reader, &intake).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(3));
        // Before a message starts, there is no limit.
        let (_idle_writer, mut idle) = tokio::io::duplex(1024);
        let waiting =
            tokio::time::timeout(Duration::from_secs(3600), read_request(&mut idle, &intake));
        assert!(waiting.await.is_err());
    }
}
