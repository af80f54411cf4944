//! Reading messages off a connection: a header checked before its body, a started message
//! bounded in time, and the memory unfinished messages may hold, shared by all connections.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{invalid, parse, Request, MAX_MESSAGE, OP_MSG, OP_QUERY};

/// The room a message's body gets before its bytes show it is as large as it says: taken
/// outside the shared budget (each connection reads one message at a time, and their number
/// is capped), so that small messages never wait for room behind large ones.
pub const FIRST_ROOM: usize = 64 * 1024;

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

/// A message's length and op code from its header, checked before its body is read, so
/// that a peer that does not speak the wire protocol (a TLS handshake, an HTTP request) is
/// turned away at once instead of being waited on.
pub(super) fn check_header(header: &[u8; 16]) -> io::Result<(usize, i32, i32)> {
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

#[cfg(test)]
mod tests {
    use super::super::message;
    use super::super::tests::msg_bytes;
    use super::*;
    use bson::doc;
    use tokio::io::AsyncWriteExt;

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
