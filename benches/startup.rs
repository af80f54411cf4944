//! Start-up: how long the release `mwatch` takes from exec to `--version`'s output, to the
//! first `--json` line of a one-event history, and in a pseudo-terminal to its first frame and
//! to "live" (connected and watching), each the median of several runs against an in-process
//! playground. With `MWATCH_BASELINE_BIN` set, the same for that binary in the same run.
//! Run: `cargo bench --bench startup`.

mod common;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bson::{doc, Document};
use common::pty::{Pty, COLS, ROWS};
use common::{median, ms};
use mwatch_playground as playground;

const RUNS: usize = 15;

fn version(bin: &str) -> Duration {
    let start = Instant::now();
    let out = Command::new(bin).arg("--version").output().expect("run");
    assert!(out.status.success(), "--version failed");
    start.elapsed()
}

/// Exec to the first line of `--json` replaying a history of one event.
fn first_line(bin: &str, uri: &str) -> Duration {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args([uri, "--json", "--ns", "bench.start", "--start-at", "0:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn mwatch");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read a line");
    let elapsed = start.elapsed();
    assert!(line.contains("insert"), "not an event: {line}");
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

/// Exec to the first frame (the title drawn) and to "live", in a pseudo-terminal. The screen
/// is looked at after every read, so no polling interval is added.
fn first_frame(bin: &str, uri: &str) -> (Duration, Duration) {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let mut framed = None;
    let env: [(&str, &OsStr); 0] = [];
    let pty = Pty::spawn(bin, &[uri, "--ns", "bench.start"], &env, move |screen| {
        let screen = screen.contents();
        if framed.is_none() && screen.contains("mwatch") {
            framed = Some(start.elapsed());
        }
        if let (Some(framed), true) = (framed, screen.contains("● live")) {
            let _ = tx.send((framed, start.elapsed()));
        }
    });
    let times = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("mwatch did not go live within 30 s");
    pty.stop();
    times
}

struct Figures {
    version: Duration,
    first_line: Duration,
    first_frame: Duration,
    live: Duration,
}

fn measure(bin: &str, uri: &str) -> Figures {
    let versions: Vec<_> = (0..RUNS).map(|_| version(bin)).collect();
    let lines: Vec<_> = (0..RUNS).map(|_| first_line(bin, uri)).collect();
    let (frames, lives): (Vec<_>, Vec<_>) = (0..RUNS).map(|_| first_frame(bin, uri)).unzip();
    Figures {
        version: median(&versions),
        first_line: median(&lines),
        first_frame: median(&frames),
        live: median(&lives),
    }
}

fn print(label: &str, f: &Figures) {
    println!(
        "{label}: start-up: --version {:.1} ms, first --json line {:.1} ms, first frame {:.1} ms, live {:.1} ms",
        ms(f.version),
        ms(f.first_line),
        ms(f.first_frame),
        ms(f.live)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (server, client) = common::serve(playground::Config::default()).await;
    let uri = server.uri();
    client
        .database("bench")
        .collection::<Document>("start")
        .insert_one(doc! { "status": "new" })
        .await
        .expect("insert");
    println!("medians of {RUNS} runs, {COLS}x{ROWS} pty for the TUI:");
    let baseline = std::env::var("MWATCH_BASELINE_BIN").ok();
    let current = {
        let uri = uri.clone();
        tokio::task::spawn_blocking(move || measure(env!("CARGO_BIN_EXE_mwatch"), &uri))
            .await
            .expect("measure")
    };
    if let Some(bin) = baseline {
        let uri = uri.clone();
        let before = tokio::task::spawn_blocking(move || measure(&bin, &uri))
            .await
            .expect("measure baseline");
        print("baseline", &before);
    }
    print("mwatch", &current);
}
