//! Start-up: how long the release `mwatch` takes from exec to `--version`'s output, to the
//! first `--json` line of a one-event history, and in a pseudo-terminal to its first frame and
//! to "live" (connected and watching), each the median of several runs against an in-process
//! playground. With `MWATCH_BASELINE_BIN` set, the same for that binary in the same run.
//! Run: `cargo bench --bench startup`.

use std::io::{BufRead, BufReader, Read};
use std::num::NonZeroU16;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bson::{doc, Document};
use mongodb::Client;
use mwatch_playground as playground;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};

const RUNS: usize = 15;
const ROWS: u16 = 35;
const COLS: u16 = 120;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

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
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            ..PtySize::default()
        })
        .expect("open a pty");
    let mut command = CommandBuilder::new(bin);
    command.args([uri, "--ns", "bench.start"]);
    command.env("TERM", "xterm-256color");
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(command).expect("spawn mwatch");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let size = |n| NonZeroU16::new(n).expect("size");
        let mut parser = vt100::Parser::new(size(ROWS), size(COLS), 0);
        let mut buffer = [0u8; 1 << 14];
        let mut framed = None;
        while let Ok(n @ 1..) = reader.read(&mut buffer) {
            parser.process(&buffer[..n]);
            let screen = parser.screen().contents();
            if framed.is_none() && screen.contains("mwatch") {
                framed = Some(start.elapsed());
            }
            if let (Some(framed), true) = (framed, screen.contains("● live")) {
                let _ = tx.send((framed, start.elapsed()));
                return;
            }
        }
    });
    let times = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("mwatch did not go live within 30 s");
    child.kill().expect("kill mwatch");
    child.wait().expect("wait for mwatch");
    times
}

struct Figures {
    version: Duration,
    first_line: Duration,
    first_frame: Duration,
    live: Duration,
}

fn measure(bin: &str, uri: &str) -> Figures {
    let versions = (0..RUNS).map(|_| version(bin)).collect();
    let lines = (0..RUNS).map(|_| first_line(bin, uri)).collect();
    let (frames, lives) = (0..RUNS).map(|_| first_frame(bin, uri)).unzip();
    Figures {
        version: median(versions),
        first_line: median(lines),
        first_frame: median(frames),
        live: median(lives),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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
    let server = playground::start(playground::Config::default())
        .await
        .expect("playground");
    let uri = server.uri();
    let client = Client::with_uri_str(&uri).await.expect("client");
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
