//! A password on the command line is visible to every local user (`ps`, `/proc/PID/cmdline`):
//! mwatch says so once, before anything else, and offers `$MONGODB_URI` or `-p`, which asks
//! for it at the terminal without echo (as mongosh's `-p` does; `-u` names the user).

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use bson::{doc, Document};
use common::cli::{finish, interrupt, kill, mwatch, run, watching};
use common::pty::wait_stopped;
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
        tui.wait_for_echo(false, SCREEN);
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
        // Ctrl-C interrupts the terminal's whole foreground job: the shell ignores it, as an
        // interactive one would.
        let script = r#"trap '' INT; stty -a > before; "$MWATCH" -p mongodb://ann@127.0.0.1:1/ --json & echo $! > mwatch.pid; wait $!; status=$?; stty -a > after; exit $status"#;
        let mut tui = Tui::spawn_sh(script, &[], dir.path(), (100, 30));
        tui.wait_for("Enter password: ", SCREEN);
        tui.wait_for_echo(false, SCREEN);
        tui.send("abc");
        let read = |name| std::fs::read_to_string(dir.path().join(name)).unwrap();
        match how {
            "Ctrl-C" => tui.send("\x03"),
            signal => kill(signal, read("mwatch.pid").trim()),
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

/// A signal to stop once the password is typed, while mwatch looks for the server, ends it
/// at once: it used to be caught and lost, and mwatch waited for the server selection to
/// give up (here 60 s) to exit 1.
#[test]
fn a_signal_after_the_prompt_ends_mwatch_while_it_connects() {
    let dir = tempfile::tempdir().unwrap();
    let uri = "mongodb://ann@127.0.0.1:1/?serverSelectionTimeoutMS=60000";
    let script = format!(r#""$MWATCH" -p '{uri}' --json & echo $! > mwatch.pid; wait $!"#);
    let mut tui = Tui::spawn_sh(&script, &[], dir.path(), (100, 30));
    tui.wait_for("Enter password: ", SCREEN);
    tui.wait_for_echo(false, SCREEN);
    tui.send("pw\r");
    // The prompt is over once echo is back.
    tui.wait_for_echo(true, SCREEN);
    let pid = std::fs::read_to_string(dir.path().join("mwatch.pid")).unwrap();
    kill("TERM", pid.trim());
    assert_eq!(tui.wait_exit(SCREEN), 128 + 15, "{}", tui.screen());
}

/// SIGTSTP at the prompt (Ctrl-Z) stops the job with echo back on, and continued, mwatch
/// turns it off again and asks again, as sudo does; it used to stop with echo off and read
/// with echo on once continued.
#[test]
fn sigtstp_at_the_prompt_gives_echo_back_until_continued() {
    let dir = tempfile::tempdir().unwrap();
    let script =
        r#""$MWATCH" -p mongodb://ann@127.0.0.1:1/ --json & echo $! > mwatch.pid; wait $!"#;
    let mut tui = Tui::spawn_sh(script, &[], dir.path(), (100, 30));
    tui.wait_for("Enter password: ", SCREEN);
    tui.wait_for_echo(false, SCREEN);
    let pid = std::fs::read_to_string(dir.path().join("mwatch.pid")).unwrap();
    let pid = pid.trim();
    kill("TSTP", pid);
    wait_stopped(pid, "SIGTSTP at the prompt");
    tui.wait_for_echo(true, SCREEN);
    kill("CONT", format!("-{}", tui.pid()));
    tui.wait_for_terminal("the prompt again", SCREEN, |screen| {
        screen.contents().matches("Enter password: ").count() == 2
    });
    tui.wait_for_echo(false, SCREEN);
    tui.send("hunter2");
    kill("TERM", pid);
    assert_eq!(tui.wait_exit(SCREEN), 128 + 15, "{}", tui.screen());
    let shown = String::from_utf8_lossy(&tui.output()).to_string();
    assert!(!shown.contains("hunter2"), "echoed: {shown}");
}

/// What `-p` cannot help with is not offered: the warning names what it found, and says
/// -p only for a password, and only when -p was not given.
#[tokio::test]
async fn the_warning_names_the_secret_and_offers_p_only_where_it_helps() {
    let bad_ns = ["--ns", "a b"];
    for (line, warning) in [
        (
            &["mongodb://h/?tlsCertificateKeyFilePassword=k"][..],
            Some("the connection string's tlsCertificateKeyFilePassword can be read"),
        ),
        (
            &["mongodb://ann:pw@h/"],
            Some("the connection string's password can be read"),
        ),
        (
            &["-p", "mongodb://ann:pw@h/"],
            Some("the connection string's password can be read"),
        ),
        (
            &["mongodb://h/?authMechanismProperties=SERVICE_NAME:mongodb"],
            None,
        ),
        (&["mongodb://h/?appName=ops@laptop"], None),
    ] {
        let mut args = line.to_vec();
        args.extend(bad_ns);
        let (code, _, stderr) = run(&args).await;
        assert_eq!(code, 2, "{stderr}");
        let offers_p = line[0] != "-p" && line[0].contains(":pw@");
        match warning {
            Some(warning) => assert!(
                stderr.starts_with(&format!("mwatch: warning: {warning}"))
                    && stderr.lines().next().unwrap().contains("-p") == offers_p,
                "{line:?}: {stderr}"
            ),
            None => assert!(!stderr.contains("warning"), "{line:?}: {stderr}"),
        }
    }
}

/// A connection string that cannot be read is said so before the password is asked for.
#[tokio::test]
async fn p_checks_the_connection_string_before_asking() {
    for uri in [
        "mongodb://ann@h:notaport/",
        "mongodb+srv://ann@h:27017/",
        "mongodb://ann:a/b@h/",
    ] {
        let (code, _, stderr) = run(&["-p", uri, "--json"]).await;
        assert_eq!(code, 2, "{uri}: {stderr}");
        assert!(
            stderr
                .lines()
                .last()
                .unwrap_or("")
                .starts_with("mwatch: invalid connection string"),
            "{uri}: {stderr}"
        );
    }
}
