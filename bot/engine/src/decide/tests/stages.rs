//! Stage transitions: due, waiting, computed, failed, re-runs, new data.

use super::*;

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
    assert!(matches!(
        &d.posts[0].notice,
        Notice::StageFailed { stage: 2, error, .. } if error.contains("leads.csv, row 7")
    ));
    let run = apply(&d.run, Event::StageDue { stage: 4 }).run;
    assert_eq!(run.stage(4).unwrap().status, StageStatus::Waiting);
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

    // leads.csv feeds stage 1 (outcomes per channel for ROI), 2 and 4; 4 depends on 2,
    // so it is stale until 2 lands. One audited re-run per stage started.
    assert_eq!(d.run.stage(1).unwrap().status, StageStatus::Running);
    assert_eq!(d.run.stage(2).unwrap().status, StageStatus::Running);
    assert!(d.run.stage(4).unwrap().stale);
    assert_eq!(d.audit.len(), 2);
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

#[test]
fn running_a_stage_now_starts_it_before_its_slot_only_for_the_run_stages_role() {
    let ops = Actor::new("o", "Ops", &["ops"]);
    let stranger = Actor::new("s", "Sam", &["sales"]);
    let run_now = |actor: &Actor, stage| Event::RunStage {
        actor: actor.clone(),
        stage,
    };
    assert!(matches!(
        refuse(&fresh(), run_now(&stranger, 1)),
        Rejection::NotAuthorized { .. }
    ));
    // Stage 4 reads stage 2, which has not run: refused, naming it.
    match refuse(&fresh(), run_now(&ops, 4)) {
        Rejection::NotNow(why) => assert!(why.contains("stage(s) 2"), "{why}"),
        other => panic!("{other:?}"),
    }

    let d = apply(&fresh(), run_now(&ops, 1));

    assert_eq!(d.run.stage(1).unwrap().status, StageStatus::Running);
    assert_eq!(d.jobs[0].job, Job::Compute { stage: 1 });
    assert_eq!(d.audit[0].action, "run_stage");
    // Its slot, when it comes, changes nothing.
    let later = apply(&d.run, Event::StageDue { stage: 1 });
    assert!(later.jobs.is_empty());
    // Once done, running it again is a re-run.
    let done = apply(&d.run, computed(1)).run;
    let again = apply(&done, run_now(&ops, 1));
    assert_eq!(again.run.stage(1).unwrap().status, StageStatus::Running);
}

#[test]
fn a_plan_finished_early_goes_to_approval_on_request_and_not_before_it_exists() {
    let ops = Actor::new("o", "Ops", &["ops"]);
    let open_now = Event::RunStage {
        actor: ops.clone(),
        stage: 11,
    };
    // No plan yet: refused, naming the stage it waits for.
    match refuse(&fresh(), open_now.clone()) {
        Rejection::NotNow(why) => assert!(why.contains("stage(s) 10"), "{why}"),
        other => panic!("{other:?}"),
    }

    let d = apply(&planned(), open_now);

    assert_eq!(d.run.stage(11).unwrap().status, StageStatus::InReview);
    assert_eq!(d.audit[0].action, "run_stage");
    // The same round the slot would have opened: the slot then changes nothing.
    let by_slot = apply(&planned(), Event::StageDue { stage: 11 });
    assert_eq!(d.posts.len(), by_slot.posts.len());
    assert!(
        apply(&d.run, Event::StageDue { stage: 11 })
            .posts
            .is_empty()
    );
}
