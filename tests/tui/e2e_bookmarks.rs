//! End to end, through a pseudo-terminal: bookmark an event in the real TUI, quit, and replay
//! the bookmark with `mwatch --json --resume NAME`: exactly the events after it come back.

use crate::common;

use std::time::Duration;

use bson::{doc, Document};
use common::cli::{json_lines, tokens};
use common::home::Home;
use common::pty::{Tui, ENTER, UP};
use common::streams::next_events;
use mongodb::Collection;
use mwatch_playground::Config;

const SCREEN: Duration = Duration::from_secs(20);

/// Inserts document `n` into `coll` and waits for the TUI to show it.
async fn insert_shown(coll: &Collection<Document>, tui: &mut Tui, n: i32) {
    coll.insert_one(doc! { "_id": n, "n": n }).await.unwrap();
    tui.wait_for(&format!("{{ n: {n} }}"), SCREEN);
}

/// Bookmarks the selected event under its default name, which starts with `ns@`.
pub(crate) fn bookmark_selected(tui: &mut Tui, ns: &str) {
    tui.send("b");
    tui.wait_for(&format!("bookmark name: {ns}@"), SCREEN);
    tui.send(ENTER);
    tui.wait_for("note (optional):", SCREEN);
    tui.send(ENTER);
    tui.wait_for(&format!("bookmarked as '{ns}@"), SCREEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_bookmarked_in_the_tui_replays_from_the_command_line() {
    let (server, client) = common::setup().await;
    let uri = server.uri();
    let orders = client.database("e2e").collection::<Document>("orders");
    // What the stream really holds, to compare with.
    let mut stream = orders.watch().await.unwrap().with_type::<Document>();
    let home = Home::new();

    let mut tui = home.tui(&["--ns", "e2e.orders", &uri]);
    tui.wait_for("● live", SCREEN);
    for n in 1..=3 {
        orders.insert_one(doc! { "_id": n, "n": n }).await.unwrap();
    }
    tui.wait_for("{ n: 3 }", SCREEN);
    // The list follows the newest event: one up is the second insert.
    tui.send(UP);
    bookmark_selected(&mut tui, "e2e.orders");
    tui.send("q");
    assert_eq!(tui.wait_exit(SCREEN), 0);

    let names = home.names();
    let [name] = names.as_slice() else {
        panic!("one bookmark expected: {names:?}");
    };
    assert!(name.starts_with("e2e.orders@"), "the default name: {name}");
    for n in 4..=5 {
        orders.insert_one(doc! { "_id": n, "n": n }).await.unwrap();
    }
    // The drop ends the replayed stream (with an invalidate), so the command finishes.
    orders.drop().await.unwrap();
    let seen = next_events(&mut stream, 7).await;

    let (code, stdout, stderr) = home.run(&["--json", "--resume", name, &uri]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(tokens(&json_lines(&stdout)), tokens(&seen[2..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_older_than_the_history_offers_the_oldest_point_and_starts_there() {
    let (server, client) = common::setup_with(Config {
        history: 5,
        ..Config::default()
    })
    .await;
    let orders = client.database("h").collection::<Document>("orders");
    let home = Home::new();
    let mut tui = home.tui(&["--ns", "h.orders", &server.uri()]);
    tui.wait_for("● live", SCREEN);
    insert_shown(&orders, &mut tui, 1).await;
    bookmark_selected(&mut tui, "h.orders");
    // The server keeps 5 oplog entries: the bookmarked insert is gone after these. One at a
    // time, so that the TUI's own stream never falls that far behind.
    for n in 2..=11 {
        insert_shown(&orders, &mut tui, n).await;
    }
    tui.send("B");
    tui.wait_for("Bookmarks (1)", SCREEN);
    tui.send(ENTER);
    // The offer says what was lost, how old it is, and offers the key.
    tui.wait_for_all(
        &[
            "History lost",
            "bookmark 'h.orders@",
            " s old",
            "The oldest point the server still has is",
            "The previous stream keeps running.",
            "s start there",
        ],
        SCREEN,
    );
    tui.send("s");
    // The five entries the server kept come again after the seam: inserts 7 to 11.
    let seam = "── replay from ";
    let after_seam = |screen: &str| screen.split(seam).nth(1).unwrap_or("").to_string();
    let screen = tui.wait_until("the replay up to insert 11", SCREEN, |screen| {
        after_seam(screen).contains("{ n: 11 }")
    });
    let replayed = after_seam(&screen);
    for n in 7..=11 {
        assert!(
            replayed.contains(&format!("{{ n: {n} }}")),
            "{n}:\n{screen}"
        );
    }
    assert!(!replayed.contains("{ n: 6 }"), "{screen}");
    tui.send("q");
    assert_eq!(tui.wait_exit(SCREEN), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalidated_stream_is_explained_and_continues_after_the_invalidate() {
    let (server, client) = common::setup().await;
    let orders = client.database("i").collection::<Document>("orders");
    let home = Home::new();
    let mut tui = home.tui(&["--ns", "i.orders", &server.uri()]);
    tui.wait_for("● live", SCREEN);
    insert_shown(&orders, &mut tui, 1).await;
    orders.drop().await.unwrap();
    // The offer explains, and offers the key.
    tui.wait_for_all(
        &[
            "Stream invalidated",
            "The stream of i.orders ended",
            "c continue",
        ],
        SCREEN,
    );
    tui.send("c");
    tui.wait_for("── continued after the invalidate", SCREEN);
    tui.wait_for("● live", SCREEN);
    // The collection created again under that name is watched.
    orders.insert_one(doc! { "_id": 2, "n": 2 }).await.unwrap();
    tui.wait_until("{ n: 2 } after the seam", SCREEN, |screen| {
        screen
            .split("── continued after the invalidate")
            .nth(1)
            .is_some_and(|after| after.contains("{ n: 2 }"))
    });
    tui.send("q");
    assert_eq!(tui.wait_exit(SCREEN), 0);
}
