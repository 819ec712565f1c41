//! The scheduler: several instances on one PostgreSQL run each job exactly once; a dead
//! instance's lease expires; jobs missed during downtime follow the stated policy.

use std::sync::Arc;

use chrono::{Duration, Utc};
use quarterdeck::clock::ManualClock;
use quarterdeck::config::Settings;
use quarterdeck::domain::{Actor, RunStatus, StageStatus, Verdict};
use quarterdeck::engine::{Engine, Event, deliver_outbox};
use quarterdeck::sample::{SampleSpec, generate};
use quarterdeck::sources::Catalog;
use quarterdeck::store::{NewJob, Store, StoreError};
use quarterdeck::timeline;

use crate::helpers::{PgDb, settings};

pub(crate) fn sample_data(dir: &std::path::Path) -> std::path::PathBuf {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let spec = SampleSpec {
        seed: 3,
        prior_start: d("2026-10-01"),
        prior_end: d("2026-12-31"),
        next_start: d("2027-01-01"),
        next_end: d("2027-03-31"),
    };
    let data = dir.join("data");
    generate(&spec).write_to(&data).unwrap();
    data
}

async fn engine_with_teams(
    url: &str,
    s: &Settings,
    teams: usize,
    clock: Arc<ManualClock>,
    name: &str,
    data: &std::path::Path,
) -> Engine {
    let store = Store::connect(url, 4).await.unwrap();
    let engine = Engine::new(store, clock, &s.scheduler, name);
    for i in 0..teams {
        let mut team = s.teams[0].clone();
        team.name = format!("team{i:02}");
        let tl = timeline::build(&team.timeline).unwrap();
        engine
            .open_run(&team, &tl, Catalog::data_dir(data.to_owned()))
            .await
            .unwrap();
    }
    engine
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_on_one_postgres_run_each_of_924_jobs_exactly_once() {
    let pg = PgDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let data = sample_data(dir.path());
    let s = settings(&[]);
    // After every stage slot of the quarter: all 42 × 12 stage jobs are due at once.
    let clock = Arc::new(ManualClock::new(
        chrono::DateTime::parse_from_rfc3339("2027-02-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    ));
    let mut engines = Vec::new();
    for name in ["a", "b", "c"] {
        engines.push(engine_with_teams(&pg.url, &s, 42, clock.clone(), name, &data).await);
    }

    let runs = engines.iter().map(|e| {
        let e = e.clone();
        tokio::spawn(async move { e.run_due().await.unwrap() })
    });
    let processed: Vec<usize> = futures_join(runs).await;

    let store = engines[0].store();
    let counts = store.job_counts().await.unwrap();
    // 12 stage-due jobs per run, and one compute job for each of stages 1-10, each done
    // once; the approval request's three reminders per run are due after the clock.
    assert_eq!(
        counts,
        vec![("done".to_owned(), 42 * 22), ("pending".to_owned(), 42 * 3)]
    );
    for i in 0..42 {
        let run = store
            .load_run(&format!("team{i:02}/2027-Q1"))
            .await
            .unwrap()
            .unwrap()
            .run;
        for st in &run.stages[..10] {
            assert_eq!(
                (st.status, st.output_version),
                (StageStatus::Done, 1),
                "team{i:02} stage {}",
                st.number
            );
        }
        assert_eq!(run.stages[10].status, StageStatus::InReview);
        assert_eq!(store.latest_outputs(&run.id).await.unwrap().len(), 10);
    }
    assert!(
        processed.iter().filter(|p| **p > 0).count() >= 2,
        "work was not shared: {processed:?}"
    );
    for e in &engines {
        e.store().close().await;
    }
    pg.drop_db().await;
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_dead_instances_lease_expires_and_its_late_commit_is_refused() {
    let pg = PgDb::new().await;
    let store = Store::connect(&pg.url, 2).await.unwrap();
    let now = Utc::now();
    let job = NewJob {
        id: "r/job".into(),
        run_id: "r".into(),
        kind: "test".into(),
        payload: "{}".into(),
        policy: "run_late".into(),
        due_at: now,
    };
    store.schedule(&[job], now).await.unwrap();

    let a = store
        .claim_due(now, "a", Duration::seconds(60))
        .await
        .unwrap()
        .unwrap();
    let b_early = store
        .claim_due(now + Duration::seconds(30), "b", Duration::seconds(60))
        .await
        .unwrap();
    let b_late = store
        .claim_due(now + Duration::seconds(61), "b", Duration::seconds(60))
        .await
        .unwrap();

    assert!(b_early.is_none(), "the lease was still live");
    assert_eq!(b_late.unwrap().id, a.id);
    store
        .finish_job(&a, quarterdeck::store::JobOutcome::Done, now)
        .await
        .unwrap();
    assert_eq!(
        store.job_counts().await.unwrap(),
        vec![("claimed".to_owned(), 1)],
        "a's finish must not count"
    );
    store.close().await;
    pg.drop_db().await;
}

/// Drives a run through planning and approval to kickoff with explicit events.
async fn drive_to_kickoff(engine: &Engine, clock: &ManualClock, run_id: &str) {
    let setup = engine.setup(run_id).unwrap().clone();
    clock.advance_to(setup.ctx.stage_due[10]);
    engine.run_due().await.unwrap();
    for g in &setup.ctx.stakeholders {
        let actor = Actor::new(
            format!("u-{}", g.group),
            g.label.clone(),
            &[g.role_ids[0].as_str()],
        );
        let ev = Event::Verdict {
            actor,
            group: g.group.clone(),
            verdict: Verdict::Approve,
            version: 1,
            note: None,
        };
        engine.handle(run_id, ev).await.unwrap();
    }
    clock.advance_to(setup.ctx.stage_due[11]);
    engine.run_due().await.unwrap();
}

#[tokio::test]
async fn check_ins_missed_during_downtime_are_skipped_in_one_notice_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    missed_check_ins(
        &format!("sqlite://{}", dir.path().join("q.db").display()),
        dir.path(),
    )
    .await;
}

#[tokio::test]
async fn check_ins_missed_during_downtime_are_skipped_in_one_notice_on_postgres() {
    let pg = PgDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    missed_check_ins(&pg.url, dir.path()).await;
    pg.drop_db().await;
}

/// One team's run, planned, approved and kicked off, on a manual clock.
async fn kicked_off(
    url: &str,
    dir: &std::path::Path,
) -> (Engine, Arc<ManualClock>, quarterdeck::engine::PlanContext) {
    kicked_off_with(url, dir, &settings(&[])).await
}

/// [`kicked_off`] with the given settings (scheduler and first team).
pub(crate) async fn kicked_off_with(
    url: &str,
    dir: &std::path::Path,
    s: &Settings,
) -> (Engine, Arc<ManualClock>, quarterdeck::engine::PlanContext) {
    let data = sample_data(dir);
    let clock = Arc::new(ManualClock::new(
        chrono::DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    ));
    let engine = engine_with_teams(url, s, 1, clock.clone(), "solo", &data).await;
    drive_to_kickoff(&engine, &clock, "team00/2027-Q1").await;
    let ctx = engine.setup("team00/2027-Q1").unwrap().ctx.clone();
    (engine, clock, ctx)
}

/// Downtime across three check-ins: one notice, the weeks recorded as skipped, the one
/// within the grace period run late, and the rest of the quarter runs normally.
async fn missed_check_ins(url: &str, dir: &std::path::Path) {
    let (engine, clock, ctx) = kicked_off(url, dir).await;
    let run_id = "team00/2027-Q1";
    assert_eq!(
        engine
            .store()
            .load_run(run_id)
            .await
            .unwrap()
            .unwrap()
            .run
            .status,
        RunStatus::Executing
    );

    // Down from before week 1's check-in until 1 hour after week 4's (grace: 3 hours).
    clock.advance_to(ctx.checkins[3] + Duration::hours(1));
    engine.run_due().await.unwrap();

    let run = engine.store().load_run(run_id).await.unwrap().unwrap().run;
    let posts = engine.store().posts(run_id).await.unwrap();
    // The approval reminders missed in the same downtime get their own notice.
    let notices: Vec<_> = posts
        .iter()
        .filter(|p| p.kind == "jobs_skipped" && p.message.contains("check-in"))
        .collect();
    assert_eq!(notices.len(), 1, "one notice, not a flood");
    let notice = &notices[0].message;
    for w in 1..=3 {
        assert!(notice.contains(&format!("week {w} check-in")), "{notice}");
    }
    // Weeks 1-3 are recorded as skipped; week 4 was within the grace period and ran late.
    assert_eq!(
        run.checkins
            .iter()
            .filter(|w| !w.open && w.entries.is_empty())
            .count(),
        3
    );
    // Week 4 is Mon 15 Feb, a holiday in the default config: held late, everyone excused.
    let week4 = run.checkins.iter().find(|w| w.week == 4).unwrap();
    assert!(week4.holiday && week4.entries.iter().all(|e| e.excused));
    assert!(
        posts
            .iter()
            .any(|p| p.key.ends_with("/checkin/w04/summary"))
    );
    assert!(!posts.iter().any(|p| p.key.contains("/checkin/w01/prompt/")));
    let trail = engine.store().audit_trail(run_id).await.unwrap();
    assert!(trail.iter().any(|a| a.entry.action == "jobs_skipped"));

    // The rest of the quarter runs normally to completion.
    while let Some(t) = engine.store().next_due().await.unwrap() {
        clock.advance_to(t);
        engine.run_due().await.unwrap();
    }
    let sent = deliver_outbox(
        engine.store(),
        &quarterdeck::transcript::Transcript::open(&dir.join("t.jsonl")).unwrap(),
        clock.as_ref(),
    )
    .await
    .unwrap();
    assert!(sent > 0);
    assert_eq!(
        engine
            .store()
            .load_run(run_id)
            .await
            .unwrap()
            .unwrap()
            .run
            .status,
        RunStatus::Completed
    );
}

#[tokio::test]
async fn a_stale_commit_is_refused_as_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(
        &format!("sqlite://{}", dir.path().join("c.db").display()),
        2,
    )
    .await
    .unwrap();
    let run = quarterdeck::domain::QuarterRun::new("t", "2027-Q1", &[Utc::now(); 12]);
    store.create_run(&run, &[], Utc::now()).await.unwrap();
    let commit = |v| quarterdeck::store::Commit {
        run: &run,
        expected_version: v,
        now: Utc::now(),
        posts: vec![],
        jobs: vec![],
        audit: vec![],
        outputs: vec![],
        plan: None,
        attachments: vec![],
        finish: vec![],
    };

    store.commit(commit(1)).await.unwrap();
    let second = store.commit(commit(1)).await;

    assert!(matches!(second, Err(StoreError::Conflict)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_answers_are_group_committed_with_one_outcome_per_caller_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    concurrent_answers(
        &format!("sqlite://{}", dir.path().join("g.db").display()),
        dir.path(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_answers_are_group_committed_with_one_outcome_per_caller_on_postgres() {
    let pg = PgDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    concurrent_answers(&pg.url, dir.path()).await;
    pg.drop_db().await;
}

async fn concurrent_answers(url: &str, dir: &std::path::Path) {
    let (engine, clock, ctx) = kicked_off(url, dir).await;
    let run_id = "team00/2027-Q1";
    clock.advance_to(ctx.checkins[0]);
    engine.run_due().await.unwrap();
    let roster = engine
        .store()
        .load_run(run_id)
        .await
        .unwrap()
        .unwrap()
        .run
        .roster;

    // 200 answers at once; every 4th comes from someone who owns no campaign. The other
    // 150 go round the roster in order, so every campaign gets its owner's answer.
    let calls = (0..200).map(|i| {
        let k = if i % 4 == 0 { i / 4 } else { i - i / 4 - 1 };
        let (engine, r) = (engine.clone(), roster[k % roster.len()].clone());
        let who = if i % 4 == 0 {
            "Mallory".to_owned()
        } else {
            r.owner.clone()
        };
        tokio::spawn(async move {
            let e = Event::CheckinAnswered {
                actor: Actor::new(format!("u{i}"), who, &[]),
                week: 1,
                campaign: r.campaign,
                status: quarterdeck::domain::CheckinStatus::OnTrack,
                // Each caller says something of their own: the same answer twice would
                // count once (a redelivery).
                note: Some(format!("call {i}")),
                numbers: None,
            };
            engine.handle(run_id, e).await.unwrap()
        })
    });
    let outcomes = futures_join(calls).await;

    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, quarterdeck::engine::Outcome::Refused(_)))
        .count();
    assert_eq!(refused, 50);
    let trail = engine.store().audit_trail(run_id).await.unwrap();
    assert_eq!(
        trail.iter().filter(|a| a.entry.action == "checkin").count(),
        150
    );
    assert_eq!(
        trail
            .iter()
            .filter(|a| a.entry.action == "checkin_answered" && a.entry.outcome == "rejected")
            .count(),
        50
    );
    let run = engine.store().load_run(run_id).await.unwrap().unwrap().run;
    assert!(
        run.checkins[0]
            .entries
            .iter()
            .all(|e| e.status == quarterdeck::domain::CheckinStatus::OnTrack)
    );
}

#[tokio::test]
async fn an_owners_own_zone_chosen_before_the_run_opens_times_their_check_ins_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    owner_zone_quarter(
        &format!("sqlite://{}", dir.path().join("q.db").display()),
        dir.path(),
    )
    .await;
}

#[tokio::test]
async fn an_owners_own_zone_chosen_before_the_run_opens_times_their_check_ins_on_postgres() {
    let pg = PgDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    owner_zone_quarter(&pg.url, dir.path()).await;
    pg.drop_db().await;
}

/// Avery Chen chose London with `/timezone` (stored) before the quarter's run opened; the
/// team is in New York. The whole quarter runs on a manual clock. Instants by hand: 09:00
/// GMT = 09:00 UTC, 09:00 BST (from 28 Mar) = 08:00 UTC, 09:00 EST = 14:00 UTC, 09:00 EDT
/// (from 14 Mar) = 13:00 UTC.
async fn owner_zone_quarter(url: &str, dir: &std::path::Path) {
    const AVERY: &str = "1150000000000000101";
    let data = sample_data(dir);
    let mut s = settings(&[]);
    s.teams[0].people.members = vec![quarterdeck::config::PersonRef {
        id: AVERY.into(),
        name: "Avery Chen".into(),
    }];
    let at = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .with_timezone(&Utc)
    };
    let clock = Arc::new(ManualClock::new(at("2026-12-01T00:00:00Z")));
    let store = Store::connect(url, 4).await.unwrap();
    store
        .set_user_timezone(AVERY, "Europe/London", at("2026-12-01T00:00:00Z"))
        .await
        .unwrap();
    let engine = Engine::new(store, clock.clone(), &s.scheduler, "solo");
    let team = s.teams[0].clone();
    let tl = timeline::build(&team.timeline).unwrap();
    let run_id = engine
        .open_run(&team, &tl, Catalog::data_dir(data))
        .await
        .unwrap();
    drive_to_kickoff(&engine, &clock, &run_id).await;
    while let Some(t) = engine.store().next_due().await.unwrap() {
        clock.advance_to(t);
        engine.run_due().await.unwrap();
    }

    let run = engine.store().load_run(&run_id).await.unwrap().unwrap().run;
    assert_eq!(run.status, RunStatus::Completed);
    let averys: Vec<String> = run
        .roster
        .iter()
        .filter(|r| r.owner_id.as_deref() == Some(AVERY))
        .map(|r| quarterdeck::engine::slug(&r.campaign))
        .collect();
    assert!(!averys.is_empty() && averys.len() < run.roster.len());
    let posts = engine.store().posts(&run_id).await.unwrap();
    // When week `w`'s prompts went out: Avery's and everyone else's.
    let prompted = |w: u32| {
        let mut theirs = std::collections::BTreeSet::new();
        let mut others = std::collections::BTreeSet::new();
        for p in posts.iter().filter(|p| p.kind == "checkin_prompt") {
            let Some(slug) = p
                .key
                .strip_prefix(&format!("{run_id}/checkin/w{w:02}/prompt/"))
            else {
                continue;
            };
            let when = p.created_at.to_rfc3339();
            if averys.iter().any(|a| a == slug) {
                theirs.insert(when);
            } else {
                others.insert(when);
            }
        }
        (
            theirs.into_iter().collect::<Vec<_>>(),
            others.into_iter().collect::<Vec<_>>(),
        )
    };
    // Mon 25 Jan: London is five hours ahead of New York.
    assert_eq!(
        prompted(1),
        (
            vec!["2027-01-25T09:00:00+00:00".to_owned()],
            vec!["2027-01-25T14:00:00+00:00".to_owned()]
        )
    );
    // Mon 22 Mar: New York has sprung forward, London not yet: four hours.
    assert_eq!(
        prompted(9),
        (
            vec!["2027-03-22T09:00:00+00:00".to_owned()],
            vec!["2027-03-22T13:00:00+00:00".to_owned()]
        )
    );
    // Mon 29 Mar: both on summer time: five hours again.
    assert_eq!(
        prompted(10),
        (
            vec!["2027-03-29T08:00:00+00:00".to_owned()],
            vec!["2027-03-29T13:00:00+00:00".to_owned()]
        )
    );
    // Week 1's digest after the last window (New York's, 48 hours) closed.
    let digest = posts
        .iter()
        .find(|p| p.key == format!("{run_id}/checkin/w01/summary"))
        .unwrap();
    assert_eq!(digest.created_at, at("2027-01-27T14:00:00Z"));
    // Mon 15 Feb (week 4) is a holiday in the default config: no prompt, one digest.
    assert_eq!(prompted(4), (Vec::new(), Vec::new()));
    let holiday = posts
        .iter()
        .find(|p| p.key == format!("{run_id}/checkin/w04/summary"))
        .unwrap();
    assert!(
        holiday.message.contains("Excused: holiday"),
        "{}",
        holiday.message
    );
}

#[tokio::test]
async fn the_next_quarter_reads_the_stored_actuals_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    next_quarter_reads_actuals(
        &format!("sqlite://{}", dir.path().join("q.db").display()),
        dir.path(),
    )
    .await;
}

#[tokio::test]
async fn the_next_quarter_reads_the_stored_actuals_on_postgres() {
    let pg = PgDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    next_quarter_reads_actuals(&pg.url, dir.path()).await;
    pg.drop_db().await;
}

/// 2027-Q1 runs to completion beside 2027-Q2's run (whose stage 1, reviewing Q1, is due
/// in Q1's last week, before Q1's actuals exist). Storing Q1's actuals re-runs Q2's
/// stage 1; the team's spend export has a Q1 row of one channel the owners reported, so
/// stage 1 reads the export for that channel and the owners' figures for every other,
/// and says so.
async fn next_quarter_reads_actuals(url: &str, dir: &std::path::Path) {
    let data = sample_data(dir);
    let s = settings(&[]);
    let mut team = s.teams[0].clone();
    team.data_dir = data.clone();
    let clock = Arc::new(ManualClock::new(
        chrono::DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    ));
    let store = Store::connect(url, 4).await.unwrap();
    let engine = Engine::new(store, clock.clone(), &s.scheduler, "solo");
    let q1 = engine
        .open_run(
            &team,
            &timeline::build(&team.timeline).unwrap(),
            Catalog::data_dir(data.clone()),
        )
        .await
        .unwrap();
    let mut next = team.timeline.clone();
    next.quarter = team.timeline.quarter.next();
    let q2 = engine
        .open_run(
            &team,
            &timeline::build(&next).unwrap(),
            Catalog::data_dir(data.clone()),
        )
        .await
        .unwrap();
    drive_to_kickoff(&engine, &clock, &q1).await;
    let end = chrono::DateTime::parse_from_rfc3339("2027-04-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let ops = Actor::new("ops", "Ops", &[team.roles.run_stages[0].as_str()]);
    let mut answered = false;
    while let Some(t) = engine.store().next_due().await.unwrap() {
        if t > end {
            break;
        }
        clock.advance_to(t);
        engine.run_due().await.unwrap();
        // Week 1's numbers, every campaign: the actuals' rows.
        let run = engine.store().load_run(&q1).await.unwrap().unwrap().run;
        if let Some(w) = run.checkins.first().filter(|w| w.open && !answered) {
            for e in &w.entries {
                let event = Event::CheckinAnswered {
                    actor: ops.clone(),
                    week: 1,
                    campaign: e.campaign.clone(),
                    status: quarterdeck::domain::CheckinStatus::OnTrack,
                    note: None,
                    numbers: Some(quarterdeck::domain::CheckinNumbers {
                        spend_to_date: 1000.0,
                        leads: 10.0,
                        mqls: 3.0,
                        pipeline: 9000.0,
                        blockers: Vec::new(),
                    }),
                };
                engine.handle(&q1, event).await.unwrap();
            }
            answered = true;
        }
    }
    let run = engine.store().load_run(&q1).await.unwrap().unwrap().run;
    assert_eq!(run.status, RunStatus::Completed);
    let stage1 = |posts: &[quarterdeck::engine::records::OutboxRow]| {
        posts
            .iter()
            .filter(|p| p.key.starts_with(&format!("{q2}/s01/")) && p.kind == "stage_result")
            .count()
    };
    let before = stage1(&engine.store().posts(&q2).await.unwrap());
    assert!(before >= 1, "Q2's stage 1 ran in Q1's last week");

    // The keeper stores Q1's actuals (Q2's stage 1 is due to compute again); the
    // sample's spend export ends with 2026, and the team has meanwhile exported one Q1
    // row of the first channel the owners reported.
    quarterdeck::actuals::store_completed(&engine, &team)
        .await
        .unwrap();
    let stored = std::fs::read_to_string(data.join("actuals/2027-Q1/spend.csv")).unwrap();
    let rows: Vec<&str> = stored.lines().skip(1).collect();
    let channel_of = |l: &str| l.split(',').nth(1).unwrap().to_owned();
    let exported = channel_of(rows[0]);
    let carried = rows.iter().filter(|l| channel_of(l) != exported).count();
    let others: std::collections::BTreeSet<String> = rows
        .iter()
        .map(|l| channel_of(l))
        .filter(|c| *c != exported)
        .collect();
    assert!(carried > 0 && carried < rows.len());
    let spend = data.join("spend.csv");
    let mut export = std::fs::read_to_string(&spend).unwrap();
    export.push_str(&format!("2027-01-11,{exported},Exported,500.00,,,,\n"));
    std::fs::write(&spend, export).unwrap();
    engine.run_due().await.unwrap();

    let posts = engine.store().posts(&q2).await.unwrap();
    assert_eq!(stage1(&posts), before + 1, "stage 1 computed again");
    let latest = posts
        .iter()
        .rev()
        .find(|p| p.key.starts_with(&format!("{q2}/s01/")) && p.kind == "stage_result")
        .unwrap();
    let others: Vec<String> = others.into_iter().collect();
    assert!(
        latest.message.contains(&format!(
            "spend.csv: {carried} rows added from last quarter's check-in actuals"
        )) && latest.message.contains(&format!(
            "for channels the exports lack: {}.",
            others.join(", ")
        )),
        "{}",
        latest.message
    );
    // The plan's campaigns were not in the team's campaigns export: all carried.
    assert!(
        latest.message.contains("campaigns.csv: ")
            && latest
                .message
                .contains("for campaigns the exports lack: 2027-Q1 "),
        "{}",
        latest.message
    );
}
