//! The corpus of hostile wire messages (`tests/corpus/wire/*.hex`): each file is one message
//! as hex bytes (`HEX*N` repeats those bytes N times, for messages of megabytes), with `#` lines saying what it is and what the server must do:
//!
//! - `# expect: closed`: the connection is closed at once; `closed after timeout`: after the
//!   message timeout, for a message that never completes;
//! - `# expect: ok` / `# expect: error CODE NAME: MESSAGE`: the reply, an OP_MSG (a message
//!   ending in `...` gives its start);
//!   `legacy ok` / `legacy error ...` for an OP_REPLY;
//! - `# expect: none`: no reply (moreToCome): the next reply on the connection is the
//!   ping's.
//!
//! After every case the server must still answer: a ping on the same connection when it
//! was kept, or on a new one. No connection thread may panic.

use mwatch_testkit as common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::Duration;

use bson::{doc, Document};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::wire::{msg_document, op_msg, try_read_reply, Silence, OP_MSG};

const OP_REPLY: i32 = 1;

/// Panics on the server's connection threads, counted by a hook installed once.
static SERVER_PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_server_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().unwrap_or("").to_string();
            if name.starts_with("playground-conn") {
                SERVER_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            default(info);
        }));
    });
}

struct Case {
    name: String,
    expect: String,
    bytes: Vec<u8>,
}

fn read_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let expect = text
        .lines()
        .find_map(|line| line.strip_prefix("# expect: "))
        .unwrap_or_else(|| panic!("{}: no '# expect:' line", path.display()))
        .to_string();
    let bytes = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(|line| line.split_whitespace())
        .flat_map(hex_token)
        .collect();
    Case {
        name: path.file_stem().unwrap().to_string_lossy().into_owned(),
        expect,
        bytes,
    }
}

/// The bytes of one token: hex digits, or `HEX*N` for those bytes repeated N times.
fn hex_token(token: &str) -> Vec<u8> {
    let (hex, times) = token.split_once('*').unwrap_or((token, "1"));
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    bytes.repeat(times.parse().unwrap())
}

fn cases() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/wire");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "hex"))
        .collect();
    paths.sort();
    paths.iter().map(|path| read_case(path)).collect()
}

/// How long the server that answers `closed after timeout` cases waits for a stalled message.
const STALL: Duration = Duration::from_millis(500);

/// What the server did with a message, in the corpus's words (before telling an immediate
/// close from one after the timeout).
async fn outcome(socket: &mut TcpStream) -> String {
    let (op, _, body) = match try_read_reply(socket).await {
        Ok(reply) => reply,
        Err(Silence::Closed) => return "closed".into(),
        Err(Silence::TimedOut) => return "no reply and not closed".into(),
    };
    let (prefix, doc) = match op {
        OP_MSG => ("", msg_document(&body)),
        OP_REPLY => ("legacy ", Document::from_reader(&body[20..]).unwrap()),
        other => return format!("op code {other}"),
    };
    if doc.get_f64("ok") == Ok(1.0) {
        return format!("{prefix}ok");
    }
    format!(
        "{prefix}error {} {}: {}",
        doc.get_i32("code").unwrap_or_default(),
        doc.get_str("codeName").unwrap_or_default(),
        doc.get_str("errmsg").unwrap_or_default()
    )
}

/// Whether `got` is what `expect` says; an expectation ending in `...` gives only the start
/// of the message (the rest is the bson crate's wording, which may change).
fn matches(expect: &str, got: &str) -> bool {
    match expect.strip_suffix("...") {
        Some(start) => got.starts_with(start),
        None => got == expect,
    }
}

/// Whether a ping is answered next on `socket`: its reply, not one to the message before.
async fn ping_answered(socket: &mut TcpStream) -> bool {
    let ping = doc! { "ping": 1, "$db": "admin" };
    if socket
        .write_all(&op_msg(777, 0, &ping, false))
        .await
        .is_err()
    {
        return false;
    }
    match try_read_reply(socket).await {
        Ok((OP_MSG, 777, body)) => msg_document(&body).get_f64("ok") == Ok(1.0),
        _ => false,
    }
}

#[tokio::test]
async fn every_hostile_message_gets_its_answer_and_the_server_goes_on() {
    count_server_panics();
    // A close within the runner's limit on `patient` is one at once; stalled messages go to
    // `impatient`, and are closed no sooner than its timeout.
    let patient = mwatch_playground::start(mwatch_playground::Config {
        message_timeout: common::LIMIT * 3,
        ..Default::default()
    })
    .await
    .unwrap();
    let impatient = mwatch_playground::start(mwatch_playground::Config {
        message_timeout: STALL,
        ..Default::default()
    })
    .await
    .unwrap();
    let cases = cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let stalls = case.expect == "closed after timeout";
        let server = if stalls { &impatient } else { &patient };
        let mut socket = TcpStream::connect(server.addr()).await.unwrap();
        // Before the first byte is sent, so that the server's timer cannot start earlier.
        let started = std::time::Instant::now();
        // A peer may close before taking all the bytes: what counts is what it answers.
        let _ = socket.write_all(&case.bytes).await;
        let mut got = if case.expect == "none" {
            "none".to_string()
        } else {
            outcome(&mut socket).await
        };
        if stalls && got == "closed" && started.elapsed() >= STALL {
            got = "closed after timeout".into();
        }
        if !matches(&case.expect, &got) {
            wrong.push(format!(
                "{}: expected {:?}, got {:?}",
                case.name, case.expect, got
            ));
        }
        // After `none`, this also checks that nothing answered the message.
        let mut check = if got.starts_with("closed") {
            TcpStream::connect(server.addr()).await.unwrap()
        } else {
            socket
        };
        if !ping_answered(&mut check).await {
            wrong.push(format!("{}: the server stopped answering", case.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        SERVER_PANICS.load(Ordering::SeqCst),
        0,
        "a connection panicked"
    );
}
