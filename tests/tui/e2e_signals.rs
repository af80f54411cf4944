//! A signal to stop the TUI while it records and has bookmarks: what `--record` wrote is
//! whole (every line complete, replayable, the events shown), and the bookmark store is free
//! for the next mwatch at once.

use crate::common;

use std::time::Duration;

use bson::{doc, Document};
use common::cli::json_lines;
use common::home::Home;

use crate::e2e_bookmarks::bookmark_selected;

const SCREEN: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_leaves_the_recording_whole_and_the_bookmark_store_free() {
    let (server, client) = common::setup().await;
    let orders = client.database("sig").collection::<Document>("orders");
    let home = Home::new();
    let file = home.dir.path().join("rec.jsonl");
    let file_arg = file.to_str().unwrap();
    let mut tui = home.tui(&["--ns", "sig.orders", "--record", file_arg, &server.uri()]);
    tui.wait_for("● live", SCREEN);
    for n in 1..=3 {
        orders.insert_one(doc! { "_id": n, "n": n }).await.unwrap();
    }
    tui.wait_for("{ n: 3 }", SCREEN);
    bookmark_selected(&mut tui, "sig.orders");

    tui.kill("TERM");
    assert_eq!(tui.wait_exit(SCREEN), 128 + 15);
    assert_eq!(tui.modes_left_on(), [] as [&str; 0]);
    let output = String::from_utf8_lossy(&tui.output()).to_string();
    assert!(!output.contains("panicked"), "{output}");

    let recorded = std::fs::read_to_string(&file).unwrap();
    assert!(recorded.ends_with('\n'), "a whole last line: {recorded:?}");
    let (code, replayed, stderr) = home.run(&["replay", file_arg, "--json"]).await;
    assert_eq!(
        (code, stderr.as_str()),
        (0, ""),
        "replayable, with no warning"
    );
    let shown: Vec<i32> = json_lines(&replayed)
        .iter()
        .map(|event| {
            event
                .get_document("documentKey")
                .unwrap()
                .get_i32("_id")
                .unwrap()
        })
        .collect();
    assert_eq!(shown, [1, 2, 3]);

    // The bookmark was saved, and its lock is not held: another mwatch changes the store now.
    let names = home.names();
    let [name] = names.as_slice() else {
        panic!("one bookmark: {names:?}")
    };
    let (code, _, stderr) = home.run(&["bookmarks", "rm", name]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(home.names().is_empty());
}
