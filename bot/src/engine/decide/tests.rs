//! Every transition of `decide`, and every refusal, on a hand-built context.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::decide;
use crate::chat::Message;
use crate::config::{ChannelSettings, RoleSettings, StakeholderGroup};
use crate::domain::{
    Actor, CheckinStatus, QuarterRun, RosterEntry, RunStatus, StageStatus, Verdict,
};
use crate::engine::{
    Decision, Event, Job, MissedPolicy, PlanContext, Rejection, SkippedJob, StageResult,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 21, 14, 0, 0).unwrap()
}

fn group(name: &str, quorum: u32) -> StakeholderGroup {
    StakeholderGroup {
        group: name.into(),
        label: format!("{name} lead"),
        role_ids: vec![format!("role-{name}")],
        quorum,
    }
}

fn ctx() -> PlanContext {
    PlanContext {
        team: "growth".into(),
        quarter: "2027-Q1".into(),
        quarter_start: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        tz: chrono_tz::America::New_York,
        channels: ChannelSettings {
            default: "plan".into(),
            approvals: "approvals".into(),
            checkins: "checkins".into(),
            stages: [("6".to_owned(), "budget".to_owned())].into(),
        },
        roles: RoleSettings {
            run_stages: vec!["ops".into()],
            owner: "ops".into(),
        },
        stakeholders: vec![group("marketing", 1), group("finance", 2)],
        stage_due: (0..12).map(|i| t0() + Duration::days(i)).collect(),
        checkins: vec![t0() + Duration::days(30), t0() + Duration::days(37)],
        checkin_window: Duration::hours(48),
        plan_deadline: t0() + Duration::days(20),
    }
}

fn fresh() -> QuarterRun {
    QuarterRun::new("growth", "2027-Q1", &ctx().stage_due)
}

fn result(hash: Option<&str>) -> StageResult {
    StageResult {
        available: true,
        message: Message::new("t", "b"),
        plan_hash: hash.map(str::to_owned),
        roster: None,
    }
}

fn apply(run: &QuarterRun, e: Event) -> Decision {
    decide(run, &ctx(), &e, t0()).unwrap_or_else(|r| panic!("{e:?} refused: {r}"))
}

fn refuse(run: &QuarterRun, e: Event) -> Rejection {
    decide(run, &ctx(), &e, t0()).expect_err("expected a refusal")
}

fn computed(stage: u8) -> Event {
    Event::StageComputed {
        stage,
        result: result(if stage == 10 {
            Some("hash-of-plan")
        } else {
            None
        }),
    }
}

/// A run with stages 1-10 done and plan v1 written.
fn planned() -> QuarterRun {
    let mut run = fresh();
    for n in 1..=10 {
        run = apply(&run, Event::StageDue { stage: n }).run;
        if run.stage(n).unwrap().status == StageStatus::Running {
            run = apply(&run, computed(n)).run;
        }
    }
    run
}

fn in_review() -> QuarterRun {
    apply(&planned(), Event::StageDue { stage: 11 }).run
}

fn person(id: &str, role: &str) -> Actor {
    Actor::new(id, id, &[role])
}

fn verdict(id: &str, g: &str, v: Verdict, version: u32, note: Option<&str>) -> Event {
    Event::Verdict {
        actor: person(id, &format!("role-{g}")),
        group: g.into(),
        verdict: v,
        version,
        note: note.map(Into::into),
    }
}

fn approved() -> QuarterRun {
    let mut run = in_review();
    for e in [
        verdict("m1", "marketing", Verdict::Approve, 1, None),
        verdict("f1", "finance", Verdict::Approve, 1, None),
        verdict("f2", "finance", Verdict::Approve, 1, None),
    ] {
        run = apply(&run, e).run;
    }
    run
}

fn executing() -> QuarterRun {
    let mut run = apply(&approved(), Event::StageDue { stage: 12 }).run;
    let mut kickoff = result(None);
    kickoff.roster = Some(vec![
        RosterEntry {
            campaign: "Spring webinar".into(),
            owner: "Avery".into(),
        },
        RosterEntry {
            campaign: "Search always-on".into(),
            owner: "Jordan".into(),
        },
    ]);
    run = apply(
        &run,
        Event::StageComputed {
            stage: 12,
            result: kickoff,
        },
    )
    .run;
    run
}

#[test]
fn a_due_stage_with_its_inputs_done_starts_computing() {
    let d = apply(&fresh(), Event::StageDue { stage: 1 });

    assert_eq!(d.run.stage(1).unwrap().status, StageStatus::Running);
    assert_eq!(d.jobs.len(), 1);
    assert_eq!(d.jobs[0].job, Job::Compute { stage: 1 });
    assert_eq!(d.jobs[0].policy, MissedPolicy::RunLate);
}

#[test]
fn a_due_stage_waits_for_its_inputs_and_starts_when_they_land() {
    let run = apply(&fresh(), Event::StageDue { stage: 4 }).run;
    assert_eq!(run.stage(4).unwrap().status, StageStatus::Waiting);

    let run = apply(&run, Event::StageDue { stage: 2 }).run;
    let d = apply(&run, computed(2));

    assert_eq!(d.run.stage(4).unwrap().status, StageStatus::Running);
    assert!(d.jobs.iter().any(|j| j.job == Job::Compute { stage: 4 }));
}

#[test]
fn a_computed_stage_posts_its_findings_once_under_a_versioned_key() {
    let run = apply(&fresh(), Event::StageDue { stage: 6 }).run;
    let run = apply(&run, Event::StageDue { stage: 1 }).run;
    let run = apply(&run, computed(1)).run;

    let d = apply(&run, computed(6));

    let s = d.run.stage(6).unwrap();
    assert_eq!(
        (s.status, s.output_version, s.completed_at),
        (StageStatus::Done, 1, Some(t0()))
    );
    assert_eq!(d.posts.len(), 1);
    assert_eq!(d.posts[0].key, "growth/2027-Q1/s06/result/v1");
    assert_eq!(d.posts[0].channel, "budget");
}

#[test]
fn a_result_for_a_stage_that_is_not_running_is_refused() {
    assert!(matches!(
        refuse(&fresh(), computed(3)),
        Rejection::NotNow(_)
    ));
    assert!(matches!(
        refuse(&fresh(), Event::StageDue { stage: 13 }),
        Rejection::NoSuchStage(13)
    ));
}

#[test]
fn a_failed_stage_tells_the_owner_and_blocks_its_dependents() {
    let run = apply(&fresh(), Event::StageDue { stage: 2 }).run;

    let d = apply(
        &run,
        Event::StageFailed {
            stage: 2,
            error: "leads.csv, row 7: bad date".into(),
        },
    );

    assert_eq!(d.run.stage(2).unwrap().status, StageStatus::Failed);
    assert!(d.posts[0].message.body.contains("leads.csv, row 7"));
    let run = apply(&d.run, Event::StageDue { stage: 4 }).run;
    assert_eq!(run.stage(4).unwrap().status, StageStatus::Waiting);
}

#[test]
fn the_plan_stage_creates_version_one_and_review_opens_on_it() {
    let run = planned();
    assert_eq!(run.plan_versions.len(), 1);
    assert_eq!(run.plan_versions[0].hash, "hash-of-plan");

    let d = apply(&run, Event::StageDue { stage: 11 });

    assert_eq!(d.run.status, RunStatus::AwaitingApproval);
    assert_eq!(d.run.stage(11).unwrap().status, StageStatus::InReview);
    assert_eq!(d.posts[0].key, "growth/2027-Q1/s11/request/v1");
    assert_eq!(d.posts[0].channel, "approvals");
    assert_eq!(d.posts[0].message.buttons.len(), 3);
}

#[test]
fn the_plan_is_approved_only_when_every_group_reaches_its_quorum() {
    let mut run = in_review();
    run = apply(&run, verdict("m1", "marketing", Verdict::Approve, 1, None)).run;
    run = apply(&run, verdict("f1", "finance", Verdict::Approve, 1, None)).run;
    assert_eq!(run.status, RunStatus::AwaitingApproval, "finance needs two");

    let d = apply(&run, verdict("f2", "finance", Verdict::Approve, 1, None));

    assert_eq!(d.run.status, RunStatus::Approved);
    assert_eq!(d.run.approved_version, Some(1));
    assert!(d.posts.iter().any(|p| p.kind == "plan_approved"));
    assert!(d.audit.iter().any(|a| a.action == "plan_approved"));
}

#[test]
fn approval_refuses_people_without_the_groups_role() {
    let e = Event::Verdict {
        actor: person("intruder", "role-marketing"),
        group: "finance".into(),
        verdict: Verdict::Approve,
        version: 1,
        note: None,
    };

    assert!(matches!(
        refuse(&in_review(), e),
        Rejection::NotAuthorized { .. }
    ));
}

#[test]
fn approval_refuses_unknown_groups_stale_versions_duplicates_and_closed_reviews() {
    let run = in_review();
    let run1 = apply(&run, verdict("m1", "marketing", Verdict::Approve, 1, None)).run;

    assert!(matches!(
        refuse(&run, verdict("x", "legal", Verdict::Approve, 1, None)),
        Rejection::UnknownGroup(_)
    ));
    assert_eq!(
        refuse(&run, verdict("m1", "marketing", Verdict::Approve, 2, None)),
        Rejection::StaleVersion {
            version: 2,
            latest: 1
        }
    );
    assert!(matches!(
        refuse(&run1, verdict("m1", "marketing", Verdict::Approve, 1, None)),
        Rejection::Duplicate(_)
    ));
    assert!(matches!(
        refuse(
            &planned(),
            verdict("m1", "marketing", Verdict::Approve, 1, None)
        ),
        Rejection::NotNow(_)
    ));
}

#[test]
fn a_change_request_needs_a_note_and_makes_a_new_version_that_needs_approval_again() {
    let run = apply(
        &in_review(),
        verdict("m1", "marketing", Verdict::Approve, 1, None),
    )
    .run;
    assert!(matches!(
        refuse(
            &run,
            verdict("f1", "finance", Verdict::RequestChanges, 1, None)
        ),
        Rejection::Invalid(_)
    ));

    let d = apply(
        &run,
        verdict(
            "f1",
            "finance",
            Verdict::RequestChanges,
            1,
            Some("cut display by 5%"),
        ),
    );
    assert_eq!(d.run.stage(10).unwrap().status, StageStatus::Running);
    assert!(d.jobs.iter().any(|j| j.job == Job::Compute { stage: 10 }));
    assert!(matches!(
        refuse(&d.run, verdict("f2", "finance", Verdict::Approve, 1, None)),
        Rejection::NotNow(_)
    ));
    let d = decide(
        &d.run,
        &ctx(),
        &Event::StageComputed {
            stage: 10,
            result: result(Some("hash-v2")),
        },
        t0(),
    )
    .unwrap();

    assert_eq!(d.run.plan_versions.len(), 2);
    assert!(d.run.plan_versions[1].reason.contains("cut display by 5%"));
    assert!(d.run.pending_changes.is_empty());
    assert!(
        d.posts
            .iter()
            .any(|p| p.key == "growth/2027-Q1/s11/request/v2")
    );
    // v1's approvals do not carry over.
    let mut run = d.run;
    run = apply(&run, verdict("f1", "finance", Verdict::Approve, 2, None)).run;
    run = apply(&run, verdict("f2", "finance", Verdict::Approve, 2, None)).run;
    assert_eq!(run.status, RunStatus::AwaitingApproval);
    run = apply(&run, verdict("m1", "marketing", Verdict::Approve, 2, None)).run;
    assert_eq!(
        (run.status, run.approved_version),
        (RunStatus::Approved, Some(2))
    );
}

#[test]
fn a_rejection_blocks_approval_of_that_version() {
    let mut run = in_review();
    run = apply(
        &run,
        verdict(
            "f1",
            "finance",
            Verdict::Reject,
            1,
            Some("too much on events"),
        ),
    )
    .run;
    run = apply(&run, verdict("f2", "finance", Verdict::Approve, 1, None)).run;

    let d = apply(&run, verdict("m1", "marketing", Verdict::Approve, 1, None));

    assert_eq!(d.run.status, RunStatus::AwaitingApproval);
}

#[test]
fn a_rerun_needs_the_run_stages_role_and_marks_every_dependent_stale() {
    let run = planned();
    let ops = Actor::new("o", "Ops", &["ops"]);
    let stranger = Actor::new("s", "Sam", &["sales"]);
    assert!(matches!(
        refuse(
            &run,
            Event::Rerun {
                actor: stranger,
                stage: 2,
                reason: "new leads".into()
            }
        ),
        Rejection::NotAuthorized { .. }
    ));

    let d = apply(
        &run,
        Event::Rerun {
            actor: ops,
            stage: 2,
            reason: "new leads".into(),
        },
    );

    assert_eq!(d.run.stage(2).unwrap().status, StageStatus::Running);
    for n in [4, 5, 7, 8, 9, 10] {
        assert!(d.run.stage(n).unwrap().stale, "stage {n}");
    }
    assert!(!d.run.stage(1).unwrap().stale && !d.run.stage(3).unwrap().stale);
    // Recomputing stage 2 recomputes its direct dependents whose inputs are current.
    let d = apply(&d.run, computed(2));
    assert_eq!(d.run.stage(2).unwrap().output_version, 2);
    assert_eq!(d.run.stage(4).unwrap().status, StageStatus::Running);
    assert_eq!(d.run.stage(5).unwrap().status, StageStatus::Running);
    assert_eq!(
        d.run.stage(7).unwrap().status,
        StageStatus::Done,
        "7 waits for 4"
    );
}

#[test]
fn new_data_reruns_the_stages_that_read_it_and_refuses_files_no_stage_reads() {
    let ops = Actor::new("o", "Ops", &["ops"]);

    let d = apply(
        &planned(),
        Event::DataArrived {
            actor: ops.clone(),
            file: "leads.csv".into(),
        },
    );

    // leads.csv feeds stages 2 and 4; 4 depends on 2, so it is stale until 2 lands.
    assert_eq!(d.run.stage(2).unwrap().status, StageStatus::Running);
    assert!(d.run.stage(4).unwrap().stale);
    assert_eq!(d.audit.len(), 1);
    assert!(matches!(
        refuse(
            &planned(),
            Event::DataArrived {
                actor: ops,
                file: "notes.txt".into()
            }
        ),
        Rejection::Invalid(_)
    ));
}

#[test]
fn reruns_are_refused_for_unfinished_stages_people_stages_and_approved_plans() {
    let ops = || Actor::new("o", "Ops", &["ops"]);
    let rerun = |stage| Event::Rerun {
        actor: ops(),
        stage,
        reason: "x".into(),
    };

    assert!(matches!(refuse(&fresh(), rerun(1)), Rejection::NotNow(_)));
    assert!(matches!(
        refuse(&planned(), rerun(11)),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        refuse(&approved(), rerun(3)),
        Rejection::NotNow(_)
    ));
}

#[test]
fn kickoff_sets_the_roster_and_schedules_every_check_in_as_skippable() {
    let run = approved();
    assert_eq!(
        run.stage(12).unwrap().status,
        StageStatus::Scheduled,
        "12 starts at its slot"
    );
    let started = apply(&run, Event::StageDue { stage: 12 }).run;
    assert_eq!(started.stage(12).unwrap().status, StageStatus::Running);

    let run = executing();

    assert_eq!(run.status, RunStatus::Executing);
    assert_eq!(run.roster.len(), 2);
    let d = {
        let mut kickoff = result(None);
        kickoff.roster = Some(run.roster.clone());
        decide(
            &started,
            &ctx(),
            &Event::StageComputed {
                stage: 12,
                result: kickoff,
            },
            t0(),
        )
        .unwrap()
    };
    let checkins: Vec<_> = d
        .jobs
        .iter()
        .filter(|j| j.policy == MissedPolicy::SkipAfterGrace)
        .collect();
    assert_eq!(checkins.len(), 2);
    assert_eq!(checkins[0].due_at, ctx().checkins[0]);
}

#[test]
fn a_check_in_week_prompts_reminds_the_silent_and_records_them_as_missed() {
    assert!(matches!(
        refuse(&approved(), Event::CheckinDue { week: 1 }),
        Rejection::NotNow(_)
    ));
    let d = apply(&executing(), Event::CheckinDue { week: 1 });
    assert_eq!(d.posts[0].kind, "checkin_prompt");
    assert_eq!(d.jobs.len(), 2, "a reminder and a close");
    let mut run = d.run;
    assert!(matches!(
        refuse(&run, Event::CheckinDue { week: 1 }),
        Rejection::Duplicate(_)
    ));

    let not_owner = Event::CheckinAnswered {
        actor: Actor::new("j", "Jordan", &[]),
        week: 1,
        campaign: "Spring webinar".into(),
        status: CheckinStatus::OnTrack,
        note: None,
    };
    assert!(matches!(
        refuse(&run, not_owner),
        Rejection::NotAuthorized { .. }
    ));
    run = apply(
        &run,
        Event::CheckinAnswered {
            actor: Actor::new("a", "Avery", &[]),
            week: 1,
            campaign: "Spring webinar".into(),
            status: CheckinStatus::AtRisk,
            note: Some("CPL up 20%".into()),
        },
    )
    .run;
    let d = apply(&run, Event::CheckinReminder { week: 1 });
    assert!(d.posts[0].message.body.contains("Jordan"));
    assert!(!d.posts[0].message.body.contains("Avery"));

    let d = apply(&d.run, Event::CheckinClose { week: 1 });

    let w = &d.run.checkins[0];
    assert!(!w.open);
    assert_eq!(w.entries[0].status, CheckinStatus::AtRisk);
    assert_eq!(w.entries[1].status, CheckinStatus::Missed);
    assert!(
        d.posts[0].message.body.contains("1 at risk")
            && d.posts[0].message.body.contains("1 missed")
    );
    assert_eq!(d.run.status, RunStatus::Executing, "one more week to go");
}

#[test]
fn the_last_check_in_closing_completes_the_quarter() {
    let mut run = executing();
    for week in 1..=2 {
        run = apply(&run, Event::CheckinDue { week }).run;
        run = apply(&run, Event::CheckinClose { week }).run;
    }

    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(run.completed_at, Some(t0()));
}

#[test]
fn skipped_jobs_are_reported_in_one_post_and_their_weeks_recorded() {
    let run = executing();
    let jobs = vec![
        SkippedJob {
            id: "growth/2027-Q1/checkin/w01/due".into(),
            event: Box::new(Event::CheckinDue { week: 1 }),
            due_at: ctx().checkins[0],
        },
        SkippedJob {
            id: "growth/2027-Q1/checkin/w02/due".into(),
            event: Box::new(Event::CheckinDue { week: 2 }),
            due_at: ctx().checkins[1],
        },
    ];

    let d = apply(&run, Event::JobsSkipped { jobs });

    assert_eq!(
        d.posts.len(),
        2,
        "the notice, then the quarter's completion"
    );
    assert_eq!(d.posts[0].kind, "jobs_skipped");
    assert!(
        d.posts[0].message.body.contains("week 1 check-in")
            && d.posts[0].message.body.contains("week 2 check-in")
    );
    assert_eq!(d.run.status, RunStatus::Completed);
}

#[test]
fn deciding_twice_on_the_same_inputs_gives_the_same_decision() {
    let run = in_review();
    let e = verdict(
        "f1",
        "finance",
        Verdict::RequestChanges,
        1,
        Some("more search"),
    );

    assert_eq!(
        decide(&run, &ctx(), &e, t0()),
        decide(&run, &ctx(), &e, t0())
    );
}
