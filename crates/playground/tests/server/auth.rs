//! Logging in with SCRAM-SHA-256, through the driver, as with a MongoDB that has users.

use mwatch_testkit as common;

use bson::{doc, Document};
use mongodb::error::ErrorKind;
use mongodb::Client;
use mwatch_playground::{Config, Playground};

async fn with_ann() -> Playground {
    mwatch_playground::start(Config {
        users: vec![("ann".into(), "hunter2 é".into())],
        ..Config::default()
    })
    .await
    .unwrap()
}

fn as_user(server: &Playground, user: &str, password: &str) -> String {
    // Percent-encoded as a connection string needs: the password has a space and an accent.
    let password = password.replace(' ', "%20").replace('é', "%C3%A9");
    format!(
        "mongodb://{user}:{password}@{}/?replicaSet=rs0",
        server.addr()
    )
}

async fn insert(client: &Client) -> mongodb::error::Result<()> {
    let coll = client.database("a").collection::<Document>("c");
    coll.insert_one(doc! { "_id": 1 }).await.map(|_| ())
}

/// The server's answer behind a failed login (the driver reports "SCRAM failure: ..." for
/// its own checks too): its code and message.
fn refusal(e: mongodb::error::Error) -> (i32, String) {
    assert!(
        matches!(*e.kind, ErrorKind::Authentication { .. }),
        "not a login failure: {e:?}"
    );
    let server = std::error::Error::source(&e)
        // The driver keeps it boxed.
        .and_then(|source| source.downcast_ref::<Box<mongodb::error::Error>>())
        .map(|source| source.kind.as_ref());
    match server {
        Some(ErrorKind::Command(c)) => (c.code, c.message.clone()),
        _ => panic!("the server did not refuse the login: {e:?}"),
    }
}

#[tokio::test]
async fn a_user_logs_in_with_its_password() {
    let server = with_ann().await;
    let client = common::client_for(&as_user(&server, "ann", "hunter2 é")).await;
    insert(&client).await.unwrap();
    let found = client
        .database("a")
        .collection::<Document>("c")
        .find_one(doc! {})
        .await
        .unwrap();
    assert_eq!(found, Some(doc! { "_id": 1 }));
}

#[tokio::test]
async fn hello_names_the_mechanism_of_known_users_only() {
    let server = with_ann().await;
    let client = common::client_for(&as_user(&server, "ann", "hunter2 é")).await;
    let hello = common::admin(
        &client,
        doc! { "hello": 1, "saslSupportedMechs": "admin.ann" },
    )
    .await;
    assert_eq!(
        hello.get_array("saslSupportedMechs").unwrap(),
        &vec![bson::Bson::from("SCRAM-SHA-256")]
    );
    let hello = common::admin(
        &client,
        doc! { "hello": 1, "saslSupportedMechs": "admin.bob" },
    )
    .await;
    assert!(!hello.contains_key("saslSupportedMechs"), "{hello}");
}

#[tokio::test]
async fn a_wrong_password_or_user_fails_as_mongodb_says() {
    let server = with_ann().await;
    for (user, password) in [("ann", "hunter3 é"), ("bob", "hunter2 é")] {
        let client = common::client_for(&as_user(&server, user, password)).await;
        let refused = refusal(insert(&client).await.unwrap_err());
        assert_eq!(refused, (18, "Authentication failed.".into()), "{user}");
    }
}

#[tokio::test]
async fn commands_wait_for_a_login() {
    let server = with_ann().await;
    let client = common::client_for(&server.uri()).await;
    let (code, message, _) = common::command_error(insert(&client).await.unwrap_err());
    assert_eq!(
        (code, message.as_str()),
        (13, "Command insert requires authentication")
    );
    // Finding the server needs no login.
    common::admin(&client, doc! { "ping": 1 }).await;
}

#[tokio::test]
async fn with_no_users_no_login_is_asked_and_none_succeeds() {
    let server = common::playground().await;
    let client = common::client_for(&server.uri()).await;
    insert(&client).await.unwrap();
    let client = common::client_for(&as_user(&server, "ann", "hunter2 é")).await;
    let refused = refusal(insert(&client).await.unwrap_err());
    assert_eq!(refused, (59, "no such command: 'saslStart'".into()));
}
