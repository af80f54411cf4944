//! `w`: the event written to a file the user names; a file that exists is not replaced unless
//! the user says so, and a new name can be given instead.

use std::path::PathBuf;

use crate::common;

use common::tui::*;
use mwatch::app::msg::{Cmd, Msg};
use mwatch::app::state::{Overlay, Purpose};
use mwatch::app::update::update;

/// `w`, the name typed, Enter: the command asked for.
fn write_as(state: &mut mwatch::app::state::State, name: &str) -> Cmd {
    press(state, 'w');
    clear_input(state);
    type_text(state, name);
    match &enter(state)[..] {
        [cmd] => cmd.clone(),
        other => panic!("one command expected: {other:?}"),
    }
}

#[test]
fn an_existing_file_asks_whether_to_overwrite_or_take_another_name() {
    let mut state = live(Some("shop.orders"), SIZE);
    let Cmd::WriteFile {
        path,
        contents,
        overwrite,
    } = write_as(&mut state, "~/out.json")
    else {
        panic!("a write")
    };
    assert_eq!((path.to_str(), overwrite), (Some("~/out.json"), false));

    // The runtime found the file there: it says where, and keeps what was typed.
    let absolute = PathBuf::from("/home/ann/out.json");
    update(
        &mut state,
        Msg::FileExists {
            typed: "~/out.json".into(),
            path: absolute.clone(),
            contents: contents.clone(),
        },
    );
    let screen = screen(&state);
    assert!(
        screen.contains("/home/ann/out.json exists"),
        "the question says which file:\n{screen}"
    );
    assert!(screen.contains("[y] yes  [n/Esc] no"), "{screen}");
    assert_eq!(
        press(&mut state, 'y'),
        [Cmd::WriteFile {
            path: absolute.clone(),
            contents: contents.clone(),
            overwrite: true,
        }]
    );
    assert!(state.overlay.is_none());

    // n (or Esc): the prompt again, with the name to edit.
    update(
        &mut state,
        Msg::FileExists {
            typed: "~/out.json".into(),
            path: absolute,
            contents: contents.clone(),
        },
    );
    assert!(press(&mut state, 'n').is_empty());
    let asked = Purpose::WriteEvent { contents };
    assert_eq!(prompt(&state), Some((&asked, "~/out.json")));
    type_text(&mut state, "2");
    match &enter(&mut state)[..] {
        [Cmd::WriteFile {
            path, overwrite, ..
        }] => assert_eq!((path.to_str(), *overwrite), (Some("~/out.json2"), false)),
        other => panic!("{other:?}"),
    }
    assert!(!matches!(state.overlay, Some(Overlay::Prompt(_))));
}

#[test]
fn a_long_path_wraps_in_the_question_on_a_small_screen() {
    let mut state = live(Some("shop.orders"), (60, 15));
    let path = PathBuf::from(format!("/tmp/{}/event.json", "deep/".repeat(30)));
    update(
        &mut state,
        Msg::FileExists {
            typed: path.display().to_string(),
            path,
            contents: "{}\n".into(),
        },
    );
    let screen = screen(&state);
    assert!(
        screen.contains("json exists."),
        "the path wraps, whole: {screen}"
    );
    assert!(screen.contains("[y] yes  [n/Esc] no"), "{screen}");
}

/// The event written is the one `w` named, though newer events move the followed selection
/// while the name is typed, and again after "another name".
#[test]
fn the_event_written_is_the_one_selected_at_w() {
    let mut state = running();
    receive(&mut state, 1, vec![insert(1)]);
    assert!(state.events.follow);
    press(&mut state, 'w');
    let named = prompt(&state).map(|(_, name)| name.to_string());
    receive(&mut state, 1, vec![insert(2)]);
    let [Cmd::WriteFile { contents, .. }] = &enter(&mut state)[..] else {
        panic!("a write")
    };
    let contents = contents.clone();
    assert!(
        contents.contains("\"n\": 1") && !contents.contains("\"n\": 2"),
        "the event of {named:?}: {contents}"
    );

    update(
        &mut state,
        Msg::FileExists {
            typed: "out.json".into(),
            path: PathBuf::from("/tmp/out.json"),
            contents: contents.clone(),
        },
    );
    press(&mut state, 'n');
    receive(&mut state, 1, vec![insert(3)]);
    type_text(&mut state, "2");
    let [Cmd::WriteFile {
        contents: again, ..
    }] = &enter(&mut state)[..]
    else {
        panic!("a write")
    };
    assert_eq!(again, &contents, "another name, the same event");
}
