//! The weekly check-in digest: statuses in words, the quarter to date against the locked
//! (approved) plan — spend against planned spend (pro rata by campaign days), MQLs and
//! pipeline against stage 7's monthly milestones (arithmetic in
//! [`crate::domain::pacing`]) — blockers with their age, who has not checked in (named,
//! no @everyone), and escalations: campaigns off pace by more than the configured share,
//! blockers open for the configured number of weeks or more. Pure: the same run gives
//! the same digest; `present` writes it.

use chrono::NaiveDate;

use crate::PlanContext;
use crate::domain::pacing::{WeekPace, week_pace};
use crate::domain::{CheckinStatus, CheckinWeek, PlanFigures, QuarterRun};
use crate::notice::{DigestRow, Escalation, Person, WeekDigest};

/// The figures of the approved version (the locked plan), if approved and known.
pub fn locked_plan(run: &QuarterRun) -> Option<&PlanFigures> {
    let v = run.approved_version?;
    run.plan_versions
        .iter()
        .find(|p| p.version == v)?
        .figures
        .as_ref()
}

/// The local date a week's check-in is measured to.
fn week_date(run: &QuarterRun, ctx: &PlanContext, week: u32) -> Option<NaiveDate> {
    let at = ctx
        .checkins
        .get((week as usize).checked_sub(1)?)
        .copied()
        .or_else(|| {
            run.checkins
                .iter()
                .find(|w| w.week == week)
                .map(|w| w.due_at)
        })?;
    Some(ctx.local_date(at))
}

/// The pace of every check-in week so far (`summary.json`'s `pacing`; a holiday week's is
/// the answers before it against the plan to its date, as the contract asks).
pub fn pacing(run: &QuarterRun, ctx: &PlanContext) -> Vec<WeekPace> {
    let Some(plan) = locked_plan(run) else {
        return Vec::new();
    };
    run.checkins
        .iter()
        .filter(|w| !w.entries.is_empty())
        .filter_map(|w| {
            Some(week_pace(
                plan,
                &run.checkins,
                w.week,
                week_date(run, ctx, w.week)?,
            ))
        })
        .collect()
}

/// How many consecutive weeks up to `week` the campaign reported `blocker`. A week the
/// campaign was excused (its owner away, a holiday) and did not answer neither counts nor
/// breaks the run: the blocker was not said to be gone.
pub fn blocker_age(weeks: &[CheckinWeek], week: u32, campaign: &str, blocker: &str) -> u32 {
    let mut age = 0;
    for w in (1..=week).rev() {
        let entry = weeks
            .iter()
            .find(|x| x.week == w)
            .and_then(|x| x.entries.iter().find(|e| e.campaign == campaign));
        if entry.is_some_and(|e| e.status == CheckinStatus::Away) {
            continue;
        }
        let reported = entry
            .and_then(|e| e.numbers.as_ref())
            .is_some_and(|n| n.blockers.iter().any(|b| b == blocker));
        if !reported {
            break;
        }
        age += 1;
    }
    age
}

/// The digest of check-in week `week`.
pub fn week_digest(run: &QuarterRun, ctx: &PlanContext, week: u32) -> WeekDigest {
    let mut digest = WeekDigest {
        week,
        held: false,
        holiday: false,
        on_track: 0,
        at_risk: 0,
        off_track: 0,
        silent: 0,
        away: 0,
        pace: None,
        rows: Vec::new(),
        not_checked_in: Vec::new(),
        escalations: Vec::new(),
        owner_role: ctx.roles.owner.clone(),
    };
    let Some(w) = run.checkins.iter().find(|w| w.week == week) else {
        return digest;
    };
    let count = |s: CheckinStatus| w.entries.iter().filter(|e| e.status == s).count();
    digest.held = true;
    digest.holiday = w.holiday;
    digest.on_track = count(CheckinStatus::OnTrack);
    digest.at_risk = count(CheckinStatus::AtRisk);
    digest.off_track = count(CheckinStatus::OffTrack);
    digest.silent = count(CheckinStatus::Missed) + count(CheckinStatus::Pending);
    digest.away = count(CheckinStatus::Away);
    let pace = locked_plan(run)
        .zip(week_date(run, ctx, week))
        .map(|(plan, date)| week_pace(plan, &run.checkins, week, date));
    let tolerance = ctx.people.pacing_tolerance;
    for e in &w.entries {
        let cp = pace
            .as_ref()
            .and_then(|p| p.campaigns.iter().find(|c| c.campaign == e.campaign));
        if let Some(off) = cp.and_then(|c| c.off_pace)
            && off.abs() > tolerance
            && e.numbers.is_some()
        {
            digest.escalations.push(Escalation::OffPace {
                campaign: e.campaign.clone(),
                owner: e.owner.clone(),
                off,
            });
        }
        let mut blockers = Vec::new();
        for b in e.numbers.iter().flat_map(|n| &n.blockers) {
            let age = blocker_age(&run.checkins, week, &e.campaign, b);
            blockers.push((b.clone(), age));
            if age >= ctx.people.blocker_escalation_weeks {
                digest.escalations.push(Escalation::BlockerOpen {
                    campaign: e.campaign.clone(),
                    owner: e.owner.clone(),
                    blocker: b.clone(),
                    weeks: age,
                });
            }
        }
        digest.rows.push(DigestRow {
            campaign: e.campaign.clone(),
            owner: e.owner.clone(),
            status: e.status,
            late: e.late,
            spend: e.numbers.as_ref().map(|n| n.spend_to_date),
            planned_spend: cp.map(|c| c.planned_spend_to_date),
            mqls: e.numbers.as_ref().map(|n| n.mqls),
            blockers,
        });
    }
    digest.not_checked_in = w
        .entries
        .iter()
        .filter(|e| matches!(e.status, CheckinStatus::Missed | CheckinStatus::Pending))
        .map(|e| Person {
            id: e.owner_id.clone(),
            name: e.owner.clone(),
        })
        .collect();
    digest.pace = pace;
    digest
}
