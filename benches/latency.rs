//! Latency of sparse writes (one every 50 to 100 ms), from the write through the driver to:
//! a bare driver loop's change stream handing over the event (write-to-event); `mwatch --json`
//! printing its line, the release binary read through a pipe (write-to-line; also the binary
//! `MWATCH_BASELINE_BIN` names, when set, for before and after in one run); and the TUI drawing
//! a frame that shows the event (write-to-screen: the real app loop, `runtime::run`, drawing on
//! a 120x35 `TestBackend`, in this process). All on one in-process playground.
//! Run: `cargo bench --bench latency`.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use bson::{doc, Document, RawDocumentBuf};
use common::{ms, outside, percentile, run_tui, Probe};
use futures_util::StreamExt;
use mongodb::Collection;
use mwatch::source::Start;
use mwatch_playground as playground;
use ratatui::crossterm::event::KeyCode;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

const SAMPLES: usize = 200;
/// Longest wait for one event: far more than anything measured.
const LIMIT: Duration = Duration::from_secs(10);

/// What says when an event with a mark arrived: the mark and when.
type Seen = mpsc::UnboundedReceiver<(String, Instant)>;

/// Writes until a write is seen: the watch runs from then on.
async fn warm_up(coll: &Collection<Document>, name: &str, seen: &mut Seen, expect: &impl Fn(&str)) {
    for i in 0..100 {
        let mark = format!("{name}-warm-up-{i}");
        expect(&mark);
        coll.insert_one(doc! { "mark": &mark })
            .await
            .expect("insert");
        if let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(300), seen.recv()).await {
            return;
        }
    }
    panic!("{name}: no write seen in 30 s");
}

/// Writes `SAMPLES` documents with a mark each, one every 50 to 100 ms, each once the last
/// was seen; returns the times from each write to its arrival, sorted. `expect` is told each
/// mark before its write (the TUI's screen looks for it).
async fn sample(
    coll: &Collection<Document>,
    name: &str,
    seen: &mut Seen,
    expect: impl Fn(&str),
) -> Vec<Duration> {
    warm_up(coll, name, seen, &expect).await;
    let mut times = Vec::new();
    for i in 0..SAMPLES {
        let mark = format!("{name}-{i:04}");
        expect(&mark);
        let written = Instant::now();
        coll.insert_one(doc! { "mark": &mark })
            .await
            .expect("insert");
        // Earlier marks (the warm-up's) are passed over.
        let arrived = loop {
            let (got, at) = match tokio::time::timeout(LIMIT, seen.recv()).await {
                Ok(Some(arrival)) => arrival,
                _ => panic!("{name}: {mark} did not arrive within {LIMIT:?}"),
            };
            if got == mark {
                break at;
            }
        };
        times.push(arrived - written);
        // 50 to 100 ms apart, not in step with the TUI's frames or its 1 s tick.
        let gap = 50 + (i * 37) % 51;
        tokio::time::sleep(Duration::from_millis(gap as u64)).await;
    }
    times.sort();
    times
}

/// A bare driver loop: the mark of each event as the change stream hands it over.
async fn driver(coll: Collection<Document>) -> Seen {
    let (tx, rx) = mpsc::unbounded_channel();
    // Raw BSON, as the other bare loops and mwatch itself take events.
    let mut stream = coll
        .watch()
        .await
        .expect("watch")
        .with_type::<RawDocumentBuf>();
    tokio::spawn(async move {
        while let Some(Ok(event)) = stream.next().await {
            let mark = event
                .get_document("fullDocument")
                .and_then(|d| d.get_str("mark"))
                .ok()
                .map(str::to_string);
            if tx.send((mark.unwrap_or_default(), Instant::now())).is_err() {
                return;
            }
        }
    });
    rx
}

/// `binary --json` watching `coll`: the mark of each line it prints, when read from the pipe.
fn json_lines(binary: &str, uri: &str, ns: &str) -> (tokio::process::Child, Seen) {
    let mut child = tokio::process::Command::new(binary)
        .args([uri, "--json", "--ns", ns])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let at = Instant::now();
            let mark = serde_json::from_str::<serde_json::Value>(&line)
                .ok()
                .and_then(|v| v["fullDocument"]["mark"].as_str().map(str::to_string));
            if tx.send((mark.unwrap_or_default(), at)).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

fn print(label: &str, times: &[Duration]) {
    println!(
        "{label:<34} p50 {:.2} ms p95 {:.2} ms p99 {:.2} ms max {:.2} ms ({} writes)",
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.95)),
        ms(percentile(times, 0.99)),
        ms(percentile(times, 1.0)),
        times.len()
    );
}

/// The fixed form a script reads.
fn headline(label: &str, times: &[Duration]) {
    println!(
        "{label} p50 {:.1} ms p95 {:.1} ms p99 {:.1} ms",
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.95)),
        ms(percentile(times, 0.99))
    );
}

#[tokio::main]
async fn main() {
    let (server, client) = common::serve(playground::Config::default()).await;
    let uri = server.uri();
    let db = client.database("bench");

    let coll = db.collection::<Document>("driver");
    let mut seen = driver(coll.clone()).await;
    let event = sample(&coll, "driver", &mut seen, |_| {}).await;
    print("bare driver loop, write-to-event:", &event);

    let mut lines = Vec::new();
    let baseline = std::env::var("MWATCH_BASELINE_BIN").ok();
    let binaries = [Some(env!("CARGO_BIN_EXE_mwatch").to_string()), baseline];
    for (n, binary) in binaries.iter().flatten().enumerate() {
        let name = format!("json{n}");
        let coll = db.collection::<Document>(&name);
        let (child, mut seen) = json_lines(binary, &uri, &format!("bench.{name}"));
        let times = sample(&coll, &name, &mut seen, |_| {}).await;
        drop(child);
        print(&format!("{binary} --json, write-to-line:"), &times);
        lines.push(times);
    }

    let coll = db.collection::<Document>("tui");
    let probe = Probe::new();
    let (keys, io) = outside();
    let tui = run_tui(&uri, "bench", "tui", Start::Now, probe.clone(), io);
    let script = async {
        let (seen_tx, mut seen) = mpsc::unbounded_channel();
        let expect = |mark: &str| probe.want(mark, true, &seen_tx);
        sample(&coll, "tui", &mut seen, expect).await
    };
    tokio::pin!(tui);
    let screen = tokio::select! {
        () = &mut tui => panic!("the TUI ended before its script"),
        times = script => times,
    };
    keys.key(KeyCode::Char('q'));
    tokio::time::timeout(LIMIT, tui)
        .await
        .expect("the TUI ends on q");
    print("TUI (TestBackend), write-to-screen:", &screen);

    headline("write-to-line", &lines[0]);
    headline("write-to-screen", &screen);
}
