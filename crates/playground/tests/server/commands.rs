//! The playground's commands through the official driver: server commands, CRUD with the
//! update operators, find options and cursors, and DDL.

use mwatch_testkit as common;

use bson::{doc, Bson, Document};
use futures_util::TryStreamExt;
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::IndexModel;

#[tokio::test]
async fn server_commands_and_the_reply_envelope() {
    let (_server, client) = common::setup().await;
    let admin = client.database("admin");
    let info = admin.run_command(doc! { "buildInfo": 1 }).await.unwrap();
    assert!(info.get_str("version").unwrap().starts_with("7.0."));
    assert_eq!(
        info.get_array("versionArray").unwrap()[..2],
        [Bson::Int32(7), Bson::Int32(0)]
    );
    for command in [
        doc! { "ping": 1 },
        doc! { "endSessions": [] },
        doc! { "killAllSessions": [] },
    ] {
        let reply = admin.run_command(command.clone()).await.unwrap();
        assert_eq!(reply.get_f64("ok"), Ok(1.0), "{command}");
        assert!(matches!(
            reply.get("operationTime"),
            Some(Bson::Timestamp(_))
        ));
        let cluster_time = reply.get_document("$clusterTime").unwrap();
        assert!(cluster_time.get_timestamp("clusterTime").is_ok());
        let signature = cluster_time.get_document("signature").unwrap();
        assert!(signature.get_binary_generic("hash").is_ok());
        assert_eq!(signature.get_i64("keyId"), Ok(0));
    }
    let error = admin
        .run_command(doc! { "noSuchCommand": 1 })
        .await
        .unwrap_err();
    let mongodb::error::ErrorKind::Command(e) = *error.kind else {
        panic!("not a command error")
    };
    assert_eq!((e.code, e.code_name.as_str()), (59, "CommandNotFound"));
    assert_eq!(e.message, "no such command: 'noSuchCommand'");
}

#[tokio::test]
async fn updates_with_each_operator_replacements_and_upserts() {
    let (_server, client) = common::setup().await;
    let coll = client.database("crud").collection::<Document>("u");
    coll.insert_one(doc! {
        "_id": 1, "a": 1, "b": 2, "n": 3, "m": 4, "lo": 5, "hi": 5, "old": "x",
        "list": [1, 2, 3], "set": ["a"], "pulled": [1, 2, 1], "popped": [1, 2, 3],
    })
    .await
    .unwrap();
    let result = coll
        .update_one(
            doc! { "_id": 1 },
            doc! {
                "$set": { "a": 10, "sub.x": 1 },
                "$unset": { "b": "" },
                "$inc": { "n": 2 },
                "$mul": { "m": 3 },
                "$min": { "lo": 1 },
                "$max": { "hi": 9 },
                "$rename": { "old": "new" },
                "$push": { "list": 4 },
                "$addToSet": { "set": { "$each": ["a", "b"] } },
                "$pull": { "pulled": 1 },
                "$pop": { "popped": -1 },
                "$currentDate": { "seen": true },
            },
        )
        .await
        .unwrap();
    assert_eq!((result.matched_count, result.modified_count), (1, 1));
    let mut doc = coll.find_one(doc! { "_id": 1 }).await.unwrap().unwrap();
    assert!(matches!(doc.remove("seen"), Some(Bson::DateTime(_))));
    assert_eq!(
        doc,
        doc! {
            "_id": 1, "a": 10, "n": 5, "m": 12, "lo": 1, "hi": 9,
            "list": [1, 2, 3, 4], "set": ["a", "b"], "pulled": [2], "popped": [2, 3],
            "sub": { "x": 1 }, "new": "x",
        }
    );

    coll.replace_one(doc! { "_id": 1 }, doc! { "whole": "new" })
        .await
        .unwrap();
    assert_eq!(
        coll.find_one(doc! { "_id": 1 }).await.unwrap(),
        Some(doc! { "_id": 1, "whole": "new" })
    );
    let upsert = coll
        .update_one(doc! { "_id": 2, "kind": "k" }, doc! { "$set": { "v": 1 } })
        .upsert(true)
        .await
        .unwrap();
    assert_eq!(upsert.upserted_id, Some(Bson::Int32(2)));
    assert_eq!(
        coll.find_one(doc! { "_id": 2 }).await.unwrap(),
        Some(doc! { "_id": 2, "kind": "k", "v": 1 })
    );
    let many = coll
        .update_many(doc! {}, doc! { "$set": { "all": true } })
        .await
        .unwrap();
    assert_eq!((many.matched_count, many.modified_count), (2, 2));
}

#[tokio::test]
async fn find_options_cursors_find_and_modify_and_deletes() {
    let (_server, client) = common::setup().await;
    let coll = client.database("crud").collection::<Document>("f");
    coll.insert_many((0..20).map(|n| doc! { "_id": n, "n": n % 5, "s": format!("s{n}") }))
        .await
        .unwrap();
    let found: Vec<Document> = coll
        .find(doc! { "n": { "$gte": 3 } })
        .sort(doc! { "n": -1, "_id": 1 })
        .skip(1)
        .limit(4)
        .projection(doc! { "s": 0 })
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        found,
        [
            doc! { "_id": 9, "n": 4 },
            doc! { "_id": 14, "n": 4 },
            doc! { "_id": 19, "n": 4 },
            doc! { "_id": 3, "n": 3 },
        ]
    );
    // Small batches: the rest comes with getMore.
    let all: Vec<Document> = coll
        .find(doc! {})
        .batch_size(3)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 20);
    // A cursor dropped early is killed: the driver sends killCursors and the server agrees.
    let mut partial = coll.find(doc! {}).batch_size(2).await.unwrap();
    assert!(partial.try_next().await.unwrap().is_some());
    drop(partial);
    common::until_commands(&client, "killCursors", 1).await;
    let counts = common::command_counts(&client).await;
    let kill = counts.get_document("killCursors").unwrap();
    assert_eq!(kill, &doc! { "failed": 0i64, "total": 1i64 });

    let before = coll
        .find_one_and_update(doc! { "_id": 0 }, doc! { "$inc": { "n": 100 } })
        .await
        .unwrap();
    assert_eq!(before.unwrap().get_i32("n"), Ok(0));
    let after = coll
        .find_one_and_replace(doc! { "_id": 1 }, doc! { "r": 1 })
        .return_document(ReturnDocument::After)
        .await
        .unwrap();
    assert_eq!(after, Some(doc! { "_id": 1, "r": 1 }));
    let deleted = coll.find_one_and_delete(doc! { "_id": 2 }).await.unwrap();
    assert_eq!(deleted.unwrap().get_str("s"), Ok("s2"));
    assert!(coll
        .find_one_and_update(doc! { "_id": -1 }, doc! { "$set": { "x": 1 } })
        .await
        .unwrap()
        .is_none());

    assert_eq!(
        coll.delete_one(doc! { "n": 4 })
            .await
            .unwrap()
            .deleted_count,
        1
    );
    assert_eq!(
        coll.delete_many(doc! { "n": 4 })
            .await
            .unwrap()
            .deleted_count,
        3
    );
    assert_eq!(coll.estimated_document_count().await.unwrap(), 15);
    // count_documents is an aggregation ($match, $skip, $limit, $group with $sum).
    assert_eq!(coll.count_documents(doc! { "n": 3 }).await.unwrap(), 4);
    assert_eq!(
        coll.count_documents(doc! {})
            .skip(2)
            .limit(10)
            .await
            .unwrap(),
        10
    );
    let by_n: Vec<Document> = coll
        .aggregate([
            doc! { "$match": { "n": { "$lt": 100 } } },
            doc! { "$group": { "_id": "$n", "count": { "$sum": 1 } } },
            doc! { "$sort": { "_id": 1 } },
        ])
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        by_n,
        [
            doc! { "_id": 0, "count": 3 },
            doc! { "_id": 1, "count": 3 },
            doc! { "_id": 2, "count": 3 },
            doc! { "_id": 3, "count": 4 },
        ]
    );
}

#[tokio::test]
async fn databases_collections_and_indexes() {
    let (_server, client) = common::setup().await;
    let db = client.database("ddl");
    db.create_collection("a").await.unwrap();
    let a = db.collection::<Document>("a");
    a.create_index(
        IndexModel::builder()
            .keys(doc! { "k": 1 })
            .options(IndexOptions::builder().name("k_1".to_string()).build())
            .build(),
    )
    .await
    .unwrap();
    assert_eq!(a.list_index_names().await.unwrap(), ["_id_", "k_1"]);
    a.drop_index("k_1").await.unwrap();
    assert_eq!(a.list_index_names().await.unwrap(), ["_id_"]);

    client
        .database("admin")
        .run_command(doc! { "renameCollection": "ddl.a", "to": "ddl.b" })
        .await
        .unwrap();
    assert_eq!(db.list_collection_names().await.unwrap(), ["b"]);
    let error = db.create_collection("b").await.unwrap_err();
    let (code, message, _) = common::command_error(error);
    assert_eq!(
        (code, message.as_str()),
        (48, "Collection ddl.b already exists.")
    );
    assert!(client
        .list_database_names()
        .await
        .unwrap()
        .contains(&"ddl".to_string()));
    db.collection::<Document>("b").drop().await.unwrap();
    assert!(db.list_collection_names().await.unwrap().is_empty());
    db.collection::<Document>("c")
        .insert_one(doc! {})
        .await
        .unwrap();
    db.drop().await.unwrap();
    assert!(!client
        .list_database_names()
        .await
        .unwrap()
        .contains(&"ddl".to_string()));
}
