//! `mwatch bookmarks import` of N bookmarks that all have one name (each after the first is
//! renamed `name#2`, `name#3`, ...), into an empty store: the time per bookmark should stay
//! flat as N grows (it grew with N^1.6 when every rename scanned the list for a free suffix).
//! Run: `cargo bench --bench bookmark_import`.

use std::time::Instant;

use mwatch::bookmarks::BookmarkStore;

fn import_file(n: usize) -> String {
    let bookmarks: Vec<serde_json::Value> = (1..=n)
        .map(|i| {
            serde_json::json!({
                "name": "same",
                "token": { "_data": format!("82{i:08X}000000012B0229296E04") },
                "ns": "shop.orders",
            })
        })
        .collect();
    serde_json::to_string(&bookmarks).expect("JSON")
}

fn main() {
    for n in [1_000, 4_000, 16_000] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("import.json");
        std::fs::write(&file, import_file(n)).expect("written");
        let mut store = BookmarkStore::open(dir.path().join("bookmarks.json"));
        let start = Instant::now();
        let report = store.import(&file).expect("imported");
        let took = start.elapsed();
        assert_eq!(report.renamed.len(), n - 1);
        println!(
            "import of {n:>6} bookmarks of one name: {:>8.1} ms, {:>6.1} us per bookmark",
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() * 1e6 / n as f64
        );
    }
}
