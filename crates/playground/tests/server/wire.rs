//! The wire protocol as bytes on a socket: what drivers other than the Rust one send
//! (legacy OP_QUERY handshakes, moreToCome, checksums) and what no driver should (TLS to a
//! plain server).

use mwatch_testkit as common;

use std::time::Duration;

use bson::{doc, Document};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const OP_REPLY: i32 = 1;
const OP_QUERY: i32 = 2004;
pub(crate) const OP_MSG: i32 = 2013;

pub(crate) fn frame(request_id: i32, op_code: i32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(((16 + body.len()) as i32).to_le_bytes());
    out.extend(request_id.to_le_bytes());
    out.extend(0i32.to_le_bytes());
    out.extend(op_code.to_le_bytes());
    out.extend(body);
    out
}

pub(crate) fn op_msg(request_id: i32, flags: u32, command: &Document, checksum: bool) -> Vec<u8> {
    let mut body = flags.to_le_bytes().to_vec();
    body.push(0);
    body.extend(bson::to_vec(command).unwrap());
    if checksum {
        // The server may skip it without checking; any four bytes will do.
        body.extend([0xde, 0xad, 0xbe, 0xef]);
    }
    frame(request_id, OP_MSG, &body)
}

/// An OP_QUERY as old drivers send commands: flags, `collection`, numberToSkip 0,
/// numberToReturn -1, the query.
fn op_query(request_id: i32, collection: &str, query: &Document) -> Vec<u8> {
    let mut body = 0i32.to_le_bytes().to_vec();
    body.extend(collection.as_bytes());
    body.push(0);
    body.extend(0i32.to_le_bytes());
    body.extend((-1i32).to_le_bytes());
    body.extend(bson::to_vec(query).unwrap());
    frame(request_id, OP_QUERY, &body)
}

/// One reply: (op code, responseTo, the bytes after the header).
pub(crate) async fn read_reply(socket: &mut TcpStream) -> (i32, i32, Vec<u8>) {
    match try_read_reply(socket).await {
        Ok(reply) => reply,
        Err(silence) => panic!("no reply: {silence:?}"),
    }
}

/// Why no reply came.
#[derive(Debug, PartialEq)]
pub(crate) enum Silence {
    Closed,
    /// Nothing within the test kit's limit, and the connection still open.
    TimedOut,
}

/// A reply's op code, responseTo and body, or why there was none.
pub(crate) async fn try_read_reply(socket: &mut TcpStream) -> Result<(i32, i32, Vec<u8>), Silence> {
    let read = async {
        let mut header = [0u8; 16];
        socket.read_exact(&mut header).await?;
        let field = |i: usize| i32::from_le_bytes(header[i..i + 4].try_into().unwrap());
        let mut body = vec![0u8; field(0) as usize - 16];
        socket.read_exact(&mut body).await?;
        Ok::<_, std::io::Error>((field(12), field(8), body))
    };
    match tokio::time::timeout(common::LIMIT, read).await {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(_)) => Err(Silence::Closed),
        Err(_) => Err(Silence::TimedOut),
    }
}

/// The document of an OP_MSG reply, checking the reply flags and sections pymongo insists on.
pub(crate) fn msg_document(body: &[u8]) -> Document {
    assert_eq!(&body[..4], &[0, 0, 0, 0], "reply flags must be 0");
    assert_eq!(body[4], 0, "one kind-0 section");
    let doc = Document::from_reader(&body[5..]).unwrap();
    assert_eq!(
        body.len(),
        5 + bson::to_vec(&doc).unwrap().len(),
        "nothing after it"
    );
    doc
}

pub(crate) async fn connect() -> (mwatch_playground::Playground, TcpStream) {
    let server = common::playground().await;
    let socket = TcpStream::connect(server.addr()).await.unwrap();
    (server, socket)
}

#[tokio::test]
async fn a_legacy_op_query_handshake_gets_an_op_reply() {
    let (server, mut socket) = connect().await;
    let handshake =
        doc! { "isMaster": 1, "helloOk": true, "client": { "driver": { "name": "old" } } };
    socket
        .write_all(&op_query(41, "admin.$cmd", &handshake))
        .await
        .unwrap();

    let (op, response_to, reply) = read_reply(&mut socket).await;
    assert_eq!((op, response_to), (OP_REPLY, 41));
    assert_eq!(
        i32::from_le_bytes(reply[0..4].try_into().unwrap()),
        0,
        "responseFlags"
    );
    assert_eq!(
        i64::from_le_bytes(reply[4..12].try_into().unwrap()),
        0,
        "cursorID"
    );
    assert_eq!(
        i32::from_le_bytes(reply[16..20].try_into().unwrap()),
        1,
        "numberReturned"
    );
    let hello = Document::from_reader(&reply[20..]).unwrap();
    assert_eq!(hello.get_bool("helloOk"), Ok(true));
    assert_eq!(hello.get_bool("ismaster"), Ok(true));
    assert_eq!(hello.get_str("setName"), Ok("rs0"));
    assert_eq!(
        hello.get_array("hosts").unwrap()[0].as_str(),
        Some(server.addr().to_string().as_str())
    );
    assert_eq!(hello.get_i32("maxBsonObjectSize"), Ok(16_777_216));
    assert_eq!(hello.get_i32("maxMessageSizeBytes"), Ok(48_000_000));
    assert_eq!(hello.get_i32("logicalSessionTimeoutMinutes"), Ok(30));
    assert!(hello.get_i32("maxWireVersion").unwrap() >= 9);
    // No topologyVersion: drivers poll instead of streaming hellos.
    assert!(!hello.contains_key("topologyVersion"));
    assert_eq!(hello.get_f64("ok"), Ok(1.0));

    // OP_QUERY is only for the handshake.
    let find = doc! { "find": "orders" };
    socket
        .write_all(&op_query(42, "shop.$cmd", &find))
        .await
        .unwrap();
    let (op, response_to, reply) = read_reply(&mut socket).await;
    assert_eq!((op, response_to), (OP_REPLY, 42));
    let error = Document::from_reader(&reply[20..]).unwrap();
    assert_eq!(error.get_i32("code"), Ok(352));
    assert_eq!(error.get_f64("ok"), Ok(0.0));
}

#[tokio::test]
async fn more_to_come_gets_no_reply_and_checksums_are_tolerated() {
    let (_server, mut socket) = connect().await;
    const MORE_TO_COME: u32 = 2;
    const CHECKSUM: u32 = 1;
    let insert =
        doc! { "insert": "c", "documents": [{ "_id": 1 }], "writeConcern": { "w": 0 }, "$db": "w" };
    socket
        .write_all(&op_msg(1, MORE_TO_COME, &insert, false))
        .await
        .unwrap();
    let find = doc! { "find": "c", "filter": {}, "$db": "w" };
    socket
        .write_all(&op_msg(2, CHECKSUM, &find, true))
        .await
        .unwrap();
    // The first reply answers the find: the unacknowledged insert had none, but was done.
    let (op, response_to, body) = read_reply(&mut socket).await;
    assert_eq!((op, response_to), (OP_MSG, 2));
    let reply = msg_document(&body);
    let batch = reply
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(batch, &vec![bson::Bson::Document(doc! { "_id": 1 })]);
    assert!(reply.get_timestamp("operationTime").is_ok());
    assert!(reply.get_document("$clusterTime").is_ok());
}

#[tokio::test]
async fn a_tls_handshake_is_turned_away_at_once() {
    let (_server, mut socket) = connect().await;
    // The start of a TLS ClientHello: its first four bytes read as a 33 MB message length.
    let hello = [
        0x16u8, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x5a, 0x1b, 0x2c, 0x3d,
        0x4e, 0x5f, 0x60,
    ];
    socket.write_all(&hello).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buf))
        .await
        .expect("the server kept the connection open, waiting for a body");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}
