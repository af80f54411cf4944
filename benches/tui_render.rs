//! Time to draw one TUI frame at 120x35 with 1,000,000 retained change events of about 350 bytes
//! (inserts, updates with updateDescription, deletes), following the tail, paused in the
//! middle, and with the Diff tab open. Target: median under 2 ms. Also the time `update` takes
//! to ingest the million events; with them retained, how long a key takes to its frame (`g`
//! to the oldest, `G` to the newest, Enter to the detail; target: under 200 ms each); and a
//! search that matches nothing over all of them: Enter to its frame, the longest step (keys
//! wait for it, then for their frame) and the time until every event was looked at, the steps
//! taken back to back as the runtime does, without a frame each. Run:
//! `cargo bench --bench tui_render`.

mod common;

use std::time::{Duration, Instant};

use bson::{doc, oid::ObjectId, DateTime, RawDocumentBuf, Timestamp};
use mwatch::app::msg::{Cmd, Focus, Msg, Tab};
use mwatch::app::state::{Config, State};
use mwatch::app::update::update;
use mwatch::event::{ChangeEvent, OpType};
use mwatch::redact::RedactedUri;
use mwatch::source::connect::{CollectionInfo, DatabaseInfo, Deployment, Destination, Listing};
use mwatch::source::{Scope, SourceMsg, Start, Status, StreamOptions, WatchSpec};
use mwatch::store::EventStore;
use mwatch::ui;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use common::{ms, percentile};

const EVENTS: usize = 1_000_000;
/// Events per `Events` message, like a driver batch.
const BATCH: usize = 1_000;
const FRAMES: usize = 500;
/// The terminal, columns by rows; the state is laid out for the same size.
const SIZE: (u16, u16) = (120, 35);
const COLLECTIONS: [&str; 3] = ["orders", "customers", "inventory"];
/// The wall time of event 0, in milliseconds.
const START: i64 = 1_763_700_000_000;

/// Event `n` of a shop's stream: half inserts, 40% updates (with updateDescription) and 10%
/// deletes, over three collections, one event per millisecond.
fn event(n: usize) -> ChangeEvent {
    let id = ObjectId::new();
    let op = match n % 10 {
        0..=4 => "insert",
        5..=8 => "update",
        _ => "delete",
    };
    let mut event = doc! {
        "_id": { "_data": format!("8265{n:08X}000000012B022C0100296E5A1004{n:08X}46645F69640064{n:08X}0004") },
        "operationType": op,
        "clusterTime": Timestamp { time: (START / 1000) as u32 + (n / 1000) as u32, increment: (n % 1000) as u32 },
        "wallTime": DateTime::from_millis(START + n as i64),
        "ns": { "db": "shop", "coll": COLLECTIONS[n % 3] },
        "documentKey": { "_id": id },
    };
    match op {
        "insert" => event.insert(
            "fullDocument",
            doc! { "_id": id, "orderNo": n as i64, "status": "new", "total": 12.5, "items": 3 },
        ),
        "update" => event.insert(
            "updateDescription",
            doc! {
                "updatedFields": { "status": "paid", "total": 14.0, "paidAt": DateTime::from_millis(START) },
                "removedFields": ["coupon"],
                "truncatedArrays": [],
            },
        ),
        _ => None,
    };
    ChangeEvent::from_raw(RawDocumentBuf::from_document(&event).expect("encode"))
}

fn source(msg: SourceMsg, now: i64) -> Msg {
    Msg::Source { msg, now }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A TUI watching `shop` as `mwatch` starts it, connected, with the listing and the watch
/// confirmed, keeping up to `max_events`.
fn state(max_events: usize) -> State {
    let config = Config {
        deployment: Deployment {
            uri: RedactedUri::new("mongodb://127.0.0.1:27017/?replicaSet=rs0"),
            version: Some("7.0.14".to_string()),
            set_name: Some("rs0".to_string()),
            mongos: false,
        },
        destination: Destination::default(),
        spec: WatchSpec {
            scope: Scope::Database("shop".to_string()),
            pipeline: Vec::new(),
            options: StreamOptions::default(),
            start: Start::Now,
        },
        pipeline_text: "[]".to_string(),
        store: EventStore::new(max_events, usize::MAX),
        now: START,
        size: SIZE,
        recording: None,
    };
    let (mut state, _) = State::new(config);
    let deployment = state.deployment.clone();
    update(
        &mut state,
        Msg::Connected {
            attempt: 1,
            result: Ok(deployment),
        },
    );
    let collections = COLLECTIONS
        .iter()
        .map(|name| CollectionInfo {
            name: name.to_string(),
            view: false,
            images: false,
        })
        .collect();
    update(
        &mut state,
        Msg::Namespaces(Ok(Listing::Listed(vec![DatabaseInfo {
            name: "shop".to_string(),
            collections,
        }]))),
    );
    // The first watch has id 1 (see `State::new`).
    update(&mut state, source(SourceMsg::Started { watch: 1 }, START));
    update(
        &mut state,
        source(
            SourceMsg::Status {
                watch: 1,
                status: Status::Live,
            },
            START,
        ),
    );
    state
}

/// Delivers event `n` (the next one) as it would arrive: one message, at its wall time.
fn arrive(state: &mut State, n: usize) {
    let events = vec![event(n)];
    update(
        state,
        source(SourceMsg::Events { watch: 1, events }, START + n as i64),
    );
}

/// Draws `FRAMES` frames, with one new event arriving before each (the stream keeps flowing,
/// so every frame has something new to draw); prints the median, p90 and max.
fn frames(label: &str, state: &mut State, terminal: &mut Terminal<TestBackend>, next: &mut usize) {
    let mut times = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        arrive(state, *next);
        *next += 1;
        let start = Instant::now();
        terminal.draw(|frame| ui::view(state, frame)).expect("draw");
        times.push(start.elapsed());
    }
    println!(
        "{label:<28} median {:.3} ms   p90 {:.3} ms   max {:.3} ms   ({FRAMES} frames; target: median < 2 ms)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.9)),
        ms(percentile(&times, 1.0))
    );
}

/// `update` for `msg` and the frame that shows it: how long the key waits for the screen.
fn key_to_frame(
    state: &mut State,
    terminal: &mut Terminal<TestBackend>,
    msg: Msg,
) -> (Vec<Cmd>, Duration) {
    let start = Instant::now();
    let cmds = update(state, msg);
    terminal.draw(|frame| ui::view(state, frame)).expect("draw");
    (cmds, start.elapsed())
}

/// With the million events retained: `g`, `G` and Enter, each to its frame (Esc closes the
/// detail again); then a search that matches nothing, step by step as the runtime takes it
/// (each step and the frame after it).
fn big_store(state: &mut State, terminal: &mut Terminal<TestBackend>) {
    for (label, code) in [
        ("g (to the oldest)", KeyCode::Char('g')),
        ("G (to the newest)", KeyCode::Char('G')),
        ("Enter (the detail)", KeyCode::Enter),
        ("Esc (back)", KeyCode::Esc),
        ("Home (to the oldest)", KeyCode::Home),
        ("Enter (the detail)", KeyCode::Enter),
        ("Esc (back)", KeyCode::Esc),
        ("End (to the newest)", KeyCode::End),
    ] {
        let (_, took) = key_to_frame(state, terminal, key(code));
        println!(
            "{} events, {label:<21} {:.2} ms to its frame (target: under 200 ms)",
            state.events.store.event_count(),
            ms(took)
        );
    }
    assert_eq!(state.focus, Focus::Events);

    update(state, key(KeyCode::Char('/')));
    for c in "no-such-text".chars() {
        update(state, key(KeyCode::Char(c)));
    }
    // The steps without frames between them: the runtime draws at most one a frame's time
    // (33 ms), not one a step, so a frame a step would count ~1,000 frames it never draws.
    let start = Instant::now();
    let (mut cmds, first) = key_to_frame(state, terminal, key(KeyCode::Enter));
    let (mut longest, mut steps) = (Duration::ZERO, 0);
    while cmds == [Cmd::ContinueSearch] {
        let step = Instant::now();
        cmds = update(state, Msg::ContinueSearch);
        (longest, steps) = (longest.max(step.elapsed()), steps + 1);
    }
    let total = start.elapsed();
    let frame = Instant::now();
    terminal.draw(|frame| ui::view(state, frame)).expect("draw");
    let last_frame = frame.elapsed();
    assert!(state
        .search
        .as_ref()
        .is_some_and(|s| s.count(&state.events.store) == 0));
    println!(
        "search, no match, {} events: Enter to its frame {:.1} ms; keys wait at most {:.1} ms (the longest step) and then their frame ({:.1} ms); all searched in {:.0} ms ({steps} steps, no frames between)",
        state.events.store.event_count(),
        ms(first),
        ms(longest),
        ms(last_frame),
        ms(total)
    );
}

fn main() {
    let mut state = state(EVENTS);
    // Made beforehand: the figure is update's work, not building BSON.
    let batches: Vec<Vec<ChangeEvent>> = (0..EVENTS)
        .step_by(BATCH)
        .map(|first| (first..first + BATCH).map(event).collect())
        .collect();
    let bytes: usize = batches.iter().flatten().map(ChangeEvent::size).sum();
    let start = Instant::now();
    for (i, events) in batches.into_iter().enumerate() {
        let now = START + (i * BATCH) as i64;
        update(
            &mut state,
            source(SourceMsg::Events { watch: 1, events }, now),
        );
    }
    let ingest = start.elapsed();
    println!(
        "ingest through update: {EVENTS} events of {:.0} bytes on average in {:.2} s = {:.0} events/s",
        bytes as f64 / EVENTS as f64,
        ingest.as_secs_f64(),
        EVENTS as f64 / ingest.as_secs_f64()
    );

    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
    let mut next = EVENTS;
    frames("following the tail:", &mut state, &mut terminal, &mut next);

    // Stop following and select an update in the middle (updates have a Diff to show).
    state.events.move_by(-(EVENTS as isize / 2));
    let store = &state.events.store;
    let update_row = (state.events.selected..)
        .find(|&i| store.event(i).is_some_and(|e| e.op() == OpType::Update))
        .expect("an update");
    state.events.select(update_row);
    frames(
        "paused in the middle:",
        &mut state,
        &mut terminal,
        &mut next,
    );

    update(&mut state, key(KeyCode::Enter));
    update(&mut state, key(KeyCode::Char('2')));
    assert_eq!((state.focus, state.detail.tab), (Focus::Detail, Tab::Diff));
    frames(
        "detail view, Diff tab:",
        &mut state,
        &mut terminal,
        &mut next,
    );
    assert_eq!(state.events.store.len(), EVENTS, "the store stays full");

    update(&mut state, key(KeyCode::Esc));
    big_store(&mut state, &mut terminal);
}
