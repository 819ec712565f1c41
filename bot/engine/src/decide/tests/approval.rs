//! Approval: quorum, authorization, stale versions, change requests, rejections.

use super::*;

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
    let Notice::ApprovalRequest { actions, .. } = &d.posts[0].notice else {
        panic!("{:?}", d.posts[0].notice);
    };
    assert_eq!(
        actions.iter().map(Action::custom_id).collect::<Vec<_>>(),
        [
            "approve:growth/2027-Q1:1",
            "request_changes:growth/2027-Q1:1",
            "reject:growth/2027-Q1:1"
        ]
    );
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
    assert!(d.posts.iter().any(|p| p.kind() == "plan_approved"));
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
fn a_text_only_change_request_needs_a_note_and_goes_to_the_plan_owners_without_a_new_version() {
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

    assert!(d.jobs.iter().all(|j| !matches!(j.job, Job::Compute { .. })));
    assert_eq!(
        d.posts[0].notice.roles(),
        ["role-marketing"],
        "the plan document's owner group is asked"
    );
    assert_eq!(d.run.pending_changes.len(), 1);
    // v1 cannot be approved with a change request on it.
    let d = apply(&d.run, verdict("f2", "finance", Verdict::Approve, 1, None));
    assert_eq!(d.run.status, RunStatus::AwaitingApproval);
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
