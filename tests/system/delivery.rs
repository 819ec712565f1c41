//! Exactly-once delivery through a chat port that misbehaves: a post is marked sent only
//! after the port accepted it; a transient failure leaves it (and everything after it)
//! queued in order; a rejected post is recorded and skipped; a port that accepts a post
//! and then dies before answering gets the post again and, deduping by key, shows it
//! once. A worker whose lease was taken over commits nothing: its posts and state are
//! dropped and the new holder's decision is the only one. Real store on SQLite and
//! PostgreSQL; only the chat port is a test double (wrapping the real transcript).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use quarterdeck::chat::{BoxFuture, ChatError, ChatPort, Message, Outgoing, Posted};
use quarterdeck::clock::{Clock, ManualClock};
use quarterdeck::domain::{QuarterRun, StageStatus};
use quarterdeck::engine::ports::StoreError as PortError;
use quarterdeck::engine::{Engine, EngineError, Outcome};
use quarterdeck::sources::Catalog;
use quarterdeck::store::{Commit, NewPost, Store};
use quarterdeck::timeline;
use quarterdeck::transcript::{Transcript, read_entries};

use crate::helpers::{PgDb, settings};

/// What the port does with the next post.
#[derive(Debug, Clone, Copy)]
enum Act {
    Accept,
    /// Fails before posting (network down, rate limit).
    FailTransiently,
    /// Refuses the post for good (unknown channel, invalid message).
    Reject,
    /// Posts it, then the connection dies before the answer arrives.
    AcceptThenDie,
}

/// A chat port following a script, one act per post; `Accept` once the script ends.
/// Accepted posts go to the real transcript, which dedupes by outbox key.
struct ScriptedPort {
    inner: Transcript,
    script: Mutex<VecDeque<Act>>,
    calls: Mutex<Vec<String>>,
}

impl ScriptedPort {
    fn new(transcript: &std::path::Path, script: &[Act]) -> Self {
        Self {
            inner: Transcript::open(transcript).unwrap(),
            script: Mutex::new(script.iter().copied().collect()),
            calls: Mutex::new(Vec::new()),
        }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl ChatPort for ScriptedPort {
    fn post<'a>(&'a self, post: Outgoing<'a>) -> BoxFuture<'a, Result<Posted, ChatError>> {
        Box::pin(async move {
            self.calls.lock().unwrap().push(post.key.to_owned());
            let act = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Act::Accept);
            match act {
                Act::Accept => self.inner.post(post).await,
                Act::FailTransiently => Err(ChatError::Transient("503 from chat".into())),
                Act::Reject => Err(ChatError::Rejected("unknown channel".into())),
                Act::AcceptThenDie => {
                    self.inner.post(post).await?;
                    Err(ChatError::Transient("connection reset".into()))
                }
            }
        })
    }

    fn edit<'a>(
        &'a self,
        edit: Outgoing<'a>,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        self.inner.edit(edit, message_id)
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A run with posts `keys` in its outbox, nothing sent.
async fn outbox_with(store: &Store, keys: &[&str]) -> String {
    let run = QuarterRun::new("t", "2027-Q1", &[at("2027-01-04T14:00:00Z"); 12]);
    store
        .create_run(&run, &[], at("2027-01-01T00:00:00Z"))
        .await
        .unwrap();
    let posts = keys
        .iter()
        .map(|k| NewPost {
            key: (*k).to_owned(),
            channel: "planning".into(),
            kind: "test".into(),
            message: serde_json::to_string(&Message::new(format!("post {k}"), "body")).unwrap(),
            edits: None,
        })
        .collect();
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

fn transcript_keys(path: &std::path::Path) -> Vec<String> {
    read_entries(path)
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect()
}

async fn unsent_keys(store: &Store) -> Vec<String> {
    store
        .unsent_posts(100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect()
}

async fn a_transient_failure_keeps_the_post_and_its_successors_queued_in_order(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let store = Store::connect(url, 2).await.unwrap();
    let run_id = outbox_with(&store, &["a", "b", "c"]).await;
    let clock = ManualClock::new(at("2027-01-04T14:00:00Z"));
    let port = ScriptedPort::new(&path, &[Act::Accept, Act::FailTransiently]);

    let first = quarterdeck::engine::deliver_outbox(&store, &port, &clock)
        .await
        .unwrap();

    assert_eq!(first, 1, "only a was accepted");
    assert_eq!(
        port.calls(),
        ["a", "b"],
        "c is not tried past a transient failure"
    );
    assert_eq!(
        unsent_keys(&store).await,
        ["b", "c"],
        "b and c wait, in order"
    );
    assert_eq!(transcript_keys(&path), ["a"]);

    clock.advance_to(at("2027-01-04T14:05:00Z"));
    let second = quarterdeck::engine::deliver_outbox(&store, &port, &clock)
        .await
        .unwrap();

    assert_eq!(second, 2);
    assert!(unsent_keys(&store).await.is_empty());
    assert_eq!(transcript_keys(&path), ["a", "b", "c"]);
    let rows = store.posts(&run_id).await.unwrap();
    let ids: Vec<Option<&str>> = rows.iter().map(|r| r.message_id.as_deref()).collect();
    assert_eq!(ids, [Some("t000001"), Some("t000002"), Some("t000003")]);
    assert_eq!(
        rows[1].sent_at,
        Some(at("2027-01-04T14:05:00Z")),
        "b is marked sent when the port accepted it, not when it first failed"
    );
    store.close().await;
}

async fn a_rejected_post_is_recorded_and_skipped_without_blocking_the_queue(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let store = Store::connect(url, 2).await.unwrap();
    let run_id = outbox_with(&store, &["a", "b", "c"]).await;
    let clock = ManualClock::new(at("2027-01-04T14:00:00Z"));
    let port = ScriptedPort::new(&path, &[Act::Reject]);

    let sent = quarterdeck::engine::deliver_outbox(&store, &port, &clock)
        .await
        .unwrap();
    let again = quarterdeck::engine::deliver_outbox(&store, &port, &clock)
        .await
        .unwrap();

    assert_eq!(sent, 2, "b and c");
    assert_eq!(again, 0, "a rejected post is not retried");
    assert_eq!(port.calls(), ["a", "b", "c"]);
    assert_eq!(transcript_keys(&path), ["b", "c"]);
    let rows = store.posts(&run_id).await.unwrap();
    assert!(rows.iter().all(|r| r.sent_at.is_some()), "{rows:?}");
    assert_eq!(
        rows[0].message_id.as_deref(),
        Some(""),
        "a has no chat message"
    );
    assert_eq!(
        last_error(url, "a").await,
        (1, Some("unknown channel".to_owned())),
        "the rejection is recorded on the row"
    );
    store.close().await;
}

async fn a_port_that_accepts_then_dies_gets_the_post_again_and_shows_it_once(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let store = Store::connect(url, 2).await.unwrap();
    let run_id = outbox_with(&store, &["a", "b", "c"]).await;
    let clock = ManualClock::new(at("2027-01-04T14:00:00Z"));
    let dying = ScriptedPort::new(&path, &[Act::Accept, Act::AcceptThenDie]);

    let before_dying = quarterdeck::engine::deliver_outbox(&store, &dying, &clock)
        .await
        .unwrap();
    drop(dying);
    // A new process: the transcript is reopened from its file.
    let restarted = ScriptedPort::new(&path, &[]);
    let after_restart = quarterdeck::engine::deliver_outbox(&store, &restarted, &clock)
        .await
        .unwrap();

    assert_eq!(before_dying, 1);
    assert_eq!(unsent_keys(&store).await, Vec::<String>::new());
    assert_eq!(after_restart, 2, "b is sent again, then c");
    assert_eq!(restarted.calls(), ["b", "c"]);
    assert_eq!(
        transcript_keys(&path),
        ["a", "b", "c"],
        "b was posted once although the port got it twice"
    );
    let rows = store.posts(&run_id).await.unwrap();
    assert_eq!(
        rows[1].message_id.as_deref(),
        Some("t000002"),
        "the id of the one message"
    );
    store.close().await;
}

/// `(attempts, last_error)` of an outbox row, read with SQL (the store has no reader
/// for them).
pub(crate) async fn last_error(url: &str, key: &str) -> (i64, Option<String>) {
    const Q: &str = "SELECT attempts, last_error FROM outbox WHERE key = $1";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let row: (i64, Option<String>) =
            sqlx::query_as(Q).bind(key).fetch_one(&pool).await.unwrap();
        pool.close().await;
        row
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let row: (i64, Option<String>) =
            sqlx::query_as(Q).bind(key).fetch_one(&pool).await.unwrap();
        pool.close().await;
        row
    }
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("q.db").display())
}

#[tokio::test]
async fn a_transient_chat_failure_keeps_posts_queued_in_order_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_transient_failure_keeps_the_post_and_its_successors_queued_in_order(&sqlite_url(&dir)).await;
}

#[tokio::test]
async fn a_transient_chat_failure_keeps_posts_queued_in_order_on_postgres() {
    let pg = PgDb::new().await;
    a_transient_failure_keeps_the_post_and_its_successors_queued_in_order(&pg.url).await;
    pg.drop_db().await;
}

#[tokio::test]
async fn a_rejected_post_is_recorded_and_skipped_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_rejected_post_is_recorded_and_skipped_without_blocking_the_queue(&sqlite_url(&dir)).await;
}

#[tokio::test]
async fn a_rejected_post_is_recorded_and_skipped_on_postgres() {
    let pg = PgDb::new().await;
    a_rejected_post_is_recorded_and_skipped_without_blocking_the_queue(&pg.url).await;
    pg.drop_db().await;
}

#[tokio::test]
async fn a_post_accepted_by_a_port_that_then_died_is_shown_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_port_that_accepts_then_dies_gets_the_post_again_and_shows_it_once(&sqlite_url(&dir)).await;
}

#[tokio::test]
async fn a_post_accepted_by_a_port_that_then_died_is_shown_once_on_postgres() {
    let pg = PgDb::new().await;
    a_port_that_accepts_then_dies_gets_the_post_again_and_shows_it_once(&pg.url).await;
    pg.drop_db().await;
}

/// Worker `a` computes stage 1 while its lease expires and `b` claims the job; `a`'s
/// commit is refused, leaving no post, output or state change, and `b`'s result is the
/// only one.
async fn a_worker_that_lost_its_lease_commits_nothing(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::scheduler::sample_data(dir.path());
    let s = settings(&[]);
    let team = s.teams[0].clone();
    let tl = timeline::build(&team.timeline).unwrap();
    let due = tl.stages[0].due.with_timezone(&Utc);
    let lease = Duration::seconds(i64::from(s.scheduler.lease_seconds));
    let (clock_a, clock_b) = (
        Arc::new(ManualClock::new(due)),
        Arc::new(ManualClock::new(due + lease + Duration::seconds(1))),
    );
    let store = Store::connect(url, 4).await.unwrap();
    let a = Engine::new(store.clone(), clock_a.clone(), &s.scheduler, "a");
    let b = Engine::new(store.clone(), clock_b.clone(), &s.scheduler, "b");
    let run_id = a
        .open_run(&team, &tl, Catalog::data_dir(data.clone()))
        .await
        .unwrap();
    b.open_run(&team, &tl, Catalog::data_dir(data))
        .await
        .unwrap();
    // Stage 1's slot: its compute job is scheduled.
    assert_eq!(a.run_next().await.unwrap(), Some(1));
    let job_a = store
        .claim_due(clock_a.now(), "a", lease)
        .await
        .unwrap()
        .unwrap();
    assert!(job_a.id.contains("/compute/s01/"), "{}", job_a.id);
    let job_b = store
        .claim_due(clock_b.now(), "b", lease)
        .await
        .unwrap()
        .expect("a's lease has expired");
    let version_before = store.load_run(&run_id).await.unwrap().unwrap().version;

    let late = a.process(&job_a).await;

    assert!(
        matches!(&late, Err(EngineError::Store(PortError::LeaseLost(id))) if *id == job_a.id),
        "{late:?}"
    );
    let stored = store.load_run(&run_id).await.unwrap().unwrap();
    assert_eq!(stored.version, version_before, "no state was written");
    let s1 = stored.run.stage(1).unwrap();
    assert_eq!((s1.status, s1.output_version), (StageStatus::Running, 0));
    assert!(store.posts(&run_id).await.unwrap().is_empty(), "no post");
    assert!(store.latest_outputs(&run_id).await.unwrap().is_empty());

    let owner = b.process(&job_b).await.unwrap();

    assert_eq!(owner, Outcome::Applied { posts: 1 });
    let posts = store.posts(&run_id).await.unwrap();
    let keys: Vec<&str> = posts.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, [format!("{run_id}/s01/result/v1")]);
    let s1 = store.load_run(&run_id).await.unwrap().unwrap().run;
    let s1 = s1.stage(1).unwrap();
    assert_eq!((s1.status, s1.output_version), (StageStatus::Done, 1));
    assert_eq!(store.latest_outputs(&run_id).await.unwrap().len(), 1);
    // `a` carries on: the job is done, nothing of stage 1 is redone.
    clock_a.advance_to(clock_b.now());
    a.run_due().await.unwrap();
    assert_eq!(
        store
            .posts(&run_id)
            .await
            .unwrap()
            .iter()
            .filter(|p| p.key.contains("/s01/"))
            .count(),
        1
    );
    store.close().await;
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_commits_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_worker_that_lost_its_lease_commits_nothing(&sqlite_url(&dir)).await;
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_commits_nothing_on_postgres() {
    let pg = PgDb::new().await;
    a_worker_that_lost_its_lease_commits_nothing(&pg.url).await;
    pg.drop_db().await;
}
