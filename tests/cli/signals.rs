//! How `--json` ends when it is told to: a signal to stop, or a reader that goes away
//! (`mwatch --json | head -1`). What was printed and recorded is whole, and the exit code is
//! the one a shell gives a process that signal ended (128 + its number).

use crate::common;

use bson::{doc, Document};
use common::cli::{finish, json_lines, signal, wait_for_line, watching};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

#[tokio::test]
async fn a_signal_to_stop_ends_with_128_and_its_number_with_output_and_recording_whole() {
    let (server, client) = common::setup().await;
    let uri = server.uri();
    for (name, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rec.jsonl");
        let file_arg = file.to_str().unwrap();
        let ns = format!("s.{name}");
        let (mut child, _) = watching(&[&uri, "--json", "--ns", &ns, "--record", file_arg]).await;
        let coll = client.database("s").collection::<Document>(name);
        coll.insert_many((1..=3).map(|n| doc! { "n": n }))
            .await
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut printed = wait_for_line(&mut stdout, r#""n":3"#).await.concat();
        child.stdout = Some(stdout.into_inner());
        signal(&child, name).await;
        let (code, rest, stderr) = finish(child).await;
        printed.push_str(&rest);
        assert_eq!(code, 128 + number, "SIG{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "SIG{name}: {stderr}");
        let recorded = std::fs::read_to_string(&file).unwrap();
        assert!(recorded.ends_with('\n'), "SIG{name}: a whole last line");
        assert_eq!(json_lines(&recorded).len(), 3, "SIG{name}: {recorded}");
        assert_eq!(json_lines(&printed).len(), 3, "SIG{name}: {printed}");
    }
}

/// A reader that has read enough closes the pipe: mwatch ends at its next write, quietly, as
/// a process SIGPIPE ends would (141), where it used to say nothing and exit 0.
#[tokio::test]
async fn a_closed_stdout_ends_quietly_with_141() {
    let (server, client) = common::setup().await;
    let (mut child, _) = watching(&[&server.uri(), "--json", "--ns", "s.pipe"]).await;
    let coll = client.database("s").collection::<Document>("pipe");
    coll.insert_one(doc! { "n": 1 }).await.unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).await.unwrap();
    assert!(first.contains(r#""n":1"#), "{first}");
    // As `head -1` does once it has its line.
    drop(stdout);
    coll.insert_one(doc! { "n": 2 }).await.unwrap();
    let (code, stderr) = ended(child).await;
    assert_eq!(code, 141, "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("failed printing"),
        "{stderr:?}"
    );
}

/// `mwatch --json | head -1` on a quiet stream: mwatch ends when head closes the pipe, not
/// at a next write that may never come.
#[tokio::test]
async fn a_closed_stdout_ends_the_watch_though_no_event_follows() {
    let (server, client) = common::setup().await;
    let (mut child, _) = watching(&[&server.uri(), "--json", "--ns", "s.quiet"]).await;
    let coll = client.database("s").collection::<Document>("quiet");
    coll.insert_one(doc! { "n": 1 }).await.unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).await.unwrap();
    assert!(first.contains(r#""n":1"#), "{first}");
    drop(stdout);
    let (code, stderr) = ended(child).await;
    assert_eq!((code, stderr.as_str()), (141, ""));
}

/// `mwatch playground | true`: the banner meets a closed pipe, and the playground ends as
/// SIGPIPE would end it, without a panic ("failed printing to stdout"). (With `| head -1`
/// the banner is written whole before head goes, and the playground runs on until Ctrl-C.)
#[tokio::test]
async fn the_playground_ends_quietly_when_its_banner_meets_a_closed_pipe() {
    let port = common::cli::free_port().to_string();
    let command = common::cli::mwatch(&["playground", "--port", &port]);
    let (code, stderr) = writing_to(command, closed_pipe()).await;
    assert_eq!(code, 141, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `mwatch bookmarks list | head -1`, `mwatch bookmarks export > /dev/full`: a failed write
/// ends the command as it ends a watch (141 quietly for a closed pipe, else 1 saying why),
/// where it used to exit 0 as if all was written.
#[tokio::test]
async fn bookmark_commands_say_when_their_output_is_lost() {
    let home = common::home::Home::new();
    for args in [&["bookmarks", "list"][..], &["bookmarks", "export"]] {
        let command = || {
            let mut command = common::cli::mwatch(args);
            command.env("MWATCH_HOME", home.dir.path());
            command
        };
        let (code, stderr) = writing_to(command(), closed_pipe()).await;
        assert_eq!((code, stderr.as_str()), (141, ""), "{args:?} | head");
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (code, stderr) = writing_to(command(), full.into()).await;
        assert_eq!(code, 1, "{args:?} > /dev/full: {stderr}");
        assert!(
            stderr.starts_with("mwatch: cannot write to standard output: "),
            "{args:?}: {stderr}"
        );
    }
}

/// A pipe whose reader has gone, as `| head -1` leaves it once head has its line.
fn closed_pipe() -> std::process::Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

/// Runs `command` with its stdout `stdout` until it ends (15 s at most); returns its exit
/// code and stderr.
async fn writing_to(
    mut command: tokio::process::Command,
    stdout: std::process::Stdio,
) -> (i32, String) {
    command.stdout(stdout);
    ended(command.spawn().unwrap()).await
}

/// Waits for `child` to end (15 s at most); returns its exit code and stderr.
async fn ended(mut child: tokio::process::Child) -> (i32, String) {
    let mut stderr = String::new();
    let mut err = child.stderr.take().unwrap();
    let status = tokio::time::timeout(std::time::Duration::from_secs(15), async {
        let (_, status) = tokio::join!(err.read_to_string(&mut stderr), child.wait());
        status.unwrap()
    })
    .await
    .expect("mwatch ends within 15 s");
    (status.code().unwrap_or(-1), stderr)
}
