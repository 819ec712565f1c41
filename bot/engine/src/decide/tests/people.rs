//! The people's side: structured amendments re-run exactly their stages and make a new
//! version; approvals bound to figures; order, self-approval, reminders; kickoff
//! acknowledgements and launches; check-ins with numbers, late and away owners.

use chrono::NaiveDate;

use super::*;
use crate::domain::{
    AmendmentKind, CampaignFigures, CheckinNumbers, MonthMilestone, PlanFigures, StageId,
};
use crate::settings::{ApprovalOrder, PeopleSettings};

fn figures(paid_social: f64) -> PlanFigures {
    let mut f = PlanFigures {
        total: 1000.0,
        reserve: 1000.0 - 400.0 - paid_social,
        budget_by_channel: [
            ("paid_social".to_owned(), paid_social),
            ("search".to_owned(), 400.0),
        ]
        .into(),
        milestones: vec![MonthMilestone {
            month: "2027-01".into(),
            mqls: 310.0,
            pipeline: 31000.0,
        }],
        campaigns: vec![
            CampaignFigures {
                name: "Spring webinar".into(),
                channel: "paid_social".into(),
                budget: 310.0,
                start: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                end: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
                owner: "Avery".into(),
                booked: false,
            },
            CampaignFigures {
                name: "Search always-on".into(),
                channel: "search".into(),
                budget: 900.0,
                start: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                end: NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
                owner: "Jordan".into(),
                booked: false,
            },
        ],
        ..PlanFigures::default()
    };
    f.digest = format!("digest-{paid_social}");
    f
}

fn plan_result(hash: &str, f: PlanFigures) -> Event {
    let mut r = result(None);
    r.output = StageOutputKind::Plan {
        hash: hash.to_owned(),
        figures: Some(f),
    };
    Event::StageComputed {
        stage: 10,
        result: r,
    }
}

/// In review on v1, whose figures are known.
fn reviewing() -> QuarterRun {
    let mut run = fresh();
    for n in 1..=10 {
        run = apply(&run, Event::StageDue { stage: n }).run;
        if run.stage(n).unwrap().status == StageStatus::Running {
            let e = if n == 10 {
                plan_result("hash-v1", figures(200.0))
            } else {
                computed(n)
            };
            run = apply(&run, e).run;
        }
    }
    apply(&run, Event::StageDue { stage: 11 }).run
}

fn hold_back(share: f64) -> AmendmentKind {
    AmendmentKind::HoldBack {
        channel: "paid_social".into(),
        share,
    }
}

fn amend(id: &str, g: &str, kind: AmendmentKind) -> Event {
    Event::Amend {
        actor: person(id, &format!("role-{g}")),
        group: g.into(),
        version: 1,
        amendment: kind,
        note: Some("until results are in".into()),
    }
}

fn running(run: &QuarterRun) -> Vec<u8> {
    run.stages
        .iter()
        .filter(|s| s.status == StageStatus::Running)
        .map(|s| s.number)
        .collect()
}

fn stale(run: &QuarterRun) -> Vec<u8> {
    run.stages
        .iter()
        .filter(|s| s.stale)
        .map(|s| s.number)
        .collect()
}

#[test]
fn a_budget_amendment_reruns_stage_six_and_only_its_dependents_then_makes_version_two() {
    let d = apply(&reviewing(), amend("s1", "finance", hold_back(0.05)));

    // Stage 6 computes now; 7, 8, 9, 10 depend on it (9 through 8), 1–5 do not.
    assert_eq!(running(&d.run), [6]);
    assert_eq!(stale(&d.run), [7, 8, 9, 10]);
    assert_eq!(
        d.jobs.iter().map(|j| j.job.clone()).collect::<Vec<_>>(),
        [Job::Compute { stage: 6 }]
    );
    assert_eq!(d.run.amendments.len(), 1);
    assert_eq!(d.run.amendments[0].by.id, "s1");
    assert_eq!(d.run.amendments[0].on_version, 1);
    let asked = d.run.approvals.last().unwrap();
    assert_eq!((asked.verdict, asked.version), (Verdict::RequestChanges, 1));
    assert!(matches!(
        &d.posts[0].notice,
        Notice::Amendment { describe, stages, .. }
            if describe.contains("hold back 5% of Paid Social") && stages.contains(&6) && stages.contains(&10)
    ));
    // While it re-runs, nobody can decide on v1.
    assert!(matches!(
        refuse(
            &d.run,
            verdict("m1", "marketing", Verdict::Approve, 1, None)
        ),
        Rejection::NotNow(_)
    ));

    let mut run = d.run;
    for n in [6, 7, 8, 9] {
        run = apply(&run, computed(n)).run;
        assert_eq!(running(&run), [n + 1], "after {n}");
    }
    let d = apply(&run, plan_result("hash-v2", figures(190.0)));

    assert_eq!(d.run.plan_versions.len(), 2);
    let v2 = &d.run.plan_versions[1];
    assert_eq!(v2.amendments.len(), 1);
    assert_eq!(
        v2.figures.as_ref().unwrap().budget_by_channel["paid_social"],
        190.0
    );
    let request = d
        .posts
        .iter()
        .find(|p| p.kind() == "approval_request")
        .unwrap();
    let Notice::ApprovalRequest {
        moved: Some((1, moved)),
        ..
    } = &request.notice
    else {
        panic!("{:?}", request.notice);
    };
    let amount = |what: Figure, from: f64, to: f64| FigureMove::Amount { what, from, to };
    assert!(
        moved.contains(&amount(Figure::Channel("paid_social".into()), 200.0, 190.0)),
        "{moved:?}"
    );
    assert!(
        moved.contains(&amount(Figure::Reserve, 400.0, 410.0)),
        "{moved:?}"
    );
    let body = shown(request).body;
    assert!(body.contains("Paid Social: $200.00 → $190.00"), "{body}");
    assert!(body.contains("Reserve: $400.00 → $410.00"), "{body}");
}

#[test]
fn a_target_amendment_starts_at_goals_and_a_campaign_amendment_at_the_calendar() {
    let target = AmendmentKind::Target {
        metric: "mqls".into(),
        value: 1500.0,
    };
    let reown = AmendmentKind::ReownCampaign {
        campaign: "Spring webinar".into(),
        owner: "Jordan".into(),
        owner_id: None,
    };

    let t = apply(&reviewing(), amend("m1", "marketing", target));
    let c = apply(&reviewing(), amend("m1", "marketing", reown));

    assert_eq!(running(&t.run), [StageId::Goals.number()]);
    assert_eq!(stale(&t.run), [8, 9, 10]);
    assert_eq!(running(&c.run), [StageId::Calendar.number()]);
    assert_eq!(stale(&c.run), [9, 10]);
}

#[test]
fn amendments_are_checked_against_the_plan_and_need_the_groups_role() {
    let run = reviewing();

    let bad_channel = refuse(
        &run,
        amend(
            "f1",
            "finance",
            AmendmentKind::HoldBack {
                channel: "radio".into(),
                share: 0.05,
            },
        ),
    );
    let bad_share = refuse(&run, amend("f1", "finance", hold_back(1.5)));
    let stranger = Event::Amend {
        actor: person("x", "role-nobody"),
        group: "finance".into(),
        version: 1,
        amendment: hold_back(0.05),
        note: None,
    };
    let stale_version = Event::Amend {
        actor: person("f1", "role-finance"),
        group: "finance".into(),
        version: 3,
        amendment: hold_back(0.05),
        note: None,
    };

    assert!(
        matches!(&bad_channel, Rejection::Invalid(m) if m.contains("hold_back") && m.contains("radio") && m.contains("paid_social")),
        "{bad_channel}"
    );
    assert!(matches!(&bad_share, Rejection::Invalid(m) if m.contains("share")));
    assert!(matches!(
        refuse(&run, stranger),
        Rejection::NotAuthorized { .. }
    ));
    assert_eq!(
        refuse(&run, stale_version).to_string(),
        "plan v3 is not the current version (v1); decide on v1"
    );
}

#[test]
fn the_plan_owner_answers_a_text_only_request_with_an_amendment() {
    let run = apply(
        &reviewing(),
        verdict(
            "f1",
            "finance",
            Verdict::RequestChanges,
            1,
            Some("less social"),
        ),
    )
    .run;

    // Marketing owns the budget's group? No: finance owns stage 6; marketing owns
    // the calendar. A marketing lead answers for the campaign they own.
    let d = apply(
        &run,
        amend(
            "m1",
            "marketing",
            AmendmentKind::MoveCampaign {
                campaign: "Spring webinar".into(),
                start: NaiveDate::from_ymd_opt(2027, 1, 18).unwrap(),
            },
        ),
    );

    assert_eq!(running(&d.run), [8]);
    assert_eq!(
        d.run.pending_changes.len(),
        2,
        "the text request and the answer"
    );
}

#[test]
fn a_cosmetic_new_version_keeps_its_approvals_and_a_material_one_does_not() {
    let mut run = reviewing();
    run = apply(&run, verdict("m1", "marketing", Verdict::Approve, 1, None)).run;
    run = apply(&run, verdict("f1", "finance", Verdict::Approve, 1, None)).run;
    let ops = Actor::new("o", "Ops", &["ops"]);
    // Someone re-runs the plan document (wording only): same figures, same digest.
    let approved_twice = run.clone();
    run = apply(
        &run,
        Event::Rerun {
            actor: ops.clone(),
            stage: 10,
            reason: "typo".into(),
        },
    )
    .run;
    let cosmetic = apply(&run, plan_result("hash-v2", figures(200.0))).run;

    assert_eq!(cosmetic.plan_versions.len(), 2);
    let carried: Vec<_> = cosmetic
        .approvals
        .iter()
        .filter(|a| a.version == 2)
        .collect();
    assert_eq!(carried.len(), 2);
    assert!(carried.iter().all(|a| a.carried_from == Some(1)));
    // f2 completes finance's quorum of two on v2.
    let done = apply(
        &cosmetic,
        verdict("f2", "finance", Verdict::Approve, 2, None),
    )
    .run;
    assert_eq!(done.approved_version, Some(2));

    let rerun = apply(
        &approved_twice,
        Event::Rerun {
            actor: ops,
            stage: 10,
            reason: "new numbers".into(),
        },
    )
    .run;
    let material = apply(&rerun, plan_result("hash-v2", figures(150.0))).run;
    assert!(material.approvals.iter().all(|a| a.version == 1));
}

fn ctx_with(people: PeopleSettings) -> PlanContext {
    PlanContext { people, ..ctx() }
}

#[test]
fn sequential_order_makes_later_groups_wait_for_earlier_ones() {
    let c = ctx_with(PeopleSettings {
        approval_order: ApprovalOrder::Sequential,
        ..PeopleSettings::default()
    });
    let run = reviewing();

    let early = decide(
        &run,
        &c,
        &verdict("f1", "finance", Verdict::Approve, 1, None),
        t0(),
    );
    let run = decide(
        &run,
        &c,
        &verdict("m1", "marketing", Verdict::Approve, 1, None),
        t0(),
    )
    .unwrap()
    .run;
    let later = decide(
        &run,
        &c,
        &verdict("f1", "finance", Verdict::Approve, 1, None),
        t0(),
    );

    assert!(
        matches!(early, Err(Rejection::NotNow(m)) if m.contains("marketing lead decides first"))
    );
    assert!(later.is_ok());
}

#[test]
fn the_plan_owner_cannot_approve_their_own_plan_unless_allowed() {
    let strict = ctx_with(PeopleSettings {
        plan_owner_id: Some("m1".into()),
        ..PeopleSettings::default()
    });
    let lenient = ctx_with(PeopleSettings {
        plan_owner_id: Some("m1".into()),
        allow_self_approval: true,
        ..PeopleSettings::default()
    });
    let e = verdict("m1", "marketing", Verdict::Approve, 1, None);

    assert!(matches!(
        decide(&reviewing(), &strict, &e, t0()),
        Err(Rejection::NotAuthorized { .. })
    ));
    assert!(decide(&reviewing(), &lenient, &e, t0()).is_ok());
}

#[test]
fn quorum_all_needs_every_listed_member_and_ignores_others() {
    let mut c = ctx();
    c.stakeholders = vec![crate::settings::StakeholderGroup {
        quorum: crate::settings::Quorum::All,
        members: vec![
            crate::settings::PersonRef {
                id: "m1".into(),
                name: "M1".into(),
            },
            crate::settings::PersonRef {
                id: "m2".into(),
                name: "M2".into(),
            },
        ],
        ..group("marketing", 1)
    }];
    let mut run = reviewing();
    for id in ["m1", "m9"] {
        run = decide(
            &run,
            &c,
            &verdict(id, "marketing", Verdict::Approve, 1, None),
            t0(),
        )
        .unwrap()
        .run;
    }
    assert_eq!(
        run.approved_version, None,
        "m9 holds the role but is not listed"
    );

    let run = decide(
        &run,
        &c,
        &verdict("m2", "marketing", Verdict::Approve, 1, None),
        t0(),
    )
    .unwrap()
    .run;

    assert_eq!(run.approved_version, Some(1));
}

#[test]
fn reminders_go_to_pending_groups_in_business_hours_and_then_to_the_backup() {
    let mut c = ctx();
    c.stakeholders[1].backup_id = Some("cfo".into());
    let run = decide(
        &reviewing(),
        &c,
        &verdict("m1", "marketing", Verdict::Approve, 1, None),
        t0(),
    )
    .unwrap()
    .run;
    let request = decide(
        &planned_with_figures(),
        &c,
        &Event::StageDue { stage: 11 },
        t0(),
    )
    .unwrap();
    let reminders: Vec<_> = request
        .jobs
        .iter()
        .filter(|j| j.id.contains("/remind/"))
        .collect();
    assert_eq!(reminders.len(), 3);
    for j in &reminders {
        let local = j.due_at.with_timezone(&c.tz);
        use chrono::{Datelike, Timelike};
        assert!((9..17).contains(&local.hour()), "{local}");
        assert!(local.weekday().num_days_from_monday() < 5, "{local}");
    }

    let first = decide(
        &run,
        &c,
        &Event::ApprovalReminder {
            version: 1,
            step: 1,
        },
        t0(),
    )
    .unwrap();
    let last = decide(
        &run,
        &c,
        &Event::ApprovalReminder {
            version: 1,
            step: 3,
        },
        t0(),
    )
    .unwrap();

    assert_eq!(first.posts[0].notice.roles(), ["role-finance"]);
    assert!(first.posts[0].notice.users().is_empty());
    assert_eq!(last.posts[0].notice.users(), ["cfo"]);
    assert!(last.posts[0].notice.roles().is_empty());
}

/// The ladder on a manual clock across the clocks going forward in New York (Sunday
/// 14 March 2027): the review opens on Friday 12 March at 10:00 EST (15:00 UTC), with
/// reminders 4, 24 and 72 hours later.
#[test]
fn the_reminder_ladder_messages_members_then_mentions_the_channel_then_asks_the_backup_across_dst()
{
    use crate::settings::PersonRef;
    let mut c = ctx();
    c.people.approval_reminder_hours = vec![4, 24, 72];
    c.stakeholders[1].members = ["f1", "f2"]
        .map(|id| PersonRef {
            id: id.into(),
            name: format!("Fran {id}"),
        })
        .to_vec();
    c.stakeholders[1].backup_id = Some("cfo".into());
    let opened = Utc.with_ymd_and_hms(2027, 3, 12, 15, 0, 0).unwrap();

    let request = decide(
        &planned_with_figures(),
        &c,
        &Event::StageDue { stage: 11 },
        opened,
    )
    .unwrap();
    let due: Vec<DateTime<Utc>> = request
        .jobs
        .iter()
        .filter(|j| j.id.contains("/remind/"))
        .map(|j| j.due_at)
        .collect();

    // +4 h: Fri 14:00 EST = 19:00 UTC, in business hours. +24 h: Sat 13 Mar 10:00 EST,
    // a weekend → Mon 15 Mar 09:00 EDT (UTC−4) = 13:00 UTC. +72 h: Mon 15 Mar 15:00 UTC
    // = 11:00 EDT, kept.
    assert_eq!(
        due,
        [
            Utc.with_ymd_and_hms(2027, 3, 12, 19, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 15, 13, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 15, 15, 0, 0).unwrap(),
        ]
    );

    // Fran f1 approved for finance; marketing lists no members.
    let run = decide(
        &reviewing(),
        &c,
        &verdict("f1", "finance", Verdict::Approve, 1, None),
        opened,
    )
    .unwrap()
    .run;
    let step = |n: u32| {
        decide(
            &run,
            &c,
            &Event::ApprovalReminder {
                version: 1,
                step: n,
            },
            due[n as usize - 1],
        )
        .unwrap()
        .posts
    };

    // Step 1: a direct message to f2 alone (f1 has decided); marketing, with no known
    // members, is mentioned in the channel.
    let first = step(1);
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].notice.recipient(), Some("f2"));
    assert!(
        first[0].key.ends_with("/reminder/v1/1/finance/f2"),
        "{}",
        first[0].key
    );
    let dm = shown(&first[0]);
    assert_eq!(dm.direct.as_deref(), Some("f2"));
    assert!(
        dm.body
            .starts_with("Fran f2, finance lead has not decided on plan v1 yet."),
        "{}",
        dm.body
    );
    assert_eq!(first[1].notice.recipient(), None);
    assert_eq!(first[1].notice.roles(), ["role-marketing"]);
    for p in &first {
        assert_eq!(p.channel, "approvals");
    }
    // Step 2: both groups' roles in the channel, nobody by name.
    let second = step(2);
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].notice.roles(), ["role-marketing", "role-finance"]);
    assert!(second[0].notice.users().is_empty());
    assert_eq!(shown(&second[0]).direct, None);
    // Step 3: finance's backup approver; marketing has none, so its roles again.
    let third = step(3);
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].notice.users(), ["cfo"]);
    assert_eq!(third[0].notice.roles(), ["role-marketing"]);
}

fn planned_with_figures() -> QuarterRun {
    let mut run = reviewing();
    // Back to "planned": stage 11 not yet open.
    run.status = RunStatus::Planning;
    run.stage_mut(11).unwrap().status = StageStatus::Scheduled;
    run
}

/// Approved v1 with figures, kicked off with Avery and Jordan as owners.
fn live() -> QuarterRun {
    let mut run = reviewing();
    for e in [
        verdict("m1", "marketing", Verdict::Approve, 1, None),
        verdict("f1", "finance", Verdict::Approve, 1, None),
        verdict("f2", "finance", Verdict::Approve, 1, None),
        Event::StageDue { stage: 12 },
    ] {
        run = apply(&run, e).run;
    }
    let mut kickoff = result(None);
    kickoff.output = StageOutputKind::Kickoff {
        roster: vec![
            RosterEntry::new("Spring webinar", "Avery"),
            RosterEntry::new("Search always-on", "Jordan"),
        ],
    };
    apply(
        &run,
        Event::StageComputed {
            stage: 12,
            result: kickoff,
        },
    )
    .run
}

#[test]
fn kickoff_posts_a_campaign_each_and_tracks_acknowledgements_and_launches() {
    let d = apply(
        &{
            let mut run = live();
            run.kickoff = Default::default();
            run.status = RunStatus::Approved;
            run.stage_mut(12).unwrap().status = StageStatus::Running;
            run
        },
        Event::StageComputed {
            stage: 12,
            result: {
                let mut r = result(None);
                r.output = StageOutputKind::Kickoff {
                    roster: vec![
                        RosterEntry::new("Spring webinar", "Avery"),
                        RosterEntry::new("Search always-on", "Jordan"),
                    ],
                };
                r
            },
        },
    );
    let threads: Vec<_> = d
        .posts
        .iter()
        .filter(|p| p.kind() == "kickoff_campaign")
        .collect();
    assert_eq!(threads.len(), 2);
    let Notice::KickoffCampaign { actions, .. } = &threads[0].notice else {
        panic!("{:?}", threads[0].notice);
    };
    assert_eq!(
        actions.iter().map(Action::custom_id).collect::<Vec<_>>(),
        [
            "ack:growth/2027-Q1:v1",
            "launched:growth/2027-Q1:spring-webinar"
        ]
    );
    assert!(
        d.jobs
            .iter()
            .any(|j| j.id.ends_with("/s12/launch-check/spring-webinar"))
    );
    assert!(d.jobs.iter().any(|j| j.id.ends_with("/s12/criteria/week4")));

    let mut run = d.run;
    run = apply(
        &run,
        Event::KickoffAcknowledged {
            actor: Actor::new("a", "Avery", &[]),
        },
    )
    .run;
    assert!(matches!(
        refuse(
            &run,
            Event::KickoffAcknowledged {
                actor: Actor::new("a", "Avery", &[])
            }
        ),
        Rejection::Duplicate(_)
    ));
    assert_eq!(run.aligned_share(), 0.5);
    assert!(matches!(
        refuse(
            &run,
            Event::CampaignLaunched {
                actor: Actor::new("j", "Jordan", &[]),
                campaign: "Spring webinar".into()
            }
        ),
        Rejection::NotAuthorized { .. }
    ));
    // t0 is 21 Dec 2026: before the 1 Jan start, so on schedule.
    run = apply(
        &run,
        Event::CampaignLaunched {
            actor: Actor::new("a", "Avery", &[]),
            campaign: "spring-webinar".into(),
        },
    )
    .run;
    let nudge = apply(
        &run,
        Event::LaunchCheck {
            campaign: "Search always-on".into(),
        },
    );
    let quiet = apply(
        &run,
        Event::LaunchCheck {
            campaign: "Spring webinar".into(),
        },
    );

    assert_eq!(nudge.posts[0].kind(), "launch_nudge");
    assert!(quiet.posts.is_empty());
    let c = crate::success_criteria(&run, &ctx(), ctx().end_of_quarter());
    assert_eq!((c.month1_launches, c.month1_launched_on_schedule), (2, 1));
    assert_eq!(c.aligned_share, 0.5);
    assert!(c.approved_by_deadline);
}

fn numbers(spend: f64, mqls: f64, blockers: &[&str]) -> Option<CheckinNumbers> {
    Some(CheckinNumbers {
        spend_to_date: spend,
        leads: mqls * 3.0,
        mqls,
        pipeline: mqls * 100.0,
        blockers: blockers.iter().map(|b| (*b).to_owned()).collect(),
    })
}

fn answer(who: &str, campaign: &str, week: u32, n: Option<CheckinNumbers>) -> Event {
    Event::CheckinAnswered {
        actor: Actor::new(who, who, &[]),
        week,
        campaign: campaign.into(),
        status: CheckinStatus::OnTrack,
        note: None,
        numbers: n,
    }
}

#[test]
fn the_digest_paces_against_the_locked_plan_and_escalates_by_hand() {
    // Week 1's check-in is t0 + 30 days = 20 Jan 2027 (local, New York).
    let mut run = apply(
        &live(),
        Event::CheckinDue {
            week: 1,
            zone: None,
        },
    )
    .run;
    // Spring webinar: 310 over 1–31 Jan = 10 a day; to 20 Jan planned 200. Reported 100:
    // 50% under, beyond the 15% tolerance. Search: 900 over 90 days; 20 days = 200.
    run = apply(
        &run,
        answer(
            "Avery",
            "Spring webinar",
            1,
            numbers(100.0, 40.0, &["legal review"]),
        ),
    )
    .run;
    run = apply(
        &run,
        answer("Jordan", "Search always-on", 1, numbers(210.0, 60.0, &[])),
    )
    .run;

    let d = apply(
        &run,
        Event::CheckinClose {
            week: 1,
            zone: None,
        },
    );

    let p = &crate::pacing(&d.run, &ctx())[0];
    assert_eq!(p.date.to_string(), "2027-01-20");
    assert_eq!(p.planned_spend_to_date, 400.0);
    assert_eq!(p.spend_to_date, 310.0);
    assert_eq!(p.mqls_to_date, 100.0);
    // 310 MQLs in January × 20/31 = 200.
    assert_eq!(p.mql_milestone_to_date, 200.0);
    let body = &shown(&d.posts[0]).body;
    assert!(body.contains("Spend $310 of $400 planned (78%)"), "{body}");
    assert!(
        body.contains("Spring webinar is under plan by 50%"),
        "{body}"
    );
    assert!(
        !body.contains("Search always-on is"),
        "5% over is within tolerance: {body}"
    );
    assert!(
        !body.contains("blocker open"),
        "one week is not yet two: {body}"
    );

    // Week 2: the same blocker again → escalated at two weeks.
    let mut run = apply(
        &d.run,
        Event::CheckinDue {
            week: 2,
            zone: None,
        },
    )
    .run;
    run = apply(
        &run,
        answer(
            "Avery",
            "Spring webinar",
            2,
            numbers(250.0, 80.0, &["legal review"]),
        ),
    )
    .run;
    let d = apply(
        &run,
        Event::CheckinClose {
            week: 2,
            zone: None,
        },
    );
    let body = &shown(&d.posts[0]).body;
    assert!(
        body.contains("blocker open 2 weeks — legal review"),
        "{body}"
    );
    assert!(body.contains("Not checked in: Jordan."), "{body}");
}

#[test]
fn a_late_answer_updates_the_closed_weeks_digest_and_an_away_owner_is_excused() {
    let mut run = apply(
        &live(),
        Event::CheckinDue {
            week: 1,
            zone: None,
        },
    )
    .run;
    run = apply(
        &run,
        Event::Away {
            actor: Actor::new("Jordan", "Jordan", &[]),
            // The test clock's week-1 check-in opens on 21 Dec 2026.
            from: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            until: NaiveDate::from_ymd_opt(2026, 12, 22).unwrap(),
            delegate: Some("Sam".into()),
        },
    )
    .run;
    run = apply(
        &run,
        Event::CheckinClose {
            week: 1,
            zone: None,
        },
    )
    .run;
    assert_eq!(run.checkins[0].entries[1].status, CheckinStatus::Away);
    assert_eq!(run.checkins[0].entries[0].status, CheckinStatus::Missed);

    let d = apply(
        &run,
        answer("Avery", "Spring webinar", 1, numbers(200.0, 50.0, &[])),
    );

    assert_eq!(d.run.checkins[0].entries[0].status, CheckinStatus::OnTrack);
    assert!(d.run.checkins[0].entries[0].late);
    assert_eq!(d.posts[0].kind(), "checkin_summary_update_edit");
    assert!(
        d.posts[0]
            .edits
            .as_deref()
            .is_some_and(|t| t.ends_with("/checkin/w01/summary")),
        "the late answer edits week 1's digest in place: {:?}",
        d.posts[0].edits
    );
    // Its numbers a moment later: a second edit under its own key.
    let again = apply(
        &d.run,
        answer("Avery", "Spring webinar", 1, numbers(300.0, 60.0, &[])),
    );
    assert_eq!(again.posts.len(), 1);
    assert_ne!(
        again.posts[0].key, d.posts[0].key,
        "a second edit is not deduped"
    );
    let Notice::CheckinSummary { digest, .. } = &d.posts[0].notice else {
        panic!("{:?}", d.posts[0].notice);
    };
    assert_eq!(digest.on_track, 1);
    let c = crate::success_criteria(&d.run, &ctx(), ctx().end_of_quarter());
    assert_eq!(c.checkin_completion, 1.0, "the away week is not owed");
    assert!(matches!(
        refuse(&d.run, answer("Avery", "Spring webinar", 1, numbers(-1.0, 0.0, &[]))),
        Rejection::Invalid(m) if m.contains("spend_to_date")
    ));
}

#[test]
fn owners_are_matched_by_chat_id_when_configured() {
    let c = ctx_with(PeopleSettings {
        members: vec![crate::settings::PersonRef {
            id: "u-avery".into(),
            name: "Avery".into(),
        }],
        ..PeopleSettings::default()
    });
    let mut run = reviewing();
    for e in [
        verdict("m1", "marketing", Verdict::Approve, 1, None),
        verdict("f1", "finance", Verdict::Approve, 1, None),
        verdict("f2", "finance", Verdict::Approve, 1, None),
        Event::StageDue { stage: 12 },
    ] {
        run = decide(&run, &c, &e, t0()).unwrap().run;
    }
    let mut k = result(None);
    k.output = StageOutputKind::Kickoff {
        roster: vec![RosterEntry::new("Spring webinar", "Avery")],
    };
    run = decide(
        &run,
        &c,
        &Event::StageComputed {
            stage: 12,
            result: k,
        },
        t0(),
    )
    .unwrap()
    .run;
    run = decide(
        &run,
        &c,
        &Event::CheckinDue {
            week: 1,
            zone: None,
        },
        t0(),
    )
    .unwrap()
    .run;
    assert_eq!(run.roster[0].owner_id.as_deref(), Some("u-avery"));

    let impostor = Event::CheckinAnswered {
        actor: Actor::new("u-other", "Avery", &[]),
        week: 1,
        campaign: "Spring webinar".into(),
        status: CheckinStatus::OnTrack,
        note: None,
        numbers: None,
    };
    let real = Event::CheckinAnswered {
        actor: Actor::new("u-avery", "A. Chen", &[]),
        week: 1,
        campaign: "Spring webinar".into(),
        status: CheckinStatus::OnTrack,
        note: None,
        numbers: None,
    };

    assert!(matches!(
        decide(&run, &c, &impostor, t0()),
        Err(Rejection::NotAuthorized { .. })
    ));
    assert!(decide(&run, &c, &real, t0()).is_ok());
}
