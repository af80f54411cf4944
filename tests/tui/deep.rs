//! Events nested deeper than anything walks them (a hostile server can send any depth, a real
//! one about 100 levels): every tab of the detail, the search, copying and writing the event
//! show or refuse them, saying where they stopped, and nothing overflows the stack.

use crate::common;

use common::tui::*;
use mwatch::app::detail::{content, Context};
use mwatch::app::msg::{Cmd, Msg, Tab};
use mwatch::app::state::State;
use mwatch::app::update::update;
use mwatch::event::ChangeEvent;
use mwatch::nesting::{MARKER, MAX_DEPTH};
use mwatch_testkit::{deep, Rng};

/// Depths of documents in an event past the limit: just past it (a walk from the document
/// follows [`MAX_DEPTH`] levels of it), and what only a hostile server sends.
const DEPTHS: [usize; 3] = [MAX_DEPTH + 1, 10_000, 100_000];

/// A live state whose newest event is `event`, shown in the detail.
fn showing(event: bson::RawDocumentBuf) -> State {
    let mut state = live(Some("shop.orders"), SIZE);
    let watch = state.watch.id;
    receive(&mut state, watch, vec![ChangeEvent::from_raw(event)]);
    enter(&mut state);
    state
}

/// All the lines of `tab` for the selected event, as text.
fn lines(state: &State, tab: Tab) -> Vec<String> {
    let event = state.events.selected_event().unwrap();
    content(event, tab, Context::of(state), usize::MAX)
        .iter()
        .map(|line| line.text())
        .collect()
}

#[test]
fn every_tab_of_a_deep_event_draws_and_marks_where_it_stops() {
    for depth in DEPTHS {
        let mut state = showing(deep::update(depth));
        for (key, tab) in [
            ('1', Tab::Event),
            ('2', Tab::Diff),
            ('3', Tab::FullDocument),
            ('4', Tab::PreImage),
        ] {
            press(&mut state, key);
            let screen = screen(&state);
            assert!(screen.contains(" Detail"), "{depth} {tab:?}: {screen}");
            // The diff says where it stopped by the path of its change (below).
            if tab != Tab::Diff {
                let lines = lines(&state, tab);
                assert!(
                    lines.iter().any(|line| line.contains(MARKER)),
                    "{depth} {tab:?}: {lines:?}"
                );
            }
        }
    }
}

#[test]
fn the_diff_of_deep_images_names_the_level_it_stopped_at() {
    let mut state = showing(deep::update(10_000));
    press(&mut state, '2');
    let lines = lines(&state, Tab::Diff);
    // The images differ at their bottom, past the limit: one change, at the level where the
    // diff stopped, of the values below it compared whole.
    assert_eq!(lines.len(), 2, "{lines:?}");
    let path = lines[1].trim_start_matches("~ ").split(':').next().unwrap();
    assert_eq!(path.split('.').count(), MAX_DEPTH + 1, "{path}");
}

#[test]
fn a_search_of_deep_events_ends() {
    for depth in DEPTHS {
        let mut state = showing(deep::insert(depth));
        press(&mut state, '/');
        type_text(&mut state, "no-such-text");
        let mut cmds = enter(&mut state);
        let mut steps = 0;
        while cmds == [Cmd::ContinueSearch] {
            cmds = update(&mut state, Msg::ContinueSearch);
            steps += 1;
            assert!(steps < 100, "the search ends");
        }
        let screen = screen(&state);
        assert!(screen.contains(" Detail"), "{screen}");
    }
}

#[test]
fn a_deep_event_is_not_copied_or_written_but_said_why() {
    for depth in DEPTHS {
        let mut state = showing(deep::insert(depth));
        assert!(press(&mut state, 'y').is_empty());
        let (text, warning) = notice(&state).unwrap();
        assert!(warning && text.contains("nested deeper than"), "{text}");
        press(&mut state, 'w');
        let (text, warning) = notice(&state).unwrap();
        assert!(warning && text.contains("nested deeper than"), "{text}");
        assert!(prompt(&state).is_none());
    }
}

#[test]
fn an_event_as_deep_as_mongodb_allows_is_copied_and_written() {
    // The event is one level, its fullDocument the rest.
    let mut state = showing(deep::insert(MAX_DEPTH - 1));
    match &press(&mut state, 'y')[..] {
        [Cmd::Copy(json)] => assert!(json.contains(r#"{"d":{"d":"#), "{json}"),
        other => panic!("{other:?}"),
    }
    press(&mut state, 'w');
    assert!(prompt(&state).is_some());
}

#[test]
fn a_deep_resume_token_is_no_bookmark() {
    for depth in DEPTHS {
        let mut state = showing(deep::token(depth));
        assert!(screen(&state).contains(" Detail"));
        assert!(press(&mut state, 'b').is_empty());
        assert!(notice(&state).is_some_and(|(_, warning)| warning));
    }
}

const KEYS: [&str; 7] = ["_id", "a", "", "a.b", "k\x1b[2J\x07", "é😀", "$x"];

/// A random value: scalars of many kinds (control characters in strings too) or, while
/// `depth` lasts, documents, arrays and code with scope holding more.
fn value(rng: &mut Rng, depth: usize) -> bson::RawBson {
    use bson::{RawArrayBuf, RawBson, RawJavaScriptCodeWithScope, Regex};
    // Far from the bottom the spine always goes on, so that the depth asked for is reached.
    let container = depth > 4 || (depth > 0 && rng.below(3) > 0);
    match (container, rng.below(8)) {
        (true, 0..=4) => RawBson::Document(document(rng, depth - 1)),
        (true, 5 | 6) => {
            let mut array = RawArrayBuf::new();
            array.push(value(rng, depth - 1));
            array.push(value(rng, 0));
            RawBson::Array(array)
        }
        (true, _) => RawBson::JavaScriptCodeWithScope(RawJavaScriptCodeWithScope {
            code: "f\x07".into(),
            scope: document(rng, depth - 1),
        }),
        (false, 0) => RawBson::Int32(rng.next_u64() as i32),
        (false, 1) => RawBson::Double(f64::from_bits(rng.next_u64())),
        (false, 2) => RawBson::String(format!("s\x1b[31m{}\r", rng.below(100))),
        (false, 3) => RawBson::RegularExpression(Regex {
            pattern: "a\x1b".into(),
            options: "i".into(),
        }),
        (false, 4) => RawBson::DateTime(bson::DateTime::from_millis(rng.next_u64() as i64)),
        (false, 5) => RawBson::Null,
        (false, 6) => RawBson::Int64(rng.next_u64() as i64),
        (false, _) => RawBson::Boolean(true),
    }
}

/// A random document `depth` levels deep at most: one field goes on down, the others branch
/// only near the bottom, so that the size stays small.
fn document(rng: &mut Rng, depth: usize) -> bson::RawDocumentBuf {
    let mut doc = bson::RawDocumentBuf::new();
    for i in 0..rng.below(3) + 1 {
        let key = KEYS[rng.below(KEYS.len())];
        let below = if i == 0 || depth < 4 { depth } else { 0 };
        doc.append(key, value(rng, below));
    }
    doc
}

/// Random events, nested up to past the limit, some with bytes flipped inside, through every
/// view: each tab of the detail (whose lines never hold a control character), the search,
/// and Extended JSON (refused exactly when too deep). None may panic or overflow.
#[test]
fn random_events_go_through_every_view() {
    use mwatch::app::search::{field, Needle};
    use mwatch::format::json_line;
    use mwatch::nesting::within_limit;
    use mwatch::source::StreamOptions;

    let options = StreamOptions::default();
    let context = Context {
        options: &options,
        images_enabled: true,
        width: 80,
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut too_deep = 0;
    for case in 0..400 {
        let depth = [3, 20, MAX_DEPTH - 2, MAX_DEPTH + 5][case % 4];
        let mut event = deep::bare_update();
        let full = document(&mut rng, depth);
        event.append("fullDocumentBeforeChange", document(&mut rng, depth));
        event.append("fullDocument", full.clone());
        let mut bytes = event.into_bytes();
        if case % 3 == 0 {
            // Inside the outer frame: the event stays a document, its fields may not.
            for _ in 0..3 {
                let at = 4 + rng.below(bytes.len() - 5);
                bytes[at] = rng.next_u64() as u8;
            }
        }
        let Ok(raw) = bson::RawDocumentBuf::from_bytes(bytes) else {
            continue;
        };
        let event = ChangeEvent::from_raw(raw);
        if case % 3 != 0 {
            let shown = event.raw().get_document("fullDocument").unwrap();
            assert_eq!(shown.as_bytes(), full.as_bytes(), "case {case}");
        }
        for tab in [Tab::Event, Tab::Diff, Tab::FullDocument, Tab::PreImage] {
            for line in content(&event, tab, context, 2_000) {
                let text = line.text();
                assert!(!text.contains(char::is_control), "case {case}: {text:?}");
            }
        }
        for needle in ["a", "2J", "zz"] {
            let _ = field(&event, &Needle::new(needle));
        }
        let json = json_line(&event, true);
        assert_eq!(json.is_ok(), within_limit(event.raw()), "case {case}");
        too_deep += usize::from(json.is_err());
    }
    assert!(too_deep >= 50, "{too_deep} cases past the limit");
}
