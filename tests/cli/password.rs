//! A password on the command line is visible to every local user (`ps`, `/proc/PID/cmdline`):
//! mwatch says so once, before anything else, and offers `$MONGODB_URI` or `-p`, which asks
//! for it at the terminal without echo (as mongosh's `-p` does; `-u` names the user).

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use bson::{doc, Document};
use common::cli::{finish, interrupt, mwatch, run, watching};
use common::pty::Tui;
use mwatch_playground::{Config, Playground};

const SCREEN: Duration = Duration::from_secs(20);
const WARNING: &str = "can be read by every local user";

/// A playground where `user` logs in with `password`.
async fn with_user(user: &str, password: &str) -> Playground {
    mwatch_playground::start(Config {
        users: vec![(user.into(), password.into())],
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_password_in_the_arguments_is_warned_about_once_and_not_in_mongodb_uri() {
    let server = with_user("ann", "hunter2").await;
    let uri = format!("mongodb://ann:hunter2@{}/?replicaSet=rs0", server.addr());
    let (child, before) = watching(&[&uri, "--json", "--ns", "p.w"]).await;
    interrupt(&child).await;
    let (_, _, after) = finish(child).await;
    let stderr = before.concat() + &after;
    assert_eq!(stderr.matches(WARNING).count(), 1, "{stderr}");
    assert!(
        before[0].starts_with("mwatch: warning: ")
            && before[0].contains("$MONGODB_URI")
            && before[0].contains("-p"),
        "first, with the ways out: {before:?}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");

    let mut command = mwatch(&["--json", "--ns", "p.w"]);
    command.env("MONGODB_URI", &uri);
    let mut child = command.spawn().unwrap();
    let mut err = tokio::io::BufReader::new(child.stderr.take().unwrap());
    let lines = common::cli::wait_for_line(&mut err, "mwatch: watching").await;
    child.stderr = Some(err.into_inner());
    interrupt(&child).await;
    let (_, _, rest) = finish(child).await;
    let stderr = lines.concat() + &rest;
    assert!(!stderr.contains(WARNING), "{stderr}");
}

/// `-p` asks at the terminal; what is typed is not shown, and it logs in. `-u` gives the
/// user, and a password with the characters a connection string reserves needs no encoding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p_asks_for_the_password_without_echo_and_logs_in() {
    let password = "p@ss:w/rd?#%";
    let server = with_user("ann", password).await;
    let client = common::client_for(&format!(
        "mongodb://ann:p%40ss%3Aw%2Frd%3F%23%25@{}/?replicaSet=rs0",
        server.addr()
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let with_user = format!("mongodb://ann@{}/?replicaSet=rs0", server.addr());
    let without_user = format!("mongodb://{}/?replicaSet=rs0", server.addr());
    let runs: [&[&str]; 2] = [&["-p", &with_user], &["-u", "ann", "-p", &without_user]];
    for (n, args) in runs.into_iter().enumerate() {
        let ns = format!("p.run{n}");
        let mut line = vec!["--json", "--ns", &ns];
        line.extend(args);
        let mut tui = Tui::spawn(&line, &[], dir.path(), (100, 30));
        tui.wait_for("Enter password: ", SCREEN);
        tui.send(password);
        tui.send("\r");
        tui.wait_for("mwatch: watching", SCREEN);
        let coll = client
            .database("p")
            .collection::<Document>(&format!("run{n}"));
        coll.insert_one(doc! { "n": 1 }).await.unwrap();
        tui.wait_for(r#""n":1"#, SCREEN);
        tui.kill("INT");
        assert_eq!(tui.wait_exit(SCREEN), 130);
        let shown = String::from_utf8_lossy(&tui.output()).to_string();
        assert!(!shown.contains("p@ss"), "{args:?}: echoed: {shown}");
        assert!(!shown.contains(WARNING), "{args:?}: {shown}");
    }
}

/// Ctrl-C at the prompt ends mwatch as Ctrl-C does (130), and SIGTERM as SIGTERM does
/// (143), with the terminal's settings (echo) as they were before.
#[test]
fn a_signal_at_the_prompt_gives_the_terminal_back() {
    for (how, number) in [("Ctrl-C", 2), ("TERM", 15)] {
        let dir = tempfile::tempdir().unwrap();
        let script = r#"stty -a > before; "$MWATCH" -p mongodb://ann@127.0.0.1:1/ --json & echo $! > mwatch.pid; wait $!; status=$?; stty -a > after; exit $status"#;
        let mut tui = Tui::spawn_sh(script, &[], dir.path(), (100, 30));
        tui.wait_for("Enter password: ", SCREEN);
        tui.send("abc");
        let read = |name| std::fs::read_to_string(dir.path().join(name)).unwrap();
        match how {
            "Ctrl-C" => tui.send("\x03"),
            signal => {
                let pid = read("mwatch.pid");
                let sent = std::process::Command::new("kill")
                    .args([format!("-{signal}"), pid.trim().to_string()])
                    .status()
                    .unwrap();
                assert!(sent.success());
            }
        }
        assert_eq!(
            tui.wait_exit(SCREEN),
            128 + number,
            "{how}: {}",
            tui.screen()
        );
        assert!(read("before").contains(" echo "), "{}", read("before"));
        assert_eq!(read("after"), read("before"), "{how}");
    }
}

#[tokio::test]
async fn p_needs_a_user_and_a_terminal() {
    let (code, _, stderr) = run(&["-p", "mongodb://127.0.0.1:1/", "--json"]).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("mwatch: no user to ask the password of: ")
            && stderr.contains("-u NAME"),
        "{stderr}"
    );

    // A new session has no controlling terminal.
    let mut command = tokio::process::Command::new("setsid");
    command
        .arg(env!("CARGO_BIN_EXE_mwatch"))
        .args(["-p", "mongodb://ann@127.0.0.1:1/", "--json"])
        .env_remove("MONGODB_URI")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let (code, _, stderr) = finish(command.spawn().unwrap()).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("mwatch: -p: no terminal to ask for the password on")
            && stderr.contains("$MONGODB_URI"),
        "{stderr}"
    );
}
