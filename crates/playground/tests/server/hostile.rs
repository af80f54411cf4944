//! Messages no driver sends, meant to bring the server down: documents nested thousands of
//! levels deep, and inserts deeper than MongoDB stores. Each is refused with MongoDB's error,
//! and the server goes on serving.

use mwatch_testkit as common;

use bson::{doc, Document};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::wire::{connect, msg_document, read_reply, OP_MSG};

/// An OP_MSG ping (request id 1) with `levels` levels of documents below its top one.
fn deep_ping(levels: usize) -> Vec<u8> {
    mwatch_playground::fuzzing::deep_ping(&vec![false; levels - 1])
}

async fn ping(socket: &mut TcpStream, request_id: i32) -> Document {
    let ping = doc! { "ping": 1, "$db": "admin" };
    socket
        .write_all(&super::wire::op_msg(request_id, 0, &ping, false))
        .await
        .unwrap();
    let (op, response_to, body) = read_reply(socket).await;
    assert_eq!((op, response_to), (OP_MSG, request_id));
    msg_document(&body)
}

// Before the depth check, 2,000 levels aborted the whole test process with a stack overflow.
#[tokio::test]
async fn a_deeply_nested_command_is_refused_and_the_server_goes_on() {
    let (server, mut socket) = connect().await;
    for (request_id, levels) in [(2, 2_000), (3, 10_000), (4, 100_000)] {
        socket.write_all(&deep_ping(levels)).await.unwrap();
        let (op, response_to, body) = read_reply(&mut socket).await;
        assert_eq!((op, response_to), (OP_MSG, 1), "{levels}");
        let reply = msg_document(&body);
        assert_eq!(reply.get_f64("ok"), Ok(0.0), "{levels}");
        assert_eq!(reply.get_i32("code"), Ok(15), "{levels}");
        assert_eq!(reply.get_str("codeName"), Ok("Overflow"));
        assert_eq!(
            reply.get_str("errmsg"),
            Ok("BSONObj exceeds maximum nested object depth")
        );
        // The same connection still answers, and so does a new one.
        assert_eq!(
            ping(&mut socket, 100 + request_id).await.get_f64("ok"),
            Ok(1.0)
        );
        let mut other = TcpStream::connect(server.addr()).await.unwrap();
        assert_eq!(ping(&mut other, 1).await.get_f64("ok"), Ok(1.0));
    }
}

#[tokio::test]
async fn a_command_as_deep_as_mongodb_allows_is_answered() {
    let (_server, mut socket) = connect().await;
    socket.write_all(&deep_ping(200)).await.unwrap();
    let (_, _, body) = read_reply(&mut socket).await;
    assert_eq!(msg_document(&body).get_f64("ok"), Ok(1.0));
}

/// `{v: {v: ... {v: 1}}}`, `levels` levels in all (the top one included).
fn document_of_levels(levels: usize) -> Document {
    let mut doc = doc! { "v": 1 };
    for _ in 1..levels {
        doc = doc! { "v": doc };
    }
    doc
}

#[tokio::test]
async fn documents_deeper_than_mongodb_stores_are_refused() {
    let (_server, client) = common::setup().await;
    let coll = client.database("deep").collection::<Document>("c");
    coll.insert_one(document_of_levels(180)).await.unwrap();

    let error = coll.insert_one(document_of_levels(181)).await.unwrap_err();
    let (code, message) = write_error(error);
    assert_eq!(code, 15);
    assert_eq!(
        message,
        "cannot insert document because it exceeds 180 levels of nesting"
    );

    // An update that builds a document too deep: a path of 200 new levels, and one that
    // wraps the whole document once more.
    coll.insert_one(doc! { "_id": "u", "v": document_of_levels(179) })
        .await
        .unwrap();
    let long_path = vec!["p"; 200].join(".");
    let pipeline_wrap = vec![doc! { "$set": { "v": { "w": "$v" } } }];
    for error in [
        coll.update_one(doc! { "_id": "u" }, doc! { "$set": { long_path: 1 } })
            .await
            .unwrap_err(),
        coll.update_one(doc! { "_id": "u" }, pipeline_wrap)
            .await
            .unwrap_err(),
    ] {
        let (code, message) = write_error(error);
        assert_eq!(code, 15);
        assert_eq!(message, "Document exceeds maximum nesting depth of 180");
    }
    assert_eq!(coll.count_documents(doc! {}).await.unwrap(), 2);
}

/// A refused write's code and message.
fn write_error(error: mongodb::error::Error) -> (i32, String) {
    match *error.kind {
        mongodb::error::ErrorKind::Write(mongodb::error::WriteFailure::WriteError(e)) => {
            (e.code, e.message)
        }
        other => panic!("not a write error: {other:?}"),
    }
}

/// The code and message of a command's error.
fn command_error(error: mongodb::error::Error) -> (i32, String) {
    let (code, message, _) = common::command_error(error);
    (code, message)
}

// Without a bound between stages, these nested documents 10,000 levels deep and overflowed
// the stack.
#[tokio::test]
async fn pipelines_that_nest_documents_stage_after_stage_are_refused() {
    let (_server, client) = common::setup().await;
    let coll = client.database("deep").collection::<Document>("p");
    coll.insert_one(doc! { "_id": 1 }).await.unwrap();
    let too_deep = (
        15,
        "cannot convert document to BSON because it exceeds the limit of 200 levels of nesting"
            .to_string(),
    );
    for stage in [
        doc! { "$addFields": { "a": "$$ROOT" } },
        doc! { "$replaceWith": { "a": "$$ROOT" } },
        doc! { "$group": { "_id": "$$ROOT" } },
    ] {
        let pipeline = vec![stage.clone(); 10_000];
        let error = coll.aggregate(pipeline).await.unwrap_err();
        assert_eq!(command_error(error), too_deep, "{stage}");
    }
    let nesting_update = vec![doc! { "$set": { "a": "$$ROOT" } }; 10_000];
    let error = coll
        .update_one(doc! { "_id": 1 }, nesting_update)
        .await
        .unwrap_err();
    assert_eq!(write_error(error), too_deep);
    // A change stream's stages too: the event is refused, the stream reports it.
    let mut stream = coll
        .watch()
        .pipeline(vec![doc! { "$addFields": { "e": "$$ROOT" } }; 300])
        .await
        .unwrap()
        .with_type::<Document>();
    coll.insert_one(doc! { "_id": 2 }).await.unwrap();
    let error = mwatch_testkit::streams::first_error(&mut stream).await;
    assert_eq!(command_error(error), too_deep);
    // And the server goes on.
    assert_eq!(coll.count_documents(doc! {}).await.unwrap(), 2);
}

// Before the timeout, such a connection was held open for as long as the peer liked.
#[tokio::test]
async fn a_connection_that_stalls_mid_message_is_closed() {
    let server = mwatch_playground::start(mwatch_playground::Config {
        message_timeout: std::time::Duration::from_millis(300),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut stalled = TcpStream::connect(server.addr()).await.unwrap();
    // A header declaring 1,000 bytes, then 4 of them, then nothing.
    let mut partial = 1000i32.to_le_bytes().to_vec();
    partial.extend([0; 8]);
    partial.extend(OP_MSG.to_le_bytes());
    partial.extend([0; 4]);
    stalled.write_all(&partial).await.unwrap();
    // How long it took is checked by wire's unit test, on a paused clock.
    let mut buf = [0u8; 16];
    let read = common::within("the server to close the connection", async {
        tokio::io::AsyncReadExt::read(&mut stalled, &mut buf).await
    })
    .await;
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    // Others are served as before.
    let mut other = TcpStream::connect(server.addr()).await.unwrap();
    assert_eq!(ping(&mut other, 1).await.get_f64("ok"), Ok(1.0));
}

// Before the cap, every connection took a thread and its runtime's file descriptors: some
// 250 idle ones used up 1,024 descriptors and the accept loop spun on EMFILE.
#[tokio::test]
async fn connections_past_the_cap_are_closed_at_once() {
    let server = mwatch_playground::start(mwatch_playground::Config {
        max_connections: 2,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut first = TcpStream::connect(server.addr()).await.unwrap();
    let mut second = TcpStream::connect(server.addr()).await.unwrap();
    assert_eq!(ping(&mut first, 1).await.get_f64("ok"), Ok(1.0));
    assert_eq!(ping(&mut second, 1).await.get_f64("ok"), Ok(1.0));
    let mut third = TcpStream::connect(server.addr()).await.unwrap();
    let mut buf = [0u8; 16];
    let read = common::within("the server to close the third connection", async {
        tokio::io::AsyncReadExt::read(&mut third, &mut buf).await
    })
    .await;
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert_eq!(ping(&mut first, 2).await.get_f64("ok"), Ok(1.0));
    // A connection that ends makes room for a new one.
    drop(second);
    let again = common::within("room for a new connection", async {
        loop {
            let mut socket = TcpStream::connect(server.addr()).await.unwrap();
            let ping = doc! { "ping": 1, "$db": "admin" };
            let sent = super::wire::op_msg(1, 0, &ping, false);
            if socket.write_all(&sent).await.is_ok()
                && tokio::io::AsyncReadExt::read(&mut socket, &mut buf)
                    .await
                    .is_ok_and(|n| n > 0)
            {
                return socket;
            }
        }
    })
    .await;
    drop(again);
}
