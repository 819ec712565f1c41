//! Kickoff, weekly check-ins, completion and jobs skipped after downtime.

use super::*;
use crate::domain::CheckinNumbers;

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
        kickoff.output = StageOutputKind::Kickoff {
            roster: run.roster.clone(),
        };
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
        refuse(
            &approved(),
            Event::CheckinDue {
                week: 1,
                zone: None
            }
        ),
        Rejection::NotNow(_)
    ));
    let d = apply(
        &executing(),
        Event::CheckinDue {
            week: 1,
            zone: None,
        },
    );
    assert_eq!(d.posts[0].kind(), "checkin_prompt");
    assert_eq!(d.jobs.len(), 2, "a reminder and a close");
    let mut run = d.run;
    assert!(matches!(
        refuse(
            &run,
            Event::CheckinDue {
                week: 1,
                zone: None
            }
        ),
        Rejection::Duplicate(_)
    ));

    let not_owner = Event::CheckinAnswered {
        actor: Actor::new("j", "Jordan", &[]),
        week: 1,
        campaign: "Spring webinar".into(),
        status: CheckinStatus::OnTrack,
        note: None,
        numbers: None,
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
            numbers: None,
        },
    )
    .run;
    let d = apply(
        &run,
        Event::CheckinReminder {
            week: 1,
            zone: None,
        },
    );
    let Notice::CheckinReminder { pending, .. } = &d.posts[0].notice else {
        panic!("{:?}", d.posts[0].notice);
    };
    let owners: Vec<&str> = pending.iter().map(|(owner, _)| owner.as_str()).collect();
    assert_eq!(owners, ["Jordan"], "Avery answered");

    let d = apply(
        &d.run,
        Event::CheckinClose {
            week: 1,
            zone: None,
        },
    );

    let w = &d.run.checkins[0];
    assert!(!w.open);
    assert_eq!(w.entries[0].status, CheckinStatus::AtRisk);
    assert_eq!(w.entries[1].status, CheckinStatus::Missed);
    let Notice::CheckinSummary { digest, .. } = &d.posts[0].notice else {
        panic!("{:?}", d.posts[0].notice);
    };
    assert_eq!((digest.at_risk, digest.silent), (1, 1));
    assert_eq!(d.run.status, RunStatus::Executing, "one more week to go");
}

#[test]
fn the_last_check_in_closing_completes_the_quarter() {
    let mut run = executing();
    for week in 1..=2 {
        run = apply(&run, Event::CheckinDue { week, zone: None }).run;
        run = apply(&run, Event::CheckinClose { week, zone: None }).run;
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
            event: Box::new(Event::CheckinDue {
                week: 1,
                zone: None,
            }),
            due_at: ctx().checkins[0],
        },
        SkippedJob {
            id: "growth/2027-Q1/checkin/w02/due".into(),
            event: Box::new(Event::CheckinDue {
                week: 2,
                zone: None,
            }),
            due_at: ctx().checkins[1],
        },
    ];

    let d = apply(&run, Event::JobsSkipped { jobs });

    assert_eq!(
        d.posts.iter().map(|p| p.kind()).collect::<Vec<_>>(),
        ["jobs_skipped", "run_completed", "success_criteria"],
        "the notice, then the quarter's completion and its success criteria"
    );
    assert_eq!(
        d.posts[0].notice,
        Notice::JobsSkipped {
            owner_role: "ops".into(),
            jobs: (1..=2)
                .map(|week| crate::notice::Skipped {
                    event: Event::CheckinDue { week, zone: None },
                    due_at: ctx().checkins[week as usize - 1],
                })
                .collect(),
        }
    );
    // Both weeks are recorded, closed and with no entry.
    let weeks: Vec<(u32, bool, usize)> = d
        .run
        .checkins
        .iter()
        .map(|w| (w.week, w.open, w.entries.len()))
        .collect();
    assert_eq!(weeks, [(1, false, 0), (2, false, 0)]);
    assert_eq!(d.run.status, RunStatus::Completed);
}

#[test]
fn each_campaign_owner_gets_their_own_prompt_with_buttons_naming_run_week_and_campaign() {
    let mut run = executing();
    run.roster[0].owner_id = Some("1150000000000000101".into());

    let d = apply(
        &run,
        Event::CheckinDue {
            week: 1,
            zone: None,
        },
    );

    let prompts: Vec<_> = d
        .posts
        .iter()
        .filter(|p| p.kind() == "checkin_prompt")
        .collect();
    assert_eq!(prompts.len(), 2, "one per campaign");
    let Notice::CheckinPrompt {
        campaign, actions, ..
    } = &prompts[0].notice
    else {
        panic!("{:?}", prompts[0].notice);
    };
    assert_eq!(campaign, "Spring webinar");
    let ids: Vec<String> = actions.iter().map(Action::custom_id).collect();
    assert_eq!(
        ids,
        [
            "checkin:growth/2027-Q1:w1:spring-webinar:on_track",
            "checkin:growth/2027-Q1:w1:spring-webinar:at_risk",
            "checkin:growth/2027-Q1:w1:spring-webinar:off_track",
        ]
    );
    // Avery has a chat id: a direct message; Jordan has none: the channel, by name.
    assert_eq!(prompts[0].notice.recipient(), Some("1150000000000000101"));
    assert_eq!(prompts[1].notice.recipient(), None);
    assert!(prompts.iter().all(|p| p.channel == "checkins"));
    assert_eq!(
        prompts[1].key, "growth/2027-Q1/checkin/w01/prompt/search-always-on",
        "a key per campaign"
    );
}

#[test]
fn a_check_in_button_id_fits_discords_100_characters_for_any_campaign_name() {
    let long = "a".repeat(150);
    let a = Action::Checkin {
        run: "growth/2027-Q1".into(),
        week: 12,
        campaign: long,
        status: "off_track",
    };

    let id = a.custom_id();

    assert_eq!(id.len(), 100);
    assert!(id.starts_with("checkin:growth/2027-Q1:w12:aaa"), "{id}");
    assert!(id.ends_with(":off_track"), "{id}");
}

#[test]
fn an_owner_away_that_week_gets_no_prompt() {
    let mut run = executing();
    run = apply(
        &run,
        Event::Away {
            actor: Actor::new("j", "Jordan", &[]),
            from: ctx().local_date(ctx().checkins[0]) - chrono::Duration::days(1),
            until: ctx().local_date(ctx().checkins[0]) + chrono::Duration::days(1),
            delegate: None,
        },
    )
    .run;

    let d = decide(
        &run,
        &ctx(),
        &Event::CheckinDue {
            week: 1,
            zone: None,
        },
        ctx().checkins[0],
    )
    .unwrap();

    let campaigns: Vec<&str> = d
        .posts
        .iter()
        .filter_map(|p| match &p.notice {
            Notice::CheckinPrompt { campaign, .. } => Some(campaign.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(campaigns, ["Spring webinar"]);
}

#[test]
fn the_same_answer_delivered_twice_counts_once_and_numbers_after_a_status_count() {
    let run = apply(
        &executing(),
        Event::CheckinDue {
            week: 1,
            zone: None,
        },
    )
    .run;
    let avery = || Actor::new("a", "Avery", &[]);
    let answer = |numbers: Option<CheckinNumbers>| Event::CheckinAnswered {
        actor: avery(),
        week: 1,
        campaign: "Spring webinar".into(),
        status: CheckinStatus::AtRisk,
        note: None,
        numbers,
    };
    let numbers = CheckinNumbers {
        spend_to_date: 1200.0,
        leads: 30.0,
        mqls: 9.0,
        pipeline: 4500.0,
        blockers: vec!["Legal review".into()],
    };

    let run = apply(&run, answer(None)).run;
    let again = refuse(&run, answer(None));
    let run = apply(&run, answer(Some(numbers.clone()))).run;
    let form_again = refuse(&run, answer(Some(numbers.clone())));

    assert!(matches!(again, Rejection::Duplicate(_)), "{again:?}");
    assert!(
        matches!(form_again, Rejection::Duplicate(_)),
        "{form_again:?}"
    );
    let entries = &run.checkins[0].entries;
    assert_eq!(entries[0].numbers.as_ref(), Some(&numbers));
    assert_eq!(entries[1].numbers, None, "Jordan's campaign is untouched");
    assert_eq!(entries[1].status, CheckinStatus::Pending);
}

/// Three weekly check-ins, the second on a team holiday.
fn holiday_ctx() -> PlanContext {
    let mut c = ctx();
    c.checkins.push(t0() + Duration::days(44));
    c.holiday_checkins = vec![2];
    c
}

#[test]
fn a_check_in_on_a_holiday_prompts_nobody_excuses_everyone_and_says_so_at_once() {
    let c = holiday_ctx();
    let d = decide(
        &executing(),
        &c,
        &Event::CheckinDue {
            week: 2,
            zone: None,
        },
        c.checkins[1],
    )
    .unwrap();

    let w = &d.run.checkins[0];
    assert!(w.holiday && !w.open, "closed at once");
    assert!(
        w.entries
            .iter()
            .all(|e| e.status == CheckinStatus::Away && e.excused)
    );
    let kinds: Vec<String> = d.posts.iter().map(Post::kind).collect();
    assert_eq!(kinds, ["checkin_summary"], "no prompt");
    assert!(d.jobs.is_empty(), "no reminder, no close");
    let body = crate::present(&d.posts[0].notice, &c).body;
    assert!(
        body.starts_with("Excused: holiday. The check-in fell on a team holiday"),
        "{body}"
    );
    assert!(
        body.contains("none of the 2 campaigns owes this week"),
        "{body}"
    );
    // Not owed: the quarter's completion counts no check-in for that week.
    let criteria = crate::success_criteria(&d.run, &c, t0() + Duration::days(60));
    assert_eq!((criteria.checkins_owed, criteria.checkins_answered), (0, 0));
}

#[test]
fn a_blocker_reported_either_side_of_a_holiday_week_has_been_open_two_weeks() {
    let c = holiday_ctx();
    let blocked = |week: u32| Event::CheckinAnswered {
        actor: Actor::new("a", "Avery", &[]),
        week,
        campaign: "Spring webinar".into(),
        status: CheckinStatus::AtRisk,
        note: None,
        numbers: Some(CheckinNumbers {
            spend_to_date: 100.0,
            leads: 0.0,
            mqls: 0.0,
            pipeline: 0.0,
            blockers: vec!["waiting on legal".into()],
        }),
    };
    let mut run = executing();
    let mut last = None;
    for week in 1..=3 {
        let at = c.checkins[week as usize - 1];
        let step = |run: &QuarterRun, e: Event| decide(run, &c, &e, at).unwrap();
        run = step(&run, Event::CheckinDue { week, zone: None }).run;
        if week != 2 {
            run = step(&run, blocked(week)).run;
            let d = step(&run, Event::CheckinClose { week, zone: None });
            run = d.run;
            last = Some(d.posts);
        }
    }

    let posts = last.unwrap();
    let Notice::CheckinSummary { digest, .. } = &posts[0].notice else {
        panic!("{posts:?}");
    };
    // Weeks 1 and 3 reported it; week 2 (the holiday) neither counts nor breaks the run.
    assert!(
        digest
            .escalations
            .iter()
            .any(|e| matches!(e, crate::notice::Escalation::BlockerOpen { weeks: 2, .. })),
        "{:?}",
        digest.escalations
    );
}

#[test]
fn the_quarters_completion_counts_the_updates_owed_as_its_success_criteria_do() {
    let c = holiday_ctx();
    let mut run = executing();
    let mut last = Vec::new();
    for week in 1..=3 {
        let at = c.checkins[week as usize - 1];
        let step = |run: &QuarterRun, e: Event| decide(run, &c, &e, at).unwrap();
        let d = step(&run, Event::CheckinDue { week, zone: None });
        run = d.run;
        last = d.posts;
        if week == 2 {
            continue; // the holiday closes itself
        }
        if week == 1 {
            let answer = Event::CheckinAnswered {
                actor: Actor::new("a", "Avery", &[]),
                week,
                campaign: "Spring webinar".into(),
                status: CheckinStatus::OnTrack,
                note: None,
                numbers: None,
            };
            run = step(&run, answer).run;
        }
        let d = step(&run, Event::CheckinClose { week, zone: None });
        run = d.run;
        last = d.posts;
    }

    // Two campaigns in each of the two weeks someone was asked; one answer.
    assert_eq!(run.status, RunStatus::Completed);
    let completed = last
        .iter()
        .find(|p| p.kind() == "run_completed")
        .expect("the quarter's completion post");
    let body = crate::present(&completed.notice, &c).body;
    assert!(
        body.contains(
            "3 weekly check-ins (1 week excused: a team holiday), 1 of the 4 campaign updates \
             owed received"
        ),
        "{body}"
    );
    let criteria = crate::success_criteria(&run, &c, c.checkins[2]);
    assert_eq!((criteria.checkins_owed, criteria.checkins_answered), (4, 1));
}
