//! MongoDB wire protocol framing: OP_MSG both ways, OP_QUERY in and OP_REPLY out for the
//! legacy handshake that older pymongo versions still send.

use std::io;

use bson::{Bson, Document};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::depth;
use crate::error::{location_error, CommandError};

mod intake;
pub use intake::{read_request, Intake};

const OP_REPLY: i32 = 1;
const OP_QUERY: i32 = 2004;
const OP_MSG: i32 = 2013;

const CHECKSUM_PRESENT: u32 = 1;
const MORE_TO_COME: u32 = 1 << 1;

/// Larger than any legal message (maxMessageSizeBytes is 48,000,000); guards memory.
pub const MAX_MESSAGE: usize = 48_000_000 + 1024;

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

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// A whole message (header included) as the server takes it: the request, or an error when
/// the connection would be closed. For tests and fuzzing, which have messages in memory.
#[cfg(any(test, feature = "fuzzing"))]
pub fn decode(message: &[u8]) -> io::Result<Request> {
    let header: &[u8; 16] = message
        .get(..16)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| invalid("message ends early"))?;
    let (length, request_id, op_code) = intake::check_header(header)?;
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

    pub(super) fn intake() -> Intake {
        Intake::new(std::time::Duration::from_secs(5), MAX_MESSAGE)
    }

    pub(super) fn msg_bytes(flags: u32, sections: &[u8], checksum: bool) -> Vec<u8> {
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
}
