//! `mwatch playground` as a user runs it.

use crate::common;

use std::time::Duration;

use bson::doc;
use common::cli::{finish, free_port, interrupt, mwatch, run, signal, wait_for_line};
use tokio::io::BufReader;

/// Starts `mwatch playground` with `flags` on a free port; returns the child, its banner and
/// the port.
async fn serve(flags: &[&str]) -> (tokio::process::Child, String, String) {
    let port = free_port().to_string();
    let mut args = vec!["playground", "--port", &port];
    args.extend(flags);
    let mut child = mwatch(&args).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let banner = wait_for_line(&mut stdout, "Press Ctrl-C").await.concat();
    child.stdout = Some(stdout.into_inner());
    (child, banner, port)
}

#[tokio::test]
async fn serves_until_ctrl_c_and_prints_both_connection_strings() {
    let (child, banner, port) = serve(&[]).await;
    let with_set = format!("mongodb://127.0.0.1:{port}/?replicaSet=rs0");
    let direct = format!("mongodb://127.0.0.1:{port}/?directConnection=true");
    assert!(
        banner.contains(&format!("replica set 'rs0' listening on 127.0.0.1:{port}")),
        "{banner}"
    );
    assert!(
        banner.contains(&with_set) && banner.contains(&direct),
        "{banner}"
    );
    for uri in [&with_set, &direct] {
        let client = common::client_for(uri).await;
        common::admin(&client, doc! { "ping": 1 }).await;
    }
    interrupt(&child).await;
    let (code, _, stderr) = finish(child).await;
    assert_eq!(code, 130, "{stderr}");
}

/// Each signal that asks mwatch to stop ends the playground as it ends a watch: with a
/// connection open, it stops serving, says so, lets the port go and exits with 128 + the
/// signal's number (SIGTERM, SIGHUP and SIGQUIT used to kill it, SIGINT to exit 0).
#[tokio::test]
async fn a_signal_to_stop_ends_it_with_128_and_its_number_and_frees_the_port() {
    for (name, number) in [("TERM", 15), ("HUP", 1), ("INT", 2), ("QUIT", 3)] {
        let (child, _, port) = serve(&[]).await;
        let client = common::client_for(&format!(
            "mongodb://127.0.0.1:{port}/?directConnection=true"
        ))
        .await;
        common::admin(&client, doc! { "ping": 1 }).await;
        signal(&child, name).await;
        let (code, _, stderr) = finish(child).await;
        assert_eq!(code, 128 + number, "SIG{name}: {stderr}");
        assert_eq!(
            stderr,
            format!("mwatch playground: stopped by SIG{name}\n"),
            "SIG{name}"
        );
        if let Err(e) = std::net::TcpListener::bind(format!("127.0.0.1:{port}")) {
            panic!("SIG{name}: port {port} still taken: {e}");
        }
    }
}

#[tokio::test]
async fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, stdout, stderr) = run(&["playground", "--port", &port]).await;
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        stderr.trim(),
        format!("mwatch playground: 127.0.0.1:{port} is already in use (another mongod or playground?); pick another with --port")
    );
}

#[tokio::test]
async fn standalone_mode_says_so_and_offers_the_direct_uri() {
    let (child, banner, port) = serve(&["--standalone"]).await;
    assert!(banner.contains("standalone server listening"), "{banner}");
    assert!(!banner.contains("rs0"), "{banner}");
    assert!(banner.contains("code 40573"), "{banner}");
    let client = common::client_for(&format!(
        "mongodb://127.0.0.1:{port}/?directConnection=true"
    ))
    .await;
    let hello = common::admin(&client, doc! { "hello": 1 }).await;
    assert!(!hello.contains_key("setName"));
    interrupt(&child).await;
    assert_eq!(finish(child).await.0, 130);
}

#[tokio::test]
async fn bad_playground_flags_exit_2() {
    for (args, says) in [
        (
            ["playground", "--rate", "5"].as_slice(),
            "error: the following required arguments were not provided:\n  --workload\n",
        ),
        (
            &["playground", "--workload", "--rate", "0"],
            "error: invalid value '0' for '--rate <RATE>': '0' is not a rate between 0 and \
             100000 operations per second\n",
        ),
        (
            &["playground", "--history", "0"],
            "error: invalid value '0' for '--history <HISTORY>': 0 is not in \
             1..18446744073709551615\n",
        ),
        (
            &["playground", "--bind", "not-an-address"],
            "error: invalid value 'not-an-address' for '--bind <BIND>': invalid IP address \
             syntax\n",
        ),
    ] {
        let (code, _, stderr) = run(args).await;
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.starts_with(says), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn history_workload_rate_and_seed_flags_reach_the_server() {
    let flags = [
        "--history",
        "3",
        "--workload",
        "--rate",
        "40",
        "--seed",
        "7",
    ];
    let (child, banner, port) = serve(&flags).await;
    let client = common::client_for(&format!("mongodb://127.0.0.1:{port}/?replicaSet=rs0")).await;
    assert!(banner.contains("40 operations/s (seed 7)"), "{banner}");
    let shop = client.database("shop");
    let mut stream = shop.watch().await.unwrap().with_type::<bson::Document>();
    let first = common::streams::next_events(&mut stream, 1).await.remove(0);
    drop(stream);
    // With three oplog entries kept, the workload soon writes past the first event; asking
    // again until it has does not depend on how fast a reader keeps up.
    let resume = || shop.watch().resume_after(common::streams::token_of(&first));
    let error = common::within("the history to move past the first event", async {
        loop {
            match resume().await {
                Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                Err(error) => return error,
            }
        }
    })
    .await;
    // ChangeStreamHistoryLost.
    assert_eq!(common::command_error(error).0, 286);
    interrupt(&child).await;
    assert_eq!(finish(child).await.0, 130);
}
