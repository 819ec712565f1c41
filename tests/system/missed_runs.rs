//! The check-in clock and the missed-run policy, timed: the reminder and the close fall
//! `checkin_window_hours / 2` and `checkin_window_hours` after the prompt; a check-in
//! job one minute inside the grace period runs late, one minute outside it is skipped
//! with the reminder and close it would have had, in one notice that mentions the
//! team's owner role. Run with the default grace (180 minutes) and a configured one.

use chrono::Duration;
use quarterdeck::chat::Mention;
use quarterdeck::domain::CheckinStatus;
use quarterdeck::store::OutboxRow;

use crate::helpers::{PgDb, settings};
use crate::scheduler::kicked_off_with;

/// The post whose key is the run id followed by `suffix` (`/checkin/w01/reminder`); a
/// suffix ending in `/` names the first of a family (`/checkin/w01/prompt/`: the
/// week's prompt to each campaign's owner).
fn keyed<'a>(posts: &'a [OutboxRow], suffix: &str) -> Option<&'a OutboxRow> {
    posts.iter().find(|p| {
        let key = format!("{}{suffix}", p.run_id);
        p.key == key || (suffix.ends_with('/') && p.key.starts_with(&key))
    })
}

/// Whether a message names `role` as a mention (as data, or inline in its body).
fn mentions_role(message: &serde_json::Value, role: &str) -> bool {
    let as_data = message["mentions"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x["id"].as_str() == Some(role)));
    let in_body = message["body"].as_str().is_some_and(|b| {
        let mention = Mention::Role(role.to_owned());
        b.contains(&mention.inline())
    });
    as_data || in_body
}

async fn check_ins_keep_their_window_and_the_grace_boundary(url: &str, env: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(env);
    let (engine, clock, ctx) = kicked_off_with(url, dir.path(), &s).await;
    let (store, run_id) = (engine.store().clone(), ctx.run_id());
    let window = Duration::hours(i64::from(s.teams[0].checkin_window_hours));
    let grace = Duration::minutes(i64::from(s.scheduler.grace_minutes));
    let minute = Duration::minutes(1);

    // Week 1 on time: the prompt, then the reminder at half the window, the close at its end.
    clock.advance_to(ctx.checkins[0]);
    engine.run_due().await.unwrap();
    let reminder_due = store.next_due().await.unwrap();
    clock.advance_to(ctx.checkins[0] + window / 2);
    engine.run_due().await.unwrap();
    let close_due = store.next_due().await.unwrap();
    clock.advance_to(ctx.checkins[0] + window);
    engine.run_due().await.unwrap();

    assert_eq!(reminder_due, Some(ctx.checkins[0] + window / 2));
    assert_eq!(close_due, Some(ctx.checkins[0] + window));
    let posts = store.posts(&run_id).await.unwrap();
    assert_eq!(
        timed_of(&posts, "/checkin/w01/prompt/"),
        Some(ctx.checkins[0])
    );
    assert_eq!(
        timed_of(&posts, "/checkin/w01/reminder"),
        Some(ctx.checkins[0] + window / 2)
    );
    assert_eq!(
        timed_of(&posts, "/checkin/w01/summary"),
        Some(ctx.checkins[0] + window)
    );

    // Week 2's prompt one minute inside the grace period: it runs late. (Jobs of other
    // kinds the kickoff drive skipped, such as approval reminders, may have their own
    // notice; only notices posted from here on count.)
    let notices_before = notices(&store.posts(&run_id).await.unwrap()).len();
    clock.advance_to(ctx.checkins[1] + grace - minute);
    engine.run_due().await.unwrap();

    let posts = store.posts(&run_id).await.unwrap();
    assert_eq!(
        timed_of(&posts, "/checkin/w02/prompt/"),
        Some(ctx.checkins[1] + grace - minute),
        "ran late"
    );
    assert_eq!(
        notices(&posts).len(),
        notices_before,
        "{:?}",
        notices(&posts)
    );

    // Down until one minute past the grace period of week 3's prompt: week 2's reminder
    // and close and week 3's prompt are skipped, in one notice.
    clock.advance_to(ctx.checkins[2] + grace + minute);
    engine.run_due().await.unwrap();

    let posts = store.posts(&run_id).await.unwrap();
    let new = &notices(&posts)[notices_before..];
    assert_eq!(new.len(), 1, "one notice");
    let notice: serde_json::Value = serde_json::from_str(&new[0].message).unwrap();
    let body = notice["body"].as_str().unwrap();
    let check_in_lines: Vec<&str> = body
        .lines()
        .filter(|l| l.starts_with("- ") && l.contains("check-in"))
        .collect();
    assert_eq!(check_in_lines.len(), 3, "{body}");
    for item in [
        "week 2 check-in reminder",
        "week 2 check-in close",
        "week 3 check-in",
    ] {
        assert!(body.contains(item), "{item:?} missing from: {body}");
    }
    assert!(
        mentions_role(&notice, &ctx.roles.owner),
        "the owner role {} is not mentioned: {notice}",
        ctx.roles.owner
    );
    for skipped in [
        "/checkin/w02/reminder",
        "/checkin/w02/summary",
        "/checkin/w03/prompt/",
    ] {
        assert!(
            keyed(&posts, skipped).is_none(),
            "{skipped} was posted: {:?}",
            posts
                .iter()
                .map(|p| (p.key.as_str(), p.created_at.to_string()))
                .collect::<Vec<_>>()
        );
    }
    let run = store.load_run(&run_id).await.unwrap().unwrap().run;
    let week = |n: u32| run.checkins.iter().find(|w| w.week == n).unwrap();
    assert!(!week(2).open, "the skipped close still closes week 2");
    assert!(!week(2).entries.is_empty());
    assert!(
        week(2)
            .entries
            .iter()
            .all(|e| e.status == CheckinStatus::Missed),
        "{:?}",
        week(2).entries
    );
    assert!(
        !week(3).open && week(3).entries.is_empty(),
        "week 3 is recorded as skipped"
    );
}

fn notices(posts: &[OutboxRow]) -> Vec<&OutboxRow> {
    posts.iter().filter(|p| p.kind == "jobs_skipped").collect()
}

fn timed_of(posts: &[OutboxRow], suffix: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    keyed(posts, suffix).map(|p| p.created_at)
}

const CONFIGURED: [(&str, &str); 2] = [
    ("QUARTERDECK_SCHEDULER__GRACE_MINUTES", "30"),
    ("QUARTERDECK_TEAMS__0__CHECKIN_WINDOW_HOURS", "10"),
];

#[tokio::test]
async fn with_the_default_grace_179_minutes_late_runs_and_181_is_skipped_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    let defaults = settings(&[]);
    assert_eq!(
        (
            defaults.scheduler.grace_minutes,
            defaults.teams[0].checkin_window_hours
        ),
        (180, 48),
        "the documented defaults"
    );

    check_ins_keep_their_window_and_the_grace_boundary(&url, &[]).await;
}

#[tokio::test]
async fn a_configured_grace_and_check_in_window_are_kept_on_postgres() {
    let pg = PgDb::new().await;

    check_ins_keep_their_window_and_the_grace_boundary(&pg.url, &CONFIGURED).await;

    pg.drop_db().await;
}

#[tokio::test]
async fn a_configured_grace_and_check_in_window_are_kept_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("q.db").display());

    check_ins_keep_their_window_and_the_grace_boundary(&url, &CONFIGURED).await;
}
