//! Connecting and listing what can be watched.

use crate::common;

use bson::{doc, Document};
use std::time::Duration;

use mwatch::source::connect::{
    connect, list_namespaces, prepare, CollectionInfo, ConnectError, Listing,
};

#[tokio::test]
async fn knows_the_deployment_and_hides_the_password() {
    let server = common::playground().await;
    let (_client, deployment) = connect(&server.uri()).await.unwrap();
    assert_eq!(deployment.set_name.as_deref(), Some("rs0"));
    assert_eq!(
        deployment.version.as_deref(),
        Some(mwatch_playground::VERSION)
    );
    assert!(!deployment.mongos);
    assert!(deployment
        .to_string()
        .contains("(replica set rs0, MongoDB 7.0.14)"));

    let secret = format!(
        "mongodb://ann:hunter2@{}/?serverSelectionTimeoutMS=1000",
        "127.0.0.1:1"
    );
    let ConnectError::Unreachable(message) = connect(&secret).await.unwrap_err() else {
        panic!("not unreachable")
    };
    assert!(
        message.starts_with("cannot reach 127.0.0.1:1 within 1 s"),
        "{message}"
    );
    assert!(!message.contains("hunter2"));
    let ConnectError::BadUri(message) = connect("mongodb://ann:hunter2@host:99999999")
        .await
        .unwrap_err()
    else {
        panic!("not a bad uri")
    };
    assert!(message.contains("ann:****@host"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

/// A reserved character in a password makes the driver misread the string and quote a piece
/// of the password ("invalid server address ann:S3cr"); mwatch says what to do instead.
#[tokio::test]
async fn a_password_that_needs_encoding_is_explained_without_a_piece_of_it() {
    for (uri, advice) in [
        ("mongodb://ann:S3cr?t@127.0.0.1:1/", "`?` is `%3F`"),
        ("mongodb://ann:S3cr/t@127.0.0.1:1/", "`/` is `%2F`"),
    ] {
        let ConnectError::BadUri(message) = connect(uri).await.unwrap_err() else {
            panic!("not a bad uri: {uri}")
        };
        assert_eq!(
            message,
            format!(
                "invalid connection string 'mongodb://ann:****@127.0.0.1:1/': the user name and \
                 password must be percent-encoded: {advice}"
            )
        );
    }
}

/// Options that carry secrets are hidden wherever the URI is shown, here in the driver's
/// refusal of an option this build does not support.
#[tokio::test]
async fn secret_options_are_hidden_in_errors() {
    for option in [
        "tlsCertificateKeyFilePassword=k3y-s3cret",
        "authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:k3y-s3cret",
        "proxyPassword=k3y-s3cret",
    ] {
        let uri = format!("mongodb://127.0.0.1:1/?{option}");
        let ConnectError::BadUri(message) = connect(&uri).await.unwrap_err() else {
            panic!("not a bad uri: {uri}")
        };
        assert!(message.starts_with("invalid connection string 'mongodb://127.0.0.1:1/?"));
        assert!(message.contains("=****"), "{message}");
        assert!(!message.contains("k3y-s3cret"), "{message}");
    }
}

#[tokio::test]
async fn lists_databases_and_collections_marking_pre_images() {
    let (_server, client) = common::setup().await;
    let shop = client.database("shop");
    shop.run_command(
        doc! { "create": "orders", "changeStreamPreAndPostImages": { "enabled": true } },
    )
    .await
    .unwrap();
    shop.collection::<Document>("customers")
        .insert_one(doc! { "n": 1 })
        .await
        .unwrap();
    shop.run_command(doc! { "create": "recent", "viewOn": "orders", "pipeline": [] })
        .await
        .unwrap();
    let Listing::Listed(databases) = list_namespaces(&client).await.unwrap() else {
        panic!("not listed")
    };
    assert_eq!(
        databases.len(),
        1,
        "admin, config and local are left out: {databases:?}"
    );
    assert_eq!(databases[0].name, "shop");
    assert_eq!(
        databases[0].collections,
        [
            CollectionInfo {
                name: "customers".into(),
                view: false,
                images: false
            },
            CollectionInfo {
                name: "orders".into(),
                view: false,
                images: true
            },
            CollectionInfo {
                name: "recent".into(),
                view: true,
                images: false
            },
        ]
    );
}

#[tokio::test]
async fn says_so_when_namespaces_may_not_be_listed() {
    let (_server, client) = common::setup().await;
    let data = doc! { "failCommands": ["listDatabases"], "errorCode": 13 };
    common::fail_command(&client, "alwaysOn".into(), data).await;
    let Listing::NotAllowed(message) = list_namespaces(&client).await.unwrap() else {
        panic!("listed")
    };
    assert!(
        message.starts_with("not allowed to list databases"),
        "{message}"
    );
    assert!(message.ends_with("type a namespace instead"), "{message}");
}

/// The driver drops a server whose set name is not the one asked for and reports only a
/// selection timeout; mwatch asks the server itself and says what it answered.
#[tokio::test]
async fn a_wrong_replica_set_name_is_told_apart_from_an_unreachable_host() {
    let server = common::playground().await;
    let uri = format!(
        "mongodb://ann:hunter2@{}/?replicaSet=wrong&serverSelectionTimeoutMS=1000",
        server.addr()
    );
    let ConnectError::Unreachable(message) = connect(&uri).await.unwrap_err() else {
        panic!("not unreachable")
    };
    assert_eq!(
        message,
        format!(
            "{} answered, but its replica set is named 'rs0', not 'wrong': correct replicaSet= \
             in the connection string, or leave it out",
            server.addr()
        )
    );
    let standalone = mwatch_playground::start(mwatch_playground::Config {
        standalone: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let uri = format!(
        "mongodb://{}/?replicaSet=rs0&serverSelectionTimeoutMS=1000",
        standalone.addr()
    );
    let ConnectError::Unreachable(message) = connect(&uri).await.unwrap_err() else {
        panic!("not unreachable")
    };
    assert!(
        message.starts_with(&format!(
            "{} answered, but it is not a member of a replica set",
            standalone.addr()
        )),
        "{message}"
    );
}

/// The connecting dialog says when an attempt gives up ("gives up after 5 s"): it takes no
/// longer, also when it asks a silent host which replica set it is in (that question used to
/// come after the server selection had given up, 2 s more). Time is paused and jumps to each
/// next timer when all are waiting: what is measured is the timers' time, not the machine's.
#[tokio::test(start_paused = true)]
async fn an_attempt_gives_up_when_the_dialog_says_it_will() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accepts connections and never answers.
    let _silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let uri = format!("mongodb://{addr}/?replicaSet=rs0&serverSelectionTimeoutMS=500");
    let target = prepare(&uri).await.unwrap();
    let said = target.destination.timeout;
    assert_eq!(said, Duration::from_millis(500));
    let started = tokio::time::Instant::now();
    let result = target.connect().await;
    assert!(
        matches!(result, Err(ConnectError::Unreachable(_))),
        "{:?}",
        result.map(|(_, d)| d)
    );
    // Well under the 2 s the question alone used to wait.
    let took = started.elapsed();
    assert!(
        took < said + Duration::from_secs(1),
        "took {took:?}, said {said:?}"
    );
}
