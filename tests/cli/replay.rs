//! `mwatch replay FILE --json` on recordings that are not what `--record` writes: lines too
//! long for any event, bytes that are not UTF-8, no event at all, a directory.

use crate::common;

use std::fs;
use std::io::Write;

use common::cli::run;

/// One change event as `--record` writes it.
const EVENT: &str = r#"{"_id":{"_data":"8200000001000000012B0229296E04"},"operationType":"insert","clusterTime":{"$timestamp":{"t":1,"i":1}},"ns":{"db":"shop","coll":"orders"},"documentKey":{"_id":{"$numberInt":"1"}}}"#;

async fn replay(bytes: &[u8]) -> (i32, String, String, tempfile::NamedTempFile) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    let (code, stdout, stderr) = run(&["replay", file.path().to_str().unwrap(), "--json"]).await;
    (code, stdout, stderr, file)
}

/// A line longer than any event can be written as (192 MiB) is an error naming its line, read
/// no further than that bound.
#[tokio::test]
async fn a_line_longer_than_any_event_is_an_error_with_its_number() {
    let file = tempfile::NamedTempFile::new().unwrap();
    fs::write(file.path(), format!("{EVENT}\n")).unwrap();
    // A sparse file: 192 MiB of zeros after the event, without a newline, on no disk space.
    let long = (EVENT.len() + 1) as u64 + (192 << 20) + 1;
    file.as_file().set_len(long).unwrap();
    let path = file.path().to_str().unwrap();
    let (code, stdout, stderr) = run(&["replay", path, "--json"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "the event before it is printed");
    assert!(
        stderr.contains(&format!("{path}:2: the line is longer than 192 MiB")),
        "{stderr}"
    );
}

/// `/dev/zero` ends too, where it was read until memory ran out.
#[cfg(unix)]
#[tokio::test]
async fn an_endless_line_is_read_to_the_bound_only() {
    let (code, _, stderr) = run(&["replay", "/dev/zero", "--json"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("/dev/zero:1: the line is longer than 192 MiB"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_line_that_is_not_utf8_is_an_error_with_its_number() {
    let bytes = [
        EVENT.as_bytes(),
        b"\n{\"a\": \"\xff\xfe\"}\n",
        EVENT.as_bytes(),
        b"\n",
    ]
    .concat();
    let (code, stdout, stderr, file) = replay(&bytes).await;
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout.lines().count(), 1);
    let at = format!("{}:2: ", file.path().display());
    assert!(stderr.contains(&at) && stderr.contains("UTF-8"), "{stderr}");
}

/// A truncated last line is skipped with a warning only after events: a file with no event at
/// all (empty, blank, or only a line that is not one) is an error.
#[tokio::test]
async fn a_recording_with_no_event_is_an_error() {
    for bytes in ["", "\n\n", "not json\n", "{\"_id\": {\"_da"] {
        let (code, stdout, stderr, _file) = replay(bytes.as_bytes()).await;
        assert_eq!(code, 1, "{bytes:?}: {stderr}");
        assert_eq!(stdout, "", "{bytes:?}");
        assert!(!stderr.contains("truncated"), "{bytes:?}: {stderr}");
    }
    let (_, _, stderr, file) = replay(b"\n").await;
    assert_eq!(
        stderr,
        format!("mwatch: {}: holds no event\n", file.path().display())
    );
    let (_, _, stderr, file) = replay(b"not json").await;
    let at = format!("mwatch: {}:1:2: expected ident\n", file.path().display());
    assert_eq!(stderr, at);
}

/// Not a file to replay, whatever the reason: the same exit code (2, as for a wrong argument).
#[tokio::test]
async fn a_missing_file_and_a_directory_exit_alike() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.jsonl");
    for path in [missing.as_path(), dir.path()] {
        let (code, stdout, stderr) = run(&["replay", path.to_str().unwrap(), "--json"]).await;
        assert_eq!(code, 2, "{}: {stderr}", path.display());
        assert_eq!(stdout, "");
        let opening = format!("mwatch: cannot open recording {}: ", path.display());
        assert!(stderr.starts_with(&opening), "{stderr}");
    }
}
