//! MongoDB wire protocol framing: OP_MSG both ways, OP_QUERY in and OP_REPLY out for the
//! legacy handshake that older pymongo versions still send.

use std::io;

use bson::{Bson, Document};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const OP_REPLY: i32 = 1;
const OP_QUERY: i32 = 2004;
const OP_MSG: i32 = 2013;

const CHECKSUM_PRESENT: u32 = 1;
const MORE_TO_COME: u32 = 1 << 1;

/// Larger than any legal message (maxMessageSizeBytes is 48,000,000); guards memory.
const MAX_MESSAGE: usize = 48_000_000 + 1024;

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
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Reads one request; `Ok(None)` when the peer closed the connection between messages.
pub async fn read_request<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Option<Request>> {
    let mut header = [0u8; 16];
    match reader.read_exact(&mut header).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let field =
        |i: usize| i32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let length = field(0);
    let request_id = field(4);
    let op_code = field(12);
    // Checked before reading the body, so a peer that does not speak the wire protocol
    // (a TLS handshake, an HTTP request) is turned away at once instead of being waited on.
    if op_code != OP_MSG && op_code != OP_QUERY {
        return Err(invalid(format!("unsupported opcode {op_code}")));
    }
    let length = usize::try_from(length)
        .ok()
        .filter(|l| (16..=MAX_MESSAGE).contains(l))
        .ok_or_else(|| invalid(format!("bad message length {length}")))?;
    let mut body = vec![0u8; length - 16];
    reader.read_exact(&mut body).await?;
    if op_code == OP_MSG {
        parse_msg(request_id, &body).map(Some)
    } else {
        parse_query(request_id, &body).map(Some)
    }
}

fn parse_msg(request_id: i32, body: &[u8]) -> io::Result<Request> {
    let flags = u32::from_le_bytes(take::<4>(body, 0)?);
    let end = if flags & CHECKSUM_PRESENT != 0 {
        body.len()
            .checked_sub(4)
            .ok_or_else(|| invalid("short OP_MSG"))?
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
                    return Err(invalid("OP_MSG with more than one kind-0 section"));
                }
                at += size;
            }
            1 => {
                let section = sized(&body[at..end], 4, "kind-1 section")?;
                at += section.len();
                let section = &section[4..];
                let name_end = section
                    .iter()
                    .position(|b| *b == 0)
                    .ok_or_else(|| invalid("unterminated section identifier"))?;
                let name = String::from_utf8_lossy(&section[..name_end]).into_owned();
                let mut docs = Vec::new();
                let mut pos = name_end + 1;
                while pos < section.len() {
                    let (doc, used) = read_document(&section[pos..])?;
                    docs.push(Bson::Document(doc));
                    pos += used;
                }
                sequences.push((name, docs));
            }
            other => return Err(invalid(format!("unknown OP_MSG section kind {other}"))),
        }
    }
    let mut command = command.ok_or_else(|| invalid("OP_MSG without a kind-0 section"))?;
    for (name, docs) in sequences {
        command.insert(name, docs);
    }
    Ok(Request::Msg {
        request_id,
        command,
        more_to_come: flags & MORE_TO_COME != 0,
    })
}

fn parse_query(request_id: i32, body: &[u8]) -> io::Result<Request> {
    // flags(4) fullCollectionName(cstring) numberToSkip(4) numberToReturn(4) query [fields]
    let name_end = body
        .iter()
        .skip(4)
        .position(|b| *b == 0)
        .map(|p| p + 4)
        .ok_or_else(|| invalid("unterminated collection name"))?;
    let collection = String::from_utf8_lossy(&body[4..name_end]).into_owned();
    let query_at = name_end + 1 + 8;
    let (query, _) = read_document(body.get(query_at..).unwrap_or_default())?;
    Ok(Request::Query {
        request_id,
        collection,
        query,
    })
}

fn take<const N: usize>(bytes: &[u8], at: usize) -> io::Result<[u8; N]> {
    bytes
        .get(at..at + N)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| invalid("message ends early"))
}

/// The length-prefixed part at the start of `bytes` (a BSON document, a kind-1 section: its
/// int32 size counts itself), at least `min` bytes long. The size comes from the peer, so it
/// is checked against `bytes` before anything is sliced or added with it.
fn sized<'a>(bytes: &'a [u8], min: usize, what: &str) -> io::Result<&'a [u8]> {
    let size = i32::from_le_bytes(take::<4>(bytes, 0)?);
    usize::try_from(size)
        .ok()
        .filter(|s| (min..=bytes.len()).contains(s))
        .map(|s| &bytes[..s])
        .ok_or_else(|| invalid(format!("bad {what} size")))
}

/// One BSON document from the start of `bytes`, and how many bytes it used.
fn read_document(bytes: &[u8]) -> io::Result<(Document, usize)> {
    let bytes = sized(bytes, 5, "BSON document")?;
    let doc = Document::from_reader(bytes).map_err(|e| invalid(format!("bad BSON: {e}")))?;
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
        let request = read_request(&mut bytes.as_slice()).await.unwrap().unwrap();
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

    #[tokio::test]
    async fn rejects_garbage_without_panicking() {
        let bytes = msg_bytes(0, &[0, 200, 0, 0, 0, 1], false);
        assert!(read_request(&mut bytes.as_slice()).await.is_err());
        let short = [10u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(read_request(&mut short.as_slice()).await.is_err());
        // A kind-1 section claiming a negative size.
        let negative = msg_bytes(0, &[1, 0xff, 0xff, 0xff, 0xff, 0], false);
        assert!(read_request(&mut negative.as_slice()).await.is_err());
        assert!(read_request(&mut [].as_slice()).await.unwrap().is_none());
    }
}
