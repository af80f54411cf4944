//! Running the real `mwatch` binary.

use std::process::Stdio;
use std::time::Duration;

use bson::{Bson, Document};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

pub fn mwatch(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mwatch"));
    command
        .args(args)
        .env_remove("MONGODB_URI")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Reads lines until one contains `text` (15 s at most); returns the lines read.
pub async fn wait_for_line(reader: &mut (impl AsyncBufRead + Unpin), text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let read = async {
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap() == 0 {
                panic!("mwatch closed its output before printing '{text}': {lines:?}");
            }
            let found = line.contains(text);
            lines.push(line);
            if found {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(15), read)
        .await
        .unwrap_or_else(|_| panic!("no '{text}' in the output"));
    lines
}

/// Starts the `--json` watch `mwatch ARGS` and waits until it says it is watching; returns it
/// and the lines it wrote to stderr until then.
pub async fn watching(args: &[&str]) -> (Child, Vec<String>) {
    let mut child = mwatch(args).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let lines = wait_for_line(&mut stderr, "mwatch: watching").await;
    child.stderr = Some(stderr.into_inner());
    (child, lines)
}

/// Runs `mwatch mongodb://127.0.0.1:1 --json ARGS`, which must end with a usage error (exit
/// code 2) before connecting: nothing listens on port 1, so trying would fail with exit code
/// 1, after 5 s. Returns stderr.
pub async fn refused_before_connecting(args: &[&str]) -> String {
    let mut line = vec!["mongodb://127.0.0.1:1", "--json"];
    line.extend(args);
    let (code, _, stderr) = run(&line).await;
    assert_eq!(code, 2, "{stderr}");
    stderr
}

/// Sends SIGINT, as Ctrl-C in a terminal does.
pub async fn interrupt(child: &Child) {
    signal(child, "INT").await;
}

/// Sends the signal `name` (`TERM`, `HUP`, ...), as `kill -NAME` does.
pub async fn signal(child: &Child, name: &str) {
    kill(name, child.id().expect("still running"));
}

/// `kill -s NAME -- PID`: the one way every test sends a signal (`-PGID`: to a whole job).
pub fn kill(name: &str, pid: impl std::fmt::Display) {
    let status = std::process::Command::new("kill")
        .args([
            "-s".to_string(),
            name.to_string(),
            "--".to_string(),
            pid.to_string(),
        ])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid}");
}

/// A loopback port nothing listens on (free when this returns).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits for the process to end (15 s at most); returns its exit code, stdout and the rest of stderr.
pub async fn finish(mut child: Child) -> (i32, String, String) {
    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let status = tokio::time::timeout(Duration::from_secs(15), async {
        let (_, _, status) = tokio::join!(
            out.read_to_string(&mut stdout),
            err.read_to_string(&mut stderr),
            child.wait()
        );
        status.unwrap()
    })
    .await
    .expect("mwatch did not finish within 15 s");
    (status.code().unwrap_or(-1), stdout, stderr)
}

/// Runs to completion with no server interaction.
pub async fn run(args: &[&str]) -> (i32, String, String) {
    finish(mwatch(args).spawn().unwrap()).await
}

/// `--json` output: one event a line, as Extended JSON.
pub fn json_lines(stdout: &str) -> Vec<Document> {
    stdout
        .lines()
        .map(|line| {
            let json: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            match Bson::try_from(json).unwrap() {
                Bson::Document(doc) => doc,
                other => panic!("not a document: {other}"),
            }
        })
        .collect()
}

/// The events' resume tokens.
pub fn tokens(events: &[Document]) -> Vec<Document> {
    events
        .iter()
        .map(|e| e.get_document("_id").unwrap().clone())
        .collect()
}
