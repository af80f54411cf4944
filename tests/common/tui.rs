//! The one TUI fixture: states with seeded events and a fixed clock, driven through `update`
//! as the runtime would drive it, and drawn on a `TestBackend`. No terminal, no server.

use bson::{doc, DateTime, Document, Timestamp};
use mwatch::app::msg::{Cmd, Msg, StoreReply};
use mwatch::app::state::{Config, Overlay, Purpose, State};
use mwatch::app::update::update;
use mwatch::bookmarks::Bookmark;
use mwatch::event::{ChangeEvent, OpType};
use mwatch::redact::RedactedUri;
use mwatch::source::connect::{CollectionInfo, DatabaseInfo, Deployment, Destination, Listing};
use mwatch::source::{
    FullDocument, PreImage, Scope, SourceMsg, Start, Status, StreamOptions, WatchSpec,
};
use mwatch::store::{EventStore, Row};
use mwatch_playground::Filter;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::Terminal;

mod sample;
pub use sample::*;

/// What a server sends a watch of `spec` out of `events`: those in its scope, of the kinds its
/// options ask for, that pass its `$match` stages (the only stage the fixture's pipelines have).
fn sent(spec: &WatchSpec, events: Vec<ChangeEvent>) -> Vec<ChangeEvent> {
    let filters: Vec<Filter> = spec
        .pipeline
        .iter()
        .map(|stage| {
            let filter = stage.get_document("$match").expect("a $match stage");
            Filter::parse(filter).unwrap()
        })
        .collect();
    events
        .into_iter()
        .filter(|event| in_scope(&spec.scope, event))
        .filter(|event| spec.options.expanded_events || !expanded(event.op()))
        .filter(|event| filters.iter().all(|f| f.matches_raw(event.raw())))
        .collect()
}

/// The kinds of event only `showExpandedEvents` streams carry.
fn expanded(op: OpType) -> bool {
    matches!(
        op,
        OpType::Create
            | OpType::CreateIndexes
            | OpType::DropIndexes
            | OpType::Modify
            | OpType::ShardCollection
    )
}

fn in_scope(scope: &Scope, event: &ChangeEvent) -> bool {
    let ns = event.namespace().unwrap_or_default();
    match scope {
        Scope::Deployment => true,
        Scope::Database(db) => ns.split('.').next() == Some(db.as_str()),
        Scope::Collection { db, coll } => ns == format!("{db}.{coll}"),
    }
}

/// The deployment's namespaces, as a listing after [`events`] finds them (`scratch` renamed).
pub fn listing() -> Listing {
    let coll = |name: &str, images: bool| CollectionInfo {
        name: name.into(),
        view: false,
        images,
    };
    Listing::Listed(vec![DatabaseInfo {
        name: "shop".into(),
        collections: vec![
            coll("customers", false),
            coll("inventory", false),
            coll("orders", true),
            coll("scratch_old", false),
        ],
    }])
}

/// Performs the namespace listings among `cmds` as the runtime does: the answer comes back
/// as a message.
pub fn answer_listings(state: &mut State, cmds: &[Cmd]) {
    for cmd in cmds {
        if *cmd == Cmd::ListNamespaces {
            update(state, Msg::Namespaces(Ok(listing())));
        }
    }
}

pub fn config(scope: Option<&str>, size: (u16, u16)) -> Config {
    Config {
        deployment: Deployment {
            version: None,
            set_name: None,
            ..deployment()
        },
        destination: Destination {
            hosts: "127.0.0.1:27017".into(),
            timeout: std::time::Duration::from_secs(5),
        },
        spec: WatchSpec {
            scope: Scope::parse(scope.unwrap_or("")).unwrap(),
            pipeline: Vec::new(),
            options: StreamOptions {
                full_document: Some(FullDocument::UpdateLookup),
                pre_image: Some(PreImage::WhenAvailable),
                ..StreamOptions::default()
            },
            start: Start::Now,
        },
        pipeline_text: String::new(),
        store: EventStore::default(),
        now: NOW,
        size,
        recording: None,
    }
}

/// A new state, as the runtime makes it, connected, with the commands it asked for.
pub fn fresh(scope: Option<&str>, size: (u16, u16)) -> (State, Vec<Cmd>) {
    new_connected(config(scope, size))
}

/// `State::new`, then the runtime's answer that it connected to the fixture's deployment;
/// the commands of both.
pub fn new_connected(config: Config) -> (State, Vec<Cmd>) {
    let (mut state, mut cmds) = State::new(config);
    cmds.extend(connected(&mut state, 1));
    (state, cmds)
}

/// The runtime connected for `attempt`: the server answers as the fixture's deployment, at
/// the connection string the state was given.
pub fn connected(state: &mut State, attempt: u64) -> Vec<Cmd> {
    let deployment = Deployment {
        uri: state.deployment.uri.clone(),
        ..deployment()
    };
    update(
        state,
        Msg::Connected {
            attempt,
            result: Ok(deployment),
        },
    )
}

/// The runtime's connection attempt 1 failed with `error`.
pub fn connection_failed(state: &mut State, error: &str) -> Vec<Cmd> {
    update(
        state,
        Msg::Connected {
            attempt: 1,
            result: Err(error.into()),
        },
    )
}

pub fn source(state: &mut State, msg: SourceMsg) -> Vec<Cmd> {
    source_at(state, msg, NOW)
}

/// The server refused `watch` with `error` (its start point lost from the history, or not).
pub fn rejected(state: &mut State, watch: u64, error: &str, history_lost: bool) -> Vec<Cmd> {
    source(
        state,
        SourceMsg::Rejected {
            watch,
            error: error.into(),
            history_lost,
        },
    )
}

/// The bookmark store answers with `list`, nothing to tell.
pub fn stored(state: &mut State, list: Vec<Bookmark>) -> Vec<Cmd> {
    update(
        state,
        Msg::Bookmarks(StoreReply {
            list,
            notice: None,
            unsaved: None,
        }),
    )
}

/// The task says `watch` was invalidated; the invalidate event's token is `token`.
pub fn invalidated(state: &mut State, watch: u64, token: Option<Document>) -> Vec<Cmd> {
    source(
        state,
        SourceMsg::Status {
            watch,
            status: Status::Invalidated { token },
        },
    )
}

/// A left click at `column`, `row`.
pub fn click(state: &mut State, column: u16, row: u16) -> Vec<Cmd> {
    let mouse = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    update(state, Msg::Mouse(mouse))
}

fn source_at(state: &mut State, msg: SourceMsg, now: i64) -> Vec<Cmd> {
    update(state, Msg::Source { msg, now })
}

/// Delivers to the running watch what a server sends it of `events`, as a live stream does:
/// each when it happens.
pub fn arrive(state: &mut State, events: Vec<ChangeEvent>) {
    let watch = state.watch.id;
    for event in sent(&state.watch.spec, events) {
        let now = event.wall_time().unwrap().timestamp_millis();
        let events = vec![event];
        source_at(state, SourceMsg::Events { watch, events }, now);
    }
}

/// At [`NOW`]: the first watch started at [`START`] and is live, the namespaces are listed,
/// the events of its scope arrived as they happened, and the listing they asked for (if any)
/// was answered.
pub fn live(scope: Option<&str>, size: (u16, u16)) -> State {
    let (mut state, cmds) = live_with_commands(scope, size);
    answer_listings(&mut state, &cmds);
    state
}

/// `live`, with the commands of the tick that followed the events, not yet performed.
pub fn live_with_commands(scope: Option<&str>, size: (u16, u16)) -> (State, Vec<Cmd>) {
    let mut config = Config {
        now: START,
        ..config(scope, size)
    };
    // The events include an index build, which only such streams carry.
    config.spec.options.expanded_events = true;
    let (mut state, cmds) = new_connected(config);
    for msg in [
        SourceMsg::Status {
            watch: 1,
            status: Status::Connecting,
        },
        SourceMsg::Started { watch: 1 },
        SourceMsg::Status {
            watch: 1,
            status: Status::Live,
        },
    ] {
        source_at(&mut state, msg, START);
    }
    answer_listings(&mut state, &cmds);
    arrive(&mut state, events());
    let cmds = update(&mut state, Msg::Tick { now: NOW });
    (state, cmds)
}

/// A state watching `shop.orders` through a one-stage pipeline, whose first watch (id 1)
/// runs, on the events pane, with no events yet.
pub fn running() -> State {
    running_on(URI)
}

/// [`running`], connected to `uri`.
pub fn running_on(uri: &str) -> State {
    let config = config(Some("shop.orders"), SIZE);
    let (mut state, _) = new_connected(Config {
        deployment: Deployment {
            uri: RedactedUri::new(uri),
            ..config.deployment
        },
        spec: WatchSpec {
            pipeline: vec![doc! { "$match": { "operationType": "insert" } }],
            ..config.spec
        },
        pipeline_text: "{$match: {operationType: 'insert'}}".into(),
        ..config
    });
    started(&mut state, 1);
    state
}

pub fn started(state: &mut State, watch: u64) -> Vec<Cmd> {
    source(state, SourceMsg::Started { watch })
}

pub fn receive(state: &mut State, watch: u64, events: Vec<ChangeEvent>) {
    source(state, SourceMsg::Events { watch, events });
}

pub fn orders() -> Scope {
    Scope::parse("shop.orders").unwrap()
}

/// The token of the event at `seconds` after [`NOW`], as MongoDB makes them (timestamp first).
pub fn token(seconds: u32) -> Document {
    let time = (NOW / 1000) as u32 + seconds;
    doc! { "_data": format!("82{time:08X}000000012B0229296E04") }
}

/// An insert into `shop.orders` of document `n`, `n` seconds after [`NOW`].
pub fn insert(n: u32) -> ChangeEvent {
    let time = (NOW / 1000) as u32 + n;
    ChangeEvent::from_document(&doc! {
        "_id": token(n),
        "operationType": "insert",
        "clusterTime": Timestamp { time, increment: 1 },
        "wallTime": DateTime::from_millis(i64::from(time) * 1000),
        "ns": { "db": "shop", "coll": "orders" },
        "documentKey": { "_id": n },
        "fullDocument": { "_id": n, "n": n },
    })
    .unwrap()
}

/// A bookmark of `insert(0)`, made on the fixture's deployment by a watch of `shop.orders`
/// with no pipeline, for tests to vary.
pub fn sample(name: &str) -> Bookmark {
    let spec = WatchSpec {
        scope: orders(),
        pipeline: Vec::new(),
        options: StreamOptions::default(),
        start: Start::Now,
    };
    let made = DateTime::from_millis(NOW);
    let bookmark = Bookmark::from_event(&insert(0), &spec, &RedactedUri::new(URI), made).unwrap();
    Bookmark {
        name: name.into(),
        ..bookmark
    }
}

pub fn key_event(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

/// A key that is not a character: arrows, Enter, Tab, ...
pub fn key(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(state, Msg::Key(key_event(code, KeyModifiers::NONE)))
}

/// A letter or symbol key, shifted if it is a capital (as terminals send it).
pub fn press(state: &mut State, c: char) -> Vec<Cmd> {
    let mods = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    update(state, Msg::Key(key_event(KeyCode::Char(c), mods)))
}

pub fn enter(state: &mut State) -> Vec<Cmd> {
    key(state, KeyCode::Enter)
}

pub fn esc(state: &mut State) -> Vec<Cmd> {
    key(state, KeyCode::Esc)
}

pub fn ctrl(state: &mut State, c: char) -> Vec<Cmd> {
    update(
        state,
        Msg::Key(key_event(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

/// Empties the focused one-line input (Ctrl-U).
pub fn clear_input(state: &mut State) {
    ctrl(state, 'u');
}

/// Types `text` into whatever has the keyboard, key by key (`\n` is Enter); a character typed
/// must do nothing but edit. Returns the commands of the last key.
pub fn type_text(state: &mut State, text: &str) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for c in text.chars() {
        cmds = if c == '\n' {
            enter(state)
        } else {
            press(state, c)
        };
        assert!(c == '\n' || cmds.is_empty(), "typing '{c}' did {cmds:?}");
    }
    cmds
}

/// The notice shown, if any, and whether it is an error.
pub fn notice(state: &State) -> Option<(&str, bool)> {
    state.notice.as_ref().map(|n| (n.text.as_str(), n.error))
}

/// The one-line prompt's purpose and text.
pub fn prompt(state: &State) -> Option<(&Purpose, &str)> {
    match &state.overlay {
        Some(Overlay::Prompt(p)) => Some((&p.purpose, p.input.text())),
        _ => None,
    }
}

/// The seam rows' texts, oldest first.
pub fn seams(state: &State) -> Vec<String> {
    state
        .events
        .store
        .iter()
        .filter_map(|row| match row {
            Row::Seam(seam) => Some(seam.text.clone()),
            Row::Event(_) => None,
        })
        .collect()
}

/// The watch a command list starts, with its id.
pub fn watch_cmd(cmds: &[Cmd]) -> (u64, WatchSpec) {
    match cmds {
        [Cmd::Watch { id, spec }] => (*id, (**spec).clone()),
        other => panic!("expected one Watch, got {other:?}"),
    }
}

/// The sizes whole screens are checked at: from a large monitor down to the smallest mwatch
/// draws.
pub const SIZES: [(u16, u16); 4] = [(200, 60), (120, 35), (80, 24), (60, 15)];

/// A snapshot's name: what it shows, at which size.
pub fn sized(what: &str, (width, height): (u16, u16)) -> String {
    format!("{what}_{width}x{height}")
}

/// The screen as text, one line per row, trailing spaces trimmed. No screen may show the
/// fixture's password (the title bar names the deployment), so every test that reads one
/// checks that too.
pub fn screen(state: &State) -> String {
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| mwatch::ui::view(state, frame))
        .unwrap();
    let text = buffer_text(terminal.backend().buffer());
    assert!(!text.contains(PASSWORD), "{text}");
    text
}

/// A drawn buffer as text, one line per row, trailing spaces trimmed.
pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut text = String::new();
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
