//! Edits in place through the outbox, on SQLite and PostgreSQL: an edit row names the
//! post it replaces; while that post is not out, the edit (and every row after it) waits
//! in order; once it is, the edit replaces that very message (the transcript records it
//! under its own key, naming the post) and no second message appears. Also the
//! per-person time zones of `/timezone` on both backends.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use quarterdeck::chat::{BoxFuture, ChatError, ChatPort, Message, Outgoing, Posted};
use quarterdeck::clock::ManualClock;
use quarterdeck::domain::QuarterRun;
use quarterdeck::store::{Commit, NewPost, Store};
use quarterdeck::transcript::{Transcript, read_entries};

use crate::helpers::PgDb;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The real transcript, except that the first `fail` posts fail transiently.
struct Flaky {
    inner: Transcript,
    fail: Mutex<usize>,
    edits: Mutex<Vec<(String, String)>>,
}

impl ChatPort for Flaky {
    fn post<'a>(&'a self, post: Outgoing<'a>) -> BoxFuture<'a, Result<Posted, ChatError>> {
        Box::pin(async move {
            {
                let mut fail = self.fail.lock().unwrap();
                if *fail > 0 {
                    *fail -= 1;
                    return Err(ChatError::Transient("503 from chat".into()));
                }
            }
            self.inner.post(post).await
        })
    }

    fn edit<'a>(
        &'a self,
        edit: Outgoing<'a>,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        self.edits
            .lock()
            .unwrap()
            .push((edit.key.to_owned(), message_id.to_owned()));
        self.inner.edit(edit, message_id)
    }
}

/// Posts `tally`, an edit of it and a post after the edit, in that order.
async fn queue_tally_and_its_edit(store: &Store) -> String {
    let run = QuarterRun::new("t", "2027-Q1", &[at("2027-01-04T14:00:00Z"); 12]);
    store
        .create_run(&run, &[], at("2027-01-01T00:00:00Z"))
        .await
        .unwrap();
    let post = |key: &str, edits: Option<&str>, title: &str| NewPost {
        key: key.to_owned(),
        channel: "approvals".into(),
        kind: if edits.is_some() {
            "tally_edit"
        } else {
            "tally"
        }
        .into(),
        message: serde_json::to_string(&Message::new(title, "body")).unwrap(),
        edits: edits.map(str::to_owned),
    };
    let posts = vec![
        post("tally", None, "Tally: nobody yet"),
        post("tally/edit/1", Some("tally"), "Tally: Ann approved"),
        post("after", None, "Plan approved"),
    ];
    store
        .commit(Commit {
            run: &run,
            expected_version: 1,
            now: at("2027-01-04T14:00:00Z"),
            posts,
            jobs: vec![],
            audit: vec![],
            outputs: vec![],
            plan: None,
            attachments: vec![],
            finish: vec![],
        })
        .await
        .unwrap();
    run.id
}

async fn an_edit_waits_for_its_message_then_replaces_it(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let store = Store::connect(url, 2).await.unwrap();
    let run_id = queue_tally_and_its_edit(&store).await;
    let clock = ManualClock::new(at("2027-01-04T14:00:00Z"));
    let port = Flaky {
        inner: Transcript::open(&path).unwrap(),
        fail: Mutex::new(1),
        edits: Mutex::default(),
    };

    let first = quarterdeck::engine::deliver_outbox(&store, &port, &clock)
        .await
        .unwrap();
    assert_eq!(
        first, 0,
        "the tally failed; its edit and the post after it wait"
    );
    assert!(port.edits.lock().unwrap().is_empty());
    let unsent: Vec<String> = store
        .unsent_posts(10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(unsent, ["tally", "tally/edit/1", "after"]);

    let second = quarterdeck::engine::deliver_outbox(&store, &port, &clock)
        .await
        .unwrap();
    assert_eq!(second, 3);
    let rows = store.posts(&run_id).await.unwrap();
    assert_eq!(rows[0].message_id.as_deref(), Some("t000001"));
    assert_eq!(
        rows[1].message_id, rows[0].message_id,
        "the edit's row names the message it replaced"
    );
    assert_eq!(
        *port.edits.lock().unwrap(),
        [("tally/edit/1".to_owned(), "t000001".to_owned())],
        "one edit, of the tally's message"
    );
    let entries = read_entries(&path).unwrap();
    let keys: Vec<(&str, Option<&str>)> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.edits.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [
            ("tally", None),
            ("tally/edit/1", Some("tally")),
            ("after", None)
        ]
    );
    assert_eq!(entries[1].title, "Tally: Ann approved");

    // Delivered again after a restart: nothing is unsent, nothing is sent twice.
    let again = quarterdeck::engine::deliver_outbox(&store, &port, &clock)
        .await
        .unwrap();
    assert_eq!(again, 0);
    store.close().await;
}

async fn a_persons_zone_is_stored_and_replaced(url: &str) {
    let store = Store::connect(url, 2).await.unwrap();
    assert_eq!(store.user_timezone("u1").await.unwrap(), None);
    store
        .set_user_timezone("u1", "Asia/Tokyo", at("2027-01-04T14:00:00Z"))
        .await
        .unwrap();
    store
        .set_user_timezone("u2", "America/New_York", at("2027-01-04T14:00:00Z"))
        .await
        .unwrap();
    store
        .set_user_timezone("u1", "Europe/Lisbon", at("2027-01-05T14:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        store.user_timezone("u1").await.unwrap().as_deref(),
        Some("Europe/Lisbon")
    );
    assert_eq!(
        store.user_timezone("u2").await.unwrap().as_deref(),
        Some("America/New_York")
    );
    store.close().await;
}

#[tokio::test]
async fn an_edit_waits_for_its_message_then_replaces_it_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    an_edit_waits_for_its_message_then_replaces_it(&url).await;
}

#[tokio::test]
async fn an_edit_waits_for_its_message_then_replaces_it_on_postgres() {
    let pg = PgDb::new().await;
    an_edit_waits_for_its_message_then_replaces_it(&pg.url).await;
    pg.drop_db().await;
}

#[tokio::test]
async fn a_persons_zone_is_stored_and_replaced_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    a_persons_zone_is_stored_and_replaced(&url).await;
}

#[tokio::test]
async fn a_persons_zone_is_stored_and_replaced_on_postgres() {
    let pg = PgDb::new().await;
    a_persons_zone_is_stored_and_replaced(&pg.url).await;
    pg.drop_db().await;
}
