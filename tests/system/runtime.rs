//! The runtime `serve` and `simulate` share: failing jobs are retried with back-off and
//! then reported once; the next quarter's run opens itself; the live loops post what is
//! due, stop on shutdown, and a restart delivers the rest exactly once.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use quarterdeck::clock::{Clock, ManualClock, SystemClock};
use quarterdeck::config::TeamSettings;
use quarterdeck::engine::{Engine, MAX_ATTEMPTS, retry_delay};
use quarterdeck::runtime::{OPEN_AHEAD_DAYS, Runtime, timeline_of};
use quarterdeck::sample::{SampleSpec, generate};
use quarterdeck::sources::Catalog;
use quarterdeck::store::{NewJob, Store};
use quarterdeck::timeline::Quarter;
use quarterdeck::transcript::{Transcript, read_entries};

use crate::helpers::{PgDb, settings};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Sample data for planning `quarter` (reviewing the one before it).
fn sample_for(dir: &std::path::Path, team: &TeamSettings, quarter: Quarter) -> Catalog {
    let fy = team.timeline.fiscal_year_start_month;
    let spec = SampleSpec {
        seed: 5,
        prior_start: quarter.prior().starts(fy),
        prior_end: quarter.prior().ends(fy),
        next_start: quarter.starts(fy),
        next_end: quarter.ends(fy),
    };
    let data = dir.join("data");
    generate(&spec).write_to(&data).unwrap();
    Catalog::data_dir(data)
}

fn team_for(quarter: &str) -> TeamSettings {
    let mut team = settings(&[]).teams[0].clone();
    team.timeline.quarter = quarter.parse().unwrap();
    team
}

async fn a_job_that_keeps_failing_is_retried_with_back_off_then_reported_once(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(&[]);
    let team = team_for("2027-Q1");
    let clock = Arc::new(ManualClock::new(at("2026-12-01T12:00:00Z")));
    let store = Store::connect(url, 4).await.unwrap();
    let engine = Engine::new(store.clone(), clock.clone(), &s.scheduler, "test");
    let tl = timeline_of(&team, team.timeline.quarter).unwrap();
    let run_id = engine
        .open_run(
            &team,
            &tl,
            sample_for(dir.path(), &team, team.timeline.quarter),
        )
        .await
        .unwrap();
    // A job nobody can run: its payload is not a job.
    let broken = NewJob {
        id: format!("{run_id}/broken"),
        run_id: run_id.clone(),
        kind: "deliver".into(),
        payload: "{not a job".into(),
        policy: "run_late".into(),
        due_at: clock.now(),
    };
    store.schedule(&[broken], clock.now()).await.unwrap();

    let mut tries_seen = 0;
    for attempt in 1..=MAX_ATTEMPTS {
        assert_eq!(engine.run_due().await.unwrap(), 1, "attempt {attempt} runs");
        tries_seen += 1;
        // Nothing more until the back-off has passed.
        assert_eq!(
            engine.run_due().await.unwrap(),
            0,
            "attempt {attempt} waits"
        );
        clock.advance_to(clock.now() + retry_delay(attempt));
    }
    clock.advance_to(clock.now() + Duration::days(1));
    let after_the_last = engine.run_due().await.unwrap();

    assert_eq!(tries_seen, 5);
    assert_eq!(after_the_last, 0, "a failed job is never claimed again");
    let run = store.load_run(&run_id).await.unwrap().unwrap().run;
    assert_eq!(run.failures.len(), 1);
    assert_eq!(run.failures[0].job, format!("{run_id}/broken"));
    assert_eq!(run.failures[0].attempts, 5);
    let reports: Vec<_> = store
        .posts(&run_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.kind == "job_failed")
        .collect();
    assert_eq!(reports.len(), 1, "reported once");
    let text: serde_json::Value = serde_json::from_str(&reports[0].message).unwrap();
    assert_eq!(
        text["mentions"][0]["id"].as_str(),
        Some(team.roles.owner.as_str()),
        "the owner role is named as data, not chat syntax"
    );
    assert!(
        text["body"].as_str().unwrap().contains("all 5 attempts"),
        "{}",
        text["body"]
    );
    let counts = store.job_counts().await.unwrap();
    assert!(counts.contains(&("failed".to_owned(), 1)), "{counts:?}");
}

#[tokio::test]
async fn a_failing_job_is_retried_then_reported_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    a_job_that_keeps_failing_is_retried_with_back_off_then_reported_once(&url).await;
}

#[tokio::test]
async fn a_failing_job_is_retried_then_reported_once_on_postgres() {
    let pg = PgDb::new().await;
    a_job_that_keeps_failing_is_retried_with_back_off_then_reported_once(&pg.url).await;
    pg.drop_db().await;
}

#[test]
fn back_off_doubles_from_thirty_seconds_up_to_thirty_minutes() {
    let secs: Vec<i64> = (1..=8).map(|a| retry_delay(a).num_seconds()).collect();

    assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1800, 1800]);
}

#[tokio::test]
async fn the_next_quarters_run_opens_itself_a_week_before_its_first_stage() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(&[]);
    let team = team_for("2027-Q1");
    let q2_first_stage = timeline_of(&team, "2027-Q2".parse().unwrap())
        .unwrap()
        .stages[0]
        .due
        .with_timezone(&Utc);
    let opens_at = q2_first_stage - Duration::days(OPEN_AHEAD_DAYS);
    let clock = Arc::new(ManualClock::new(opens_at - Duration::minutes(1)));
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    let store = Store::connect(&url, 4).await.unwrap();
    let engine = Engine::new(store.clone(), clock.clone(), &s.scheduler, "test");
    let chat = Arc::new(Transcript::open(&dir.path().join("t.jsonl")).unwrap());
    let sources = sample_for(dir.path(), &team, team.timeline.quarter);
    let runtime =
        Runtime::new(engine, chat, StdDuration::from_secs(1)).with_team(team.clone(), sources);

    let before = runtime.open_due_runs().await.unwrap();
    clock.advance_to(opens_at);
    let after = runtime.open_due_runs().await.unwrap();
    let again = runtime.open_due_runs().await.unwrap();

    assert_eq!(before, vec!["growth/2027-Q1".to_owned()]);
    assert_eq!(
        after,
        vec!["growth/2027-Q1".to_owned(), "growth/2027-Q2".to_owned()]
    );
    assert_eq!(again, after, "opening is idempotent");
    let q2 = store.load_run("growth/2027-Q2").await.unwrap().unwrap().run;
    assert_eq!(q2.stages[0].due_at, q2_first_stage);
    assert!(
        q2_first_stage.date_naive() < day("2027-04-01"),
        "week 1 is in Q1's last week"
    );
}

/// Waits until `check` holds, polling; panics after `limit`.
async fn eventually<F, Fut>(limit: StdDuration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_runtime_posts_due_stages_stops_on_shutdown_and_a_restart_posts_the_rest_once() {
    // A quarter whose stage slots have all passed on the wall clock: every stage is due.
    let dir = tempfile::tempdir().unwrap();
    let s = settings(&[]);
    let team = team_for("2026-Q3");
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    let transcript = dir.path().join("t.jsonl");
    let sources = sample_for(dir.path(), &team, team.timeline.quarter);
    let start = |sources: Catalog| {
        let (url, s, team, transcript) = (url.clone(), s.clone(), team.clone(), transcript.clone());
        async move {
            let store = Store::connect(&url, 4).await.unwrap();
            let engine = Engine::new(store.clone(), Arc::new(SystemClock), &s.scheduler, "live");
            let chat = Arc::new(Transcript::open(&transcript).unwrap());
            let runtime =
                Runtime::new(engine, chat, StdDuration::from_secs(5)).with_team(team, sources);
            let (stop, shutdown) = tokio::sync::watch::channel(false);
            let handle = tokio::spawn(async move { runtime.run(shutdown).await });
            (store, stop, handle)
        }
    };

    let (store, stop, handle) = start(sources.clone()).await;
    eventually(
        StdDuration::from_secs(60),
        "the first stage's post",
        || async {
            read_entries(&transcript).is_ok_and(|e| e.iter().any(|p| p.key.contains("/s01/")))
        },
    )
    .await;
    stop.send(true).unwrap();
    let stopped = tokio::time::timeout(StdDuration::from_secs(15), handle).await;

    assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
    let run_id = "growth/2026-Q3";

    let (store2, stop2, handle2) = start(sources).await;
    // Quiet: nothing due, nothing in flight, nothing unsent. (Besides the configured
    // quarter, the runtime may have opened later ones whose process began meanwhile.)
    eventually(StdDuration::from_secs(240), "a quiet runtime", || async {
        let due = store2.next_due().await.unwrap();
        let counts = store2.job_counts().await.unwrap();
        due.is_none_or(|t| t > Utc::now())
            && !counts.iter().any(|(status, _)| status == "claimed")
            && store2.unsent_posts(1).await.unwrap().is_empty()
    })
    .await;
    stop2.send(true).unwrap();
    tokio::time::timeout(StdDuration::from_secs(15), handle2)
        .await
        .unwrap()
        .unwrap()
        .unwrap();

    let posted = read_entries(&transcript).unwrap();
    let mut outbox = Vec::new();
    for id in store.run_ids().await.unwrap() {
        outbox.extend(store.posts(&id).await.unwrap());
    }
    let plan = store.load_run(run_id).await.unwrap().unwrap().run;
    let mut keys: Vec<&str> = posted.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), posted.len(), "no post twice");
    assert_eq!(
        posted.len(),
        outbox.len(),
        "every decided post was delivered"
    );
    assert!(outbox.iter().all(|p| p.sent_at.is_some()));
    assert_eq!(
        plan.plan_versions.len(),
        1,
        "the configured quarter reached its plan"
    );
}
