//! The corpus of hostile wire messages (`tests/corpus/wire/*.hex`): each file is one message
//! as hex bytes (`HEX*N` repeats those bytes N times, for messages of megabytes), with `#` lines saying what it is and what the server must do:
//!
//! - `# expect: closed`: the connection is closed (at once, or after the message timeout
//!   for a message that never completes);
//! - `# expect: ok` / `# expect: error CODE NAME: MESSAGE`: the reply, an OP_MSG;
//!   `legacy ok` / `legacy error ...` for an OP_REPLY;
//! - `# expect: none`: no reply (moreToCome).
//!
//! After every case the server must still answer: a ping on the same connection when it
//! was kept, or on a new one. No connection thread may panic.

use mwatch_testkit as common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::Duration;

use bson::{doc, Document};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::wire::{op_msg, OP_MSG};

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

/// What the server did with a message, in the corpus's words.
async fn outcome(socket: &mut TcpStream, expect_none: bool) -> String {
    if expect_none {
        return "none".into();
    }
    let mut header = [0u8; 16];
    let read = tokio::time::timeout(common::LIMIT, socket.read_exact(&mut header)).await;
    let Ok(Ok(_)) = read else {
        return match read {
            Err(_) => "no reply and not closed".into(),
            Ok(_) => "closed".into(),
        };
    };
    let length = i32::from_le_bytes(header[..4].try_into().unwrap()) as usize;
    let op = i32::from_le_bytes(header[12..].try_into().unwrap());
    let mut body = vec![0u8; length - 16];
    socket.read_exact(&mut body).await.unwrap();
    let (prefix, doc) = match op {
        OP_MSG => ("", Document::from_reader(&body[5..]).unwrap()),
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

async fn ping_answered(socket: &mut TcpStream) -> bool {
    let ping = doc! { "ping": 1, "$db": "admin" };
    if socket
        .write_all(&op_msg(777, 0, &ping, false))
        .await
        .is_err()
    {
        return false;
    }
    outcome(socket, false).await == "ok"
}

#[tokio::test]
async fn every_hostile_message_gets_its_answer_and_the_server_goes_on() {
    count_server_panics();
    let server = mwatch_playground::start(mwatch_playground::Config {
        message_timeout: Duration::from_millis(500),
        ..Default::default()
    })
    .await
    .unwrap();
    let cases = cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let mut socket = TcpStream::connect(server.addr()).await.unwrap();
        // A peer may close before taking all the bytes: what counts is what it answers.
        let _ = socket.write_all(&case.bytes).await;
        let got = outcome(&mut socket, case.expect == "none").await;
        if got != case.expect {
            wrong.push(format!(
                "{}: expected {:?}, got {:?}",
                case.name, case.expect, got
            ));
        }
        let mut check = if got == "closed" {
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
