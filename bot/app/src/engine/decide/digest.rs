//! The weekly check-in digest: statuses in words, the quarter to date against the locked
//! (approved) plan — spend against planned spend (pro rata by campaign days), MQLs and
//! pipeline against stage 7's monthly milestones (arithmetic in
//! [`crate::domain::pacing`]) — blockers with their age, who has not checked in (named,
//! no @everyone), and escalations: campaigns off pace by more than the configured share,
//! blockers open for the configured number of weeks or more. Pure: the same run gives
//! the same post.

use chrono::NaiveDate;

use crate::chat::{Message, Table};
use crate::domain::pacing::{WeekPace, week_pace};
use crate::domain::{CheckinStatus, CheckinWeek, PlanFigures, QuarterRun};
use crate::engine::PlanContext;
use crate::report::{money, whole};

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

/// The pace of every check-in week so far (`summary.json`'s `pacing`).
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

/// How many consecutive weeks up to `week` the campaign reported `blocker`.
pub fn blocker_age(weeks: &[CheckinWeek], week: u32, campaign: &str, blocker: &str) -> u32 {
    let mut age = 0;
    for w in (1..=week).rev() {
        let reported = weeks
            .iter()
            .find(|x| x.week == w)
            .and_then(|x| x.entries.iter().find(|e| e.campaign == campaign))
            .and_then(|e| e.numbers.as_ref())
            .is_some_and(|n| n.blockers.iter().any(|b| b == blocker));
        if !reported {
            break;
        }
        age += 1;
    }
    age
}

fn share(x: f64, of: f64) -> String {
    if of > 0.0 {
        format!("{:.0}%", x / of * 100.0)
    } else {
        "—".into()
    }
}

/// The digest of check-in week `week`.
pub fn weekly_digest(run: &QuarterRun, ctx: &PlanContext, week: u32) -> Message {
    let Some(w) = run.checkins.iter().find(|w| w.week == week) else {
        return Message::new(
            format!("Check-in summary · week {week}"),
            "No check-in this week.",
        );
    };
    let count = |s: CheckinStatus| w.entries.iter().filter(|e| e.status == s).count();
    let mut body = format!(
        "{} on track, {} at risk, {} off track, {} did not check in, {} away.",
        count(CheckinStatus::OnTrack),
        count(CheckinStatus::AtRisk),
        count(CheckinStatus::OffTrack),
        count(CheckinStatus::Missed) + count(CheckinStatus::Pending),
        count(CheckinStatus::Away),
    );
    let pace = locked_plan(run)
        .zip(week_date(run, ctx, week))
        .map(|(plan, date)| week_pace(plan, &run.checkins, week, date));
    if let Some(p) = &pace {
        body.push_str(&format!(
            "\n\n**Against the approved plan, to {}:**\n- Spend {} of {} planned ({})\n- MQLs {} of {} \
             (stage 7 milestones, {})\n- Pipeline {} of {} ({})",
            p.date,
            money(p.spend_to_date),
            money(p.planned_spend_to_date),
            share(p.spend_to_date, p.planned_spend_to_date),
            whole(p.mqls_to_date),
            whole(p.mql_milestone_to_date),
            share(p.mqls_to_date, p.mql_milestone_to_date),
            money(p.pipeline_to_date),
            money(p.pipeline_milestone_to_date),
            share(p.pipeline_to_date, p.pipeline_milestone_to_date),
        ));
    }
    let mut table = Table::new(
        "",
        &[
            "Campaign",
            "Owner",
            "Status",
            "Spend vs plan",
            "MQLs",
            "Blockers",
        ],
    );
    let mut escalations = Vec::new();
    let tolerance = ctx.people.pacing_tolerance;
    for e in &w.entries {
        let cp = pace
            .as_ref()
            .and_then(|p| p.campaigns.iter().find(|c| c.campaign == e.campaign));
        let spend = match (e.numbers.as_ref(), cp) {
            (Some(n), Some(c)) => format!(
                "{} / {} ({})",
                money(n.spend_to_date),
                money(c.planned_spend_to_date),
                share(n.spend_to_date, c.planned_spend_to_date)
            ),
            (Some(n), None) => money(n.spend_to_date),
            _ => "—".into(),
        };
        if let Some(off) = cp.and_then(|c| c.off_pace)
            && off.abs() > tolerance
            && e.numbers.is_some()
        {
            escalations.push(format!(
                "{} is {} plan by {:.0}% ({}): {}",
                e.campaign,
                if off < 0.0 { "under" } else { "over" },
                off.abs() * 100.0,
                e.owner,
                if off < 0.0 {
                    "under-spending; is the budget still needed?"
                } else {
                    "over-spending; check the pacing with finance"
                }
            ));
        }
        let mut blockers = Vec::new();
        for b in e.numbers.iter().flat_map(|n| &n.blockers) {
            let age = blocker_age(&run.checkins, week, &e.campaign, b);
            blockers.push(if age > 1 {
                format!("{b} ({age} weeks)")
            } else {
                b.clone()
            });
            if age >= ctx.people.blocker_escalation_weeks {
                escalations.push(format!(
                    "{}: blocker open {age} weeks — {b} ({})",
                    e.campaign, e.owner
                ));
            }
        }
        let status = if e.late {
            format!("{} (late)", e.status.words())
        } else {
            e.status.words().to_owned()
        };
        table = table.row(vec![
            e.campaign.clone(),
            e.owner.clone(),
            status,
            spend,
            e.numbers
                .as_ref()
                .map_or_else(|| "—".into(), |n| whole(n.mqls)),
            if blockers.is_empty() {
                "—".into()
            } else {
                blockers.join("; ")
            },
        ]);
    }
    let silent: Vec<String> = w
        .entries
        .iter()
        .filter(|e| matches!(e.status, CheckinStatus::Missed | CheckinStatus::Pending))
        .map(|e| {
            e.owner_id
                .as_ref()
                .map_or_else(|| e.owner.clone(), |id| format!("<@{id}>"))
        })
        .collect();
    if !silent.is_empty() {
        let mut names = silent;
        names.sort();
        names.dedup();
        body.push_str(&format!("\n\nNot checked in: {}.", names.join(", ")));
    }
    if !escalations.is_empty() {
        body.push_str(&format!(
            "\n\n**Escalated** (<@&{}>):\n- {}",
            ctx.roles.owner,
            escalations.join("\n- ")
        ));
    }
    Message::new(format!("Check-in summary · week {week}"), body).table(table)
}
