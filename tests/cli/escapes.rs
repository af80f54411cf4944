//! Text from files and servers reaches the terminal with its control characters escaped: a
//! bookmark file's fields, a hostile host name, a namespace flag. Nothing printed may move the
//! cursor, clear the screen or retitle the terminal.

use crate::common;

use bson::{doc, DateTime, Timestamp};
use common::cli::run;
use common::home::Home;
use mwatch::bookmarks::Bookmark;
use mwatch::event::ChangeEvent;
use mwatch::redact::RedactedUri;
use mwatch::source::{Scope, Start, StreamOptions, WatchSpec};

/// A screen clear, a title change, a bell, a carriage return and an 8-bit CSI.
const HOSTILE: &str = "\x1b[2J\x1b]0;pwned\x07\r\u{9b}31m";

/// The control characters of `text` but its line ends.
fn controls(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect()
}

/// A bookmark whose every text field carries [`HOSTILE`].
fn hostile() -> Bookmark {
    let event = ChangeEvent::from_document(&doc! {
        "_id": { "_data": "82000000010000000" },
        "operationType": format!("update{HOSTILE}"),
        "clusterTime": Timestamp { time: 1_764_000_000, increment: 1 },
        "wallTime": DateTime::from_millis(1_764_000_000_000),
        "ns": { "db": "shop", "coll": format!("orders{HOSTILE}") },
        "documentKey": { "_id": format!("k{HOSTILE}") },
    })
    .unwrap();
    let spec = WatchSpec {
        scope: Scope::Collection {
            db: "shop".into(),
            coll: "orders".into(),
        },
        pipeline: vec![doc! { "$match": { "note": HOSTILE } }],
        options: StreamOptions::default(),
        start: Start::Now,
    };
    let uri = RedactedUri::new(&format!("mongodb://evil{HOSTILE}:27017/"));
    let mut bookmark =
        Bookmark::from_event(&event, &spec, &uri, DateTime::from_millis(1_000)).unwrap();
    bookmark.name = "hostile".into();
    bookmark.note = format!("note{HOSTILE}");
    bookmark
}

#[tokio::test]
async fn an_imported_bookmark_file_prints_escaped() {
    let (from, to) = (Home::new(), Home::new());
    from.store().add(hostile()).unwrap();
    let file = from.dir.path().join("hostile.json");
    let file = file.to_str().unwrap();
    let (code, _, stderr) = from.run(&["bookmarks", "export", file]).await;
    assert_eq!(code, 0, "{stderr}");
    // A name with control characters is refused, saying so escaped.
    let exported = std::fs::read_to_string(file).unwrap();
    let bad_name = serde_json::to_string(&format!("name{HOSTILE}")).unwrap();
    let renamed = from.dir.path().join("renamed.json");
    std::fs::write(&renamed, exported.replace("\"hostile\"", &bad_name)).unwrap();
    let (code, _, stderr) = to
        .run(&["bookmarks", "import", renamed.to_str().unwrap()])
        .await;
    assert_ne!(code, 0);
    assert_eq!(controls(&stderr), "", "{stderr:?}");

    let (code, stdout, stderr) = to.run(&["bookmarks", "import", file]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(controls(&stdout), "", "{stdout:?}");

    let (code, stdout, stderr) = to.run(&["bookmarks", "list"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(controls(&stdout), "", "{stdout:?}");
    for field in ["note", "update", "orders", "k"] {
        assert!(
            stdout.contains(&format!("{field}\\u001b[2J")),
            "{field}: {stdout}"
        );
    }

    // JSON keeps its escapes (serde_json leaves DEL and C1 as they are) and stays JSON.
    for args in [
        &["bookmarks", "list", "--json"][..],
        &["bookmarks", "export"],
    ] {
        let (code, stdout, stderr) = to.run(args).await;
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(controls(&stdout), "", "{args:?}: {stdout:?}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(json.to_string().contains("note\\u001b[2J"), "{json}");
    }

    let name = to.names().remove(0);
    let (code, stdout, stderr) = to.run(&["bookmarks", "show", &name]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(controls(&stdout), "", "{stdout:?}");
    for field in ["note", "update", "orders", "evil", "k"] {
        assert!(
            stdout.contains(&format!("{field}\\u001b[2J")),
            "{field}: {stdout}"
        );
    }
    assert!(stdout.contains("\\u009b31m"), "{stdout}");

    // A name not found is echoed in the error.
    let (code, _, stderr) = to.run(&["bookmarks", "show", &format!("x{HOSTILE}")]).await;
    assert_ne!(code, 0);
    assert_eq!(controls(&stderr), "", "{stderr:?}");
    let (code, stdout, stderr) = to.run(&["bookmarks", "rm", &name]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(controls(&stdout), "", "{stdout:?}");
}

#[tokio::test]
async fn a_hostile_host_name_is_reported_escaped() {
    let uri = format!("mongodb://{HOSTILE}evil:1/");
    let (code, _, stderr) = run(&[&uri, "--json"]).await;
    assert_ne!(code, 0);
    assert_eq!(controls(&stderr), "", "{stderr:?}");
    // The driver lowercases the host.
    assert!(stderr.contains("\\u001b[2j"), "{stderr}");
}

#[tokio::test]
async fn a_namespace_flag_is_echoed_escaped() {
    for ns in [format!("shop.{HOSTILE}"), format!("sh op{HOSTILE}.x")] {
        let (code, _, stderr) = run(&["mongodb://127.0.0.1:1", "--json", "--ns", &ns]).await;
        assert_ne!(code, 0);
        assert_eq!(controls(&stderr), "", "{ns:?}: {stderr:?}");
    }
}

#[tokio::test]
async fn a_message_of_several_lines_keeps_them() {
    let home = Home::new();
    std::fs::write(home.file(), format!("not json{HOSTILE}\n")).unwrap();
    let (code, _, stderr) = home.run(&["bookmarks", "list"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(controls(&stderr), "", "{stderr:?}");
    assert!(stderr.contains("\nmwatch moved it to "), "{stderr}");
    assert!(!stderr.contains("\\n"), "{stderr}");
}

#[tokio::test]
async fn a_note_reordering_text_prints_escaped() {
    let home = Home::new();
    let mut bookmark = hostile();
    bookmark.note = "total \u{202E}0001\u{202C} due".into();
    home.store().add(bookmark).unwrap();
    let (code, stdout, stderr) = home.run(&["bookmarks", "list"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains('\u{202E}'), "{stdout}");
    assert!(stdout.contains("total \\u202e0001\\u202c due"), "{stdout}");
}
