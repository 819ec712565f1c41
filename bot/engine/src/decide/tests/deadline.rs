//! Plan-deadline warnings on a manual clock: when they fall (business days, 09:00
//! local, across a DST change), who they name, once each, and silence once approved.

use super::super::deadline::warning_at;
use super::*;

/// The team's deadline: Tuesday 16 March 2027, 17:00 in New York (EDT, UTC−4), two
/// days after the clocks went forward (Sunday 14 March).
fn deadline_ctx() -> PlanContext {
    let mut c = ctx();
    c.plan_deadline = Utc.with_ymd_and_hms(2027, 3, 16, 21, 0, 0).unwrap();
    c
}

fn warnings(d: &Decision) -> Vec<&Notice> {
    d.posts
        .iter()
        .filter(|p| p.kind() == "plan_deadline_warning")
        .map(|p| &p.notice)
        .collect()
}

#[test]
fn warnings_fall_at_nine_local_on_business_days_before_the_deadline_across_dst() {
    let c = deadline_ctx();

    // 3 business days before Tue 16 Mar: Mon 15, Fri 12, Thu 11 → Thu 11 Mar 09:00 EST
    // (UTC−5) = 14:00 UTC. 1 business day before: Mon 15 Mar 09:00 EDT (UTC−4) = 13:00.
    assert_eq!(
        warning_at(&c, 3),
        Utc.with_ymd_and_hms(2027, 3, 11, 14, 0, 0).unwrap()
    );
    assert_eq!(
        warning_at(&c, 1),
        Utc.with_ymd_and_hms(2027, 3, 15, 13, 0, 0).unwrap()
    );
    assert_eq!(warning_at(&c, 0), c.plan_deadline);
}

#[test]
fn opening_the_review_schedules_each_warning_once_and_the_deadline_itself() {
    let c = deadline_ctx();
    let now = Utc.with_ymd_and_hms(2027, 3, 1, 14, 0, 0).unwrap();

    let d = decide(&planned(), &c, &Event::StageDue { stage: 11 }, now).unwrap();

    let jobs: Vec<(String, DateTime<Utc>)> = d
        .jobs
        .iter()
        .filter(|j| j.id.contains("/deadline/"))
        .map(|j| (j.id.clone(), j.due_at))
        .collect();
    assert_eq!(
        jobs,
        [
            (
                "growth/2027-Q1/s11/deadline/3bd".to_owned(),
                Utc.with_ymd_and_hms(2027, 3, 11, 14, 0, 0).unwrap()
            ),
            (
                "growth/2027-Q1/s11/deadline/1bd".to_owned(),
                Utc.with_ymd_and_hms(2027, 3, 15, 13, 0, 0).unwrap()
            ),
            (
                "growth/2027-Q1/s11/deadline/passed".to_owned(),
                c.plan_deadline
            ),
        ]
    );
}

#[test]
fn a_review_opened_after_a_warning_time_skips_that_warning() {
    let c = deadline_ctx();
    let now = Utc.with_ymd_and_hms(2027, 3, 12, 14, 0, 0).unwrap();

    let d = decide(&planned(), &c, &Event::StageDue { stage: 11 }, now).unwrap();

    let ids: Vec<&str> = d
        .jobs
        .iter()
        .filter(|j| j.id.contains("/deadline/"))
        .map(|j| j.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "growth/2027-Q1/s11/deadline/1bd",
            "growth/2027-Q1/s11/deadline/passed"
        ]
    );
}

#[test]
fn a_warning_names_only_the_groups_still_pending_by_their_roles() {
    let c = deadline_ctx();
    let at = warning_at(&c, 3);
    let run = decide(
        &in_review(),
        &c,
        &verdict("m1", "marketing", Verdict::Approve, 1, None),
        at,
    )
    .unwrap()
    .run;

    let d = decide(&run, &c, &Event::PlanDeadline { business_days: 3 }, at).unwrap();

    let posted = warnings(&d);
    assert_eq!(posted.len(), 1);
    assert_eq!(
        posted[0].roles(),
        ["role-finance"],
        "marketing has approved"
    );
    assert_eq!(d.posts[0].channel, "approvals");
    assert_eq!(
        d.posts[0].key, "growth/2027-Q1/s11/deadline/3bd",
        "one key per warning: said once"
    );
    let text = crate::present(posted[0], &c);
    assert_eq!(
        text.title,
        "Plan deadline in 3 business days · v1 awaits approval"
    );
    assert!(
        text.body.contains("Tue 16 Mar 2027 17:00 EDT"),
        "{}",
        text.body
    );
}

#[test]
fn the_deadline_passing_unapproved_is_said_and_an_approved_plan_hears_nothing() {
    let c = deadline_ctx();

    let passed = decide(
        &in_review(),
        &c,
        &Event::PlanDeadline { business_days: 0 },
        c.plan_deadline,
    )
    .unwrap();
    let quiet: Vec<usize> = [3, 1, 0]
        .into_iter()
        .map(|n| {
            let d = decide(
                &approved(),
                &c,
                &Event::PlanDeadline { business_days: n },
                c.plan_deadline,
            )
            .unwrap();
            d.posts.len()
        })
        .collect();

    let posted = warnings(&passed);
    assert_eq!(posted.len(), 1);
    assert_eq!(
        crate::present(posted[0], &c).title,
        "Plan deadline passed · v1 not approved"
    );
    assert_eq!(posted[0].roles(), ["role-marketing", "role-finance"]);
    assert_eq!(quiet, [0, 0, 0]);
}
