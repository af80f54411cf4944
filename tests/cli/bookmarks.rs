//! Bookmarks: the store keeps what it is given (and nothing it must not), and the
//! `mwatch bookmarks` commands show and move it.

use crate::common;

use std::fs;

use common::home::Home;

use bson::{doc, DateTime, Timestamp};
use mwatch::bookmarks::{Bookmark, BookmarkStore, StoreError};
use mwatch::event::ChangeEvent;
use mwatch::redact::RedactedUri;
use mwatch::source::{FullDocument, Scope, Start, StreamOptions, WatchSpec};

fn spec() -> WatchSpec {
    WatchSpec {
        scope: Scope::Collection {
            db: "shop".into(),
            coll: "orders".into(),
        },
        pipeline: vec![doc! { "$match": { "fullDocument.total": { "$gt": 10_i64 } } }],
        options: StreamOptions {
            full_document: Some(FullDocument::UpdateLookup),
            collation: Some(doc! { "locale": "en", "strength": 2 }),
            ..StreamOptions::default()
        },
        start: Start::Now,
    }
}

/// A bookmark of an event shaped like MongoDB's, at cluster time `time`:1.
fn bookmark_at(time: u32, uri: &str) -> Bookmark {
    let event = ChangeEvent::from_document(&doc! {
        "_id": { "_data": format!("82{time:08X}000000012B022C0100296E5A1004AB11") },
        "operationType": "update",
        "clusterTime": Timestamp { time, increment: 1 },
        "wallTime": DateTime::from_millis(i64::from(time) * 1000 + 250),
        "ns": { "db": "shop", "coll": "orders" },
        "documentKey": { "_id": 7_i64 },
    })
    .unwrap();
    Bookmark::from_event(
        &event,
        &spec(),
        &RedactedUri::new(uri),
        DateTime::from_millis(1_000),
    )
    .unwrap()
}

fn bookmark(time: u32) -> Bookmark {
    bookmark_at(time, "mongodb://127.0.0.1:27017/?replicaSet=rs0")
}

pub(super) fn named(name: &str, time: u32) -> Bookmark {
    Bookmark {
        name: name.into(),
        ..bookmark(time)
    }
}

#[test]
fn the_store_keeps_every_field_sorted_by_cluster_time() {
    let home = Home::new();
    let mut store = home.store();
    let late = Bookmark {
        note: "after the deploy".into(),
        invalidate: true,
        ..named("late", 300)
    };
    for bookmark in [late.clone(), named("early", 100), named("middle", 200)] {
        store.add(bookmark).unwrap();
    }
    let reopened = home.store();
    assert_eq!(home.names(), ["early", "middle", "late"]);
    assert_eq!(reopened.get("late"), Some(&late));
    assert_eq!(reopened.list(), store.list());
    let early = reopened.get("early").unwrap();
    // Canonical Extended JSON keeps every type: the pipeline's long stays a long.
    assert_eq!(early.pipeline, spec().pipeline);
    assert_eq!(early.options, spec().options);
    assert_eq!(early.document_key, Some(doc! { "_id": 7_i64 }));

    store.rename("middle", "before the fix").unwrap();
    let removed = store.remove("early").unwrap();
    assert_eq!(removed.name, "early");
    assert_eq!(home.names(), ["before the fix", "late"]);
    // The version before the last change is kept.
    let backup = BookmarkStore::open(home.dir.path().join("bookmarks.json.bak"));
    assert_eq!(
        backup.list().iter().map(|b| &b.name).collect::<Vec<_>>(),
        ["early", "before the fix", "late"]
    );
}

#[test]
fn names_are_unique() {
    let home = Home::new();
    let mut store = home.store();
    let first = bookmark(100);
    assert_eq!(first.name, "shop.orders@1970-01-01T00:01:40Z");
    assert_eq!(store.add(first.clone()).unwrap(), first.name);
    assert_eq!(
        store.add(first.clone()).unwrap(),
        format!("{}#2", first.name)
    );
    store.add(named("fix", 5)).unwrap();
    assert_eq!(
        store.add(named("fix", 6)),
        Err(StoreError::NameTaken("fix".into()))
    );
    assert_eq!(
        store.rename("fix", &first.name),
        Err(StoreError::NameTaken(first.name.clone()))
    );
    assert!(matches!(
        store.add(named(" padded", 7)),
        Err(StoreError::BadName(_))
    ));
    let error = store.remove("fx").unwrap_err();
    assert_eq!(
        error.to_string(),
        "no bookmark is named 'fx'; did you mean 'fix'?"
    );
    // Another process's change is not undone by a store opened before it.
    home.store().add(named("elsewhere", 9)).unwrap();
    store.remove("fix").unwrap();
    assert!(home.names().contains(&"elsewhere".to_string()));
}

#[tokio::test]
async fn no_password_reaches_the_store_or_the_screen() {
    let home = Home::new();
    let secret = "s3cr3t-p4ss";
    let uri = format!("mongodb://ann:{secret}@127.0.0.1:27017/?replicaSet=rs0");
    let with_password = Bookmark {
        name: "prod".into(),
        ..bookmark_at(2, &uri)
    };
    home.store().add(with_password).unwrap();
    assert!(!fs::read_to_string(home.file()).unwrap().contains(secret));
    for args in [
        &["bookmarks", "show", "prod"][..],
        &["bookmarks", "list", "--json"],
    ] {
        let (code, stdout, stderr) = home.run(args).await;
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("ann:****@127.0.0.1"), "{stdout}");
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    // Its deployment no longer connects as saved: mwatch asks for the connection string.
    let (code, _, stderr) = home.run(&["--json", "--resume", "prod"]).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("give that connection string"), "{stderr}");
}

/// A password written into `bookmarks.json` by hand (or by another tool) is hidden as the file
/// is read: on screen, in exports, and in the file once mwatch writes it again.
#[tokio::test]
async fn a_password_put_in_the_file_by_hand_is_hidden_when_read() {
    let home = Home::new();
    home.store().add(named("prod", 2)).unwrap();
    home.store().add(named("other", 3)).unwrap();
    let secret = "h4nd-3dited";
    let saved = fs::read_to_string(home.file()).unwrap();
    let edited = saved.replace(
        "mongodb://127.0.0.1:27017",
        &format!("mongodb://ann:{secret}@127.0.0.1:27017"),
    );
    assert_ne!(edited, saved, "the fixture's deployment is in the file");
    fs::write(home.file(), edited).unwrap();
    let export = home.file().with_file_name("export.json");
    for args in [
        &["bookmarks", "show", "prod"][..],
        &["bookmarks", "list"],
        &["bookmarks", "list", "--json"],
        &["bookmarks", "export", export.to_str().unwrap()],
        // Deleting another bookmark writes the file again.
        &["bookmarks", "rm", "other"],
    ] {
        let (code, stdout, stderr) = home.run(args).await;
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{args:?}: {stdout}"
        );
    }
    let (_, shown, _) = home.run(&["bookmarks", "show", "prod"]).await;
    assert!(
        shown.contains("mongodb://ann:****@127.0.0.1:27017"),
        "{shown}"
    );
    assert!(!fs::read_to_string(&export).unwrap().contains(secret));
    assert!(!fs::read_to_string(home.file()).unwrap().contains(secret));
}

/// A password in a file to import is removed before the bookmark is stored: the store file,
/// `show` and `list` never hold it.
#[tokio::test]
async fn a_password_in_an_imported_file_is_not_stored() {
    let home = Home::new();
    let secret = "Sup3rS3cretPw";
    let file = home.dir.path().join("import.json");
    let bookmark = r#"{"name": "pw", "token": {"_data": "8200000001000000012B0229296E04"}, "ns": "shop.orders", "deployment": "mongodb://ann:SECRET@db1:27017/"}"#;
    fs::write(&file, format!("[{}]", bookmark.replace("SECRET", secret))).unwrap();
    let (code, stdout, stderr) = home
        .run(&["bookmarks", "import", file.to_str().unwrap()])
        .await;
    assert_eq!((code, stdout.as_str()), (0, "added    pw\n"), "{stderr}");
    assert!(!fs::read_to_string(home.file()).unwrap().contains(secret));
    for args in [
        &["bookmarks", "show", "pw"][..],
        &["bookmarks", "list"],
        &["bookmarks", "list", "--json"],
    ] {
        let (code, stdout, stderr) = home.run(args).await;
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{stdout}"
        );
    }
    let (_, shown, _) = home.run(&["bookmarks", "show", "pw"]).await;
    assert!(shown.contains("mongodb://ann:****@db1:27017/"), "{shown}");
}

#[tokio::test]
async fn list_json_gives_scripts_the_token_and_what_was_watched() {
    let home = Home::new();
    home.store().add(named("b", 200)).unwrap();
    home.store().add(named("a", 100)).unwrap();
    let (code, stdout, stderr) = home.run(&["bookmarks", "list", "--json"]).await;
    assert_eq!(code, 0, "{stderr}");
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let first = &list[0];
    assert_eq!(first["name"], "a");
    assert_eq!(
        first["token"]["_data"],
        "8200000064000000012B022C0100296E5A1004AB11"
    );
    assert_eq!(first["ns"], "shop.orders");
    assert_eq!(
        first["pipeline"][0]["$match"]["fullDocument.total"]["$gt"]["$numberLong"],
        "10"
    );
    assert_eq!(first["cluster_time"]["$timestamp"]["t"], 100);
    assert_eq!(list[1]["name"], "b");

    let (code, stdout, _) = home.run(&["bookmarks", "list"]).await;
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(
            "1970-01-01T00:01:40Z  a  update shop.orders {\"_id\":7}\n1970-01-01T00:03:20Z  b  "
        ),
        "{stdout}"
    );
    let (code, stdout, _) = home.run(&["bookmarks", "show", "a"]).await;
    assert_eq!(code, 0);
    assert!(
        stdout.contains("cluster time: 100:1 (1970-01-01T00:01:40Z)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("options:      {\"fullDocument\":\"updateLookup\","),
        "{stdout}"
    );
}

#[tokio::test]
async fn unknown_names_are_usage_errors_with_close_names() {
    let home = Home::new();
    home.store().add(named("before-fix", 1)).unwrap();
    for args in [
        &["bookmarks", "show", "befor-fix"][..],
        &["bookmarks", "rm", "befor-fix"],
        &["--json", "--resume", "befor-fix"],
    ] {
        let (code, _, stderr) = home.run(args).await;
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("did you mean 'before-fix'?"), "{stderr}");
    }
    let (code, stdout, _) = home.run(&["bookmarks", "rm", "before-fix"]).await;
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("removed bookmark 'before-fix'"),
        "{stdout}"
    );
    assert!(home.names().is_empty());
}

#[tokio::test]
async fn export_and_import_move_bookmarks_between_stores() {
    let (from, to) = (Home::new(), Home::new());
    from.store().add(named("same", 1)).unwrap();
    from.store().add(named("clash", 2)).unwrap();
    from.store().add(named("new", 3)).unwrap();
    to.store().add(named("same", 1)).unwrap();
    to.store().add(named("clash", 9)).unwrap();

    let file = from.dir.path().join("out.json");
    let file_arg = file.to_str().unwrap();
    let (code, _, stderr) = from.run(&["bookmarks", "export", file_arg]).await;
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = from.run(&["bookmarks", "export", file_arg]).await;
    assert_eq!(code, 2, "an existing file is not overwritten");
    assert!(stderr.contains("already exists"), "{stderr}");
    let (_, stdout, _) = from.run(&["bookmarks", "export"]).await;
    assert_eq!(stdout, fs::read_to_string(&file).unwrap());

    let (code, stdout, stderr) = to.run(&["bookmarks", "import", file_arg]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "added    new\nadded    clash#2  (the name 'clash' was taken)\nskipped  same  (already there)\n"
    );
    assert_eq!(to.names(), ["same", "clash#2", "new", "clash"]);

    // A broken file to import says where, and changes nothing.
    let bad = to.dir.path().join("bad.json");
    fs::write(
        &bad,
        "[{\"name\": \"x\", \"token\": {\"_data\": \"82\"}, \"ns\": \"a b\"}]",
    )
    .unwrap();
    let (code, _, stderr) = to
        .run(&["bookmarks", "import", bad.to_str().unwrap()])
        .await;
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("{}:1:", bad.display())) && stderr.contains("contains a space"),
        "{stderr}"
    );
    assert_eq!(to.names().len(), 4);

    // A pipeline is checked as --pipeline checks it: a change stream takes no $out.
    let exported = fs::read_to_string(&file).unwrap();
    let out = exported.replacen(
        "\"pipeline\": [",
        "\"pipeline\": [{\"$out\": \"copy\"}, ",
        1,
    );
    assert_ne!(out, exported, "the export has a pipeline");
    fs::write(&bad, out).unwrap();
    let (code, _, stderr) = to
        .run(&["bookmarks", "import", bad.to_str().unwrap()])
        .await;
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "{}: the pipeline of bookmark 'same': ",
            bad.display()
        )) && stderr.contains("$out"),
        "{stderr}"
    );
    assert_eq!(to.names().len(), 4);
}
