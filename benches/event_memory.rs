//! Memory per retained event, two ways.
//!
//! 1. The store's own count: 1,000,000 change events of about 300 bytes in the event store,
//!    counted by a global allocator that tracks live bytes. Target: under 2x the raw BSON size.
//! 2. The whole process, as a user sees it: the bench runs itself again as child processes
//!    (`child retained|flow`), each with the allocator `mwatch` uses (mimalloc) or glibc's
//!    (`EVENT_MEMORY_ALLOCATOR=system`). As in the app, a producer thread makes the events
//!    (the change-stream task) and sends them in batches over a bounded channel to the thread
//!    that keeps them in the store (the UI's), which frees those it drops. Each child prints its
//!    `VmHWM` and `VmRSS` from `/proc/self/status`: `retained` after 1,000,000 events kept
//!    (target: peak under 2x raw), `flow` when a default store (100,000 events) first filled and
//!    after 10x that flowed through it (target: within 10%).
//!
//! Run: `cargo bench --bench event_memory`.
// A counting allocator is the one place the workspace needs `unsafe`: it forwards to the
// allocator chosen for the process, and reads that choice with `getenv` (which does not
// allocate) at the first allocation.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::CStr;
use std::process::Command;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Condvar, Mutex};

use std::io::Read;
use std::num::NonZeroU16;
use std::time::{Duration, Instant};

use bson::{doc, oid::ObjectId, DateTime, RawDocumentBuf, Timestamp};
use futures_util::StreamExt;
use mimalloc::MiMalloc;
use mwatch::event::ChangeEvent;
use mwatch::numbers::thousands;
use mwatch::store::{EventStore, DEFAULT_MAX_EVENTS};
use mwatch_playground as playground;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};

/// Counts live bytes, and forwards to mimalloc (as `src/main.rs` declares for `mwatch`) or,
/// with `EVENT_MEMORY_ALLOCATOR=system` in the environment, to glibc's malloc.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// 0: not read yet, 1: mimalloc, 2: the system's.
static CHOICE: AtomicU8 = AtomicU8::new(0);

const ALLOCATOR_VAR: &CStr = c"EVENT_MEMORY_ALLOCATOR";

fn system() -> bool {
    match CHOICE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: the name is a C string; the value is read before any thread starts.
            let value = unsafe { libc::getenv(ALLOCATOR_VAR.as_ptr()) };
            let system = !value.is_null() && unsafe { CStr::from_ptr(value) } == c"system";
            CHOICE.store(if system { 2 } else { 1 }, Ordering::Relaxed);
            system
        }
        choice => choice == 2,
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        if system() {
            unsafe { System.alloc(layout) }
        } else {
            unsafe { MiMalloc.alloc(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        if system() {
            unsafe { System.dealloc(ptr, layout) }
        } else {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        if system() {
            unsafe { System.realloc(ptr, layout, new_size) }
        } else {
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

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
    if let Some(phase) = args.iter().position(|a| a == "child").map(|i| &args[i + 1]) {
        child(phase);
        return;
    }
    let mut headline = None;
    for (name, value) in [("mimalloc", "mimalloc"), ("glibc", "system")] {
        let retained = run_child("retained", value);
        let flow = run_child("flow", value);
        let fill = flow.fill_rss.expect("the store filled");
        println!(
            "{name:<8}: {} events retained: VmHWM {:.0} MB = {:.2}x raw, VmRSS {:.0} MB; {} events through a {}-event store: VmRSS {:.0} MB at first fill, {:.0} MB after ({:+.0}%)",
            thousands(EVENTS as u64),
            retained.hwm as f64 / MB,
            retained.hwm as f64 / retained.raw as f64,
            retained.rss as f64 / MB,
            thousands(EVENTS as u64),
            thousands(DEFAULT_MAX_EVENTS as u64),
            fill as f64 / MB,
            flow.rss as f64 / MB,
            (flow.rss as f64 / fill as f64 - 1.0) * 100.0,
        );
        headline.get_or_insert(retained);
    }
    tui_lines();
    count_line();
    let retained = headline.expect("mimalloc ran");
    println!(
        "process: VmHWM {:.0} MB for {} events = {:.2}x raw",
        retained.hwm as f64 / MB,
        thousands(EVENTS as u64),
        retained.hwm as f64 / retained.raw as f64
    );
}

/// The store's own count of what it retains, as this bench always printed it.
fn count_line() {
    let mut store = EventStore::new(EVENTS, usize::MAX);
    let before = LIVE.load(Ordering::Relaxed);
    for n in 0..EVENTS as u32 {
        store.push_event(ChangeEvent::from_raw(event(n)));
    }
    let used = LIVE.load(Ordering::Relaxed) - before;
    let raw = store.bytes();
    println!(
        "event store: {} events, raw BSON {:.1} bytes/event, retained {:.1} bytes/event = {:.2}x raw (target < 2x)",
        store.len(),
        raw as f64 / EVENTS as f64,
        used as f64 / EVENTS as f64,
        used as f64 / raw as f64
    );
}

/// What a child measured, in bytes.
#[derive(Debug)]
struct Measured {
    hwm: usize,
    rss: usize,
    raw: usize,
    /// `flow`: the resident size when the store first filled.
    fill_rss: Option<usize>,
}

fn run_child(phase: &str, allocator: &str) -> Measured {
    let exe = std::env::current_exe().expect("the bench's own path");
    let output = Command::new(exe)
        .args(["child", phase])
        .env(
            std::str::from_utf8(ALLOCATOR_VAR.to_bytes()).expect("ascii"),
            allocator,
        )
        .output()
        .expect("run the child");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child {phase} {allocator}: {text}");
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<usize>().ok())
    };
    Measured {
        hwm: field("hwm").expect("hwm"),
        rss: field("rss").expect("rss"),
        raw: field("raw").expect("raw"),
        fill_rss: field("fill_rss"),
    }
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
        if fill_rss.is_none() && store.len() == store.max_events() {
            fill_rss = Some(status("VmRSS"));
        }
    }
    for producer in producers {
        producer.join().expect("the producer ran");
    }
    print!(
        "hwm={} rss={} raw={}",
        status("VmHWM"),
        status("VmRSS"),
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

/// A `kB` line of `/proc/self/status`, in bytes.
fn status(name: &str) -> usize {
    let text = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    kilobytes(&text, name)
}

/// A `kB` line of a `/proc/<pid>/status`, in bytes.
fn kilobytes(text: &str, name: &str) -> usize {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<usize>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// The real TUI in a pseudo-terminal: the release `mwatch`, and `MWATCH_BASELINE_BIN` if set,
/// replaying `EVENTS` inserts from the start of a playground's history.
fn tui_lines() {
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
        let mut binaries = vec![(
            "mwatch TUI".to_string(),
            env!("CARGO_BIN_EXE_mwatch").to_string(),
        )];
        if let Ok(baseline) = std::env::var("MWATCH_BASELINE_BIN") {
            binaries.push((format!("baseline {baseline}"), baseline));
        }
        for (name, bin) in &binaries {
            let flow = tui(bin, &uri, &[], home.path()).await;
            let fill = flow.fill_rss.unwrap_or(0);
            print!(
                "{name}: {} events through its {}-event store: VmRSS {:.0} MB at first fill, {:.0} MB after ({:+.0}%)",
                thousands(EVENTS as u64),
                thousands(DEFAULT_MAX_EVENTS as u64),
                fill as f64 / MB,
                flow.rss as f64 / MB,
                (flow.rss as f64 / fill as f64 - 1.0) * 100.0,
            );
            // The baseline has no --keep.
            if name.starts_with("mwatch") {
                let kept = tui(bin, &uri, &["--keep", "1GB"], home.path()).await;
                print!(
                    "; --keep 1GB, all retained: VmHWM {:.0} MB = {:.2}x raw",
                    kept.hwm as f64 / MB,
                    kept.hwm as f64 / raw as f64
                );
            }
            println!();
        }
        server.stop().await;
    });
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
    let mut stream = coll
        .watch()
        .start_at_operation_time(Timestamp {
            time: 0,
            increment: 0,
        })
        .await
        .expect("watch")
        .with_type::<RawDocumentBuf>();
    let mut raw = 0;
    for _ in 0..EVENTS {
        let event = stream.next().await.expect("an event").expect("an event");
        raw += event.as_bytes().len();
    }
    raw
}

/// Runs the TUI on `uri` until it received `EVENTS`: its `VmRSS` when it had received a full
/// store's worth, and its `VmHWM` and `VmRSS` at the end.
async fn tui(bin: &str, uri: &str, extra: &[&str], home: &std::path::Path) -> Measured {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 35,
            cols: 120,
            ..PtySize::default()
        })
        .expect("a pty");
    let mut command = CommandBuilder::new(bin);
    command.args([uri, "--ns", "bench.events", "--start-at", "0:0"]);
    command.args(extra);
    command.env("TERM", "xterm-256color");
    command.env("MWATCH_HOME", home);
    let mut child = pair.slave.spawn_command(command).expect("spawn mwatch");
    drop(pair.slave);
    let pid = child.process_id().expect("pid");
    let screen = Arc::new(Mutex::new(vt100::Parser::new(
        NonZeroU16::new(35).expect("rows"),
        NonZeroU16::new(120).expect("cols"),
        0,
    )));
    // Read all along: a terminal nobody reads blocks the writer.
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let parser = screen.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 1 << 14];
        while let Ok(n @ 1..) = reader.read(&mut buffer) {
            parser.lock().expect("screen").process(&buffer[..n]);
        }
    });
    let proc = |name: &str| {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        kilobytes(&text, name)
    };
    let (mut fill_rss, mut last, mut since) = (None, 0, Instant::now());
    loop {
        let received = received(&screen.lock().expect("screen").screen().contents());
        if fill_rss.is_none() && received >= DEFAULT_MAX_EVENTS {
            fill_rss = Some(proc("VmRSS"));
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
            screen.lock().expect("screen").screen().contents()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let measured = Measured {
        hwm: proc("VmHWM"),
        rss: proc("VmRSS"),
        raw: 0,
        fill_rss,
    };
    child.kill().expect("kill mwatch");
    child.wait().expect("wait for mwatch");
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
