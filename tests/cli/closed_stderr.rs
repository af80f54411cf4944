//! `mwatch ... 2>&1 | head -1`: stderr a pipe its reader has closed. What mwatch says there
//! is lost, but it ends as it would have, without a panic (exit code 101).

use std::process::Stdio;

use crate::common::cli::mwatch;

#[tokio::test]
async fn a_closed_stderr_is_no_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = mwatch(&["replay", "/nonexistent/recording.jsonl", "--json"])
        .stderr(Stdio::from(writer))
        .status()
        .await
        .unwrap();
    assert_ne!(status.code(), Some(101), "{status}");
    assert!(status.code().is_some(), "{status}");
}
