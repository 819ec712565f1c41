//! Every transition of `decide`, and every refusal, on a hand-built context: fixtures
//! here, the cases by topic in the submodules.

mod approval;
mod checkins;
mod deadline;
mod in_place;
mod people;
mod stages;
mod zones;

use chrono::{DateTime, Duration, TimeZone, Utc};

pub(super) use super::decide;
use crate::chat::Message;
use crate::domain::{
    Actor, CheckinStatus, QuarterRun, RosterEntry, RunStatus, StageStatus, Verdict,
};
use crate::notice::{Action, Figure, FigureMove};
use crate::settings::{ChannelSettings, RoleSettings, StakeholderGroup};
use crate::{
    Decision, Event, Job, MissedPolicy, Notice, PlanContext, Post, Rejection, SkippedJob,
    StageOutputKind, StageResult,
};

/// The message a post becomes, for the tests of what a post says in words.
pub(super) fn shown(post: &Post) -> Message {
    crate::present(&post.notice, &ctx())
}

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 21, 14, 0, 0).unwrap()
}

pub(super) fn group(name: &str, quorum: u32) -> StakeholderGroup {
    StakeholderGroup {
        group: name.into(),
        label: format!("{name} lead"),
        role_ids: vec![format!("role-{name}")],
        quorum: crate::settings::Quorum::Count(quorum),
        members: Vec::new(),
        backup_id: None,
    }
}

pub(crate) fn ctx() -> PlanContext {
    PlanContext {
        team: "growth".into(),
        quarter: "2027-Q1".into(),
        quarter_start: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        quarter_end: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
        review_start: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
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
            upload_data: Vec::new(),
        },
        stakeholders: vec![group("marketing", 1), group("finance", 2)],
        stage_due: (0..12).map(|i| t0() + Duration::days(i)).collect(),
        checkins: vec![t0() + Duration::days(30), t0() + Duration::days(37)],
        holiday_checkins: Vec::new(),
        checkin_window: Duration::hours(48),
        plan_deadline: t0() + Duration::days(20),
        people: crate::settings::PeopleSettings::default(),
        display_names: Default::default(),
    }
}

pub(super) fn fresh() -> QuarterRun {
    QuarterRun::new("growth", "2027-Q1", &ctx().stage_due)
}

pub(super) fn result(hash: Option<&str>) -> StageResult {
    StageResult {
        available: true,
        message: Message::new("t", "b"),
        output: hash.map_or(StageOutputKind::Findings, |h| StageOutputKind::Plan {
            hash: h.to_owned(),
            figures: None,
        }),
    }
}

pub(super) fn apply(run: &QuarterRun, e: Event) -> Decision {
    decide(run, &ctx(), &e, t0()).unwrap_or_else(|r| panic!("{e:?} refused: {r}"))
}

pub(super) fn refuse(run: &QuarterRun, e: Event) -> Rejection {
    decide(run, &ctx(), &e, t0()).expect_err("expected a refusal")
}

pub(super) fn computed(stage: u8) -> Event {
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
pub(super) fn planned() -> QuarterRun {
    let mut run = fresh();
    for n in 1..=10 {
        run = apply(&run, Event::StageDue { stage: n }).run;
        if run.stage(n).unwrap().status == StageStatus::Running {
            run = apply(&run, computed(n)).run;
        }
    }
    run
}

pub(super) fn in_review() -> QuarterRun {
    apply(&planned(), Event::StageDue { stage: 11 }).run
}

pub(super) fn person(id: &str, role: &str) -> Actor {
    Actor::new(id, id, &[role])
}

pub(super) fn verdict(id: &str, g: &str, v: Verdict, version: u32, note: Option<&str>) -> Event {
    Event::Verdict {
        actor: person(id, &format!("role-{g}")),
        group: g.into(),
        verdict: v,
        version,
        note: note.map(Into::into),
    }
}

pub(super) fn approved() -> QuarterRun {
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

pub(super) fn executing() -> QuarterRun {
    let mut run = apply(&approved(), Event::StageDue { stage: 12 }).run;
    let mut kickoff = result(None);
    kickoff.output = StageOutputKind::Kickoff {
        roster: vec![
            RosterEntry::new("Spring webinar", "Avery"),
            RosterEntry::new("Search always-on", "Jordan"),
        ],
    };
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
