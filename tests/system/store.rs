//! Store guarantees that hold on both backends.

use chrono::Utc;
use quarterdeck::domain::QuarterRun;
use quarterdeck::store::{AttachmentRow, Commit, NewAudit, NewPost, Store};

use crate::helpers::PgDb;

fn audit_row() -> NewAudit {
    NewAudit {
        actor_id: "u1".into(),
        actor_name: "Ann".into(),
        roles: "finance".into(),
        action: "approve".into(),
        outcome: "accepted".into(),
        detail: "Finance on v1".into(),
        plan_version: Some(1),
        plan_hash: Some("abc".into()),
        message_link: None,
    }
}

async fn guarantees(store: &Store, raw_update: impl AsyncFnOnce() -> bool) {
    let run = QuarterRun::new("t", "2027-Q1", &[Utc::now(); 12]);
    store.create_run(&run, &[], Utc::now()).await.unwrap();
    let post = NewPost {
        key: "t/2027-Q1/s01/result/v1".into(),
        channel: "c".into(),
        kind: "k".into(),
        message: "{\"title\":\"x\",\"body\":\"\"}".into(),
        edits: None,
    };
    for v in [1, 2] {
        let c = Commit {
            run: &run,
            expected_version: v,
            now: Utc::now(),
            posts: vec![post.clone()],
            jobs: vec![],
            audit: vec![audit_row()],
            outputs: vec![],
            plan: None,
            // The same chart committed twice is stored once, bytes intact (BLOB/BYTEA).
            attachments: vec![AttachmentRow {
                sha256: "ab12".into(),
                content_type: "image/png".into(),
                bytes: vec![0x89, b'P', b'N', b'G', 0, 255],
            }],
            finish: vec![],
        };
        store.commit(c).await.unwrap();
    }
    let stored = store.attachment("ab12").await.unwrap().unwrap();
    assert_eq!(stored.bytes, [0x89, b'P', b'N', b'G', 0, 255]);
    assert!(store.attachment("missing").await.unwrap().is_none());

    // The same outbox key twice is one post; the audit keeps both decisions.
    assert_eq!(store.posts(&run.id).await.unwrap().len(), 1);
    assert_eq!(store.audit_trail(&run.id).await.unwrap().len(), 2);
    // The database itself refuses to rewrite history.
    assert!(
        !raw_update().await,
        "an UPDATE of the audit table succeeded"
    );
    assert_eq!(
        store.audit_trail(&run.id).await.unwrap()[0].entry,
        audit_row()
    );
}

#[tokio::test]
async fn outbox_keys_are_unique_and_the_audit_trail_is_append_only_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let store = Store::connect(&url, 2).await.unwrap();

    guarantees(&store, async || {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let updated = sqlx::query("UPDATE audit SET detail = 'forged'")
            .execute(&pool)
            .await
            .is_ok();
        let deleted = sqlx::query("DELETE FROM audit")
            .execute(&pool)
            .await
            .is_ok();
        pool.close().await;
        updated || deleted
    })
    .await;
}

#[tokio::test]
async fn outbox_keys_are_unique_and_the_audit_trail_is_append_only_on_postgres() {
    let pg = PgDb::new().await;
    let store = Store::connect(&pg.url, 2).await.unwrap();

    let url = pg.url.clone();
    guarantees(&store, async || {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let updated = sqlx::query("UPDATE audit SET detail = 'forged'")
            .execute(&pool)
            .await
            .is_ok();
        let deleted = sqlx::query("DELETE FROM audit")
            .execute(&pool)
            .await
            .is_ok();
        pool.close().await;
        updated || deleted
    })
    .await;
    store.close().await;
    pg.drop_db().await;
}
