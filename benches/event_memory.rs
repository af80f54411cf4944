//! Memory per retained event, three ways.
//!
//! 1. The store's own count: 1,000,000 change events of about 300 bytes in the event store,
//!    counted by a global allocator that tracks live bytes. Target: under 2x the raw BSON size.
//! 2. The whole process, as a user sees it: the bench runs itself again as child processes
//!    (`child retained|flow`), each with the allocator `mwatch` uses (mimalloc) or glibc's
//!    (`COUNTING_ALLOCATOR=system`). As in the app, a producer thread makes the events
//!    (the change-stream task) and sends them in batches over a bounded channel to the thread
//!    that keeps them in the store (the UI's), which frees those it drops. Each child prints its
//!    `VmHWM` and `VmRSS` from `/proc/self/status`: `retained` after 1,000,000 events kept
//!    (target: peak under 2x raw), `flow` when a default store (100,000 events) first filled and
//!    after 10x that flowed through it (target: within 10%).
//! 3. The real `mwatch` TUI in a pseudo-terminal, replaying 1,000,000 inserts from a
//!    playground: its `VmRSS` through a default store, and with `--keep 1000000` (all kept) its
//!    `VmHWM`, which is the headline: `process: VmHWM … MB for 1,000,000 events = …x raw`.
//!
//! Run: `cargo bench --bench event_memory`.

mod common;
#[path = "../tests/common/allocations.rs"]
// Each user takes what it needs of it.
#[allow(dead_code)]
mod counting;

use std::process::Command;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use bson::{doc, oid::ObjectId, DateTime, RawDocumentBuf, Timestamp};
use common::proc::status;
use common::pty::Pty;
use futures_util::StreamExt;
use mwatch::event::ChangeEvent;
use mwatch::numbers::thousands;
use mwatch::store::{EventStore, DEFAULT_MAX_EVENTS};
use mwatch_playground as playground;

/// Counts live bytes, and forwards to mimalloc (as `src/main.rs` declares for `mwatch`) or,
/// with `COUNTING_ALLOCATOR=system`, to glibc's malloc.
#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

const EVENTS: usize = 1_000_000;
/// Events per batch from the producer, as the change-stream task sends them at most.
const BATCH: usize = 1000;
/// Events per reply from the server: a replay's replies are full, 16 MB, about 48,000 of
/// these events (a divisor of `EVENTS`, a multiple of `BATCH`).
const REPLY: usize = 50_000;
/// Threads the replies are made on in turn: as many as tokio's worker threads (one per core),
/// between which the change-stream task moves. The real TUI, measured too, has more threads
/// that make memory (the driver's connection tasks, the runtime's blocking threads).
fn producers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
const MB: f64 = 1_000_000.0;

fn event(n: u32) -> RawDocumentBuf {
    let id = ObjectId::new();
    let doc = doc! {
        "_id": { "_data": format!("8265{n:08X}000000012B022C0100296E5A1004{n:08X}46645F69640064{n:08X}0004") },
        "operationType": "insert",
        "clusterTime": Timestamp { time: 1_763_700_000 + n / 10, increment: n % 10 },
        "wallTime": DateTime::from_millis(1_763_700_000_000 + i64::from(n)),
        "fullDocument": { "_id": id, "orderNo": i64::from(n), "status": "new", "total": 12.5, "items": 3 },
        "ns": { "db": "shop", "coll": "orders" },
        "documentKey": { "_id": id },
    };
    RawDocumentBuf::from_document(&doc).expect("encode")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "child") {
        let phase = args.get(i + 1).expect("child retained|flow");
        child(phase);
        return;
    }
    // First, in a process that has done nothing else yet.
    count_line();
    for (name, value) in [("mimalloc", "mimalloc"), ("glibc", "system")] {
        let (retained, raw) = run_child("retained", value);
        let (flow, _) = run_child("flow", value);
        let fill = flow.fill_rss.expect("the store filled");
        println!(
            "{name:<8}: synthetic, {} events retained: VmHWM {:.0} MB = {:.2}x raw, VmRSS {:.0} MB; {} events through a {}-event store: VmRSS {:.0} MB at first fill, {:.0} MB after ({:+.0}%)",
            thousands(EVENTS as u64),
            retained.hwm as f64 / MB,
            retained.hwm as f64 / raw as f64,
            retained.rss as f64 / MB,
            thousands(EVENTS as u64),
            thousands(DEFAULT_MAX_EVENTS as u64),
            fill as f64 / MB,
            flow.rss as f64 / MB,
            (flow.rss as f64 / fill as f64 - 1.0) * 100.0,
        );
    }
    let (kept, raw) = tui_lines();
    println!(
        "process: VmHWM {:.0} MB for {} events = {:.2}x raw",
        kept.hwm as f64 / MB,
        thousands(EVENTS as u64),
        kept.hwm as f64 / raw as f64
    );
}

/// The store's own count of what it retains, as this bench always printed it.
fn count_line() {
    let mut store = EventStore::new(EVENTS, usize::MAX);
    let before = counting::live();
    for n in 0..EVENTS as u32 {
        store.push_event(ChangeEvent::from_raw(event(n)));
    }
    let used = counting::live() - before;
    let raw = store.bytes();
    println!(
        "event store: {} events, raw BSON {:.1} bytes/event, retained {:.1} bytes/event = {:.2}x raw (target < 2x)",
        store.len(),
        raw as f64 / EVENTS as f64,
        used as f64 / EVENTS as f64,
        used as f64 / raw as f64
    );
}

/// What a process measured, in bytes.
#[derive(Debug)]
struct Measured {
    hwm: usize,
    rss: usize,
    /// The resident size when a default store (`DEFAULT_MAX_EVENTS`) first filled.
    fill_rss: Option<usize>,
}

/// Runs a child; what it measured, and the raw size of the events it kept.
fn run_child(phase: &str, allocator: &str) -> (Measured, usize) {
    let exe = std::env::current_exe().expect("the bench's own path");
    let output = Command::new(exe)
        .args(["child", phase])
        .env(counting::CHOICE_VAR, allocator)
        .output()
        .expect("run the child");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child {phase} {allocator}: {}\n{text}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let measured = Measured {
        hwm: field("hwm").expect("hwm"),
        rss: field("rss").expect("rss"),
        fill_rss: field("fill_rss"),
    };
    (measured, field("raw").expect("raw"))
}

/// Produces `EVENTS` events on another thread into a store on this one, then prints what
/// `/proc/self/status` says (`retained`: a store that keeps them all; `flow`: a default one).
fn child(phase: &str) {
    let mut store = match phase {
        "retained" => EventStore::new(EVENTS, usize::MAX),
        _ => EventStore::default(),
    };
    // One reply at a time, each made on the next of the producer threads, as the reader task
    // moves between the runtime's worker threads; the events come in order on one channel.
    let (tx, rx) = sync_channel::<Vec<ChangeEvent>>(64);
    let turn = Arc::new((Mutex::new(0), Condvar::new()));
    let producers: Vec<_> = (0..producers())
        .map(|first| {
            let (tx, turn) = (tx.clone(), turn.clone());
            std::thread::spawn(move || produce(first, &tx, &turn))
        })
        .collect();
    drop(tx);
    let mut fill_rss = None;
    for batch in rx {
        for event in batch {
            store.push_event(event);
        }
        if fill_rss.is_none() && store.event_count() == store.max_events() {
            fill_rss = Some(status("self", "VmRSS"));
        }
    }
    for producer in producers {
        producer.join().expect("the producer ran");
    }
    print!(
        "hwm={} rss={} raw={}",
        status("self", "VmHWM"),
        status("self", "VmRSS"),
        store.bytes()
    );
    if let Some(rss) = fill_rss.filter(|_| phase == "flow") {
        print!(" fill_rss={rss}");
    }
    println!();
}

/// Makes replies `first`, `first + producers()`, ... as the driver does: the reply's events in
/// one buffer, then each copied out into its own document, then the buffer freed.
fn produce(first: usize, tx: &SyncSender<Vec<ChangeEvent>>, turn: &(Mutex<usize>, Condvar)) {
    for reply in (first..EVENTS / REPLY).step_by(producers()) {
        let (next, changed) = turn;
        let mut next = next.lock().expect("turn");
        while *next != reply {
            next = changed.wait(next).expect("turn");
        }
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(REPLY);
        for n in reply * REPLY..(reply + 1) * REPLY {
            bytes.extend_from_slice(event(n as u32).as_bytes());
            ends.push(bytes.len());
        }
        let mut start = 0;
        for chunk in ends.chunks(BATCH) {
            let batch = chunk
                .iter()
                .map(|&end| {
                    let raw = RawDocumentBuf::from_bytes(bytes[start..end].to_vec());
                    start = end;
                    ChangeEvent::from_raw(raw.expect("a document"))
                })
                .collect();
            if tx.send(batch).is_err() {
                return;
            }
        }
        *next += 1;
        changed.notify_all();
    }
}

/// The real TUI in a pseudo-terminal: the release `mwatch`, and `MWATCH_BASELINE_BIN` if set,
/// replaying `EVENTS` inserts from the start of a playground's history. Returns what `mwatch
/// --keep 1000000` measured, keeping them all, and their raw size.
fn tui_lines() -> (Measured, usize) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let server = playground::start(playground::Config {
            history: EVENTS + 1000,
            ..playground::Config::default()
        })
        .await
        .expect("playground");
        let uri = server.uri();
        let raw = fill(&uri).await;
        let home = tempfile::tempdir().expect("a home");
        let mwatch = env!("CARGO_BIN_EXE_mwatch");
        let mut binaries = vec![("mwatch TUI".to_string(), mwatch.to_string())];
        if let Ok(baseline) = std::env::var("MWATCH_BASELINE_BIN") {
            binaries.push((format!("baseline {baseline}"), baseline));
        }
        for (name, bin) in &binaries {
            let flow = tui(bin, &uri, &[], home.path()).await;
            let fill = flow.fill_rss.expect("the store filled");
            println!(
                "{name}: {} events through its {}-event store: VmRSS {:.0} MB at first fill, {:.0} MB after ({:+.0}%)",
                thousands(EVENTS as u64),
                thousands(DEFAULT_MAX_EVENTS as u64),
                fill as f64 / MB,
                flow.rss as f64 / MB,
                (flow.rss as f64 / fill as f64 - 1.0) * 100.0,
            );
        }
        // The baseline has no --keep.
        let count = EVENTS.to_string();
        let kept = tui(mwatch, &uri, &["--keep", &count], home.path()).await;
        println!(
            "mwatch TUI --keep {count}, all retained: VmHWM {:.0} MB, VmRSS {:.0} MB, raw BSON {:.0} MB",
            kept.hwm as f64 / MB,
            kept.rss as f64 / MB,
            raw as f64 / MB
        );
        server.stop().await;
        (kept, raw)
    })
}

/// Inserts `EVENTS` orders like [`event`]'s; returns the raw size of their change events.
async fn fill(uri: &str) -> usize {
    let client = mongodb::Client::with_uri_str(uri).await.expect("client");
    let coll = client
        .database("bench")
        .collection::<bson::Document>("events");
    for batch in 0..EVENTS / 10_000 {
        let docs = (0..10_000).map(|i| {
            let n = (batch * 10_000 + i) as i64;
            doc! { "orderNo": n, "status": "new", "total": 12.5, "items": 3 }
        });
        coll.insert_many(docs).await.expect("insert");
    }
    let mut stream = common::from_the_start(&coll).await;
    let mut raw = 0;
    for _ in 0..EVENTS {
        let event = stream.next().await.expect("an event").expect("an event");
        raw += event.as_bytes().len();
    }
    raw
}

/// Runs the TUI on `uri` until it received `EVENTS`: its `VmRSS` when it had received a full
/// default store's worth, and its `VmHWM` and `VmRSS` at the end.
async fn tui(bin: &str, uri: &str, extra: &[&str], home: &std::path::Path) -> Measured {
    let mut args = vec![uri, "--ns", "bench.events", "--start-at", "0:0"];
    args.extend(extra);
    let pty = Pty::spawn(bin, &args, &[("MWATCH_HOME", home.as_os_str())], |_| {});
    let pid = pty.pid.to_string();
    let (mut fill_rss, mut last, mut since) = (None, 0, Instant::now());
    loop {
        let received = received(&pty.contents());
        if fill_rss.is_none() && received >= DEFAULT_MAX_EVENTS {
            fill_rss = Some(status(&pid, "VmRSS"));
        }
        if received >= EVENTS {
            break;
        }
        if received > last {
            (last, since) = (received, Instant::now());
        }
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "{bin} stopped at {received} events:\n{}",
            pty.contents()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let measured = Measured {
        hwm: status(&pid, "VmHWM"),
        rss: status(&pid, "VmRSS"),
        fill_rss,
    };
    pty.stop();
    measured
}

/// The count before ` received` on the status line.
fn received(screen: &str) -> usize {
    screen
        .split_once(" received")
        .and_then(|(before, _)| before.rsplit(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(0)
}
